"""The overlay family: overlay2 (the default graphdriver), fuse-overlayfs, and containerd's
``overlayfs`` snapshotter (the default image store of fresh Engine 29 installs).

All three copy up whole files (docs/docker-storage-facts.md §2). They differ in how they
report sizes:

* overlay2 (native diff): a layer's size and a container's SizeRw are ``directory.Size`` of the
  diff/upper dir — apparent bytes, so opening a big file for append without writing copies it
  up and counts (``: >> big`` = 1.05MB) although ``docker diff`` shows nothing;
* fuse-overlayfs always uses the naive diff: sizes are ChangesSize of the A/C entries and the
  layer tar's ``hdr.Size`` sum;
* the containerd snapshotter reports *blocks*: ``st_blocks*512`` over the upper dir, directories
  and the upper root included (an empty container is ``4.1kB`` on ext4).
"""
from __future__ import annotations

import hashlib
from typing import Iterable, Sequence

from .. import changes as _changes
from ..layer import Layer
from ..rootfs import MergedView, RootFS
from ..tree import DIR, ancestors, join, normpath, parent
from .base import Capabilities, Kind, MountSpec, StorageDriver, container_fs, image_layers, naive_changes
from .physical import BLOCK, level_du


class OverlayRootFS(RootFS):
    """The overlay model plus one piece of history the kernel keeps: which upper directories are
    *impure* (``trusted.overlay.impure``: a child was copied up or moved in). Together with the
    ``origin`` xattr of a copied-up directory it costs an extra block on ext4 (see upper_du)."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.impure: set[str] = set()

    def _copy_up_dirs(self, path: str) -> None:
        for anc in ancestors(path):
            if anc not in self.upper.entries:
                self.impure.add(parent(anc))
        super()._copy_up_dirs(path)

    def _copy_up(self, path: str, found):
        if found.level != 0:
            self.impure.add(parent(path))
        return super()._copy_up(path, found)

    def _copy_up_truncated(self, path: str, found):
        if found.level != 0:
            self.impure.add(parent(path))      # an O_TRUNC open copies up (without the data)
        return super()._copy_up_truncated(path, found)

    def link(self, src: str, dst: str) -> None:
        super().link(src, dst)
        real, found = self.find(src, False)
        if self._in_lower(real) or found.level != 0:
            self.impure.add(parent(normpath(dst)))   # a new name for a copied-up inode

    def rename(self, src: str, dst: str) -> None:
        try:
            s_real, s_found, _ = self._walk(src, follow=False)
        except OSError:
            s_found = None
        super().rename(src, dst)
        if s_found is not None and (s_found.level != 0 or self._in_lower(s_real)):
            self.impure.add(parent(normpath(dst)))


class _OverlayPhysical:
    """Physical usage of an overlay store: every layer's diff dir holds its files whole
    (``du`` of the diff dirs); a container adds its init and upper dirs."""

    def _layer_bytes(self, layer: Layer) -> int:
        return level_du(layer.entries, layer.children)

    def physical_layers(self, layers: Sequence[Layer], only_top: bool = False) -> int:
        layers = list(layers)
        if only_top:
            layers = layers[:1]
        return sum(self._layer_bytes(layer) for layer in layers)

    def upper_du(self, fs: RootFS) -> int:
        """``du`` of a container's upper dir. Besides the data: the kernel marks a copied-up
        directory whose children were copied up with two xattrs (``trusted.overlay.origin`` and
        ``trusted.overlay.impure``); on ext4 with 256-byte inodes they no longer fit in the inode
        and take one more 4 KiB block (measured: tests/drivers/test_measured.py)."""
        up = fs.upper
        size = level_du(up.entries, up.children)
        lower = fs.lower
        impure = getattr(fs, "impure", None)
        for path, node in up.entries.items():
            if node.kind != DIR or path == "/" or path in up.opaques or lower.lookup(path) is None:
                continue          # only copied-up directories carry an origin xattr
            if impure is not None:
                if path in impure:
                    size += BLOCK
                continue
            for name in up.children.get(path, ()):   # without history: a copied-up child
                child = join(path, name)
                if child in up.entries and child not in up.opaques and lower.lookup(child) is not None:
                    size += BLOCK
                    break
        return size

    def physical_container(self, fs: RootFS) -> int:
        size = self.upper_du(fs)
        init = fs.lower.levels[0] if len(fs.lower.levels) > 1 else None
        if isinstance(init, Layer):
            size += self._init_bytes(init, MergedView(fs.lower.levels[1:]))
        return size

    @staticmethod
    def _init_bytes(init: Layer, image: MergedView) -> int:
        """du of the ``-init`` diff dir: moby's initlayer.Setup creates only what the image lacks
        (``/dev/pts``, ``/etc/hosts``...) plus the parents it needs (measured: bb:1 -> 20 KiB)."""
        keep = set()
        for path in init.entries:
            if image.lookup(path) is None:
                keep.add(path)
                keep.update(a for a in ancestors(path) if a in init.entries)
        entries = {p: init.entries[p] for p in keep}
        children: dict = {}
        for p in keep:
            children.setdefault(parent(p), []).append(p.rsplit("/", 1)[1])
        return level_du(entries, children)

    def physical_usage(self, images: Iterable = (), containers: Iterable = ()) -> int:
        seen: set = set()
        total = 0

        def add_chain(layers):
            nonlocal total
            key: tuple = ()
            for layer in layers:
                key = key + (id(layer),)
                if key not in seen:
                    seen.add(key)
                    total += self._layer_bytes(layer)

        for img in images:
            add_chain(image_layers(img))
        for c in containers:
            if hasattr(c, "image"):
                add_chain(c.image.layers)
            total += self.physical_container(container_fs(c))
        return total


class Overlay2(_OverlayPhysical, StorageDriver):
    """overlay2: whole-file copy-up, native diff (the upper dir *is* the diff), 128 lowers."""

    name = "overlay2"
    rootfs_class = OverlayRootFS
    capabilities = Capabilities("file", native_diff=True, max_depth=128, size_rule="apparent-upper",
                                status="supported",
                                status_note="the Engine 29 docs call it legacy next to the containerd snapshotter")

    def status(self):
        return [["Backing Filesystem", "extfs"], ["Supports d_type", "true"], ["Using metacopy", "false"],
                ["Native Overlay Diff", "true"], ["userxattr", "false"]]

    def layer_size(self, layer: Layer) -> int:
        return layer.size

    def size_rw(self, fs: RootFS) -> int:
        return fs.upper.size

    def diff_size(self, key: str) -> int:
        snap = self._snap(key)
        return snap.fs.upper.size if snap.layer is None else snap.layer.size

    def changes(self, key: str):
        """Native diff: walk only the upper level (the conformance suite checks it equals the
        naive comparison of two trees). A committed snapshot has no upper level left to walk,
        so it is compared with its parent."""
        snap = self._snap(key)
        if snap.layer is not None:
            return naive_changes(snap.fs, self._parent_view(snap))
        return _changes.changes(snap.fs)

    # -- layout -------------------------------------------------------------
    def link(self, key: str) -> str:
        """The 26-character short name under ``overlay2/l/`` for a layer's diff dir."""
        return self._short(self.cache_id(key))

    def _short(self, dirname: str) -> str:
        """The short link name of the layer directory ``dirname`` (a cache ID, or a
        container's ``<id>-init``). Docker's is base32 of random bytes, cut to 26 characters
        (moby overlayutils.GenerateID: letters and the digits 2-7 only)."""
        if dirname not in self._links:
            alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
            h = int(hashlib.sha256(f"layerlab-link:{dirname}".encode()).hexdigest(), 16)
            out = []
            for _ in range(26):
                h, r = divmod(h, len(alphabet))
                out.append(alphabet[r])
            self._links[dirname] = "".join(out)
        return self._links[dirname]

    def _dir(self, cid: str) -> str:
        return f"{self.root}/{self.name}/{cid}"

    def graph_data(self, layer_keys: Sequence[str], container: str | None = None) -> dict | None:
        dirs = [self._dir(self.cache_id(k)) for k in layer_keys]
        if container is not None:
            cid = self.cache_id(container)
            lowers = [self._dir(cid) + "-init"] + dirs[::-1]
            top = self._dir(cid)
        else:
            top = dirs[-1]
            lowers = dirs[:-1][::-1]
        data = {}
        if lowers:
            data["LowerDir"] = ":".join(d + "/diff" for d in lowers)
        data.update({"MergedDir": top + "/merged", "UpperDir": top + "/diff", "WorkDir": top + "/work"})
        return data

    def mounts(self, key: str) -> MountSpec:
        snap = self._snap(key)
        chain = []
        cur = snap.parent
        while cur is not None:
            chain.append(cur)
            cur = self._snap(cur).parent
        d = self._dir(self.cache_id(key))
        if not chain:
            return MountSpec("bind", d + "/diff", ("rw" if snap.kind == Kind.ACTIVE else "ro", "rbind"))
        lowers = chain if snap.kind != Kind.COMMITTED else [key] + chain
        opts = ["index=off", "lowerdir=" + ":".join(f"l/{self.link(k)}" for k in lowers)]
        if snap.kind == Kind.ACTIVE:
            opts += [f"upperdir={d}/diff", f"workdir={d}/work"]
        return MountSpec("overlay", "overlay", tuple(opts), self.graph_data(chain[::-1] + [key]))


    def layout(self, layer_keys: Sequence[str], container: str | None = None,
               running: bool = False) -> list[tuple[str, str, str]]:
        """What ``/var/lib/docker/overlay2`` holds for an image's layers (``layer_keys`` base
        first) and, optionally, a container on them: ``(path, kind, content)`` rows, ``kind``
        one of ``dir``, ``file``, ``symlink`` (content = the file's text or the link target),
        paths relative to the overlay2 directory, sorted by layer from the base up.

        Measured on a real overlay2 store (Engine 20.10; moby overlay2 ``create``): every layer
        has ``diff/`` and a ``link`` file naming its short link ``l/<26 chars>`` ->
        ``../<dir>/diff``; a layer with a parent also has ``work/`` and a ``lower`` file (the
        short links of every layer below, nearest first); a layer that has a child gets an empty
        ``committed`` file; ``merged/`` exists only while the container runs. A container has
        two directories: ``<id>-init`` (the init layer, a child of the image's top layer) and
        ``<id>`` (its writable layer, a child of the init layer).
        """
        dirs = [self.cache_id(k) for k in layer_keys]
        if container is not None:
            cid = self.cache_id(container)
            dirs += [cid + "-init", cid]
        rows: list[tuple[str, str, str]] = []
        links: list[tuple[str, str]] = []
        for i, d in enumerate(dirs):
            short = self._short(d)
            below = [f"l/{self._short(x)}" for x in dirs[:i][::-1]]
            if i + 1 < len(dirs):
                rows.append((f"{d}/committed", "file", ""))
            rows.append((f"{d}/diff", "dir", ""))
            rows.append((f"{d}/link", "file", short))
            if below:
                rows.append((f"{d}/lower", "file", ":".join(below)))
            if container is not None and i == len(dirs) - 1 and running:
                rows.append((f"{d}/merged", "dir", ""))
            if below:
                rows.append((f"{d}/work", "dir", ""))
            links.append((f"l/{short}", f"../{d}/diff"))
        rows.extend((p, "symlink", t) for p, t in sorted(links))
        return rows

    def container_lowerdir(self, layer_keys: Sequence[str], container: str) -> str:
        """The ``lowerdir=`` of a container's root mount as the kernel shows it in
        ``/proc/mounts``: the init layer, then the image's layers top first, each as its
        short link under ``overlay2/l/`` (moby overlay2 ``Get``: absolute paths to the links,
        which keep the mount options within one page)."""
        cid = self.cache_id(container)
        dirs = [cid + "-init"] + [self.cache_id(k) for k in layer_keys][::-1]
        return ":".join(f"{self.root}/{self.name}/l/{self._short(d)}" for d in dirs)


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


