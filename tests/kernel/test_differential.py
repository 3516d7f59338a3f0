"""Kernel differential test: random file-operation sequences applied to a real overlayfs mount
(Docker's options) and to a layerlab RootFS; every observable must agree.

Compared after each sequence:
* the error (errno) of every operation;
* the merged view (kinds, sizes, modes, owners, symlink targets, file contents);
* the upper directory (kinds incl. whiteouts as char 0:0, sizes, modes, opaque markers, nlink);
* ``docker diff`` (layerlab's against a port of moby's ChangesDirs run on the kernel's trees)
  and the overlay2 ``SizeRw`` (directory.Size of the real upper dir).

Runs LAYERLAB_DIFF_N sequences (default 300; a nightly-style run sets thousands).
"""
from __future__ import annotations

import errno
import hashlib
import os
import random
import stat

import pytest

from layerlab.fs import tree
from layerlab.fs.changes import changes
from layerlab.fs.layer import Layer
from layerlab.fs.rootfs import FlatTree, RootFS
from tests.changesdirs import changes_dirs
from tests.kernel.overlay import MTIME, mount_or_skip

pytestmark = pytest.mark.oracle

N = int(os.environ.get("LAYERLAB_DIFF_N", "300"))
T0 = MTIME * 1_000_000_000

BASE = {
    "/data/big.bin": ("file", bytes(range(256)) * 256, 0o644),
    "/data/small.txt": ("file", b"hello\n", 0o644),
    "/data/exec.sh": ("file", b"#!/bin/sh\n", 0o755),
    "/data/dir/a": ("file", b"a\n"),
    "/data/dir/b": ("file", b"b\n"),
    "/data/dir/sub/c": ("file", b"c\n"),
    "/data/empty": ("dir", 0o755),
    "/data/hl1": ("file", b"pair\n"),
    "/data/hl2": ("hardlink", "/data/hl1"),
    "/data/link": ("symlink", "small.txt"),
    "/data/dirlink": ("symlink", "dir"),
    "/etc/conf": ("file", b"k=v\n"),
}
TOP = {  # a second layer: a whiteout, an opaque dir and a replaced file
    "/data/gone.txt": ("whiteout",),
    "/etc": ("opaque", 0o755),
    "/etc/new.conf": ("file", b"new\n"),
    "/data/small.txt": ("file", b"hello again\n", 0o640),
}
BASE_WITH_GONE = {**BASE, "/data/gone.txt": ("file", b"bye\n")}

PATHS = ["/data/big.bin", "/data/small.txt", "/data/exec.sh", "/data/dir", "/data/dir/a",
         "/data/dir/sub", "/data/dir/sub/c", "/data/empty", "/data/hl1", "/data/hl2", "/data/link",
         "/data/dirlink", "/data/dirlink/a", "/etc/conf", "/etc/new.conf", "/data/gone.txt",
         "/data/new", "/data/newdir", "/data/newdir/f", "/data/dir/new", "/tmpx", "/data/dir2"]


def to_layer(spec: dict) -> Layer:
    entries, whiteouts, opaques, inos = {}, set(), set(), {}
    for path, (kind, *rest) in spec.items():
        if kind == "file":
            mode = rest[1] if len(rest) > 1 else 0o644
            entries[path] = tree.file(rest[0], mode=mode, mtime=T0)
        elif kind == "dir":
            entries[path] = tree.directory(rest[0] if rest else 0o755, mtime=T0)
        elif kind == "symlink":
            entries[path] = tree.symlink(rest[0], mtime=T0)
        elif kind == "whiteout":
            whiteouts.add(path)
        elif kind == "opaque":
            entries[path] = tree.directory(rest[0] if rest else 0o755, mtime=T0)
            opaques.add(path)
    for path, (kind, *rest) in spec.items():
        if kind == "hardlink":
            src = rest[0]
            ino = inos.setdefault(src, len(inos) + 1)
            entries[src] = entries[src].with_(ino=ino)
            entries[path] = entries[src]
    return Layer.build(entries, whiteouts, opaques, mtime=T0)


