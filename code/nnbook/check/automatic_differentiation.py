"""Checkers for the exercises of chapter 3: dual-number multiplication and division, a
derivative in forward mode with ``nnbook.autodiff.Dual``, the reverse sweep of the
engine, and the hand derivative of the chapter's second example."""

from __future__ import annotations

import math

import numpy as np

from .. import autodiff as ad
from ._core import Checker, centred_derivative

__all__ = ["dual_multiply", "dual_divide", "forward_derivative", "reverse_sweep",
           "example_derivative"]

_PAIRS = [((1.5, 2.0), (-0.5, 3.0)), ((2.0, 0.0), (4.0, 1.0)), ((-1.0, 0.5), (0.25, -2.0))]


def _pair(check, result):
    __tracebackhide__ = True
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        check.fail("return a pair (value, derivative)")
    return check.array(result[0], "the value"), check.array(result[1], "the derivative")


def dual_multiply(function):
    """Check ``function(a, b)``: the product of two dual numbers given as pairs
    ``(value, derivative)``, returned as such a pair. Introduced in chapter 3."""
    check = Checker(function, "dual_multiply")
    for (av, ad_), (bv, bd) in _PAIRS:
        case = f"for ({av}, {ad_}) times ({bv}, {bd})"
        value, derivative = _pair(check, check.call((av, ad_), (bv, bd)))
        check.compare(value, av * bv, case, what="the value")
        check.compare(derivative, ad_ * bv + av * bd, case, [
            (ad_ * bd, "the derivatives are multiplied: use the product rule"),
            (ad_ + bd, "the derivatives are added: that is the rule for a sum"),
            (ad_ * bv, "one of the two terms of the product rule is missing"),
            (av * bd, "one of the two terms of the product rule is missing"),
        ], what="the derivative")
    check.passed("three products, one with a constant factor")


def dual_divide(function):
    """Check ``function(a, b)``: the quotient a / b of two dual numbers given as pairs
    ``(value, derivative)``, returned as such a pair. Introduced in chapter 3."""
    check = Checker(function, "dual_divide")
    for (av, ad_), (bv, bd) in _PAIRS:
        case = f"for ({av}, {ad_}) divided by ({bv}, {bd})"
        value, derivative = _pair(check, check.call((av, ad_), (bv, bd)))
        check.compare(value, av / bv, case, what="the value")
        check.compare(derivative, (ad_ * bv - av * bd) / bv**2, case, [
            ((av * bd - ad_ * bv) / bv**2, "the sign of the derivative is wrong: the "
             "term with the derivative of the numerator is the positive one"),
            ((ad_ * bv - av * bd) / bv, "the denominator of the quotient rule is the "
             "square of b's value"),
            ((ad_ * bv + av * bd) / bv**2, "the two terms of the quotient rule must be "
             "subtracted"),
            (ad_ / bd if bd else np.inf, "the derivatives are divided: use the quotient "
             "rule"),
        ], what="the derivative")
    check.passed("three quotients, one with a constant numerator")


def forward_derivative(function):
    """Check ``function(f, x)``: f'(x) computed in one evaluation of ``f`` on an
    ``nnbook.autodiff.Dual`` number, for a function ``f`` written with ``+ - * / **``
    and ``nnbook.autodiff``'s elementary functions. Introduced in chapter 3."""
    check = Checker(function, "forward_derivative")
    cases = [
        (lambda x: x**3 + 2 * x, lambda x: 3 * x**2 + 2, 1.5, "f(x) = x^3 + 2x at x = 1.5"),
        (lambda x: ad.exp(x * x) * x, lambda x: math.exp(x * x) * (1 + 2 * x * x), 0.5,
         "f(x) = x exp(x^2) at x = 0.5"),
        (lambda x: ad.tanh(x) / (1 + x * x),
         lambda x: (1 - math.tanh(x)**2) / (1 + x * x) - 2 * x * math.tanh(x)
         / (1 + x * x)**2, -0.7, "f(x) = tanh(x) / (1 + x^2) at x = -0.7"),
    ]
    for f, df, x, case in cases:
        calls = []

        def counted(v, f=f):
            calls.append(v)
            return f(v)

        got = check.call(counted, x)
        if isinstance(got, ad.Dual):
            check.fail("it returns the whole Dual number; return its `.derivative`")
        check.compare(got, df(x), case, [
            (f(x), "it returns f(x): the derivative is the `.derivative` of the result"),
            (0.0, "the result is 0: seed the input with derivative 1, `Dual(x, 1.0)`"),
            (2 * df(x), "the result is twice the derivative: seed the input with "
             "derivative 1"),
        ], what="the derivative")
        if len(calls) != 1 or not isinstance(calls[0], ad.Dual):
            check.fail("evaluate f exactly once, on a Dual number (forward mode needs no "
                       "finite differences)")
    check.passed("three functions, each evaluated once on a Dual number")


