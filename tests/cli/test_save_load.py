"""save / load / pull through the CLI (the archive format itself is tested with the archive code)."""
from __future__ import annotations

import json
import tarfile



def test_save_load_round_trip(dk, tmp_path, engine):
    from layerlab import Engine
    from layerlab.clock import Clock
    from layerlab.cli import run

    r = dk(f"save -o {tmp_path}/bb.tar bb:1")
    assert (r.code, r.out, r.err) == (0, "", "")
    names = tarfile.open(tmp_path / "bb.tar").getnames()
    assert "manifest.json" in names and "index.json" in names and "oci-layout" in names
    manifest = json.loads(tarfile.open(tmp_path / "bb.tar").extractfile("manifest.json").read())
    assert manifest[0]["RepoTags"] == ["bb:1"]
    other = Engine(seed=7, clock=Clock())
    code, out, err = run(f"load -i {tmp_path}/bb.tar", other)
    assert (code, out, err) == (0, b"Loaded image: bb:1\n", b"")
    code, out, _ = run("image inspect -f '{{.Id}} {{json .RootFS.Layers}}' bb:1", other)
    assert out == dk("image inspect -f '{{.Id}} {{json .RootFS.Layers}}' bb:1").out.encode()
    # stdout / stdin forms
    r = dk("save bb:1")
    assert r.code == 0 and len(r.out.encode("utf-8", "surrogateescape")) > 3_000_000
    code, out, err = run("load", Engine(seed=8, clock=Clock()), stdin=r.out.encode("utf-8", "surrogateescape"))
    assert (code, out) == (0, b"Loaded image: bb:1\n")


def test_save_load_errors(dk, tmp_path):
    r = dk("save nosuch")
    assert (r.code, r.err) == (1, "Error response from daemon: No such image: nosuch:latest\n")
    r = dk(f"load -i {tmp_path}/nosuch.tar")
    assert (r.code, r.err) == (1, f"open {tmp_path}/nosuch.tar: no such file or directory\n")
    r = dk("load", stdin=b"not a tar")
    assert r.code == 1 and r.err.startswith("Error response from daemon: ")


def test_pull_from_the_catalog(dk):
    r = dk("pull busybox")
    assert r.code == 0
    lines = r.out.splitlines()
    assert lines[0] == "Using default tag: latest" and lines[1] == "latest: Pulling from library/busybox"
    assert lines[-2] == "Status: Downloaded newer image for busybox:latest"
    assert lines[-1] == "docker.io/library/busybox:latest"
    r = dk("pull busybox")
    assert "Status: Image is up to date for busybox:latest" in r.out
    r = dk("pull nosuch")
    assert (r.code, r.out) == (1, "Using default tag: latest\n")
    assert r.err == ("Error response from daemon: pull access denied for nosuch, repository does not exist or may "
                     "require 'docker login': denied: requested access to the resource is denied\n")


def test_run_pulls_a_missing_catalog_image(dk):
    r = dk("run --rm alpine cat /etc/alpine-release")
    assert r.code == 0 and r.err.startswith("Unable to find image 'alpine:latest' locally\nlatest: Pulling from library/alpine\n")
    assert r.err.splitlines()[-1] == "Status: Downloaded newer image for alpine:latest"
    assert dk("images --format '{{.Repository}}:{{.Tag}}' alpine").out == "alpine:latest\n"
