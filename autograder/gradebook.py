"""The class gradebook: one record of the whole class that grading adds to, never replaces.

`autograder grade` grades some submissions (a whole class, one late student, a re-grade of
a few) and merges the results into the record kept in the output folder::

    OUT/results.json            every (student, notebook) result ever graded, latest wins
    OUT/grades.csv              the whole class, rebuilt from results.json on every run
    OUT/course/                 a kept nbgrader course directory (``--course-dir``)
      nbgrader_config.py        so ``nbgrader export`` and formgrader find the gradebook
      gradebook.db              students, submissions, autograded scores, comments, flags
      submitted/<student>/<nb>/<nb>.ipynb
      autograded/<student>/<nb>/<nb>.ipynb   what formgrader opens for manual grading
      feedback/<student>/<nb>/<nb>.html      what ``nbgrader release_feedback`` releases

The kept course is an nbgrader course directory: with an exchange configured
(``c.Exchange.root``), ``nbgrader release_assignment`` and ``collect`` work in it, and
``autograder grade OUT/course/submitted`` grades what ``collect`` gathered there.

Manual scores entered in formgrader (or through nbgrader's `Gradebook` API) live in
gradebook.db; a re-grade replaces the autograded scores and comments of that student's
notebook and keeps the manual scores. Exports (`autograder.exports`) read both.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from .status import SCORED, Status

__all__ = ["ClassRecord", "exercise_titles", "name_cells", "sync_course"]

RESULTS = "results.json"

NBGRADER_CONFIG = '''# written by autograder: the course of `autograder grade`
c = get_config()  # noqa
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = "layerlab"
c.CourseDirectory.db_url = {db!r}
'''

#: lines below this one in a course's nbgrader_config.py are the instructor's (e.g.
#: ``c.Exchange.root``) and are kept when the file is written again
KEEP_BELOW = "# --- your settings below this line are kept by autograder ---"


class ClassRecord:
    """OUT/results.json: the latest result of every (student, notebook)."""

    def __init__(self, out_dir: str | Path):
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / RESULTS
        self.rows: dict[tuple[str, str], dict] = {}
        if self.path.exists():
            for row in json.loads(self.path.read_text()):
                self.rows[(row["student"], row["notebook"])] = row

    def merge(self, results) -> None:
        """Add or replace the given results (a re-grade replaces that student's result)."""
        from dataclasses import asdict

        for r in results:
            d = asdict(r) if not isinstance(r, dict) else dict(r)
            d.pop("log", None)
            self.rows[(d["student"], d["notebook"])] = d

    def results(self):
        from .grading import Result

        fields = set(Result.__dataclass_fields__)
        return [Result(**{k: v for k, v in self.rows[key].items() if k in fields})
                for key in sorted(self.rows)]

    def save(self) -> None:
        from .grading import write_csv

        self.out_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps([self.rows[k] for k in sorted(self.rows)], indent=1))
        tmp.replace(self.path)
        write_csv(self.results(), self.out_dir / "grades.csv")


# --- exercise titles -------------------------------------------------------------------

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def exercise_titles(source_nb) -> dict[str, str]:
    """grade_id -> the title of the exercise it belongs to, as learners see it.

    The title is the last markdown heading above the cell ("Exercise 2: chain IDs"); a
    cell with no heading above it keeps its grade_id.
    """
    titles, current = {}, None
    for cell in source_nb.cells:
        if cell.cell_type == "markdown":
            found = _HEADING.findall(cell.source)
            if found:
                current = re.sub(r"[*_`]", "", found[-1]).strip()
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid:
            titles[gid] = current or gid
    return titles


_CELL_REF = re.compile(r"\b(answer |test )?cell(?:\(s\))? (\d+)\b")


def name_cells(text: str, nb, titles: dict[str, str]) -> str:
    """Replace "cell 30" (a 1-based index into `nb`) by the exercise the cell belongs to,
    e.g. "the answer to Exercise 1 (ex1_answer)"."""

    def sub(m):
        index = int(m.group(2)) - 1
        if not 0 <= index < len(nb.cells):
            return m.group(0)
        gid = None
        for cell in nb.cells[index::-1]:  # this cell, or the graded cell above it
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid:
                break
        if not gid:
            return m.group(0)
        title = titles.get(gid, gid)
        kind = "the answer to" if (m.group(1) or "").startswith("answer") else "a cell of"
        return f"{kind} {title} ({gid})"

    return _CELL_REF.sub(sub, text)


# --- the kept nbgrader course ----------------------------------------------------------

def write_nbgrader_config(course_root: str | Path) -> Path:
    root = Path(course_root).resolve()
    path = root / "nbgrader_config.py"
    kept = ""
    if path.exists():
        old = path.read_text()
        if KEEP_BELOW in old:
            kept = old.split(KEEP_BELOW, 1)[1].lstrip("\n")
    path.write_text(NBGRADER_CONFIG.format(root=str(root),
                                           db=f"sqlite:///{root / 'gradebook.db'}")
                    + KEEP_BELOW + "\n" + kept)
    return path


#: the files `nbgrader submit` puts next to a notebook and `nbgrader collect` keeps: the
#: submission time, and the secret the student's `fetch_feedback` finds its feedback by
NBGRADER_STAMPS = ("timestamp.txt", "submission_secret.txt")


