"""A picture of copy-on-write: the image layers, the writable layer and the merged view of one
directory, side by side, one row per path.

:func:`cow_rows` computes the grid from values (an image and a container's root filesystem);
:func:`cow_grid` draws it as SVG. Columns, left to right: every image layer that has something
under the watched directory (bottom layer first, as the stack is built), the container's
writable layer, and the merged view the container's processes see. A cell says what that level
holds at that path:

* ``file 647B`` / ``dir`` / ``link -> x`` in an image layer; greyed out and marked *hidden*
  when a level above shadows it (a newer copy, a whiteout, an opaque directory);
* in the writable layer: ``copied up 647B`` (a file that also exists in an image layer: its
  whole content is here now), ``new 12B``, ``whiteout`` (overlay2 writes a character device
  0:0, a layer tar a ``.wh.<name>`` file), ``dir, opaque`` (``trusted.overlay.opaque=y``, a
  layer tar's ``.wh..wh..opq``), or ``dir`` (a parent directory copied up, metadata only);
* in the merged view: where the visible version comes from, or ``deleted``.

>>> from layerlab import Engine
>>> eng = Engine()
>>> img = eng.build('FROM busybox\\nCOPY site/ /srv/\\n', {'site/a.txt': 'hi\\n'}, tag='s').image
>>> c = eng.run('s', ['sleep', '60'], detach=True, name='cw')
>>> _ = eng.exec('cw', ['sh', '-c', 'echo more >> /srv/a.txt'])
>>> [(r.path, r.cells[-2].text, r.cells[-1].text) for r in cow_rows(img, c.rootfs, '/srv').rows]
[('/srv', 'dir (copied up)', 'dir'), ('/srv/a.txt', 'copied up 8B', '8B (writable)')]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable
from xml.sax.saxutils import escape

from ..fs.rootfs import MergedView
from ..fs.tree import DIR, SYMLINK
from .stack import instruction_text
from .svg import FONT, SANS, size_text

__all__ = ["Cell", "Row", "Grid", "cow_rows", "cow_grid", "COW_COLORS"]

COW_COLORS = {
    "lower": ("#e3f2fd", "#1565c0"), "upper": ("#fff3e0", "#ef6c00"), "merged": ("#e8f5e9", "#2e7d32"),
    "whiteout": ("#ffebee", "#c62828"), "opaque": ("#f3e5f5", "#6a1b9a"), "hidden": ("#fafafa", "#9e9e9e"),
    "deleted": ("#ffebee", "#c62828"), "dir": ("#ffffff", "#616161"), "new": ("#fff8e1", "#ef6c00"),
}


@dataclass(frozen=True)
class Cell:
    text: str = ""
    style: str = ""        # a key of COW_COLORS, or "" for an empty cell


@dataclass(frozen=True)
class Row:
    path: str
    cells: tuple[Cell, ...]
    changed: bool = False


@dataclass
class Grid:
    columns: list[tuple[str, str]]       # (heading, sub-heading)
    rows: list[Row]
    others: int = 0                      # image layers with nothing under the watched directory
    watch: str = "/"
    notes: list[str] = field(default_factory=list)


def _under(path: str, top: str) -> bool:
    return top == "/" or path == top or path.startswith(top.rstrip("/") + "/")


def _describe(node) -> str:
    if node.kind == DIR:
        return "dir"
    if node.kind == SYMLINK:
        return f"link -> {node.target}"
    return f"file {size_text(node.size)}"


def _sort_key(path: str) -> tuple[str, ...]:
    return tuple(path.split("/"))


def cow_rows(image, rootfs, watch: str = "/", *, changed: Iterable[str] = ()) -> Grid:
    """The grid for ``rootfs`` (a container's :class:`~layerlab.fs.rootfs.RootFS`) on ``image``,
    limited to paths under ``watch``. ``changed`` marks rows to highlight."""
    layers = list(image.layers)                        # bottom first
    shown = [i for i, l in enumerate(layers)
             if any(_under(p, watch) for p in (*l.entries, *l.whiteouts, *l.opaques))]
    upper = rootfs.upper
    # provenance: the writable layer over every image layer, upper-most first
    view = MergedView([upper, *reversed(layers)])
    n = len(layers)

    def view_index(layer_index: int) -> int:      # image layer index -> view level
        return n - layer_index

    paths: set[str] = set()
    for i in shown:
        l = layers[i]
        paths.update(p for p in (*l.entries, *l.whiteouts) if _under(p, watch))
    paths.update(p for p in (*upper.entries, *upper.whiteouts) if _under(p, watch))
    try:
        paths.update(p for p, _ in rootfs.walk(watch))
    except OSError:
        pass
    found = {}
    for p in paths:
        try:
            found[p] = view.find(p, follow=False)[1]
        except OSError:
            found[p] = None
    changed = set(changed)

    rows: list[Row] = []
    for p in sorted(paths, key=_sort_key):
        f = found[p]
        cells: list[Cell] = []
        for i in shown:
            l = layers[i]
            v = view_index(i)
            node = l.entries.get(p)
            visible = f is not None and (f.level == v or (f.node.kind == DIR and node is not None
                                                          and node.kind == DIR and f.level < v < f.limit))
            if node is not None:
                text = _describe(node) + (", opaque" if p in l.opaques else "")
                if visible:
                    cells.append(Cell(text, "dir" if node.kind == DIR else "lower"))
                else:
                    cells.append(Cell(text + " (hidden)", "hidden"))
            elif p in l.whiteouts:
                cells.append(Cell("whiteout", "whiteout"))
            else:
                cells.append(Cell())
        node = upper.entries.get(p)
        if node is not None:
            if node.kind == DIR:
                if p in upper.opaques:
                    text, style = "dir, opaque", "opaque"
                elif rootfs.lower.lookup(p) is not None:
                    text, style = "dir (copied up)", "dir"
                else:
                    text, style = "new dir", "new"
            elif rootfs.lower.lookup(p) is not None:
                text, style = f"copied up {size_text(node.size)}", "upper"
            else:
                text = "new " + (f"link -> {node.target}" if node.kind == SYMLINK else size_text(node.size))
                style = "new"
            cells.append(Cell(text, style))
        elif p in upper.whiteouts:
            cells.append(Cell("whiteout", "whiteout"))
        else:
            cells.append(Cell())
        if f is None:
            if rootfs.lower.lookup(p) is not None:
                cells.append(Cell("deleted", "deleted"))
            elif _lower_has(layers, p):
                cells.append(Cell("deleted in the image", "deleted"))
            else:
                cells.append(Cell())
        else:
            src = "writable" if f.level == 0 else f"layer {n - f.level + 1}"
            what = "dir" if f.node.kind == DIR else ("link" if f.node.kind == SYMLINK else size_text(f.node.size))
            cells.append(Cell(what if f.node.kind == DIR else f"{what} ({src})", "dir" if f.node.kind == DIR else "merged"))
        rows.append(Row(p, tuple(cells), p in changed))
    columns = []
    for i in shown:
        h = _history_for(image, i)
        columns.append((f"image layer {i + 1}", h))
    columns.append(("writable layer", "this container only"))
    columns.append(("merged view", "what the container sees"))
    return Grid(columns, rows, others=n - len(shown), watch=watch)


def _lower_has(layers, p: str) -> bool:
    return any(p in l.entries for l in layers)


def _history_for(image, index: int) -> str:
    """The instruction that made image layer ``index`` (bottom = 0)."""
    li = 0
    for h in image.history:
        if h.empty_layer:
            continue
        if li == index:
            return instruction_text(h.created_by)
        li += 1
    return ""


ROW_H = 24
HEAD_H = 46
PATH_W = 180
WIDTH = 1000
CHAR_W = 7.3


def _clip(text: str, width: float) -> str:
    n = max(4, int(width / CHAR_W))
    return text if len(text) <= n else text[: n - 1] + "…"


def cow_grid(grid: Grid, *, size_line: str = "") -> str:
    """The grid as an SVG string (viewBox, ``width="100%"``), class ``layerlab-cow``."""
    ncol = len(grid.columns)
    col_w = (WIDTH - PATH_W - 10) / max(ncol, 1)
    top = HEAD_H + 8
    height = top + ROW_H * max(len(grid.rows), 1) + 54
    parts: list[str] = []
    watch_label = grid.watch if grid.watch == "/" else grid.watch.rstrip("/") + "/"
    parts.append(f'<text x="6" y="18" font-size="13" font-weight="bold" {SANS}>{escape(_clip(watch_label, PATH_W - 12))}</text>')
    if grid.others:
        parts.append(f'<text x="6" y="36" font-size="11" fill="#757575" {SANS}>'
                     f'(+{grid.others} layer{"s" if grid.others != 1 else ""} with nothing here)</text>')
    kinds = ["lower"] * (ncol - 2) + ["upper", "merged"]
    for j, ((head, sub), kind) in enumerate(zip(grid.columns, kinds)):
        x = PATH_W + j * col_w
        fill, stroke = COW_COLORS[kind]
        parts.append(f'<rect x="{x + 2:.1f}" y="2" width="{col_w - 4:.1f}" height="{HEAD_H}" rx="5" '
                     f'fill="{fill}" stroke="{stroke}"/>')
        parts.append(f'<text x="{x + 8:.1f}" y="19" font-size="13" font-weight="bold" fill="{stroke}" {SANS}>'
                     f'{escape(_clip(head, col_w - 12))}</text>')
        parts.append(f'<text x="{x + 8:.1f}" y="36" font-size="11" fill="#424242" {FONT}>'
                     f'{escape(_clip(sub, col_w - 12))}</text>')
    for r, row in enumerate(grid.rows):
        y = top + r * ROW_H
        if row.changed:
            parts.append(f'<rect class="changed" x="0" y="{y}" width="{WIDTH}" height="{ROW_H}" fill="#fff59d" opacity="0.6"/>')
        rel = row.path[len(grid.watch.rstrip("/")):] if grid.watch != "/" else row.path
        depth = rel.count("/") - 1 if rel else 0
        name = (row.path.rsplit("/", 1)[-1] or "/")
        is_dir = any(c.text.startswith("dir") for c in row.cells) or not rel
        label = name + ("/" if is_dir and not name.endswith("/") else "")
        parts.append(f'<text x="{6 + 14 * max(depth, 0)}" y="{y + 16}" font-size="13" {FONT}>'
                     f'<title>{escape(row.path)}</title>{escape(_clip(label, PATH_W - 10 - 14 * max(depth, 0)))}</text>')
        for j, cell in enumerate(row.cells):
            if not cell.style:
                continue
            x = PATH_W + j * col_w
            fill, stroke = COW_COLORS[cell.style]
            deco = ' text-decoration="line-through"' if cell.style == "hidden" else ""
            parts.append(f'<g class="cell {cell.style}"><rect x="{x + 4:.1f}" y="{y + 2}" width="{col_w - 8:.1f}" '
                         f'height="{ROW_H - 4}" rx="4" fill="{fill}" stroke="{stroke}"/>'
                         f'<text x="{x + 9:.1f}" y="{y + 16}" font-size="12" fill="{stroke}"{deco} {FONT}>'
                         f'{escape(_clip(cell.text, col_w - 16))}</text></g>')
        parts.append(f'<line x1="0" x2="{WIDTH}" y1="{y + ROW_H}" y2="{y + ROW_H}" stroke="#eeeeee"/>')
    if not grid.rows:
        parts.append(f'<text x="6" y="{top + 15}" font-size="12" fill="#757575" {SANS}>nothing under {escape(watch_label)}</text>')
    ly = height - 40
    x = 6
    for key, text in (("lower", "image file"), ("hidden", "hidden from above"), ("upper", "copied up (whole file)"),
                      ("new", "new"), ("whiteout", "whiteout"), ("opaque", "opaque dir"), ("merged", "visible")):
        fill, stroke = COW_COLORS[key]
        parts.append(f'<rect x="{x}" y="{ly}" width="14" height="14" rx="3" fill="{fill}" stroke="{stroke}"/>'
                     f'<text x="{x + 19}" y="{ly + 11}" font-size="12" {SANS}>{escape(text)}</text>')
        x += 34 + int(len(text) * 6.8)
    if size_line:
        parts.append(f'<text x="6" y="{height - 8}" font-size="13" font-weight="bold" {SANS}>{escape(size_line)}</text>')
    label = f"copy-on-write view of {grid.watch}: {len(grid.rows)} paths"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="layerlab-cow" width="100%" '
            f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(label)}">'
            + "".join(parts) + "</svg>")
