"""The trial solution g_t = phi + psi N and its input derivatives (chapter 6).

The derivatives of the fixed factors phi and psi come from autograd once per point set;
those of N from the tangent pass of :mod:`.mlp`; the product rule combines them.
"""

from __future__ import annotations

import numpy as np
from autograd import elementwise_grad

from .mlp import _check_activation, network_jet
from .problems import Problem, _check_points


def _with_derivatives(func, X, order):
    """func(X), its first and (pure) second derivatives per input, by autograd.

    Each row of func(X) depends only on the same row of X, so elementwise_grad (the
    gradient of the sum) gives every point's own derivative at once.
    """
    # Adding 0 * X keeps autograd from warning when func does not depend on X.
    def tracked(Y):
        return func(Y) + 0.0 * Y[:, 0]

    value = np.asarray(tracked(X), dtype=float)
    first = np.asarray(elementwise_grad(tracked)(X), dtype=float)
    second = None
    if order == 2:
        columns = []
        for k in range(X.shape[1]):
            def first_k(Y, k=k):
                return elementwise_grad(tracked)(Y)[:, k] + 0.0 * Y[:, k]
            columns.append(elementwise_grad(first_k)(X)[:, k])
        second = np.stack(columns, axis=1)
    return value, first, second


def _trial_factors(problem: Problem, X: np.ndarray) -> dict:
    phi, dphi, d2phi = _with_derivatives(problem.boundary, X, problem.order)
    psi, dpsi, d2psi = _with_derivatives(problem.multiplier, X, problem.order)
    return {"phi": phi, "dphi": dphi, "d2phi": d2phi, "psi": psi, "dpsi": dpsi, "d2psi": d2psi}


def _combine(factors: dict, N, dN, d2N):
    """g = phi + psi N and its derivatives by the product rule (NumPy, autograd, TF).

    Terms whose known factor is identically zero at the points (phi = 0, psi'' = 0,
    ...) are skipped: each operation costs autograd bookkeeping in every training step.
    """

    def total(*terms):
        present = [term for term in terms if term is not None]
        result = present[0]
        for term in present[1:]:
            result = result + term
        return result

    def product(known, unknown, factor=1.0):
        if not np.any(known):
            return None
        return (factor * known) * unknown if factor != 1.0 else known * unknown

    phi, dphi, d2phi = factors["phi"], factors["dphi"], factors["d2phi"]
    psi, dpsi, d2psi = factors["psi"], factors["dpsi"], factors["d2psi"]
    g = total(phi if np.any(phi) else None, psi * N)
    dg = total(dphi if np.any(dphi) else None, product(dpsi, N[:, None]), psi[:, None] * dN)
    d2g = None
    if d2N is not None:
        d2g = total(d2phi if np.any(d2phi) else None, product(d2psi, N[:, None]),
                    product(dpsi, dN, 2.0), psi[:, None] * d2N)
    return g, dg, d2g


def trial_jet(problem: Problem, theta, X, layer_sizes, activation: str = "sigmoid"):
    """The trial solution g_t = phi + psi N and its input derivatives: ``(g, dg, d2g)``.

    Introduced in chapter 6. Derivatives of the network come from :func:`network_jet`,
    those of phi and psi from autograd, and they are combined by the product rule
    ``g' = phi' + psi' N + psi N'``, ``g'' = phi'' + psi'' N + 2 psi' N' + psi N''``
    (per input direction; mixed derivatives are not formed).
    """
    X = _check_points(X, problem.n_inputs)
    factors = _trial_factors(problem, X)
    N, dN, d2N = network_jet(theta, X, layer_sizes, _check_activation(activation), problem.order)
    return _combine(factors, N, dN, d2N)

