"""The Engine's storage layer: the storage driver, volumes, bind mounts and tmpfs.

:class:`StorageHooks` is what :class:`~layerlab.engine.Engine` calls (``_load_storage``): it
picks the driver named by ``Engine(driver=...)`` (overlay2 by default; devicemapper only with
``allow_removed_drivers=True``), owns the volume store (``engine.volumes``) and the host
filesystem bind mounts read from (``hooks.host``: an in-memory filesystem by default; set it to
``HostDirFS("/")`` for real host folders, as the CLI does), and gives each container its mount
namespace (``Container.ns``).

Lifecycle (docs/docker-storage-facts.md §7, §8; OBSERVED.md "(g)"):

* **create**: parse ``-v``/``--mount``/``--tmpfs``; image ``VOLUME``s not covered by a mount get
  anonymous volumes; named volumes are created on first use; ``-v`` accepts a missing host
  directory (made at start), ``--mount type=bind`` refuses; empty volumes are filled from the image directory
  (unless nocopy) and take its owner and mode;
* **start**: mount points missing from the image are created in the writable layer (``A /x``);
  tmpfs mounts start empty;
* **stop**: tmpfs contents are dropped;
* **rm**: the container's volume references go; with ``-v`` (and ``run --rm``) its anonymous
  volumes are removed unless another container still uses them.
"""
from __future__ import annotations

from typing import Mapping

from .. import drivers as _drivers
from ..errors import InvalidParameter
from .mounts import (BindMount, HostDirFS, MemFS, MountNamespace, Mounted, TmpfsMount, VolumeMount,
                     copy_tree, ensure_mountpoint, parse_mount_spec, underlying, parse_tmpfs_spec, parse_volume_spec,
                     tmpfs_size_option)
from ..content import Content
from ..fs.tree import DIR, FILE, Node, directory, normpath
from .volumes import VolumeStore, validate_name

_INIT_ID_SUFFIX = "-init"

# what docker writes to containers/<id>/hosts (no network: no container address line)
HOSTS = ("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
         "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n")
# docker copies the host's resolv.conf; with only local resolvers it uses Google's (a fixed
# default keeps notebook output the same on every machine)
DEFAULT_RESOLV_CONF = "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"


