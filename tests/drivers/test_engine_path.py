"""The driver suite drives the path the Engine takes.

``Engine.create``/``commit``/``rm``/``rmi`` change storage only through the driver's verbs
(``apply``, ``prepare``, ``commit``, ``diff``, ``remove``). These tests run a real Engine on
every driver and check, through the driver's own API, that what the Engine shows *is* the
driver's snapshot: the container's root filesystem is the driver's active snapshot, ``docker
diff`` and ``ps -s`` agree with the driver's ``changes`` and ``usage``, and every snapshot goes
when docker would delete its layer. The random-operation comparison of
``test_driver_suite.test_merged_view_and_diff_match_vfs`` is repeated on containers made by
the Engine.
"""
from __future__ import annotations

import random

import pytest

from layerlab import Engine, drivers
from layerlab.drivers import Kind
from layerlab.errors import Conflict

from .test_driver_suite import random_ops, tree

ALL = drivers.available()


def engine(name, busybox_tar):
    eng = Engine(driver=name, allow_removed_drivers=True)
    eng.import_tar(busybox_tar, "bb:1")
    return eng


def keys(d):
    return {info.key: (info.kind, info.parent) for info in d.walk()}


@pytest.mark.parametrize("name", ALL)
def test_create_commit_rm_rmi_go_through_the_driver(name, busybox_tar):
    eng = engine(name, busybox_tar)
    d = eng.driver
    base = eng.image("bb:1").chain_ids[-1]
    assert keys(d) == {base: (Kind.COMMITTED, None)}           # import registered the layer

    c = eng.create("bb:1", ["sh", "-c", "echo hi > /f"], name="c1")
    init = c.id + "-init"
    assert keys(d) == {base: (Kind.COMMITTED, None),
                       init: (Kind.COMMITTED, base),            # prepared, written, committed
                       c.id: (Kind.ACTIVE, init)}
    assert d.fs(c.id) is c.rootfs                               # the container's files are the snapshot
    assert d.fs(init).exists("/.dockerenv") and not d.fs(base).exists("/.dockerenv")
    eng.start(c)
    assert [str(ch) for ch in d.changes(c.id)] == [str(ch) for ch in eng.diff(c.id)] == ["A /f"]
    assert d.usage(c.id).size == eng.size(c.id).rw

    img = eng.commit(c.id, "snap:1")
    top = img.chain_ids[-1]
    assert keys(d)[top] == (Kind.COMMITTED, base)               # diff + apply: a new layer
    assert d.stat(c.id).kind == Kind.ACTIVE                     # the container keeps its layer
    c.rootfs.write("/g", b"later\n")
    assert "/g" not in img.layers[-1].entries                   # the committed layer does not change
    with pytest.raises(Conflict):
        d.remove(base)                                          # layers below others stay

    c2 = eng.create("snap:1", ["true"])
    assert d.stat(c2.id).parent == c2.id + "-init" and d.stat(c2.id + "-init").parent == top
    assert d.fs(c2.id).read_bytes("/f") == b"hi\n"

    eng.rm(c.id)
    assert c.id not in d and init not in d
    with pytest.raises(Conflict):
        eng.rmi("snap:1")                                       # c2 uses it: nothing changes
    assert top in d
    eng.rm(c2.id)
    out = eng.rmi("snap:1")
    assert f"Deleted: {top}" in out and top not in d
    assert keys(d) == {base: (Kind.COMMITTED, None)}
    eng.rmi("bb:1")
    assert list(d.walk()) == []


