"""File content as a value: a size, an identity, and the byte ranges someone actually wrote.

A 1 GB file in a catalog image must cost metadata, not memory, so content is not a ``bytes``.
It is three things:

* ``seed``/``base``: bytes ``[0, base)`` come from a deterministic pattern named by ``seed``
  (the "identity" of a file that nobody in the course wrote byte by byte: a libc, a JPEG);
* ``extents``: sorted, non-overlapping ``(offset, bytes)`` runs a learner really wrote;
* ``size``: everything else up to ``size`` reads as NUL bytes (a sparse tail, as after
  ``truncate -s``).

Writes return a new value and record *where* they landed, which is what block-level
copy-on-write drivers (btrfs 4 KiB blocks, zfs 128 KiB records) need to price a write:
see :meth:`Content.ranges_changed_since`.
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

_BLOCK = 1 << 16  # the synthetic pattern repeats every 64 KiB


@lru_cache(maxsize=256)
def _pattern(seed: str) -> bytes:
    """64 KiB of deterministic bytes for ``seed`` (Mersenne Twister seeded by the string)."""
    return random.Random(seed).randbytes(_BLOCK)


def _prefix(seed: str, n: int) -> bytes:
    """The first ``n`` bytes of the pattern, without building all 64 KiB for a small file.

    ``randbytes`` emits 32-bit words little-endian, so a request rounded up to a multiple of
    four bytes is a prefix of every longer one.
    """
    return random.Random(seed).randbytes((n + 3) & ~3)[:n]


#: the seed of NUL bytes that were really written (``dd if=/dev/zero``): they read as NULs, like
#: a hole, but take disk blocks (ext4 and btrfs allocate written zeros; only a hole is free)
ZEROS = "\0zeros"


def _pattern_slice(seed: str, start: int, end: int) -> bytes:
    if end <= start:
        return b""
    if seed == ZEROS:
        return bytes(end - start)
    if end <= 4096:
        return _prefix(seed, end)[start:]
    pat = _pattern(seed)
    first = start % _BLOCK
    need = end - start
    reps = (first + need) // _BLOCK + 1
    if reps == 1:
        return pat[first:first + need]
    return (pat * reps)[first:first + need]


Extent = tuple[int, bytes]


@dataclass(frozen=True, slots=True)
class Content:
    """Immutable file data. Build with :meth:`of`, :meth:`synthetic` or :data:`EMPTY`."""

    size: int = 0
    seed: str = ""
    base: int = 0
    extents: tuple[Extent, ...] = ()

    # ----------------------------------------------------------------- constructors
    @staticmethod
    def of(data: bytes | str) -> "Content":
        """Content holding exactly ``data`` (a str is UTF-8 encoded)."""
        if isinstance(data, str):
            data = data.encode()
        if not data:
            return EMPTY
        return Content(size=len(data), extents=((0, bytes(data)),))

    @staticmethod
    def synthetic(seed: str, size: int) -> "Content":
        """``size`` bytes of a deterministic pattern named ``seed``; costs no memory."""
        return Content(size=size, seed=seed, base=size)

    # ----------------------------------------------------------------- reading
    def read(self, offset: int = 0, length: int | None = None) -> bytes:
        """The bytes in ``[offset, offset+length)`` (clipped to the size)."""
        end = self.size if length is None else min(self.size, offset + length)
        if offset >= end:
            return b""
        buf = bytearray(end - offset)
        if self.seed and self.base > offset:
            chunk = _pattern_slice(self.seed, offset, min(end, self.base))
            buf[0:len(chunk)] = chunk
        for start, data in self.extents:
            stop = start + len(data)
            if stop <= offset or start >= end:
                continue
            lo, hi = max(start, offset), min(stop, end)
            buf[lo - offset:hi - offset] = data[lo - start:hi - start]
        return bytes(buf)

    def chunks(self, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """The whole content, in pieces, for hashing or archiving."""
        pos = 0
        while pos < self.size:
            piece = self.read(pos, chunk_size)
            yield piece
            pos += len(piece)

    def bytes(self) -> bytes:
        return self.read(0, self.size)

    def sha256(self) -> str:
        h = hashlib.sha256()
        for piece in self.chunks():
            h.update(piece)
        return h.hexdigest()

    # ----------------------------------------------------------------- writing (new values)
    def write(self, offset: int, data: bytes) -> "Content":
        """Content after ``pwrite(data, offset)``; a gap past the end reads as NULs."""
        if not data:
            return self if offset <= self.size else self.truncate(offset)
        end = offset + len(data)
        merged_start, merged = offset, bytearray(data)
        kept: list[Extent] = []
        for start, old in self.extents:
            stop = start + len(old)
            if stop < merged_start or start > merged_start + len(merged):
                kept.append((start, old))
                continue
            # overlapping or touching: fold into one run, new bytes win
            new_start = min(start, merged_start)
            new_end = max(stop, merged_start + len(merged))
            buf = bytearray(new_end - new_start)
            buf[start - new_start:stop - new_start] = old
            buf[merged_start - new_start:merged_start - new_start + len(merged)] = merged
            merged_start, merged = new_start, buf
        kept.append((merged_start, bytes(merged)))
        kept.sort(key=lambda e: e[0])
        return Content(size=max(self.size, end), seed=self.seed, base=self.base, extents=tuple(kept))

    def append(self, data: bytes) -> "Content":
        return self.write(self.size, data)

    def truncate(self, size: int) -> "Content":
        """Content after ``truncate(size)``: shorter cuts, longer adds NULs."""
        if size == self.size:
            return self
        extents = []
        for start, data in self.extents:
            if start >= size:
                continue
            extents.append((start, data[:size - start]))
        return Content(size=size, seed=self.seed if min(self.base, size) else "",
                       base=min(self.base, size), extents=tuple(extents))

    # ----------------------------------------------------------------- block CoW support
    def ranges_changed_since(self, older: "Content") -> list[tuple[int, int]]:
        """Byte ranges ``[start, end)`` whose data may differ from ``older``.

        Exact for contents derived from ``older`` by writes, appends and truncation (the
        only way a container changes a file): new extents, plus any growth or shrink at
        the tail. Unrelated contents differ everywhere.
        """
        if (self.seed, self.base) != (older.seed, older.base) and not (
            self.seed == older.seed and self.base <= older.base
        ):
            return [(0, max(self.size, older.size))] if (self.size or older.size) else []
        old_extents = set(older.extents)
        ranges = [(s, s + len(d)) for s, d in self.extents if (s, d) not in old_extents]
        if self.base < older.base:  # truncated below the pattern: the tail changed
            ranges.append((self.base, max(self.size, older.size)))
        elif self.size != older.size:
            ranges.append((min(self.size, older.size), max(self.size, older.size)))
        return merge_ranges(ranges)


def merge_ranges(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Half-open byte ranges sorted and coalesced (touching ranges join; empty ones drop)."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(r for r in ranges if r[1] > r[0]):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


EMPTY = Content()
