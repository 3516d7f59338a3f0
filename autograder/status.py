"""The status of one graded (student, notebook): the ``status`` column of grades.csv.

`Status` is a `StrEnum`: each member *is* its word (``Status.GRADED == "graded"``,
``str()``, f-strings, ``json.dumps`` and ``csv`` all give ``graded``), so grades.csv,
results.json, the gradebook's comments and the exports are unchanged, and a status read
back from a file as a plain string compares equal to its member. Pickled (the worker
pool's pipes, Dask) it stays a `Status`.

Gradescope's per-test ``"passed"``/``"failed"`` (autograder.gradescope) is Gradescope's
vocabulary for a test, not a grading status, and is not a member here.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Status", "SCORED"]


class Status(StrEnum):
    """What became of one submission (see autograder.grading for when each is given)."""

    GRADED = "graded"    # nbgrader graded it; the score is the autograded score
    FLAGGED = "flagged"  # graded, but something in it needs a human look (see the reason)
    FAILED = "failed"    # the kernel died or could not be interrupted: no score
    INVALID = "invalid"  # the file is not a readable notebook
    MISSING = "missing"  # no file for this notebook: score 0
    ERROR = "error"      # the grader itself failed on this submission (a bug)


#: the statuses that carry nbgrader's score
SCORED = (Status.GRADED, Status.FLAGGED)
