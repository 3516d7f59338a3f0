"""Plain-text views: which instruction made which layer, as a small aligned table.

These are for reading in a notebook or a terminal; they are not docker's own output formats
(the CLI formats those, byte for byte).
"""
from __future__ import annotations

import re

from .stack import stack_rows
from .svg import size_text

__all__ = ["layer_table", "align", "build_steps"]


def align(rows: list[list[str]], *, gap: int = 2) -> str:
    """Left-aligned columns separated by ``gap`` spaces; no trailing spaces."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for r in rows:
        cells = [c.ljust(w) for c, w in zip(r, widths)]
        lines.append((" " * gap).join(cells).rstrip())
    return "\n".join(lines)


def layer_table(image, *, base=None, base_name: str | None = None, width: int = 48) -> str:
    """One line per history entry, oldest first: what it made (a layer or history only) and its size.

    Args:
        image: the image to describe.
        base: the image its ``FROM`` named; its entries are marked ``(from <base_name>)``.
        base_name: how to name the base in that mark (default ``base``).
        width: the INSTRUCTION column is cut to this many characters.
    """
    out = [["#", "INSTRUCTION", "MADE", "SIZE", ""]]
    for r in stack_rows(image, base=base):
        text = r.instruction
        if len(text) > width:
            text = text[: width - 1] + "…"
        made = f"layer {r.layer_index + 1}" if r.is_layer else "history only"
        note = f"(from {base_name or 'base'})" if r.from_base else ""
        out.append([str(r.position + 1), text, made, size_text(r.size), note])
    return align(out)


_STEP = re.compile(r"^#\d+ (\[|CACHED\b|ERROR\b|writing image)")


def build_steps(output: str) -> str:
    """A BuildKit build log with the commands' own output left out: one line per step, plus
    ``CACHED``/``ERROR`` marks and the ``writing image sha256:…`` line. ``docker build`` prints everything; this is
    for reading which step did what.

    >>> print(build_steps("#1 [1/2] FROM scratch\\n#2 [2/2] RUN make\\n#2 cc -o app\\n#2 DONE 0.1s\\n"))
    #1 [1/2] FROM scratch
    #2 [2/2] RUN make
    """
    return "\n".join(line for line in output.splitlines() if _STEP.match(line))
