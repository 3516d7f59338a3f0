"""Reading layer tars safely: ``docker import``, ``docker load`` and ``ADD archive.tar``.

Path safety follows moby's extractor (go-archive, extraction through ``os.Root``):

* every name is cleaned and a leading ``/`` stripped, so **absolute names stay inside the root**;
* a name that climbs out with ``..`` is **rejected** (``invalid entry name``): nothing is
  extracted from that archive;
* a hard-link target is cleaned the same way; one that escapes is rejected
  (``invalid hardlink target``); a hard link to a name not yet in the archive is rejected too;
* symlink targets are **stored verbatim** (``/usr/lib`` is a legitimate target); layerlab
  never follows a symlink out of a container root, because every lookup resolves inside it;
* device nodes other than whiteouts, FIFOs, and absurd sizes are refused.

Nothing is ever written to the host: entries become values.

Whiteouts: ``.wh.<name>`` deletes ``name`` from the layers below; ``<dir>/.wh..wh..opq`` makes
``dir`` opaque; the bare names ``.wh.``, ``.wh..`` and ``.wh...`` are invalid (OCI layer.md).
"""
from __future__ import annotations

import io
import posixpath
import tarfile
from typing import IO

from .content import Content
from .errors import InvalidParameter
from .layer import Layer
from .tree import DIR, FILE, OPAQUE_MARKER, SYMLINK, WHITEOUT_PREFIX, Node

MAX_ENTRY_SIZE = 4 << 30   # 4 GiB: larger entries in a learner's archive are refused
MAX_ENTRIES = 500_000


class ArchiveError(InvalidParameter):
    """A tar that cannot be imported safely; the message says which entry and why."""


def _clean(name: str, what: str = "entry name") -> str:
    """Clean an archive name into an absolute path inside the root, or reject it."""
    if "\x00" in name:
        raise ArchiveError(f"invalid {what} {name!r}: NUL byte")
    parts: list[str] = []
    for part in name.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise ArchiveError(f"invalid {what} {name!r}: path escapes from parent")
            parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def read_tar(fileobj: IO[bytes]) -> tuple[dict[str, Node], set[str], set[str]]:
    """(entries, whiteouts, opaque dirs) of a layer tar, after the safety checks."""
    entries: dict[str, Node] = {}
    whiteouts: set[str] = set()
    opaques: set[str] = set()
    inodes: dict[str, int] = {}
    next_ino = 0
    try:
        tar = tarfile.open(fileobj=fileobj, mode="r:*")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveError(f"archive/tar: invalid tar header ({exc})") from None
    count = 0
    try:
        for member in tar:
            count += 1
            if count > MAX_ENTRIES:
                raise ArchiveError(f"too many entries in archive (more than {MAX_ENTRIES})")
            path = _clean(member.name)
            if path == "/":
                if member.isdir():
                    entries["/"] = Node(DIR, member.mode & 0o7777, member.uid, member.gid, int(member.mtime) * 10**9)
                continue
            base = posixpath.basename(path)
            parent = posixpath.dirname(path) or "/"
            if base.startswith(WHITEOUT_PREFIX):
                if base == OPAQUE_MARKER:
                    opaques.add(parent)
                    continue
                target = base[len(WHITEOUT_PREFIX):]
                if target in ("", ".", "..") or base.startswith(WHITEOUT_PREFIX + WHITEOUT_PREFIX):
                    if base.startswith(WHITEOUT_PREFIX + WHITEOUT_PREFIX) and target not in ("", ".", ".."):
                        continue  # other .wh..wh.* meta files (aufs) are skipped
                    raise ArchiveError(f"invalid whiteout name {member.name!r}")
                whiteouts.add(posixpath.join(parent, target))
                continue
            mtime = int(member.mtime) * 10**9
            mode = member.mode & 0o7777
            if member.isdir():
                entries[path] = Node(DIR, mode, member.uid, member.gid, mtime)
            elif member.issym():
                entries[path] = Node(SYMLINK, 0o777, member.uid, member.gid, mtime, target=member.linkname)
            elif member.islnk():
                src = _clean(member.linkname, "hardlink target")
                node = entries.get(src)
                if node is None or node.kind != FILE:
                    raise ArchiveError(f"invalid hardlink target {member.linkname!r} for {member.name!r}: "
                                       f"not a regular file earlier in the archive")
                if not node.ino:
                    next_ino += 1
                    node = node.with_(ino=next_ino)
                    entries[src] = node
                    inodes[src] = next_ino
                entries[path] = node
            elif member.isfile():
                if member.size > MAX_ENTRY_SIZE:
                    raise ArchiveError(f"refusing entry {member.name!r}: size {member.size} is larger than {MAX_ENTRY_SIZE}")
                fh = tar.extractfile(member)
                data = fh.read() if fh else b""
                if len(data) != member.size:
                    raise ArchiveError(f"unexpected EOF in archive entry {member.name!r}")
                entries[path] = Node(FILE, mode, member.uid, member.gid, mtime, Content.of(data))
            elif member.ischr() and member.devmajor == 0 and member.devminor == 0:
                whiteouts.add(path)  # an overlay-style whiteout stored as a device
            else:
                raise ArchiveError(f"refusing entry {member.name!r}: device nodes and FIFOs are not allowed")
    except tarfile.TarError as exc:
        raise ArchiveError(f"archive/tar: {exc}") from None
    return entries, whiteouts, opaques


def layer_from_tar(data: bytes) -> Layer:
    """The layer ``docker import`` makes: diff_id = sha256 of these exact bytes."""
    raw = data
    if data[:2] == b"\x1f\x8b" or data[:3] == b"BZh" or data[:6] == b"\xfd7zXZ\x00":
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as t:
            buf = io.BytesIO()
            fo = t.fileobj  # decompressed stream
            fo.seek(0)
            buf.write(fo.read())
            raw = buf.getvalue()
    entries, whiteouts, opaques = read_tar(io.BytesIO(raw))
    entries.pop("/", None)  # the root's own metadata is not modelled
    return Layer.build(entries, whiteouts, opaques, raw_tar=raw)


def read_tar_entries(fileobj: IO[bytes]) -> list[tuple[str, Node]]:
    """Entries of an archive for ``ADD``: (path relative to the destination, node), parents first."""
    entries, _, _ = read_tar(fileobj)
    return [(p.lstrip("/"), n) for p, n in sorted(entries.items()) if p != "/"]
