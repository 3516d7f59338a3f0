"""What the backing store really holds: block accounting for the drivers' physical usage.

Two models:

* :func:`ext4_bytes` — what ``du`` (``st_blocks * 512``) reports for one object on ext4 with
  4 KiB blocks: file data in whole blocks (holes of sparse files cost nothing), directories at
  least one block, fast symlinks (target < 60 bytes) and whiteouts (char 0:0) nothing. Used for
  overlay2's diff dirs and vfs's full copies.
* :class:`ExtentModel` — copy-on-write extents, as btrfs (4 KiB blocks), zfs (128 KiB records)
  and devicemapper (64 KiB thin-pool blocks) keep them: a snapshot shares every extent of its
  parent; writing a byte range allocates new extents for the *units* it touches, while the
  parent keeps the old ones. A file is a list of references ``(file_off, length, extent,
  extent_off)``. ``btrfs filesystem du`` is computed from the same references: per file the
  referenced lengths (inline extents skipped), *shared* when another snapshot or inode
  references the extent, and a set-wide shared total counted once per physical range.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from ..content import Content, merge_ranges
from ..fs.tree import DIR, FILE, SYMLINK, Node

BLOCK = 4096


def alloc_ranges(content: Content) -> list[tuple[int, int]]:
    """Byte ranges that hold data (not holes): the synthetic base and the written extents."""
    out: list[tuple[int, int]] = []
    if content.base:
        out.append((0, min(content.base, content.size)))
    for start, data in content.extents:
        end = min(start + len(data), content.size)
        if end > start:
            out.append((start, end))
    return merge_ranges(out)


def align(ranges: Iterable[tuple[int, int]], unit: int, limit: int | None = None) -> list[tuple[int, int]]:
    """Round every range out to ``unit`` boundaries (clipped to ``limit``), merged."""
    out = []
    for s, e in ranges:
        a, b = s // unit * unit, -(-e // unit) * unit
        if limit is not None:
            b = min(b, limit)
        out.append((a, b))
    return merge_ranges(out)


def subtract(ranges: list[tuple[int, int]], minus: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for s, e in ranges:
        cur = s
        for ms, me in minus:
            if me <= cur or ms >= e:
                continue
            if ms > cur:
                out.append((cur, ms))
            cur = max(cur, me)
        if cur < e:
            out.append((cur, e))
    return out


def intersect(ranges: list[tuple[int, int]], other: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for s, e in ranges:
        for os_, oe in other:
            a, b = max(s, os_), min(e, oe)
            if a < b:
                out.append((a, b))
    return merge_ranges(out)


def total(ranges: Iterable[tuple[int, int]]) -> int:
    return sum(e - s for s, e in ranges)


# ---------------------------------------------------------------------------- ext4


def file_blocks(content: Content, block: int = BLOCK) -> int:
    return total(align(alloc_ranges(content), block))


def dir_bytes(names: Iterable[str] = ()) -> int:
    """An ext4 directory: one 4 KiB block until its entries (8 bytes + name, 4-aligned, plus
    ``.`` and ``..``) overflow it; a hashed (htree) directory then adds an index block."""
    used = 24 + sum((8 + len(n.encode()) + 3) & ~3 for n in names)
    if used <= BLOCK:
        return BLOCK
    leaves = -(-used * 4 // (BLOCK * 3))      # leaf blocks end up about 3/4 full
    return BLOCK * (leaves + 1)


def ext4_bytes(node: Node, children: Iterable[str] = ()) -> int:
    """``st_blocks * 512`` of one object on ext4."""
    if node.kind == FILE:
        return file_blocks(node.content)
    if node.kind == DIR:
        return dir_bytes(children)
    if node.kind == SYMLINK:
        return 0 if len(node.target.encode()) < 60 else BLOCK
    return 0


def level_du(entries: dict, children: dict, include_root: bool = True) -> int:
    """``du -s --block-size=1`` of a level's directory (a layer's diff dir, an upper dir)."""
    size = dir_bytes(children.get("/", ())) if include_root else 0
    seen: set[int] = set()
    for path, node in entries.items():
        if path == "/":
            continue
        if node.kind == FILE and node.ino:
            if node.ino in seen:
                continue
            seen.add(node.ino)
        size += ext4_bytes(node, children.get(path, ()) if node.kind == DIR else ())
    return size


def tree_du(view) -> int:
    """``du`` of a whole merged tree written out as plain files (a vfs layer directory)."""
    size, seen = 0, set()
    for path, node in view.walk("/"):
        if node.kind == FILE and node.ino:
            key = (node.ino, node.content)
            if key in seen:
                continue
            seen.add(key)
        size += ext4_bytes(node, view.listdir(path) if node.kind == DIR else ())
    return size


# ---------------------------------------------------------------------------- extents


_COMPARE_LIMIT = 64 << 20


def written_ranges(old: Content, new: Content, unit: int) -> list[tuple[int, int]]:
    """Byte ranges a container's writes touched, turning ``old`` into ``new``.

    ``Content.ranges_changed_since`` is exact for writes on a synthetic (seeded) file, but
    written extents are folded together, so on a file whose bytes were all written the answer is
    "everything". Within such ranges, units whose bytes are equal are taken as untouched (a
    rewrite of identical bytes is therefore missed: an under-estimate, noted in the report).
    """
    rough = new.ranges_changed_since(old)
    common = min(old.size, new.size)
    out: list[tuple[int, int]] = []
    for s, e in rough:
        lo, hi = s // unit * unit, min(-(-e // unit) * unit, common)
        if hi - lo > _COMPARE_LIMIT or lo >= hi:
            out.append((s, e))
            continue
        a, b = old.read(lo, hi - lo), new.read(lo, hi - lo)
        for off in range(0, hi - lo, unit):
            if a[off:off + unit] != b[off:off + unit]:
                out.append((lo + off, lo + min(off + unit, hi - lo)))
        if e > common:
            out.append((max(s, common), e))
    return merge_ranges(out)


@dataclass(frozen=True, slots=True)
class Ref:
    file_off: int
    length: int
    extent: int
    ext_off: int


@dataclass
class ExtentModel:
    """Copy-on-write extents. ``unit(size)`` is the CoW unit for a file of that size;
    files of ``0 < size <= inline_max`` live in metadata (btrfs inline extents)."""

    unit: Callable[[int], int]
    inline_max: int = 0
    whole_file_below: int = 0          # zfs: a file of one block is rewritten whole
    alloc_unit: int = 0                # devicemapper: new data packs into 4 KiB fs blocks, CoW is 64 KiB
    extents: dict[int, int] = field(default_factory=dict)   # id -> allocated bytes
    group: object = None               # the snapshot being written (set by the driver)
    kinds: dict[int, tuple] = field(default_factory=dict)   # id -> (group, fresh data?)

    def _alloc(self, size: int, fresh: bool = True) -> int:
        eid = len(self.extents) + 1
        self.extents[eid] = size
        self.kinds[eid] = (self.group, fresh)
        return eid

    def pool_bytes(self, chunk: int, ids=None) -> int:
        """A thin pool's usage: per snapshot, copied chunks plus its fresh data packed into
        whole ``chunk``-sized pool blocks."""
        cow: dict = {}
        fresh: dict = {}
        for eid in (ids if ids is not None else self.extents):
            g, is_fresh = self.kinds.get(eid, (None, True))
            d = fresh if is_fresh else cow
            d[g] = d.get(g, 0) + self.extents[eid]
        return sum(cow.values()) + sum(-(-v // chunk) * chunk for v in fresh.values())

    def inline(self, size: int) -> bool:
        return 0 < size <= self.inline_max

    def target(self, content: Content) -> list[tuple[int, int]]:
        """The unit-aligned ranges a file of this content has allocated."""
        if self.inline(content.size) or content.size == 0:
            return []
        unit = self.alloc_unit or self.unit(content.size)
        limit = -(-content.size // unit) * unit
        return align(alloc_ranges(content), unit, limit)

    def new_file(self, content: Content) -> tuple[Ref, ...]:
        refs = []
        for s, e in self.target(content):
            refs.append(Ref(s, e - s, self._alloc(e - s), 0))
        return tuple(refs)

    def modify(self, old_refs: tuple[Ref, ...], old: Content, new: Content) -> tuple[Ref, ...]:
        """The file's references after ``old`` became ``new`` by writes in a snapshot."""
        tgt = self.target(new)
        if not tgt:
            return ()
        if not old_refs or self.inline(old.size) or (
                self.whole_file_below and (new.size <= self.whole_file_below or old.size <= self.whole_file_below)):
            return self.new_file(new)
        unit = self.unit(new.size)
        # a shrinking truncate only drops references (measured on btrfs: no CoW of the tail block)
        changed = align([r for r in written_ranges(old, new, unit) if r[0] < new.size], unit)
        kept = []
        for r in old_refs:
            pieces = subtract(intersect([(r.file_off, r.file_off + r.length)], tgt), changed)
            for s, e in pieces:
                kept.append(Ref(s, e - s, r.extent, r.ext_off + (s - r.file_off)))
        fresh = subtract(tgt, merge_ranges((r.file_off, r.file_off + r.length) for r in kept))
        shared = merge_ranges((r.file_off, r.file_off + r.length) for r in old_refs)
        refs = kept + [Ref(s, e - s, self._alloc(e - s, not intersect([(s, e)], shared)), 0) for s, e in fresh]
        refs.sort(key=lambda r: r.file_off)
        return tuple(refs)


