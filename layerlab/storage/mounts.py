"""Mounts: volume, bind and tmpfs values, docker's two mount syntaxes, and the mount namespace.

Storage types (docs/docker-storage-facts.md §8, tests/oracle/OBSERVED.md "(g)"):

* a **volume** is a directory docker manages (``/var/lib/docker/volumes/<name>/_data``); an empty
  one mounted over an image directory is first filled from it (unless ``nocopy``); a non-empty
  one hides the image content;
* a **bind mount** shows a host path (directory or file) at the target; nothing is copied
  either way; ``-v /host:/ctr`` creates a missing host directory, ``--mount type=bind`` refuses;
* a **tmpfs** lives in memory, starts empty (it hides the image content), is emptied when the
  container stops, and may have a ``size`` (ENOSPC past it) and a ``mode`` (default 1777).

One frozen value per kind of mount request (:class:`VolumeMount`, :class:`BindMount`,
:class:`TmpfsMount`), parsed from docker's syntaxes with docker's error texts by
:func:`parse_volume_spec` (``-v``), :func:`parse_mount_spec` (``--mount``) and
:func:`parse_tmpfs_spec` (``--tmpfs``).

:class:`MountNamespace` is what the container's process sees: the root filesystem plus the
mounts. It has the same methods as :class:`~layerlab.fs.rootfs.RootFS` (so the shell runs on it
unchanged) and routes every path to the filesystem of the mount covering it, longest prefix
first, resolving symlinks in the container's namespace (an absolute link inside a volume points
into the container, not into the volume). Kernel rules it applies:

* a rename or hard link across two mounts (or a mount and the rootfs) fails with EXDEV;
* a write to a read-only mount (``:ro``, ``readonly``) or to a ``--read-only`` root fails with EROFS;
* removing or renaming a mount point fails with EBUSY;
* a write that would take a tmpfs past its ``size`` fails with ENOSPC (what fits is written,
  as the kernel does: tmpfs counts file data in 4 KiB pages).

Writes under a mount never reach the container's writable layer, so they show in neither
``docker diff`` nor ``docker ps -s``. The mount point itself is created in the rootfs when the
image lacks it, which real docker shows as ``A /newmount``.

A plain in-memory filesystem (:class:`MemFS`) is a RootFS with no lower level; volumes, tmpfs
and the Python API's host filesystem are MemFS. :class:`HostDirFS` exposes a real directory with
the same methods, for bind mounts of real host folders (the CLI's default).
"""
from __future__ import annotations

import csv
import errno
import os
import stat as _stat
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from ..content import Content
from ..drivers.physical import align, alloc_ranges, file_blocks, total
from ..errors import InvalidParameter, fs_error
from ..fs.rootfs import Found, RootFS, Upper, makedirs
from ..fs.tree import CHAR, DIR, FILE, SYMLINK, Node, resolve, basename, directory, is_under, join, normpath, parent, unique_inodes

PAGE = 4096

# ============================================================================ mount requests


@dataclass(frozen=True, slots=True)
class VolumeMount:
    """``-v name:/target`` (``name`` empty = anonymous), or ``--mount type=volume``."""

    target: str
    name: str = ""
    read_only: bool = False
    nocopy: bool = False
    mode: str = ""                   # the ``-v`` mode string, as inspect's ``Mode`` shows it
    labels: tuple[tuple[str, str], ...] = ()
    type: str = "volume"
    # where docker's API keeps the request: the ``-v`` string (HostConfig.Binds when it names a
    # source, Config.Volumes when it does not), or ``--mount`` (HostConfig.Mounts)
    raw: str = field(default="", repr=False, compare=False)
    via_mount: bool = field(default=False, repr=False, compare=False)

    @property
    def anonymous(self) -> bool:
        return not self.name


@dataclass(frozen=True, slots=True)
class BindMount:
    """``-v /host:/target`` (``create_source=True``) or ``--mount type=bind`` (refuses a missing
    source unless ``create_source``)."""

    source: str
    target: str
    read_only: bool = False
    create_source: bool = False
    propagation: str = "rprivate"
    mode: str = ""
    type: str = "bind"
    host: object = field(default=None, compare=False)   # a host filesystem (MemFS/HostDirFS) for this mount only
    raw: str = field(default="", repr=False, compare=False)          # the ``-v`` string
    via_mount: bool = field(default=False, repr=False, compare=False)   # from ``--mount``


@dataclass(frozen=True, slots=True)
class TmpfsMount:
    """``--tmpfs /target[:opts]`` or ``--mount type=tmpfs,tmpfs-size=..,tmpfs-mode=..``."""

    target: str
    size: int | None = None          # bytes; None = the kernel default (half of RAM)
    mode: int = 0o1777
    read_only: bool = False
    options: str | None = None       # ``--tmpfs`` option string (None: it came from ``--mount``)
    type: str = "tmpfs"


MountRequest = VolumeMount | BindMount | TmpfsMount


def _invalid_spec(raw: str) -> str:
    return f"invalid volume specification: '{raw}'"


_RW_MODES = {"rw", "ro"}
_LABEL_MODES = {"z", "Z"}
_PROPAGATION = {"private", "rprivate", "slave", "rslave", "shared", "rshared"}
_CONSISTENCY = {"consistent", "cached", "delegated"}
_COPY_MODES = {"nocopy"}


