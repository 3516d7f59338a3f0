"""Filesystem objects as immutable values, and the path rules every layer obeys.

A :class:`Node` is what ``lstat`` would tell about one name, plus its content or link
target. Paths are absolute and normalised (``/etc/passwd``); the root is ``/``.
"""
from __future__ import annotations

import errno as _errno
import posixpath
import stat as _stat
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Callable, Iterable, Iterator, TypeVar

from ..content import EMPTY, Content

class NodeKind(StrEnum):
    """What a name is (``lstat``'s file type). A StrEnum: ``NodeKind.FILE == "file"``, and it
    shows, prints and marshals as the word."""

    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    CHAR = "char"          # a character device (``/dev/console`` in the init layer, whiteouts on disk)

    def __repr__(self) -> str:
        return repr(self.value)


FILE, DIR, SYMLINK, CHAR = NodeKind.FILE, NodeKind.DIR, NodeKind.SYMLINK, NodeKind.CHAR
_TYPE_BITS = {FILE: _stat.S_IFREG, DIR: _stat.S_IFDIR, SYMLINK: _stat.S_IFLNK, CHAR: _stat.S_IFCHR}

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"

H = TypeVar("H")


@dataclass(frozen=True, slots=True)
class Node:
    """One filesystem object. ``ino`` is non-zero only for names that share an inode
    (hard links) inside one layer or writable layer."""

    kind: NodeKind
    mode: int = 0o644
    uid: int = 0
    gid: int = 0
    mtime: int = 0  # nanoseconds since the epoch
    content: Content = field(default=EMPTY)
    target: str = ""
    ino: int = 0
    xattrs: tuple[tuple[str, bytes], ...] = ()
    rdev: int = 0

    @property
    def is_dir(self) -> bool:
        return self.kind == DIR

    @property
    def size(self) -> int:
        """``st_size`` as the kernel reports it (a directory on ext4 reports 4096)."""
        if self.kind == FILE:
            return self.content.size
        if self.kind == SYMLINK:
            return len(self.target.encode())
        if self.kind == DIR:
            return 4096
        return 0

    @property
    def st_mode(self) -> int:
        return _TYPE_BITS[self.kind] | (self.mode & 0o7777)

    def with_(self, **changes) -> "Node":
        return replace(self, **changes)


def unique_inodes(nodes: Iterable[Node]) -> Iterator[Node]:
    """``nodes`` with each hard-linked inode (a shared non-zero ``ino``) once: how ``du``, moby's
    directory.Size and go-archive's ChangesSize count a file that has several names."""
    seen: set[int] = set()
    for node in nodes:
        if node.ino:
            if node.ino in seen:
                continue
            seen.add(node.ino)
        yield node


def file(data: bytes | str | Content = b"", mode: int = 0o644, uid: int = 0, gid: int = 0,
         mtime: int = 0) -> Node:
    content = data if isinstance(data, Content) else Content.of(data)
    return Node(FILE, mode, uid, gid, mtime, content)


def directory(mode: int = 0o755, uid: int = 0, gid: int = 0, mtime: int = 0) -> Node:
    return Node(DIR, mode, uid, gid, mtime)


def symlink(target: str, uid: int = 0, gid: int = 0, mtime: int = 0) -> Node:
    return Node(SYMLINK, 0o777, uid, gid, mtime, target=target)


def normpath(path: str, cwd: str = "/") -> str:
    """Absolute, normalised path; ``..`` never climbs above ``/`` (as in a chroot)."""
    if not path.startswith("/"):
        path = posixpath.join(cwd, path)
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def parent(path: str) -> str:
    return posixpath.dirname(path) or "/"


def basename(path: str) -> str:
    return posixpath.basename(path)


def join(dirpath: str, name: str) -> str:
    return dirpath + name if dirpath == "/" else dirpath + "/" + name


def ancestors(path: str) -> list[str]:
    """``/a/b/c`` -> ``['/a', '/a/b']`` (not the root, not the path itself)."""
    out, cur = [], parent(path)
    while cur != "/":
        out.append(cur)
        cur = parent(cur)
    out.reverse()
    return out


def is_under(path: str, top: str) -> bool:
    return top == "/" or path == top or path.startswith(top + "/")


MAXSYMLINKS = 40   # Linux's limit on links followed in one lookup (ELOOP after it)


def resolve(path: str, follow: bool, root: H, child: Callable[[str, H], "H | None"],
            node_of: Callable[[H], Node]) -> tuple[str, "H | None", "H | None"]:
    """The kernel's path walk, once for every filesystem view: ``path`` -> (real path, the
    handle found or None, the handle of its parent directory).

    ``root`` is the handle of ``/``; ``child(path, parent_handle)`` looks one name up (None if
    missing); ``node_of(handle)`` is its :class:`Node`. Symlinks in the middle are always
    followed (an absolute target restarts at ``/``, a relative one at the link's directory);
    the last component only when ``follow``. ENOTDIR when a middle component is not a
    directory, ENOENT when one is missing, ELOOP after :data:`MAXSYMLINKS` links. A missing
    last component is not an error: its handle is None, so a caller can create it.
    """
    from ..errors import fs_error
    path = normpath(path)
    hops = 0
    while True:
        parts = [p for p in path.split("/") if p]
        cur, here = "/", root
        restart = None
        for idx, comp in enumerate(parts):
            last = idx == len(parts) - 1
            if node_of(here).kind != DIR:
                raise fs_error(_errno.ENOTDIR, path)
            nxt = join(cur, comp)
            found = child(nxt, here)
            if found is None:
                if last:
                    return nxt, None, here
                raise fs_error(_errno.ENOENT, path)
            node = node_of(found)
            if node.kind == SYMLINK and (not last or follow):
                hops += 1
                if hops > MAXSYMLINKS:
                    raise fs_error(_errno.ELOOP, path)
                base = node.target if node.target.startswith("/") else join(cur, node.target)
                rest = "/".join(parts[idx + 1:])
                restart = normpath(base + ("/" + rest if rest else ""))
                break
            if last:
                return nxt, found, here
            cur, here = nxt, found
        if restart is None:
            return "/", here, None
        path = restart
