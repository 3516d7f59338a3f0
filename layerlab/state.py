"""Where the ``layerlab`` command keeps its engine between commands.

The state lives in ``$LAYERLAB_HOME`` (default ``$XDG_DATA_HOME/layerlab``, else
``~/.local/share/layerlab``)::

    state.pickle    header line ``LAYERLAB-STATE <format> <layerlab version>``, then a pickle
                    of the :class:`~layerlab.engine.Engine` (plain Python values; read-only
                    mappings are stored as dicts, the wall clock by reference)
    blobs/<sha256>  every byte string of 64 KiB or more (imported tars, big file contents),
                    stored once by content hash, so a command saves kilobytes, not megabytes
    state.lock      an ``fcntl`` lock held for the whole command (read, run, write)

Saving is atomic: blobs first, then the state file through a temp file and ``os.replace``;
blobs nothing refers to any more are deleted afterwards. Commands that only read (``ps``,
``diff``, ``inspect``...) take a shared lock and never write. Two commands at once are
serialized, so neither loses the other's changes.

A state that cannot be read (corrupted, truncated, a missing blob, or written by an
incompatible layerlab) is an error that names the file; it is never overwritten silently.

The CLI's engine runs on the wall clock (:class:`~layerlab.clock.WallClock`) with a random
seed chosen when the state is created, so IDs differ between installations like docker's.
Set ``LAYERLAB_FSYNC=1`` to ``fsync`` every write (durable across power loss, slower).
"""
from __future__ import annotations

import contextlib
import copyreg
import hashlib
import io
import os
import pickle
import types

FORMAT = 2
MAGIC = b"LAYERLAB-STATE"
STATE_FILE = "state.pickle"
LOCK_FILE = "state.lock"
BLOB_DIR = "blobs"
BLOB_MIN = 64 * 1024


class StateError(Exception):
    """The persistent state cannot be used; ``str()`` says which file and what to do."""


def home(env=None) -> str:
    """The state directory: ``LAYERLAB_HOME``, else the user's data directory."""
    env = os.environ if env is None else env
    h = env.get("LAYERLAB_HOME")
    if h:
        return os.path.abspath(os.path.expanduser(h))
    xdg = env.get("XDG_DATA_HOME")
    if xdg:
        return os.path.join(os.path.abspath(os.path.expanduser(xdg)), "layerlab")
    return os.path.join(os.path.expanduser("~"), ".local", "share", "layerlab")


def _untouched(path: str) -> str:
    return f"It was left untouched: move {os.path.dirname(path) or path} away, or set LAYERLAB_HOME, to start afresh."


# ---------------------------------------------------------------------- pickling
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
    from .tree import Node
    table = copyreg.dispatch_table.copy()
    table[types.MappingProxyType] = lambda m: (_mappingproxy, (dict(m),))
    # the wall clock carries no state worth keeping (its last reading would change every save)
    table[WallClock] = lambda c: (_wallclock, ())
    for cls in (Node, Content, HistoryEntry, ContainerConfig):
        red = _fast_reducer(cls)
        if red is not None:
            table[cls] = red
    _TABLE = table
    return table


# id(bytes) -> (the bytes, its sha256): blobs already hashed or loaded in this process
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


