"""The nbgrader course directory, handled for the user.

nbgrader wants a course directory laid out as ``{step}/{student}/{assignment}/{notebook}``
plus a gradebook. The course here keeps one assignment per source notebook, named after
the notebook (``notebooks/01-layer-architecture.ipynb`` is assignment and notebook
``01-layer-architecture``)::

    <root>/
      gradebook.db                       cells, checksums and points of every assignment
      source/<name>/<name>.ipynb         copy of the instructor's notebook (never edited)
      release/<name>/<name>.ipynb        student version, made by generate_assignment

`Course.build(sources)` validates the sources (naming the cell of any mistake), copies
them in and runs nbgrader's GenerateAssignment converter in this process. Nothing reads
the user's Jupyter or nbgrader config files: the configuration is built here.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from traitlets.config import Config

from .authoring import validate_source
from .errors import AuthoringError, ReleaseError

__all__ = ["Course", "nbgrader_config", "capture_log", "assignment_name", "release"]

COURSE_ID = "layerlab"


def ensure_scripts_on_path() -> None:
    """Put this interpreter's scripts directory on PATH.

    nbgrader's Gradebook runs the ``alembic`` console script when it creates a database;
    when Python is started as ``.venv/bin/python`` without activating the venv, that
    script is not on PATH and every new gradebook fails with FileNotFoundError.
    """
    scripts = str(Path(sys.executable).parent)
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if scripts not in parts:
        os.environ["PATH"] = os.pathsep.join([scripts, *filter(None, parts)])


_ALEMBIC_HEAD: list = []


def _alembic_head() -> str:
    """nbgrader's gradebook schema revision, computed in this process.

    nbgrader's `get_alembic_version` runs ``alembic heads`` in a subprocess each time it
    creates a gradebook (about a second: a new interpreter importing alembic). The answer
    is a constant of the installed nbgrader, read here from its migration scripts.
    """
    if not _ALEMBIC_HEAD:
        import nbgrader
        from alembic.config import Config as AlembicConfig
        from alembic.script import ScriptDirectory

        cfg = AlembicConfig()
        cfg.set_main_option("script_location",
                            os.path.join(os.path.dirname(nbgrader.__file__), "alembic"))
        _ALEMBIC_HEAD.append(ScriptDirectory.from_config(cfg).get_current_head())
    return _ALEMBIC_HEAD[0]


def _speed_up_nbgrader() -> None:
    import nbgrader.api

    nbgrader.api.get_alembic_version = _alembic_head


def assignment_name(notebook: str | Path) -> str:
    """The assignment (and notebook) id nbgrader uses for a source notebook path."""
    return Path(notebook).stem


def nbgrader_config(root: str | Path, *, timeout: int | None = 30) -> Config:
    """The nbgrader configuration of a course rooted at `root`.

    Args:
        root: the course directory.
        timeout: seconds each cell may run when autograding (None: no limit).
    """
    root = Path(root).resolve()
    c = Config()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
    c.Execute.timeout = timeout
    c.Execute.interrupt_on_timeout = True
    c.Execute.execute_retries = 0
    # the kernel's work is done when the notebook is: kill it instead of waiting for a
    # graceful exit (saves ~0.2 s of idle time per notebook; no effect on results)
    c.Execute.shutdown_kernel = "immediate"
    c.Autograde.create_student = True
    c.NbGrader.logfile = ""
    return c


@contextlib.contextmanager
def capture_log(name: str = "autograder.nbgrader"):
    """A logger whose records are kept in a string: ``with capture_log() as (log, buf)``."""
    logger = logging.getLogger(f"{name}.{id(object())}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    logger.addHandler(handler)
    try:
        yield logger, buf
    finally:
        logger.removeHandler(handler)
        logging.Logger.manager.loggerDict.pop(logger.name, None)


def _coursedir(config: Config, assignment: str = "", student: str = "*"):
    from nbgrader.coursedir import CourseDirectory

    cd = CourseDirectory(config=config)
    cd.assignment_id = assignment
    cd.student_id = student
    cd.notebook_id = "*"
    return cd


class Course:
    """An nbgrader course directory holding one assignment per source notebook."""

    def __init__(self, root: str | Path, *, timeout: int | None = 30):
        ensure_scripts_on_path()
        _speed_up_nbgrader()
        self.root = Path(root).resolve()
        self.timeout = timeout
        self.assignments: dict[str, Path] = {}  # name -> original source path

    @classmethod
    def temporary(cls, **kwargs) -> "Course":
        """A course in a fresh temporary directory (call `cleanup()` when done)."""
        return cls(tempfile.mkdtemp(prefix="autograder-course-"), **kwargs)

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def db_path(self) -> Path:
        return self.root / "gradebook.db"

    def config(self, timeout: int | None = None) -> Config:
        return nbgrader_config(self.root, timeout=self.timeout if timeout is None else timeout)

    def source_path(self, name: str) -> Path:
        return self.root / "source" / name / f"{name}.ipynb"

    def release_path(self, name: str) -> Path:
        return self.root / "release" / name / f"{name}.ipynb"

    def max_score(self, name: str) -> float:
        """Total points of assignment `name` (autograded and manually graded)."""
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.db_path}", COURSE_ID) as gb:
            return float(gb.find_assignment(name).max_score)

    def build(self, sources) -> list[str]:
        """Validate `sources`, copy them into the course and generate student versions.

        Args:
            sources: paths of instructor notebooks (never modified).

        Returns:
            The assignment names, in the order given.

        Raises:
            AuthoringError: a source notebook breaks an nbgrader rule (names the cell).
            ReleaseError: nbgrader failed for another reason (carries its log).
        """
        names = []
        for src in map(Path, sources):
            validate_source(src)
            name = assignment_name(src)
            if "+" in name or name.strip() != name or not name:
                raise AuthoringError(src, "the notebook file name cannot be used as an "
                                          "nbgrader assignment id (no '+' or spaces at the ends)")
            if name in self.assignments and self.assignments[name] != src.resolve():
                raise AuthoringError(src, f"two source notebooks are named {name}.ipynb")
            dest = self.source_path(name)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            self.assignments[name] = src.resolve()
            names.append(name)
        for name in names:
            self._generate(name)
        return names

    def _generate(self, name: str) -> None:
        from nbgrader.converters import GenerateAssignment, NbGraderException

        config = self.config()
        config.GenerateAssignment.force = True
        with capture_log() as (log, buf):
            cd = _coursedir(config, name, ".")
            cd.log = log
            converter = GenerateAssignment(coursedir=cd, config=config, log=log)
            try:
                converter.start()
            except NbGraderException as exc:
                text = buf.getvalue()
                raise ReleaseError(
                    f"nbgrader could not generate the student version of "
                    f"{self.assignments.get(name, name)}: {exc}\n{_tail(text)}") from None
        if not self.release_path(name).exists():
            raise ReleaseError(f"nbgrader produced no student version of {name}:\n"
                               f"{_tail(buf.getvalue())}")


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def release(sources, dest: str | Path = "release", *, course_root: str | Path | None = None,
            ) -> list[Path]:
    """Build the student version of each source notebook into `dest`.

    Args:
        sources: instructor notebooks (e.g. ``notebooks/*.ipynb``); never modified.
        dest: output directory; ``dest/<name>.ipynb`` per source.
        course_root: keep the nbgrader course directory there (None: a temporary one,
            removed afterwards).

    Returns:
        Paths of the student notebooks written.
    """
    course = Course(course_root) if course_root else Course.temporary()
    try:
        names = course.build(sources)
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        out = []
        for name in names:
            target = dest / f"{name}.ipynb"
            shutil.copyfile(course.release_path(name), target)
            _drop_nbval_markers(target)
            os.chmod(target, 0o644)
            out.append(target)
        if course_root:  # nbgrader's own commands (release_assignment...) work in it
            from .gradebook import write_nbgrader_config

            write_nbgrader_config(course.root)
        from .practice import copy_assets

        for folder in dict.fromkeys(Path(s).resolve().parent for s in sources):
            copy_assets(folder, dest)
        return out
    finally:
        if not course_root:
            course.cleanup()


def _drop_nbval_markers(path: Path) -> None:
    """Remove ``# NBVAL_...`` lines (instructor test markers) from cells nbgrader does not
    track (cells without nbgrader metadata carry no checksum, so the release stays valid), and
    the stored widget state nbgrader keeps in the notebook's metadata: it was saved from the
    instructor's run, with the model answers, and can show them (a widget drawing the model
    Dockerfile); the release has no outputs for it anyway."""
    import json
    import re

    marker = re.compile(r"^\s*#\s*NBVAL_[A-Z_]+\s*$")
    nb = json.loads(path.read_text(encoding="utf-8"))
    changed = nb.get("metadata", {}).pop("widgets", None) is not None
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code" or (cell.get("metadata") or {}).get("nbgrader"):
            continue
        src = cell.get("source", "")
        text = "".join(src) if isinstance(src, list) else src
        lines = text.split("\n")
        kept = [ln for ln in lines if not marker.match(ln)]
        if kept != lines:
            cell["source"] = "\n".join(kept)
            changed = True
    if changed:
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
