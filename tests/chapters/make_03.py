"""Writes notebooks/03-storage-drivers.ipynb from the cells below (sources only; outputs come
from ``python -m tests.notebooks.refresh notebooks/03-storage-drivers.ipynb``).

    .venv/bin/python -m tests.chapters.make_03 && .venv/bin/python -m tests.notebooks.refresh notebooks/03-storage-drivers.ipynb
"""
from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "notebooks" / "03-storage-drivers.ipynb"

CELLS: list[tuple[str, str, dict | None]] = []


def md(text: str, nbg: dict | None = None) -> None:
    CELLS.append(("markdown", text.strip("\n"), nbg))


def code(text: str, nbg: dict | None = None) -> None:
    CELLS.append(("code", text.strip("\n"), nbg))


def locked(gid: str) -> dict:
    return {"grade": False, "grade_id": gid, "locked": True, "schema_version": 3, "solution": False}


def answer(gid: str) -> dict:
    return {"grade": False, "grade_id": gid, "locked": False, "schema_version": 3, "solution": True}


def tests(gid: str, points: int) -> dict:
    return {"grade": True, "grade_id": gid, "locked": True, "points": points, "schema_version": 3, "solution": False}


def written(gid: str, points: int) -> dict:
    return {"grade": True, "grade_id": gid, "locked": False, "points": points, "schema_version": 3, "solution": True}


# ---------------------------------------------------------------------------------------------
md("""
# Chapter 3 · Storage Drivers

**Time:** about 45 minutes · **Prerequisites:** [Chapter 1 · The Layer Architecture](01-layer-architecture.ipynb)
and [Chapter 2 · Copy-on-Write](02-copy-on-write.ipynb)

Chapters 1 and 2 showed *what* a container sees: read-only image [layers](glossary.md#layer), one
[writable layer](glossary.md#writable-layer) on top, and files [copied up](glossary.md#copy-up) when
they change. Something has to build that stack on a real disk and
do the copying. In Docker that part is the **[storage driver](glossary.md#storage-driver)**. There are several, they all show
a container the same files, and they spend very different amounts of disk doing it.

Everything runs on **layerlab**, a model of Docker's engine in Python (no Docker needed). Run
the cells from top to bottom with **Shift + Enter**.
""")

md("""
## What you will be able to do

1. **find** which storage driver an engine uses, and read what `docker info` says about it;
2. **locate** each layer of an image and of a container in overlay2's directory, and explain the
   `diff`, `link` and `lower` files and the `l/` short names;
3. **compare** the drivers on the same workload: the SIZE `docker ps -s` reports and the bytes
   each one really writes to disk;
4. **compute** the bytes a write costs on a file-level driver (overlay2) and on a block-level one
   (btrfs, zfs);
5. **choose** a storage driver for a host, and defend the choice (almost always: overlay2).
""")

md("""
## Contents

1. [The storage driver builds the stack](#1.-The-storage-driver-builds-the-stack)
2. [Where overlay2 keeps each layer](#2.-Where-overlay2-keeps-each-layer)
3. [Which drivers exist today](#3.-Which-drivers-exist-today)
4. [One workload on every driver](#4.-One-workload-on-every-driver)
5. [Why overlay2 is still the right default](#5.-Why-overlay2-is-still-the-right-default)
6. [Try it: the driver comparison](#6.-Try-it:-the-driver-comparison)
7. [Key takeaways](#Key-takeaways)

The graded exercises: 1 (predict) and 2 (implement) after section 4, 3 (written) after section 6.

Back to [the course start page](00-start-here.ipynb).
""")

code("""
# Setup: layerlab's engine plays the part of the Docker daemon,
# and the %docker command sends docker commands to it.
from layerlab import Engine, magic, render

docker = Engine()
magic.use(docker)
%load_ext layerlab.magic
""", locked("setup"))

md("""
As in the earlier chapters, `%docker …` runs a **docker command** and prints what Docker would
print; `docker.something(...)` asks the engine from **Python** for values to compute with.
""")

# ---------------------------------------------------------------------------------------------
md("""
## 1. The storage driver builds the stack

An image is a list of layers, and a container adds a writable layer (Chapter 1). Files copied up
from a lower layer when a container changes them (Chapter 2). The **storage driver**
is the part of the Docker [daemon](glossary.md#daemon) that makes this real on the host's disk: it stores each layer
somewhere, stacks them into one view for the container, and does the
[copy-on-write](glossary.md#copy-on-write). The daemon itself only asks it to "make a writable layer on top of these", "show me what changed", "how big
is it".

```mermaid
flowchart TB
    cli["docker CLI<br/>docker run, docker ps -s"] --> daemon["Docker daemon"]
    daemon --> driver["storage driver<br/>overlay2 · btrfs · zfs · vfs · ..."]
    driver --> disk["the host's disk<br/>/var/lib/docker/overlay2/ ..."]
    style driver fill:#fff3e0,stroke:#ef6c00
```

Which one is in use? The material's command asks `docker info` for just that field:
""")

