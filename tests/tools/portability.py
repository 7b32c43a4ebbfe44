"""Run every notebook WITHOUT the canonical pins and compare with the committed outputs.

Usage (through make, from the repository root):

    make portability                              # every configuration below, 2 at a time
    .venv/bin/python tests/tools/portability.py --config nehalem-full-1thread chapters/06-*
    .venv/bin/python tests/tools/portability.py --config current    # the caller's environment

Strict nbval checks the book in the canonical numerical environment (numerics.env). This
tool asks the other question: how much do the printed results move when the kernels are
left to the machine, and does every claim still hold? It executes each notebook in a fresh
kernel under several configurations that really change the last bits (OpenBLAS kernels,
NumPy's SIMD level, the BLAS thread count), each starting from the caller's environment
with every canonical value removed, and compares each cell's outputs with the committed
ones token by token:

- a number passes when |new - old| <= rtol * max(|new|, |old|), with rtol = 0.05, or
  with the looser `rtol` (and optional `atol`) that the cell declares in its metadata as
  `"portability": {"rtol": 0.5, "reason": "why this number may move"}` (a reason is
  required);
- every other token must match exactly (white space aside, which only pads columns);
- image data is not compared (its presence is); cells marked NBVAL_IGNORE_OUTPUT are not
  compared, but must still run;
- a cell that raises (an assert of the text's claim, say) fails the run, unless it is
  tagged `raises-exception` as nbval expects.

It prints per notebook the largest relative drift of any number and where it happened,
writes the table to _build/portability.md, and exits 1 when anything failed. On a
machine where the canonical pins cannot apply, `make test` runs it with `--config
current` in place of strict nbval.
"""

from __future__ import annotations

import argparse
import configparser
import json
import math
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parents[1]
sys.path.insert(0, str(TOOLS))
import numerics  # noqa: E402

DEFAULT_RTOL = 0.05
OUT_DIR = REPO / "_build" / "portability"
SANITIZE = REPO / "tests" / "nbval_sanitize.cfg"
NUMPY_BASELINE = "X86_V3,X86_V4,AVX512_ICL,AVX512_SPR"  # every dispatched group off
# Caller's settings that would otherwise leak into a configuration.
CLEARED_PREFIXES = ("OPENBLAS_", "GOTO", "OMP_", "MKL_", "NPY_DISABLE_CPU", "NPY_ENABLE_CPU",
                    "TF_NUM_", "TF_ENABLE_ONEDNN", "XLA_FLAGS", numerics.MARKER)
NUMBER = re.compile(r"([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)")


@dataclass(frozen=True)
class Config:
    name: str
    env: dict
    note: str
    needs_flag: str | None = None


CONFIGS = [
    Config("skylakex-full-2threads",
           {"OPENBLAS_CORETYPE": "SkylakeX", "OPENBLAS_NUM_THREADS": "2"},
           "OpenBLAS AVX-512 kernels, NumPy at its full SIMD level, 2 BLAS threads",
           needs_flag="avx512f"),
    Config("sandybridge-baseline-1thread",
           {"OPENBLAS_CORETYPE": "Sandybridge", "OPENBLAS_NUM_THREADS": "1",
            "NPY_DISABLE_CPU_FEATURES": NUMPY_BASELINE},
           "OpenBLAS AVX kernels, NumPy at its baseline SIMD level (X86_V2), 1 BLAS thread"),
    Config("nehalem-full-1thread",
           {"OPENBLAS_CORETYPE": "Nehalem", "OPENBLAS_NUM_THREADS": "1"},
           "OpenBLAS SSE kernels, NumPy at its full SIMD level, 1 BLAS thread"),
    Config("auto-baseline-2threads",
           {"OPENBLAS_NUM_THREADS": "2", "NPY_DISABLE_CPU_FEATURES": NUMPY_BASELINE},
           "OpenBLAS's own choice of kernels, NumPy at its baseline SIMD level, 2 BLAS threads"),
]
# Where the CPU lacks AVX-512, the SkylakeX configuration is replaced by this one.
FALLBACK = Config("haswell-full-2threads",
                  {"OPENBLAS_CORETYPE": "Haswell", "OPENBLAS_NUM_THREADS": "2"},
                  "OpenBLAS AVX2 kernels, NumPy at its full SIMD level, 2 BLAS threads")
CURRENT = Config("current", {}, "the caller's environment, unchanged")


# ----------------------------------------------------------------------------- running


def config_environ(config: Config) -> dict[str, str]:
    """The environment of one configuration: the caller's, without any pin, plus its own."""
    if config is CURRENT:
        return dict(os.environ)
    canonical_keys = set(numerics.read_env_file())
    env = {key: value for key, value in os.environ.items()
           if key not in canonical_keys and not key.startswith(CLEARED_PREFIXES)}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    env.setdefault("PYTHONHASHSEED", "0")
    env.update(config.env)
    return env