class StorageHooks:
    """Storage for one Engine: driver + volume store + host filesystem + mount namespaces."""

    def __init__(self, engine):
        self.engine = engine
        self.driver = _drivers.create(engine.driver_name, clock=engine.clock, ids=engine.ids,
                                      allow_removed=getattr(engine, "allow_removed_drivers", False))
        self.volumes = VolumeStore(engine.clock, engine.ids)
        engine.volumes = self.volumes
        self.host = MemFS(directory(0o755), clock=engine.clock)   # the Python API's host filesystem
        self.resolv_conf = DEFAULT_RESOLV_CONF

    # ------------------------------------------------------------------ driver facts
    def driver_name(self) -> str:
        return self.driver.display_name()

    def driver_status(self):
        return self.driver.status()

    def _layer_keys(self, img) -> list[str]:
        return list(img.chain_ids)

    def image_graphdriver(self, img) -> dict:
        data = self.driver.graph_data(self._layer_keys(img)) if img.layers else None
        return {"Data": data, "Name": self.driver_name()}

    def container_graphdriver(self, c) -> dict:
        keys = self._layer_keys(c.image)
        return {"Data": self.driver.graph_data(keys, container=c.id), "Name": self.driver_name()}

    def layer_size(self, layer) -> int:
        return self.driver.layer_size(layer)

    def image_size(self, img) -> int:
        """The image's size as this driver records it: overlay2 ``directory.Size`` of the diff
        dirs (bb:1: 3031200), naive drivers the tar ``hdr.Size`` sum (3030960), the containerd
        snapshotter block usage of the snapshots (its content-store blobs are not included)."""
        return self.driver.image_size(img.layers)

    def size_rw(self, c) -> int:
        return self.driver.size_rw(c.rootfs)

    def physical_usage(self, images=None, containers=None) -> int:
        """Bytes the driver's backing store holds for these images and containers (all of the
        engine's by default), shared layers and blocks counted once."""
        eng = self.engine
        if images is None:
            images = list(eng.images_by_id.values())
        if containers is None:
            containers = list(eng.containers.values())
        return self.driver.physical_usage(images, containers)

    # ------------------------------------------------------------------ mounts
    def _requests(self, c, volumes, mounts, tmpfs) -> list:
        reqs = []
        for v in volumes:
            reqs.append(parse_volume_spec(v) if isinstance(v, str) else v)
        for m in mounts:
            reqs.append(parse_mount_spec(m) if isinstance(m, str) else m)
        if isinstance(tmpfs, Mapping):
            reqs.extend(parse_tmpfs_spec(path, opts or "") for path, opts in tmpfs.items())
        else:
            for t in tmpfs:
                reqs.append(parse_tmpfs_spec(t) if isinstance(t, str) else t)
        seen: set[str] = set()
        for r in reqs:
            if r.target in seen:
                raise InvalidParameter(f"Duplicate mount point: {r.target}")
            seen.add(r.target)
        for path in getattr(c.image.config, "volumes", ()) or ():
            target = normpath(path)
            if target not in seen:
                seen.add(target)
                reqs.append(VolumeMount(target))
        return reqs

    def validate_mounts(self, img, volumes, mounts, tmpfs) -> None:
        """moby ``verifyContainerSettings``: bad mounts are refused before the container gets
        an ID (so a refused ``run`` changes nothing). ``setup_mounts`` checks again."""
        from types import SimpleNamespace

        self._validate(self._requests(SimpleNamespace(image=img), volumes, mounts, tmpfs))

    def _validate(self, reqs) -> None:
        """A bind source must exist unless ``-v`` may create it; a new volume's name must be
        valid."""
        host = self.host
        for r in reqs:
            if isinstance(r, BindMount) and not r.create_source and (r.host or host).lookup(r.source) is None:
                raise InvalidParameter(f'invalid mount config for type "bind": bind source path does not exist: {r.source}')
            if isinstance(r, VolumeMount) and r.name and r.name not in self.volumes:
                validate_name(r.name)

    def setup_mounts(self, c, volumes, mounts, tmpfs) -> None:
        """Called by Engine.create before the container is registered."""
        reqs = self._requests(c, volumes, mounts, tmpfs)
        host = self.host
        self._validate(reqs)                               # everything before changing anything
        now = self.engine.clock()
        c.host_config_mounts = host_config_mounts(reqs)
        mounted: list[Mounted] = []
        for r in sorted(reqs, key=lambda r: r.target):
            if isinstance(r, VolumeMount):
                vol = self.volumes.create(r.name or None, labels=dict(r.labels))
                self.volumes.acquire(vol.name, c.id)
                # moby setBindModeIfNull: a local volume from HostConfig.Binds or .Mounts shows
                # Mode "z" unless the -v string gave a mode (``-v /anon``, image VOLUMEs and
                # --volumes-from shares: "")
                mode = r.mode or ("z" if (r.via_mount or (r.raw and r.name)) and vol.driver == "local" else "")
                info = {"Type": "volume", "Name": vol.name, "Source": vol.mountpoint, "Destination": r.target,
                        "Driver": vol.driver, "Mode": mode, "RW": not r.read_only, "Propagation": ""}
                kind = local_mount_kind(vol)
                if kind == "bind":          # the data is the host folder the options name
                    device = normpath(vol.options["device"])
                    m = Mounted(r.target, host, device, r.read_only, None, r, info, vol)
                    if not r.nocopy and host.lookup(device) is not None:
                        self._populate_dir(c, host, device, r.target, now)
                else:
                    m = Mounted(r.target, vol.fs, "/", r.read_only, None, r, info, vol)
                    if not r.nocopy and kind is None:     # a tmpfs volume is mounted empty at start
                        self._populate(c, vol, r.target, now)
            elif isinstance(r, BindMount):
                hfs = r.host or host     # a missing ``-v`` source is made at start (on_start)
                info = {"Type": "bind", "Source": r.source, "Destination": r.target, "Mode": r.mode,
                        "RW": not r.read_only, "Propagation": r.propagation}
                m = Mounted(r.target, hfs, r.source, r.read_only, None, r, info)
            else:
                fs = MemFS(directory(r.mode, mtime=now), clock=self.engine.clock)
                info = {"Type": "tmpfs", "Source": "", "Destination": r.target, "Mode": "", "RW": not r.read_only,
                        "Propagation": ""}
                if r.options is not None:   # --tmpfs mounts are HostConfig.Tmpfs: not in .Mounts
                    info = {}
                m = Mounted(r.target, fs, "/", r.read_only, r.size, r, info)
            mounted.append(m)
        c.mounts = mounted
        c.ns = MountNamespace(c.rootfs, mounted)
        # docker bind-mounts /etc/hosts, /etc/hostname and /etc/resolv.conf from
        # /var/lib/docker/containers/<id>/: writes to them never reach the writable layer
        files = MemFS(directory(0o710, mtime=now), clock=self.engine.clock)
        for name, text in (("hosts", HOSTS), ("hostname", c.id[:12] + "\n"), ("resolv.conf", self.resolv_conf)):
            files.upper.put("/" + name, Node(FILE, 0o644, 0, 0, now, Content.of(text)))
            c.ns.add(Mounted(f"/etc/{name}", files, "/" + name, False))
        # /proc/mounts, so ``grep ' /x ' /proc/mounts`` works in the shell (only /proc/mounts
        # is modelled; written at start)
        c.ns.add(Mounted("/proc", MemFS(directory(0o555, mtime=now), clock=self.engine.clock), "/", True))

    def _populate(self, c, vol, target: str, now: int) -> None:
        """moby copyExistingContents: an image directory with entries fills an empty volume;
        the volume root then takes the image directory's owner and mode."""
        found = _image_dir(c, target)
        if found is None:
            return
        src, real, node = found
        if src.listdir(real) and vol.fs.is_empty():
            copy_tree(src, real, vol.fs, "/", now)
            root = vol.fs.root_node.with_(mtime=now)
        else:
            root = vol.fs.root_node
        vol.fs.upper.put("/", root.with_(mode=node.mode, uid=node.uid, gid=node.gid))

    def _populate_dir(self, c, fs, root: str, target: str, now: int) -> None:
        """copyExistingContents into a bind-type local volume (observed on 20.10: the host
        folder receives the image directory's files when it is empty)."""
        found = _image_dir(c, target)
        if found is None:
            return
        src, real, _node = found
        if src.listdir(real) and not fs.listdir(root):
            copy_tree(src, real, fs, root, now)

    def container_mounts(self, c) -> list[dict]:
        """``docker inspect`` .Mounts (volumes, binds, ``--mount type=tmpfs``)."""
        return [dict(m.info) for m in sorted(c.mounts, key=lambda m: m.target) if m.info]

    # ------------------------------------------------------------------ lifecycle
    def _tmpfs(self, c):
        return [m for m in c.mounts if isinstance(m.request, TmpfsMount)]

    def on_start(self, c) -> None:
        """runc at start: create missing mount points; mount each tmpfs empty. A tmpfs mounted
        on a directory that already existed takes that directory's mode (runc chmods the mount
        point back), otherwise its own ``mode`` (default 1777): so ``--tmpfs /data`` on bb:1 is
        755, and after a restart even a ``tmpfs-mode=1770`` mount shows the 755 of the mount
        point runc created the first time."""
        now = self.engine.clock()
        for m in c.mounts:                 # the local driver mounts option volumes now
            vol = getattr(m, "volume", None)
            kind = local_mount_kind(vol) if vol is not None else None
            if kind == "bind" and self.host.lookup(m.root) is None:
                from ..errors import DaemonError
                raise DaemonError(f"error while mounting volume '{vol.mountpoint}': failed to mount local volume: "
                                  f"mount {vol.options['device']}:{vol.mountpoint}, flags: 0x1000: no such file or directory")
            if kind == "tmpfs":            # a fresh tmpfs: empty, mode from the options (1777)
                m.fs.clear(directory(tmpfs_volume_mode(vol), mtime=now))
        if c.ns is not None:
            for m in c.mounts:
                # moby MountPoint.Setup: ``-v /host:/ctr`` creates a missing host directory when
                # the container starts (``docker create`` alone leaves the host untouched)
                if isinstance(m.request, BindMount) and m.request.create_source and m.fs.lookup(m.root) is None:
                    m.fs.makedirs(m.root, 0o755)
            for m in sorted(c.mounts, key=lambda m: m.target.count("/")):
                if isinstance(m.request, TmpfsMount):
                    under = underlying(c.ns, m)
                    mode = under.mode if under is not None and under.kind == DIR else m.request.mode
                    m.fs.clear(directory(mode, mtime=now))
                ensure_mountpoint(c.ns, m)
            proc = c.ns.mount_at("/proc")
            if proc is not None and proc not in c.mounts:
                proc.fs.clear()
                proc.fs.upper.put("/mounts", Node(FILE, 0o444, 0, 0, self.engine.clock(),
                                                  Content.of(self.proc_mounts(c))))

    def on_stop(self, c) -> None:
        for m in self._tmpfs(c):
            m.fs.clear()

    def on_remove(self, c, volumes: bool) -> None:
        for m in c.mounts:
            vol = getattr(m, "volume", None)
            if vol is None:
                continue
            self.volumes.release(vol.name, c.id)
            # moby removeMountPoints: only mounts whose spec had no source (``-v /path``, image
            # VOLUME); a volume still used by another container is silently kept
            if volumes and m.request.anonymous and not self.volumes.in_use(vol.name) and vol.name in self.volumes:
                self.volumes.remove(vol.name)

    def proc_mounts(self, c) -> str:
        """The container's /proc/mounts as runc sets it up (user mounts in target order)."""
        root = "overlay / overlay rw,relatime 0 0"
        gd = self.container_graphdriver(c).get("Data") or {}
        if "UpperDir" in gd:
            lowerdir = gd.get('LowerDir', '')
            if self.driver.name == "overlay2":     # the kernel shows the l/ short links
                lowerdir = self.driver.container_lowerdir(self._layer_keys(c.image), c.id)
            root = (f"overlay / overlay rw,relatime,lowerdir={lowerdir},"
                    f"upperdir={gd['UpperDir']},workdir={gd['WorkDir']} 0 0")
        lines = [root,
                 "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0",
                 "tmpfs /dev tmpfs rw,nosuid,size=65536k,mode=755 0 0",
                 "devpts /dev/pts devpts rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=666 0 0",
                 "sysfs /sys sysfs ro,nosuid,nodev,noexec,relatime 0 0",
                 "mqueue /dev/mqueue mqueue rw,nosuid,nodev,noexec,relatime 0 0",
                 "shm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=65536k 0 0"]
        for f in ("/etc/resolv.conf", "/etc/hostname", "/etc/hosts"):
            lines.append(f"/dev/vda {f} ext4 rw,relatime 0 0")
        for m in sorted(c.mounts, key=lambda m: m.target):
            if isinstance(m.request, TmpfsMount):
                lines.append(f"tmpfs {m.target} tmpfs {tmpfs_mount_options(m)} 0 0")
            else:
                lines.append(f"/dev/vda {m.target} ext4 {'ro' if m.read_only else 'rw'},relatime 0 0")
        return "".join(line + "\n" for line in lines)

    # ------------------------------------------------------------------ df
    def volume_usage(self) -> list[dict]:
        return self.volumes.usage()