def _valid_mode(mode: str) -> bool:
    """moby linuxValidMountMode: each kind of option at most once, nothing unknown."""
    if mode == "":
        return True
    counts = {"rw": 0, "label": 0, "prop": 0, "copy": 0, "cons": 0}
    for o in mode.split(","):
        if o in _RW_MODES:
            counts["rw"] += 1
        elif o in _LABEL_MODES:
            counts["label"] += 1
        elif o in _PROPAGATION:
            counts["prop"] += 1
        elif o in _COPY_MODES:
            counts["copy"] += 1
        elif o in _CONSISTENCY:
            counts["cons"] += 1
        else:
            return False
    return all(v <= 1 for v in counts.values())


def _check_target(target: str, raw: str | None, kind: str) -> str:
    if normpath(target) == "/" and target.startswith("/"):
        msg = "invalid specification: destination can't be '/'"
    elif not target.startswith("/"):
        msg = f"invalid mount path: '{target}' mount path must be absolute"
    else:
        return normpath(target)
    if raw is not None:
        raise InvalidParameter(f"{_invalid_spec(raw)}: {msg}")
    raise InvalidParameter(f'invalid mount config for type "{kind}": {msg}')


def parse_volume_spec(raw: str) -> VolumeMount | BindMount:
    """Parse ``docker run -v`` (moby linux_parser ParseMountRaw), with the daemon's errors.

    >>> parse_volume_spec("data:/srv:ro")
    VolumeMount(target='/srv', name='data', read_only=True, nocopy=False, mode='ro', labels=(), type='volume')
    >>> parse_volume_spec("/host/dir:/b").source
    '/host/dir'
    >>> parse_volume_spec("/scratch").anonymous
    True
    """
    arr = raw.split(":", 3)
    if arr[0] == "":
        raise InvalidParameter(_invalid_spec(raw))
    source, mode = "", ""
    if len(arr) == 1:
        target = arr[0]
    elif len(arr) == 2:
        if _valid_mode(arr[1]):
            raise InvalidParameter(_invalid_spec(raw))
        source, target = arr
    elif len(arr) == 3:
        source, target, mode = arr
    else:
        raise InvalidParameter(_invalid_spec(raw))
    if not _valid_mode(mode):
        raise InvalidParameter(f"invalid mode: {mode}")
    opts = mode.split(",") if mode else []
    read_only = "ro" in opts
    target = _check_target(target, raw, "bind" if source.startswith("/") else "volume")
    if source.startswith("/"):
        prop = next((o for o in opts if o in _PROPAGATION), "rprivate")
        return BindMount(normpath(source), target, read_only, create_source=True, propagation=prop,
                         mode=mode, raw=raw)
    return VolumeMount(target, source, read_only, nocopy="nocopy" in opts, mode=mode, raw=raw)


def _parse_bool(key: str, val: str) -> bool:
    # Go strconv.ParseBool
    if val in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if val in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    raise InvalidParameter(f"invalid value for {key}: {val}")


def ram_in_bytes(val: str) -> int:
    """go-units RAMInBytes (``64m`` -> 67108864); ValueError on bad input."""
    from ..units import ram_in_bytes as _ram

    try:
        return _ram(val)
    except Exception as e:  # GoUnitsError
        raise ValueError(str(e)) from None


def parse_mount_spec(value: str) -> MountRequest:
    """Parse ``--mount type=...,source=...,target=...`` (docker/cli opts/mount.go).

    Raises InvalidParameter with the CLI's text (the CLI prints it as
    ``invalid argument "<value>" for "--mount" flag: <text>``).

    >>> parse_mount_spec("type=tmpfs,destination=/x,tmpfs-size=1m,tmpfs-mode=1770")
    TmpfsMount(target='/x', size=1048576, mode=1016, read_only=False, options=None, type='tmpfs')
    """
    fields = next(csv.reader([value]))
    mtype, source, target = "volume", "", ""
    read_only = False
    vol_opts = bind_opts = tmpfs_opts = False
    nocopy = False
    labels: list[tuple[str, str]] = []
    propagation = ""
    create_src = False
    size: int | None = None
    mode: int | None = None
    for f in fields:
        key, sep, val = f.partition("=")
        if not sep:
            if key in ("readonly", "ro"):
                read_only = True
                continue
            if key == "volume-nocopy":
                vol_opts, nocopy = True, True
                continue
            if key in ("bind-nonrecursive", "bind-create-src"):
                bind_opts = True
                create_src = create_src or key == "bind-create-src"
                continue
            raise InvalidParameter(f"invalid field '{f}' must be a key=value pair")
        if key == "type":
            mtype = val.lower()
        elif key in ("source", "src"):
            source = val
        elif key in ("target", "dst", "destination"):
            target = val
        elif key in ("readonly", "ro"):
            read_only = _parse_bool(key, val)
        elif key == "consistency":
            pass
        elif key == "bind-propagation":
            bind_opts, propagation = True, val.lower()
        elif key in ("bind-nonrecursive", "bind-create-src", "bind-recursive"):
            bind_opts = True
            if key == "bind-create-src":
                create_src = _parse_bool(key, val)
            elif key == "bind-nonrecursive":
                _parse_bool(key, val)
        elif key == "volume-nocopy":
            vol_opts = True
            nocopy = _parse_bool("volume-nocopy", val)
        elif key == "volume-label":
            vol_opts = True
            k, _, v = val.partition("=")
            if k:
                labels.append((k, v))
        elif key in ("volume-driver", "volume-opt", "volume-subpath"):
            vol_opts = True
        elif key == "tmpfs-size":
            tmpfs_opts = True
            try:
                size = ram_in_bytes(val)
            except ValueError:
                raise InvalidParameter(f"invalid value for {key}: {val}") from None
        elif key == "tmpfs-mode":
            tmpfs_opts = True
            try:
                mode = int(val, 8)
            except ValueError:
                raise InvalidParameter(f"invalid value for {key}: {val}") from None
        else:
            raise InvalidParameter(f"unexpected key '{key}' in '{f}'")
    if not mtype:
        raise InvalidParameter("type is required")
    if not target:
        raise InvalidParameter("target is required")
    if vol_opts and mtype != "volume":
        raise InvalidParameter(f"cannot mix 'volume-*' options with mount type '{mtype}'")
    if bind_opts and mtype != "bind":
        raise InvalidParameter(f"cannot mix 'bind-*' options with mount type '{mtype}'")
    if tmpfs_opts and mtype != "tmpfs":
        raise InvalidParameter(f"cannot mix 'tmpfs-*' options with mount type '{mtype}'")
    # daemon-side validation (moby validateMountConfigImpl)
    if mtype not in ("volume", "bind", "tmpfs"):
        raise InvalidParameter(f'invalid mount config for type "{mtype}": mount type unknown')
    tgt = _check_target(target, None, mtype)
    if mtype == "bind":
        if not source:
            raise InvalidParameter('invalid mount config for type "bind": field Source must not be empty')
        if not source.startswith("/"):
            raise InvalidParameter(f'invalid mount config for type "bind": invalid mount path: \'{source}\' '
                                   f'mount path must be absolute')
        if propagation and propagation not in _PROPAGATION:
            raise InvalidParameter(f'invalid mount config for type "bind": invalid propagation mode: {propagation}')
        return BindMount(normpath(source), tgt, read_only, create_source=create_src,
                         propagation=propagation or "rprivate", via_mount=True)
    if mtype == "tmpfs":
        if source:
            raise InvalidParameter('invalid mount config for type "tmpfs": field Source must not be specified')
        return TmpfsMount(tgt, size, 0o1777 if mode is None else mode, read_only)
    return VolumeMount(tgt, source, read_only, nocopy, labels=tuple(labels), via_mount=True)


