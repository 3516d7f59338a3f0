"""Port of the tabwriter docker CLI uses for its tables.

docker/cli ships its own copy of Go's ``text/tabwriter``
(``cli/command/formatter/tabwriter/tabwriter.go``) that differs from the
standard library in one way: cell widths are terminal display widths from
``github.com/mattn/go-runewidth`` ``StringWidth`` (East Asian wide runes
count 2, combining marks 0, grapheme clusters count once) instead of
``utf8.RuneCount``.  ``formatter.Context.postFormat`` creates it as
``tabwriter.NewWriter(output, 10, 1, 3, ' ', 0)``: minwidth 10, tabwidth 1,
padding 3, pad with spaces, no flags.

The elastic-tabstop rules reproduced here (Go ``format``/``writeLines``):

* a cell is text terminated by ``\\t`` (or ``\\v``); the text after the last
  tab of a line is a cell too but never part of a column and is never padded;
* a *column block* is a run of consecutive lines that all have a cell in
  that column; its width is ``max(minwidth, max(cell width) + padding)``;
* a line with fewer cells ends the block, so the same column index can have
  different widths above and below such a line;
* a line ending in a tab has an empty last cell: the cell before it is
  padded (trailing spaces appear, as in ``docker context ls``).
"""

from __future__ import annotations

import unicodedata

__all__ = [
    "TabWriter",
    "tabulate",
    "rune_width",
    "string_width",
    "DISCARD_EMPTY_COLUMNS",
    "ALIGN_RIGHT",
    "DEBUG",
]

# Flags (Go text/tabwriter); only the ones that affect plain text are kept.
ALIGN_RIGHT = 1 << 2
DISCARD_EMPTY_COLUMNS = 1 << 3
TAB_INDENT = 1 << 4
DEBUG = 1 << 5

# ---------------------------------------------------------------------------
# go-runewidth (v0.0.16, EastAsianWidth=false i.e. a non-CJK locale)
# ---------------------------------------------------------------------------

_NONPRINT = (
    (0x0000, 0x001F), (0x007F, 0x009F), (0x00AD, 0x00AD), (0x070F, 0x070F),
    (0x180B, 0x180E), (0x200B, 0x200F), (0x2028, 0x202E), (0x206A, 0x206F),
    (0xD800, 0xDFFF), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0xFFFE, 0xFFFF),
)


def _in_ranges(r: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= r <= hi for lo, hi in ranges)


def _is_variation_selector(r: int) -> bool:
    return 0xFE00 <= r <= 0xFE0F or 0xE0100 <= r <= 0xE01EF or 0x180B <= r <= 0x180D


def rune_width(ch: str) -> int:
    """go-runewidth ``RuneWidth`` for a non-CJK locale.

    0 for C0/C1 controls, soft hyphen and the ``nonprint`` table, and for
    nonspacing/enclosing marks (``Mn``/``Me``) and variation selectors; 2 for
    East Asian Wide/Fullwidth; 1 otherwise (ambiguous-width runes such as
    ``…`` count 1).  Tables come from Python's ``unicodedata`` (Unicode 14/15)
    rather than go-runewidth's generated tables, so very new code points
    may differ.
    """
    r = ord(ch)
    if r < 0x20:
        return 0
    if 0x7F <= r <= 0x9F or r == 0xAD:
        return 0
    if r < 0x300:
        return 1
    eaw = unicodedata.east_asian_width(ch)
    if eaw == "Na":
        return 1
    if _in_ranges(r, _NONPRINT):
        return 0
    if unicodedata.category(ch) in ("Mn", "Me") or _is_variation_selector(r):
        return 0
    if eaw in ("W", "F"):
        return 2
    return 1


