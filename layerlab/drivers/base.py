"""The storage-driver protocol: containerd's snapshot verbs, moby's diff methods, and the facts
each driver carries as data.

**Model.** A driver stores *snapshots*. A committed snapshot is a read-only layer (an image
layer, named by its chain ID in the engine); an active snapshot is writable (a container's
layer) and sits on a committed parent; a view is a read-only active snapshot that can never be
committed. What a snapshot looks like — the merged view — is the same for every driver (vfs is
the oracle the conformance suite checks the others against); what differs is the *cost*: what
a write copies (the copy-on-write unit), how sizes are reported, what the backing store really
holds, and the on-disk layout inspect shows.

**Lifecycle.** ``prepare(key, parent)`` makes an active snapshot and returns its mounts;
``commit(name, key)`` freezes it into the committed ``name`` (``key`` disappears);
``view(key, parent)`` gives a read-only active snapshot; ``remove(key)`` deletes a snapshot that
has no children. ``usage(key)`` is the snapshot's own size (excluding parents: ``docker ps -s``
SIZE); ``mounts(key)`` is the driver-specific, inspectable part (GraphDriver data). Two verbs
come from moby's graphdriver instead: ``apply(name, parent, layer)`` registers a layer that
arrives whole (a pull, a load, a build step: moby ``layerStore.Register`` -> ``ApplyDiff``), and
``diff(key)`` is an active snapshot's changes as a layer, the snapshot kept (``docker commit``:
moby ``Driver.Diff``).

**The Engine's path.** These verbs are the only way the Engine changes storage (see
:meth:`layerlab.engine.Engine.create`): an image's layers are applied under their chain IDs;
``docker create`` prepares ``<id>-init-active`` on the image's top layer, writes the init layer
into it, commits it as ``<id>-init`` and prepares the container's writable layer ``<id>`` on
that; ``docker commit`` is ``diff`` then ``apply``; ``docker rm`` removes ``<id>`` and
``<id>-init``; ``docker rmi`` removes the layers no image or container uses any more.

**Glossary.** *key* names an active snapshot, *name* a committed one, *parent* is always
committed.

Scenarios::

    >>> from layerlab.drivers import get
    >>> d = get("vfs")()
    >>> _ = d.prepare("base-active")
    >>> d.fs("base-active").write("/f", b"hello")
    '/f'
    >>> d.commit("base", "base-active")
    >>> _ = d.prepare("ctr", "base")
    >>> d.fs("ctr").write("/f", b"hello world", append=False)
    '/f'
    >>> [str(c) for c in d.changes("ctr")]
    ['C /f']
    >>> d.usage("ctr").size
    11
    >>> d.remove("base")
    Traceback (most recent call last):
    ...
    layerlab.errors.Conflict: cannot remove snapshot base: it has 1 child(ren)
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum
from typing import ClassVar, Iterable, Iterator, Literal, Mapping, Sequence

from ..fs import changes as _changes
from ..errors import Conflict, NotFound
from ..fs.layer import Layer
from ..fs.rootfs import Found, MergedView, RootFS
from ..fs.tree import DIR, FILE, Node, join, unique_inodes


class Kind(Enum):
    VIEW = "view"
    ACTIVE = "active"
    COMMITTED = "committed"


@dataclass(frozen=True, slots=True)
class Capabilities:
    """A driver's facts (docs/docker-storage-facts.md §2.4, §6.3)."""

    cow_unit: Literal["file", "block", "none"]   # overlay: whole-file copy-up; btrfs/zfs/dm: blocks; vfs: full copy
    block_size: int | None = None                # btrfs 4 KiB, zfs 128 KiB records, devicemapper 64 KiB
    native_diff: bool = False                    # changes() without comparing two whole trees
    max_depth: int | None = None                 # overlay2: 128 lower dirs per mount
    status: Literal["supported", "deprecated", "removed"] = "supported"
    status_note: str = ""
    size_rule: Literal["apparent-upper", "changes", "blocks"] = "changes"
    keeps_hardlinks: bool = False                # does a write keep a lower hard-linked pair linked?


