"""Run the strict nbval suite several times in a fresh venv and report unstable cells.

Usage (through make, from the repository root):

    make stress                                      # 3 runs in a fresh temporary venv
    .venv/bin/python tests/tools/stress.py           # the same
    .venv/bin/python tests/tools/stress.py --venv .venv            # reuse a venv (quicker)
    .venv/bin/python tests/tools/stress.py --venv .venv --runs 2 chapters/01-perceptron

What it does:

1. Builds a fresh venv in a temporary folder (`python -m venv`, then
   `pip install -r requirements.txt` from the repository root, so the last line `-e .`
   installs the book's package) unless `--venv PATH` names one to reuse.
2. Runs the suite `--runs` times in a row (3 by default) with that venv's Python, exactly
   as CI does: `pytest chapters` with the repository's pytest configuration (strict nbval,
   `--nbval-current-env`, the sanitize file, chapters/conftest.py's budgets). A small
   plugin records, for every notebook cell, the outputs nbval just computed.
3. Compares each cell's outputs across the runs: streams, text and JSON data and error
   names/values, after the sanitize patterns of tests/nbval_sanitize.cfg (the ones nbval
   applies); image data is skipped. Unlike nbval it also compares the output kinds nbval
   skips (e.g. text/latex).

It prints every cell whose outputs changed between runs, and lists separately, as
information, the cells marked `# NBVAL_IGNORE_OUTPUT` that varied (they are expected to).
It exits 1 when any run fails nbval or any checked cell changed, 0 otherwise. Logs,
JUnit XML and the recorded outputs of each run are kept in _build/stress/.

Options: `--runs N`, `--venv PATH`, `--python EXE` (interpreter for the fresh venv; the one
running this script by default), `--keep-venv`, `--repo PATH` (another copy of the book),
and paths (notebooks or folders, default `chapters`).

This file is also the pytest plugin of step 2 (loaded by the venv's Python), so it imports
nothing outside the standard library at module level.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TOOLS = Path(__file__).resolve().parent
IMAGE_PREFIX = "image/"
# Same environment as the Makefile gives `make test` (numerics.env is applied on top).
ENV_DEFAULTS = {"TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0"}
# Run inside the venv: pytest with the recording plugin, arguments after the output path.
BOOTSTRAP = (
    "import sys, pytest; sys.path.insert(0, {tools!r}); import stress; "
    "sys.exit(pytest.main(sys.argv[2:], plugins=[stress.OutputRecorder(sys.argv[1])]))"
)


# --------------------------------------------------------------- the pytest plugin


def _text(value) -> str:
    if isinstance(value, list):
        return "".join(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def normalize_outputs(outputs, sanitize) -> list[dict]:
    """The comparable part of a cell's outputs: sanitized text, no images, no metadata."""
    normalized = []
    for output in outputs or []:
        kind = output.get("output_type")
        if kind == "stream":
            text = sanitize(_text(output.get("text", "")))
            normalized.append({"stream": output.get("name"), "text": text})
        elif kind in ("display_data", "execute_result"):
            data = {
                mime: sanitize(_text(value))
                for mime, value in sorted((output.get("data") or {}).items())
                if not mime.startswith(IMAGE_PREFIX)
            }
            normalized.append({kind: data})
        elif kind == "error":
            normalized.append(
                {"error": output.get("ename"), "evalue": sanitize(output.get("evalue", ""))}
            )
        else:
            normalized.append({"other": kind})
    return normalized


class OutputRecorder:
    """pytest plugin: write every nbval cell's freshly computed outputs to a JSON file."""

    def __init__(self, path: str):
        self.path = Path(path)
        self.cells: dict[str, dict] = {}
        self.outcomes: dict[str, str] = {}

    def pytest_runtest_makereport(self, item, call):
        if call.when != "call" or not hasattr(item, "test_outputs") or not hasattr(item, "cell"):
            return None
        options = getattr(item, "options", {}) or {}
        source = str(item.cell.get("source", ""))
        lines = [line for line in source.splitlines() if line.strip()]
        first = next((line for line in lines if not line.startswith("# NBVAL")), "")
        self.cells[item.nodeid] = {
            "notebook": str(Path(str(item.path)).resolve()),
            "cell": item.cell_num,
            "checked": bool(options.get("check")) and not options.get("skip"),
            "skipped": bool(options.get("skip")),
            "first_line": first[:80],
            "outputs": None
            if item.test_outputs is None
            else normalize_outputs(item.test_outputs, item.sanitize),
        }
        return None

    def pytest_runtest_logreport(self, report):
        if report.failed or report.when == "call":
            previous = self.outcomes.get(report.nodeid)
            if previous != "failed":
                self.outcomes[report.nodeid] = report.outcome

    def pytest_sessionfinish(self, session, exitstatus):
        for nodeid, cell in self.cells.items():
            cell["outcome"] = self.outcomes.get(nodeid, "unknown")
        self.path.write_text(json.dumps({"exitstatus": int(exitstatus), "cells": self.cells}))


