"""A deterministic busybox rootfs tar: the base image of every oracle scenario.

There is no registry here, so every real-Docker scenario starts from
``docker import <this tar> bb:1``, and layerlab starts from ``layerlab import``
of the *same bytes*.  ``docker import`` records diff_id = sha256 of the exact
uncompressed tar it was given (observed on Engine 20.10, see OBSERVED.md), so
both engines must agree on that digest.

The tar is a pure function of the ``busybox`` binary (Debian ``busybox-static``,
``/bin/busybox``) and of the constants below: same package -> same bytes on every
run and every machine.  ``busybox_rootfs_tar(path)`` writes it and returns its
sha256 hex digest; ``rootfs_entries()`` returns the layout as data so that
layerlab (or a test) can rebuild or check the same image.

Layout (entries are written in exactly this order, which is sorted by path; all
uid/gid 0, uname/gname "root", mtime 2024-01-01T00:00:00Z = 1704067200):

    bin/                    dir  0755
    bin/<applet>            symlink -> "busybox"   (one per name in APPLETS, sorted,
                                                    "busybox" itself is a regular file)
    bin/busybox             file 0755  (bytes of /bin/busybox)
    data/                   dir  0755
    data/big.bin            file 0644  1 MiB: byte i = i % 251
    data/dir/               dir  0755
    data/dir/a              file 0644  b"a\n"
    data/dir/b              file 0644  b"b\n"
    data/dir/sub/           dir  0755
    data/dir/sub/c          file 0644  b"c\n"
    data/hl1                file 0644  b"hard link pair\n"
    data/hl2                hard link -> data/hl1
    data/link               symlink -> "small.txt"
    data/small.txt          file 0644  b"hello\n"
    dev/ etc/ home/ proc/ sys/ usr/ var/   dir 0755
    etc/group  etc/passwd   file 0644  (root + nobody)
    root/                   dir  0700
    tmp/                    dir  1777

(the full, authoritative list is ``rootfs_entries()``).

Encoding: Python ``tarfile`` in ``USTAR_FORMAT``, names without a leading "/" or
"./", directory names with a trailing "/", regular files padded to 512 bytes, two
zero blocks at the end, and the archive padded to a 10240-byte record
(``tarfile.RECORDSIZE``), i.e. exactly what ``tarfile.open(path, "w",
format=tarfile.USTAR_FORMAT)`` produces for these TarInfo objects.  devmajor/
devminor are 0.  No compression.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
from dataclasses import dataclass

BUSYBOX = "/bin/busybox"
MTIME = 1704067200  # 2024-01-01T00:00:00Z

# Applets linked into /bin.  Keep sorted; adding one changes the digest.
APPLETS = (
    "[", "basename", "cat", "chmod", "chown", "cp", "dd", "du", "echo", "env",
    "false", "find", "grep", "head", "id", "ln", "ls", "mkdir", "mv", "printf",
    "readlink", "rm", "rmdir", "sh", "sha256sum", "sleep", "stat", "tail", "test",
    "touch", "true", "truncate", "wc",
)

PASSWD = b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n"
GROUP = b"root:x:0:\nnobody:x:65534:\n"
BIG_SIZE = 1 << 20


def big_bin() -> bytes:
    """The 1 MiB content of /data/big.bin: byte i is i % 251."""
    pattern = bytes(range(251))
    reps, rest = divmod(BIG_SIZE, 251)
    return pattern * reps + pattern[:rest]


@dataclass(frozen=True)
class Entry:
    """One tar entry.  kind: "dir", "file", "symlink" or "hardlink"."""

    path: str          # without leading "/" and without trailing "/"
    kind: str
    mode: int = 0o755
    data: bytes = b""
    target: str = ""   # symlink target, or hard-link target path


def rootfs_entries(busybox: str = BUSYBOX) -> list[Entry]:
    """The image layout, in tar order (sorted by path)."""
    with open(busybox, "rb") as f:
        bb = f.read()
    e: list[Entry] = []
    for d, mode in [("bin", 0o755), ("data", 0o755), ("data/dir", 0o755),
                    ("data/dir/sub", 0o755), ("dev", 0o755), ("etc", 0o755),
                    ("home", 0o755), ("proc", 0o755), ("root", 0o700), ("sys", 0o755),
                    ("tmp", 0o1777), ("usr", 0o755), ("var", 0o755)]:
        e.append(Entry(d, "dir", mode))
    for a in APPLETS:
        e.append(Entry(f"bin/{a}", "symlink", 0o777, target="busybox"))
    e.append(Entry("bin/busybox", "file", 0o755, bb))
    e += [
        Entry("data/big.bin", "file", 0o644, big_bin()),
        Entry("data/dir/a", "file", 0o644, b"a\n"),
        Entry("data/dir/b", "file", 0o644, b"b\n"),
        Entry("data/dir/sub/c", "file", 0o644, b"c\n"),
        Entry("data/hl1", "file", 0o644, b"hard link pair\n"),
        Entry("data/hl2", "hardlink", 0o644, b"", target="data/hl1"),
        Entry("data/link", "symlink", 0o777, target="small.txt"),
        Entry("data/small.txt", "file", 0o644, b"hello\n"),
        Entry("etc/group", "file", 0o644, GROUP),
        Entry("etc/passwd", "file", 0o644, PASSWD),
    ]
    # Sort by path components so a directory comes right before its children.
    e.sort(key=lambda x: x.path.split("/"))
    return e


def _tarinfo(ent: Entry) -> tarfile.TarInfo:
    ti = tarfile.TarInfo(ent.path + ("/" if ent.kind == "dir" else ""))
    ti.mode = ent.mode
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    ti.mtime = MTIME
    if ent.kind == "dir":
        ti.type = tarfile.DIRTYPE
    elif ent.kind == "file":
        ti.type = tarfile.REGTYPE
        ti.size = len(ent.data)
    elif ent.kind == "symlink":
        ti.type = tarfile.SYMTYPE
        ti.linkname = ent.target
    elif ent.kind == "hardlink":
        ti.type = tarfile.LNKTYPE
        ti.linkname = ent.target
    else:  # pragma: no cover
        raise ValueError(ent.kind)
    return ti


def rootfs_tar_bytes(busybox: str = BUSYBOX) -> bytes:
    """The whole tar in memory (about 3 MiB)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for ent in rootfs_entries(busybox):
            ti = _tarinfo(ent)
            tf.addfile(ti, io.BytesIO(ent.data) if ent.kind == "file" else None)
    return buf.getvalue()


def busybox_rootfs_tar(path: str | os.PathLike, busybox: str = BUSYBOX) -> str:
    """Write the rootfs tar to *path*; return its sha256 hex digest (= docker diff_id)."""
    data = rootfs_tar_bytes(busybox)
    tmp = f"{os.fspath(path)}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return hashlib.sha256(data).hexdigest()


def busybox_available(busybox: str = BUSYBOX) -> bool:
    return os.path.isfile(busybox) and os.access(busybox, os.X_OK)


if __name__ == "__main__":  # python3 -m tests.oracle.rootfs out.tar
    import sys

    out = sys.argv[1] if len(sys.argv) > 1 else "busybox-rootfs.tar"
    print(busybox_rootfs_tar(out), out)