def host_config_mounts(reqs) -> dict:
    """Where docker's API keeps a container's mount requests, in the order given:
    ``HostConfig.Binds`` (``-v`` strings that name a source), ``Config.Volumes`` (``-v /path``
    targets), ``HostConfig.Tmpfs`` (``--tmpfs`` path -> options) and ``HostConfig.Mounts``
    (``--mount`` values as the API's ``mount.Mount``, empty fields omitted)."""
    binds, volumes, tmpfs, mounts = [], [], {}, []
    for r in reqs:
        if isinstance(r, TmpfsMount):
            if r.options is not None:
                tmpfs[r.target] = r.options
                continue
            doc = {"Type": "tmpfs", "Target": r.target}
            if r.read_only:
                doc["ReadOnly"] = True
            opts = {}
            if r.size:
                opts["SizeBytes"] = r.size
            if r.mode != 0o1777:
                opts["Mode"] = r.mode
            if opts:
                doc["TmpfsOptions"] = opts
            mounts.append(doc)
            continue
        if not r.via_mount:
            if r.raw and (isinstance(r, BindMount) or r.name):
                binds.append(r.raw)
            elif r.raw:
                volumes.append(r.target)
            continue
        doc = {"Type": r.type}
        source = r.source if isinstance(r, BindMount) else r.name
        if source:
            doc["Source"] = source
        doc["Target"] = r.target
        if r.read_only:
            doc["ReadOnly"] = True
        if isinstance(r, BindMount):
            bopts = {}
            if r.propagation != "rprivate":
                bopts["Propagation"] = r.propagation
            if r.create_source:
                bopts["CreateMountpoint"] = True
            if bopts:
                doc["BindOptions"] = bopts
        else:
            vopts = {}
            if r.nocopy:
                vopts["NoCopy"] = True
            if r.labels:
                vopts["Labels"] = dict(r.labels)
            if vopts:   # the CLI adds an empty DriverConfig once any volume-* option is set
                doc["VolumeOptions"] = {**vopts, "DriverConfig": {}}
        mounts.append(doc)
    return {"Binds": binds, "Volumes": volumes, "Tmpfs": tmpfs, "Mounts": mounts}


