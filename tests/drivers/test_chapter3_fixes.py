"""What writing chapter 3 (storage drivers) revealed in the engine, each checked here:

* overlay2's directory layout as a real store has it (measured on Engine 20.10's
  ``/var/lib/docker/overlay2``): ``diff/``, ``link``, ``lower``, ``work/``, ``committed``, the
  ``l/`` links; link names are base32 (A-Z, 2-7);
* a container's ``/proc/mounts`` names the lower layers by their ``l/`` links, as moby's overlay2
  ``Get`` mounts them (measured: ``lowerdir=/var/lib/docker/overlay2/l/YLSF...:...``);
* layer depth: ``docker create`` takes an image of 127 layers and refuses 128, the classic
  builder stops at 125 layers, BuildKit builds deeper (conformance scenario 71);
* the containerd store's content-store blob of a layer counts a hard link as a header only
  (busybox: 4.5 MB, not 419 MB);
* ``dd if=/dev/zero`` writes blocks: written NULs take disk space (``du``), only holes are free;
* applying a layer in the btrfs/zfs/devicemapper models still drops a directory's files when a
  file replaces it (the scan is now skipped when it cannot match).
"""
from __future__ import annotations

import os
import re
import subprocess

import pytest

from layerlab import Engine
from layerlab.errors import BuildError, Conflict
from layerlab.drivers.physical import level_du

BASE32 = re.compile(r"[A-Z2-7]{26}")


@pytest.fixture(scope="module")
def running():
    eng = Engine()
    eng.build("FROM busybox\nRUN echo one > /one\nRUN echo two > /two\n", tag="app")
    c = eng.run("app", ["sleep", "3600"], detach=True, name="web")
    return eng, c


def test_overlay2_layout_matches_a_real_store(running):
    eng, c = running
    d = eng.hooks.driver
    keys = list(eng.image("app").chain_ids)
    rows = d.layout(keys, container=c.id, running=True)
    dirs = [d.cache_id(k) for k in keys] + [d.cache_id(c.id) + "-init", d.cache_id(c.id)]
    entries = {}
    for path, kind, content in rows:
        top, _, rest = path.partition("/")
        entries.setdefault(top, {})[rest] = (kind, content)
    # measured on a real overlay2 store (bb:1 + 2 layers + a running container)
    assert sorted(entries[dirs[0]]) == ["committed", "diff", "link"]                   # the base layer
    for mid in dirs[1:4]:                                                              # layers, -init
        assert sorted(entries[mid]) == ["committed", "diff", "link", "lower", "work"]
    assert sorted(entries[dirs[4]]) == ["diff", "link", "lower", "merged", "work"]     # the container
    links = {dd: entries[dd]["link"][1] for dd in dirs}
    assert all(BASE32.fullmatch(v) for v in links.values())
    for i, dd in enumerate(dirs[1:], 1):
        assert entries[dd]["lower"][1] == ":".join(f"l/{links[x]}" for x in dirs[:i][::-1])
    for dd in dirs:
        assert entries["l"][links[dd]] == ("symlink", f"../{dd}/diff")
    assert "merged" not in entries[dirs[4]] or running


def test_proc_mounts_names_lowers_by_their_short_links(running):
    eng, c = running
    d = eng.hooks.driver
    line = c.fs.read_text("/proc/mounts").splitlines()[0]
    lowerdir = re.search(r"lowerdir=([^,]+)", line).group(1).split(":")
    dirs = [d.cache_id(c.id) + "-init"] + [d.cache_id(k) for k in eng.image("app").chain_ids][::-1]
    assert lowerdir == [f"/var/lib/docker/overlay2/l/{d._short(x)}" for x in dirs]
    gd = eng.hooks.container_graphdriver(c)["Data"]
    assert f"upperdir={gd['UpperDir']},workdir={gd['WorkDir']} 0 0" in line


