"""Where a container's files live: the picture behind the mount explorer (Chapter 6).

Pure functions from plain data to SVG. The data comes from
:func:`layerlab.widgets.mounts.snapshot` (or a test): a list of :class:`TreeRow` (the
container's filesystem, mount points marked by type) and a list of :class:`Store` (each place
bytes can land: the writable layer, a volume, a host folder, memory).

>>> rows = [TreeRow(0, "/", "/", None, "layer", True), TreeRow(1, "data", "/data", "volume", "volume", True)]
>>> stores = [Store("volume", "volume appdata", "/var/lib/docker/volumes/appdata/_data", [("notes.txt", 6)])]
>>> svg = mount_map(rows, stores)
>>> svg.startswith("<svg") and 'width="100%"' in svg and "appdata" in svg
True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence
from xml.sax.saxutils import escape

from .svg import size_text

__all__ = ["KINDS", "TreeRow", "Store", "mount_map", "kind_label"]

# kind -> (fill, stroke, short label). Same colours as the course material's storage diagram.
KINDS = {
    "layer": ("#f5f5f5", "#757575", "writable layer"),
    "volume": ("#e8f5e9", "#2e7d32", "volume"),
    "bind": ("#e3f2fd", "#1565c0", "bind mount"),
    "tmpfs": ("#fff3e0", "#ef6c00", "tmpfs (memory)"),
    "image": ("#ffffff", "#9e9e9e", "image (read-only)"),
    "config": ("#ede7f6", "#5e35b1", "docker's per-container file"),
}


def kind_label(kind: str) -> str:
    return KINDS.get(kind, KINDS["layer"])[2]


@dataclass(frozen=True)
class TreeRow:
    """One line of the container's tree: ``mount`` is the mount type when this path is a mount
    point, ``lives`` where the entry's bytes are (``layer``, ``volume``, ``bind``, ``tmpfs``,
    or ``image`` for an unchanged image file)."""

    depth: int
    name: str
    path: str
    mount: str | None
    lives: str
    is_dir: bool
    note: str = ""          # e.g. the volume name or host path of a mount point
    size: int = 0
    read_only: bool = False
    highlight: bool = False


@dataclass(frozen=True)
class Store:
    """A place bytes land, with the files it holds now (relative path, size)."""

    kind: str
    title: str
    location: str
    files: Sequence[tuple[str, int]] = field(default_factory=tuple)
    gone: bool = False       # the store itself no longer exists (container or volume removed)
    note: str = ""


_ROW = 19
_W = 980
_TREE_W = 470


def _t(x: float) -> str:
    return f"{x:.0f}"


def _tree(rows: Sequence[TreeRow], title: str) -> tuple[str, float]:
    out = [f'<text x="8" y="18" font-size="14" font-weight="bold">{escape(title)}</text>']
    y = 34.0
    if not rows:
        out.append(f'<text x="16" y="{_t(y + 14)}" font-size="13" fill="#757575">(no container: it was removed)</text>')
        return "".join(out), y + 30
    for r in rows:
        x = 12 + 16 * r.depth
        fill, stroke, _ = KINDS.get(r.mount or r.lives, KINDS["layer"])
        if r.highlight:
            out.append(f'<rect x="4" y="{_t(y)}" width="{_TREE_W - 8}" height="{_ROW - 2}" fill="#fffde7" stroke="#fbc02d"/>')
        if r.mount:
            out.append(f'<rect x="{_t(x - 4)}" y="{_t(y + 1)}" width="{_TREE_W - x - 4}" height="{_ROW - 4}" '
                       f'rx="3" fill="{fill}" stroke="{stroke}"/>')
        name = r.name + ("/" if r.is_dir and r.name != "/" else "")
        colour = stroke if r.lives != "image" else "#424242"
        out.append(f'<text x="{_t(x)}" y="{_t(y + 13)}" font-size="12.5" font-family="monospace" fill="{colour}">'
                   f'{escape(name)}</text>')
        tag = ""
        if r.mount:
            tag = kind_label(r.mount) + (f": {r.note}" if r.note else "") + (" (ro)" if r.read_only else "")
        elif not r.is_dir and r.lives != "image":
            tag = f"{size_text(r.size)} in {kind_label(r.lives)}"
        if tag:
            if len(tag) > 44:
                tag = tag[:43] + "…"
            out.append(f'<text x="{_TREE_W - 10}" y="{_t(y + 13)}" font-size="11.5" text-anchor="end" '
                       f'fill="{stroke}">{escape(tag)}</text>')
        y += _ROW
    return "".join(out), y + 8


def _stores(stores: Sequence[Store], x0: float) -> tuple[str, float]:
    w = _W - x0 - 8
    out = [f'<text x="{_t(x0)}" y="18" font-size="14" font-weight="bold">Where the bytes are</text>']
    y = 30.0
    for s in stores:
        fill, stroke, _ = KINDS.get(s.kind, KINDS["layer"])
        lines = list(s.files)[:8]
        more = len(s.files) - len(lines)
        h = 40 + 16 * max(1, len(lines) + (1 if more > 0 else 0))
        dash = ' stroke-dasharray="5,4"' if s.gone else ""
        out.append(f'<rect x="{_t(x0)}" y="{_t(y)}" width="{_t(w)}" height="{_t(h)}" rx="6" '
                   f'fill="{"#fafafa" if s.gone else fill}" stroke="{stroke}"{dash}/>')
        total = sum(size for _, size in s.files)
        head = s.title + ("  — gone" if s.gone else f"  — {len(s.files)} file(s), {size_text(total)}")
        out.append(f'<text x="{_t(x0 + 10)}" y="{_t(y + 17)}" font-size="13" font-weight="bold" fill="{stroke}">'
                   f'{escape(head)}</text>')
        loc = s.location if len(s.location) <= 66 else s.location[:30] + "…" + s.location[-35:]
        out.append(f'<text x="{_t(x0 + 10)}" y="{_t(y + 32)}" font-size="11" font-family="monospace" fill="#616161">'
                   f'{escape(loc)}</text>')
        ly = y + 48
        if s.gone:
            out.append(f'<text x="{_t(x0 + 16)}" y="{_t(ly)}" font-size="12" fill="#9e9e9e">'
                       f'{escape(s.note or "deleted, and every byte in it")}</text>')
        elif not lines:
            out.append(f'<text x="{_t(x0 + 16)}" y="{_t(ly)}" font-size="12" fill="#9e9e9e">(empty)</text>')
        for rel, size in lines:
            out.append(f'<text x="{_t(x0 + 16)}" y="{_t(ly)}" font-size="12" font-family="monospace">'
                       f'{escape(rel)}</text><text x="{_t(x0 + w - 10)}" y="{_t(ly)}" font-size="12" '
                       f'text-anchor="end">{escape(size_text(size))}</text>')
            ly += 16
        if more > 0:
            out.append(f'<text x="{_t(x0 + 16)}" y="{_t(ly)}" font-size="12" fill="#757575">… and {more} more</text>')
        y += h + 10
    return "".join(out), y


def mount_map(rows: Sequence[TreeRow], stores: Sequence[Store], *, title: str = "The container's files") -> str:
    """One SVG: the container's tree on the left (mount points boxed in their type's colour,
    files coloured by where they live), the stores on the right (what each holds now)."""
    tree, h1 = _tree(rows, title)
    side, h2 = _stores(stores, _TREE_W + 20)
    h = max(h1, h2, 80)
    label = "Mount explorer: the container's files and where their bytes are stored"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_t(h)}" width="100%" '
            f'role="img" aria-label="{label}" font-family="sans-serif">'
            f'<title>{label}</title>{tree}{side}</svg>')
