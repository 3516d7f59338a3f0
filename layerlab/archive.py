"""Layer tars and ``docker save`` archives: read safely (``docker import``, ``docker load``,
``ADD archive.tar``) and written in docker's save format (``docker save``).

Path safety follows moby's extractor (go-archive, extraction through ``os.Root``):

* every name is cleaned and a leading ``/`` stripped, so **absolute names stay inside the root**;
* a name that climbs out with ``..`` is **rejected** (``invalid entry name``): nothing is
  extracted from that archive;
* a hard-link target is cleaned the same way; one that escapes is rejected
  (``invalid hardlink target``); a hard link to a name not yet in the archive is rejected too;
* symlink targets are **stored verbatim** (``/usr/lib`` is a legitimate target); layerlab
  never follows a symlink out of a container root, because every lookup resolves inside it;
* device nodes other than whiteouts, FIFOs, and absurd sizes are refused.

Nothing is ever written to the host: entries become values.

Whiteouts: ``.wh.<name>`` deletes ``name`` from the layers below; ``<dir>/.wh..wh..opq`` makes
``dir`` opaque; the bare names ``.wh.``, ``.wh..`` and ``.wh...`` are invalid (OCI layer.md).
"""
from __future__ import annotations

import gzip as _gzip
import hashlib
import io
import json as _json
import posixpath
import tarfile
from typing import IO, TYPE_CHECKING, NamedTuple, Sequence

from .content import Content
from .errors import InvalidParameter
from .image import normalize_ref
from .fs.layer import Layer
from .fs.tree import DIR, FILE, OPAQUE_MARKER, SYMLINK, WHITEOUT_PREFIX, Node

if TYPE_CHECKING:
    from .image import Image, normalize_ref

MAX_ENTRY_SIZE = 4 << 30   # 4 GiB: larger entries in a learner's archive are refused
MAX_ENTRIES = 500_000


class ArchiveError(InvalidParameter):
    """A tar that cannot be imported safely; the message says which entry and why."""


def _clean(name: str, what: str = "entry name") -> str:
    """Clean an archive name into an absolute path inside the root, or reject it.

    Like Go's ``filepath.IsLocal`` after ``path.Clean``: a name that climbs above the root
    with ``..`` at any point is rejected; a leading ``/`` is stripped (the name stays inside)."""
    if "\x00" in name:
        raise ArchiveError(f"invalid {what} {name!r}: NUL byte")
    parts: list[str] = []
    for part in name.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise ArchiveError(f"invalid {what} {name!r}: path escapes from parent")
            parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


MAX_SYMLINK_HOPS = 40  # Linux's MAXSYMLINKS


def _resolve_parent(entries: dict[str, Node], path: str, name: str) -> str:
    """Resolve the directory part of *path* through the symlinks this archive created so far,
    chroot-style: an absolute target is re-rooted inside the layer and ``..`` stops at its root
    (moby extracts through ``os.Root`` / inside a chroot). The last component is not followed:
    an entry replaces whatever has its name. A parent that is a regular file is an error."""
    if path == "/":
        return path
    todo = [p for p in posixpath.dirname(path).split("/") if p]
    last = posixpath.basename(path)
    cur: list[str] = []
    hops = 0
    while todo:
        comp = todo.pop(0)
        if comp in ("", "."):
            continue
        if comp == "..":
            if cur:
                cur.pop()
            continue
        here = "/" + "/".join(cur + [comp])
        node = entries.get(here)
        if node is not None and node.kind == SYMLINK:
            hops += 1
            if hops > MAX_SYMLINK_HOPS:
                raise ArchiveError(f"cannot extract {name!r}: too many levels of symbolic links")
            target = node.target
            if target.startswith("/"):
                cur = []
            todo = [p for p in target.split("/") if p] + todo
            continue
        if node is not None and node.kind != DIR:
            raise ArchiveError(f"cannot extract {name!r}: {here} is not a directory")
        if node is None and hops:
            # Parents are created only along the literal name (MkdirAll); behind a symlink
            # the directory must already exist in this layer, as open(2) would require.
            raise ArchiveError(f"cannot extract {name!r}: {here} (behind a symlink): no such file or directory")
        cur.append(comp)
    return "/" + "/".join(cur + [last]) if cur else "/" + last


