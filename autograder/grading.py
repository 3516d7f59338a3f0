"""Grade many submissions in parallel, safely, on top of nbgrader's autograde.

nbgrader grades one submission at a time in one process against one sqlite gradebook
(jupyter/nbgrader#174). Here every (student, notebook) pair is graded in its own
throw-away nbgrader course directory holding a *copy* of the master gradebook, by a pool
of long-lived worker processes (nbgrader and nbconvert are imported once per worker, not
once per student). Results come back to the parent as plain data and are merged into one
`grades.csv` and one folder of feedback pages::

    SUBMISSIONS/alice/chain.ipynb          OUT/grades.csv
    SUBMISSIONS/bob/chain.ipynb     --->   OUT/feedback/alice/chain.html
                                           OUT/autograded/alice/chain.ipynb

Statuses (column ``status`` of grades.csv; `autograder.status.Status` in code):

==========  ===============================================================================
graded      nbgrader graded the notebook; ``score`` is the autograded score
flagged     graded, but the submission did something that needs a human look (reason
            lists what: tampering attempts, refused comparisons, sandbox refusals)
failed      the kernel died or could not be interrupted; no score (never a silent 0)
invalid     the file is not a readable notebook (bad JSON, not nbformat 4)
missing     no file for this notebook in the student's folder; score 0
error       the grader itself failed on this submission (a bug: reason has the details)
==========  ===============================================================================

A submission that times out in a cell is still ``graded`` (nbgrader interrupts the cell
and continues); the reason column names the cells that timed out.
"""

from __future__ import annotations

import contextlib
import csv
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterable

from . import kernels
from .course import Course, _coursedir, capture_log, nbgrader_config
from .errors import AutograderError
from .gradebook import ClassRecord, record_release, sync_course
from .ingest import ingest
from .status import Status

__all__ = ["Result", "Status", "grade", "grade_one", "write_csv", "CSV_COLUMNS", "discover"]

CSV_COLUMNS = ("student", "notebook", "score", "max_score", "status", "reason",
               "needs_manual_grade", "seconds")


@dataclass
class Result:
    """The outcome of grading one student's notebook."""

    student: str
    notebook: str
    score: float | None
    max_score: float | None
    status: Status
    reason: str = ""
    needs_manual_grade: bool = False
    seconds: float = 0.0
    cells: list = field(default_factory=list)  # [{grade_id, score, max_score, outcome}]
    feedback: str | None = None   # path of the feedback page, if any
    autograded: str | None = None  # path of the autograded notebook, if any
    log: str = ""

    def __post_init__(self):
        # a status read back as a plain word (JSON, grades.csv) becomes its member; an
        # unknown word is refused here rather than miscounted later
        self.status = Status(self.status)

    def row(self) -> dict:
        d = asdict(self)
        return {k: ("" if d[k] is None else d[k]) for k in CSV_COLUMNS}


# --- one submission -----------------------------------------------------------------

def _read_submission(path: Path):
    """Return (notebook, None) or (None, reason) for an unreadable submission."""
    import nbformat

    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, f"cannot read {path.name}: {exc.strerror}"
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, f"{path.name} is not UTF-8 text"
    except json.JSONDecodeError as exc:
        return None, f"{path.name} is not valid JSON ({exc.msg} at line {exc.lineno})"
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return None, f"{path.name} is JSON but not a notebook (no 'cells' list)"
    if data.get("nbformat") != 4:
        return None, f"{path.name} has nbformat {data.get('nbformat')!r}; expected 4"
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types
        return None, f"{path.name} is not a readable notebook: {exc}"
    return nb, None


_KERNEL_DIED = re.compile(r"DeadKernelError|Kernel died|kernel died", re.I)


def _failure_reason(log_text: str, timeout: int) -> str:
    """Why nbgrader gave up on a notebook, in words, from its log."""
    if "Inconsistent checksums" in log_text or "metadata may be corrupted" in log_text \
            or "does not have a grade_id" in log_text:
        return ("nbgrader refused the notebook: its nbgrader cell metadata was edited or "
                "corrupted (a test cell's flags, points or id changed)")
    if "use an old version" in log_text or "use an newer version" in log_text:
        return "nbgrader refused the notebook: its nbgrader metadata schema was edited"
    if "Timeout waiting for IOPub output" in log_text:
        return (f"a cell ran past the {timeout} s timeout and the kernel could not be "
                "interrupted (a loop inside C code, or the kernel is wedged)")
    if _KERNEL_DIED.search(log_text):
        return ("the kernel died while running the notebook (os._exit, a fatal signal, "
                "or running out of memory)")
    if "became unresponsive" in log_text or "UnresponsiveKernelError" in log_text:
        return "the kernel became unresponsive and could not be interrupted"
    skip = ("Timeout waiting for execute reply", "Interrupting kernel",
            "There was an error processing", "Please see the")
    lines = [ln[8:] for ln in log_text.splitlines()
             if ln.startswith("[ERROR]") and not any(k in ln for k in skip)]
    return lines[0] if lines else "nbgrader could not grade this notebook"


