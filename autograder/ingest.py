"""Find the submissions in a folder, whatever layout it came in.

Three layouts are recognised (they may not be mixed in one folder):

``autograder``  SUBMISSIONS/<student>/<notebook>.ipynb
``nbgrader``    SUBMISSIONS/[submitted/]<student>/<assignment>/<notebook>.ipynb
``canvas``      one flat folder from Canvas's "Download Submissions":
                ``<login>[_LATE]_<user id>_<submission id>_<file name>``, e.g.
                ``smithalice_12345_67890_01-layer-architecture.ipynb``; Canvas appends
                ``-1``, ``-2`` to re-submitted file names. The student is the login.

`ingest()` returns the submissions found, plus what Canvas said about each student (its
numeric user id, kept for the Canvas grade upload). A folder with none of these is an
`IngestError` naming what was found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import AutograderError

__all__ = ["Ingested", "IngestError", "ingest"]


class IngestError(AutograderError):
    """No recognisable submission in a folder."""


@dataclass
class Ingested:
    layout: str
    #: (student, notebook) -> path of the submitted file
    files: dict = field(default_factory=dict)
    #: student folders with no notebook of a known name: student -> names of files found
    empty: dict = field(default_factory=dict)
    #: student -> nbgrader Student fields (lms_user_id from Canvas)
    students: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    @property
    def student_ids(self) -> list[str]:
        return sorted({s for s, _ in self.files} | set(self.empty))


_CANVAS = re.compile(r"^(?P<login>[^_]+?)(?:_LATE)?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<file>.+)$")
_RESUBMIT = re.compile(r"-\d+$")


def _canvas_notebook(file: str, names: list[str]) -> str | None:
    stem = file[:-6] if file.endswith(".ipynb") else None
    if stem is None:
        return None
    for cand in (stem, _RESUBMIT.sub("", stem)):
        if cand in names:
            return cand
    return None


def ingest(folder: str | Path, names: list[str]) -> Ingested:
    """The submissions of notebooks `names` in `folder` (see the module docstring)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise IngestError(f"{folder} is not a folder")
    names = list(names)
    entries = [e for e in sorted(folder.iterdir()) if not e.name.startswith(".")]
    if (folder / "submitted").is_dir():
        return _nbgrader(folder / "submitted", names)
    flat = [e for e in entries if e.is_file() and e.suffix == ".ipynb"]
    dirs = [e for e in entries if e.is_dir()]
    if flat and any(_CANVAS.match(e.name) for e in flat):
        return _canvas(folder, flat, names, dirs)
    if dirs and any(d.is_dir() and (d / n).is_dir() for d in dirs for n in names) and not any(
            (d / f"{n}.ipynb").is_file() for d in dirs for n in names):
        return _nbgrader(folder, names)
    found = _autograder(folder, entries, names)
    if not found.files:
        sample = ", ".join(e.name + ("/" if e.is_dir() else "") for e in entries[:6]) or "nothing"
        raise IngestError(
            f"no submission of {', '.join(n + '.ipynb' for n in names)} found in {folder} "
            f"(it holds {sample}). Expected <student>/<notebook>.ipynb, nbgrader's "
            f"submitted/<student>/<assignment>/<notebook>.ipynb, or a Canvas download "
            f"(<login>_<id>_<id>_<notebook>.ipynb)")
    return found


def _autograder(folder: Path, entries, names) -> Ingested:
    out = Ingested("autograder")
    for entry in entries:
        if not entry.is_dir():
            out.warnings.append(f"ignoring {entry.name}: not a student folder")
            continue
        present = sorted(p.name for p in entry.iterdir() if p.suffix == ".ipynb")
        hit = False
        for name in names:
            path = entry / f"{name}.ipynb"
            if path.is_file():
                out.files[(entry.name, name)] = path
                hit = True
        if not hit:
            out.empty[entry.name] = present
    return out


def _nbgrader(folder: Path, names) -> Ingested:
    out = Ingested("nbgrader")
    for student in sorted(p for p in folder.iterdir() if p.is_dir()):
        hit = False
        for name in names:
            path = student / name / f"{name}.ipynb"
            if path.is_file():
                out.files[(student.name, name)] = path
                hit = True
        if not hit:
            out.empty[student.name] = sorted(str(p.relative_to(student))
                                             for p in student.glob("*/*.ipynb"))
    if not out.files:
        raise IngestError(f"{folder}: nbgrader layout, but no "
                          f"<student>/<assignment>/<notebook>.ipynb for {', '.join(names)}")
    return out


def _canvas(folder: Path, flat, names, dirs) -> Ingested:
    out = Ingested("canvas")
    if dirs:
        out.warnings.append(f"ignoring {len(dirs)} sub-folder(s) of a Canvas download")
    best: dict = {}
    for path in flat:
        m = _CANVAS.match(path.name)
        if not m:
            out.warnings.append(f"ignoring {path.name}: not a Canvas submission file name")
            continue
        login, uid = m.group("login"), m.group("uid")
        out.students.setdefault(login, {"lms_user_id": uid})
        name = _canvas_notebook(m.group("file"), names)
        if name is None:
            out.empty.setdefault(login, []).append(m.group("file"))
            continue
        # several files for one notebook: the latest submission id wins
        sid = int(m.group("sid"))
        key = (login, name)
        if key not in best or (sid, path.name) > best[key][0]:
            best[key] = ((sid, path.name), path)
    for key, (_, path) in best.items():
        out.files[key] = path
        out.empty.pop(key[0], None)
    if not out.files:
        raise IngestError(f"{folder}: a Canvas download, but no file is a submission of "
                          f"{', '.join(n + '.ipynb' for n in names)}")
    return out
