"""What the snapshot-based drivers share: vfs (full copies), btrfs (4 KiB extents), zfs (128 KiB records) and
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

from ..fs.layer import Layer
from ..fs.rootfs import FlatTree, RootFS
from ..fs.tree import FILE
from .base import (SnapshotRootFS, StorageDriver, container_fs,
                   image_layers)
from .physical import ExtentModel, Ref, btrfs_du


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


class ExtentDriver(StorageDriver):
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
