"""Put back the released nbgrader metadata of a submission: the `RepairMetadata` preprocessor.

Plain nbgrader refuses a notebook whose nbgrader metadata was edited (inconsistent
checksums, a grade cell without an id, an unknown schema) and fails the whole submission.
Resetting every cell's nbgrader metadata to the released values lets nbgrader restore the
cells' sources from the gradebook and grade the rest; cells with unknown or duplicate
grade_ids become plain cells. Honest submissions are unchanged.

Where it runs: first in nbgrader's ``Autograde.sanitize_preprocessors`` (see
``autograder.grading._sanitize_preprocessors``), before ClearOutput, DeduplicateIds, OverwriteCells and
CheckCellMetadata. Nothing in Autograde reads a submission's cell metadata earlier:
``init_assignment`` looks the student, assignment and notebook up in the gradebook by
name only, and the exporter reads the file just before running this list. Only the
defended pipeline installs it (``isolation=True``); plain nbgrader sees the notebook as
the student left it.

nbgrader runs preprocessors inside its converter, which swallows their exceptions into
its log, and the instance is built by nbconvert's exporter: so the preprocessor also
writes what it did to ``report_path`` (``{"repaired": [...]}``, or ``{"error": "Type:
message"}`` when it failed), which `read_report` gives back to the grader.
"""

from __future__ import annotations

import copy
import json
import traceback
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Dict, List, Unicode

__all__ = ["RepairMetadata", "significant", "read_report"]


def significant(meta: dict) -> tuple:
    """The nbgrader metadata that decides how a cell is graded (not checksum/cell_type,
    which nbgrader recomputes or takes from the gradebook)."""
    points = meta.get("points")
    try:
        points = float(points) if points is not None else None
    except (TypeError, ValueError):
        pass
    return tuple(bool(meta.get(k)) for k in ("grade", "solution", "locked", "task")) + (
        meta.get("grade_id"), points, meta.get("schema_version"))


class RepairMetadata(Preprocessor):
    """Reset every cell's nbgrader metadata (and cell type) to the released notebook's.

    A cell whose grade_id is not in the released notebook, or repeats one already seen,
    loses its nbgrader metadata. A change is *reported* (in `repaired`) only if it
    touches what decides grading (`significant`) and is not a version of the cell this
    student was given: the grade_id is in `as_given` (a locked cell whose checksum still
    matches what was handed out) or the metadata is one of the released `versions`.
    """

    enabled = Bool(True)
    released_path = Unicode(
        help="the released (student) notebook whose nbgrader metadata is put back"
    ).tag(config=True)
    versions = Dict(
        help="grade_id -> {'meta': [significant metadata of each released version]} "
             "(autograder.gradebook.released_versions)"
    ).tag(config=True)
    as_given = List(
        Unicode(), help="grade_ids of locked cells the student left as they were given"
    ).tag(config=True)
    report_path = Unicode(
        "", help="where to write {'repaired': [...]} or {'error': ...} ('' for nowhere)"
    ).tag(config=True)

    def preprocess(self, nb, resources):
        self.repaired: list[str] = []
        try:
            self.repaired = self._repair(nb)
        except Exception as exc:
            self._report({"error": "".join(traceback.format_exception_only(exc))
                          .strip().splitlines()[-1]})
            raise
        self._report({"repaired": self.repaired})
        return nb, resources

    def _report(self, data: dict) -> None:
        if self.report_path:
            Path(self.report_path).write_text(json.dumps(data))

    def _repair(self, nb) -> list[str]:
        import nbformat

        released = nbformat.read(self.released_path, as_version=4)
        meta = {c.metadata["nbgrader"].get("grade_id"): c for c in released.cells
                if "nbgrader" in c.metadata}
        as_given = set(self.as_given)
        seen, repaired = set(), []
        for cell in nb.cells:
            m = cell.get("metadata", {}).get("nbgrader")
            if m is None:
                continue
            gid = m.get("grade_id") if isinstance(m, dict) else None
            if gid not in meta or gid in seen:
                del cell.metadata["nbgrader"]
                repaired.append(f"nbgrader metadata removed from a cell claiming grade_id "
                                f"{gid!r}" + (" (duplicate)" if gid in seen else ""))
                continue
            seen.add(gid)
            original = meta[gid]
            if m != original.metadata["nbgrader"]:
                given = [tuple(v) for v in self.versions.get(gid, {}).get("meta", [])]
                if significant(m) != significant(original.metadata["nbgrader"]) and \
                        gid not in as_given and significant(m) not in given:
                    repaired.append(f"nbgrader metadata of {gid} reset to the released values")
                cell.metadata["nbgrader"] = copy.deepcopy(original.metadata["nbgrader"])
            if cell.cell_type != original.cell_type:
                cell.cell_type = original.cell_type
                if cell.cell_type == "code":
                    cell["outputs"], cell["execution_count"] = [], None
                else:
                    cell.pop("outputs", None)
                    cell.pop("execution_count", None)
                repaired.append(f"cell type of {gid} reset to {original.cell_type}")
        return repaired


def read_report(path: Path) -> dict:
    """What `RepairMetadata` wrote to ``path``: {'repaired': [...]} or {'error': ...};
    {'repaired': []} when it never ran (nbgrader stopped before reading the notebook)."""
    path = Path(path)
    return json.loads(path.read_text()) if path.exists() else {"repaired": []}
