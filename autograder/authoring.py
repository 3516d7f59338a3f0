"""Check an instructor's source notebook before nbgrader sees it.

nbgrader reports authoring mistakes as bare ``RuntimeError("no end solution statement
found")`` without saying which cell. `find_problems` walks the notebook once and returns
one `AuthoringError` per problem, each naming the notebook and the cell::

    >>> problems = find_problems("notebooks/ch1.ipynb")
    >>> print(problems[0])
    notebooks/ch1.ipynb, cell 7 (grade_id 'chain_answer': "def chain_id(diff_ids):"): ...

The rules are nbgrader 0.9.6's (``nbgraderformat/v3.py``, ``ClearSolutions``,
``ClearHiddenTests``, ``ClearMarkScheme``), restated so the message can name the cell.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import AuthoringError

__all__ = ["find_problems", "validate_source"]

_GRADE_ID = re.compile(r"^[a-zA-Z0-9_\-]*$")
_REQUIRED = ("grade", "locked", "solution")
_ALLOWED = {"schema_version", "grade", "locked", "solution", "task", "grade_id", "points",
            "checksum", "cell_type"}

# (begin, end, name, which cells may hold it, how to fix)
_REGIONS = (
    ("BEGIN SOLUTION", "END SOLUTION", "solution",
     lambda m, c: m.get("solution"),
     "mark the cell as an answer cell ('Autograded answer' or 'Manually graded answer')"),
    ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "hidden tests",
     lambda m, c: m.get("grade") and not m.get("solution"),
     "hidden tests may only live in an 'Autograder tests' cell"),
    ("BEGIN MARK SCHEME", "END MARK SCHEME", "mark scheme",
     lambda m, c: m.get("task"),
     "a mark scheme may only live in a 'Manually graded task' cell"),
)


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def find_problems(path: str | Path) -> list[AuthoringError]:
    """Every nbgrader authoring mistake in the notebook at `path` (empty list: all good).

    Args:
        path: an instructor source notebook (nbformat 4, nbgrader metadata schema 3).

    Returns:
        One `AuthoringError` per problem, in cell order. A file that is not a notebook
        yields a single error without a cell.
    """
    path = Path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [AuthoringError(path, "file not found")]
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [AuthoringError(path, f"not a valid notebook (JSON error: {exc})")]
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return [AuthoringError(path, "not a notebook: no 'cells' list at the top level")]
    if nb.get("nbformat") != 4:
        return [AuthoringError(path, f"nbformat {nb.get('nbformat')!r} is not supported; "
                                     "save the notebook with JupyterLab 4 (nbformat 4)")]

    problems: list[AuthoringError] = []
    seen_ids: dict[str, int] = {}
    for index, cell in enumerate(nb["cells"]):
        source = _source(cell)
        first = source.split("\n", 1)[0]
        meta = (cell.get("metadata") or {}).get("nbgrader")
        gid = meta.get("grade_id") if isinstance(meta, dict) else None

        def problem(msg: str) -> None:
            problems.append(AuthoringError(path, msg, index, gid, first))

        ctype = cell.get("cell_type")
        if isinstance(meta, dict):
            version = meta.get("schema_version")
            if version != 3:
                problem(f"nbgrader metadata schema_version is {version!r}, expected 3; "
                        "run `nbgrader update` on the notebook")
                continue
            unknown = set(meta) - _ALLOWED
            if unknown:
                problem(f"unknown nbgrader metadata keys {sorted(unknown)}")
            missing = [k for k in _REQUIRED if k not in meta]
            if missing:
                problem(f"nbgrader metadata lacks {missing}")
                continue
            graded = meta.get("grade") or meta.get("solution") or meta.get("locked") \
                or meta.get("task")
            if graded:
                if not gid:
                    problem("an nbgrader cell needs a grade_id (the ID field in the "
                            "Create Assignment panel)")
                elif not _GRADE_ID.match(gid):
                    problem(f"grade_id {gid!r} may only use letters, digits, '_' and '-'")
                elif gid in seen_ids:
                    problem(f"duplicate grade_id {gid!r}: cell {seen_ids[gid] + 1} already "
                            "uses it; every grade_id must be unique in the notebook")
                else:
                    seen_ids[gid] = index
            if meta.get("grade") or meta.get("task"):
                points = meta.get("points")
                if not isinstance(points, (int, float)) or isinstance(points, bool) \
                        or points < 0:
                    problem(f"a graded cell needs 'points' >= 0 (got {points!r})")
            if meta.get("task") and ctype != "markdown":
                problem("a 'Manually graded task' cell must be a markdown cell")
            if meta.get("task") and (meta.get("grade") or meta.get("solution")):
                problem("a task cell cannot also be a grade or solution cell")
            if ctype == "markdown" and meta.get("grade") and not meta.get("solution"):
                problem("a graded markdown cell must also be a solution cell "
                        "('Manually graded answer')")
        else:
            meta = {}

        lines = source.split("\n")
        for begin, end, name, allowed, fix in _REGIONS:
            open_line = None
            found = False
            for lineno, line in enumerate(lines, 1):
                if begin in line:
                    found = True
                    if open_line is not None:
                        problem(f"'{begin}' on line {lineno} is nested inside the {name} "
                                f"region opened on line {open_line}; close it first")
                    open_line = lineno
                elif end in line:
                    found = True
                    if open_line is None:
                        problem(f"'{end}' on line {lineno} has no '{begin}' before it")
                    open_line = None
            if open_line is not None:
                problem(f"'### {begin}' on line {open_line} has no matching "
                        f"'### {end}'; add one")
            if found and not allowed(meta, cell):
                problem(f"{name} region in a cell that cannot hold one: {fix}")
    return problems


def validate_source(path: str | Path) -> None:
    """Raise the first `AuthoringError` of `path` (listing any others in its message).

    Raises:
        AuthoringError: the notebook breaks an nbgrader authoring rule.
    """
    problems = find_problems(path)
    if problems:
        first = problems[0]
        if len(problems) > 1:
            rest = "\n".join(f"  also: {p}" for p in problems[1:])
            first.args = (f"{first.args[0]}\n{rest}",)
        raise first
