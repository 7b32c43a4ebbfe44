"""Checkers for the exercises of chapter 6: a trial solution that satisfies its initial
and boundary conditions, the derivative of a trial solution, the residual cost of an
ODE, one forward Euler step and the finite-difference second derivative.

Self-contained: the references are written here in plain NumPy, with test "networks"
that are ordinary smooth functions."""

from __future__ import annotations

import numpy as np

from ._core import Checker, centred_derivative

__all__ = ["diffusion_trial", "decay_trial_derivative", "decay_cost",
           "forward_euler_step", "second_difference"]

# Smooth stand-ins for a trained network N(x, t): a trial solution must satisfy the
# conditions whatever N is, so it is tried with several.
_NETWORKS = [
    (lambda x, t: 1.0 + 0.0 * x * t, "N = 1"),
    (lambda x, t: np.sin(3.0 * x) * np.exp(t) + 0.5, "N = sin(3x) exp(t) + 1/2"),
    (lambda x, t: np.tanh(2.0 * x - t) - x * t, "N = tanh(2x - t) - x t"),
]


def diffusion_trial(function):
    """Check ``function(x, t, N)``: the chapter's trial solution of the diffusion problem,
    u_t(x, t) = (1 - t) sin(pi x) + x (1 - x) t N(x, t), on arrays x and t, where ``N``
    is a function of (x, t) standing for the network. Introduced in chapter 6."""
    check = Checker(function, "diffusion_trial")
    grid = np.linspace(0.0, 1.0, 11)
    x, t = np.meshgrid(grid, np.linspace(0.0, 0.5, 6))
    edge = np.linspace(0.0, 0.5, 6)
    for N, name in _NETWORKS:
        case = f"with {name}"

        def shifted(x_, t_, N=N):  # another network: the conditions must not change
            return N(x_, t_) + 1.0

        def on(xs, ts, what):
            values = check.array(check.call(xs, ts, N), what)
            moved = check.array(check.call(xs, ts, shifted), what)
            return values, not np.allclose(values, moved, atol=1e-12)

        at_start, depends = on(grid, np.zeros_like(grid), "u_t(x, 0)")
        if not np.allclose(at_start, np.sin(np.pi * grid), atol=1e-12):
            check.fail(f"at t = 0 the trial solution must equal sin(pi x), and it does not "
                       f"{case}; " + ("it depends on the network there: the network's "
                                      "term needs a factor that vanishes at t = 0"
                                      if depends else "its known part is wrong there"))
        for x_edge in (0.0, 1.0):
            values, depends = on(np.full_like(edge, x_edge), edge, f"u_t({x_edge:g}, t)")
            if not np.allclose(values, 0.0, atol=1e-12):
                check.fail(f"at x = {x_edge:g} the trial solution must vanish for every t, "
                           f"and it does not {case}; " + (
                               "it depends on the network there: the network's term "
                               "needs a factor that vanishes at x = 0 and x = 1"
                               if depends else "its known part does not vanish there"))
        expected = (1 - t) * np.sin(np.pi * x) + x * (1 - x) * t * N(x, t)
        check.compare(check.call(x, t, N), expected, f"inside the domain {case}", [
            (np.sin(np.pi * x) + x * (1 - x) * t * N(x, t), "your function meets the "
             "conditions, so it is a valid trial solution, but not the chapter's: its "
             "known part A(x, t) must decay to 0 as t goes to 1"),
        ], what="u_t")
    check.passed("the initial condition, both boundaries and the interior, each with "
                 "three stand-in networks")


def decay_trial_derivative(function):
    """Check ``function(t, N, dN)``: d/dt of the decay trial solution g_t = g0 + t N(t),
    given the network's values ``N`` and derivatives ``dN`` at the points t. Chapter 6."""
    check = Checker(function, "decay_trial_derivative")
    t = np.linspace(0.0, 1.0, 11)
    g0 = 10.0
    for N, dN, name in [(np.cos, lambda v: -np.sin(v), "N = cos(t)"),
                        (lambda v: np.exp(-v) * v, lambda v: np.exp(-v) * (1 - v),
                         "N = t exp(-t)")]:
        case = f"with {name}"
        got = check.call(t, N(t), dN(t))
        check.compare(got, N(t) + t * dN(t), case, [
            (t * dN(t), "the product rule has two terms: the derivative of t times N is "
             "missing"),
            (N(t), "the product rule has two terms: t times the derivative of N is "
             "missing"),
            (dN(t), "the derivative of t N(t) is not the derivative of N alone: use the "
             "product rule"),
            (g0 + N(t) + t * dN(t), "g0 is a constant: its derivative is 0"),
        ], what="the derivative")
        numeric = np.diag(centred_derivative(lambda v: g0 + v * N(v), t))
        check.derivative(got, numeric, case)
    check.passed("two stand-in networks, against the product rule and finite differences")


