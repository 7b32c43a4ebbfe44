"""Neural-network trial solutions of differential equations, with classical references.

Introduced in chapter 6. A trial solution has the form

    g_t(x) = A(x) + B(x) N(x; theta),

where A satisfies the initial/boundary conditions, B vanishes where they are imposed and
N is a small multilayer perceptron. Training minimises the mean squared residual of the
equation at collocation points. The network's derivatives with respect to its *inputs*
are propagated forward through the layers by the chain rule, for all points at once, so
that autograd (reverse mode) can then differentiate the whole cost with respect to the
parameters. A TensorFlow twin computes the same cost with nested ``GradientTape``s.

The module is self-contained (autograd, NumPy, SciPy; TensorFlow only when the
TensorFlow solver is used), so it does not depend on the rest of ``nnbook``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import autograd.numpy as anp
import numpy as np
import scipy.linalg
import scipy.optimize
from autograd import elementwise_grad, value_and_grad
from threadpoolctl import threadpool_limits

__all__ = [
    "Problem",
    "TrialSolver",
    "TensorFlowTrialSolver",
    "exponential_decay",
    "logistic_growth",
    "poisson_1d",
    "diffusion_1d",
    "grid",
    "parameter_count",
    "init_parameters",
    "unpack_parameters",
    "network_output",
    "network_jet",
    "trial_jet",
    "forward_euler",
    "poisson_fd",
    "ftcs_diffusion",
    "max_abs_error",
]

ACTIVATIONS = ("sigmoid", "tanh")
OPTIMIZERS = ("gd", "adam", "bfgs", "l-bfgs-b")


# ---------------------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A differential equation with a trial-solution form and its analytic solution.

    Introduced in chapter 6. Functions of the points take ``X`` of shape
    ``(n_points, n_inputs)``; the first column is x (or t for an ODE in time), the
    second t for a PDE in space and time.

    - ``boundary(X)`` is A(X) and ``multiplier(X)`` is B(X) in g_t = A + B N, both
      written with ``autograd.numpy`` so their input derivatives can be taken by autograd.
    - ``residual(X, g, dg, d2g)`` returns the residual at every point; ``dg[:, k]`` and
      ``d2g[:, k]`` are dg/dx_k and d^2g/dx_k^2 (mixed derivatives are not provided;
      ``d2g`` is None when ``order`` is 1). It must use only arithmetic and indexing on
      g, dg, d2g (NumPy functions only of ``X``) so that the TensorFlow solver can reuse it.
    - ``analytic(X)`` is the exact solution, used for errors only, never for training.
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


# ---------------------------------------------------------------------------------------
# The network and its derivatives with respect to the inputs
# ---------------------------------------------------------------------------------------


def _check_layer_sizes(layer_sizes) -> tuple:
    sizes = tuple(layer_sizes)
    if len(sizes) < 3 or any(int(s) != s or s < 1 for s in sizes) or sizes[-1] != 1:
        raise ValueError(
            "layer_sizes must be positive integers (inputs, hidden..., 1) with at least one "
            f"hidden layer and one output; got {layer_sizes!r}"
        )
    return tuple(int(s) for s in sizes)


def parameter_count(layer_sizes) -> int:
    """Number of weights and biases of an MLP with the given layer sizes.

    Introduced in chapter 6. Layer l has a weight matrix of shape
    ``(layer_sizes[l-1], layer_sizes[l])`` and a bias of length ``layer_sizes[l]``.
    """
    sizes = _check_layer_sizes(layer_sizes)
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def init_parameters(layer_sizes, seed: int = 0, scheme: str = "glorot") -> np.ndarray:
    """Initial parameters as one flat vector (weights then bias, layer by layer).

    Introduced in chapter 6. ``scheme="glorot"``: weights normal with variance
    2 / (fan_in + fan_out), biases zero. ``scheme="normal"``: every weight and bias
    standard normal, the set-up of the source lecture notes.
    """
    sizes = _check_layer_sizes(layer_sizes)
    if scheme not in ("glorot", "normal"):
        raise ValueError(f"scheme must be 'glorot' or 'normal'; got {scheme!r}")
    rng = np.random.default_rng(seed)
    pieces = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        if scheme == "glorot":
            pieces.append(rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), n_in * n_out))
            pieces.append(np.zeros(n_out))
        else:
            pieces.append(rng.standard_normal(n_in * n_out))
            pieces.append(rng.standard_normal(n_out))
    return np.concatenate(pieces)


def unpack_parameters(theta, layer_sizes) -> list:
    """Split a flat parameter vector into ``[(W1, b1), (W2, b2), ...]`` (autograd-safe).

    Introduced in chapter 6.
    """
    sizes = _check_layer_sizes(layer_sizes)
    if np.shape(theta) != (parameter_count(sizes),):
        raise ValueError(
            f"theta must have shape ({parameter_count(sizes)},) for layer sizes {sizes}; "
            f"got {np.shape(theta)}"
        )
    layers, start = [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = anp.reshape(theta[start : start + n_in * n_out], (n_in, n_out))
        start += n_in * n_out
        b = theta[start : start + n_out]
        start += n_out
        layers.append((W, b))
    return layers


def _activation(name: str, z, order: int = 2):
    """Value and derivatives (up to ``order``) of the activation, from one evaluation."""
    if name == "sigmoid":
        # 1/(1+exp(-z)) written through tanh: no overflow for large |z|.
        s = 0.5 * (anp.tanh(0.5 * z) + 1.0)
        if order == 0:
            return s, None, None
        ds = s * (1.0 - s)
        return s, ds, (ds * (1.0 - 2.0 * s) if order == 2 else None)
    t = anp.tanh(z)
    if order == 0:
        return t, None, None
    dt = 1.0 - t * t
    return t, dt, (-2.0 * t * dt if order == 2 else None)


def _check_activation(activation: str) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}; got {activation!r}")
    return activation


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


def _check_input_shape(X, layer_sizes) -> None:
    if np.ndim(X) != 2 or np.shape(X)[1] != layer_sizes[0]:
        raise ValueError(
            f"X must have shape (n_points, {layer_sizes[0]}) for layer sizes "
            f"{tuple(layer_sizes)}; got {np.shape(X)}"
        )


def network_output(theta, X, layer_sizes, activation: str = "sigmoid"):
    """N(X; theta) at every row of X, shape (n_points,): hidden layers with the activation,
    a linear output. Introduced in chapter 6.
    """
    _check_input_shape(X, layer_sizes)
    a = X
    layers = unpack_parameters(theta, layer_sizes)
    for W, b in layers[:-1]:
        a = _activation(activation, anp.matmul(a, W) + b, order=0)[0]
    W, b = layers[-1]
    return (anp.matmul(a, W) + b)[:, 0]


def network_jet(theta, X, layer_sizes, activation: str = "sigmoid", order: int = 2):
    """N, dN/dx_k and d^2N/dx_k^2 at all points at once, by the chain rule through the layers.

    Introduced in chapter 6. Returns ``(N, dN, d2N)`` with shapes ``(n,)``, ``(n, d)`` and
    ``(n, d)`` (``d2N`` is None when ``order == 1``). For every input direction k the
    layer recursion is (sigma applied elementwise, ``*`` elementwise)::

        z = a W + b,       dz = da W,                  d2z = d2a W
        a = sigma(z),      da = sigma'(z) * dz,        d2a = sigma''(z) * dz**2 + sigma'(z) * d2z

    starting from da = e_k and d2a = 0 at the input. The directions are stacked on a
    leading axis, so a single matrix product per layer serves every point and direction.
    Written in ``autograd.numpy``: autograd differentiates the result w.r.t. theta.
    """
    if order not in (1, 2):
        raise ValueError(f"order must be 1 or 2; got {order!r}")
    _check_input_shape(X, layer_sizes)
    layers = unpack_parameters(theta, layer_sizes)
    a = X
    for index, (W, b) in enumerate(layers):
        z = anp.matmul(a, W) + b
        if index == 0:
            # Derivative of z = x W + b along input direction k is row k of W, at every point.
            dz = W[:, None, :]
            d2z = None
        else:
            dz = anp.matmul(da, W)
            d2z = anp.matmul(d2a, W) if order == 2 else None
        if index == len(layers) - 1:
            break
        s, ds, d2s = _activation(activation, z, order)
        a = s
        da = ds * dz
        if order == 2:
            d2a = d2s * dz**2 if d2z is None else d2s * dz**2 + ds * d2z
    N = z[:, 0]
    dN = anp.transpose(dz[:, :, 0])
    d2N = anp.transpose(d2z[:, :, 0]) if order == 2 else None
    return N, dN, d2N


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
    A, dA, d2A = _with_derivatives(problem.boundary, X, problem.order)
    B, dB, d2B = _with_derivatives(problem.multiplier, X, problem.order)
    return {"A": A, "dA": dA, "d2A": d2A, "B": B, "dB": dB, "d2B": d2B}


def _combine(factors: dict, N, dN, d2N):
    """g = A + B N and its derivatives by the product rule (works on NumPy, autograd, TF).

    Terms whose known factor is identically zero at the points (A = 0, A' = 0, B'' = 0,
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

    A, dA, d2A = factors["A"], factors["dA"], factors["d2A"]
    B, dB, d2B = factors["B"], factors["dB"], factors["d2B"]
    g = total(A if np.any(A) else None, B * N)
    dg = total(dA if np.any(dA) else None, product(dB, N[:, None]), B[:, None] * dN)
    d2g = None
    if d2N is not None:
        d2g = total(d2A if np.any(d2A) else None, product(d2B, N[:, None]),
                    product(dB, dN, 2.0), B[:, None] * d2N)
    return g, dg, d2g


def trial_jet(problem: Problem, theta, X, layer_sizes, activation: str = "sigmoid"):
    """The trial solution g_t = A + B N and its input derivatives at X: ``(g, dg, d2g)``.

    Introduced in chapter 6. Derivatives of the network come from :func:`network_jet`,
    those of A and B from autograd, and they are combined by the product rule
    ``g' = A' + B' N + B N'``, ``g'' = A'' + B'' N + 2 B' N' + B N''``.
    """
    X = _check_points(X, problem.n_inputs)
    factors = _trial_factors(problem, X)
    N, dN, d2N = network_jet(theta, X, layer_sizes, _check_activation(activation), problem.order)
    return _combine(factors, N, dN, d2N)


# ---------------------------------------------------------------------------------------
# The solver
# ---------------------------------------------------------------------------------------


class TrialSolver:
    """Train a trial solution g_t = A + B N(x; theta) of a :class:`Problem`.

    Introduced in chapter 6. The cost is the mean (``reduction="mean"``) or sum of the
    squared residual over the collocation points given to :meth:`fit`, plus
    ``constraint_weight`` times the mean squared violation of any soft constraints.

    Parameters
    ----------
    problem : Problem
    hidden_sizes : widths of the hidden layers, e.g. ``(10,)`` or ``(20, 20)``.
    activation : ``"sigmoid"`` or ``"tanh"``.
    optimizer : ``"gd"`` (plain gradient descent), ``"adam"``, ``"bfgs"`` or
        ``"l-bfgs-b"`` (the last two from ``scipy.optimize.minimize``).
    learning_rate : step size for ``"gd"`` and ``"adam"``.
    max_iter : number of iterations (each one a parameter update).
    reduction : ``"mean"`` or ``"sum"`` of the squared residuals (the source notes sum).
    init : ``"glorot"`` or ``"normal"`` (every parameter standard normal, as in the notes).
    seed : integer seed of the initial parameters: same seed, same result.
    constraint_weight : weight of the soft-constraint penalty.

    After :meth:`fit`: ``params_`` (flat parameter vector), ``history_`` (cost before
    the first and after every iteration), ``n_iter_``, ``n_evaluations_`` (cost-and-
    gradient evaluations), ``fit_seconds_``, ``message_``.
    """

    def __init__(
        self,
        problem: Problem,
        hidden_sizes=(10,),
        activation: str = "sigmoid",
        optimizer: str = "bfgs",
        learning_rate: float = 1e-3,
        max_iter: int = 1000,
        reduction: str = "mean",
        init: str = "glorot",
        seed: int = 0,
        constraint_weight: float = 1.0,
    ):
        self.problem = problem
        self.hidden_sizes = hidden_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.reduction = reduction
        self.init = init
        self.seed = seed
        self.constraint_weight = constraint_weight

    # -- checks -------------------------------------------------------------------------

    @property
    def layer_sizes(self) -> tuple:
        """(n_inputs, *hidden_sizes, 1)."""
        return (self.problem.n_inputs, *tuple(self.hidden_sizes), 1)

    def _check_hyperparameters(self) -> None:
        if not isinstance(self.problem, Problem):
            raise TypeError(f"problem must be a Problem; got {type(self.problem).__name__}")
        _check_layer_sizes(self.layer_sizes)
        _check_activation(self.activation)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}; got {self.optimizer!r}")
        if not (np.isscalar(self.learning_rate) and self.learning_rate > 0):
            raise ValueError(f"learning_rate must be positive; got {self.learning_rate!r}")
        if int(self.max_iter) != self.max_iter or self.max_iter < 1:
            raise ValueError(f"max_iter must be a positive integer; got {self.max_iter!r}")
        if self.reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum'; got {self.reduction!r}")
        if self.init not in ("glorot", "normal"):
            raise ValueError(f"init must be 'glorot' or 'normal'; got {self.init!r}")
        if not (np.isscalar(self.constraint_weight) and self.constraint_weight >= 0):
            raise ValueError(
                f"constraint_weight must be non-negative; got {self.constraint_weight!r}"
            )

    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise RuntimeError("this TrialSolver is not fitted yet; call fit(X) first")

    # -- the cost -------------------------------------------------------------------------

    def _reduce(self, squares):
        return anp.mean(squares) if self.reduction == "mean" else anp.sum(squares)

    def _constraint_data(self):
        problem = self.problem
        if problem.constraint_points is None:
            return None
        Xb = _check_points(problem.constraint_points, problem.n_inputs, "constraint_points")
        factors = _trial_factors(problem, Xb)
        return Xb, factors["A"], factors["B"], np.asarray(problem.constraint_values, float)

    def _cost_function(self, X: np.ndarray) -> Callable:
        """cost(theta) at the collocation points X, written in autograd.numpy."""
        problem, sizes, activation = self.problem, self.layer_sizes, self.activation
        factors = _trial_factors(problem, X)
        constraints = self._constraint_data()

        def cost(theta):
            N, dN, d2N = network_jet(theta, X, sizes, activation, problem.order)
            g, dg, d2g = _combine(factors, N, dN, d2N)
            value = self._reduce(problem.residual(X, g, dg, d2g) ** 2)
            if constraints is not None:
                Xb, Ab, Bb, gb = constraints
                misfit = Ab + Bb * network_output(theta, Xb, sizes, activation) - gb
                value = value + self.constraint_weight * anp.mean(misfit**2)
            return value

        return cost

    def _objective(self, X: np.ndarray) -> Callable:
        """theta -> (cost, gradient) as NumPy values; the engine-specific part."""
        return value_and_grad(self._cost_function(X))

    def cost(self, X, theta=None) -> float:
        """The training cost at collocation points X (default: the fitted parameters)."""
        self._check_hyperparameters()
        X = _check_points(X, self.problem.n_inputs)
        return float(self._cost_function(X)(self._theta(theta)))

    def gradient(self, X, theta=None) -> np.ndarray:
        """Gradient of :meth:`cost` with respect to the flat parameter vector."""
        self._check_hyperparameters()
        X = _check_points(X, self.problem.n_inputs)
        return np.asarray(self._objective(X)(self._theta(theta))[1])

    # -- training -------------------------------------------------------------------------

    def fit(self, X, callback: Optional[Callable] = None, theta0=None) -> "TrialSolver":
        """Minimise the cost over the collocation points X; returns self.

        ``callback(theta)`` is called after every iteration; returning True stops the
        training early (used to time how long a target accuracy takes). ``theta0``
        overrides the seeded initial parameters.
        """
        self._check_hyperparameters()
        X = _check_points(X, self.problem.n_inputs)
        if theta0 is None:
            theta = init_parameters(self.layer_sizes, int(self.seed), self.init)
        else:
            theta = np.array(theta0, dtype=float)
            if theta.shape != (parameter_count(self.layer_sizes),):
                raise ValueError(
                    f"theta0 must have shape ({parameter_count(self.layer_sizes)},); "
                    f"got {theta.shape}"
                )
        objective = self._objective(X)
        evaluations = [0]

        def counted(theta):
            evaluations[0] += 1
            # An overflow is reported as a non-finite cost: the first-order loop turns it
            # into a FloatingPointError, the SciPy line search shortens its step.
            with np.errstate(over="ignore", invalid="ignore"):
                value, grad = objective(theta)
            return float(value), np.asarray(grad, dtype=float)

        start = time.perf_counter()
        # The matrices are tiny: a multithreaded BLAS only adds synchronisation cost (ten
        # times slower on a busy two-core machine), so training runs on one BLAS thread.
        with threadpool_limits(limits=1, user_api="blas"):
            if self.optimizer in ("gd", "adam"):
                theta, history, message = self._first_order(counted, theta, callback)
            else:
                theta, history, message = self._quasi_newton(counted, theta, callback)
        self.fit_seconds_ = time.perf_counter() - start
        self.params_ = theta
        self.history_ = np.asarray(history)
        self.n_iter_ = len(history) - 1
        self.n_evaluations_ = evaluations[0]
        self.message_ = message
        return self

    def _first_order(self, objective, theta, callback):
        """Plain gradient descent or Adam with a fixed number of iterations."""
        learning_rate = float(self.learning_rate)
        beta1, beta2, epsilon = 0.9, 0.999, 1e-8
        m = np.zeros_like(theta)
        v = np.zeros_like(theta)
        history = []
        message = f"reached max_iter={self.max_iter}"
        for step in range(1, int(self.max_iter) + 1):
            value, grad = objective(theta)
            if not np.isfinite(value) or not np.all(np.isfinite(grad)):
                raise FloatingPointError(
                    f"the cost diverged (became {value}) at iteration {step}; "
                    "try a smaller learning_rate"
                )
            history.append(value)
            if self.optimizer == "gd":
                theta = theta - learning_rate * grad
            else:
                m = beta1 * m + (1.0 - beta1) * grad
                v = beta2 * v + (1.0 - beta2) * grad**2
                m_hat = m / (1.0 - beta1**step)
                v_hat = v / (1.0 - beta2**step)
                theta = theta - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon)
            if callback is not None and callback(theta):
                message = f"stopped by callback after {step} iterations"
                break
        final = objective(theta)[0]
        if not np.isfinite(final):
            raise FloatingPointError("the cost diverged; try a smaller learning_rate")
        history.append(final)
        return theta, history, message

    def _quasi_newton(self, objective, theta, callback):
        """BFGS or L-BFGS-B from SciPy, with the gradient supplied by the engine."""
        history = [objective(theta)[0]]

        def record(intermediate_result):
            history.append(float(intermediate_result.fun))
            if callback is not None and callback(np.array(intermediate_result.x)):
                raise StopIteration

        if self.optimizer == "bfgs":
            # gtol=0: stop on max_iter (or when the line search can make no progress).
            options = {"maxiter": int(self.max_iter), "gtol": 0.0}
            method = "BFGS"
        else:
            # ftol compares the decrease with max(|f|, 1); our costs are << 1, so the
            # default ftol would stop long before the residual is small.
            options = {"maxiter": int(self.max_iter), "maxfun": 20 * int(self.max_iter),
                       "ftol": 0.0, "gtol": 0.0, "maxcor": 20}
            method = "L-BFGS-B"
        result = scipy.optimize.minimize(
            objective, theta, jac=True, method=method, options=options, callback=record
        )
        if not np.isfinite(result.fun):
            raise FloatingPointError("the cost diverged during the line search")
        return np.asarray(result.x, dtype=float), history, str(result.message)

    # -- using the result -----------------------------------------------------------------

    def _theta(self, theta):
        if theta is None:
            self._check_fitted()
            return self.params_
        theta = np.asarray(theta, dtype=float)
        if theta.shape != (parameter_count(self.layer_sizes),):
            raise ValueError(
                f"theta must have shape ({parameter_count(self.layer_sizes)},); got {theta.shape}"
            )
        return theta

    def predict(self, X, theta=None) -> np.ndarray:
        """The trial solution g_t at the rows of X, shape (n_points,).

        Uses the fitted parameters, or ``theta`` when given (e.g. inside a callback).
        """
        theta = self._theta(theta)
        X = _check_points(X, self.problem.n_inputs)
        A = np.asarray(self.problem.boundary(X) + 0.0 * X[:, 0])
        B = np.asarray(self.problem.multiplier(X) + 0.0 * X[:, 0])
        return A + B * network_output(theta, X, self.layer_sizes, self.activation)

    def residual(self, X, theta=None) -> np.ndarray:
        """The equation's residual of the trial solution at the rows of X."""
        theta = self._theta(theta)
        X = _check_points(X, self.problem.n_inputs)
        g, dg, d2g = trial_jet(self.problem, theta, X, self.layer_sizes, self.activation)
        return np.asarray(self.problem.residual(X, g, dg, d2g))


