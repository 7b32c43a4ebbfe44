"""The chapter 6 benchmark: every problem, one network set-up, errors over seeds.

Introduced in chapter 6. :data:`CASES` fixes, per problem, the network, the collocation
points, the optimizer and its iterations, and the test points. :func:`run_network` trains
one seed and measures the relative L2 and maximum errors against the reference;
:func:`run_classical` runs the problem's classical method at increasing resolution until
it is at least as accurate as a given maximum error, and times that run.
``bench/diffeq.py`` runs every case over five seeds and writes the statistics to
``data/diffeq-benchmark.json``; the chapter's benchmark notebook re-runs one seed of each
case and checks it against that file (:func:`load_results`, :func:`within_band`).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import scipy.integrate

from . import classical, problems
from .mlp import parameter_count
from .solvers import TrialSolver

RESULTS_FILE = Path(__file__).resolve().parents[3] / "data" / "diffeq-benchmark.json"


@dataclass(frozen=True)
class Case:
    """One row of the benchmark table: a problem and the network set-up that solves it.

    Introduced in chapter 6. ``make_problem()`` returns the :class:`Problem`;
    ``train_points`` and ``test_points`` are the counts given to :func:`problems.grid`;
    ``classical`` names the reference method that :func:`run_classical` runs.
    ``marching`` optionally lists the ends of growing time intervals [0, end] trained
    one after the other from the previous parameters (time marching), each for
    ``max_iter`` iterations on equally spaced points at the density of ``train_points``.
    """

    label: str
    make_problem: Callable
    hidden_sizes: tuple
    activation: str
    optimizer: str
    max_iter: int
    train_points: object
    test_points: object
    classical: str
    marching: tuple = ()

    def settings(self) -> dict:
        """The set-up as plain data (for the results file)."""
        fields = asdict(self)
        fields.pop("make_problem")
        problem = self.make_problem()
        fields["parameters"] = parameter_count((problem.n_inputs, *self.hidden_sizes, 1))
        fields["collocation_points"] = int(problems.grid(problem.domain,
                                                         self.train_points).shape[0])
        fields["iterations"] = self.max_iter * max(1, len(self.marching))
        return fields


CASES = {
    "decay": Case("exponential decay", problems.exponential_decay, (10,), "sigmoid",
                  "bfgs", 500, 31, 101, "solve_ivp (RK45)"),
    "logistic": Case("logistic growth", problems.logistic_growth, (10,), "sigmoid",
                     "bfgs", 500, 61, 101, "solve_ivp (RK45)"),
    # The same network, trained on [0, 1], then [0, 2], then [0, 3] (the failure case's
    # fix in the chapter).
    "logistic_marching": Case("logistic, time marching", problems.logistic_growth, (10,),
                              "sigmoid", "bfgs", 200, 61, 101, "solve_ivp (RK45)",
                              marching=(1.0, 2.0, 3.0)),
    "oscillator": Case("damped oscillator", problems.damped_oscillator, (20,), "tanh",
                       "bfgs", 600, 41, 201, "solve_ivp (RK45)"),
    "poisson": Case("Poisson 1D", problems.poisson_1d, (10,), "sigmoid", "bfgs", 300, 21,
                    101, "finite differences"),
    "poisson_2d": Case("Poisson 2D", problems.poisson_2d, (20,), "tanh", "bfgs", 600,
                       (11, 11), (51, 51), "finite differences (5-point)"),
    "diffusion": Case("diffusion", problems.diffusion_1d, (20,), "tanh", "bfgs", 300,
                      (11, 11), (51, 51), "FTCS (r = 1/2)"),
    "wave": Case("wave", problems.wave_1d, (20,), "tanh", "bfgs", 600, (11, 11), (51, 51),
                 "leapfrog (Courant 1/2)"),
    "burgers": Case("Burgers", problems.burgers, (20,), "tanh", "bfgs", 300, (21, 21),
                    (101, 51), "method of lines (RK45)"),
    # The longer run of the failure case: more points, a deeper network, more iterations
    # (L-BFGS-B, whose iterations stay cheap with a thousand parameters). Bench only.
    "burgers_long": Case("Burgers, longer run", problems.burgers, (20, 20), "tanh",
                         "l-bfgs-b", 2000, (41, 41), (101, 51), "method of lines (RK45)"),
}
NOTEBOOK_CASES = tuple(name for name in CASES if name != "burgers_long")


def run_network(name: str, seed: int) -> dict:
    """Train case ``name`` from ``seed``; errors on its test grid and training seconds.

    Introduced in chapter 6.
    """
    case = CASES[name]
    problem = case.make_problem()
    solver = TrialSolver(problem, hidden_sizes=case.hidden_sizes,
                         activation=case.activation, optimizer=case.optimizer,
                         max_iter=case.max_iter, seed=int(seed))
    X_train = problems.grid(problem.domain, case.train_points)
    if not case.marching:
        solver.fit(X_train)
        seconds = solver.fit_seconds_
    else:
        (start, end), = problem.domain
        density = (X_train.shape[0] - 1) / (end - start)
        theta, seconds = None, 0.0
        for stage_end in case.marching:
            count = int(round(density * (stage_end - start))) + 1
            solver.fit(problems.grid([(start, stage_end)], count), theta0=theta)
            theta, seconds = solver.params_, seconds + solver.fit_seconds_
    X_test = problems.grid(problem.domain, case.test_points)
    reference = problem.analytic(X_test)
    values = solver.predict(X_test)
    return {
        "seed": int(seed),
        "relative_l2": problems.relative_l2_error(reference, values),
        "max_error": float(np.max(np.abs(values - reference))),
        "final_cost": float(solver.history_[-1]),
        "seconds": float(seconds),
        "solver": solver,
    }


# ---------------------------------------------------------------------------------------
# Classical methods at a given resolution: (description, values, reference) on their grid
# ---------------------------------------------------------------------------------------


def _ode(problem, tolerance, first_order_system, initial, n_test):
    t_eval = np.linspace(*problem.domain[0], n_test)
    solution = scipy.integrate.solve_ivp(first_order_system, problem.domain[0], initial,
                                         method="RK45", t_eval=t_eval, rtol=tolerance,
                                         atol=1e-3 * tolerance)
    return solution.y[0], t_eval[:, None]


def _classical_run(name: str, level: int):
    """Run case ``name``'s classical method at resolution ``level`` (0 = coarsest).

    Returns ``(description, values, X)``: the solution at the points X of its own grid.
    """
    case = CASES[name]
    problem = case.make_problem()
    if name in ("decay", "logistic", "logistic_marching", "oscillator"):
        tolerance = 10.0 ** -(level + 2)
        description = f"rtol {tolerance:.0e}"
        if name == "decay":
            values, X = _ode(problem, tolerance, lambda t, g: -2.0 * g, [10.0], 101)
        elif name.startswith("logistic"):
            values, X = _ode(problem, tolerance, lambda t, g: 3.0 * g * (1.0 - g), [0.1], 101)
        else:
            omega, zeta = 2.0 * np.pi, 0.1

            def system(t, y):
                return [y[1], -2.0 * zeta * omega * y[1] - omega**2 * y[0]]

            values, X = _ode(problem, tolerance, system, [1.0, 0.0], 201)
        return description, values, X
    n = 4 * 2**level
    if name == "poisson":
        x, values = classical.poisson_fd(lambda x: (3 * x + x**2) * np.exp(x), n)
        return f"n = {n}", values, x[:, None]
    if name == "poisson_2d":
        x, y, U = classical.poisson_2d_fd(
            lambda x, y: 5 * np.pi**2 * np.sin(np.pi * x) * np.sin(2 * np.pi * y), n)
        return f"{n} x {n}", U.ravel(), problems.grid(problem.domain, n + 1)
    if name == "diffusion":
        # n^2 steps to t = 0.5 on n intervals: r = dt / dx^2 = 1/2, the stability limit.
        x, t, U = classical.ftcs_diffusion(lambda x: np.sin(np.pi * x), n, 0.5, n * n)
        X = np.stack(np.meshgrid(x, t, indexing="ij"), axis=-1).reshape(-1, 2)
        return f"{n} intervals, {n * n} steps", U.T.ravel(), X
    if name == "wave":
        x, t, U = classical.wave_leapfrog(lambda x: np.sin(np.pi * x), 1.0, n, 1.0, 2 * n)
        X = np.stack(np.meshgrid(x, t, indexing="ij"), axis=-1).reshape(-1, 2)
        return f"{n} intervals, {2 * n} steps", U.T.ravel(), X
    if name.startswith("burgers"):
        n = 32 * 2**level
        t_eval = np.linspace(0.0, 1.0, 11)
        x, U = classical.burgers_fd(lambda x: -np.sin(np.pi * x), 0.01 / np.pi, n, t_eval)
        X = np.stack(np.meshgrid(x, t_eval, indexing="ij"), axis=-1).reshape(-1, 2)
        return f"{n} intervals", U.T.ravel(), X
    raise ValueError(f"name must be one of {sorted(CASES)}; got {name!r}")


def run_classical(name: str, max_error: float, max_level: int = 10, repeats: int = 3) -> dict:
    """The coarsest resolution of case ``name``'s classical method whose maximum error is
    at most ``max_error``, with its errors and its best time over ``repeats`` runs.

    Introduced in chapter 6. ``reached`` is False when even ``max_level`` is not enough.
    """
    problem = CASES[name].make_problem()
    for level in range(max_level + 1):
        description, values, X = _classical_run(name, level)
        reference = problem.analytic(X)
        error = float(np.max(np.abs(values - reference)))
        if error <= max_error or level == max_level:
            break
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        _classical_run(name, level)
        seconds.append(time.perf_counter() - start)
    return {
        "resolution": description,
        "relative_l2": problems.relative_l2_error(reference, values),
        "max_error": error,
        "seconds": float(min(seconds)),
        "reached": error <= max_error,
    }


# ---------------------------------------------------------------------------------------
# The committed results
# ---------------------------------------------------------------------------------------


def load_results(path=None) -> dict:
    """The results file written by ``bench/diffeq.py`` (default: the committed one).

    Introduced in chapter 6.
    """
    with open(RESULTS_FILE if path is None else path, encoding="utf-8") as handle:
        return json.load(handle)


def within_band(value: float, mean: float, std: float, floor: float = 9.0) -> bool:
    """Whether ``value`` lies in mean +- max(3 std, floor * mean).

    Introduced in chapter 6. Five seeds can happen to agree closely, while the round-off
    of another CPU (other BLAS kernels) moves the error of one fixed-iteration training
    run as much as another seed would, by a factor of several: the floor, a multiple of
    the mean, keeps the band from shrinking below that (the default accepts anything up
    to ten times the mean). The check still fails when a change makes a result an order
    of magnitude worse than the committed statistics.
    """
    half_width = max(3.0 * std, floor * abs(mean))
    return bool(abs(value - mean) <= half_width)
