"""Stage a copy of the book with every solution removed at its source (the teacher's build).

Usage (through make, which uses the pinned .venv):

    make book-without-solutions        # runs: strip_solutions.py . _build/teacher/src, then
                                       # jupyter-book build _build/teacher/src

The copy holds every file of the book except version control, the venv and build output.
In it, every notebook and Markdown page loses

* every ``{solution}`` directive (backtick, tilde or colon fence, any fence length), and
* every gated solution: everything from a ``{solution-start}`` directive to the end of
  its ``{solution-end}`` directive, code cells and their outputs included;

cells left empty are dropped. The copy's _config.yml switches off the launch (Binder)
and repository buttons, and a small extension written into the copy switches off the
download buttons and the copying of page sources (``_sources/``), which would otherwise
hand out the unfiltered notebooks. sphinx-exercise's own ``hide_solutions`` is not used:
version 1.2.1 crashes on gated solutions, and it would leave the solutions in the sources.

A digest of the unfiltered pages is written next to the copy, so that the test of the
teacher's build (tests/test_without_solutions.py) can tell a stale build from a fresh one.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import sys
from pathlib import Path

import nbformat
import yaml

# Not part of the book: never copied.
IGNORED = {".git", ".venv", "_build", "__pycache__", ".pytest_cache", ".ipynb_checkpoints",
           ".mypy_cache", ".ruff_cache"}
PAGE_SUFFIXES = (".md", ".ipynb")
# An opening fence of a MyST directive: indentation, 3+ backticks, tildes or colons, {name}.
FENCE_OPEN = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,}|:{3,})\{(?P<name>[\w-]+)\}")
EXTENSION_NAME = "teacher_edition"
EXTENSION = '''"""Written by tests/tools/strip_solutions.py into the teacher's build only.

No download buttons and no copied page sources: the pages' sources are filtered, but a
reader of the published teacher's build should not be offered files at all.
"""


def _no_downloads(app, config):
    options = dict(config.html_theme_options or {})
    options["use_download_button"] = False
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", _no_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
'''


class Stripper:
    """A line-by-line state machine that drops solutions from MyST Markdown.

    It is fed the lines of one page (for a notebook, the lines of every cell in order, so
    that a gated solution may span cells) and answers for each line whether it is kept.
    """

    def __init__(self):
        self.closing = None  # the fence that closes the directive being dropped
        self.gated = False  # inside {solution-start} ... {solution-end}
        self.ending = False  # the {solution-end} directive itself is being dropped
        self.finished = False  # the line just dropped closed a solution

    @property
    def dropping(self):
        return self.gated or self.closing is not None

    def keep(self, line: str) -> bool:
        stripped = line.strip()
        self.finished = False
        if self.closing is not None:
            # A closing fence: the same character, at least as long, nothing after it.
            char, length = self.closing
            if stripped and set(stripped) == {char} and len(stripped) >= length:
                self.closing = None
                if self.ending:
                    self.ending = self.gated = False
                self.finished = not self.gated
            return False
        match = FENCE_OPEN.match(line)
        name = match["name"] if match else None
        if self.gated:
            if name == "solution-end":
                self.closing, self.ending = (match["fence"][0], len(match["fence"])), True
            return False
        if name in ("solution", "solution-start"):
            self.closing = (match["fence"][0], len(match["fence"]))
            self.gated = name == "solution-start"
            return False
        return True


class _Chunks:
    """Collects dropped text into one chunk per solution: kept text ends a chunk."""

    def __init__(self):
        self.solutions, self.current = [], []

    def drop(self, text):
        self.current.append(text)

    def flush(self):
        if self.current:
            self.solutions.append("".join(self.current))
            self.current = []


def _outputs_text(cell) -> str:
    """The text a code cell's outputs show on the page."""
    parts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            parts.append(output["text"])
        for key in ("text/plain", "text/markdown", "text/html", "text/latex"):
            if key in output.get("data", {}):
                parts.append(output["data"][key])
        if output.get("output_type") == "error":
            parts.append("\n".join(output.get("traceback", [])))
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts)


def _split_lines(text, stripper, chunks):
    kept = []
    for line in text.splitlines(keepends=True):
        if stripper.keep(line):
            if line.strip():
                chunks.flush()
            kept.append(line)
        else:
            chunks.drop(line)
            if stripper.finished:
                chunks.flush()
    return "".join(kept)


