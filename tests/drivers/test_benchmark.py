"""benchmarks/drivers.py: the same workload (a 300 MB image, 10 containers appending to a 100 MB
file and writing small files) on every driver; each simulation under 1 s; the physical bytes
ordered as the copy-on-write units say they must be."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from layerlab import drivers

MB = 1000 * 1000


@pytest.fixture(scope="module")
def bench():
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "drivers.py"
    spec = importlib.util.spec_from_file_location("bench_drivers", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    img = mod.workload_image()
    img.id  # noqa: B018  (hashing the layer tars is the pull, not the driver)
    return mod, img


@pytest.fixture(scope="module")
def rows(bench):
    mod, img = bench
    return {n: mod.run_driver(n, image=img) for n in drivers.available()}


@pytest.mark.parametrize("name", drivers.available())
def test_each_driver_under_one_second(rows, name):
    assert rows[name]["seconds"] < 1.0


def test_physical_bytes_follow_the_cow_unit(rows):
    p = {n: r["physical"] for n, r in rows.items()}
    image = 300 * MB
    # block drivers: the image once, plus ~1 MiB and a few small files per container
    assert image < p["btrfs"] < image + 15 * MB
    assert p["btrfs"] <= p["devicemapper"] and p["btrfs"] <= p["zfs"]
    # whole-file copy-up: the 100 MB file once per container
    assert image + 10 * 100 * MB < p["overlay2"] < image + 10 * 102 * MB + 5 * MB
    assert p["fuse-overlayfs"] == p["overlay2"]
    assert p["overlayfs"] > p["overlay2"] + 290 * MB          # + the content store's blobs
    # vfs: every layer a full copy, two more full copies per container
    assert p["vfs"] > 200 * MB + 300 * MB + 10 * 2 * 300 * MB
    # what docker reports (ps -s) is the same 101MB everywhere but the containerd store
    assert {r["size_rw"] for n, r in rows.items() if n != "overlayfs"} == {rows["btrfs"]["size_rw"]}


def test_table_renders(bench, rows):
    mod, _ = bench
    text = mod.table([rows[n] for n in mod.ORDER], markdown=True)
    assert text.count("\n") == len(mod.ORDER) + 1 and "devicemapper (removed in 25.0)" in text
