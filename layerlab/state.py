"""Where the ``layerlab`` command keeps its engine between commands.

The state lives in ``$LAYERLAB_HOME`` (default ``$XDG_DATA_HOME/layerlab``, else
``~/.local/share/layerlab``)::

    store.db     an SQLite database (Python's standard ``sqlite3``) of records, one table:
                 ``objects(key, data, refs)``; ``refs`` lists the keys a record points to
    state.lock   an ``fcntl`` lock held for the whole command (read, run, write)

A command reads and writes only what it touches, the way moby keeps one directory per layer
and per container instead of one file for the daemon:

- ``root``: the :class:`~layerlab.engine.Engine` pickled *without* its heavy parts — images,
  containers, tags, volumes, the build cache are small once the layers are out. Every command
  reads it (tens of kilobytes where the whole engine is megabytes).
- ``L:<id>``: one record per image layer (:class:`~layerlab.fs.layer.Layer`: its file entries),
  written once (layers are immutable). The root holds a *reference* with the layer's small
  cached values (size, diff_id), and loading the root makes a :class:`_LazyLayer` that reads
  its record the first time its files are needed. ``docker images`` and ``docker history``
  never read a layer; ``docker diff`` of a container reads only that container's image.
- ``F:<id>``: the flattened view of an image (:class:`~layerlab.fs.rootfs.FlatTree`, built once
  per image and never changed afterwards), likewise lazy.
- ``B:<sha256>``: every byte string of 64 KiB or more (imported tars, big file contents),
  stored once by content hash.

Saving is one SQLite transaction: new records, the new root, then records nothing refers to
any more are deleted; a ``kill -9`` at any moment leaves the previous state or the new one,
never a mix (journal in WAL mode). A command whose engine pickles to the root it read changed
nothing and writes nothing. Commands that only read (``ps``, ``diff``, ``inspect``...) take a
shared lock and never write. Two commands at once are serialized, so neither loses the other's
changes. ``LAYERLAB_FSYNC=1`` makes every commit durable across power loss (slower).

A state that cannot be read (corrupted, truncated, a missing record, or written by an
incompatible layerlab) is an error that names the file; it is never overwritten silently. A
store of the previous format (``state.pickle`` and ``blobs/``, format 2) is migrated on first
use, and the old file is kept as ``state.pickle.v2``.

The CLI's engine runs on the wall clock (:class:`~layerlab.clock.WallClock`) with a random
seed chosen when the state is created, so IDs differ between installations like docker's.
"""
from __future__ import annotations

import contextlib
import copyreg
import hashlib
import io
import os
import pickle
import types

from .home import home  # noqa: F401  (the state directory; callers use state.home)

FORMAT = 4                # 4: modules moved into subpackages (layerlab.fs, .build, .storage)
MAGIC = b"LAYERLAB-STATE"
DB_FILE = "store.db"
LOCK_FILE = "state.lock"
OLD_STATE_FILE = "state.pickle"       # format 2: one pickle of the whole engine
OLD_BLOB_DIR = "blobs"
BLOB_MIN = 64 * 1024
ROOT_KEY = "root"


class StateError(Exception):
    """The persistent state cannot be used; ``str()`` says which file and what to do."""


def _untouched(path: str) -> str:
    return f"It was left untouched: move {os.path.dirname(path) or path} away, or set LAYERLAB_HOME, to start afresh."


def _version() -> str:
    from . import __version__
    return __version__


# ---------------------------------------------------------------------- pickling helpers
def _mappingproxy(d: dict):
    return types.MappingProxyType(d)


def _wallclock():
    from .clock import WallClock
    return WallClock()


def _fast_reducer(cls):
    """``(cls, (field values...))`` in C (attrgetter) instead of dataclasses' Python-level
    ``__getstate__``/``__setstate__`` for slotted frozen dataclasses: the nodes and contents
    of every file make up most of a state, and this halves the time to pickle/unpickle them."""
    import dataclasses
    import operator

    names = [f.name for f in dataclasses.fields(cls)]
    if len(names) < 2 or not all(f.init for f in dataclasses.fields(cls)) or hasattr(cls, "__post_init__"):
        return None
    get = operator.attrgetter(*names)
    return lambda obj: (cls, get(obj))


