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

from typing import Iterable, Sequence

from ..fs.layer import Layer
from ..fs.rootfs import MergedView, RootFS
from ..fs.tree import DIR, ancestors, join, normpath, parent
from .base import container_fs, image_layers
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


class OverlayPhysical:
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