code("""
%docker info --format '{{.Driver}}'
""")

md("""
`overlay2`: the default on current Linux, built on the kernel's **[overlayfs](glossary.md#overlayfs)**. `docker info`
without `--format` prints a long report; the storage part is a `Storage Driver:` line and, under
it, the driver's own status lines (`DriverStatus`). Here they are as data:
""")

code("""
%docker info --format '{{json .DriverStatus}}'
""")

md("""
Each pair is one line of `docker info`:

| line | meaning |
|---|---|
| `Backing Filesystem: extfs` | the [backing filesystem](glossary.md#backing-filesystem) under `/var/lib/docker` (`extfs` is how Docker names ext4; `xfs` for XFS). overlay2 needs ext4, or XFS with `ftype=1` |
| `Supports d_type: true` | the filesystem stores each entry's type (file, directory, device) in the directory itself; overlayfs does not work correctly without it |
| `Using metacopy: false` | a `chmod` copies the whole file up, not just its metadata (the kernel's `metacopy` feature is off) |
| `Native Overlay Diff: true` | `docker diff` and `docker ps -s` just read the writable layer's directory, instead of comparing two whole trees |
| `userxattr: false` | overlayfs keeps its markers in `trusted.*` extended attributes (rootless setups use `user.*`) |

Other drivers print other lines; you will see them in section 3.
""")

md("""
**Quick check.** A colleague's `docker info` says `Storage Driver: overlay2` and
`Backing Filesystem: xfs`. Is that a supported setup?

<details><summary>Show the answer</summary>

Yes, if the XFS filesystem was made with `ftype=1` (then `Supports d_type` is `true`). overlay2
runs on ext4 and on XFS with d_type support; it is the backing filesystem, not overlay2, that
holds the bytes.
</details>
""")

# ---------------------------------------------------------------------------------------------
md("""
## 2. Where overlay2 keeps each layer

Build a small image to look at: `busybox` (a tiny Linux of about 4 MB), plus a layer with a
4 MiB file of random bytes (`dd` copies 4 blocks of 1 MiB from the random-number device into
`/data/big.bin`), plus a layer of 100 small log files. (4 MiB is enough to see every effect below;
bigger only makes the numbers bigger.)
""")

code("""
data_dockerfile = '''\\
FROM busybox
RUN mkdir -p /data/logs && dd if=/dev/urandom of=/data/big.bin bs=1M count=4 status=none
RUN for i in $(seq 1 100); do echo "log line $i" > /data/logs/$i.log; done
'''
print(render.build_steps(docker.build(data_dockerfile, tag="data").output))
""")

md("""
`docker image inspect` tells where the driver put the image's layers. The field is called
`GraphDriver` (Docker's old name for storage drivers):
""")

code("""
%docker image inspect data --format '{{json .GraphDriver}}'
""")

md("""
Hard to read on one line. The same data from Python, with `LowerDir` split at its `:`
separators:
""")

code("""
graph = docker.inspect_image("data")["GraphDriver"]["Data"]
for key in ("UpperDir", "LowerDir", "MergedDir", "WorkDir"):
    for i, path in enumerate(graph[key].split(":")):
        print(f"{key if i == 0 else '':9}  {path}")
""")

md("""
Three layers, three directories under `/var/lib/docker/overlay2/`:

* **UpperDir** is the image's *top* layer (the log files), its `diff` directory: the layer's own
  files, exactly as they are in the layer.
* **LowerDir** lists the layers under it, **nearest first**: the `dd` layer, then busybox's.
* **MergedDir** is where overlayfs shows all of them stacked as one tree, and **WorkDir** is
  scratch space overlayfs needs on the same filesystem. Only containers are mounted, so for an
  image's layer `merged/` is never created (and the base layer has no `work/` either): these two
  lines say where the folders *would* be.

The long hex names are **[cache IDs](glossary.md#cache-id)**: random names the driver picks. They
are not the layers' [diff_ids](glossary.md#diff-id) or [chain IDs](glossary.md#chain-id), so you cannot find a layer's folder from `docker image inspect`'s
`RootFS.Layers`:
""")

code("""
data = docker.image("data")
print("chain IDs:", [c[7:19] for c in data.chain_ids])
print("folders:  ", [p.split("/")[-2][:12] for p in reversed(graph["LowerDir"].split(":"))]
      + [graph["UpperDir"].split("/")[-2][:12]])
""")

