"""Differential test of the ``tar`` applet (:mod:`layerlab.shell.applets_tar`) against the real
``/bin/busybox tar`` (Debian's busybox 1.35, the binary the oracle's ``bb:1`` image runs).

The same scripts run in the sandbox of ``test_shell_busybox`` (real busybox ash in a seeded temp
dir) and in layerlab's shell (a RootFS seeded with the same files). Compared:

* exit status, and stdout and stderr *as lists of lines*; busybox walks a directory in
  ``readdir`` order (filesystem-dependent), layerlab sorted by name, so lines are compared in
  order only where the order is fixed (``ordered=True``: one entry per directory, or files
  named one by one), otherwise as sorted lists;
* every archive either side wrote, member by member: the raw 512-byte header (every field:
  name, mode, ids, size, mtime, checksum, type, link, magic, user and group names) and the
  data, keyed by name (so only the order may differ, as above) — and the end of the archive
  (two zero blocks, no record padding), i.e. the archive length;
* the rest of the tree afterwards (names, types, modes, sizes, link targets, contents).

gzip archives (``z``) are compared after decompressing: the deflate bytes of busybox's gzip
and of zlib differ, the tar inside must not. Each side must also read the other's archive.
"""
from __future__ import annotations

import gzip
import os
import subprocess

import pytest

from tests.unit.test_shell_busybox import BUSYBOX, _seed_layerlab, _snapshot_layerlab, run_real

pytestmark = [pytest.mark.skipif(not os.path.exists(BUSYBOX), reason="needs /bin/busybox"),
              pytest.mark.oracle]

