"""docker save / docker load: layerlab's own round trip, layerlab -> real docker, real docker
-> layerlab, and whiteouts / opaque markers in crafted layer tars."""
from __future__ import annotations

import hashlib
import io
import json
import tarfile

import pytest

from layerlab import Engine
from layerlab.archive import ArchiveError, layer_from_tar, load_images, save_images
from layerlab.clock import Clock
from layerlab.image import HistoryEntry, Image
from layerlab.fs.layer import Layer
from layerlab.fs.rootfs import FlatTree
from layerlab.fs.tree import file

from .hostile import _ti, build


def _engine_with_child(busybox_tar) -> Engine:
    """bb:1 plus child:1, whose layer adds /x, deletes a file and a dir, and makes /etc opaque-free
    (built from values, so the test does not depend on the builder)."""
    eng = Engine(clock=Clock())
    base = eng.import_tar(busybox_tar, "bb:1")
    layer = Layer.build({"/x": file(b"hi\n", mtime=1704067200 * 10**9),
                         "/data/dir2/new": file(b"n\n")},
                        whiteouts={"/data/small.txt", "/data/dir"}, opaques={"/data/dir2"})
    t = eng.clock.tick()
    img = Image(base.layers + (layer,), base.config, base.history + (HistoryEntry(t, "/bin/sh -c x"),), t)
    eng._store(img, "child:1")
    return eng


def _members(data: bytes) -> dict[str, bytes]:
    out = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        for m in tf:
            out[m.name] = tf.extractfile(m).read() if m.isfile() else None
    return out


def test_save_format_is_oci_layout_plus_manifest(busybox_tar):
    eng = _engine_with_child(busybox_tar)
    img = eng.image("child:1")
    m = _members(save_images(eng, ["child:1"]))
    assert json.loads(m["oci-layout"]) == {"imageLayoutVersion": "1.0.0"}
    manifest = json.loads(m["manifest.json"])
    assert manifest == [{"Config": f"blobs/sha256/{img.id[7:]}", "RepoTags": ["child:1"],
                         "Layers": [f"blobs/sha256/{d[7:]}" for d in img.diff_ids]}]
    for d in img.diff_ids:   # layers uncompressed, named by diff_id
        assert hashlib.sha256(m[f"blobs/sha256/{d[7:]}"]).hexdigest() == d[7:]
    for name, blob in m.items():   # every blob matches its name (OCI image-layout rule)
        if name.startswith("blobs/sha256/") and blob is not None:
            assert hashlib.sha256(blob).hexdigest() == name.rsplit("/", 1)[1]
    index = json.loads(m["index.json"])
    assert index["mediaType"] == "application/vnd.oci.image.index.v1+json"
    (desc,) = index["manifests"]
    assert desc["annotations"] == {"io.containerd.image.name": "docker.io/library/child:1",
                                   "org.opencontainers.image.ref.name": "1"}
    oci = json.loads(m[f"blobs/sha256/{desc['digest'][7:]}"])
    assert oci["config"]["digest"] == img.id
    assert [ld["digest"] for ld in oci["layers"]] == list(img.diff_ids)
    assert {ld["mediaType"] for ld in oci["layers"]} == {"application/vnd.oci.image.layer.v1.tar"}
    assert json.loads(m["repositories"]) == {"child": {"1": img.diff_ids[-1][7:]}}


def test_round_trip_in_layerlab(busybox_tar):
    eng = _engine_with_child(busybox_tar)
    data = save_images(eng, ["child:1", "bb:1"])
    other = Engine(clock=Clock())
    assert load_images(other, data) == ["Loaded image: child:1", "Loaded image: bb:1"]
    for ref in ("child:1", "bb:1"):
        a, b = eng.image(ref), other.image(ref)
        assert (a.id, a.diff_ids, a.size) == (b.id, b.diff_ids, b.size)
    flat = other.image("child:1").flat
    assert flat.entries.get("/x").content.bytes() == b"hi\n"
    assert flat.entries.get("/data/small.txt") is None and flat.entries.get("/data/dir") is None
    # saving the loaded image again gives the same bytes
    assert save_images(other, ["child:1", "bb:1"]) == data


def test_load_same_tag_again_renames_the_old_image(busybox_tar):
    eng = _engine_with_child(busybox_tar)
    data = save_images(eng, ["child:1"])
    eng.tag("bb:1", "child:1")
    old = eng.image("child:1").id
    assert load_images(eng, data)[0] == (f"The image child:1 already exists, renaming the old one with ID "
                                         f"{old} to empty string")