def snapshot_usage(entries: dict, children: dict) -> int:
    """containerd overlay snapshotter Usage: ``st_blocks*512`` over the snapshot's upper dir,
    directories and the upper root included, inodes once (continuity fs.DiskUsage)."""
    return level_du(entries, children, include_root=True)


class ContainerdOverlayfs(_OverlayPhysical, StorageDriver):
    """The containerd image store's ``overlayfs`` snapshotter (Engine 29 default on fresh
    installs). ``docker info`` shows Driver ``overlayfs`` and DriverStatus
    ``[[driver-type io.containerd.snapshotter.v1]]``. Sizes are block usage; the content store
    also keeps the compressed layer blobs, so disk use is roughly double."""

    name = "overlayfs"
    rootfs_class = OverlayRootFS
    capabilities = Capabilities("file", native_diff=False, max_depth=None, size_rule="blocks",
                                status="supported", status_note="containerd image store (Engine >= 29 default)")
    layer_store_max_depth = 10 ** 6

    def status(self):
        return [["driver-type", "io.containerd.snapshotter.v1"]]

    def layer_size(self, layer: Layer) -> int:
        return snapshot_usage(layer.entries, layer.children)

    def size_rw(self, fs: RootFS) -> int:
        return self.upper_du(fs)

    def diff_size(self, key: str) -> int:
        return self.usage(key).size

    def blob_bytes(self, layer: Layer) -> int:
        """The content store's blob for a layer: its tar (the synthetic and written contents
        in layerlab do not compress, so gzip is taken as the tar size: an estimate)."""
        size = 1024
        seen: set = set()
        for _, kind, node in layer.walk():
            size += 512
            if kind == "entry" and node is not None and node.kind == "file":
                if node.ino:                  # a hard link is a header without data
                    if node.ino in seen:
                        continue
                    seen.add(node.ino)
                size += -(-node.content.size // 512) * 512
        return -(-size // 10240) * 10240

    def physical_usage(self, images: Iterable = (), containers: Iterable = ()) -> int:
        images = list(images)
        containers = list(containers)
        total = super().physical_usage(images, containers)
        seen = set()
        for img in images + [c.image for c in containers if hasattr(c, "image")]:
            for layer in image_layers(img):
                if id(layer) not in seen:
                    seen.add(id(layer))
                    total += self.blob_bytes(layer)
        return total

    def graph_data(self, layer_keys: Sequence[str], container: str | None = None) -> dict | None:
        return None

    def mounts(self, key: str) -> MountSpec:
        return MountSpec("overlay", "overlay", ("index=off",), None)
