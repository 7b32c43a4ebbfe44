"""Numbers in the text come from the cells (issue 11, part 2).

Every numeric literal in the markdown of the chapters (the markdown cells of every
notebook and every `index.md`) must be one of:

- glued: inserted with MyST-NB's `{glue:text}` (or `{glue}`) role from the cell that
  computes it, so it cannot drift from the committed output that nbval checks;
- in a display equation (`$$ ... $$`, a `{math}` fence or an amsmath environment) or in
  a labelled mathematical statement (`{prf:definition}`, `theorem`, `proposition`,
  `proof`, `algorithm`): mathematics, not a measurement;
- a chapter, section, equation, figure, exercise or step number ("chapter 2",
  "equation (8)"), a shape (the 8x8 digits, a 3x3 kernel), a version (autograd
  1.9.1), a year in parentheses, or part of a name (`float64`, `im2col`, `x_1`);
- a setting that the code passes (a learning rate, a layer size of 64-100-10, a number
  of epochs) or a bound that the code asserts: a number that is a literal in a code cell
  of the same notebook. A theory page (`index.md`) has no cells of its own, so for it the
  literals of its chapter's notebooks count;
- inside inline math, a single digit or a sub- or superscript (`$x^2$`, `$w^l_{jk}$`,
  `$2\\sigma(2z) - 1$`): the digits of a formula. Any other number in inline math (a
  decimal, a number of two or more digits) counts as a quoted result;
- listed in `tests/quoted_numbers_allowlist.yml` with the page and the reason it must
  stay typed (a year, a count that is part of a definition, ...).

Every other number fails the test of its page, which lists each one with its line. The
allow-list is checked too: every entry names a page and gives a reason, and an entry
that no longer matches a typed number on its page fails (the list does not go stale).
`test_scanner_finds_typed_numbers` runs the scanner on a made-up page to show that it
fails where it should and passes glued and exempt numbers.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ALLOWLIST = Path(__file__).with_name("quoted_numbers_allowlist.yml")

# ------------------------------------------------------------------ the pages


def markdown_pages(root: Path = ROOT) -> list[Path]:
    """Every notebook and every theory page of the chapters."""
    chapters = root / "chapters"
    return sorted(chapters.glob("*/*.ipynb")) + sorted(chapters.glob("*/index.md"))


def page_markdown(path: Path) -> list[tuple[int, str]]:
    """(cell or line offset, markdown text) of a page: one item per markdown cell of a
    notebook, the whole file for a .md page. The offset numbers lines in the report."""
    if path.suffix == ".md":
        return [(0, path.read_text(encoding="utf-8"))]
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [
        (index, "".join(cell["source"]))
        for index, cell in enumerate(cells)
        if cell["cell_type"] == "markdown"
    ]


def _code_cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


_CODE_FENCE = re.compile(
    r"^(\s*)(`{3,})\s*(?:python|ipython|py)\s*\n(.*?)^\1\2\s*$", re.MULTILINE | re.DOTALL
)


def _fenced_code(path: Path) -> list[str]:
    """Python code blocks written into the markdown (exercise solutions)."""
    return [m.group(3) for _, text in page_markdown(path) for m in _CODE_FENCE.finditer(text)]


def code_literals(path: Path) -> set[float]:
    """The numeric literals of the code that backs a page, as absolute values: the
    notebook's own code cells and the Python blocks of its solutions, or for an index.md
    the code of its chapter's notebooks."""
    notebooks = sorted(path.parent.glob("*.ipynb")) if path.suffix == ".md" else [path]
    values: set[float] = set()
    for notebook in notebooks:
        for source in _code_cells(notebook) + _fenced_code(notebook):
            # IPython magics and shell lines are not Python.
            lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
            try:
                tokens = list(tokenize.generate_tokens(io.StringIO("\n".join(lines)).readline))
            except (tokenize.TokenError, IndentationError, SyntaxError):
                continue
            for token in tokens:
                if token.type == tokenize.NUMBER:
                    try:
                        values.add(abs(float(token.string.replace("_", "").rstrip("jJ"))))
                    except ValueError:
                        pass
    return values


# ---------------------------------------------------------------- the scanner