@dataclass
class DuRow:
    """One line of ``btrfs filesystem du -s``: Total, Exclusive, Set shared (this path's shared
    references, each physical range once)."""

    total: int
    exclusive: int
    set_shared: int = 0


def btrfs_du(snapshots: dict[str, dict[object, tuple[Ref, ...]]]) -> dict[str, DuRow]:
    """``btrfs filesystem du -s`` of every snapshot.

    ``snapshots``: name -> {inode key -> refs}, for *every* snapshot on the filesystem (a
    reference from any of them makes an extent shared). An extent is shared when more than one
    (snapshot, inode) references it (btrfs sets FIEMAP_EXTENT_SHARED); inline extents are not
    in the refs at all (btrfs-progs skips FIEMAP_EXTENT_DATA_INLINE).
    """
    users: dict[int, set] = {}
    for name, files in snapshots.items():
        for ino, refs in files.items():
            for r in refs:
                users.setdefault(r.extent, set()).add((name, ino))
    rows: dict[str, DuRow] = {}
    for name, files in snapshots.items():
        tot = shared = 0
        ranges: dict[int, list[tuple[int, int]]] = {}
        for refs in files.values():
            for r in refs:
                tot += r.length
                if len(users[r.extent]) > 1:
                    shared += r.length
                    ranges.setdefault(r.extent, []).append((r.ext_off, r.ext_off + r.length))
        rows[name] = DuRow(tot, tot - shared, sum(total(merge_ranges(v)) for v in ranges.values()))
    return rows
