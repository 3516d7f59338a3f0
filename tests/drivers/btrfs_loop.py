"""A real btrfs on a loop device, for measuring what layerlab's btrfs model predicts.

``LoopBtrfs`` (as root) makes a sparse image file in a temp dir, ``mkfs.btrfs`` it, mounts it
with ``-o loop`` (the loop device goes away with the umount), and offers the few operations the
measurement needs: subvolume create / snapshot, file operations inside them, ``btrfs filesystem
du -s --raw`` and the data bytes in use (``btrfs filesystem df -b``).

Operations are tuples, applied the same way to the real filesystem (``apply``) and to a layerlab
snapshot (``apply_layerlab``)::

    ("write", path, data)            open O_CREAT|O_TRUNC, write
    ("append", path, data)           open O_APPEND, write
    ("pwrite", path, offset, data)   open O_WRONLY, pwrite (no truncation)
    ("truncate", path, size)
    ("link", src, dst)               hard link
    ("unlink", path)
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile


class BtrfsUnavailable(RuntimeError):
    pass


def why_unavailable() -> str | None:
    if os.geteuid() != 0:
        return "a loop-mounted btrfs needs root"
    for exe in ("mkfs.btrfs", "btrfs", "losetup"):
        if not shutil.which(exe):
            return f"{exe} missing (apt-get install btrfs-progs)"
    with open("/proc/filesystems") as f:
        if "btrfs" not in f.read():
            subprocess.run(["modprobe", "btrfs"], capture_output=True)
    with open("/proc/filesystems") as f:
        if "btrfs" not in f.read():
            return "the kernel has no btrfs"
    return None


class LoopBtrfs:
    def __init__(self, size: str = "512M"):
        self.size = size
        self.tmp: str | None = None
        self.mnt: str | None = None
        self.mounted = False

    def __enter__(self) -> "LoopBtrfs":
        reason = why_unavailable()
        if reason:
            raise BtrfsUnavailable(reason)
        self.tmp = tempfile.mkdtemp(prefix="llbt-")
        img = os.path.join(self.tmp, "btrfs.img")
        self.mnt = os.path.join(self.tmp, "mnt")
        os.mkdir(self.mnt)
        try:
            subprocess.run(["truncate", "-s", self.size, img], check=True)
            subprocess.run(["mkfs.btrfs", "-q", img], check=True, capture_output=True)
            r = subprocess.run(["mount", "-o", "loop", img, self.mnt], capture_output=True, text=True)
            if r.returncode:
                raise BtrfsUnavailable(f"mount -o loop failed: {r.stderr.strip()}")
            self.mounted = True
        except (subprocess.CalledProcessError, BtrfsUnavailable) as e:
            self.__exit__()
            raise BtrfsUnavailable(str(e)) from None
        return self

    def __exit__(self, *exc) -> None:
        if self.mounted:
            if subprocess.run(["umount", self.mnt], capture_output=True).returncode:
                subprocess.run(["umount", "-l", self.mnt], capture_output=True)
            self.mounted = False
        if self.tmp:
            with open("/proc/self/mountinfo") as f:
                busy = any(line.split()[4].startswith(self.tmp) for line in f)
            if not busy:
                shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def path(self, *parts: str) -> str:
        return os.path.join(self.mnt, *[p.lstrip("/") for p in parts])

    def _btrfs(self, *args: str) -> str:
        return subprocess.run(["btrfs", *args], check=True, capture_output=True, text=True).stdout

    def subvolume(self, name: str, parent: str | None = None) -> None:
        if parent is None:
            self._btrfs("subvolume", "create", self.path(name))
        else:
            self._btrfs("subvolume", "snapshot", self.path(parent), self.path(name))

    def apply(self, name: str, ops) -> None:
        for op in ops:
            kind, p = op[0], self.path(name, op[1])
            if kind == "write":
                with open(p, "wb") as f:
                    f.write(op[2])
            elif kind == "append":
                with open(p, "ab") as f:
                    f.write(op[2])
            elif kind == "pwrite":
                fd = os.open(p, os.O_WRONLY)
                try:
                    os.pwrite(fd, op[3], op[2])
                finally:
                    os.close(fd)
            elif kind == "truncate":
                os.truncate(p, op[2])
            elif kind == "link":
                os.link(p, self.path(name, op[2]))
            elif kind == "unlink":
                os.unlink(p)
            else:
                raise ValueError(kind)

    def sync(self) -> None:
        os.sync()
        self._btrfs("filesystem", "sync", self.mnt)

    def du(self, names) -> dict[str, tuple[int, int, int]]:
        """``btrfs filesystem du -s --raw``: name -> (total, exclusive, set shared)."""
        self.sync()
        out = self._btrfs("filesystem", "du", "-s", "--raw", *[self.path(n) for n in names])
        rows = {}
        for line in out.splitlines()[1:]:
            total, excl, shared, fname = line.split(None, 3)
            rows[os.path.basename(fname)] = (int(total), int(excl), 0 if shared == "-" else int(shared))
        return rows

    def data_used(self) -> int:
        """Bytes of data extents allocated on the filesystem (``btrfs filesystem df -b``)."""
        self.sync()
        out = self._btrfs("filesystem", "df", "-b", self.mnt)
        m = re.search(r"^Data, \w+: total=\d+, used=(\d+)", out, re.M)
        return int(m.group(1))


def apply_layerlab(fs, ops) -> None:
    """The same operations on a layerlab snapshot's filesystem."""
    for op in ops:
        kind, p = op[0], op[1]
        if kind == "write":
            fs.write(p, op[2])
        elif kind == "append":
            fs.write(p, op[2], append=True)
        elif kind == "pwrite":
            fs.pwrite(p, op[2], op[3])
        elif kind == "truncate":
            fs.truncate(p, op[2])
        elif kind == "link":
            fs.link(p, op[2])
        elif kind == "unlink":
            fs.unlink(p)
        else:
            raise ValueError(kind)


def ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def loop_btrfs_or_skip(**kw) -> LoopBtrfs:
    import pytest

    try:
        return LoopBtrfs(**kw).__enter__()
    except BtrfsUnavailable as e:
        if ci():
            pytest.fail(f"CI=true but the btrfs oracle is unavailable: {e}")
        pytest.skip(str(e))
