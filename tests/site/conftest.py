"""Fixtures of the rendered-site tests: the book as a reader meets it (issue 7).

`make test` builds the book and then runs

    python -m pytest tests/site -p no:nbval -o addopts=""

These tests never build the book themselves: they read `_build/html` and stop at once,
with a message saying how to build it, when it is missing.

Which book: the repository by default, or another copy with `--book-root PATH` or the
environment variable NNBOOK_BOOK_ROOT (used to try the checks on a throwaway sample book
without touching the repository).

The pages come from `_toc.yml` (every `file:` entry, whatever chapters it lists today),
the repository and branch of the Binder links from `_config.yml`. Each page is opened
once, in a new tab of one headless Chromium, served from 127.0.0.1 (static_server.py);
the tabs share the browser's cache, as a reader's do, but each starts with empty
storage, as a first visit does. What the page did is recorded in a `Visit` that the
tests of test_site.py and test_page_width.py then inspect.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sitebook import (
    Page,
    page_has_figure_directives,
    page_has_figures,
    read_config,
    repository_root,
    toc_pages,
)
from widths import NO_TRANSITIONS_CSS, measure

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tests" / "tools"))
from chromium import LAUNCH_ARGS, BrowserNotFound, find_chromium  # noqa: E402
from static_server import serve  # noqa: E402

# The window of a reader on a laptop; the page-width check measures at this width.
VIEWPORT = {"width": 1280, "height": 900}
NAVIGATION_TIMEOUT_MS = 30_000
MATHJAX_LOAD_TIMEOUT_MS = 5_000
MATHJAX_TIMEOUT_MS = 20_000


# --------------------------------------------------------------------------- options


def pytest_addoption(parser):
    parser.addoption(
        "--book-root",
        default=os.environ.get("NNBOOK_BOOK_ROOT") or str(REPO_ROOT),
        help="folder with _config.yml, _toc.yml and the built _build/html "
        "(default: $NNBOOK_BOOK_ROOT or the repository)",
    )
    parser.addoption(
        "--screenshots",
        choices=("top", "full"),
        default=os.environ.get("NNBOOK_SCREENSHOTS") or "top",
        help="what the visit of each page photographs into _build/screenshots: the top of "
        "the page in light and in dark mode (default), or with `full` the whole page in "
        "light mode and its top in dark mode (about a second more per page; "
        "`make site SCREENSHOTS=full`)",
    )
    parser.addoption(
        "--pdf",
        default=None,
        help="the book's PDF made by `make pdf`: collect the checks of test_pdf.py for it "
        "(without it they are not collected)",
    )


def pytest_ignore_collect(collection_path, config):
    # The PDF's checks exist only where a PDF is handed to them (`make pdf`).
    if collection_path.name == "test_pdf.py" and not config.getoption("--pdf"):
        return True
    return None


def _book_root(config) -> Path:
    root = Path(config.getoption("--book-root")).expanduser().resolve()
    if not (root / "_toc.yml").is_file() or not (root / "_config.yml").is_file():
        raise pytest.UsageError(f"book root {root} has no _toc.yml and _config.yml")
    return root


# ------------------------------------------------------------------------ collection


def pytest_generate_tests(metafunc):
    root = _book_root(metafunc.config)
    # Each check is generated only for the pages it applies to, so nothing is skipped.
    kinds = {
        "page": lambda p: True,
        "notebook_page": lambda p: p.is_notebook,
        "solution_page": lambda p: "{solution" in p.source.read_text(encoding="utf-8"),
        "figure_page": page_has_figures,
        "captioned_page": page_has_figure_directives,
    }
    for name, applies in kinds.items():
        if name in metafunc.fixturenames:
            chosen = [p for p in toc_pages(root) if applies(p)]
            metafunc.parametrize(name, chosen, ids=[p.docname for p in chosen])


_NEEDS_HTML = {"html_root", "site_url", "visit", "built_html_files", "book_pages_html"}


def pytest_collection_modifyitems(session, config, items):
    root = _book_root(config)
    needs_html = any(_NEEDS_HTML & set(getattr(item, "fixturenames", ())) for item in items)
    index = root / "_build" / "html" / "index.html"
    if needs_html and not index.is_file():
        pytest.exit(
            f"The built book is missing: {index} does not exist. Build it first with "
            "`make build` (or `jupyter-book build . -W -n --keep-going`), then rerun "
            "the site tests.",
            returncode=pytest.ExitCode.TESTS_FAILED,
        )


# -------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def book_root(pytestconfig) -> Path:
    return _book_root(pytestconfig)


@pytest.fixture(scope="session")
def book_config(book_root) -> dict:
    return read_config(book_root)


@pytest.fixture(scope="session")
def pages(book_root) -> list[Page]:
    return toc_pages(book_root)


@pytest.fixture(scope="session")
def repo_root(book_root, book_config) -> Path:
    return repository_root(book_root, book_config)


@pytest.fixture(scope="session")
def html_root(book_root) -> Path:
    html = book_root / "_build" / "html"
    if not (html / "index.html").is_file():
        pytest.fail(f"{html} holds no built book: run `make build` first", pytrace=False)
    return html


@pytest.fixture(scope="session")
def built_html_files(html_root) -> list[Path]:
    skip = {"_static", "_sources", "_images"}
    return sorted(
        p for p in html_root.rglob("*.html") if not (set(p.relative_to(html_root).parts) & skip)
    )


@pytest.fixture(scope="session")
def site_url(html_root):
    """Base URL (ending in /) of a static server for _build/html on 127.0.0.1."""
    with serve(html_root, name="site-server") as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    """The system's Chromium, else Playwright's own (tests/tools/chromium.py)."""
    try:
        return find_chromium()
    except BrowserNotFound as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium.executable, args=LAUNCH_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def browsing(browser):
    """One browser context for the visits of all pages, as one reader's browser: the
    theme's scripts, MathJax and the fonts come from its cache after the first page
    (static_server.py). Each page still starts as a first visit does: the init script
    empties the storage, where the theme remembers the colour mode a visit switched to."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script("try { localStorage.clear(); sessionStorage.clear(); } catch (e) {}")
    yield context
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir(book_root) -> Path:
    folder = book_root / "_build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):  # no stale pictures of pages that left the toc
        old.unlink()
    return folder


