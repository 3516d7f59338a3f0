"""SVG pictures of layer stacks: pure functions from images (values) to SVG strings.

* :func:`layer_stack` draws one image, newest layer on top: a solid box per layer, with its
  size as ``docker history`` prints it and a bar proportional to it; a thin dashed box per
  instruction that only wrote history (``ENV``, ``CMD``, ``EXPOSE`` ...); the layers inherited
  from the ``FROM`` image on a grey band; optionally one thin writable layer per container.
* :func:`compare_stacks` draws two images side by side, bottoms aligned, and links the layers
  they share (equal chain IDs), which Docker stores once.

The output is deterministic (no random IDs, no timestamps), so notebooks that display it
re-execute to the same bytes. Colours follow the course's diagrams: blue = read-only image
layer, orange = writable layer, green = shared.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence
from xml.sax.saxutils import escape

from ..units import human_size, human_size_with_precision
from .stack import StackRow, shared_chain_ids, stack_rows

__all__ = ["layer_stack", "compare_stacks", "size_text", "COLORS"]

COLORS = {
    "layer_fill": "#e3f2fd", "layer_stroke": "#1565c0", "bar": "#1565c0",
    "shared_fill": "#e8f5e9", "shared_stroke": "#2e7d32", "shared_bar": "#2e7d32",
    "writable_fill": "#fff3e0", "writable_stroke": "#ef6c00",
    "history_stroke": "#9e9e9e", "history_text": "#616161",
    "base_band": "#f5f5f5", "text": "#212121", "muted": "#757575",
}
FONT = "font-family=\"ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',monospace\""
SANS = "font-family=\"system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif\""
CHAR_W = 6.7        # width of one 11px monospace character, for truncation
ROW_H = 28          # a layer
HIST_H = 18         # a history-only entry
GAP = 4
PAD = 10


def size_text(n: int) -> str:
    """A size the way ``docker history`` / ``docker images`` print it (``77.9MB``, ``0B``)."""
    return human_size_with_precision(n, 3)


def _clip(text: str, width_px: float) -> str:
    n = max(4, int(width_px / CHAR_W))
    return text if len(text) <= n else text[: n - 1] + "…"


def _t(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


@dataclass
class _Drawn:
    parts: list[str]
    height: float
    centers: dict[str, tuple[float, float, float]]   # chain_id -> (y_center, x_left, x_right)


def _visible_rows(rows: Sequence[StackRow], collapse_base: bool) -> list[StackRow | int]:
    """Rows to draw oldest first; with collapse_base, runs of base history-only entries
    become one int (how many there were)."""
    out: list[StackRow | int] = []
    for r in rows:
        if collapse_base and r.from_base and not r.is_layer:
            if out and isinstance(out[-1], int):
                out[-1] += 1
            else:
                out.append(1)
        else:
            out.append(r)
    return out


def _stack(image, *, x: float, width: float, base=None, base_name: str | None = None,
           shared: frozenset[str] = frozenset(), containers: Sequence[tuple[str, int]] = (),
           collapse_base: bool = True, max_size: int | None = None) -> _Drawn:
    """Draw one stack with its top at y=0; returns parts, height and shared-row anchors."""
    C = COLORS
    rows = stack_rows(image, base=base)
    items = _visible_rows(rows, collapse_base)
    biggest = max_size if max_size is not None else max([r.size for r in rows if r.is_layer] + [1])
    parts: list[str] = []
    centers: dict[str, tuple[float, float, float]] = {}
    y = 0.0

    # writable layers on top, one per container
    if containers:
        n = len(containers)
        w_each = (width - GAP * (n - 1)) / n
        for i, (name, size) in enumerate(containers):
            cx = x + i * (w_each + GAP)
            label = _clip(f"writable: {name}", w_each - 56)
            parts.append(
                f'<g class="writable"><title>{escape(f"writable layer of container {name}: {size} bytes")}</title>'
                f'<rect x="{_t(cx)}" y="{_t(y)}" width="{_t(w_each)}" height="{ROW_H}" rx="4" '
                f'fill="{C["writable_fill"]}" stroke="{C["writable_stroke"]}" stroke-width="1.5" stroke-dasharray="5 3"/>'
                f'<text x="{_t(cx + 8)}" y="{_t(y + 18)}" font-size="11" {FONT} fill="{C["text"]}">{escape(label)}</text>'
                f'<text x="{_t(cx + w_each - 8)}" y="{_t(y + 18)}" font-size="11" {FONT} text-anchor="end" '
                f'fill="{C["text"]}">{escape(size_text(size))}</text></g>')
        y += ROW_H + GAP + 2

    # image rows, newest on top; the grey band of inherited rows needs a label line above it
    ordered = list(reversed(items))
    parts_band: list[str] = []
    base_top = base_bottom = None
    for it in ordered:
        from_base = it.from_base if isinstance(it, StackRow) else True
        h = ROW_H if isinstance(it, StackRow) and it.is_layer else HIST_H
        if from_base and base_top is None:
            y += 16
            base_top = y
        if isinstance(it, int):
            parts.append(_history_group(x, y, width, h, None, it))
        elif not it.is_layer:
            parts.append(_history_group(x, y, width, h, it, 0))
        else:
            is_shared = it.chain_id in shared
            parts.append(_layer_group(x, y, width, h, it, is_shared, biggest))
            centers[it.chain_id] = (y + h / 2, x, x + width)
        y += h + GAP
        if from_base:
            base_bottom = y - GAP
    if not image.layers:
        parts.append(f'<g class="empty"><rect x="{_t(x)}" y="{_t(y)}" width="{_t(width)}" height="{ROW_H}" rx="4" '
                     f'fill="none" stroke="{C["history_stroke"]}" stroke-dasharray="3 3"/>'
                     f'<text x="{_t(x + 8)}" y="{_t(y + 18)}" font-size="11" {SANS} font-style="italic" '
                     f'fill="{C["history_text"]}">no layers (an empty image)</text></g>')
        y += ROW_H + GAP
    if base_top is not None and base_bottom is not None:
        label = f"inherited from FROM {base_name}" if base_name else "inherited from the base image"
        parts_band.append(
            f'<g class="base-band"><rect x="{_t(x - 6)}" y="{_t(base_top - 15)}" width="{_t(width + 12)}" '
            f'height="{_t(base_bottom - base_top + 21)}" rx="6" fill="{C["base_band"]}" stroke="#bdbdbd"/>'
            f'<text x="{_t(x)}" y="{_t(base_top - 4)}" font-size="10" {SANS} fill="{C["muted"]}">{escape(label)}</text></g>')
        y += 6
    return _Drawn(parts_band + parts, max(0.0, y - GAP), centers)


def _history_group(x: float, y: float, width: float, h: float, row: StackRow | None, folded: int) -> str:
    C = COLORS
    if row is None:
        text = f"+ {folded} history-only {'entry' if folded == 1 else 'entries'} from the base image"
        return (f'<g class="history base"><rect x="{_t(x + 12)}" y="{_t(y)}" width="{_t(width - 24)}" height="{h}" '
                f'rx="3" fill="none" stroke="{C["history_stroke"]}" stroke-dasharray="3 3"/>'
                f'<text x="{_t(x + 20)}" y="{_t(y + 12.5)}" font-size="10" {SANS} font-style="italic" '
                f'fill="{C["history_text"]}">{escape(text)}</text></g>')
    text = _clip(row.instruction, width - 24 - 150)
    tip = f"{row.created_by}\nhistory entry only: no layer, 0 bytes"
    return (f'<g class="history"><title>{escape(tip)}</title>'
            f'<rect x="{_t(x + 12)}" y="{_t(y)}" width="{_t(width - 24)}" height="{h}" rx="3" '
            f'fill="none" stroke="{C["history_stroke"]}" stroke-dasharray="3 3"/>'
            f'<text x="{_t(x + 20)}" y="{_t(y + 12.5)}" font-size="10" {FONT} fill="{C["history_text"]}">{escape(text)}</text>'
            f'<text x="{_t(x + width - 20)}" y="{_t(y + 12.5)}" font-size="10" {SANS} font-style="italic" '
            f'text-anchor="end" fill="{C["history_text"]}">history only, no layer</text></g>')


def _layer_group(x: float, y: float, width: float, h: float, row: StackRow, is_shared: bool, biggest: int) -> str:
    C = COLORS
    fill = C["shared_fill"] if is_shared else C["layer_fill"]
    stroke = C["shared_stroke"] if is_shared else C["layer_stroke"]
    bar = C["shared_bar"] if is_shared else C["bar"]
    size = size_text(row.size)
    text = _clip(f"L{row.layer_index + 1}  {row.instruction}", width - 16 - CHAR_W * (len(size) + 2))
    tip = (f"{row.created_by}\nlayer {row.layer_index + 1}: {row.size} bytes"
           f"\ndiff_id  {row.diff_id}\nchain_id {row.chain_id}" + ("\nshared with the other image" if is_shared else ""))
    bar_w = 0.0 if row.size == 0 else max(2.0, (width - 2) * row.size / biggest)
    cls = "layer shared" if is_shared else "layer"
    return (f'<g class="{cls}"><title>{escape(tip)}</title>'
            f'<rect x="{_t(x)}" y="{_t(y)}" width="{_t(width)}" height="{h}" rx="4" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.5"/>'
            f'<rect x="{_t(x + 1)}" y="{_t(y + h - 5)}" width="{_t(bar_w)}" height="4" fill="{bar}" opacity="0.55"/>'
            f'<text x="{_t(x + 8)}" y="{_t(y + 16)}" font-size="11" {FONT} fill="{C["text"]}">{escape(text)}</text>'
            f'<text x="{_t(x + width - 8)}" y="{_t(y + 16)}" font-size="11" {FONT} font-weight="bold" '
            f'text-anchor="end" fill="{C["text"]}">{escape(size)}</text></g>')


def _legend(x: float, y: float, *, shared: bool, writable: bool, width: float) -> tuple[str, float]:
    """The colour key, wrapped to ``width``; returns the markup and the y below it."""
    C = COLORS
    items = [(C["layer_fill"], C["layer_stroke"], "", "image layer (read-only)"),
             ("none", C["history_stroke"], ' stroke-dasharray="3 3"', "history entry only (no layer)")]
    if shared:
        items.append((C["shared_fill"], C["shared_stroke"], "", "shared by both images (stored once)"))
    if writable:
        items.append((C["writable_fill"], C["writable_stroke"], ' stroke-dasharray="5 3"',
                      "writable layer (one per container)"))
    parts = []
    cx, cy = x, y
    for fill, stroke, dash, label in items:
        w = 18 + len(label) * 5.4 + 16
        if cx > x and cx + w > x + width:
            cx, cy = x, cy + 16
        parts.append(f'<rect x="{_t(cx)}" y="{_t(cy)}" width="14" height="10" rx="2" fill="{fill}" stroke="{stroke}"{dash}/>'
                     f'<text x="{_t(cx + 18)}" y="{_t(cy + 9)}" font-size="10" {SANS} fill="{C["muted"]}">{escape(label)}</text>')
        cx += w
    return '<g class="legend">' + "".join(parts) + "</g>", cy + 18


def _svg(width: float, height: float, body: str, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="layerlab-stack" width="{_t(width)}" height="{_t(height)}" '
            f'viewBox="0 0 {_t(width)} {_t(height)}" role="img" aria-label="{escape(label, {chr(34): "&quot;"})}">'
            f'{body}</svg>')


def _heading(image, name: str | None) -> str:
    rows = stack_rows(image)
    n_layers = len(image.layers)
    n_hist = sum(1 for r in rows if not r.is_layer)
    title = name or image.short_id
    return (f"{title} — {n_layers} layer{'s' if n_layers != 1 else ''}, {size_text(image.size)}"
            + (f"; {n_hist} history-only entr{'ies' if n_hist != 1 else 'y'}" if n_hist else ""))


def layer_stack(image, *, name: str | None = None, base=None, base_name: str | None = None,
                containers: Sequence[tuple[str, int]] = (), shared_with=None,
                collapse_base: bool = True, width: int = 620) -> str:
    """An SVG of ``image``'s layers, newest on top.

    Args:
        image: the image to draw.
        name: the heading (a tag such as ``myapp``); ``None`` shows the short image ID.
        base: the image its ``FROM`` named; its entries are drawn on a grey band. ``None``:
            no band.
        base_name: the band's label, e.g. ``ubuntu:22.04``.
        containers: ``(name, writable_size)`` per container to draw a writable layer for.
        shared_with: another image; layers with a chain ID in both are drawn green.
        collapse_base: fold the base image's history-only entries into one line.
        width: width of the picture in pixels.
    """
    shared = shared_chain_ids([image, shared_with]) if shared_with is not None else frozenset()
    inner = width - 2 * PAD
    top = 26
    drawn = _stack(image, x=PAD + 6, width=inner - 12, base=base, base_name=base_name, shared=shared,
                   containers=containers, collapse_base=collapse_base)
    heading = (f'<text x="{PAD}" y="17" font-size="13" font-weight="bold" {SANS} fill="{COLORS["text"]}">'
               f'{escape(_heading(image, name))}</text>')
    body = f'<g transform="translate(0,{top})">' + "".join(drawn.parts) + "</g>"
    ly = top + drawn.height + 12
    legend, height = _legend(PAD, ly, shared=bool(shared), writable=bool(containers), width=width - 2 * PAD)
    return _svg(width, height, heading + body + legend, _heading(image, name))


def compare_stacks(a, b, *, names: tuple[str, str] = ("image A", "image B"), bases: tuple = (None, None),
                   base_names: tuple[str | None, str | None] = (None, None), collapse_base: bool = True,
                   width: int = 900) -> str:
    """Two images side by side, bottoms aligned, shared layers green and linked.

    Args:
        a, b: the two images.
        names: their headings.
        bases: the images their ``FROM`` lines named (or ``None``), for the grey bands.
        base_names: labels for the bands.
        collapse_base: as in :func:`layer_stack`.
        width: width of the picture in pixels.
    """
    shared = shared_chain_ids([a, b])
    gutter = 60
    col = (width - 2 * PAD - gutter) / 2
    biggest = max([layer.size for layer in a.layers + b.layers] + [1])
    da = _stack(a, x=PAD, width=col, base=bases[0], base_name=base_names[0], shared=shared,
                collapse_base=collapse_base, max_size=biggest)
    db = _stack(b, x=PAD + col + gutter, width=col, base=bases[1], base_name=base_names[1], shared=shared,
                collapse_base=collapse_base, max_size=biggest)
    top = 44
    stack_h = max(da.height, db.height)
    off_a, off_b = top + stack_h - da.height, top + stack_h - db.height
    heads = (f'<text x="{PAD}" y="17" font-size="13" font-weight="bold" {SANS} fill="{COLORS["text"]}">'
             f'{escape(_heading(a, names[0]))}</text>'
             f'<text x="{_t(PAD + col + gutter)}" y="17" font-size="13" font-weight="bold" {SANS} '
             f'fill="{COLORS["text"]}">{escape(_heading(b, names[1]))}</text>')
    n_shared = len(shared)
    shared_bytes = sum(layer.size for layer, cid in zip(a.layers, a.chain_ids) if cid in shared)
    # 4 significant digits here, as `docker system df` prints its sizes
    summary = (f"{n_shared} shared layer{'s' if n_shared != 1 else ''} ({human_size(shared_bytes)}) stored once: "
               f"on disk {human_size(a.size + b.size - shared_bytes)}, not {human_size(a.size + b.size)}"
               if n_shared else "no shared layers: every layer is stored separately")
    sub = (f'<text x="{PAD}" y="34" font-size="11" {SANS} fill="{COLORS["shared_stroke"] if n_shared else COLORS["muted"]}">'
           f'{escape(summary)}</text>')
    links = []
    for cid in sorted(shared):
        if cid in da.centers and cid in db.centers:
            ya, _, xa = da.centers[cid]
            yb, xb, _ = db.centers[cid]
            links.append(f'<line x1="{_t(xa)}" y1="{_t(ya + off_a)}" x2="{_t(xb)}" y2="{_t(yb + off_b)}" '
                         f'stroke="{COLORS["shared_stroke"]}" stroke-width="2"/>')
    body = (f'<g transform="translate(0,{_t(off_a)})">' + "".join(da.parts) + "</g>"
            f'<g transform="translate(0,{_t(off_b)})">' + "".join(db.parts) + "</g>"
            + '<g class="links">' + "".join(links) + "</g>")
    ly = top + stack_h + 12
    legend, height = _legend(PAD, ly, shared=bool(shared), writable=False, width=width - 2 * PAD)
    label = f"{_heading(a, names[0])} | {_heading(b, names[1])} | {summary}"
    return _svg(width, height, heads + sub + body + legend, label)