@dataclass(frozen=True)
class MountSpec:
    """How a snapshot is mounted: the driver-specific, inspectable part."""

    type: str
    source: str
    options: tuple[str, ...] = ()
    data: Mapping[str, str] | None = None        # GraphDriver.Data as inspect shows it


@dataclass(frozen=True)
class SnapshotInfo:
    key: str
    kind: Kind
    parent: str | None


@dataclass(frozen=True)
class Usage:
    size: int          # the size docker reports for this snapshot alone (SizeRw / layer size)
    inodes: int        # entries in the snapshot's own level
    physical: int = 0  # bytes this snapshot's own data occupies in the backing store


@dataclass(eq=False, slots=True)
class Snapshot:
    """One snapshot, as small as it can be: an Engine keeps one per image layer and two per
    container in its saved state. A committed snapshot stores only its own layer; the levels
    below it come from its parent chain (:meth:`StorageDriver._lowers`), unless it was prepared
    on a flattened ``lower``, which it keeps."""

    key: str
    kind: Kind
    parent: str | None
    fs: RootFS | None = None         # active snapshots and views: their files
    layer: Layer | None = None       # committed: this snapshot's own changeset
    lower: object = None             # the flattened level it was prepared on, if any


INIT_SUFFIX = "-init"            # moby: a container's init layer is ``<id>-init``
ACTIVE_SUFFIX = "-active"        # the key the init layer is written under before its commit


def init_keys(container_key: str) -> tuple[str, str]:
    """(the key the init layer is prepared under, the name it is committed as)."""
    name = container_key + INIT_SUFFIX
    return name + ACTIVE_SUFFIX, name


class SnapshotRootFS(RootFS):
    """The root filesystem of a snapshot-based driver (vfs, btrfs, zfs, devicemapper).

    A container layer there is a copy or snapshot of its parent, so an inode is the same inode
    before and after a write: a write to one name of a hard-linked pair changes every name
    (OBSERVED.md: vfs/btrfs ``C /data/hl1, C /data/hl2``; overlay2 breaks the link).
    Everything else behaves like the overlay model.
    """

    _link_index: dict

    def _lower_names(self, found: Found) -> list[str]:
        if not hasattr(self, "_link_index"):
            self._link_index = {}
        lvl = self.levels[found.level]
        idx = self._link_index.get(id(lvl))
        if idx is None:
            idx = {}
            for p, n in lvl.entries.items():
                if n.kind == FILE and n.ino:
                    idx.setdefault(n.ino, []).append(p)
            self._link_index[id(lvl)] = idx
        return [p for p in idx.get(found.node.ino, ()) if lvl.entries.get(p) == found.node]

    def _copy_up(self, path: str, found: Found) -> Node:
        if found.level == 0 or not found.node.ino or found.node.kind != FILE:
            return super()._copy_up(path, found)
        ino = self.upper.new_ino()
        node = found.node.with_(ino=ino)
        for p in self._lower_names(found) or [path]:
            if p != path and self.lookup(p) != found.node:
                continue  # that name was deleted or replaced above
            self._copy_up_dirs(p)
            self.upper.put(p, node)
        if path not in self.upper.entries:
            self._copy_up_dirs(path)
            self.upper.put(path, node)
        return node

    def _copy_up_truncated(self, path: str, found: Found) -> Node:
        if found.level != 0 and found.node.ino and found.node.kind == FILE:
            return self._copy_up(path, found)   # every name of the inode, so all are truncated
        return super()._copy_up_truncated(path, found)


def changes_size(fs: RootFS, changes: Sequence[_changes.Change] | None = None) -> int:
    """moby go-archive ChangesSize: Lstat sizes of non-directory A/C entries, inodes once."""
    if changes is None:
        changes = _changes.changes(fs)
    nodes = (fs.lookup(ch.path) for ch in changes if ch.kind != _changes.DELETED)
    return sum(n.size for n in unique_inodes(n for n in nodes if n is not None and n.kind != DIR))