def parse_tmpfs_spec(spec: str, options: str | None = None) -> TmpfsMount:
    """``--tmpfs /run:rw,noexec,size=65536k,mode=1770`` (HostConfig.Tmpfs: path -> options)."""
    if options is None:
        target, _, options = spec.partition(":")
    else:
        target = spec
    if not target.startswith("/"):
        raise InvalidParameter(f"invalid mount path: '{target}' mount path must be absolute")
    if normpath(target) == "/":
        raise InvalidParameter("invalid specification: destination can't be '/'")
    size, mode, ro = None, 0o1777, False
    for opt in filter(None, options.split(",")):
        k, _, v = opt.partition("=")
        if k == "size":
            try:
                size = ram_in_bytes(v)
            except ValueError:
                raise InvalidParameter(f"invalid tmpfs option {opt!r}") from None
        elif k == "mode":
            try:
                mode = int(v, 8)
            except ValueError:
                raise InvalidParameter(f"invalid tmpfs option {opt!r}") from None
        elif k == "ro":
            ro = True
        elif k == "rw":
            ro = False
    return TmpfsMount(normpath(target), size, mode, ro, options)


def tmpfs_size_option(size: int) -> str:
    """How the kernel echoes ``size=`` in /proc/mounts (``1m`` -> ``1024k``)."""
    if size % 1024 == 0:
        return f"{size // 1024}k"
    return str(size)


# ============================================================================ filesystems


def _zero_clock() -> int:
    """A clock that never moves (module-level, so filesystems pickle with the CLI's state)."""
    return 0


class _MemUpper(Upper):
    """An Upper whose root directory node can change (a RootFS never re-puts ``/``)."""

    def put(self, path: str, node: Node) -> None:
        if path == "/":
            self.entries["/"] = node
            return
        super().put(path, node)


class MemFS(RootFS):
    """A plain in-memory filesystem: a RootFS with no lower level (no copy-up, no whiteouts)."""

    def __init__(self, root: Node | None = None, clock: Callable[[], int] | None = None):
        up = _MemUpper()
        up.entries["/"] = root if root is not None else directory(0o755)
        super().__init__([], upper=up, clock=clock or _zero_clock)

    @property
    def root_node(self) -> Node:
        return self.upper.entries["/"]

    def is_empty(self) -> bool:
        return not self.upper.children.get("/")

    def data_size(self) -> int:
        """directory.Size: apparent bytes of non-directories, each inode once (volume SIZE)."""
        return self.upper.size

    def pages(self) -> int:
        """Bytes a tmpfs charges: file data in whole 4 KiB pages (holes are free), inodes once."""
        files = (n for n in self.upper.entries.values() if n.kind == FILE)
        return sum(file_blocks(n.content, PAGE) for n in unique_inodes(files))

    def clear(self, root: Node | None = None) -> None:
        up = _MemUpper()
        up.entries["/"] = root if root is not None else self.root_node
        self.upper = up
        self.levels = [up]