@dataclass(frozen=True)
class Typed:
    """A number typed into a page's markdown that nothing exempts."""

    cell: int
    line: int  # in the cell (notebook) or in the file (index.md), from 1
    number: str
    context: str
    in_math: bool

    def describe(self, notebook: bool) -> str:
        where = f"cell {self.cell}, line {self.line}" if notebook else f"line {self.line}"
        math = " (inline math)" if self.in_math else ""
        return f"{where}: {self.number}{math} in {self.context!r}"


_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,}|:{3,})\s*(\{([\w:-]+)\})?(.*)$")
# Directive bodies that are mathematics, not measurements.
_MATH_DIRECTIVES = {
    "math",
    "prf:definition",
    "prf:theorem",
    "prf:proposition",
    "prf:proof",
    "prf:algorithm",
    "prf:lemma",
    "prf:corollary",
}
# Directive bodies that are prose (their text is scanned like any other).
_CODE_DIRECTIVES = {
    "code",
    "code-block",
    "code-cell",
    "sourcecode",
    "literalinclude",
    "raw",
    "toctree",
    "tableofcontents",
    "bibliography",
}

NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?([eE][-+]?\d+)?(?![\w])",
)
# A chapter, equation, figure, ... number, and the numbers that continue its list.
_REFERENCE = re.compile(
    r"\b(?:chapters?|sections?|equations?|eqs?\.|figures?|figs?\.|exercises?|steps?"
    r"|parts?|notebooks?|cells?|pages?|issue|appendix)\s+\(?\d+[a-z]?\)?"
    r"(?:\s*(?:,|and|or|to|-|–)\s*\(?\d+[a-z]?\)?)*",
    re.IGNORECASE,
)
_ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
_INLINE_CODE = re.compile(r"`[^`]*`")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_HTML = re.compile(r"<[^>]+>")
_LABEL = re.compile(r"^\s*\([\w:.-]+\)=\s*$")
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)([^$]+?)(?<!\\)\$")
# \tfrac12: two single digits, not twelve.
_FRAC_DIGITS = re.compile(r"\\[td]?frac\s*\d\d")
# A year in parentheses, as in "Cybenko (1989)": a date, not a result.
_YEAR = re.compile(r"(?<=\()(?:1[6-9]\d\d|20[0-4]\d)(?=\))")
_THOUSANDS = re.compile(r"\d{1,3}(?:(?:\{,\}|\\,)\d{3})+")
# In a formula: 10^{-8}, 10^3 or 2.2 \times 10^{-16}, with its mantissa.
_POWER_OF_TEN = re.compile(
    r"(?:(\d+(?:\.\d+)?)\s*\\(?:times|cdot)\s*)?10\^\{?\s*([-+]?\d+)\s*\}?"
)
_SHAPE = re.compile(r"(?<![\w.])\d+(?:[x×]\d+)+(?![\w.])")
# A version number such as 1.9.1: a name, not a quantity.
_VERSION = re.compile(r"(?<![\w.])\d+\.\d+\.\d+(?![\w])")
# In a formula: a sub- or superscript, braced or single character.
_SCRIPT = re.compile(r"[_^](\{[^{}]*\}|\\?\w)")


