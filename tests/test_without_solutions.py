"""The teacher's build (make book-without-solutions) hands out no solution, and keeps the
exercises, their stubs and their checker calls.

The filter itself (tests/tools/strip_solutions.py) is tested on small pages here, always.
The build is inspected only when _build/teacher/html exists and was made from the current
pages (a digest written by the filter says so); `make test-without-solutions` sets
NNBOOK_TEACHER_BUILD=required, and then a missing or stale build fails instead of skipping.

How solution text is searched for: every page and notebook of the book is split by the
filter into kept text and solutions. Text is compared as runs of word tokens (letters,
digits, underscores), so that HTML tags, entities, syntax highlighting and the
``$...$`` to ``\\(...\\)`` of MathJax do not matter. A fingerprint of a solution is a run
of WINDOW consecutive tokens of one of its lines, mostly words, that occurs nowhere in
the kept text.
Where the normal build (_build/html) is fresh, only fingerprints that are found in it are
kept, every solution must have one, and the markers of the buttons must be found in it
too: the search is shown able to fail.
"""

from __future__ import annotations

import html
import os
import re
import sys
from functools import cache
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "tools"))
import strip_solutions as strip  # noqa: E402

TEACHER = ROOT / "_build" / "teacher" / "html"
FULL = ROOT / "_build" / "html"
DIGEST = ROOT / "_build" / "teacher" / "sources.sha256"
WINDOW = 5
TOKEN = re.compile(r"[A-Za-z0-9_]+")
TAG = re.compile(r"<[^>]+>")
# The sphinx-book-theme markup of the buttons that would hand out sources or solutions.
BUTTON_MARKERS = ("dropdown-launch-buttons", "dropdown-download-buttons", "/v2/gh/",
                  "btn-download-source-button", "btn-download-notebook-button")


# ------------------------------------------------------------------ the filter, always
PAGE = """\
# A page

````{exercise} Add
:label: ex-add

Add two numbers.
````

````{solution} ex-add
:class: dropdown

```python
def add(a, b):
    return a + b
```
The plus sign does it.
````

:::{solution} ex-add
A colon fence, too.
:::

~~~~{solution} ex-add
A tilde fence.
~~~~

Text after the solutions stays.
"""


def test_filter_drops_fenced_solutions_with_nested_code_and_keeps_the_rest():
    kept, solutions = strip.split_markdown(PAGE)
    assert "Add two numbers." in kept and "Text after the solutions stays." in kept
    assert "return a + b" not in kept and "plus sign" not in kept
    assert "colon fence" not in kept and "tilde" not in kept and "{solution}" not in kept
    assert len(solutions) == 3 and "return a + b" in solutions[0]


def test_filter_drops_a_gated_solution_across_cells_with_its_outputs():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("```{exercise-start} Square\n:label: ex-sq\n```\n"
                                      "Square a number."),
        nbformat.v4.new_code_cell("def square(x):\n    raise NotImplementedError"),
        nbformat.v4.new_markdown_cell("```{exercise-end}\n```"),
        nbformat.v4.new_markdown_cell("Before.\n```{solution-start} ex-sq\n"
                                      ":class: dropdown\n```\nMultiply it by itself."),
        nbformat.v4.new_code_cell("def square(x):\n    return x * x\ncheck(square)"),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```\nAfter."),
    ]
    nb.cells[4].outputs = [nbformat.v4.new_output("stream", text="square: correct\n")]
    filtered, solutions = strip.split_notebook(nb)
    text = "\n".join(cell.source for cell in filtered.cells)
    assert "raise NotImplementedError" in text and "{exercise-end}" in text
    assert "Before." in text and "After." in text
    assert "x * x" not in text and "itself" not in text and "solution-" not in text
    assert len(solutions) == 1 and "square: correct" in solutions[0]
    assert len(filtered.cells) == 5  # the solution's code cell is gone


def test_filter_refuses_an_unclosed_solution():
    with pytest.raises(ValueError, match="not closed"):
        strip.split_markdown("```{solution} ex\nno end\n")


# ------------------------------------------------------------------ the build
def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def windows(toks: list[str]) -> set[tuple[str, ...]]:
    return set(zip(*(toks[i:] for i in range(WINDOW))))


def wordy(window: tuple[str, ...]) -> bool:
    """True for a window of mostly words: runs of digits (a printed array) also occur by
    chance in minified JavaScript, and would make the search cry wolf."""
    return sum(any(c.isalpha() for c in token) for token in window) >= WINDOW - 2