_TABLE: dict | None = None


def _dispatch() -> dict:
    global _TABLE
    if _TABLE is not None:
        return _TABLE
    from .clock import WallClock
    from .content import Content
    from .image import ContainerConfig, HistoryEntry
    from .fs.tree import Node
    table = copyreg.dispatch_table.copy()
    table[types.MappingProxyType] = lambda m: (_mappingproxy, (dict(m),))
    # the wall clock carries no state worth keeping (its last reading would change every save)
    table[WallClock] = lambda c: (_wallclock, ())
    for cls in (Node, Content, HistoryEntry, ContainerConfig):
        red = _fast_reducer(cls)
        if red is not None:
            table[cls] = red
    # a layer or flat tree pickled whole (not as a reference): its own fields, never the
    # store it was loaded from
    for cls in (*_classes(), *_lazy_types()):
        table[cls] = _reduce_whole
    _TABLE = table
    return table


# sha256 -> bytes: blobs this process has read or written. Blobs are immutable and named by
# their hash, so a second engine (another LAYERLAB_HOME, or the same one after another process
# wrote it) gets the same bytes without reading megabytes again. Bounded by total size.
_blob_cache: dict[str, bytes] = {}
_BLOB_CACHE_MAX = 256 * 1024 * 1024


def _cache_blob(key: str, b: bytes) -> None:
    if key in _blob_cache:
        return
    total = sum(map(len, _blob_cache.values())) + len(b)
    while _blob_cache and total > _BLOB_CACHE_MAX:
        total -= len(_blob_cache.pop(next(iter(_blob_cache))))
    if len(b) <= _BLOB_CACHE_MAX:
        _blob_cache[key] = b


# id(bytes) -> (the bytes, its sha256): blobs already hashed in this process
_known: dict[int, tuple[bytes, str]] = {}


def _blob_key(b: bytes) -> str:
    hit = _known.get(id(b))
    if hit is not None and hit[0] is b:
        return hit[1]
    key = hashlib.sha256(b).hexdigest()
    _remember(b, key)
    return key


def _remember(b: bytes, key: str) -> None:
    if len(_known) >= 256:          # it pins what it remembers: keep it bounded
        _known.clear()
    _known[id(b)] = (b, key)


# ---------------------------------------------------------------------- lazy records
# The fields of a layer / flat tree that live in its own record; the rest of its __dict__
# (small cached values: size, diff_id...) travels with the reference in the root.
_LAYER_FIELDS = ("entries", "whiteouts", "opaques", "raw_tar")
_FLAT_FIELDS = ("entries", "children")
_DERIVED = frozenset({"children"})   # Layer.children: recomputed from entries, not stored
_STORE_ATTRS = ("_store_key", "_store_src")


def _classes():
    from .fs.layer import Layer
    from .fs.rootfs import FlatTree
    return Layer, FlatTree


def _materialize(obj) -> None:
    """Read the record of a lazy layer / flat tree and make it an ordinary object."""
    d = obj.__dict__
    src = d.pop("_store_src", None)
    if src is None:             # already loaded (or never lazy)
        return
    Layer, FlatTree = _classes()
    fields = src.fields(d["_store_key"])
    d.update(fields)
    object.__setattr__(obj, "__class__", Layer if isinstance(obj, Layer) else FlatTree)


def _plain_object(cls):
    return object.__new__(cls)


def _reduce_whole(obj):
    _materialize(obj)
    state = {k: v for k, v in obj.__dict__.items() if k not in _STORE_ATTRS}
    return (_plain_object, (type(obj),), state)


def _lazy_property(name):
    def get(self):
        _materialize(self)          # the class is the plain one from now on
        return getattr(self, name)
    return property(get)


_LAZY_TYPES: tuple | None = None