def _extends_cluster(prev: str, ch: str) -> bool:
    """Simplified UAX #29 grapheme rule: does ``ch`` continue the cluster?

    Covers the cases that change a width sum: combining and spacing marks,
    ZWJ sequences, variation selectors, emoji modifiers, regional-indicator
    pairs (handled by the caller) and CR LF.
    """
    r = ord(ch)
    if prev == "\r" and ch == "\n":
        return True
    if prev in "\r\n" or ch in "\r\n":
        return False
    if r == 0x200D or _is_variation_selector(r) or 0x1F3FB <= r <= 0x1F3FF:
        return True
    if 0xE0020 <= r <= 0xE007F:  # emoji tag characters
        return True
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Me", "Mc"):
        return True
    if ord(prev) == 0x200D and cat == "So":  # ZWJ + pictograph
        return True
    # Hangul jamo: L+(L|V|LV|LVT), (LV|V)+(V|T), (LVT|T)+T
    p = ord(prev)
    is_l = lambda x: 0x1100 <= x <= 0x115F or 0xA960 <= x <= 0xA97C  # noqa: E731
    is_v = lambda x: 0x1160 <= x <= 0x11A7 or 0xD7B0 <= x <= 0xD7C6  # noqa: E731
    is_t = lambda x: 0x11A8 <= x <= 0x11FF or 0xD7CB <= x <= 0xD7FB  # noqa: E731
    is_syl = 0xAC00 <= p <= 0xD7A3
    lv = is_syl and (p - 0xAC00) % 28 == 0
    if is_l(p) and (is_l(r) or is_v(r) or 0xAC00 <= r <= 0xD7A3):
        return True
    if (lv or is_v(p)) and (is_v(r) or is_t(r)):
        return True
    if ((is_syl and not lv) or is_t(p)) and is_t(r):
        return True
    return False


def _graphemes(s: str) -> list[str]:
    clusters: list[str] = []
    ri_run = 0
    for ch in s:
        is_ri = 0x1F1E6 <= ord(ch) <= 0x1F1FF
        if clusters and is_ri and ri_run % 2 == 1:
            clusters[-1] += ch
            ri_run += 1
            continue
        if clusters and not is_ri and _extends_cluster(clusters[-1][-1], ch):
            clusters[-1] += ch
            continue
        clusters.append(ch)
        ri_run = ri_run + 1 if is_ri else 0
    return clusters


def string_width(s: str) -> int:
    """go-runewidth ``StringWidth``: per grapheme cluster, the width of its
    first rune of non-zero width (so a ZWJ emoji sequence counts once)."""
    if s.isascii():
        return sum(1 for c in s if 0x20 <= ord(c) < 0x7F)
    width = 0
    for cluster in _graphemes(s):
        w = 0
        for ch in cluster:
            w = rune_width(ch)
            if w > 0:
                break
        width += w
    return width


# ---------------------------------------------------------------------------
# The writer (Go text/tabwriter, docker/cli fork)
# ---------------------------------------------------------------------------


class _Cell:
    __slots__ = ("text", "width", "htab")

    def __init__(self, text: str, width: int, htab: bool) -> None:
        self.text = text
        self.width = width
        self.htab = htab


