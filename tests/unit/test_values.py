"""Unit and property tests for the engine's values: content, layers, digests, images, the
overlay merged view and docker diff."""
from __future__ import annotations

import errno
import hashlib
import io
import tarfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layerlab.fs import tree
from tests.changesdirs import changes_dirs
from layerlab.fs.changes import changes
from layerlab.content import Content
from layerlab.digest import EMPTY_TAR_DIFF_ID, chain_ids, short_id
from layerlab.image import ContainerConfig, HistoryEntry, Image
from layerlab.fs.layer import Layer
from layerlab.fs.rootfs import FlatTree, RootFS

T = 1577836800 * 10**9


# ------------------------------------------------------------------ content
def test_synthetic_content_costs_no_memory_and_reads_deterministically():
    gig = Content.synthetic("libc", 1 << 30)
    assert gig.size == 1 << 30 and gig.extents == ()
    assert gig.read(123456789, 16) == Content.synthetic("libc", 1 << 30).read(123456789, 16)
    assert gig.read(0, 8) != Content.synthetic("other", 1 << 30).read(0, 8)


def test_append_one_byte_to_a_gigabyte_records_one_extent():
    gig = Content.synthetic("big", 1 << 30)
    after = gig.append(b"x")
    assert after.size == (1 << 30) + 1
    assert after.extents == (((1 << 30), b"x"),)
    assert after.ranges_changed_since(gig) == [(1 << 30, (1 << 30) + 1)]
    assert after.read((1 << 30) - 2, 3)[-1:] == b"x"


@given(st.lists(st.tuples(st.integers(0, 300), st.binary(min_size=0, max_size=40)), max_size=12),
       st.integers(0, 200))
def test_content_writes_match_a_bytearray(writes, cut):
    base = Content.synthetic("s", 150)
    model = bytearray(base.bytes())
    c = base
    for off, data in writes:
        c = c.write(off, data)
        if data:
            if off > len(model):
                model.extend(b"\0" * (off - len(model)))
            model[off:off + len(data)] = data
        elif off > len(model):
            model.extend(b"\0" * (off - len(model)))
    assert c.bytes() == bytes(model)
    c2 = c.truncate(cut)
    m2 = bytes(model[:cut]) + b"\0" * max(0, cut - len(model))
    assert c2.bytes() == m2


def test_truncate_then_grow_reads_zeros():
    c = Content.of(b"abcdef").truncate(2).truncate(5)
    assert c.bytes() == b"ab\0\0\0"


# ------------------------------------------------------------------ layers and digests
def test_empty_layer_diff_id_is_the_empty_tar():
    assert Layer().diff_id == EMPTY_TAR_DIFF_ID
    assert hashlib.sha256(b"\0" * 1024).hexdigest() == EMPTY_TAR_DIFF_ID[7:]


def test_layer_tar_is_canonical_and_readable_by_tarfile():
    files = {"/etc/passwd": tree.file("root:x:0:0::/root:/bin/sh\n", mtime=T),
             "/a/" + "b" * 150: tree.file("long name", mtime=T),
             "/l": tree.symlink("/etc/passwd", mtime=T)}
    a = Layer.build(files, whiteouts={"/gone"}, opaques={"/opq"}, mtime=T)
    b = Layer.build(dict(reversed(list(files.items()))), whiteouts={"/gone"}, opaques={"/opq"}, mtime=T)
    assert a.diff_id == b.diff_id
    names = [(m.name, m.type) for m in tarfile.open(fileobj=io.BytesIO(a.tar_bytes()))]
    assert names == [(".wh.gone", b"0"), ("a", b"5"), ("a/" + "b" * 150, b"0"), ("etc", b"5"),
                     ("etc/passwd", b"0"), ("l", b"2"), ("opq", b"5"), ("opq/.wh..wh..opq", b"0")]
    assert a.diff_id == "sha256:" + hashlib.sha256(a.tar_bytes()).hexdigest()


def test_layer_size_follows_overlay2_directory_size():
    # files by st_size, hard links once, symlinks by target length, dirs and whiteouts 0
    f = tree.file(b"12345", mtime=T).with_(ino=7)
    layer = Layer.build({"/a": f, "/b": f, "/s": tree.symlink("abc"), "/d": tree.directory()},
                        whiteouts={"/w"})
    assert layer.size == 5 + 3
    assert layer.tar_entries_size == 5