# (script, ordered): ordered = output lines and archive members must come in the same order
CORPUS = [
    # ---- create: names, headers, the leading-slash message
    ("tar cf x.tar small.txt lines.txt empty; tar tf x.tar", True),
    ("tar cvf x.tar small.txt exe.sh ro.txt; echo rc=$?", True),
    ("tar cvf x.tar dir; echo rc=$?", False),
    ("tar cvf x.tar dir/; tar tf x.tar | head -1", False),
    ("tar -cf x.tar -v emptydir link dangling dirlink", True),
    ("tar cf x.tar $PWD/small.txt $PWD/emptydir; tar tf x.tar", True),
    ("tar cvf x.tar //$PWD/small.txt ./lines.txt ../w/empty; tar tf x.tar", True),
    ("tar cf x.tar hl1 hl2; tar tvf x.tar", True),
    ("tar cf x.tar big.bin; ls -l x.tar | cut -c30-42", True),
    ("mkdir -p aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb;"
     " touch -d '2024-01-01 00:00:00' aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb;"
     " tar cvf x.tar aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb;"
     " tar tf x.tar", True),
    ("chown 65534:65534 small.txt; chown 4242:4343 lines.txt; tar cf x.tar small.txt lines.txt; tar tvf x.tar", True),
    ("tar cvf - small.txt lines.txt > out.tar; echo rc=$?; tar tf out.tar", True),
    ("tar cf - small.txt | tar tvf -", True),
    # ---- create: errors
    ("tar cf x.tar; echo rc=$?; ls", True),
    ("tar cf x.tar nope small.txt; echo rc=$?; tar tf x.tar", True),
    ("tar cf nodir/x.tar small.txt; echo rc=$?", True),
    ("tar cf x.tar -C nodir small.txt; echo rc=$?", True),
    ("tar cf dir/sub/x.tar dir/sub/c dir/sub/x.tar; echo rc=$?; tar tf dir/sub/x.tar", True),
    ("cd dir && tar cf ../x.tar .; echo rc=$?; tar tf ../x.tar | sort", False),
    # ---- list
    ("tar cf x.tar dir; tar tvf x.tar", False),
    ("tar cf x.tar dir small.txt; tar tf x.tar small.txt dir/sub; echo rc=$?", False),
    ("tar cf x.tar small.txt; tar tf x.tar nothere small.txt; echo rc=$?", True),
    ("tar tf nope.tar; echo rc=$?", True),
    ("tar tf empty; echo rc=$?", True),
    ("tar tf small.txt; echo rc=$?", True),
    ("tar tf big.bin; echo rc=$?", True),
    ("tar cf x.tar lines.txt; head -c 1024 x.tar > t.tar; tar tf t.tar; echo rc=$?", True),
    ("tar cf x.tar lines.txt; head -c 512 x.tar > t.tar; tar tf t.tar; echo rc=$?; tar xf t.tar -C emptydir; echo rc=$?", True),
    ("tar cf x.tar lines.txt; head -c 600 x.tar > t.tar; tar xf t.tar -C emptydir; echo rc=$?", True),
    ("tar cf x.tar $PWD/small.txt 2>/dev/null; tar tf x.tar; tar xvf x.tar -C emptydir; find emptydir", True),
    # ---- extract
    ("mkdir o; tar cf x.tar dir small.txt link; tar xf x.tar -C o; echo rc=$?; find o | sort; cat o/small.txt", False),
    ("mkdir o; tar cf x.tar dir; tar xvf x.tar -C o dir/sub; echo rc=$?", False),
    ("tar cf x.tar small.txt; rm small.txt; tar xvf x.tar; cat small.txt; stat -c '%a %s %Y' small.txt", True),
    ("tar cf x.tar ro.txt exe.sh; rm ro.txt exe.sh; tar xf x.tar; stat -c '%a %s %Y %n' ro.txt exe.sh", True),
    ("tar cf x.tar small.txt; echo changed > small.txt; tar xf x.tar; cat small.txt", True),
    ("tar cf x.tar small.txt; echo changed > small.txt; tar xkf x.tar; echo rc=$?; cat small.txt", True),
    ("tar cf x.tar small.txt; tar xmf x.tar -C emptydir; stat -c '%a %s' emptydir/small.txt", True),
    ("tar cf x.tar hl1 hl2; mkdir o; tar xf x.tar -C o; stat -c '%h %s' o/hl1 o/hl2", True),
    ("mkdir -p o/small.txt; tar cf x.tar small.txt; tar xf x.tar -C o; echo rc=$?", True),
    ("tar cf x.tar link dangling; mkdir o; tar xvf x.tar -C o; ls -l o | cut -c1-10,56-", True),
    ("tar cf x.tar dir/sub/c; mkdir o; tar xf x.tar -C o --strip-components 1; find o | sort", True),
    ("tar cf x.tar dir hl1 hl2; mkdir o; tar xvf x.tar -C o --strip-components 1; echo rc=$?; find o | sort", False),
    ("mkdir -p d/e; cp -p hl1 d/e/h1; ln d/e/h1 d/e/h2; tar cf x.tar d/e/h1 d/e/h2; mkdir o; tar xvf x.tar -C o --strip-components 2; stat -c '%h %n' o/*", True),
    ("tar tvf /dev/null; echo rc=$?; tar cf /dev/null small.txt; echo rc=$?; tar cf - small.txt | tar xvf - -C emptydir", True),
    ("tar cf x.tar small.txt lines.txt; tar xOf x.tar lines.txt | head -2", True),
    ("tar xf nope.tar; echo rc=$?", True),
    ("tar xf small.txt; echo rc=$?", True),
    ("tar cf x.tar small.txt; tar xf x.tar -C nodir; echo rc=$?", True),
    ("cat small.txt | tar xf -; echo rc=$?", True),
    # ---- gzip
    ("tar czf x.tgz small.txt lines.txt; tar tzf x.tgz; tar xzf x.tgz -C emptydir; cat emptydir/small.txt", True),
    ("tar czf x.tgz dir; tar tvzf x.tgz", False),
    # ---- option spellings
    ("tar -c -f x.tar small.txt; tar -t -v -f x.tar; tar -x -f x.tar -C emptydir; ls emptydir", True),
]

