"""End-to-end grading of synthetic students with `autograder grade`.

One batch holds every kind of submission at once, so the test also shows that a hang, a
crash or a broken file never affects the grades of the others.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys

import nbformat
import pytest

from autograder.grading import CSV_COLUMNS, grade_one
from autograder.synthetic import HIDDEN_MARKER, SUBMISSION_KINDS, make_submission

from .util import CHAIN, TIMEOUT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def batch(tmp_path_factory, released):
    root = tmp_path_factory.mktemp("batch")
    subs = root / "subs"
    for kind in SUBMISSION_KINDS:
        make_submission(released, subs / kind / "chain.ipynb", kind)
    make_submission(released, subs / "correct2" / "chain.ipynb", "correct")
    (subs / "nothing").mkdir()                                   # empty folder
    make_submission(released, subs / "misnamed" / "Chain (1).ipynb", "correct")
    (subs / "stray.txt").write_text("not a student")
    out = root / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(subs), "--source", str(CHAIN),
         "--out", str(out), "-j", "2", "--timeout", str(TIMEOUT)],
        capture_output=True, text=True, timeout=240)
    with open(out / "grades.csv", newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    return proc, rows, out


def test_csv_has_one_row_per_student_with_status(batch):
    """Does grades.csv hold every student, with status and reason columns?"""
    proc, rows, out = batch
    assert list(rows["correct"]) == list(CSV_COLUMNS)
    assert set(rows) == set(SUBMISSION_KINDS) | {"correct2", "nothing", "misnamed"}
    assert proc.returncode == 1, "failed and invalid submissions need attention"
    assert "needs attention: crash/chain: failed" in proc.stdout
    assert re.search(r"^\[ ?1/12\] ", proc.stderr, re.M), proc.stderr  # progress shown
    assert "ignoring stray.txt" in proc.stderr


@pytest.mark.parametrize("student, score", [
    ("correct", "6.0"), ("correct2", "6.0"), ("untouched", "0.0"), ("partial", "2.0")])
def test_honest_scores(batch, student, score):
    """Do correct, untouched and partly correct notebooks get nbgrader's scores?"""
    _, rows, _ = batch
    assert (rows[student]["score"], rows[student]["status"]) == (score, "graded")
    assert rows[student]["max_score"] == "8.0"


def test_infinite_loop_times_out_without_affecting_others(batch):
    """Is a looping test cell interrupted, scored 0, and named in the reason?"""
    _, rows, _ = batch
    row = rows["loop"]
    assert row["status"] == "graded" and row["score"] == "3.0"  # digest + predict only
    assert "timed out after 3 s in cell(s) chain_tests" in row["reason"]
    assert rows["correct"]["score"] == "6.0"


@pytest.mark.parametrize("student", ["crash", "sigkill", "hang_c"])
def test_dead_or_wedged_kernel_is_failed_not_zero(batch, student):
    """Is a kernel crash or an uninterruptible hang a failure with a reason, never a 0?"""
    _, rows, _ = batch
    row = rows[student]
    assert row["status"] == "failed" and row["score"] == "", row
    assert "kernel" in row["reason"]
    if student == "hang_c":
        assert "could not be interrupted" in row["reason"]


def test_tampered_test_cells_are_restored_not_inflated(batch):
    """Are edited test cells (source and points) restored from the gradebook?"""
    _, rows, out = batch
    row = rows["tampered"]
    assert (row["score"], row["max_score"]) == ("0.0", "8.0")
    assert ("digest_tests (Exercise 1), chain_tests (Exercise 2), predict_tests (Exercise 3) "
            "were restored") in row["reason"]
    nb = nbformat.read(str(out / "autograded" / "tampered" / "chain.ipynb"), as_version=4)
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "chain_tests"]
    assert HIDDEN_MARKER in tests[0].source and tests[0].metadata.nbgrader.points == 3


def test_bad_files_are_reported_and_do_not_stop_others(batch):
    """Are invalid JSON, a missing and a misnamed notebook reported per student?"""
    _, rows, _ = batch
    assert rows["invalid_json"]["status"] == "invalid"
    assert "not valid JSON" in rows["invalid_json"]["reason"]
    assert (rows["nothing"]["status"], rows["nothing"]["score"]) == ("missing", "0.0")
    assert rows["misnamed"]["status"] == "missing"
    assert "Chain (1).ipynb" in rows["misnamed"]["reason"]


def test_feedback_does_not_reveal_hidden_tests(batch):
    """Do feedback pages exist for graded students and never contain hidden tests?"""
    _, rows, out = batch
    pages = sorted((out / "feedback").glob("*/chain.html"))
    graded = {s for s, r in rows.items() if r["status"] in ("graded", "flagged")}
    assert {p.parent.name for p in pages} == graded
    for page in pages:
        html = page.read_text()
        assert HIDDEN_MARKER not in html and "BEGIN HIDDEN TESTS" not in html
        assert "hidden tests: not shown" in html
    partial = (out / "feedback" / "partial" / "chain.html").read_text()
    assert "raised by a hidden test" in partial          # predict failed a hidden test
    assert "in the visible tests, line 4" in partial     # chain failed a visible one


def test_grade_one_in_process(course, submission, tmp_path):
    """Can one submission be graded directly, returning per-cell results?"""
    r = grade_one(course.root, "chain", "solo", submission("partial"), tmp_path / "out",
                  timeout=TIMEOUT, feedback=False)
    assert (r.status, r.score, r.max_score, r.needs_manual_grade) == ("graded", 2.0, 8.0, True), r.reason
    cells = {c["grade_id"]: (c["score"], c["outcome"]) for c in r.cells}
    assert cells["chain_tests"] == (0.0, "AssertionError")
    assert cells["digest_tests"] == (2.0, "ok")
    assert json.dumps(r.row())  # plain data


def test_watchdog_stops_a_runaway_grading_and_continues(monkeypatch, tmp_path, released):
    """Is a submission that outlives its whole-notebook budget stopped as failed, while
    the next submissions are still graded by a fresh worker?"""
    import autograder.grading as grading

    monkeypatch.setattr(grading, "_deadline", lambda course, name, timeout: 12.0)
    subs = tmp_path / "subs"
    make_submission(released, subs / "a_loop" / "chain.ipynb", "loop")
    make_submission(released, subs / "b_ok" / "chain.ipynb", "correct")
    make_submission(released, subs / "c_ok" / "chain.ipynb", "correct")
    results = {r.student: r for r in grading.grade(subs, [CHAIN], tmp_path / "out", jobs=1,
                                                   timeout=120, feedback=False)}
    assert results["a_loop"].status == "failed"
    assert "longer than 12 s" in results["a_loop"].reason
    assert results["b_ok"].score == 6.0 and results["c_ok"].score == 6.0