def decay_cost(function):
    """Check ``function(t, g, dg, gamma)``: the cost of the decay equation g' = -gamma g,
    the mean over the collocation points t of the squared residual, from the trial
    solution's values ``g`` and derivatives ``dg`` there. Introduced in chapter 6."""
    check = Checker(function, "decay_cost")
    rng = np.random.default_rng(17)
    gamma = 2.0
    t = np.linspace(0.0, 1.0, 10)
    for g, dg, case in [(10 * np.exp(-gamma * t) + 0.01 * rng.normal(size=10),
                         -gamma * 10 * np.exp(-gamma * t) + 0.02 * rng.normal(size=10),
                         "for a nearly exact trial solution"),
                        (10 - 3 * t, np.full(10, -3.0), "for g_t = 10 - 3t")]:
        residual = dg + gamma * g
        check.compare(check.call(t, g, dg, gamma), np.mean(residual**2), case, [
            (np.sum(residual**2), "the squares are summed; this chapter averages them "
             "(the minimiser is the same, the scale of the cost is not)"),
            (np.mean((dg - gamma * g) ** 2), "the sign of the gamma g term is wrong: the "
             "equation g' = -gamma g moved to one side"),
            (np.mean(dg - gamma**2 * g**2), "the square is in the wrong place (the "
             "misprint the chapter warns about): square the whole residual"),
            (np.sum(dg - gamma**2 * g**2), "the square is in the wrong place (the "
             "misprint the chapter warns about): square the whole residual"),
            (np.mean(residual), "the residual is not squared"),
            (np.mean(np.abs(residual)), "the residual is not squared"),
        ], what="the cost")
    check.passed("a nearly exact and a poor trial solution on 10 points")


def forward_euler_step(function):
    """Check ``function(f, t, g, h)``: one forward Euler step for g' = f(t, g) from time t
    with step h, for a scalar or a vector g. Introduced in chapter 6."""
    check = Checker(function, "forward_euler_step")

    def decay(t, g):
        return -2.0 * g + np.sin(3.0 * t)

    def rotation(t, g):
        return np.array([g[1], -g[0]]) * (1.0 + t)

    for f, t, g, h, case in [(decay, 0.4, 1.5, 0.1, "for a scalar equation"),
                             (rotation, 1.0, np.array([1.0, 0.5]), 0.05,
                              "for a system of two equations")]:
        expected = g + h * f(t, g)
        check.compare(check.call(f, t, g, h), expected, case, [
            (g + h * f(t + h, g), "f is evaluated at the end of the step; forward Euler "
             "uses the slope at the start, f(t, g)"),
            (g + f(t, g), "the step size h is missing"),
            (g - h * f(t, g), "the step goes the wrong way: g' = f means g grows by h f"),
            (h * f(t, g), "this is the change over the step; add it to g"),
        ], what="the new g")
    check.passed("a scalar equation and a system")


def second_difference(function):
    """Check ``function(g, h)``: the centred approximation of g'' at the interior points
    of a grid with spacing h, from the values g at all grid points (one value fewer at
    each end). Introduced in chapter 6."""
    check = Checker(function, "second_difference")
    rng = np.random.default_rng(18)
    for n, case in [(10, "on a grid of 11 points"), (4, "on a grid of 5 points")]:
        h = 1.0 / n
        x = np.linspace(0.0, 1.0, n + 1)
        g = np.sin(2.0 * x) + rng.normal(scale=0.1, size=n + 1)
        middle = g[:-2] - 2 * g[1:-1] + g[2:]
        expected = middle / h**2
        check.compare(check.call(g, h), expected, case, [
            (middle / h, "divide by h squared: each difference quotient brings a 1/h"),
            (middle, "the 1/h^2 is missing"),
            (-expected, "the sign is wrong: this is -g'', the left side of the Poisson "
             "equation, not g''"),
            ((g[:-2] - g[1:-1] + g[2:]) / h**2, "the middle point enters with weight -2"),
            (middle / (2 * h) ** 2, "the neighbours are h away, not 2h"),
        ], what="the second difference")
    # A quadratic's second derivative is reproduced exactly by the centred difference.
    x = np.linspace(0.0, 1.0, 9)
    check.compare(check.call(3 * x**2 - x, x[1] - x[0]), np.full(7, 6.0),
                  "for g = 3x^2 - x (exactly 6 at every interior point)",
                  what="the second difference")
    check.passed("two noisy grids and a quadratic, whose second difference is exact")
