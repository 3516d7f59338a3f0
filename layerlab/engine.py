"""The Engine: layerlab's "daemon". Its methods mirror docker verbs and return values; it never prints.

>>> from layerlab import Engine
>>> eng = Engine()
>>> img = eng.build('FROM busybox\\nRUN echo hello > /greeting\\n', tag='demo').image
>>> c = eng.run('demo', ['sh', '-c', 'echo bye >> /greeting'], name='c1')
>>> [str(ch) for ch in eng.diff('c1')]
['C /greeting']

Errors are docker's: :class:`~layerlab.errors.NotFound` ("No such container: x"),
:class:`~layerlab.errors.Conflict`, :class:`~layerlab.errors.InvalidParameter`, and
:class:`RunError` for a process that could not start (the CLI exits 125/126/127 like docker).
Everything that could vary between runs — IDs, names, times — comes from a seed and an
injectable clock, so a notebook prints the same output each time it runs.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Mapping, Sequence

from .fs import changes as _changes
from .clock import Clock, IdGenerator, rfc3339nano
from .container import HANDLES_SIGTERM, Container, ExecResult, State, write_init_layer
from .digest import chain_ids, sha256_digest
from .drivers.base import INIT_SUFFIX, Kind, init_keys
from .errors import BuildError, Conflict, DaemonError, InvalidParameter, NotFound
from .image import DEFAULT_PATH, ContainerConfig, HistoryEntry, Image, full_reference, normalize_ref, registry_host
from .fs.rootfs import FlatTree, RootFS

if TYPE_CHECKING:
    from .build.builder import BuildResult
    from .fs.layer import Layer

NAME_RE = re.compile(r"^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")


class RunError(DaemonError):
    """The container's process could not be started. ``exit_code`` is what ``docker run`` exits with."""

    def __init__(self, message: str, exit_code: int = 125):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class HistoryRow:
    id: str            # full image ID, or "<missing>"
    created: int       # ns
    created_by: str
    size: int
    comment: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContainerSize:
    rw: int            # SizeRw: the writable layer
    root_fs: int       # SizeRootFs: image + writable layer ("virtual")


_ADJ = ("admiring", "brave", "clever", "dazzling", "eager", "festive", "gallant", "happy", "jolly",
        "keen", "lucid", "modest", "nifty", "optimistic", "peaceful", "quirky", "relaxed", "serene",
        "tender", "upbeat", "vibrant", "wizardly", "youthful", "zealous")
_NAMES = ("turing", "hopper", "lovelace", "ritchie", "thompson", "torvalds", "knuth", "liskov",
          "hamilton", "babbage", "curie", "noether", "shannon", "dijkstra", "goldberg", "kay",
          "lamport", "mccarthy", "pike", "stallman", "wozniak", "yonath", "zhukovsky", "bell")


