"""The build context: what ``docker build`` sends to the daemon, and what COPY and ADD see.

Two rules from the docker client and daemon live here, once:

* **``.dockerignore``** (moby ``patternmatcher``, read by docker/cli ``build/dockerignore``):
  one pattern per line, ``#`` comments, blank lines skipped; each pattern is cleaned
  (``path.Clean``) and a leading ``/`` dropped. ``*`` and ``?`` stay inside one path element,
  ``**`` crosses them (``**/x`` matches ``x`` at any depth), ``[a-z]`` is a class and ``\\``
  escapes. A path is excluded when the **last** pattern that matches it, or one of its parent
  directories, is a plain one; ``!pattern`` re-includes. So ``logs`` + ``!logs/keep.txt``
  sends ``logs/keep.txt`` and nothing else under ``logs/`` (``MatchesOrParentMatches``).
* **What is sent** (docker/cli ``TrimBuildFilesFromExcludes``; moby ``archive.TarWithOptions``):
  the ``Dockerfile`` and the ``.dockerignore`` always travel, even when excluded, but the daemon
  drops them again (``removeDockerfile``), so COPY never sees an excluded one. An excluded
  directory is walked only when an exception pattern reaches into it, and its own entry is
  not sent. The size the client prints ("Sending build context to Docker daemon") is the
  size of that tar as Go's ``archive/tar`` writes it: a 512-byte header per entry, data padded
  to 512, a PAX header for names USTAR cannot hold, and two zero blocks at the end.
"""
from __future__ import annotations

import fnmatch
import hashlib
import os
import posixpath
import re
from dataclasses import dataclass
from typing import Mapping

from ..content import Content
from ..fs.tree import DIR, FILE, SYMLINK, Node, directory, normpath

BUILD_FILES = ("Dockerfile", ".dockerignore")
_ESCAPE = set(".+()|{}$")


# --------------------------------------------------------------------------- .dockerignore
@dataclass(frozen=True)
class Pattern:
    """One ``.dockerignore`` line: its cleaned text, whether it is an ``!`` exception, and the
    anchored regex moby's ``Pattern.compile`` makes of it."""
    text: str
    exclusion: bool
    regex: re.Pattern

    @staticmethod
    def parse(line: str) -> "Pattern | None":
        line = line.strip()
        if not line or line.startswith("#"):
            return None
        exclusion = line.startswith("!")
        if exclusion:
            line = line[1:].strip()
        if not line:
            return None
        text = posixpath.normpath(line)
        if len(text) > 1 and text.startswith("/"):
            text = text.lstrip("/") or "/"
        return Pattern(text, exclusion, re.compile(_compile(text)))

    def match(self, path: str) -> bool:
        return self.regex.match(path) is not None


def _compile(pattern: str) -> str:
    """moby ``Pattern.compile``: the pattern as an anchored regex over slash-separated paths."""
    out = "^"
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "*":
            if i + 1 < n and pattern[i + 1] == "*":
                i += 2
                if i < n and pattern[i] == "/":      # treat **/ as **: eat the slash
                    i += 1
                out += ".*" if i >= n else "(.*/)?"
                continue
            out += "[^/]*"
        elif ch == "?":
            out += "[^/]"
        elif ch in _ESCAPE:
            out += "\\" + ch
        elif ch == "\\":
            i += 1
            out += re.escape(pattern[i]) if i < n else "\\\\"
        else:
            out += ch
        i += 1
    return out + "$"


class DockerIgnore:
    """The patterns of a ``.dockerignore`` file, in order."""

    def __init__(self, patterns: list[Pattern]):
        self.patterns = patterns

    @staticmethod
    def parse(text: str | bytes | None) -> "DockerIgnore":
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        pats = [Pattern.parse(line) for line in (text or "").splitlines()]
        return DockerIgnore([p for p in pats if p is not None])

    @staticmethod
    def read(root: str) -> "DockerIgnore":
        try:
            with open(os.path.join(root, ".dockerignore"), encoding="utf-8", errors="replace") as fh:
                return DockerIgnore.parse(fh.read())
        except OSError:
            return DockerIgnore([])

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def excluded(self, path: str) -> bool:
        """moby ``MatchesOrParentMatches``: the last pattern matching ``path`` (relative,
        slash-separated) or one of its parent directories decides."""
        path = path.strip("/")
        parents = path.split("/")[:-1]
        hit = False
        for p in self.patterns:
            if p.exclusion != hit:      # a plain pattern cannot change a hit, nor ! a miss
                continue
            found = p.match(path) or any(p.match("/".join(parents[:i + 1])) for i in range(len(parents)))
            if found:
                hit = not p.exclusion
        return hit

    def walk_into(self, directory_path: str) -> bool:
        """Whether an excluded directory must still be walked: an exception reaches into it."""
        prefix = directory_path.strip("/") + "/"
        return any(p.exclusion and (p.text + "/").startswith(prefix) for p in self.patterns)