md("""
Now a container. Its `GraphDriver` adds two layers on top of the image's three: an **[init
layer](glossary.md#init-layer)** (`…-init`, a few files Docker prepares such as `/etc/hosts`) and the container's own
**writable layer**, which becomes the UpperDir:
""")

code("""
%docker run -d --name app data sleep 3600
%docker inspect app --format '{{range split .GraphDriver.Data.LowerDir ":"}}{{println "lower:" .}}{{end}}upper: {{.GraphDriver.Data.UpperDir}}'
""")

md("""
### Inside a layer's directory: `diff`, `link`, `lower` and `l/`

On a real host, `sudo ls /var/lib/docker/overlay2/<id>` shows a few entries per layer. The
engine's overlay2 driver lists the same ones (`driver.layout(...)`): for each of the five
layers, bottom first, what its directory holds:
""")

code("""
driver = docker.hooks.driver          # the engine's overlay2 driver
layout = driver.layout(data.chain_ids, container=docker.container("app").id, running=True)
for path, kind, content in layout:
    shown = {"dir": "/", "file": f"   = {content!r}", "symlink": f" -> {content}"}[kind]
    print(f"{path[:16] + '…' + path[64:] if len(path) > 70 else path}{shown}")
""")

md("""
What each entry is (checked against a real Docker Engine's `/var/lib/docker/overlay2`):

* **`diff/`**: the layer's files. For the container, this is its writable layer: every copy-up
  and every new file lands here.
* **`link`**: a 26-character short name for the layer, and **`l/<short name>`** is a symbolic
  link to that layer's `diff/`.
* **`lower`**: the short names of every layer underneath, nearest first, joined by `:`. The base
  layer has none.
* **`work/`** is overlayfs's scratch directory, **`merged/`** the mount point (only while the
  container runs), and an empty **`committed`** file marks a layer that has a layer on top.

Why the short names? To start the container, Docker mounts overlayfs with the list of lower
layers in the mount options, and the kernel takes at most one page (4096 bytes) of options. A
full layer path is about 95 characters, so 40 layers would already not fit. With the links each
entry is about half as long, and when even that is too much Docker switches to relative paths
(`l/…`, 29 characters each), so 128 layers fit. The container's root mount, as the kernel shows
it:
""")

code("""
%docker exec app head -n 1 /proc/mounts
""")

md("""
`lowerdir=` holds the five `l/` links (init layer first, busybox last), `upperdir=` the
container's `diff` and `workdir=` its `work`: the same folders as above.

**How many layers can there be?** The kernel limits how many lower directories one overlay
mount may have, and overlay2 stops at **128**. A container's lower directories are its init layer
plus every image layer, so an image can have at most **127** layers and still run. Build one with
128 ([BuildKit](glossary.md#buildkit), Docker's builder, does not mind) and try to create a container:
""")

code("""
docker.build("FROM scratch\\n" + "COPY f /f\\n" * 128, {"f": "x\\n"}, tag="deep")
%docker image inspect deep --format '{{len .RootFS.Layers}}'
%docker create --name too-deep deep /f
""")

md("""
The image exists, but no container can be made from it: `max depth exceeded` (the red line is
docker's error). The old *classic* builder (`DOCKER_BUILDKIT=0`) refuses even earlier, at the
126th layer: its layer store allows 125. (Measured on a real Docker Engine; the numbers are
`maxDepth = 128` in moby's `daemon/graphdriver/overlay2/overlay.go` and `maxLayerDepth = 125` in
its layer store. The kernel itself would take 500 lowers, and the containerd snapshotter of
section 3 has no fixed limit.) Real images stay far below: the limit bites only images built by
scripts that add a layer per file.
""")

md("""
**Quick check.** A container runs on an image of 10 layers. How many directories does overlay2
use for it under `/var/lib/docker/overlay2/` (not counting `l/`), and which one does the container
write into?

<details><summary>Show the answer</summary>

12: one per image layer (shared with every other container of that image), plus the container's
`<id>-init` and `<id>`. It writes into `<id>/diff`, the UpperDir.
</details>
""")

# ---------------------------------------------------------------------------------------------
md("""
## 3. Which drivers exist today

The course material lists four drivers:

| Driver | Status | Best For |
|---|---|---|
| overlay2 | Default and recommended | All modern Linux distributions |
| btrfs | Supported | Systems already using Btrfs |
| zfs | Supported | Systems already using ZFS |
| devicemapper | Deprecated | Legacy systems only |

Two things have changed since it was written. **devicemapper is gone**: deprecated in Docker
18.09, disabled by default in 23.0 and **removed in Engine 25.0**, so a current daemon refuses
it. And **Docker Engine 29 no longer uses overlay2 on a fresh install**: new installs use the
*[containerd image store](glossary.md#containerd-image-store)*, whose default
*[snapshotter](glossary.md#snapshotter)* is called `overlayfs` (Docker Desktop
switched in version 4.34). The engine models every one of them, and refuses devicemapper as a
current daemon would:
""")

