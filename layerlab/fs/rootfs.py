"""The union mount: read-only levels merged under one writable upper level, as overlayfs does.

A *level* is anything with ``entries`` (path -> :class:`Node`), ``whiteouts``, ``opaques`` and
``children`` (dir -> names): a :class:`~layerlab.fs.layer.Layer`, a :class:`FlatTree` (a whole
image flattened once and cached), or the container's :class:`Upper`. Levels are ordered
upper-most first, like overlay's ``lowerdir=`` option.

Lookup rule (kernel Documentation/filesystems/overlayfs.rst): the top-most level that has a
name wins; a whiteout at a level hides that name in every level below; a directory found at
level *i* is merged with same-named directories below it until a level where the name is a
whiteout or a non-directory, or until (and including) a level where it is opaque.

Write rules (the kernel's, measured in docs/docker-storage-facts.md §2.3), implemented by
:class:`RootFS`:

* copy-up is per file and copies the whole file, the first time a lower file is opened for
  writing (even with nothing written), appended to, truncated, chmod-ed, chown-ed, touched,
  or hard-linked; parents are copied up first (metadata only); mtime is preserved;
* ``O_TRUNC`` skips the data copy: ``echo x > big`` costs nothing, ``echo x >> big`` copies it;
* deleting a lower name writes one whiteout, even for a whole directory;
* creating a directory where a lower one was deleted makes the new one opaque;
* renaming a directory that exists in a lower level fails with EXDEV (Docker leaves
  ``redirect_dir`` off), so ``mv`` falls back to copy + delete; renaming an upper-only
  directory works and marks it opaque;
* writing to one name of a lower hard-linked pair breaks the link (Docker mounts ``index=off``).

Permission checks are not modelled: every process runs with root's rights.
"""
from __future__ import annotations

import errno
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Iterable, Sequence

from ..content import Content
from ..errors import fs_error
from .layer import Layer
from .tree import DIR, FILE, SYMLINK, Node, resolve, ancestors, basename, directory, join, normpath, parent, unique_inodes

_ROOT = directory(0o755)
def makedirs(fs, path: str, mode: int = 0o777) -> None:
    """``mkdir -p`` on anything with ``stat`` and ``mkdir``: create the missing directories
    (symlinks to directories are followed); existing ones are fine. A non-directory on the
    way is ENOTDIR, or EEXIST when it is ``path`` itself."""
    path = normpath(path)
    cur = "/"
    for comp in [p for p in path.split("/") if p]:
        cur = join(cur, comp)
        try:
            node = fs.stat(cur)
        except FileNotFoundError:
            fs.mkdir(cur, mode)
            continue
        if node.kind != DIR:
            raise fs_error(errno.ENOTDIR if cur != path else errno.EEXIST, cur)


class FlatTree:
    """A stack of layers flattened into one level (no whiteouts left). Build once per image."""

    whiteouts: frozenset[str] = frozenset()
    opaques: frozenset[str] = frozenset()

    def __init__(self, entries: dict[str, Node] | None = None, children: dict[str, set[str]] | None = None):
        self.entries: dict[str, Node] = entries if entries is not None else {"/": _ROOT}
        self.children: dict[str, set[str]] = children if children is not None else {}

    @staticmethod
    def of(layers: Iterable[Layer], base: "FlatTree | None" = None) -> "FlatTree":
        """Flatten ``layers`` (base first) on top of ``base``."""
        if base is None:
            flat = FlatTree()
        else:
            flat = FlatTree(dict(base.entries), {k: set(v) for k, v in base.children.items()})
        for layer in layers:
            flat._apply(layer)
        return flat

    def _drop(self, path: str) -> None:
        node = self.entries.pop(path, None)
        if node is None:
            return
        self.children.get(parent(path), set()).discard(basename(path))
        if node.kind == DIR:
            self._drop_children(path)

    def _drop_children(self, path: str) -> None:
        for name in list(self.children.get(path, ())):
            self._drop(join(path, name))
        self.children.pop(path, None)

    def _apply(self, layer: Layer) -> None:
        for d in layer.opaques:
            self._drop_children(d)
        for w in layer.whiteouts:
            self._drop(w)
        for path in sorted(layer.entries):
            node = layer.entries[path]
            old = self.entries.get(path)
            if old is not None and old.kind == DIR and node.kind != DIR:
                self._drop_children(path)
            if parent(path) not in self.entries:  # a tar without its parent directories
                for anc in ancestors(path):
                    if anc not in self.entries:
                        self.entries[anc] = directory()
                        self.children.setdefault(parent(anc), set()).add(basename(anc))
            self.entries[path] = node
            self.children.setdefault(parent(path), set()).add(basename(path))


