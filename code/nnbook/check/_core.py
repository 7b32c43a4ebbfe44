"""What every checker shares: calling the reader's function safely, comparing its result
with a reference, recognising typical mistakes, and reporting (chapters 1-6).

A checker raises ``CheckFailed`` with ONE hint on the first problem it finds, and prints
what it checked when everything agrees. Hints name the mistake, never the answer: no
reference values and no formula of the solution appear in a message. Messages also carry
no round-off-level numbers, so a notebook prints the same text on every CPU.
"""

from __future__ import annotations

import sys
import textwrap

import numpy as np

from ..gradcheck import relative_error

__all__ = ["CheckFailed", "Checker"]

# A result within these tolerances of the reference is correct: the references are exact
# formulas in float64, so anything a correct float64 implementation may differ by (a
# different order of sums, another but equivalent formula) is far below them.
RTOL, ATOL = 1e-6, 1e-9
# A hand-derived derivative is accepted when its relative error against centred finite
# differences is below this (the gradcheck rule of chapter 2: about 1e-7 is correct in
# float64, 1e-2 is wrong); finite differences themselves err by about 1e-9 here.
FD_TOLERANCE = 1e-6
# Messages are wrapped to this width: the output boxes inside an exercise on the book's
# pages show about 70 characters, and a longer line would scroll sideways.
WIDTH = 66


def wrapped(text):
    """``text`` broken into lines of at most WIDTH characters, continuations indented."""
    return "\n".join(textwrap.wrap(text, WIDTH, subsequent_indent="  ",
                                   break_long_words=False, break_on_hyphens=False))


class CheckFailed(AssertionError):
    """Raised by a checker when the reader's function is not right yet; the message is a
    hint. Introduced with the checked exercises (every chapter)."""

    def _render_traceback_(self):
        # IPython shows this instead of a traceback: the checker's own frames would print
        # its source, reference formulas included, and the paths of the machine. The book
        # highlights error outputs as IPython tracebacks, whose lexer reads continuation
        # lines as Python, where a backtick is an error; quotes take the backticks' place.
        return wrapped(f"CheckFailed: {self}").replace("`", "'").splitlines()


def close(a, b, rtol=RTOL, atol=ATOL):
    """True when ``a`` and ``b`` have the same shape and agree within the tolerances."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def centred_derivative(f, x, h=1e-6):
    """d f / d x by centred differences, entry by entry of the array ``x``; ``f`` returns
    an array, and the result has shape ``f(x).shape + x.shape``."""
    x = np.array(x, dtype=float)
    out = np.asarray(f(x), dtype=float)
    jac = np.zeros(out.shape + x.shape)
    for index in np.ndindex(*x.shape):
        step = np.zeros_like(x)
        step[index] = h
        jac[(Ellipsis,) + index] = (np.asarray(f(x + step)) - np.asarray(f(x - step))) / (2 * h)
    return jac


class Checker:
    """One run of a checker on the reader's ``function``, called ``name`` in messages.

    ``call`` runs the function and turns any exception into a hint; ``compare`` holds a
    result against the reference and, when they differ, against the typical wrong answers
    given as ``(wrong_value, hint)`` pairs; ``passed`` prints what was checked.
    """

    def __init__(self, function, name):
        if not callable(function):
            raise TypeError(f"function must be your function itself, passed without calling "
                            f"it, got {type(function).__name__}")
        self.function = function
        self.name = name

    def fail(self, hint):
        __tracebackhide__ = True  # IPython and pytest show the reader's cell, not ours
        raise CheckFailed(f"{self.name}: {hint}")

    def call(self, *args, **kwargs):
        """The reader's function on copies of ``args`` (so that it cannot change the
        checker's data); exceptions become hints."""
        __tracebackhide__ = True
        args = [np.array(a, dtype=float) if isinstance(a, np.ndarray) else a for a in args]
        try:
            return self.function(*args, **kwargs)
        except CheckFailed:
            raise  # a checker's own trap inside the reader's function went off
        except NotImplementedError:
            pass
        except ValueError as error:
            if "matmul" in str(error) or "not aligned" in str(error):
                self.fail("calling it raised ValueError: the shapes in a matrix product do "
                          "not match; write down the shape of each factor, one of them "
                          "probably needs to be transposed")
            self.fail(f"calling it raised ValueError: {error}")
        except Exception as error:  # noqa: BLE001 - any error of the reader's code is a hint
            self.fail(f"calling it raised {type(error).__name__}: {error}")
        self.fail("it still raises NotImplementedError; replace the `raise` line of the "
                  "stub with your code")

    def array(self, value, what="the result"):
        """``value`` as a float array, or a hint when it is not numeric."""
        __tracebackhide__ = True
        if value is None:
            self.fail(f"{what} is None: the function has no `return` statement, or it "
                      "returns nothing")
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            self.fail(f"{what} should be a number or an array of numbers, got "
                      f"{type(value).__name__}")
        return array

    def compare(self, got, expected, case, mistakes=(), what="the result", rtol=RTOL,
                atol=ATOL):
        """Fail with a hint unless ``got`` agrees with ``expected``.

        ``case`` says in words which input was used, for the hint; ``mistakes`` are
        ``(wrong_value, hint)`` pairs of typical wrong answers, tried in order before the
        shape and the values are compared.
        """
        __tracebackhide__ = True
        got = self.array(got, what)
        expected = np.asarray(expected, dtype=float)
        if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
            self.fail(f"{what} contains inf or NaN {case}; look for an overflowing exp, a "
                      "log of 0 or a division by 0")
        for wrong, hint in mistakes:
            wrong = np.asarray(wrong, dtype=float)
            # A wrong answer that equals the reference for this input tells nothing.
            if close(wrong, expected, rtol, atol):
                continue
            if close(got, wrong, rtol, atol):
                self.fail(hint)
        if got.shape != expected.shape:
            if got.size == expected.size and got.ndim != expected.ndim:
                self.fail(f"{what} has shape {got.shape} but should have shape "
                          f"{expected.shape} {case}; the numbers may be right, the array "
                          "is arranged differently (check reshape, ravel or keepdims)")
            self.fail(f"{what} has shape {got.shape} but should have shape "
                      f"{expected.shape} {case}")
        if not close(got, expected, rtol, atol):
            error = relative_error(got, expected)
            self.fail(f"wrong values of {what} {case} (relative error {error:.1g}); none of "
                      "the usual mistakes explains them, so go through your formula step "
                      "by step")

    def derivative(self, got, numeric, case, what="the derivative"):
        """Fail unless a hand-derived derivative matches centred finite differences."""
        __tracebackhide__ = True
        got = self.array(got, what)
        numeric = np.asarray(numeric, dtype=float)
        if got.shape != numeric.shape or relative_error(got, numeric) > FD_TOLERANCE:
            self.fail(f"{what} disagrees with centred finite differences {case}")

    def passed(self, summary):
        """Print that every check passed and what they were; ``summary`` is one phrase."""
        # One write of the whole line: print() writes the text and the newline separately,
        # and a kernel under load may flush between them and show two outputs.
        sys.stdout.write(wrapped(f"{self.name}: correct. Checked {summary}.") + "\n")
        sys.stdout.flush()
