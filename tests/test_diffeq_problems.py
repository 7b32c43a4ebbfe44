"""Tests of the problems, classical methods and benchmark added to nnbook.diffeq (chapter 6).

References are independent of the code under test: centred finite differences of the
analytic solutions, closed forms the discrete schemes must reproduce exactly, observed
orders of convergence, the agreement of two unrelated Burgers solvers (Cole-Hopf
quadrature and a method of lines), and TensorFlow's GradientTape.
"""

import os

import numpy as np
import pytest

from nnbook import diffeq as de
from nnbook.diffeq import benchmark

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

NEW_PROBLEMS = [de.damped_oscillator(), de.damped_oscillator(g0=0.5, v0=-3.0),
                de.wave_1d(c=1.5), de.poisson_2d(), de.burgers(nu=0.1)]


# The same independent references as the tests of the original problems.
from test_diffeq import centred_input_derivatives as centred  # noqa: E402
from test_diffeq import relative_error  # noqa: E402


def interior_points(problem, n=5, margin=0.05):
    return de.grid([(lo + margin, hi - margin) for lo, hi in problem.domain], n)


@pytest.mark.parametrize("problem", NEW_PROBLEMS, ids=lambda p: p.name)
def test_analytic_solutions_satisfy_their_equations(problem):
    X = interior_points(problem)
    first, second = centred(problem.analytic, X)
    residual = problem.residual(X, problem.analytic(X), first, second)
    scale = max(1.0, np.max(np.abs(second)))
    assert np.max(np.abs(residual)) < 1e-5 * scale


@pytest.mark.parametrize("problem", NEW_PROBLEMS, ids=lambda p: p.name)
def test_trial_derivatives_match_finite_differences(problem):
    sizes = (problem.n_inputs, 6, 1)
    theta = de.init_parameters(sizes, seed=8, scheme="normal")
    X = interior_points(problem, n=4)
    g, dg, d2g = de.trial_jet(problem, theta, X, sizes, "tanh")
    first, second = centred(lambda Y: de.trial_jet(problem, theta, Y, sizes, "tanh")[0], X)
    assert relative_error(dg, first) < 1e-8
    assert relative_error(d2g, second) < 1e-5


def test_trial_solutions_hold_their_conditions_for_any_parameters():
    rng = np.random.default_rng(3)
    kicked = de.damped_oscillator(g0=0.5, v0=-3.0)
    theta = rng.normal(size=de.parameter_count((1, 5, 1)))
    g, dg, _ = de.trial_jet(kicked, theta, np.array([[0.0]]), (1, 5, 1), "tanh")
    assert g[0] == 0.5 and dg[0, 0] == -3.0  # both initial conditions, exactly
    x = np.linspace(0, 1, 7)
    for problem, points, values in [
        (de.wave_1d(), np.stack([x, 0 * x], axis=1), np.sin(np.pi * x)),
        (de.wave_1d(), np.array([[0.0, 0.4], [1.0, 0.9]]), [0.0, 0.0]),
        (de.poisson_2d(), np.array([[0.0, 0.3], [1.0, 0.6], [0.2, 0.0], [0.7, 1.0]]),
         np.zeros(4)),
        (de.burgers(), np.stack([2 * x - 1, 0 * x], axis=1), -np.sin(np.pi * (2 * x - 1))),
        (de.burgers(), np.array([[-1.0, 0.5], [1.0, 0.8]]), [0.0, 0.0]),
    ]:
        sizes = (2, 5, 1)
        theta = rng.normal(size=de.parameter_count(sizes))
        g, dg, _ = de.trial_jet(problem, theta, points, sizes, "tanh")
        np.testing.assert_allclose(g, values, atol=1e-15)
        if problem.name == "wave" and np.all(points[:, 1] == 0):
            np.testing.assert_allclose(dg[:, 1], 0.0, atol=1e-15)  # released at rest


def test_tensorflow_gradient_matches_autograd_for_nonlinear_and_2d_problems():
    for problem in (de.burgers(), de.poisson_2d(), de.damped_oscillator()):
        X = de.grid(problem.domain, 5 if problem.n_inputs == 2 else 9)
        sizes = (problem.n_inputs, 4, 1)
        theta = de.init_parameters(sizes, seed=5, scheme="normal")
        ours = de.TrialSolver(problem, (4,), "tanh")
        theirs = de.TensorFlowTrialSolver(problem, (4,), "tanh")
        assert relative_error(ours.gradient(X, theta), theirs.gradient(X, theta)) < 1e-12


def test_cole_hopf_and_method_of_lines_agree_and_converge():
    nu = 0.01 / np.pi
    t_eval = np.array([0.0, 0.5, 1.0])
    errors = []
    for n in (1024, 2048):
        x, U = de.burgers_fd(lambda x: -np.sin(np.pi * x), nu, n, t_eval)
        reference = de.burgers_cole_hopf(x[None, :], t_eval[:, None], nu)
        errors.append(np.max(np.abs(U - reference)))
    # Two unrelated methods: the difference shrinks at the finite differences' order two.
    assert errors[1] < 2e-3 and 3.5 < errors[0] / errors[1] < 4.5
    # Symmetry of the exact solution: odd in x, zero at the ends and at x = 0.
    x = np.linspace(-1, 1, 41)
    u = de.burgers_cole_hopf(x, 0.7, nu)
    np.testing.assert_allclose(u, -u[::-1], atol=1e-12)
    assert abs(u[0]) < 1e-12 and abs(u[20]) < 1e-12
    # Quadrature converged: more nodes change nothing visible.
    finer = de.burgers_cole_hopf(x, 0.7, nu, n_nodes=8001)
    np.testing.assert_allclose(u, finer, atol=1e-9)


