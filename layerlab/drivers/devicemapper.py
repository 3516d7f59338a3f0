"""devicemapper: thin-pool snapshot devices, 64 KiB blocks; removed in Engine 25.
"""
from __future__ import annotations

from typing import Sequence

from .base import Capabilities, MountSpec
from .physical import ExtentModel

from .extents import KiB, ExtentDriver


class Devicemapper(ExtentDriver):
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