# ------------------------------------------------------------------------ the visit


@dataclass
class Visit:
    """What happened when a reader opened one page."""

    page: Page
    url: str
    status: int | None = None
    load_error: str | None = None
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    bad_responses: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    mathjax_error: str | None = None
    math: dict = field(default_factory=dict)
    raw_math_text: list[str] = field(default_factory=list)
    output_images: list[dict] = field(default_factory=list)
    launch_links: list[str] = field(default_factory=list)
    solutions: list[dict] = field(default_factory=list)
    screenshot: Path | None = None
    download_href: str | None = None
    # WCAG contrast of text against its background, per theme mode ("light", "dark").
    contrast: dict[str, dict] = field(default_factory=dict)
    figures: list[dict] = field(default_factory=list)
    dark_screenshot: Path | None = None
    # Every code block, output block and display equation, measured by widths.py.
    widths: dict = field(default_factory=dict)
    stage_errors: dict[str, str] = field(default_factory=dict)

    def require_loaded(self, stage: str | None = None) -> None:
        """Fail when the page, or the given stage of the visit, could not be inspected."""
        if self.load_error or self.status != 200:
            pytest.fail(
                f"{self.url} did not load (HTTP {self.status}; {self.load_error or 'no error'}): "
                "is _build/html up to date with _toc.yml?",
                pytrace=False,
            )
        if stage in self.stage_errors:
            pytest.fail(
                f"{self.url}: {stage} check broke: {self.stage_errors[stage]}", pytrace=False
            )


# Text that MathJax should have replaced, searched outside code blocks and outside
# MathJax's own output.
_RAW_MATH_JS = r"""
() => {
  const skip = new Set(["PRE", "CODE", "SCRIPT", "STYLE", "TEXTAREA", "NOSCRIPT"]);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      for (let el = node.parentElement; el; el = el.parentElement) {
        if (skip.has(el.tagName) || el.tagName.startsWith("MJX-")) return NodeFilter.FILTER_REJECT;
        if (el.classList.contains("highlight")) return NodeFilter.FILTER_REJECT;
      }
      return NodeFilter.FILTER_ACCEPT;
    }
  });
  const found = [];
  const pattern = /\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{/;
  let node;
  while ((node = walker.nextNode())) {
    const text = node.textContent;
    const m = text.match(pattern);
    if (m) {
      const at = Math.max(0, m.index - 30);
      found.push(text.slice(at, m.index + 50).replace(/\s+/g, " ").trim());
    }
  }
  return found;
}
"""

