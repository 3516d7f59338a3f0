"""The course with nbgrader's own exchange: release, fetch, submit, collect, grade with
`autograder grade`, release and fetch feedback, all with the real ``nbgrader`` commands.

The exchange is a temporary folder (``c.Exchange.root``); the instructor and two students
are simulated as JupyterHub would make them: each has a HOME, a Jupyter config dir whose
``nbgrader_config.py`` names the exchange and the course, and for a student
``c.CourseDirectory.student_id`` (nbgrader takes it from the unix user otherwise). The
instructor's course directory is the one `autograder grade` keeps (OUT/course).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.synthetic import HIDDEN_MARKER, make_submission

from .util import CHAIN, TIMEOUT, venv_bin

pytestmark = [pytest.mark.oracle, pytest.mark.slow]

STUDENTS = {"alice": "correct", "bob": "partial"}


class Person:
    def __init__(self, base: Path, name: str, exchange: Path, student: bool):
        self.name = name
        self.home = base / "home" / name
        self.config = self.home / ".jupyter"
        self.config.mkdir(parents=True)
        lines = ["c = get_config()  # noqa", f"c.Exchange.root = {str(exchange)!r}",
                 'c.CourseDirectory.course_id = "layerlab"',
                 f"c.Exchange.cache = {str(self.home / '.nbgrader-cache')!r}"]
        if student:
            lines.append(f"c.CourseDirectory.student_id = {name!r}")
        (self.config / "nbgrader_config.py").write_text("\n".join(lines) + "\n")

    def env(self) -> dict:
        return {**os.environ, "HOME": str(self.home), "JUPYTER_CONFIG_DIR": str(self.config),
                "JUPYTER_DATA_DIR": str(self.home / ".local-jupyter")}

    def nbgrader(self, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        proc = subprocess.run([venv_bin("nbgrader"), *args], cwd=cwd or self.home,
                              env=self.env(), capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"nbgrader {' '.join(args)} as {self.name}:\n" \
                                     f"{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
        return proc

    def autograder(self, *args: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd,
                              env=self.env(), capture_output=True, text=True, timeout=400)


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    base = tmp_path_factory.mktemp("exchange-term")
    exchange = base / "exchange"
    teacher = Person(base, "teacher", exchange, student=False)
    students = {s: Person(base, s, exchange, student=True) for s in STUDENTS}
    work = teacher.home
    out = work / "graded"
    course = out / "course"

    # the instructor builds the course directory and releases the assignment
    proc = teacher.autograder("release", str(CHAIN), "--course-dir", str(course), "--out",
                              str(work / "release"), cwd=work)
    assert proc.returncode == 0, proc.stderr
    teacher.nbgrader("release_assignment", "chain", cwd=course)

    # each student fetches, answers and submits
    for name, person in students.items():
        person.nbgrader("fetch_assignment", "chain")
        fetched = person.home / "chain" / "chain.ipynb"
        assert fetched.is_file()
        make_submission(fetched, fetched, STUDENTS[name])
        person.nbgrader("submit", "chain")

    # the instructor collects and grades what collect gathered
    collected = teacher.nbgrader("collect", "chain", cwd=course)
    graded = teacher.autograder("grade", str(course / "submitted"), "--source", str(CHAIN),
                                "--out", str(out), "--timeout", str(TIMEOUT), "-j", "2",
                                cwd=work)
    released = teacher.nbgrader("release_feedback", "chain", cwd=course)
    fetched_feedback = {name: p.nbgrader("fetch_feedback", "chain")
                        for name, p in students.items()}
    return {"base": base, "exchange": exchange, "course": course, "out": out,
            "students": students, "teacher": teacher, "collect": collected,
            "grade": graded, "release_feedback": released, "fetch_feedback": fetched_feedback}


def test_release_reaches_the_exchange_without_solutions(term):
    """Does the student version in the exchange (what fetch_assignment gave) carry no
    solution and no hidden test?"""
    outbound = term["exchange"] / "layerlab" / "outbound" / "chain" / "chain.ipynb"
    text = outbound.read_text()
    assert "BEGIN SOLUTION" not in text and HIDDEN_MARKER not in text
    assert "YOUR CODE HERE" in text or "raise NotImplementedError" in text


def test_collect_gathers_both_students_in_nbgrader_layout(term):
    course = term["course"]
    for s in STUDENTS:
        folder = course / "submitted" / s / "chain"
        assert (folder / "chain.ipynb").is_file() and (folder / "timestamp.txt").is_file()
    assert "Collecting submission: alice chain" in term["collect"].stderr + term["collect"].stdout


def test_grade_reads_what_collect_produced(term):
    """Does `autograder grade` give each collected submission its honest score, and keep
    it in the course's gradebook that nbgrader reads?"""
    proc = term["grade"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(term["out"] / "grades.csv", newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert {s: (r["status"], r["score"]) for s, r in rows.items()} == {
        "alice": ("graded", "6.0"), "bob": ("graded", "2.0")}
    # nbgrader itself sees the grades in the kept gradebook
    export = term["base"] / "nbgrader-export.csv"
    term["teacher"].nbgrader("export", "--to", str(export), cwd=term["course"])
    with open(export, newline="") as f:
        scores = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}
    assert scores == {"alice": 6.0, "bob": 2.0}


def test_students_fetch_their_own_feedback(term):
    """Does release_feedback publish each student's page, and fetch_feedback give each
    student their own (their score, no hidden test)?"""
    for name, person in term["students"].items():
        pages = sorted((person.home / "chain" / "feedback").glob("*/chain.html"))
        assert len(pages) == 1, term["fetch_feedback"][name].stderr
        html = pages[0].read_text()
        assert HIDDEN_MARKER not in html
        want = {"alice": "6.0 / 8.0", "bob": "2.0 / 8.0"}[name]
        assert want in html.replace("\n", " "), name


def test_instructor_settings_in_the_course_config_are_kept(tmp_path):
    """autograder rewrites the course's nbgrader_config.py on every grade; what the
    instructor wrote below its marker line (an exchange, a course id) stays."""
    from autograder.gradebook import KEEP_BELOW, write_nbgrader_config

    path = write_nbgrader_config(tmp_path)
    assert KEEP_BELOW in path.read_text()
    path.write_text(path.read_text() + 'c.Exchange.root = "/srv/nbgrader/exchange"\n')
    write_nbgrader_config(tmp_path)
    text = path.read_text()
    assert text.count('c.Exchange.root = "/srv/nbgrader/exchange"') == 1
    assert text.count(KEEP_BELOW) == 1
    assert f"c.CourseDirectory.root = {str(tmp_path.resolve())!r}" in text
