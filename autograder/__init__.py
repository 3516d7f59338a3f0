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

import importlib

# Imported lazily: the grading kernel imports autograder.sandbox and autograder.wire, and
# must not pay for nbgrader, traitlets config and multiprocessing at every start.
_EXPORTS = {
    "find_problems": "authoring", "validate_source": "authoring",
    "check_notebook": "check", "format_report": "check",
    "Course": "course", "release": "course",
    "AuthoringError": "errors", "AutograderError": "errors", "ReleaseError": "errors",
    "Result": "grading", "grade": "grading", "grade_one": "grading", "write_csv": "grading",
    "Status": "status",
}


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'autograder' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


__all__ = [
    "AuthoringError", "AutograderError", "Course", "ReleaseError", "Result",
    "Status", "check_notebook", "find_problems", "format_report", "grade", "grade_one", "release",
    "validate_source", "write_csv",
]
