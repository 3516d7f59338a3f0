"""`autograder distribute`: the tree a public learner repository serves has the practice and
graded releases, the start page, the glossary, layerlab, autograder and binder/ — and no
solution or hidden-test line of the sources in plain text anywhere in it."""
from __future__ import annotations

import json

import pytest

from ..notebooks.nbtools import CHAPTERS, NOTEBOOKS, ROOT
from .secrets import leaks, secret_lines

pytestmark = pytest.mark.slow


def test_the_tree_has_what_a_learner_needs_and_no_instructor_sources(distribution):
    top = sorted(p.name for p in distribution.iterdir())
    assert top == sorted([".gitignore", "Makefile", "README.md", "autograder", "binder", "layerlab",
                          "practice", "pyproject.toml", "release"]), top
    for tree in ("practice", "release"):
        names = {p.name for p in (distribution / tree).iterdir()}
        assert {p.name for p in NOTEBOOKS} | {"glossary.md"} <= names, (tree, names)
    assert (distribution / "layerlab" / "practice.py").exists()
    assert (distribution / "binder" / "start").exists() and (distribution / "binder" / "bin" / "docker").exists()
    assert not list(distribution.rglob("notebooks")) and not list(distribution.rglob("tests"))
    assert not list(distribution.rglob("*.db")) and not list(distribution.rglob("__pycache__"))


def test_no_solution_or_hidden_test_line_of_the_sources_is_in_the_tree(distribution):
    secrets = secret_lines(NOTEBOOKS)
    assert len(secrets) >= 10 * len(CHAPTERS) // 2, "too few secret lines found: is the search working?"
    found = leaks(distribution, NOTEBOOKS)
    assert not found, "the student distribution gives answers away:\n" + "\n".join(found[:40])


def test_the_search_finds_a_planted_leak(distribution, tmp_path):
    """The leak search itself works: a copy of a source notebook in the tree is caught."""
    import shutil

    tree = tmp_path / "tree"
    shutil.copytree(distribution / "practice", tree)
    shutil.copyfile(CHAPTERS[0], tree / "oops.txt")
    assert any(f.startswith("oops.txt") for f in leaks(tree, NOTEBOOKS))


def test_graded_release_checks_are_nbgraders_and_practice_checks_are_encoded(distribution):
    for path in CHAPTERS:
        graded = json.loads((distribution / "release" / path.name).read_text())
        assert any((c.get("metadata") or {}).get("nbgrader", {}).get("grade") for c in graded["cells"])
        practice = (distribution / "practice" / path.name).read_text()
        assert "practice.check(" in practice and "nbgrader" not in practice


def test_the_binder_setup_works_from_the_distribution(distribution):
    """postBuild builds releases only where the sources are (notebooks/); the distribution ships
    them built, so its postBuild only installs the package and the Lab settings."""
    post = (distribution / "binder" / "postBuild").read_text()
    assert "if [ -d notebooks ]; then" in post
    py = (distribution / "pyproject.toml").read_text()
    assert 'readme = "README.md"' in py and (distribution / "README.md").exists()
    readme = (distribution / "README.md").read_text()
    assert "urlpath=lab/tree/practice/00-start-here.ipynb" in readme
    assert (ROOT / "binder" / "requirements.txt").read_text() == (distribution / "binder" / "requirements.txt").read_text()
