"""File trees with ``docker diff`` marks, and pictures of an image's efficiency: pure functions.

* :func:`layer_view` / :func:`container_view`: the merged file tree an image shows at one of
  its layers (or a container shows now), as :class:`TreeRow` values, each path marked ``A``,
  ``C`` or ``D`` when that layer (or the container's writable layer) added, changed or
  deleted it, with its size (a directory: the bytes of the files under it);
* :func:`tree_html`: those rows as an indented listing;
* :func:`efficiency_svg`: one bar per layer, its bytes still visible in blue and the bytes a
  later layer hides (wasted) in red;
* :func:`wasted_html`: the wasted-space table of an :class:`~layerlab.efficiency.Efficiency`.

Everything is deterministic, so a notebook that shows these re-executes to the same bytes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence
from xml.sax.saxutils import escape

from ..cli.format.textfmt import ellipsis
from ..fs.tree import DIR, ancestors, parent
from .svg import FONT, SANS, size_text

__all__ = ["TreeRow", "layer_view", "container_view", "tree_rows", "tree_html", "efficiency_svg",
           "wasted_html", "MARK_COLORS"]

MARK_COLORS = {"A": "#2e7d32", "C": "#ef6c00", "D": "#c62828", "": "#212121"}


@dataclass(frozen=True)
class TreeRow:
    path: str
    depth: int         # 0 for a child of /
    kind: str          # "file", "dir", "symlink", "char"
    size: int          # bytes (a directory: the files under it)
    mark: str = ""     # "A", "C", "D" or ""

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def tree_rows(entries: Mapping[str, object], marks: Mapping[str, str] | None = None,
              deleted: Mapping[str, object] | None = None, *, only_marked: bool = False,
              deleted_sizes: Mapping[str, int] | None = None) -> list[TreeRow]:
    """Pre-order rows (names sorted) of a tree given as ``{path: Node}`` (``/`` left out).

    ``marks``: ``{path: "A"|"C"}``; ``deleted``: ``{path: Node}`` of deleted paths, shown
    with ``D`` where they were, sized by ``deleted_sizes`` (default: a file's own size).
    ``only_marked``: keep marked paths and their parents only. A folder's size is the bytes of
    the files under it that are shown and present (deleted ones not included).
    """
    marks = dict(marks or {})
    deleted = dict(deleted or {})
    deleted_sizes = dict(deleted_sizes or {})
    nodes = {p: n for p, n in entries.items() if p != "/"}
    for p, n in deleted.items():
        nodes.setdefault(p, n)
        marks[p] = "D"
    if only_marked:
        keep = set()
        for p in marks:
            if p in nodes:
                keep.add(p)
                keep.update(a for a in ancestors(p) if a in nodes)
        nodes = {p: n for p, n in nodes.items() if p in keep}
    sizes: dict[str, int] = {}
    for p, n in nodes.items():
        if marks.get(p) == "D":          # what it held; not counted in the folders above (gone)
            sizes[p] = deleted_sizes.get(p, n.size if n.kind != DIR else 0)
        elif n.kind != DIR:
            s = n.size
            sizes[p] = s
            for a in ancestors(p):
                sizes[a] = sizes.get(a, 0) + s
    kids: dict[str, list[str]] = {}
    for p in nodes:
        kids.setdefault(parent(p), []).append(p)
    rows: list[TreeRow] = []
    stack = [(p, 0) for p in sorted(kids.get("/", ()), reverse=True)]
    while stack:
        p, depth = stack.pop()
        n = nodes[p]
        rows.append(TreeRow(p, depth, n.kind, sizes.get(p, 0), marks.get(p, "")))
        if n.kind == DIR and marks.get(p) != "D":
            stack.extend((c, depth + 1) for c in sorted(kids.get(p, ()), reverse=True))
    return rows


def layer_view(image, report, index: int, *, only_marked: bool = False) -> list[TreeRow]:
    """The merged tree of ``image`` at layer ``index`` (layers 0..index), marked with what
    that layer added (A), changed (C) and deleted (D). ``report``: ``Engine.efficiency``'s."""
    from ..fs.rootfs import FlatTree
    below = FlatTree.of(image.layers[:index])
    merged = FlatTree.of([image.layers[index]], base=below)
    lr = report.layers[index]
    marks = {p: "A" for p in lr.added}
    marks.update({p: "C" for p in lr.changed})
    deleted = {p: below.entries[p] for p in lr.deleted if p in below.entries}
    sizes = {p: _subtree_bytes(below.entries, p) for p in deleted}
    return tree_rows(merged.entries, marks, deleted, only_marked=only_marked, deleted_sizes=sizes)


def _subtree_bytes(entries: Mapping[str, object], top: str) -> int:
    """Bytes of the non-directories at ``top`` or under it (each path once)."""
    prefix = top + "/"
    return sum(n.size for p, n in entries.items() if (p == top or p.startswith(prefix)) and n.kind != DIR)


def container_view(engine, container: str, *, only_marked: bool = False) -> list[TreeRow]:
    """A container's file tree now, marked with its ``docker diff`` (A, C, D)."""
    c = engine.container(container)
    changes = engine.diff(container)
    entries = dict(c.rootfs.walk("/"))
    marks = {ch.path: ch.kind for ch in changes if ch.kind != "D"}
    deleted, sizes = {}, {}
    for ch in changes:
        if ch.kind == "D":
            node = c.rootfs.lower.lookup(ch.path)
            if node is not None:
                deleted[ch.path] = node
                sizes[ch.path] = (sum(n.size for _, n in c.rootfs.lower.walk(ch.path) if n.kind != DIR)
                                  if node.kind == DIR else node.size)
    return tree_rows(entries, marks, deleted, only_marked=only_marked, deleted_sizes=sizes)


def tree_html(rows: Sequence[TreeRow], *, limit: int = 400) -> str:
    """An indented listing: mark, size, name (directories end with ``/``); at most ``limit`` rows."""
    lines = []
    for r in rows[:limit]:
        color = MARK_COLORS.get(r.mark, MARK_COLORS[""])
        name = escape(r.name + ("/" if r.kind == "dir" else ""))
        if r.mark == "D":
            name = f"<s>{name}</s>"
        mark = f'<b style="color:{color}">{r.mark or "&nbsp;"}</b>'
        lines.append(f'<div class="row mark-{r.mark or "none"}" title="{escape(r.path)}">{mark} '
                     f'<span style="display:inline-block;width:6em;text-align:right;color:#616161">'
                     f'{size_text(r.size)}</span> {"&nbsp;" * (2 * r.depth)}'
                     f'<span style="color:{color}">{name}</span></div>')
    more = len(rows) - limit
    if more > 0:
        lines.append(f'<div class="more" style="color:#757575">… {more} more</div>')
    if not rows:
        lines.append('<div class="empty" style="color:#757575">(nothing to show)</div>')
    return ('<div class="layerlab-tree" style="font-family:ui-monospace,Menlo,Consolas,monospace;'
            'font-size:12px;line-height:1.35;max-height:28em;overflow:auto;white-space:nowrap">'
            + "".join(lines) + "</div>")


def efficiency_svg(report, selected: int | None = None, *, width: int = 900) -> str:
    """One bar per layer (base at the bottom): blue = bytes still visible at the top of the
    image, red = bytes a later layer hides (wasted); the selected layer is outlined."""
    rows = list(reversed(report.layers))
    row_h, label_w, size_w, top = 22, 330, 150, 30
    height = top + row_h * len(rows) + 10
    biggest = max((r.size for r in rows), default=0) or 1
    bar_w = width - label_w - size_w - 20
    parts = [f'<text x="10" y="18" font-size="13" font-weight="bold" {SANS} fill="#212121">'
             f'{escape(f"{len(rows)} layers, {size_text(report.image_size)}; wasted {size_text(report.wasted_bytes)};")}'
             f' efficiency score {report.score * 100:.2f} %</text>']
    for k, r in enumerate(rows):
        y = top + k * row_h
        sel = selected is not None and r.index == selected
        w_all = bar_w * r.size / biggest
        w_hidden = bar_w * min(r.hidden_bytes, r.size) / biggest
        label = escape(ellipsis(f"L{r.index}  {_short(r.created_by)}", 46))
        parts.append(
            f'<g class="layer{" selected" if sel else ""}"><title>{escape(r.created_by)}\n'
            f'layer {r.index}: {r.size} bytes; adds {len(r.added)}, changes {len(r.changed)}, '
            f'deletes {len(r.deleted)} paths; {r.hidden_bytes} bytes hidden by later layers</title>'
            f'<rect x="4" y="{y}" width="{width - 8}" height="{row_h - 3}" rx="3" '
            f'fill="{"#fffde7" if sel else "#ffffff"}" stroke="{"#f9a825" if sel else "#e0e0e0"}" '
            f'stroke-width="{2 if sel else 1}"/>'
            f'<text x="10" y="{y + 14}" font-size="11" {FONT} fill="#212121">{label}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w_all - w_hidden:.1f}" height="{row_h - 11}" fill="#1565c0" opacity="0.7"/>'
            f'<rect class="wasted" x="{label_w + w_all - w_hidden:.1f}" y="{y + 4}" width="{w_hidden:.1f}" '
            f'height="{row_h - 11}" fill="#c62828" opacity="0.8"/>'
            f'<text x="{width - 10}" y="{y + 14}" font-size="11" {FONT} text-anchor="end" fill="#212121">'
            f'{size_text(r.size)}{escape(f" ({size_text(r.hidden_bytes)} wasted)") if r.hidden_bytes else ""}</text></g>')
    aria = escape(f"{len(rows)} layers, {size_text(report.image_size)}, wasted {size_text(report.wasted_bytes)}",
                  {'"': "&quot;"})
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="layerlab-efficiency" width="100%" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{aria}">' + "".join(parts) + "</svg>")


def _short(created_by: str) -> str:
    """``RUN /bin/sh -c apk add x # buildkit`` -> ``RUN apk add x``; classic ``#(nop)`` forms too."""
    from .stack import instruction_text
    return instruction_text(created_by)


def wasted_html(report, *, limit: int = 15) -> str:
    """The wasted-space table: copies, bytes, path, reason; biggest first."""
    if not report.wasted:
        return '<div class="layerlab-wasted" style="color:#2e7d32">No wasted bytes: no layer hides a file of a layer below.</div>'
    head = "".join(f'<th style="text-align:{a}">{h}</th>' for h, a in
                   (("COUNT", "right"), ("WASTED", "right"), ("PATH", "left"), ("REASON", "left")))
    body = "".join(f'<tr><td style="text-align:right">{w.count}</td><td style="text-align:right">'
                   f'{size_text(w.wasted_bytes)}</td><td style="text-align:left"><code>{escape(w.path)}</code></td>'
                   f'<td style="text-align:left">{escape(w.reason)}</td></tr>' for w in report.wasted[:limit])
    more = len(report.wasted) - limit
    foot = (f'<div style="color:#757575">… and {more} more files ({size_text(sum(w.wasted_bytes for w in report.wasted[limit:]))})</div>'
            if more > 0 else "")
    return (f'<div class="layerlab-wasted"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
            f'{foot}</div>')
