"""Containers, their writable layers and the files in them: plain-data snapshots of an engine
and an SVG of one, for the lifecycle chapter (chapter 5).

* :func:`lifecycle_state` reads an :class:`~layerlab.engine.Engine` into plain data: every
  container (name, state, image) with the files it sees under a data directory, split into
  the ones its **writable layer** holds and the ones its **image** brought; every image the
  learner made with ``docker commit``, with the files its own top layer holds.
* :func:`survival` compares two snapshots: which files were kept, which were lost (and why),
  which are new.
* :func:`lifecycle_svg` draws a snapshot: one column per container, writable layer (orange) on
  its image (blue), removed containers as dashed ghosts; committed images along the bottom.

>>> from layerlab import Engine
>>> eng = Engine()
>>> _ = eng.run("busybox", ["sleep", "60"], name="c1", detach=True)
>>> _ = eng.exec("c1", ["sh", "-c", "mkdir -p /data && echo hi > /data/a.txt"])
>>> s = lifecycle_state(eng)
>>> s["containers"][0]["name"], s["containers"][0]["state"], s["containers"][0]["writable"]
('c1', 'running', ['a.txt'])
>>> _ = eng.rm("c1", force=True)
>>> survival(s, lifecycle_state(eng))["lost"]
['c1: a.txt']
"""
from __future__ import annotations

from typing import Sequence
from xml.sax.saxutils import escape

from .svg import COLORS, FONT, SANS, _clip, _t

__all__ = ["lifecycle_state", "survival", "lifecycle_svg", "DATA_DIR"]

DATA_DIR = "/data"
STATE_COLORS = {"running": ("#e8f5e9", "#2e7d32"), "exited": ("#eeeeee", "#616161"),
                "created": ("#e3f2fd", "#1565c0"), "removed": ("#ffebee", "#c62828")}


def _files_under(walk, top: str) -> list[str]:
    out = []
    for path, node in walk:
        if path != top and node.kind != "dir":
            out.append(path[len(top) + 1:])
    return sorted(out)


def _container_files(c, top: str) -> tuple[list[str], list[str]]:
    """(files in the writable layer, files from the image) under ``top`` of the container's
    own root filesystem (volumes and bind mounts are not part of it)."""
    try:
        if not c.rootfs.is_dir(top):
            return [], []
        seen = _files_under(c.rootfs.walk(top), top)
    except OSError:
        return [], []
    upper = c.rootfs.upper.entries
    writable = [f for f in seen if f"{top}/{f}" in upper]
    from_image = [f for f in seen if f"{top}/{f}" not in upper]
    return writable, from_image


def lifecycle_state(engine, *, data_dir: str = DATA_DIR, removed: Sequence[dict] = (),
                    base_images: Sequence[str] = ()) -> dict:
    """A plain-data snapshot: ``{"containers": [...], "removed": [...], "images": [...]}``.

    Each container is ``{"name", "state", "status", "image", "writable", "from_image"}`` (file
    names relative to ``data_dir``), oldest first. ``removed`` is passed through (the widget
    remembers what it removed). Images are the committed ones (those with a Parent) plus
    ``base_images``, as ``{"ref", "id", "files"}`` where files are under ``data_dir`` in the
    image's own top layer."""
    containers = []
    for c in sorted(engine.ps(all=True), key=lambda c: c.created):
        writable, from_image = _container_files(c, data_dir)
        status = {"running": "Up", "created": "Created"}.get(c.state, f"Exited ({c.exit_code})")
        containers.append({"name": c.name, "state": c.state, "status": status, "image": c.image_ref,
                           "writable": writable, "from_image": from_image})
    images = []
    seen = set()
    refs = list(base_images) + engine.committed_tags()
    for ref in refs:
        img = engine.find_image(ref)
        if img is None or ref in seen:
            continue
        seen.add(ref)
        top = img.layers[-1] if img.layers and img.parent else None
        files = sorted(p[len(data_dir) + 1:] for p, n in (top.entries.items() if top else ())
                       if p.startswith(data_dir + "/") and n.kind != "dir")
        images.append({"ref": ref[:-len(":latest")] if ref.endswith(":latest") else ref,
                       "id": img.short_id, "files": files})
    return {"containers": containers, "removed": [dict(r) for r in removed], "images": images}