def random_ops(rng: random.Random) -> list[tuple]:
    ops = []
    for _ in range(rng.randint(1, 10)):
        p, q = rng.choice(PATHS), rng.choice(PATHS)
        kind = rng.choice(["write", "append", "open_append_nowrite", "chmod", "chown", "touch",
                           "truncate", "mkdir", "rmdir", "unlink", "rm_rf", "rename", "mv",
                           "symlink", "link", "read"])
        if kind == "write":
            ops.append(("write", p, rng.choice([b"", b"x", b"hello\n", b"0123456789"])))
        elif kind == "append":
            ops.append(("write", p, rng.choice([b"x", b"more\n"]), "append"))
        elif kind == "chmod":
            ops.append(("chmod", p, rng.choice([0o600, 0o644, 0o700, 0o755])))
        elif kind == "chown":
            ops.append(("chown", p, rng.choice([0, 1000]), rng.choice([0, 1000])))
        elif kind == "truncate":
            ops.append(("truncate", p, rng.choice([0, 3, 100000])))
        elif kind == "mkdir":
            ops.append(("mkdir", p, 0o755))
        elif kind in ("rename", "mv", "link"):
            ops.append((kind, p, q))
        elif kind == "symlink":
            # relative targets only: the harness resolves absolute ones against the host root
            ops.append(("symlink", rng.choice(["small.txt", "hl1", "dir", "nowhere"]), p))
        else:
            ops.append((kind, p))
    return ops


# ------------------------------------------------------------------ layerlab side
class Clock:
    def __init__(self):
        self.t = T0 + 10**18 // 1000

    def __call__(self):
        self.t += 1_000_000_000
        return self.t


def ll_apply(fs: RootFS, op: tuple) -> str | None:
    name, args = op[0], op[1:]
    try:
        if name == "write":
            how = args[2] if len(args) > 2 else "trunc"
            fs.write(args[0], args[1], append=(how == "append"))
        elif name == "open_append_nowrite":
            fs.open(args[0], append=True, create=False)
        elif name == "read":
            fs.read_bytes(args[0])
        elif name == "chmod":
            fs.chmod(args[0], args[1])
        elif name == "chown":
            fs.chown(args[0], args[1], args[2], follow=False)
        elif name == "touch":
            if not fs.exists(args[0], follow=False):
                fs.open(args[0], mode=0o644)
            fs.utime(args[0])
        elif name == "truncate":
            fs.truncate(args[0], args[1])
        elif name == "mkdir":
            fs.mkdir(args[0], args[1])
        elif name == "rmdir":
            fs.rmdir(args[0])
        elif name == "unlink":
            fs.unlink(args[0])
        elif name == "rm_rf":
            if not fs.exists(args[0], follow=False):
                raise FileNotFoundError(errno.ENOENT, "No such file or directory", args[0])
            fs.remove_tree(args[0])
        elif name == "rename":
            fs.rename(args[0], args[1])
        elif name == "mv":
            try:
                fs.rename(args[0], args[1])
            except OSError as e:
                if e.errno != errno.EXDEV:
                    raise
                _ll_copy_tree(fs, args[0], args[1])
                fs.remove_tree(args[0])
        elif name == "symlink":
            fs.symlink(args[0], args[1])
        elif name == "link":
            fs.link(args[0], args[1])
        else:
            raise ValueError(name)
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
    return None


def _ll_copy_tree(fs: RootFS, src: str, dst: str) -> None:
    node = fs.lstat(src)
    if node.kind == "dir":
        fs.mkdir(dst, node.mode)
        for name in fs.listdir(src):
            _ll_copy_tree(fs, src + "/" + name, dst + "/" + name)
        fs.chown(dst, node.uid, node.gid, follow=False)
        fs.chmod(dst, node.mode)
        fs.utime(dst, node.mtime)
    elif node.kind == "symlink":
        fs.symlink(node.target, dst)
        fs.chown(dst, node.uid, node.gid, follow=False)
        fs.utime(dst, node.mtime, follow=False)
    else:
        fs.set_content(dst, node.content)
        fs.chown(dst, node.uid, node.gid, follow=False)
        fs.chmod(dst, node.mode)
        fs.utime(dst, node.mtime)


def ll_merged(fs: RootFS) -> dict:
    out = {}
    for path, n in fs.walk("/"):
        if path == "/":
            continue
        out[path] = (n.kind, n.content.size if n.kind == "file" else (len(n.target) if n.kind == "symlink" else None),
                     n.mode & 0o7777 if n.kind != "symlink" else None, n.uid, n.gid,
                     n.target or None, hashlib.sha256(n.content.bytes()).hexdigest() if n.kind == "file" else None)
    return out