code("""
from layerlab import drivers

try:
    Engine(driver="devicemapper")
except Exception as err:
    print(err)
""")

md("""
(layerlab keeps a model of it for teaching, behind `allow_removed_drivers=True`.) Here is the
table brought up to date. The copy-on-write column comes from each driver's own facts in the
engine; the rest from Docker's documentation and release notes:
""")

code("""
from layerlab.widgets.drivers import cow_unit_text    # reads drivers.get(name).capabilities

uses = {
    "overlay2": ("default graphdriver (Engine ≤ 28, and upgraded hosts)", "ext4, or xfs with ftype=1",
                 "almost everyone"),
    "overlayfs": ("default for fresh Engine 29 installs (containerd image store)", "ext4, xfs",
                  "new installs; same kernel overlayfs as overlay2"),
    "fuse-overlayfs": ("supported", "any", "rootless Docker on kernels older than 5.11"),
    "btrfs": ("supported", "btrfs (all of /var/lib/docker)", "hosts that already use btrfs"),
    "zfs": ("supported", "zfs (a dataset for /var/lib/docker)", "hosts that already use ZFS"),
    "vfs": ("supported, for testing", "any", "testing only: no copy-on-write"),
    "devicemapper": ("removed in Engine 25.0", "a thin-pool block device", "nothing any more"),
}
rows = []
for name in ["overlay2", "overlayfs", "fuse-overlayfs", "btrfs", "zfs", "vfs", "devicemapper"]:
    rows.append([name, uses[name][0], cow_unit_text(name), uses[name][1], uses[name][2]])
render.table(["Driver", "Status", "Copy-on-write unit", "Backing filesystem", "Best for"], rows)
""")

md("""
Section 1 promised the other drivers' `docker info` lines. Each engine reports its own driver's
`DriverStatus` (vfs and fuse-overlayfs have nothing to report):
""")

code("""
for name in ["overlay2", "overlayfs", "fuse-overlayfs", "btrfs", "zfs", "vfs", "devicemapper"]:
    status = Engine(driver=name, allow_removed_drivers=True).info()["DriverStatus"]
    print(f"{name:15}", "; ".join(f"{k}: {v}" for k, v in status or []) or "-")
""")

md("""
Two words in that table need a definition:

* **copy-on-write unit**: how much is copied when a container changes a file from the image.
  overlay2 and fuse-overlayfs copy the **whole file** (Chapter 2). btrfs and zfs are
  copy-on-write *filesystems*: a layer is a [snapshot](glossary.md#snapshot) that shares all its disk blocks with the
  layer below, and a write allocates new blocks only for the **blocks it touches** (4 KiB on
  btrfs, 128 KiB records on zfs). vfs does no copy-on-write at all: every layer, and every
  container, starts as a **full copy** of everything below.
* **backing filesystem**: btrfs and zfs are not something Docker adds on top of your disk; the
  disk (at least `/var/lib/docker`) must *be* btrfs or zfs.
""")

# ---------------------------------------------------------------------------------------------
md("""
## 4. One workload on every driver

Now the same workload on each driver: a new engine per driver (`Engine(driver=...)`), the same
`data` image, one container that **appends one line to the 4 MiB file**. For each driver we
record the SIZE `docker ps -s` prints and the bytes the container's own layers take on the
driver's disk, before and after the write (`physical_container`: the engine's model of what
`du`, the Linux command for *disk usage*, would count on that driver's storage).
""")

code("""
from layerlab.cli import run as docker_cli

DRIVERS = ["overlay2", "overlayfs", "fuse-overlayfs", "btrfs", "zfs", "vfs", "devicemapper"]
results, engines = {}, {}
for name in DRIVERS:
    eng = engines[name] = Engine(driver=name, allow_removed_drivers=True)
    eng.build(data_dockerfile, tag="data")
    ctr = eng.run("data", ["sleep", "3600"], detach=True, name="app")
    before = eng.hooks.driver.physical_container(ctr.rootfs)          # bytes on disk, new container
    eng.exec("app", ["sh", "-c", 'echo "one more line" >> /data/big.bin'])
    after = eng.hooks.driver.physical_container(ctr.rootfs)
    ps_size = docker_cli(["ps", "-s", "--format", "{{.Size}}"], eng)[1].decode().strip()
    results[name] = {"ps -s SIZE": ps_size, "size_rw": eng.size("app").rw,
                     "disk before": before, "disk after": after, "written": after - before}

render.table(["driver", "docker ps -s SIZE", "on disk before", "on disk after", "the append wrote"],
             [[n, r["ps -s SIZE"], f"{r['disk before']:,} B", f"{r['disk after']:,} B", f"{r['written']:,} B"]
              for n, r in results.items()])
""")

