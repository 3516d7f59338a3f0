"""docker CLI display helpers: ``Ellipsis``, ``TruncateID`` and the
``--format`` machinery of ``formatter.Context`` (table vs. raw templates).

Sources: docker/cli ``cli/command/formatter/displayutils.go`` (Ellipsis),
``formatter.go`` (``Context.preFormat``/``postFormat``/``Write``),
``custom.go`` (``SubHeaderContext``), and moby
``client/pkg/stringid/stringid.go`` (``TruncateID``).
"""

from __future__ import annotations

import unicodedata
from typing import Any, Iterable

from .gotemplate import HEADER_FUNCS, StrMap, Template, TemplateError
from .tabwriter import TabWriter

__all__ = [
    "ELLIPSIS",
    "char_width",
    "display_width",
    "ellipsis",
    "truncate_id",
    "HeaderContext",
    "pre_format",
    "is_table",
    "format_table",
    "TABLE_FORMAT_KEY",
    "JSON_FORMAT",
]

ELLIPSIS = "\u2026"
TABLE_FORMAT_KEY = "table"
JSON_FORMAT = "{{json .}}"


def char_width(ch: str) -> int:
    """displayutils ``charWidth``: 2 for East Asian Wide/Fullwidth runes
    (``golang.org/x/text/width``), else 1 — combining marks and control
    characters count 1 here, unlike the tabwriter's runewidth."""
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(s: str) -> int:
    """Sum of :func:`char_width` over the runes of ``s``."""
    return sum(char_width(c) for c in s)


def ellipsis(s: str, max_width: int) -> str:
    """docker/cli ``formatter.Ellipsis``.

    Cut ``s`` to fit ``max_width`` display columns and append ``…``: the
    result is the longest prefix of width <= ``max_width - 1`` plus ``…``.
    Rules kept from Go, including its corner cases:

    * ``max_width <= 0`` gives ``""``; ``max_width == 1`` gives the first
      rune, whatever its width, with no ``…`` (Go panics on an empty
      string there; this returns ``""``).
    * pure-ASCII strings: unchanged if ``len(s) <= max_width``, else the
      first ``max_width - 1`` chars plus ``…``.
    * if the first rune alone is wider than ``max_width - 1`` no cut point
      exists and ``s`` is returned unchanged (e.g. ``ellipsis("日本", 2)``).

    ``docker history`` uses width 45 for CREATED BY, ``docker ps`` 20 for
    COMMAND (before quoting).
    """
    if max_width <= 0:
        return ""
    if max_width == 1:
        return s[:1]
    if s.isascii():
        if len(s) <= max_width:
            return s
        return s[: max_width - 1] + ELLIPSIS
    display = []
    total = 0
    for c in s:
        total += char_width(c)
        display.append(total)
    if total <= max_width:
        return s
    for i in range(len(display) - 1):
        if display[i] <= max_width - 1 < display[i + 1]:
            return s[: i + 1] + ELLIPSIS
    return s


def truncate_id(id_: str) -> str:
    """moby ``stringid.TruncateID``: drop everything up to the first ``:``
    (e.g. ``sha256:``), then keep at most 12 characters.  ``<missing>`` and
    other short strings come back unchanged."""
    i = id_.find(":")
    if i >= 0:
        id_ = id_[i + 1 :]
    return id_[:12]


class HeaderContext(StrMap):
    """docker/cli ``SubHeaderContext`` (``map[string]string`` of field name
    to column header), including its ``Label`` method so that a header for
    ``{{.Label "com.example.ver-sion"}}`` renders as ``ver sion``."""

    def Label(self, name: str) -> str:  # noqa: N802 - Go method name
        last = name.split(".")[-1]
        return last.replace("-", " ").replace("_", " ")


def is_table(fmt: str) -> bool:
    """``Format.IsTable``: a plain prefix test, so ``"tablefoo"`` counts."""
    return fmt.startswith(TABLE_FORMAT_KEY)


def pre_format(fmt: str) -> str:
    """``Context.preFormat``: the template text docker actually parses.

    Strip a leading ``table``; ``json`` becomes ``{{json .}}``; trim
    spaces (only ``' '``) from both ends; replace the two-character
    sequences ``\\t`` and ``\\n`` with a real tab / newline.
    """
    final = fmt
    if is_table(fmt):
        final = final[len(TABLE_FORMAT_KEY):]
    elif fmt == "json":
        final = JSON_FORMAT
    final = final.strip(" ")
    return final.replace("\\t", "\t").replace("\\n", "\n")


def format_table(fmt: str, rows: Iterable[Any], headers: dict[str, str] | None = None,
                 minwidth: int = 10, tabwidth: int = 1, padding: int = 3,
                 funcs: dict | None = None) -> str:
    """Render ``rows`` with a docker ``--format`` string, like
    ``formatter.Context.Write``.

    * Each row is the template executed against that row, followed by
      ``"\\n"``.  Any error aborts the whole output (docker prints nothing)
      and raises :class:`TemplateError` with docker's text
      ``template parsing error: template: ...``.
    * Table formats (``table ...``) first render a header by executing the
      same template against ``headers`` (a ``map[string]string`` of field
      name to column title) with docker's ``HeaderFunctions`` (``json``,
      ``upper`` … return their argument unchanged).  Header errors are
      ignored by docker: whatever was produced before the error is kept.
      Header + ``"\\n"`` + rows then go through the tabwriter
      (``NewWriter(out, 10, 1, 3, ' ', 0)``).  The header line is printed
      even when there are no rows.
    * Other formats print the rows as they are, no alignment.

    ``funcs`` replaces the template functions (the CLI's ``json`` marshals its contexts).
    """
    final = pre_format(fmt)
    try:
        tmpl = Template(final, "", funcs)
    except TemplateError as e:
        raise TemplateError(f"template parsing error: {e}") from None
    body: list[str] = []
    for row in rows:
        try:
            body.append(tmpl.execute(row))
        except TemplateError as e:
            raise TemplateError(f"template parsing error: {e}", e.partial) from None
        body.append("\n")
    if not is_table(fmt):
        return "".join(body)
    header_ctx = headers if isinstance(headers, HeaderContext) else HeaderContext(headers or {})
    try:
        header = tmpl.with_funcs(HEADER_FUNCS).execute(header_ctx)
    except TemplateError as e:
        header = e.partial
    tw = TabWriter(minwidth, tabwidth, padding, " ", 0)
    tw.write(header)
    tw.write("\n")
    tw.write("".join(body))
    return tw.flush()