def naive_changes(new: MergedView, old: MergedView) -> list[_changes.Change]:
    """The naive algorithm in full: walk both trees (moby ChangesDirs). The reference the
    native fast paths are checked against."""
    out: list[_changes.Change] = []

    def visit(path: str) -> None:
        new_names = set(new.listdir(path))
        old_names = set(old.listdir(path))
        for name in sorted(new_names):
            p = join(path, name)
            n = new.lookup(p)
            o = old.lookup(p) if name in old_names else None
            if o is None:
                out.append(_changes.Change(_changes.ADDED, p))
                if n.kind == DIR:
                    added(p)
                continue
            if n.kind == DIR and o.kind == DIR:
                mark = len(out)
                changed = _changes.stat_different(o, n)
                if changed:
                    out.append(_changes.Change(_changes.CHANGED, p))
                visit(p)
                if not changed and len(out) > mark:
                    out.insert(mark, _changes.Change(_changes.CHANGED, p))
            elif n.kind == DIR:
                out.append(_changes.Change(_changes.CHANGED, p))
                added(p)
            elif _changes.stat_different(o, n):
                out.append(_changes.Change(_changes.CHANGED, p))
        for name in sorted(old_names - new_names):
            out.append(_changes.Change(_changes.DELETED, join(path, name)))

    def added(path: str) -> None:
        for name in new.listdir(path):
            p = join(path, name)
            out.append(_changes.Change(_changes.ADDED, p))
            if new.lookup(p).kind == DIR:
                added(p)

    visit("/")
    return out


class NaiveDiff:
    """moby's NaiveDiffDriver as a mixin: changes = compare the snapshot's tree with its
    parent's; DiffSize = ChangesSize of those changes."""

    def changes(self, key: str) -> list[_changes.Change]:
        snap = self._snap(key)
        if isinstance(snap.fs, RootFS):
            return _changes.changes(snap.fs)  # same answer as naive_changes, at the cost of the change
        return naive_changes(self.fs(key), self._parent_view(snap))

    def diff_size(self, key: str) -> int:
        snap = self._snap(key)
        if isinstance(snap.fs, RootFS):
            return changes_size(snap.fs)
        return snap.layer.tar_entries_size if snap.layer is not None else 0