def execute_one(source: Path, target: Path, timeout: int) -> int:
    """Worker: run `source` top to bottom in a fresh kernel, write it to `target`."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(source.parent)}})
    status = 0
    try:
        client.execute()
    except CellExecutionError as error:
        nb.metadata["portability_error"] = str(error)[-2000:]
        status = 1
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    return status


@dataclass
class Job:
    config: Config
    notebook: Path
    target: Path
    seconds: float = 0.0
    log: str = ""


def run_job(job: Job, timeout: int) -> Job:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "_execute", str(job.notebook), str(job.target),
         str(timeout)],
        env=config_environ(job.config), capture_output=True, text=True, cwd=REPO,
    )
    job.seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1) or not job.target.is_file():
        job.log = (proc.stderr or proc.stdout)[-2000:]
    return job


# --------------------------------------------------------------------------- comparing


def sanitizers() -> list[tuple[re.Pattern, str]]:
    parser = configparser.ConfigParser()
    parser.read(SANITIZE)
    return [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]


def ignored(cell) -> bool:
    source = cell.get("source", "")
    tags = cell.get("metadata", {}).get("tags", [])
    return ("NBVAL_IGNORE_OUTPUT" in source or "nbval-ignore-output" in tags
            or "NBVAL_SKIP" in source or "nbval-skip" in tags)


def output_texts(cell, clean) -> list[tuple[str, str]]:
    """(kind, text) of each output of a code cell, as compared here.

    Consecutive stream outputs of the same stream are joined first, as nbval does: how a
    cell's printing is cut into messages depends on timing, not on the computation.
    """
    texts = []
    for output in cell.get("outputs", []):
        kind = output["output_type"]
        if kind == "stream":
            name = f"stream:{output['name']}"
            if texts and texts[-1][0] == name:
                texts[-1] = (name, texts[-1][1] + clean(output["text"]))
            else:
                texts.append((name, clean(output["text"])))
        elif kind in ("execute_result", "display_data"):
            for mime, data in sorted(output.get("data", {}).items()):
                if mime.startswith("image/"):
                    texts.append((mime, ""))
                else:
                    text = data if isinstance(data, str) else json.dumps(data, sort_keys=True)
                    texts.append((mime, clean(text)))
        elif kind == "error":
            texts.append(("error", clean(f"{output['ename']}: {output['evalue']}")))
    return texts


def tokens(text: str) -> list[str | float]:
    """Alternating text and number tokens, the text with its white space removed.

    White space only pads columns (NumPy pads an array by its widest entry, f-strings by
    width), so a number that gains a digit may move its neighbours; two numbers never
    merge into one, since the numbers are split off first.
    """
    parts = NUMBER.split(text)
    return [float(part) if index % 2 else "".join(part.split())
            for index, part in enumerate(parts)]


@dataclass
class Tolerance:
    rtol: float = DEFAULT_RTOL
    atol: float = 0.0
    reason: str = ""


def cell_tolerance(cell) -> Tolerance:
    declared = cell.get("metadata", {}).get("portability")
    if not declared:
        return Tolerance()
    if not str(declared.get("reason", "")).strip():
        raise ValueError("a cell's `portability` metadata needs a `reason`")
    return Tolerance(float(declared.get("rtol", DEFAULT_RTOL)),
                     float(declared.get("atol", 0.0)), declared["reason"])


def relative_drift(old: float, new: float) -> float:
    if old == new:
        return 0.0
    scale = max(abs(old), abs(new))
    return math.inf if scale == 0 else abs(new - old) / scale


@dataclass
class Comparison:
    largest: float = 0.0
    where: str = ""
    problems: list[str] = field(default_factory=list)


def compare_text(old: str, new: str, tolerance: Tolerance, where: str,
                 result: Comparison) -> None:
    old_tokens, new_tokens = tokens(old), tokens(new)
    if len(old_tokens) != len(new_tokens):
        result.problems.append(f"{where}: the text changed shape:\n    committed: "
                               f"{old[:200]!r}\n    now:       {new[:200]!r}")
        return
    for a, b in zip(old_tokens, new_tokens):
        if isinstance(a, float):
            drift = relative_drift(a, b)
            if drift > result.largest and math.isfinite(drift):
                result.largest, result.where = drift, where
            if abs(a - b) > max(tolerance.rtol * max(abs(a), abs(b)), tolerance.atol):
                result.problems.append(
                    f"{where}: {a:g} became {b:g} (relative drift {drift:.3g} > "
                    f"{tolerance.rtol:g})")
        elif a != b:
            result.problems.append(f"{where}: {a.strip()!r} became {b.strip()!r}")


def compare_notebook(committed: Path, executed: Path, label: str, result: Comparison) -> None:
    import nbformat

    old_nb = nbformat.read(committed, as_version=4)
    new_nb = nbformat.read(executed, as_version=4)
    error = new_nb.metadata.get("portability_error")
    if error:
        result.problems.append(f"{label}: a cell raised:\n    " + error.strip()[-600:])
    rules = sanitizers()

    def clean(text: str) -> str:
        for pattern, replacement in rules:
            text = pattern.sub(replacement, text)
        return text

    code_cells = [(i, c) for i, c in enumerate(old_nb.cells) if c.cell_type == "code"]
    new_cells = [c for c in new_nb.cells if c.cell_type == "code"]
    for (index, old_cell), new_cell in zip(code_cells, new_cells):
        if ignored(old_cell):
            continue
        if error and not new_cell.get("outputs") and old_cell.get("outputs"):
            break  # not reached after the failing cell
        where = f"{label} cell {index}"
        old_out, new_out = output_texts(old_cell, clean), output_texts(new_cell, clean)
        if [k for k, _ in old_out] != [k for k, _ in new_out]:
            result.problems.append(f"{where}: output kinds changed: "
                                   f"{[k for k, _ in old_out]} -> {[k for k, _ in new_out]}")
            continue
        tolerance = cell_tolerance(old_cell)
        for (kind, old), (_, new) in zip(old_out, new_out):
            compare_text(old, new, tolerance, f"{where} ({kind})", result)


# ------------------------------------------------------------------------------- main


def configurations(names: list[str] | None) -> list[Config]:
    flags = numerics.cpu_flags()
    chosen = [c if c.needs_flag is None or c.needs_flag in flags else FALLBACK
              for c in CONFIGS]
    if not names:
        return chosen
    known = {c.name: c for c in [*CONFIGS, FALLBACK, CURRENT]}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"portability: unknown configuration(s) {unknown}; "
                         f"known: {sorted(known)}")
    return [known[n] for n in names]


def notebooks(paths: list[str]) -> list[Path]:
    if not paths:
        return sorted(REPO.glob("chapters/*/*.ipynb"))
    found = []
    for item in paths:
        path = Path(item).resolve()
        found += sorted(path.rglob("*.ipynb")) if path.is_dir() else [path]
    return [p for p in found if ".ipynb_checkpoints" not in p.parts]


def main(argv: list[str]) -> int:
    if argv[:1] == ["_execute"]:
        return execute_one(Path(argv[1]), Path(argv[2]), int(argv[3]))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="notebooks or folders (default: chapters)")
    parser.add_argument("--config", action="append", help="a configuration name (repeatable)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks run side by side")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    parser.add_argument("--no-run", action="store_true",
                        help="compare the copies a previous run left in _build/portability")
    args = parser.parse_args(argv)

    configs = configurations(args.config)
    paths = notebooks(args.paths)
    jobs = [Job(c, p, OUT_DIR / c.name / p.relative_to(REPO)) for c in configs for p in paths]
    for config in configs:
        print(f"portability: {config.name}: {config.note}", flush=True)
    start = time.perf_counter()
    if args.no_run:
        finished = jobs
    else:
        finished = []
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(run_job, job, args.timeout) for job in jobs]
            for future in as_completed(futures):
                job = future.result()
                finished.append(job)
                print(f"{job.seconds:7.1f} s  {job.notebook.relative_to(REPO)} "
                      f"[{job.config.name}]", flush=True)

    results: dict[Path, Comparison] = {p: Comparison() for p in paths}
    for job in sorted(finished, key=lambda j: (str(j.notebook), j.config.name)):
        label = f"{job.notebook.relative_to(REPO)} [{job.config.name}]"
        if args.no_run and not job.target.is_file():
            job.log = f"no executed copy at {job.target}"
        if job.log:
            results[job.notebook].problems.append(f"{label}: did not run:\n{job.log}")
            continue
        compare_notebook(job.notebook, job.target, label, results[job.notebook])

    lines = [f"Configurations: {', '.join(c.name for c in configs)}; relative tolerance "
             f"{DEFAULT_RTOL} unless a cell declares its own.", "",
             "| notebook | largest relative drift | where | result |", "|---|---:|---|---|"]
    failures = []
    for path, result in results.items():
        name = path.relative_to(REPO).as_posix()
        where = result.where.replace(name + " ", "").replace("|", "/")
        verdict = "ok" if not result.problems else f"FAILED ({len(result.problems)})"
        lines.append(f"| {name} | {result.largest:.2g} | {where} | {verdict} |")
        failures += result.problems
    report = REPO / "_build" / "portability.md"
    report.parent.mkdir(exist_ok=True)
    report.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"portability: {len(jobs)} notebook runs in {time.perf_counter() - start:.0f} s")
    if failures:
        print(f"\nportability: {len(failures)} problem(s):")
        for problem in failures:
            print("  " + problem)
        return 1
    print("portability: every output within tolerance in every configuration")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