def _cell_outcomes(nb, timeout) -> tuple[dict, list]:
    """grade_id -> short outcome of each test cell, and the ids of cells that timed out."""
    outcomes, timed_out = {}, []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        gid = meta.get("grade_id")
        if cell.cell_type != "code" or not gid:
            continue
        outcome = "ok"
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                if out.get("ename") == "CellTimeoutError":
                    timed_out.append(gid)
                    outcome = "timeout"
                elif outcome in ("ok", "stderr"):
                    outcome = out.get("ename", "error")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr" \
                    and outcome == "ok":
                outcome = "stderr"
        outcomes[gid] = outcome
    return outcomes, timed_out


def _edited_cells(submitted, released_path: Path, versions: dict | None = None) -> list[str]:
    """grade_ids of locked cells (test cells included) the student changed or deleted.

    The released notebook's checksums are those of the student version (after hidden
    tests were stripped), so any change to source, type, points or flags shows up.
    A cell is the student's as given if it matches any released version of it
    (`versions`: `autograder.gradebook.released_versions`), or if it still matches the
    checksum it carries (the version that student was given, when the instructor changed
    the cell after release and no record of that version is kept). Forging that checksum
    escapes this flag, not the defence: test cells are restored and run from the source.
    """
    import nbformat
    from nbgrader.utils import compute_checksum, is_locked

    released = nbformat.read(str(released_path), as_version=4)
    expected = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"].get("checksum")
                for c in released.cells
                if "nbgrader" in c.metadata and is_locked(c) and c.metadata["nbgrader"].get("grade_id")}
    seen, edited = set(), []
    for cell in submitted.cells:
        meta = cell.metadata.get("nbgrader") if isinstance(cell.get("metadata"), dict) else None
        gid = meta.get("grade_id") if isinstance(meta, dict) else None
        if gid not in expected or gid in seen:
            continue
        seen.add(gid)
        known = set((versions or {}).get(gid, {}).get("checksums", [])) | {expected[gid]}
        try:
            checksum = compute_checksum(cell)
            changed = checksum not in known and checksum != meta.get("checksum")
        except Exception:
            changed = True
        if changed:
            edited.append(gid)
    edited += [f"{gid} (deleted)" for gid in expected if gid not in seen]
    return edited


def _titled(grade_id: str, titles: dict) -> str:
    """``chain_tests (Exercise 2)``: a grade id with the exercise learners see."""
    title = titles.get(grade_id)
    return f"{grade_id} ({title})" if title and title != grade_id else grade_id


def _imported_modules(nb) -> list[str]:
    """Top-level modules imported by the instructor's code cells (preloaded in the kernel
    so its integrity probe knows their pristine state)."""
    import ast

    from .isolation import _transform

    names = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(_transform(cell.source))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return sorted(names)


def _autograde_preprocessors(execute) -> list:
    """nbgrader's autograde pipeline (``Autograde.autograde_preprocessors``) with its
    ``Execute`` step replaced by ``execute``: one list for the plain and the defended paths."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern,
                                        LimitOutput, SaveAutoGrades)

    return [execute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
            SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]


def _pooled_plain_config(config) -> None:
    """Plain nbgrader execution, but taking pre-started kernels from the worker's pool."""
    config.Autograde.autograde_preprocessors = _autograde_preprocessors(kernels.PooledExecute)


