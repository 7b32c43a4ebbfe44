"""Does every block of a page fit its column? The measurement of the page-width check
(issue 11, part 5), run by the site test's visit of each page (conftest.py) and by the
probe of test_page_width.py.

After every folded solution, hidden cell and dropdown is unfolded, every

- code block (`div.highlight pre`),
- output block (`div.output pre`, `div.cell_output pre`),
- display equation (`mjx-container[display="true"]`)

of the article is measured. A block fails when its content is wider than its own box
(`scrollWidth > clientWidth`: a `pre` scrolls sideways, an equation sticks out), when an
ancestor that clips or scrolls (`overflow-x` not `visible`) is narrower than the block's
content, or when the content runs past the right edge of the article's column.
"""

from __future__ import annotations

# Sub-pixel rounding of box sizes; anything wider than this is a real overflow.
SLACK_PX = 1

BLOCKS = {
    "code block": "div.highlight pre",
    "output block": "div.output pre, div.cell_output pre",
    "display equation": 'mjx-container[display="true"]',
}

NO_TRANSITIONS_CSS = "* { transition: none !important; animation: none !important; }"

# Unfold what a reader can unfold: sphinx-togglebutton's buttons (solutions, hidden
# cells) and <details> dropdowns; their content is measured like the rest.
UNFOLD_JS = r"""
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

MEASURE_JS = r"""
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


def measure(pw_page) -> dict:
    """Unfold everything, then measure every block of the page's article.

    Transitions are switched off first, so that what is unfolded has its full size at
    once (sphinx-togglebutton fades and grows a solution over 0.3 s)."""
    pw_page.add_style_tag(content=NO_TRANSITIONS_CSS)
    pw_page.evaluate(UNFOLD_JS)
    return pw_page.evaluate(MEASURE_JS, [BLOCKS, SLACK_PX])


def problems_of(measured: dict) -> list[str]:
    return [
        f"{block['kind']} {block['text']!r}: {problem}"
        for block in measured["blocks"]
        for problem in block["problems"]
    ]