_GZ = b"\x1f\x8b"


def _members(data: bytes):
    """A tar's members as (name, raw header, data), and the number of bytes up to the end."""
    if data[:2] == _GZ:
        data = gzip.decompress(data)
    out, pos, zeros = [], 0, 0
    while pos + 512 <= len(data):
        blk = data[pos:pos + 512]
        pos += 512
        if blk == bytes(512):
            zeros += 1
            if zeros == 2:
                break
            continue
        zeros = 0
        size = int(blk[124:135].split(b"\0")[0] or b"0", 8)
        body = data[pos:pos + size]
        pos += size + (-size % 512)
        out.append((blk[:100].split(b"\0")[0] + b"|" + blk[156:157], blk, body))
    return out, len(data)


def _is_tar(data: bytes) -> bool:
    if data[:2] == _GZ:
        try:
            data = gzip.decompress(data)
        except Exception:
            return False
    return len(data) >= 512 and data[257:262] == b"ustar"


def _read_real(work: str) -> dict:
    out = {}
    for dirpath, _, filenames in os.walk(work):
        for n in filenames:
            p = os.path.join(dirpath, n)
            if not os.path.islink(p):
                with open(p, "rb") as f:
                    out[os.path.relpath(p, work)] = f.read()
    return out


def _read_layerlab(fs, work: str) -> dict:
    out = {}
    for path, node in fs.walk(work):
        if node.kind == "file":
            out[path[len(work) + 1:]] = node.content.bytes()
    return out


def _run_layerlab(sandbox, work, env, script):
    from layerlab.shell import execute

    root, bindir = sandbox
    fs, clock = _seed_layerlab(root, work, bindir)
    res = execute(fs, [f"{bindir}/sh", "-c", script], env=env, cwd=work, clock=clock)
    return res, fs


def _lines(b: bytes, ordered: bool):
    lines = b.decode(errors="replace").splitlines()
    return lines if ordered else sorted(lines)


def _split_tars(files: dict, ordered: bool):
    tars, rest = {}, {}
    for k, v in files.items():
        if _is_tar(v):
            members, length = _members(v)
            tars[k] = (members if ordered else sorted(members, key=lambda m: m[0]), length)
        else:
            rest[k] = v
    return tars, rest


@pytest.mark.parametrize("script,ordered", CORPUS, ids=[s[:60] for s, _ in CORPUS])
def test_tar_same_as_busybox(sandbox, script, ordered):
    work, env, real, real_tree = run_real(sandbox, script)
    real_files = _read_real(work)
    ours, fs = _run_layerlab(sandbox, work, env, script)
    our_tree = _snapshot_layerlab(fs, work)
    our_files = _read_layerlab(fs, work)
    assert _lines(ours.stdout, ordered) == _lines(real.stdout, ordered), "stdout"
    assert _lines(ours.stderr, ordered) == _lines(real.stderr, ordered), "stderr"
    assert ours.exit_code == real.returncode
    real_tars, real_rest = _split_tars(real_files, ordered)
    our_tars, our_rest = _split_tars(our_files, ordered)
    assert sorted(our_tars) == sorted(real_tars), "the same archives"
    for name in real_tars:
        (rm, rlen), (om, olen) = real_tars[name], our_tars[name]
        assert [m[0] for m in om] == [m[0] for m in rm], f"{name}: member names"
        for (n, rh, rd), (_, oh, od) in zip(rm, om):
            assert oh == rh, f"{name}: header of {n!r}"
            assert od == rd, f"{name}: data of {n!r}"
        if real_files[name][:2] != _GZ:
            assert olen == rlen, f"{name}: archive length"
    assert our_rest == real_rest
    strip = {k for k in real_tars}
    assert {k: v for k, v in our_tree.items() if k not in strip} == \
        {k: v for k, v in real_tree.items() if k not in strip}


