"""Storage drivers behind one protocol (see :mod:`layerlab.drivers.base`).

>>> from layerlab import drivers
>>> drivers.available()
['btrfs', 'devicemapper', 'fuse-overlayfs', 'overlay2', 'overlayfs', 'vfs', 'zfs']
>>> drivers.get("devicemapper").capabilities.status
'removed'
>>> drivers.get("aufs")
Traceback (most recent call last):
...
layerlab.drivers.DriverNotSupported: driver not supported: aufs
"""
from __future__ import annotations

from types import MappingProxyType

from ..errors import NotSupported
from .base import (Capabilities, Kind, MountSpec, NaiveDiff, SnapshotInfo, SnapshotRootFS,
                   StorageDriver, Usage, changes_size, naive_changes)
from .btrfs import Btrfs
from .devicemapper import Devicemapper
from .fuse_overlayfs import FuseOverlayfs
from .overlay2 import Overlay2
from .overlayfs import ContainerdOverlayfs
from .vfs import Vfs
from .zfs import Zfs

# moby daemon/graphdriver/driver_linux.go: the order tried when nothing is configured.
PRIORITY = ("overlay2", "fuse-overlayfs", "btrfs", "zfs", "vfs")

# Removed from the Engine, with the release that removed them (docker/cli deprecated-features list).
REMOVED = {"aufs": "24.0", "overlay": "24.0", "devicemapper": "25.0"}


class DriverNotSupported(NotSupported):
    pass


_registry: dict[str, type[StorageDriver]] = {}
registry = MappingProxyType(_registry)


def register(cls: type[StorageDriver]) -> type[StorageDriver]:
    if cls.name in _registry:
        raise ValueError(f"storage driver {cls.name!r} is already registered")
    _registry[cls.name] = cls
    return cls


def get(name: str) -> type[StorageDriver]:
    cls = _registry.get(name)
    if cls is None:
        raise DriverNotSupported(f"driver not supported: {name}")
    return cls


def available() -> list[str]:
    return sorted(_registry)


def create(name: str, *, clock=None, ids=None, allow_removed: bool = False) -> StorageDriver:
    """A driver instance for an Engine, refusing removed drivers unless ``allow_removed``."""
    cls = get(name)
    if cls.capabilities.status == "removed" and not allow_removed:
        raise DriverNotSupported(
            f"error initializing graphdriver: driver not supported: {name} (the {name} storage driver "
            f"was {cls.capabilities.status_note}; see https://docs.docker.com/go/storage-driver/ - "
            f"pass allow_removed_drivers=True to model it for teaching)")
    return cls(clock=clock, ids=ids)


for _cls in (Overlay2, FuseOverlayfs, ContainerdOverlayfs, Btrfs, Zfs, Vfs, Devicemapper):
    register(_cls)

__all__ = ["Capabilities", "Kind", "MountSpec", "SnapshotInfo", "Usage", "StorageDriver", "NaiveDiff",
           "SnapshotRootFS", "changes_size", "naive_changes", "Overlay2", "FuseOverlayfs",
           "ContainerdOverlayfs", "Btrfs", "Zfs", "Vfs", "Devicemapper", "register", "get", "available",
           "create", "registry", "PRIORITY", "REMOVED", "DriverNotSupported"]
