"""The whole book as one PDF, printed from the HTML build by headless Chromium (`make pdf`).

Jupyter Book's own routes do not work for this book: the `singlehtml` builder (and so
`pdflatex`'s sibling `pdfhtml`) crashes on sphinx-proof's theorem nodes, and `pdfhtml`
wants to download a browser of its own. So this tool does what a reader would do with
the website, page by page, in reading order, with the same Chromium the site test uses
(tests/tools/chromium.py):

1. serve _build/html on 127.0.0.1 and open each page of _toc.yml;
2. wait until MathJax has typeset every equation and every image has loaded, and fail
   (naming the page) when MathJax reports an error, so no PDF shows broken math;
3. open the exercise solutions and other folded blocks, since paper cannot unfold them;
4. print the page with `page.pdf` (A4, backgrounds, Chromium's outline of its headings);
5. merge the pages with pypdf: one bookmark per part, page and section, links between
   pages of the book turned into links inside the PDF (they would otherwise point at
   the throwaway local server), and page numbers stamped in the footer.

    python tests/tools/make_pdf.py [--book-root .] [--output PATH]

The PDF is written into the built site (`_build/html/<PDF_NAME>`), where the intro
page's link finds it; the path is printed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import io
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import yaml

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))
from chromium import LAUNCH_ARGS, find_chromium  # noqa: E402
from static_server import serve  # noqa: E402

# The file name the intro page links to (intro.md) and the PDF test reads (tests/site).
PDF_NAME = "neural-networks-checked-by-code.pdf"
PAPER = "A4"
# The website's layout is made for a screen about 850 px wide; at 0.8 the A4 text column
# (180 mm) holds that much, so code lines of about 80 characters fit as they do online.
SCALE = 0.8
# Room at the bottom of every page for the stamped page number.
MARGINS = {"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}
NAVIGATION_TIMEOUT_MS = 60_000
MATHJAX_TIMEOUT_MS = 60_000

# Added to each page before printing: no CSS transitions (an unfolded solution would
# otherwise be printed half faded in); for print, long code lines and wide
# tables wrap instead of running off the paper, a figure is not split across pages, and a
# heading stays with what follows it.
PRINT_CSS = """
* { transition: none !important; animation: none !important; }
@media print {
  pre, .highlight pre, .output pre { white-space: pre-wrap !important;
                                     overflow-wrap: anywhere !important; }
  .table-wrapper { overflow: visible !important; }
  table { width: 100% !important; }
  td code, td span.pre, th code, th span.pre { white-space: pre-wrap !important;
                                               overflow-wrap: anywhere !important; }
  img, figure { break-inside: avoid; max-width: 100% !important; }
  h1, h2, h3 { break-after: avoid-page; }
  .bd-article h1 { font-size: 2.2em !important; }
  button.toggle-button { display: none !important; }  /* "Click to hide" means nothing on paper */
}
"""
# Everything a reader would have to click open on the website. sphinx-togglebutton hides
# admonition content (the solutions) behind its button; <details> holds sphinx-design
# dropdowns and myst-nb's hidden cells. (togglebutton.js also opens its toggles on
# `beforeprint` when its toggle_open_on_print option is on, as it is by default; this does
# not rely on that setting.)
UNFOLD_JS = """
() => {
  let opened = 0;
  document.querySelectorAll(
      ".toggle-hidden .toggle-button, button.toggle-button.toggle-button-hidden")
    .forEach(button => { button.click(); opened += 1; });
  document.querySelectorAll("details:not([open])").forEach(d => { d.open = true; opened += 1; });
  return opened;
}
"""

# Math that MathJax did not typeset or flagged as an error.
MATH_PROBLEMS_JS = """
() => {
  const errors = Array.from(document.querySelectorAll("mjx-merror")).map(
    el => (el.getAttribute("data-mjx-error") || el.textContent || "").slice(0, 120));
  const untypeset = Array.from(document.querySelectorAll(".math"))
    .filter(el => !el.querySelector("mjx-container") && el.tagName !== "MJX-CONTAINER")
    .map(el => el.textContent.replace(/\\s+/g, " ").trim().slice(0, 80));
  return {errors, untypeset};
}
"""


@dataclass
class TocNode:
    """A part caption (docname None) or a page of _toc.yml, with what is nested under it."""

    title: str | None
    docname: str | None
    children: list[TocNode]


def read_toc(root: Path) -> list[TocNode]:
    """The outline of _toc.yml: the root page, then parts, chapters and their sections."""
    toc = yaml.safe_load((root / "_toc.yml").read_text()) or {}

    def docname(value) -> str:
        name = str(value).strip("/")
        for suffix in (".md", ".ipynb", ".rst"):
            name = name.removesuffix(suffix)
        return name

    def entries(items) -> list[TocNode]:
        nodes = []
        for item in items or []:
            children = entries(item.get("sections") or item.get("chapters"))
            if "file" in item:
                nodes.append(TocNode(None, docname(item["file"]), children))
            elif "glob" in item:
                for path in sorted(root.glob(str(item["glob"]) + ".*")):
                    nodes.append(TocNode(None, docname(path.relative_to(root)), []))
            else:
                nodes.extend(children)
        return nodes

    nodes = [TocNode(None, docname(toc["root"]), [])] if toc.get("root") else []
    for part in toc.get("parts") or []:
        nodes.append(TocNode(str(part.get("caption") or ""), None, entries(part.get("chapters"))))
    nodes.extend(entries(toc.get("chapters")))
    return nodes


def reading_order(nodes: list[TocNode]) -> list[str]:
    order = []
    for node in nodes:
        if node.docname:
            order.append(node.docname)
        order.extend(reading_order(node.children))
    return order


@dataclass
class PrintedPage:
    docname: str
    title: str
    pdf: bytes


class PrintError(RuntimeError):
    pass


async def print_page(context, site_url: str, docname: str) -> PrintedPage:
    """Open one page like a reader, check its math, unfold it and print it."""
    url = site_url + docname + ".html"
    page = await context.new_page()
    try:
        response = await page.goto(url, wait_until="load", timeout=NAVIGATION_TIMEOUT_MS)
        if response is None or response.status != 200:
            raise PrintError(f"{url}: HTTP {response.status if response else 'no response'}")
        if await page.evaluate("() => !!document.querySelector('script[src*=\"mathjax\"]')"):
            await page.wait_for_function("() => window.MathJax && MathJax.startup "
                                         "&& MathJax.startup.promise",
                                         timeout=MATHJAX_TIMEOUT_MS)
            await page.evaluate("() => MathJax.startup.promise")
        problems = await page.evaluate(MATH_PROBLEMS_JS)
        if problems["errors"] or problems["untypeset"]:
            raise PrintError(f"{url}: MathJax errors {problems['errors']}, "
                             f"not typeset {problems['untypeset']}")
        await page.wait_for_function(
            "() => Array.from(document.images).every(i => i.complete)",
            timeout=NAVIGATION_TIMEOUT_MS)
        # Transitions off first, so that what is unfolded is fully shown at once.
        await page.add_style_tag(content=PRINT_CSS)
        await page.evaluate(UNFOLD_JS)
        title = await page.evaluate(
            "() => { const h = document.querySelector('main h1, article h1, h1');"
            " return h ? h.textContent : document.title; }"
        )
        pdf = await page.pdf(format=PAPER, margin=MARGINS, scale=SCALE,
                             print_background=True, outline=True)
    finally:
        await page.close()
    title = " ".join(title.replace("#", " ").split())
    return PrintedPage(docname, title, pdf)


async def page_numbers(browser, count: int) -> bytes:
    """A PDF of `count` empty pages, each with its number in the footer, to stamp onto the
    book's pages (Chromium numbers each printed document from 1, so the book's pages are
    numbered once they are merged)."""
    body = '<div style="break-after: page">&nbsp;</div>' * count
    context = await browser.new_context()
    page = await context.new_page()
    await page.set_content(f"<html><body style='margin:0'>{body}</body></html>")
    footer = ('<div style="width:100%;text-align:center;font-size:9px;'
              'font-family:DejaVu Sans,Helvetica,Arial,sans-serif;color:#444">'
              '<span class="pageNumber"></span></div>')
    pdf = await page.pdf(format=PAPER, margin=MARGINS, display_header_footer=True,
                         header_template="<span></span>", footer_template=footer)
    await context.close()
    return pdf


async def print_book(executable: str, site_url: str, order: list[str],
                     jobs: int) -> tuple[list[PrintedPage], bytes]:
    """Print the pages, `jobs` at a time in one browser, then the page-number stamps."""
    from playwright.async_api import async_playwright
    from pypdf import PdfReader

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable,
                                                   args=LAUNCH_ARGS)
        # One context for all pages, so that the theme's scripts, MathJax and the fonts
        # come from its cache after the first page (static_server.py); printing needs no
        # page to start with empty storage, as the site test's visits do.
        context = await browser.new_context()

        # Offline like the site test: a request that leaves the local server is refused.
        async def route(route):
            if route.request.url.startswith(site_url):
                await route.continue_()
            else:
                await route.abort()

        await context.route("**/*", route)
        slots = asyncio.Semaphore(jobs)

        async def one(docname):
            async with slots:
                return await print_page(context, site_url, docname)

        # gather keeps the order of `order`, whatever order the pages finish in.
        printed = await asyncio.gather(*(one(docname) for docname in order))
        count = sum(len(PdfReader(io.BytesIO(p.pdf)).pages) for p in printed)
        await context.close()
        numbers = await page_numbers(browser, count)
        await browser.close()
    return list(printed), numbers


def _outline_entries(reader, outline, start: int) -> list[tuple[str, int, list]]:
    """Chromium's outline of one printed page as (title, page in the book, children)."""
    found = []
    index = 0
    while index < len(outline):
        item = outline[index]
        children = []
        if index + 1 < len(outline) and isinstance(outline[index + 1], list):
            children = _outline_entries(reader, outline[index + 1], start)
            index += 1
        try:
            number = reader.get_destination_page_number(item)
        except Exception:  # noqa: BLE001 - an entry without a page is left out
            number = None
        if number is not None and number >= 0:
            title = " ".join(str(item.title).replace("#", " ").split())
            found.append((title, start + number, children))
        index += 1
    return found


