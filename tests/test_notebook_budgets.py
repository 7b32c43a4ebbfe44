"""The notebook budget plugin (chapters/conftest.py) under pytest-xdist and serially.

`make test` runs the notebooks in xdist workers, while the session (and its pass or fail)
ends in the controller. These tests run a throwaway book of two tiny notebooks through
nbval, in a pytest subprocess, with the plugin's own code and lowered limits, and check
what the controller reports: a table with both notebooks and a non-zero peak memory for
each, a failed run when a budget is broken, a passing run when none is, and (through a
committed output) that a kernel started by a worker sees the controller's canonical
numerical environment. The independent reference is what the notebooks do: one holds a
320 MB array, so its kernel's peak is above 0.3 GB whoever measures it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "tools"))
import numerics  # noqa: E402

# The conftest of the throwaway book: the real plugin's hooks, with the limits from the
# environment, so that a test can set them low enough to be broken.
CONFTEST = f"""
import importlib.util, os
spec = importlib.util.spec_from_file_location(
    "budget_plugin", {str(REPO / "chapters" / "conftest.py")!r})
plugin = importlib.util.module_from_spec(spec)
spec.loader.exec_module(plugin)
plugin.NOTEBOOK_SECONDS = float(os.environ["TEST_NOTEBOOK_SECONDS"])
plugin.NOTEBOOK_BYTES = float(os.environ["TEST_NOTEBOOK_BYTES"])
globals().update({{k: v for k, v in vars(plugin).items() if k.startswith("pytest_")}})
"""

ENV_PROBE = ('import os\n'
             'print(os.environ.get("NNBOOK_NUMERICS"), os.environ.get("OPENBLAS_CORETYPE"))')
BIG_ARRAY = "import numpy as np\nbig = np.ones(40_000_000)  # 320 MB\nprint(big.nbytes // 10**6)"


def _notebook(path: Path, source: str, output: str) -> None:
    cell = nbformat.v4.new_code_cell(source, execution_count=1)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)]
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("budget-book")
    env = numerics.canonical_environ()
    (root / "pytest.ini").write_text(
        "[pytest]\naddopts = --nbval --nbval-current-env -p no:cacheprovider\n")
    (root / "conftest.py").write_text(CONFTEST)
    probe = f"{env[numerics.MARKER]} {env.get('OPENBLAS_CORETYPE')}\n"
    _notebook(root / "env_probe.ipynb", ENV_PROBE, probe)
    _notebook(root / "big_array.ipynb", BIG_ARRAY, "320\n")
    return root, env


def _run(book, *args, seconds: float, gigabytes: float) -> tuple[int, str]:
    root, env = book
    env = {**env, "TEST_NOTEBOOK_SECONDS": str(seconds),
           "TEST_NOTEBOOK_BYTES": str(gigabytes * 2**30)}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", *args, "env_probe.ipynb",
         "big_array.ipynb"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )
    return proc.returncode, proc.stdout + proc.stderr


def _table(output: str) -> dict[str, tuple[float, float]]:
    rows = re.findall(r"^\| (\S+\.ipynb) \| ([\d.]+) \| ([\d.]+) \|$", output, flags=re.M)
    return {name: (float(seconds), float(peak)) for name, seconds, peak in rows}


def test_xdist_controller_enforces_budgets_it_gathers_from_workers(book):
    status, output = _run(book, "-n", "2", "--dist", "loadfile", seconds=600, gigabytes=0.25)
    assert "2 workers" in output, output
    assert re.search(r"\b2 passed\b", output), f"the cells themselves should pass:\n{output}"
    table = _table(output)
    assert set(table) == {"env_probe.ipynb", "big_array.ipynb"}, output
    assert table["big_array.ipynb"][1] > 0.3, output
    assert 0 < table["env_probe.ipynb"][1] < 0.25, output
    assert all(seconds > 0 for seconds, _ in table.values()), output
    assert "measured under pytest-xdist, 2 workers" in output, output
    assert "BUDGET EXCEEDED: big_array.ipynb" in output, output
    assert "BUDGET EXCEEDED: env_probe.ipynb" not in output, output
    assert status == 1, f"a broken budget must fail the run (exit {status}):\n{output}"


def test_xdist_run_within_budgets_passes(book):
    status, output = _run(book, "-n", "2", "--dist", "loadfile", seconds=600, gigabytes=1.5)
    assert len(_table(output)) == 2, output
    assert "BUDGET EXCEEDED" not in output, output
    assert status == 0, output


def test_serial_run_enforces_the_time_budget(book):
    # Starting a kernel alone takes longer than 0.05 s, so both notebooks break it.
    status, output = _run(book, "-p", "no:xdist", seconds=0.05, gigabytes=1.5)
    assert "measured serially" in output, output
    breaches = re.findall(r"^BUDGET EXCEEDED: (\S+\.ipynb): [\d.]+ s > 0 s$", output, re.M)
    assert sorted(breaches) == ["big_array.ipynb", "env_probe.ipynb"], output
    assert status == 1, output