def test_hard_links_encode_as_tar_links():
    f = tree.file(b"data", mtime=T).with_(ino=1)
    layer = Layer.build({"/x/a": f, "/x/b": f})
    members = {m.name: m for m in tarfile.open(fileobj=io.BytesIO(layer.tar_bytes()))}
    assert members["x/a"].isfile() and members["x/b"].islnk() and members["x/b"].linkname == "x/a"


def test_chain_ids_follow_the_oci_formula():
    d = ["sha256:" + "a" * 64, "sha256:" + "b" * 64, "sha256:" + "c" * 64]
    ids = chain_ids(d)
    assert ids[0] == d[0]
    assert ids[1] == "sha256:" + hashlib.sha256(f"{d[0]} {d[1]}".encode()).hexdigest()
    assert ids[2] == "sha256:" + hashlib.sha256(f"{ids[1]} {d[2]}".encode()).hexdigest()
    assert short_id(ids[2]) == ids[2][7:19]


def test_image_id_is_sha256_of_config_and_history_must_match_layers():
    layer = Layer.build({"/a": tree.file("x")})
    img = Image((layer,), ContainerConfig(cmd=("sh",)),
                (HistoryEntry(T, "ADD a /"), HistoryEntry(T, 'CMD ["sh"]', empty_layer=True)), T)
    assert img.id == "sha256:" + hashlib.sha256(img.config_json).hexdigest()
    assert b'"diff_ids":["' + layer.diff_id.encode() in img.config_json
    with pytest.raises(ValueError):
        Image((layer,), ContainerConfig(), (HistoryEntry(T, "x", empty_layer=True),), T)


# ------------------------------------------------------------------ overlay semantics
def _base() -> RootFS:
    f = lambda d, m=0o644: tree.file(d, mode=m, mtime=T)  # noqa: E731
    base = Layer.build({
        "/big.bin": tree.file(Content.synthetic("big", 1 << 20), mtime=T),
        "/chm.txt": f("chmod me\n"), "/chown.txt": f("x"), "/touch.txt": f("t"), "/trunc.txt": f("trunc"),
        "/same.txt": f("same"), "/del.txt": f("d"), "/ren.txt": f("r"), "/hl.txt": f("h"),
        "/read.txt": f("r"), "/openw.txt": f("o"), "/xattr.txt": f("x"),
        "/dir1/x": f("x"), "/dir1/y": f("y"), "/dir3/z": f("z"), "/f2d": f("f"), "/sub/deep/file": f("deep"),
    }, mtime=T)
    clock = iter(range(T + 10**12, T + 10**15, 10**9))
    return RootFS([FlatTree.of([base])], clock=lambda: next(clock))


def test_facts_worked_example_docker_diff():
    """docs/docker-storage-facts.md §3.2 worked example, line for line."""
    fs = _base()
    fs.write("/big.bin", b"12345", append=True)
    fs.chmod("/chm.txt", 0o600)
    fs.chown("/chown.txt", 1234, 1234)
    fs.utime("/touch.txt")
    fs.setxattr("/xattr.txt", "user.foo", b"1")
    fs.open("/openw.txt", append=True)
    fs.truncate("/trunc.txt", 0)
    fs.write("/same.txt", "same")
    fs.unlink("/del.txt")
    fs.remove_tree("/dir3")
    fs.remove_tree("/dir1"); fs.mkdir("/dir1"); fs.write("/dir1/new", "n")
    fs.unlink("/f2d"); fs.mkdir("/f2d"); fs.write("/f2d/in", "i")
    fs.rename("/ren.txt", "/ren2.txt")
    fs.link("/hl.txt", "/hl2.txt")
    fs.makedirs("/newdir/nd2"); fs.write("/newdir/nd2/z", "z")
    fs.write("/sub/deep/file", "deeper", append=True)
    fs.read_bytes("/read.txt")
    assert ", ".join(map(str, changes(fs))) == (
        "C /big.bin, C /chm.txt, C /chown.txt, C /dir1, A /dir1/new, D /dir1/x, D /dir1/y, C /f2d, "
        "A /f2d/in, A /hl2.txt, A /newdir, A /newdir/nd2, A /newdir/nd2/z, A /ren2.txt, C /same.txt, "
        "C /sub, C /sub/deep, C /sub/deep/file, C /touch.txt, C /trunc.txt, D /del.txt, D /dir3, D /ren.txt")
    assert sorted(fs.upper.whiteouts) == ["/del.txt", "/dir3", "/ren.txt"]
    assert sorted(fs.upper.opaques) == ["/dir1", "/f2d"]


