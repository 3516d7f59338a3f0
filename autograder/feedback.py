"""Feedback pages that do not reveal hidden tests.

nbgrader's `GenerateFeedback` renders the autograded notebook, whose test cells hold the
instructor's full source, hidden tests included (jupyter/nbgrader#917, #1363). The
`HideHiddenTests` preprocessor runs first in that pipeline and, in every test cell:

- replaces each ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` region by the
  single line ``# (hidden tests: not shown)``;
- in a cell that had hidden tests, shortens every error traceback to ``ename: evalue``
  (a full traceback quotes the failing line and its neighbours), adding the failing
  line only when it is a visible test line.

Scores are untouched: `GetGrades` reads them from the gradebook, not from the source.
"""

from __future__ import annotations

import re

from nbconvert.exporters import HTMLExporter
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List, Unicode

__all__ = ["HideHiddenTests", "CachedHTMLExporter", "strip_hidden_region",
           "HIDDEN_PLACEHOLDER", "PendingManualGrades", "make_offline"]

HIDDEN_PLACEHOLDER = "# (hidden tests: not shown)"


def hidden_lines(source: str, begin: str = "BEGIN HIDDEN TESTS",
                 end: str = "END HIDDEN TESTS") -> set[int]:
    """1-based numbers of the lines of `source` inside hidden regions (delimiters included).

    An unterminated region hides everything to the end of the cell (the safe choice in
    feedback; `autograder.authoring` rejects such notebooks before release anyway).
    """
    hidden, inside = set(), False
    for number, line in enumerate(source.split("\n"), 1):
        if begin in line:
            inside = True
        if inside:
            hidden.add(number)
        if end in line:
            inside = False
    return hidden


def strip_hidden_region(source: str, begin: str = "BEGIN HIDDEN TESTS",
                        end: str = "END HIDDEN TESTS",
                        placeholder: str = HIDDEN_PLACEHOLDER) -> tuple[str, bool]:
    """Return (`source` with each hidden region replaced by `placeholder`, whether any was)."""
    hidden = hidden_lines(source, begin, end)
    out = []
    for number, line in enumerate(source.split("\n"), 1):
        if number not in hidden:
            out.append(line)
        elif number - 1 not in hidden:
            out.append(line[: len(line) - len(line.lstrip())] + placeholder)
    return "\n".join(out), bool(hidden)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_LINE = re.compile(r"Cell In\[[^\]]*\], line (\d+)")


def _short_traceback(output, source: str, hidden: set[int]) -> list[str]:
    """A traceback that quotes the failing line only when it is a visible one."""
    head = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".rstrip().rstrip(":")
    text = _ANSI.sub("", "\n".join(output.get("traceback", [])))
    match = _CELL_LINE.search(text)
    lines = source.split("\n")
    if match:
        number = int(match.group(1))
        if number not in hidden and 0 < number <= len(lines):
            return [head, f"  in the visible tests, line {number}: {lines[number - 1].strip()}"]
    if output.get("ename") in ("CellTimeoutError", "TimeoutError", "KeyboardInterrupt"):
        return [head + "  (the check ran past its time limit: a loop that never ends, or a "
                       "very slow answer?)"]
    return [head + "  (raised by a hidden test)"]


class HideHiddenTests(NbGraderPreprocessor):
    """Remove hidden tests (and tracebacks quoting them) from test cells before rendering."""

    begin_test_delimeter = Unicode(
        "BEGIN HIDDEN TESTS", help="Marks the beginning of a hidden test region").tag(config=True)
    end_test_delimeter = Unicode(
        "END HIDDEN TESTS", help="Marks the end of a hidden test region").tag(config=True)
    placeholder = Unicode(
        HIDDEN_PLACEHOLDER, help="Line shown in place of each hidden region").tag(config=True)

    flags = List([], help="Integrity flags to show at the top of the feedback page").tag(
        config=True)

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        if self.flags:
            from nbformat.v4 import new_markdown_cell

            items = "\n".join(f"- {f}" for f in self.flags)
            nb.cells.insert(0, new_markdown_cell(
                "**This submission was flagged for review by the autograder:**\n\n" + items))
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            return cell, resources
        original = cell.source
        hidden = hidden_lines(original, self.begin_test_delimeter, self.end_test_delimeter)
        if hidden:
            cell.source, _ = strip_hidden_region(
                original, self.begin_test_delimeter, self.end_test_delimeter, self.placeholder)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = _short_traceback(output, original, hidden)
        return cell, resources


class CachedHTMLExporter(HTMLExporter):
    """nbconvert's HTMLExporter, sharing one Jinja environment per process.

    nbgrader makes a new exporter for every `GenerateFeedback` run, so a grader that runs
    it once per student would compile the feedback template every time (about a tenth of
    a second). The environment depends only on the template paths, the same for every
    student of a run.
    """

    _environments: dict = {}

    def _create_environment(self):
        key = (tuple(self.template_paths), self.template_extension, type(self))
        env = self._environments.get(key)
        if env is None:
            env = self._environments[key] = super()._create_environment()
        return env


class PendingManualGrades(NbGraderPreprocessor):
    """Say which points wait for a person (runs after nbgrader's GetGrades).

    nbgrader's feedback shows a written answer nobody has graded yet as
    "Score: 0.0 / 2.0", as if final. This adds a note at the top naming those exercises
    and one above each such cell.
    """

    pending = List([], help="[grade_id, title, points] of cells waiting for a person").tag(
        config=True)

    def preprocess(self, nb, resources):
        if not self.pending:
            return nb, resources
        from nbformat.v4 import new_markdown_cell

        waiting = {gid: (title, pts) for gid, title, pts in self.pending}
        out = []
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in waiting:
                title, pts = waiting[gid]
                out.append(new_markdown_cell(
                    f"**{title}: {pts:g} point(s) wait for a person.** This answer is graded "
                    "by hand; the score shown below is not final."))
            out.append(cell)
        total = sum(p for _, _, p in self.pending)
        names = ", ".join(f"{t} ({p:g})" for _, t, p in self.pending)
        out.insert(0, new_markdown_cell(
            f"**Not final: {total:g} point(s) wait for a person** ({names}). The score "
            "above counts only what the autograder checked so far."))
        nb.cells = out
        return nb, resources


_REMOTE_SCRIPT = re.compile(
    r"<script[^>]*\bsrc=[\"']https?://[^\"']*[^>]*>\s*</script>\s*", re.I)
_MATHJAX_CONFIG = re.compile(
    r"<script[^>]*type=[\"']text/x-mathjax-config[\"'][^>]*>.*?</script>\s*", re.I | re.S)


def make_offline(path) -> None:
    """Remove scripts loaded from the network (MathJax from a CDN) from a feedback page,
    so it opens offline without waiting for, or depending on, a remote server. Maths in
    markdown stays readable as its TeX source."""
    from pathlib import Path

    path = Path(path)
    html = path.read_text(encoding="utf-8")
    new = _MATHJAX_CONFIG.sub("", _REMOTE_SCRIPT.sub("", html))
    if new != html:
        path.write_text(new, encoding="utf-8")
