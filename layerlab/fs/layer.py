"""A layer: an immutable changeset with a canonical tar encoding.

A layer holds *entries* (files, directories, symlinks added or replaced, whole), *whiteouts*
(names deleted from the layers below: one ``.wh.<name>`` even for a whole directory) and
*opaque directories* (``<dir>/.wh..wh..opq``: hide every lower child of ``dir``). This is the
OCI layer format (image-spec layer.md) and what overlay2's native diff tars up.

Identity: ``diff_id`` is the sha256 of the uncompressed tar. Built layers are encoded
canonically (pre-order walk, names sorted byte-wise within each directory as Go's
filepath.Walk does, ustar headers with PAX for long names). An imported tar keeps its exact
bytes, so its diff_id equals ``sha256sum`` of that file, as ``docker import`` gives.

Size: overlay2 records ``directory.Size(diff dir)``: the sum of ``st_size`` of every
non-directory entry, each inode once, zero-size entries and whiteouts contributing nothing,
symlinks counting the length of their target (moby daemon/internal/directory).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import IO, Iterator, Mapping

from ..digest import sha256_digest
from .tree import DIR, FILE, OPAQUE_MARKER, SYMLINK, WHITEOUT_PREFIX, Node, basename, directory, join, parent, unique_inodes


@dataclass(frozen=True, eq=False)
class Layer:
    entries: Mapping[str, Node] = field(default_factory=lambda: MappingProxyType({}))
    whiteouts: frozenset[str] = frozenset()
    opaques: frozenset[str] = frozenset()
    raw_tar: bytes | None = field(default=None, repr=False)

    # ----------------------------------------------------------------- construction
    @staticmethod
    def build(entries: Mapping[str, Node] | None = None, whiteouts=(), opaques=(),
              raw_tar: bytes | None = None, parent_mode: int = 0o755, mtime: int = 0) -> "Layer":
        """A layer from plain mappings; missing parent directories are added (mode 0755)."""
        ents = dict(entries or {})
        ents.pop("/", None)
        for path in list(ents) + list(whiteouts) + list(opaques):
            cur = parent(path)
            while cur != "/" and cur not in ents:
                ents[cur] = directory(parent_mode, mtime=mtime)
                cur = parent(cur)
        for d in opaques:
            if d not in ents:
                ents[d] = directory(parent_mode, mtime=mtime)
        return Layer(MappingProxyType(ents), frozenset(whiteouts), frozenset(opaques), raw_tar)

    # ----------------------------------------------------------------- views
    @cached_property
    def children(self) -> Mapping[str, tuple[str, ...]]:
        """Directory path -> sorted names of the entries directly inside it (not whiteouts)."""
        kids: dict[str, list[str]] = {}
        for path in self.entries:
            kids.setdefault(parent(path), []).append(basename(path))
        return MappingProxyType({d: tuple(sorted(n)) for d, n in kids.items()})

    @property
    def is_empty(self) -> bool:
        return not self.entries and not self.whiteouts and not self.opaques and not self.raw_tar

    @cached_property
    def size(self) -> int:
        """overlay2's DiffSize: apparent bytes of non-directories, hard links once."""
        return sum(n.size for n in unique_inodes(n for n in self.entries.values() if n.kind != DIR))

    @cached_property
    def tar_entries_size(self) -> int:
        """Sum of tar header sizes: what naive-diff drivers (vfs, btrfs, zfs) record. Only
        regular files carry a size in a tar header (a symlink's target is not counted), and a
        second name of an inode is a hard-link header of size 0."""
        return sum(n.content.size for n in unique_inodes(n for n in self.entries.values() if n.kind == FILE))

    @cached_property
    def diff_id(self) -> str:
        if self.raw_tar is not None:
            return sha256_digest(self.raw_tar)
        h = hashlib.sha256()
        self.write_tar(h)  # type: ignore[arg-type]
        return "sha256:" + h.hexdigest()

    def tar_bytes(self) -> bytes:
        if self.raw_tar is not None:
            return self.raw_tar
        import io

        buf = io.BytesIO()
        self.write_tar(buf)
        return buf.getvalue()

    # ----------------------------------------------------------------- encoding
    def walk(self) -> Iterator[tuple[str, str, Node | None]]:
        """(tar name, kind, node) in archive order. kind is 'entry', 'whiteout' or 'opaque'."""
        names: dict[str, list[tuple[str, str]]] = {}
        for path in self.entries:
            names.setdefault(parent(path), []).append((basename(path), "entry"))
        for path in self.whiteouts:
            names.setdefault(parent(path), []).append((WHITEOUT_PREFIX + basename(path), "whiteout"))
        for path in self.opaques:
            names.setdefault(path, []).append((OPAQUE_MARKER, "opaque"))

        def visit(dirpath: str) -> Iterator[tuple[str, str, Node | None]]:
            for name, kind in sorted(names.get(dirpath, ()), key=lambda x: x[0].encode()):
                path = join(dirpath, name)
                if kind == "entry":
                    node = self.entries[path]
                    yield path, kind, node
                    if node.kind == DIR:
                        yield from visit(path)
                elif kind == "opaque":
                    yield path, kind, self.entries.get(dirpath)
                else:
                    yield path, kind, None

        yield from visit("/")

    def write_tar(self, out: IO[bytes]) -> None:
        """Write the canonical uncompressed tar to anything with ``.write`` (or ``.update``)."""
        write = getattr(out, "write", None) or out.update  # type: ignore[attr-defined]
        first_name: dict[int, str] = {}
        for path, kind, node in self.walk():
            name = path.lstrip("/")
            if kind == "whiteout":
                write(_header(name, b"0", 0o600, 0, 0, 0, 0))
                continue
            if kind == "opaque":
                mode = node.mode & 0o777 if node else 0o755
                write(_header(name, b"0", mode, 0, 0, 0, 0))
                continue
            assert node is not None
            mtime = node.mtime // 1_000_000_000
            if node.kind == DIR:
                write(_header(name + "/", b"5", node.mode, node.uid, node.gid, 0, mtime))
            elif node.kind == SYMLINK:
                write(_header(name, b"2", node.mode, node.uid, node.gid, 0, mtime, node.target))
            elif node.kind == FILE:
                if node.ino and node.ino in first_name:
                    write(_header(name, b"1", node.mode, node.uid, node.gid, 0, mtime, first_name[node.ino]))
                    continue
                if node.ino:
                    first_name[node.ino] = name
                size = node.content.size
                write(_header(name, b"0", node.mode, node.uid, node.gid, size, mtime))
                for piece in node.content.chunks():
                    write(piece)
                if size % 512:
                    write(b"\0" * (512 - size % 512))
            else:  # char device (rarely in images)
                write(_header(name, b"3", node.mode, node.uid, node.gid, 0, mtime,
                              devmajor=node.rdev >> 8, devminor=node.rdev & 0xFF))
        write(b"\0" * 1024)