class Engine:
    """A Docker Engine, modelled. ``driver`` is a storage driver name (overlay2 by default)."""

    def __init__(self, *, seed: int | str = 0, clock: Clock | None = None, driver: str = "overlay2",
                 catalog: bool = True, allow_removed_drivers: bool = False):
        self.clock = clock or Clock()
        self.ids = IdGenerator(seed)
        self.images_by_id: dict[str, Image] = {}
        self.tags: dict[str, str] = {}           # "name:tag" -> image id
        self.containers: dict[str, Container] = {}
        self.build_cache: dict = {}
        self.use_catalog = catalog
        self.driver_name = driver
        self.allow_removed_drivers = allow_removed_drivers
        self.volumes = None                      # the volume store, when layerlab.storage.volumes is present
        self.hooks = _load_storage(self)

    # The Dockerfile builder is made on first use and never stored with the engine: it holds
    # nothing but references to the engine's clock, IDs and build cache, and a command that does
    # not build (ps, diff...) then never imports it (nor tarfile and the compressors).
    @property
    def _builder(self):
        b = self.__dict__.get("_builder_obj")
        if b is None:
            from .build.builder import Builder
            b = self.__dict__["_builder_obj"] = Builder(self._resolve_for_build, self.clock, self.ids,
                                                        self.build_cache, driver=self.driver,
                                                        register=self._register_layers)
            b.stub_parent_in_layer = self.graphdriver_store   # the containerd snapshotter differs
            b.max_layers = 125 if self.graphdriver_store else None   # the graphdriver layer store
        return b

    @property
    def graphdriver_store(self) -> bool:
        """Whether images live in the classic graphdriver layer store (every driver but the
        containerd ``overlayfs`` snapshotter, the image store of fresh Engine 29 installs).
        The two differ in what a build leaves behind: the layer store refuses more than 125
        layers, the classic builder's RUN layers keep their ``/proc``-style mount stubs'
        parents, and BuildKit does not list a base image it pulled."""
        return self.driver_name != "overlayfs"

    @property
    def driver(self):
        """The storage driver (:mod:`layerlab.drivers`). The Engine changes storage only
        through its verbs: see :meth:`_register_layers`, :meth:`_prepare_rootfs` and
        :meth:`_remove`."""
        return self.hooks.driver

    def _register_layers(self, layers: Sequence[Layer]) -> str | None:
        """moby ``layerStore.Register``: each layer (base first) that the driver does not hold
        yet is applied under its chain ID, on the layer below it; returns the top one's chain
        ID. Layers shared with another image are the same snapshot (same chain ID)."""
        d = self.driver
        parent = None
        for chain_id, layer in zip(chain_ids([layer.diff_id for layer in layers]), layers):
            if chain_id not in d:
                d.apply(chain_id, parent, layer)
            parent = chain_id
        return parent

    def _release_unused_layers(self) -> None:
        """moby's layer store releases a layer no image and no container references any more:
        after a build, the layers of steps that ended in no image (a failed build, a stage
        that was not the target) go, top first."""
        d = self.driver
        keep = self._layers_in_use()
        while True:
            parents = {info.parent for info in d.walk()}
            gone = [info.key for info in d.walk() if info.kind == Kind.COMMITTED and info.key not in keep
                    and info.key not in parents and not info.key.endswith(INIT_SUFFIX)]
            if not gone:
                return
            for key in gone:
                d.remove(key)

    def _layers_in_use(self) -> set[str]:
        """Chain IDs of the layers some stored image or some container references."""
        used = {cid for img in self.images_by_id.values() for cid in img.chain_ids}
        used |= {cid for c in self.containers.values() for cid in c.image.chain_ids}
        return used

    def _prepare_rootfs(self, cid: str, img: Image, now: int, read_only: bool = False) -> RootFS:
        """A new container's root filesystem, made through the driver's verbs as moby's
        ``CreateRWLayer`` makes it: prepare ``<id>-init-active`` on the image's top layer, write
        the init layer into it (:func:`~layerlab.container.write_init_layer`), commit it as
        ``<id>-init``, prepare the writable layer ``<id>`` on that. The image's layers are
        seen through its cached flat tree (one level, the same files)."""
        d = self.driver
        d.check_mount_depth(len(img.layers))      # "max depth exceeded" before anything changes
        top = self._register_layers(img.layers)
        active, init = init_keys(cid)
        d.prepare(active, top, lower=img.flat)
        write_init_layer(d.fs(active), now, img)
        d.commit(init, active)
        d.prepare(cid, init)
        fs = d.fs(cid)
        fs.read_only = read_only
        return fs

    def __getstate__(self):
        d = dict(self.__dict__)
        d.pop("_builder_obj", None)
        d.pop("_builder", None)         # stores written before the builder became lazy
        return d

    def __setstate__(self, d):
        d.pop("_builder", None)
        self.__dict__.update(d)

    # ================================================================== images
    def find_image(self, ref: str) -> Image | None:
        """An image in the local store by tag, full ID or unique ID prefix (4+ hex digits,
        ``sha256:`` optional); ``None`` if there is none (:meth:`image` raises instead)."""
        if ref.startswith("sha256:") and ref in self.images_by_id:
            return self.images_by_id[ref]
        norm = normalize_ref(ref)
        if norm in self.tags:
            return self.images_by_id[self.tags[norm]]
        hexpart = ref[7:] if ref.startswith("sha256:") else ref
        if re.fullmatch(r"[0-9a-f]{4,64}", hexpart):
            found = [i for i in self.images_by_id if i[7:].startswith(hexpart)]
            if len(found) == 1:
                return self.images_by_id[found[0]]
        return None

    def image(self, ref: str) -> Image:
        """An image in the local store, by tag or (short) ID."""
        img = self.find_image(ref)
        if img is None:
            # moby ErrImageDoesNotExist: a name gets its default tag, a digest stays as is
            raise NotFound(f"No such image: {ref if ref.startswith('sha256:') else normalize_ref(ref)}",
                           operation="image", names=(ref,))
        return img

    def _from_catalog(self, ref: str) -> Image | None:
        if not self.use_catalog:
            return None
        try:
            from . import catalog
        except ImportError:
            return None
        return catalog.get(ref)

    # ------------------------------------------------------------ registries
    @property
    def registry(self) -> dict[str, Image]:
        """Images pushed to a registry (``docker push 127.0.0.1:5000/name:tag``), by normalized
        reference: the registries layerlab models. A pull looks here, then in the catalog
        (layerlab's stand-in for Docker Hub and the other public registries)."""
        return self.__dict__.setdefault("_registry", {})

    @property
    def repo_digests(self) -> dict[str, list[str]]:
        """``name@sha256:<manifest digest>`` references of each image (by ID) that a push or
        a pull from a modelled registry gave it (``RepoDigests`` in inspect)."""
        return self.__dict__.setdefault("_repo_digests", {})

    def _remote(self, ref: str) -> Image | None:
        """The image a pull of ``ref`` would download, or None."""
        return self.registry.get(normalize_ref(ref)) or self._from_catalog(ref)

    def push(self, ref: str) -> list[str]:
        """``docker push``: copy the image tagged ``ref`` to the registry its name points at
        (``host[:port]/name[:tag]``); returns docker's progress lines (the manifest digest is
        layerlab's own: a registry's depends on how the layers are compressed)."""
        full = normalize_ref(ref)
        name, _, tag = full.rpartition(":")
        img = self.find_image(full) if full in self.tags else None
        if img is None:
            raise NotFound(f"An image does not exist locally with the tag: {name}")
        if registry_host(full) is None:    # Docker Hub: layerlab has no account there
            raise DaemonError("denied: requested access to the resource is denied")
        self.registry[full] = img
        layers = [layer.diff_id.split(":", 1)[1][:12] for layer in reversed(img.layers)]
        manifest = sha256_digest(f"{img.id}|{full}".encode())
        digests = self.repo_digests.setdefault(img.id, [])
        if f"{name}@{manifest}" not in digests:
            digests.append(f"{name}@{manifest}")
        return ([f"The push refers to repository [{name}]"] + [f"{d}: Preparing" for d in layers]
                + [f"{d}: Pushed" for d in layers] + [f"{tag}: digest: {manifest} size: 527"])

    def pull(self, ref: str) -> Image:
        """``docker pull``: fetch an image from a registry layerlab models (:attr:`registry`,
        then the catalog) into the local store."""
        img = self._remote(ref)
        if img is None:
            name = normalize_ref(ref).rsplit(":", 1)[0]
            raise NotFound(f"pull access denied for {name}, repository does not exist or may require "
                           f"'docker login': denied: requested access to the resource is denied")
        self._store(img, normalize_ref(ref))
        return img

    def _resolve_for_build(self, ref: str, buildkit: bool = False) -> Image | None:
        """A build's base image: local, else pulled. The classic builder pulls it into the
        image store (tagged: ``docker images`` lists it). BuildKit on the graphdriver store
        keeps only the layers its result uses: the base is not listed unless pulled
        explicitly (docker/docs#13203, moby/moby#39229; measured on 20.10, conformance
        scenario 94); on the containerd image store it is stored like any pull."""
        img = self.find_image(ref)
        if img is None:
            img = self._remote(ref)
            if img is not None and not (buildkit and self.graphdriver_store):
                self._store(img, normalize_ref(ref))
        return img

    def _store(self, img: Image, tag: str | None = None) -> None:
        self._add(img)
        if tag:
            self.tags[normalize_ref(tag)] = img.id

    def _add(self, img: Image) -> Image:
        """Put ``img`` in the image store (the one already there if its ID is known) and
        register its layers with the driver."""
        img = self.images_by_id.setdefault(img.id, img)
        self._register_layers(img.layers)
        return img

    def tag(self, source: str, target: str) -> None:
        self._store(self.image(source), target)

    def image_tags(self, img: Image) -> list[str]:
        return sorted(t for t, i in self.tags.items() if i == img.id)

    def images(self, all: bool = False) -> list[tuple[str | None, Image]]:
        """(tag or None, image) rows, newest first, as ``docker images`` lists them."""
        rows: list[tuple[str | None, Image]] = []
        for img in self.images_by_id.values():
            tags = self.image_tags(img)
            if tags:
                rows.extend((t, img) for t in tags)
            elif all or not self._is_parent(img):
                rows.append((None, img))
        rows.sort(key=lambda r: (-r[1].created, r[0] or ""))
        return rows

    def lineage(self, img: Image) -> Iterator[Image]:
        """``img``, its Parent, the Parent's Parent... while the store holds them. Only the
        classic builder and ``commit`` record a Parent; BuildKit images stand alone."""
        cur: Image | None = img
        while cur is not None:
            yield cur
            cur = self.images_by_id.get(cur.parent) if cur.parent else None

    def _is_parent(self, img: Image) -> bool:
        return any(other.parent == img.id for other in self.images_by_id.values())

    def build(self, dockerfile: str, context=None, *, tag: str | Sequence[str] | None = None,
              buildkit: bool | None = None, no_cache: bool = False,
              build_args: Mapping[str, str] | None = None, target: str | None = None) -> BuildResult:
        """``docker build``. ``buildkit=None`` reads ``DOCKER_BUILDKIT`` (``0`` = classic)."""
        if buildkit is None:
            buildkit = os.environ.get("DOCKER_BUILDKIT", "1") not in ("0", "false")
        try:
            result = self._builder.build(dockerfile, context, buildkit=buildkit, no_cache=no_cache,
                                         build_args=build_args, target=target)
        except BuildError as exc:
            failed = exc.failed_container
            if failed and failed[1] is not None:  # classic: the failed step's container stays (Exited)
                cid, img = failed
                img = self._add(img)
                now = self.clock.tick()
                c = Container(cid, self._new_name(), img, img.short_id, list(exc.command or []),
                              img.config.env_dict(), img.config.working_dir or "/", img.config.user, now,
                              self._prepare_rootfs(cid, img, now))
                c.state, c.exit_code = State.EXITED, exc.step_exit_code or 0
                c.started_at, c.finished_at = now, now   # it ran: ps shows Exited (N), not Created
                self.containers[cid] = c
            self._release_unused_layers()
            raise
        for inter in result.intermediates:
            self._add(inter)
        tags = [tag] if isinstance(tag, str) else list(tag or [])
        self._store(result.image)
        for t in tags:
            self._store(result.image, t)
        if tags and not buildkit:
            result.log.extend(f"Successfully tagged {normalize_ref(t)}" for t in tags)
        elif tags:
            result.log.extend(f"#{result.export_step} naming to {full_reference(t)} done" for t in tags)
        self._release_unused_layers()
        return result

    def import_tar(self, data: bytes | str | os.PathLike, ref: str | None = None,
                   message: str = "") -> Image:
        """``docker import``: one layer whose diff_id is the sha256 of the (uncompressed) tar."""
        if not isinstance(data, (bytes, bytearray)):
            with open(data, "rb") as fh:
                data = fh.read()
        from .archive import layer_from_tar
        layer = layer_from_tar(bytes(data))
        now = self.clock.tick()
        entry = HistoryEntry(now, "", message or "Imported from -")
        img = Image((layer,), ContainerConfig(env=()), (entry,), now)
        self._store(img, ref)
        return img

    def commit(self, container: str, ref: str | None = None, message: str = "") -> Image:
        c = self.container(container)
        layer = self.driver.diff(c.id)     # moby Driver.Diff; _store registers it (ApplyDiff)
        now = self.clock.tick()
        argv = c.command
        entry = HistoryEntry(now, " ".join(argv), message)
        base = c.image
        img = Image(base.layers + (layer,), _committed_config(c), base.history + (entry,), now, parent=base.id)
        self._store(img, ref)
        return img

    def history(self, ref: str) -> list[HistoryRow]:
        """``docker image history``: newest first; IDs down the Parent chain, else ``<missing>``."""
        img = self.image(ref)
        sizes = [self.hooks.layer_size(layer) for layer in img.layers]   # the driver's rule
        rows: list[HistoryRow] = []
        li = 0
        for h in img.history:
            size = 0
            if not h.empty_layer:
                size = sizes[li] if li < len(sizes) else 0
                li += 1
            rows.append(HistoryRow("<missing>", h.created, h.created_by, size, h.comment))
        rows.reverse()
        for i, cur in zip(range(len(rows)), self.lineage(img)):
            rows[i] = HistoryRow(cur.id, rows[i].created, rows[i].created_by, rows[i].size,
                                 rows[i].comment, tuple(self.image_tags(cur)))
        return rows

    def rmi(self, ref: str, force: bool = False) -> list[str]:
        """``docker rmi``: the ``Untagged:``/``Deleted:`` lines docker prints (one per item of
        :meth:`image_delete`)."""
        return [f"{k}: {v}" for item in self.image_delete(ref, force) for k, v in item.items()]

    def image_delete(self, ref: str, force: bool = False) -> list[dict[str, str]]:
        """``DELETE /images/{name}``: the API's ``[{"Untagged": ref}, {"Deleted": id}...]``.

        Deleting an image also deletes the layers no other image uses (printed as their ChainIDs,
        top first) and then its untagged, childless parents (the classic builder's intermediate
        images), each followed by its own released layers (moby daemon/images/image_delete.go).
        """
        img = self.image(ref)
        users = [c for c in self.containers.values() if c.image.id == img.id]
        norm = normalize_ref(ref)
        tags = self.image_tags(img)
        by_tag = norm in self.tags and self.tags[norm] == img.id
        if by_tag and len(tags) > 1:
            del self.tags[norm]
            return [{"Untagged": norm}, *self._drop_repo_digests(img, norm)]
        if users and not force:
            c = users[0]
            if by_tag:
                raise Conflict(f'conflict: unable to remove repository reference "{norm}" (must force) - '
                               f"container {c.short_id} is using its referenced image {img.short_id}",
                               operation="rmi", names=(ref, c.id))
            if c.running:
                raise Conflict(f"conflict: unable to delete {img.short_id} (cannot be forced) - image is being used by running container {c.short_id}",
                               operation="rmi", names=(ref, c.id))
            raise Conflict(f"conflict: unable to delete {img.short_id} (must be forced) - image is being used by stopped container {c.short_id}",
                           operation="rmi", names=(ref, c.id))
        if not by_tag and len(tags) > 1 and not force:
            raise Conflict(f"conflict: unable to delete {img.short_id} (must be forced) - image is referenced in multiple repositories",
                           operation="rmi", names=(ref,))
        out: list[dict[str, str]] = []
        for t in tags:
            del self.tags[t]
            out.append({"Untagged": t})
            out.extend(self._drop_repo_digests(img, t))
        if users:
            return out
        cur: Image | None = img
        while cur is not None and cur.id in self.images_by_id:
            if cur is not img and (self.image_tags(cur) or any(
                    o.parent == cur.id for o in self.images_by_id.values())):
                break
            del self.images_by_id[cur.id]
            out.append({"Deleted": cur.id})
            in_use = self._layers_in_use()
            for cid in reversed(cur.chain_ids):
                if cid in in_use:
                    break
                out.append({"Deleted": cid})
                if cid in self.driver:    # moby releaseLayer: the driver removes the layer
                    self.driver.remove(cid)
            cur = self.images_by_id.get(cur.parent) if cur.parent else None
        return out

    def _drop_repo_digests(self, img: Image, untagged: str) -> list[dict[str, str]]:
        """Untagging the last tag of a repository also drops the image's digest references in
        that repository (``Untagged: name@sha256:...``, after the tag's own line)."""
        repo = untagged.rsplit(":", 1)[0]
        if any(t.rsplit(":", 1)[0] == repo for t in self.image_tags(img)):
            return []
        mine = self.repo_digests.get(img.id, [])
        gone = [d for d in mine if d.split("@", 1)[0] == repo]
        if gone:
            self.repo_digests[img.id] = [d for d in mine if d not in gone]
        return [{"Untagged": d} for d in gone]

    def container_prune(self) -> dict:
        """``POST /containers/prune``: every stopped container removed. Returns the API's
        ``{"ContainersDeleted": [ids], "SpaceReclaimed": bytes}`` (the writable layers' SizeRw)."""
        deleted, space = [], 0
        for c in self.ps(all=True):
            if c.running:
                continue
            space += self.size(c.id).rw
            self.rm(c.id)
            deleted.append(c.id)
        return {"ContainersDeleted": deleted, "SpaceReclaimed": space}

    def image_prune(self, all: bool = False) -> dict:
        """``POST /images/prune``: dangling images (``all``: every image no container uses)
        deleted. Returns ``{"ImagesDeleted": [{"Untagged"|"Deleted": ...}], "SpaceReclaimed":
        bytes}``, the space being what the image store shrank by."""
        before = self.disk_usage()["images_size"]
        used = {c.image.id for c in self.containers.values()}
        items: list[dict[str, str]] = []
        for tag, img in list(self.images()):
            if self.find_image(img.id) is None or img.id in used:
                continue
            if tag is not None and not all:
                continue
            try:
                items += self.image_delete(img.id, force=True)
            except DaemonError:
                continue
        return {"ImagesDeleted": items, "SpaceReclaimed": max(0, before - self.disk_usage()["images_size"])}

    def save(self, refs) -> bytes:
        """``docker save``: the images named by *refs* as one uncompressed tar (Engine ≥ 25 format).

        A ``name:tag`` saves that tag, a bare name every tag of that repository, an ID the image
        without tags (``"RepoTags": null``), as moby's ``parseNames`` does.

        :func:`layerlab.archive.write_save_tar` is the format.
        """
        if isinstance(refs, str):
            refs = [refs]
        order: list[str] = []
        tags_of: dict[str, list[str]] = {}
        images = {}
        for ref in refs:
            found: list[tuple[object, str | None]] = []
            norm = normalize_ref(ref)
            bare = ":" not in ref.rsplit("/", 1)[-1] and "@" not in ref
            if bare and self.find_image(ref) is not None and norm not in self.tags:
                found.append((self.image(ref), None))
            elif bare:
                repo = norm.rsplit(":", 1)[0]
                for t, iid in sorted(self.tags.items()):
                    if t.rsplit(":", 1)[0] == repo:
                        found.append((self.images_by_id[iid], t))
                if not found:
                    found.append((self.image(ref), None))
            elif norm in self.tags:
                found.append((self.images_by_id[self.tags[norm]], norm))
            else:
                img = self.find_image(ref)
                if img is None:
                    raise NotFound("reference does not exist")
                found.append((img, None))
            for img, tag in found:
                if img.id not in images:
                    images[img.id] = img
                    order.append(img.id)
                    tags_of[img.id] = []
                if tag and tag not in tags_of[img.id]:
                    tags_of[img.id].append(tag)
        from .archive import write_save_tar
        return write_save_tar([(images[iid], tags_of[iid]) for iid in order])

    def load(self, data: bytes) -> list[str]:
        """``docker load``: store every image of a save tar; return the lines docker prints.

        The images go into this engine's store; :func:`layerlab.archive.read_save_tar` is the format."""
        out: list[str] = []
        from .archive import image_from_config, read_save_tar
        for saved in read_save_tar(data):
            parent = saved.parent if saved.parent in self.images_by_id else ""
            img = image_from_config(saved.config, saved.layers, parent)
            img = self._add(img)
            for t in saved.tags:
                old = self.tags.get(t)
                if old and old != img.id:
                    out.append(f"The image {t} already exists, renaming the old one with ID {old} to empty string")
                self.tags[t] = img.id
                out.append(f"Loaded image: {t}")
            if not saved.tags:
                out.append(f"Loaded image ID: {img.id}")
        return out

    def inspect_image(self, ref: str) -> dict:
        img = self.image(ref)
        cfg = img.config.to_json()
        cfg_full = {"Hostname": "", "Domainname": "", "User": img.config.user, "AttachStdin": False,
                    "AttachStdout": False, "AttachStderr": False, "Tty": False, "OpenStdin": False,
                    "StdinOnce": False, "Env": list(img.config.env) or None, "Cmd": cfg.get("Cmd"),
                    "Image": "", "Volumes": cfg.get("Volumes"), "WorkingDir": img.config.working_dir,
                    "Entrypoint": cfg.get("Entrypoint"), "OnBuild": cfg.get("OnBuild"),
                    "Labels": cfg.get("Labels")}
        if img.config.exposed_ports:
            cfg_full["ExposedPorts"] = cfg["ExposedPorts"]
        if img.config.stop_signal:
            cfg_full["StopSignal"] = img.config.stop_signal
        doc = {
            "Id": img.id,
            "RepoTags": self.image_tags(img),
            "RepoDigests": list(self.repo_digests.get(img.id, [])),
            "Parent": img.parent,
            "Comment": img.history[-1].comment if img.history and img.history[-1].comment.startswith("Imported") else "",
            "Created": rfc3339nano(img.created),
            "DockerVersion": img.docker_version,
            "Author": "",
            "Config": cfg_full,
            "Architecture": img.architecture,
            "Os": img.os,
            "Size": self.hooks.image_size(img),
            "GraphDriver": self.hooks.image_graphdriver(img),
            "RootFS": {"Type": "layers", "Layers": list(img.diff_ids)} if img.layers else {"Type": "layers"},
            "Metadata": {"LastTagTime": "0001-01-01T00:00:00Z"},
        }
        return doc

    # ================================================================== containers
    def container(self, ref: str) -> Container:
        """A container by name, full ID or unique ID prefix."""
        name = ref.lstrip("/")
        for c in self.containers.values():
            if c.name == name:
                return c
        if ref in self.containers:
            return self.containers[ref]
        matches = [c for cid, c in self.containers.items() if cid.startswith(ref)] if ref else []
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise NotFound(f"Multiple IDs found with provided prefix: {ref}", operation="container", names=(ref,))
        raise NotFound(f"No such container: {ref}", operation="container", names=(ref,))

    # ------------------------------------------------------------ API documents
    def inspect_container(self, ref: str, size: bool = False) -> dict:
        """``GET /containers/{id}/json`` (``docker container inspect``; ``size``: with SizeRw
        and SizeRootFs)."""
        from . import apidocs
        return apidocs.container_inspect(self, self.container(ref), size=size)

    def container_summary(self, container: str | Container, size: bool = False) -> dict:
        """One ``container.Summary`` of ``GET /containers/json`` (``docker ps``). ``container``:
        a reference, or a Container this engine returned (``ps`` lists them: no lookup again)."""
        from . import apidocs
        c = self._as_container(container)
        return apidocs.container_summary(self, c, size=size)

    def image_summaries(self, all: bool = False) -> list[dict]:
        """``GET /images/json`` (``docker images``): one summary per image, newest first."""
        from . import apidocs
        return apidocs.image_summaries(self, all=all)

    def container_mounts(self, container: str | Container) -> list[dict]:
        """The ``MountPoint`` documents of a container (``.Mounts`` in inspect)."""
        c = self._as_container(container)
        return list(self.hooks.container_mounts(c))

    def layer_chain_ids(self) -> set[str]:
        """Chain IDs of every layer in the store (a pull does not download those again)."""
        return {cid for img in self.images_by_id.values() for cid in img.chain_ids}

    def volume_usage(self) -> list[dict]:
        """Volumes with their size and how many containers use them (``system df -v``)."""
        return list(self.hooks.volume_usage())

    def ps(self, all: bool = False) -> list[Container]:
        """Containers, newest first (``docker ps``; ``all`` includes stopped ones)."""
        out = [c for c in self.containers.values() if all or c.running]
        out.sort(key=lambda c: -c.created)
        return out

    def _as_container(self, container: str | Container) -> Container:
        """A Container this engine returned (``ps`` lists them: no lookup again), or one by
        reference."""
        return container if isinstance(container, Container) else self.container(container)

    def find_container(self, ref: str) -> Container | None:
        """A container by name, ID or unique ID prefix; ``None`` if there is none."""
        try:
            return self.container(ref)
        except NotFound:
            return None

    def committed_tags(self) -> list[str]:
        """The tags of images made by ``docker commit`` or the classic builder (those with a
        Parent), sorted: what a notebook offers as "your own images"."""
        return sorted(t for t, img in self.images(all=True) if t and img.parent)

    def container_graphdriver(self, container: str | Container) -> dict:
        """``GraphDriver`` of a container's inspect document (the driver's directories)."""
        c = self._as_container(container)
        return self.hooks.container_graphdriver(c)

    def physical_usage(self, images=None, containers=None) -> int:
        """Bytes the storage driver's backing store holds for these images and containers
        (all of the engine's by default), shared layers and blocks counted once: the disk
        space a driver really uses, which ``docker system df`` does not show."""
        return self.hooks.physical_usage(images, containers)

    def _new_name(self) -> str:
        while True:
            h = int(self.ids.hex64()[:8], 16)
            name = f"{_ADJ[h % len(_ADJ)]}_{_NAMES[(h // 97) % len(_NAMES)]}"
            if not any(c.name == name for c in self.containers.values()):
                return name

    def create(self, image: str, command: str | Sequence[str] | None = None, *, name: str | None = None,
               entrypoint: str | Sequence[str] | None = None, env: Mapping[str, str] | Sequence[str] | None = None,
               workdir: str | None = None, user: str | None = None, read_only: bool = False,
               volumes: Sequence[str] = (), mounts: Sequence = (), tmpfs: Sequence[str] | Mapping[str, str] = (),
               auto_remove: bool = False, labels: Mapping[str, str] | None = None,
               volumes_from: Sequence[str] = ()) -> Container:
        """``docker create``: an empty writable layer on the image (the image is pulled from the
        catalog if it is not local). ``volumes_from``: ``container[:ro|rw]`` entries
        (:func:`volumes_from_requests`)."""
        if volumes_from:
            volumes = list(volumes) + volumes_from_requests(self, volumes_from, volumes, mounts, tmpfs)
        img = self.find_image(image)
        if img is None:
            img = self._remote(image)
            if img is None:
                ref = normalize_ref(image)
                raise RunError(f"pull access denied for {ref.rsplit(':', 1)[0]}, repository does not exist or may "
                               f"require 'docker login': denied: requested access to the resource is denied", 125)
            self._store(img, normalize_ref(image))
        if name is not None:
            if not NAME_RE.match(name):
                raise InvalidParameter(f"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
            name = name.lstrip("/")
            for other in self.containers.values():
                if other.name == name:
                    raise Conflict(f'Conflict. The container name "/{name}" is already in use by container '
                                   f'"{other.id}". You have to remove (or rename) that container to be able to reuse that name.',
                                   operation="create", names=(name, other.id))
        cfg = img.config
        if isinstance(command, str):
            command = _split_command(command)
        if isinstance(entrypoint, str):
            entrypoint = [entrypoint] if entrypoint else []
        ep = list(entrypoint) if entrypoint is not None else list(cfg.entrypoint or ())
        if command is not None and len(command):
            argv = list(command)
        elif entrypoint is not None:
            argv = []
        else:
            argv = list(cfg.cmd or ())
        if not ep and not argv:
            raise RunError("no command specified", 125)
        envd = cfg.env_dict()
        if env:
            items = env.items() if isinstance(env, Mapping) else (e.partition("=")[::2] for e in env)
            for k, v in items:
                envd[k] = v
        validate = getattr(self.hooks, "validate_mounts", None)
        volumes, mounts = list(volumes), list(mounts)
        if validate is not None:   # before the ID is drawn: a refused create changes nothing
            validate(img, volumes, mounts, tmpfs)
        now = self.clock.tick()
        cid = self.ids.hex64()
        # moby CreateDaemonEnvironment: PATH (the default) and HOSTNAME (the short ID) first,
        # then the config's env replaces in place or appends: -e HOSTNAME=x is what runs
        daemon_env = {"PATH": DEFAULT_PATH.partition("=")[2], "HOSTNAME": cid[:12]}
        daemon_env.update(envd)
        envd = daemon_env
        rootfs = self._prepare_rootfs(cid, img, now, read_only)
        c = Container(cid, name or self._new_name(), img, image, argv, envd,
                      workdir if workdir is not None else (cfg.working_dir or "/"),
                      user if user is not None else cfg.user, now, rootfs, entrypoint=ep,
                      read_only=read_only, auto_remove=auto_remove, labels=dict(labels or {}),
                      stop_signal=cfg.stop_signal or "SIGTERM")
        self.hooks.setup_mounts(c, volumes=list(volumes), mounts=list(mounts), tmpfs=tmpfs)
        if c.working_dir and not c.rootfs.exists(c.working_dir):
            ro, c.rootfs.read_only = c.rootfs.read_only, False
            c.rootfs.makedirs(c.working_dir, 0o755 | 0o022)
            c.rootfs.read_only = ro
        if volumes_from:
            c.volumes_from = list(volumes_from)
        self.containers[cid] = c
        return c

    def start(self, container: str | Container, stdin: bytes = b"") -> Container:
        """``docker start``; ``stdin`` is what the process reads (``docker run -i``/``start -i``)."""
        c = self._as_container(container)
        if c.running:
            return c
        self.hooks.on_start(c)
        self._exec_main(c, stdin)
        return c

    def _credentials(self, c: Container, user: str) -> tuple[int, int]:
        """(uid, gid) a process of ``c`` runs as: ``user`` looked up in the container's own
        /etc/passwd and /etc/group, as they are now (a process may have added the user)."""
        if not user:
            return 0, 0
        try:
            flat = FlatTree({p: n for p, n in c.rootfs.walk("/etc")}) if c.rootfs.exists("/etc/passwd") else FlatTree()
            from .build.builder import _lookup_user
            return _lookup_user(flat, user)
        except DaemonError as exc:
            raise RunError(str(exc), 126) from None

    @staticmethod
    def _process_env(c: Container, env: dict[str, str], uid: int) -> dict[str, str]:
        """The environment a process starts with: runc appends HOME when it is unset, from the
        user's passwd entry ("/" when the uid has none): /root for root, /home for nobody."""
        if "HOME" not in env:
            home = "/"
            try:
                for line in c.fs.read_text("/etc/passwd").splitlines():
                    fields = line.split(":")
                    if len(fields) > 5 and fields[2] == str(uid):
                        home = fields[5] or "/"
                        break
            except OSError:
                pass
            env = {**env, "HOME": home}
        return env

    def _exec_main(self, c: Container, stdin: bytes = b"") -> None:
        from . import shell as _shell
        uid, gid = self._credentials(c, c.user)
        now = self.clock.tick()
        c.started_at = now
        argv = c.command
        try:
            result = _shell.execute(c.fs, argv, env=self._process_env(c, dict(c.env), uid),
                                    cwd=c.working_dir or "/", uid=uid, gid=gid, clock=self.clock, stdin=stdin)
        except _shell.CommandNotFound as exc:
            c.state = State.CREATED
            c.exit_code = 126 if exc.reason == "permission denied" else 127
            raise RunError(_oci_error(argv[0], exc.reason), c.exit_code) from None
        c.logs += result.stdout + result.stderr
        # the CLI replays stdout and stderr to their own streams (docker run / logs)
        c.last_stdout, c.last_stderr = result.stdout, result.stderr
        c.log_chunks = [*c.log_chunks, (1, result.stdout), (2, result.stderr)]
        c.last_output = (result.stdout + result.stderr).decode("utf-8", "replace")
        if result.running:
            c.state = State.RUNNING
        else:
            c.state = State.EXITED
            c.exit_code = result.exit_code
            c.finished_at = self.clock.tick()
            self.hooks.on_stop(c)

    def run(self, image: str, command: str | Sequence[str] | None = None, *, detach: bool = False,
            rm: bool = False, **kwargs) -> Container:
        """``docker run`` = create + start (+ remove when it exits, with ``rm=True``)."""
        c = self.create(image, command, auto_remove=rm, **kwargs)
        try:
            self.start(c)
        except RunError:
            if rm:
                self._remove(c, volumes=True)
            raise
        if rm and not c.running:
            self._remove(c, volumes=True)
        return c

    def exec(self, container: str, command: str | Sequence[str], *, env: Mapping[str, str] | None = None,
             workdir: str | None = None, user: str | None = None, stdin: bytes = b"") -> ExecResult:
        """``docker exec``: run a command in a running container's filesystem."""
        from . import shell as _shell
        c = self.container(container)
        if not c.running:
            raise Conflict(f"container {c.id} is not running")
        argv = _split_command(command) if isinstance(command, str) else list(command)
        envd = dict(c.env)
        envd.update(env or {})
        uid, gid = self._credentials(c, user or c.user)   # -u, else the container's user
        self.clock.tick()
        try:
            result = _shell.execute(c.fs, argv, env=self._process_env(c, envd, uid),
                                    cwd=workdir or c.working_dir or "/", uid=uid, gid=gid,
                                    clock=self.clock, stdin=stdin)
        except _shell.CommandNotFound as exc:
            raise RunError(_oci_error(argv[0], exc.reason, exec_=True), 126) from None  # docker exec: 126 either way
        out = result.stdout + result.stderr
        return ExecResult(result.exit_code, out.decode("utf-8", "replace"), result.stdout, result.stderr,
                          result.running)

    def stop(self, container: str, timeout: int | None = None) -> Container:
        """``docker stop``: SIGTERM, then SIGKILL after the timeout (default 10 s)."""
        c = self.container(container)
        if not c.running:
            return c
        prog = os.path.basename(c.command[0]) if c.command else ""
        handles = prog in HANDLES_SIGTERM and c.stop_signal in ("SIGTERM", "15", "TERM", "SIGQUIT")
        if handles:
            self.clock.tick()
            c.exit_code = 0
        else:
            self.clock.advance(10 if timeout is None else timeout)
            c.exit_code = 137
        self._stopped(c)
        return c

    def kill(self, container: str, signal: str = "KILL") -> Container:
        try:
            c = self.container(container)
        except NotFound as exc:      # the API route wraps every kill error (moby postContainersKill)
            raise NotFound(f"Cannot kill container: {container}: {exc}") from None
        if not c.running:
            raise Conflict(f"Cannot kill container: {container}: Container {c.id} is not running")
        self.clock.tick()
        c.exit_code = 137
        self._stopped(c)
        return c

    def _stopped(self, c: Container) -> None:
        c.state = State.EXITED
        c.finished_at = self.clock()
        self.hooks.on_stop(c)
        if c.auto_remove:
            self._remove(c, volumes=True)

    def restart(self, container: str, timeout: int | None = None) -> Container:
        """``docker restart``: stop (as :meth:`stop`) and start again on the same writable layer.

        A ``--rm`` container is not removed by the stop in between. ``RestartCount`` counts
        only restarts made by a restart policy, so ``docker restart`` leaves it as it is
        (observed: 0 after ``docker restart``)."""
        c = self.container(container)
        auto, c.auto_remove = c.auto_remove, False
        self.stop(container, timeout)
        c.auto_remove = auto
        return self.start(c)

    def rm(self, container: str, *, force: bool = False, volumes: bool = False) -> str:
        """``docker rm``: the writable layer is deleted with the container."""
        c = self.container(container)
        if c.running and not force:
            raise Conflict(f'cannot remove container "/{c.name}": container is running: stop the container '
                           f"before removing or force remove", operation="rm", names=(c.name,))
        if c.running:
            c.exit_code = 137
            c.state = State.EXITED
            self.hooks.on_stop(c)
        self._remove(c, volumes=volumes)
        return container

    def _remove(self, c: Container, volumes: bool) -> None:
        """The container goes, and with it its two layers (moby ``ReleaseRWLayer``: the
        writable layer, then the init layer)."""
        self.containers.pop(c.id, None)
        self.hooks.on_remove(c, volumes)
        for key in (c.id, init_keys(c.id)[1]):
            if key in self.driver:        # a store written before containers lived in the driver
                self.driver.remove(key)

    def diff(self, container: str) -> list[_changes.Change]:
        """``docker diff``: metadata comparison of the container's tree against its image."""
        return _changes.changes(self.container(container).rootfs)

    def size(self, container: str) -> ContainerSize:
        """``docker ps -s``: (SizeRw, SizeRootFs) as the storage driver reports them."""
        c = self.container(container)
        rw = self.hooks.size_rw(c)
        return ContainerSize(rw, self.hooks.image_size(c.image) + rw)

    def logs(self, container: str) -> str:
        return self.container(container).logs.decode("utf-8", "replace")

    def export(self, container: str) -> bytes:
        """``docker export``: the container's root filesystem, flattened into one tar.

        Every file the container sees in its own rootfs — the image's files, the init layer's
        (``/.dockerenv``, empty ``/etc/hosts`` ...) and its writable layer's — with no layers,
        no history and no image config. Volumes, bind mounts and tmpfs are not in it (observed
        on the 20.10 oracle: a file written into a volume is missing, the image's files under
        the mount point are there). The container may be running or stopped.

        Entry order (by name, a directory before its children), names without a leading ``/``
        and hard links as links match the real archive; the header bytes are layerlab's canonical
        layer encoding (moby also writes type bits in the mode field and user names), so the
        tar's sha256 differs from the real engine's."""
        c = self.container(container)
        from .fs.layer import Layer
        from dataclasses import replace as _replace
        entries = {}
        links: dict[tuple, int] = {}
        for path, node in c.rootfs.walk("/"):
            if path == "/":
                continue
            if node.ino:      # names of one inode share ino within a layer: number them afresh
                key = (node.ino, id(node.content), node.size, node.mtime)
                node = _replace(node, ino=links.setdefault(key, len(links) + 1))
            entries[path] = node
        return Layer.build(entries).tar_bytes()

    def copy_from(self, container: str, src: str, dest: str, *, host=None) -> str:
        """``docker cp CONTAINER:SRC DEST``: copy a file or directory out of the container
        (as its process sees it, volumes included) to ``dest`` on the host filesystem
        (``host``; default the engine's, ``hooks.host``: in memory for the Python API, the
        real disk for the CLI). Returns the host path written. Works on stopped containers.

        docker's rules: a file to a missing name is saved under that name, into an existing
        directory under its own name; a directory to a missing name becomes that directory,
        into an existing one becomes a subdirectory, unless SRC ends in ``/.`` (then its
        contents are copied into DEST). Errors are docker's texts."""
        c = self.container(container)
        host = self.hooks.host if host is None else host
        spath = _abs_in(src)
        if not c.fs.exists(spath, follow=False):
            raise NotFound(f"Could not find the file {spath} in container {container}")
        return _docker_cp(c.fs, spath, src, host, dest, to_container=False, name=container)

    def copy_to(self, container: str, src: str, dest: str, *, host=None) -> str:
        """``docker cp SRC CONTAINER:DEST``: copy a host file or directory into the container's
        filesystem (into its writable layer, or a volume if DEST is under one), owned by root.
        Same rules as :meth:`copy_from`. Returns the container path written."""
        c = self.container(container)
        host = self.hooks.host if host is None else host
        dpath = _abs_in(dest)
        return _docker_cp(host, normpath_host(src), src, c.fs, dpath, to_container=True, name=container,
                          dest_raw=dest)

    # ================================================================== volumes
    # (layerlab.storage.volumes / layerlab.storage.hooks; values are docker's API JSON shapes)
    def volume_create(self, name: str | None = None, *, driver: str = "local",
                      labels: Mapping[str, str] | None = None, options: Mapping[str, str] | None = None) -> dict:
        """``docker volume create [name]``: the volume's inspect JSON (the CLI prints ``Name``)."""
        return self.volumes.create(name, driver=driver, labels=labels, options=options).to_json()

    def volume_ls(self) -> list[dict]:
        """``docker volume ls``: every volume's inspect JSON, sorted by name."""
        return [v.to_json() for v in self.volumes.list()]

    def volume_inspect(self, name: str) -> dict:
        """``docker volume inspect``: one element of docker's JSON array."""
        return self.volumes.get(name).to_json()

    def volume_rm(self, name: str, force: bool = False) -> str:
        """``docker volume rm``: ``remove <name>: volume is in use - [<ids>]`` while any container uses it."""
        return self.volumes.remove(name, force=force)

    def find_volume(self, name: str):
        """The :class:`~layerlab.storage.volumes.Volume` named ``name`` (its files are ``.fs``), or
        ``None``."""
        return self.volumes.volumes.get(name)

    def volume_list(self) -> list:
        """Every volume, in ``docker volume ls`` order (:class:`~layerlab.storage.volumes.Volume`)."""
        return self.volumes.list()

    def volume_users(self, name: str) -> list[Container]:
        """The containers that use volume ``name`` (running or not), in the order they took it."""
        return [self.containers[cid] for cid in self.volumes.refs.get(name, ()) if cid in self.containers]

    def volume_prune(self, all: bool = False, labels: Mapping[str, str] | None = None) -> dict:
        """``docker volume prune``: unused anonymous volumes (``all=True``: named ones too).
        Returns ``{"VolumesDeleted": [...], "SpaceReclaimed": bytes}``."""
        return self.volumes.prune(all=all, labels=labels)

    @property
    def host(self):
        """The host's filesystem that bind mounts show (``-v /host/path:/ctr``): an in-memory
        one for the Python API, so a notebook can put files there and read what a container
        wrote (``docker.host.write("/srv/site/index.html", "hi")``, ``docker.host.listdir(...)``)."""
        return self.hooks.host

    # ================================================================== system
    def info(self) -> dict:
        containers = list(self.containers.values())
        return {
            "ID": "LAYR:LAB0:0000:0000:0000:0000:0000:0000",
            "Containers": len(containers),
            "ContainersRunning": sum(1 for c in containers if c.running),
            "ContainersPaused": 0,
            "ContainersStopped": sum(1 for c in containers if not c.running),
            "Images": len(self.images(all=False)),
            "Driver": self.hooks.driver_name(),
            "DriverStatus": self.hooks.driver_status(),
            "DockerRootDir": "/var/lib/docker",
            "ServerVersion": "28.5.2",
            "OperatingSystem": "layerlab (a model of Docker Engine; no daemon)",
            "OSType": "linux",
            "Architecture": "x86_64",
            "KernelVersion": "6.1.0-layerlab",
            "NCPU": 2,
            "Name": "layerlab",
        }

    def disk_usage(self) -> dict:
        """The numbers behind ``docker system df`` (graphdriver store rules)."""
        rows = self.images()
        top = {img.id: img for _, img in rows}
        refs: dict[str, int] = {}
        layer_size: dict[str, int] = {}
        for img in self.images_by_id.values():
            for cid, layer in zip(img.chain_ids, img.layers):
                refs[cid] = refs.get(cid, 0) + 1
                if cid not in layer_size:
                    layer_size[cid] = self.hooks.layer_size(layer)
        total = 0
        seen = set()
        for img in top.values():
            for cid in img.chain_ids:
                if cid not in seen:
                    seen.add(cid)
                    total += layer_size[cid]
        images = []
        for img in top.values():
            shared = sum(layer_size[cid] for cid in set(img.chain_ids) if refs.get(cid, 0) > 1)
            ncont = sum(1 for c in self.containers.values() if c.image.id == img.id)
            size = self.hooks.image_size(img)
            images.append({"image": img, "tags": self.image_tags(img), "size": size,
                           "shared": shared, "unique": size - shared, "containers": ncont})
        containers = [{"container": c, "size_rw": self.hooks.size_rw(c)} for c in self.ps(all=True)]
        return {"images": images, "images_size": total, "containers": containers,
                "volumes": self.hooks.volume_usage(), "build_cache": []}

    # ================================================================== image efficiency
    def efficiency(self, ref: str):
        """Where an image's bytes go: per layer the paths it adds, changes and deletes, the bytes
        later layers hide (wasted), and dive's efficiency score. Returns a
        :class:`layerlab.efficiency.Efficiency` (see that module for every definition)."""
        from .efficiency import analyze
        img = self.image(ref)
        made_by = [h.created_by for h in img.history if not h.empty_layer]
        sizes = [self.hooks.layer_size(layer) for layer in img.layers]
        return analyze(img.layers, made_by, sizes, image=img.id)


# ---------------------------------------------------------------------- helpers
def _split_command(command: str) -> list[str]:
    import shlex
    return shlex.split(command)


class CopyError(DaemonError):
    """A ``docker cp`` the client itself refuses: printed without "Error response from daemon"."""


def _abs_in(path: str) -> str:
    from .fs.tree import normpath
    return normpath(path if path.startswith("/") else "/" + path)


def normpath_host(path: str) -> str:
    """A host path for the engine's host filesystem: relative paths start at ``/`` (the
    in-memory host's only directory; the CLI makes them absolute first)."""
    return _abs_in(path)


def _docker_cp(src_fs, spath: str, src_raw: str, dst_fs, dest: str, *, to_container: bool, name: str,
               dest_raw: str | None = None) -> str:
    from .fs.tree import basename, join, normpath, parent
    dest_raw = dest if dest_raw is None else dest_raw
    try:
        top = src_fs.lstat(spath)
    except OSError:
        raise CopyError(f"lstat {spath}: no such file or directory") from None
    contents_only = src_raw.rstrip("/").endswith("/.") or src_raw in (".",)
    dpath = normpath(dest)
    target = dst_fs.lookup(dpath) if dst_fs.exists(dpath, follow=False) else None
    if target is not None and target.kind == "symlink" and dst_fs.exists(dpath):
        target = dst_fs.lstat(dst_fs.realpath(dpath)) if hasattr(dst_fs, "realpath") else target
    if target is None:
        if dest_raw.endswith("/") and top.kind != "dir":
            raise CopyError("no such directory")
        par = parent(dpath)
        if not dst_fs.exists(par) or not dst_fs.is_dir(par):
            if to_container:
                missing = par
                while parent(missing) != "/" and not dst_fs.exists(parent(missing)):
                    missing = parent(missing)
                raise NotFound(f"Could not find the file {missing} in container {name}")
            raise CopyError(f'invalid output path: directory "{par}" does not exist')
        root = dpath                      # a new name: the source itself becomes DEST
    elif target.kind == "dir":
        root = dpath if (top.kind == "dir" and contents_only) else join(dpath, basename(spath))
    elif top.kind == "dir":
        raise CopyError("cannot copy directory")
    else:
        root = dpath                      # a file over a file
    for path, node in src_fs.walk(spath):
        rel = path[len(spath):].lstrip("/") if path != spath else ""
        out = join(root, rel) if rel else root
        dst_fs.put_node(out, node.with_(uid=0, gid=0, ino=0))
    return root


def _committed_config(c: Container) -> ContainerConfig:
    """The config ``docker commit`` gives the new image: the container's own (its command,
    entrypoint, -e values, -w and -u) over the image's (observed on the 20.10 oracle:
    ``docker run -e A=1 -w /tmp bb:1 sh -c 'sleep 100'`` commits ``Env ["A=1"]``,
    ``Cmd ["sh","-c","sleep 100"]``, ``WorkingDir /tmp``). PATH and HOSTNAME, which the
    daemon adds to every process, go in only if the image or the user set them."""
    from dataclasses import replace as _replace
    cfg = c.image.config
    image_env = cfg.env_dict()
    env = tuple(f"{k}={v}" for k, v in c.env.items()
                if not (k == "HOSTNAME" and v == c.id[:12])
                and not (k == "PATH" and "PATH" not in image_env and f"PATH={v}" == DEFAULT_PATH))
    wd = c.working_dir if c.working_dir not in ("", "/") or cfg.working_dir else ""
    return _replace(cfg, env=env, cmd=tuple(c.argv) or None, entrypoint=tuple(c.entrypoint) or None,
                    working_dir=wd, user=c.user or "")


def _oci_error(name: str, reason: str, exec_: bool = False) -> str:
    """runc's message for a command it cannot start (shell.CommandNotFound.reason: "not found
    in $PATH", "no such file or directory" or "permission denied")."""
    if reason == "not found in $PATH":
        detail = f'exec: "{name}": executable file not found in $PATH'
    elif reason == "no such file or directory":
        detail = f'exec: "{name}": stat {name}: no such file or directory'
    else:
        detail = f'exec: "{name}": {reason}'
    if exec_:
        return f"OCI runtime exec failed: exec failed: unable to start container process: {detail}: unknown"
    return ("failed to create task for container: failed to create shim task: OCI runtime create failed: "
            f"runc create failed: unable to start container process: {detail}: unknown")


def _load_storage(engine: Engine):
    """The storage layer: drivers, volumes, mounts (imported here: it imports the engine's values)."""
    from .storage.hooks import StorageHooks
    return StorageHooks(engine)


def volumes_from_requests(eng: Engine, refs: Sequence[str], volumes=(), mounts=(), tmpfs=()) -> list:
    """``--volumes-from container[:ro|rw]`` as moby's registerMountPoints reads it: every volume
    and bind mount of that container, at the same destination, read-only if the source mount is
    or ``:ro`` is given; the volume is shared (not copied, never filled from the image; ``Mode``
    empty); an explicit ``-v``/``--mount`` for the same destination wins."""
    from .storage.mounts import BindMount, VolumeMount, parse_mount_spec, parse_tmpfs_spec, parse_volume_spec

    explicit = set()
    for v in volumes:
        explicit.add((parse_volume_spec(v) if isinstance(v, str) else v).target)
    for m in mounts:
        explicit.add((parse_mount_spec(m) if isinstance(m, str) else m).target)
    for t in (tmpfs.keys() if isinstance(tmpfs, Mapping) else tmpfs):
        explicit.add((parse_tmpfs_spec(t) if isinstance(t, str) else t).target)
    out: dict[str, object] = {}
    for ref in refs:
        name, _, mode = ref.partition(":")
        if mode and mode not in ("ro", "rw"):
            raise InvalidParameter(f"invalid mode: {mode}")
        src = eng.container(name)
        for m in getattr(src, "mounts", None) or ():
            req = m.request
            ro = m.read_only or mode == "ro"
            if isinstance(req, VolumeMount) and getattr(m, "volume", None) is not None:
                out[m.target] = VolumeMount(m.target, name=m.volume.name, read_only=ro, nocopy=True)
            elif isinstance(req, BindMount):
                out[m.target] = BindMount(req.source, m.target, read_only=ro, create_source=True,
                                          propagation=req.propagation, host=req.host)
    return [r for t, r in out.items() if t not in explicit]