def _node_from_stat(st: os.stat_result, path: str, read: bool = True) -> Node:
    mode = _stat.S_IMODE(st.st_mode)
    if _stat.S_ISDIR(st.st_mode):
        return Node(DIR, mode, st.st_uid, st.st_gid, st.st_mtime_ns)
    if _stat.S_ISLNK(st.st_mode):
        return Node(SYMLINK, mode, st.st_uid, st.st_gid, st.st_mtime_ns, target=os.readlink(path))
    if _stat.S_ISREG(st.st_mode):
        if read and st.st_size <= (4 << 20):
            with open(path, "rb") as fh:
                content = Content.of(fh.read())
        else:
            content = Content(size=st.st_size)
        ino = st.st_ino if st.st_nlink > 1 else 0
        return Node(FILE, mode, st.st_uid, st.st_gid, st.st_mtime_ns, content, ino=ino)
    return Node(CHAR, mode, st.st_uid, st.st_gid, st.st_mtime_ns, rdev=st.st_rdev)


class HostDirFS:
    """A real host directory with RootFS's methods (paths are relative to ``root``).

    Symlinks are never followed by the host here: the mount namespace resolves them in the
    container's view first, so an absolute link inside a bind mount points into the container.
    """

    def __init__(self, root: str = "/", clock: Callable[[], int] | None = None):
        self.root = os.path.abspath(root)
        self.clock = clock or _zero_clock
        self.uid = 0
        self.gid = 0
        self.umask = 0o022
        self.read_only = False

    def _p(self, path: str) -> str:
        path = normpath(path)
        return self.root if path == "/" else self.root.rstrip("/") + path

    @staticmethod
    def _err(exc: OSError, path: str, path2: str | None = None):
        return fs_error(exc.errno or errno.EIO, path, path2)

    # reading ------------------------------------------------------------------
    def lookup(self, path: str) -> Node | None:
        try:
            return _node_from_stat(os.lstat(self._p(path)), self._p(path), read=False)
        except OSError:
            return None

    def lstat(self, path: str) -> Node:
        try:
            return _node_from_stat(os.lstat(self._p(path)), self._p(path))
        except OSError as e:
            raise self._err(e, path) from None

    stat = lstat

    def find(self, path: str, follow: bool = True) -> tuple[str, Found]:
        return normpath(path), Found(self.lstat(path), 0, 1)

    def exists(self, path: str, follow: bool = True) -> bool:
        return os.path.lexists(self._p(path))

    def is_dir(self, path: str) -> bool:
        return os.path.isdir(self._p(path)) and not os.path.islink(self._p(path))

    def listdir(self, path: str = "/") -> list[str]:
        try:
            return sorted(os.listdir(self._p(path)))
        except OSError as e:
            raise self._err(e, path) from None

    def read_content(self, path: str) -> Content:
        try:
            with open(self._p(path), "rb") as fh:
                return Content.of(fh.read())
        except OSError as e:
            raise self._err(e, path) from None

    def read_bytes(self, path: str) -> bytes:
        return self.read_content(path).bytes()

    def read_text(self, path: str) -> str:
        return self.read_bytes(path).decode("utf-8", "replace")

    def readlink(self, path: str) -> str:
        try:
            return os.readlink(self._p(path))
        except OSError as e:
            raise self._err(e, path) from None

    def realpath(self, path: str) -> str:
        return normpath(path)

    def walk(self, top: str = "/") -> Iterable[tuple[str, Node]]:
        node = self.lstat(top)
        yield normpath(top), node
        if node.kind == DIR:
            for name in self.listdir(top):
                yield from self.walk(join(normpath(top), name))

    # writing ------------------------------------------------------------------
    def _own(self, p: str) -> None:
        if (self.uid, self.gid) != (os.geteuid(), os.getegid()):
            try:
                os.lchown(p, self.uid, self.gid)
            except OSError:
                pass

    def open(self, path: str, *, write: bool = True, append: bool = False, truncate: bool = False,
             create: bool = True, exclusive: bool = False, mode: int = 0o666) -> str:
        p = self._p(path)
        flags = os.O_WRONLY if write else os.O_RDONLY
        if create:
            flags |= os.O_CREAT
        if exclusive:
            flags |= os.O_EXCL
        if truncate:
            flags |= os.O_TRUNC
        if append:
            flags |= os.O_APPEND
        new = not os.path.lexists(p)
        try:
            os.close(os.open(p, flags | os.O_NOFOLLOW, mode & ~self.umask))
        except OSError as e:
            raise self._err(e, path) from None
        if new:
            self._own(p)
        return normpath(path)

    def write(self, path: str, data: bytes | str, *, append: bool = False, truncate: bool = True,
              mode: int = 0o666) -> str:
        if isinstance(data, str):
            data = data.encode()
        p = self._p(path)
        new = not os.path.lexists(p)
        flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW
        flags |= os.O_APPEND if append else (os.O_TRUNC if truncate else 0)
        try:
            fd = os.open(p, flags, mode & ~self.umask)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        except OSError as e:
            raise self._err(e, path) from None
        if new:
            self._own(p)
        return normpath(path)

    def pwrite(self, path: str, offset: int, data: bytes, *, truncate: bool = False) -> str:
        p = self._p(path)
        try:
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_TRUNC if truncate else 0), 0o644)
            try:
                os.pwrite(fd, data, offset)
            finally:
                os.close(fd)
        except OSError as e:
            raise self._err(e, path) from None
        return normpath(path)

    def set_content(self, path: str, content: Content, mode: int = 0o666) -> str:
        p = self._p(path)
        try:
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode & ~self.umask)
            try:
                for piece in content.chunks():
                    os.write(fd, piece)
                if content.size:
                    os.ftruncate(fd, content.size)
            finally:
                os.close(fd)
        except OSError as e:
            raise self._err(e, path) from None
        return normpath(path)

    def truncate(self, path: str, size: int) -> None:
        try:
            os.truncate(self._p(path), size)
        except OSError as e:
            raise self._err(e, path) from None

    def _call(self, fn, path: str, *args, path2: str | None = None, **kw) -> None:
        try:
            fn(*args, **kw)
        except OSError as e:
            raise self._err(e, path, path2) from None

    def chmod(self, path: str, mode: int) -> None:
        self._call(os.chmod, path, self._p(path), mode & 0o7777)

    def chown(self, path: str, uid: int, gid: int, follow: bool = True) -> None:
        self._call(os.lchown, path, self._p(path), uid, gid)

    def utime(self, path: str, mtime_ns: int | None = None, follow: bool = True) -> None:
        now = self.clock() if mtime_ns is None else mtime_ns
        self._call(os.utime, path, self._p(path), ns=(now, now), follow_symlinks=False)

    def setxattr(self, path: str, name: str, value: bytes) -> None:
        self._call(os.setxattr, path, self._p(path), name, value)

    def mkdir(self, path: str, mode: int = 0o777) -> str:
        self._call(os.mkdir, path, self._p(path), mode & ~self.umask)
        self._own(self._p(path))
        return normpath(path)

    def makedirs(self, path: str, mode: int = 0o777) -> None:
        try:
            os.makedirs(self._p(path), mode & ~self.umask, exist_ok=True)
        except OSError as e:
            raise self._err(e, path) from None

    def symlink(self, target: str, path: str) -> None:
        self._call(os.symlink, path, target, self._p(path))

    def link(self, src: str, dst: str) -> None:
        self._call(os.link, src, self._p(src), self._p(dst), path2=dst, follow_symlinks=False)

    def unlink(self, path: str) -> None:
        if os.path.isdir(self._p(path)) and not os.path.islink(self._p(path)):
            raise fs_error(errno.EISDIR, path)
        self._call(os.unlink, path, self._p(path))

    def rmdir(self, path: str) -> None:
        self._call(os.rmdir, path, self._p(path))

    def rename(self, src: str, dst: str) -> None:
        self._call(os.rename, src, self._p(src), self._p(dst), path2=dst)

    def remove_tree(self, path: str) -> None:
        import shutil

        p = self._p(path)
        if os.path.isdir(p) and not os.path.islink(p):
            self._call(shutil.rmtree, path, p)
        else:
            self._call(os.unlink, path, p)

    def put_node(self, path: str, node: Node) -> str:
        p = self._p(path)
        if node.kind == DIR:
            if not os.path.isdir(p):
                self.mkdir(path, node.mode)
        elif node.kind == SYMLINK:
            if os.path.lexists(p):
                os.unlink(p)
            self.symlink(node.target, path)
        else:
            self.set_content(path, node.content, node.mode)
        try:
            if node.kind != SYMLINK:
                os.chmod(p, node.mode & 0o7777)
            os.lchown(p, node.uid, node.gid)
            os.utime(p, ns=(node.mtime, node.mtime), follow_symlinks=False)
        except OSError:
            pass
        return normpath(path)