_MATH_STATS_JS = r"""
() => {
  const elements = Array.from(document.querySelectorAll(".math"));
  const untypeset = elements
    .filter(el => !el.querySelector("mjx-container") && el.tagName !== "MJX-CONTAINER")
    .map(el => el.textContent.replace(/\s+/g, " ").trim().slice(0, 80));
  const errors = Array.from(document.querySelectorAll("mjx-merror")).map(
    el => (el.getAttribute("data-mjx-error") || el.textContent || "").slice(0, 120));
  return {
    containers: document.querySelectorAll("mjx-container").length,
    math_elements: elements.length,
    untypeset: untypeset,
    errors: errors,
  };
}
"""

_IMAGES_JS = r"""
() => Array.from(document.querySelectorAll(".cell_output img")).map(img => ({
  src: img.getAttribute("src"),
  complete: img.complete,
  width: img.naturalWidth,
}))
"""

_SOLUTIONS_JS = r"""
() => Array.from(document.querySelectorAll("div.solution")).map(el => ({
  id: el.id,
  title: (el.querySelector(".admonition-title") || el).textContent
    .replace(/\s+/g, " ").trim().slice(0, 80),
  dropdown: el.classList.contains("dropdown"),
}))
"""


# A reader sees a child of the admonition when it is displayed, not visibility:hidden,
# not transparent and has height (sphinx-togglebutton hides with all of these).
_SOLUTION_SHOWN_JS = """
el => Array.from(el.children)
  .filter(c => !c.classList.contains("admonition-title"))
  .some(c => c.checkVisibility({checkOpacity: true, checkVisibilityCSS: true,
                                opacityProperty: true, visibilityProperty: true})
             && c.getBoundingClientRect().height > 0)
"""


# Contrast of text with what is behind it (WCAG 2 relative luminance), for every visible
# paragraph, admonition title and code block (each syntax colour in it) of the article.
# The background is found by compositing the background colours of the element and its
# ancestors up to the first opaque one, as the browser paints them.
_CONTRAST_JS = r"""
() => {
  const parse = text => {
    const m = /^rgba?\(([^)]*)\)$/.exec(text.trim());
    if (!m) return null;
    const parts = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, base) => {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + base[i] * (1 - a)).concat([1]);
  };
  const background = el => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const color = parse(getComputedStyle(node).backgroundColor);
      if (color === null) return null;
      if (color[3] > 0) layers.push(color);
      if (color[3] >= 1) break;
    }
    let base = [255, 255, 255, 1];  // the canvas behind a page without a background
    for (const layer of layers.reverse()) base = over(layer, base);
    return base;
  };
  const luminance = rgb => {
    const lin = rgb.slice(0, 3).map(v => {
      const c = v / 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  };
  const ratio = (fg, bg) => {
    const [a, b] = [luminance(fg), luminance(bg)];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  };
  const shown = el => el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})
    && el.getBoundingClientRect().width > 0;
  const ownText = el => Array.from(el.childNodes)
    .filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join("").trim();
  const describe = el => (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 60);

  const root = document.querySelector(".bd-article") || document.body;
  const checks = [];
  const add = (kind, el, textEl) => {
    if (!shown(el)) return;
    const bg = background(el);
    const fgRaw = parse(getComputedStyle(textEl).color);
    if (bg === null || fgRaw === null) {
      checks.push({kind, text: describe(el), error: "colour not in rgb()",
                   color: getComputedStyle(textEl).color,
                   background: getComputedStyle(el).backgroundColor});
      return;
    }
    const fg = over(fgRaw, bg);
    checks.push({kind, text: describe(textEl), ratio: ratio(fg, bg),
                 color: getComputedStyle(textEl).color,
                 background: `rgb(${bg.slice(0, 3).map(Math.round).join(", ")})`});
  };
  root.querySelectorAll("p").forEach(p => { if (p.textContent.trim()) add("paragraph", p, p); });
  root.querySelectorAll(".admonition > .admonition-title")
    .forEach(t => add("admonition title", t, t));
  root.querySelectorAll("pre").forEach(pre => {
    if (!pre.textContent.trim()) return;
    if (ownText(pre)) add("code block", pre, pre);
    const seen = new Set();
    pre.querySelectorAll("span").forEach(span => {
      const color = getComputedStyle(span).color;
      if (!ownText(span) || seen.has(color)) return;
      seen.add(color);
      add("code block", pre, span);
    });
  });
  return {checks};
}
"""

