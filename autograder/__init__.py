"""autograder: build, check and grade nbgrader notebooks, fast and safely.

    from autograder import release, check_notebook, grade
    release(["notebooks/01-layer-architecture.ipynb"], "release")       # student versions
    print(format_report(check_notebook("release/01-layer-architecture.ipynb")))
    results = grade("submissions", ["notebooks/01-layer-architecture.ipynb"], "graded")

The command line is `autograder release | check | grade | lint` (see `autograder.cli`).
nbgrader 0.9.6 does the lifecycle; this package adds a course directory managed for the
user, parallel grading with one private gradebook per submission, failures reported as
failures (never a silent 0), feedback without hidden tests, and authoring errors that
name the cell.
"""

from .authoring import find_problems, validate_source
from .check import check_notebook, format_report
from .course import Course, release
from .errors import AuthoringError, AutograderError, ReleaseError
from .grading import Result, grade, grade_one, write_csv

__all__ = [
    "AuthoringError", "AutograderError", "Course", "ReleaseError", "Result",
    "check_notebook", "find_problems", "format_report", "grade", "grade_one", "release",
    "validate_source", "write_csv",
]