def test_layer_depth_as_measured():
    eng = Engine()
    for n in (127, 128):
        eng.build("FROM scratch\n" + "COPY f /f\n" * n, {"f": "x\n"}, tag=f"deep{n}")   # BuildKit: fine
    eng.create("deep127", ["/f"])                       # 127 layers + init = 128 lowers
    with pytest.raises(Conflict, match="max depth exceeded"):
        eng.create("deep128", ["/f"])
    eng.build("FROM scratch\n" + "COPY f /f\n" * 125, {"f": "y\n"}, buildkit=False)
    with pytest.raises(BuildError, match="max depth exceeded"):
        eng.build("FROM scratch\n" + "COPY f /f\n" * 126, {"f": "z\n"}, buildkit=False)
    # btrfs mounts nothing: no lower-dir limit at create
    assert Engine(driver="btrfs").build("FROM scratch\n" + "COPY f /f\n" * 130, {"f": "x\n"}, tag="d").image
    # the containerd snapshotter has no fixed limit, and no classic layer store limit
    Engine(driver="overlayfs").build("FROM scratch\n" + "COPY f /f\n" * 126, {"f": "x\n"}, buildkit=False)


def test_content_store_blob_counts_hard_links_once():
    eng = Engine(driver="overlayfs")
    layer = eng.pull("busybox").layers[0]
    tar = len(layer.tar_bytes())
    assert abs(eng.hooks.driver.blob_bytes(layer) - tar) <= 0.01 * tar


def test_dd_from_dev_zero_takes_blocks():
    eng = Engine(driver="btrfs")
    eng.pull("busybox")    # a BuildKit build does not list the base it pulls (scenario 94)
    eng.build("FROM busybox\nRUN dd if=/dev/zero of=/z bs=1M count=4\n", tag="z")
    img, base = eng.image("z"), eng.image("busybox")
    added = eng.hooks.physical_usage(images=[img], containers=[]) - eng.hooks.physical_usage(images=[base], containers=[])
    assert added == 4 << 20
    c = eng.run("z", ["sh", "-c", "wc -c < /z; md5sum /z; truncate -s 8M /sparse"], name="c1")
    import hashlib
    assert c.last_output.split()[:2] == ["4194304", hashlib.md5(bytes(4 << 20)).hexdigest()]   # NULs
    assert eng.hooks.driver.physical_container(c.rootfs) == 0      # truncate makes a hole: free


def test_written_zeros_match_du_on_this_machine(tmp_path):
    """A real ``dd if=/dev/zero`` on the test machine's ext4 next to layerlab's prediction."""
    fstype = subprocess.run(["stat", "-f", "-c", "%T", str(tmp_path)], capture_output=True, text=True).stdout.strip()
    if fstype not in ("ext2/ext3", "xfs"):
        pytest.skip(f"{tmp_path} is on {fstype}, not ext4/xfs")
    real = tmp_path / "z"
    subprocess.run(["dd", "if=/dev/zero", f"of={real}", "bs=1M", "count=3", "status=none"], check=True)
    os.sync()
    du = os.stat(real).st_blocks * 512
    eng = Engine()
    c = eng.run("busybox", ["dd", "if=/dev/zero", "of=/z", "bs=1M", "count=3"], name="c1")
    node = c.rootfs.upper.entries["/z"]
    assert level_du({"/z": node}, {}, include_root=False) == du == 3 << 20


def test_a_file_replacing_a_directory_drops_its_files():
    from layerlab.drivers.extents import ExtentDriver
    from layerlab.drivers.physical import ExtentModel
    from layerlab.fs.layer import Layer
    from layerlab.fs.tree import file

    drv = Engine(driver="btrfs").hooks.driver
    model = ExtentModel(drv.unit)
    l1 = Layer.build({"/d/x": file(b"x" * 5000), "/d/sub/y": file(b"y" * 5000), "/keep": file(b"k" * 5000)})
    m1 = ExtentDriver.apply_layer(model, {}, l1, "l1")
    assert set(m1) == {"/d/x", "/d/sub/y", "/keep"}
    l2 = Layer.build({"/d": file(b"now a file" * 500)})
    m2 = ExtentDriver.apply_layer(model, m1, l2, "l2")
    assert set(m2) == {"/d", "/keep"}