def _check_reserved(path: str, name: str) -> None:
    """``.wh.`` names are reserved for whiteouts: no directory on the way may use one."""
    for comp in posixpath.dirname(path).split("/"):
        if comp.startswith(WHITEOUT_PREFIX):
            raise ArchiveError(f"invalid entry name {name!r}: {comp!r} is reserved for whiteouts")


def _put(entries: dict[str, Node], path: str, node: Node) -> None:
    """Add an entry as extraction would: an existing name is replaced (a directory with all
    of its children) unless both are directories, which merges (the new metadata wins)."""
    old = entries.get(path)
    if old is not None and old.kind == DIR and node.kind != DIR:
        prefix = path + "/"
        for p in [p for p in entries if p.startswith(prefix)]:
            del entries[p]
    entries[path] = node


def _open_tar(fileobj: IO[bytes]) -> tarfile.TarFile:
    try:
        return tarfile.open(fileobj=fileobj, mode="r:*")
    except (tarfile.TarError, EOFError, OSError) as exc:
        last = str(exc).strip().splitlines()[-1].strip(" -)")
        reason = last.rsplit("(", 1)[-1].strip("'\"") if "method tar" in last else last
        raise ArchiveError(f"archive/tar: invalid tar header ({reason})") from None


def read_tar(fileobj: IO[bytes]) -> tuple[dict[str, Node], set[str], set[str]]:
    """(entries, whiteouts, opaque dirs) of a layer tar, after the safety checks."""
    entries: dict[str, Node] = {}
    whiteouts: set[str] = set()
    opaques: set[str] = set()
    seen: set[str] = set()
    next_ino = 0
    tar = _open_tar(fileobj)
    count = 0
    try:
        for member in tar:
            count += 1
            if count > MAX_ENTRIES:
                raise ArchiveError(f"too many entries in archive (more than {MAX_ENTRIES})")
            path = _clean(member.name)
            if path == "/":
                if member.isdir():
                    entries["/"] = Node(DIR, member.mode & 0o7777, member.uid, member.gid, int(member.mtime) * 10**9)
                continue
            _check_reserved(path, member.name)
            if path in seen:
                # tar-split, which the daemon's layer store runs over every layer it registers
                raise ArchiveError(f"duplicates of file paths not supported: {member.name!r}")
            seen.add(path)
            path = _resolve_parent(entries, path, member.name)
            base = posixpath.basename(path)
            parent = posixpath.dirname(path) or "/"
            if base.startswith(WHITEOUT_PREFIX):
                if base == OPAQUE_MARKER:
                    opaques.add(parent)
                    continue
                target = base[len(WHITEOUT_PREFIX):]
                if target in ("", ".", "..") or base.startswith(WHITEOUT_PREFIX + WHITEOUT_PREFIX):
                    if base.startswith(WHITEOUT_PREFIX + WHITEOUT_PREFIX) and target not in ("", ".", ".."):
                        continue  # other .wh..wh.* meta files (aufs) are skipped
                    raise ArchiveError(f"invalid whiteout name {member.name!r}")
                whiteouts.add(posixpath.join(parent, target))
                continue
            mtime = int(member.mtime) * 10**9
            mode = member.mode & 0o7777
            if member.isdir():
                _put(entries, path, Node(DIR, mode, member.uid, member.gid, mtime))
            elif member.issym():
                if "\x00" in member.linkname:
                    raise ArchiveError(f"invalid symlink target for {member.name!r}: NUL byte")
                _put(entries, path, Node(SYMLINK, 0o777, member.uid, member.gid, mtime, target=member.linkname))
            elif member.islnk():
                src = _clean(member.linkname, "hardlink target")
                src = _resolve_parent(entries, src, member.linkname)
                node = entries.get(src)
                if node is None or node.kind != FILE:
                    raise ArchiveError(f"invalid hardlink target {member.linkname!r} for {member.name!r}: "
                                       f"not a regular file earlier in the archive")
                if src == path:
                    continue
                if not node.ino:
                    next_ino += 1
                    node = node.with_(ino=next_ino)
                    entries[src] = node
                _put(entries, path, node)
            elif member.isfile():
                if member.size > MAX_ENTRY_SIZE:
                    raise ArchiveError(f"refusing entry {member.name!r}: size {member.size} is larger than {MAX_ENTRY_SIZE}")
                try:
                    fh = tar.extractfile(member)
                    data = fh.read() if fh else b""
                except (tarfile.TarError, EOFError, OSError):
                    data = None
                if data is None or len(data) != member.size:
                    raise ArchiveError(f"unexpected EOF in archive entry {member.name!r}")
                _put(entries, path, Node(FILE, mode, member.uid, member.gid, mtime, Content.of(data)))
            elif member.ischr() and member.devmajor == 0 and member.devminor == 0:
                whiteouts.add(path)  # an overlay-style whiteout stored as a device
            else:
                kind = "FIFO" if member.isfifo() else "device node" if member.isdev() else f"type {member.type!r}"
                raise ArchiveError(f"refusing entry {member.name!r}: {kind} not allowed "
                                   f"(device nodes and FIFOs are not allowed)")
    except tarfile.TarError as exc:
        raise ArchiveError(f"archive/tar: {exc}") from None
    except (EOFError, OSError) as exc:
        raise ArchiveError(f"archive/tar: unexpected EOF ({exc})") from None
    return entries, whiteouts, opaques


