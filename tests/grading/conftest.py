"""Fixtures for the grading tests: an isolated Jupyter environment and a built course.

Every test here runs with JUPYTER_CONFIG_DIR, JUPYTER_RUNTIME_DIR and IPYTHONDIR in a
temporary directory, so no Jupyter or IPython state is read from or written to $HOME.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.course import Course, ensure_scripts_on_path
from autograder.synthetic import make_submission

from .util import CHAIN, TIMEOUT


@pytest.fixture(scope="session", autouse=True)
def jupyter_env(tmp_path_factory):
    base = tmp_path_factory.mktemp("jupyter-env")
    env = {
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "IPYTHONDIR": str(base / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        ensure_scripts_on_path()
        yield env


@pytest.fixture(scope="session")
def chain_source() -> Path:
    """The synthetic instructor notebook."""
    return CHAIN


@pytest.fixture(scope="session")
def course(tmp_path_factory, chain_source) -> Course:
    """A course with the synthetic notebook released (gradebook built once per session)."""
    c = Course(tmp_path_factory.mktemp("course"), timeout=TIMEOUT)
    c.build([chain_source])
    return c


@pytest.fixture(scope="session")
def released(course) -> Path:
    return course.release_path("chain")


@pytest.fixture
def submission(released, tmp_path):
    """submission(kind, student=kind) -> path of SUBMISSIONS/<student>/chain.ipynb."""

    def make(kind: str, student: str | None = None) -> Path:
        return make_submission(released, tmp_path / "subs" / (student or kind) / "chain.ipynb",
                               kind)

    return make

