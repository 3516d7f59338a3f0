"""`autograder check NOTEBOOK`: run a learner's notebook and report its visible checks.

The notebook is executed top to bottom in a fresh kernel (in memory: the file is not
changed), the way the grader will run it, and every autograder test cell is scored with
nbgrader's own rule (`nbgrader.utils.determine_grade`: an error or anything on stderr
scores 0). Hidden tests are not in a student's copy, so a passing check is necessary,
not sufficient, for full marks. Example::

    $ autograder check release/chain.ipynb
    Checking chain.ipynb (visible checks only; hidden tests are added at grading)
      PASS  digest_tests     2 pts
      FAIL  chain_tests      3 pts  AssertionError
      ...
    Visible checks: 1 of 3 passed (2 of 6 points). 2 points are graded by hand.

Exit status: 0 if every visible check passed, 1 if some failed, 2 if the notebook could
not be run (unreadable file, kernel died).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CellCheck", "CheckReport", "check_notebook", "format_report"]


@dataclass
class CellCheck:
    grade_id: str
    points: float
    passed: bool
    message: str = ""       # first line of the error, if any
    edited: bool = False    # the test cell differs from the released one


@dataclass
class CheckReport:
    notebook: str
    checks: list[CellCheck] = field(default_factory=list)
    manual_points: float = 0.0
    unanswered: list[str] = field(default_factory=list)  # answer cells still the stub
    error: str = ""          # why the notebook could not be run (exit status 2)

    @property
    def exit_code(self) -> int:
        if self.error:
            return 2
        return 0 if all(c.passed for c in self.checks) else 1


def _first_error(cell) -> str:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            ev = str(out.get("evalue", "")).strip().splitlines()
            return out.get("ename", "Error") + (f": {ev[0]}" if ev and ev[0] else "")
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            text = str(out.get("text", "")).strip().splitlines()
            return "wrote to stderr" + (f": {text[0]}" if text else "")
    return ""


def check_notebook(path: str | Path, *, timeout: int = 30,
                   kernel_name: str = "python3") -> CheckReport:
    """Execute the notebook at `path` in memory and score its visible test cells.

    Args:
        path: the learner's notebook.
        timeout: seconds each cell may run before it is interrupted.
        kernel_name: the kernel to run it with.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError
    from nbgrader.utils import compute_checksum, determine_grade, is_grade, is_solution

    path = Path(path)
    report = CheckReport(path.name)
    try:
        nb = nbformat.read(str(path), as_version=4)
    except FileNotFoundError:
        report.error = f"{path}: no such file"
        return report
    except Exception as exc:
        report.error = f"{path} is not a readable notebook: {exc}"
        return report

    original = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id"):
            original[meta["grade_id"]] = (meta.get("checksum"), compute_checksum(cell)
                                          if "checksum" in meta else None)

    client = NotebookClient(
        nb, timeout=timeout, kernel_name=kernel_name, allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": "CellTimeoutError", "evalue":
                          f"the cell ran longer than {timeout} s and was interrupted",
                          "traceback": []},
        resources={"metadata": {"path": str(path.parent.resolve())}})
    old = os.environ.get("NBGRADER_EXECUTION")
    os.environ["NBGRADER_EXECUTION"] = "validate"
    try:
        client.execute()
    except DeadKernelError:
        report.error = ("the kernel died while running the notebook (look for os._exit, "
                        "sys.exit in a thread, or very large memory use)")
    except Exception as exc:
        report.error = f"the notebook could not be run: {type(exc).__name__}: {exc}"
    finally:
        if old is None:
            os.environ.pop("NBGRADER_EXECUTION", None)
        else:
            os.environ["NBGRADER_EXECUTION"] = old

    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        gid = meta.get("grade_id", "")
        if is_solution(cell):
            stored, now = original.get(gid, (None, None))
            if stored is not None and stored == now:
                report.unanswered.append(gid)
        if not is_grade(cell):
            continue
        if is_solution(cell):
            report.manual_points += float(meta.get("points", 0))
            continue
        if cell.cell_type != "code":
            continue
        score, max_points = determine_grade(cell)
        stored, now = original.get(gid, (None, None))
        report.checks.append(CellCheck(
            gid, max_points, passed=(score is not None and score >= max_points),
            message=_first_error(cell), edited=stored is not None and stored != now))
    return report


def format_report(report: CheckReport) -> str:
    """The human summary printed by `autograder check`."""
    lines = [f"Checking {report.notebook} (visible checks only; hidden tests are added "
             "at grading)"]
    width = max([len(c.grade_id) for c in report.checks] + [10])
    for c in report.checks:
        mark = "PASS" if c.passed else "FAIL"
        pts = f"{c.points:g} pt" + ("" if c.points == 1 else "s")
        line = f"  {mark}  {c.grade_id:<{width}}  {pts:>7}"
        if c.message and not c.passed:
            line += f"  {c.message}"
        if c.edited:
            line += "  (this test cell was edited: grading uses the original)"
        lines.append(line)
    if report.unanswered:
        lines.append(f"  Not answered yet: {', '.join(report.unanswered)}")
    if report.error:
        lines.append(f"Could not finish: {report.error}")
    passed = [c for c in report.checks if c.passed]
    got = sum(c.points for c in passed)
    total = sum(c.points for c in report.checks)
    summary = (f"Visible checks: {len(passed)} of {len(report.checks)} passed "
               f"({got:g} of {total:g} points).")
    if report.manual_points:
        summary += f" {report.manual_points:g} points are graded by hand."
    lines.append(summary)
    return "\n".join(lines)
