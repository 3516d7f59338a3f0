"""Storage drivers side by side: one row per driver with the size docker reports (logical) and
the bytes its backing store really holds (physical), drawn as bars.

:func:`driver_bars` is a pure function from rows (plain values, e.g. the
:class:`~layerlab.widgets.drivers.DriverResult` rows of a comparison) to an SVG string with a
``viewBox`` and ``width="100%"``, so it scales to the notebook's width. Every bar shares one
scale, so a bar ten times as long is ten times as many bytes.

>>> from layerlab.render.drivers import BarRow, driver_bars
>>> svg = driver_bars([BarRow("overlay2", "whole file", "4.19MB", 32768, 4239360),
...                    BarRow("btrfs", "4 KiB blocks", "4.19MB", 0, 4096)], title="append")
>>> svg.startswith('<svg') and 'width="100%"' in svg and 'viewBox="0 0 900 ' in svg
True
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence
from xml.sax.saxutils import escape

from ..units import human_size_with_precision
from .svg import FONT, SANS, _t

__all__ = ["BarRow", "driver_bars", "bytes_text", "BAR_COLORS"]

BAR_COLORS = {"file": "#ef6c00", "block": "#1565c0", "none": "#c62828", "before": "#bdbdbd",
              "text": "#212121", "muted": "#757575", "removed": "#9e9e9e"}

WIDTH = 900
ROW = 34
LEFT = 150          # driver name column
UNIT_W = 120        # copy-on-write unit column
SIZE_W = 110        # logical size column
BAR_X = LEFT + UNIT_W + SIZE_W
BAR_W = WIDTH - BAR_X - 110


@dataclass(frozen=True)
class BarRow:
    """One driver's numbers: ``physical`` bytes in its backing store, of which ``before`` were
    already there before the workload ran (a new container's own layers)."""

    driver: str
    cow_unit: str                  # "whole file", "4 KiB blocks", "none (full copies)"
    logical: str                   # what docker prints (ps -s SIZE, or images SIZE)
    before: int
    physical: int
    cow: str = "file"              # "file", "block" or "none": the bar's colour
    note: str = ""                 # e.g. "removed in Engine 25"


def bytes_text(n: int) -> str:
    """Bytes for a label, as docker prints sizes: 3 significant digits (``4.24MB``, ``4.1kB``)."""
    return ("-" if n < 0 else "") + human_size_with_precision(abs(n), 3)


def driver_bars(rows: Sequence[BarRow], *, title: str = "", subtitle: str = "",
                physical_label: str = "on disk") -> str:
    """An SVG: per driver its name, copy-on-write unit, logical size, and a bar of its
    physical bytes (grey: there before the workload; colour: what the workload added)."""
    C = BAR_COLORS
    biggest = max([r.physical for r in rows] + [r.before for r in rows] + [1])
    top = 56 if subtitle else 40
    height = top + ROW * len(rows) + 44
    parts = []
    if title:
        parts.append(f'<text x="10" y="18" font-size="14" font-weight="bold" {SANS} fill="{C["text"]}">'
                     f'{escape(title)}</text>')
    if subtitle:
        parts.append(f'<text x="10" y="36" font-size="11" {SANS} fill="{C["muted"]}">{escape(subtitle)}</text>')
    hy = top - 6
    for x, label in ((10, "driver"), (LEFT, "copy-on-write unit"), (LEFT + UNIT_W, "SIZE docker shows"),
                     (BAR_X, f"bytes {physical_label} (one scale for every bar)")):
        parts.append(f'<text x="{x}" y="{hy}" font-size="10" {SANS} fill="{C["muted"]}">{escape(label)}</text>')
    for i, r in enumerate(rows):
        y = top + i * ROW
        colour = C.get(r.cow, C["file"])
        name_fill = C["removed"] if "removed" in r.note else C["text"]
        parts.append(f'<g class="driver-row" data-driver="{escape(r.driver)}">')
        parts.append(f'<rect x="4" y="{y}" width="{WIDTH - 8}" height="{ROW - 4}" rx="4" '
                     f'fill="{"#fafafa" if i % 2 else "#ffffff"}" stroke="#eeeeee"/>')
        parts.append(f'<text x="10" y="{y + 14}" font-size="12" font-weight="bold" {FONT} fill="{name_fill}">'
                     f'{escape(r.driver)}</text>')
        if r.note:
            parts.append(f'<text x="10" y="{y + 26}" font-size="9" {SANS} fill="{C["muted"]}">{escape(r.note)}</text>')
        parts.append(f'<text x="{LEFT}" y="{y + 19}" font-size="11" {SANS} fill="{C["text"]}">{escape(r.cow_unit)}</text>')
        parts.append(f'<text x="{LEFT + UNIT_W}" y="{y + 19}" font-size="11" {FONT} fill="{C["text"]}">'
                     f'{escape(r.logical.split(" (virtual")[0])}</text>')
        w_before = BAR_W * min(r.before, r.physical) / biggest
        w_all = BAR_W * r.physical / biggest
        added = max(0, r.physical - r.before)
        if w_before > 0:
            parts.append(f'<rect class="bar-before" x="{BAR_X}" y="{y + 7}" width="{_t(max(w_before, 1))}" height="16" '
                         f'fill="{C["before"]}"><title>{escape(f"{r.before:,} bytes before the workload")}</title></rect>')
        if added:
            parts.append(f'<rect class="bar-added" x="{_t(BAR_X + w_before)}" y="{y + 7}" '
                         f'width="{_t(max(w_all - w_before, 1.5))}" height="16" fill="{colour}">'
                         f'<title>{escape(f"{added:,} bytes written by the workload")}</title></rect>')
        parts.append(f'<text x="{_t(BAR_X + BAR_W + 8)}" y="{y + 19}" font-size="11" font-weight="bold" {FONT} '
                     f'fill="{C["text"]}">{escape(bytes_text(r.physical))}</text>')
        parts.append("</g>")
    ly = top + ROW * len(rows) + 14
    legend = [(C["before"], "already on disk before the workload"), (C["file"], "added: whole files copied"),
              (C["block"], "added: only changed blocks"), (C["none"], "added: no copy-on-write")]
    x = 10
    for fill, label in legend:
        parts.append(f'<rect x="{x}" y="{ly}" width="14" height="10" fill="{fill}"/>'
                     f'<text x="{x + 18}" y="{ly + 9}" font-size="10" {SANS} fill="{C["muted"]}">{escape(label)}</text>')
        x += 30 + len(label) * 5.6
    label = (title + ": " if title else "") + "; ".join(f"{r.driver} {bytes_text(r.physical)}" for r in rows)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="layerlab-driver-bars" width="100%" '
            f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(label, {chr(34): "&quot;"})}">'
            + "".join(parts) + "</svg>")
