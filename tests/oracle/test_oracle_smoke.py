"""Smoke test of the real-Docker oracle: a private dockerd, the busybox base image,
one copy-up, and the outputs the conformance suite relies on.

Skips without root/dockerd; fails instead under CI=true (see dockerd.start_or_skip).
"""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from tests.oracle.dockerd import dockerd_session, import_busybox
from tests.oracle.rootfs import rootfs_tar_bytes, busybox_available

pytestmark = pytest.mark.oracle


@pytest.fixture(scope="module")
def oracle_dockerd():
    yield from dockerd_session("overlay2")


@pytest.fixture(scope="module")
def bb(oracle_dockerd, tmp_path_factory):
    return import_busybox(oracle_dockerd, tmp_path_factory.mktemp("rootfs"))


def test_rootfs_tar_is_deterministic():
    if not busybox_available():
        pytest.skip("busybox-static not installed")
    a, b = rootfs_tar_bytes(), rootfs_tar_bytes()
    assert a == b
    assert len(a) % 10240 == 0


def test_daemon_is_private_and_20_10(oracle_dockerd):
    r = oracle_dockerd.docker("version", "--format", "{{.Server.Version}}")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("20.10."), r.stdout
    info = oracle_dockerd.docker("info", "--format", "{{.Driver}} {{.DockerRootDir}}").stdout.split()
    assert info == ["overlay2", str(oracle_dockerd.data_root)]
    assert oracle_dockerd.start_seconds is not None and oracle_dockerd.start_seconds < 60


def test_import_diff_id_is_sha256_of_tar(oracle_dockerd, bb):
    want = "sha256:" + hashlib.sha256(rootfs_tar_bytes()).hexdigest()
    assert bb == want
    layers = json.loads(oracle_dockerd.docker(
        "image", "inspect", "--format", "{{json .RootFS.Layers}}", "bb:1").stdout)
    assert layers == [want]


def test_append_copy_up_diff_and_size(oracle_dockerd, bb):
    d = oracle_dockerd
    r = d.docker("run", "--name", "c1", "bb:1", "sh", "-c", "echo hi >> /data/small.txt")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    try:
        diff = d.docker("diff", "c1")
        assert diff.returncode == 0
        assert sorted(diff.stdout.splitlines()) == ["C /data", "C /data/small.txt"]
        # small.txt is "hello\n" (6 B) + "hi\n" (3 B): the whole file is in the upper dir
        size = d.docker("ps", "-a", "--filter", "name=^c1$", "--format", "{{.Size}}").stdout
        assert re.fullmatch(r"9B \(virtual 3\.03MB\)\n", size), size
        table = d.docker("ps", "-as", "--filter", "name=^c1$").stdout.splitlines()
        assert table[0].split() == ["CONTAINER", "ID", "IMAGE", "COMMAND", "CREATED",
                                    "STATUS", "PORTS", "NAMES", "SIZE"]
        assert table[1].endswith("   c1        9B (virtual 3.03MB)"), table[1]
    finally:
        d.docker("rm", "-f", "c1")


def test_missing_container_error(oracle_dockerd):
    r = oracle_dockerd.docker("diff", "nosuch")
    assert r.returncode == 1
    assert r.stderr == "Error response from daemon: No such container: nosuch\n"