def split_markdown(text: str) -> tuple[str, list[str]]:
    """The page without solutions, and the text of each solution dropped."""
    stripper, chunks = Stripper(), _Chunks()
    kept = _split_lines(text, stripper, chunks)
    if stripper.dropping:
        raise ValueError("a solution directive is not closed")
    chunks.flush()
    return kept, chunks.solutions


def split_notebook(nb) -> tuple[object, list[str]]:
    """The notebook without solutions, and the text (source and outputs) of each
    solution dropped. A code cell inside a gated solution is dropped whole."""
    stripper, chunks = Stripper(), _Chunks()
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            if stripper.dropping:
                chunks.drop(cell.source + "\n" + _outputs_text(cell) + "\n")
            else:
                chunks.flush()
                cells.append(cell)
            continue
        kept = _split_lines(cell.source + "\n", stripper, chunks)
        if kept.strip():
            cells.append(nbformat.from_dict({**cell, "source": kept.rstrip("\n")}))
    if stripper.dropping:
        raise ValueError("a solution directive is not closed")
    chunks.flush()
    nb = nbformat.from_dict(dict(nb))
    nb.cells = cells
    return nb, chunks.solutions


def pages(root: Path):
    """Every page of the book under ``root``: the files that _toc.yml lists, each a
    Markdown page or a notebook (the book builds only these: only_build_toc_files)."""
    def entries(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("root", "file") and isinstance(value, str):
                    yield value
                else:
                    yield from entries(value)
        elif isinstance(node, list):
            for item in node:
                yield from entries(item)

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    for entry in entries(toc):
        found = [root / (entry + suffix) for suffix in PAGE_SUFFIXES
                 if (root / (entry + suffix)).is_file()]
        if not found:
            raise FileNotFoundError(f"_toc.yml lists {entry!r}, which is neither .md nor .ipynb")
        yield from found


def sources_digest(root: Path) -> str:
    """A digest of every page and the two configuration files, to detect a stale build."""
    digest = hashlib.sha256()
    for path in list(pages(root)) + [root / "_config.yml", root / "_toc.yml"]:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def configure(config_path: Path) -> None:
    """No launch, repository, issue or edit buttons, the no-download extension, and a
    banner that says the solutions are left out."""
    config = yaml.safe_load(config_path.read_text()) or {}
    config["launch_buttons"] = {"binderhub_url": "", "jupyterhub_url": "", "thebe": False,
                                "colab_url": "", "deepnote_url": ""}
    html = config.setdefault("html", {})
    for button in ("use_repository_button", "use_issues_button", "use_edit_page_button"):
        html[button] = False
    # The pages still say that solutions fold away under each exercise; a banner on every
    # page tells the reader of this edition why there are none.
    html["announcement"] = ("This edition leaves out the solutions of the exercises; "
                            "the checkers still tell you whether your answer is right.")
    sphinx = config.setdefault("sphinx", {})
    extensions = sphinx.get("local_extensions") or {}
    extensions[EXTENSION_NAME] = "_ext"
    sphinx["local_extensions"] = extensions
    settings = sphinx.get("config") or {}
    settings["html_copy_source"] = False
    settings["html_show_sourcelink"] = False
    sphinx["config"] = settings
    config_path.write_text("# The teacher's build: written by tests/tools/strip_solutions.py\n"
                           + yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    (config_path.parent / "_ext").mkdir(exist_ok=True)
    (config_path.parent / "_ext" / f"{EXTENSION_NAME}.py").write_text(EXTENSION)


def stage(source: Path, destination: Path) -> int:
    """Copy the book to ``destination`` and strip every page; return the number of
    solutions removed."""
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(source, destination,
                    ignore=lambda folder, names: [n for n in names if n in IGNORED])
    removed = 0
    for path in pages(destination):
        if path.suffix == ".ipynb":
            nb, solutions = split_notebook(nbformat.read(path, as_version=4))
            if solutions:
                nbformat.write(nb, path)
        else:
            text, solutions = split_markdown(path.read_text())
            if solutions:
                path.write_text(text)
        removed += len(solutions)
    configure(destination / "_config.yml")
    (destination.parent / "sources.sha256").write_text(sources_digest(source) + "\n")
    return removed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="the book (the repository root)")
    parser.add_argument("destination", type=Path, help="where to stage the filtered copy")
    args = parser.parse_args()
    source, destination = args.source.resolve(), args.destination.resolve()
    if source in destination.parents and destination.relative_to(source).parts[0] not in IGNORED:
        parser.error("the destination must be outside the book or under _build")
    removed = stage(source, destination)
    print(f"strip_solutions: {removed} solutions removed; the filtered book is in "
          f"{args.destination}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
