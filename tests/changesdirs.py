"""moby's ``archive.ChangesDirs``, ported straight from Go as an independent reference.

layerlab's own :mod:`layerlab.fs.changes` walks only the upper level; this walks two whole trees
(``{path: node}``, root excluded) the way moby does, so tests can check one against the other.
``different(old, new)`` is moby's ``statDifferent`` for the node type at hand.
"""
from __future__ import annotations

from typing import Callable, Mapping


def changes_dirs(old: Mapping[str, object], new: Mapping[str, object],
                 different: Callable[[object, object], bool]) -> list[str]:
    """'A /p', 'C /p', 'D /p' lines in moby's order (siblings sorted by name)."""
    out: list[str] = []

    def kids(tree, d):
        pre = "/" if d == "/" else d + "/"
        return sorted(p for p in tree if p.startswith(pre) and p != d and "/" not in p[len(pre):])

    def is_dir(node) -> bool:
        return node.kind == "dir"

    def added(d):
        for p in kids(new, d):
            out.append(f"A {p}")
            if is_dir(new[p]):
                added(p)

    def visit(d):
        for p in kids(new, d):
            n, o = new[p], old.get(p)
            if o is None:                               # only in the new tree: A, with all children
                out.append(f"A {p}")
                if is_dir(n):
                    added(p)
            elif is_dir(n) and is_dir(o):               # C before the children, when they changed
                mark, changed = len(out), different(o, n)
                if changed:
                    out.append(f"C {p}")
                visit(p)
                if not changed and len(out) > mark:
                    out.insert(mark, f"C {p}")
            elif is_dir(n):                             # file became a dir: C, children are new
                out.append(f"C {p}")
                added(p)
            elif different(o, n):
                out.append(f"C {p}")
        for p in kids(old, d):                          # then the deleted ones, no descendants
            if p not in new:
                out.append(f"D {p}")

    visit("/")
    return out