class StorageDriver(NaiveDiff):
    """Base class: the snapshot store and the verbs; subclasses set the facts."""

    name: ClassVar[str] = ""
    info_name: ClassVar[str] = ""                 # what ``docker info`` shows as Driver
    capabilities: ClassVar[Capabilities] = Capabilities("file")
    rootfs_class: ClassVar[type] = RootFS
    layer_store_max_depth: ClassVar[int] = 125     # moby layer store maxLayerDepth

    def __init__(self, clock=None, ids=None, root: str = "/var/lib/docker"):
        from ..clock import Clock, IdGenerator

        self.clock = clock or Clock()
        self.ids = ids or IdGenerator("driver")
        self.root = root
        self.snapshots: dict[str, Snapshot] = {}
        self._cache_ids: dict[str, str] = {}
        self._links: dict[str, str] = {}

    # ------------------------------------------------------------------ facts
    @classmethod
    def display_name(cls) -> str:
        return cls.info_name or cls.name

    def status(self) -> list[list[str]] | None:
        """``docker info`` DriverStatus."""
        return None

    def layer_size(self, layer: Layer) -> int:
        """The size the layer store records for an image layer (history SIZE)."""
        return layer.tar_entries_size

    def image_size(self, layers: Sequence[Layer]) -> int:
        return sum(self.layer_size(layer) for layer in layers)

    def size_rw(self, fs: RootFS) -> int:
        """``docker ps -s`` SizeRw of a container's root filesystem."""
        return changes_size(fs)

    # ------------------------------------------------------------------ ids and layout
    def cache_id(self, key: str) -> str:
        """The random directory name the driver uses for a layer (not its chain ID). Derived
        from the engine's seed and the key, so looking at a layout never shifts the IDs the
        engine hands out next."""
        cid = self._cache_ids.get(key)
        if cid is None and (key.endswith(INIT_SUFFIX) or key.endswith(INIT_SUFFIX + ACTIVE_SUFFIX)):
            # moby names the init layer's directory after the container's: ``<cache id>-init``
            return self.cache_id(key[:key.rindex(INIT_SUFFIX)]) + INIT_SUFFIX
        if cid is None:
            seed = getattr(self.ids, "seed", "")
            cid = hashlib.sha256(f"layerlab-cache:{seed}:{self.name}:{key}".encode()).hexdigest()
            self._cache_ids[key] = cid
        return cid

    def graph_data(self, layer_keys: Sequence[str], container: str | None = None) -> dict | None:
        """GraphDriver.Data for an image (``layer_keys`` base first) or a container on it."""
        return None

    def check_depth(self, n_layers: int) -> None:
        if n_layers > self.layer_store_max_depth:
            raise Conflict("max depth exceeded")
        if self.capabilities.max_depth is not None and n_layers + 1 > self.capabilities.max_depth:
            raise Conflict("max depth exceeded")

    def _depth(self, key: str | None) -> int:
        """How many committed snapshots ``key``'s chain holds (the lower dirs of a mount on it)."""
        n = 0
        while key is not None:
            n += 1
            key = self._snap(key).parent
        return n

    def _check_lowers(self, n_lowers: int) -> None:
        if self.capabilities.max_depth is not None and n_lowers > self.capabilities.max_depth:
            raise Conflict("max depth exceeded")

    def check_mount_depth(self, n_image_layers: int) -> None:
        """A container of an image of ``n_image_layers`` layers can be mounted: its lower dirs
        are the init layer plus every image layer (the writable layer is the upper). overlay2
        refuses more than 128 lowers: ``docker create`` of a 128-layer image fails with ``max
        depth exceeded``, 127 layers work (measured on Engine 20.10; scenario 71). The layer
        store's 125 applies when a layer is registered (the classic builder), not here."""
        self._check_lowers(n_image_layers + 1)

    # ------------------------------------------------------------------ containerd verbs
    def _snap(self, key: str) -> Snapshot:
        snap = self.snapshots.get(key)
        if snap is None:
            raise NotFound(f"snapshot {key} does not exist: not found")
        return snap

    def _parent_view(self, snap: Snapshot) -> MergedView:
        if snap.parent is None:
            return MergedView([])
        return self.fs(snap.parent)

    def _lowers(self, snap: Snapshot) -> tuple:
        """The levels below ``snap``'s own, top first: the flattened level it was prepared on,
        else its parent's layer and the parent's lowers."""
        if snap.lower is not None:
            return (snap.lower,)
        if snap.parent is None:
            return ()
        p = self._snap(snap.parent)
        return (p.layer, *self._lowers(p))

    def _lowers_of(self, parent: str | None) -> tuple:
        """The levels a snapshot prepared on ``parent`` sees below its own, top first."""
        if parent is None:
            return ()
        p = self._snap(parent)
        if p.kind != Kind.COMMITTED:
            raise Conflict(f"parent snapshot {parent} is not committed")
        return (p.layer, *self._lowers(p))

    def __contains__(self, key: str) -> bool:
        return key in self.snapshots

    def _new_active(self, key: str, parent: str | None, kind: Kind, lower=None) -> MountSpec:
        if key in self.snapshots:
            raise Conflict(f"snapshot {key} already exists")
        self._check_lowers(self._depth(parent))
        if lower is not None and parent is not None:
            self._lowers_of(parent)                  # the parent must exist and be committed
            lowers: tuple = (lower,)
        else:
            lower, lowers = None, self._lowers_of(parent)
        fs = self.rootfs_class(list(lowers), clock=self.clock, read_only=kind == Kind.VIEW)
        self.snapshots[key] = Snapshot(key, kind, parent, fs, None, lower)
        return self.mounts(key)

    def prepare(self, key: str, parent: str | None = None, *, lower=None) -> MountSpec:
        """A writable (active) snapshot on ``parent``. ``lower``: the parent chain's files
        already flattened into one level (the Engine passes an image's cached flat tree), seen
        instead of every layer of the chain: a lookup is then one dictionary lookup however
        many layers the image has. The files seen are the same either way."""
        return self._new_active(key, parent, Kind.ACTIVE, lower)

    def view(self, key: str, parent: str) -> MountSpec:
        """A read-only snapshot of ``parent``; it cannot be committed."""
        return self._new_active(key, parent, Kind.VIEW)

    def commit(self, name: str, key: str) -> None:
        snap = self._snap(key)
        if snap.kind != Kind.ACTIVE:
            raise Conflict(f"snapshot {key} is not active")
        if name in self.snapshots:
            raise Conflict(f"snapshot {name} already exists")
        layer = snap.fs.upper.freeze()
        del self.snapshots[key]
        self.snapshots[name] = Snapshot(name, Kind.COMMITTED, snap.parent, None, layer, snap.lower)
        if key in self._cache_ids:
            self._cache_ids[name] = self._cache_ids.pop(key)

    def apply(self, name: str, parent: str | None, layer: Layer) -> None:
        """Register ``layer``, which arrives whole, as the committed snapshot ``name`` on
        ``parent`` (moby ``layerStore.Register``: ``Create`` then ``ApplyDiff`` of the layer
        tar; containerd: prepare, apply, commit). The snapshot's changeset *is* ``layer`` (the
        same object: its diff_id, its size and its tar stay what the image records), so
        applying reads none of the layer's files."""
        if name in self.snapshots:
            raise Conflict(f"snapshot {name} already exists")
        self._lowers_of(parent)                      # the parent must exist and be committed
        self.snapshots[name] = Snapshot(name, Kind.COMMITTED, parent, None, layer)

    def diff(self, key: str) -> Layer:
        """The changes of the active snapshot ``key`` as a layer; the snapshot stays as it is
        (moby ``Driver.Diff``, what ``docker commit`` registers: the container keeps running
        on its writable layer, and a later write there does not change the layer)."""
        snap = self._snap(key)
        if snap.kind != Kind.ACTIVE:
            raise Conflict(f"snapshot {key} is not active")
        return snap.fs.upper.freeze()

    def remove(self, key: str) -> None:
        self._snap(key)
        kids = [s for s in self.snapshots.values() if s.parent == key]
        if kids:
            raise Conflict(f"cannot remove snapshot {key}: it has {len(kids)} child(ren)")
        del self.snapshots[key]
        self._cache_ids.pop(key, None)    # derived from the key: the same if the key comes back

    def stat(self, key: str) -> SnapshotInfo:
        s = self._snap(key)
        return SnapshotInfo(s.key, s.kind, s.parent)

    def walk(self) -> Iterator[SnapshotInfo]:
        for s in self.snapshots.values():
            yield SnapshotInfo(s.key, s.kind, s.parent)

    def fs(self, key: str) -> MergedView:
        """The snapshot's files (a RootFS for active snapshots, a read-only view of a committed
        one's layer over its lowers)."""
        snap = self._snap(key)
        if snap.fs is not None:
            return snap.fs
        return MergedView([snap.layer, *self._lowers(snap)])

    def usage(self, key: str) -> Usage:
        s = self._snap(key)
        if s.kind == Kind.COMMITTED:
            return Usage(self.layer_size(s.layer), len(s.layer.entries),
                         self.physical_layers([s.layer, *self._lowers(s)], only_top=True))
        return Usage(self.size_rw(s.fs), len(s.fs.upper.entries),
                     self.physical_container(s.fs))

    def mounts(self, key: str) -> MountSpec:
        self._snap(key)                                   # NotFound for an unknown key
        return MountSpec("bind", f"{self.root}/{self.name}/dir/{self.cache_id(key)}", ("rbind", "rw"))

    # ------------------------------------------------------------------ physical usage
    def physical_layers(self, layers: Sequence[Layer], only_top: bool = False) -> int:
        """Bytes the backing store holds for an image's layers (``layers`` top first)."""
        raise NotImplementedError

    def physical_container(self, fs: RootFS) -> int:
        """Bytes a container's own layers (init + writable) add to the backing store."""
        raise NotImplementedError

    def physical_usage(self, images: Iterable = (), containers: Iterable = ()) -> int:
        """Bytes the backing store holds for these images (each: a sequence of layers base
        first, or an object with ``.layers``) and containers (RootFS, or objects with
        ``.rootfs``): shared layers and shared blocks counted once."""
        raise NotImplementedError


# ---------------------------------------------------------------------- helpers shared by drivers
def image_layers(img) -> tuple[Layer, ...]:
    return tuple(getattr(img, "layers", img))


def container_fs(c) -> RootFS:
    return getattr(c, "rootfs", c)

