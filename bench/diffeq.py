"""Chapter 6 benchmark: every problem over five seeds, against its classical method.

For each case of ``nnbook.diffeq.benchmark.CASES`` (the network, collocation points,
optimizer and iterations are fixed there) this script trains the network from seeds
0-4 and measures the relative L2 error and the maximum error against the reference
(analytic, or Cole-Hopf by quadrature for Burgers) on the case's test grid. For every
seed it then runs the classical method (solve_ivp for the ODEs, finite differences,
FTCS, leapfrog, a method of lines for Burgers) at the coarsest resolution that is at
least as accurate as the network's maximum error, and reports the ratio of the network's
training time to the classical method's time (best of three runs); the table gives the
median of the five ratios, which one badly trained seed cannot dominate.

It writes ``data/diffeq-benchmark.json`` (committed; the chapter's benchmark notebook
reads it and re-runs seed 0 of every case) and prints the table. It took 569 s (under
ten minutes) on the shared two-core machine, most of it in the longer Burgers run.

Run: ``make bench`` or
``python3 tests/tools/numerics.py run -- .venv/bin/python bench/diffeq.py [--out PATH]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

from nnbook.diffeq import benchmark

SEEDS = (0, 1, 2, 3, 4)


def summary(values):
    values = np.asarray(values, dtype=float)
    return {"mean": float(values.mean()), "std": float(values.std(ddof=1)),
            "median": float(np.median(values))}


def run_case(name):
    runs = []
    for seed in SEEDS:
        run = benchmark.run_network(name, seed)
        run.pop("solver")
        run["classical"] = benchmark.run_classical(name, run["max_error"])
        run["time_ratio"] = run["seconds"] / run["classical"]["seconds"]
        runs.append(run)
        print(f"  {name} seed {seed}: rel L2 {run['relative_l2']:.2e}, max {run['max_error']:.2e}, "
              f"{run['seconds']:.1f} s; {run['classical']['resolution']}: "
              f"max {run['classical']['max_error']:.1e}, {run['classical']['seconds']:.4f} s",
              flush=True)
    return {
        "settings": benchmark.CASES[name].settings(),
        "runs": runs,
        "relative_l2": summary([r["relative_l2"] for r in runs]),
        "max_error": summary([r["max_error"] for r in runs]),
        "seconds": summary([r["seconds"] for r in runs]),
        "time_ratio": summary([r["time_ratio"] for r in runs]),
        "classical_reached": all(r["classical"]["reached"] for r in runs),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(benchmark.RESULTS_FILE),
                        help="where to write the results (default: the committed file)")
    args = parser.parse_args()
    start = time.perf_counter()
    results = {
        "written_by": "bench/diffeq.py",
        "seeds": list(SEEDS),
        "machine": f"{platform.machine()}, {platform.python_implementation()} "
                   f"{platform.python_version()}",
        "cases": {},
    }
    for name in benchmark.CASES:
        results["cases"][name] = run_case(name)
    results["total_seconds"] = round(time.perf_counter() - start)
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=1)
        handle.write("\n")
    print(f"\n{'problem':22s} {'rel. L2 error':>19s} {'max error':>19s} {'params':>6s} "
          f"{'points':>6s} {'optimizer':>16s} {'time / classical':>17s}")
    for name, case in results["cases"].items():
        s = case["settings"]
        rel, mx, ratio = case["relative_l2"], case["max_error"], case["time_ratio"]
        print(f"{s['label']:22s} {rel['mean']:.1e} +- {rel['std']:.1e} "
              f"{mx['mean']:.1e} +- {mx['std']:.1e} {s['parameters']:6d} "
              f"{s['collocation_points']:6d} {s['optimizer'] + ' x ' + str(s['max_iter']):>16s} "
              f"{ratio['median']:25.3g}")
    print(f"\nwritten to {args.out}; total {results['total_seconds']} s")


if __name__ == "__main__":
    main()
