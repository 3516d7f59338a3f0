"""Student versions: solutions and hidden tests stripped, checked with nbgrader itself."""

from __future__ import annotations

import hashlib
import subprocess

import nbformat
import pytest
from traitlets.config import Config

from autograder.check import check_notebook, format_report
from autograder.cli import main
from autograder.synthetic import HIDDEN_MARKER

from .util import CHAIN, venv_bin

pytestmark = pytest.mark.slow


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def release_dir(tmp_path_factory):
    before = _sha(CHAIN)
    out = tmp_path_factory.mktemp("release")
    assert main(["release", str(CHAIN), "--out", str(out), "--quiet"]) == 0
    assert _sha(CHAIN) == before, "the source notebook must never be modified"
    return out


def test_release_strips_solutions_and_hidden_tests(release_dir):
    """Does the student version keep the questions and lose every answer and hidden test?"""
    text = (release_dir / "chain.ipynb").read_text()
    for leaked in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", HIDDEN_MARKER,
                   ".hexdigest()\\n", "stored_layers = 7", "hashes the chain ID below"):
        assert leaked not in text, leaked
    nb = nbformat.read(str(release_dir / "chain.ipynb"), as_version=4)
    by_id = {c.metadata.nbgrader.grade_id: c for c in nb.cells if "nbgrader" in c.metadata}
    assert "raise NotImplementedError()" in by_id["chain_answer"].source
    assert by_id["chain_answer"].source.startswith("def chain_id(diff_ids):")
    assert by_id["why_answer"].source == "YOUR ANSWER HERE"
    assert "assert chain_id([d1]) == d1" in by_id["chain_tests"].source  # visible tests stay
    assert by_id["chain_tests"].metadata.get("editable") is False


def _validator(invert: bool):
    from nbgrader.validator import Validator

    config = Config()
    config.Validator.invert = invert
    return Validator(config=config)


def test_nbgrader_validate_passes_on_source():
    """Does nbgrader's own validator pass the instructor notebook?"""
    assert _validator(False).validate(str(CHAIN)) == {}


def test_nbgrader_validate_fails_every_exercise_of_release(release_dir):
    """Does every exercise of the student version fail nbgrader's validator (--invert)?"""
    assert _validator(True).validate(str(release_dir / "chain.ipynb")) == {}
    report = check_notebook(release_dir / "chain.ipynb", timeout=10)
    assert [c.passed for c in report.checks] == [False, False, False]


def test_nbgrader_validate_cli(release_dir, tmp_path):
    """Does the real `nbgrader validate` command agree (source passes, release fails all)?"""
    ok = subprocess.run([venv_bin("nbgrader"), "validate", str(CHAIN)], cwd=tmp_path,
                        capture_output=True, text=True, timeout=120)
    assert "Success! Your notebook passes all the tests." in ok.stdout, ok.stdout + ok.stderr
    inv = subprocess.run([venv_bin("nbgrader"), "validate", "--invert",
                          str(release_dir / "chain.ipynb")], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert "Success! The notebook does not pass any tests." in inv.stdout, inv.stdout


def test_check_reports_visible_checks(submission, capsys):
    """Does `autograder check` pass a correct notebook and fail a partly wrong one?"""
    assert main(["check", str(submission("correct")), "--timeout", "10"]) == 0
    out = capsys.readouterr().out
    assert "3 of 3 passed (6 of 6 points)" in out and "2 points are graded by hand" in out
    assert HIDDEN_MARKER not in out

    report = check_notebook(submission("partial"), timeout=10)
    assert report.exit_code == 1
    assert {c.grade_id: c.passed for c in report.checks} == {
        "digest_tests": True, "chain_tests": False, "predict_tests": True}  # predict: hidden
    assert "FAIL  chain_tests" in format_report(report)


def test_check_flags_edited_tests_and_unreadable_files(submission, tmp_path):
    """Does check say when a test cell was edited, and exit 2 on a broken file?"""
    report = check_notebook(submission("tampered"), timeout=10)
    assert all(c.edited for c in report.checks)
    assert "was edited" in format_report(report)
    assert check_notebook(submission("invalid_json"), timeout=10).exit_code == 2
    assert check_notebook(tmp_path / "nope.ipynb").exit_code == 2


def test_check_reports_a_dead_kernel(submission):
    """Does check exit 2 with a reason when the kernel dies?"""
    report = check_notebook(submission("crash"), timeout=10)
    assert report.exit_code == 2 and "kernel died" in report.error
