"""Authoring mistakes in instructor notebooks get a message that names the cell."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_notebook

from autograder import synthetic as s
from autograder.authoring import find_problems, validate_source
from autograder.course import Course
from autograder.errors import AuthoringError

from .util import CHAIN


def write(tmp_path, *cells, name="broken.ipynb"):
    path = tmp_path / name
    nbformat.write(new_notebook(cells=list(cells)), str(path))
    return path


def test_fixture_notebook_has_no_problems():
    """Is the synthetic instructor notebook clean?"""
    assert find_problems(CHAIN) == []


def test_missing_end_solution_names_the_cell(tmp_path):
    """Does a missing END SOLUTION name the notebook, cell, grade_id and line?"""
    path = write(tmp_path, s.markdown_cell("intro", "intro"),
                 s.solution_cell("def f():\n    ### BEGIN SOLUTION\n    return 1", "f_answer"))
    [problem] = find_problems(path)
    assert problem.cell_index == 1 and problem.grade_id == "f_answer"
    text = str(problem)
    assert "broken.ipynb, cell 2" in text and "'f_answer'" in text
    assert "line 2" in text and "END SOLUTION" in text


def test_duplicate_grade_id_names_both_cells(tmp_path):
    """Does a duplicate grade_id name the second cell and point at the first?"""
    path = write(tmp_path, s.test_cell("assert True", "tests", 1),
                 s.markdown_cell("text", "m"), s.test_cell("assert 1", "tests", 1))
    [problem] = find_problems(path)
    assert problem.cell_index == 2
    assert "duplicate grade_id 'tests'" in str(problem) and "cell 1" in str(problem)


def test_mark_scheme_outside_task_cell(tmp_path):
    """Is a mark scheme in a non-task cell (nbgrader's G1 RuntimeError) caught by name?"""
    path = write(tmp_path, s.markdown_cell(
        "Explain.\n=== BEGIN MARK SCHEME ===\nsay X\n=== END MARK SCHEME ===", "prompt"))
    [problem] = find_problems(path)
    assert problem.grade_id == "prompt" and "mark scheme" in str(problem)
    assert "task" in str(problem)


def test_hidden_tests_outside_test_cell(tmp_path):
    """Are hidden tests in an answer cell rejected?"""
    path = write(tmp_path, s.solution_cell(
        "x = 1\n### BEGIN HIDDEN TESTS\nassert x\n### END HIDDEN TESTS", "x_answer"))
    assert any("hidden tests region" in str(p) for p in find_problems(path))


def test_unterminated_hidden_tests_and_missing_points(tmp_path):
    """Are several problems reported together, each with its own cell?"""
    bad = s.test_cell("assert 1\n### BEGIN HIDDEN TESTS\nassert 2", "t", 1)
    del bad.metadata["nbgrader"]["points"]
    path = write(tmp_path, bad, s.solution_cell("### END SOLUTION", "a"))
    problems = find_problems(path)
    texts = "\n".join(map(str, problems))
    assert "needs 'points'" in texts and "END HIDDEN TESTS" in texts
    assert "no '### BEGIN SOLUTION' before it" in texts or "has no 'BEGIN SOLUTION'" in texts
    with pytest.raises(AuthoringError) as info:
        validate_source(path)
    assert "also:" in str(info.value)


def test_not_json(tmp_path):
    """Is a broken file reported as such, without a cell?"""
    path = tmp_path / "x.ipynb"
    path.write_text("{ nope")
    [problem] = find_problems(path)
    assert problem.cell_index is None and "JSON" in str(problem)


def test_course_build_raises_authoring_error_not_runtime_error(tmp_path):
    """Does building a course from a broken notebook raise our error before nbgrader runs?"""
    path = write(tmp_path, s.solution_cell("### BEGIN SOLUTION\nx = 1", "x_answer"))
    course = Course(tmp_path / "course")
    with pytest.raises(AuthoringError, match=r"cell 1 \(grade_id 'x_answer'"):
        course.build([path])
    assert not (tmp_path / "course" / "release").exists()


def test_cli_lint_reports_cells(tmp_path, capsys):
    """Does `autograder lint` print one line per problem and exit 1?"""
    from autograder.cli import main

    path = write(tmp_path, s.test_cell("assert True", "t", 1), s.test_cell("assert 1", "t", 1))
    assert main(["lint", str(path)]) == 1
    assert "duplicate grade_id 't'" in capsys.readouterr().out
    assert main(["lint", str(CHAIN)]) == 0