def _defended_config(config, work: Path, course_root: Path, name: str, timeout: int,
                     limits: dict | None, deny_read: list[str]) -> dict:
    """Switch an autograde config to the sandbox kernel and isolated tests; returns the
    environment the kernel needs."""
    import nbformat

    from .isolation import IsolatedExecute
    from .sandbox import ENV_VAR, KERNEL_NAME, write_kernelspec

    source = course_root / "source" / name / f"{name}.ipynb"
    src_nb = nbformat.read(str(source), as_version=4)
    code_cells = sum(1 for c in src_nb.cells if c.cell_type == "code")
    config.Autograde.autograde_preprocessors = _autograde_preprocessors(IsolatedExecute)
    config.IsolatedExecute.source_notebook = str(source)
    config.IsolatedExecute.report_path = str(work / "integrity.json")
    config.Execute.kernel_name = KERNEL_NAME
    config.OverwriteCells.add_missing_cells = True
    data_dir = work / "jupyter-data"
    write_kernelspec(str(data_dir))
    sandbox = {"memory_mb": 4096, "cpu_seconds": 60 + 2 * code_cells * (timeout or 30),
               "fsize_mb": 64, "nofile": 512, "nproc": None,
               "deny_read": [str(course_root), str(work.parent), *deny_read],
               "preload": _imported_modules(src_nb)}
    sandbox.update(limits or {})
    path = os.pathsep.join(filter(None, [str(data_dir), os.environ.get("JUPYTER_PATH")]))
    return {"JUPYTER_PATH": path, ENV_VAR: json.dumps(sandbox)}


@dataclass
class _Staged:
    """A private course copy holding one submission, ready for nbgrader (see `_stage`)."""

    work: Path            # the throw-away course directory
    edited: list          # grade_ids of locked cells the student changed ("x (deleted)")
    repaired: list        # what `RepairMetadata` repaired (defended path only)


def _stage(work: Path, course_root: Path, name: str, student: str, nb, *,
           isolation: bool) -> _Staged:
    """Stage a submission in the private course ``work``: a copy of the gradebook, the
    source and release folders linked, the notebook written where nbgrader looks for it.

    The edited locked cells are found on the notebook as submitted; then, on the defended
    path, `autograder.repair.RepairMetadata` puts the released nbgrader metadata back
    (here and not in nbgrader's sanitize step: that module says why).
    """
    import nbformat

    from .gradebook import released_versions
    from .repair import RepairMetadata

    shutil.copyfile(course_root / "gradebook.db", work / "gradebook.db")
    for step in ("source", "release"):
        os.symlink(course_root / step, work / step)
    dest = work / "submitted" / student / name / f"{name}.ipynb"
    dest.parent.mkdir(parents=True)
    released = course_root / "release" / name / f"{name}.ipynb"
    versions = released_versions(course_root, name)
    edited = _edited_cells(nb, released, versions)
    as_given = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                if isinstance(c.get("metadata", {}).get("nbgrader"), dict)
                and c.metadata["nbgrader"].get("grade_id")
                and c.metadata["nbgrader"].get("locked")} - set(edited)
    repaired = []
    if isolation:
        repair = RepairMetadata(released_path=str(released), versions=versions,
                                as_given=sorted(as_given))
        nb, _ = repair.preprocess(nb, {})
        repaired = repair.repaired
    nbformat.write(nb, str(dest))
    return _Staged(work, edited, repaired)


def _run_autograde(result: Result, staged: _Staged, course_root: Path, name: str,
                   student: str, *, timeout: int, isolation: bool, limits: dict | None,
                   deny_read: list[str]):
    """Run nbgrader's Autograde on the staged course; returns its config, and keeps its
    log in ``result.log``.

    Defended (``isolation``): the sandbox kernel and isolated tests (`_defended_config`).
    Plain: the worker's pooled kernels when enabled. nbgrader's failures are left in the log (read by
    `_failure_reason`). Afterwards the kernel for this worker's next notebook is booted.
    """
    from nbgrader.converters import Autograde, NbGraderException

    work = staged.work
    config = nbgrader_config(work, timeout=timeout)
    config.Autograde.force = True
    env = {}
    if isolation:
        env = _defended_config(config, work, course_root, name, timeout, limits, deny_read)
    elif kernels._state["enabled"]:
        _pooled_plain_config(config)
    with capture_log() as (log, buf), _setenv(env):
        cd = _coursedir(config, name, student)
        cd.log = log
        try:
            Autograde(coursedir=cd, config=config, log=log).start()
        except NbGraderException:
            pass  # the log and the missing output say what happened
        result.log = buf.getvalue()
    # boot the kernel for this worker's next notebook while this one is finished off
    with _setenv(env):
        kernels.prestart(config.Execute.kernel_name if isolation else "python3",
                         course_root / "source" / name, env, work.parent)
    return config


def _integrity_flags(work: Path, isolation: bool) -> list[str]:
    """The isolated test runner's flags (integrity.json), defended path only."""
    report = work / "integrity.json"
    if isolation and report.exists():
        return json.loads(report.read_text()).get("flags", [])
    return []