md("""
Read the columns one at a time.

**SIZE is (almost) the same everywhere.** `docker ps -s` reports the *logical* size of the
writable layer: the files it holds, counted whole. On every graphdriver that is the
4,194,318-byte copy of `big.bin` (4 MiB + 14 bytes), printed as `4.19MB`. The containerd
snapshotter (`overlayfs`) counts allocated disk blocks instead, directories included, so it
shows a little more (`4.21MB`; an empty container there shows about `4.1kB`, not `0B`).

**The bytes written differ by a factor of a thousand:**

* **overlay2, overlayfs, fuse-overlayfs** copied the whole file up before appending: about 4.2 MB
  for a 14-byte change.
* **btrfs** wrote one 4 KiB block, **devicemapper** one 64 KiB block, **zfs** one 128 KiB record:
  the new blocks hold the changed end of the file; every other block is still shared with the
  image layer.
* **vfs** wrote only 4 KiB too, but look at *before*: about 18 MB for a container that had not
  done anything yet. vfs made two full copies of the whole image (the init layer and the
  container) when the container was created.

The SIZE column cannot tell these apart: it is computed from the files, not from the disk.
(How do we know the disk numbers? The engine's models are tested against a real btrfs
filesystem on a loop device, the kernel's own overlayfs and real Docker daemons, in the
project's `tests/drivers/`.)
""")

code("""
from layerlab.render.drivers import BarRow, driver_bars

bars = [BarRow(n, cow_unit_text(n), r["ps -s SIZE"], r["disk before"], r["disk after"],
               drivers.get(n).capabilities.cow_unit) for n, r in results.items()]
render.show(driver_bars(bars, title="append one line to a 4 MiB file",
                        subtitle="grey: the new container's own layers; colour: what the append wrote"),
            "driver bars")
""")

md("""
### The arithmetic behind the bars

Disks are handed out in **blocks** (4096 bytes on ext4 and btrfs), so a file of 1 byte takes a
whole block, and a file of 4,194,318 bytes takes 1025 blocks:

* **overlay2** (whole file): the copy takes `ceil(file size / 4096) × 4096` bytes;
* **a block-level driver**: `number of blocks the write touches × block size`. Appending 14 bytes
  to a file that ends exactly on a block boundary touches one new block.
""")

code("""
size = results["overlay2"]["size_rw"]
print("file after the append:   ", f"{size:,} bytes")
print("overlay2, whole file:    ", f"{-(-size // 4096) * 4096:,} bytes =", results["overlay2"]["written"])
print("btrfs, blocks touched: 1 ×", 4096, "=", results["btrfs"]["written"])
""")

md("""
(The engine's overlay2 number is 8 KiB more than the file alone: the writable layer also gets a
copy of the `/data` directory, and the kernel records where that copy came from in a 4 KiB
extended-attribute block.)

**Quick check.** On btrfs, a container changes 10 bytes in the middle of a 1 GB database file
that came with the image. Roughly how many bytes does btrfs write, and what does
`docker ps -s` show for the container?

<details><summary>Show the answer</summary>

One or two 4 KiB blocks (two if the 10 bytes straddle a block boundary): 4–8 KiB. `docker ps -s`
still shows about `1GB`: SIZE counts the changed file whole, whatever the driver did on disk.
</details>
""")

# ---------------------------------------------------------------------------------------------
md("""
## Exercise 1 · Predict the bytes on disk (3 points)

An image has one big file at the top level, `/db.img`: exactly **10,000,000 bytes** of random
data. A container of that image changes 5 bytes in the middle of it:

```sh
printf hello | dd of=/db.img bs=1 seek=5000000 conv=notrunc
```

(`seek=5000000` starts the write at byte offset 5,000,000; `conv=notrunc` keeps the rest of the
file.) **Without running it**, predict three whole numbers of bytes:

* `ps_size`: the SIZE `docker ps -s` reports for the container (as a number of bytes; it is the
  same on overlay2 and on btrfs);
* `overlay2_disk`: the bytes this write adds to the disk on **overlay2** (ext4, 4096-byte blocks);
* `btrfs_disk`: the bytes it adds on **btrfs** (4096-byte blocks).

Count file data only (no directories: `/db.img` sits in `/`, which the writable layer has anyway).
Write the three numbers in the next cell, then run the check cell below it.
""", locked("ex1_prompt"))

code("""
# Replace with your predictions:  ps_size = <number>, overlay2_disk = <number>, btrfs_disk = <number>
### BEGIN SOLUTION
ps_size = 10_000_000         # the whole changed file counts, on every graphdriver
overlay2_disk = 10_002_432   # a whole copy: ceil(10,000,000 / 4096) = 2442 blocks of 4096 bytes
btrfs_disk = 4_096           # bytes 5,000,000-5,000,004 are all in block 1220: one new block
### END SOLUTION
""", answer("ex1_answer"))

