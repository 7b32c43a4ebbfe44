"""Execute chapter notebooks in place, the only way their committed outputs are made.

Usage (through make, which uses the pinned .venv):

    make outputs                                   # every notebook under chapters/
    make outputs NB=chapters/01-perceptron/01-logic-gates.ipynb

Each notebook is cleared, run top to bottom in a fresh kernel whose working directory is
the notebook's folder (as nbval runs it), and written back with normalized metadata: no
execution timings, no widget state, a generic kernelspec. Wall time and the kernel's peak
resident memory are printed per notebook, so a budget breach shows up at once.

Outputs are made only in the canonical numerical environment (numerics.env, applied here
to the kernels whatever the caller set); on a machine where it cannot apply, this tool
refuses, since outputs made there would not be what strict nbval reproduces elsewhere.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).parent))
import numerics  # noqa: E402
from kernel_memory import peak_rss_bytes  # noqa: E402

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def coalesce_streams(outputs: list) -> list:
    """Join consecutive prints to the same stream into one output, as nbval compares them:
    how the kernel cuts a cell's printing into messages depends on timing alone."""
    joined = []
    for output in outputs:
        previous = joined[-1] if joined else None
        if (output.output_type == "stream" and previous is not None
                and previous.output_type == "stream" and previous.name == output.name):
            previous.text += output.text
        else:
            joined.append(output)
    return joined


def normalize(nb: nbformat.NotebookNode) -> None:
    """Strip everything that changes from run to run or from machine to machine."""
    nb.metadata = nbformat.from_dict(
        {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    )
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        if "id" in cell:
            del cell["id"]
    nb.nbformat, nb.nbformat_minor = 4, 4


def execute(path: Path, timeout: int) -> tuple[float, int]:
    """Run one notebook in place; return (wall seconds, peak kernel memory in bytes)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    peak = 0
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        peak = peak_rss_bytes(pid)
    seconds = time.perf_counter() - start
    normalize(nb)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args()
    mode = numerics.apply()  # kernels inherit os.environ
    if mode != "canonical":
        print(f"numerics: {mode}; notebook outputs are made only in the canonical "
              "environment (numerics.env)", file=sys.stderr)
        return 1
    paths = args.notebooks or sorted(Path("chapters").glob("*/*.ipynb"))
    for path in paths:
        seconds, peak = execute(path, args.timeout)
        print(f"{seconds:7.1f} s  {peak / 2**30:5.2f} GB  {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