# Transparent pixels of every figure in the article (output images and figure images),
# read back through a canvas from the same origin.
_FIGURE_ALPHA_JS = r"""
() => Array.from(document.querySelectorAll(
    ".bd-article .cell_output img, .bd-article figure img")).map(img => {
  const result = {src: img.getAttribute("src"), width: img.naturalWidth,
                  height: img.naturalHeight, transparent: null, total: null, error: null};
  try {
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext("2d");
    context.drawImage(img, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let transparent = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] < 255) transparent += 1;
    result.transparent = transparent;
    result.total = data.length / 4;
  } catch (error) {
    result.error = String(error);
  }
  return result;
})
"""


def _check_solutions(pw_page, visit: Visit) -> None:
    for info in pw_page.evaluate(_SOLUTIONS_JS):
        result = dict(info)
        solution = pw_page.locator(f'div.solution[id="{info["id"]}"]')
        result["visible_before"] = solution.evaluate(_SOLUTION_SHOWN_JS)
        button = solution.locator(".toggle-button").first
        result["has_button"] = button.count() > 0
        result["visible_after"] = None
        if result["has_button"]:
            button.click()
            try:
                solution.evaluate_handle(
                    f"el => new Promise(resolve => {{"
                    f"  const shown = {_SOLUTION_SHOWN_JS.strip()};"
                    f"  const poll = () => shown(el) ? resolve(true) : setTimeout(poll, 50);"
                    f"  poll(); setTimeout(() => resolve(false), 3000); }})"
                )
            except Exception:  # noqa: BLE001 - the test reports what is visible
                pass
            result["visible_after"] = solution.evaluate(_SOLUTION_SHOWN_JS)
        visit.solutions.append(result)