# ============================================================================ the namespace


@dataclass(eq=False)
class Mounted:
    """One mount in a namespace: the filesystem ``fs`` seen from ``root`` at ``target``."""

    target: str
    fs: object
    root: str = "/"
    read_only: bool = False
    size_limit: int | None = None       # tmpfs size (bytes)
    request: MountRequest | None = None
    info: dict = field(default_factory=dict)       # docker inspect .Mounts entry ({} = not listed)
    volume: object = None                          # the Volume, for volume mounts

    def inner(self, path: str) -> str:
        rest = path[len(self.target):] if self.target != "/" else path
        if self.root == "/":
            return rest or "/"
        return self.root + rest if rest else self.root


class MountNamespace:
    """The files as the container's process sees them: ``rootfs`` plus ``mounts``.

    Same method names and signatures as :class:`~layerlab.fs.rootfs.RootFS`.
    """

    def __init__(self, rootfs: RootFS, mounts: Sequence[Mounted] = ()):
        self.rootfs = rootfs
        self.mounts: list[Mounted] = []
        self._files: dict[str, Mounted] = {}
        self._fast = True
        for m in mounts:
            self.add(m)

    def add(self, m: Mounted) -> None:
        self.mounts = [x for x in self.mounts if x.target != m.target] + [m]
        self.mounts.sort(key=lambda x: -len(x.target))   # longest prefix first
        for attr in ("uid", "gid", "umask"):
            try:
                setattr(m.fs, attr, getattr(self.rootfs, attr))
            except AttributeError:
                pass
        self._files = {x.target: x for x in self.mounts if not self._is_dir_mount(x)}
        dirs = [x.target for x in self.mounts if x.target not in self._files]
        # Fast path: with only file mounts (/etc/hosts...) and /proc, the rootfs resolves paths
        # exactly as the namespace would, except under /proc.
        self._fast = all(t == "/proc" for t in dirs)

    @staticmethod
    def _is_dir_mount(m: Mounted) -> bool:
        node = m.fs.lookup(m.root)
        return node is None or node.kind == DIR

    def mount_at(self, target: str) -> Mounted | None:
        for m in self.mounts:
            if m.target == target:
                return m
        return None

    # shared process attributes ------------------------------------------------
    def _set_all(self, name: str, value) -> None:
        setattr(self.rootfs, name, value)
        for m in self.mounts:
            setattr(m.fs, name, value)

    uid = property(lambda self: self.rootfs.uid, lambda self, v: self._set_all("uid", v))
    gid = property(lambda self: self.rootfs.gid, lambda self, v: self._set_all("gid", v))
    umask = property(lambda self: self.rootfs.umask, lambda self, v: self._set_all("umask", v))
    clock = property(lambda self: self.rootfs.clock)

    @property
    def read_only(self) -> bool:
        return self.rootfs.read_only

    @read_only.setter
    def read_only(self, value: bool) -> None:
        self.rootfs.read_only = value

    @property
    def upper(self):
        return self.rootfs.upper

    @property
    def lower(self):
        return self.rootfs.lower

    # routing ------------------------------------------------------------------
    def _route(self, path: str) -> tuple[Mounted | None, object, str]:
        for m in self.mounts:
            if is_under(path, m.target):
                return m, m.fs, m.inner(path)
        return None, self.rootfs, path

    def _resolve(self, path: str, follow: bool = True) -> tuple[str, Mounted | None, object, str, Node | None]:
        """(namespace path, mount, fs, path inside fs, node or None if the last name is missing).

        The walk of :func:`layerlab.fs.tree.resolve` against the namespace root, each name looked
        up in the filesystem of the mount it falls under.
        """
        path = normpath(path)
        if self._fast and not is_under(path, "/proc"):
            real, found, _ = self.rootfs._walk(path, follow)
            if not is_under(real, "/proc"):
                m = self._files.get(real)
                if m is not None and found is not None:
                    return real, m, m.fs, m.root, m.fs.lookup(m.root)
                return real, None, self.rootfs, real, found.node if found is not None else None
        root = self._route("/")
        root_node = root[1].lookup(root[2]) or directory()

        def child(p: str, _parent):
            m, fs, inner = self._route(p)
            node = fs.lookup(inner)
            return None if node is None else (m, fs, inner, node)

        real, found, here = resolve(path, follow, (*root, root_node), child, lambda h: h[3])
        if found is None:
            return (real, *self._route(real), None)
        return (real, *found)

    def _writable(self, m: Mounted | None, path: str) -> None:
        if m is not None and m.read_only:
            raise fs_error(errno.EROFS, path)
        if m is None and self.rootfs.read_only:
            raise fs_error(errno.EROFS, path)

    def _is_mountpoint(self, real: str) -> bool:
        return any(m.target == real for m in self.mounts)

    def _has_submount(self, real: str) -> bool:
        return any(m.target != real and is_under(m.target, real) for m in self.mounts)

    # tmpfs size ---------------------------------------------------------------
    def _over(self, m: Mounted | None, fs, old: Node | None, ranges: list[tuple[int, int]]) -> int | None:
        """None if a file whose data occupies ``ranges`` fits in the tmpfs, else the page bytes
        that file may have (the kernel checks at the moment of the write)."""
        if m is None or m.size_limit is None:
            return None
        old_pages = file_blocks(old.content, PAGE) if old is not None and old.kind == FILE else 0
        used = fs.pages() - old_pages
        if used + total(align(ranges, PAGE)) <= m.size_limit:
            return None
        return max(0, m.size_limit - used)

    @staticmethod
    def _fit(avail: int, base: list[tuple[int, int]], start: int, n: int) -> int:
        """The longest prefix of an ``n``-byte write at ``start`` whose pages fit in ``avail``."""
        lo, hi = 0, n
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if total(align(base + [(start, start + mid)], PAGE)) <= avail:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _charged_write(self, m, fs, node, path: str, base: list, start: int, data: bytes, do) -> None:
        avail = self._over(m, fs, node, base + [(start, start + len(data))])
        if avail is None:
            do(data)
            return
        do(data[:self._fit(avail, base, start, len(data))])
        raise fs_error(errno.ENOSPC, path)

    # reading ------------------------------------------------------------------
    def lookup(self, path: str) -> Node | None:
        try:
            return self._resolve(path, False)[4]
        except OSError:
            return None

    def find(self, path: str, follow: bool = True) -> tuple[str, Found]:
        real, m, fs, inner, node = self._resolve(path, follow)
        if node is None:
            raise fs_error(errno.ENOENT, path)
        return real, fs.find(inner, False)[1]

    def stat(self, path: str) -> Node:
        real, m, fs, inner, node = self._resolve(path, True)
        if node is None:
            raise fs_error(errno.ENOENT, path)
        return fs.lstat(inner)

    def lstat(self, path: str) -> Node:
        real, m, fs, inner, node = self._resolve(path, False)
        if node is None:
            raise fs_error(errno.ENOENT, path)
        return fs.lstat(inner)

    def exists(self, path: str, follow: bool = True) -> bool:
        try:
            return self._resolve(path, follow)[4] is not None
        except OSError:
            return False

    def is_dir(self, path: str) -> bool:
        try:
            node = self._resolve(path, True)[4]
        except OSError:
            return False
        return node is not None and node.kind == DIR

    def realpath(self, path: str) -> str:
        real, m, fs, inner, node = self._resolve(path, True)
        if node is None:
            raise fs_error(errno.ENOENT, path)
        return real

    def readlink(self, path: str) -> str:
        node = self.lstat(path)
        if node.kind != SYMLINK:
            raise fs_error(errno.EINVAL, path)
        return node.target

    def listdir(self, path: str = "/") -> list[str]:
        real, m, fs, inner, node = self._resolve(path, True)
        if node is None:
            raise fs_error(errno.ENOENT, path)
        if node.kind != DIR:
            raise fs_error(errno.ENOTDIR, path)
        return fs.listdir(inner)

    def read_content(self, path: str) -> Content:
        real, m, fs, inner, node = self._resolve(path, True)
        if node is None:
            raise fs_error(errno.ENOENT, path)
        if node.kind == DIR:
            raise fs_error(errno.EISDIR, path)
        return fs.read_content(inner)

    def read_bytes(self, path: str) -> bytes:
        return self.read_content(path).bytes()

    def read_text(self, path: str) -> str:
        return self.read_bytes(path).decode("utf-8", "replace")

    def walk(self, top: str = "/") -> Iterable[tuple[str, Node]]:
        """Every (path, node) under ``top`` in pre-order, crossing into mounts."""
        real, m, fs, inner, node = self._resolve(top, True)
        if node is None:
            raise fs_error(errno.ENOENT, top)
        yield from self._walk_from(real, m, fs, inner)

    def _walk_from(self, real: str, m, fs, inner: str):
        if not self._has_submount(real):
            cut = len(inner) if inner != "/" else 0
            for p, n in fs.walk(inner):
                rest = p[cut:]
                yield (real + rest if real != "/" else (rest or "/")), n
            return
        node = fs.lstat(inner)
        yield real, node
        if node.kind != DIR:
            return
        for name in fs.listdir(inner):
            p = join(real, name)
            cm, cfs, cinner = self._route(p)
            if cfs.lookup(cinner) is None:
                continue
            yield from self._walk_from(p, cm, cfs, cinner)

    # writing: files -----------------------------------------------------------
    def open(self, path: str, *, write: bool = True, append: bool = False, truncate: bool = False,
             create: bool = True, exclusive: bool = False, mode: int = 0o666) -> str:
        real, m, fs, inner, node = self._resolve(path, True)
        if write:
            self._writable(m, path)
        elif node is None:
            raise fs_error(errno.ENOENT, path)
        fs.open(inner, write=write, append=append, truncate=truncate, create=create,
                exclusive=exclusive, mode=mode)
        return real

    def write(self, path: str, data: bytes | str, *, append: bool = False, truncate: bool = True,
              mode: int = 0o666) -> str:
        if isinstance(data, str):
            data = data.encode()
        real, m, fs, inner, node = self._resolve(path, True)
        self._writable(m, path)
        old = node.content if node is not None and node.kind == FILE else Content()
        base = [] if (truncate and not append) else alloc_ranges(old)
        start = old.size if append else 0
        self._charged_write(m, fs, node, path, base, start, data,
                            lambda d: fs.write(inner, d, append=append, truncate=truncate, mode=mode))
        return real

    def pwrite(self, path: str, offset: int, data: bytes, *, truncate: bool = False) -> str:
        real, m, fs, inner, node = self._resolve(path, True)
        self._writable(m, path)
        old = node.content if node is not None and node.kind == FILE and not truncate else Content()
        self._charged_write(m, fs, node, path, alloc_ranges(old), offset, data,
                            lambda d: fs.pwrite(inner, offset, d, truncate=truncate))
        return real

    def set_content(self, path: str, content: Content, mode: int = 0o666) -> str:
        real, m, fs, inner, node = self._resolve(path, True)
        self._writable(m, path)
        if self._over(m, fs, node, alloc_ranges(content)) is not None:
            fs.set_content(inner, Content(), mode)
            raise fs_error(errno.ENOSPC, path)
        fs.set_content(inner, content, mode)
        return real

    def truncate(self, path: str, size: int) -> None:
        """Never ENOSPC: growing a file on tmpfs makes a hole, which takes no pages."""
        real, m, fs, inner, node = self._resolve(path, True)
        if node is None:
            raise fs_error(errno.ENOENT, path)
        self._writable(m, path)
        fs.truncate(inner, size)

    def put_node(self, path: str, node: Node) -> str:
        real, m, fs, inner, old = self._resolve(path, False)
        self._writable(m, path)
        if node.kind == FILE and self._over(m, fs, old, alloc_ranges(node.content)) is not None:
            raise fs_error(errno.ENOSPC, path)
        fs.put_node(inner, node)
        return real

    # writing: metadata --------------------------------------------------------
    def _meta(self, path: str, follow: bool):
        real, m, fs, inner, node = self._resolve(path, follow)
        if node is None:
            raise fs_error(errno.ENOENT, path)
        self._writable(m, path)
        return fs, inner

    def chmod(self, path: str, mode: int) -> None:
        fs, inner = self._meta(path, True)
        fs.chmod(inner, mode)

    def chown(self, path: str, uid: int, gid: int, follow: bool = True) -> None:
        fs, inner = self._meta(path, follow)
        fs.chown(inner, uid, gid, follow=False)

    def utime(self, path: str, mtime_ns: int | None = None, follow: bool = True) -> None:
        fs, inner = self._meta(path, follow)
        fs.utime(inner, mtime_ns, follow=False)

    def setxattr(self, path: str, name: str, value: bytes) -> None:
        fs, inner = self._meta(path, True)
        fs.setxattr(inner, name, value)

    # writing: names -----------------------------------------------------------
    def mkdir(self, path: str, mode: int = 0o777) -> str:
        real, m, fs, inner, node = self._resolve(path, False)
        if node is not None:
            raise fs_error(errno.EEXIST, path)
        self._writable(m, path)
        fs.mkdir(inner, mode)
        return real

    def makedirs(self, path: str, mode: int = 0o777) -> None:
        makedirs(self, path, mode)

    def symlink(self, target: str, path: str) -> None:
        real, m, fs, inner, node = self._resolve(path, False)
        if node is not None:
            raise fs_error(errno.EEXIST, path)
        self._writable(m, path)
        fs.symlink(target, inner)

    def link(self, src: str, dst: str) -> None:
        s_real, sm, sfs, s_inner, s_node = self._resolve(src, False)
        d_real, dm, dfs, d_inner, d_node = self._resolve(dst, False)
        if d_node is not None:
            raise fs_error(errno.EEXIST, src, dst)
        if s_node is None:
            raise fs_error(errno.ENOENT, src, dst)
        if sm is not dm:
            raise fs_error(errno.EXDEV, src, dst)
        self._writable(dm, dst)
        sfs.link(s_inner, d_inner)

    def unlink(self, path: str) -> None:
        real, m, fs, inner, node = self._resolve(path, False)
        if node is None:
            raise fs_error(errno.ENOENT, path)
        if self._is_mountpoint(real):
            raise fs_error(errno.EISDIR if node.kind == DIR else errno.EBUSY, path)
        self._writable(m, path)
        fs.unlink(inner)

    def rmdir(self, path: str) -> None:
        real, m, fs, inner, node = self._resolve(path, False)
        if node is None:
            raise fs_error(errno.ENOENT, path)
        if self._is_mountpoint(real):
            raise fs_error(errno.EBUSY, path)
        self._writable(m, path)
        fs.rmdir(inner)

    def rename(self, src: str, dst: str) -> None:
        s_real, sm, sfs, s_inner, s_node = self._resolve(src, False)
        d_real, dm, dfs, d_inner, d_node = self._resolve(dst, False)
        if s_node is None:
            raise fs_error(errno.ENOENT, src, dst)
        if s_real == d_real:
            return
        if self._is_mountpoint(s_real) or self._is_mountpoint(d_real) or self._has_submount(s_real):
            raise fs_error(errno.EBUSY, src, dst)
        if sm is not dm:
            raise fs_error(errno.EXDEV, src, dst)
        self._writable(sm, src)
        sfs.rename(s_inner, d_inner)

    def remove_tree(self, path: str) -> None:
        """``rm -rf``: a mount point itself stays (EBUSY), its contents go."""
        real, m, fs, inner, node = self._resolve(path, False)
        if node is None:
            raise fs_error(errno.ENOENT, path)
        if not self._has_submount(real) and not self._is_mountpoint(real):
            self._writable(m, path)
            fs.remove_tree(inner)
            return
        busy: OSError | None = None
        if node.kind == DIR:
            for name in fs.listdir(inner):
                try:
                    self.remove_tree(join(real, name))
                except OSError as e:
                    busy = busy or e
        try:
            if node.kind == DIR:
                self.rmdir(real)
            else:
                self.unlink(real)
        except OSError as e:
            busy = busy or e
        if busy is not None:
            raise busy


