"""Each chapter is a valid nbgrader assignment: its solutions pass every test, and the student
version made by `autograder release` passes none of them (checked with `nbgrader validate`)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .nbtools import CHAPTERS, ROOT, isolated_jupyter_env

pytest.importorskip("nbgrader")

IDS = [p.stem for p in CHAPTERS]


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
        release(CHAPTERS, out, course_root=tmp_path_factory.mktemp("course"))
    return out


def _graded_cells(nb):
    return [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")]


@pytest.mark.slow
@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
def test_source_passes_nbgrader_validate(path):
    out = _validate(path)
    assert "Success! Your notebook passes all the tests." in out, out[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
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


@pytest.mark.parametrize("path", CHAPTERS, ids=IDS)
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


CHAPTER1 = ROOT / "notebooks" / "01-layer-architecture.ipynb"


def _answers_from_source(source_nb) -> dict[str, str]:
    out = {}
    for c in source_nb["cells"]:
        meta = c.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            text = "".join(c["source"])
            out[meta["grade_id"]] = "\n".join(ln for ln in text.split("\n") if "SOLUTION" not in ln)
    return out


def _submission(released_nb, answers: dict[str, str]):
    nb = json.loads(json.dumps(released_nb))
    for c in nb["cells"]:
        gid = c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            c["source"] = answers[gid]
    return nb


@pytest.mark.slow
def test_chapter1_grades_correct_untouched_and_visible_only_answers(released, tmp_path):
    """Graded end to end with `autograder grade`: the model answers get every autograded point,
    the untouched release none, and answers that only satisfy the visible checks none either
    (the hidden tests compare with the engine)."""
    from autograder import grade
    from autograder.course import ensure_scripts_on_path

    source = json.loads(CHAPTER1.read_text())
    student = json.loads((released / CHAPTER1.name).read_text())
    model = _answers_from_source(source)
    gaming = {
        "ex1_answer": "new_layers = 7\nnew_history_only = 0\n",          # adds up to 7, wrong split
        "ex2_answer": ("def chain_ids(diff_ids):\n    diff_ids = list(diff_ids)\n"
                       "    return myapp_chain_ids[:len(diff_ids)] if diff_ids == myapp_diff_ids[:len(diff_ids)] else []\n"),
    }
    subs = tmp_path / "submissions"
    for name, answers in (("model", model), ("untouched", {}), ("gaming", gaming)):
        (subs / name).mkdir(parents=True)
        (subs / name / CHAPTER1.name).write_text(json.dumps(_submission(student, answers)))
    with isolated_jupyter_env():
        ensure_scripts_on_path()
        results = {r.student: r for r in grade(subs, [CHAPTER1], tmp_path / "graded", jobs=2, timeout=60)}
    assert {r.status for r in results.values()} == {"graded"}, {s: r.reason for s, r in results.items()}
    auto_points = sum(m.get("points", 0) for c in source["cells"]
                      if (m := c.get("metadata", {}).get("nbgrader", {})).get("grade") and c["cell_type"] == "code")
    assert results["model"].score == auto_points == 5
    assert results["model"].needs_manual_grade            # the written answer waits for a person
    assert results["untouched"].score == 0
    assert results["gaming"].score == 0