def _image_dir(c, target: str):
    """(the container's rootfs, the real path, its node) when ``target`` is a directory the
    image has; None otherwise (nothing to copy into a new volume)."""
    src = c.rootfs
    try:
        real = src.realpath(target)
        node = src.stat(real)
    except OSError:
        return None
    return (src, real, node) if node.kind == DIR else None


def local_mount_kind(vol) -> str | None:
    """What the ``local`` driver mounts for a volume with options: ``"bind"`` (``type=none``
    with ``o=bind``/``rbind`` and a ``device``), ``"tmpfs"`` (``type=tmpfs``), ``"other"`` (nfs,
    a block device...: modelled as a plain volume), or None (no options: the ``_data`` folder)."""
    opts = getattr(vol, "options", None) or {}
    if not opts or getattr(vol, "driver", "local") != "local":
        return None
    o = [x.strip() for x in opts.get("o", "").split(",")]
    if ("bind" in o or "rbind" in o) and opts.get("device"):
        return "bind"
    if opts.get("type") == "tmpfs":
        return "tmpfs"
    return "other"


def tmpfs_volume_mode(vol) -> int:
    for x in (vol.options.get("o", "") or "").split(","):
        k, _, v = x.partition("=")
        if k.strip() == "mode":
            try:
                return int(v, 8)
            except ValueError:
                break
    return 0o1777


def tmpfs_mount_options(m: Mounted) -> str:
    """The options /proc/mounts shows for a tmpfs mount (``rw,nosuid,nodev,noexec,relatime``
    plus ``size=``/``mode=`` when given)."""
    r = m.request
    opts = ["ro" if m.read_only else "rw", "nosuid", "nodev", "noexec", "relatime"]
    if isinstance(r, TmpfsMount):
        if r.size:
            opts.append("size=" + tmpfs_size_option(r.size))
        if r.mode != 0o1777:
            opts.append(f"mode={r.mode:o}")
    return ",".join(opts)


__all__ = ["StorageHooks", "HostDirFS", "MemFS", "tmpfs_mount_options"]
