"""The metadata repair as an nbgrader preprocessor, and grading statuses as a StrEnum.

The repair tests run `RepairMetadata` on a released notebook (built by nbgrader once per
session, the `released` fixture); the expected descriptions are those the repair gave when
it was a function inside grade_one (same inputs, same words). One test grades (twice).
"""

from __future__ import annotations

import copy
import csv
import io
import json
import pickle

import nbformat
import pytest
from traitlets.config import Config

from autograder.grading import CSV_COLUMNS, Result, grade_one, write_csv
from autograder.repair import RepairMetadata
from autograder.status import SCORED, Status
from autograder.synthetic import make_submission

from .util import TIMEOUT


def _cells(nb, gid):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid]


@pytest.fixture
def tampered(released, tmp_path):
    """A partial submission with a renamed test cell, a duplicated test cell, a test cell
    turned into markdown, and changed (and nonsense) points."""
    dest = make_submission(released, tmp_path / "alice" / "chain.ipynb", "partial")
    nb = nbformat.read(str(dest), as_version=4)
    _cells(nb, "digest_tests")[0].metadata.nbgrader["grade_id"] = "renamed"
    chain = _cells(nb, "chain_tests")[0]
    dup = nbformat.from_dict(copy.deepcopy(dict(chain)))
    dup.source = "pass"
    nb.cells.insert(nb.cells.index(chain) + 1, dup)
    chain.cell_type = "markdown"
    chain.pop("outputs")
    chain.pop("execution_count")
    _cells(nb, "predict_tests")[0].metadata.nbgrader["points"] = 100
    _cells(nb, "chain_answer")[0].metadata.nbgrader["points"] = "lots"
    return nb


def _repair(nb, released, **traits):
    pp = RepairMetadata(released_path=str(released), **traits)
    nb, _ = pp(nb, {})
    return nb, pp.repaired


def test_repairs_of_a_tampered_notebook(tampered, released):
    nb, repaired = _repair(tampered, released)
    assert repaired == [
        "nbgrader metadata removed from a cell claiming grade_id 'renamed'",
        "nbgrader metadata of chain_answer reset to the released values",
        "cell type of chain_tests reset to code",
        "nbgrader metadata removed from a cell claiming grade_id 'chain_tests' (duplicate)",
        "nbgrader metadata of predict_tests reset to the released values",
    ]
    rel = nbformat.read(str(released), as_version=4)
    want = {c.metadata.nbgrader.grade_id: (c.cell_type, c.metadata.nbgrader)
            for c in rel.cells if "nbgrader" in c.metadata}
    got = [(c.metadata.nbgrader.grade_id, (c.cell_type, c.metadata.nbgrader))
           for c in nb.cells if "nbgrader" in c.metadata]
    # every surviving nbgrader cell carries exactly the released metadata and type, once
    assert [g for g, _ in got] == [g for g in want if g != "digest_tests"]
    assert all(want[g] == v for g, v in got)
    chain = _cells(nb, "chain_tests")[0]
    assert chain.outputs == [] and chain.execution_count is None
    # a second pass over the repaired notebook has nothing left to do
    assert _repair(nb, released)[1] == []


def test_cells_as_given_are_reset_but_not_reported(released, tmp_path):
    dest = make_submission(released, tmp_path / "bob" / "chain.ipynb", "partial")
    nb = nbformat.read(str(dest), as_version=4)
    _cells(nb, "chain_tests")[0].metadata.nbgrader["points"] = 7
    _cells(nb, "predict_tests")[0].metadata.nbgrader["points"] = 9
    old = [True, False, True, False, "predict_tests", 9.0, 3]  # an earlier release
    nb, repaired = _repair(nb, released, as_given=["chain_tests"],
                           versions={"predict_tests": {"meta": [old]}})
    assert repaired == []
    assert _cells(nb, "chain_tests")[0].metadata.nbgrader["points"] == 3
    assert _cells(nb, "predict_tests")[0].metadata.nbgrader["points"] == 1


def test_runs_from_config_through_an_nbconvert_exporter(tampered, released):
    """A real nbconvert preprocessor: registered by class and configured by traitlets
    config in an exporter's pipeline, it repairs as when called directly."""
    from nbconvert.exporters import NotebookExporter

    c = Config()
    c.RepairMetadata.released_path = str(released)
    exporter = NotebookExporter(config=c)
    exporter.register_preprocessor(RepairMetadata)
    out, _ = exporter.from_notebook_node(tampered)
    assert "'renamed'" not in out and '"grade_id": "renamed"' not in out
    nb = nbformat.reads(out, as_version=4)
    assert _cells(nb, "chain_tests")[0].cell_type == "code"
    assert len(_cells(nb, "chain_tests")) == 1


def test_staging_repairs_a_notebook_nbgraders_pipeline_would_refuse(course, released, tmp_path):
    """Why the repair runs in grade_one's staging and not first in Autograde's sanitize
    step: a code cell without ``execution_count`` (ClearOutput supplies it) and a test cell
    retyped as markdown is graded, with the retype repaired and flagged; inside nbgrader,
    the exporter's schema check after the repair would fail the whole submission."""
    dest = make_submission(released, tmp_path / "subs" / "eve" / "chain.ipynb", "partial")
    nb = json.loads(dest.read_text())
    for cell in nb["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid == "chain_answer":
            del cell["execution_count"]
        elif gid == "predict_tests":
            cell["cell_type"] = "markdown"
    dest.write_text(json.dumps(nb))
    r = grade_one(course.root, "chain", "eve", dest, None, timeout=TIMEOUT)
    assert (r.status, r.score) == (Status.FLAGGED, 2.0), r.reason
    assert r.reason.endswith("cell type of predict_tests reset to code"), r.reason
    plain = grade_one(course.root, "chain", "eve", dest, None, timeout=TIMEOUT, isolation=False)
    assert "reset" not in plain.reason  # the plain pipeline is not repaired


def test_status_is_its_word_in_csv_json_and_pickles(tmp_path):
    rows = [Result("ann", "chain", 2.0, 6.0, Status.FLAGGED, "x"),
            Result("bo", "chain", None, None, "failed")]
    assert rows[1].status is Status.FAILED  # a plain word becomes its member
    write_csv(rows, tmp_path / "grades.csv")
    text = (tmp_path / "grades.csv").read_text()
    assert [r["status"] for r in csv.DictReader(io.StringIO(text))] == ["flagged", "failed"]
    assert "Status." not in text
    assert json.dumps({"status": Status.GRADED}) == '{"status": "graded"}'
    assert json.loads(json.dumps(rows[0].row()))["status"] == "flagged"
    assert f"Autograder: {Status.MISSING}" == "Autograder: missing" and str(Status.ERROR) == "error"
    back = pickle.loads(pickle.dumps(rows[0]))
    assert back.status is Status.FLAGGED and back.status == "flagged"
    assert set(CSV_COLUMNS) >= {"status"} and Status.GRADED in SCORED and "invalid" not in SCORED
    assert [s.value for s in Status] == ["graded", "flagged", "failed", "invalid", "missing", "error"]


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError, match="'graded!'"):
        Result("ann", "chain", None, None, "graded!")
