"""The practice release: self-study versions of the course notebooks.

    autograder release --practice            # notebooks/*.ipynb -> practice/*.ipynb

From the same instructor notebooks as the graded release, each exercise becomes:

* its **prompt** (unchanged text, no nbgrader metadata);
* its **answer cell** with the solution removed. A solution at the top level of the cell leaves
  a ``# Your answer here`` line (nbgrader's ``raise NotImplementedError()`` is dropped, so Run All
  goes on); a solution inside a ``def`` becomes ``raise NotImplementedError()`` at its indent —
  defining the function does not raise, calling it tells the check "not answered yet";
* its **check cell**: ``practice.check("ex1", globals(), "<payload>")`` from
  :mod:`layerlab.practice`, where the payload is the visible checks, the hidden tests, the answer
  names and the model answer, as zlib-compressed JSON in base64 (hidden, not secured);
* a **written answer** (a markdown answer cell with a mark scheme) becomes a code cell holding a
  string (``ex3_answer = \"\"\"...\"\"\"``) and a cell that, once something is written, shows the
  model answer and the mark scheme for self-assessment.

Instructor artefacts are removed from every cell: nbgrader metadata (grade ids, points, locks),
``# NBVAL_...`` markers, stored outputs and widget state. Other files next to the notebooks
(``glossary.md``, pictures) are copied along, so relative links keep working.

No nbgrader is needed: this module uses only the standard library.
"""
from __future__ import annotations

import ast
import copy
import json
import re
import shutil
from pathlib import Path

__all__ = ["practice_notebook", "release_practice", "exercises", "copy_assets", "Exercise"]

from layerlab.practice import encode

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
_NBVAL = re.compile(r"^\s*#\s*NBVAL_[A-Z_]+\s*$")
_MARK_SCHEME = re.compile(r"^\s*\**\s*mark scheme\b", re.IGNORECASE)
ASSET_SUFFIXES = {".md", ".png", ".svg", ".jpg", ".jpeg", ".gif", ".css", ".txt", ".csv", ".json"}

PRACTICE_NOTE = (
    "> **Practice version** — for studying on your own. Each exercise has a *check* cell: run it "
    "and it says **right**, **not yet** (with a hint) or **not answered yet**, and after your "
    "first try it offers the model answer. Nothing is graded here; "
    "[the course start page](00-start-here.ipynb) says how the graded version works."
)


def _src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else str(s)


def _meta(cell) -> dict:
    m = (cell.get("metadata") or {}).get("nbgrader")
    return m if isinstance(m, dict) else {}


def _lines(text: str) -> list[str]:
    return text.split("\n")


def strip_markers(text: str) -> str:
    """The text without nbgrader's region marker lines (the model answer / full test code)."""
    keep = [ln for ln in _lines(text)
            if ln.strip() not in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN)]
    return "\n".join(keep).strip("\n") + "\n"


def solution_regions(text: str) -> list[tuple[int, int, str]]:
    """``(first, last, indent)`` line numbers (0-based, markers included) of each solution region."""
    out, start, indent = [], None, ""
    for i, ln in enumerate(_lines(text)):
        s = ln.strip()
        if s == BEGIN_SOLUTION:
            start, indent = i, ln[: len(ln) - len(ln.lstrip())]
        elif s == END_SOLUTION and start is not None:
            out.append((start, i, indent))
            start = None
    return out


def blank_answer(text: str) -> str:
    """The answer cell a learner starts from: solution regions removed (see the module doc).

    If ``raise NotImplementedError()`` cannot stand where an indented region was (say, inside a
    list literal), ``...`` takes its place, which the check also reports as not answered."""
    out = _blank(text, "raise NotImplementedError()  # your code here")
    try:
        ast.parse(_python_only(out))
    except SyntaxError:
        alt = _blank(text, "...")
        try:
            ast.parse(_python_only(alt))
            return alt
        except SyntaxError:
            pass
    return out


def _blank(text: str, stub: str) -> str:
    lines = _lines(text)
    out, i = [], 0
    regions = {a: (b, ind) for a, b, ind in solution_regions(text)}
    while i < len(lines):
        if i in regions:
            end, indent = regions[i]
            out.append(f"{indent}{stub}" if indent else "# Your answer here")
            i = end + 1
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out).rstrip("\n") + "\n"


