"""`autograder gradescope`: the zip, installed and run as Gradescope runs it.

The zip is built once (its wheels come from the package index, or pip's cache), unpacked
into a temporary root laid out like Gradescope's image (ROOT/source, ROOT/submission,
ROOT/results; the scripts take ROOT from $AUTOGRADER_ROOT), ``setup.sh`` installs a fresh
venv offline from the zip's wheels, and ``run_autograder`` grades several submissions. The
oracle for the scores is `autograder grade` on the same submissions: results.json must say
what grades.csv and questions.csv say.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.synthetic import HIDDEN_MARKER, make_submission

from .util import CHAIN, TIMEOUT

pytestmark = pytest.mark.slow

KINDS = ("correct", "partial", "tampered", "crash", "invalid_json")


@pytest.fixture(scope="module")
def zipped(tmp_path_factory):
    root = tmp_path_factory.mktemp("gradescope")
    dest = root / "chain.zip"
    proc = subprocess.run([sys.executable, "-m", "autograder", "gradescope", str(CHAIN),
                           "--out", str(dest), "--timeout", str(TIMEOUT), "-j", "1"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return dest


@pytest.fixture(scope="module")
def image(zipped, tmp_path_factory):
    """ROOT after Gradescope's image build: the zip in ROOT/source, setup.sh run."""
    root = tmp_path_factory.mktemp("autograder-root")
    with zipfile.ZipFile(zipped) as z:
        z.extractall(root / "source")
        for info in z.infolist():  # ZipFile.extractall drops the mode bits; Gradescope keeps them
            os.chmod(root / "source" / info.filename, (info.external_attr >> 16) & 0o777)
    proc = subprocess.run(["bash", str(root / "source" / "setup.sh")], capture_output=True,
                          text=True, timeout=600, env={**os.environ, "AUTOGRADER_ROOT": str(root)})
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "setup.sh: ready" in proc.stdout
    shutil.copyfile(root / "source" / "run_autograder", root / "run_autograder")
    os.chmod(root / "run_autograder", 0o755)
    return root


def run_autograder(root: Path, files: dict[str, Path]) -> dict:
    """One Gradescope run: `files` (name in the upload -> notebook) as the submission."""
    for d in ("submission", "results"):
        shutil.rmtree(root / d, ignore_errors=True)
        (root / d).mkdir()
    for name, path in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, root / "submission" / name)
    proc = subprocess.run([str(root / "run_autograder")], capture_output=True, text=True,
                          timeout=300, cwd=root,
                          env={**os.environ, "AUTOGRADER_ROOT": str(root)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads((root / "results" / "results.json").read_text())


@pytest.fixture(scope="module")
def subs(tmp_path_factory, released):
    root = tmp_path_factory.mktemp("gs-subs")
    for kind in KINDS:
        make_submission(released, root / kind / "chain.ipynb", kind)
    return root


@pytest.fixture(scope="module")
def graded(subs, tmp_path_factory):
    """The oracle: `autograder grade` of the same submissions."""
    out = tmp_path_factory.mktemp("gs-graded") / "out"
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(subs), "--source",
                    str(CHAIN), "--out", str(out), "--timeout", str(TIMEOUT), "-j", "2"],
                   capture_output=True, text=True, timeout=400)
    with open(out / "grades.csv", newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    with open(out / "exports" / "questions.csv", newline="") as f:
        questions = {}
        for q in csv.DictReader(f):
            questions.setdefault(q["student"], {})[f"{q['notebook']}: {q['question']}"] = q
    return rows, questions


def test_zip_is_laid_out_as_gradescope_expects(zipped):
    """setup.sh and run_autograder at the top, executable; sources, this project's wheel
    and a pinned requirement for every wheel inside."""
    with zipfile.ZipFile(zipped) as z:
        names = set(z.namelist())
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in z.infolist()}
        pins = z.read("requirements.txt").decode().split()
        config = json.loads(z.read("autograder.json"))
    assert {"setup.sh", "run_autograder", "notebooks/chain.ipynb"} <= names
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    wheels = sorted(n for n in names if n.startswith("wheels/"))
    assert any(n.startswith("wheels/layerlab-0.1.0-") for n in wheels)
    assert any(n.startswith("wheels/nbgrader-0.9.6-") for n in wheels)
    assert len(pins) == len(wheels) and all("==" in p for p in pins)
    assert "layerlab==0.1.0" in pins and "nbgrader==0.9.6" in pins
    assert config["notebooks"] == ["chain"] and config["timeout"] == TIMEOUT