class Upper:
    """The writable level (overlay's upperdir): mutable, turned into a Layer by :meth:`freeze`."""

    def __init__(self) -> None:
        self.entries: dict[str, Node] = {}
        self.whiteouts: set[str] = set()
        self.opaques: set[str] = set()
        self.children: dict[str, set[str]] = {}
        self.ino_paths: dict[int, set[str]] = {}
        self._next_ino = 1

    def new_ino(self) -> int:
        self._next_ino += 1
        return self._next_ino

    def put(self, path: str, node: Node) -> None:
        old = self.entries.get(path)
        if old is not None and old.ino and old.ino != node.ino:
            self.ino_paths.get(old.ino, set()).discard(path)
        self.entries[path] = node
        self.whiteouts.discard(path)
        self.children.setdefault(parent(path), set()).add(basename(path))
        if node.ino:
            self.ino_paths.setdefault(node.ino, set()).add(path)

    def set_inode(self, path: str, node: Node) -> None:
        """Replace the object at ``path`` and, for a hard link, at every name of that inode."""
        paths = self.ino_paths.get(node.ino, {path}) if node.ino else {path}
        for p in paths | {path}:
            self.put(p, node)

    def remove(self, path: str) -> None:
        """Drop ``path`` and anything under it from the upper level (no whiteout)."""
        node = self.entries.pop(path, None)
        self.whiteouts.discard(path)
        self.opaques.discard(path)
        self.children.get(parent(path), set()).discard(basename(path))
        if node is not None and node.ino:
            self.ino_paths.get(node.ino, set()).discard(path)
        if (node is not None and node.kind != DIR) or (node is None and path not in self.children):
            return  # nothing can live under a non-directory: skip the scans (rm -rf stays linear)
        prefix = path + "/"
        for p in [p for p in self.entries if p.startswith(prefix)]:
            n = self.entries.pop(p)
            if n.ino:
                self.ino_paths.get(n.ino, set()).discard(p)
            self.children.pop(p, None)
        for p in [p for p in self.whiteouts if p.startswith(prefix)]:
            self.whiteouts.discard(p)
        for p in [p for p in self.opaques if p.startswith(prefix)]:
            self.opaques.discard(p)
        self.children.pop(path, None)

    def freeze(self) -> Layer:
        """The layer ``docker commit`` (or a build step) makes of this upper dir."""
        return Layer(MappingProxyType(dict(self.entries)), frozenset(self.whiteouts),
                     frozenset(self.opaques))

    @property
    def size(self) -> int:
        """overlay2 ``SizeRw``: directory.Size of the upper dir (apparent, inodes once)."""
        return sum(n.size for n in unique_inodes(n for n in self.entries.values() if n.kind != DIR))


@dataclass(frozen=True, slots=True)
class Found:
    node: Node
    level: int   # index of the level it came from (0 = top)
    limit: int   # for a directory: levels [0, limit) contribute its children


def _node_of(found: Found) -> Node:
    return found.node


