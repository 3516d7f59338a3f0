"""Put back the released nbgrader metadata of a submission: the `RepairMetadata` preprocessor.

Plain nbgrader refuses a notebook whose nbgrader metadata was edited (inconsistent
checksums, a grade cell without an id, an unknown schema) and fails the whole submission.
Resetting every cell's nbgrader metadata to the released values lets nbgrader restore the
cells' sources from the gradebook and grade the rest; cells with unknown or duplicate
grade_ids become plain cells. Honest submissions are unchanged.

Where it runs: in grade_one's staging phase (``autograder.grading._stage``), through the
Preprocessor API (``preprocess(nb, resources)``), on the submission before it is written
into the private course; only on the defended path (``isolation=True``). Not inside
nbgrader's Autograde, although nothing there reads a cell's metadata before its sanitize
step (``init_assignment`` looks the student, assignment and notebook up by name):

- nbconvert's exporter validates the notebook against the nbformat schema after *every*
  preprocessor. First in ``Autograde.sanitize_preprocessors`` this repair would be
  validated before nbgrader's ClearOutput has filled in a code cell's missing
  ``execution_count``/``outputs``, so such a notebook (which nbgrader grades) would fail
  ("Notebook is invalid after preprocessor RepairMetadata").
- Placed after ClearOutput, it would no longer act before nbgrader's sanitizing:
  ClearOutput would clear cells by the student's cell types, not the released ones.
- nbgrader's converter turns a preprocessor's exception into a log line and a failed
  submission; a bug in the repair must be the grader's ``error``, never the student's
  ``failed``. And what it repaired would have to come back out through a file.
"""

from __future__ import annotations

import copy

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Dict, List, Unicode

__all__ = ["RepairMetadata", "significant"]


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

    def preprocess(self, nb, resources):
        """Repair ``nb`` in place; the descriptions of what was repaired are left in
        ``self.repaired`` (the flags grade_one reports)."""
        self.repaired: list[str] = self._repair(nb)
        return nb, resources

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
