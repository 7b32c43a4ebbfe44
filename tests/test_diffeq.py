"""Tests of nnbook.diffeq (chapter 6): input derivatives, trial solutions, solvers, references.

References are independent of the code under test: centred finite differences, autograd's
own elementwise gradients, analytic solutions, closed forms of the discrete schemes, and
TensorFlow's GradientTape.
"""

import os

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import elementwise_grad

from nnbook import diffeq as de

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def relative_error(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


def centred_input_derivatives(func, X, h1=1e-5, h2=1e-4):
    """First and pure second derivatives of a pointwise function by centred differences.

    Steps balance truncation (h^2) against rounding (eps/h for the first, eps/h^2 for the
    second derivative).
    """
    first, second = [], []
    value = func(X)
    for k in range(X.shape[1]):
        step = np.zeros_like(X)
        step[:, k] = 1.0
        first.append((func(X + h1 * step) - func(X - h1 * step)) / (2 * h1))
        second.append((func(X + h2 * step) - 2 * value + func(X - h2 * step)) / h2**2)
    return np.stack(first, axis=1), np.stack(second, axis=1)


# ---------------------------------------------------------------------------------------
# Derivatives with respect to the inputs
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
@pytest.mark.parametrize("sizes", [(1, 7, 1), (2, 6, 5, 1), (3, 4, 4, 4, 1)])
def test_network_jet_matches_finite_differences_and_autograd(activation, sizes):
    rng = np.random.default_rng(1)
    theta = de.init_parameters(sizes, seed=3, scheme="normal")
    X = rng.uniform(-1, 1, size=(9, sizes[0]))

    def net(Y):
        return de.network_output(theta, Y, sizes, activation)

    N, dN, d2N = de.network_jet(theta, X, sizes, activation)
    fd_first, fd_second = centred_input_derivatives(net, X)
    np.testing.assert_allclose(N, net(X), rtol=1e-13, atol=1e-13)
    assert relative_error(dN, fd_first) < 1e-8
    assert relative_error(d2N, fd_second) < 1e-5
    # autograd's reverse mode, column by column, agrees to rounding
    ag_first = elementwise_grad(net)(X)
    assert relative_error(dN, ag_first) < 1e-13
    for k in range(sizes[0]):
        ag_second = elementwise_grad(lambda Y, k=k: elementwise_grad(net)(Y)[:, k])(X)[:, k]
        assert relative_error(d2N[:, k], ag_second) < 1e-12
    N1, dN1, d2N1 = de.network_jet(theta, X, sizes, activation, order=1)
    assert d2N1 is None and np.array_equal(dN1, dN)


@pytest.mark.parametrize(
    "problem", [de.exponential_decay(), de.logistic_growth(), de.poisson_1d(),
                de.poisson_1d(hard=False), de.diffusion_1d()],
    ids=lambda p: p.name,
)
def test_trial_jet_product_rule_matches_finite_differences(problem):
    sizes = (problem.n_inputs, 6, 1)
    theta = de.init_parameters(sizes, seed=5, scheme="normal")
    rng = np.random.default_rng(2)
    lows = np.array([lo for lo, hi in problem.domain])
    highs = np.array([hi for lo, hi in problem.domain])
    X = rng.uniform(lows, highs, size=(8, problem.n_inputs))

    def trial(Y):
        return de.trial_jet(problem, theta, Y, sizes, "tanh")[0]

    g, dg, d2g = de.trial_jet(problem, theta, X, sizes, "tanh")
    fd_first, fd_second = centred_input_derivatives(trial, X)
    assert relative_error(dg, fd_first) < 1e-8
    if problem.order == 2:
        assert relative_error(d2g, fd_second) < 1e-5
    else:
        assert d2g is None


def test_hard_constraints_hold_for_any_parameters():
    theta_rng = np.random.default_rng(4)
    for problem, points, values in [
        (de.exponential_decay(gamma=2.0, g0=10.0), np.array([[0.0]]), [10.0]),
        (de.logistic_growth(g0=0.1), np.array([[0.0]]), [0.1]),
        (de.poisson_1d(), np.array([[0.0], [1.0]]), [0.0, 0.0]),
        (de.diffusion_1d(), np.stack([np.linspace(0, 1, 5), np.zeros(5)], axis=1),
         np.sin(np.pi * np.linspace(0, 1, 5))),
        (de.diffusion_1d(), np.array([[0.0, 0.3], [1.0, 0.2]]), [0.0, 0.0]),
    ]:
        solver = de.TrialSolver(problem, (5,))
        solver.params_ = theta_rng.normal(size=de.parameter_count(solver.layer_sizes))
        np.testing.assert_allclose(solver.predict(points), values, atol=1e-15)


@pytest.mark.parametrize(
    "problem", [de.exponential_decay(), de.logistic_growth(), de.poisson_1d(), de.diffusion_1d()],
    ids=lambda p: p.name,
)
def test_analytic_solutions_satisfy_their_equations(problem):
    # Feed the analytic solution's finite-difference derivatives into the residual.
    X = de.grid([(lo + 0.05, hi - 0.05) for lo, hi in problem.domain], 6)
    first, second = centred_input_derivatives(problem.analytic, X)
    residual = problem.residual(X, problem.analytic(X), first, second)
    assert np.max(np.abs(residual)) < 1e-5


def test_parameter_gradient_matches_finite_differences():
    problem = de.diffusion_1d()
    solver = de.TrialSolver(problem, (4,), activation="sigmoid")
    X = de.grid(problem.domain, 4)
    theta = de.init_parameters(solver.layer_sizes, seed=7, scheme="normal")
    gradient = solver.gradient(X, theta)
    h = 1e-6
    numeric = np.array([
        (solver.cost(X, theta + h * e) - solver.cost(X, theta - h * e)) / (2 * h)
        for e in np.eye(theta.size)
    ])
    assert relative_error(gradient, numeric) < 1e-7


def test_grid_ordering_and_shapes():
    points = de.grid([(0, 1), (0, 0.5)], (3, 2))
    expected = [[0, 0], [0, 0.5], [0.5, 0], [0.5, 0.5], [1, 0], [1, 0.5]]
    np.testing.assert_array_equal(points, expected)
    assert de.grid([(0, 1)], 5).shape == (5, 1)


# ---------------------------------------------------------------------------------------
# Each problem reaches its accuracy on a small budget
# ---------------------------------------------------------------------------------------


def test_exponential_decay_reaches_1e_5():
    problem = de.exponential_decay()
    solver = de.TrialSolver(problem, (10,), "sigmoid", "bfgs", max_iter=800, seed=2024)
    solver.fit(de.grid(problem.domain, 31))
    X_test = de.grid(problem.domain, 101)
    assert de.max_abs_error(problem, X_test, solver.predict(X_test)) <= 1e-5
    assert solver.history_[-1] < 1e-3 * solver.history_[0]


def test_logistic_growth_reaches_1e_5():
    problem = de.logistic_growth()
    solver = de.TrialSolver(problem, (10,), "sigmoid", "bfgs", max_iter=600, seed=2024)
    solver.fit(de.grid(problem.domain, 61))
    X_test = de.grid(problem.domain, 101)
    assert de.max_abs_error(problem, X_test, solver.predict(X_test)) <= 1e-5


def test_poisson_reaches_1e_4_with_hard_and_soft_constraints():
    for hard in (True, False):
        problem = de.poisson_1d(hard=hard)
        solver = de.TrialSolver(problem, (10,), "sigmoid", "l-bfgs-b", max_iter=300, seed=2024)
        solver.fit(de.grid(problem.domain, 21))
        X_test = de.grid(problem.domain, 101)
        assert de.max_abs_error(problem, X_test, solver.predict(X_test)) <= 1e-4


def test_diffusion_reaches_1e_3():
    problem = de.diffusion_1d()
    solver = de.TrialSolver(problem, (20,), "tanh", "bfgs", max_iter=300, seed=2024)
    solver.fit(de.grid(problem.domain, 11))
    X_test = de.grid(problem.domain, 51)
    assert de.max_abs_error(problem, X_test, solver.predict(X_test)) <= 1e-3


def test_first_order_optimizers_decrease_the_cost_and_callback_stops():
    problem = de.exponential_decay()
    X = de.grid(problem.domain, 10)
    for optimizer, rate in (("gd", 1e-3), ("adam", 1e-2)):
        solver = de.TrialSolver(problem, (10,), optimizer=optimizer, learning_rate=rate,
                                max_iter=300, reduction="sum", init="normal", seed=15).fit(X)
        assert solver.history_.shape == (301,)
        assert solver.history_[-1] < 0.5 * solver.history_[0]
    calls = []
    solver = de.TrialSolver(problem, (10,), optimizer="bfgs", max_iter=100)
    solver.fit(X, callback=lambda theta: calls.append(1) or len(calls) == 5)
    assert solver.n_iter_ == 5


def test_same_seed_same_result_bit_for_bit():
    problem = de.poisson_1d()
    X = de.grid(problem.domain, 11)
    runs = [de.TrialSolver(problem, (6,), max_iter=50, seed=3).fit(X).params_ for _ in range(2)]
    assert np.array_equal(runs[0], runs[1])


def test_tensorflow_solver_matches_autograd():
    pytest.importorskip("tensorflow", reason="TensorFlow is not installed: the TensorFlow "
                        "solver cannot be compared (pip install -r requirements.txt)")
    problem = de.diffusion_1d()
    X = de.grid(problem.domain, 6)
    theta = de.init_parameters((2, 5, 1), seed=11, scheme="normal")
    ours = de.TrialSolver(problem, (5,), "tanh")
    theirs = de.TensorFlowTrialSolver(problem, (5,), "tanh")
    assert relative_error(ours.gradient(X, theta), theirs.gradient(X, theta)) < 1e-12
    assert abs(ours.cost(X, theta) - theirs.cost(X, theta)) < 1e-12 * ours.cost(X, theta)
    soft = de.poisson_1d(hard=False)
    Xs = de.grid(soft.domain, 7)
    theta = de.init_parameters((1, 4, 1), seed=12)
    assert relative_error(de.TrialSolver(soft, (4,)).gradient(Xs, theta),
                          de.TensorFlowTrialSolver(soft, (4,)).gradient(Xs, theta)) < 1e-12
    fitted = de.TensorFlowTrialSolver(de.poisson_1d(), (10,), max_iter=100, seed=2024)
    fitted.fit(de.grid([(0, 1)], 21))
    X_test = de.grid([(0, 1)], 101)
    assert de.max_abs_error(fitted.problem, X_test, fitted.predict(X_test)) <= 1e-4


# ---------------------------------------------------------------------------------------
# Classical references
# ---------------------------------------------------------------------------------------


def test_forward_euler_is_the_closed_form_for_linear_decay():
    t, g = de.forward_euler(lambda t, g: -2.0 * g, 10.0, 1.0, 50)
    h = 1.0 / 50
    np.testing.assert_allclose(g, 10.0 * (1 - 2.0 * h) ** np.arange(51), rtol=1e-13)
    np.testing.assert_allclose(t, np.linspace(0, 1, 51), atol=1e-15)
    # first order: halving h halves the error
    errors = [abs(de.forward_euler(lambda t, g: -2.0 * g, 10.0, 1.0, n)[1][-1] - 10 * np.exp(-2))
              for n in (400, 800)]
    assert 1.9 < errors[0] / errors[1] < 2.1
    # vector states
    t, G = de.forward_euler(lambda t, g: anp.array([g[1], -g[0]]), np.array([0.0, 1.0]), 1.0, 4)
    assert G.shape == (5, 2)


def test_poisson_fd_exact_for_quadratics_and_second_order():
    # -g'' = 2 has the solution x (1 - x), which the three-point stencil reproduces exactly
    x, g = de.poisson_fd(lambda x: 2.0 + 0 * x, 8)
    np.testing.assert_allclose(g, x * (1 - x), atol=1e-14)
    x, g = de.poisson_fd(lambda x: np.zeros_like(x), 5, left=1.0, right=3.0)
    np.testing.assert_allclose(g, 1.0 + 2.0 * x, atol=1e-14)
    problem = de.poisson_1d()
    errors = []
    for n in (20, 40):
        x, g = de.poisson_fd(lambda x: (3 * x + x**2) * np.exp(x), n)
        errors.append(de.max_abs_error(problem, x[:, None], g))
    assert 3.9 < errors[0] / errors[1] < 4.1


def test_ftcs_matches_its_discrete_closed_form_and_guards_stability():
    n, steps, t_end = 20, 900, 0.5
    x, t, U = de.ftcs_diffusion(lambda x: np.sin(np.pi * x), n, t_end, steps)
    r = (t_end / steps) * n**2
    factor = 1 - 4 * r * np.sin(np.pi / (2 * n)) ** 2
    expected = factor ** np.arange(steps + 1)[:, None] * np.sin(np.pi * x)[None, :]
    np.testing.assert_allclose(U, expected, atol=1e-13)
    assert U.shape == (steps + 1, n + 1) and t[-1] == pytest.approx(t_end)
    with pytest.raises(ValueError, match="dx\\^2/2"):
        de.ftcs_diffusion(lambda x: np.sin(np.pi * x), n, t_end, 399)
    de.ftcs_diffusion(lambda x: np.sin(np.pi * x), n, t_end, 400)  # r = 1/2 exactly is allowed


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------


def test_bad_input_is_rejected_with_named_arguments():
    problem = de.exponential_decay()
    X = de.grid(problem.domain, 5)
    with pytest.raises(ValueError, match="optimizer"):
        de.TrialSolver(problem, optimizer="newton").fit(X)
    with pytest.raises(ValueError, match="activation"):
        de.TrialSolver(problem, activation="relu").fit(X)
    with pytest.raises(ValueError, match="learning_rate"):
        de.TrialSolver(problem, learning_rate=0.0).fit(X)
    with pytest.raises(ValueError, match="max_iter"):
        de.TrialSolver(problem, max_iter=0).fit(X)
    # One number check for the whole package (nnbook.validation): True is no learning
    # rate, a string no weight, and a negative weight is out of range.
    with pytest.raises(TypeError, match="learning_rate"):
        de.TrialSolver(problem, learning_rate=True).fit(X)
    with pytest.raises(TypeError, match="constraint_weight"):
        de.TrialSolver(problem, constraint_weight="1").fit(X)
    with pytest.raises(ValueError, match="constraint_weight"):
        de.TrialSolver(problem, constraint_weight=-1.0).fit(X)
    with pytest.raises(ValueError, match="X must have shape"):
        de.TrialSolver(problem).fit(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="NaN"):
        de.TrialSolver(problem).fit(np.array([[0.0], [np.nan]]))
    with pytest.raises(TypeError, match="problem"):
        de.TrialSolver("decay").fit(X)
    with pytest.raises(ValueError, match="layer_sizes"):
        de.parameter_count((1, 1))
    with pytest.raises(ValueError, match="n_steps"):
        de.forward_euler(lambda t, g: -g, 1.0, 1.0, 0)
    with pytest.raises(RuntimeError, match="not fitted"):
        de.TrialSolver(problem).predict(X)
    theta = de.init_parameters((2, 3, 1))
    with pytest.raises(ValueError, match="X must have shape"):
        de.network_jet(theta, np.zeros((4, 3)), (2, 3, 1))
    with pytest.raises(ValueError, match="theta must have shape"):
        de.network_output(theta[:-1], np.zeros((4, 2)), (2, 3, 1))
    with pytest.raises(ValueError, match="n_points"):
        de.grid([(0, 1)], 1)


def test_divergence_raises_instead_of_returning_nan():
    problem = de.exponential_decay()
    solver = de.TrialSolver(problem, (10,), optimizer="gd", learning_rate=1e6, max_iter=200,
                            reduction="sum", init="normal")
    with pytest.raises(FloatingPointError, match="smaller learning_rate"):
        solver.fit(de.grid(problem.domain, 10))
