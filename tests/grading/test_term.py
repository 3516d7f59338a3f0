"""An instructor's term: incremental grading into one class gradebook, manual grading with
nbgrader's own API, exports checked against a hand-computed gradebook, a late student, an
instructor's test fix after release, and a 16-student Canvas download graded in one run.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.grading import grade
from autograder.ingest import IngestError, ingest
from autograder.synthetic import chain_notebook, make_submission

from .util import CHAIN, venv_bin

pytestmark = pytest.mark.slow

TIMEOUT = 5


def _csv(path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _by(rows, *keys) -> dict:
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in rows}


@pytest.fixture(scope="module")
def term(tmp_path_factory, released):
    """A term: three students graded, a late one added, one re-graded by name, a manual
    score entered through nbgrader's Gradebook API, exports written again."""
    root = tmp_path_factory.mktemp("term")
    subs, out = root / "submissions", root / "graded"
    make_submission(released, subs / "alice" / "chain.ipynb", "correct")
    make_submission(released, subs / "bob" / "chain.ipynb", "partial")
    make_submission(released, subs / "carol" / "chain.ipynb", "untouched")
    first = grade(subs, [CHAIN], out, jobs=2, timeout=TIMEOUT, course_dir=out / "course")
    after_first = _csv(out / "grades.csv")

    late = root / "late"
    make_submission(released, late / "dave" / "chain.ipynb", "correct")
    grade(late, [CHAIN], out, jobs=2, timeout=TIMEOUT, course_dir=out / "course")
    after_late = _csv(out / "grades.csv")

    # bob hands in a corrected notebook; only he is re-graded
    make_submission(released, subs / "bob" / "chain.ipynb", "correct")
    regraded = grade(subs, [CHAIN], out, jobs=2, timeout=TIMEOUT, course_dir=out / "course",
                     students=["bob"])

    # a person grades alice's written answer, as formgrader would
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{out / 'course' / 'gradebook.db'}", "layerlab") as gb:
        g = gb.find_grade("why_answer", "chain", "chain", "alice")
        g.manual_score = 2.0
        g.needs_manual_grade = False
        gb.db.commit()

    roster = root / "roster.csv"
    roster.write_text("student,name,canvas_id\nalice,Alice Smith,101\nbob,Bob Jones,102\n"
                      "carol,Carol Wu,103\ndave,Dave Li,104\nerin,Erin Poe,105\n")
    proc = subprocess.run([sys.executable, "-m", "autograder", "export", str(out),
                           "--roster", str(roster)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return dict(root=root, out=out, first=first, after_first=after_first,
                after_late=after_late, regraded=regraded)


def test_late_student_added_without_loss(term):
    """Does grading one late student keep the class, and grades.csv stay the whole class?"""
    assert [r["student"] for r in term["after_first"]] == ["alice", "bob", "carol"]
    rows = _by(term["after_late"], "student")
    assert sorted(rows) == ["alice", "bob", "carol", "dave"]
    assert rows["alice"]["score"] == "6.0" and rows["dave"]["score"] == "6.0"
    assert rows["bob"]["score"] == "2.0"


def test_student_option_regrades_only_that_student(term):
    """Does a re-grade of one named student replace only that student's result?"""
    assert [(r.student, r.notebook) for r in term["regraded"]] == [("bob", "chain")]
    rows = _by(_csv(term["out"] / "grades.csv"), "student")
    assert sorted(rows) == ["alice", "bob", "carol", "dave"]
    assert rows["bob"]["score"] == "6.0"
    assert rows["alice"]["seconds"] == _by(term["after_first"], "student")["alice"]["seconds"]


def test_course_gradebook_has_every_submission_for_formgrader(term):
    """Are students, submissions and autograded notebooks where formgrader looks?"""
    from nbgrader.api import Gradebook

    course = term["out"] / "course"
    assert (course / "nbgrader_config.py").is_file()
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "layerlab") as gb:
        assert sorted(s.id for s in gb.students) == ["alice", "bob", "carol", "dave"]
        subs = gb.assignment_submissions("chain")
        assert sorted(s.student.id for s in subs) == ["alice", "bob", "carol", "dave"]
        bob = gb.find_grade("chain_tests", "chain", "chain", "bob")
        assert bob.auto_score == 3.0  # the re-grade replaced bob's autograded score
        assert gb.find_grade("why_answer", "chain", "chain", "dave").needs_manual_grade
    for s in ("alice", "bob", "carol", "dave"):
        assert (course / "autograded" / s / "chain" / "chain.ipynb").is_file()
        assert (course / "submitted" / s / "chain" / "chain.ipynb").is_file()


def test_manual_score_is_in_nbgrader_export(term, tmp_path):
    """Does `nbgrader export` on the kept course see the manual score (total 6 -> 8)?"""
    dest = tmp_path / "export.csv"
    proc = subprocess.run([venv_bin("nbgrader"), "export", "--to", str(dest)],
                          cwd=term["out"] / "course", capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = _by(_csv(dest), "student_id")
    assert float(rows["alice"]["score"]) == 8.0
    assert float(rows["bob"]["score"]) == 6.0
    assert float(rows["carol"]["score"]) == 0.0
    assert float(rows["dave"]["max_score"]) == 8.0


# the gradebook by hand: alice 6 auto + 2 manual; bob (re-graded) and dave 6 with the
# written answer (2) waiting; carol untouched: 0, nothing waiting (a blank answer);
# erin on the roster, no submission
HAND = {"alice": (8.0, 0.0), "bob": (6.0, 2.0), "carol": (0.0, 0.0), "dave": (6.0, 2.0)}


def test_exports_match_hand_computed_gradebook(term):
    """Do scores, questions, totals, Canvas and Gradescope exports agree with the hand
    computation, manual score included, roster student listed?"""
    ex = term["out"] / "exports"
    scores = _by(_csv(ex / "scores.csv"), "student")
    for s, (score, pending) in HAND.items():
        assert float(scores[s]["score"]) == score, s
        assert float(scores[s]["waiting_for_person"]) == pending, s
        assert scores[s]["max_score"] == "8"
    assert scores["alice"]["manual"] == "2"

    q = _by(_csv(ex / "questions.csv"), "student", "question")
    assert sorted(t for s, t in q if s == "alice") == [
        "Exercise 1", "Exercise 2", "Exercise 3", "Exercise 4"]
    assert (q["alice", "Exercise 4"]["score"], q["alice", "Exercise 4"]["max_score"]) == ("2", "2")
    assert q["dave", "Exercise 4"]["waiting_for_person"] == "2"
    assert q["carol", "Exercise 2"]["grade_ids"] == "chain_tests"

    totals = _by(_csv(ex / "totals.csv"), "student")
    assert sorted(totals) == ["alice", "bob", "carol", "dave", "erin"]
    for s, (score, _) in HAND.items():
        assert float(totals[s]["total"]) == score
    assert totals["erin"]["total"] == "0" and totals["erin"]["note"] == "no submission"

    canvas = list(csv.reader(open(ex / "canvas.csv", newline="")))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "chain"]
    assert canvas[1][0].strip() == "Points Possible" and canvas[1][-1] == "8"
    rows = {r[3]: r for r in canvas[2:]}
    assert rows["alice"][:2] == ["Alice Smith", "101"] and rows["alice"][-1] == "8"
    assert rows["erin"][-1] == "0"

    gs = json.loads((ex / "gradescope" / "dave" / "results.json").read_text())
    assert gs["score"] == 6.0
    assert sum(t["max_score"] for t in gs["tests"]) == 8.0
    assert "wait for a person" in gs["output"]
    assert json.loads((ex / "gradescope" / "alice" / "results.json").read_text())["score"] == 8.0

    with zipfile.ZipFile(ex / "feedback" / "bob.zip") as z:
        assert z.namelist() == ["bob/chain.html"]


def test_feedback_says_what_waits_for_a_person_and_works_offline(term):
    page = (term["out"] / "feedback" / "dave" / "chain.html").read_text()
    assert "wait for a person" in page and "Exercise 4" in page
    assert "cdnjs" not in page and "mathjax@" not in page.lower()
    assert '<script src="http' not in page


def _fixed_source(tmp_path) -> Path:
    """The instructor's notebook after release: a visible check reworded, points 3 -> 4."""
    nb = chain_notebook()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "chain_tests":
            cell.source = cell.source.replace(
                "assert chain_id([d1]) == d1",
                'assert chain_id([d1]) == d1, "one layer: its chain ID is its diff ID"')
            meta["points"] = 4
    path = tmp_path / "fixed" / "chain.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, str(path))
    return path


def test_instructor_test_fix_regrades_without_flags(tmp_path, released):
    """Is an instructor's change of a test (visible part and points) after release not
    the students' tampering, while a student's own edit still is?"""
    subs, out = tmp_path / "subs", tmp_path / "graded"
    make_submission(released, subs / "alice" / "chain.ipynb", "correct")
    make_submission(released, subs / "tom" / "chain.ipynb", "tampered")
    grade(subs, [CHAIN], out, jobs=2, timeout=TIMEOUT, course_dir=out / "course",
          feedback=False)
    fixed = _fixed_source(tmp_path)
    grade(subs, [fixed], out, jobs=2, timeout=TIMEOUT, course_dir=out / "course",
          feedback=False)
    rows = _by(_csv(out / "grades.csv"), "student")
    assert rows["alice"]["status"] == "graded", rows["alice"]["reason"]
    assert (rows["alice"]["score"], rows["alice"]["max_score"]) == ("7.0", "9.0")
    assert rows["tom"]["status"] == "flagged"
    assert "chain_tests (Exercise 2)" in rows["tom"]["reason"]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{out / 'course' / 'gradebook.db'}", "layerlab") as gb:
        assert gb.find_submission_notebook("chain", "chain", "tom").flagged
        assert not gb.find_submission_notebook("chain", "chain", "alice").flagged
        notes = [c.auto_comment or "" for c in
                 gb.find_submission_notebook("chain", "chain", "tom").comments]
        assert any(n.startswith("Autograder: flagged") for n in notes), notes
    # graded straight with the fixed notebook (no record of the first release): still fine
    out2 = tmp_path / "graded2"
    grade(subs, [fixed], out2, jobs=2, timeout=TIMEOUT, course_dir=out2 / "course",
          feedback=False, students=["alice"])
    row = _by(_csv(out2 / "grades.csv"), "student")["alice"]
    assert row["status"] == "graded", row["reason"]


CANVAS_NAME = "{login}_{late}{uid}_{sid}_chain{suffix}.ipynb"


def test_canvas_download_of_16_students_graded_in_one_run(tmp_path, released):
    """Is a flat Canvas download ingested (login as student, Canvas id kept, a
    re-submission's "-1" file preferred) and a class of 16 graded in one run?"""
    dl = tmp_path / "canvas"
    dl.mkdir()
    kinds = ["correct", "partial", "untouched", "correct"] * 4
    for i, kind in enumerate(kinds):
        login = f"student{i:02d}"
        make_submission(released, dl / CANVAS_NAME.format(
            login=login, late="LATE_" if i == 3 else "", uid=1000 + i, sid=5000 + i,
            suffix=""), kind)
    # student00 re-submitted: Canvas names the newer file chain-1.ipynb, a higher id
    make_submission(released, dl / CANVAS_NAME.format(login="student01", late="", uid=1001,
                                                      sid=9001, suffix="-1"), "correct")
    (dl / "student99_1099_5099_notes.txt").write_text("not a notebook")
    out = tmp_path / "graded"
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(dl), "--source", str(CHAIN),
         "--out", str(out), "-j", "2", "--timeout", str(TIMEOUT), "--no-feedback", "-q"],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "17 notebook(s)" in proc.stdout or "16 notebook(s)" in proc.stdout, proc.stdout
    rows = _by(_csv(out / "grades.csv"), "student")
    assert len([s for s in rows if s.startswith("student") and rows[s]["status"] == "graded"]) == 16
    assert rows["student01"]["score"] == "6.0"  # the re-submission, not the partial one
    assert rows["student03"]["score"] == "6.0"  # a LATE_ file is still that student's
    assert {rows[f"student{i:02d}"]["score"] for i in range(0, 16, 4)} == {"6.0"}
    canvas = {r[3]: r for r in csv.reader(open(out / "exports" / "canvas.csv"))}
    assert canvas["student05"][1] == "1005"