def test_open_for_append_copies_up_without_a_diff_line():
    fs = _base()
    fs.open("/big.bin", append=True)
    assert changes(fs) == []
    assert fs.upper.size == 1 << 20          # what `docker ps -s` shows on overlay2


def test_o_trunc_copies_no_old_data():
    fs = _base()
    fs.write("/big.bin", "new\n")
    assert fs.upper.size == 4


def test_writes_to_a_read_only_root_fail_with_erofs():
    fs = _base()
    fs.read_only = True
    with pytest.raises(OSError) as exc:
        fs.write("/x", "y")
    assert exc.value.errno == errno.EROFS


def test_renaming_a_lower_directory_is_exdev_and_an_upper_one_becomes_opaque():
    fs = _base()
    with pytest.raises(OSError) as exc:
        fs.rename("/dir1", "/dir9")
    assert exc.value.errno == errno.EXDEV
    fs.makedirs("/up/a")
    fs.rename("/up", "/up2")
    assert "/up2" in fs.upper.opaques and fs.exists("/up2/a")


def test_errors_are_oserror_subclasses_with_the_builtin_types():
    fs = _base()
    with pytest.raises(FileNotFoundError):
        fs.read_bytes("/nope")
    with pytest.raises(IsADirectoryError):
        fs.unlink("/dir1")
    with pytest.raises(FileExistsError):
        fs.mkdir("/dir1")
    with pytest.raises(OSError) as exc:
        fs.rmdir("/dir1")
    assert exc.value.errno == errno.ENOTEMPTY


def test_commit_then_new_container_sees_the_change():
    fs = _base()
    fs.write("/new.txt", "hello")
    fs.unlink("/del.txt")
    layer = fs.upper.freeze()
    flat = FlatTree.of([layer], base=fs.levels[1])
    fs2 = RootFS([flat])
    assert fs2.read_text("/new.txt") == "hello" and not fs2.exists("/del.txt")


# ------------------------------------------------------------------ diff == brute force ChangesDirs
OPS = st.lists(st.tuples(
    st.sampled_from(["write", "append", "chmod", "unlink", "rmtree", "mkdir", "rename", "link", "symlink", "touch"]),
    st.sampled_from(["/big.bin", "/chm.txt", "/dir1", "/dir1/x", "/dir1/new", "/dir3", "/sub", "/sub/deep",
                     "/sub/deep/file", "/n", "/n/m", "/f2d", "/f2d/in"]),
    st.sampled_from(["/ren", "/dir1/z", "/n", "/sub/x", "/chm.txt"])), max_size=10)


def _stat_different(o, n) -> bool:
    if o.st_mode != n.st_mode or o.uid != n.uid or o.gid != n.gid:
        return True
    return n.kind != "dir" and (o.mtime != n.mtime or o.size != n.size)


def _brute(old: dict, new: dict) -> list[str]:
    return changes_dirs(old, new, _stat_different)


@settings(max_examples=300, deadline=None)
@given(OPS)
def test_diff_walking_the_upper_dir_equals_comparing_whole_trees(ops):
    fs = _base()
    for op, p, q in ops:
        try:
            {"write": lambda: fs.write(p, "w"), "append": lambda: fs.write(p, "a", append=True),
             "chmod": lambda: fs.chmod(p, 0o700), "unlink": lambda: fs.unlink(p),
             "rmtree": lambda: fs.remove_tree(p), "mkdir": lambda: fs.mkdir(p),
             "rename": lambda: fs.rename(p, q), "link": lambda: fs.link(p, q),
             "symlink": lambda: fs.symlink("x", q), "touch": lambda: fs.utime(p)}[op]()
        except OSError:
            pass
    old = {p: n for p, n in fs.lower.walk("/") if p != "/"}
    new = {p: n for p, n in fs.walk("/") if p != "/"}
    assert [str(c) for c in changes(fs)] == _brute(old, new)
