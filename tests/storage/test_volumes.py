"""Volumes through the Engine: the facts of docs/docker-storage-facts.md §7-8 and what the
20.10 oracle printed (tests/oracle/OBSERVED.md "(g)")."""
from __future__ import annotations

import re

import pytest

from layerlab.errors import Conflict, InvalidParameter, NotFound
from layerlab.storage.volumes import ANONYMOUS_LABEL


def names(eng):
    return [v["Name"] for v in eng.volume_ls()]


def test_create_named_and_reuse(engine):
    doc = engine.volume_create("myvol")
    assert doc == {"CreatedAt": doc["CreatedAt"], "Driver": "local", "Labels": None,
                   "Mountpoint": "/var/lib/docker/volumes/myvol/_data", "Name": "myvol",
                   "Options": None, "Scope": "local"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", doc["CreatedAt"])
    assert engine.volume_create("myvol") == doc        # creating again is not an error
    assert names(engine) == ["myvol"]


def test_create_anonymous(engine):
    doc = engine.volume_create()
    assert re.fullmatch(r"[0-9a-f]{64}", doc["Name"])
    assert doc["Labels"] == {ANONYMOUS_LABEL: ""}


@pytest.mark.parametrize("name,msg", [
    ("x", "create x: volume name is too short, names should be at least two alphanumeric characters"),
    ("-ab", 'create -ab: "-ab" includes invalid characters for a local volume name, only '
            '"[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path'),
    ("a b", 'create a b: "a b" includes invalid characters for a local volume name, only '
            '"[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path'),
])
def test_name_validation(engine, name, msg):
    with pytest.raises(InvalidParameter) as e:
        engine.volume_create(name)
    assert str(e.value) == msg


def test_rm_missing_and_in_use(engine):
    with pytest.raises(NotFound, match=r"^get nosuch: no such volume$"):
        engine.volume_rm("nosuch")
    assert engine.volume_rm("nosuch", force=True) == "nosuch"
    c1 = engine.create("bb:1", ["true"], volumes=["inuse:/data/dir"])
    c2 = engine.create("bb:1", ["true"], volumes=["inuse:/newmount"])
    with pytest.raises(Conflict) as e:
        engine.volume_rm("inuse")
    assert str(e.value) == f"remove inuse: volume is in use - [{c1.id}, {c2.id}]"
    with pytest.raises(Conflict):
        engine.volume_rm("inuse", force=True)          # -f does not override "in use"
    engine.rm(c1.id)
    engine.rm(c2.id)
    assert engine.volume_rm("inuse") == "inuse"


def test_population_at_create(engine):
    c = engine.create("bb:1", ["true"], volumes=["myvol:/data/dir"])
    vol = engine.volumes.get("myvol")
    assert sorted(vol.fs.listdir("/")) == ["a", "b", "sub"]
    assert vol.fs.read_bytes("/a") == b"a\n"
    img = engine.image("bb:1").flat.entries
    # files keep their mtime, copied sub-directories get the current time (OBSERVED finding 8)
    assert vol.fs.stat("/a").mtime == img["/data/dir/a"].mtime
    assert vol.fs.stat("/sub").mtime == engine.clock() != img["/data/dir/sub"].mtime
    assert vol.fs.read_bytes("/sub/c") == b"c\n"
    # the container sees the volume; a new file lands there, not in the writable layer
    c.fs.write("/data/dir/new", b"new\n")
    assert vol.fs.read_bytes("/new") == b"new\n"
    assert engine.diff(c.id) == []
    assert engine.size(c.id).rw == 0


def test_non_empty_volume_hides_image_content(engine):
    engine.create("bb:1", ["true"], volumes=["v2:/newmount"]).fs.write("/newmount/only", b"x")
    c = engine.create("bb:1", ["true"], volumes=["v2:/data/dir"])
    assert c.fs.listdir("/data/dir") == ["only"]


def test_nocopy(engine):
    c = engine.create("bb:1", ["true"], volumes=["nc:/data/dir:nocopy"])
    assert c.fs.listdir("/data/dir") == []
    c = engine.create("bb:1", ["true"], mounts=["type=volume,src=nc2,dst=/data/dir,volume-nocopy"])
    assert c.fs.listdir("/data/dir") == []


def test_volume_root_takes_image_dir_owner_and_mode(engine):
    engine.create("bb:1", ["true"], volumes=["rootvol:/root"])
    assert engine.volumes.get("rootvol").fs.stat("/").mode == 0o700


def test_anonymous_volume_and_image_volume(engine):
    c = engine.create("bb:1", ["true"], volumes=["/data/dir"])
    (m,) = engine.hooks.container_mounts(c)
    assert m["Type"] == "volume" and m["Destination"] == "/data/dir" and m["RW"] is True
    assert m["Source"] == f"/var/lib/docker/volumes/{m['Name']}/_data" and m["Driver"] == "local"
    assert engine.volumes.get(m["Name"]).anonymous


def test_image_volume_instruction(engine):
    engine.build("FROM bb:1\nVOLUME /data/dir\n", tag="withvol")
    c = engine.create("withvol", ["true"])
    (m,) = engine.hooks.container_mounts(c)
    assert m["Destination"] == "/data/dir"
    assert sorted(engine.volumes.get(m["Name"]).fs.listdir("/")) == ["a", "b", "sub"]
    # a mount on the same target replaces the image's anonymous volume
    c2 = engine.create("withvol", ["true"], volumes=["named:/data/dir"])
    assert [x["Name"] for x in engine.hooks.container_mounts(c2)] == ["named"]


def test_rm_v_and_run_rm(engine):
    c = engine.create("bb:1", ["true"], volumes=["/data/dir", "keepme:/newmount"])
    anon = [m["Name"] for m in engine.hooks.container_mounts(c) if m["Name"] != "keepme"][0]
    engine.rm(c.id)
    assert anon in names(engine) and "keepme" in names(engine)     # rm without -v keeps both
    c = engine.create("bb:1", ["true"], volumes=["/data/dir", "keepme:/newmount"])
    anon2 = [m["Name"] for m in engine.hooks.container_mounts(c) if m["Name"] != "keepme"][0]
    engine.rm(c.id, volumes=True)
    assert anon2 not in names(engine) and "keepme" in names(engine)
    engine.run("bb:1", ["true"], rm=True, volumes=["/data/dir", "relative:/b"])
    assert sorted(names(engine)) == sorted([anon, "keepme", "relative"])


def test_rm_v_keeps_anonymous_volume_used_elsewhere(engine):
    c1 = engine.create("bb:1", ["true"], volumes=["/data/dir"])
    anon = engine.hooks.container_mounts(c1)[0]["Name"]
    c2 = engine.create("bb:1", ["true"], volumes=[f"{anon}:/x"])
    engine.rm(c1.id, volumes=True)
    assert anon in names(engine)
    engine.rm(c2.id, volumes=True)     # c2 named it: rm -v leaves it (moby removeMountPoints)
    assert anon in names(engine)


def test_prune_default_anonymous_only_and_all(engine):
    engine.volume_create("named")
    anon = engine.volume_create()["Name"]
    used = engine.volume_create()["Name"]
    engine.create("bb:1", ["true"], volumes=[f"{used}:/x"])
    engine.create("bb:1", ["true"], volumes=["/y"]).fs.write("/y/f", b"12345")
    rep = engine.volume_prune()
    assert rep == {"VolumesDeleted": [anon], "SpaceReclaimed": 0}
    assert "named" in names(engine)
    rep = engine.volume_prune(all=True)
    assert rep["VolumesDeleted"] == ["named"]


def test_prune_reclaimed_size(engine):
    c = engine.create("bb:1", ["true"], volumes=["/data/dir"])
    engine.rm(c.id)
    assert engine.volume_prune() ["SpaceReclaimed"] == 6      # a, b, sub/c: 2 bytes each


def test_system_df_volume_rows(engine):
    c = engine.create("bb:1", ["true"], volumes=["dfvol:/newmount"])
    c.fs.write("/newmount/f", b"hello\n")
    c.fs.link("/newmount/f", "/newmount/g")         # hard links count once
    (row,) = engine.disk_usage()["volumes"]
    assert row["Name"] == "dfvol" and row["UsageData"] == {"RefCount": 1, "Size": 6}
    engine.rm(c.id)
    assert engine.disk_usage()["volumes"][0]["UsageData"] == {"RefCount": 0, "Size": 6}


def test_volume_survives_container(engine):
    c = engine.create("bb:1", ["true"], volumes=["persist:/data/dir"])
    c.fs.write("/data/dir/state", b"1")
    engine.rm(c.id)
    c2 = engine.create("bb:1", ["true"], volumes=["persist:/data/dir"])
    assert c2.fs.read_bytes("/data/dir/state") == b"1"
