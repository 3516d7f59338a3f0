"""Kernel overlayfs harness for the differential test of layerlab's overlay2 model.

As root, ``KernelOverlay`` builds real lower directories from a description,
mounts overlayfs the way Docker's overlay2 driver mounts a container::

    mount -t overlay overlay -o index=off,lowerdir=L<n>:...:L1,upperdir=U,workdir=W M

(lowers are listed upper-most first; Docker 20.10+ adds ``index=off`` when the kernel
knows the option, and ``userxattr`` only inside a user namespace -- not needed as
root in the initial namespace), applies file operations to the merged dir with
plain ``os`` calls, and dumps the upper dir and the merged view as normalized
structures that a test compares with layerlab's prediction.

Layer description (``layers`` is bottom first: ``layers[0]`` is the base)::

    {"/data/f":   ("file", b"bytes", 0o644),       # mode optional (0o644)
     "/data":     ("dir", 0o755),                  # mode optional (0o755)
     "/data/l":   ("symlink", "f"),
     "/data/h":   ("hardlink", "/data/f"),         # same layer only
     "/gone":     ("whiteout",),                   # char 0:0, hides lower /gone
     "/opq":      ("opaque", 0o755)}               # dir with trusted.overlay.opaque=y

Missing parent directories are created (0755).  All entries are root-owned and get
mtime 2020-01-01T00:00:00Z.

Operations (tuples; the first item names the op)::

    ("write", path, data[, "trunc"|"append"|"nocreat"])  open(O_WRONLY|O_CREAT|..) + write
    ("open_append_nowrite", path)    open(O_WRONLY|O_APPEND) and close, nothing written
    ("open_rdwr_nowrite", path)      open(O_RDWR) and close
    ("read", path)                   read the whole file
    ("chmod", path, mode)    ("chown", path, uid, gid)
    ("touch", path[, (atime, mtime)])   create if missing, else utime (now or given)
    ("truncate", path, size)
    ("mkdir", path[, mode])  ("rmdir", path)  ("unlink", path)
    ("rm_rf", path)                  like rm -rf (depth first unlink/rmdir)
    ("rename", src, dst)             rename(2): EXDEV is recorded, nothing else done
    ("mv", src, dst)                 like mv: rename(2), on EXDEV copy tree + rm -rf src
    ("symlink", target, path)  ("link", src, dst)
    ("setxattr", path, name, value)

``apply(ops)`` returns one ``OpResult(op, errno_name)`` per op (``None`` = success);
an error never stops the sequence, as with a shell without ``set -e``.

``dump_upper()`` / ``dump_merged()`` return ``{"/path": Node}``; Node has kind
("file", "dir", "symlink", "whiteout" = char 0:0, "chardev", "other"), size (files and
symlinks; 0 for whiteouts; None for dirs), mode (permission bits), uid, gid, nlink
(None for whiteouts: the kernel shares one inode between whiteouts), opaque
(value of trusted.overlay.opaque or None), redirect (trusted.overlay.redirect),
target (symlink), sha256 (file content) and mtime_ns.  ``Node.key()`` drops
mtime/sha256 for coarse comparisons.

pytest: ``mount_or_skip(layers)`` returns an entered KernelOverlay, or skips (fails
under CI=true) when not root / overlayfs missing / the mount is refused.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Any, Iterable

MTIME = 1577836800  # 2020-01-01T00:00:00Z
OPAQUE = "trusted.overlay.opaque"
REDIRECT = "trusted.overlay.redirect"


class OverlayUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class Node:
    kind: str
    size: int | None
    mode: int
    uid: int
    gid: int
    nlink: int | None
    opaque: str | None = None
    redirect: str | None = None
    target: str | None = None
    sha256: str | None = None
    mtime_ns: int | None = None

    def key(self) -> tuple:
        """The comparison key without content hash and time."""
        return (self.kind, self.size, self.mode, self.uid, self.gid, self.nlink,
                self.opaque, self.target)


@dataclass(frozen=True)
class OpResult:
    op: tuple
    error: str | None  # errno name, e.g. "EXDEV"; None on success


def why_unavailable() -> str | None:
    if os.geteuid() != 0:
        return "mounting overlayfs needs root"
    try:
        with open("/proc/filesystems") as f:
            if "overlay" not in f.read():
                subprocess.run(["modprobe", "overlay"], capture_output=True)
        with open("/proc/filesystems") as f:
            if "overlay" not in f.read():
                return "the kernel has no overlay filesystem"
    except OSError as e:
        return f"cannot read /proc/filesystems: {e}"
    return None


def module_params() -> dict[str, str]:
    """/sys/module/overlay/parameters/* (redirect_dir, metacopy, index, xino_auto...)."""
    out = {}
    d = "/sys/module/overlay/parameters"
    if os.path.isdir(d):
        for n in sorted(os.listdir(d)):
            try:
                with open(os.path.join(d, n)) as f:
                    out[n] = f.read().strip()
            except OSError:
                pass
    return out


def _rel(path: str) -> str:
    p = os.path.normpath("/" + path.lstrip("/"))
    if p == "/" or ".." in p.split("/"):
        raise ValueError(f"bad path {path!r}")
    return p.lstrip("/")


def _build_layer(root: str, spec: dict[str, tuple]) -> None:
    dirs: set[str] = set()

    def parents(rel: str) -> None:
        parts = rel.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            p = os.path.join(root, *parts[:i])
            if not os.path.isdir(p):
                os.mkdir(p, 0o755)
                os.chmod(p, 0o755)
            dirs.add(p)

    # directories first (by depth), then the rest; hard links after their targets
    items = sorted(spec.items(), key=lambda kv: (kv[1][0] == "hardlink",
                                                 kv[1][0] not in ("dir", "opaque"),
                                                 kv[0].count("/"), kv[0]))
    for path, ent in items:
        rel = _rel(path)
        full = os.path.join(root, rel)
        kind = ent[0]
        parents(rel)
        if kind in ("dir", "opaque"):
            mode = ent[1] if len(ent) > 1 else 0o755
            if not os.path.isdir(full):
                os.mkdir(full)
            os.chmod(full, mode)
            if kind == "opaque":
                os.setxattr(full, OPAQUE, b"y")
            dirs.add(full)
        elif kind == "file":
            data = ent[1]
            mode = ent[2] if len(ent) > 2 else 0o644
            with open(full, "wb") as f:
                f.write(data)
            os.chmod(full, mode)
            os.utime(full, (MTIME, MTIME))
        elif kind == "symlink":
            os.symlink(ent[1], full)
            os.utime(full, (MTIME, MTIME), follow_symlinks=False)
        elif kind == "hardlink":
            os.link(os.path.join(root, _rel(ent[1])), full)
        elif kind == "whiteout":
            os.mknod(full, stat.S_IFCHR | 0o000, os.makedev(0, 0))
        else:
            raise ValueError(f"unknown entry kind {kind!r} for {path}")
    for d in sorted(dirs, key=lambda p: -p.count("/")):
        os.utime(d, (MTIME, MTIME))
    os.utime(root, (MTIME, MTIME))


def _xattr(path: str, name: str) -> str | None:
    try:
        return os.getxattr(path, name, follow_symlinks=False).decode(errors="replace")
    except OSError:
        return None


def dump_tree(root: str, *, xattrs: bool = True) -> dict[str, Node]:
    """Normalized listing of *root* (the root itself excluded), keyed by "/path"."""
    out: dict[str, Node] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            full = os.path.join(dirpath, name)
            rel = "/" + os.path.relpath(full, root)
            st = os.lstat(full)
            m = st.st_mode
            target = sha = None
            size: int | None = st.st_size
            nlink: int | None = st.st_nlink
            if stat.S_ISDIR(m):
                kind, size = "dir", None
            elif stat.S_ISREG(m):
                kind = "file"
                h = hashlib.sha256()
                with open(full, "rb") as f:
                    for chunk in iter(lambda: f.read(1 << 20), b""):
                        h.update(chunk)
                sha = h.hexdigest()
            elif stat.S_ISLNK(m):
                kind, target = "symlink", os.readlink(full)
            elif stat.S_ISCHR(m) and st.st_rdev == os.makedev(0, 0):
                kind, size, nlink = "whiteout", 0, None
            elif stat.S_ISCHR(m):
                kind = "chardev"
            else:
                kind = "other"
            opq = _xattr(full, OPAQUE) if xattrs and kind == "dir" else None
            red = _xattr(full, REDIRECT) if xattrs and kind == "dir" else None
            out[rel] = Node(kind, size, stat.S_IMODE(m), st.st_uid, st.st_gid, nlink,
                            opq, red, target, sha, st.st_mtime_ns)
    return out


class KernelOverlay:
    """Lower dirs from a description + a Docker-style overlay mount.  Context manager."""

    def __init__(self, layers: list[dict[str, tuple]], *, options: Iterable[str] = ("index=off",),
                 base_dir: str | None = None, keep: bool = False):
        if not layers:
            raise ValueError("need at least one lower layer")
        self.layers = layers
        self.options = tuple(options)
        self.base_dir = base_dir
        self.keep = keep
        self.tmp: str | None = None
        self.mounted = False
        self.mount_options: str | None = None

    # paths
    def lower(self, i: int) -> str:
        return os.path.join(self.tmp, f"L{i + 1}")

    @property
    def upper(self) -> str:
        return os.path.join(self.tmp, "U")

    @property
    def work(self) -> str:
        return os.path.join(self.tmp, "W")

    @property
    def merged(self) -> str:
        return os.path.join(self.tmp, "M")

    def path(self, p: str) -> str:
        """Absolute host path of *p* inside the merged view."""
        return os.path.join(self.merged, _rel(p))

    def __enter__(self) -> "KernelOverlay":
        reason = why_unavailable()
        if reason:
            raise OverlayUnavailable(reason)
        self.tmp = tempfile.mkdtemp(prefix="llko-", dir=self.base_dir)
        try:
            for i, spec in enumerate(self.layers):
                os.mkdir(self.lower(i))
                _build_layer(self.lower(i), spec)
            for d in (self.upper, self.work, self.merged):
                os.mkdir(d)
            lowers = ":".join(self.lower(i) for i in reversed(range(len(self.layers))))
            opts = ",".join([*self.options, f"lowerdir={lowers}", f"upperdir={self.upper}",
                             f"workdir={self.work}"])
            r = subprocess.run(["mount", "-t", "overlay", "overlay", "-o", opts, self.merged],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise OverlayUnavailable(f"mount -o {opts} failed: {r.stderr.strip()}")
            self.mounted = True
            self.mount_options = opts
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.mounted:
            r = subprocess.run(["umount", self.merged], capture_output=True)
            if r.returncode != 0:
                subprocess.run(["umount", "-l", self.merged], capture_output=True)
            self.mounted = False
        if self.tmp and not self.keep:
            with open("/proc/self/mountinfo") as f:
                busy = any(line.split()[4].startswith(self.tmp) for line in f)
            if not busy:
                shutil.rmtree(self.tmp, ignore_errors=True)

    # ---------------------------------------------------------------- ops
    def apply(self, ops: Iterable[tuple]) -> list[OpResult]:
        res = []
        for op in ops:
            try:
                self._op(op)
                res.append(OpResult(tuple(op), None))
            except OSError as e:
                res.append(OpResult(tuple(op), errno.errorcode.get(e.errno, str(e.errno))))
        return res

    def _op(self, op: tuple) -> None:
        name, args = op[0], op[1:]
        P = self.path
        if name == "write":
            path, data = args[0], args[1]
            how = args[2] if len(args) > 2 else "trunc"
            flags = os.O_WRONLY | {"trunc": os.O_CREAT | os.O_TRUNC,
                                   "append": os.O_CREAT | os.O_APPEND,
                                   "nocreat": 0}[how]
            fd = os.open(P(path), flags, 0o644)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        elif name == "open_append_nowrite":
            os.close(os.open(P(args[0]), os.O_WRONLY | os.O_APPEND))
        elif name == "open_rdwr_nowrite":
            os.close(os.open(P(args[0]), os.O_RDWR))
        elif name == "read":
            with open(P(args[0]), "rb") as f:
                f.read()
        elif name == "chmod":
            os.chmod(P(args[0]), args[1])
        elif name == "chown":
            os.chown(P(args[0]), args[1], args[2], follow_symlinks=False)
        elif name == "touch":
            p = P(args[0])
            if not os.path.lexists(p):
                os.close(os.open(p, os.O_WRONLY | os.O_CREAT, 0o644))
            os.utime(p, args[1] if len(args) > 1 else None)
        elif name == "truncate":
            os.truncate(P(args[0]), args[1])
        elif name == "mkdir":
            os.mkdir(P(args[0]), args[1] if len(args) > 1 else 0o755)
        elif name == "rmdir":
            os.rmdir(P(args[0]))
        elif name == "unlink":
            os.unlink(P(args[0]))
        elif name == "rm_rf":
            _rm_rf(P(args[0]))
        elif name == "rename":
            os.rename(P(args[0]), P(args[1]))
        elif name == "mv":
            src, dst = P(args[0]), P(args[1])
            try:
                os.rename(src, dst)
            except OSError as e:
                if e.errno != errno.EXDEV:
                    raise
                _copy_tree(src, dst)
                _rm_rf(src)
        elif name == "symlink":
            os.symlink(args[0], P(args[1]))
        elif name == "link":
            os.link(P(args[0]), P(args[1]), follow_symlinks=False)
        elif name == "setxattr":
            os.setxattr(P(args[0]), args[1], args[2], follow_symlinks=False)
        else:
            raise ValueError(f"unknown op {name!r}")

    # ---------------------------------------------------------------- dumps
    def dump_upper(self) -> dict[str, Node]:
        return dump_tree(self.upper)

    def dump_merged(self) -> dict[str, Node]:
        # trusted.* xattrs of the merged view are overlay-internal; don't read them there
        return dump_tree(self.merged, xattrs=False)


def _rm_rf(p: str) -> None:
    if os.path.isdir(p) and not os.path.islink(p):
        for name in os.listdir(p):
            _rm_rf(os.path.join(p, name))
        os.rmdir(p)
    elif os.path.lexists(p):
        os.unlink(p)
    else:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", p)


def _copy_tree(src: str, dst: str) -> None:
    """What mv does after EXDEV: copy with mode, owner and times (like cp -a)."""
    st = os.lstat(src)
    if stat.S_ISDIR(st.st_mode):
        os.mkdir(dst, stat.S_IMODE(st.st_mode))
        for name in sorted(os.listdir(src)):
            _copy_tree(os.path.join(src, name), os.path.join(dst, name))
    elif stat.S_ISLNK(st.st_mode):
        os.symlink(os.readlink(src), dst)
    else:
        shutil.copyfile(src, dst, follow_symlinks=False)
    os.chown(dst, st.st_uid, st.st_gid, follow_symlinks=False)
    if not stat.S_ISLNK(st.st_mode):
        os.chmod(dst, stat.S_IMODE(st.st_mode))
    os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns), follow_symlinks=False)


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def mount_or_skip(layers: list[dict[str, tuple]], **kw: Any) -> KernelOverlay:
    """An entered KernelOverlay (caller must __exit__ it, e.g. via contextlib.ExitStack),
    or pytest.skip with the reason; pytest.fail under CI=true."""
    import pytest

    try:
        return KernelOverlay(layers, **kw).__enter__()
    except OverlayUnavailable as e:
        if _ci():
            pytest.fail(f"CI=true but kernel overlayfs is unavailable: {e}")
        pytest.skip(str(e))