# --------------------------------------------------------------------------- tar size
def tar_entry_size(name: str, size: int) -> int:
    """Bytes Go's ``archive/tar`` writes for one entry: USTAR header and padded data, plus a PAX
    header when the name does not fit USTAR's name/prefix fields or is not ASCII."""
    n = 512 + (size + 511) // 512 * 512
    raw = name.encode("utf-8", "surrogateescape")
    fits = len(raw) <= 100 or (len(raw) <= 256 and any(
        len(raw[:i]) <= 155 and len(raw[i + 1:]) <= 100 for i in range(len(raw)) if raw[i:i + 1] == b"/"))
    if not fits or not name.isascii():
        rec = f" path={name}\n".encode("utf-8", "surrogateescape")
        ln = len(rec) + 1
        while len(str(ln)) + len(rec) != ln:
            ln = len(str(ln)) + len(rec)
        n += 512 + (ln + 511) // 512 * 512
    return n


def _entry_size(path: str, node: Node) -> int:
    rel = path.lstrip("/")
    if node.kind == DIR:
        return tar_entry_size(rel + "/", 0)
    return tar_entry_size(rel, node.content.size if node.kind == FILE else 0)


# --------------------------------------------------------------------------- build context
class BuildContext:
    """Files a build can COPY (``files``: ``"/rel/path"`` -> Node, directories included), from
    a folder on disk or a dict ``{path: data}``, with the ``.dockerignore`` applied. ``sent``
    is what the client's tar holds (by default the same): it also has the excluded build files,
    and it lacks the excluded directories that an exception reached into, which the daemon
    creates again as it unpacks their files."""

    def __init__(self, files: Mapping[str, Node], sent: Mapping[str, Node] | None = None):
        self.files = dict(files)
        self.sent = dict(self.files if sent is None else sent)

    @staticmethod
    def of(source, mtime: int = 0) -> "BuildContext":
        if source is None:
            return BuildContext({})
        if isinstance(source, BuildContext):
            return source
        if isinstance(source, (str, os.PathLike)):
            return BuildContext.from_dir(os.fspath(source))
        return BuildContext.from_dict(source, mtime)

    @staticmethod
    def from_dict(files: Mapping[str, object], mtime: int = 0) -> "BuildContext":
        """A context given as ``{path: data}``; a ``.dockerignore`` entry applies to it as the
        client applies the file in a folder."""
        nodes: dict[str, Node] = {}
        for path, data in files.items():
            p = normpath(path)
            if isinstance(data, Node):
                node = data
            elif isinstance(data, Content):
                node = Node(FILE, 0o644, 0, 0, mtime, data)
            else:
                node = Node(FILE, 0o644, 0, 0, mtime, Content.of(data))
            nodes[p] = node
            cur = posixpath.dirname(p)
            while cur != "/" and cur not in nodes:
                nodes[cur] = directory(0o755, mtime=mtime)
                cur = posixpath.dirname(cur)
        ignore_node = nodes.get("/.dockerignore")
        if ignore_node is None or ignore_node.kind != FILE:
            return BuildContext(nodes)
        ignore = DockerIgnore.parse(ignore_node.content.bytes())
        kept = {p: n for p, n in nodes.items() if not ignore.excluded(p)}
        return _drop_excluded_build_files(kept, nodes, ignore)

    @staticmethod
    def from_dir(root: str) -> "BuildContext":
        """A folder on disk, walked in lexical order as the client's ``TarWithOptions`` does."""
        ignore = DockerIgnore.read(root)
        nodes: dict[str, Node] = {}
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
            for name in sorted(dirnames + filenames):
                full = os.path.join(dirpath, name)
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                is_dir = name in dirnames
                if rel not in BUILD_FILES and ignore.excluded(rel):
                    if is_dir and not ignore.walk_into(rel):
                        dirnames.remove(name)
                    continue
                st = os.lstat(full)
                if os.path.islink(full):
                    nodes["/" + rel] = Node(SYMLINK, 0o777, 0, 0, st.st_mtime_ns, target=os.readlink(full))
                elif os.path.isdir(full):
                    nodes["/" + rel] = Node(DIR, st.st_mode & 0o7777, 0, 0, st.st_mtime_ns)
                else:
                    with open(full, "rb") as fh:
                        data = fh.read()
                    nodes["/" + rel] = Node(FILE, st.st_mode & 0o7777, 0, 0, st.st_mtime_ns, Content.of(data))
        return _drop_excluded_build_files(nodes, nodes, ignore)

    def size(self) -> int:
        return sum(n.size for n in self.files.values() if n.kind == FILE)

    def tar_size(self, extra_dockerfile: bytes | None = None) -> int:
        """Bytes of the context tar the docker client sends (what "Sending build context to
        Docker daemon" counts). ``extra_dockerfile``: a Dockerfile from outside the context (``-f
        ../x`` or ``-f -``), which the client adds as ``.dockerfile.<random hex>``."""
        total = 1024
        for path, node in self.sent.items():
            total += _entry_size(path, node)
        if extra_dockerfile is not None:
            total += tar_entry_size(".dockerfile." + "0" * 20, len(extra_dockerfile))
        return total

    def classic_hash(self, path: str) -> str:
        """The classic builder's source hash (moby remotecontext): sha256 over the tarsum v1
        header fields (name, mode, uid, gid, size, typeflag, linkname, uname, gname, devmajor,
        devminor; no mtime) followed by the content. Directories: ``dir:`` + sha256 of the
        sorted hashes of the directory and everything under it, comma-joined."""
        node = self.files.get(path)
        if node is not None and node.kind != DIR:
            return "file:" + _tarsum_v1(path.lstrip("/"), node)
        prefix = "" if path == "/" else path
        hashes = [] if path == "/" or node is None else [_tarsum_v1(path.lstrip("/"), node)]
        hashes += [_tarsum_v1((prefix + rel).lstrip("/"), n) for rel, n in self.subtree(path)]
        return "dir:" + hashlib.sha256(",".join(sorted(hashes)).encode()).hexdigest()

    def matches(self, pattern: str) -> list[str]:
        """COPY/ADD sources: Go's ``filepath.Match`` over the context's paths."""
        pat = normpath(pattern)
        if pat == "/":
            return ["/"]
        if any(c in pat for c in "*?["):
            return sorted(p for p in self.files if fnmatch.fnmatchcase(p, pat))
        return [pat] if pat in self.files else []

    def subtree(self, path: str) -> list[tuple[str, Node]]:
        """(relative path, node) under a directory, parents first."""
        prefix = "" if path == "/" else path
        out = []
        for p in sorted(self.files):
            if p.startswith(prefix + "/"):
                out.append((p[len(prefix):], self.files[p]))
        return out

    def checksum(self, paths: list[str]) -> str:
        """Content checksum of the sources, mtimes excluded (as BuildKit's cache key)."""
        h = hashlib.sha256()
        for p in paths:
            items = [(p, self.files.get(p))] if p != "/" else []
            if p == "/" or (self.files.get(p) and self.files[p].kind == DIR):
                items += [(p + rel, n) for rel, n in self.subtree(p)]
            for q, n in items:
                if n is None:
                    continue
                h.update(f"{q}\0{n.kind}\0{n.mode:o}\0{n.target}\0".encode())
                if n.kind == FILE:
                    h.update(n.content.sha256().encode())
        return h.hexdigest()


