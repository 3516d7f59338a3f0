"""HTML helpers for notebooks: tables and displayable wrappers.

:class:`HTML` wraps a string so that Jupyter displays it (``_repr_html_``) while its plain
repr stays short and deterministic — what nbval compares next to the HTML.
"""
from __future__ import annotations

from typing import Sequence
from xml.sax.saxutils import escape

__all__ = ["HTML", "table", "show"]


class HTML:
    """A piece of HTML (or inline SVG) that Jupyter renders. ``str(h)`` is the markup."""

    __slots__ = ("markup", "summary")

    def __init__(self, markup: str, summary: str = "html"):
        self.markup = markup
        self.summary = summary

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup

    def __repr__(self) -> str:
        return f"<{self.summary}>"


def show(svg: str, summary: str = "layer stack") -> HTML:
    """Wrap an SVG string from :mod:`layerlab.render.svg` for display in a notebook."""
    return HTML(svg, summary)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, caption: str | None = None) -> HTML:
    """A plain HTML table; cells are escaped text."""
    head = "".join(f"<th style=\"text-align:left\">{escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td style=\"text-align:left\">{escape(str(c))}</td>" for c in r) + "</tr>"
                   for r in rows)
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return HTML(f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>",
                f"table: {len(rows)} rows")