code("""
# Check your answer (visible checks: they catch typos, not wrong answers)
assert isinstance(ps_size, int), "ps_size should be a whole number of bytes, like 4096"
assert isinstance(overlay2_disk, int), "overlay2_disk should be a whole number of bytes, like 4096"
assert isinstance(btrfs_disk, int), "btrfs_disk should be a whole number of bytes, like 4096"
assert min(ps_size, overlay2_disk, btrfs_disk) >= 0, "a number of bytes cannot be negative"
print("Three whole numbers: the grader compares them with what the engine's drivers write.")
### BEGIN HIDDEN TESTS
from layerlab import Engine as _Engine


def _measure(_driver):
    _e = _Engine(driver=_driver)
    _e.build("FROM busybox\\nRUN dd if=/dev/urandom of=/db.img bs=1000 count=10000 status=none\\n", tag="db")
    _e.clock.advance(60)
    _c = _e.run("db", ["sleep", "3600"], detach=True, name="db1")
    _before = _e.hooks.driver.physical_container(_c.rootfs)
    _e.exec("db1", ["sh", "-c", "printf hello | dd of=/db.img bs=1 seek=5000000 conv=notrunc status=none"])
    return _e.size("db1").rw, _e.hooks.driver.physical_container(_c.rootfs) - _before


_ov_size, _ov_disk = _measure("overlay2")
_bt_size, _bt_disk = _measure("btrfs")
assert ps_size == _ov_size == _bt_size, \\
    "ps_size: SIZE counts every file of the writable layer whole, whatever the driver wrote to disk"
assert overlay2_disk == _ov_disk, \\
    "overlay2_disk: overlay2 copies the whole file up first, and ext4 stores it in whole 4096-byte blocks"
assert btrfs_disk == _bt_disk, \\
    "btrfs_disk: btrfs writes new copies of only the 4096-byte blocks the 5 bytes land in"
### END HIDDEN TESTS
""", tests("ex1_tests", 3))

# ---------------------------------------------------------------------------------------------
md("""
## Exercise 2 · Implement a block-level driver's cost (3 points)

Write `cow_bytes(writes, block_size)`: a container makes the writes in `writes` to **one big
file** that came with the image; return how many bytes a block-level driver (btrfs, zfs,
devicemapper) writes to disk for them.

* `writes` is a list of `(offset, length)` pairs of whole numbers: `length` bytes written starting
  at byte `offset`. Every write lands inside the file.
* `block_size` is the driver's copy-on-write unit in bytes (4096 for btrfs, 131072 for zfs,
  65536 for devicemapper).
* Every block that **any** write touches is copied once (a second write to the same block
  costs nothing more); a write of length 0 touches nothing. Blocks are numbered from offset 0:
  block `k` holds bytes `k × block_size` up to `(k + 1) × block_size − 1`.
* Return an `int`; `cow_bytes([], 4096)` is `0`.

The check compares your function with the engine's btrfs, zfs and devicemapper models on writes
you cannot see.
""", locked("ex2_prompt"))

code("""
def cow_bytes(writes, block_size):
    ### BEGIN SOLUTION
    blocks = set()
    for offset, length in writes:
        if length > 0:
            blocks.update(range(offset // block_size, (offset + length - 1) // block_size + 1))
    return len(blocks) * block_size
    ### END SOLUTION
""", answer("ex2_answer"))

code("""
# Check your answer (visible checks: they catch crashes and wrong types, not wrong answers)
assert callable(cow_bytes), "define a function named cow_bytes(writes, block_size)"
assert cow_bytes([], 4096) == 0, "with no writes, nothing is written: cow_bytes([], 4096) should be 0"
assert isinstance(cow_bytes([(0, 1)], 4096), int), "cow_bytes should return an int (a number of bytes)"
print("cow_bytes runs and returns a whole number. The grader compares it with the engine's drivers.")
### BEGIN HIDDEN TESTS
import random as _random
from layerlab import Engine as _Engine

_rng = _random.Random(2026)
_cases = [
    [(5000, 10)],                                   # inside one block
    [(4090, 20)],                                   # across a block boundary
    [(100, 10), (200, 10), (4000, 50)],             # two writes in one block, one across
    [(70000, 0), (500_000, 300_000)],               # an empty write; a long one
    [(131072, 4096), (262144, 131072)],             # exactly one 4 KiB block; exactly one record
]
_cases += [[(_rng.randrange(0, 900_000), _rng.choice([0, 1, 7, 100, 4096, 5000, 70000]))
            for _ in range(_rng.randrange(2, 15))] for _ in range(3)]
_image = "FROM busybox\\n" + "".join(
    f"RUN dd if=/dev/urandom of=/f{_i} bs=1000 count=1100 status=none\\n" for _i in range(len(_cases)))
for _driver, _bs in (("btrfs", 4096), ("zfs", 131072), ("devicemapper", 65536)):
    _e = _Engine(driver=_driver, allow_removed_drivers=True)
    _e.build(_image, tag="f")
    _c = _e.create("f", ["true"], name="writer")
    _before = _e.hooks.driver.physical_container(_c.rootfs)
    for _i, _writes in enumerate(_cases):          # each case writes to a file of its own
        for _off, _n in _writes:
            _c.fs.pwrite(f"/f{_i}", _off, _rng.randbytes(_n))
        _after = _e.hooks.driver.physical_container(_c.rootfs)
        _got = cow_bytes(list(_writes), _bs)
        assert _got == _after - _before, (
            f"not the bytes the engine's {_driver} writes ({_bs}-byte blocks) for some writes: "
            "count every block a write touches, from its first byte to its last, and count a block "
            "two writes share only once")
        _before = _after
### END HIDDEN TESTS
""", tests("ex2_tests", 3))