def k_merged(dump: dict) -> dict:
    return {p: (n.kind, n.size, n.mode if n.kind != "symlink" else None, n.uid, n.gid, n.target,
                n.sha256 if n.kind == "file" else None) for p, n in dump.items() if p != "/"}


def ll_upper(fs: RootFS) -> dict:
    up = fs.upper
    out = {}
    for path, n in up.entries.items():
        nlink = len(up.ino_paths.get(n.ino, ())) if n.ino else 1
        out[path] = (n.kind, n.content.size if n.kind == "file" else (len(n.target) if n.kind == "symlink" else None),
                     n.mode & 0o7777 if n.kind != "symlink" else None, "y" if path in up.opaques else None,
                     nlink if n.kind == "file" else None)
    for path in up.whiteouts:
        out[path] = ("whiteout", 0, None, None, None)
    return out


def k_upper(dump: dict) -> dict:
    out = {}
    for p, n in dump.items():
        if p == "/":
            continue
        if n.kind == "whiteout":
            out[p] = ("whiteout", 0, None, None, None)
        else:
            out[p] = (n.kind, n.size, n.mode if n.kind != "symlink" else None, n.opaque,
                      n.nlink if n.kind == "file" else None)
    return out


# ------------------------------------------------------------------ moby ChangesDirs, ported
def _different(old, new) -> bool:
    if old.kind != new.kind or (old.kind != "symlink" and old.mode != new.mode) or old.uid != new.uid or old.gid != new.gid:
        return True
    if new.kind != "dir":
        if old.mtime_ns != new.mtime_ns or old.size != new.size:
            return True
    return False


def kernel_changes(old: dict, new: dict) -> list[str]:
    """moby ChangesDirs over the kernel's two lstat trees ({path: Node})."""
    return changes_dirs(old, new, _different)


def kernel_size_rw(upper_dir: str) -> int:
    """moby directory.Size: st_size of non-directories, each inode once, 0-size skipped."""
    total, seen = 0, set()
    for root, dirs, files in os.walk(upper_dir):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            st = os.lstat(os.path.join(root, name))
            if stat.S_ISDIR(st.st_mode) or st.st_size == 0:
                continue
            if st.st_ino in seen:
                continue
            seen.add(st.st_ino)
            total += st.st_size
    return total


@pytest.mark.parametrize("chunk", range(10))
def test_random_sequences_match_kernel(chunk):
    import contextlib

    per = max(1, N // 10)
    failures = []
    lower_layers = [BASE_WITH_GONE, TOP]
    for i in range(chunk * per, (chunk + 1) * per):
        rng = random.Random(i)
        ops = random_ops(rng)
        with contextlib.ExitStack() as stack:
            ko = mount_or_skip(lower_layers)
            stack.callback(ko.__exit__, None, None, None)
            before = ko.dump_merged()
            kres = [r.error for r in ko.apply(ops)]
            k_after = ko.dump_merged()
            k_up = ko.dump_upper()
            k_size = kernel_size_rw(ko.upper)
        fs = RootFS([FlatTree.of([to_layer(BASE_WITH_GONE), to_layer(TOP)])], clock=Clock())
        lres = [ll_apply(fs, op) for op in ops]
        problems = []
        if kres != lres:
            problems.append(f"errors kernel={kres} layerlab={lres}")
        if k_merged(k_after) != ll_merged(fs):
            km, lm = k_merged(k_after), ll_merged(fs)
            diff = {p: (km.get(p), lm.get(p)) for p in set(km) | set(lm) if km.get(p) != lm.get(p)}
            problems.append(f"merged differs: {diff}")
        if k_upper(k_up) != ll_upper(fs):
            ku, lu = k_upper(k_up), ll_upper(fs)
            diff = {p: (ku.get(p), lu.get(p)) for p in set(ku) | set(lu) if ku.get(p) != lu.get(p)}
            problems.append(f"upper differs: {diff}")
        kd = sorted(kernel_changes(before, k_after))
        ld = sorted(str(c) for c in changes(fs))
        if kd != ld:
            problems.append(f"diff kernel={kd} layerlab={ld}")
        if k_size != fs.upper.size:
            problems.append(f"SizeRw kernel={k_size} layerlab={fs.upper.size}")
        if problems:
            failures.append(f"seed {i} ops={ops}\n  " + "\n  ".join(problems))
    assert not failures, f"{len(failures)} of {per} sequences differ:\n" + "\n".join(failures[:5])
