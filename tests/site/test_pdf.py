"""The book's PDF (`make pdf`, tests/tools/make_pdf.py), read back with pypdf.

Collected only when pytest is given `--pdf PATH` (`make pdf` does that after printing),
so these checks run where there is a PDF to check and nowhere else. What the PDF must
hold is read from the HTML build it was printed from, never typed here:

- a page count in proportion to the text of the built pages;
- the title of every page of _toc.yml, each with a bookmark that lands on it;
- the caption of every numbered figure;
- the first paragraph of every exercise solution (printed unfolded);
- every figure image of the notebooks (counted as image objects);
- no MathJax error text and no raw `$$`;
- a page number on every page, counting from 1.
"""

from __future__ import annotations

import os
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest

# MathJax 3's messages for TeX it could not typeset (shown in red in place of the math),
# and MathJax 2's catch-all.
MATHJAX_ERRORS = [
    "Undefined control sequence", "Math input error", "Math Processing Error",
    "Missing open brace", "Missing close brace", "Extra open brace", "Extra close brace",
    "Misplaced &", "Missing argument for", "Unknown environment", "Double exponent",
    "Double subscripts", "TeX parse error",
]


def normalize(text: str) -> str:
    """Lower-case words separated by single spaces: ligatures (NFKC), line breaks and
    punctuation, which PDF text extraction renders unevenly, do not count."""
    text = unicodedata.normalize("NFKC", text).lower()
    return " ".join(re.findall(r"\w+", text))