def file_tokens(path: Path) -> list[str]:
    """The word tokens a file shows (HTML without tags and entities), any file type."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    if path.suffix in (".html", ".htm", ".xml", ".svg"):
        text = html.unescape(TAG.sub(" ", text))
    return tokens(text)


@cache
def split_book():
    """{page path: (kept text, [solution texts])} for every page of the book."""
    book = {}
    for path in strip.pages(ROOT):
        if path.suffix == ".ipynb":
            nb, solutions = strip.split_notebook(nbformat.read(path, as_version=4))
            kept = "\n".join(c.source + "\n" + strip._outputs_text(c) for c in nb.cells)
        else:
            kept, solutions = strip.split_markdown(path.read_text())
        book[path.relative_to(ROOT)] = (kept, solutions)
    return book


def full_build_is_fresh() -> bool:
    index = FULL / "searchindex.js"
    if not index.exists():
        return False
    newest = max(path.stat().st_mtime for path in strip.pages(ROOT))
    return index.stat().st_mtime > newest


@cache
def full_build_windows() -> tuple[set, set]:
    """(windows of the pages, windows of the theme's static files) of the normal build."""
    pages, static = set(), set()
    for path in FULL.rglob("*"):
        if path.is_file():
            target = static if "_static" in path.relative_to(FULL).parts else pages
            target |= windows(file_tokens(path))
    return pages, static


@cache
def fingerprints() -> dict[tuple[str, ...], str]:
    """{token window: 'page, solution n'} for every detectable piece of solution text."""
    book = split_book()
    kept_windows = set()
    for kept, _ in book.values():
        kept_windows |= windows(tokens(kept))
    check_against_full = full_build_is_fresh()
    if check_against_full:
        full_pages, full_static = full_build_windows()
    found, undetectable = {}, []
    for page, (_, solutions) in book.items():
        for number, solution in enumerate(solutions, start=1):
            name = f"{page}, solution {number}"
            own = set()
            for line in solution.splitlines():
                own |= {w for w in windows(tokens(line)) - kept_windows if wordy(w)}
            if check_against_full:
                own = (own & full_pages) - full_static
            if not own:
                undetectable.append(name)
            found.update(dict.fromkeys(own, name))
    assert not undetectable, ("solutions without a fingerprint the search could find:\n"
                              + "\n".join(undetectable))
    return found


@pytest.fixture(scope="module")
def teacher():
    required = os.environ.get("NNBOOK_TEACHER_BUILD") == "required"
    problem = None
    if not TEACHER.is_dir():
        problem = "no teacher's build in _build/teacher/html: make book-without-solutions"
    elif not DIGEST.exists() or DIGEST.read_text().strip() != strip.sources_digest(ROOT):
        problem = "the teacher's build is older than the pages: make book-without-solutions"
    if problem:
        if required:
            pytest.fail(problem)
        pytest.skip(problem)
    return TEACHER


def teacher_files(teacher):
    return sorted(path for path in teacher.rglob("*") if path.is_file())


def test_the_book_has_solutions_to_look_for():
    # At least the five checked exercises of each of the six chapters; fingerprints()
    # itself fails when a solution has none.
    solutions = sum(len(solutions) for _, solutions in split_book().values())
    assert solutions >= 30
    assert len(fingerprints()) >= solutions


def test_no_file_of_the_teachers_build_holds_solution_text(teacher):
    prints = fingerprints()
    leaks = {}
    for path in teacher_files(teacher):
        for window in windows(file_tokens(path)) & prints.keys():
            leaks.setdefault(prints[window], set()).add(str(path.relative_to(teacher)))
    assert not leaks, "solution text in the teacher's build:\n" + "\n".join(
        f"{solution}: in {', '.join(sorted(files))}" for solution, files in leaks.items())


def test_no_sources_notebooks_or_launch_and_download_buttons(teacher):
    files = teacher_files(teacher)
    assert len(files) > 50
    assert not [p for p in files if "_sources" in p.parts or p.suffix == ".ipynb"]
    pages = [p for p in files if p.suffix == ".html"]
    for marker in BUTTON_MARKERS:
        assert not [p for p in pages if marker in p.read_text()], marker
    if full_build_is_fresh():  # the markers are what the normal build shows
        page = FULL / "chapters" / "01-perceptron" / "checked-exercises.html"
        assert all(marker in page.read_text() for marker in BUTTON_MARKERS[:3])
        assert (FULL / "_sources").is_dir()


def test_every_exercise_is_there_and_no_solution_box(teacher):
    pages = {p: p.read_text() for p in teacher.rglob("*.html")}
    assert not [p for p, text in pages.items() if 'class="solution' in text]
    labels = []
    for page, (kept, _) in split_book().items():
        labels += re.findall(r"\{exercise(?:-start)?\}[^\n]*\n:label: *(\S+)", kept)
    assert len(labels) >= 30
    shown = "\n".join(pages.values())
    missing = [label for label in labels if f'id="{label}"' not in shown]
    assert not missing, f"exercises missing from the teacher's build: {missing}"


@pytest.mark.parametrize("notebook", sorted(ROOT.glob("chapters/*/checked-exercises.ipynb")),
                         ids=lambda p: p.parent.name)
def test_stubs_checker_calls_and_hints_are_there(teacher, notebook):
    page = teacher / notebook.relative_to(ROOT).with_suffix(".html")
    shown = " ".join(file_tokens(page))
    nb = nbformat.read(notebook, as_version=4)
    kept, _ = strip.split_notebook(nb)
    code = [cell for cell in kept.cells if cell.cell_type == "code"]
    stubs = [c for c in code if "raise NotImplementedError" in c.source]
    calls = [c for c in code if c.source.startswith("check.")]
    assert len(stubs) >= 5 and len(calls) == len(stubs)
    assert all("raises-exception" in c.metadata.get("tags", []) for c in calls)
    for cell in code:
        assert " ".join(tokens(cell.source)) in shown, cell.source
        assert " ".join(tokens(strip._outputs_text(cell))) in shown
    assert shown.count("CheckFailed") >= len(calls)
