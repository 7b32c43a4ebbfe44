"""The measurements behind the dark-mode checks, on pages with known answers.

The contrast script of conftest.py is run in the site test's Chromium on a small page
whose colours have published WCAG ratios (black on white 21:1; #767676 on white 4.54:1,
the lightest grey that passes AA; #777777 on white 4.48:1, which fails), with a
half-transparent background that must be composited. The figure script is run on two
images drawn for the purpose, one opaque and one with a transparent half.
"""

from __future__ import annotations

import pytest
from conftest import _CONTRAST_JS, _FIGURE_ALPHA_JS

PAGE = """
<html><body style="background: rgb(255, 255, 255)">
<article class="bd-article">
  <p id="black" style="color: #000000">black on white</p>
  <p id="pass" style="color: #767676">the lightest grey that passes</p>
  <p id="fail" style="color: #777777">a grey that fails</p>
  <div style="background: rgba(0, 0, 0, 0.5)"><p id="veil" style="color: #ffffff">
    white on half-black over white</p></div>
  <div class="admonition"><p class="admonition-title" style="color: #999999;
    background: #ffffff">a pale title</p></div>
  <pre style="color: #000000; background: #ffffff">x = <span style="color: #aaaaaa">1</span></pre>
  <p style="display: none; color: #eeeeee">hidden, not measured</p>
</article>
<canvas id="c"></canvas>
</body></html>
"""

# Two 4x2 PNGs made in the page itself: one opaque, one whose right half is transparent.
DRAW_IMAGES = """
async () => {
  const make = async (transparentHalf) => {
    const canvas = document.createElement("canvas");
    canvas.width = 4; canvas.height = 2;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "rgb(200, 30, 30)";
    ctx.fillRect(0, 0, transparentHalf ? 2 : 4, 2);
    const img = new Image();
    img.src = canvas.toDataURL("image/png");
    await img.decode();
    const figure = document.createElement("figure");
    figure.appendChild(img);
    document.querySelector(".bd-article").appendChild(figure);
  };
  await make(false);
  await make(true);
}
"""


@pytest.fixture(scope="module")
def probe(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content(PAGE)
    page.evaluate(DRAW_IMAGES)
    result = page.evaluate(_CONTRAST_JS)["checks"], page.evaluate(_FIGURE_ALPHA_JS)
    context.close()
    return result


def _ratio(checks, text_start):
    found = [c for c in checks if c["text"].startswith(text_start)]
    assert len(found) == 1, (text_start, checks)
    return found[0]["ratio"]


def test_published_ratios(probe):
    checks, _ = probe
    assert _ratio(checks, "black on white") == pytest.approx(21.0, abs=0.01)
    assert _ratio(checks, "the lightest grey") == pytest.approx(4.54, abs=0.01)
    assert _ratio(checks, "a grey that fails") == pytest.approx(4.48, abs=0.01)


def test_transparent_background_is_composited(probe):
    checks, _ = probe
    # Half-black over white is rgb(127.5, ...): white text on it has a ratio of about 4.0.
    assert _ratio(checks, "white on half-black") == pytest.approx(3.98, abs=0.05)


def test_admonition_title_and_each_code_colour_are_measured(probe):
    checks, _ = probe
    kinds = [c["kind"] for c in checks]
    assert kinds.count("admonition title") == 1
    code = sorted(c["ratio"] for c in checks if c["kind"] == "code block")
    # The block's own black text and its pale token #aaaaaa (2.32:1).
    assert code == [pytest.approx(2.32, abs=0.01), pytest.approx(21.0, abs=0.01)]


def test_hidden_text_is_not_measured(probe):
    checks, _ = probe
    assert not any(c["text"].startswith("hidden") for c in checks)


def test_transparent_pixels_are_counted(probe):
    _, figures = probe
    assert [(f["transparent"], f["total"]) for f in figures] == [(0, 8), (4, 8)]