class TensorFlowTrialSolver(TrialSolver):
    """The same solver with the cost and its gradient computed by TensorFlow.

    Introduced in chapter 6. Same parameters, initial values, trial form, residual,
    cost and optimizers as :class:`TrialSolver`; only the engine differs: N's input
    derivatives come from nested ``tf.GradientTape``s (the inner tapes differentiate
    with respect to the points, the outer one with respect to the parameters) inside a
    ``tf.function``, in float64. TensorFlow is imported on first use.
    """

    def _objective(self, X: np.ndarray) -> Callable:
        tf = _import_tensorflow()
        problem, sizes, activation = self.problem, self.layer_sizes, self.activation
        factors = _trial_factors(problem, X)
        constraints = self._constraint_data()
        X_tf = tf.constant(X, dtype=tf.float64)
        n_inputs = X.shape[1]
        weight = float(self.constraint_weight)
        mean = self.reduction == "mean"

        def network(theta, points):
            a, start = points, 0
            for index, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
                W = tf.reshape(theta[start : start + n_in * n_out], (n_in, n_out))
                start += n_in * n_out
                b = theta[start : start + n_out]
                start += n_out
                z = tf.matmul(a, W) + b
                if index < len(sizes) - 2:
                    a = tf.sigmoid(z) if activation == "sigmoid" else tf.tanh(z)
            return z[:, 0]

        @tf.function
        def cost_and_gradient(theta):
            with tf.GradientTape() as tape_theta:
                tape_theta.watch(theta)
                with tf.GradientTape(persistent=True) as tape_second:
                    tape_second.watch(X_tf)
                    with tf.GradientTape() as tape_first:
                        tape_first.watch(X_tf)
                        N = network(theta, X_tf)
                    # Row i of the gradient of sum(N) is dN_i/dx_i: points are independent.
                    dN = tape_first.gradient(N, X_tf)
                    columns = [dN[:, k] for k in range(n_inputs)]
                d2N = None
                if problem.order == 2:
                    d2N = tf.stack(
                        [tape_second.gradient(columns[k], X_tf)[:, k] for k in range(n_inputs)],
                        axis=1,
                    )
                del tape_second
                g, dg, d2g = _combine(factors, N, dN, d2N)
                squares = problem.residual(X, g, dg, d2g) ** 2
                cost = tf.reduce_mean(squares) if mean else tf.reduce_sum(squares)
                if constraints is not None:
                    Xb, Ab, Bb, gb = constraints
                    misfit = Ab + Bb * network(theta, tf.constant(Xb)) - gb
                    cost = cost + weight * tf.reduce_mean(misfit**2)
            return cost, tape_theta.gradient(cost, theta)

        def objective(theta):
            cost, grad = cost_and_gradient(tf.constant(theta, dtype=tf.float64))
            return float(cost.numpy()), grad.numpy()

        return objective

    def _cost_function(self, X: np.ndarray) -> Callable:
        objective = self._objective(X)
        return lambda theta: objective(theta)[0]


def _import_tensorflow():
    """Import TensorFlow quietly (the environment variables must be set before import)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    import tensorflow as tf

    # Retracing notices are performance hints printed to stderr; they would end up in
    # notebook outputs.
    tf.get_logger().setLevel("ERROR")
    return tf


# ---------------------------------------------------------------------------------------
# Classical references
# ---------------------------------------------------------------------------------------


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
