"""fuse-overlayfs: overlay semantics in a FUSE daemon (rootless Docker on kernels before 5.11).
"""
from __future__ import annotations

from ..fs.layer import Layer
from ..fs.rootfs import RootFS
from .base import Capabilities, StorageDriver
from .overlay2 import Overlay2


class FuseOverlayfs(Overlay2):
    """fuse-overlayfs: overlay semantics in a FUSE daemon, for rootless Docker on kernels
    before 5.11. Always the naive diff, so sizes are ChangesSize and tar hdr.Size sums."""

    name = "fuse-overlayfs"
    capabilities = Capabilities("file", native_diff=False, max_depth=128, size_rule="changes",
                                status="supported", status_note="only needed for rootless on kernels < 5.11")

    def status(self):
        return None

    def layer_size(self, layer: Layer) -> int:
        return layer.tar_entries_size

    def size_rw(self, fs: RootFS) -> int:
        return StorageDriver.size_rw(self, fs)

    def diff_size(self, key: str) -> int:
        return StorageDriver.diff_size(self, key)

    def changes(self, key: str):
        return StorageDriver.changes(self, key)