def test_wave_leapfrog_second_order_exact_at_courant_one_and_stability_guard():
    def initial(x):
        return np.sin(np.pi * x)

    errors = []
    for n in (20, 40):
        x, t, U = de.wave_leapfrog(initial, 1.0, n, 1.0, 2 * n)
        exact = np.sin(np.pi * x)[None, :] * np.cos(np.pi * t)[:, None]
        errors.append(np.max(np.abs(U - exact)))
    assert 3.8 < errors[0] / errors[1] < 4.2
    # At C = 1 the scheme moves the solution one cell per step: d'Alembert, exactly.
    x, t, U = de.wave_leapfrog(initial, 1.0, 16, 1.0, 16)
    exact = np.sin(np.pi * x)[None, :] * np.cos(np.pi * t)[:, None]
    assert np.max(np.abs(U - exact)) < 1e-13
    with pytest.raises(ValueError, match="unstable"):
        de.wave_leapfrog(initial, 1.0, 16, 1.0, 15)


def test_poisson_2d_fd_exact_for_quartic_free_solution_and_second_order():
    # u = x(1-x) y(1-y) has u_xxxx = u_yyyy = 0, so the five-point stencil is exact.
    x, y, U = de.poisson_2d_fd(lambda x, y: 2 * y * (1 - y) + 2 * x * (1 - x), 6)
    exact = (x * (1 - x))[:, None] * (y * (1 - y))[None, :]
    np.testing.assert_allclose(U, exact, atol=1e-14)
    problem = de.poisson_2d()
    errors = []
    for n in (16, 32):
        x, y, U = de.poisson_2d_fd(
            lambda x, y: 5 * np.pi**2 * np.sin(np.pi * x) * np.sin(2 * np.pi * y), n)
        errors.append(np.max(np.abs(U.ravel() - problem.analytic(de.grid(problem.domain,
                                                                        n + 1)))))
    assert 3.8 < errors[0] / errors[1] < 4.2


def test_relative_l2_error():
    assert de.relative_l2_error([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert de.relative_l2_error([3.0, 4.0], [0.0, 0.0]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="shape"):
        de.relative_l2_error([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="reference"):
        de.relative_l2_error([0.0, 0.0], [1.0, 1.0])


def test_bad_input_to_new_problems_and_methods():
    with pytest.raises(ValueError, match="zeta"):
        de.damped_oscillator(zeta=1.0)
    with pytest.raises(ValueError, match="omega"):
        de.damped_oscillator(omega=0.0)
    with pytest.raises(ValueError, match="c "):
        de.wave_1d(c=0.0)
    with pytest.raises(ValueError, match="kx"):
        de.poisson_2d(kx=0)
    with pytest.raises(ValueError, match="nu"):
        de.burgers(nu=-1.0)
    with pytest.raises(ValueError, match="n_intervals"):
        de.poisson_2d_fd(lambda x, y: x, 1)
    with pytest.raises(ValueError, match="t_eval"):
        de.burgers_fd(lambda x: x, 0.1, 8, [0.5, 0.2])
    with pytest.raises(ValueError, match="t must be"):
        de.burgers_cole_hopf(0.0, -1.0, 0.1)


def test_benchmark_band_and_classical_search():
    assert benchmark.within_band(1.2, 1.0, 0.1)
    assert benchmark.within_band(9.5, 1.0, 0.1) and not benchmark.within_band(10.5, 1.0, 0.1)
    assert not benchmark.within_band(1.4, 1.0, 0.1, floor=0.2)
    assert benchmark.within_band(1.4, 1.0, 0.01, floor=0.5)  # the floor, not 3 std
    result = benchmark.run_classical("poisson", 1e-4)
    assert result["reached"] and result["max_error"] <= 1e-4
    # The search stops at the coarsest resolution that meets the target.
    assert result["resolution"] == "n = 64"
    settings = benchmark.CASES["wave"].settings()
    assert settings["parameters"] == 81 and settings["collocation_points"] == 121


def test_committed_results_cover_every_case():
    results = benchmark.load_results()
    assert set(results["cases"]) == set(benchmark.CASES)
    for name, case in results["cases"].items():
        assert len(case["runs"]) == len(results["seeds"]) >= 5
        errors = [run["relative_l2"] for run in case["runs"]]
        assert case["relative_l2"]["mean"] == pytest.approx(np.mean(errors))
        assert case["settings"]["max_iter"] == benchmark.CASES[name].max_iter


def test_public_names_of_the_former_module_are_still_importable():
    # The names nnbook.diffeq exported before it became a subpackage, as the notebooks
    # and other code import them.
    former = ["Problem", "TrialSolver", "TensorFlowTrialSolver", "exponential_decay",
              "logistic_growth", "poisson_1d", "diffusion_1d", "grid", "parameter_count",
              "init_parameters", "unpack_parameters", "network_output", "network_jet",
              "trial_jet", "forward_euler", "poisson_fd", "ftcs_diffusion", "max_abs_error"]
    for name in former:
        assert name in de.__all__ and callable(getattr(de, name)), name
    assert de.ACTIVATIONS == ("sigmoid", "tanh")
    assert de.OPTIMIZERS == ("gd", "adam", "bfgs", "l-bfgs-b")