def _all_files(state: dict) -> dict[str, str]:
    out = {}
    for c in state["containers"]:
        for f in c["writable"]:
            out[f"{c['name']}: {f}"] = "writable layer"
    for i in state["images"]:
        for f in i["files"]:
            out[f"image {i['ref']}: {f}"] = "image layer"
    return out


def survival(before: dict, after: dict) -> dict:
    """``{"kept": [...], "lost": [...], "new": [...]}``: files (``"c1: a.txt"``, or
    ``"image snap: a.txt"``) in writable layers and committed layers, compared."""
    a, b = _all_files(before), _all_files(after)
    return {"kept": sorted(k for k in a if k in b), "lost": sorted(k for k in a if k not in b),
            "new": sorted(k for k in b if k not in a)}


# ---------------------------------------------------------------------- drawing
COL_W = 200
COL_GAP = 16
LINE_H = 15


def _file_lines(files: list[str], x: float, y: float, width: float, color: str, limit: int = 6) -> list[str]:
    parts = []
    shown = files[:limit]
    for i, f in enumerate(shown):
        parts.append(f'<text x="{_t(x)}" y="{_t(y + i * LINE_H)}" font-size="11" {FONT} fill="{color}">'
                     f"{escape(_clip('• ' + f, width))}</text>")
    if len(files) > limit:
        parts.append(f'<text x="{_t(x)}" y="{_t(y + limit * LINE_H)}" font-size="11" {SANS} '
                     f'fill="{COLORS["muted"]}">… and {len(files) - limit} more</text>')
    return parts


def _box_height(n: int, limit: int = 6) -> float:
    return 26 + max(1, min(n, limit) + (1 if n > limit else 0)) * LINE_H


def _container_column(c: dict, x: float, y: float, removed: bool = False) -> tuple[list[str], float]:
    parts = []
    fill, stroke = STATE_COLORS["removed" if removed else c["state"]]
    label = "removed" if removed else c["status"]
    parts.append(f'<g class="container{" removed" if removed else ""}" data-name="{escape(c["name"])}" '
                 f'data-state="{"removed" if removed else c["state"]}">')
    parts.append(f'<text x="{_t(x)}" y="{_t(y + 13)}" font-size="13" font-weight="bold" {SANS} '
                 f'fill="{COLORS["text"]}">{escape(_clip(c["name"], COL_W - 80))}</text>')
    parts.append(f'<rect x="{_t(x + COL_W - 78)}" y="{_t(y)}" width="78" height="18" rx="9" fill="{fill}" '
                 f'stroke="{stroke}"/><text x="{_t(x + COL_W - 39)}" y="{_t(y + 13)}" font-size="10.5" '
                 f'text-anchor="middle" {SANS} fill="{stroke}">{escape(label)}</text>')
    y0 = y + 24
    if removed:
        h = 26 + 2 * LINE_H
        parts.append(f'<rect x="{_t(x)}" y="{_t(y0)}" width="{COL_W}" height="{_t(h)}" rx="6" fill="none" '
                     f'stroke="{stroke}" stroke-dasharray="5 4"/>')
        parts.append(f'<text x="{_t(x + 8)}" y="{_t(y0 + 17)}" font-size="11" {SANS} fill="{stroke}">'
                     f"writable layer deleted</text>")
        lost = c.get("writable", [])
        msg = ("with " + ", ".join(lost)) if lost else "(it held no files)"
        parts.append(f'<text x="{_t(x + 8)}" y="{_t(y0 + 34)}" font-size="11" {SANS} fill="{stroke}">'
                     f"{escape(_clip(msg, COL_W - 16))}</text>")
        parts.append("</g>")
        return parts, 24 + h
    wf = c["writable"]
    h1 = _box_height(len(wf))
    parts.append(f'<rect class="writable" x="{_t(x)}" y="{_t(y0)}" width="{COL_W}" height="{_t(h1)}" rx="6" '
                 f'fill="{COLORS["writable_fill"]}" stroke="{COLORS["writable_stroke"]}"/>')
    parts.append(f'<text x="{_t(x + 8)}" y="{_t(y0 + 16)}" font-size="11" font-weight="bold" {SANS} '
                 f'fill="{COLORS["writable_stroke"]}">writable layer</text>')
    if wf:
        parts += _file_lines(wf, x + 10, y0 + 32, COL_W - 20, COLORS["text"])
    else:
        parts.append(f'<text x="{_t(x + 10)}" y="{_t(y0 + 32)}" font-size="11" {SANS} '
                     f'fill="{COLORS["muted"]}">(empty)</text>')
    y1 = y0 + h1 + 4
    img_files = c["from_image"]
    h2 = _box_height(len(img_files)) if img_files else 26
    parts.append(f'<rect class="image" x="{_t(x)}" y="{_t(y1)}" width="{COL_W}" height="{_t(h2)}" rx="6" '
                 f'fill="{COLORS["layer_fill"]}" stroke="{COLORS["layer_stroke"]}"/>')
    parts.append(f'<text x="{_t(x + 8)}" y="{_t(y1 + 16)}" font-size="11" {SANS} fill="{COLORS["layer_stroke"]}">'
                 f"{escape(_clip('image: ' + c['image'], COL_W - 16))}</text>")
    if img_files:
        parts += _file_lines(img_files, x + 10, y1 + 32, COL_W - 20, COLORS["layer_stroke"])
    parts.append("</g>")
    return parts, (y1 + h2) - y


