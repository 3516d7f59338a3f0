"""Rows of docs/docker-storage-facts.md §2.3 checked against the running kernel's overlayfs,
mounted the way Docker's overlay2 driver mounts a container (index=off).

Skips unless root with overlayfs; fails instead under CI=true.
"""

from __future__ import annotations

import contextlib

import pytest

from tests.kernel.overlay import Node, mount_or_skip, module_params

pytestmark = pytest.mark.oracle

BIG = bytes(range(256)) * 4096  # 1 MiB
BASE = {
    "/data/big.bin": ("file", BIG, 0o644),
    "/data/small.txt": ("file", b"hello\n", 0o644),
    "/data/dir/a": ("file", b"a\n"),
    "/data/dir/b": ("file", b"b\n"),
    "/data/dir/sub/c": ("file", b"c\n"),
    "/data/hl1": ("file", b"pair\n"),
    "/data/hl2": ("hardlink", "/data/hl1"),
    "/data/link": ("symlink", "small.txt"),
}


@pytest.fixture
def kover():
    """Factory: kover(layers) -> mounted KernelOverlay, unmounted at teardown."""
    with contextlib.ExitStack() as stack:
        def make(layers=None, **kw):
            ko = mount_or_skip(layers or [BASE], **kw)
            stack.callback(ko.__exit__, None, None, None)
            return ko
        yield make


def kinds(dump: dict[str, Node]) -> dict[str, str]:
    return {p: n.kind for p, n in dump.items()}


def test_docker_mount_options_accepted(kover):
    ko = kover()
    assert ko.mount_options.startswith("index=off,lowerdir=")
    with open("/proc/self/mountinfo") as f:
        line = next(l for l in f if l.split()[4] == ko.merged)
    # index=off equals the module default here, so the kernel does not echo it back
    assert " overlay overlay " in line and "lowerdir=" in line
    # Docker's native diff assumes redirect_dir and metacopy are off by default
    params = module_params()
    assert params.get("redirect_dir", "N") == "N" and params.get("metacopy", "N") == "N"


def test_append_copies_whole_file(kover):
    ko = kover()
    assert ko.apply([("write", "/data/big.bin", b"12345", "append")])[0].error is None
    up = ko.dump_upper()
    assert kinds(up) == {"/data": "dir", "/data/big.bin": "file"}
    assert up["/data/big.bin"].size == len(BIG) + 5


def test_chmod_copies_data(kover):
    ko = kover()
    ko.apply([("chmod", "/data/small.txt", 0o600)])
    n = ko.dump_upper()["/data/small.txt"]
    assert (n.kind, n.size, n.mode) == ("file", 6, 0o600)


def test_open_for_append_without_write_copies_up(kover):
    ko = kover()
    ko.apply([("open_append_nowrite", "/data/big.bin")])
    n = ko.dump_upper()["/data/big.bin"]
    assert (n.size, n.mtime_ns) == (len(BIG), 1577836800 * 10**9)


def test_read_and_symlink_do_not_copy_up(kover):
    ko = kover()
    ko.apply([("read", "/data/big.bin"), ("symlink", "big.bin", "/data/s2")])
    assert kinds(ko.dump_upper()) == {"/data": "dir", "/data/s2": "symlink"}


def test_o_trunc_and_truncate_copy_no_data(kover):
    ko = kover()
    ko.apply([("write", "/data/big.bin", b"x\n", "trunc"), ("truncate", "/data/small.txt", 0)])
    up = ko.dump_upper()
    assert (up["/data/big.bin"].size, up["/data/small.txt"].size) == (2, 0)


def test_rm_file_and_rm_r_dir_make_single_whiteouts(kover):
    ko = kover()
    res = ko.apply([("unlink", "/data/small.txt"), ("rm_rf", "/data/dir")])
    assert [r.error for r in res] == [None, None]
    assert kinds(ko.dump_upper()) == {"/data": "dir", "/data/dir": "whiteout",
                                      "/data/small.txt": "whiteout"}


def test_recreated_dir_is_opaque(kover):
    ko = kover()
    ko.apply([("rm_rf", "/data/dir"), ("mkdir", "/data/dir"), ("write", "/data/dir/new", b"n")])
    up = ko.dump_upper()
    assert up["/data/dir"].opaque == "y"
    assert sorted(p for p in up if p.startswith("/data/dir/")) == ["/data/dir/new"]
    assert sorted(p for p in ko.dump_merged() if p.startswith("/data/dir/")) == ["/data/dir/new"]


