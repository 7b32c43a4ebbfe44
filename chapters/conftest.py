"""Budgets of the chapter notebooks, measured during the strict nbval run (ARCHITECTURE.md).

nbval runs each notebook in its own kernel, one pytest item per cell. This plugin adds up
the setup, call and teardown time of a notebook's items (kernel start and stop included)
and reads the kernel's peak resident memory just before nbval stops it. At the end of the
session it prints one table and fails the run when a notebook takes more than 90 s or
1.5 GB, or all notebooks together more than 10 minutes. The table is also written to
_build/notebook-budgets.md, from which the README's table is copied.

The notebooks are therefore measured while they are being checked, never by running the
book a second time.

Under pytest-xdist (`make test` runs `pytest -n ... --dist loadfile`) each notebook runs
whole in one worker process, but the session ends, and the run passes or fails, in the
controller. So nothing is kept in the process that runs the cells: every number travels
in the test reports, which xdist sends from the worker to the controller (a report's
`duration` and `user_properties` are part of what it serialises). The totals are then
added up in `pytest_runtest_logreport`, which pytest calls in the process that owns the
session: the one process of a serial run, the controller of a parallel one. Workers add
up nothing and enforce nothing. A serial run and a parallel run go through the same code.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "tools"))
from kernel_memory import peak_rss_bytes  # noqa: E402

NOTEBOOK_SECONDS = 90.0
NOTEBOOK_BYTES = 1.5 * 2**30
BOOK_SECONDS = 600.0

# The name under which a notebook's peak kernel memory rides on its last teardown report.
PEAK_PROPERTY = "notebook_peak_rss_bytes"

# Keyed by the notebook's path relative to the rootdir (the first part of its node ids).
_seconds: dict[str, float] = defaultdict(float)
_peak_bytes: dict[str, int] = {}
_workers: set[str] = set()
# False in an xdist worker, whose numbers only travel to the controller.
_collecting_here = True


def pytest_configure(config):
    global _collecting_here
    _collecting_here = not _is_worker(config)


def _is_worker(config) -> bool:
    # xdist gives each worker's config a `workerinput`; the controller has none.
    return hasattr(config, "workerinput")


def _notebook_of_path(path: str) -> str | None:
    return path if path.endswith(".ipynb") else None


def _notebook_of(item) -> str | None:
    return _notebook_of_path(str(getattr(item, "path", item.fspath)))


def _kernel_pid(collector) -> int | None:
    kernel = getattr(collector, "kernel", None)
    try:
        return kernel.km.provisioner.process.pid
    except AttributeError:
        return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # Runs where the kernel runs (a worker under xdist), before nbval's collector teardown
    # stops the kernel after the notebook's last cell. The value is put on the item, from
    # which pytest copies it into this item's teardown report.
    notebook = _notebook_of(item)
    if notebook is not None and (nextitem is None or nextitem.parent is not item.parent):
        pid = _kernel_pid(item.parent)
        if pid is not None:
            item.user_properties.append((PEAK_PROPERTY, peak_rss_bytes(pid)))
    yield


def pytest_runtest_logreport(report):
    # Called for every phase report in the process that owns the session: the serial
    # process itself, or the xdist controller as each worker's report arrives. Workers
    # call it for their own reports too; _record ignores those (see pytest_configure).
    _record(report)


def _record(report) -> None:
    if not _collecting_here:
        return
    notebook = _notebook_of_path(report.nodeid.split("::", 1)[0])
    if notebook is None:
        return
    _seconds[notebook] += report.duration
    for name, value in report.user_properties:
        if name == PEAK_PROPERTY:
            _peak_bytes[notebook] = max(_peak_bytes.get(notebook, 0), int(value))
    worker = getattr(report, "node", None)
    if worker is not None:
        _workers.add(str(getattr(worker, "gateway", worker).id))


def _mode() -> str:
    """How the numbers were measured, for the head of the table."""
    if _workers:
        return (
            f"measured under pytest-xdist, {len(_workers)} workers side by side (times are "
            "inflated by the neighbours; `make budget` measures serially)"
        )
    return "measured serially, one notebook at a time"


def _table() -> tuple[list[str], list[str]]:
    lines = ["| notebook | wall time (s) | peak memory (GB) |", "|---|---:|---:|"]
    breaches = []
    for notebook in sorted(_seconds):
        seconds = _seconds[notebook]
        name = Path(notebook).as_posix()
        if notebook not in _peak_bytes:
            # No reading means the kernel was gone before the last teardown: an unmeasured
            # notebook must not pass as one within its memory budget.
            breaches.append(f"{name}: peak memory not measured (kernel not found)")
        peak = _peak_bytes.get(notebook, 0)
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
    if _is_worker(session.config) or not _seconds:
        return
    root = Path(str(session.config.rootpath)).resolve()
    lines, breaches = _table()
    mode = _mode()
    report = root / "_build" / "notebook-budgets.md"
    report.parent.mkdir(exist_ok=True)
    report.write_text(f"<!-- {mode} -->\n" + "\n".join(lines) + "\n")
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_sep("=", "notebook budgets (90 s, 1.5 GB each; 600 s in all)")
        reporter.write_line(mode)
        for line in lines:
            reporter.write_line(line)
        for breach in breaches:
            reporter.write_line(f"BUDGET EXCEEDED: {breach}", red=True)
    if breaches and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

