"""A corpus of hostile tar archives, generated in memory (no binary files in the repo).

Every case names the hostile entry and what a safe extractor must do with it (facts §9.3,
moby's extractor): ``reject`` with an error naming the entry, or handle ``safe``ly — in which
case ``check`` says where the payload must land *inside the layer*. Payload names carry a
per-run ``token`` so a test can prove nothing with that name appeared on the host.

    from tests.archives.hostile import corpus
    for case in corpus("tok123"):
        case.data          # the tar bytes
"""
from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Case:
    name: str
    what: str
    data: bytes
    expect: str                       # "reject" or "safe"
    error: str = ""                   # for reject: a substring of the error (the entry's name)
    check: Callable | None = None     # for safe: check(layer) raises AssertionError if wrong
    host_paths: tuple[str, ...] = field(default_factory=tuple)   # must never exist on the host


def _ti(name, kind=tarfile.REGTYPE, data=b"", linkname="", mode=0o644, size=None, **kw):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mode = mode
    ti.mtime = 1704067200
    ti.linkname = linkname
    ti.size = len(data) if size is None else size
    for k, v in kw.items():
        setattr(ti, k, v)
    return ti, (data if kind in (tarfile.REGTYPE,) else None)


def build(entries, fmt=tarfile.PAX_FORMAT) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        for ti, data in entries:
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def _raw_header(name: bytes, size: int, typeflag: bytes = b"0") -> bytes:
    """A ustar header with any size (tarfile refuses to write absurd ones)."""
    hdr = bytearray(512)
    hdr[0:len(name)] = name
    hdr[100:108] = b"0000644\0"
    hdr[108:116] = b"0000000\0"
    hdr[116:124] = b"0000000\0"
    if size < 8 ** 11:
        hdr[124:136] = b"%011o\0" % size
    else:  # GNU base-256 for sizes that do not fit in octal
        hdr[124:136] = bytes([0x80]) + size.to_bytes(11, "big")
    hdr[136:148] = b"%011o\0" % 1704067200
    hdr[148:156] = b" " * 8
    hdr[156:157] = typeflag
    hdr[257:265] = b"ustar\x0000"
    hdr[148:156] = b"%06o\0 " % sum(hdr)
    return bytes(hdr)


def _layer_file(layer, path):
    node = layer.entries.get(path)
    assert node is not None, f"{path} not in the layer (entries: {sorted(layer.entries)[:20]})"
    return node