@dataclass
class _Scores:
    """What the gradebook holds for one graded submission notebook."""

    score: float
    max_score: float | None
    needs_manual: bool
    cells: list  # [{grade_id, score, auto_score, max_score, needs_manual_grade}]


def _read_scores(config, name: str, student: str, graded: Path):
    """(max_score, `_Scores`) from the private gradebook; `_Scores` is None when nbgrader
    gave up (no autograded notebook or no submission record: the submission failed)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(config.CourseDirectory.db_url, config.CourseDirectory.course_id) as gb:
        try:
            sub = gb.find_submission_notebook(name, name, student)
        except MissingEntry:
            sub = None
        max_score = float(sub.max_score) if sub is not None else None
        if not graded.exists() or sub is None:
            return max_score, None
        cells = [{"grade_id": g.name, "score": g.score, "auto_score": g.auto_score,
                  "max_score": g.max_score,
                  "needs_manual_grade": bool(g.needs_manual_grade)} for g in sub.grades]
        return max_score, _Scores(float(sub.score), max_score, bool(sub.needs_manual_grade),
                                  cells)


def _failed_reason(log_text: str, timeout: int, edited: list[str], flags: list[str]) -> str:
    """The reason of a failed submission: why nbgrader gave up, then what to review."""
    reason = _failure_reason(log_text, timeout)
    if edited:
        flags = [f"edited read-only/test cell(s) {', '.join(edited)}", *flags]
    if flags:
        reason += "; flagged for review: " + "; ".join(flags)
    return reason


def _review(graded_nb, titles: dict, cells: list, edited: list[str], flags: list[str], *,
            timeout: int, isolation: bool) -> tuple[list[str], list[str]]:
    """(flags, reasons) of a graded submission, before its outputs are written (the
    feedback page shows the flags); fills in each cell's ``outcome``.

    Edited or deleted locked cells are a flag on the defended path (they were restored or
    re-inserted) and a plain reason without it; cells that timed out are a reason.
    """
    from .gradebook import name_cells

    flags = [name_cells(f, graded_nb, titles) for f in flags]
    outcomes, timed_out = _cell_outcomes(graded_nb, timeout)
    for c in cells:
        c["outcome"] = outcomes.get(c["grade_id"], "")
    reasons = []
    if edited:
        changed = [_titled(e, titles) for e in edited if not e.endswith("(deleted)")]
        deleted = [_titled(e[:-10], titles) for e in edited if e.endswith("(deleted)")]
        parts = []
        if changed:
            parts.append(f"edited read-only/test cell(s) {', '.join(changed)} were "
                         "restored from the gradebook")
        if deleted:
            parts.append(f"deleted test/read-only cell(s) {', '.join(deleted)} "
                         + ("were re-inserted" if isolation else "were not graded"))
        text = "; ".join(parts)
        if isolation:
            flags.insert(0, text)
        else:
            reasons.append(text)
    if timed_out:
        reasons.append(f"timed out after {timeout} s in cell(s) "
                       f"{', '.join(_titled(g, titles) for g in timed_out)}")
    return flags, reasons


def _write_outputs(result: Result, work: Path, out_dir: Path, name: str, student: str, *,
                   timeout: int, feedback: bool, flags: list[str], titles: dict,
                   cells: list) -> list[str]:
    """Copy the autograded notebook to OUT/autograded/<student>/ and render the feedback
    page into OUT/feedback/<student>/ (offline); records their paths and the feedback
    log in ``result``. Returns the problems to add to the reasons."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.converters import GenerateFeedback, NbGraderException
    from nbgrader.preprocessors import GetGrades

    from .feedback import CachedHTMLExporter, HideHiddenTests, PendingManualGrades, make_offline

    problems = []
    graded = work / "autograded" / student / name / f"{name}.ipynb"
    target = out_dir / "autograded" / student / f"{name}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(graded, target)
    result.autograded = str(target)
    if not feedback:
        return problems
    fconfig = nbgrader_config(work, timeout=timeout)
    fconfig.GenerateFeedback.force = True
    fconfig.GenerateFeedback.preprocessors = [
        HideHiddenTests, GetGrades, PendingManualGrades, CSSHTMLHeaderPreprocessor]
    fconfig.HideHiddenTests.flags = flags
    fconfig.PendingManualGrades.pending = [
        [c["grade_id"], titles.get(c["grade_id"], c["grade_id"]), float(c["max_score"])]
        for c in cells if c.get("auto_score") is None]
    fconfig.GenerateFeedback.exporter_class = CachedHTMLExporter
    with capture_log() as (flog, fbuf):
        cd = _coursedir(fconfig, name, student)
        cd.log = flog
        try:
            GenerateFeedback(coursedir=cd, config=fconfig, log=flog).start()
        except NbGraderException:
            problems.append("feedback page could not be generated")
        result.log += fbuf.getvalue()
    html = work / "feedback" / student / name / f"{name}.html"
    if html.exists():
        target = out_dir / "feedback" / student / f"{name}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(html, target)
        make_offline(target)
        result.feedback = str(target)
    return problems