def _layerlab_tar_bytes(sandbox, script: str, name: str) -> bytes:
    work, env, _, _ = run_real(sandbox, "true")
    res, fs = _run_layerlab(sandbox, work, env, script)
    assert res.exit_code == 0, res.stderr
    return fs.read_content(f"{work}/{name}").bytes()


@pytest.mark.parametrize("name,script", [("x.tar", "tar cf x.tar dir small.txt link hl1 hl2"),
                                          ("x.tgz", "tar czf x.tgz dir big.bin")])
def test_busybox_reads_layerlab_archives(sandbox, tmp_path, name, script):
    """Real busybox lists and extracts what layerlab wrote (gzip included)."""
    data = _layerlab_tar_bytes(sandbox, script, name)
    arc = tmp_path / name
    arc.write_bytes(data)
    out = tmp_path / "out"
    out.mkdir()
    r = subprocess.run([BUSYBOX, "tar", "xzvf" if name.endswith(".tgz") else "xvf", str(arc), "-C", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert (out / "dir" / "sub" / "c").read_bytes() == b"ccc\n"
    if name == "x.tar":
        assert (out / "small.txt").read_bytes() == b"hello\n"
        assert os.readlink(out / "link") == "small.txt"
        assert os.stat(out / "hl1").st_ino == os.stat(out / "hl2").st_ino
    else:
        assert (out / "big.bin").read_bytes() == bytes(i % 251 for i in range(10000))


def test_layerlab_reads_busybox_gzip(sandbox):
    """A gzip stream from busybox's own compressor extracts in layerlab."""
    work, env, real, _ = run_real(sandbox, "tar czf x.tgz dir small.txt")
    with open(os.path.join(work, "x.tgz"), "rb") as f:
        data = f.read()
    from layerlab.shell import execute

    root, bindir = sandbox
    fs, clock = _seed_layerlab(root, work, bindir)
    fs.write(f"{work}/x.tgz", data)
    res = execute(fs, [f"{bindir}/sh", "-c", "mkdir o && tar xzf x.tgz -C o && cat o/small.txt o/dir/sub/c"],
                  env=env, cwd=work, clock=clock)
    assert (res.exit_code, res.stdout, res.stderr) == (0, b"hello\nccc\n", b"")


def test_order_is_sorted_preorder():
    """layerlab's own order (busybox's depends on readdir): a directory, then its entries sorted."""
    from layerlab import Engine
    from layerlab.cli import run

    eng = Engine()
    run(["pull", "-q", "busybox"], eng)
    code, out, err = run(["run", "--rm", "busybox", "sh", "-c",
                          "mkdir -p /d/b /d/a && touch /d/c /d/a/x && tar cvf /t.tar /d"], eng)
    assert code == 0, err
    assert out.decode().splitlines() == ["d/", "d/a/", "d/a/x", "d/b/", "d/c"]
    assert err == b"tar: removing leading '/' from member names\n"


def test_backup_restore_through_volumes():
    """The chapter's recipe end to end on the engine: back up, destroy, restore elsewhere."""
    from layerlab import Engine
    from layerlab.cli import run

    eng = Engine()
    steps = [
        "volume create data",
        "run --rm -v data:/data busybox sh -c 'mkdir -p /data/sub && echo v1 > /data/a && echo s > /data/sub/b'",
        "run --rm -v data:/data -v /srv/backup:/backup busybox tar cf /backup/data.tar /data",
        "volume rm data",
        "run --name new -v restored:/data -v /srv/backup:/backup busybox tar xf /backup/data.tar",
    ]
    for s in steps:
        code, out, err = run(s, eng)
        assert code == 0, (s, err)
    vol = eng.volumes.get("restored")
    assert vol.fs.read_bytes("/a") == b"v1\n"
    assert vol.fs.read_bytes("/sub/b") == b"s\n"
    assert "data" not in eng.volumes