def _parent_ns(ns: MountNamespace, m: Mounted) -> MountNamespace:
    return MountNamespace(ns.rootfs, [x for x in ns.mounts if x is not m and not is_under(x.target, m.target)])


def underlying(ns: MountNamespace, m: Mounted) -> Node | None:
    """What is at the mount point *under* the mount (None if nothing is)."""
    try:
        return _parent_ns(ns, m).lookup(m.target)
    except OSError:
        return None


def ensure_mountpoint(ns: MountNamespace, m: Mounted, mode: int = 0o755) -> None:
    """Create the mount point as runc does when it is missing: ``mkdir -p`` (or an empty file for
    a file bind mount) in whatever filesystem covers it, even under ``--read-only``."""
    parent_ns = _parent_ns(ns, m)
    try:
        if parent_ns.lookup(m.target) is not None:
            return
    except OSError:
        return
    is_file = m.fs.lookup(m.root) is not None and m.fs.lookup(m.root).kind != DIR
    saved = ns.rootfs.read_only
    ro = [(x, x.read_only) for x in parent_ns.mounts]
    ns.rootfs.read_only = False
    for x, _ in ro:
        x.read_only = False
    try:
        if is_file:
            parent_ns.makedirs(parent(m.target), mode)
            parent_ns.write(m.target, b"")
        else:
            parent_ns.makedirs(m.target, mode)
    except OSError:
        pass
    finally:
        ns.rootfs.read_only = saved
        for x, v in ro:
            x.read_only = v