def lifecycle_svg(state: dict, *, per_row: int = 4, title: str | None = None) -> str:
    """The snapshot as SVG: containers in columns (``per_row`` to a row), removed ones dashed,
    committed images in a row at the bottom. Width 100%, with a viewBox, so it fits any page."""
    cols = [(c, False) for c in state["containers"]] + [(r, True) for r in state.get("removed", [])]
    width = per_row * COL_W + (per_row - 1) * COL_GAP + 20
    parts: list[str] = []
    y = 10.0
    if title:
        parts.append(f'<text x="10" y="24" font-size="14" font-weight="bold" {SANS} fill="{COLORS["text"]}">'
                     f"{escape(title)}</text>")
        y = 36.0
    if not cols:
        parts.append(f'<text x="10" y="{_t(y + 16)}" font-size="12" {SANS} fill="{COLORS["muted"]}">'
                     "No containers yet: press create or run.</text>")
        y += 30
    for row_start in range(0, len(cols), per_row):
        row_h = 0.0
        for i, (c, removed) in enumerate(cols[row_start:row_start + per_row]):
            x = 10 + i * (COL_W + COL_GAP)
            p, h = _container_column(c, x, y, removed)
            parts += p
            row_h = max(row_h, h)
        y += row_h + 18
    if state.get("images"):
        parts.append(f'<text x="10" y="{_t(y + 12)}" font-size="12" font-weight="bold" {SANS} '
                     f'fill="{COLORS["layer_stroke"]}">images made with docker commit (read-only; their files are '
                     f"in their top layer)</text>")
        y += 20
        for row_start in range(0, len(state["images"]), per_row):
            row_h = 0.0
            for i, img in enumerate(state["images"][row_start:row_start + per_row]):
                x = 10 + i * (COL_W + COL_GAP)
                h = _box_height(len(img["files"]))
                parts.append(f'<g class="committed" data-ref="{escape(img["ref"])}"><rect x="{_t(x)}" y="{_t(y)}" '
                             f'width="{COL_W}" height="{_t(h)}" rx="6" fill="{COLORS["layer_fill"]}" '
                             f'stroke="{COLORS["layer_stroke"]}"/>')
                parts.append(f'<text x="{_t(x + 8)}" y="{_t(y + 16)}" font-size="11" font-weight="bold" {SANS} '
                             f'fill="{COLORS["layer_stroke"]}">{escape(_clip(img["ref"] + " " + img["id"], COL_W - 16))}</text>')
                if img["files"]:
                    parts += _file_lines(img["files"], x + 10, y + 32, COL_W - 20, COLORS["layer_stroke"])
                else:
                    parts.append(f'<text x="{_t(x + 10)}" y="{_t(y + 32)}" font-size="11" {SANS} '
                                 f'fill="{COLORS["muted"]}">(no files under {DATA_DIR})</text>')
                parts.append("</g>")
                row_h = max(row_h, h)
            y += row_h + 12
    height = y + 4
    label = (f"{len(state['containers'])} containers, {len(state.get('removed', []))} removed, "
             f"{len(state.get('images', []))} committed images")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="layerlab-lifecycle" width="100%" '
            f'viewBox="0 0 {_t(width)} {_t(height)}" role="img" aria-label="{escape(label)}">'
            + "".join(parts) + "</svg>")
