"""Everything on a page fits its column: no code block, output block or display
equation is cut off or scrolls sideways (issue 11, part 5).

The site test's visit of each page (conftest.py) unfolds every folded solution, hidden
cell and dropdown once MathJax has finished, at the viewport of the other site tests,
and measures every block with widths.py; `test_blocks_fit_the_page` reports what it
found. (Measuring in the visit, instead of opening every page a second time, saves the
site test a page load per page.)

`test_probe_finds_overflow` runs the same measurement on a small page made here, with
one block of each kind that fits and one that does not, so the check is seen to fail.
"""

from __future__ import annotations

import pytest
from conftest import VIEWPORT
from widths import measure, problems_of


@pytest.fixture
def width_page(browser):
    """A fresh page in its own browser context at the site test's viewport."""
    context = browser.new_context(viewport=VIEWPORT)
    yield context.new_page()
    context.close()


def test_blocks_fit_the_page(page, visit):
    visit.require_loaded("width")
    if page.is_notebook and not visit.widths["blocks"]:
        pytest.fail(f"{page.url_path}: no code block was measured on a notebook's page "
                    "(did the selectors of widths.py stop matching?)", pytrace=False)
    problems = problems_of(visit.widths)
    if problems:
        shown = "\n  ".join(problems)
        pytest.fail(
            f"{page.source.name} ({page.url_path}): {len(problems)} block(s) do not fit "
            f"the page at {VIEWPORT['width']} px:\n  {shown}",
            pytrace=False,
        )


_PROBE_PAGE = """
<html><head><style>
  .bd-article { width: 300px; font: 14px monospace; }
  pre { overflow-x: auto; margin: 0; }
  .clip { overflow-x: hidden; }
  mjx-container[display="true"] { display: block; }
  mjx-math { display: inline-block; white-space: nowrap; }
</style></head><body><article class="bd-article">
  <div class="highlight"><pre>short = 1</pre></div>
  <div class="highlight"><pre>{long_code}</pre></div>
  <div class="cell_output"><pre>ok</pre></div>
  <div class="output"><pre>{long_output}</pre></div>
  <mjx-container display="true"><mjx-math>x = 1</mjx-math></mjx-container>
  <div class="clip"><mjx-container display="true" style="overflow: visible">
    <mjx-math>{long_math}</mjx-math></mjx-container></div>
</article></body></html>
"""


def test_probe_finds_overflow(width_page):
    """The measurement flags the three blocks that are too wide, and only them."""
    long = "x" * 200
    html = (
        _PROBE_PAGE.replace("{long_code}", "code_" + long)
        .replace("{long_output}", "output_" + long)
        .replace("{long_math}", "math_" + long)
    )
    width_page.set_content(html)
    measured = measure(width_page)
    failing = {b["text"][:5]: b["problems"] for b in measured["blocks"] if b["problems"]}
    assert sorted(failing) == ["code_", "math_", "outpu"], measured
    assert any("scrolls sideways" in p for p in failing["code_"])
    # The formula is wider than its box (which lets it stick out into a clipping parent).
    assert any("sticks out" in p or "cut off" in p for p in failing["math_"])
    assert len(measured["blocks"]) == 6
