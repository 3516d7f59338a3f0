"""Each chapter is a valid nbgrader assignment: its solutions pass every test, and the student
version made by `autograder release` passes none of them (checked with `nbgrader validate`)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .nbtools import NOTEBOOKS, ROOT, isolated_jupyter_env

pytest.importorskip("nbgrader")

IDS = [p.stem for p in NOTEBOOKS]


def _validate(path, *extra) -> str:
    with isolated_jupyter_env() as env:
        proc = subprocess.run([sys.executable, "-m", "nbgrader", "validate", *extra, str(path)],
                              cwd=path.parent, env=env, capture_output=True, text=True, timeout=300)
    return proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    from autograder.course import ensure_scripts_on_path, release

    out = tmp_path_factory.mktemp("release")
    with isolated_jupyter_env():
        ensure_scripts_on_path()
        release(NOTEBOOKS, out, course_root=tmp_path_factory.mktemp("course"))
    return out


def _graded_cells(nb):
    return [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_source_passes_nbgrader_validate(path):
    out = _validate(path)
    assert "Success! Your notebook passes all the tests." in out, out[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_release_fails_every_test_and_hides_answers(path, released):
    student = released / path.name
    nb = json.loads(student.read_text())
    text = json.dumps(nb)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text, f"{student.name} still contains {marker!r}"
    assert not any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"), "outputs left in the release"
    assert len(_graded_cells(nb)) == len(_graded_cells(json.loads(path.read_text())))
    out = _validate(student, "--invert")
    assert "Success! The notebook does not pass any tests." in out, out[-3000:]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_chapter_has_the_parts_of_a_course_chapter(path):
    """Objectives, at least one predict and one implement exercise with hidden tests, a
    manually graded written answer, key takeaways; grade_ids unique."""
    nb = json.loads(path.read_text())
    src = ["".join(c["source"]) for c in nb["cells"]]
    meta = [c.get("metadata", {}).get("nbgrader") for c in nb["cells"]]
    assert any("What you will be able to do" in s for s in src)
    assert any("Key takeaways" in s for s in src)
    tests = [s for s, m in zip(src, meta) if m and m.get("grade") and not m.get("solution")]
    assert len(tests) >= 2 and all("### BEGIN HIDDEN TESTS" in t for t in tests)
    assert all(m["schema_version"] == 3 for m in meta if m)
    written = [c for c, m in zip(nb["cells"], meta) if m and m.get("grade") and m.get("solution")
               and c["cell_type"] == "markdown"]
    assert written and all(m.get("points", 0) > 0 for m in meta if m and m.get("grade"))
    ids = [m["grade_id"] for m in meta if m and "grade_id" in m]
    assert len(ids) == len(set(ids))