class MergedView:
    """Read-only merged view of ``levels`` (upper-most first)."""

    def __init__(self, levels: Sequence[object]):
        self.levels = list(levels)

    # ------------------------------------------------------------------ lookup
    def _find_in(self, path: str, limit: int) -> Found | None:
        levels = self.levels
        for i in range(limit):
            lvl = levels[i]
            node = lvl.entries.get(path)
            if node is not None:
                if node.kind != DIR:
                    return Found(node, i, i + 1)
                if path in lvl.opaques:
                    return Found(node, i, i + 1)
                lim = limit
                for j in range(i + 1, limit):
                    low = levels[j]
                    if path in low.whiteouts:
                        lim = j
                        break
                    other = low.entries.get(path)
                    if other is not None:
                        if other.kind != DIR:
                            lim = j
                            break
                        if path in low.opaques:
                            lim = j + 1
                            break
                return Found(node, i, lim)
            if path in lvl.whiteouts:
                return None
        return None

    def _root(self) -> Found:
        for i, lvl in enumerate(self.levels):
            node = lvl.entries.get("/")
            if node is not None:
                return Found(node, i, len(self.levels))
        return Found(_ROOT, len(self.levels), len(self.levels))

    def _walk(self, path: str, follow: bool) -> tuple[str, Found | None, Found | None]:
        """Resolve ``path`` -> (real path, found or None, found parent directory): the walk of
        :func:`layerlab.fs.tree.resolve`, each name looked up through the layers."""
        return resolve(path, follow, self._root(), lambda p, here: self._find_in(p, here.limit),
                       _node_of)

    def find(self, path: str, follow: bool = True) -> tuple[str, Found]:
        real, found, _ = self._walk(path, follow)
        if found is None:
            raise fs_error(errno.ENOENT, path)
        return real, found

    def lookup(self, path: str) -> Node | None:
        """The node at an already resolved path (no symlink following), or None."""
        try:
            _, found, _ = self._walk(path, follow=False)
        except OSError:
            return None
        return found.node if found else None

    # ------------------------------------------------------------------ reading
    def exists(self, path: str, follow: bool = True) -> bool:
        try:
            self.find(path, follow)
            return True
        except OSError:
            return False

    def stat(self, path: str) -> Node:
        return self.find(path, True)[1].node

    def lstat(self, path: str) -> Node:
        return self.find(path, False)[1].node

    def is_dir(self, path: str) -> bool:
        try:
            return self.stat(path).kind == DIR
        except OSError:
            return False

    def realpath(self, path: str) -> str:
        return self.find(path, True)[0]

    def readlink(self, path: str) -> str:
        node = self.lstat(path)
        if node.kind != SYMLINK:
            raise fs_error(errno.EINVAL, path)
        return node.target

    def listdir(self, path: str = "/") -> list[str]:
        real, found = self.find(path, True)
        if found.node.kind != DIR:
            raise fs_error(errno.ENOTDIR, path)
        return self._names(real, found.limit)

    def _names(self, real: str, limit: int) -> list[str]:
        names: set[str] = set()
        for i in range(min(limit, len(self.levels))):
            kids = self.levels[i].children.get(real)
            if kids:
                names.update(kids)
        return sorted(n for n in names if self._find_in(join(real, n), limit) is not None)

    def read_content(self, path: str) -> Content:
        node = self.stat(path)
        if node.kind == DIR:
            raise fs_error(errno.EISDIR, path)
        return node.content

    def read_bytes(self, path: str) -> bytes:
        return self.read_content(path).bytes()

    def read_text(self, path: str) -> str:
        return self.read_bytes(path).decode("utf-8", "replace")

    def walk(self, top: str = "/") -> Iterable[tuple[str, Node]]:
        """Every (path, node) under ``top`` in pre-order, siblings sorted; symlinks not followed."""
        real, found = self.find(top, True)
        yield real, found.node
        if found.node.kind == DIR:
            yield from self._walk_dir(real, found.limit)

    def _walk_dir(self, real: str, limit: int):
        for name in self._names(real, limit):
            p = join(real, name)
            child = self._find_in(p, limit)
            yield p, child.node
            if child.node.kind == DIR:
                yield from self._walk_dir(p, child.limit)