class _BookPage(HTMLParser):
    """The h1 and the figure captions of one built page, without math and header links
    (math comes out of the PDF as MathJax's glyphs, not as the TeX source)."""

    SKIP_CLASSES = {"math", "headerlink", "caption-number", "toc-backref"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        # Each text as pieces between math (found one by one in the PDF's text).
        self.title: list[str] | None = None
        self.captions: list[list[str]] = []
        # The first paragraph of each exercise solution (folded away on the website).
        self.solutions: list[list[str]] = []
        self.image_count = 0
        # Open elements: (tag, "title"/"caption"/"", classes, whether its text is skipped)
        self._stack: list[tuple[str, str, str, bool]] = []
        self._skip = 0
        self.text_chars = 0  # text inside <main>, math excluded
        self._in_main = 0
        self._solutions_seen = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        role = ""
        if tag == "h1" and self.title is None:
            role = "title"
            self.title = [""]
        elif tag == "figcaption":
            role = "caption"
            self.captions.append([""])
        elif (tag == "p" and "admonition-title" not in classes and self._in_solution()
              and len(self.solutions) < self._solutions_seen):
            role = "solution"
            self.solutions.append([""])
        elif (tag == "img" and self._in_main and self._in_figure()
              and not (attrs.get("src") or "").lower().endswith(".svg")):
            # Raster images only: Chromium prints an SVG figure as vector paths, which
            # are no image objects in the PDF (its caption is checked separately).
            self.image_count += 1
        if tag == "main":
            self._in_main += 1
        if tag == "div" and "solution" in classes:
            self._solutions_seen += 1
        if tag in ("img", "br", "hr", "meta", "link", "input"):
            return
        skip = bool(classes & self.SKIP_CLASSES) or tag in ("script", "style")
        self._stack.append((tag, role, " ".join(classes), skip))
        if skip:
            self._skip += 1
            target = self._current_parts()
            if target is not None:
                target.append("")  # math splits the text into separately found pieces

    def _in_figure(self) -> bool:
        # A notebook's output image, or an image of a figure directive.
        return any("cell_output" in entry[2].split() or entry[0] == "figure"
                   for entry in self._stack)

    def _in_solution(self) -> bool:
        return any(entry[0] == "div" and "solution" in entry[2].split() for entry in self._stack)

    def _current_parts(self):
        roles = [entry[1] for entry in self._stack if entry[1]]
        if not roles:
            return None
        return {"title": self.title, "caption": self.captions[-1] if self.captions else None,
                "solution": self.solutions[-1] if self.solutions else None}[roles[-1]]

    def handle_endtag(self, tag):
        if tag == "main":
            self._in_main -= 1
        while self._stack:
            entry = self._stack.pop()
            if entry[3]:
                self._skip -= 1
            if entry[0] == tag:
                break

    def handle_data(self, data):
        if self._in_main and not self._skip:
            self.text_chars += len(data.strip())
        if self._skip:
            return
        target = self._current_parts()
        if target is not None:
            target[-1] += data


def _pieces(parts: list[str]) -> list[str]:
    return [normalize(part) for part in parts if normalize(part)]


@pytest.fixture(scope="session")
def book_pages_html(book_root, pages):
    """{docname: parsed built page} for every page of _toc.yml."""
    parsed = {}
    for page in pages:
        path = book_root / "_build" / "html" / page.url_path
        assert path.is_file(), f"{path} is missing: the PDF was printed from another build?"
        parser = _BookPage()
        parser.feed(path.read_text(encoding="utf-8"))
        parsed[page.docname] = parser
    return parsed


@pytest.fixture(scope="session")
def pdf_reader(pytestconfig):
    from pypdf import PdfReader

    path = Path(pytestconfig.getoption("--pdf"))
    if not path.is_file():
        pytest.fail(f"{path} does not exist: run `make pdf` (after `make build`)",
                    pytrace=False)
    return PdfReader(path)


def _page_texts(path: str, start: int, stop: int) -> list[str]:
    """The text of pages start..stop-1 of the PDF at `path` (run in a worker process)."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    return [reader.pages[i].extract_text() or "" for i in range(start, stop)]


@pytest.fixture(scope="session")
def pdf_texts(pytestconfig, pdf_reader) -> list[str]:
    """The text of every page, in order. pypdf takes about 50 ms a page in pure Python,
    so the pages are shared out to one process per core (the order is kept)."""
    from concurrent.futures import ProcessPoolExecutor

    path = str(Path(pytestconfig.getoption("--pdf")))
    count = len(pdf_reader.pages)
    workers = max(1, min(os.cpu_count() or 1, 4, count))
    bounds = [count * k // workers for k in range(workers + 1)]
    if workers == 1:
        return _page_texts(path, 0, count)
    with ProcessPoolExecutor(workers) as pool:
        chunks = pool.map(_page_texts, [path] * workers, bounds[:-1], bounds[1:])
        return [text for chunk in chunks for text in chunk]


@pytest.fixture(scope="session")
def pdf_text(pdf_texts) -> str:
    return normalize(" ".join(pdf_texts))


def _outline(reader, items, depth=0):
    for item in items:
        if isinstance(item, list):
            yield from _outline(reader, item, depth + 1)
        else:
            yield depth, str(item.title), reader.get_destination_page_number(item)


def test_page_count_is_plausible(pdf_reader, book_pages_html, pages):
    count = len(pdf_reader.pages)
    chars = sum(parsed.text_chars for parsed in book_pages_html.values())
    # A printed A4 page of this book holds between a few hundred characters (a page
    # that is mostly a figure) and about 4000 (a page of prose): the average lies well
    # inside that range, and every book page starts a new printed page.
    assert count >= len(pages), f"{count} PDF pages for {len(pages)} book pages"
    per_page = chars / count
    assert 400 <= per_page <= 4000, (
        f"{count} PDF pages for {chars} characters of text, {per_page:.0f} per page: "
        "pages missing from the PDF, or pages printed nearly empty"
    )


def test_every_page_title_is_in_the_text(pdf_text, book_pages_html):
    missing = []
    for docname, parsed in book_pages_html.items():
        assert parsed.title, f"{docname}: the built page has no <h1>"
        for piece in _pieces(parsed.title):
            if piece not in pdf_text:
                missing.append(f"{docname}: {piece!r}")
    assert not missing, "page titles not found in the PDF's text:\n  " + "\n  ".join(missing)


def test_every_page_has_a_bookmark_that_lands_on_it(pdf_reader, pdf_texts, book_pages_html):
    marks = list(_outline(pdf_reader, pdf_reader.outline))
    assert marks, "the PDF has no bookmarks"
    by_title = {}
    for _, title, number in marks:
        by_title.setdefault(normalize(title), number)
    problems = []
    for docname, parsed in book_pages_html.items():
        title = normalize(" ".join(parsed.title or []))
        pieces = _pieces(parsed.title or [])
        number = next((n for t, n in by_title.items() if pieces and pieces[0] in t), None)
        if number is None:
            problems.append(f"{docname}: no bookmark titled like {title!r}")
        elif pieces[0] not in normalize(pdf_texts[number]):
            problems.append(f"{docname}: its bookmark lands on page {number + 1}, "
                            f"which does not show {pieces[0]!r}")
    assert not problems, "\n".join(problems)


def test_figure_captions_are_in_the_text(captioned_page, pdf_text, book_pages_html):
    """Generated for each page whose source has a figure directive."""
    page = captioned_page
    captions = book_pages_html[page.docname].captions
    assert captions, f"{page.url_path}: the source has figures but the page no <figcaption>"
    missing = [piece for caption in captions for piece in _pieces(caption)
               if piece not in pdf_text]
    assert not missing, f"{page.url_path}: figure captions not in the PDF: {missing}"


def test_figures_are_images_in_the_pdf(pdf_reader, book_pages_html):
    expected = sum(parsed.image_count for parsed in book_pages_html.values())
    found = 0
    for page in pdf_reader.pages:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources else None
        for xobject in (xobjects.get_object().values() if xobjects else []):
            if xobject.get_object().get("/Subtype") == "/Image":
                found += 1
    assert found >= expected, (
        f"the notebooks' pages show {expected} output images, the PDF holds {found}"
    )


def test_no_mathjax_errors_or_raw_tex(pdf_texts):
    problems = []
    for number, text in enumerate(pdf_texts, start=1):
        flat = " ".join(unicodedata.normalize("NFKC", text).split())
        for message in MATHJAX_ERRORS:
            if message.lower() in flat.lower():
                problems.append(f"page {number}: MathJax error text {message!r}")
        for match in re.finditer(r"\$\$", flat):
            problems.append(f"page {number}: raw $$ in {flat[max(0, match.start() - 40):]!r:.90}")
    assert not problems, "\n".join(problems[:30])


def test_every_page_is_numbered(pdf_texts):
    unnumbered = []
    for number, text in enumerate(pdf_texts, start=1):
        words = text.split()
        if not words or words[-1] != str(number):
            unnumbered.append(f"page {number} ends with {words[-1:]!r}")
    assert not unnumbered, "pages without their number in the footer:\n  " + "\n  ".join(
        unnumbered[:20])


def test_links_between_pages_stay_inside_the_pdf(pdf_reader):
    """Chromium prints a link to another page of the book as a link to the local server
    that served it; make_pdf.py turns those into jumps inside the PDF."""
    local, inside = [], 0
    for number, page in enumerate(pdf_reader.pages, start=1):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            action = annotation.get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            host = re.match(r"https?://([^/:]+)", uri)
            if host and host.group(1) in {"127.0.0.1", "localhost"}:
                local.append(f"page {number}: {uri}")
            if "/Dest" in annotation:
                inside += 1
    assert not local, "links to the print server, dead in the PDF:\n  " + "\n  ".join(local[:20])
    assert inside > 0, "no link jumps inside the PDF (the intro's chapter links should)"


def test_solutions_are_printed_unfolded(pdf_text, book_pages_html):
    """Paper cannot unfold a solution: its text must be in the PDF, not only its title."""
    solutions = [(docname, body) for docname, parsed in book_pages_html.items()
                 for body in parsed.solutions]
    if not solutions:
        pytest.fail("no exercise solution found in the built pages (have they moved out of "
                    "div.solution?)", pytrace=False)
    missing = []
    for docname, body in solutions:
        # The longest piece between math, at most 12 words: enough to be that paragraph.
        pieces = sorted(_pieces(body), key=len, reverse=True)
        if pieces and " ".join(pieces[0].split()[:12]) not in pdf_text:
            missing.append(f"{docname}: {' '.join(pieces[0].split()[:12])!r}")
    assert not missing, "solutions folded away in the PDF:\n  " + "\n  ".join(missing[:20])