# ---------------------------------------------------------------------- the runner


def log(message: str = "") -> None:
    print(message, flush=True)


def make_venv(python: str, folder: Path, repo: Path, logfile: Path) -> Path:
    """A fresh venv with requirements.txt installed; returns its Python. pip's chatter goes
    to `logfile` and is shown only when the installation fails."""
    log(f"stress: creating a fresh venv in {folder} with {python} (pip log: {logfile})")
    subprocess.run([python, "-m", "venv", str(folder)], check=True)
    venv_python = folder / "bin" / "python"
    start = time.perf_counter()
    with logfile.open("w") as stream:
        for command in (
            ["-m", "pip", "install", "--upgrade", "pip"],
            ["-m", "pip", "install", "-r", "requirements.txt"],
        ):
            result = subprocess.run(
                [str(venv_python), *command], cwd=repo, stdout=stream, stderr=subprocess.STDOUT
            )
            if result.returncode != 0:
                tail = logfile.read_text(errors="replace").splitlines()[-30:]
                log("\n".join(tail))
                raise SystemExit(f"stress: `pip {' '.join(command[2:])}` failed, see {logfile}")
    log(f"stress: requirements.txt installed in {time.perf_counter() - start:.0f} s")
    return venv_python


def venv_env(venv_python: Path) -> dict[str, str]:
    env = dict(os.environ)
    for key, value in ENV_DEFAULTS.items():
        env.setdefault(key, value)
    sys.path.insert(0, str(TOOLS))
    import numerics

    numerics.apply(env)
    venv = venv_python.parent.parent
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv_python.parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    return env


def failed_tests(junit: Path) -> list[str]:
    if not junit.is_file():
        return []
    failed = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed.append(f"{case.get('classname', '')}::{case.get('name', '')}".strip(":"))
    return failed


def run_suite(venv_python: Path, repo: Path, paths: list[str], index: int, out: Path) -> dict:
    """One full nbval run; returns the recorded cells, exit status and failures."""
    outputs = out / f"outputs-{index}.json"
    junit = out / f"run-{index}.xml"
    logfile = out / f"run-{index}.log"
    for stale in (outputs, junit):
        stale.unlink(missing_ok=True)
    command = [
        str(venv_python), "-c", BOOTSTRAP.format(tools=str(TOOLS)), str(outputs),
        *paths, "-p", "no:cacheprovider", "-q", "-rfE", f"--junitxml={junit}",
    ]
    start = time.perf_counter()
    with logfile.open("w") as stream:
        status = subprocess.run(
            command, cwd=repo, env=venv_env(venv_python), stdout=stream, stderr=subprocess.STDOUT
        ).returncode
    seconds = time.perf_counter() - start
    recorded = json.loads(outputs.read_text()) if outputs.is_file() else {"cells": {}}
    summary = ""
    lines = [line for line in logfile.read_text(errors="replace").splitlines() if line.strip()]
    if lines:
        summary = lines[-1].strip("= ")
    log(f"stress: run {index}: exit {status} in {seconds:.0f} s: {summary}  (log {logfile})")
    cells = recorded.get("cells", {})
    failed = [nodeid for nodeid, cell in cells.items() if cell.get("outcome") == "failed"]
    return {
        "status": status,
        "cells": cells,
        "failed": failed or failed_tests(junit),
        "log": logfile,
    }


def render(outputs) -> list[str]:
    """Outputs as readable lines for a diff."""
    if outputs is None:
        return ["<cell not run>"]
    lines = []
    for output in outputs:
        if "stream" in output:
            lines += [f"[{output['stream']}] {line}" for line in output["text"].splitlines()]
        elif "error" in output:
            lines.append(f"[error] {output['error']}: {output['evalue']}")
        elif "other" in output:
            lines.append(f"[{output['other']}]")
        else:
            for kind, data in output.items():
                for mime, text in data.items():
                    lines += [f"[{kind} {mime}] {line}" for line in text.splitlines()]
    return lines