def test_save_by_id_has_no_repo_tags(busybox_tar):
    eng = _engine_with_child(busybox_tar)
    img = eng.image("child:1")
    m = _members(save_images(eng, [img.short_id]))
    assert json.loads(m["manifest.json"])[0]["RepoTags"] is None
    assert json.loads(m["index.json"])["manifests"] == []
    assert load_images(Engine(), save_images(eng, [img.short_id])) == [f"Loaded image ID: {img.id}"]


def test_load_legacy_format(busybox_tar):
    """Engine <= 24: <v1-id>/layer.tar (duplicates as symlinks), <config>.json, manifest.json."""
    eng = _engine_with_child(busybox_tar)
    img = eng.image("child:1")
    members = [(f"{img.id[7:]}.json", img.config_json)]
    paths = []
    for i, layer in enumerate(img.layers):
        v1 = hashlib.sha256(f"v1-{i}".encode()).hexdigest()
        members += [(f"{v1}/VERSION", b"1.0"), (f"{v1}/json", b"{}"), (f"{v1}/layer.tar", layer.tar_bytes())]
        paths.append(f"{v1}/layer.tar")
    dup = hashlib.sha256(b"dup").hexdigest()
    entries = [_ti(n, data=d) for n, d in members]
    entries.append(_ti(f"{dup}/layer.tar", tarfile.SYMTYPE, linkname=f"../{paths[0]}"))
    manifest = [{"Config": f"{img.id[7:]}.json", "RepoTags": ["legacy:1"], "Layers": [f"{dup}/layer.tar", paths[1]]}]
    entries.append(_ti("manifest.json", data=json.dumps(manifest).encode()))
    entries.append(_ti("repositories", data=b'{"legacy":{"1":"x"}}'))
    other = Engine()
    assert load_images(other, build(entries)) == ["Loaded image: legacy:1"]
    assert other.image("legacy:1").id == img.id
    assert other.image("legacy:1").diff_ids == img.diff_ids


def test_load_rejects_a_layer_that_does_not_match_its_diff_id(busybox_tar):
    eng = _engine_with_child(busybox_tar)
    m = _members(save_images(eng, ["child:1"]))
    img = eng.image("child:1")
    top = f"blobs/sha256/{img.diff_ids[-1][7:]}"
    m[top] = m[top][:-1024] + b"\0" * 1024 + b"\0" * 512
    data = build([_ti(n, data=d) if d is not None else _ti(n, tarfile.DIRTYPE) for n, d in m.items()])
    with pytest.raises(ArchiveError, match="invalid diffID for layer 1"):
        load_images(Engine(), data)


def test_load_gzipped_save():
    import gzip
    eng = Engine(catalog=False)
    base = eng.import_tar(build([_ti("hello", data=b"hello\n")]), "g:1")
    other = Engine(catalog=False)
    assert load_images(other, gzip.compress(save_images(eng, ["g:1"]))) == ["Loaded image: g:1"]
    assert other.image("g:1").id == base.id


def test_empty_image_cannot_be_saved():
    eng = Engine(catalog=False)
    eng._store(Image((), eng.image_config_default() if hasattr(eng, "image_config_default") else
                     __import__("layerlab.image", fromlist=["ContainerConfig"]).ContainerConfig(), (), 0), "empty:1")
    with pytest.raises(Exception, match="empty export - not implemented"):
        save_images(eng, ["empty:1"])


# ---------------------------------------------------------------------- whiteouts in layer tars
def _flat(*tars: bytes) -> FlatTree:
    return FlatTree.of([layer_from_tar(t) for t in tars])


BASE = build([_ti("a/", tarfile.DIRTYPE, mode=0o755), _ti("a/f1", data=b"1"), _ti("a/f2", data=b"2"),
              _ti("a/sub/", tarfile.DIRTYPE, mode=0o755), _ti("a/sub/deep", data=b"d"), _ti("keep", data=b"k")])


def test_whiteout_deletes_file_and_dir():
    top = build([_ti("a/", tarfile.DIRTYPE, mode=0o755), _ti("a/.wh.f1", data=b""), _ti("a/.wh.sub", data=b"")])
    lay = layer_from_tar(top)
    assert lay.whiteouts == {"/a/f1", "/a/sub"} and "/a/.wh.f1" not in lay.entries
    flat = _flat(BASE, top)
    assert flat.entries.get("/a/f1") is None and flat.entries.get("/a/sub") is None and flat.entries.get("/a/sub/deep") is None
    assert flat.entries.get("/a/f2").content.bytes() == b"2"


