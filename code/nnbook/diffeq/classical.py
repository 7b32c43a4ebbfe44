"""Classical numerical methods, the references of chapter 6.

Forward Euler for ODEs, finite differences for Poisson's equation in one and two
dimensions, the explicit FTCS scheme for diffusion, the leapfrog scheme for the wave
equation, and, for Burgers' equation, a finite-difference method of lines and the exact
solution by the Cole-Hopf transformation evaluated by quadrature.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import scipy.integrate
import scipy.linalg
import scipy.sparse
import scipy.sparse.linalg


def forward_euler(f: Callable, g0, t_end: float, n_steps: int, t0: float = 0.0):
    """Forward Euler g_{k+1} = g_k + h f(t_k, g_k) with h = (t_end - t0) / n_steps.

    Introduced in chapter 6. Returns ``(t, g)`` with ``n_steps + 1`` times; ``g0`` may be
    a scalar or a vector (then ``g`` has one row per time). First-order accurate: the
    global error is O(h).
    """
    if int(n_steps) != n_steps or n_steps < 1:
        raise ValueError(f"n_steps must be a positive integer; got {n_steps!r}")
    if not t_end > t0:
        raise ValueError(f"t_end must be larger than t0; got t0={t0!r}, t_end={t_end!r}")
    n_steps = int(n_steps)
    h = (t_end - t0) / n_steps
    t = t0 + h * np.arange(n_steps + 1)
    g = np.empty((n_steps + 1,) + np.shape(g0))
    g[0] = g0
    # Each step needs the previous one: the loop over time is inherent to the method.
    for k in range(n_steps):
        g[k + 1] = g[k] + h * f(t[k], g[k])
    return t, g


def poisson_fd(f: Callable, n_intervals: int, left: float = 0.0, right: float = 0.0):
    """Second-order finite differences for -g'' = f on [0, 1], g(0) = left, g(1) = right.

    Introduced in chapter 6. With h = 1/n_intervals and interior points x_1..x_{n-1},
    (-g_{i-1} + 2 g_i - g_{i+1}) / h^2 = f(x_i) is a tridiagonal system solved in O(n)
    by ``scipy.linalg.solve_banded``. Returns ``(x, g)`` including the boundary points;
    the error is O(h^2).
    """
    if int(n_intervals) != n_intervals or n_intervals < 2:
        raise ValueError(f"n_intervals must be an integer >= 2; got {n_intervals!r}")
    n = int(n_intervals)
    h = 1.0 / n
    x = np.linspace(0.0, 1.0, n + 1)
    rhs = h**2 * np.asarray(f(x[1:-1]), dtype=float)
    rhs[0] += left
    rhs[-1] += right
    bands = np.zeros((3, n - 1))
    bands[0, 1:] = -1.0  # super-diagonal
    bands[1, :] = 2.0  # diagonal
    bands[2, :-1] = -1.0  # sub-diagonal
    g = np.empty(n + 1)
    g[0], g[-1] = left, right
    g[1:-1] = scipy.linalg.solve_banded((1, 1), bands, rhs)
    return x, g


def ftcs_diffusion(
    initial: Callable,
    n_intervals: int,
    t_end: float,
    n_steps: int,
    check_stability: bool = True,
):
    """Explicit forward-time centred-space scheme for u_t = u_xx on [0, 1], u = 0 at x = 0, 1.

    Introduced in chapter 6. u_i^{k+1} = u_i^k + r (u_{i+1}^k - 2 u_i^k + u_{i-1}^k) with
    r = dt / dx^2. The scheme is stable only for r <= 1/2, i.e. dt <= dx^2 / 2; a larger
    time step raises ValueError unless ``check_stability=False`` (to watch it blow up).
    Returns ``(x, t, U)`` with ``U[k, i]`` the solution at time t[k] and position x[i].
    Error O(dt + dx^2).
    """
    if int(n_intervals) != n_intervals or n_intervals < 2:
        raise ValueError(f"n_intervals must be an integer >= 2; got {n_intervals!r}")
    if int(n_steps) != n_steps or n_steps < 1:
        raise ValueError(f"n_steps must be a positive integer; got {n_steps!r}")
    if not t_end > 0:
        raise ValueError(f"t_end must be positive; got {t_end!r}")
    n_intervals, n_steps = int(n_intervals), int(n_steps)
    dx = 1.0 / n_intervals
    dt = t_end / n_steps
    r = dt / dx**2
    if check_stability and r > 0.5 * (1.0 + 1e-12):
        raise ValueError(
            f"FTCS is unstable for dt > dx^2/2: dt={dt:.3e} but dx^2/2={0.5 * dx**2:.3e}; "
            f"use n_steps >= {int(np.ceil(2.0 * t_end / dx**2))}"
        )
    x = np.linspace(0.0, 1.0, n_intervals + 1)
    t = dt * np.arange(n_steps + 1)
    U = np.zeros((n_steps + 1, n_intervals + 1))
    U[0] = initial(x)
    U[0, 0] = U[0, -1] = 0.0
    # Each time level needs the previous one; the update itself is vectorized over x.
    for k in range(n_steps):
        U[k + 1, 1:-1] = U[k, 1:-1] + r * (U[k, 2:] - 2.0 * U[k, 1:-1] + U[k, :-2])
    return x, t, U


def _check_count(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or int(value) != value or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def wave_leapfrog(
    initial: Callable, c: float, n_intervals: int, t_end: float, n_steps: int,
    check_stability: bool = True,
):
    """Leapfrog (centred in time and space) for u_tt = c^2 u_xx on [0, 1], u = 0 at the ends.

    Introduced in chapter 6, for a string released at rest (u_t = 0 at t = 0):
    u_i^{k+1} = 2 u_i^k - u_i^{k-1} + C^2 (u_{i+1}^k - 2 u_i^k + u_{i-1}^k) with the
    Courant number C = c dt / dx, and a first step u^1 = u^0 + (C^2 / 2) delta^2 u^0 that
    uses the zero initial velocity. Stable for C <= 1 (a larger C raises ValueError
    unless ``check_stability=False``); error O(dt^2 + dx^2). Returns ``(x, t, U)`` with
    ``U[k, i]`` the solution at t[k], x[i].
    """
    n_intervals = _check_count(n_intervals, "n_intervals", 2)
    n_steps = _check_count(n_steps, "n_steps", 1)
    if not (c > 0 and t_end > 0):
        raise ValueError(f"c and t_end must be positive; got c={c!r}, t_end={t_end!r}")
    dx, dt = 1.0 / n_intervals, t_end / n_steps
    courant2 = (c * dt / dx) ** 2
    if check_stability and courant2 > 1.0 + 1e-12:
        raise ValueError(
            f"leapfrog is unstable for c dt / dx > 1: got {np.sqrt(courant2):.3f}; "
            f"use n_steps >= {int(np.ceil(c * t_end / dx))}"
        )
    x = np.linspace(0.0, 1.0, n_intervals + 1)
    t = dt * np.arange(n_steps + 1)
    U = np.zeros((n_steps + 1, n_intervals + 1))
    U[0, 1:-1] = initial(x[1:-1])
    U[1, 1:-1] = U[0, 1:-1] + 0.5 * courant2 * (U[0, 2:] - 2.0 * U[0, 1:-1] + U[0, :-2])
    # Each time level needs the two before it; the update is vectorized over x.
    for k in range(1, n_steps):
        U[k + 1, 1:-1] = (2.0 * U[k, 1:-1] - U[k - 1, 1:-1]
                          + courant2 * (U[k, 2:] - 2.0 * U[k, 1:-1] + U[k, :-2]))
    return x, t, U


def poisson_2d_fd(f: Callable, n_intervals: int):
    """Five-point finite differences for -(u_xx + u_yy) = f on the unit square, u = 0 on
    the boundary.

    Introduced in chapter 6. On the grid x_i = i h, y_j = j h with h = 1/n,
    (4 u_ij - u_{i-1,j} - u_{i+1,j} - u_{i,j-1} - u_{i,j+1}) / h^2 = f(x_i, y_j) at the
    (n-1)^2 interior points: a sparse system (the Kronecker sum of two tridiagonal
    matrices) solved by a sparse direct solver. Error O(h^2). ``f(x, y)`` takes arrays.
    Returns ``(x, y, U)`` with ``U[i, j]`` the solution at (x[i], y[j]), boundary included.
    """
    n = _check_count(n_intervals, "n_intervals", 2)
    h = 1.0 / n
    x = np.linspace(0.0, 1.0, n + 1)
    inner = x[1:-1]
    second = scipy.sparse.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(n - 1, n - 1))
    identity = scipy.sparse.identity(n - 1)
    laplacian = (scipy.sparse.kron(second, identity) + scipy.sparse.kron(identity, second))
    X, Y = np.meshgrid(inner, inner, indexing="ij")
    rhs = h**2 * np.asarray(f(X, Y), dtype=float).ravel()
    U = np.zeros((n + 1, n + 1))
    U[1:-1, 1:-1] = scipy.sparse.linalg.spsolve(laplacian.tocsc(), rhs).reshape(n - 1, n - 1)
    return x, x.copy(), U


def burgers_fd(initial: Callable, nu: float, n_intervals: int, t_eval, rtol: float = 1e-6):
    """Method of lines for u_t + u u_x = nu u_xx on [-1, 1], u = 0 at x = -1 and 1.

    Introduced in chapter 6. Centred differences in space, the convection term in the
    conservative form (u^2/2)_x, give n - 1 ODEs for the interior values, which
    ``scipy.integrate.solve_ivp`` (RK45, relative tolerance ``rtol``) integrates in time.
    The centred scheme needs the mesh Peclet number max|u| dx / nu below about 2 to be
    free of wiggles. Returns ``(x, U)`` with ``U[k, i]`` the solution at t_eval[k], x[i].
    """
    n = _check_count(n_intervals, "n_intervals", 2)
    if not nu > 0:
        raise ValueError(f"nu must be positive; got {nu!r}")
    t_eval = np.asarray(t_eval, dtype=float)
    if t_eval.ndim != 1 or t_eval.size < 1 or t_eval[0] < 0 or np.any(np.diff(t_eval) <= 0):
        raise ValueError("t_eval must be increasing times >= 0")
    x = np.linspace(-1.0, 1.0, n + 1)
    dx = x[1] - x[0]

    def right_hand_side(t, u_inner):
        u = np.concatenate(([0.0], u_inner, [0.0]))
        flux = 0.5 * u**2
        return (nu * (u[2:] - 2.0 * u[1:-1] + u[:-2]) / dx**2
                - (flux[2:] - flux[:-2]) / (2.0 * dx))

    solution = scipy.integrate.solve_ivp(
        right_hand_side, (0.0, float(t_eval[-1])), initial(x[1:-1]), method="RK45",
        t_eval=t_eval, rtol=rtol, atol=rtol * 1e-3,
    )
    if not solution.success:
        raise RuntimeError(f"the time integration failed: {solution.message}")
    U = np.zeros((t_eval.size, n + 1))
    U[:, 1:-1] = solution.y.T
    return x, U


def burgers_cole_hopf(x, t, nu: float, n_nodes: int = 4001, width: float = 12.0):
    """Exact solution of Burgers' equation with u(x, 0) = -sin(pi x), by Cole-Hopf.

    Introduced in chapter 6. The substitution u = -2 nu (ln phi)_x turns Burgers'
    equation into the heat equation phi_t = nu phi_xx, whose solution is a Gaussian
    average of phi(x, 0) = exp(-cos(pi x) / (2 pi nu)). With eta = sqrt(4 nu t) z,

        u(x, t) = - int sin(pi (x - eta)) F(x - eta) e^{-z^2} dz / int F(x - eta) e^{-z^2} dz,

    F(y) = exp(-cos(pi y) / (2 pi nu)). Both integrals are evaluated by the trapezoidal
    rule on ``n_nodes`` points of [-width, width], with the largest exponent factored out
    (F spans e^{+-1/(2 pi nu)}, far beyond floating point for small nu otherwise). The
    rule converges fast for such smooth, decaying integrands; the chapter's tests check
    it against :func:`burgers_fd`. ``x`` and ``t`` broadcast; at t = 0 the initial
    condition is returned.
    """
    if not nu > 0:
        raise ValueError(f"nu must be positive; got {nu!r}")
    x, t = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(t, dtype=float))
    if np.any(t < 0):
        raise ValueError("t must be >= 0")
    shape = x.shape
    x, t = x.ravel(), t.ravel()
    u = -np.sin(np.pi * x)
    z = np.linspace(-width, width, int(n_nodes))
    later = np.flatnonzero(t > 0)
    # In chunks of points: the exponent table is (points, nodes).
    for chunk in np.array_split(later, max(1, later.size // 500)):
        if chunk.size == 0:
            continue
        y = x[chunk, None] - np.sqrt(4.0 * nu * t[chunk, None]) * z[None, :]
        exponent = -np.cos(np.pi * y) / (2.0 * np.pi * nu) - z[None, :] ** 2
        weight = np.exp(exponent - exponent.max(axis=1, keepdims=True))
        u[chunk] = -np.sum(np.sin(np.pi * y) * weight, axis=1) / np.sum(weight, axis=1)
    return u.reshape(shape)
