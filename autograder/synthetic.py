"""Cell factories and a small synthetic course, shared by the tests and the benchmark.

The factories build nbgrader (metadata schema 3) cells the way the Create Assignment
panel would, so tests can write instructor notebooks in a few lines::

    nb = new_notebook(cells=[
        markdown_cell("# Title"),
        solution_cell("def f():\\n    ### BEGIN SOLUTION\\n    return 1\\n    ### END SOLUTION", "f_answer"),
        test_cell("assert f() == 1", "f_tests", points=1),
    ])

`chain_notebook()` is the synthetic instructor notebook (pure Python: sha256 digests and
OCI chain IDs with hashlib), and `make_submission()` turns its released version into a
student's submission of a given kind (correct, untouched, infinite loop, kernel crash,
tampered test cell...).
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

__all__ = [
    "markdown_cell", "locked_code_cell", "solution_cell", "test_cell", "manual_cell",
    "task_cell", "chain_notebook", "write_chain_notebook", "make_submission",
    "SUBMISSION_KINDS", "HIDDEN_MARKER",
]

#: A string that appears only inside hidden tests of the synthetic notebook, so tests can
#: check it never leaks into a student version or a feedback page.
HIDDEN_MARKER = "HIDDEN-7f3a"


def _meta(grade_id: str, *, grade: bool, solution: bool, locked: bool,
          points: float | None = None, task: bool = False) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": 3, "solution": solution, "task": task}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def markdown_cell(source: str, grade_id: str | None = None):
    """A read-only markdown cell (locked when given a grade_id)."""
    cell = new_markdown_cell(source)
    if grade_id:
        cell.metadata.update(_meta(grade_id, grade=False, solution=False, locked=True))
    return cell


def locked_code_cell(source: str, grade_id: str):
    """A read-only instructor code cell (setup code the learner cannot change)."""
    cell = new_code_cell(source)
    cell.metadata.update(_meta(grade_id, grade=False, solution=False, locked=True))
    return cell


def solution_cell(source: str, grade_id: str):
    """An autograded answer cell (``### BEGIN SOLUTION`` ... ``### END SOLUTION``)."""
    cell = new_code_cell(source)
    cell.metadata.update(_meta(grade_id, grade=False, solution=True, locked=False))
    return cell


def test_cell(source: str, grade_id: str, points: float):
    """An autograder test cell (visible asserts plus optional hidden tests)."""
    cell = new_code_cell(source)
    cell.metadata.update(_meta(grade_id, grade=True, solution=False, locked=True, points=points))
    return cell


def manual_cell(source: str, grade_id: str, points: float):
    """A manually graded written answer (markdown, grade + solution)."""
    cell = new_markdown_cell(source)
    cell.metadata.update(_meta(grade_id, grade=True, solution=True, locked=False, points=points))
    return cell


def task_cell(source: str, grade_id: str, points: float):
    """A manually graded task (markdown); the only place a mark scheme may live."""
    cell = new_markdown_cell(source)
    cell.metadata.update(_meta(grade_id, grade=False, solution=False, locked=True,
                               points=points, task=True))
    return cell


_EMPTY = "sha256:" + hashlib.sha256(b"").hexdigest()

DIGEST_ANSWER = '''def sha256_digest(data):
    """Return the OCI digest string of `data` (bytes): 'sha256:' + 64 hex digits."""
    ### BEGIN SOLUTION
    return "sha256:" + hashlib.sha256(data).hexdigest()
    ### END SOLUTION'''

DIGEST_TESTS = f'''assert sha256_digest(b"") == "{_EMPTY}"
assert sha256_digest(b"abc").startswith("sha256:")
### BEGIN HIDDEN TESTS
# {HIDDEN_MARKER}-digest
assert sha256_digest(b"layer") == "sha256:" + hashlib.sha256(b"layer").hexdigest()
assert len(sha256_digest(b"x" * 1000)) == 71
### END HIDDEN TESTS'''

CHAIN_ANSWER = '''def chain_id(diff_ids):
    """ChainID of a layer stack from its list of diff_ids (OCI image-spec, config.md)."""
    ### BEGIN SOLUTION
    chain = diff_ids[0]
    for diff_id in diff_ids[1:]:
        chain = sha256_digest((chain + " " + diff_id).encode())
    return chain
    ### END SOLUTION'''

CHAIN_TESTS = '''d1 = sha256_digest(b"layer one")
d2 = sha256_digest(b"layer two")
assert chain_id([d1]) == d1
assert chain_id([d1, d2]) == sha256_digest((d1 + " " + d2).encode())
### BEGIN HIDDEN TESTS
# ''' + HIDDEN_MARKER + '''-chain
d3 = sha256_digest(b"layer three")
assert chain_id([d1, d2, d3]) == sha256_digest((chain_id([d1, d2]) + " " + d3).encode())
assert chain_id([d3, d2, d1]) != chain_id([d1, d2, d3])
### END HIDDEN TESTS'''

PREDICT_ANSWER = '''# Two images share a 3-layer base; each adds 2 layers of its own.
# How many distinct layers does the engine store?
### BEGIN SOLUTION
stored_layers = 7
### END SOLUTION'''

PREDICT_TESTS = '''assert isinstance(stored_layers, int), "answer with a whole number"
### BEGIN HIDDEN TESTS
# ''' + HIDDEN_MARKER + '''-predict
assert stored_layers == 7
### END HIDDEN TESTS'''


def chain_notebook():
    """The synthetic instructor notebook: 3 autograded exercises (6 points), 1 written (2)."""
    nb = new_notebook(cells=[
        markdown_cell("# Digests and chain IDs\n\nObjectives: compute a layer digest and "
                      "an OCI chain ID.", "intro"),
        locked_code_cell("import hashlib", "setup"),
        markdown_cell("## Exercise 1\nImplement `sha256_digest(data)`.", "ex1_text"),
        solution_cell(DIGEST_ANSWER, "digest_answer"),
        test_cell(DIGEST_TESTS, "digest_tests", points=2),
        markdown_cell("## Exercise 2\nImplement `chain_id(diff_ids)`:\n"
                      "ChainID(L0) = DiffID(L0), ChainID(L0|...|Ln) = "
                      "sha256(ChainID(L0|...|Ln-1) + ' ' + DiffID(Ln)).", "ex2_text"),
        solution_cell(CHAIN_ANSWER, "chain_answer"),
        test_cell(CHAIN_TESTS, "chain_tests", points=3),
        markdown_cell("## Exercise 3\nPredict.", "ex3_text"),
        solution_cell(PREDICT_ANSWER, "predict_answer"),
        test_cell(PREDICT_TESTS, "predict_tests", points=1),
        markdown_cell("## Exercise 4\nWhy does a changed base layer change every chain ID above it?",
                      "ex4_text"),
        manual_cell("Because each chain ID hashes the chain ID below it.", "why_answer", points=2),
        markdown_cell("## Key takeaways\n- digests identify content", "takeaways"),
    ])
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def write_chain_notebook(path: str | Path) -> Path:
    """Write the synthetic instructor notebook to `path` and return it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(chain_notebook(), str(path))
    return path


# --- synthetic submissions --------------------------------------------------------------

_CORRECT = {
    "digest_answer": DIGEST_ANSWER.replace("### BEGIN SOLUTION\n    ", "").replace(
        "\n    ### END SOLUTION", ""),
    "chain_answer": CHAIN_ANSWER.replace("### BEGIN SOLUTION\n    ", "").replace(
        "\n    ### END SOLUTION", ""),
    "predict_answer": "stored_layers = 7",
    "why_answer": "Each chain ID includes the one below it in its hash input.",
}

_WRONG_CHAIN = '''def chain_id(diff_ids):
    return diff_ids[-1]'''

SUBMISSION_KINDS = (
    "correct",      # every exercise right: full autograded marks
    "untouched",    # the released notebook as is: 0
    "partial",      # digest right, chain wrong, predict wrong
    "loop",         # an infinite loop inside chain_id: that test cell times out
    "crash",        # os._exit(1) in an answer cell: the kernel dies
    "sigkill",      # the kernel kills itself with SIGKILL
    "hang_c",       # a loop inside C code (sum over a huge range): cannot be interrupted
    "tampered",     # no answers, test cells replaced by `pass` with 100 points
    "invalid_json",  # not a notebook at all
)


def _by_id(nb):
    return {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}


def make_submission(released: str | Path, dest: str | Path, kind: str) -> Path:
    """Write a student's submission of `kind` (see SUBMISSION_KINDS) derived from the
    released notebook `released` to `dest` (a .ipynb path); returns `dest`."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if kind == "invalid_json":
        dest.write_text('{"cells": [ this is not json')
        return dest
    nb = nbformat.read(str(released), as_version=4)
    cells = _by_id(nb)

    def answer(gid, src):
        cells[gid].source = src

    if kind in ("correct", "loop", "crash", "sigkill", "partial", "hang_c"):
        for gid, src in _CORRECT.items():
            answer(gid, src)
    if kind == "partial":
        answer("chain_answer", _WRONG_CHAIN)
        answer("predict_answer", "stored_layers = 10")
    elif kind == "loop":
        answer("chain_answer", "def chain_id(diff_ids):\n    while True:\n        pass")
    elif kind == "crash":
        answer("chain_answer", _CORRECT["chain_answer"] + "\nimport os\nos._exit(1)")
    elif kind == "sigkill":
        answer("chain_answer", _CORRECT["chain_answer"]
               + "\nimport os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    elif kind == "hang_c":
        answer("chain_answer", _CORRECT["chain_answer"] + "\n_ = sum(range(10**15))")
    elif kind == "tampered":
        for gid in ("digest_tests", "chain_tests", "predict_tests"):
            cells[gid].source = "pass"
            cells[gid].metadata["nbgrader"]["points"] = 100
    elif kind not in SUBMISSION_KINDS:
        raise ValueError(f"unknown submission kind {kind!r}; choose from {SUBMISSION_KINDS}")
    nbformat.write(nb, str(dest))
    return dest


def correct_answers() -> dict:
    """grade_id -> source of a fully correct answer (for building custom submissions)."""
    return copy.deepcopy(_CORRECT)


def dump(nb) -> str:  # pragma: no cover - debugging helper
    return json.dumps(nb, indent=1)