def compare(runs: list[dict], repo: Path) -> tuple[list[str], list[str], int, int]:
    """(reports of checked cells that changed, ignored cells that varied, cells compared,
    cells whose output nbval ignores)."""
    keys = sorted(
        {key for run in runs for key in run["cells"]},
        key=lambda k: (k.rsplit("::", 1)[0], int(k.rsplit(" ", 1)[-1]) if k[-1:].isdigit() else 0),
    )
    changed, varied, ignored = [], [], 0
    for key in keys:
        cells = [run["cells"].get(key) for run in runs]
        present = [cell for cell in cells if cell is not None]
        if all(cell and cell["skipped"] for cell in present):
            continue
        ignored += not any(cell["checked"] for cell in present)
        rendered = [
            render(cell["outputs"]) if cell else ["<cell absent from this run>"] for cell in cells
        ]
        if all(r == rendered[0] for r in rendered[1:]):
            continue
        first = present[0]
        try:
            notebook = str(Path(first["notebook"]).relative_to(repo))
        except ValueError:
            notebook = first["notebook"]
        name = f"{notebook} Cell {first['cell']} ({first['first_line']!r})"
        checked = any(cell and cell["checked"] for cell in cells)
        if not checked:
            varied.append(name)
            continue
        other = next(i for i, r in enumerate(rendered) if r != rendered[0])
        diff = difflib.unified_diff(
            rendered[0], rendered[other], "run 1", f"run {other + 1}", n=1, lineterm=""
        )
        body = "\n".join(f"      {line}" for line in list(diff)[:40])
        changed.append(f"{name}\n{body}")
    return changed, varied, len(keys), ignored


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="*", default=["chapters"], help="default: chapters")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--venv", type=Path, help="reuse this venv instead of building one")
    parser.add_argument("--python", default=sys.executable, help="Python for the fresh venv")
    parser.add_argument("--keep-venv", action="store_true", help="do not delete the fresh venv")
    parser.add_argument("--repo", type=Path, default=REPO, help="the book (default: this repo)")
    args = parser.parse_args(argv)
    if args.runs < 2:
        parser.error("--runs must be at least 2 to compare runs")
    repo = args.repo.resolve()
    out = repo / "_build" / "stress"
    out.mkdir(parents=True, exist_ok=True)
    backend = os.environ.get("MPLBACKEND", "")
    if backend and "inline" not in backend:
        log(f"stress: warning: MPLBACKEND={backend} keeps notebook kernels from showing figures")

    temporary = None
    if args.venv:
        venv_python = args.venv.resolve() / "bin" / "python"
        if not venv_python.exists():
            parser.error(f"{venv_python} does not exist")
        log(f"stress: reusing the venv {args.venv}")
    else:
        temporary = Path(tempfile.mkdtemp(prefix="nnbook-stress-"))

    # chapters/conftest.py rewrites the budget table; keep the one `make test` wrote.
    budgets = repo / "_build" / "notebook-budgets.md"
    saved_budgets = budgets.read_bytes() if budgets.is_file() else None
    runs = []
    try:
        if temporary is not None:
            venv_python = make_venv(args.python, temporary / "venv", repo, out / "pip.log")
        for index in range(1, args.runs + 1):
            runs.append(run_suite(venv_python, repo, args.paths, index, out))
    finally:
        if saved_budgets is not None:
            budgets.write_bytes(saved_budgets)
        if temporary is not None and not args.keep_venv:
            shutil.rmtree(temporary, ignore_errors=True)
        elif temporary is not None:
            log(f"stress: kept the venv {temporary / 'venv'}")

    changed, varied, compared, ignored = compare(runs, repo)
    failing = [(i + 1, run) for i, run in enumerate(runs) if run["status"] != 0]
    log()
    log(
        f"stress: {args.runs} runs, {compared} notebook cells compared "
        f"({ignored} marked NBVAL_IGNORE_OUTPUT or otherwise unchecked)"
    )
    for index, run in failing:
        log(f"FAILED run {index} (exit {run['status']}, see {run['log']}):")
        for name in run["failed"][:30]:
            log(f"    {name}")
    if not any(run["cells"] for run in runs):
        log("FAILED: no notebook cell was recorded (did nbval run? is --nbval in addopts?)")
    if changed:
        log(f"CHANGED between runs ({len(changed)} checked cells):")
        for report in changed:
            log(f"  {report}")
    if varied:
        log(f"info: {len(varied)} of the {ignored} unchecked cells varied, as they may:")
        for name in varied:
            log(f"    {name}")
    ok = not failing and not changed and any(run["cells"] for run in runs)
    if ok:
        log("stress: PASSED, every checked cell printed the same in every run")
    else:
        log("stress: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
