"""One workload on every storage driver: what the backing store really holds.

    python benchmarks/drivers.py [--containers 10] [--append-mib 1] [--markdown]

The workload: a 300 MB image in two layers (200 MB of libraries and 500 small files; then a
100 MB data file), and 10 containers that each append to the 100 MB file and write 20 small
files. Every driver runs the same workload through the Engine (``Engine(driver=...)``, writes via
the container's filesystem), then reports:

* ``SIZE (ps -s)`` of one container as that driver reports it (apparent bytes, ChangesSize, or
  blocks for the containerd snapshotter);
* ``physical``: the bytes the driver's backing store holds for the image and the 10 containers,
  shared layers and blocks counted once (``Engine.hooks.physical_usage()``; the models are
  checked against a real btrfs, real overlayfs ``du`` and real dockerd stores in
  tests/drivers/test_measured.py and test_dockerd_drivers.py);
* the time layerlab took to simulate it (must stay under 1 s per driver).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from layerlab import Engine, drivers  # noqa: E402
from layerlab.clock import Clock  # noqa: E402
from layerlab.content import Content  # noqa: E402
from layerlab.image import ContainerConfig, HistoryEntry, Image  # noqa: E402
from layerlab.fs.layer import Layer  # noqa: E402
from layerlab.fs.tree import directory, file  # noqa: E402
from layerlab.units import human_size, human_size_with_precision  # noqa: E402

MB = 1000 * 1000


def workload_image() -> Image:
    libs = {f"/usr/lib/lib{i:02d}.so": file(Content.synthetic(f"lib{i}", 9_925_000), 0o755) for i in range(20)}
    small = {f"/usr/share/doc/f{i:03d}.txt": file(Content.synthetic(f"doc{i}", 1000)) for i in range(500)}
    base = Layer.build({"/usr": directory(), **libs, **small, "/etc/passwd": file(b"root:x:0:0::/root:/bin/sh\n"),
                        "/bin/sh": file(Content.synthetic("sh", 1_000_000), 0o755)})
    app = Layer.build({"/app/data.bin": file(Content.synthetic("data", 100 * MB))})
    hist = (HistoryEntry(0, "ADD rootfs.tar /"), HistoryEntry(1, "COPY data.bin /app/"))
    return Image((base, app), ContainerConfig(cmd=("/bin/sh",)), hist, 1)


def run_driver(name: str, containers: int = 10, append_mib: int = 1, image: Image | None = None) -> dict:
    img = image or workload_image()
    t0 = time.perf_counter()
    eng = Engine(driver=name, clock=Clock(), catalog=False, allow_removed_drivers=True)
    eng._store(img, "workload:1")       # a registry pull, without the registry
    chunk = b"x" * (append_mib << 20)
    for i in range(containers):
        c = eng.create("workload:1", ["true"], name=f"c{i}")
        fs = c.fs
        fs.write("/app/data.bin", chunk, append=True)
        fs.makedirs("/app/logs")
        for j in range(20):
            fs.write(f"/app/logs/{j}.log", f"container {i} line {j}\n" * 40)
    size = eng.size("c0")
    physical = eng.hooks.physical_usage()
    seconds = time.perf_counter() - t0
    cls = drivers.get(name)
    return {"driver": name, "cow": cls.capabilities.cow_unit if cls.capabilities.block_size is None
            else f"{cls.capabilities.block_size // 1024} KiB blocks",
            "status": cls.capabilities.status, "size_rw": size.rw, "size_root": size.root_fs,
            "physical": physical, "seconds": seconds}


ORDER = ["overlay2", "overlayfs", "fuse-overlayfs", "btrfs", "zfs", "devicemapper", "vfs"]


def table(rows: list[dict], markdown: bool = False) -> str:
    head = ["driver", "CoW unit", "SIZE (ps -s) of one container", "physical bytes", "physical", "simulated in"]
    lines = []
    for r in rows:
        name = r["driver"] + (" (removed in 25.0)" if r["status"] == "removed" else "")
        cow = {"file": "whole file", "none": "none (full copies)"}.get(r["cow"], r["cow"])
        ps = f"{human_size_with_precision(r['size_rw'], 3)} (virtual {human_size_with_precision(r['size_root'], 3)})"
        lines.append([name, cow, ps, f"{r['physical']:,}", human_size(r["physical"]), f"{r['seconds'] * 1000:.0f} ms"])
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(line) + " |" for line in lines]
        return "\n".join(out)
    widths = [max(len(x) for x in col) for col in zip(head, *lines)]
    fmt = "  ".join(f"{{:{'<' if i < 3 else '>'}{w}}}" for i, w in enumerate(widths))
    return "\n".join(fmt.format(*row) for row in [head, *lines])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--containers", type=int, default=10)
    ap.add_argument("--append-mib", type=int, default=1)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    img = workload_image()
    img.id  # noqa: B018  -- the diff_ids hash 300 MB of layer tars once: the "pull", not the driver
    built = time.perf_counter() - t0
    print(f"workload: image {human_size(sum(layer.size for layer in img.layers))} in {len(img.layers)} layers; "
          f"{args.containers} containers each append {args.append_mib} MiB to /app/data.bin "
          f"(100MB) and write 20 small files; building the image (hashing its tars) took {built:.1f} s\n")
    rows = [run_driver(n, args.containers, args.append_mib, img) for n in ORDER]
    print(table(rows, args.markdown))
    slow = [r["driver"] for r in rows if r["seconds"] >= 1.0]
    if slow:
        print(f"\nslower than 1 s: {', '.join(slow)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
