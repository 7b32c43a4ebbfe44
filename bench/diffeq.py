"""Time to reach the accuracy targets of chapter 6, per optimizer and implementation.

Problems (chapter 6 numbering) and targets, maximum absolute error against the analytic
solution on the test points:

1. exponential decay g' = -2 g, g(0) = 10 on [0, 1]: 1e-5 on 101 points;
3. Poisson -g'' = (3x + x^2) e^x, g(0) = g(1) = 0: 1e-4 on 101 points;
4. diffusion u_t = u_xx on [0, 1] x [0, 0.5]: 1e-3 on a 51 x 51 grid.

For each problem, in one run:

* the source notes' set-up as the baseline: one hidden layer of 10 sigmoid units with
  standard-normal parameters, 10 equally spaced points (10 x 10 for diffusion), summed
  squared residual, plain gradient descent with learning rate 1e-3 for 10,000 iterations;
* the chapter's set-up (Glorot initial weights, more points, mean squared residual) with
  gradient descent and Adam (learning rate 1e-2, capped iterations), BFGS and L-BFGS-B
  with autograd gradients, and BFGS with TensorFlow gradients;
* the classical reference at a resolution that meets the target: forward Euler,
  the tridiagonal finite-difference solve, FTCS at the stability limit.

Training stops as soon as the target is met; the test error is checked after every
iteration (every 10th for the first-order methods) and the time spent checking is not
counted. Ratios are to autograd + BFGS. Seconds depend on the machine and its load; the
ratios are what the chapter quotes.

Run: ``make bench`` or ``.venv/bin/python bench/diffeq.py``.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402

from nnbook import diffeq  # noqa: E402

SEED = 2024


class TargetWatch:
    """Callback that stops training once the test error meets the target.

    Records the iteration and the elapsed training time at that moment, excluding the
    time spent in the check itself.
    """

    def __init__(self, solver, problem, X_test, target, every):
        self.solver, self.problem, self.X_test = solver, problem, X_test
        self.target, self.every = target, every
        self.calls, self.check_seconds = 0, 0.0
        self.start = time.perf_counter()
        self.hit = None  # (iteration, seconds)

    def __call__(self, theta):
        self.calls += 1
        if self.calls % self.every:
            return False
        begin = time.perf_counter()
        values = self.solver.predict(self.X_test, theta)
        error = diffeq.max_abs_error(self.problem, self.X_test, values)
        self.check_seconds += time.perf_counter() - begin
        if error <= self.target:
            self.hit = (self.calls, time.perf_counter() - self.start - self.check_seconds)
            return True
        return False


def run_solver(label, solver_class, problem, X_train, X_test, target, options, every=1):
    solver = solver_class(problem, **options)
    watch = TargetWatch(solver, problem, X_test, target, every)
    start = time.perf_counter()
    try:
        solver.fit(X_train, callback=watch)
    except FloatingPointError:
        return {"label": label, "reached": False, "note": "diverged"}
    seconds = time.perf_counter() - start - watch.check_seconds
    error = diffeq.max_abs_error(problem, X_test, solver.predict(X_test))
    if watch.hit is not None:
        return {"label": label, "reached": True, "iterations": watch.hit[0],
                "seconds": watch.hit[1], "error": error}
    return {"label": label, "reached": False, "iterations": solver.n_iter_, "seconds": seconds,
            "error": error}


def run_classical(label, compute, target):
    start = time.perf_counter()
    error = compute()
    seconds = time.perf_counter() - start
    return {"label": label, "reached": error <= target, "iterations": None, "seconds": seconds,
            "error": error}


def report(title, target, rows):
    reference = next(r for r in rows if r["label"] == "BFGS, autograd")["seconds"]
    print(f"\n{title}: target max error {target:.0e}")
    print(f"{'method':46s} {'iterations':>10s} {'seconds':>9s} {'ratio':>8s}  result")
    for row in rows:
        if row.get("note") == "diverged":
            print(f"{row['label']:46s} {'':>10s} {'':>9s} {'':>8s}  diverged")
            continue
        iterations = "" if row["iterations"] is None else str(row["iterations"])
        result = "target reached" if row["reached"] else f"not reached: error {row['error']:.1e}"
        print(f"{row['label']:46s} {iterations:>10s} {row['seconds']:9.3f} "
              f"{row['seconds'] / reference:8.2f}  {result}")


def network_rows(problem, X_notes, X_train, X_test, target, hidden, activation, first_order_iter):
    notes = dict(hidden_sizes=(10,), activation="sigmoid", optimizer="gd", learning_rate=1e-3,
                 max_iter=10_000, reduction="sum", init="normal", seed=SEED)
    ours = dict(hidden_sizes=hidden, activation=activation, seed=SEED)
    TS, TF = diffeq.TrialSolver, diffeq.TensorFlowTrialSolver
    return [
        run_solver("notes' set-up: gradient descent, lr 1e-3", TS, problem, X_notes, X_test,
                   target, notes, every=10),
        run_solver(f"gradient descent, lr 1e-2 (<= {first_order_iter} it)", TS, problem, X_train,
                   X_test, target, dict(ours, optimizer="gd", learning_rate=1e-2,
                                        max_iter=first_order_iter), every=10),
        run_solver(f"Adam, lr 1e-2 (<= {first_order_iter} it)", TS, problem, X_train, X_test,
                   target, dict(ours, optimizer="adam", learning_rate=1e-2,
                                max_iter=first_order_iter), every=10),
        run_solver("BFGS, autograd", TS, problem, X_train, X_test, target,
                   dict(ours, optimizer="bfgs", max_iter=3000)),
        run_solver("L-BFGS-B, autograd", TS, problem, X_train, X_test, target,
                   dict(ours, optimizer="l-bfgs-b", max_iter=3000)),
        run_solver("BFGS, TensorFlow (includes graph tracing)", TF, problem, X_train, X_test,
                   target, dict(ours, optimizer="bfgs", max_iter=3000)),
    ]


def decay():
    problem, target = diffeq.exponential_decay(gamma=2.0, g0=10.0), 1e-5
    X_test = diffeq.grid(problem.domain, 101)
    rows = network_rows(problem, diffeq.grid(problem.domain, 10), diffeq.grid(problem.domain, 31),
                        X_test, target, (10,), "sigmoid", 5000)

    def euler():
        t, g = diffeq.forward_euler(lambda t, g: -2.0 * g, 10.0, 1.0, 400_000)
        return np.max(np.abs(g[::4000] - problem.analytic(X_test)))

    rows.append(run_classical("forward Euler, 400,000 steps", euler, target))
    report("1. Exponential decay", target, rows)


def poisson():
    problem, target = diffeq.poisson_1d(), 1e-4
    X_test = diffeq.grid(problem.domain, 101)
    rows = network_rows(problem, diffeq.grid(problem.domain, 10), diffeq.grid(problem.domain, 21),
                        X_test, target, (10,), "sigmoid", 5000)

    def finite_differences():
        x, g = diffeq.poisson_fd(lambda x: (3 * x + x**2) * np.exp(x), 80)
        return diffeq.max_abs_error(problem, x[:, None], g)

    rows.append(run_classical("finite differences, n = 80", finite_differences, target))
    report("3. Poisson", target, rows)


def diffusion():
    problem, target = diffeq.diffusion_1d(), 1e-3
    X_test = diffeq.grid(problem.domain, (51, 51))
    rows = network_rows(problem, diffeq.grid(problem.domain, (10, 10)),
                        diffeq.grid(problem.domain, (11, 11)), X_test, target, (20,), "tanh", 2000)

    def ftcs():
        _, _, U = diffeq.ftcs_diffusion(lambda x: np.sin(np.pi * x), 50, 0.5, 2500)
        return np.max(np.abs(U[::50].T.ravel() - problem.analytic(X_test)))

    rows.append(run_classical("FTCS, r = 1/2 (2500 steps)", ftcs, target))
    report("4. Diffusion", target, rows)


def main():
    # Imported here, before any timing, so that no row pays for TensorFlow's start-up.
    import tensorflow  # noqa: F401

    start = time.perf_counter()
    decay()
    poisson()
    diffusion()
    print(f"\ntotal {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
