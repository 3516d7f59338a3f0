"""Deterministic generation of realistic file trees with an exact total size.

The catalog images and the simulated package managers describe trees as a mix of

* *fixed* entries: real text (``/etc/passwd``), binaries with a chosen size, symlinks,
  hard links, directories with their modes;
* *elastic* files: names whose sizes are not known individually (a package's shared
  libraries, man pages, locale files). Their sizes are drawn from a skewed (log-normal like)
  distribution keyed by the path, then scaled so that the whole tree sums to an exact target:
  the overlay2 layer size (``directory.Size``: apparent size of every non-directory, symlinks
  counting their target length, hard links once).

Every byte of content is synthetic (:meth:`Content.synthetic`) except the texts given
explicitly. Seeds are per *group* (a package, a directory family), not per file, so hashing
a layer generates only a few 64 KiB patterns: files that share a group and a size would
have identical bytes, which nothing in the course can observe.
"""
from __future__ import annotations

import hashlib
import math
from types import MappingProxyType
from typing import Iterable

from ..content import Content
from ..fs.layer import Layer
from ..fs.tree import DIR, FILE, SYMLINK, Node, ancestors, unique_inodes

_TWO64 = float(1 << 64)

# the first bytes of an x86-64 ELF executable: a synthetic binary starts with them, so that a
# shell sees a binary (not a script) and `file`-like checks look right
ELF_HEADER = (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x03\x00\x3e\x00\x01\x00\x00\x00"
              + b"\x00" * 8 + b"\x40" + b"\x00" * 7)


def binary(seed: str, size: int, executable: bool = True) -> Content:
    """Synthetic content; executables (and shared objects) begin with an ELF header."""
    content = Content.synthetic(seed, size)
    if executable and size >= 64:
        content = content.write(0, ELF_HEADER)
    return content