def layer_from_tar(data: bytes) -> Layer:
    """The layer ``docker import`` makes: diff_id = sha256 of these exact bytes."""
    raw = data
    if data[:2] == b"\x1f\x8b" or data[:3] == b"BZh" or data[:6] == b"\xfd7zXZ\x00":
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as t:
            buf = io.BytesIO()
            fo = t.fileobj  # decompressed stream
            fo.seek(0)
            buf.write(fo.read())
            raw = buf.getvalue()
    entries, whiteouts, opaques = read_tar(io.BytesIO(raw))
    entries.pop("/", None)  # the root's own metadata is not modelled
    return Layer.build(entries, whiteouts, opaques, raw_tar=raw)


def read_tar_entries(fileobj: IO[bytes]) -> list[tuple[str, Node]]:
    """Entries of an archive for ``ADD``: (path relative to the destination, node), parents first."""
    entries, _, _ = read_tar(fileobj)
    return [(p.lstrip("/"), n) for p, n in sorted(entries.items()) if p != "/"]


# ====================================================================== docker save / docker load
# ``docker save`` writes, since Engine 25, an OCI image layout plus Docker's own index files
# (docs/docker-storage-facts.md §9.1, moby ``image/tarexport/save.go``)::
#
#     blobs/sha256/<diff_id hex>     each layer, uncompressed (the bytes whose sha256 is the diff_id)
#     blobs/sha256/<image id hex>    the image config (its sha256 is the image ID)
#     blobs/sha256/<manifest hex>    an OCI image manifest per image
#     index.json                     an OCI image index: one descriptor per tag
#     manifest.json                  [{"Config": ..., "RepoTags": [...], "Layers": [...]}]
#     oci-layout                     {"imageLayoutVersion": "1.0.0"}
#     repositories                   {"name": {"tag": "<top diff_id hex>"}} (legacy, tagged images only)
#
# ``docker load`` reads ``manifest.json`` and follows its paths, so it reads that format and the
# legacy one of Engine ≤ 24 (``<v1-id>/layer.tar``, ``<config hex>.json``) alike; a bare OCI
# layout (no ``manifest.json``) is read through ``index.json``. Every layer goes through
# :func:`read_tar`'s path safety, and each layer's sha256 must equal the config's diff_id.
#

