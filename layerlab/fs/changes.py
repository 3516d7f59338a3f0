"""``docker diff``: what changed between a container's filesystem and its image.

Since 2018 every driver (overlay2 included) computes changes the *naive* way: it compares the
full merged tree with the image+init tree, entry by entry, on metadata only
(moby go-archive ``changes.go`` ChangesDirs / ``changes_unix.go`` statDifferent):

* **C** when mode (type and permission bits), uid, gid or rdev differ, or — for
  non-directories only — size or mtime differ. Content is never compared, so a copy-up that
  changed nothing (a file opened for append without a write) is invisible here even though it
  grows ``docker ps -s``.
* **A** for a path only in the new tree; every descendant of an added directory is listed too.
* **D** for a path only in the old tree; descendants of a deleted directory are not listed.
* A directory gets a ``C`` line before its descendants' lines whenever anything inside it
  changed, unless it was already reported. The root is never reported.
* Order: pre-order; in each directory first the present children, then the deleted ones.
  Docker's sibling order comes from Go map iteration and is random from call to call; layerlab
  sorts siblings by name so the output is stable.

Only paths the upper level touches can differ, so this walks the upper level instead of the
whole tree: same answer, at the cost of the change rather than of the image.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from enum import StrEnum

from .rootfs import MergedView, RootFS
from .tree import DIR, Node, join

class ChangeKind(StrEnum):
    """A ``docker diff`` line's letter. A StrEnum: ``ChangeKind.ADDED == "A"``, and it shows,
    prints and marshals as the letter."""

    ADDED = "A"
    CHANGED = "C"
    DELETED = "D"

    def __repr__(self) -> str:
        return repr(self.value)


ADDED, CHANGED, DELETED = ChangeKind.ADDED, ChangeKind.CHANGED, ChangeKind.DELETED


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    path: str

    def __str__(self) -> str:
        return f"{self.kind} {self.path}"


def _same_time(a: int, b: int) -> bool:
    """Equal, or equal to the second when either side has no sub-second part (moby
    ``sameFsTime``: a tar keeps whole seconds, so a file that went through a layer tar has lost
    its nanoseconds and must still compare equal to the original)."""
    if a == b:
        return True
    sa, na = divmod(a, 1_000_000_000)
    sb, nb = divmod(b, 1_000_000_000)
    return sa == sb and (na == 0 or nb == 0)


def stat_different(old: Node, new: Node) -> bool:
    """moby ``statDifferent``: type/permission bits, owner, rdev; size and mtime only for
    non-directories (for a directory they are "not a good measure of change": its mtime moves
    whenever a child comes or goes, which is reported through the child); and the
    ``security.capability`` xattr, the only xattr compared."""
    if old.st_mode != new.st_mode or old.uid != new.uid or old.gid != new.gid or old.rdev != new.rdev:
        return True
    if new.kind != DIR:
        if not _same_time(old.mtime, new.mtime) or old.size != new.size:
            return True
    return dict(old.xattrs).get("security.capability") != dict(new.xattrs).get("security.capability")


def changes(fs: RootFS) -> list[Change]:
    """The ``docker diff`` of a container root filesystem against its lower levels."""
    out: list[Change] = []
    # the directories holding a whiteout, found once (a directory's deletions are looked for
    # only where something was deleted)
    whiteout_dirs = {posixpath.dirname(w) for w in fs.upper.whiteouts}
    _visit_dir(fs, fs.lower, "/", out, whiteout_dirs)
    return out


def _added_subtree(fs: MergedView, path: str, out: list[Change]) -> None:
    for name in fs.listdir(path):
        p = join(path, name)
        out.append(Change(ADDED, p))
        if fs.lstat(p).kind == DIR:
            _added_subtree(fs, p, out)


def _visit_dir(fs: RootFS, old: MergedView, path: str, out: list[Change], whiteout_dirs: set[str]) -> None:
    """Append the changes under directory ``path`` (present in old and new) to ``out``."""
    up = fs.upper
    for name in sorted(up.children.get(path, ())):
        p = join(path, name)
        new = up.entries.get(p)
        if new is None:
            continue
        before = old.lookup(p)
        if before is None:
            out.append(Change(ADDED, p))
            if new.kind == DIR:
                _added_subtree(fs, p, out)
            continue
        changed = stat_different(before, new)
        if new.kind == DIR and before.kind == DIR:
            mark = len(out)
            if changed:
                out.append(Change(CHANGED, p))
            _visit_dir(fs, old, p, out, whiteout_dirs)
            if not changed and len(out) > mark:
                # something inside changed: the directory is reported C, before its children
                # (moby addChanges: "needed to properly save and restore filesystem permissions")
                out.insert(mark, Change(CHANGED, p))
        elif new.kind == DIR:  # a file became a directory: C, then every child is new
            out.append(Change(CHANGED, p))
            _added_subtree(fs, p, out)
        elif changed:
            out.append(Change(CHANGED, p))
    # deleted children: whiteouts, or lower names hidden by an opaque directory
    if path in up.opaques or path in whiteout_dirs:
        try:
            now = set(fs.listdir(path))
            before_names = old.listdir(path)
        except OSError:
            return
        for name in before_names:
            if name not in now:
                out.append(Change(DELETED, join(path, name)))