def test_opaque_marker_hides_lower_children_wherever_it_appears():
    # the marker comes *after* a new child: it still applies to lower children only
    top = build([_ti("a/", tarfile.DIRTYPE, mode=0o755), _ti("a/new", data=b"n"), _ti("a/.wh..wh..opq", data=b"")])
    lay = layer_from_tar(top)
    assert lay.opaques == {"/a"}
    flat = _flat(BASE, top)
    assert flat.entries.get("/a/new").content.bytes() == b"n"
    assert flat.entries.get("/a/f1") is None and flat.entries.get("/a/sub") is None
    assert flat.entries.get("/keep") is not None


def test_overlay_style_whiteout_device_is_a_whiteout():
    top = build([_ti("a/", tarfile.DIRTYPE, mode=0o755), _ti("a/f2", tarfile.CHRTYPE, devmajor=0, devminor=0)])
    assert layer_from_tar(top).whiteouts == {"/a/f2"}
    assert _flat(BASE, top).entries.get("/a/f2") is None


def test_aufs_metadata_entries_are_skipped():
    top = build([_ti(".wh..wh.plnk/", tarfile.DIRTYPE, mode=0o700), _ti(".wh..wh.aufs", data=b"")])
    lay = layer_from_tar(top)
    assert not lay.whiteouts and not lay.opaques


def test_whiteout_then_recreate_round_trips_through_save(busybox_tar):
    eng = Engine(clock=Clock())
    eng.import_tar(busybox_tar, "bb:1")
    top = build([_ti("data/", tarfile.DIRTYPE, mode=0o755), _ti("data/.wh.small.txt", data=b""),
                 _ti("data/dir/", tarfile.DIRTYPE, mode=0o755), _ti("data/dir/.wh..wh..opq", data=b""),
                 _ti("data/dir/only", data=b"o")])
    base = eng.image("bb:1")
    lay = layer_from_tar(top)
    t = eng.clock.tick()
    eng._store(Image(base.layers + (lay,), base.config, base.history + (HistoryEntry(t, "x"),), t), "wh:1")
    other = Engine()
    load_images(other, save_images(eng, ["wh:1"]))
    flat = other.image("wh:1").flat
    assert other.image("wh:1").diff_ids[-1] == "sha256:" + hashlib.sha256(top).hexdigest()
    assert flat.entries.get("/data/small.txt") is None and flat.entries.get("/data/dir/a") is None
    assert flat.entries.get("/data/dir/only").content.bytes() == b"o"


# ---------------------------------------------------------------------- against the real engine
@pytest.mark.oracle
def test_layerlab_save_loads_into_docker(dockerd, busybox_tar, tmp_path):
    eng = _engine_with_child(busybox_tar)
    img = eng.image("child:1")
    p = tmp_path / "child.tar"
    p.write_bytes(save_images(eng, ["child:1"]))
    r = dockerd.docker("load", "-i", str(p))
    assert r.returncode == 0, r.stderr
    assert r.stdout == "Loaded image: child:1\n"
    layers = json.loads(dockerd.docker("image", "inspect", "-f", "{{json .RootFS.Layers}}", "child:1",
                                       check=True).stdout)
    assert layers == list(img.diff_ids)
    assert dockerd.docker("image", "inspect", "-f", "{{.Id}}", "child:1").stdout.strip() == img.id
    r = dockerd.docker("run", "--rm", "child:1", "cat", "/x")
    assert (r.returncode, r.stdout) == (0, "hi\n"), r.stderr
    r = dockerd.docker("run", "--rm", "child:1", "sh", "-c", "ls /data; cat /data/dir2/new")
    assert r.stdout == "big.bin\ndir2\nhl1\nhl2\nlink\nn\n", r.stdout + r.stderr
    dockerd.docker("rmi", "child:1")


@pytest.mark.oracle
def test_docker_save_loads_into_layerlab(dockerd, busybox_tar, tmp_path):
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text("FROM bb:1\nRUN echo saved > /saved && rm -r /data/dir\n")
    r = dockerd.docker("build", "-q", "-t", "dsave:1", str(ctx), env={"DOCKER_BUILDKIT": "0"})
    assert r.returncode == 0, r.stderr
    p = tmp_path / "dsave.tar"
    dockerd.docker("save", "-o", str(p), "dsave:1", check=True)
    info = json.loads(dockerd.docker("image", "inspect", "dsave:1", check=True).stdout)[0]
    eng = Engine(clock=Clock())
    assert load_images(eng, p.read_bytes()) == ["Loaded image: dsave:1"]
    img = eng.image("dsave:1")
    assert list(img.diff_ids) == info["RootFS"]["Layers"]
    assert img.id == info["Id"]
    assert img.size == info["Size"]
    assert img.flat.entries.get("/saved").content.bytes() == b"saved\n"
    assert img.flat.entries.get("/data/dir") is None
    dockerd.docker("rmi", "dsave:1")
