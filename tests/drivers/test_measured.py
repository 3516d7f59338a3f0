"""Measured, not assumed: layerlab's physical-usage models against real filesystems.

* btrfs: a real btrfs on a loop device; a base subvolume, a snapshot per layer and per container,
  writes of various sizes and offsets; layerlab's btrfs driver predicts ``btrfs filesystem du -s``
  (Total / Exclusive / Set shared per subvolume) and the data bytes allocated: within 1%.
* overlay2: the kernel's overlayfs mounted the way Docker mounts it (tests/kernel/overlay.py);
  layerlab's overlay2 model predicts ``du`` of the lower layer dirs and of the upper dir.
"""
from __future__ import annotations

import contextlib
import random
import subprocess

import pytest

from layerlab import drivers

from .btrfs_loop import apply_layerlab, loop_btrfs_or_skip

pytestmark = pytest.mark.oracle

KiB, MiB = 1024, 1024 * 1024


def rnd(seed: int, n: int) -> bytes:
    return random.Random(seed).randbytes(n)


# name, parent, operations (a layer's writes, then containers' writes)
WORKLOAD = [
    ("l0", None, [
        ("write", "/big1", rnd(1, MiB + 123)),
        ("write", "/big2", rnd(2, 300 * KiB)),
        ("write", "/mid", rnd(3, 3000)),            # > 2 KiB: a real 4 KiB extent
        ("write", "/small", rnd(4, 100)),           # inline in metadata: not in du
        ("write", "/e5", rnd(5, 5 * MiB)),
        ("link", "/big2", "/hl"),
    ]),
    ("l1", "l0", [
        ("write", "/mid2", rnd(6, 10000)),
        ("write", "/big2", rnd(7, 300 * KiB + 1)),  # O_TRUNC rewrite: all new extents, link kept
        ("unlink", "/small"),
        ("append", "/e5", rnd(8, 3 * 4096)),
    ]),
    ("c1", "l1", [
        ("pwrite", "/big1", 5000, rnd(9, 10)),      # one 4 KiB block
        ("pwrite", "/big1", 4090, rnd(10, 20)),     # straddles blocks 0 and 1
        ("append", "/e5", rnd(11, 10)),             # a new block after an aligned end
        ("write", "/n1", rnd(12, 50000)),
        ("write", "/tiny", rnd(13, 200)),           # inline
        ("truncate", "/mid2", 6000),                # tail block zeroed: CoW
    ]),
    ("c2", "l1", [
        ("pwrite", "/e5", MiB, rnd(14, MiB)),       # 256 blocks in the middle
        ("write", "/n2", rnd(15, 2 * MiB)),
        ("append", "/big1", rnd(16, 10)),           # last partial block CoW
        ("pwrite", "/big2", 300 * KiB - 100, rnd(17, 200)),
    ]),
]


def within(pred: int, real: int, rel: float = 0.01) -> bool:
    return abs(pred - real) <= rel * real


def test_btrfs_du_and_data_used_match_prediction():
    names = [w[0] for w in WORKLOAD]
    d = drivers.create("btrfs")
    with contextlib.ExitStack() as stack:
        fsys = loop_btrfs_or_skip(size="512M")
        stack.callback(fsys.__exit__)
        for name, parent, ops in WORKLOAD:
            # real: a subvolume (or snapshot of the parent) then the writes
            fsys.subvolume(name, parent)
            fsys.apply(name, ops)
            # layerlab: an active snapshot on the parent, the same writes; layers are committed
            key = name if name.startswith("c") else name + "-active"
            d.prepare(key, parent)
            apply_layerlab(d.fs(key), ops)
            if key != name:
                d.commit(name, key)
        real = fsys.du(names)
        used = fsys.data_used()
    pred = d.du(names)
    report = [f"{n}: real {real[n]} predicted {(pred[n].total, pred[n].exclusive, pred[n].set_shared)}"
              for n in names]
    for n in names:
        t, e, s = real[n]
        assert within(pred[n].total, t), report
        assert within(pred[n].exclusive, e), report
        assert within(pred[n].set_shared, s), report
    assert within(d.physical_bytes(), used), (d.physical_bytes(), used, report)
    # the model is in fact exact on this workload
    assert {n: (pred[n].total, pred[n].exclusive, pred[n].set_shared) for n in names} == real


# ---------------------------------------------------------------------------- overlay2

LOWER = [
    {"/data": ("dir",), "/data/big.bin": ("file", rnd(20, MiB)), "/data/small.txt": ("file", b"hello\n"),
     "/data/dir/a": ("file", b"a\n"), "/data/dir/sub/c": ("file", rnd(21, 9000)),
     "/data/link": ("symlink", "small.txt"), "/data/long": ("symlink", "x" * 80),
     "/data/hl1": ("file", rnd(22, 5000)), "/data/hl2": ("hardlink", "/data/hl1"),
     "/etc/passwd": ("file", b"root:x:0:0::/root:/bin/sh\n")},
    {"/data/dir/b": ("file", rnd(23, 70000)), "/data/gone": ("whiteout",), "/opt": ("opaque",),
     "/opt/x": ("file", rnd(24, 4097))},
]

OPS = [
    ("write", "/data/big.bin", b"x", "append"),          # copy-up of 1 MiB
    ("chmod", "/data/small.txt", 0o600),
    ("write", "/data/dir/sub/c", b"more", "append"),     # copy-up of parents + 9000 B
    ("write", "/data/new", rnd(25, 123456)),
    ("mkdir", "/newdir"),
    ("write", "/newdir/f", rnd(26, 4096)),
    ("unlink", "/data/dir/a"),                            # a whiteout: 0 blocks
    ("symlink", "y" * 70, "/data/longlink"),              # a slow symlink: one block
    ("link", "/data/hl1", "/data/hl3"),                   # copy-up, both names, one inode
    ("open_append_nowrite", "/data/dir/b"),               # copy-up of 70000 B, nothing written
    ("rm_rf", "/opt"),
    ("write", "/data/hl2", b"!", "append"),               # breaks the lower link: another copy
]