def _copy(src, dest: Path) -> None:
    """Copy unless `src` already is `dest` (grading a kept course's own submitted/)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists() and Path(src).resolve() == dest.resolve():
        return
    shutil.copyfile(src, dest)


def sync_course(course_root: str | Path, results, submissions: dict | None = None,
                students: dict | None = None) -> int:
    """Write `results` into the kept course's gradebook and folders.

    Args:
        course_root: a course built by `Course.build` (gradebook.db with assignments).
        results: `Result`s of this run (graded, flagged: scores; others: a submission
            with the status in a comment, flagged for a look).
        submissions: (student, notebook) -> path of the submitted file, copied to
            ``submitted/``.
        students: student id -> dict of nbgrader Student fields (first_name, last_name,
            email, lms_user_id), e.g. from a Canvas download.

    Returns:
        The number of submissions written.
    """
    from nbgrader.api import Gradebook

    from .course import COURSE_ID

    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader api.py noise
    root = Path(course_root).resolve()
    write_nbgrader_config(root)
    submissions = submissions or {}
    students = students or {}
    written = 0
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gb:
        for r in results:
            if r.status == Status.MISSING:
                gb.update_or_create_student(r.student, **students.get(r.student, {}))
                continue
            gb.update_or_create_student(r.student, **students.get(r.student, {}))
            name = r.notebook
            src = submissions.get((r.student, name))
            stamps = []
            if src and Path(src).is_file():
                dest = root / "submitted" / r.student / name / f"{name}.ipynb"
                _copy(src, dest)
                stamps = [Path(src).parent / f for f in NBGRADER_STAMPS
                          if (Path(src).parent / f).is_file()]
                for stamp in stamps:
                    _copy(stamp, dest.parent / stamp.name)
            if r.autograded and Path(r.autograded).is_file():
                dest = root / "autograded" / r.student / name / f"{name}.ipynb"
                _copy(r.autograded, dest)
            if r.feedback and Path(r.feedback).is_file():
                # where nbgrader's release_feedback looks for it (with the stamps it
                # hashes: a submission collected from nbgrader's exchange has them)
                dest = root / "feedback" / r.student / name / f"{name}.html"
                _copy(r.feedback, dest)
                for stamp in stamps:
                    _copy(stamp, dest.parent / stamp.name)
            gb.update_or_create_submission(name, r.student)
            sub = gb.find_submission_notebook(name, name, r.student)
            by_id = {c["grade_id"]: c for c in (r.cells or [])}
            for grade in sub.grades:
                c = by_id.get(grade.name)
                if c is None:
                    grade.auto_score = None if r.status in SCORED else 0.0
                    continue
                auto = c.get("auto_score", c.get("score"))
                grade.auto_score = None if auto is None else float(auto)
                grade.needs_manual_grade = bool(grade.manual_score is not None
                                                or grade.auto_score is None
                                                or c.get("needs_manual_grade"))
            note = ""
            if r.status != Status.GRADED or r.reason:
                note = f"Autograder: {r.status}" + (f": {r.reason}" if r.reason else "")
            comments = list(sub.comments)
            if comments:
                first = min(comments, key=lambda c: c.cell.name)
                for c in comments:
                    if c is first:
                        c.auto_comment = note or None
                    elif c.auto_comment and c.auto_comment.startswith("Autograder:"):
                        c.auto_comment = None
            sub.flagged = r.status != Status.GRADED
            written += 1
        gb.db.commit()
    return written


def manual_scores(course_root: str | Path) -> dict:
    """(student, notebook) -> {grade_id: (auto_score, manual_score, needs_manual_grade,
    max_score)} from the kept gradebook (empty if it has no submissions)."""
    from nbgrader.api import Gradebook

    from .course import COURSE_ID

    root = Path(course_root).resolve()
    out: dict = {}
    if not (root / "gradebook.db").exists():
        return out
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                for nb in sub.notebooks:
                    out[(sub.student.id, nb.name)] = {
                        g.name: (g.auto_score, g.manual_score, bool(g.needs_manual_grade),
                                 float(g.max_score))
                        for g in nb.grades}
    return out


# --- what students were given ------------------------------------------------------------

RELEASES = "releases.json"


def _significant_json(meta: dict) -> list:
    from .repair import significant

    return list(significant(meta))


def record_release(course_root: str | Path, names) -> dict:
    """Remember the nbgrader metadata of every version of the student notebooks released
    from this course (an instructor who fixes a test or its points after release makes a
    new version; students keep the one they were given).

    Returns {name: {grade_id: {"checksums": [...], "meta": [[significant...], ...]}}}.
    """
    import nbformat

    root = Path(course_root)
    path = root / RELEASES
    history = json.loads(path.read_text()) if path.exists() else {}
    for name in names:
        nb = nbformat.read(str(root / "release" / name / f"{name}.ipynb"), as_version=4)
        cells = history.setdefault(name, {})
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader")
            if not meta or not meta.get("grade_id"):
                continue
            entry = cells.setdefault(meta["grade_id"], {"checksums": [], "meta": []})
            if meta.get("checksum") and meta["checksum"] not in entry["checksums"]:
                entry["checksums"].append(meta["checksum"])
            sig = _significant_json(meta)
            if sig not in entry["meta"]:
                entry["meta"].append(sig)
    path.write_text(json.dumps(history, indent=1, sort_keys=True))
    return history


def released_versions(course_root: str | Path, name: str) -> dict:
    path = Path(course_root) / RELEASES
    if not path.exists():
        return {}
    return json.loads(path.read_text()).get(name, {})