# ---------------------------------------------------------------------------------------------
md("""
## 5. Why overlay2 is still the right default

After section 4, btrfs or zfs may look like the obvious winners. They are not, for almost
everyone, and the material's advice ("unless you have a specific reason, use overlay2") holds:

1. **It runs on the disk you already have.** overlay2 needs ext4 or XFS, what nearly every Linux
   host uses. btrfs and zfs need `/var/lib/docker` on a btrfs or zfs filesystem: a decision about
   the whole disk, not about Docker.
2. **Shared files are cached once.** Fifty containers of one image read the same lower files, and
   overlayfs lets them share one copy in memory (the [page cache](glossary.md#page-cache)). btrfs does not share it between
   snapshots.
3. **Image layers cost the same on every driver.** Layers travel as tar archives and are unpacked
   into the driver; a file that a later build step changes is stored whole again, whatever the
   driver. The widget below shows it with *build an image*: only vfs (far worse) and the
   containerd store (its content store also keeps the compressed layer archives: about double)
   differ.
4. **Block-level copy-on-write pays off only for big files changed in place**, such as database
   files. Those do not belong in a container's writable layer on any driver: put them in a
   **[volume](glossary.md#volume)** (Chapter 6), which bypasses the storage driver entirely.
5. **It is the most used and tested.** overlayfs is part of every current Linux kernel, overlay2
   is what nearly every Docker host runs, and its successor, containerd's `overlayfs`
   snapshotter, keeps the same mechanism.

**And on Engine 29?** A fresh install there uses the containerd image store with the `overlayfs`
snapshotter: the same kernel overlayfs, the same whole-file copy-up. What changes is bookkeeping.
`docker info` says so:
""")

code("""
new_install = Engine(driver="overlayfs")
magic.use(new_install)
%docker info --format '{{.Driver}} {{json .DriverStatus}}'
magic.use(docker)
""")

md("""
The driver line names the snapshotter, `DriverStatus` is just `driver-type
io.containerd.snapshotter.v1`, the snapshots live under `/var/lib/containerd/` instead of
`/var/lib/docker/overlay2/`, and sizes are counted in allocated blocks (section 4). An upgraded
host keeps overlay2 until you switch: the two stores do not see each other's images.
""")

# ---------------------------------------------------------------------------------------------
md("""
## 6. Try it: the driver comparison

Pick a workload; it runs on a fresh engine of every driver and draws, per driver, the SIZE
docker reports, the copy-on-write unit and the bytes on disk (grey: there before; colour: what
the workload wrote). Or type your own shell command and press **Run on every driver**: it runs
in a new container of the `data` image (`/data/big.bin` is 4 MiB, `/data/logs` holds 100 small
files). Things to try:

* *50 one-byte writes*: 50 bytes changed, 4.2 MB on overlay2, 200 KiB on btrfs, and zfs close to
  overlay2: its 128 KiB records are big;
* *delete a directory*: SIZE `0B` (a [whiteout](glossary.md#whiteout) has no size) on the graphdrivers, and vfs's bar
  shrinks: its container was a full copy, and the delete freed it;
* *build an image*: the same bytes on every copy-on-write driver (point 3 above);
* your own: `truncate -s 0 /data/big.bin`, `chmod 600 /data/big.bin`, `cat /data/big.bin > /dev/null`,
  and a new file, `dd if=/dev/zero of=/data/new.bin bs=1M count=8`: new data costs the same everywhere.
""")

code("""
# NBVAL_IGNORE_OUTPUT
from layerlab.widgets.drivers import DriverComparison

comparison = DriverComparison(engines=engines)     # the seven engines of section 4
comparison
""")

