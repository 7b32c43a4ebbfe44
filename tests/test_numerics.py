"""The canonical numerical environment (numerics.env, tests/tools/numerics.py; README).

Independent references: OpenBLAS itself (through threadpoolctl, which asks the loaded
library which kernels it runs and on how many threads) and NumPy itself
(`numpy.show_runtime()`, which lists the SIMD groups its dispatcher may use). The checks
run in the processes that matter: a command started through `numerics.py run` from a
shell that set other values, a notebook kernel started the way nbval starts one, and
Binder's `start` file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "tools"))
import numerics  # noqa: E402

PINNABLE, WHY_NOT = numerics.pinnable()
needs_pins = pytest.mark.skipif(not PINNABLE, reason=f"the pins cannot apply here: {WHY_NOT}")

# Prints what OpenBLAS and NumPy report about themselves, as one JSON line.
PROBE = r"""
import contextlib, io, json, os, re
import numpy as np
from threadpoolctl import threadpool_info
blas = [i for i in threadpool_info() if i.get("user_api") == "blas"][0]
buffer = io.StringIO()
with contextlib.redirect_stdout(buffer):
    np.show_runtime()
found = re.search(r"'found': \[([^\]]*)\]", buffer.getvalue()).group(1)
print("PROBE" + json.dumps({"architecture": blas["architecture"],
    "threads": blas["num_threads"], "found": re.findall(r"\w+", found),
    "intraop": os.environ.get("TF_NUM_INTRAOP_THREADS")}))
"""
# A caller whose shell set other kernels, another SIMD level and more threads.
HOSTILE = {"OPENBLAS_CORETYPE": "Sandybridge", "OPENBLAS_NUM_THREADS": "2",
           "NPY_DISABLE_CPU_FEATURES": "X86_V3", "NPY_ENABLE_CPU_FEATURES": "X86_V4",
           "TF_NUM_INTRAOP_THREADS": "8"}


def _parse(text: str) -> dict:
    line = next(line for line in text.splitlines() if line.startswith("PROBE"))
    return json.loads(line.removeprefix("PROBE"))


def _assert_canonical(report: dict) -> None:
    pins = numerics.read_env_file()
    assert report["architecture"].lower() == pins["OPENBLAS_CORETYPE"].lower(), report
    assert report["threads"] == int(pins["OPENBLAS_NUM_THREADS"]), report
    disabled = set(pins["NPY_DISABLE_CPU_FEATURES"].split(","))
    assert "X86_V3" in report["found"], f"NumPy lost its AVX2 loops: {report}"
    assert not disabled & set(report["found"]), f"NumPy still dispatches to {report}"
    assert report["intraop"] == pins["TF_NUM_INTRAOP_THREADS"], report


def test_env_file_is_plain_key_value():
    pins = numerics.read_env_file()
    assert pins["OPENBLAS_CORETYPE"] == "Haswell"
    assert pins["NPY_ENABLE_CPU_FEATURES"] == "", "NumPy refuses to import when both are set"
    for key, value in pins.items():
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", key) and " " not in value


@needs_pins
def test_run_overrides_the_callers_values():
    env = {**os.environ, **HOSTILE}
    proc = subprocess.run(
        [sys.executable, str(REPO / "tests/tools/numerics.py"), "run", "--",
         sys.executable, "-c", PROBE],
        env=env, capture_output=True, text=True, check=True,
    )
    _assert_canonical(_parse(proc.stdout))


@needs_pins
def test_notebook_kernel_runs_the_pinned_kernels():
    """A kernel started as nbval starts it (this process's environment) is canonical."""
    from nbval.kernel import CURRENT_ENV_KERNEL_NAME, RunningKernel

    kernel = RunningKernel(CURRENT_ENV_KERNEL_NAME, cwd=str(REPO))
    try:
        msg_id = kernel.execute_cell_input(PROBE, allow_stdin=False)
        text = ""
        while True:
            msg = kernel.get_message(stream="iopub", timeout=120)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            content = msg["content"]
            if msg["msg_type"] == "stream":
                text += content["text"]
            elif msg["msg_type"] == "error":
                pytest.fail("\n".join(content["traceback"]))
            elif msg["msg_type"] == "status" and content["execution_state"] == "idle":
                break
    finally:
        kernel.stop()
    _assert_canonical(_parse(text))


@needs_pins
def test_binder_start_file_applies_the_pins():
    start = REPO / "start"
    assert os.access(start, os.X_OK), "repo2docker runs `start` only when it is executable"
    env = {**os.environ, **HOSTILE}
    proc = subprocess.run([str(start), sys.executable, "-c", PROBE], env=env,
                          capture_output=True, text=True, check=True)
    _assert_canonical(_parse(proc.stdout))


def test_apply_changes_nothing_where_the_pins_cannot_apply(monkeypatch):
    monkeypatch.setattr(numerics, "pinnable", lambda: (False, "an Apple M2"))
    env = dict(HOSTILE)
    assert numerics.apply(env) == "tolerant: an Apple M2"
    assert env == {**HOSTILE, numerics.MARKER: "tolerant"}


def test_every_make_target_that_runs_python_is_pinned():
    """Each recipe line that starts the venv's Python or Jupyter goes through $(RUN),
    except the install step and `make portability`, which unpins on purpose."""
    unpinned = []
    target = None
    for line in (REPO / "Makefile").read_text().splitlines():
        if line and not line[0].isspace() and ":" in line and not line.startswith("#"):
            target = line.split(":")[0]
        if not line.startswith("\t"):
            continue
        runs_code = re.search(r"\$\(BIN\)/(python|jupyter)", line)
        if runs_code and "$(RUN)" not in line and "pip install" not in line \
                and target not in ("$(STAMP)", "portability"):
            unpinned.append(f"{target}: {line.strip()}")
    assert not unpinned, "Makefile lines that bypass numerics.env:\n" + "\n".join(unpinned)
