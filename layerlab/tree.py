"""Filesystem objects as immutable values, and the path rules every layer obeys.

A :class:`Node` is what ``lstat`` would tell about one name, plus its content or link
target. Paths are absolute and normalised (``/etc/passwd``); the root is ``/``.
"""
from __future__ import annotations

import posixpath
import stat as _stat
from dataclasses import dataclass, field, replace
from typing import Iterable, Iterator

from .content import EMPTY, Content

FILE, DIR, SYMLINK, CHAR = "file", "dir", "symlink", "char"
_TYPE_BITS = {FILE: _stat.S_IFREG, DIR: _stat.S_IFDIR, SYMLINK: _stat.S_IFLNK, CHAR: _stat.S_IFCHR}

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"


@dataclass(frozen=True, slots=True)
class Node:
    """One filesystem object. ``ino`` is non-zero only for names that share an inode
    (hard links) inside one layer or writable layer."""

    kind: str
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
