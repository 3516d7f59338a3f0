"""Gradescope: the autograder zip (`autograder gradescope`) and its results.json.

Gradescope's autograder specification: the instructor uploads a zip holding ``setup.sh``
and ``run_autograder``; Gradescope unpacks it into ``/autograder/source``, runs
``setup.sh`` once while building the grading image, and for each submission runs
``/autograder/run_autograder`` with the student's files in ``/autograder/submission``;
the script writes ``/autograder/results/results.json``::

    {"score": 6.0, "execution_time": 12, "output": "...", "visibility": "visible",
     "stdout_visibility": "hidden",
     "tests": [{"name": "chain: Exercise 2", "score": 0.0, "max_score": 3.0,
                "status": "failed", "output": "chain_tests: AssertionError",
                "visibility": "after_published"}, ...]}

The zip built here::

    setup.sh            python3 -m venv ROOT/venv; pip install --no-index from wheels/
    run_autograder      ROOT/venv/bin/python -m autograder.gradescope run
    autograder.json     the notebooks graded, the per-cell timeout, the wheels' Python
    notebooks/*.ipynb   the instructor sources (solutions and hidden tests: the zip is
                        for Gradescope only, never for students)
    requirements.txt    every package of wheels/, pinned (name==version): the lock
    wheels/             this project's wheel and every wheel the course needs, for the
                        Python of the image (setup.sh installs offline from here)

ROOT is ``$AUTOGRADER_ROOT`` (default ``/autograder``), so the scripts can be tried in a
folder laid out like the image. `run` grades with `autograder.grading.grade` and copies
the class export (`autograder.exports`) of the one student: what Gradescope shows is what
`autograder grade` gives.

Test visibility: an exercise with hidden tests is ``after_published`` (its score and the
names of the errors its tests raised appear when the instructor publishes grades); one
whose tests are all visible is ``visible``. Outputs name the test cells and the error
raised, never a test's source.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from .errors import AutograderError
from .status import SCORED

__all__ = ["results_json", "build_zip", "run"]

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
PROJECT = Path(__file__).resolve().parent.parent


# --- results.json -----------------------------------------------------------------------

def hidden_test_cells(course_root: str | Path | None) -> dict[str, set[str]]:
    """notebook -> grade_ids of the test cells holding hidden tests (from the sources)."""
    import nbformat

    out: dict[str, set[str]] = {}
    if not course_root:
        return out
    for path in sorted((Path(course_root) / "source").glob("*/*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        out[path.stem] = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                          if HIDDEN_BEGIN in c.source
                          and c.get("metadata", {}).get("nbgrader", {}).get("grade_id")}
    return out


def results_json(rows: list[dict], hidden: dict[str, set[str]],
                 execution_time: float | None = None) -> dict:
    """Gradescope's results.json for one student from that student's rows of
    `autograder.exports.class_table` (one per notebook) and `hidden_test_cells`."""
    from .exports import _questions

    tests, notes = [], []
    for r in sorted(rows, key=lambda r: r["notebook"]):
        n = r["notebook"]
        if r["status"] not in SCORED:
            tests.append({"name": n, "score": r["score"] or 0.0,
                          "max_score": r["max_score"] or 0.0, "status": "failed",
                          "output": f"{r['status']}: {r['reason']}", "visibility": "visible"})
            notes.append(f"{n}: {r['status']}: {r['reason']}")
            continue
        if r["reason"]:
            notes.append(f"{n}: {r['status']}: {r['reason']}")
        for title, ids, sc, mx, pending in _questions(r):
            gids = ids.split()
            test = {"name": f"{n}: {title}", "score": sc, "max_score": mx}
            lines = [f"{g}: {'passed' if o == 'ok' else o}" for g in gids
                     if (o := r.get("outcomes", {}).get(g))]
            if pending:
                lines.append(f"{pending:g} point(s) wait for a person (graded by hand)")
            else:
                test["status"] = "passed" if sc >= mx else "failed"
            if lines:
                test["output"] = "\n".join(lines)
            test["visibility"] = ("after_published" if set(gids) & hidden.get(n, set())
                                  else "visible")
            tests.append(test)
    pending = sum(r["pending"] for r in rows)
    if pending:
        notes.append(f"{pending:g} point(s) wait for a person; the score is not final")
    body = {"score": sum(r["score"] or 0.0 for r in rows), "tests": tests,
            "visibility": "visible", "stdout_visibility": "hidden"}
    if notes:
        body["output"] = "\n".join(notes)
    if execution_time is not None:
        body["execution_time"] = int(round(execution_time))
    return body


# --- the zip ------------------------------------------------------------------------------

SETUP_SH = r'''#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the grading image (written by
# `autograder gradescope`). Offline: everything installs from wheels/ of this zip.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SRC="$ROOT/source"
PY="${AUTOGRADER_PYTHON:-python3}"
want="$(cat "$SRC/python-version")"
have="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [ "$want" != "$have" ]; then
  echo "setup.sh: the wheels in this zip are for Python $want but $PY is Python $have:" \
       "choose a Gradescope base image with Python $want, or rebuild the zip with" \
       "autograder gradescope --python $have" >&2
  exit 1
fi
if ! "$PY" -c 'import ensurepip' 2>/dev/null && command -v apt-get >/dev/null; then
  apt-get update -q && apt-get install -y -q "python$want-venv"
fi
"$PY" -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install --quiet --no-index --find-links "$SRC/wheels" \
  -r "$SRC/requirements.txt"
"$ROOT/venv/bin/python" -c 'import autograder.gradescope, nbgrader' && echo "setup.sh: ready"
'''

RUN_AUTOGRADER = r'''#!/usr/bin/env bash
# Gradescope runs this for each submission (written by `autograder gradescope`).
ROOT="${AUTOGRADER_ROOT:-/autograder}"
exec "$ROOT/venv/bin/python" -m autograder.gradescope run --root "$ROOT"
'''


def _pip(*args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True)
    if proc.returncode:
        raise AutograderError(f"pip {' '.join(args[:2])} failed:\n{proc.stderr[-2000:]}")


def _wheel_pins(wheels: Path) -> list[str]:
    """name==version of every wheel in `wheels` (file names per the wheel spec)."""
    pins = []
    for w in sorted(wheels.glob("*.whl")):
        name, version = w.name.split("-")[:2]
        pins.append(f"{name.replace('_', '-').lower()}=={version}")
    if any(not w.name.endswith(".whl") for w in wheels.iterdir()):
        raise AutograderError(f"{wheels} holds files that are not wheels (a package with no "
                              "wheel for that Python?): " + ", ".join(
                                  w.name for w in wheels.iterdir() if not w.name.endswith(".whl")))
    return pins


def build_zip(sources, dest: str | Path, *, timeout: int = 30, python: str | None = None,
              wheelhouse: str | Path | None = None, jobs: int | None = None) -> dict:
    """Write Gradescope's autograder zip for the instructor notebooks `sources`.

    Args:
        sources: instructor notebooks (validated, and built once, here).
        dest: the zip to write.
        timeout: seconds per cell when grading.
        python: the image's Python as "X.Y" (default: this interpreter's). Another version
            downloads manylinux wheels for it (x86_64, CPython).
        wheelhouse: take the course's wheels from this folder (offline; e.g. made before
            with ``pip download``) instead of the package index.
        jobs: grading processes in the image (default: its CPU count).

    Returns:
        {"zip": path, "wheels": number of wheels, "bytes": size of the zip}.
    """
    from .course import Course

    sources = [Path(s) for s in sources]
    if not (PROJECT / "pyproject.toml").is_file():
        raise AutograderError(f"{PROJECT} is not a source checkout of layerlab (no "
                              "pyproject.toml): the zip carries a wheel built from it")
    course = Course.temporary(timeout=timeout)
    try:
        names = course.build(sources)  # authoring mistakes are found here, not on Gradescope
    finally:
        course.cleanup()
    here = "%d.%d" % sys.version_info[:2]
    python = python or here
    work = Path(tempfile.mkdtemp(prefix="autograder-gradescope-"))
    try:
        wheels = work / "wheels"
        wheels.mkdir()
        # built from a copy: setuptools writes build/ and *.egg-info next to the sources
        tree = work / "project"
        tree.mkdir()
        for part in ("pyproject.toml", "README.md"):
            shutil.copyfile(PROJECT / part, tree / part)
        for pkg in ("layerlab", "autograder"):
            shutil.copytree(PROJECT / pkg, tree / pkg,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        _pip("wheel", "--quiet", "--no-deps", "-w", str(wheels), str(tree))
        [own] = wheels.glob("layerlab-*.whl")
        target = []
        if python != here:
            target = ["--only-binary=:all:", "--python-version", python,
                      "--implementation", "cp", "--platform", "manylinux2014_x86_64",
                      "--platform", "manylinux_2_17_x86_64", "--platform", "linux_x86_64"]
        index = ["--no-index", "--find-links", str(wheelhouse)] if wheelhouse else []
        _pip("download", "--quiet", "-d", str(wheels), *index, *target,
             f"layerlab[course] @ {own.as_uri()}")
        # sdists a package index offered are built into wheels here (same Python only)
        for sdist in [p for p in wheels.iterdir() if not p.name.endswith(".whl")]:
            if python != here:
                break
            _pip("wheel", "--quiet", "--no-deps", "-w", str(wheels), str(sdist))
            sdist.unlink()
        pins = _wheel_pins(wheels)
        config = {"notebooks": names, "timeout": timeout, "jobs": jobs, "python": python}
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
            for name, text, mode in (("setup.sh", SETUP_SH, 0o755),
                                     ("run_autograder", RUN_AUTOGRADER, 0o755),
                                     ("autograder.json", json.dumps(config, indent=1), 0o644),
                                     ("python-version", python + "\n", 0o644),
                                     ("requirements.txt", "\n".join(pins) + "\n", 0o644)):
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, text)
            for src, name in zip(sources, names):
                z.write(src, f"notebooks/{name}.ipynb")
            for w in sorted(wheels.glob("*.whl")):
                z.write(w, f"wheels/{w.name}", compress_type=zipfile.ZIP_STORED)
        return {"zip": dest, "wheels": len(pins), "bytes": dest.stat().st_size}
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- in the grading image -----------------------------------------------------------------

def _find(submission: Path, names: list[str]) -> tuple[dict[str, Path], list[str]]:
    """name -> the uploaded <name>.ipynb (anywhere under `submission`), and every notebook
    file uploaded."""
    uploaded = sorted(p for p in submission.rglob("*.ipynb")
                      if ".ipynb_checkpoints" not in p.parts)
    found = {}
    for name in names:
        hits = [p for p in uploaded if p.name == f"{name}.ipynb"]
        if hits:
            found[name] = min(hits, key=lambda p: (len(p.parts), str(p)))
    return found, [str(p.relative_to(submission)) for p in uploaded]


def run(root: str | Path) -> int:
    """Grade ROOT/submission into ROOT/results/results.json (Gradescope's layout)."""
    from .course import ensure_scripts_on_path
    from .exports import class_table
    from .grading import grade

    t0 = time.monotonic()
    root = Path(root)
    src = root / "source"
    results_path = root / "results" / "results.json"
    results_path.parent.mkdir(parents=True, exist_ok=True)
    config = json.loads((src / "autograder.json").read_text())
    names = config["notebooks"]
    sources = [src / "notebooks" / f"{n}.ipynb" for n in names]
    student = "student"
    found, uploaded = _find(root / "submission", names)
    if not found:
        body = {"score": 0.0, "tests": [], "visibility": "visible",
                "output": f"no {', '.join(n + '.ipynb' for n in names)} in the submission "
                          f"(it holds {', '.join(uploaded) or 'no notebook'}): upload the "
                          "notebook with its original file name",
                "execution_time": int(round(time.monotonic() - t0))}
        results_path.write_text(json.dumps(body, indent=1))
        return 0
    ensure_scripts_on_path()
    work = Path(tempfile.mkdtemp(prefix="gradescope-"))
    try:
        os.environ.setdefault("JUPYTER_RUNTIME_DIR", str(work / "runtime"))
        os.environ.setdefault("IPYTHONDIR", str(work / "ipython"))
        subs = work / "submissions" / student
        subs.mkdir(parents=True)
        for name, path in found.items():
            shutil.copyfile(path, subs / f"{name}.ipynb")
        out = work / "out"
        results = grade(work / "submissions", sources, out, jobs=config.get("jobs"),
                        timeout=config["timeout"], feedback=False, course_dir=out / "course")
        rows = class_table(out / "course", results)
        body = results_json(rows, hidden_test_cells(out / "course"),
                            execution_time=time.monotonic() - t0)
        results_path.write_text(json.dumps(body, indent=1))
        return 0
    except Exception as exc:  # the student sees this instead of a blank Gradescope error
        body = {"score": 0.0, "tests": [], "visibility": "visible",
                "output": f"the autograder itself failed ({type(exc).__name__}: {exc}); "
                          "this is not your fault: tell your instructor",
                "execution_time": int(round(time.monotonic() - t0))}
        results_path.write_text(json.dumps(body, indent=1))
        print(f"autograder gradescope run: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv=None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m autograder.gradescope")
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="grade ROOT/submission (inside Gradescope's image)")
    r.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    args = ap.parse_args(argv)
    return run(args.root)


if __name__ == "__main__":
    sys.exit(main())
