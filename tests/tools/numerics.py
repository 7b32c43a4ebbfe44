"""Apply the book's canonical numerical environment (numerics.env) and report on it.

Every path that runs notebook code goes through here: the Makefile prefixes each Python
command with `python tests/tools/numerics.py run --`, Binder's `start` file does the same,
conftest.py calls `apply()` for a bare `pytest`, and the notebook tools call
`canonical_environ()` before they start kernels.

    python tests/tools/numerics.py run -- CMD ARGS...   run CMD in the canonical environment
    python tests/tools/numerics.py status               "canonical" or "tolerant: <why>"; exit 0 / 1
    python tests/tools/numerics.py show                 the values numerics.env sets

The values override whatever the caller's environment set. They apply only where they
mean the same thing on every machine: Linux on x86-64 with AVX2 and FMA (OpenBLAS's
Haswell kernels and NumPy's X86_V3 loops need both). Elsewhere (a Mac with Apple silicon,
an old CPU) nothing is changed, NNBOOK_NUMERICS says "tolerant", and `make test`
compares notebook outputs with a tolerance instead of strictly (tests/tools/portability.py).

Standard library only: this module runs before NumPy is imported, which is the point.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import MutableMapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENV_FILE = REPO / "numerics.env"
# Set by apply(): "canonical" or "tolerant"; tests and tools read it.
MARKER = "NNBOOK_NUMERICS"
# x86-64 features the pinned kernels need (OpenBLAS Haswell, NumPy X86_V3).
REQUIRED_FLAGS = ("avx2", "fma")


def read_env_file(path: Path = ENV_FILE) -> dict[str, str]:
    """The KEY=VALUE pairs of numerics.env, in file order (comments and blanks skipped)."""
    values = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.isidentifier() or " " in value or '"' in value:
            raise ValueError(f"{path}:{number}: expected KEY=VALUE without spaces or quotes")
        values[key] = value
    return values


def cpu_flags() -> set[str]:
    """The CPU flags the Linux kernel reports (empty where /proc/cpuinfo does not exist)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.partition(":")[2].split())
    return set()


def pinnable() -> tuple[bool, str]:
    """Whether the canonical values apply on this machine, and why not when they do not."""
    machine = platform.machine().lower()
    if sys.platform != "linux" or machine not in ("x86_64", "amd64"):
        return False, f"{sys.platform}/{machine} is not Linux on x86-64"
    missing = [flag for flag in REQUIRED_FLAGS if flag not in cpu_flags()]
    if missing:
        return False, f"this CPU lacks {', '.join(missing)}"
    return True, "Linux on x86-64 with AVX2 and FMA"


def apply(environ: MutableMapping[str, str] | None = None) -> str:
    """Write the canonical values into `environ` (default os.environ); return the mode.

    Returns "canonical" when the values were applied, "tolerant: <reason>" otherwise.
    Either way environ[MARKER] records the mode, so child processes can tell.
    """
    environ = os.environ if environ is None else environ
    ok, reason = pinnable()
    if ok:
        environ.update(read_env_file())
        environ[MARKER] = "canonical"
        return "canonical"
    environ[MARKER] = "tolerant"
    return f"tolerant: {reason}"


def canonical_environ(base: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """A copy of `base` (default os.environ) with the canonical values applied."""
    environ = dict(os.environ if base is None else base)
    apply(environ)
    return environ


def main(argv: list[str]) -> int:
    if argv[:1] == ["run"]:
        command = argv[1:]
        if command[:1] == ["--"]:
            command = command[1:]
        if not command:
            print("usage: numerics.py run -- CMD [ARGS...]", file=sys.stderr)
            return 2
        mode = apply()
        if mode != "canonical" and not os.environ.get("NNBOOK_NUMERICS_QUIET"):
            print(f"numerics: {mode}; the canonical pins do not apply here", file=sys.stderr)
        os.execvp(command[0], command)
    if argv == ["status"]:
        mode = apply(dict(os.environ))
        print(mode)
        return 0 if mode == "canonical" else 1
    if argv == ["show"]:
        for key, value in read_env_file().items():
            print(f"{key}={value}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