def _run_visit(context, site_url: str, page: Page, binder_url: str, shots: Path,
               full_screenshot: bool = False) -> Visit:
    url = site_url + page.url_path
    visit = Visit(page=page, url=url)
    pw_page = context.new_page()

    def route(route):
        if route.request.url.startswith(site_url):
            route.continue_()
        else:
            visit.outside_requests.append(route.request.url)
            route.abort()

    def on_console(message):
        if message.type == "error":
            where = (message.location or {}).get("url") or ""
            visit.console_errors.append(f"{message.text} [{where}]" if where else message.text)

    pw_page.route("**/*", route)
    pw_page.on("console", on_console)
    pw_page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
    pw_page.on(
        "requestfailed",
        lambda request: visit.failed_requests.append(f"{request.url} ({request.failure})")
        if request.url.startswith(site_url)
        else None,
    )
    pw_page.on(
        "response",
        lambda response: visit.bad_responses.append(f"{response.url} (HTTP {response.status})")
        if response.status >= 400
        else None,
    )
    try:
        response = pw_page.goto(url, wait_until="load", timeout=NAVIGATION_TIMEOUT_MS)
        visit.status = response.status if response else None
    except Exception as error:  # noqa: BLE001 - every test of this page reports it
        visit.load_error = f"{type(error).__name__}: {str(error).splitlines()[0]}"
        pw_page.close()
        return visit
    # Each stage records its own failure, reported by the test that checks that stage.
    with _stage(visit, "math"):
        if pw_page.evaluate("() => !!document.querySelector('script[src*=\"mathjax\"]')"):
            try:
                # The script is deferred, so by "load" it has run, unless it was blocked.
                pw_page.wait_for_function(
                    "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                    timeout=MATHJAX_LOAD_TIMEOUT_MS,
                )
                pw_page.evaluate(
                    "ms => Promise.race([MathJax.startup.promise.then(() => true),"
                    " new Promise((_, reject) => setTimeout("
                    "() => reject(new Error('typesetting took more than ' + ms + ' ms')), ms))])",
                    MATHJAX_TIMEOUT_MS,
                )
            except Exception as error:  # noqa: BLE001 - reported by the math test
                visit.mathjax_error = (
                    f"MathJax did not load or finish typesetting: {str(error).splitlines()[0]}"
                )
        visit.math = pw_page.evaluate(_MATH_STATS_JS)
        visit.raw_math_text = pw_page.evaluate(_RAW_MATH_JS)
    with _stage(visit, "images"):
        try:
            pw_page.wait_for_function(
                "() => Array.from(document.images).every(img => img.complete)", timeout=10_000
            )
        except Exception:  # noqa: BLE001 - images still loading are reported as not shown
            pass
        visit.output_images = pw_page.evaluate(_IMAGES_JS)
    with _stage(visit, "binder"):
        if binder_url:
            visit.launch_links = pw_page.evaluate(
                "prefix => Array.from(document.querySelectorAll('a[href]'))"
                ".map(a => a.getAttribute('href')).filter(h => h.startsWith(prefix))",
                binder_url,
            )
    with _stage(visit, "screenshot"):
        visit.screenshot = shots / f"{page.slug}.png"
        pw_page.screenshot(path=str(visit.screenshot), full_page=full_screenshot)
    # From here on nothing fades or slides: a solution unfolds at once, and the colours
    # measured right after the switch to dark mode are its final ones.
    with _stage(visit, "solutions"):
        pw_page.add_style_tag(content=NO_TRANSITIONS_CSS)
        _check_solutions(pw_page, visit)
    # Everything else unfolded too (hidden cells, dropdowns), then every block measured.
    with _stage(visit, "width"):
        visit.widths = measure(pw_page)
    with _stage(visit, "download"):
        visit.download_href = pw_page.evaluate(
            "() => { const a = document.querySelector('a.btn-download-source-button');"
            " return a ? a.href : null; }"
        )
    # After the solutions stage, so that the unfolded solutions are measured too.
    with _stage(visit, "contrast-light"):
        visit.contrast["light"] = _measure_contrast(pw_page, "light")
    with _stage(visit, "figures"):
        visit.figures = pw_page.evaluate(_FIGURE_ALPHA_JS)
    with _stage(visit, "contrast-dark"):
        _switch_mode(pw_page, "dark")
        visit.contrast["dark"] = _measure_contrast(pw_page, "dark")
        visit.dark_screenshot = shots / f"{page.slug}-dark.png"
        pw_page.screenshot(path=str(visit.dark_screenshot))
    pw_page.close()
    return visit


def _switch_mode(pw_page, mode: str) -> None:
    """Switch the theme's colour mode the way a reader does: with the theme's own button,
    which cycles through light, dark and auto and remembers the choice."""
    for _ in range(3):
        if pw_page.evaluate("() => document.documentElement.dataset.theme") == mode:
            return
        pw_page.locator("button.theme-switch-button").first.click()
    # Away from the button, so that its tooltip does not cover the dark screenshot.
    pw_page.mouse.move(0, 0)
    current = pw_page.evaluate("() => document.documentElement.dataset.theme")
    if current != mode:
        raise RuntimeError(f"the theme switch never reached {mode} mode (stuck at {current})")


def _measure_contrast(pw_page, mode: str) -> dict:
    theme = pw_page.evaluate("() => document.documentElement.dataset.theme")
    if theme != mode:
        raise RuntimeError(f"the page is in {theme} mode, not {mode}")
    return pw_page.evaluate(_CONTRAST_JS)


@contextlib.contextmanager
def _stage(visit: Visit, name: str):
    try:
        yield
    except Exception as error:  # noqa: BLE001 - the test of this stage reports it
        visit.stage_errors[name] = f"{type(error).__name__}: {str(error).splitlines()[0]}"


@pytest.fixture(scope="session")
def _visits() -> dict:
    return {}


@pytest.fixture
def visit(request, _visits, browsing, site_url, book_config, screenshot_dir):
    """The recorded visit of this test's page (opened once per session, then reused)."""
    name = next(n for n in ("page", "notebook_page", "solution_page", "figure_page")
                if n in request.fixturenames)
    page = request.getfixturevalue(name)
    if page.docname not in _visits:
        binder = str((book_config.get("launch_buttons") or {}).get("binderhub_url") or "")
        _visits[page.docname] = _run_visit(
            browsing, site_url, page, binder.rstrip("/"), screenshot_dir,
            full_screenshot=request.config.getoption("--screenshots") == "full",
        )
    return _visits[page.docname]
