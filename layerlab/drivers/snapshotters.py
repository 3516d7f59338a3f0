"""Snapshot-based drivers: vfs (full copies), btrfs (4 KiB extents), zfs (128 KiB records) and
devicemapper (64 KiB thin-pool blocks; removed in Engine 25).

Each layer is a copy (vfs) or a snapshot/clone (btrfs, zfs, devicemapper) of its parent with the
layer tar applied; a container is a copy or snapshot of its ``-init`` layer. All four use moby's
naive diff: ``docker diff`` compares trees, SizeRw is ChangesSize of the A/C entries (so ``: >>
big`` is 0B here but 1.05MB on overlay2), and a layer's size is the sum of its tar headers'
sizes (bb:1 is 3030960 here, 3031200 on overlay2: symlink targets do not count). A file keeps its
inode when written, so a lower hard-linked pair stays linked (``C hl1, C hl2``).

What differs is the physical cost of a write: vfs has already paid a full copy of the parent
for every layer and container (two per container: ``-init`` and the container); the others
allocate only the copy-on-write units a write touches.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Iterable, Sequence

from ..layer import Layer
from ..rootfs import FlatTree, MergedView, RootFS
from ..tree import FILE
from .base import (Capabilities, MountSpec, SnapshotRootFS, StorageDriver, container_fs,
                   image_layers, naive_changes)
from .physical import ExtentModel, Ref, btrfs_du, tree_du

KiB = 1024


@dataclass(frozen=True, slots=True)
class FileRec:
    ino: object
    refs: tuple[Ref, ...]
    content: object


def _dir_prefixes(m: dict) -> set:
    """Every directory that holds a path of ``m`` (``/a/b/c`` -> ``/a``, ``/a/b``)."""
    out: set = set()
    for p in m:
        i = p.rfind("/")
        while i > 0:
            q = p[:i]
            if q in out:
                break
            out.add(q)
            i = p.rfind("/", 0, i)
    return out


def _drop(m: dict, path: str, under_only: bool = False) -> None:
    if not under_only:
        m.pop(path, None)
    prefix = path.rstrip("/") + "/"
    for p in [p for p in m if p.startswith(prefix)]:
        del m[p]


class _ExtentDriver(StorageDriver):
    """A driver whose snapshots share copy-on-write extents."""

    rootfs_class = SnapshotRootFS
    unit_size: ClassVar[int] = 4 * KiB
    inline_max: ClassVar[int] = 0
    whole_file_below: ClassVar[int] = 0

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.model = self.new_model()
        self._maps: dict[str, dict] = {}

    def unit(self, size: int) -> int:
        return self.unit_size

    def _held(self, model: ExtentModel, ids=None) -> int:
        """Bytes the store holds for these extents (all of the model's by default)."""
        return sum(model.extents[e] for e in (ids if ids is not None else model.extents))

    alloc_unit: ClassVar[int] = 0

    def new_model(self) -> ExtentModel:
        return ExtentModel(self.unit, self.inline_max, self.whole_file_below, alloc_unit=self.alloc_unit)

    # -- building extent maps ------------------------------------------------
    @staticmethod
    def apply_layer(model: ExtentModel, parent: dict, layer: Layer, tag: object) -> dict:
        """Applying a layer tar in a new snapshot: deleted names go, listed files are written
        whole (new extents), everything else stays shared with the parent."""
        model.group = tag
        m = dict(parent)
        for d in layer.opaques:
            _drop(m, d, under_only=True)
        for w in layer.whiteouts:
            _drop(m, w)
        links: dict[int, FileRec] = {}
        dirs = None                        # directories of m, to skip the scan of _drop
        for path, node in layer.entries.items():
            if node.kind != FILE:
                if path in m:
                    _drop(m, path)
                continue
            if path not in m:
                if dirs is None:
                    dirs = _dir_prefixes(m)
                if path in dirs:           # a directory of the parent became a file
                    _drop(m, path, under_only=True)
            if node.ino and node.ino in links:
                m[path] = links[node.ino]
                continue
            rec = FileRec((tag, node.ino or path), model.new_file(node.content), node.content)
            if node.ino:
                links[node.ino] = rec
            m[path] = rec
        return m

    @staticmethod
    def apply_writes(model: ExtentModel, parent: dict, fs: RootFS, tag: object) -> dict:
        """Writes in an active snapshot: only the units a write touched get new extents."""
        model.group = tag
        m = dict(parent)
        up = fs.upper
        for w in up.whiteouts:
            _drop(m, w)
        for d in up.opaques:
            _drop(m, d, under_only=True)
        done: dict[int, FileRec] = {}
        for path in sorted(up.entries):
            node = up.entries[path]
            if node.kind != FILE:
                old = m.get(path)
                if old is not None:
                    _drop(m, path)
                continue
            if node.ino and node.ino in done:
                m[path] = done[node.ino]
                continue
            old = parent.get(path)
            lower = fs.lower.lookup(path)
            if old is not None and lower is not None and lower.kind == FILE:
                if node.content == old.content:
                    rec = old
                else:
                    rec = FileRec(old.ino, model.modify(old.refs, old.content, node.content), node.content)
            else:
                rec = FileRec((tag, node.ino or path), model.new_file(node.content), node.content)
            if node.ino:
                done[node.ino] = rec
            m[path] = rec
        return m

    def snapshot_map(self, key: str, model: ExtentModel | None = None) -> dict:
        """path -> FileRec for every file visible in snapshot ``key`` (driver's own store).
        Committed snapshots keep the extents they had when committed; an active snapshot's map
        is computed on demand (in ``model``, a scratch copy, so nothing accumulates)."""
        if key in self._maps:
            return self._maps[key]
        snap = self._snap(key)
        if snap.layer is not None:
            parent = self.snapshot_map(snap.parent) if snap.parent is not None else {}
            m = self.apply_layer(self.model, parent, snap.layer, key)
            self._maps[key] = m
            return m
        model = model if model is not None else self._scratch()
        parent = self.snapshot_map(snap.parent, model) if snap.parent is not None else {}
        return self.apply_writes(model, parent, snap.fs, key)

    def _scratch(self) -> ExtentModel:
        scratch = self.new_model()
        scratch.extents = dict(self.model.extents)
        return scratch

    def commit(self, name: str, key: str) -> None:
        m = self.snapshot_map(key, self.model)       # the committed snapshot keeps its blocks
        super().commit(name, key)
        self._maps[name] = m

    def remove(self, key: str) -> None:
        super().remove(key)
        self._maps.pop(key, None)

    def du(self, keys: Sequence[str] | None = None) -> dict:
        """Predicted ``btrfs filesystem du -s`` rows (:class:`DuRow`: total, exclusive, set
        shared) for snapshots of this driver's store; every snapshot counts as a user of its
        extents, as on disk, even when it is not in ``keys``."""
        scratch = self._scratch()
        snaps = {}
        for k in self.snapshots:
            files = {}
            for rec in self.snapshot_map(k, scratch).values():
                files[rec.ino] = rec.refs
            snaps[k] = files
        rows = btrfs_du(snaps)
        return {k: rows[k] for k in (keys if keys is not None else list(self.snapshots))}

    def physical_bytes(self) -> int:
        """Bytes of data extents the driver's own snapshots hold (bookends included)."""
        scratch = self._scratch()
        used: set[int] = set()
        for k in self.snapshots:
            for rec in self.snapshot_map(k, scratch).values():
                used.update(r.extent for r in rec.refs)
        return self._held(scratch, used)

    # -- the Engine's images and containers -----------------------------------
    def _usage_model(self, images: Iterable, containers: Iterable) -> ExtentModel:
        model = self.new_model()
        chains: dict[tuple, dict] = {}

        def chain_map(layers) -> dict:
            key: tuple = ()
            m: dict = {}
            for layer in layers:
                key = key + (id(layer),)
                if key not in chains:
                    chains[key] = self.apply_layer(model, m, layer, key)
                m = chains[key]
            return m

        for img in images:
            chain_map(image_layers(img))
        for c in containers:
            fs = container_fs(c)
            base = chain_map(c.image.layers) if hasattr(c, "image") else {}
            self.apply_writes(model, base, fs, ("ctr", id(fs)))
        return model

    def physical_usage(self, images: Iterable = (), containers: Iterable = ()) -> int:
        return self._held(self._usage_model(images, containers))

    def physical_layers(self, layers: Sequence[Layer], only_top: bool = False) -> int:
        model = self.new_model()
        m: dict = {}
        own = 0
        for layer in reversed(list(layers)):
            before = self._held(model)
            m = self.apply_layer(model, m, layer, id(layer))
            own = self._held(model) - before
        return own if only_top else self._held(model)

    def physical_container(self, fs: RootFS) -> int:
        model = self.new_model()
        base: dict = {}
        for lvl in reversed(fs.lower.levels):
            if isinstance(lvl, (Layer, FlatTree)):
                base = self.apply_layer(model, base, lvl, id(lvl)) if isinstance(lvl, Layer) else \
                    self.apply_layer(model, base, Layer(dict(lvl.entries)), id(lvl))
        before = self._held(model)
        self.apply_writes(model, base, fs, "ctr")
        return self._held(model) - before


class Btrfs(_ExtentDriver):
    """btrfs: base layer = subvolume, every other layer and container = a snapshot of its
    parent; block-level CoW (4 KiB); files up to 2 KiB are stored inline in metadata."""

    name = "btrfs"
    capabilities = Capabilities("block", block_size=4 * KiB, keeps_hardlinks=True)
    unit_size = 4 * KiB
    inline_max = 2048   # max_inline default (btrfs >= 4.6)

    def status(self):
        return [["Build Version", "Btrfs v6.2"], ["Library Version", "102"]]

    def mounts(self, key: str) -> MountSpec:
        return MountSpec("bind", f"{self.root}/btrfs/subvolumes/{self.cache_id(key)}", ("rbind",))


class Zfs(_ExtentDriver):
    """zfs: base layer = a filesystem, each child = a clone of a snapshot of its parent;
    copy-on-write per record (128 KiB by default; a file smaller than one record is one block,
    rewritten whole)."""

    name = "zfs"
    capabilities = Capabilities("block", block_size=128 * KiB, keeps_hardlinks=True)
    recordsize = 128 * KiB
    whole_file_below = 128 * KiB
    pool = "zpool-docker"

    def unit(self, size: int) -> int:
        if size > self.recordsize:
            return self.recordsize
        return max(512 * 8, -(-size // 4096) * 4096)   # ashift=12: one block of the file's size

    def status(self):
        return [["Zpool", self.pool], ["Zpool Health", "ONLINE"], ["Parent Dataset", f"{self.pool}/docker"],
                ["Space Used By Parent", "0"], ["Space Available", "0"], ["Parent Quota", "no"],
                ["Compression", "off"]]

    def graph_data(self, layer_keys: Sequence[str], container: str | None = None) -> dict | None:
        cid = self.cache_id(container if container is not None else layer_keys[-1])
        return {"Dataset": f"{self.pool}/docker/{cid}", "Mountpoint": f"{self.root}/zfs/graph/{cid}"}

    def mounts(self, key: str) -> MountSpec:
        cid = self.cache_id(key)
        return MountSpec("zfs", f"{self.pool}/docker/{cid}", ("rw",), {"Dataset": f"{self.pool}/docker/{cid}"})


class Devicemapper(_ExtentDriver):
    """devicemapper (direct-lvm / loop-lvm thin pool): every layer is a thin snapshot device
    with its own filesystem; copy-on-write in 64 KiB pool blocks (a write into shared data copies
    the whole 64 KiB block; new files pack into the filesystem's 4 KiB blocks - not measured
    against a real thin pool). Deprecated in 18.09, disabled
    by default in 23.0 and **removed in Engine 25.0**: usable here for teaching only."""

    name = "devicemapper"
    capabilities = Capabilities("block", block_size=64 * KiB, keeps_hardlinks=True, status="removed",
                                status_note="deprecated in Docker 18.09, removed in Docker Engine 25.0")
    unit_size = 64 * KiB
    alloc_unit = 4 * KiB     # the filesystem inside the thin device packs new files in 4 KiB blocks
    base_device_size = 10 * 1024 ** 3

    def _held(self, model: ExtentModel, ids=None) -> int:
        return model.pool_bytes(self.unit_size, ids)

    def status(self):
        return [["Pool Name", "docker-thinpool"], ["Pool Blocksize", "65.54kB"],
                ["Base Device Size", "10.74GB"], ["Backing Filesystem", "xfs"],
                ["Udev Sync Supported", "true"], ["Deferred Removal Enabled", "true"],
                ["Deferred Deletion Enabled", "true"], ["Library Version", "1.02.185 (2022-05-18)"]]

    def graph_data(self, layer_keys: Sequence[str], container: str | None = None) -> dict | None:
        key = container if container is not None else layer_keys[-1]
        cid = self.cache_id(key)
        # a thin device's ID is the pool's next free number when the layer's device is made
        devices = self.__dict__.setdefault("_devices", {})
        dev = devices.setdefault(cid, len(devices) + 1)
        return {"DeviceId": str(dev), "DeviceName": f"docker-253:0-1048577-{cid}",
                "DeviceSize": str(self.base_device_size)}

    def mounts(self, key: str) -> MountSpec:
        cid = self.cache_id(key)
        return MountSpec("xfs", f"/dev/mapper/docker-253:0-1048577-{cid}", ("nouuid",),
                         self.graph_data([key]))


class Vfs(StorageDriver):
    """vfs: no copy-on-write at all. Every layer directory is a deep copy of its parent plus the
    layer, and every container costs two more full copies (``-init`` and the container). Works
    on any filesystem; the oracle the other drivers' merged views are checked against."""

    name = "vfs"
    capabilities = Capabilities("none", keeps_hardlinks=True)
    rootfs_class = SnapshotRootFS

    def mounts(self, key: str) -> MountSpec:
        return MountSpec("bind", f"{self.root}/vfs/dir/{self.cache_id(key)}", ("rbind",))

    def changes(self, key: str):
        """The oracle's diff: the full two-tree comparison (moby ChangesDirs), never a shortcut."""
        snap = self._snap(key)
        if snap.layer is None:
            return naive_changes(snap.fs, snap.fs.lower)
        return naive_changes(snap.fs, self._parent_view(snap))

    def physical_layers(self, layers: Sequence[Layer], only_top: bool = False) -> int:
        layers = list(layers)[::-1]
        total, cur = 0, None
        for layer in layers:
            cur = FlatTree.of([layer], cur)
            total = tree_du(MergedView([cur])) if only_top else total + tree_du(MergedView([cur]))
        return total

    def physical_container(self, fs: RootFS) -> int:
        return tree_du(fs.lower) + tree_du(fs)

    def physical_usage(self, images: Iterable = (), containers: Iterable = ()) -> int:
        seen: dict[tuple, FlatTree] = {}
        total = 0

        def chain(layers):
            nonlocal total
            key: tuple = ()
            cur = None
            for layer in layers:
                key = key + (id(layer),)
                if key not in seen:
                    seen[key] = FlatTree.of([layer], cur)
                    total += tree_du(MergedView([seen[key]]))
                cur = seen[key]

        for img in images:
            chain(image_layers(img))
        for c in containers:
            if hasattr(c, "image"):
                chain(c.image.layers)
            total += self.physical_container(container_fs(c))
        return total
