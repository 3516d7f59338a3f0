"""overlay2, the default graphdriver: the kernel's overlayfs, whole-file copy-up, native diff
(the upper dir *is* the diff), 128 lower dirs per mount.
"""
from __future__ import annotations

import hashlib
from typing import Sequence

from ..fs import changes as _changes
from ..fs.layer import Layer
from ..fs.rootfs import RootFS
from .base import Capabilities, Kind, MountSpec, StorageDriver, naive_changes
from .overlay import OverlayPhysical, OverlayRootFS


class Overlay2(OverlayPhysical, StorageDriver):
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
            return naive_changes(self.fs(key), self._parent_view(snap))
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