def unit(key: str) -> float:
    """A uniform number in [0, 1) named by ``key`` (stable on every machine)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") / _TWO64


def skew(key: str, sigma: float = 1.1) -> float:
    """A positive log-normal-ish weight named by ``key`` (median 1)."""
    # sum of three uniforms is close enough to a normal for file sizes
    z = (unit(key + "#a") + unit(key + "#b") + unit(key + "#c") - 1.5) * 2.0
    return math.exp(sigma * z)


class TreeBuilder:
    """Collects entries for one layer (or one package install) and sizes them exactly."""

    def __init__(self, seed: str, mtime: int = 0):
        self.seed = seed
        self.mtime = mtime
        self.entries: dict[str, Node] = {}
        self._elastic: dict[str, tuple[str, float, int, str, int, int]] = {}
        self._next_ino = 0

    # ------------------------------------------------------------------ fixed entries
    def dir(self, *paths: str, mode: int = 0o755, uid: int = 0, gid: int = 0) -> "TreeBuilder":
        for p in paths:
            self._parents(p)
            self._elastic.pop(p, None)
            self.entries[p] = Node(DIR, mode, uid, gid, self.mtime)
        return self

    def text(self, path: str, data: str | bytes, mode: int = 0o644, uid: int = 0, gid: int = 0) -> None:
        self._parents(path)
        self._elastic.pop(path, None)
        self.entries[path] = Node(FILE, mode, uid, gid, self.mtime, Content.of(data))

    def blob(self, path: str, size: int, mode: int = 0o644, group: str = "", uid: int = 0,
             gid: int = 0) -> None:
        """A synthetic file of exactly ``size`` bytes."""
        self._parents(path)
        self._elastic.pop(path, None)
        content = binary(f"{self.seed}:{group or 'blob'}", size, bool(mode & 0o111)) if size else Content()
        self.entries[path] = Node(FILE, mode, uid, gid, self.mtime, content)

    def link(self, path: str, target: str) -> None:
        self._parents(path)
        self._elastic.pop(path, None)
        self.entries[path] = Node(SYMLINK, 0o777, 0, 0, self.mtime, target=target)

    def hardlinks(self, first: str, others: Iterable[str]) -> None:
        """Make ``others`` hard links of the file already at ``first`` (counted once)."""
        node = self.entries[first]
        if not node.ino:
            self._next_ino += 1
            node = node.with_(ino=self._next_ino)
            self.entries[first] = node
        for p in others:
            self._parents(p)
            self.entries[p] = node

    def empty(self, path: str, mode: int = 0o644) -> None:
        self.blob(path, 0, mode)

    # ------------------------------------------------------------------ elastic entries
    def spread(self, paths: Iterable[str], weight: float = 1.0, mode: int = 0o644, group: str = "",
               sigma: float = 1.1, uid: int = 0, gid: int = 0) -> None:
        """Files whose sizes are decided by :meth:`build` (relative ``weight`` per file)."""
        for p in paths:
            self._parents(p)
            self.entries[p] = Node(DIR, 0o755)  # placeholder, replaced in finish()
            self._elastic[p] = (p, weight * skew(f"{self.seed}:{p}", sigma), mode, group or "files", uid, gid)

    # ------------------------------------------------------------------ sizing
    def fixed_size(self) -> int:
        elastic = self._elastic
        fixed = (n for p, n in self.entries.items() if p not in elastic and n.kind != DIR)
        return sum(n.size for n in unique_inodes(fixed))

    def finish(self, total: int | None = None) -> dict[str, Node]:
        """Give the elastic files their sizes (summing to ``total`` overall) and return entries."""
        fixed = self.fixed_size()
        if self._elastic:
            if total is None:
                raise ValueError("elastic files need a total size")
            budget = total - fixed
            if budget < len(self._elastic):
                raise ValueError(f"{self.seed}: {budget} bytes left for {len(self._elastic)} files")
            items = list(self._elastic.values())
            weights = sum(e[1] for e in items)
            sizes = [max(1, int(budget * e[1] / weights)) for e in items]
            # put the rounding remainder on the largest file (deterministic)
            big = max(range(len(sizes)), key=lambda i: (sizes[i], items[i][0]))
            sizes[big] += budget - sum(sizes)
            for (path, _w, mode, group, uid, gid), size in zip(items, sizes):
                self.entries[path] = Node(FILE, mode, uid, gid, self.mtime,
                                          binary(f"{self.seed}:{group}", size, bool(mode & 0o111)))
            self._elastic = {}
        elif total is not None and total != fixed:
            raise ValueError(f"{self.seed}: fixed entries sum to {fixed}, not {total}")
        return self.entries

    def layer(self, total: int | None = None) -> Layer:
        entries = self.finish(total)
        return Layer(MappingProxyType(dict(entries)), frozenset(), frozenset())

    # ------------------------------------------------------------------ helpers
    def _parents(self, path: str) -> None:
        for anc in ancestors(path):
            if anc not in self.entries:
                self.entries[anc] = Node(DIR, 0o755, 0, 0, self.mtime)


def names(prefix: str, stems: Iterable[str], suffix: str = "") -> list[str]:
    return [f"{prefix}/{s}{suffix}" for s in stems]


def numbered(key: str, count: int, vocabulary: list[str], suffixes: list[str]) -> list[str]:
    """``count`` plausible, unique file names built from a vocabulary (deterministic)."""
    out, seen, i = [], set(), 0
    while len(out) < count:
        a = vocabulary[int(unit(f"{key}:{i}:a") * len(vocabulary))]
        b = vocabulary[int(unit(f"{key}:{i}:b") * len(vocabulary))]
        suf = suffixes[int(unit(f"{key}:{i}:s") * len(suffixes))]
        name = f"{a}_{b}{suf}" if unit(f"{key}:{i}:j") < 0.5 else f"{a}{suf}"
        if name in seen:
            name = f"{a}{i}{suf}"
        if name not in seen:
            seen.add(name)
            out.append(name)
        i += 1
    return out