@pytest.mark.parametrize("name", ALL)
def test_build_registers_each_layer_once(name, busybox_tar):
    """A built image's layers are snapshots on their chain IDs; a second image that shares
    the base shares its snapshot; a layer an image uses twice is one snapshot."""
    eng = engine(name, busybox_tar)
    a = eng.build("FROM bb:1\nRUN echo a > /a\n", {}, tag="a:1", buildkit=True).image
    b = eng.build("FROM bb:1\nRUN echo b > /b\n", {}, tag="b:1", buildkit=True).image
    d = eng.driver
    assert a.chain_ids[0] == b.chain_ids[0]
    assert {k for k, (kind, _) in keys(d).items()} == {a.chain_ids[0], a.chain_ids[1], b.chain_ids[1]}
    assert d.stat(a.chain_ids[1]).parent == d.stat(b.chain_ids[1]).parent == a.chain_ids[0]
    assert d.usage(a.chain_ids[1]).size == eng.history("a:1")[0].size


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("name", [n for n in ALL if n != "vfs"])
def test_engine_containers_match_vfs(name, seed, busybox_tar):
    """The same random operations in a container the Engine made, on every driver: the
    merged view and ``docker diff`` equal those of vfs, the oracle."""
    results = {}
    for n in ("vfs", name):
        eng = engine(n, busybox_tar)
        # bb:1 holds the /data tree the operations name (hard links, a symlink, a 1 MiB file)
        eng.build("FROM bb:1\nRUN echo changed > /data/dir/a && rm /data/dir/b\n", {}, tag="img:1",
                  buildkit=True)
        c = eng.create("img:1", ["true"])
        for op in random_ops(random.Random(seed), 25):
            op(eng.driver.fs(c.id))
        results[n] = (tree(eng.driver.fs(c.id)), [str(ch) for ch in eng.diff(c.id)],
                      [str(ch) for ch in eng.driver.changes(c.id)])
    assert results[name][0] == results["vfs"][0]
    assert results[name][1] == results["vfs"][1] == results[name][2]


def test_create_refused_by_depth_changes_nothing(busybox_tar):
    """overlay2 refuses a container of a 128-layer image (scenario 71) before any snapshot."""
    from layerlab.image import ContainerConfig, HistoryEntry, Image
    from layerlab.fs.layer import Layer
    from layerlab.fs.tree import file

    eng = engine("overlay2", busybox_tar)
    base = eng.image("bb:1")
    layers = base.layers + tuple(Layer.build({f"/l{i}": file(b"%d" % i)}) for i in range(127))
    deep = Image(layers, ContainerConfig(env=(), cmd=("true",)),
                 tuple(HistoryEntry(0, "", "") for _ in layers), 0)
    eng._store(deep, "deep:1")
    before = keys(eng.driver)
    with pytest.raises(Conflict, match="max depth exceeded"):
        eng.create("deep:1")
    assert keys(eng.driver) == before


@pytest.mark.parametrize("buildkit", [True, False])
@pytest.mark.parametrize("name", ["overlay2", "btrfs"])
def test_build_steps_run_in_driver_snapshots(name, buildkit, busybox_tar):
    """Every step that writes files runs in an active snapshot prepared on the layers so far;
    its changes become the step's layer (diff), and the snapshot is removed. A failed build
    leaves no layer behind (the classic builder leaves its failed step's container)."""
    eng = engine(name, busybox_tar)
    d = eng.driver
    prepared = []
    prepare = d.prepare

    def spy(key, parent=None, **kw):
        prepared.append((key, parent))
        return prepare(key, parent, **kw)

    d.prepare = spy
    img = eng.build("FROM bb:1\nRUN echo hi > /f\nENV A=1\nCOPY a /a\n", {"a": "x"}, tag="t:1",
                    buildkit=buildkit).image
    steps = [(k, p) for k, p in prepared if k.startswith("build-step-")]
    assert [p for _, p in steps] == [img.chain_ids[0], img.chain_ids[1]]      # RUN on bb:1, COPY on RUN
    assert not any(k.startswith("build-step-") for k in d.snapshots)
    assert set(d.snapshots) == set(img.chain_ids)
    assert d.fs(img.chain_ids[1]).read_bytes("/f") == b"hi\n"

    before = set(d.snapshots)
    with pytest.raises(Exception, match="non-zero code: 1|exit code: 1"):
        eng.build("FROM bb:1\nRUN echo a > /a\nRUN false\n", {}, tag="t:2", buildkit=buildkit)
    left = set(d.snapshots) - before
    if buildkit:
        assert left == set()                                   # the RUN echo layer was released
    else:
        (ctr,) = [c for c in eng.ps(all=True)]                 # the failed step's container stays
        assert left == {ctr.id, ctr.id + "-init", *ctr.image.chain_ids} - before