def _python_only(text: str) -> str:
    """IPython magics and shell escapes commented out, so ``ast`` can read the cell."""
    return "\n".join(("#" + ln) if ln.lstrip().startswith(("%", "!")) else ln for ln in _lines(text))


def _defined(node) -> set[str]:
    names: set[str] = set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            names.add(sub.id)
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(sub.name)
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in sub.names)
    return names


def answer_names(text: str) -> list[str]:
    """Names the model answer defines inside its solution regions (at the cell's top level)."""
    try:
        tree = ast.parse(_python_only(text))
    except SyntaxError:
        return []
    regions = solution_regions(text)
    names: list[str] = []
    for node in tree.body:
        first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
        if any(first <= b and last >= a for a, b, _ in regions):
            for n in sorted(_defined(node)):
                if n not in names and not n.startswith("_"):
                    names.append(n)
    # an import inside the region (e.g. `import hashlib`) is not what the learner is asked for
    imports = {(a.asname or a.name).split(".")[0] for node in tree.body
               if isinstance(node, (ast.Import, ast.ImportFrom)) for a in node.names}
    return [n for n in names if n not in imports] or names


def _identifier(grade_id: str) -> str:
    name = re.sub(r"\W", "_", grade_id)
    return name if name and not name[0].isdigit() else f"answer_{name}"


def _exercise_key(grade_id: str) -> str:
    return re.sub(r"[_-]?(tests?|answer|check)$", "", grade_id) or grade_id


def _title(cells, index: int) -> str:
    """The heading of the closest markdown cell above ``index`` that has one."""
    for cell in reversed(cells[:index]):
        if cell.get("cell_type") == "markdown":
            for ln in _lines(_src(cell)):
                if ln.startswith("#"):
                    return ln.lstrip("#").strip()
    return ""


def _split_mark_scheme(text: str) -> tuple[str, str]:
    lines = _lines(text.strip("\n"))
    for i, ln in enumerate(lines):
        if _MARK_SCHEME.match(ln):
            return "\n".join(lines[:i]).strip() + "\n", "\n".join(lines[i:]).strip()
    return text.strip() + "\n", ""


class Exercise:
    """One exercise of a source notebook: its answer cells and its test (or written) cell."""

    def __init__(self, key, title, kind, answer_cells, test_cell, names, model, tests="", mark_scheme=""):
        self.key, self.title, self.kind = key, title, kind
        self.answer_cells, self.test_cell = answer_cells, test_cell
        self.names, self.model, self.tests, self.mark_scheme = names, model, tests, mark_scheme

    def payload(self) -> dict:
        return {"title": self.title, "kind": self.kind, "names": self.names, "model": self.model,
                "tests": self.tests, "mark_scheme": self.mark_scheme}

    def __repr__(self):
        return f"Exercise({self.key!r}, {self.kind}, names={self.names})"


def exercises(nb: dict) -> list[Exercise]:
    """The exercises of a source notebook, in order (code exercises and written answers)."""
    cells = nb["cells"]
    out: list[Exercise] = []
    pending: list[int] = []   # code answer cells since the last test cell
    last: list[int] = []      # the answer cells of the last test cell
    for i, cell in enumerate(cells):
        m = _meta(cell)
        if not m:
            continue
        if m.get("solution") and (cell.get("cell_type") == "markdown" or m.get("grade")):
            text = _src(cell)
            model, scheme = _split_mark_scheme(strip_markers(text) if BEGIN_SOLUTION in text else text)
            gid = m.get("grade_id", f"cell{i}")
            out.append(Exercise(_exercise_key(gid), _title(cells, i), "written", [i], i,
                                [_identifier(gid)], model, mark_scheme=scheme))
        elif m.get("solution"):
            pending.append(i)
        elif m.get("grade"):
            if not pending:        # a second test cell for the same answer cells
                pending = list(last)
            names: list[str] = []
            for j in pending:
                names += [n for n in answer_names(_src(cells[j])) if n not in names]
            model = "\n".join(strip_markers(_src(cells[j])) for j in pending)
            out.append(Exercise(_exercise_key(m.get("grade_id", f"cell{i}")), _title(cells, i), "code",
                                list(pending), i, names, model, tests=strip_markers(_src(cell))))
            last, pending = pending, []
    return out