def _verdict(flags: list[str], reasons: list[str], graded_nb, titles: dict):
    """(status, reason) of a graded submission: flagged if anything was flagged; the
    reasons joined, flags last, cell references named by exercise."""
    from .gradebook import name_cells

    if flags:
        reasons = [*reasons, "flagged for review: " + "; ".join(flags)]
    reasons = [name_cells(r, graded_nb, titles) for r in reasons]
    return (Status.FLAGGED if flags else Status.GRADED), "; ".join(reasons)


def grade_one(course_root: str | Path, name: str, student: str, submission: str | Path,
              out_dir: str | Path | None = None, *, timeout: int = 30, feedback: bool = True,
              scratch: str | Path | None = None, keep: bool = False, isolation: bool = True,
              limits: dict | None = None, deny_read: list[str] | None = None) -> Result:
    """Grade one student's notebook in a private copy of the course.

    Args:
        course_root: a course built by `Course.build` (holds gradebook.db, source/, release/).
        name: the assignment/notebook name.
        student: the student id (folder name).
        submission: the student's .ipynb.
        out_dir: where to copy feedback/<student>/<name>.html and
            autograded/<student>/<name>.ipynb (None: nothing is copied).
        timeout: seconds per cell.
        feedback: also render the feedback page.
        scratch: parent directory of the private course (None: the system temp dir).
        keep: keep the private course directory (debugging).
        isolation: run the defended pipeline (sandbox kernel, test cells in a separate
            process, integrity flags); False runs plain nbgrader.
        limits: overrides of the sandbox limits (memory_mb, cpu_seconds, fsize_mb, nofile,
            nproc).
        deny_read: extra paths the student's code may not read (e.g. the source notebooks).

    Returns:
        A `Result`; problems with the submission are reported in it, never raised.
    """
    import warnings

    import nbformat
    from sqlalchemy.exc import SAWarning

    from .gradebook import exercise_titles

    # nbgrader's gradebook emits "not in session" SAWarnings per student (jupyter/nbgrader
    # api.py:2229); they are noise for the grader's user
    warnings.filterwarnings("ignore", category=SAWarning)

    start = time.monotonic()
    course_root = Path(course_root)
    submission = Path(submission)
    result = Result(student, name, None, None, Status.ERROR)

    def done(**kw) -> Result:
        for k, v in kw.items():
            setattr(result, k, v)
        result.seconds = round(time.monotonic() - start, 2)
        return result

    nb, problem = _read_submission(submission)
    if nb is None:
        return done(status=Status.INVALID, reason=problem)

    work = Path(tempfile.mkdtemp(prefix=f"grade-{student}-", dir=scratch))
    try:
        staged = _stage(work, course_root, name, student, nb, isolation=isolation)
        config = _run_autograde(
            result, staged, course_root, name, student, timeout=timeout, isolation=isolation,
            limits=limits, deny_read=list(deny_read or []) + [str(submission.parent.parent)])
        flags = staged.repaired + _integrity_flags(work, isolation)

        graded = work / "autograded" / student / name / f"{name}.ipynb"
        max_score, scores = _read_scores(config, name, student, graded)
        if scores is None:
            return done(status=Status.FAILED, max_score=max_score,
                        reason=_failed_reason(result.log, timeout, staged.edited, flags))

        graded_nb = nbformat.read(str(graded), as_version=4)
        titles = exercise_titles(nbformat.read(
            str(course_root / "source" / name / f"{name}.ipynb"), as_version=4))
        flags, reasons = _review(graded_nb, titles, scores.cells, staged.edited, flags,
                                 timeout=timeout, isolation=isolation)
        result.cells = scores.cells
        if out_dir is not None:
            reasons += _write_outputs(result, work, Path(out_dir), name, student,
                                      timeout=timeout, feedback=feedback, flags=flags,
                                      titles=titles, cells=scores.cells)
        status, reason = _verdict(flags, reasons, graded_nb, titles)
        return done(status=status, score=scores.score, max_score=max_score,
                    needs_manual_grade=scores.needs_manual, reason=reason)
    except Exception:
        return done(status=Status.ERROR, reason="grader error: " +
                    traceback.format_exc(limit=3).strip().splitlines()[-1])
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