def _octal(value: int, width: int) -> bytes:
    return (b"%0*o" % (width - 1, value)) + b"\0"


def _pax(records: dict[str, str]) -> bytes:
    """PAX extended header body: records ``"<len> key=value\n"`` where len counts itself."""
    body = b""
    for key, value in records.items():
        payload = f" {key}={value}\n".encode()
        length = len(payload) + 1
        while length != len(payload) + len(str(length)):
            length = len(payload) + len(str(length))
        body += str(length).encode() + payload
    return body


def _header(name: str, typeflag: bytes, mode: int, uid: int, gid: int, size: int, mtime: int,
            linkname: str = "", devmajor: int = 0, devminor: int = 0) -> bytes:
    """One ustar header block, preceded by a PAX header when a name does not fit."""
    prefix_blocks = b""
    bname, blink = name.encode(), linkname.encode()
    pax: dict[str, str] = {}
    if len(bname) > 100:
        pax["path"] = name
        bname = bname[:100]
    if len(blink) > 100:
        pax["linkpath"] = linkname
        blink = blink[:100]
    if size >= 8 ** 11:
        pax["size"] = str(size)
    if pax:
        body = _pax(pax)
        prefix_blocks = _header_block(b"PaxHeaders/" + bname[:80], b"x", 0o644, 0, 0, len(body), 0, b"", 0, 0)
        prefix_blocks += body + b"\0" * ((512 - len(body) % 512) % 512)
        if size >= 8 ** 11:
            size = 0
    return prefix_blocks + _header_block(bname, typeflag, mode, uid, gid, size, mtime, blink, devmajor, devminor)


def _header_block(bname: bytes, typeflag: bytes, mode: int, uid: int, gid: int, size: int,
                  mtime: int, blink: bytes, devmajor: int, devminor: int) -> bytes:
    hdr = bytearray(512)
    hdr[0:len(bname)] = bname
    hdr[100:108] = _octal(mode & 0o7777, 8)
    hdr[108:116] = _octal(uid, 8)
    hdr[116:124] = _octal(gid, 8)
    hdr[124:136] = _octal(size, 12)
    hdr[136:148] = _octal(max(mtime, 0), 12)
    hdr[148:156] = b" " * 8
    hdr[156:157] = typeflag
    hdr[157:157 + len(blink)] = blink
    hdr[257:265] = b"ustar\x0000"
    hdr[329:337] = _octal(devmajor, 8)
    hdr[337:345] = _octal(devminor, 8)
    checksum = sum(hdr)
    hdr[148:156] = b"%06o\0 " % checksum
    return bytes(hdr)


EMPTY_LAYER = Layer()
