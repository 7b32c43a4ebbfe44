"""The rendered book in a real headless Chromium, page by page, as a reader sees it.

For every page of _toc.yml (see conftest.py for how each is opened once):
- it loads (HTTP 200) without console errors, JavaScript exceptions or broken resources;
- it asks nothing of any host but 127.0.0.1, so the book reads offline (MathJax included);
- MathJax typeset its math, and no raw `$$` or `\\(` is left in the text;
- every figure its notebook produced is shown;
- a notebook page carries a Binder launch link to exactly that notebook;
- exercise solutions start hidden and open when their toggle is clicked;
- in light and in dark mode (switched with the theme's own button), every paragraph,
  admonition title and code block has a WCAG AA text contrast (at least 4.5);
- every figure is opaque, so it stays readable on the dark page;
- a notebook page's download button gives the repository's .ipynb.
A screenshot of the top of each page is written to _build/screenshots/ for review, and
one in dark mode next to it (`<page>-dark.png`); `--screenshots full` (`make site
SCREENSHOTS=full`) photographs each whole page in light mode instead.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sitebook import notebook_figures, source_has_math


def _listing(items, limit=15) -> str:
    items = list(items)
    shown = "\n  ".join(items[:limit])
    more = f"\n  ... and {len(items) - limit} more" if len(items) > limit else ""
    return f"\n  {shown}{more}"


def _fail_on(problems, what: str) -> None:
    """Fail with one line per problem (no traceback: the message says it all)."""
    if problems:
        pytest.fail(f"{what}:{_listing(problems)}", pytrace=False)


def test_page_loads_without_errors(page, visit):
    visit.require_loaded()
    problems = (
        [f"console error: {m}" for m in visit.console_errors]
        + [f"JavaScript exception: {m}" for m in visit.page_errors]
        + [f"broken resource: {m}" for m in visit.bad_responses]
        + [f"failed request: {m}" for m in visit.failed_requests]
    )
    _fail_on(problems, page.url_path)


def test_page_reads_offline(page, visit):
    visit.require_loaded()
    _fail_on(
        sorted(set(visit.outside_requests)),
        f"{page.url_path} asked for resources outside the site (blocked here, so a reader "
        "without network would miss them; serve them from _static)",
    )


def test_math_is_typeset(page, visit):
    visit.require_loaded("math")
    has_math = source_has_math(page)
    math = visit.math
    problems = []
    if has_math:
        if visit.mathjax_error:
            problems.append(visit.mathjax_error)
        if math.get("containers", 0) == 0:
            problems.append(
                f"the source {page.source.name} has math but the page has no typeset "
                "equation (no mjx-container): is MathJax loaded from _static/mathjax?"
            )
    problems += [f"not typeset: {text!r}" for text in math.get("untypeset", [])]
    problems += [f"MathJax error: {text!r}" for text in math.get("errors", [])]
    problems += [f"raw TeX left in the text: {text!r}" for text in visit.raw_math_text]
    _fail_on(problems, page.url_path)


def test_figures_are_shown(notebook_page, visit):
    page = notebook_page
    visit.require_loaded("images")
    expected, lost = notebook_figures(page.source)
    _fail_on(
        lost,
        f"{page.source.name}: these cells call plt.show() but the committed notebook holds "
        "no figure (were the outputs made with MPLBACKEND=Agg?)",
    )
    broken = [img["src"] for img in visit.output_images if img["width"] == 0]
    _fail_on(broken, f"{page.url_path}: output images that do not load")
    shown = [img for img in visit.output_images if img["width"] > 0]
    if len(shown) < expected:
        pytest.fail(
            f"{page.url_path}: the notebook has {expected} image outputs but the page shows "
            f"{len(shown)} in its cell outputs",
            pytrace=False,
        )


def test_binder_launch_link(notebook_page, visit, book_config, repo_root):
    page = notebook_page
    visit.require_loaded("binder")
    launch = book_config.get("launch_buttons") or {}
    binder = str(launch.get("binderhub_url") or "").rstrip("/")
    assert binder, "_config.yml has no launch_buttons.binderhub_url"
    repository = book_config.get("repository") or {}
    owner_repo = urlsplit(str(repository.get("url", ""))).path.strip("/").removesuffix(".git")
    branch = str(repository.get("branch", "main"))
    prefix = "lab/tree" if launch.get("notebook_interface") == "jupyterlab" else "tree"
    path_in_repo = str(page.source.resolve().relative_to(repo_root.resolve()).as_posix())

    if not visit.launch_links:
        pytest.fail(
            f"{page.url_path} has no Binder launch link (no <a href> starting with {binder}); "
            "launch buttons appear only when repository.url and "
            "launch_buttons.binderhub_url are set",
            pytrace=False,
        )
    problems = []
    for href in visit.launch_links:
        parts = urlsplit(href)
        query = parse_qs(parts.query)
        if parts.path.rstrip("/") != f"/v2/gh/{owner_repo}/{branch}":
            problems.append(f"{href}: expected repository path /v2/gh/{owner_repo}/{branch}")
        if query.get("urlpath") != [f"{prefix}/{path_in_repo}"]:
            problems.append(f"{href}: expected urlpath={prefix}/{path_in_repo}")
    _fail_on(problems, page.url_path)
    assert (repo_root / path_in_repo).is_file(), f"{path_in_repo} is not in the repository"


def test_solutions_toggle(solution_page, visit):
    page = solution_page
    visit.require_loaded("solutions")
    if not visit.solutions:
        pytest.fail(f"{page.url_path}: the source has solutions but the page shows none",
                    pytrace=False)
    problems = []
    for solution in visit.solutions:
        name = f"{solution['title']!r} (#{solution['id']})"
        if not solution["dropdown"]:
            problems.append(f"{name} is shown open: give the solution `:class: dropdown`")
            continue
        if not solution["has_button"]:
            problems.append(f"{name} has no toggle button (togglebutton.js did not run?)")
            continue
        if solution["visible_before"]:
            problems.append(f"{name} is visible before its toggle is clicked")
        if not solution["visible_after"]:
            problems.append(f"{name} stays hidden after its toggle is clicked")
    _fail_on(problems, page.url_path)


def test_screenshot_written(page, visit):
    visit.require_loaded("screenshot")
    assert visit.screenshot is not None and visit.screenshot.is_file()
    assert visit.screenshot.stat().st_size > 1000, f"{visit.screenshot} is nearly empty"


# WCAG 2 level AA for normal text.
MIN_CONTRAST = 4.5


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_text_contrast(page, visit, mode):
    """Every visible paragraph, admonition title and code block (each of its syntax
    colours) has a contrast of at least 4.5 with its background, in light and dark mode."""
    visit.require_loaded(f"contrast-{mode}")
    checks = visit.contrast[mode]["checks"]
    if not checks:
        pytest.fail(f"{page.url_path}: no paragraph or code block was measured in {mode} "
                    "mode (is the article empty, or did the selectors stop matching?)",
                    pytrace=False)
    problems, seen = [], set()
    for check in checks:
        if check.get("error"):
            problems.append(f"{check['kind']} {check['text']!r}: {check['error']} "
                            f"(text {check['color']}, background {check['background']})")
            continue
        key = (check["kind"], check["color"], check["background"])
        if check["ratio"] < MIN_CONTRAST and key not in seen:
            seen.add(key)
            problems.append(
                f"{check['kind']} {check['text']!r}: contrast {check['ratio']:.2f} < "
                f"{MIN_CONTRAST} (text {check['color']} on {check['background']})"
            )
    _fail_on(problems, f"{page.url_path} in {mode} mode, text below WCAG AA contrast")


def test_figures_are_opaque(figure_page, visit):
    """A figure with transparent pixels shows the page through them: in dark mode its
    dark lines and labels vanish into a dark background."""
    page = figure_page
    visit.require_loaded("figures")
    if not visit.figures:
        pytest.fail(f"{page.url_path}: the source has figures but the page shows none",
                    pytrace=False)
    problems = []
    for figure in visit.figures:
        if figure["error"]:
            problems.append(f"{figure['src']}: could not be read back ({figure['error']})")
        elif figure["transparent"]:
            share = figure["transparent"] / figure["total"]
            problems.append(
                f"{figure['src']}: {figure['transparent']} of {figure['total']} pixels "
                f"({share:.0%}) are transparent; give the figure an opaque background "
                "(matplotlib: facecolor='white', never transparent=True)"
            )
    _fail_on(problems, f"{page.url_path}: figures that are not opaque")


def test_download_button_gives_the_notebook(notebook_page, visit, site_url):
    """The page's download button hands out the notebook itself: the .ipynb of the
    repository, byte for byte, that Jupyter can open (not the rendered page)."""
    import urllib.request

    page = notebook_page
    visit.require_loaded("download")
    href = visit.download_href
    if not href:
        pytest.fail(f"{page.url_path} has no download button for its source "
                    "(a.btn-download-source-button)", pytrace=False)
    assert href.startswith(site_url), f"{href} is not served with the site"
    assert urlsplit(href).path.endswith(".ipynb"), f"the download button gives {href}"
    with urllib.request.urlopen(href, timeout=30) as response:  # 127.0.0.1 only
        served = response.read()
    assert served == page.source.read_bytes(), (
        f"{href} is not the repository's {page.source.name}"
    )
    import nbformat

    notebook = nbformat.reads(served.decode("utf-8"), as_version=4)
    assert any(cell.cell_type == "code" for cell in notebook.cells), (
        f"{href} holds no code cell"
    )


def test_dark_screenshot_written(page, visit):
    visit.require_loaded("contrast-dark")
    assert visit.dark_screenshot is not None and visit.dark_screenshot.is_file()