@contextlib.contextmanager
def _setenv(env: dict):
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# --- discovering submissions -----------------------------------------------------------

@dataclass
class Task:
    student: str
    notebook: str
    path: str
    deadline: float  # seconds this task may take before its worker is killed


def discover(submissions: str | Path, names: Iterable[str]):
    """Split SUBMISSIONS/<student>/<name>.ipynb into tasks and immediate results.

    Returns:
        (list of (student, name, path) to grade, list of `Result` for missing notebooks,
        list of warnings about entries that are not student folders).
    """
    submissions = Path(submissions)
    names = list(names)
    todo, missing, warnings = [], [], []
    for entry in sorted(submissions.iterdir()):
        if entry.name.startswith("."):
            continue
        if not entry.is_dir():
            warnings.append(f"ignoring {entry.name}: not a student folder")
            continue
        present = sorted(p.name for p in entry.iterdir() if p.suffix == ".ipynb")
        for name in names:
            path = entry / f"{name}.ipynb"
            if path.is_file():
                todo.append((entry.name, name, path))
            else:
                others = [p for p in present if p[:-6] not in names]
                hint = f" (found {', '.join(others)}: wrong file name?)" if others else ""
                missing.append(Result(entry.name, name, 0.0, None, Status.MISSING,
                                      f"no {name}.ipynb submitted{hint}"))
    return todo, missing, warnings


def _plan(found, names, students, staging: Path):
    """Tasks and "missing" results from an `ingest` answer; files are copied into
    `staging`/<student>/<name>.ipynb (the kernel is denied reading the original folder)."""
    everyone = found.student_ids
    if students is not None:
        wanted = list(dict.fromkeys(students))
        unknown = [s for s in wanted if s not in everyone]
        if unknown:
            raise AutograderError(f"no submission from {', '.join(unknown)} "
                                  f"(students found: {', '.join(everyone[:10]) or 'none'})")
        everyone = wanted
    todo, missing = [], []
    for student in everyone:
        for name in names:
            path = found.files.get((student, name))
            if path is not None:
                dest = staging / "submissions" / student / f"{name}.ipynb"
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest)
                todo.append((student, name, dest))
                continue
            others = [f for f in found.empty.get(student, []) if f[:-6] not in names]
            hint = f" (found {', '.join(others)}: wrong file name?)" if others else ""
            missing.append(Result(student, name, 0.0, None, Status.MISSING,
                                  f"no {name}.ipynb submitted{hint}"))
    return todo, missing, found.warnings


# --- the worker pool ---------------------------------------------------------------------

def _worker_main(conn, env: dict, log_path: str) -> None:
    os.environ.update(env)
    # Kernels inherit the worker's stdout/stderr: send them (and student code writing to
    # fd 1/2 directly) to a log file instead of the instructor's terminal.
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    kernels.enable()
    # The parent handles Ctrl-C; a worker just stops when the parent kills it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            kernels.discard()
            return
        if task is None:
            kernels.discard()
            return
        try:
            res = grade_one(**task)
        except BaseException:  # never let one submission take the worker down
            res = Result(task["student"], task["name"], None, None, Status.ERROR,
                         "grader error: " + traceback.format_exc(limit=3).strip()
                         .splitlines()[-1])
        conn.send(asdict(res))