def _graphs():
    """Small graphs as (builder, description); a builder returns (output, leaves)."""
    def product_plus():
        x, y = ad.Var(1.5), ad.Var(-2.0)
        return x * y + x, [x, y]

    def square():
        x = ad.Var(0.8)
        return x * x, [x]

    def shared():
        x, y = ad.Var(0.3), ad.Var(1.2)
        u = ad.exp(x * y)
        return u * x + u / y, [x, y]

    return [(product_plus, "for f = x y + x"),
            (square, "for f = x * x (one input used twice)"),
            (shared, "for f = u x + u / y with u = exp(x y) (a shared intermediate)")]


def _mistaken_sweep(output, backwards=True, accumulate=True, reset=True):
    """A reverse sweep with one of three typical mistakes, for recognising them."""
    order = output.topological_order()
    for node in order:
        node.grad = 0.0 if reset else node.grad
    output.grad = 1.0
    for node in (reversed(order) if backwards else order):
        for parent, local in node.parents:
            parent.grad = parent.grad + local * node.grad if accumulate else local * node.grad


def _call_without_backward(check, output):
    """The reader's sweep, with the engine's own ``Var.backward`` switched off meanwhile."""
    __tracebackhide__ = True
    original = ad.Var.backward

    def refuse(self):
        check.fail("it calls the engine's own backward(); the exercise is to write that "
                   "sweep yourself")

    ad.Var.backward = refuse
    try:
        check.call(output)
    finally:
        ad.Var.backward = original


def reverse_sweep(function):
    """Check ``function(output)``: the reverse sweep of the engine, which sets
    ``node.grad`` to d output / d node for every ``nnbook.autodiff.Var`` node of the graph
    that ends at ``output``. Introduced in chapter 3."""
    check = Checker(function, "reverse_sweep")
    for build, case in _graphs():
        reference, reference_leaves = build()
        reference.backward()
        expected = np.array([leaf.grad for leaf in reference_leaves])
        mistakes = []
        for options, hint in [
                (dict(backwards=False), "the nodes are visited in the wrong order: a "
                 "node's adjoint is complete only after all its children have passed "
                 "theirs on, so go from the output backwards"),
                (dict(accumulate=False), "an adjoint is overwritten instead of "
                 "accumulated: add up the contributions of every path (`+=`)")]:
            wrong, wrong_leaves = build()
            _mistaken_sweep(wrong, **options)
            mistakes.append((np.array([leaf.grad for leaf in wrong_leaves]), hint))
        mistakes.append((np.zeros_like(expected), "every input's grad is 0: start the "
                         "sweep with the output's grad set to 1"))
        output, leaves = build()
        _call_without_backward(check, output)
        got = np.array([leaf.grad for leaf in leaves])
        check.compare(got, expected, case, mistakes, what="the gradients of the inputs")
        if output.grad != 1.0:
            check.fail(f"the output's own grad must be 1 after the sweep {case}")
        _call_without_backward(check, output)
        again = np.array([leaf.grad for leaf in leaves])
        stale, stale_leaves = build()
        _mistaken_sweep(stale, reset=False)
        _mistaken_sweep(stale, reset=False)
        check.compare(again, expected, f"when the sweep runs twice {case}", [
            (np.array([leaf.grad for leaf in stale_leaves]), "a second sweep adds to the "
             "adjoints of the first: reset every node's grad to 0 before the sweep"),
        ], what="the gradients of the inputs")
    check.passed("three graphs (a shared input and a shared intermediate among them), "
                 "each swept twice")


def example_derivative(function):
    """Check ``function(x)``: the derivative of f(x) = sqrt(x^2 + exp(x^2)) derived by
    hand, on a NumPy array x. Introduced in chapter 3."""
    check = Checker(function, "example_derivative")
    x = np.linspace(-2.0, 2.0, 9)
    root = np.sqrt(x**2 + np.exp(x**2))
    expected = (x + x * np.exp(x**2)) / root
    got = check.call(x)
    check.compare(got, expected, "on 9 points in [-2, 2]", [
        (2 * expected, "the result is twice the derivative: d sqrt(u)/du = 1/(2 sqrt(u))"),
        ((2 * x + np.exp(x**2)) / (2 * root), "the derivative of exp(x^2) needs the "
         "chain rule: its inner function x^2 contributes a factor"),
        (2 * x + 2 * x * np.exp(x**2), "the derivative of the square root is missing: "
         "the chain rule multiplies by d sqrt(u)/du"),
        ((x + np.exp(x**2)) / root, "the derivative of exp(x^2) is missing the factor "
         "from its inner function"),
    ], what="the derivative")
    numeric = np.diag(centred_derivative(lambda v: np.sqrt(v**2 + np.exp(v**2)), x))
    check.derivative(got, numeric, "on 9 points in [-2, 2]")
    check.passed("9 points in [-2, 2] against the formula and finite differences")