def merge(printed: list[PrintedPage], toc: list[TocNode], numbers: bytes | None,
          site_url: str, metadata: dict) -> tuple[bytes, dict[str, int]]:
    """One PDF from the printed pages, with bookmarks, internal links and page numbers."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, NameObject

    writer = PdfWriter()
    starts: dict[str, int] = {}
    headings: dict[str, list] = {}
    for item in printed:
        reader = PdfReader(io.BytesIO(item.pdf))
        starts[item.docname] = len(writer.pages)
        headings[item.docname] = _outline_entries(reader, reader.outline, starts[item.docname])
        writer.append(reader, import_outline=False)

    titles = {item.docname: item.title for item in printed}

    def add_headings(entries, parent):
        for title, number, children in entries:
            child = writer.add_outline_item(title=title, page_number=number, parent=parent,
                                            is_open=False)
            add_headings(children, child)

    def add(nodes, parent):
        for node in nodes:
            if node.docname is None:
                first = reading_order(node.children)
                if not first:
                    continue
                mark = writer.add_outline_item(title=node.title or "", parent=parent,
                                               page_number=starts[first[0]], bold=True)
            else:
                mark = writer.add_outline_item(title=titles[node.docname], parent=parent,
                                               page_number=starts[node.docname], is_open=False)
                # Chromium's outline starts with the page's own <h1>: keep what is below it.
                entries = headings[node.docname]
                if len(entries) == 1 and entries[0][0] == titles[node.docname]:
                    entries = entries[0][2]
                add_headings(entries, mark)
            add(node.children, mark)

    add(toc, None)

    # Links from one page of the book to another point at the local server that printed
    # them; send them to the page inside the PDF instead.
    by_url = {urljoin(site_url, docname + ".html"): number for docname, number in starts.items()}
    for page in writer.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            action = annotation.get("/A")
            action = action.get_object() if action is not None else None
            if action is None or action.get("/S") != "/URI":
                continue
            target, _ = urldefrag(str(action.get("/URI")))
            if not target.startswith(site_url):
                continue
            if target.endswith("/"):
                target += "index.html"
            number = by_url.get(target)
            del annotation[NameObject("/A")]
            if number is None:
                # A page outside the book (the index, the search page): not in the PDF.
                continue
            annotation[NameObject("/Dest")] = ArrayObject(
                [writer.pages[number].indirect_reference, NameObject("/Fit")])

    if numbers is not None:
        stamps = PdfReader(io.BytesIO(numbers))
        for page, stamp in zip(writer.pages, stamps.pages, strict=True):
            page.merge_page(stamp)

    writer.add_metadata(metadata)
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), starts


def build_pdf(root: Path, output: Path, jobs: int = 2, log=print) -> Path:
    from pypdf import PdfReader

    html_root = root / "_build" / "html"
    if not (html_root / "index.html").is_file():
        raise SystemExit(f"{html_root} holds no built book: run `make build` first")
    config = yaml.safe_load((root / "_config.yml").read_text()) or {}
    toc = read_toc(root)
    order = reading_order(toc)
    browser_binary = find_chromium()
    log(f"pdf: printing {len(order)} pages, {jobs} at a time, with "
        f"{browser_binary.executable} ({browser_binary.source})")
    started = time.perf_counter()
    with serve(html_root, name="pdf-server") as site_url:
        printed, numbers = asyncio.run(
            print_book(browser_binary.executable, site_url, order, jobs))
    metadata = {"/Title": str(config.get("title") or ""),
                "/Author": str(config.get("author") or ""),
                "/Creator": "tests/tools/make_pdf.py (Chromium page.pdf, pypdf)"}
    data, starts = merge(printed, toc, numbers, site_url, metadata)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    count = len(PdfReader(io.BytesIO(data)).pages)
    log(f"pdf: {count} pages from {len(order)} book pages in "
        f"{time.perf_counter() - started:.0f} s")
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--book-root", type=Path, default=TOOLS.parents[1])
    parser.add_argument("--output", type=Path, default=None,
                        help=f"default: <book root>/_build/html/{PDF_NAME}")
    parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1),
                        help="pages printed at the same time (default: cores, at most 4)")
    args = parser.parse_args(argv)
    root = args.book_root.resolve()
    output = args.output or root / "_build" / "html" / PDF_NAME
    try:
        path = build_pdf(root, output, max(1, args.jobs))
    except PrintError as error:
        print(f"pdf: FAILED: {error}", file=sys.stderr)
        return 1
    print(f"The book's PDF is at {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