def _descendants(pid: int) -> list[int]:
    """PIDs of all descendants of `pid` (Linux /proc; empty elsewhere)."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for e in entries:
        if not e.isdigit():
            continue
        try:
            with open(f"/proc/{e}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(e))
    out, stack = [], [pid]
    while stack:
        for c in children.get(stack.pop(), []):
            out.append(c)
            stack.append(c)
    return out


def _kill_tree(pid: int) -> None:
    for p in [*_descendants(pid), pid]:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


class _Worker:
    def __init__(self, ctx, env):
        self.conn, child = ctx.Pipe()
        log_path = os.path.join(env["JUPYTER_RUNTIME_DIR"], "..", "workers.log")
        self.proc = ctx.Process(target=_worker_main, args=(child, env, log_path), daemon=True)
        self.proc.start()
        child.close()
        self.task: Task | None = None
        self.started = 0.0

    def send(self, task: Task, payload: dict) -> None:
        self.task, self.started = task, time.monotonic()
        self.conn.send(payload)

    def kill(self) -> None:
        _kill_tree(self.proc.pid)
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.proc.join(10)
        if self.proc.is_alive():
            self.kill()


def _deadline(course: Course, name: str, timeout: int) -> float:
    import nbformat

    nb = nbformat.read(str(course.source_path(name)), as_version=4)
    code_cells = sum(1 for c in nb.cells if c.cell_type == "code")
    # each cell: its timeout + interrupt + IOPub timeout; plus kernel start and feedback
    return 120.0 + code_cells * (timeout + 15.0)


def grade(submissions: str | Path, sources: Iterable[str | Path], out_dir: str | Path, *,
          jobs: int | None = None, timeout: int = 30, notebooks: Iterable[str] | None = None,
          feedback: bool = True, course_dir: str | Path | None = None,
          progress: Callable[[int, int, Result], None] | None = None,
          isolation: bool = True, limits: dict | None = None,
          students: Iterable[str] | None = None, roster: str | Path | None = None,
          scheduler: str | None = None) -> list[Result]:
    """Grade every SUBMISSIONS/<student>/<notebook>.ipynb in parallel.

    Args:
        submissions: folder of student folders.
        sources: the instructor notebooks the submissions answer.
        out_dir: receives grades.csv, feedback/ and autograded/.
        jobs: worker processes (None: os.cpu_count()).
        timeout: seconds per cell.
        notebooks: names to grade (None: every source notebook that at least one student
            submitted, or all of them if nobody did).
        feedback: render feedback pages.
        course_dir: keep the master nbgrader course there (None: temporary).
        progress: called as progress(done, total, result) after each submission.
        isolation: the defended pipeline (see `grade_one`); False: plain nbgrader.
        limits: sandbox limit overrides (see `grade_one`).
        students: grade only these students (None: every student in SUBMISSIONS).
        roster: a CSV of the class (column ``student`` or ``id``) for the exports.
        scheduler: the address of a Dask scheduler (``tcp://host:8786``): each
            submission is graded by `grade_one` on a worker of that cluster instead of the
            local pool (`autograder.cluster`); `jobs` is then unused. Everything else
            (course, gradebook, outputs) stays here.

    Grading is incremental: OUT/results.json keeps every result ever graded, this run's
    results replace those of the same (student, notebook), and OUT/grades.csv is always
    the whole class. With `course_dir`, the results also go into that nbgrader course's
    gradebook (see `autograder.gradebook`) and the exports are written.

    Returns:
        One `Result` per (student, notebook) graded in this run, sorted by student then
        notebook.
    """
    client = None
    if scheduler:  # before any work: an unreachable cluster is an error at once
        from .cluster import connect

        client = connect(scheduler)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = [Path(s) for s in sources]
    course = Course(course_dir, timeout=timeout) if course_dir else Course.temporary(
        timeout=timeout)
    scratch = Path(tempfile.mkdtemp(prefix="autograder-grade-"))
    try:
        names = course.build(sources)
        record_release(course.root, names)
        found = ingest(submissions, names)
        if notebooks is not None:
            wanted = list(notebooks)
            unknown = sorted(set(wanted) - set(names))
            if unknown:
                raise ValueError(f"no source notebook named {unknown}; sources: {names}")
            names = wanted
        else:
            submitted = {n for _, n in found.files}
            names = [n for n in names if n in submitted] or names
        todo, results, warnings = _plan(found, names, students, scratch)
        max_scores = {n: course.max_score(n) for n in names}
        for r in results:
            r.max_score = max_scores[r.notebook]
        for w in warnings:
            print(f"autograder: {w}", file=sys.stderr)
        total = len(todo) + len(results)
        finished = 0
        for r in results:
            finished += 1
            if progress:
                progress(finished, total, r)

        deadlines = {n: _deadline(course, n, timeout) for n in names}
        tasks = [Task(s, n, str(p), deadlines[n]) for s, n, p in todo]
        jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks) or 1))

        def payload(t: Task) -> dict:
            return dict(course_root=str(course.root), name=t.notebook, student=t.student,
                        submission=t.path, out_dir=str(out_dir), timeout=timeout,
                        feedback=feedback, scratch=str(scratch), isolation=isolation,
                        limits=limits,
                        deny_read=sorted({str(p.resolve().parent) for p in sources}
                                         | {str(Path(submissions).resolve())}))

        if scheduler:
            from .cluster import run_on_cluster

            finished_results = run_on_cluster(client, tasks, payload, course.root, out_dir)
        else:
            finished_results = _run_pool(tasks, payload, jobs, scratch)
        for r in finished_results:
            if r.max_score is None:
                r.max_score = max_scores[r.notebook]
            results.append(r)
            finished += 1
            if progress:
                progress(finished, total, r)
        results.sort(key=lambda r: (r.student, r.notebook))
        record = ClassRecord(out_dir)
        record.merge(results)
        record.save()
        if course_dir:
            sync_course(course.root, results, {k: str(v) for k, v in found.files.items()},
                        found.students)
            from .exports import write_exports

            write_exports(out_dir, course.root, record.results(), roster=roster,
                          students=found.students)
        return results
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if not course_dir:
            course.cleanup()
        if client is not None:
            client.close()


def _run_pool(tasks: list[Task], payload, jobs: int, scratch: Path):
    pool = LocalPool(jobs, scratch)
    try:
        yield from pool.run(tasks, payload)
    finally:
        pool.close()


class LocalPool:
    """`jobs` long-lived worker processes on this machine, each grading one submission at
    a time with `grade_one`, and the watchdog: a worker that dies or outlives its task's
    deadline is killed and replaced, and its task becomes a ``failed`` result.

    `autograder grade` runs one for the whole class; each Dask worker of
    `autograder.cluster` keeps one (of one process) for the submissions it is sent.
    `ctx`: the multiprocessing start method (default fork where there is one; a
    multi-threaded host process such as a Dask worker must use ``spawn``).
    """

    def __init__(self, jobs: int, scratch: str | Path, ctx: str | None = None):
        methods = multiprocessing.get_all_start_methods()
        self.ctx = multiprocessing.get_context(ctx or ("fork" if "fork" in methods
                                                       else "spawn"))
        scratch = Path(scratch)
        runtime = scratch / "jupyter-runtime"
        runtime.mkdir(parents=True, exist_ok=True)
        self.env = {
            # kernels must not read the grader's IPython profile (startup files!) nor write
            # connection files into the user's runtime dir
            "JUPYTER_RUNTIME_DIR": str(runtime),
            "IPYTHONDIR": str(scratch / "ipython"),
            "MPLBACKEND": "agg",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
        self.jobs = jobs
        self.workers: list[_Worker] = []

    def run(self, tasks: list[Task], payload):
        """Grade `tasks` (payload(task) -> the keyword arguments of `grade_one`); yields
        one `Result` per task, in the order they finish."""
        ctx, env = self.ctx, self.env
        queue = list(reversed(tasks))
        workers = self.workers
        while len(workers) < min(self.jobs, max(1, len(tasks))):
            workers.append(_Worker(ctx, env))
        try:
            while queue or any(w.task for w in workers):
                for i, w in enumerate(workers):
                    if w.task is None and queue:
                        if not w.proc.is_alive():
                            workers[i] = w = _Worker(ctx, env)
                        t = queue.pop()
                        w.send(t, payload(t))
                busy = [w for w in workers if w.task]
                ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy],
                             timeout=1.0)
                now = time.monotonic()
                for i, w in enumerate(workers):
                    if w.task is None:
                        continue
                    t = w.task
                    if w.conn in ready:
                        try:
                            data = w.conn.recv()
                        except (EOFError, OSError):
                            data = None
                        if data is not None:
                            w.task = None
                            yield Result(**data)
                            continue
                    if not w.proc.is_alive() or w.conn.closed:
                        code = w.proc.exitcode
                        w.kill()
                        workers[i] = _Worker(ctx, env)
                        yield Result(t.student, t.notebook, None, None, Status.FAILED,
                                     f"the grading process died (exit code {code}) while "
                                     "grading this notebook")
                    elif now - w.started > t.deadline:
                        w.kill()
                        workers[i] = _Worker(ctx, env)
                        yield Result(t.student, t.notebook, None, None, Status.FAILED,
                                     f"grading took longer than {t.deadline:.0f} s and was "
                                     "stopped (a hang no cell timeout could interrupt)",
                                     seconds=round(now - w.started, 2))
        finally:
            # interrupted (Ctrl-C, a closed generator): a worker still busy is killed
            # (and replaced on the next run)
            for w in workers:
                if w.task is not None:
                    w.kill()
                    w.task = None

    def close(self) -> None:
        for w in self.workers:
            if w.task is None and w.proc.is_alive():
                w.stop()
            else:
                w.kill()
        self.workers.clear()


def write_csv(results: Iterable[Result], path: str | Path) -> Path:
    """Write grades.csv: one row per (student, notebook) with status and reason."""
    path = Path(path)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for r in results:
            writer.writerow(r.row())
    return path
