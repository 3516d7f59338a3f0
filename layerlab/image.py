"""Images: an ordered stack of layers plus a config whose sha256 is the image ID.

The config JSON has the shape Docker writes (``architecture``, ``config``, ``created``,
``history``, ``os``, ``rootfs``). ``history`` has one entry per Dockerfile instruction;
entries with ``empty_layer: true`` made no layer, and the number of entries without it always
equals the number of layers (both daemon stores refuse an image otherwise).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Mapping

from .clock import rfc3339nano
from .digest import chain_ids, sha256_digest, short_id
from .fs.layer import Layer
from .fs.rootfs import FlatTree

DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def normalize_ref(ref: str) -> str:
    """``ubuntu`` -> ``ubuntu:latest``; ``docker.io/library/x:1`` -> ``x:1``."""
    for prefix in ("docker.io/library/", "docker.io/", "library/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix):]
    if "@" in ref:
        return ref
    last = ref.rsplit("/", 1)[-1]
    return ref if ":" in last else ref + ":latest"


def registry_host(ref: str) -> str | None:
    """The registry a reference names (``127.0.0.1:5000/x``, ``ghcr.io/x``, ``localhost/x``:
    the first path part has a ``.`` or a ``:``, or is ``localhost``), or None for Docker Hub."""
    name = ref.split("@", 1)[0]
    first, slash, _ = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost") and first != "docker.io":
        return first
    return None


def full_reference(ref: str) -> str:
    """A reference fully qualified, as docker prints it after a pull or in BuildKit errors:
    ``x:1`` -> ``docker.io/library/x:1``; ``127.0.0.1:5000/x:1`` stays as it is."""
    norm = normalize_ref(ref)
    if registry_host(norm):
        return norm
    return f"docker.io/{'' if '/' in norm.rsplit(':', 1)[0] else 'library/'}{norm}"


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    created: int
    created_by: str
    comment: str = ""
    empty_layer: bool = False
    author: str = ""

    def to_json(self) -> dict:
        out: dict = {"created": rfc3339nano(self.created)}
        if self.author:
            out["author"] = self.author
        if self.created_by:
            out["created_by"] = self.created_by
        if self.comment:
            out["comment"] = self.comment
        if self.empty_layer:
            out["empty_layer"] = True
        return out


@dataclass(frozen=True, slots=True)
class ContainerConfig:
    """The runtime defaults an image carries (the ``config`` object of the image JSON)."""

    env: tuple[str, ...] = (DEFAULT_PATH,)
    cmd: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None
    working_dir: str = ""
    user: str = ""
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    exposed_ports: tuple[str, ...] = ()
    volumes: tuple[str, ...] = ()
    stop_signal: str = ""
    shell: tuple[str, ...] | None = None
    args_escaped: bool = False
    on_build: tuple[str, ...] = ()

    def env_dict(self) -> dict[str, str]:
        out = {}
        for item in self.env:
            k, _, v = item.partition("=")
            out[k] = v
        return out

    def to_json(self) -> dict:
        out: dict = {}
        if self.user:
            out["User"] = self.user
        if self.exposed_ports:
            out["ExposedPorts"] = {p: {} for p in sorted(self.exposed_ports)}
        out["Env"] = list(self.env)
        if self.entrypoint is not None:
            out["Entrypoint"] = list(self.entrypoint)
        if self.cmd is not None:
            out["Cmd"] = list(self.cmd)
        if self.args_escaped:
            out["ArgsEscaped"] = True
        if self.volumes:
            out["Volumes"] = {v: {} for v in sorted(self.volumes)}
        out["WorkingDir"] = self.working_dir
        out["OnBuild"] = list(self.on_build) if self.on_build else None
        out["Labels"] = dict(sorted(self.labels.items())) if self.labels else None
        if self.stop_signal:
            out["StopSignal"] = self.stop_signal
        if self.shell is not None:
            out["Shell"] = list(self.shell)
        return out


@dataclass(frozen=True, eq=False)
class Image:
    layers: tuple[Layer, ...]
    config: ContainerConfig
    history: tuple[HistoryEntry, ...]
    created: int
    parent: str = ""          # classic builder: the previous step's image ID
    architecture: str = "amd64"
    os: str = "linux"
    docker_version: str = ""
    description: str = ""     # for catalog models: what this image models, and how

    def __post_init__(self) -> None:
        non_empty = sum(1 for h in self.history if not h.empty_layer)
        if self.history and non_empty != len(self.layers):
            raise ValueError(f"history has {non_empty} non-empty entries for {len(self.layers)} layers")

    @cached_property
    def diff_ids(self) -> tuple[str, ...]:
        return tuple(layer.diff_id for layer in self.layers)

    @cached_property
    def chain_ids(self) -> tuple[str, ...]:
        return tuple(chain_ids(self.diff_ids))

    @cached_property
    def config_json(self) -> bytes:
        doc: dict = {"architecture": self.architecture, "config": self.config.to_json(),
                     "created": rfc3339nano(self.created)}
        if self.docker_version:
            doc["docker_version"] = self.docker_version
        doc["history"] = [h.to_json() for h in self.history]
        doc["os"] = self.os
        doc["rootfs"] = {"type": "layers", "diff_ids": list(self.diff_ids)}
        return json.dumps(doc, separators=(",", ":")).encode()

    @cached_property
    def id(self) -> str:
        return sha256_digest(self.config_json)

    @property
    def short_id(self) -> str:
        return short_id(self.id)

    @cached_property
    def size(self) -> int:
        """Image SIZE on overlay2: the sum of its layers' sizes."""
        return sum(layer.size for layer in self.layers)

    @cached_property
    def flat(self) -> FlatTree:
        """All layers merged once (cached): the read-only base of every container."""
        return FlatTree.of(self.layers)

    def __repr__(self) -> str:
        return f"<Image {self.short_id} layers={len(self.layers)} size={self.size}>"
