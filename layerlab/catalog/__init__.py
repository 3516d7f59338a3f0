"""Built-in base images: daemonless *models* of real Docker Hub images.

Learners on Binder cannot pull images, so ``FROM ubuntu:22.04`` resolves here. Each image is
a model of one real image at one date (the docstrings of :mod:`._images` and
:func:`describe` say which). Taken from the real image: the layer count, each layer's size
(as ``docker images``/``docker history`` print it, 3 significant digits), the history entries
(``created_by``, comment, empty layers), the runtime config (Env, Cmd, Entrypoint,
ExposedPorts, StopSignal, Labels) and, approximately, the creation dates. File *contents*
are synthetic (:meth:`Content.synthetic`) except small texts a learner reads (``/etc/passwd``,
``/etc/os-release``, ``nginx.conf`` ...); directory skeletons, executable paths and file counts
are realistic.

Images are built once per process and cached: the same :class:`Image` object (hence the same
diff_ids and image ID, on every machine) is returned for every reference that names it.
Diff IDs are computed lazily, by hashing the canonical tar of every layer.

API: :func:`get`, :func:`names`, :func:`describe`.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

from ..image import Image
from . import _images as _I

# canonical reference -> builder; aliases map other tags onto a canonical reference
_BUILDERS: dict[str, Callable[[], Image]] = {
    "busybox:1.36": _I.busybox,
    "alpine:3.19": _I.alpine,
    "ubuntu:22.04": _I.ubuntu2204,
    "ubuntu:24.04": _I.ubuntu2404,
    "debian:bookworm": _I.debian_bookworm,
    "debian:bookworm-slim": _I.debian_bookworm_slim,
    "nginx:alpine": _I.nginx_alpine,
    "python:3.12": _I.python312,
    "python:3.12-slim": _I.python312_slim,
    "node:20": _I.node20,
    "node:20-alpine": _I.node20_alpine,
}

_ALIASES: dict[str, str] = {
    "busybox:latest": "busybox:1.36", "busybox:1.36.1": "busybox:1.36", "busybox:1": "busybox:1.36",
    "alpine:latest": "alpine:3.19", "alpine:3.19.1": "alpine:3.19", "alpine:3": "alpine:3.19",
    "ubuntu:jammy": "ubuntu:22.04", "ubuntu:jammy-20240427": "ubuntu:22.04",
    "ubuntu:latest": "ubuntu:24.04", "ubuntu:noble": "ubuntu:24.04",
    "debian:latest": "debian:bookworm", "debian:12": "debian:bookworm", "debian:12.5": "debian:bookworm",
    "debian:12-slim": "debian:bookworm-slim", "debian:stable-slim": "debian:bookworm-slim",
    "nginx:1.25-alpine": "nginx:alpine", "nginx:1.25.4-alpine": "nginx:alpine", "nginx:mainline-alpine": "nginx:alpine",
    "python:3.12-bookworm": "python:3.12", "python:3.12.3": "python:3.12", "python:3": "python:3.12",
    "python:latest": "python:3.12", "python:3.12-slim-bookworm": "python:3.12-slim",
    "node:20-bookworm": "node:20", "node:20.13.1": "node:20", "node:lts": "node:20",
    "node:20-alpine3.19": "node:20-alpine", "node:lts-alpine": "node:20-alpine",
}


def normalize(reference: str) -> str:
    """``docker.io/library/alpine`` -> ``alpine:latest``; digests are not supported."""
    ref = reference.strip()
    for prefix in ("docker.io/library/", "index.docker.io/library/", "registry-1.docker.io/library/",
                   "docker.io/", "library/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix):]
            break
    name, sep, tag = ref.rpartition(":")
    if not sep or "/" in tag:
        name, tag = ref, "latest"
    return f"{name.lower()}:{tag}"


def canonical(reference: str) -> str | None:
    ref = normalize(reference)
    ref = _ALIASES.get(ref, ref)
    return ref if ref in _BUILDERS else None


@lru_cache(maxsize=None)
def _build(ref: str) -> Image:
    return _BUILDERS[ref]()


def get(reference: str) -> Image | None:
    """The catalog image for ``reference`` (``name``, ``name:tag``, ``docker.io/library/name:tag``)."""
    ref = canonical(reference)
    return _build(ref) if ref else None


def names(aliases: bool = False) -> list[str]:
    """References available, sorted (canonical ones; with ``aliases=True`` every accepted tag)."""
    out = set(_BUILDERS)
    if aliases:
        out |= set(_ALIASES)
    return sorted(out)


def describe(reference: str) -> str:
    """What real image a catalog reference models, and which of its numbers are real."""
    ref = canonical(reference)
    if ref is None:
        raise KeyError(f"no catalog image for {reference!r}; available: {', '.join(names())}")
    img = _build(ref)
    return (f"{ref}: {img.description} Layers: {len(img.layers)}; history entries: {len(img.history)}. "
            "File contents are synthetic; sizes, history and config follow the real image.")


__all__ = ["get", "names", "describe", "normalize", "canonical"]