def copy_tree(src, src_path: str, dst, dst_path: str, now: int) -> None:
    """Copy the directory ``src_path`` of ``src`` into ``dst_path`` of ``dst`` as docker populates
    a volume: files keep mode, owner and mtime; copied sub-directories get the current time
    (OBSERVED.md finding 8); hard links inside the tree stay linked."""
    cut = len(src_path) if src_path != "/" else 0
    links: dict[int, str] = {}
    for p, node in src.walk(src_path):
        rel = p[cut:]
        if not rel:
            continue
        dp = dst_path + rel if dst_path != "/" else rel
        if node.kind == DIR:
            dst.put_node(dp, node.with_(mtime=now, ino=0))
        elif node.kind == FILE and node.ino:
            if node.ino in links:
                dst.link(links[node.ino], dp)
            else:
                dst.put_node(dp, node.with_(ino=0))
                links[node.ino] = dp
        else:
            dst.put_node(dp, node.with_(ino=0))


__all__ = [
    "VolumeMount", "BindMount", "TmpfsMount", "MountRequest", "parse_volume_spec", "parse_mount_spec",
    "parse_tmpfs_spec", "tmpfs_size_option", "ram_in_bytes", "MemFS", "HostDirFS", "Mounted",
    "MountNamespace", "ensure_mountpoint", "underlying", "copy_tree", "basename",
]