# ---------------------------------------------------------------------------------------------
md("""
## Exercise 3 · Choose a driver (2 points, graded by a person)

A small company runs Docker on one Ubuntu 24.04 server whose disk is formatted ext4. It runs a
dozen web-app containers of two images, and a PostgreSQL container that writes its 30 GB
database inside the container's own filesystem. A colleague proposes to reformat the disk as
btrfs "because btrfs copies only the changed blocks, so the database will take less space", and
another asks whether devicemapper would be safer.

Which storage driver should the server use, and what should they change instead? Defend your
answer with what this chapter measured (4–8 sentences).
""", locked("ex3_prompt"))

md("""
Keep **overlay2** (or, on a fresh Engine 29 install, its successor the containerd `overlayfs`
snapshotter, which copies files the same way). The disk is ext4, which overlay2 supports as is;
btrfs would mean reformatting the whole disk, loses the page-cache sharing that a dozen
containers of the same two images benefit from, and gains nothing for the image layers, which
cost the same on every driver. devicemapper is not an option: it was removed in Docker Engine
25. The real problem is the database: in the writable layer it is tied to the container (gone
with `docker rm`), and on overlay2 the first write to an image file copies it whole. btrfs would
indeed write only the changed blocks, but the right fix is to put the database in a **volume**
(`-v pgdata:/var/lib/postgresql/data`), which bypasses the storage driver, performs like the
host's disk and survives the container.

**Mark scheme (2 points):** 1 point for choosing overlay2 (or the containerd `overlayfs`
snapshotter) with at least one valid reason from the chapter (runs on the existing ext4, shared
page cache, image layers cost the same everywhere, most tested default) and rejecting
devicemapper because it was removed in Engine 25; 1 point for saying the database belongs in a
volume (or bind mount), with a reason (it bypasses the storage driver / copy-on-write, or it
survives the container). An answer that recommends btrfs only for its block-level copy-on-write
gets no first point.
""", written("ex3_answer", 2))

# ---------------------------------------------------------------------------------------------
md("""
## Key takeaways

* The **storage driver** stores the layers and stacks them for each container; `docker info
  --format '{{.Driver}}'` names it, and `DriverStatus` says how it is set up.
* **overlay2** keeps each layer in `/var/lib/docker/overlay2/<cache id>/diff`; `link`, `lower`
  and the `l/` short links keep the mount options short; a container's image may have at most
  127 layers (128 lower directories with the init layer).
* Every driver shows a container the same files, and `docker ps -s` reports the same **logical**
  SIZE on all of them (the containerd store counts blocks). The bytes on **disk** differ:
  overlay2 copies whole files, btrfs and zfs only the blocks or records a write touches, vfs
  copies everything up front.
* **devicemapper was removed in Engine 25**; fresh **Engine 29** installs use the containerd
  `overlayfs` snapshotter, the same copy-up under new bookkeeping.
* Use **overlay2** unless you have a specific reason not to, and keep big, often-changed files in
  **volumes**, not in the writable layer.

**Save, check, submit.** Save with **Ctrl+S** (File → Save Notebook). Before you submit, run every
cell once more from the top (Run → Run All Cells): each exercise's check cell says whether your answer
has the right form. Then check your work with `autograder check` on this notebook in a terminal, and
submit the saved `.ipynb` the way your course says (see the course README).

**Next:** [Chapter 4 · Exploring the container filesystem](04-exploring-filesystems.ipynb) — the
commands that show what is inside each layer and what a container changed.
""")


def build() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    n_md = n_code = 0
    for kind, src, nbg in CELLS:
        if kind == "markdown":
            cell = nbformat.v4.new_markdown_cell(src)
            n_md += 1
            cell.id = f"md-{n_md:02d}"
        else:
            cell = nbformat.v4.new_code_cell(src)
            n_code += 1
            cell.id = f"code-{n_code:02d}"
        if nbg:
            cell.metadata["nbgrader"] = nbg
        nb.cells.append(cell)
    return nb


def main() -> None:
    nb = build()
    if OUT.exists():   # keep stored outputs of unchanged code cells until the refresh
        old = nbformat.read(OUT, as_version=4)
        by_id = {c.get("id"): c for c in old.cells}
        for c in nb.cells:
            prev = by_id.get(c.id)
            if c.cell_type == "code" and prev is not None and prev.source == c.source:
                c.outputs, c.execution_count = prev.outputs, prev.execution_count
        nb.metadata = old.metadata | {"kernelspec": nb.metadata["kernelspec"]}
    nbformat.validate(nb)
    nbformat.write(nb, OUT)
    print(f"wrote {OUT} ({len(nb.cells)} cells)")


if __name__ == "__main__":
    main()