class RootFS(MergedView):
    """A container's root filesystem: the writable :class:`Upper` over read-only levels.

    ``clock`` returns nanoseconds since the epoch (injectable, so runs repeat exactly).
    ``uid``/``gid`` are the owner of new files; ``umask`` applies to new files and dirs.
    """

    def __init__(self, lowers: Sequence[object], upper: Upper | None = None,
                 clock: Callable[[], int] = lambda: 0, read_only: bool = False):
        self.upper = upper if upper is not None else Upper()
        super().__init__([self.upper, *lowers])
        self.lower = MergedView(list(lowers))
        self.clock = clock
        self.read_only = read_only
        self.uid = 0
        self.gid = 0
        self.umask = 0o022

    # ------------------------------------------------------------------ helpers
    def _check_writable(self, path: str) -> None:
        if self.read_only:
            raise fs_error(errno.EROFS, path)

    def _in_lower(self, path: str) -> bool:
        """Does a lower level show something at this (resolved) path?"""
        return self.lower.lookup(path) is not None

    def _copy_up_dirs(self, path: str) -> None:
        """Copy every ancestor directory of ``path`` into the upper level (metadata only)."""
        up = self.upper
        for anc in ancestors(path):
            if anc not in up.entries:
                found = self._find_in(anc, len(self.levels))
                up.put(anc, found.node if found else directory())

    def _copy_up(self, path: str, found: Found) -> Node:
        """Bring a lower object into the upper level, whole; returns the upper node."""
        if found.level == 0:
            return found.node
        self._copy_up_dirs(path)
        node = found.node
        if node.ino:  # index=off: a copied-up name leaves its lower hard link behind
            node = node.with_(ino=0)
        self.upper.put(path, node)
        return node

    def _copy_up_truncated(self, path: str, found: Found) -> Node:
        """The node an ``O_TRUNC`` open will truncate. A lower file is copied up *without its
        data* (the kernel skips the copy when the open truncates), parents first; like any
        copy-up it leaves the lower hard link behind (index=off)."""
        if found.level == 0:
            return found.node
        self._copy_up_dirs(path)
        return found.node.with_(ino=0)

    def _touch_parent(self, path: str) -> None:
        par = parent(path)
        node = self.upper.entries.get(par)
        if node is not None:
            self.upper.put(par, node.with_(mtime=self.clock()))

    def _parent_dir(self, path: str) -> tuple[str, Found | None, Found]:
        real, found, par = self._walk(path, follow=False)
        if par is None:  # the root itself
            raise fs_error(errno.EBUSY, path)
        if par.node.kind != DIR:
            raise fs_error(errno.ENOTDIR, path)
        return real, found, par

    def _new_name(self, real: str) -> None:
        """Prepare the upper level for a new object at ``real`` (which does not exist)."""
        self._copy_up_dirs(real)
        self.upper.whiteouts.discard(real)

    # ------------------------------------------------------------------ files
    def open(self, path: str, *, write: bool = True, append: bool = False, truncate: bool = False,
             create: bool = True, exclusive: bool = False, mode: int = 0o666) -> str:
        """``open(2)`` for writing: create, or copy up (skipping the data with O_TRUNC).

        Returns the resolved path. Opening is enough to copy a lower file up, whole.
        """
        self._check_writable(path)
        real, found, par = self._walk(path, follow=True)
        if found is None:
            if par is None or not create:
                raise fs_error(errno.ENOENT, path)
            if par.node.kind != DIR:
                raise fs_error(errno.ENOTDIR, path)
            self._new_name(real)
            now = self.clock()
            self.upper.put(real, Node(FILE, mode & ~self.umask & 0o7777, self.uid, self.gid, now))
            self._touch_parent(real)
            return real
        if exclusive:
            raise fs_error(errno.EEXIST, path)
        if found.node.kind == DIR:
            raise fs_error(errno.EISDIR, path)
        if not write:
            return real
        if truncate:
            node = self._copy_up_truncated(real, found)
            self.upper.set_inode(real, node.with_(content=Content(), mtime=self.clock()))
        else:
            self._copy_up(real, found)
        return real

    def write(self, path: str, data: bytes | str, *, append: bool = False, truncate: bool = True,
              mode: int = 0o666) -> str:
        """Shell ``>`` (default) or ``>>`` (``append=True``) of ``data``."""
        if isinstance(data, str):
            data = data.encode()
        real = self.open(path, append=append, truncate=truncate and not append, mode=mode)
        if data or not append:
            node = self.upper.entries[real]
            content = node.content.append(data) if append else node.content.write(0, data) if data else node.content
            self.upper.set_inode(real, node.with_(content=content, mtime=self.clock()))
        return real

    def pwrite(self, path: str, offset: int, data: bytes, *, truncate: bool = False) -> str:
        """Write ``data`` at ``offset`` (``dd seek=... conv=notrunc``)."""
        real = self.open(path, truncate=truncate)
        node = self.upper.entries[real]
        self.upper.set_inode(real, node.with_(content=node.content.write(offset, data), mtime=self.clock()))
        return real

    def set_content(self, path: str, content: Content, mode: int = 0o666) -> str:
        """Replace a file's whole content (like ``cp`` onto it): an O_TRUNC open plus a write."""
        real = self.open(path, truncate=True, mode=mode)
        node = self.upper.entries[real]
        self.upper.set_inode(real, node.with_(content=content, mtime=self.clock()))
        return real

    def truncate(self, path: str, size: int) -> None:
        self._check_writable(path)
        real, found = self.find(path, True)
        if found.node.kind == DIR:
            raise fs_error(errno.EISDIR, path)
        node = self._copy_up(real, found)
        self.upper.set_inode(real, node.with_(content=node.content.truncate(size), mtime=self.clock()))

    def put_node(self, path: str, node: Node) -> str:
        """Place ``node`` at ``path`` as-is (mode, owner and mtime kept): what COPY/ADD and
        ``docker cp`` do. A file replaces what was there; a directory onto a directory only
        takes the new metadata."""
        self._check_writable(path)
        real, found, par = self._parent_dir(path)
        if found is not None:
            if found.node.kind == DIR and node.kind == DIR:
                self._copy_up(real, found)
                self.upper.put(real, node)
                return real
            if found.node.kind == DIR:
                self.remove_tree(real)
            else:
                self.upper.remove(real)
        opaque = node.kind == DIR and (real in self.upper.whiteouts or self._in_lower(real))
        self._new_name(real)
        self.upper.put(real, node.with_(ino=0))
        if opaque:
            self.upper.opaques.add(real)
        return real

    # ------------------------------------------------------------------ metadata
    def _modify(self, path: str, follow: bool, **changes) -> None:
        self._check_writable(path)
        real, found = self.find(path, follow)
        node = self._copy_up(real, found)
        self.upper.set_inode(real, node.with_(**changes))

    def chmod(self, path: str, mode: int) -> None:
        self._modify(path, True, mode=mode & 0o7777)

    def chown(self, path: str, uid: int, gid: int, follow: bool = True) -> None:
        node = self.stat(path) if follow else self.lstat(path)
        self._modify(path, follow, uid=node.uid if uid < 0 else uid, gid=node.gid if gid < 0 else gid)

    def utime(self, path: str, mtime_ns: int | None = None, follow: bool = True) -> None:
        self._modify(path, follow, mtime=self.clock() if mtime_ns is None else mtime_ns)

    def setxattr(self, path: str, name: str, value: bytes) -> None:
        node = self.stat(path)
        xattrs = dict(node.xattrs)
        xattrs[name] = value
        self._modify(path, True, xattrs=tuple(sorted(xattrs.items())))

    # ------------------------------------------------------------------ names
    def mkdir(self, path: str, mode: int = 0o777) -> str:
        self._check_writable(path)
        real, found, par = self._parent_dir(path)
        if found is not None:
            raise fs_error(errno.EEXIST, path)
        opaque = real in self.upper.whiteouts or self._in_lower(real)
        self._new_name(real)
        self.upper.put(real, Node(DIR, mode & ~self.umask & 0o7777, self.uid, self.gid, self.clock()))
        if opaque:
            self.upper.opaques.add(real)
        self._touch_parent(real)
        return real

    def makedirs(self, path: str, mode: int = 0o777) -> None:
        makedirs(self, path, mode)

    def symlink(self, target: str, path: str) -> None:
        self._check_writable(path)
        real, found, _ = self._parent_dir(path)
        if found is not None:
            raise fs_error(errno.EEXIST, path)
        self._new_name(real)
        self.upper.put(real, Node(SYMLINK, 0o777, self.uid, self.gid, self.clock(), target=target))
        self._touch_parent(real)

    def link(self, src: str, dst: str) -> None:
        """Hard link: the source is copied up first, then both names share one inode."""
        self._check_writable(dst)
        src_real, src_found = self.find(src, False)
        real, found, _ = self._parent_dir(dst)
        if found is not None:  # the kernel looks the new name up before checking the source
            raise fs_error(errno.EEXIST, src, dst)
        if src_found.node.kind == DIR:
            raise fs_error(errno.EPERM, src, dst)
        node = self._copy_up(src_real, src_found)
        if not node.ino:
            node = node.with_(ino=self.upper.new_ino())
            self.upper.put(src_real, node)
        self._new_name(real)
        self.upper.put(real, node)
        self._touch_parent(real)

    def _delete(self, real: str) -> None:
        """Remove a name: drop what the upper level has, whiteout what a lower level shows."""
        self.upper.remove(real)
        if self._in_lower(real):
            self._copy_up_dirs(real)
            self.upper.whiteouts.add(real)
            self.upper.children.get(parent(real), set()).discard(basename(real))
        self._touch_parent(real)

    def unlink(self, path: str) -> None:
        self._check_writable(path)
        real, found, _ = self._parent_dir(path)
        if found is None:
            raise fs_error(errno.ENOENT, path)
        if found.node.kind == DIR:
            raise fs_error(errno.EISDIR, path)
        self._delete(real)

    def rmdir(self, path: str) -> None:
        self._check_writable(path)
        real, found, _ = self._parent_dir(path)
        if found is None:
            raise fs_error(errno.ENOENT, path)
        if found.node.kind != DIR:
            raise fs_error(errno.ENOTDIR, path)
        if self._names(real, found.limit):
            raise fs_error(errno.ENOTEMPTY, path)
        self._delete(real)

    def rename(self, src: str, dst: str) -> None:
        """``rename(2)`` with overlayfs's rules (EXDEV for lower directories).

        Error precedence follows the kernel: both parents are resolved first (ENOENT/ENOTDIR),
        then the source (ENOENT), then the ancestor traps (EINVAL: into itself; ENOTEMPTY: onto
        its own ancestor), then the type checks (ENOTDIR/EISDIR), then overlayfs (EXDEV), then
        the emptiness of a directory being replaced (ENOTEMPTY).
        """
        self._check_writable(src)
        s_real, s_found, s_par = self._walk(src, follow=False)
        d_real, d_found, d_par = self._walk(dst, follow=False)
        for par in (s_par, d_par):
            if par is None:
                raise fs_error(errno.EBUSY, src, dst)
            if par.node.kind != DIR:
                raise fs_error(errno.ENOTDIR, src, dst)
        if s_found is None:
            raise fs_error(errno.ENOENT, src, dst)
        if s_real == d_real:
            return
        if d_real.startswith(s_real + "/"):
            raise fs_error(errno.EINVAL, src, dst)
        if s_real.startswith(d_real + "/"):
            raise fs_error(errno.ENOTEMPTY, src, dst)
        node = s_found.node
        if d_found is not None and node.ino and d_found.node.ino == node.ino and d_found.level == s_found.level == 0:
            # two names of one upper inode: rename does nothing. Lower hard links are distinct
            # overlay inodes under index=off, so renaming one onto the other copies up and whites out.
            return
        if node.kind == DIR:
            if d_found is not None and d_found.node.kind != DIR:
                raise fs_error(errno.ENOTDIR, src, dst)
            if self._in_lower(s_real):
                raise fs_error(errno.EXDEV, src, dst)
            if d_found is not None and self._names(d_real, d_found.limit):
                raise fs_error(errno.ENOTEMPTY, src, dst)
            self._move_upper_tree(s_real, d_real)
            self.upper.opaques.add(d_real)
        else:
            if d_found is not None and d_found.node.kind == DIR:
                raise fs_error(errno.EISDIR, src, dst)
            moved = self._copy_up(s_real, s_found)
            if d_found is not None:
                self.upper.remove(d_real)
            self._new_name(d_real)
            self.upper.put(d_real, moved)
            self.upper.remove(s_real)
            if moved.ino:
                self.upper.ino_paths.setdefault(moved.ino, set()).add(d_real)
            if self._in_lower(s_real):
                self._copy_up_dirs(s_real)
                self.upper.whiteouts.add(s_real)
            self._touch_parent(s_real)
        self._touch_parent(d_real)

    def _move_upper_tree(self, src: str, dst: str) -> None:
        up = self.upper
        moved = {p: n for p, n in up.entries.items() if p == src or p.startswith(src + "/")}
        wh = {p for p in up.whiteouts if p.startswith(src + "/")}
        opq = {p for p in up.opaques if p == src or p.startswith(src + "/")}
        up.remove(src)
        if dst in up.entries or self._in_lower(dst):
            up.remove(dst)
        self._new_name(dst)
        for p in sorted(moved):
            up.put(dst + p[len(src):], moved[p])
        for p in wh:
            up.whiteouts.add(dst + p[len(src):])
        for p in opq:
            up.opaques.add(dst + p[len(src):])

    def remove_tree(self, path: str) -> None:
        """``rm -rf``: children first, then the directory (one whiteout remains for it)."""
        real, found = self.find(path, False)
        if found.node.kind == DIR:
            for name in self._names(real, found.limit):
                self.remove_tree(join(real, name))
            self.rmdir(real)
        else:
            self.unlink(real)
