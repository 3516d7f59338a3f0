"""btrfs: every layer a subvolume snapshot of its parent; copy-on-write in 4 KiB extents.
"""
from __future__ import annotations

from .base import Capabilities, MountSpec
from .extents import KiB, ExtentDriver


class Btrfs(ExtentDriver):
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