class TabWriter:
    """A line-buffering port of Go's ``tabwriter.Writer`` without HTML
    filtering or Escape handling (docker uses neither).

    ``write()`` may be called with any chunks of text; ``flush()`` returns
    everything formatted so far.  ``\\f`` forces a flush like in Go; a line
    with a single cell (no tab) also flushes, which cannot change the
    output since such a line ends every column block.
    """

    def __init__(
        self,
        minwidth: int = 10,
        tabwidth: int = 1,
        padding: int = 3,
        padchar: str = " ",
        flags: int = 0,
        width_func=string_width,
    ) -> None:
        if minwidth < 0 or tabwidth < 0 or padding < 0:
            raise ValueError("negative minwidth, tabwidth, or padding")
        self.minwidth = minwidth
        self.tabwidth = tabwidth
        self.padding = padding
        self.padchar = padchar
        if padchar == "\t":
            flags &= ~ALIGN_RIGHT  # tab padding enforces left-alignment
        self.flags = flags
        self._width = width_func
        self._out: list[str] = []
        self._reset()

    # -- state -------------------------------------------------------------
    def _reset(self) -> None:
        self._cell_text: list[str] = []
        self._lines: list[list[_Cell]] = [[]]
        self._widths: list[int] = []

    def _terminate_cell(self, htab: bool) -> int:
        text = "".join(self._cell_text)
        self._lines[-1].append(_Cell(text, self._width(text), htab))
        self._cell_text = []
        return len(self._lines[-1])

    # -- output ------------------------------------------------------------
    def _write_padding(self, textw: int, cellw: int, use_tabs: bool) -> None:
        if self.padchar == "\t" or use_tabs:
            if self.tabwidth == 0:
                return  # tabs have no width - can't do any padding
            cellw = (cellw + self.tabwidth - 1) // self.tabwidth * self.tabwidth
            n = cellw - textw
            if n < 0:
                raise AssertionError("internal error")
            self._out.append("\t" * ((n + self.tabwidth - 1) // self.tabwidth))
            return
        self._out.append(self.padchar * (cellw - textw))

    def _write_lines(self, line0: int, line1: int) -> None:
        for i in range(line0, line1):
            line = self._lines[i]
            use_tabs = bool(self.flags & TAB_INDENT)
            for j, c in enumerate(line):
                if j > 0 and self.flags & DEBUG:
                    self._out.append("|")
                if not c.text:
                    if j < len(self._widths):
                        self._write_padding(c.width, self._widths[j], use_tabs)
                else:
                    use_tabs = False
                    if not self.flags & ALIGN_RIGHT:
                        self._out.append(c.text)
                        if j < len(self._widths):
                            self._write_padding(c.width, self._widths[j], False)
                    else:
                        if j < len(self._widths):
                            self._write_padding(c.width, self._widths[j], False)
                        self._out.append(c.text)
            if i + 1 == len(self._lines):
                # last buffered line: no newline, write the incomplete cell
                self._out.append("".join(self._cell_text))
            else:
                self._out.append("\n")

    def _format(self, line0: int, line1: int) -> None:
        column = len(self._widths)
        this = line0
        while this < line1:
            line = self._lines[this]
            if column >= len(line) - 1:
                this += 1
                continue
            # cell exists in this column => this line has more cells than the
            # previous line; print unprinted lines until beginning of block
            self._write_lines(line0, this)
            line0 = this
            # column block begin
            width = self.minwidth
            discardable = True
            while this < line1:
                line = self._lines[this]
                if column >= len(line) - 1:
                    break
                c = line[column]
                width = max(width, c.width + self.padding)
                if c.width > 0 or c.htab:
                    discardable = False
                this += 1
            # column block end
            if discardable and self.flags & DISCARD_EMPTY_COLUMNS:
                width = 0
            self._widths.append(width)
            self._format(line0, this)
            self._widths.pop()
            line0 = this
        self._write_lines(line0, line1)

    def _flush_internal(self) -> None:
        if self._cell_text and "".join(self._cell_text):
            self._terminate_cell(False)
        self._format(0, len(self._lines))
        self._reset()

    # -- public API --------------------------------------------------------
    def write(self, text: str) -> None:
        """Go ``Writer.Write``: split ``text`` into cells and lines."""
        start = 0
        for i, ch in enumerate(text):
            if ch in "\t\v\n\f":
                self._cell_text.append(text[start:i])
                start = i + 1
                ncells = self._terminate_cell(ch == "\t")
                if ch in "\n\f":
                    self._lines.append([])
                    if ch == "\f" or ncells == 1:
                        self._flush_internal()
                        if ch == "\f" and self.flags & DEBUG:
                            self._out.append("---\n")
        self._cell_text.append(text[start:])

    def flush(self) -> str:
        """Go ``Writer.Flush``; returns (and clears) the formatted output."""
        self._flush_internal()
        out = "".join(self._out)
        self._out = []
        return out


def tabulate(
    lines: list[str] | str,
    minwidth: int = 10,
    tabwidth: int = 1,
    padding: int = 3,
    padchar: str = " ",
    flags: int = 0,
) -> str:
    """Format tab-separated text exactly as docker's tabwriter would.

    ``lines`` is either one string (newlines included, as written to the
    writer) or a list of lines, which are joined with ``"\\n"`` and given a
    final newline, like the rows docker's formatter writes.  Defaults are
    docker's ``NewWriter(out, 10, 1, 3, ' ', 0)``.
    """
    text = lines if isinstance(lines, str) else "".join(line + "\n" for line in lines)
    w = TabWriter(minwidth, tabwidth, padding, padchar, flags)
    w.write(text)
    return w.flush()
