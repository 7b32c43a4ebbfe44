"""The figures of the theory pages: reproducible, opaque, included with caption and alt text.

`make figures` runs figures/make_figures.py, which writes one or more SVG files into
chapters/NN-topic/figures/. These tests regenerate them into a temporary folder and
require the same bytes as the committed files, an opaque white background (the book's
dark mode must not show through), and a labelled, captioned {figure} with alt text on
every theory page.
"""

import importlib.util
import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "figures" / "make_figures.py"
CHAPTERS = sorted(p.parent for p in (REPO / "chapters").glob("*/index.md"))
SVG = "{http://www.w3.org/2000/svg}"


def committed_svgs():
    return sorted((REPO / "chapters").glob("*/figures/*.svg"))


def load_script():
    spec = importlib.util.spec_from_file_location("make_figures", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_makefile_has_a_figures_target_through_run():
    text = (REPO / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*)$", text, re.MULTILINE)
    assert phony and "figures" in phony.group(1).split(), ".PHONY must list figures"
    target = re.search(r"^figures:.*\n((?:\t.*\n?)+)", text, re.MULTILINE)
    assert target, "the Makefile has no `figures` target"
    recipe = [line.strip() for line in target.group(1).splitlines() if line.strip()]
    assert recipe, "the figures target has no recipe"
    for line in recipe:
        # Every Python command of the Makefile runs in the canonical numerical environment.
        assert line.startswith("$(RUN) "), f"recipe line not run through $(RUN): {line}"
    assert any("figures/make_figures.py" in line for line in recipe)


def test_regenerated_figures_are_byte_identical(tmp_path):
    subprocess.run([sys.executable, str(SCRIPT), "--out", str(tmp_path)], check=True,
                   cwd=REPO, capture_output=True)
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.glob("chapters/*/figures/*.svg"))
    committed = sorted(p.relative_to(REPO) for p in committed_svgs())
    assert fresh == committed, "the script and the committed figures list different files"
    changed = [str(p) for p in committed
               if (tmp_path / p).read_bytes() != (REPO / p).read_bytes()]
    assert not changed, f"run `make figures` and commit: these differ: {changed}"


def test_every_theory_page_has_a_figure_of_its_own():
    for chapter in CHAPTERS:
        assert list((chapter / "figures").glob("*.svg")), f"no figure for {chapter.name}"


def _viewbox(root):
    x0, y0, width, height = (float(v) for v in root.get("viewBox").split())
    return x0, y0, width, height


def _path_bounds(d):
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


@pytest.mark.parametrize("svg", committed_svgs(), ids=lambda p: p.name)
def test_svg_has_an_opaque_white_background(svg):
    root = ET.parse(svg).getroot()
    x0, y0, width, height = _viewbox(root)
    figure = root.find(f".//{SVG}g[@id='figure_1']")
    assert figure is not None, "not a matplotlib figure"
    background = figure.find(f"{SVG}g[@id='patch_1']/{SVG}path")
    assert background is not None, "the figure has no background patch"
    style = background.get("style", "")
    assert re.search(r"fill:\s*#ffffff", style), f"background not white: {style!r}"
    for opacity in re.findall(r"(?:fill-)?opacity:\s*([0-9.]+)", style):
        assert float(opacity) == 1.0, f"background not opaque: {style!r}"
    left, top, right, bottom = _path_bounds(background.get("d"))
    assert (left, top) <= (x0, y0) and right >= x0 + width and bottom >= y0 + height, \
        "the background does not cover the whole figure"


def test_svg_carries_no_date_or_creator():
    for svg in committed_svgs():
        text = svg.read_text()
        assert "<dc:date>" not in text and "<dc:creator>" not in text, svg.name


FIGURE = re.compile(r"^```\{figure\}\s+(\S+)\n((?::[a-z]+:.*\n)*)\n?((?:.+\n)+?)```",
                    re.MULTILINE)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_theory_page_includes_its_figures_with_label_caption_and_alt(chapter):
    text = (chapter / "index.md").read_text()
    blocks = FIGURE.findall(text)
    assert blocks, f"{chapter.name}/index.md has no {{figure}} directive"
    shown = set()
    for path, options, caption in blocks:
        assert (chapter / path).is_file(), f"{path} does not exist"
        shown.add((chapter / path).resolve())
        assert re.search(r"^:name: fig-\S+", options, re.MULTILINE), f"{path}: no label"
        alt = re.search(r"^:alt: (.+)$", options, re.MULTILINE)
        assert alt and len(alt.group(1).split()) >= 8, f"{path}: alt text missing or short"
        assert len(caption.split()) >= 8, f"{path}: caption missing or short"
    for svg in (chapter / "figures").glob("*.svg"):
        assert svg.resolve() in shown, f"{svg.name} is drawn but not shown on the page"


def test_computational_graph_adjoints_are_the_derivatives():
    # The chapter 3 figure prints the engine's adjoints; they must be the true partials.
    values = load_script().chapter3_values(0.5)
    x, a, b, c, d = (values[name][0] for name in "xabcd")
    assert math.isclose(values["x"][1], x * (1 + b) / d, rel_tol=1e-14)
    assert math.isclose(values["a"][1], (1 + b) / (2 * d), rel_tol=1e-14)
    assert math.isclose(values["c"][1], 1 / (2 * d), rel_tol=1e-14)


def test_perceptron_boundaries_separate_the_gates():
    script = load_script()
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    for y in (np.array([0, 1, 1, 1]), np.array([0, 0, 0, 1])):
        w, b = script.perceptron_rule(X, y)
        assert np.array_equal((X @ w + b > 0).astype(int), y)
    with pytest.raises(RuntimeError):
        script.perceptron_rule(X, np.array([0, 1, 1, 0]))


def test_trial_solution_residual_uses_the_true_slope():
    # The chapter 6 figure plots R = g_t' + gamma g_t with the hand-coded dN/dt.
    script = load_script()
    _, slope = script.untrained_network(np.array([0.0, 0.3]))
    h = 1e-6
    plus, _ = script.untrained_network(np.array([0.3 + h]))
    minus, _ = script.untrained_network(np.array([0.3 - h]))
    assert math.isclose(slope[1], (plus[0] - minus[0]) / (2 * h), rel_tol=1e-7)
