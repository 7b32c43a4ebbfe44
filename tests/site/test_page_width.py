"""Everything on a page fits its column: no code block, output block or display
equation is cut off or scrolls sideways (issue 11, part 5).

Each page of _toc.yml is opened in its own browser context at the width the other site
tests use (conftest.py), every folded solution or dropdown is unfolded, MathJax is left
to finish, and then every

- code block (`div.highlight pre`),
- output block (`div.output pre`, `div.cell_output pre`),
- display equation (`mjx-container[display="true"]`)

of the article is measured. A block fails when its content is wider than its own box
(`scrollWidth > clientWidth`: a `pre` scrolls sideways, an equation sticks out), when an
ancestor that clips or scrolls (`overflow-x` not `visible`) is narrower than the block's
content, or when the content runs past the right edge of the article's column.

`test_probe_finds_overflow` runs the same measurement on a small page made here, with
one block of each kind that fits and one that does not, so the check is seen to fail.
"""

from __future__ import annotations

import pytest

# The viewport of the site test's visits (conftest.py, _run_visit).
VIEWPORT = {"width": 1280, "height": 900}
NAVIGATION_TIMEOUT_MS = 30_000
MATHJAX_TIMEOUT_MS = 20_000
# Sub-pixel rounding of box sizes; anything wider than this is a real overflow.
SLACK_PX = 1

BLOCKS = {
    "code block": "div.highlight pre",
    "output block": "div.output pre, div.cell_output pre",
    "display equation": 'mjx-container[display="true"]',
}

# Unfold what a reader can unfold: sphinx-togglebutton's buttons (solutions, hidden
# cells) and <details> dropdowns; their content is measured like the rest.
_UNFOLD_JS = r"""
() => {
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  document.querySelectorAll("button.toggle-button").forEach(b => {
    if (b.classList.contains("toggle-button-hidden")) b.click();
  });
  document.querySelectorAll(".toggle-hidden").forEach(el => {
    el.classList.remove("toggle-hidden");
  });
}
"""

_MEASURE_JS = r"""
([blocks, slack]) => {
  const article = document.querySelector(".bd-article") || document.body;
  const column = article.getBoundingClientRect();
  const text = el => (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 70);
  const name = el => el.tagName.toLowerCase()
    + (el.className && typeof el.className === "string"
       ? "." + el.className.trim().split(/\s+/).join(".") : "");
  const found = [];
  const seen = new Set();
  for (const [kind, selector] of Object.entries(blocks)) {
    for (const el of article.querySelectorAll(selector)) {
      if (seen.has(el)) continue;
      seen.add(el);
      const box = el.getBoundingClientRect();
      const result = {kind, text: text(el), problems: []};
      found.push(result);
      if (box.width === 0 && box.height === 0) {
        result.problems.push("not displayed, so it could not be measured");
        continue;
      }
      // The content's right edge: the element's scroll width from its left edge, and
      // for an equation the typeset formula itself (it may overflow a visible box).
      let right = box.left + el.clientLeft + el.scrollWidth;
      const math = el.querySelector(":scope > mjx-math");
      if (math) right = Math.max(right, math.getBoundingClientRect().right);
      const over = el.scrollWidth - el.clientWidth;
      if (over > slack) {
        const how = getComputedStyle(el).overflowX === "visible"
          ? "sticks out of its box" : "scrolls sideways";
        result.problems.push(`${how} by ${over} px (content ${el.scrollWidth} px, `
                             + `box ${el.clientWidth} px)`);
        continue;  // one problem per block: the rest follow from it
      }
      for (let node = el.parentElement; node && node !== article;
           node = node.parentElement) {
        if (getComputedStyle(node).overflowX === "visible") continue;
        const edge = node.getBoundingClientRect().left + node.clientLeft
          + node.clientWidth;
        if (right > edge + slack) {
          result.problems.push(`cut off by ${name(node)} by ${Math.round(right - edge)} px`);
          break;
        }
      }
      if (!result.problems.length && right > column.right + slack) {
        result.problems.push(
          `runs ${Math.round(right - column.right)} px past the article's column`);
      }
    }
  }
  return {column: column.width, blocks: found};
}
"""


def _wait_for_mathjax(pw_page) -> None:
    """Let MathJax finish typesetting (as conftest.py waits for it), when it is there."""
    if not pw_page.evaluate("() => !!document.querySelector('script[src*=\"mathjax\"]')"):
        return
    pw_page.wait_for_function(
        "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
        timeout=MATHJAX_TIMEOUT_MS,
    )
    pw_page.evaluate("() => MathJax.startup.promise.then(() => true)")


def measure(pw_page) -> dict:
    """Unfold everything, then measure every block of the page's article."""
    pw_page.evaluate(_UNFOLD_JS)
    pw_page.wait_for_timeout(300)  # the toggles' unfolding transition
    return pw_page.evaluate(_MEASURE_JS, [BLOCKS, SLACK_PX])


def problems_of(measured: dict) -> list[str]:
    return [
        f"{block['kind']} {block['text']!r}: {problem}"
        for block in measured["blocks"]
        for problem in block["problems"]
    ]


@pytest.fixture
def width_page(browser):
    """A fresh page in its own browser context at the site test's viewport."""
    context = browser.new_context(viewport=VIEWPORT)
    yield context.new_page()
    context.close()


def test_blocks_fit_the_page(page, site_url, width_page):
    url = site_url + page.url_path
    response = width_page.goto(url, wait_until="load", timeout=NAVIGATION_TIMEOUT_MS)
    assert response is not None and response.status == 200, f"{url} did not load"
    _wait_for_mathjax(width_page)
    problems = problems_of(measure(width_page))
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
