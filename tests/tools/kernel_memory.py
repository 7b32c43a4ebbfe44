"""Peak resident memory of a notebook kernel, for the per-notebook budget (ARCHITECTURE.md).

On Linux the kernel reports its own high-water mark (VmHWM in /proc/<pid>/status), so one
reading at the end of a notebook gives the peak over the whole run without polling. The
peaks of live child processes (e.g. joblib workers) are added. Elsewhere psutil's current
RSS is the best available stand-in and is labelled as such by the caller's platform.
"""

from __future__ import annotations

from pathlib import Path

import psutil


def _vm_hwm(pid: int) -> int | None:
    status = Path(f"/proc/{pid}/status")
    try:
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def peak_rss_bytes(pid: int) -> int:
    """Peak resident set size in bytes of process `pid` and its live children."""
    try:
        process = psutil.Process(pid)
        processes = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for proc in processes:
        hwm = _vm_hwm(proc.pid)
        if hwm is None:
            try:
                hwm = proc.memory_info().rss
            except psutil.Error:
                hwm = 0
        total += hwm
    return total