OCI_LAYOUT = b'{"imageLayoutVersion": "1.0.0"}'
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = "application/vnd.oci.image.layer.v1.tar"
MAX_ARCHIVE_MEMBERS = 100_000


def _go_json(obj) -> bytes:
    """encoding/json.Marshal: compact, HTML characters escaped as Go does."""
    text = _json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()


def _tar_member(name: str, data: bytes | None, mtime: int = 0) -> bytes:
    from .fs.layer import _header  # the same ustar writer as layer tars

    if data is None:
        return _header(name, b"5", 0o755, 0, 0, 0, mtime)
    out = _header(name, b"0", 0o644, 0, 0, len(data), mtime) + data
    if len(data) % 512:
        out += b"\0" * (512 - len(data) % 512)
    return out


def _familiar(tag: str) -> tuple[str, str]:
    name, _, t = tag.rpartition(":")
    return name, t


def save_images(engine, refs) -> bytes:
    """``docker save`` through *engine* (kept for callers of the archive module): ``engine.save``."""
    return engine.save(refs)


def write_save_tar(items: Sequence[tuple[Image, Sequence[str]]]) -> bytes:
    """The ``docker save`` tar of *items* (each an image and its tags, none for an untagged
    image), in that order. Layers shared by several images are written once; an image's
    ``Parent`` is kept only when the parent is saved too.

    Raises:
        InvalidParameter: an image without layers (``empty export - not implemented``).
    """
    images = {img.id: img for img, _ in items}
    blobs: dict[str, bytes] = {}
    manifest: list[dict] = []
    index: list[dict] = []
    repositories: dict[str, dict[str, str]] = {}
    created_of: dict[str, int] = {}
    for img, tags in items:
        if not img.layers:
            raise DaemonErrorShim("empty export - not implemented")
        layer_descs = []
        for layer in img.layers:
            hexd = layer.diff_id.split(":", 1)[1]
            if hexd not in blobs:
                blobs[hexd] = layer.tar_bytes()
            layer_descs.append({"mediaType": MT_LAYER, "digest": layer.diff_id, "size": len(blobs[hexd])})
        cfg = img.config_json
        cfg_hex = img.id.split(":", 1)[1]
        blobs[cfg_hex] = cfg
        created_of[cfg_hex] = img.created // 10**9
        platform = {"architecture": img.architecture, "os": img.os}
        m = {"schemaVersion": 2, "mediaType": MT_MANIFEST,
             "config": {"mediaType": MT_CONFIG, "digest": img.id, "size": len(cfg), "platform": platform},
             "layers": layer_descs}
        mdata = _go_json(m)
        mhex = hashlib.sha256(mdata).hexdigest()
        blobs[mhex] = mdata
        repo_tags = []
        for tag in tags:
            name, t = _familiar(tag)
            repositories.setdefault(name, {})[t] = img.diff_ids[-1].split(":", 1)[1]
            repo_tags.append(tag)
            full = tag if "/" in name and "." in name.split("/", 1)[0] else (
                f"docker.io/{tag}" if "/" in name else f"docker.io/library/{tag}")
            index.append({"mediaType": MT_MANIFEST, "digest": "sha256:" + mhex, "size": len(mdata),
                          "annotations": {"io.containerd.image.name": full,
                                          "org.opencontainers.image.ref.name": t},
                          "platform": platform})
        item = {"Config": f"blobs/sha256/{cfg_hex}", "RepoTags": repo_tags or None,
                "Layers": [f"blobs/sha256/{d.split(':', 1)[1]}" for d in img.diff_ids]}
        if img.parent and img.parent in images:
            item["Parent"] = img.parent
        manifest.append(item)

    out = [_tar_member("blobs/", None), _tar_member("blobs/sha256/", None)]
    for hexd in sorted(blobs):
        out.append(_tar_member(f"blobs/sha256/{hexd}", blobs[hexd], created_of.get(hexd, 0)))
    out.append(_tar_member("index.json", _go_json({"schemaVersion": 2, "mediaType": MT_INDEX,
                                                   "manifests": index})))
    out.append(_tar_member("manifest.json", _go_json(manifest) + b"\n"))
    out.append(_tar_member("oci-layout", OCI_LAYOUT))
    if repositories:
        out.append(_tar_member("repositories", _go_json(repositories) + b"\n"))
    out.append(b"\0" * 1024)
    data = b"".join(out)
    if len(data) % tarfile.RECORDSIZE:
        data += b"\0" * (tarfile.RECORDSIZE - len(data) % tarfile.RECORDSIZE)
    return data


