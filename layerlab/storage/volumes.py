"""Volumes: docker's ``local`` volume driver and its volume store.

Facts (docs/docker-storage-facts.md §8.1, moby daemon/volume/{local,service}, and
tests/oracle/OBSERVED.md "(g)"):

* data lives at ``/var/lib/docker/volumes/<name>/_data``; ``docker volume create`` with no name,
  ``-v /path`` and an image ``VOLUME`` make an *anonymous* volume: a random 64-hex name and the
  label ``com.docker.volume.anonymous=""``;
* names match ``[a-zA-Z0-9][a-zA-Z0-9_.-]+``; a one-character name fails with ``create x: volume
  name is too short, names should be at least two alphanumeric characters``, bad characters with
  ``create <n>: "<n>" includes invalid characters for a local volume name, only
  "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute
  path``; creating an existing name again returns the same volume;
* the store counts references: a volume used by any container (running or not) cannot be removed:
  ``remove <name>: volume is in use - [<id>, <id>]``; a missing one: ``get <name>: no such volume``;
* ``volume prune`` removes unused *anonymous* volumes (Docker >= 23; ``all=True`` also removes
  unused named ones). **Engine 20.10 prunes named volumes too** — a listed difference;
* sizes (``system df``) are ``directory.Size(_data)``: apparent bytes of non-directories, hard
  links once, directories 0. Volumes with driver options are skipped by df and prune.

>>> from layerlab.clock import Clock, IdGenerator
>>> store = VolumeStore(Clock(), IdGenerator(0))
>>> store.create("data").mountpoint
'/var/lib/docker/volumes/data/_data'
>>> store.create("x")
Traceback (most recent call last):
...
layerlab.errors.InvalidParameter: create x: volume name is too short, names should be at least two alphanumeric characters
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Mapping

from ..errors import Conflict, InvalidParameter, NotFound
from .mounts import MemFS
from ..fs.tree import directory

ANONYMOUS_LABEL = "com.docker.volume.anonymous"
VOLUMES_ROOT = "/var/lib/docker/volumes"
NAME_CHARS = "[a-zA-Z0-9][a-zA-Z0-9_.-]"
_NAME_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")
_NS = 1_000_000_000


def rfc3339_seconds(ns: int) -> str:
    """Go's time.RFC3339 in UTC (what ``CreatedAt`` of a local volume shows)."""
    return datetime.fromtimestamp(ns // _NS, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def validate_name(name: str) -> None:
    """moby local.Root.validateName, wrapped in the store's ``create <name>:`` OpErr."""
    if len(name) == 1:
        raise InvalidParameter(f"create {name}: volume name is too short, names should be at least "
                               f"two alphanumeric characters")
    if not _NAME_RE.match(name):
        raise InvalidParameter(f'create {name}: "{name}" includes invalid characters for a local volume '
                               f'name, only "{NAME_CHARS}" are allowed. If you intended to pass a host '
                               f'directory, use absolute path')


@dataclass(eq=False)
class Volume:
    name: str
    created: int
    fs: MemFS
    labels: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    driver: str = "local"

    @property
    def mountpoint(self) -> str:
        return f"{VOLUMES_ROOT}/{self.name}/_data"

    @property
    def anonymous(self) -> bool:
        return ANONYMOUS_LABEL in self.labels

    @property
    def size(self) -> int:
        """directory.Size(_data): what ``system df`` and ``volume prune`` report."""
        return self.fs.data_size()

    def to_json(self) -> dict:
        """``docker volume inspect`` (one element of its JSON array)."""
        return {
            "CreatedAt": rfc3339_seconds(self.created),
            "Driver": self.driver,
            "Labels": dict(sorted(self.labels.items())) if self.labels else None,
            "Mountpoint": self.mountpoint,
            "Name": self.name,
            "Options": dict(self.options) if self.options else None,
            "Scope": "local",
        }

    def __repr__(self) -> str:
        return f"<Volume {self.name} {self.size}B>"


class VolumeStore:
    """The daemon's volume store: local volumes plus reference counts (container IDs)."""

    def __init__(self, clock: Callable[[], int], ids, root_clock: Callable[[], int] | None = None):
        self.clock = clock
        self.ids = ids
        self.volumes: dict[str, Volume] = {}
        self.refs: dict[str, list[str]] = {}

    # ------------------------------------------------------------------ create / get
    def create(self, name: str | None = None, *, driver: str = "local",
               labels: Mapping[str, str] | None = None, options: Mapping[str, str] | None = None) -> Volume:
        """``docker volume create [name]``. No name = anonymous (random name and label)."""
        labels = dict(labels or {})
        if not name:
            name = self.ids.hex64()
            labels[ANONYMOUS_LABEL] = ""
        if name in self.volumes:
            vol = self.volumes[name]
            if driver != vol.driver:
                raise Conflict(f"create {name}: volume name must be unique", operation="volume create", names=(name,))
            return vol
        if driver != "local":
            raise NotFound(f'create {name}: error looking up volume plugin {driver}: plugin "{driver}" not found')
        validate_name(name)
        now = self.clock()
        vol = Volume(name, now, MemFS(directory(0o755, mtime=now), clock=self.clock), labels,
                     dict(options or {}), driver)
        self.volumes[name] = vol
        return vol

    def get(self, name: str, op: str = "get") -> Volume:
        vol = self.volumes.get(name)
        if vol is None:
            raise NotFound(f"{op} {name}: no such volume", operation=f"volume {op}", names=(name,))
        return vol

    def __contains__(self, name: str) -> bool:
        return name in self.volumes

    def list(self) -> list[Volume]:
        """All volumes, sorted by name (``docker volume ls`` order)."""
        return [self.volumes[n] for n in sorted(self.volumes)]

    # ------------------------------------------------------------------ references
    def acquire(self, name: str, ref: str) -> None:
        refs = self.refs.setdefault(name, [])
        if ref not in refs:
            refs.append(ref)

    def release(self, name: str, ref: str) -> None:
        refs = self.refs.get(name, [])
        if ref in refs:
            refs.remove(ref)
        if not refs:
            self.refs.pop(name, None)

    def ref_count(self, name: str) -> int:
        return len(self.refs.get(name, ()))

    def in_use(self, name: str) -> bool:
        return bool(self.refs.get(name))

    # ------------------------------------------------------------------ remove / prune
    def remove(self, name: str, force: bool = False) -> str:
        """``docker volume rm``: refused while any container references the volume
        (``-f`` only silences a missing volume)."""
        vol = self.volumes.get(name)
        if vol is None:
            if force:
                return name
            raise NotFound(f"get {name}: no such volume", operation="volume rm", names=(name,))
        refs = self.refs.get(name)
        if refs:
            raise Conflict(f"remove {name}: volume is in use - [{', '.join(refs)}]", operation="volume rm",
                           names=(name, *refs))
        del self.volumes[name]
        return name

    def prune(self, all: bool = False, labels: Mapping[str, str] | None = None) -> dict:
        """``docker volume prune``: unused local volumes without driver options; anonymous ones
        only unless ``all``. Returns the API's PruneReport."""
        deleted: list[str] = []
        reclaimed = 0
        for vol in self.list():
            if vol.driver != "local" or vol.options or self.in_use(vol.name):
                continue
            if not all and not vol.anonymous:
                continue
            if labels and any(vol.labels.get(k) != v for k, v in labels.items()):
                continue
            reclaimed += vol.size
            del self.volumes[vol.name]
            deleted.append(vol.name)
        return {"VolumesDeleted": deleted, "SpaceReclaimed": reclaimed}

    # ------------------------------------------------------------------ sizes
    def usage(self) -> list[dict]:
        """``system df`` rows: the API's Volume objects with UsageData (local, no options)."""
        out = []
        for vol in self.list():
            if vol.driver != "local" or vol.options:
                continue
            doc = vol.to_json()
            doc["UsageData"] = {"RefCount": self.ref_count(vol.name), "Size": vol.size}
            out.append(doc)
        return out
