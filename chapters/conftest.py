"""Budgets of the chapter notebooks, measured during the strict nbval run (DESIGN.md).

nbval runs each notebook in its own kernel, one pytest item per cell. This plugin adds up
the setup, call and teardown time of a notebook's items (kernel start included) and reads
the kernel's peak resident memory just before nbval stops it. At the end of the session it
prints one table and fails the run when a notebook takes more than 90 s or 1.5 GB, or all
notebooks together more than 10 minutes. The table is also written to
_build/notebook-budgets.md, from which the README's table is copied.

The notebooks are therefore measured while they are being checked, never by running the
book a second time.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "tools"))
from kernel_memory import peak_rss_bytes  # noqa: E402

NOTEBOOK_SECONDS = 90.0
NOTEBOOK_BYTES = 1.5 * 2**30
BOOK_SECONDS = 600.0

_seconds: dict[str, float] = defaultdict(float)
_peak_bytes: dict[str, int] = {}
_started: dict[str, float] = {}


def _notebook_of(item) -> str | None:
    path = str(getattr(item, "path", item.fspath))
    return path if path.endswith(".ipynb") else None


def _kernel_pid(collector) -> int | None:
    kernel = getattr(collector, "kernel", None)
    try:
        return kernel.km.provisioner.process.pid
    except AttributeError:
        return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    notebook = _notebook_of(item)
    start = time.perf_counter()
    yield
    if notebook is not None:
        _seconds[notebook] += time.perf_counter() - start


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # Before nbval's collector teardown stops the kernel after the notebook's last cell.
    notebook = _notebook_of(item)
    if notebook is not None and (nextitem is None or nextitem.parent is not item.parent):
        pid = _kernel_pid(item.parent)
        if pid is not None:
            _peak_bytes[notebook] = peak_rss_bytes(pid)
    yield


def _table(root: Path) -> tuple[list[str], list[str]]:
    lines = ["| notebook | wall time (s) | peak memory (GB) |", "|---|---:|---:|"]
    breaches = []
    for notebook in sorted(_seconds):
        seconds = _seconds[notebook]
        peak = _peak_bytes.get(notebook, 0)
        name = str(Path(notebook).resolve().relative_to(root))
        lines.append(f"| {name} | {seconds:.1f} | {peak / 2**30:.2f} |")
        if seconds > NOTEBOOK_SECONDS:
            breaches.append(f"{name}: {seconds:.1f} s > {NOTEBOOK_SECONDS:.0f} s")
        if peak > NOTEBOOK_BYTES:
            breaches.append(f"{name}: {peak / 2**30:.2f} GB > {NOTEBOOK_BYTES / 2**30:.1f} GB")
    total = sum(_seconds.values())
    lines.append(f"| **all {len(_seconds)} notebooks** | **{total:.1f}** | |")
    if total > BOOK_SECONDS:
        breaches.append(f"the whole book: {total:.1f} s > {BOOK_SECONDS:.0f} s")
    return lines, breaches


def pytest_sessionfinish(session, exitstatus):
    if not _seconds:
        return
    root = Path(str(session.config.rootpath)).resolve()
    lines, breaches = _table(root)
    report = root / "_build" / "notebook-budgets.md"
    report.parent.mkdir(exist_ok=True)
    report.write_text("\n".join(lines) + "\n")
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_sep("=", "notebook budgets (90 s, 1.5 GB each; 600 s in all)")
        for line in lines:
            reporter.write_line(line)
        for breach in breaches:
            reporter.write_line(f"BUDGET EXCEEDED: {breach}", red=True)
    if breaches and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