class _Pickler(pickle.Pickler):
    def __init__(self, fh, blobs: dict[str, bytes] | None):
        super().__init__(fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.dispatch_table = _dispatch()
        self.blobs = blobs

    def persistent_id(self, obj):
        if self.blobs is not None and type(obj) is bytes and len(obj) >= BLOB_MIN:
            key = _blob_key(obj)
            self.blobs[key] = obj
            return key
        return None


def dumps(engine, blobs: dict[str, bytes] | None = None) -> bytes:
    """Pickle ``engine``; with a ``blobs`` dict, big byte strings go there by hash instead."""
    buf = io.BytesIO()
    _Pickler(buf, blobs).dump(engine)
    return buf.getvalue()


def _version() -> str:
    from . import __version__
    return __version__


def encode(engine, blobs: dict[str, bytes] | None = None) -> bytes:
    return b"%s %d %s\n" % (MAGIC, FORMAT, _version().encode()) + dumps(engine, blobs)


class _Unpickler(pickle.Unpickler):
    def __init__(self, fh, blob_dir: str | None):
        super().__init__(fh)
        self.blob_dir = blob_dir

    def persistent_load(self, key):
        if self.blob_dir is None or not isinstance(key, str) or len(key) != 64:
            raise pickle.UnpicklingError(f"unexpected persistent id {key!r}")
        path = os.path.join(self.blob_dir, key)
        data = _blob_cache.get(key)
        if data is not None and os.path.exists(path):
            _remember(data, key)
            return data
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            raise pickle.UnpicklingError(f"missing blob {path}") from None
        _remember(data, key)
        _cache_blob(key, data)
        return data


def decode(data: bytes, path: str = "state", blob_dir: str | None = None):
    """The Engine stored in ``data``; :class:`StateError` if it cannot be used."""
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
    try:
        engine = _Unpickler(io.BytesIO(data[nl + 1:]), blob_dir).load()
    except Exception as exc:
        raise StateError(f"the state file {path} cannot be read ({type(exc).__name__}: {exc}); it may "
                         f"be corrupted or written by another layerlab version "
                         f"({head[2].decode(errors='replace')}). {_untouched(path)}") from None
    from .engine import Engine
    if not isinstance(engine, Engine):
        raise StateError(f"the state file {path} does not hold a layerlab Engine. {_untouched(path)}")
    return engine


def attach_host(engine) -> None:
    """Bind mounts of the CLI's engine read and write real host folders (``-v /host:/ctr``),
    as docker's do; a notebook's engine keeps its in-memory host."""
    hooks = getattr(engine, "hooks", None)
    if hooks is not None and hasattr(hooks, "host"):
        from .mounts import HostDirFS
        hooks.host = HostDirFS("/", clock=engine.clock)


def new_engine():
    """A fresh engine for the CLI: wall clock, random seed."""
    from .clock import WallClock
    from .engine import Engine
    seed = os.urandom(8).hex()
    engine = Engine(seed=seed, clock=WallClock())
    engine.state_seed = seed
    return engine


# ---------------------------------------------------------------------- files
def _fsync_wanted() -> bool:
    return os.environ.get("LAYERLAB_FSYNC", "") not in ("", "0")


def write_atomic(path: str, data: bytes, fsync: bool | None = None) -> None:
    d = os.path.dirname(path)
    tmp = os.path.join(d, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if _fsync_wanted() if fsync is None else fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _save(directory: str, engine, current: bytes | None = None) -> bytes:
    """Write the engine: new blobs, then the state file (atomically), then drop dead blobs.
    ``current`` is what the state file holds now (when known): if the engine pickles to the
    same bytes, nothing changed and nothing is written. Returns the state file's bytes."""
    blobs: dict[str, bytes] = {}
    data = encode(engine, blobs)
    if current is not None and data == current:
        return data
    for key, b in blobs.items():
        _cache_blob(key, b)
    blob_dir = os.path.join(directory, BLOB_DIR)
    os.makedirs(blob_dir, mode=0o700, exist_ok=True)
    have = set(os.listdir(blob_dir))
    for key, b in blobs.items():
        if key not in have:
            write_atomic(os.path.join(blob_dir, key), b)
    write_atomic(os.path.join(directory, STATE_FILE), data)
    for name in have - set(blobs):
        if len(name) == 64:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(blob_dir, name))
    return data


@contextlib.contextmanager
def locked(directory: str, shared: bool = False):
    """Hold the state lock: an ``flock`` on ``state.lock``, exclusive unless ``shared``
    (commands that only read the state may run side by side)."""
    import fcntl
    os.makedirs(directory, mode=0o700, exist_ok=True)
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
# state file is exactly the one it read or wrote (same inode, size and mtime).
_last: dict = {}


def _stamp(path: str):
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def load(directory: str):
    """The engine stored in ``directory`` (a new one if there is none). No locking."""
    return _load(directory)[0]


def _load(directory: str):
    """(engine, the state file's bytes or None if there was no state)."""
    path = os.path.join(directory, STATE_FILE)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return new_engine(), None
    return decode(data, path, os.path.join(directory, BLOB_DIR)), data


@contextlib.contextmanager
def persistent_engine(directory: str | None = None, save: bool = True):  # noqa: C901
    """Lock, load (or create) the engine, yield it, save it, unlock.

    ``save=False`` is for commands that only read: they take a shared lock and never write.
    If the body raises, nothing is saved. A command that changed nothing (an error, ``volume
    create`` of an existing name...) pickles to the bytes the state file already holds, and
    then nothing is written. (Equal bytes prove "unchanged"; unequal bytes do not prove a
    change, since pickles of the same engine differ between processes with set order, so a
    state another process wrote is rewritten once.)
    """
    directory = directory or home()
    try:
        cm = locked(directory, shared=not save)
        cm.__enter__()
    except OSError as exc:
        raise StateError(f"cannot use the state directory {directory}: {exc.strerror or exc}") from None
    try:
        path = os.path.join(directory, STATE_FILE)
        stamp = _stamp(path)
        cached = _last.get(path)
        if stamp is not None and cached is not None and cached[0] == stamp:
            engine, current = cached[1], cached[2]
        else:
            _last.pop(path, None)
            engine, current = _load(directory)
            attach_host(engine)
        try:
            yield engine
        except BaseException:
            _last.pop(path, None)          # the object may hold half a change: reload next time
            raise
        if save:
            try:
                current = _save(directory, engine, current)
            except OSError as exc:
                _last.pop(path, None)
                raise StateError(f"cannot save the state to {path}: {exc.strerror or exc}") from None
        stamp = _stamp(path)
        _last.clear()                      # remember one engine only (the last state used)
        if stamp is not None:
            _last[path] = (stamp, engine, current)
    finally:
        cm.__exit__(None, None, None)


save_engine = _save


def reset(directory: str | None = None) -> None:
    """Forget everything (delete the state and its blobs) under the lock."""
    import shutil
    directory = directory or home()
    with locked(directory):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(directory, STATE_FILE))
        shutil.rmtree(os.path.join(directory, BLOB_DIR), ignore_errors=True)
