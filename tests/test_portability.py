"""The tolerant comparison of tests/tools/portability.py (README, "Reproducible numbers").

The reference is the rule as the README states it: a printed number passes within a
relative tolerance of 0.05 or the cell's declared one, every other token must match, white
space only pads, and consecutive prints to one stream count as one output.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "tools"))
import portability  # noqa: E402


def _compare(old: str, new: str, metadata: dict | None = None) -> list[str]:
    cell = nbformat.v4.new_code_cell("print(...)", metadata=metadata or {})
    result = portability.Comparison()
    portability.compare_text(old, new, portability.cell_tolerance(cell), "cell 1", result)
    return result.problems


def test_numbers_within_five_percent_pass_and_beyond_fail():
    assert _compare("test accuracy 0.960", "test accuracy 0.964") == []
    problems = _compare("test accuracy 0.960", "test accuracy 0.860")
    assert len(problems) == 1 and "0.96 became 0.86" in problems[0]


def test_words_must_match_exactly():
    problems = _compare("most frequent confusion: 4 taken for 6",
                        "most frequent confusion: 6 taken for 0")
    assert problems, "a change of which digits are confused must be reported"
    assert _compare("winner: Adam", "winner: SGD")


def test_white_space_only_pads():
    assert _compare("RMS: [ 0.5  1.25]", "RMS: [0.5 1.25]") == []
    assert _compare("1 2", "12"), "two numbers never merge into one"


def test_declared_tolerance_needs_a_reason_and_widens_the_bound():
    loose = {"portability": {"rtol": 0.3, "reason": "follows the training path"}}
    assert _compare("loss 0.043", "loss 0.035", loose) == []
    assert _compare("loss 0.043", "loss 0.035")
    with pytest.raises(ValueError, match="reason"):
        _compare("loss 0.043", "loss 0.035", {"portability": {"rtol": 0.3}})
    roundoff = {"portability": {"atol": 1e-8, "reason": "round-off"}}
    assert _compare("error 2e-11", "error 6e-12", roundoff) == []
    assert _compare("error 2e-11", "error 2e-7", roundoff)


def test_stream_outputs_are_joined_as_nbval_joins_them():
    split = nbformat.v4.new_code_cell("", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="a 1\n"),
        nbformat.v4.new_output("stream", name="stdout", text="b 2\n")])
    whole = nbformat.v4.new_code_cell("", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="a 1\nb 2\n")])
    assert portability.output_texts(split, str) == portability.output_texts(whole, str)