class DaemonErrorShim(InvalidParameter):
    """An archive the daemon refuses for a reason other than path safety."""


def _read_outer(data: bytes) -> dict[str, bytes]:
    """The regular files of a save tar by cleaned relative name; symlinks (legacy saves link
    duplicate layers) are resolved inside the archive."""
    files: dict[str, bytes] = {}
    links: dict[str, str] = {}
    tar = _open_tar(io.BytesIO(data))
    count = 0
    try:
        for member in tar:
            count += 1
            if count > MAX_ARCHIVE_MEMBERS:
                raise ArchiveError(f"too many entries in archive (more than {MAX_ARCHIVE_MEMBERS})")
            name = _clean(member.name)[1:]
            if member.isfile():
                if member.size > MAX_ENTRY_SIZE:
                    raise ArchiveError(f"refusing entry {member.name!r}: size {member.size} is larger than {MAX_ENTRY_SIZE}")
                try:
                    fh = tar.extractfile(member)
                    blob = fh.read() if fh else b""
                except (tarfile.TarError, EOFError, OSError):
                    blob = b""
                if len(blob) != member.size:
                    raise ArchiveError(f"unexpected EOF in archive entry {member.name!r}")
                files[name] = blob
            elif member.issym() or member.islnk():
                base = posixpath.dirname("/" + name) if member.issym() else "/"
                target = member.linkname if member.linkname.startswith("/") or member.islnk() \
                    else posixpath.join(base, member.linkname)
                links[name] = _clean(target, "link target")[1:]
            elif member.isdir():
                continue
            else:
                raise ArchiveError(f"refusing entry {member.name!r}: device nodes and FIFOs are not allowed")
    except tarfile.TarError as exc:
        raise ArchiveError(f"archive/tar: {exc}") from None
    for name, target in links.items():
        seen = {name}
        while target in links and target not in seen:
            seen.add(target)
            target = links[target]
        if target in files:
            files[name] = files[target]
    return files


def _blob(files: dict[str, bytes], path: str) -> bytes:
    name = _clean(path, "path")[1:]
    if name not in files:
        raise ArchiveError(f"open {name}: no such file or directory")
    return files[name]


def _inflate(blob: bytes) -> bytes:
    if blob[:2] == b"\x1f\x8b":
        return _gzip.decompress(blob)
    if blob[:3] == b"BZh" or blob[:6] == b"\xfd7zXZ\x00":
        import bz2
        import lzma
        return bz2.decompress(blob) if blob[:3] == b"BZh" else lzma.decompress(blob)
    return blob