def corpus(token: str) -> list[Case]:
    t = token
    D, S, L = tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE
    cases: list[Case] = []

    def add(*a, **kw):
        cases.append(Case(*a, **kw))

    # ---- names that climb out
    add("dotdot", "../ escape to /tmp", build([_ti(f"../../../../../../tmp/{t}-dotdot", data=b"x")]),
        "reject", f"../../../../../../tmp/{t}-dotdot", host_paths=(f"/tmp/{t}-dotdot",))
    add("dotdot-cwd", "../ escape relative to the working directory", build([_ti(f"../{t}-cwd", data=b"x")]),
        "reject", f"../{t}-cwd")
    add("dotdot-middle", "a/../../ escape", build([_ti("a/", D, mode=0o755), _ti(f"a/../../{t}-mid", data=b"x")]),
        "reject", f"a/../../{t}-mid")
    add("absolute", "an absolute name lands inside the root",
        build([_ti(f"/tmp/{t}-abs", data=b"abs")]), "safe",
        check=lambda lay: _layer_file(lay, f"/tmp/{t}-abs"), host_paths=(f"/tmp/{t}-abs",))
    add("pax-path-escape", "a PAX path record that escapes (ustar name is harmless)",
        build([_ti(f"../../../../tmp/{t}-pax", data=b"x")], fmt=tarfile.PAX_FORMAT) if False else
        _pax_escape(t), "reject", f"{t}-pax", host_paths=(f"/tmp/{t}-pax",))
    add("gnu-longname-escape", "a GNU long name that escapes",
        build([_ti("../" * 30 + f"tmp/{t}-" + "L" * 120, data=b"x")], fmt=tarfile.GNU_FORMAT),
        "reject", f"{t}-L")
    # ---- hard links
    add("hardlink-escape", "hard link whose target climbs out",
        build([_ti("a", data=b"a"), _ti("h", L, linkname="../../../../etc/passwd")]),
        "reject", "../../../../etc/passwd")
    add("hardlink-absolute-host", "hard link to /etc/passwd (not in the archive)",
        build([_ti("h", L, linkname="/etc/passwd")]), "reject", "/etc/passwd")
    add("pax-linkpath-escape", "hard link with a PAX linkpath that escapes",
        build([_ti("a", data=b"a"), _ti("h", L, linkname="../" * 40 + "etc/" + "p" * 90)]),
        "reject", "etc/ppp")
    add("hardlink-via-symlink-dir", "hard link through a symlinked dir resolves inside the layer",
        build([_ti("etc/", D, mode=0o755), _ti("etc/real", data=b"r"), _ti("l", S, linkname="/etc"),
               _ti(f"{t}-h", L, linkname="l/real")]), "safe",
        check=lambda lay: _same_inode(lay, f"/{t}-h", "/etc/real"))
    # ---- symlinks
    add("symlink-absolute-verbatim", "a symlink to /etc/passwd is stored verbatim",
        build([_ti(f"{t}-lnk", S, linkname="/etc/passwd")]), "safe",
        check=lambda lay: _is_symlink(lay, f"/{t}-lnk", "/etc/passwd"))
    add("symlink-then-file", "symlink to /etc/passwd, then a file of the same name (written 'through' it)",
        build([_ti("evil", S, linkname="/etc/passwd"), _ti("evil", data=f"{t}\n".encode())]),
        "reject", "duplicates of file paths")
    add("symlink-dir-write-through", "symlink etcdir -> /etc (no /etc in the layer), then etcdir/<file>",
        build([_ti("etcdir", S, linkname="/etc"), _ti(f"etcdir/{t}-passwd", data=b"pwned")]),
        "reject", f"etcdir/{t}-passwd", host_paths=(f"/etc/{t}-passwd",))
    add("symlink-dir-write-through-inside", "symlink etcdir -> /etc with etc/ in the layer: lands in the layer's /etc",
        build([_ti("etc/", D, mode=0o755), _ti("etcdir", S, linkname="/etc"),
               _ti(f"etcdir/{t}-passwd", data=b"pwned")]), "safe",
        check=lambda lay: _is_file(lay, f"/etc/{t}-passwd", b"pwned"), host_paths=(f"/etc/{t}-passwd",))
    add("symlink-relative-escape", "symlink up -> ../../../../tmp, then up/<file>: resolved inside, tmp/ missing",
        build([_ti("up", S, linkname="../../../../../../tmp"), _ti(f"up/{t}-rel", data=b"rel")]),
        "reject", f"up/{t}-rel", host_paths=(f"/tmp/{t}-rel",))
    add("symlink-relative-escape-inside", "symlink up -> ../../../../tmp with tmp/ in the layer: clamped at the root",
        build([_ti("tmp/", D, mode=0o1777), _ti("up", S, linkname="../../../../../../tmp"),
               _ti(f"up/{t}-rel", data=b"rel")]), "safe",
        check=lambda lay: _is_file(lay, f"/tmp/{t}-rel", b"rel"), host_paths=(f"/tmp/{t}-rel",))
    add("symlink-chain", "a -> b -> c -> /tmp (tmp/ in the layer), then a/<file>",
        build([_ti("tmp/", D, mode=0o1777), _ti("a", S, linkname="b"), _ti("b", S, linkname="c"),
               _ti("c", S, linkname="/tmp"), _ti(f"a/{t}-chain", data=b"chain")]), "safe",
        check=lambda lay: _is_file(lay, f"/tmp/{t}-chain", b"chain"), host_paths=(f"/tmp/{t}-chain",))
    add("symlink-loop", "a -> b -> a, then a/x",
        build([_ti("a", S, linkname="b"), _ti("b", S, linkname="a"), _ti("a/x", data=b"x")]),
        "reject", "a/x")
    # ---- special files
    add("char-device", "a character device (/dev/mem-like)",
        build([_ti("dev/mem", tarfile.CHRTYPE, devmajor=1, devminor=1)]), "reject", "dev/mem")
    add("block-device", "a block device",
        build([_ti("dev/sda", tarfile.BLKTYPE, devmajor=8, devminor=0)]), "reject", "dev/sda")
    add("fifo", "a FIFO", build([_ti("pipe", tarfile.FIFOTYPE)]), "reject", "pipe")
    # ---- sizes and truncation
    add("absurd-size", "a header claiming 1 TB", _raw_header(b"huge", 1 << 40) + b"\0" * 1024,
        "reject", "huge")
    add("truncated-header", "an archive cut inside its first header",
        build([_ti("ok", data=b"x" * 100)])[:300], "reject", "")
    add("truncated-data", "an archive cut inside a file's data",
        build([_ti("big", data=b"x" * 10000)])[:3000], "reject", "big")
    # ---- whiteout abuse
    add("wh-dotdot", "whiteout .wh.. (would delete the parent)",
        build([_ti("a/", D, mode=0o755), _ti("a/.wh..", data=b"")]), "reject", ".wh..")
    add("wh-dir-component", ".wh.../x: a directory named like a whiteout",
        build([_ti(".wh.../x", data=b"x")]), "reject", ".wh.../x")
    add("wh-bare", "a bare .wh. entry", build([_ti(".wh.", data=b"")]), "reject", ".wh.")
    # ---- replacement rules
    add("duplicate-names", "the same name twice (the daemon's tar-split refuses it)",
        build([_ti("dup", data=b"first"), _ti("dup", data=b"second")]), "reject", "duplicates of file paths")
    add("file-replaces-dir", "a file replacing a directory of the same name",
        build([_ti("d/", D, mode=0o755), _ti("d/child", data=b"c"), _ti("d", data=b"file")]),
        "reject", "duplicates of file paths")
    add("dir-replaces-file", "a directory replacing a file of the same name",
        build([_ti("f", data=b"file"), _ti("f/", D, mode=0o755), _ti("f/x", data=b"x")]),
        "reject", "duplicates of file paths")
    add("file-under-file", "an entry whose parent is a regular file",
        build([_ti("f", data=b"file"), _ti("f/x", data=b"x")]), "reject", "f/x")
    return cases


def _pax_escape(t: str) -> bytes:
    """ustar name 'harmless', but a PAX 'path' record that climbs out."""
    ti = tarfile.TarInfo("harmless")
    ti.size = 1
    ti.mtime = 1704067200
    ti.pax_headers = {"path": f"../../../../tmp/{t}-pax"}
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        tf.addfile(ti, io.BytesIO(b"x"))
    return buf.getvalue()


def _is_file(lay, path, data):
    n = _layer_file(lay, path)
    assert n.kind == "file" and n.content.bytes() == data, (path, n)


def _is_dir(lay, path):
    assert _layer_file(lay, path).kind == "dir"


def _is_symlink(lay, path, target):
    n = _layer_file(lay, path)
    assert n.kind == "symlink" and n.target == target, (path, n)


def _absent(lay, path):
    assert path not in lay.entries, f"{path} should be gone"


def _same_inode(lay, a, b):
    na, nb = _layer_file(lay, a), _layer_file(lay, b)
    assert na.ino and na.ino == nb.ino, (na, nb)