@pytest.mark.parametrize("kind", KINDS)
def test_run_autograder_gives_autograder_grades_results(image, subs, graded, kind):
    """Is results.json's total, per-exercise score and failure reason what
    `autograder grade` gives the same submission, with hidden tests' outcomes held back
    until publication and never their source?"""
    rows, questions = graded
    res = run_autograder(image, {"chain.ipynb": subs / kind / "chain.ipynb"})
    row = rows[kind]
    assert isinstance(res["execution_time"], int) and 0 <= res["execution_time"] < 120
    assert HIDDEN_MARKER not in json.dumps(res)
    if row["status"] in ("graded", "flagged"):
        assert res["score"] == float(row["score"])
        got = {t["name"]: t for t in res["tests"]}
        want = questions[kind]
        assert set(got) == set(want)
        for name, t in got.items():
            assert (t["score"], t["max_score"]) == (float(want[name]["score"]),
                                                   float(want[name]["max_score"])), name
        # every exercise of chain with a grade cell of hidden tests: after_published
        assert got["chain: Exercise 2"]["visibility"] == "after_published"
        assert got["chain: Exercise 4"]["visibility"] == "visible"  # manual, no tests
        if row["reason"]:
            assert row["reason"] in res["output"]
    else:
        assert res["score"] == 0.0
        [t] = res["tests"]
        assert t["status"] == "failed" and t["max_score"] == 8.0
        assert t["output"] == f"{row['status']}: {row['reason']}"
    if kind == "partial":
        tests = {t["name"]: t for t in res["tests"]}
        assert tests["chain: Exercise 2"]["output"] == "chain_tests: AssertionError"
        assert tests["chain: Exercise 1"]["status"] == "passed"
    if kind == "tampered":
        assert "restored" in res["output"]


def test_misnamed_upload_says_what_it_found(image, subs):
    res = run_autograder(image, {"work/Chain (1).ipynb": subs / "correct" / "chain.ipynb"})
    assert res["score"] == 0.0 and res["tests"] == []
    assert "no chain.ipynb in the submission" in res["output"]
    assert "work/Chain (1).ipynb" in res["output"]


def test_notebook_in_a_subfolder_is_found(image, subs):
    """Uploads from a repository keep folders: chain.ipynb is found where it is."""
    res = run_autograder(image, {"course/chain.ipynb": subs / "correct" / "chain.ipynb"})
    assert res["score"] == 6.0


def test_setup_refuses_another_python(zipped, tmp_path):
    """setup.sh says which Python the wheels need instead of failing inside pip."""
    root = tmp_path / "root"
    with zipfile.ZipFile(zipped) as z:
        z.extractall(root / "source")
    fake = tmp_path / "python9"
    fake.write_text("#!/bin/sh\necho 9.1\n")
    fake.chmod(0o755)
    proc = subprocess.run(["bash", str(root / "source" / "setup.sh")], capture_output=True,
                          text=True, timeout=60,
                          env={**os.environ, "AUTOGRADER_ROOT": str(root),
                               "AUTOGRADER_PYTHON": str(fake)})
    here = "%d.%d" % sys.version_info[:2]
    assert proc.returncode == 1
    assert f"for Python {here} but {fake} is Python 9.1" in proc.stderr
    assert not (root / "venv").exists()