def _lazy_types():
    """(_LazyLayer, _LazyFlatTree): subclasses whose record is read on first use. Once read,
    the object's class becomes the plain one again, so later accesses cost nothing extra."""
    global _LAZY_TYPES
    if _LAZY_TYPES is None:
        Layer, FlatTree = _classes()
        lazy_layer = type("_LazyLayer", (Layer,), {n: _lazy_property(n) for n in (*_LAYER_FIELDS, "children")})
        lazy_flat = type("_LazyFlatTree", (FlatTree,), {n: _lazy_property(n) for n in _FLAT_FIELDS})
        _LAZY_TYPES = (lazy_layer, lazy_flat)
    return _LAZY_TYPES


class _Pickler(pickle.Pickler):
    """Pickles one record; layers, flat trees and big byte strings become references."""

    def __init__(self, fh, save: "_Save | None", root=None):
        super().__init__(fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.dispatch_table = _dispatch()
        self.save = save
        self.root = root
        self.refs: set[str] = set()

    def persistent_id(self, obj):
        t = type(obj)
        if t is bytes:
            if len(obj) < BLOB_MIN or self.save is None:
                return None
            key = "B:" + _blob_key(obj)
            self.refs.add(key)
            self.save.blob(key, obj)
            return key
        if self.save is None or obj is self.root:
            return None
        kind = self.save.kinds.get(t)
        if kind is None:
            return None
        key = self.save.record(obj, kind)
        self.refs.add(key)
        if kind == "L":
            if "_store_src" not in obj.__dict__:
                _ = obj.size, obj.tar_entries_size     # computed now (cached): cheap sums, and what images/df/inspect show
            head = {k: v for k, v in obj.__dict__.items()
                    if type(v) in (int, str) and k not in _STORE_ATTRS}
            return ("L", key, head)
        return ("F", key)


class _Unpickler(pickle.Unpickler):
    def __init__(self, fh, src: "_Source"):
        super().__init__(fh)
        self.src = src

    def persistent_load(self, pid):
        if isinstance(pid, str):
            return self.src.blob(pid)
        return self.src.lazy(pid)


# ---------------------------------------------------------------------- the database
def _connect(path: str):
    import sqlite3
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=" + ("FULL" if _fsync_wanted() else "NORMAL"))
    conn.execute("CREATE TABLE IF NOT EXISTS objects (key TEXT PRIMARY KEY, data BLOB NOT NULL, "
                 "refs TEXT NOT NULL DEFAULT '')")
    return conn


def _fsync_wanted() -> bool:
    return os.environ.get("LAYERLAB_FSYNC", "") not in ("", "0")


class _Source:
    """Reads records of one store for the objects loaded from it (lazily, during or after
    the command that loaded them; records are immutable, so a later read gets what was
    there at load time)."""

    def __init__(self, directory: str, conn=None):
        self.directory = directory
        self.path = os.path.join(directory, DB_FILE)
        self._conn = conn
        self.memo: dict[str, object] = {}

    @property
    def conn(self):
        if self._conn is None:
            self._conn = _connect(self.path)
        return self._conn

    def get(self, key: str) -> bytes:
        row = self.conn.execute("SELECT data FROM objects WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise StateError(f"the state file {self.path} is missing record {key} (corrupted?). "
                             f"{_untouched(self.path)}")
        return row[0]

    def blob(self, key: str) -> bytes:
        sha = key[2:]
        data = _blob_cache.get(sha)
        if data is None:
            data = self.get(key)
            _cache_blob(sha, data)
        _remember(data, sha)
        return data

    def unpickle(self, data: bytes, what: str):
        try:
            return _Unpickler(io.BytesIO(data), self).load()
        except StateError:
            raise
        except Exception as exc:
            raise StateError(f"the state file {self.path} cannot be read ({what}: {type(exc).__name__}: "
                             f"{exc}); it may be corrupted or written by another layerlab version. "
                             f"{_untouched(self.path)}") from None

    def lazy(self, pid):
        kind, key = pid[0], pid[1]
        obj = self.memo.get(key)
        if obj is None:
            lazy_layer, lazy_flat = _lazy_types()
            cls = lazy_layer if kind == "L" else lazy_flat
            obj = object.__new__(cls)
            d = obj.__dict__
            if kind == "L":
                d.update(pid[2])
            d["_store_key"] = key
            d["_store_src"] = self
            self.memo[key] = obj
        return obj

    def fields(self, key: str) -> dict:
        return self.unpickle(self.get(key), key)


class _Save:
    """One save: collects the records to write (new layers, flat trees, blobs)."""

    def __init__(self, existing: set[str]):
        self.existing = existing
        self.new: dict[str, tuple[bytes, str]] = {}      # key -> (data, refs)
        Layer, FlatTree = _classes()
        lazy_layer, lazy_flat = _lazy_types()
        self.kinds = {Layer: "L", lazy_layer: "L", FlatTree: "F", lazy_flat: "F"}

    def blob(self, key: str, data: bytes) -> None:
        if key not in self.existing and key not in self.new:
            _cache_blob(key[2:], data)
            self.new[key] = (data, "")

    def record(self, obj, kind: str) -> str:
        d = obj.__dict__
        key = d.get("_store_key")
        if key is not None and (key in self.existing or key in self.new):
            return key
        if key is None:
            key = f"{kind}:{os.urandom(10).hex()}"
            d["_store_key"] = key
        _materialize(obj)           # a lazy object from another store: read it before copying
        names = _LAYER_FIELDS if kind == "L" else _FLAT_FIELDS
        fields = {n: d[n] for n in names if n in d}
        buf = io.BytesIO()
        p = _Pickler(buf, self)
        self.new[key] = (b"", "")    # reserve the key (a record never refers to itself)
        p.dump(fields)
        self.new[key] = (buf.getvalue(), " ".join(sorted(p.refs)))
        return key


def _header() -> bytes:
    return b"%s %d %s\n" % (MAGIC, FORMAT, _version().encode())


def _check_header(data: bytes, path: str) -> bytes:
    nl = data.find(b"\n")
    head = data[:nl].split(b" ") if nl > 0 else []
    if len(head) != 3 or head[0] != MAGIC:
        raise StateError(f"the state file {path} is not a layerlab state (corrupted?). {_untouched(path)}")
    try:
        fmt = int(head[1])
    except ValueError:
        fmt = -1
    if fmt != FORMAT:
        raise StateError(f"the state file {path} has format {head[1].decode(errors='replace')}, this "
                         f"layerlab ({_version()}) reads format {FORMAT}. {_untouched(path)}")
    return data[nl + 1:]


def dumps(engine) -> bytes:
    """The whole engine as one self-contained pickle (no references): for copies and tests."""
    buf = io.BytesIO()
    _Pickler(buf, None).dump(engine)
    return buf.getvalue()


# ---------------------------------------------------------------------- engines
def attach_host(engine) -> None:
    """Bind mounts of the CLI's engine read and write real host folders (``-v /host:/ctr``),
    as docker's do; a notebook's engine keeps its in-memory host."""
    hooks = getattr(engine, "hooks", None)
    if hooks is not None and hasattr(hooks, "host"):
        from .storage.mounts import HostDirFS
        hooks.host = HostDirFS("/", clock=engine.clock)


def new_engine():
    """A fresh engine for the CLI: wall clock, random seed."""
    from .clock import WallClock
    from .engine import Engine
    seed = os.urandom(8).hex()
    engine = Engine(seed=seed, clock=WallClock())
    engine.state_seed = seed
    return engine


def _read_root(src: _Source):
    """(engine, the root record's bytes), or (None, None) for an empty store."""
    row = src.conn.execute("SELECT data FROM objects WHERE key = ?", (ROOT_KEY,)).fetchone()
    if row is None:
        return None, None
    data = row[0]
    engine = src.unpickle(_check_header(data, src.path), "root")
    from .engine import Engine
    if not isinstance(engine, Engine):
        raise StateError(f"the state file {src.path} does not hold a layerlab Engine. {_untouched(src.path)}")
    return engine, data


def _save(directory: str, engine, current: bytes | None = None, conn=None) -> bytes:
    """Write the engine: its root, and the records it refers to that the store lacks, in one
    transaction; then drop records nothing refers to. ``current`` is the root the store holds
    now (when known): if the engine pickles to the same bytes, nothing is written. Returns the
    root record's bytes."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    own = conn is None
    conn = conn or _connect(os.path.join(directory, DB_FILE))
    try:
        existing = {k for (k,) in conn.execute("SELECT key FROM objects")}
        save = _Save(existing)
        buf = io.BytesIO()
        p = _Pickler(buf, save, root=engine)
        p.dump(engine)
        data = _header() + buf.getvalue()
        if current is not None and data == current and not save.new:
            return data
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("INSERT OR REPLACE INTO objects (key, data, refs) VALUES (?, ?, ?)",
                             [(k, d, r) for k, (d, r) in save.new.items()])
            conn.execute("INSERT OR REPLACE INTO objects (key, data, refs) VALUES (?, ?, ?)",
                         (ROOT_KEY, data, " ".join(sorted(p.refs))))
            _collect(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return data
    finally:
        if own:
            conn.close()


def _collect(conn) -> None:
    """Delete the records the root no longer reaches (mark and sweep over ``refs``)."""
    refs = dict(conn.execute("SELECT key, refs FROM objects"))
    live, todo = set(), [ROOT_KEY]
    while todo:
        k = todo.pop()
        if k in live or k not in refs:
            continue
        live.add(k)
        todo.extend(refs[k].split())
    dead = [(k,) for k in refs if k not in live]
    if dead:
        conn.executemany("DELETE FROM objects WHERE key = ?", dead)


# ---------------------------------------------------------------------- the previous format
def _migrate(directory: str) -> None:
    """A format-2 store (``state.pickle`` + ``blobs/``) becomes one of the current format; the old file is
    kept as ``state.pickle.v2`` (its blobs are removed once they are in the database)."""
    import shutil
    old = os.path.join(directory, OLD_STATE_FILE)
    with open(old, "rb") as fh:
        data = fh.read()
    engine = _decode_v2(data, old, os.path.join(directory, OLD_BLOB_DIR))
    _save(directory, engine)
    os.replace(old, old + ".v2")
    shutil.rmtree(os.path.join(directory, OLD_BLOB_DIR), ignore_errors=True)


def _decode_v2(data: bytes, path: str, blob_dir: str):
    nl = data.find(b"\n")
    head = data[:nl].split(b" ") if nl > 0 else []
    if len(head) != 3 or head[0] != MAGIC:
        raise StateError(f"the state file {path} is not a layerlab state (corrupted?). {_untouched(path)}")
    if head[1] != b"2":
        raise StateError(f"the state file {path} has format {head[1].decode(errors='replace')}, this "
                         f"layerlab ({_version()}) reads format {FORMAT} and migrates format 2. {_untouched(path)}")

    class V2(pickle.Unpickler):
        def persistent_load(self, key):
            try:
                with open(os.path.join(blob_dir, key), "rb") as fh:
                    return fh.read()
            except (FileNotFoundError, TypeError):
                raise pickle.UnpicklingError(f"missing blob {os.path.join(blob_dir, str(key))}") from None

    try:
        return V2(io.BytesIO(data[nl + 1:])).load()
    except Exception as exc:
        raise StateError(f"the state file {path} cannot be read ({type(exc).__name__}: {exc}); it may "
                         f"be corrupted or written by another layerlab version "
                         f"({head[2].decode(errors='replace')}). {_untouched(path)}") from None


# ---------------------------------------------------------------------- locking
@contextlib.contextmanager
def locked(directory: str, shared: bool = False):
    """Hold the state lock: an ``flock`` on ``state.lock``, exclusive unless ``shared``
    (commands that only read the state may run side by side). Where there is no ``flock``
    (Pyodide in a browser: one process, one thread; its ``fcntl`` module exists but has no
    ``flock``) there is nothing to exclude."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    try:
        import fcntl
    except ImportError:
        fcntl = None
    if getattr(fcntl, "flock", None) is None:
        yield
        return
    fd = os.open(os.path.join(directory, LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


# In-process reuse: when one process runs many commands (a test harness calling
# ``layerlab.cli.main`` repeatedly), the engine it last loaded or saved is reused as long as the
# store's root is exactly the one it read or wrote.
_last: dict = {}
_sources: dict[str, _Source] = {}


def _source(directory: str) -> _Source:
    src = _sources.get(directory)
    if src is None or not os.path.exists(src.path):
        src = _sources[directory] = _Source(directory)
    return src


def load(directory: str):
    """The engine stored in ``directory`` (a new one if there is none). No locking."""
    if not os.path.exists(os.path.join(directory, DB_FILE)) and os.path.exists(os.path.join(directory, OLD_STATE_FILE)):
        _migrate(directory)
    src = _Source(directory)
    engine, _ = _read_root(src) if os.path.exists(src.path) else (None, None)
    return engine if engine is not None else new_engine()


def _root_bytes(src: _Source) -> bytes | None:
    row = src.conn.execute("SELECT data FROM objects WHERE key = ?", (ROOT_KEY,)).fetchone()
    return None if row is None else row[0]


@contextlib.contextmanager
def persistent_engine(directory: str | None = None, save: bool = True):  # noqa: C901
    """Lock, load (or create) the engine, yield it, save it, unlock.

    ``save=False`` is for commands that only read: they take a shared lock and never write.
    If the body raises, nothing is saved. A command that changed nothing (an error, ``volume
    create`` of an existing name...) pickles to the root the store already holds, and then
    nothing is written.
    """
    directory = directory or home()
    try:
        cm = locked(directory, shared=not save)
        cm.__enter__()
    except OSError as exc:
        raise StateError(f"cannot use the state directory {directory}: {exc.strerror or exc}") from None
    try:
        db = os.path.join(directory, DB_FILE)
        if not os.path.exists(db) and os.path.exists(os.path.join(directory, OLD_STATE_FILE)):
            if not save:            # migrating writes: take the exclusive lock for it
                cm.__exit__(None, None, None)
                cm = locked(directory)
                cm.__enter__()
            if not os.path.exists(db):
                _migrate(directory)
        if not save and not os.path.exists(db):
            engine, current, src = new_engine(), None, None
        else:
            try:
                src = _source(directory)
                current = _root_bytes(src)
            except Exception as exc:
                if isinstance(exc, StateError):
                    raise
                raise StateError(f"the state file {db} cannot be read ({type(exc).__name__}: {exc}). "
                                 f"{_untouched(db)}") from None
            cached = _last.get(directory)
            if current is not None and cached is not None and cached[1] == current:
                engine = cached[0]
            else:
                _last.pop(directory, None)
                src.memo.clear()
                engine, _ = _read_root(src) if current is not None else (None, None)
                if engine is None:
                    engine = new_engine()
                attach_host(engine)
        try:
            yield engine
        except BaseException:
            _last.pop(directory, None)     # the object may hold half a change: reload next time
            raise
        if save:
            try:
                current = _save(directory, engine, current, conn=_source(directory).conn)
            except OSError as exc:
                _last.pop(directory, None)
                raise StateError(f"cannot save the state to {db}: {exc.strerror or exc}") from None
            except Exception as exc:
                _last.pop(directory, None)
                if isinstance(exc, StateError):
                    raise
                raise StateError(f"cannot save the state to {db}: {type(exc).__name__}: {exc}") from None
        _last.clear()                      # remember one engine only (the last state used)
        if current is not None:
            _last[directory] = (engine, current)
    finally:
        cm.__exit__(None, None, None)


def save_engine(directory: str, engine) -> bytes:
    """Store ``engine`` in ``directory`` (replacing what was there)."""
    return _save(directory, engine)


def reset(directory: str | None = None) -> None:
    """Forget everything (delete the store) under the lock."""
    directory = directory or home()
    with locked(directory):
        _sources.pop(directory, None)
        _last.pop(directory, None)
        for name in (DB_FILE, DB_FILE + "-wal", DB_FILE + "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(directory, name))
