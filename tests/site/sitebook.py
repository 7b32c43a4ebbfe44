"""The book as its sources describe it: the pages of _toc.yml, the Binder settings of
_config.yml, and what each page's source promises (math, figures). Shared by conftest.py
and the tests of tests/site; plain functions, no browser."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

SOURCE_SUFFIXES = (".ipynb", ".md", ".rst")
# myst-nb drops these outputs from the page on purpose.
REMOVED_OUTPUT_TAGS = {"remove-output", "remove_output", "remove-cell", "remove_cell"}
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


# --------------------------------------------------------------------------- the book


@dataclass(frozen=True)
class Page:
    """One page listed in _toc.yml."""

    docname: str  # e.g. "chapters/01-perceptron/01-logic-gates"
    source: Path  # the .md or .ipynb it is built from

    @property
    def is_notebook(self) -> bool:
        return self.source.suffix == ".ipynb"

    @property
    def url_path(self) -> str:
        return self.docname + ".html"

    @property
    def slug(self) -> str:
        return self.docname.replace("/", "-")


def read_config(root: Path) -> dict:
    return yaml.safe_load((root / "_config.yml").read_text()) or {}


def _toc_entries(node) -> list[dict]:
    """Every mapping with `file` or `glob` in the toc tree, in reading order."""
    found = []
    if isinstance(node, dict):
        if "file" in node or "glob" in node:
            found.append(node)
        for key in ("parts", "chapters", "sections", "subtrees", "entries"):
            for child in node.get(key) or []:
                found.extend(_toc_entries(child))
    elif isinstance(node, list):
        for child in node:
            found.extend(_toc_entries(child))
    return found


def _source_of(root: Path, docname: str) -> Path | None:
    for suffix in SOURCE_SUFFIXES:
        candidate = root / (docname + suffix)
        if candidate.is_file():
            return candidate
    return None


def toc_pages(root: Path) -> list[Page]:
    """The pages of _toc.yml in order: root first, then every `file` (and `glob`) entry."""
    toc = yaml.safe_load((root / "_toc.yml").read_text()) or {}
    docnames = [str(toc["root"])] if toc.get("root") else []
    for entry in _toc_entries(toc):
        if "file" in entry:
            docnames.append(str(entry["file"]))
        else:
            matches = sorted(
                p for suffix in SOURCE_SUFFIXES for p in root.glob(str(entry["glob"]) + suffix)
            )
            docnames.extend(str(p.relative_to(root).with_suffix("")) for p in matches)
    pages, seen = [], set()
    for docname in docnames:
        docname = docname.strip("/")
        for suffix in SOURCE_SUFFIXES:
            docname = docname.removesuffix(suffix)
        if docname in seen:
            continue
        seen.add(docname)
        source = _source_of(root, docname)
        if source is None:
            raise pytest.UsageError(f"_toc.yml lists {docname!r} but no {docname}.md/.ipynb exists")
        pages.append(Page(docname, source))
    return pages


def repository_root(root: Path, config: dict) -> Path:
    """The repository's top folder: the book root minus `repository.path_to_book`."""
    path_to_book = str((config.get("repository") or {}).get("path_to_book") or "").strip("/")
    top = root
    for _ in Path(path_to_book).parts if path_to_book else ():
        top = top.parent
    return top


# ------------------------------------------------------------------------- the source


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*(.*)$")


def markdown_prose(text: str) -> str:
    """Markdown without code: code fences and inline code are dropped, directive fences
    (```{exercise}, ```{math}, ...) keep their content since it is rendered as text or math.
    A ```{math} fence or {math}`...` role is replaced by a $$ marker, so it counts as math."""
    kept, stack = [], []  # stack of (fence, is_directive)
    for line in text.splitlines():
        match = _FENCE.match(line)
        if stack and not stack[-1][1]:  # inside a code block: only its closing fence matters
            if match and match.group(1)[0] == stack[-1][0][0] and len(match.group(1)) >= len(
                stack[-1][0]
            ) and not match.group(2).strip():
                stack.pop()
            continue
        if match:
            fence, info = match.group(1), match.group(2).strip()
            if stack and not info and fence[0] == stack[-1][0][0] and len(fence) >= len(
                stack[-1][0]
            ):
                stack.pop()
                continue
            is_directive = info.startswith("{")
            stack.append((fence, is_directive))
            if info.startswith("{math}"):
                kept.append("$$")
            continue
        kept.append(line)
    prose = "\n".join(kept)
    prose = re.sub(r"\{math\}`[^`]*`", " $$ ", prose)  # the {math} role is math, not code
    return re.sub(r"(`+)(?!`).+?(?<!`)\1(?!`)", " ", prose, flags=re.S)


_INLINE_MATH = re.compile(r"(?<![\\$])\$(?=\S)[^$\n]+?(?<=[^\s\\])\$(?!\d)")


def text_has_math(prose: str) -> bool:
    return bool(
        "$$" in prose
        or re.search(r"\\begin\{", prose)
        or _INLINE_MATH.search(prose)
    )


def _cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def read_notebook(path: Path) -> dict:
    return json.loads(path.read_text())


def source_has_math(page: Page) -> bool:
    """Does the page's source hold math that MathJax must typeset?"""
    if not page.is_notebook:
        return text_has_math(markdown_prose(page.source.read_text()))
    nb = read_notebook(page.source)
    for cell in nb.get("cells", []):
        kind = cell.get("cell_type")
        if kind == "markdown" and text_has_math(markdown_prose(_cell_source(cell))):
            return True
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if "text/latex" in (output.get("data") or {}):
                return True
    return False


def _tags(cell: dict) -> set[str]:
    return set((cell.get("metadata") or {}).get("tags") or [])


def notebook_figures(path: Path) -> tuple[int, list[str]]:
    """(number of image outputs the page must show, cells that call plt.show() at top
    level yet have no image output: figures lost, e.g. by executing under MPLBACKEND=Agg)."""
    nb = read_notebook(path)
    shown, lost, code_index = 0, [], -1
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        code_index += 1
        images = sum(
            1
            for output in cell.get("outputs", [])
            if any(mime in (output.get("data") or {}) for mime in IMAGE_MIMES)
        )
        if not (_tags(cell) & REMOVED_OUTPUT_TAGS):
            shown += images
        source = _cell_source(cell)
        if images == 0 and re.search(r"^plt\.show\(\)", source, flags=re.M):
            lost.append(f"code cell {code_index}: {source.strip().splitlines()[0][:70]!r}")
    return shown, lost


_MARKDOWN_IMAGE = re.compile(
    r"!\[[^\]]*\]\(|^\s*(```+|:::+)\s*\{(figure|image|glue:figure)\}", re.M
)


def page_has_figures(page: Page) -> bool:
    """Whether the page shows a figure: an image output of its notebook, or an image or
    figure in its markdown (a page without one gets no figure checks)."""
    if page.is_notebook:
        return notebook_figures(page.source)[0] > 0
    return bool(_MARKDOWN_IMAGE.search(page.source.read_text(encoding="utf-8")))


_FIGURE_DIRECTIVE = re.compile(r"\{(figure|glue:figure)\}")


def page_has_figure_directives(page: Page) -> bool:
    """Whether the source has a figure directive (which the build gives a caption)."""
    return bool(_FIGURE_DIRECTIVE.search(page.source.read_text(encoding="utf-8")))