def test_file_replaced_by_dir_is_opaque(kover):
    ko = kover()
    ko.apply([("unlink", "/data/small.txt"), ("mkdir", "/data/small.txt")])
    n = ko.dump_upper()["/data/small.txt"]
    assert (n.kind, n.opaque) == ("dir", "y")


def test_rename_lower_dir_is_exdev_and_mv_falls_back(kover):
    ko = kover()
    res = ko.apply([("rename", "/data/dir", "/data/dir2")])
    assert res[0].error == "EXDEV"
    assert kinds(ko.dump_upper()) == {}
    res = ko.apply([("mv", "/data/dir", "/data/dir2")])
    assert res[0].error is None
    up = ko.dump_upper()
    assert up["/data/dir"].kind == "whiteout"
    assert up["/data/dir2"].opaque is None
    assert {p for p in up if p.startswith("/data/dir2/")} == {
        "/data/dir2/a", "/data/dir2/b", "/data/dir2/sub", "/data/dir2/sub/c"}


def test_rename_of_merged_dir_with_upper_part_is_exdev(kover):
    ko = kover()
    res = ko.apply([("write", "/data/dir/new", b"n"), ("rename", "/data/dir", "/data/dir2")])
    assert [r.error for r in res] == [None, "EXDEV"]


def test_rename_upper_only_dir_succeeds_and_becomes_opaque(kover):
    ko = kover()
    res = ko.apply([("mkdir", "/data/nd"), ("write", "/data/nd/z", b"z"),
                    ("rename", "/data/nd", "/data/nd2")])
    assert [r.error for r in res] == [None, None, None]
    up = ko.dump_upper()
    assert "/data/nd" not in up
    assert up["/data/nd2"].opaque == "y" and up["/data/nd2/z"].size == 1


def test_rename_lower_file_copies_and_whiteouts(kover):
    ko = kover()
    assert ko.apply([("rename", "/data/small.txt", "/data/moved")])[0].error is None
    up = ko.dump_upper()
    assert up["/data/small.txt"].kind == "whiteout" and up["/data/moved"].size == 6


def test_hard_link_copies_source_up(kover):
    ko = kover()
    ko.apply([("link", "/data/small.txt", "/data/hard")])
    up = ko.dump_upper()
    assert (up["/data/hard"].nlink, up["/data/small.txt"].nlink) == (2, 2)


def test_write_to_lower_hard_link_breaks_it(kover):
    ko = kover()
    ko.apply([("write", "/data/hl1", b"more\n", "append")])
    up, merged = ko.dump_upper(), ko.dump_merged()
    assert set(up) == {"/data", "/data/hl1"} and up["/data/hl1"].nlink == 1
    assert merged["/data/hl1"].size == 10 and merged["/data/hl2"].size == 5
    assert merged["/data/hl2"].nlink == 2


def test_chmod_dir_copies_only_the_dir(kover):
    ko = kover()
    ko.apply([("chmod", "/data/dir", 0o700)])
    up = ko.dump_upper()
    assert kinds(up) == {"/data": "dir", "/data/dir": "dir"} and up["/data/dir"].mode == 0o700


def test_deep_write_copies_parents(kover):
    ko = kover()
    ko.apply([("write", "/data/dir/sub/c", b"x", "append")])
    assert kinds(ko.dump_upper()) == {"/data": "dir", "/data/dir": "dir",
                                      "/data/dir/sub": "dir", "/data/dir/sub/c": "file"}


def test_create_then_delete_leaves_nothing(kover):
    ko = kover()
    ko.apply([("write", "/new", b"x"), ("unlink", "/new")])
    assert ko.dump_upper() == {}


def test_lower_whiteout_and_opaque_layers(kover):
    top = {"/data/small.txt": ("whiteout",), "/data/dir": ("opaque", 0o755),
           "/data/dir/only": ("file", b"o\n")}
    ko = kover([BASE, top])
    merged = ko.dump_merged()
    assert "/data/small.txt" not in merged
    assert sorted(p for p in merged if p.startswith("/data/dir/")) == ["/data/dir/only"]
    # deleting a name that exists only in a lower layer hidden by nothing: whiteout in upper
    ko.apply([("unlink", "/data/dir/only")])
    assert ko.dump_upper()["/data/dir/only"].kind == "whiteout"