def test_folder_without_submissions_is_an_error(tmp_path):
    """Is a folder with nothing recognisable an error with a message and exit 2?"""
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "readme.txt").write_text("hello")
    (junk / "chain-notes.ipynb").write_text("{}")
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(junk), "--source", str(CHAIN),
         "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "no submission of chain.ipynb found" in proc.stderr
    assert "0 notebook(s)" not in proc.stdout


def test_nbgrader_submitted_layout_is_ingested(tmp_path):
    root = tmp_path / "course"
    for s in ("ann", "ben"):
        p = root / "submitted" / s / "chain" / "chain.ipynb"
        p.parent.mkdir(parents=True)
        p.write_text("{}")
    (root / "submitted" / "cy" / "chain").mkdir(parents=True)
    found = ingest(root, ["chain"])
    assert found.layout == "nbgrader"
    assert sorted(found.files) == [("ann", "chain"), ("ben", "chain")]
    assert found.student_ids == ["ann", "ben", "cy"]
    with pytest.raises(IngestError):
        ingest(tmp_path / "course" / "submitted" / "cy", ["chain"])


def test_long_honest_output_is_not_flagged(tmp_path, released, course):
    """Is an honest answer printing 5,000 lines (one IOPub message over pyzmq's 64 KB
    zero-copy threshold, which starts pyzmq's garbage-collector thread) graded unflagged?"""
    from autograder.grading import grade_one

    path = make_submission(released, tmp_path / "subs" / "loud" / "chain.ipynb", "correct")
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "chain_answer":
            cell.source += "\nfor i in range(5000):\n    print('layer', i, 'sha256:' + '0' * 24)\n"
    nbformat.write(nb, str(path))
    r = grade_one(course.root, "chain", "loud", path, timeout=10, feedback=False,
                  scratch=tmp_path)
    assert (r.status, r.score) == ("graded", 6.0), r.reason
