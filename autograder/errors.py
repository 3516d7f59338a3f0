"""Errors raised by the autograder.

    AutograderError
     ├── AuthoringError     an instructor notebook is malformed (names the notebook and cell)
     └── ReleaseError       nbgrader could not build the student version for another reason

Problems with a *student's* submission are never raised: they become a row of
`grades.csv` with a status (``failed``, ``invalid``, ``missing``...) and a reason.
"""

from __future__ import annotations

__all__ = ["AutograderError", "AuthoringError", "ReleaseError"]


class AutograderError(Exception):
    """Base class of every error the autograder raises on purpose."""


class AuthoringError(AutograderError):
    """An instructor's source notebook breaks an nbgrader rule.

    The message names the notebook, the cell (1-based position, grade_id and first line)
    and says how to fix it, for example::

        notebooks/ch1.ipynb, cell 7 (grade_id 'chain_answer': "def chain_id(diff_ids):"):
        '### BEGIN SOLUTION' on line 3 has no matching '### END SOLUTION'; add one.
    """

    def __init__(self, notebook, message: str, cell_index: int | None = None,
                 grade_id: str | None = None, first_line: str | None = None):
        self.notebook = str(notebook)
        self.cell_index = cell_index
        self.grade_id = grade_id
        self.problem = message
        where = self.notebook
        if cell_index is not None:
            label = f"cell {cell_index + 1}"
            details = []
            if grade_id:
                details.append(f"grade_id {grade_id!r}")
            if first_line is not None:
                line = first_line if len(first_line) <= 60 else first_line[:57] + "..."
                details.append(f'"{line}"')
            if details:
                label += " (" + ": ".join(details) + ")"
            where += ", " + label
        super().__init__(f"{where}: {message}")


class ReleaseError(AutograderError):
    """nbgrader failed to generate a student version (the message carries its log)."""
