"""zfs: every layer a clone of its parent's snapshot; copy-on-write in 128 KiB records.
"""
from __future__ import annotations

from typing import Sequence

from .base import Capabilities, MountSpec
from .extents import KiB, ExtentDriver


class Zfs(ExtentDriver):
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