def _blank(text: str, pattern: re.Pattern) -> str:
    """Replace every match by spaces, so positions and line numbers stay."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _kind(directive: str | None) -> str:
    """What a fenced block holds: "code" (skipped), "math" (exempt) or "prose"."""
    if directive is None or directive in _CODE_DIRECTIVES:
        return "code"
    if directive in _MATH_DIRECTIVES:
        return "math"
    return "prose"


def prose_lines(markdown: str) -> list[tuple[int, str]]:
    """(line number, text) of the markdown that is neither code nor display math nor a
    labelled statement, with directive options and label lines dropped."""
    kept: list[tuple[int, str]] = []
    stack: list[tuple[str, str]] = []  # open fences: (fence, kind)
    display = None  # the marker that closes the display equation we are in
    for number, line in enumerate(markdown.splitlines(), start=1):
        stripped = line.strip()
        if display:
            if display in stripped:
                display = None
            continue
        match = _FENCE.match(line)
        if match:
            fence, directive, rest = match.group(2), match.group(4), match.group(5)
            if (
                stack
                and fence[0] == stack[-1][0][0]
                and len(fence) >= len(stack[-1][0])
                and not directive
                and not rest.strip()
            ):
                stack.pop()
                continue
            if not stack or stack[-1][1] == "prose":
                stack.append((fence, _kind(directive)))
                continue
            if stack[-1][1] == "math":
                stack.append((fence, "math"))
                continue
        if stack and stack[-1][1] != "prose":
            continue
        if re.match(r"^:[\w-]+:", stripped) or _LABEL.match(line):
            continue  # a directive option (:label:, :width: ...) or a target label
        if stripped.startswith("$$"):
            # One line ($$ x $$ (label)), or open until the line with the closing $$.
            if stripped.count("$$") == 1:
                display = "$$"
            continue
        begin = re.match(r"^\\begin\{([^}]*)\}", stripped)
        if begin:
            end = f"\\end{{{begin.group(1)}}}"
            if end not in stripped:
                display = end
            continue
        kept.append((number, line))
    return kept


def _exempt_outside_math(text: str) -> str:
    """Prose with everything blanked that is not a quoted number: code, link targets,
    HTML tags, chapter/equation/... numbers; 3x3 becomes two numbers."""
    for pattern in (_INLINE_CODE, _LINK_TARGET, _HTML, _REFERENCE, _YEAR, _VERSION):
        text = _blank(text, pattern)
    # A shape such as 8x8 or 28x28x1 (of an image, a kernel, a layer) names the data or
    # a setting of the page, like a layer size.
    return _blank(text, _SHAPE)


def _exempt_in_math(formula: str) -> str:
    """A formula with its sub- and superscripts and its commands blanked."""
    formula = _blank(formula, _SCRIPT)
    # Thousands written 120{,}000 or 12\,587\,008 are one number (kept in place).
    formula = _THOUSANDS.sub(
        lambda m: re.sub(r"\{,\}|\\,", ",", m.group(0)).ljust(len(m.group(0))), formula
    )
    formula = _blank(formula, _FRAC_DIGITS)
    # A braced argument such as the 12 of \tfrac{\Delta x^2}{12}: part of a formula.
    formula = _blank(formula, re.compile(r"(?<=\\frac)\{\d+\}\{\d+\}|\}\{\d+\}"))
    return re.sub(r"\\[A-Za-z]+", lambda m: " " * len(m.group(0)), formula)


def typed_numbers(markdown: str, literals: set[float], cell: int = 0) -> list[Typed]:
    """The numbers of one markdown text that nothing exempts (see the module docstring)."""
    lines = dict(prose_lines(markdown))
    count = len(markdown.splitlines())
    original = [lines.get(n, "") for n in range(1, count + 1)]
    # Kept lines joined, dropped ones blank, so an offset still gives its line.
    text = _blank("\n".join(original), _ROLE)
    math = [(m.start(), m.end()) for m in _INLINE_MATH.finditer(text)]
    outside = list(text)
    for start, end in math:
        outside[start:end] = " " * (end - start)
    pieces = [(_exempt_outside_math("".join(outside)), 0, False)]
    pieces += [(text[a + 1 : b - 1], a + 1, True) for a, b in math]
    found = []

    def typed(literal: str, values: list[float], at: int, in_math: bool) -> None:
        if any(value in literals for value in values):
            return
        line = text.count("\n", 0, at) + 1
        context = original[line - 1].strip()[:100]
        found.append(Typed(cell, line, literal, context, in_math))

    for piece, offset, in_math in pieces:
        if in_math:
            # 10^{-8} and 2.2 \times 10^{-16} are one number each.
            for match in _POWER_OF_TEN.finditer(piece):
                mantissa = float(match.group(1)) if match.group(1) else 1.0
                value = mantissa * 10.0 ** int(match.group(2))
                typed(match.group(0).strip(), [value], offset + match.start(), True)
            piece = _exempt_in_math(_blank(piece, _POWER_OF_TEN))
        for match in NUMBER.finditer(piece):
            literal = match.group(0)
            if in_math and len(literal) == 1:
                continue  # a digit of a formula
            try:
                value = abs(float(literal.replace(",", "")))
            except ValueError:
                continue
            # 5 % or 5 per cent is the code's 0.05 (or a ratio bound of 1.05 or 0.95).
            percent = re.match(r"\s*(%|\\%|per ?cent)", piece[match.end() :])
            values = [value, value / 100, 1 + value / 100, 1 - value / 100] if percent else [value]
            typed(literal, values, offset + match.start(), in_math)
    return sorted(found, key=lambda t: (t.line, t.context.find(t.number)))


# ---------------------------------------------------------------- the allow-list


def load_allowlist(path: Path = ALLOWLIST) -> list[dict]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    assert isinstance(entries, list), f"{path.name} must be a list of entries"
    return entries


def page_findings(path: Path, root: Path = ROOT) -> list[Typed]:
    literals = code_literals(path)
    found = []
    for cell, markdown in page_markdown(path):
        found.extend(typed_numbers(markdown, literals, cell))
    return found


def _allowed(entry: dict, typed: Typed) -> bool:
    numbers = entry["number"] if isinstance(entry["number"], list) else [entry["number"]]
    if typed.number not in {str(n) for n in numbers}:
        return False
    context = entry.get("context")
    return context is None or any(part in typed.context for part in context.split("|"))


# -------------------------------------------------------------------- the tests

PAGES = markdown_pages()


@pytest.mark.parametrize("path", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_numbers_in_the_text_are_glued(path):
    page = str(path.relative_to(ROOT))
    allowed = [e for e in load_allowlist() if e.get("page") == page]
    typed = [t for t in page_findings(path) if not any(_allowed(e, t) for e in allowed)]
    if typed:
        lines = "\n  ".join(t.describe(path.suffix == ".ipynb") for t in typed)
        pytest.fail(
            f"{page}: {len(typed)} number(s) typed into the text, neither glued "
            f"({{glue:text}}`name`) nor exempt nor in {ALLOWLIST.name}:\n  {lines}",
            pytrace=False,
        )


def test_allowlist_entries_are_complete_and_current():
    problems = []
    findings: dict[str, list[Typed]] = {}
    for index, entry in enumerate(load_allowlist(), start=1):
        missing = [k for k in ("page", "number", "reason") if not str(entry.get(k) or "").strip()]
        if missing:
            problems.append(f"entry {index} lacks {', '.join(missing)}: {entry}")
            continue
        path = ROOT / entry["page"]
        if not path.is_file():
            problems.append(f"entry {index}: no page {entry['page']}")
            continue
        if entry["page"] not in findings:
            findings[entry["page"]] = page_findings(path)
        if not any(_allowed(entry, t) for t in findings[entry["page"]]):
            problems.append(
                f"entry {index} ({entry['page']}, {entry['number']}) matches no typed "
                "number of its page any more: remove it"
            )
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


_SAMPLE = r"""
# A made-up page

The network reached an accuracy of 0.973 after training, and the
gradient shrank by $2.63$ per layer, at least 4 per layer in the worst case.
The error was {glue:text}`error:.1e`, with a learning rate of 0.1 and 64-100-10 layers,
as equation (8) and chapter 2 show; float64 and im2col are names, $x^2 + 2x - 1$ is a
formula, and `1234` is code. The bound $10^{-8}$ is asserted, $\tfrac{x}{12}$ is a
formula, a 28x28 image has a shape, and training took 7 % longer.

$$
y = 0.5 x + 17
$$ (eq-sample)

```{prf:definition}
:label: def-sample
A unit with 12 inputs.
```

```python
print(31337)
```
"""


def test_scanner_finds_typed_numbers():
    found = typed_numbers(_SAMPLE, literals={0.1, 64.0, 100.0, 10.0, 1e-8})
    assert [(t.number, t.in_math) for t in found] == [
        ("0.973", False),
        ("2.63", True),
        ("4", False),
        ("7", False),
    ], found
    # The same bound, not asserted by the code, is a typed number.
    assert "10^{-8}" in {t.number for t in typed_numbers(_SAMPLE, literals=set())}
