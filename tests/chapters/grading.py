"""Grade one chapter end to end, the way an instructor would: ``autograder release`` of that
chapter alone, submissions made from the released notebook with some answer cells filled in,
then ``autograder grade`` (the defended, parallel grader) on them.

A chapter's test::

    from tests.chapters.grading import grade_answers, model_answers
    results = grade_answers(CHAPTER, {"model": model_answers(CHAPTER), "blank": {}})
    assert results["model"].score == results["model"].max_score_auto
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

from tests.notebooks.nbtools import isolated_jupyter_env


def model_answers(source: Path) -> dict[str, str]:
    """grade_id -> the source's answer cell with the solution delimiters dropped (the model answer)."""
    out = {}
    for c in json.loads(Path(source).read_text())["cells"]:
        meta = c.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            text = "".join(c["source"])
            out[meta["grade_id"]] = "\n".join(ln for ln in text.split("\n") if "SOLUTION" not in ln)
    return out


def auto_points(source: Path) -> float:
    """Points of the autograded (code) test cells of a source notebook."""
    return sum(m.get("points", 0) for c in json.loads(Path(source).read_text())["cells"]
               if (m := c.get("metadata", {}).get("nbgrader", {})).get("grade") and c["cell_type"] == "code")


def released_notebook(source: Path, out_dir: Path) -> dict:
    """The student version of ``source`` (``autograder release`` of it alone), as JSON."""
    from autograder.course import ensure_scripts_on_path, release

    with isolated_jupyter_env():
        ensure_scripts_on_path()
        release([source], out_dir, course_root=Path(tempfile.mkdtemp(prefix="chapter-course-")))
    return json.loads((out_dir / Path(source).name).read_text())


def submission(released: dict, answers: dict[str, str]) -> dict:
    """The released notebook with the given answer cells (by grade_id) replaced."""
    nb = json.loads(json.dumps(released))
    for c in nb["cells"]:
        gid = c.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            c["source"] = answers[gid]
    return nb


def grade_answers(source: Path, students: dict[str, dict[str, str]], *, tmp: Path | None = None,
                  timeout: int = 60) -> dict:
    """Grade one submission per student (``{student: {grade_id: answer source}}``) of
    ``source``; returns ``{student: autograder Result}``."""
    from autograder import grade
    from autograder.course import ensure_scripts_on_path

    tmp = Path(tmp or tempfile.mkdtemp(prefix="chapter-grading-"))
    released = released_notebook(source, tmp / "release")
    subs = tmp / "submissions"
    for name, answers in students.items():
        (subs / name).mkdir(parents=True)
        (subs / name / Path(source).name).write_text(json.dumps(submission(released, answers)))
    with isolated_jupyter_env():
        ensure_scripts_on_path()
        results = grade(subs, [source], tmp / "graded", jobs=2, timeout=timeout)
    return {r.student: r for r in results}
