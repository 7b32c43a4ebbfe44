"""Finite-difference gradients and relative errors (chapter 2; used in every chapter).

The centred difference (f(w + h) - f(w - h)) / 2h has truncation error O(h^2); with
h = 1e-6 in float64 the total error (truncation plus round-off, about eps * |f| / h) is
around 1e-9 to 1e-10 relative for smooth costs, which is why a hand-derived gradient that
agrees to 1e-7 or better is taken as correct (CS231n's rule of thumb).
"""

from __future__ import annotations

import numpy as np

__all__ = ["numerical_gradient", "relative_error", "check_gradients"]


def numerical_gradient(f, params, h=1e-6):
    """Centred finite-difference gradient of the scalar ``f()`` with respect to each array
    in ``params``, which are perturbed in place one entry at a time and restored.

    ``f`` takes no arguments and reads the current values of ``params``. Returns a list of
    arrays shaped like ``params``. Introduced in chapter 2.
    """
    if not h > 0:
        raise ValueError(f"h must be positive, got {h!r}")
    gradients = []
    for p in params:
        if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
            raise TypeError("params must be floating-point NumPy arrays (perturbed in place)")
        g = np.zeros_like(p)
        flat_p, flat_g = p.reshape(-1), g.reshape(-1)
        for i in range(flat_p.size):
            saved = flat_p[i]
            flat_p[i] = saved + h
            f_plus = f()
            flat_p[i] = saved - h
            f_minus = f()
            flat_p[i] = saved
            flat_g[i] = (f_plus - f_minus) / (2.0 * h)
        gradients.append(g)
    return gradients


def relative_error(a, b):
    """Norm-wise relative error ||a - b|| / (||a|| + ||b||), 0 when both are zero.

    Symmetric, scale-free and bounded by 1, so it reads the same for large and tiny
    gradients. Introduced in chapter 2.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def check_gradients(network, X, y, h=1e-6, training=False):
    """Relative error of ``network.gradients(X, y)`` against centred finite differences of
    ``network.cost(X, y)``, one number per parameter array. Chapter 2."""
    analytic = network.gradients(X, y, training=training)
    numeric = numerical_gradient(lambda: network.cost(X, y, training=training),
                                 network.parameters(), h)
    return [relative_error(g, n) for g, n in zip(analytic, numeric)]