def _drop_excluded_build_files(kept: dict[str, Node], all_nodes: Mapping[str, Node],
                               ignore: DockerIgnore) -> BuildContext:
    """The client sends an excluded Dockerfile/.dockerignore anyway and the daemon removes them;
    a file re-included under an excluded directory gets that directory back (0755) in the
    daemon's copy, not in the tar."""
    sent = dict(kept)
    for name in BUILD_FILES:
        p = "/" + name
        if p in all_nodes:
            sent[p] = all_nodes[p]
            if ignore.excluded(name):
                kept.pop(p, None)
    files = dict(kept)
    for path in kept:
        cur = posixpath.dirname(path)
        while cur != "/" and cur not in files:
            files[cur] = directory(0o755)
            cur = posixpath.dirname(cur)
    return BuildContext(files, sent)


def _tarsum_v1(name: str, node: Node) -> str:
    typeflag = {FILE: "0", DIR: "5", SYMLINK: "2"}.get(node.kind, "0")
    if node.kind == DIR:
        name += "/"
    size = node.content.size if node.kind == FILE else 0
    mode = node.mode & 0o7777 if node.kind != SYMLINK else 0o777
    fields = [("name", name), ("mode", str(mode)), ("uid", "0"), ("gid", "0"), ("size", str(size)),
              ("typeflag", typeflag), ("linkname", node.target if node.kind == SYMLINK else ""),
              ("uname", ""), ("gname", ""), ("devmajor", "0"), ("devminor", "0")]
    h = hashlib.sha256("".join(k + v for k, v in fields).encode())
    if node.kind == FILE:
        for piece in node.content.chunks():
            h.update(piece)
    return h.hexdigest()