def to_layer(spec):
    from layerlab.content import Content
    from layerlab.fs.layer import Layer
    from layerlab.fs.tree import directory, file, symlink

    entries, whiteouts, opaques, links = {}, [], [], {}
    ino = 0
    for path, ent in spec.items():
        kind = ent[0]
        if kind == "dir":
            entries[path] = directory(ent[1] if len(ent) > 1 else 0o755)
        elif kind == "opaque":
            entries[path] = directory()
            opaques.append(path)
        elif kind == "file":
            entries[path] = file(Content.of(ent[1]), ent[2] if len(ent) > 2 else 0o644)
        elif kind == "symlink":
            entries[path] = symlink(ent[1])
        elif kind == "hardlink":
            links[path] = ent[1]
        elif kind == "whiteout":
            whiteouts.append(path)
    for path, target in links.items():
        ino += 1
        entries[target] = entries[target].with_(ino=ino)
        entries[path] = entries[target]
    return Layer.build(entries, whiteouts, opaques)


def apply_layerlab_overlay(fs, ops):
    for op in ops:
        kind, args = op[0], op[1:]
        try:
            if kind == "write":
                how = args[2] if len(args) > 2 else "trunc"
                fs.write(args[0], args[1], append=how == "append")
            elif kind == "chmod":
                fs.chmod(args[0], args[1])
            elif kind == "mkdir":
                fs.mkdir(args[0], 0o755)
            elif kind == "unlink":
                fs.unlink(args[0])
            elif kind == "symlink":
                fs.symlink(args[0], args[1])
            elif kind == "link":
                fs.link(args[0], args[1])
            elif kind == "open_append_nowrite":
                fs.open(args[0], append=True, create=False)
            elif kind == "rm_rf":
                fs.remove_tree(args[0])
        except OSError:
            pass


def du_bytes(path: str) -> int:
    out = subprocess.run(["du", "-s", "--block-size=1", path], check=True, capture_output=True, text=True)
    return int(out.stdout.split()[0])


def test_overlay2_du_of_layer_and_upper_dirs():
    from layerlab.drivers.overlay import OverlayRootFS

    from tests.kernel.overlay import mount_or_skip

    ko = mount_or_skip(LOWER)
    try:
        assert all(r.error is None for r in ko.apply(OPS)), ko.apply([])
        real_lowers = [du_bytes(ko.lower(i)) for i in range(len(LOWER))]
        real_upper = du_bytes(ko.upper)
    finally:
        ko.__exit__(None, None, None)
    layers = [to_layer(s) for s in LOWER]
    ov = drivers.create("overlay2")
    pred_lowers = [ov.physical_layers([layer], only_top=True) for layer in layers]
    fs = OverlayRootFS(layers[::-1])
    apply_layerlab_overlay(fs, OPS)
    pred_upper = ov.upper_du(fs)
    for p, r in zip(pred_lowers, real_lowers):
        assert within(p, r), (pred_lowers, real_lowers)
    assert within(pred_upper, real_upper), (pred_upper, real_upper)


POOL = ["/data/big.bin", "/data/small.txt", "/data/dir/a", "/data/dir/b", "/data/dir/sub/c", "/data/hl1",
        "/data/hl2", "/data/new", "/data/dir/sub/new", "/newdir", "/newdir/f", "/opt/x", "/etc/passwd"]


def random_ops(seed: int, n: int = 25):
    rng = random.Random(seed)
    ops = []
    for i in range(n):
        p = rng.choice(POOL)
        kind = rng.choice(["append", "trunc", "chmod", "mkdir", "unlink", "symlink", "link", "openappend",
                           "truncate", "rm_rf"])
        data = rnd(seed * 1000 + i, rng.choice([1, 100, 5000, 70000]))
        ops.append({"append": ("write", p, data, "append"), "trunc": ("write", p, data),
                    "chmod": ("chmod", p, 0o600), "mkdir": ("mkdir", p), "unlink": ("unlink", p),
                    "symlink": ("symlink", "t" * rng.choice([5, 70]), p),
                    "link": ("link", p, rng.choice(POOL)), "openappend": ("open_append_nowrite", p),
                    "truncate": ("truncate", p, rng.choice([0, 10, 9000])), "rm_rf": ("rm_rf", p)}[kind])
    return ops


def apply_both_truncate(fs, ops):
    for op in ops:
        if op[0] == "truncate":
            try:
                fs.truncate(op[1], op[2])
            except OSError:
                pass
        else:
            apply_layerlab_overlay(fs, [op])


@pytest.mark.parametrize("seed", range(20))
def test_overlay2_du_random_operations(seed):
    from layerlab.drivers.overlay import OverlayRootFS

    from tests.kernel.overlay import mount_or_skip

    ops = random_ops(seed)
    ko = mount_or_skip(LOWER)
    try:
        ko.apply(ops)
        real = du_bytes(ko.upper)
    finally:
        ko.__exit__(None, None, None)
    fs = OverlayRootFS([to_layer(s) for s in LOWER][::-1])
    apply_both_truncate(fs, ops)
    pred = drivers.create("overlay2").upper_du(fs)
    assert within(pred, real), (pred, real, ops)
