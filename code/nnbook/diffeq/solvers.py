"""Training a trial solution: the autograd solver and its TensorFlow twin (chapter 6).

:class:`TrialSolver` minimises the mean (or summed) squared residual at collocation points
with gradient descent or Adam (the optimizers of chapter 4, :mod:`nnbook.optimizers`) or
with BFGS or L-BFGS-B from SciPy; the cost's gradient comes from autograd.
:class:`TensorFlowTrialSolver` computes the same cost and gradient with nested
``GradientTape``s; TensorFlow is imported only when it is used.
"""

from __future__ import annotations

import time
from typing import Callable, Optional

import autograd.numpy as anp
import numpy as np
import scipy.optimize
from autograd import value_and_grad
from threadpoolctl import threadpool_limits

from ..optimizers import SGD, Adam
from ..validation import check_number, check_positive_int
from .mlp import (_check_activation, _check_layer_sizes, init_parameters, network_jet,
                  network_output, parameter_count)
from .problems import Problem, _check_points
from .trial import _combine, _trial_factors, trial_jet

OPTIMIZERS = ("gd", "adam", "bfgs", "l-bfgs-b")


class TrialSolver:
    """Train a trial solution g_t = phi + psi N(x; theta) of a :class:`Problem`.

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
        check_number(self.learning_rate, "learning_rate")
        check_positive_int(self.max_iter, "max_iter")
        if self.reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum'; got {self.reduction!r}")
        if self.init not in ("glorot", "normal"):
            raise ValueError(f"init must be 'glorot' or 'normal'; got {self.init!r}")
        check_number(self.constraint_weight, "constraint_weight", "non-negative number")

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
        return Xb, factors["phi"], factors["psi"], np.asarray(problem.constraint_values, float)

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
                Xb, phi_b, psi_b, g_b = constraints
                misfit = phi_b + psi_b * network_output(theta, Xb, sizes, activation) - g_b
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
        """Plain gradient descent or Adam (chapter 4's optimizers), fixed iteration count."""
        optimizer_class = SGD if self.optimizer == "gd" else Adam
        optimizer = optimizer_class(learning_rate=float(self.learning_rate))
        theta = np.array(theta, dtype=float)
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
            # The optimizer updates the array in place; the callback gets a copy.
            optimizer.step([theta], [grad])
            if callback is not None and callback(theta.copy()):
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
        phi = np.asarray(self.problem.boundary(X) + 0.0 * X[:, 0])
        psi = np.asarray(self.problem.multiplier(X) + 0.0 * X[:, 0])
        return phi + psi * network_output(theta, X, self.layer_sizes, self.activation)

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
                    Xb, phi_b, psi_b, g_b = constraints
                    misfit = phi_b + psi_b * network(theta, tf.constant(Xb)) - g_b
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
    """TensorFlow through the package's one importer (``frameworks.import_tensorflow``)."""
    from ..frameworks import import_tensorflow

    tf, _ = import_tensorflow()
    # Retracing notices are performance hints printed to stderr; they would end up in
    # notebook outputs.
    tf.get_logger().setLevel("ERROR")
    return tf

