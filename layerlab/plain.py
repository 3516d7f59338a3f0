"""Layers as plain data, the way a layer tar lists them, and back.

Chapter 2's exercise has learners implement the merged view's lookup on plain Python values, so
a layer is given as one ``dict`` of tar-style names::

    {"/etc/": "",                          # a key ending in "/" is a directory
     "/etc/nginx/nginx.conf": "user nginx;\\n...",   # any other key is a file: its content
     "/etc/nginx/.wh.conf.d": "",          # whiteout: "conf.d" is deleted from the layers below
     "/srv/.wh..wh..opq": ""}              # opaque marker: /srv hides every lower child

and a *stack* is a list of such dicts, **upper-most first** (the container's writable layer,
then the image's top layer ... down to the base layer), the order overlay's ``lowerdir=`` uses.

>>> from layerlab.fs.layer import Layer
>>> from layerlab.fs.tree import file
>>> layer = Layer.build({"/etc/app.conf": file("x=1\\n")}, whiteouts=["/etc/old.conf"])
>>> layer_dict(layer)
{'/etc/': '', '/etc/.wh.old.conf': '', '/etc/app.conf': 'x=1\\n'}
>>> top = {"/etc/": "", "/etc/.wh.app.conf": ""}
>>> engine_lookup([top, layer_dict(layer)], "/etc/app.conf") is None
True
>>> engine_lookup([top, layer_dict(layer)], "/etc")
0

:func:`engine_lookup` answers with layerlab's own :class:`~layerlab.fs.rootfs.MergedView` (the
rules of the kernel's overlayfs, checked against it in ``tests/kernel``), so it is the oracle
the exercise is graded against.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from .fs.layer import Layer
from .fs.rootfs import MergedView
from .fs.tree import DIR, FILE, OPAQUE_MARKER, SYMLINK, WHITEOUT_PREFIX, basename, directory, file, join, parent, symlink

__all__ = ["layer_dict", "dict_layer", "stack_dicts", "engine_lookup", "SYMLINK_PREFIX"]

SYMLINK_PREFIX = "-> "
"""A symlink is a non-directory entry whose value is ``"-> <target>"``."""


def _text(node, limit: int) -> str:
    if node.kind == SYMLINK:
        return SYMLINK_PREFIX + node.target
    if node.kind != FILE:
        return ""
    if node.size > limit:
        return f"<{node.size} bytes>"
    return node.content.bytes().decode("utf-8", "replace")


def layer_dict(layer, under: str = "/", *, limit: int = 4096) -> dict[str, str]:
    """A layer (or the container's upper level) as ``{tar-style name: content}``, sorted by
    name. Only paths under ``under`` are kept; a file bigger than ``limit`` bytes gets the
    placeholder ``"<N bytes>"`` instead of its content."""
    def keep(p: str) -> bool:
        return under == "/" or p == under or p.startswith(under.rstrip("/") + "/")

    out: dict[str, str] = {}
    for path, node in layer.entries.items():
        if path == "/" or not keep(path):
            continue
        out[path + "/" if node.kind == DIR else path] = _text(node, limit)
    for w in layer.whiteouts:
        if keep(w):
            out[join(parent(w), WHITEOUT_PREFIX + basename(w))] = ""
    for d in layer.opaques:
        if keep(d):
            out[join(d, OPAQUE_MARKER)] = ""
    return dict(sorted(out.items()))


def dict_layer(data: Mapping[str, str]) -> Layer:
    """The :class:`~layerlab.fs.layer.Layer` a plain dict describes (missing parents are added)."""
    entries, whiteouts, opaques = {}, [], []
    for key, value in data.items():
        key = "/" + key.lstrip("/")
        name = basename(key.rstrip("/"))
        if key.endswith("/"):
            if key != "/":
                entries[key.rstrip("/")] = directory()
        elif name == OPAQUE_MARKER:
            opaques.append(parent(key))
        elif name.startswith(WHITEOUT_PREFIX):
            whiteouts.append(join(parent(key), name[len(WHITEOUT_PREFIX):]))
        elif isinstance(value, str) and value.startswith(SYMLINK_PREFIX):
            entries[key] = symlink(value[len(SYMLINK_PREFIX):])
        else:
            entries[key] = file(value if isinstance(value, (str, bytes)) else str(value))
    return Layer.build(entries, whiteouts, opaques)


def stack_dicts(levels: Iterable[object], under: str = "/", *, limit: int = 4096) -> list[dict[str, str]]:
    """``[layer_dict(level) for level in levels]``: a stack as plain data, in the given order."""
    return [layer_dict(level, under, limit=limit) for level in levels]


def engine_lookup(stack: Sequence[Mapping[str, str]], path: str) -> int | None:
    """The index (0 = top) of the layer whose version of ``path`` the merged view shows, or
    ``None`` when the merged view has no such path (deleted, hidden, under a file, never there).
    Symlinks are not followed."""
    view = MergedView([dict_layer(d) for d in stack])
    try:
        _, found = view.find(path, follow=False)
    except OSError:
        return None
    return found.level if found.level < len(stack) else None
