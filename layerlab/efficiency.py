"""Image efficiency: where an image's bytes go, layer by layer (a model of dive's analysis).

Pure functions over an image's layers (base first); :meth:`layerlab.Engine.efficiency` calls
:func:`analyze` for a stored image and ``layerlab image efficiency IMAGE [--json]`` prints it.

Per layer (:class:`LayerReport`), compared with the merged view of the layers below it:

* **added**: paths the layer's tar holds that did not exist below (every child of an added
  directory is listed, as ``docker diff`` lists them);
* **changed**: paths the layer's tar holds that existed below: a new copy of a file, or a
  directory copied up because something inside it changed (``docker diff``'s C parents);
* **deleted**: paths a whiteout (``.wh.<name>``) or an opaque directory (``.wh..wh..opq``) of the
  layer hides; a deleted directory is one path, its children are not listed.

**Wasted bytes** (:class:`WastedFile`) are the bytes of a copy of a file stored in a layer and
hidden by a later one, because the later layer *overwrote* it (a new copy of the same path),
*deleted* it (a whiteout of it or of a directory above it), hid it behind an *opaque directory*,
or replaced it by a directory. Layers are immutable, so a hidden copy is still stored, still
pulled and still counted in the image size. A file changed in n layers (stored n times, or
stored n-1 times and then deleted) counts n-1 wasted copies: all but the last. Sizes follow
overlay2's layer size rule (apparent size of every non-directory, a symlink counts its target's
length, a hard-linked inode once per layer), so ``wasted_bytes <= image_size`` always holds.

**The score** is dive's efficiency score, computed as dive computes it (wagoodman/dive,
``dive/filetree/efficiency.go`` ``Efficiency``, read at commit d6c6919 of May 2025): walk the
*leaf* nodes of every layer's file tree (a file, a symlink, a whiteout, or a directory with no
child in that layer); for each path sum the sizes it has across layers (``CumulativeSize``) and
keep its smallest size (``minDiscoveredSize``); ``score = sum(min) / sum(cumulative)`` over all
paths, and 1.0 when everything is empty. Sizes there are tar-header sizes: a regular file's
length, 0 for directories, symlinks and the second name of a hard link. A whiteout of a file
counts 0 (so a deleted file's smallest size is 0 and all its bytes lower the score); a whiteout
of a directory counts the sum of the files under it in the layers below, as one path seen once
(a quirk: deleting a whole directory does not lower dive's score, deleting its files one by one
does). Opaque markers are ignored, as dive ignores them.

Where this module differs from dive, on purpose:

* dive's *wastedBytes* sums the CumulativeSize of every path found in two or more layers, the
  surviving copy included (``dive/image/analysis.go``); :attr:`Efficiency.wasted_bytes` counts
  only the hidden copies (n-1 of n). dive's number is kept as
  :attr:`Efficiency.dive_wasted_bytes`.
* files hidden by a deleted directory or an opaque directory are attributed one by one to
  their own paths, with the reason naming the directory.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from .fs.layer import Layer
from .fs.rootfs import FlatTree
from .fs.tree import DIR, FILE, join

__all__ = ["Efficiency", "LayerReport", "WastedFile", "analyze", "dive_score"]


@dataclass(frozen=True)
class LayerReport:
    """One layer: what its tar adds, changes and deletes relative to the layers below."""

    index: int                    # 0 = the base layer
    created_by: str               # the history entry that made it ("" for import/commit without one)
    size: int                     # bytes, the storage driver's layer size (docker history SIZE)
    added: tuple[str, ...]
    changed: tuple[str, ...]
    deleted: tuple[str, ...]
    diff_id: str = ""
    hidden_bytes: int = 0         # bytes of this layer hidden by later layers (wasted here)

    def to_dict(self) -> dict:
        return {"index": self.index, "created_by": self.created_by, "size": self.size,
                "diff_id": self.diff_id, "added": list(self.added), "changed": list(self.changed),
                "deleted": list(self.deleted), "hidden_bytes": self.hidden_bytes}


@dataclass(frozen=True)
class WastedFile:
    """A path with stored copies that a later layer hides."""

    path: str
    count: int                    # layers that hold a copy of the path or delete it (dive's Count)
    wasted_bytes: int             # bytes of the hidden copies
    reason: str                   # its story, e.g. "added in layer 1, deleted in layer 2"
    layers: tuple[int, ...] = ()  # the layers holding the hidden copies

    def to_dict(self) -> dict:
        return {"path": self.path, "count": self.count, "wasted_bytes": self.wasted_bytes,
                "reason": self.reason, "layers": list(self.layers)}


@dataclass(frozen=True)
class Efficiency:
    """The analysis of one image (see the module docstring for every definition)."""

    image_size: int               # bytes of all layers (= the image's SIZE)
    wasted_bytes: int             # bytes of hidden copies (n-1 of a file changed in n layers)
    score: float                  # dive's efficiency score, in [0, 1]
    layers: tuple[LayerReport, ...]
    wasted: tuple[WastedFile, ...]    # biggest first
    image: str = ""               # the image ID, when known
    dive_wasted_bytes: int = 0    # dive's "potential wasted space" (surviving copies included)

    @property
    def user_size(self) -> int:
        """Bytes of every layer but the base one (dive's UserSizeBytes)."""
        return sum(layer.size for layer in self.layers[1:])

    def to_dict(self) -> dict:
        """Plain JSON-able data (what ``layerlab image efficiency --json`` prints)."""
        return {"image": self.image, "image_size": self.image_size, "user_size": self.user_size,
                "wasted_bytes": self.wasted_bytes, "dive_wasted_bytes": self.dive_wasted_bytes,
                "score": self.score, "layers": [layer.to_dict() for layer in self.layers],
                "wasted": [w.to_dict() for w in self.wasted]}


# ---------------------------------------------------------------------- sizes
def _copy_sizes(layer: Layer, dive: bool) -> dict[str, int]:
    """Bytes each non-directory entry of ``layer`` stores. A hard-linked inode is counted at
    its first name in archive order (the later names are tar hard-link headers). ``dive``:
    tar-header sizes (regular files only), else overlay2's rule (a symlink counts its target)."""
    out: dict[str, int] = {}
    seen: set[int] = set()
    for path, kind, node in layer.walk():
        if kind != "entry" or node is None or node.kind == DIR:
            continue
        if node.kind == FILE and node.ino:
            if node.ino in seen:
                out[path] = 0
                continue
            seen.add(node.ino)
        if dive:
            out[path] = node.content.size if node.kind == FILE else 0
        else:
            out[path] = node.size
    return out


def _under(flat: FlatTree, path: str, include_self: bool = True) -> Iterator[str]:
    """``path`` (if asked) and every path below it in ``flat``, pre-order, names sorted."""
    if include_self:
        yield path
    stack = [path]
    while stack:
        cur = stack.pop()
        for name in sorted(flat.children.get(cur, ()), reverse=True):
            p = join(cur, name)
            yield p
            if p in flat.children:
                stack.append(p)


# ---------------------------------------------------------------------- dive's score
def dive_score(layers: Sequence[Layer]) -> float:
    """dive's efficiency score of ``layers`` (base first): see the module docstring."""
    score, _ = _dive(layers)
    return score


def _dive(layers: Sequence[Layer]) -> tuple[float, int]:
    cum: dict[str, int] = {}
    low: dict[str, int] = {}
    nodes: dict[str, int] = {}
    flat = FlatTree()
    for layer in layers:
        has_child = {p.rsplit("/", 1)[0] or "/" for p in layer.entries}
        has_child |= {p.rsplit("/", 1)[0] or "/" for p in layer.whiteouts}
        sizes = _copy_sizes(layer, dive=True)
        leaves: list[tuple[str, int]] = []
        for path, node in layer.entries.items():
            if node.kind == DIR:
                if path not in has_child:
                    leaves.append((path, 0))
            else:
                leaves.append((path, sizes.get(path, 0)))
        for w in layer.whiteouts:
            size = 0
            below = flat.entries.get(w)
            if below is not None and below.kind == DIR:
                dsizes: set[int] = set()
                for p in _under(flat, w, include_self=False):
                    n = flat.entries[p]
                    if n.kind == FILE and not (n.ino and n.ino in dsizes):
                        if n.ino:
                            dsizes.add(n.ino)
                        size += n.content.size
            leaves.append((w, size))
        for path, size in leaves:
            cum[path] = cum.get(path, 0) + size
            low[path] = size if path not in low else min(low[path], size)
            nodes[path] = nodes.get(path, 0) + 1
        flat._apply(layer)
    total = sum(cum.values())
    score = 1.0 if total == 0 else sum(low.values()) / total
    dive_wasted = sum(c for p, c in cum.items() if nodes[p] >= 2)
    return score, dive_wasted


# ---------------------------------------------------------------------- the analysis
def analyze(layers: Sequence[Layer], created_by: Iterable[str] = (), sizes: Iterable[int] | None = None,
            image: str = "") -> Efficiency:
    """The efficiency analysis of an image made of ``layers`` (base first).

    ``created_by``: one history text per layer (the non-empty history entries, in order);
    ``sizes``: the storage driver's size of each layer (default: overlay2's, ``Layer.size``).
    """
    layers = tuple(layers)
    made_by = list(created_by)
    made_by += [""] * (len(layers) - len(made_by))
    layer_sizes = list(sizes) if sizes is not None else [layer.size for layer in layers]

    flat = FlatTree()
    visible: dict[str, tuple[int, int]] = {}       # path -> (layer holding the copy, bytes)
    events: dict[str, list[tuple[int, str]]] = {}  # path -> (layer, what happened), in order
    hidden: dict[str, list[tuple[int, int]]] = {}  # path -> hidden copies (layer, bytes)
    hidden_in_layer = [0] * len(layers)
    reports: list[LayerReport] = []

    def hide(path: str, by: int, how: str) -> None:
        copy = visible.pop(path, None)
        if copy is None:
            return
        hidden.setdefault(path, []).append(copy)
        hidden_in_layer[copy[0]] += copy[1]
        events.setdefault(path, []).append((by, how))

    for i, layer in enumerate(layers):
        entries = layer.entries
        added: list[str] = []
        changed: list[str] = []
        deleted: list[str] = []
        for d in sorted(layer.opaques):
            for name in sorted(flat.children.get(d, ())):
                p = join(d, name)
                if p not in entries:
                    deleted.append(p)
                for q in _under(flat, p):
                    if q in visible:
                        new = entries.get(q)
                        if new is not None and new.kind != DIR:
                            hide(q, i, f"overwritten in layer {i}")
                        else:
                            hide(q, i, f"hidden by opaque directory {d} in layer {i}")
        for w in sorted(layer.whiteouts):
            if w not in flat.entries:
                continue
            deleted.append(w)
            for q in _under(flat, w):
                if q in visible:
                    hide(q, i, f"deleted in layer {i}" if q == w else f"deleted with {w} in layer {i}")
        copies = _copy_sizes(layer, dive=False)
        for p in sorted(entries):
            node = entries[p]
            old = flat.entries.get(p)
            (added if old is None else changed).append(p)
            if old is None:
                continue
            if old.kind != DIR:
                hide(p, i, f"overwritten in layer {i}" if node.kind != DIR
                     else f"replaced by a directory in layer {i}")
            elif node.kind != DIR:
                for q in _under(flat, p, include_self=False):
                    if q in visible:
                        hide(q, i, f"deleted with {p} in layer {i}")
        for p, size in copies.items():
            visible[p] = (i, size)
            ev = events.setdefault(p, [])
            if not ev or ev[-1] != (i, f"overwritten in layer {i}"):
                ev.append((i, f"added in layer {i}"))
        flat._apply(layer)
        reports.append(LayerReport(i, made_by[i], layer_sizes[i], tuple(added), tuple(changed),
                                   tuple(sorted(deleted)), layer.diff_id))

    reports = [LayerReport(r.index, r.created_by, r.size, r.added, r.changed, r.deleted, r.diff_id,
                           hidden_in_layer[r.index]) for r in reports]
    wasted: list[WastedFile] = []
    for path, copies in hidden.items():
        nbytes = sum(b for _, b in copies)
        if nbytes <= 0:
            continue
        ev = events[path]
        wasted.append(WastedFile(path, len({layer for layer, _ in ev}), nbytes,
                                 ", ".join(how for _, how in ev), tuple(layer for layer, _ in copies)))
    wasted.sort(key=lambda w: (-w.wasted_bytes, w.path))
    score, dive_wasted = _dive(layers)
    return Efficiency(sum(layer_sizes), sum(w.wasted_bytes for w in wasted), score, tuple(reports),
                      tuple(wasted), image, dive_wasted)
