"""Problems of chapter 6: an equation, its trial form and its reference solution.

A :class:`Problem` bundles what the solvers need to know about a differential equation:
the residual, the two fixed parts of the trial solution g_t = phi + psi N (``boundary``
is phi, which satisfies the conditions; ``multiplier`` is psi, which vanishes where they
are imposed), the domain, and a reference solution used only to measure errors. The
module also makes point sets (:func:`grid`) and measures errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import autograd.numpy as anp
import numpy as np

from . import classical


@dataclass(frozen=True)
class Problem:
    """A differential equation with a trial-solution form and its analytic solution.

    Introduced in chapter 6. Functions of the points take ``X`` of shape
    ``(n_points, n_inputs)``; the first column is x (or t for an ODE in time), the
    second t for a PDE in space and time.

    - ``boundary(X)`` is phi(X) and ``multiplier(X)`` is psi(X) in g_t = phi + psi N
      (the chapter avoids A and B, which the notation page uses for activations), both
      written with ``autograd.numpy`` so their input derivatives can be taken by autograd.
    - ``residual(X, g, dg, d2g)`` returns the residual at every point; ``dg[:, k]`` and
      ``d2g[:, k]`` are dg/dx_k and d^2g/dx_k^2 (mixed derivatives are not provided;
      ``d2g`` is None when ``order`` is 1). It must use only arithmetic and indexing on
      g, dg, d2g (NumPy functions only of ``X``) so that the TensorFlow solver can reuse it.
    - ``analytic(X)`` is the exact solution (for Burgers' equation a formula evaluated by
      quadrature), used for errors only, never for training.
    - ``constraint_points``/``constraint_values``: conditions imposed *softly*, as a
      penalty in the cost, when the trial form does not satisfy them by construction.
    """

    name: str
    n_inputs: int
    order: int
    domain: tuple
    boundary: Callable
    multiplier: Callable
    residual: Callable
    analytic: Callable
    constraint_points: Optional[np.ndarray] = None
    constraint_values: Optional[np.ndarray] = None


def exponential_decay(gamma: float = 2.0, g0: float = 10.0, t_end: float = 1.0) -> Problem:
    """Exponential decay g' = -gamma g, g(0) = g0, on [0, t_end]; trial g0 + t N(t).

    Introduced in chapter 6. Analytic solution g0 exp(-gamma t).
    """
    return Problem(
        name="exponential decay",
        n_inputs=1,
        order=1,
        domain=((0.0, float(t_end)),),
        boundary=lambda X: g0 + 0.0 * X[:, 0],
        multiplier=lambda X: X[:, 0],
        residual=lambda X, g, dg, d2g: dg[:, 0] + gamma * g,
        analytic=lambda X: g0 * np.exp(-gamma * np.asarray(X)[:, 0]),
    )


def logistic_growth(
    rate: float = 3.0, capacity: float = 1.0, g0: float = 0.1, t_end: float = 3.0
) -> Problem:
    """Logistic growth g' = rate g (1 - g / capacity), g(0) = g0; trial g0 + t N(t).

    Introduced in chapter 6. Analytic solution capacity / (1 + (capacity/g0 - 1) e^{-rate t}).
    """

    def analytic(X):
        t = np.asarray(X)[:, 0]
        return capacity / (1.0 + (capacity / g0 - 1.0) * np.exp(-rate * t))

    return Problem(
        name="logistic growth",
        n_inputs=1,
        order=1,
        domain=((0.0, float(t_end)),),
        boundary=lambda X: g0 + 0.0 * X[:, 0],
        multiplier=lambda X: X[:, 0],
        residual=lambda X, g, dg, d2g: dg[:, 0] - rate * g * (1.0 - g / capacity),
        analytic=analytic,
    )


def _poisson_source(x):
    return (3.0 * x + x**2) * np.exp(x)


def poisson_1d(hard: bool = True) -> Problem:
    """Poisson's equation -g'' = (3x + x^2) e^x on [0, 1], g(0) = g(1) = 0.

    Introduced in chapter 6. Analytic solution x (1 - x) e^x. With ``hard=True`` the
    trial solution x (1 - x) N(x) satisfies the boundary conditions by construction;
    with ``hard=False`` the trial solution is N(x) itself and the two boundary values
    enter the cost as a penalty (a soft constraint).
    """

    def residual(X, g, dg, d2g):
        return -d2g[:, 0] - _poisson_source(np.asarray(X)[:, 0])

    def analytic(X):
        x = np.asarray(X)[:, 0]
        return x * (1.0 - x) * np.exp(x)

    if hard:
        return Problem(
            name="Poisson (hard constraints)",
            n_inputs=1,
            order=2,
            domain=((0.0, 1.0),),
            boundary=lambda X: 0.0 * X[:, 0],
            multiplier=lambda X: X[:, 0] * (1.0 - X[:, 0]),
            residual=residual,
            analytic=analytic,
        )
    return Problem(
        name="Poisson (soft constraints)",
        n_inputs=1,
        order=2,
        domain=((0.0, 1.0),),
        boundary=lambda X: 0.0 * X[:, 0],
        multiplier=lambda X: 1.0 + 0.0 * X[:, 0],
        residual=residual,
        analytic=analytic,
        constraint_points=np.array([[0.0], [1.0]]),
        constraint_values=np.array([0.0, 0.0]),
    )


def diffusion_1d(t_end: float = 0.5) -> Problem:
    """Diffusion u_t = u_xx on [0, 1] x [0, t_end], u(x, 0) = sin(pi x), u(0, t) = u(1, t) = 0.

    Introduced in chapter 6. Columns of X are (x, t). Trial solution
    (1 - t) sin(pi x) + x (1 - x) t N(x, t); analytic solution exp(-pi^2 t) sin(pi x).
    """

    def analytic(X):
        X = np.asarray(X)
        return np.exp(-np.pi**2 * X[:, 1]) * np.sin(np.pi * X[:, 0])

    return Problem(
        name="diffusion",
        n_inputs=2,
        order=2,
        domain=((0.0, 1.0), (0.0, float(t_end))),
        boundary=lambda X: (1.0 - X[:, 1]) * anp.sin(np.pi * X[:, 0]),
        multiplier=lambda X: X[:, 0] * (1.0 - X[:, 0]) * X[:, 1],
        residual=lambda X, g, dg, d2g: dg[:, 1] - d2g[:, 0],
        analytic=analytic,
    )


def damped_oscillator(
    omega: float = 2.0 * np.pi, zeta: float = 0.1, g0: float = 1.0, v0: float = 0.0,
    t_end: float = 2.0,
) -> Problem:
    """Damped oscillator g'' + 2 zeta omega g' + omega^2 g = 0, g(0) = g0, g'(0) = v0.

    Introduced in chapter 6. Both initial conditions are built into the trial solution
    g0 + v0 t + t^2 N(t): the factor t^2 vanishes with its first derivative at t = 0.
    Underdamped (0 <= zeta < 1): g = e^{-zeta omega t} (g0 cos(w t) + c sin(w t)) with
    w = omega sqrt(1 - zeta^2) and c = (v0 + zeta omega g0) / w.
    """
    if not omega > 0:
        raise ValueError(f"omega must be positive; got {omega!r}")
    if not 0 <= zeta < 1:
        raise ValueError(f"zeta must be in [0, 1) (underdamped); got {zeta!r}")
    damped = omega * np.sqrt(1.0 - zeta**2)
    sine_part = (v0 + zeta * omega * g0) / damped

    def analytic(X):
        t = np.asarray(X)[:, 0]
        envelope = np.exp(-zeta * omega * t)
        return envelope * (g0 * np.cos(damped * t) + sine_part * np.sin(damped * t))

    return Problem(
        name="damped oscillator",
        n_inputs=1,
        order=2,
        domain=((0.0, float(t_end)),),
        boundary=lambda X: g0 + v0 * X[:, 0],
        multiplier=lambda X: X[:, 0] ** 2,
        residual=lambda X, g, dg, d2g: (d2g[:, 0] + 2.0 * zeta * omega * dg[:, 0]
                                        + omega**2 * g),
        analytic=analytic,
    )


def wave_1d(c: float = 1.0, t_end: float = 1.0) -> Problem:
    """Wave equation u_tt = c^2 u_xx on [0, 1] x [0, t_end], a plucked string at rest.

    Introduced in chapter 6. u(x, 0) = sin(pi x), u_t(x, 0) = 0, u(0, t) = u(1, t) = 0;
    columns of X are (x, t). Trial solution sin(pi x) + x (1 - x) t^2 N(x, t), which
    meets all four conditions; analytic solution sin(pi x) cos(pi c t).
    """
    if not c > 0:
        raise ValueError(f"c must be positive; got {c!r}")

    def analytic(X):
        X = np.asarray(X)
        return np.sin(np.pi * X[:, 0]) * np.cos(np.pi * c * X[:, 1])

    return Problem(
        name="wave",
        n_inputs=2,
        order=2,
        domain=((0.0, 1.0), (0.0, float(t_end))),
        boundary=lambda X: anp.sin(np.pi * X[:, 0]),
        multiplier=lambda X: X[:, 0] * (1.0 - X[:, 0]) * X[:, 1] ** 2,
        residual=lambda X, g, dg, d2g: d2g[:, 1] - c**2 * d2g[:, 0],
        analytic=analytic,
    )


def poisson_2d(kx: int = 1, ky: int = 2) -> Problem:
    """Poisson's equation -(u_xx + u_yy) = f on the unit square, u = 0 on its boundary.

    Introduced in chapter 6. f = (kx^2 + ky^2) pi^2 sin(kx pi x) sin(ky pi y), so that
    u = sin(kx pi x) sin(ky pi y). Columns of X are (x, y). Trial solution
    x (1 - x) y (1 - y) N(x, y).
    """
    if int(kx) != kx or int(ky) != ky or kx < 1 or ky < 1:
        raise ValueError(f"kx and ky must be positive integers; got {kx!r}, {ky!r}")
    factor = (kx**2 + ky**2) * np.pi**2

    def analytic(X):
        X = np.asarray(X)
        return np.sin(kx * np.pi * X[:, 0]) * np.sin(ky * np.pi * X[:, 1])

    def residual(X, g, dg, d2g):
        return -(d2g[:, 0] + d2g[:, 1]) - factor * analytic(X)

    return Problem(
        name="Poisson 2D",
        n_inputs=2,
        order=2,
        domain=((0.0, 1.0), (0.0, 1.0)),
        boundary=lambda X: 0.0 * X[:, 0],
        multiplier=lambda X: X[:, 0] * (1.0 - X[:, 0]) * X[:, 1] * (1.0 - X[:, 1]),
        residual=residual,
        analytic=analytic,
    )


def burgers(nu: float = 0.01 / np.pi, t_end: float = 1.0) -> Problem:
    """Burgers' equation u_t + u u_x = nu u_xx on [-1, 1] x [0, t_end].

    Introduced in chapter 6. u(x, 0) = -sin(pi x), u(-1, t) = u(1, t) = 0; with the
    default nu = 0.01/pi a steep front (a viscous shock) forms at x = 0 near
    t = 1/pi. Columns of X are (x, t). Trial solution -sin(pi x) + t (1 - x^2) N(x, t).
    The reference is the exact solution by the Cole-Hopf transformation, evaluated by
    quadrature (:func:`classical.burgers_cole_hopf`).
    """
    if not nu > 0:
        raise ValueError(f"nu must be positive; got {nu!r}")

    def analytic(X):
        X = np.asarray(X)
        return classical.burgers_cole_hopf(X[:, 0], X[:, 1], nu)

    return Problem(
        name="Burgers",
        n_inputs=2,
        order=2,
        domain=((-1.0, 1.0), (0.0, float(t_end))),
        boundary=lambda X: -anp.sin(np.pi * X[:, 0]),
        multiplier=lambda X: X[:, 1] * (1.0 - X[:, 0] ** 2),
        residual=lambda X, g, dg, d2g: dg[:, 1] + g * dg[:, 0] - nu * d2g[:, 0],
        analytic=analytic,
    )


def grid(domain: Sequence[Sequence[float]], n_points) -> np.ndarray:
    """Equally spaced points, boundaries included, as an array of shape (n, len(domain)).

    Introduced in chapter 6. ``n_points`` is an int (same count in every direction) or
    one count per direction. Points are ordered with the first coordinate slowest
    ("ij" indexing), so ``values.reshape(n_points)`` puts the first coordinate on axis 0.
    """
    domain = [tuple(map(float, interval)) for interval in domain]
    counts = [n_points] * len(domain) if np.isscalar(n_points) else list(n_points)
    if len(counts) != len(domain) or any(int(c) != c or c < 2 for c in counts):
        raise ValueError(f"n_points must be integers >= 2, one per direction; got {n_points!r}")
    axes = [np.linspace(lo, hi, int(c)) for (lo, hi), c in zip(domain, counts)]
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack([m.ravel() for m in mesh], axis=1)


def max_abs_error(problem: Problem, X: np.ndarray, values: np.ndarray) -> float:
    """Maximum absolute difference between ``values`` and the problem's analytic solution at X.

    Introduced in chapter 6.
    """
    return float(np.max(np.abs(np.asarray(values) - problem.analytic(X))))



def relative_l2_error(reference, values) -> float:
    """||values - reference|| / ||reference|| over the points (Euclidean norms).

    Introduced in chapter 6. On an equally spaced grid this approximates the relative
    L2 error of the functions.
    """
    reference, values = np.asarray(reference, float), np.asarray(values, float)
    if reference.shape != values.shape:
        raise ValueError(
            f"values must have the shape of reference {reference.shape}; got {values.shape}"
        )
    norm = np.linalg.norm(reference)
    if norm == 0:
        raise ValueError("reference must not be identically zero")
    return float(np.linalg.norm(values - reference) / norm)


def _check_points(X, n_inputs: int, name: str = "X") -> np.ndarray:
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must be a numeric array of shape (n_points, {n_inputs})"
        ) from error
    if X.ndim == 1 and n_inputs == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[1] != n_inputs or X.shape[0] < 1:
        raise ValueError(f"{name} must have shape (n_points, {n_inputs}); got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return X