def _plain(cell: dict) -> dict:
    """A copy of ``cell`` without instructor metadata, outputs or nbval markers."""
    c = copy.deepcopy(cell)
    meta = c.get("metadata") or {}
    for key in ("nbgrader", "deletable", "editable", "execution", "tags"):
        meta.pop(key, None)
    c["metadata"] = meta
    if c.get("cell_type") == "code":
        c["outputs"], c["execution_count"] = [], None
        lines = [ln for ln in _lines(_src(c)) if not _NBVAL.match(ln)]
        c["source"] = "\n".join(lines)
    return c


def _code(cell_id: str, source: str) -> dict:
    return {"cell_type": "code", "id": cell_id, "metadata": {}, "execution_count": None,
            "outputs": [], "source": source}


def _markdown(cell_id: str, source: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": source}


def check_cell_source(ex: Exercise) -> str:
    call = "reflect" if ex.kind == "written" else "check"
    label = ("Compare your written answer with the model answer" if ex.kind == "written"
             else "Check your answer")
    return (f"# {label}: run this cell. (The long string holds the checks and the model answer, "
            "encoded so they do not give the answer away.)\n"
            f"from layerlab import practice\n"
            f"practice.{call}({ex.key!r}, globals(), {encode(ex.payload())!r})")


def practice_notebook(nb: dict) -> dict:
    """The practice version of source notebook ``nb`` (a JSON dict; ``nb`` is not changed)."""
    exs = exercises(nb)
    by_test = {ex.test_cell: ex for ex in exs}
    answer_cells = {j for ex in exs for j in ex.answer_cells}
    cells = []
    for i, cell in enumerate(nb["cells"]):
        m = _meta(cell)
        cid = cell.get("id") or f"cell-{i}"
        if i in by_test and by_test[i].kind == "written":
            ex = by_test[i]
            name = ex.names[0]
            cells.append(_code(cid, f"# Write your answer between the triple quotes, then run this cell and the next.\n"
                                    f'{name} = """\n\n"""'))
            cells.append(_code(f"{cid}-check", check_cell_source(ex)))
        elif i in by_test:
            cells.append(_code(cid, check_cell_source(by_test[i])))
        elif i in answer_cells or m.get("solution"):
            c = _plain(cell)
            c["source"] = blank_answer(_src(cell)) if cell.get("cell_type") == "code" else "*Your answer here.*\n"
            cells.append(c)
        else:
            c = _plain(cell)
            if c.get("cell_type") == "code":
                c["source"] = strip_hidden(c["source"])
            cells.append(c)
        if i == 0 and exs:
            cells.append(_markdown("practice-note", PRACTICE_NOTE))
    out = {k: copy.deepcopy(v) for k, v in nb.items() if k != "cells"}
    meta = out.setdefault("metadata", {})
    for key in ("widgets", "celltoolbar", "nbgrader"):
        meta.pop(key, None)
    out["cells"] = cells
    return out


def strip_hidden(text: str) -> str:
    """Drop any hidden-test region from a non-test cell (defensive: authoring lint forbids it)."""
    lines, out, hidden = _lines(text), [], False
    for ln in lines:
        if ln.strip() == BEGIN_HIDDEN:
            hidden = True
        elif ln.strip() == END_HIDDEN:
            hidden = False
        elif not hidden:
            out.append(ln)
    return "\n".join(out)


def copy_assets(src_dir: Path, dest: Path) -> list[Path]:
    """Copy the files next to the notebooks that notebooks link to (glossary, pictures)."""
    copied = []
    for f in sorted(Path(src_dir).iterdir()):
        if f.is_file() and f.suffix.lower() in ASSET_SUFFIXES and not f.name.startswith("."):
            shutil.copyfile(f, dest / f.name)
            copied.append(dest / f.name)
        elif f.is_dir() and f.name in ("images", "img", "figures", "assets"):
            shutil.copytree(f, dest / f.name, dirs_exist_ok=True)
            copied.append(dest / f.name)
    return copied


def release_practice(sources, dest="practice", *, assets: bool = True) -> list[Path]:
    """Write the practice version of each source notebook to ``dest/<name>.ipynb``.

    Returns the notebooks written (assets such as ``glossary.md`` are copied too).
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    dirs = []
    for src in map(Path, sources):
        nb = json.loads(src.read_text(encoding="utf-8"))
        target = dest / src.name
        target.write_text(json.dumps(practice_notebook(nb), indent=1, ensure_ascii=False) + "\n",
                          encoding="utf-8")
        written.append(target)
        if src.parent not in dirs:
            dirs.append(src.parent)
    if assets:
        for d in dirs:
            copy_assets(d, dest)
    return written
