"""Fixtures of the whole-course tests: the practice release and the student distribution of
every notebook in notebooks/, built once per session into temporary folders."""
from __future__ import annotations

import pytest

from ..notebooks.nbtools import NOTEBOOKS, isolated_jupyter_env


@pytest.fixture(scope="session")
def practice_dir(tmp_path_factory):
    from autograder.practice import release_practice

    out = tmp_path_factory.mktemp("practice")
    release_practice(NOTEBOOKS, out)
    return out


@pytest.fixture(scope="session")
def distribution(tmp_path_factory):
    """`autograder distribute` of the course (practice and graded releases; nbgrader runs)."""
    pytest.importorskip("nbgrader")
    from autograder.course import ensure_scripts_on_path
    from autograder.distribute import distribute

    dest = tmp_path_factory.mktemp("dist") / "course"
    with isolated_jupyter_env():
        ensure_scripts_on_path()
        distribute(dest, NOTEBOOKS)
    return dest