def image_from_config(raw: bytes, layers: tuple, parent: str = ""):
    """An Image whose ID is sha256(*raw*): the config is kept byte for byte."""
    from .clock import parse_rfc3339
    from .image import ContainerConfig, HistoryEntry, Image

    doc = _json.loads(raw)
    c = doc.get("config") or {}

    def tup(v):
        return tuple(v) if v is not None else None

    cfg = ContainerConfig(
        env=tuple(c.get("Env") or ()), cmd=tup(c.get("Cmd")), entrypoint=tup(c.get("Entrypoint")),
        working_dir=c.get("WorkingDir") or "", user=c.get("User") or "",
        labels=dict(c.get("Labels") or {}), exposed_ports=tuple(sorted(c.get("ExposedPorts") or {})),
        volumes=tuple(sorted(c.get("Volumes") or {})), stop_signal=c.get("StopSignal") or "",
        shell=tup(c.get("Shell")), args_escaped=bool(c.get("ArgsEscaped")),
        on_build=tuple(c.get("OnBuild") or ()))

    def ns(text):
        try:
            return parse_rfc3339(text) if text else 0
        except ValueError:
            return 0

    history = tuple(HistoryEntry(ns(h.get("created")), h.get("created_by", ""), h.get("comment", ""),
                                 bool(h.get("empty_layer")), h.get("author", ""))
                    for h in doc.get("history") or ())
    img = Image(tuple(layers), cfg, history, ns(doc.get("created")), parent=parent,
                architecture=doc.get("architecture", "amd64"), os=doc.get("os", "linux"),
                docker_version=doc.get("docker_version", ""))
    img.__dict__["config_json"] = bytes(raw)   # the image ID is the sha256 of these exact bytes
    return img


class SavedImage(NamedTuple):
    """One image of a save tar: its config bytes (the image ID is their sha256), its layers
    (each checked against the config's diff_ids), the ``Parent`` the manifest names ("" for
    none) and its tags, normalized."""

    config: bytes
    layers: tuple[Layer, ...]
    parent: str
    tags: tuple[str, ...]


def load_images(engine, data: bytes) -> list[str]:
    """``docker load`` through *engine* (kept for callers of the archive module): ``engine.load``."""
    return engine.load(data)


def read_save_tar(data: bytes) -> list[SavedImage]:
    """The images of a ``docker save`` tar (gzip, bzip2 or xz compressed, or not), in the
    order of its ``manifest.json`` (or, for a bare OCI layout, its ``index.json``).

    Raises:
        ArchiveError: an unsafe name, a missing blob, a bad manifest, or a layer whose sha256
            is not the diff_id the config lists (``invalid diffID for layer N``).
    """
    data = _inflate(bytes(data))
    files = _read_outer(data)
    if "manifest.json" in files:
        try:
            items = _json.loads(files["manifest.json"])
        except ValueError as exc:
            raise ArchiveError(f"invalid manifest.json: {exc}") from None
    elif "index.json" in files:
        items = []
        idx = _json.loads(files["index.json"])
        for desc in idx.get("manifests") or ():
            m = _json.loads(_blob(files, "blobs/" + desc["digest"].replace(":", "/")))
            name = (desc.get("annotations") or {}).get("io.containerd.image.name")
            items.append({"Config": "blobs/" + m["config"]["digest"].replace(":", "/"),
                          "RepoTags": [normalize_ref(name)] if name else None,
                          "Layers": ["blobs/" + ld["digest"].replace(":", "/") for ld in m.get("layers", ())]})
    else:
        raise ArchiveError("open repositories: no such file or directory")
    if not isinstance(items, list):
        raise ArchiveError("invalid manifest.json: not a list")
    out: list[SavedImage] = []
    layer_cache: dict[str, Layer] = {}
    for item in items:
        raw = _blob(files, item["Config"])
        doc = _json.loads(raw)
        want = list((doc.get("rootfs") or {}).get("diff_ids") or ())
        paths = list(item.get("Layers") or ())
        if len(want) != len(paths):
            raise ArchiveError(f"invalid manifest, layers length mismatch: expected {len(want)}, got {len(paths)}")
        layers = []
        for i, (p, expect) in enumerate(zip(paths, want)):
            key = _clean(p, "path")
            layer = layer_cache.get(key)
            if layer is None:
                layer = layer_from_tar(_inflate(_blob(files, p)))
                layer_cache[key] = layer
            if layer.diff_id != expect:
                raise ArchiveError(f'invalid diffID for layer {i}: expected "{expect}", got "{layer.diff_id}"')
            layers.append(layer)
        tags = tuple(normalize_ref(t) for t in item.get("RepoTags") or ())
        out.append(SavedImage(raw, tuple(layers), item.get("Parent") or "", tags))
    return out
