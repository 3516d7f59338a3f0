"""vfs: no copy-on-write at all; every layer is a full copy of its parent.
"""
from __future__ import annotations

from typing import Iterable, Sequence

from ..fs.layer import Layer
from ..fs.rootfs import FlatTree, MergedView, RootFS
from .base import (Capabilities, MountSpec, SnapshotRootFS, StorageDriver, container_fs,
                   image_layers, naive_changes)
from .physical import tree_du


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
        return naive_changes(self.fs(key), self._parent_view(snap))

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
