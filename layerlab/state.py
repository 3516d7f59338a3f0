"""Where the ``layerlab`` command keeps its engine between commands.

The state lives in ``$LAYERLAB_HOME`` (default ``$XDG_DATA_HOME/layerlab``, else
``~/.local/share/layerlab``):

``state.pickle``
    a header line ``LAYERLAB-STATE <format> <layerlab version>\\n`` then a pickle of the
    :class:`~layerlab.engine.Engine` (plain Python values; read-only mappings are stored as
    dicts). Written atomically: a temp file in the same directory, ``fsync``, ``os.replace``.
    Commands that change nothing do not rewrite it.
``state.lock``
    an ``fcntl`` lock held for the whole command (read, run, write), so two commands at once
    are serialized instead of losing each other's changes.

A state file that cannot be read (corrupted, truncated, or written by an incompatible
layerlab) is an error that names the file; it is never overwritten silently.

The CLI's engine runs on the wall clock (:class:`~layerlab.clock.WallClock`) with a random
seed chosen when the state is created, so IDs differ between installations like docker's.
"""
from __future__ import annotations

import contextlib
import copyreg
import io
import os
import pickle
import types

FORMAT = 1
MAGIC = b"LAYERLAB-STATE"
STATE_FILE = "state.pickle"
LOCK_FILE = "state.lock"


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


# ---------------------------------------------------------------------- pickling
def _mappingproxy(d: dict):
    return types.MappingProxyType(d)


def _wallclock():
    from .clock import WallClock
    return WallClock()


def _dispatch() -> dict:
    from .clock import WallClock
    table = copyreg.dispatch_table.copy()
    table[types.MappingProxyType] = lambda m: (_mappingproxy, (dict(m),))
    # the wall clock carries no state worth keeping (its last reading would make every
    # command, even `ps`, rewrite the file)
    table[WallClock] = lambda c: (_wallclock, ())
    return table


class _Pickler(pickle.Pickler):
    pass


def dumps(engine) -> bytes:
    buf = io.BytesIO()
    p = _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    p.dispatch_table = _dispatch()
    p.dump(engine)
    return buf.getvalue()


def _version() -> str:
    from . import __version__
    return __version__


def encode(engine) -> bytes:
    return b"%s %d %s\n" % (MAGIC, FORMAT, _version().encode()) + dumps(engine)


def decode(data: bytes, path: str = "state"):
    """The Engine stored in ``data``; :class:`StateError` if it cannot be used."""
    nl = data.find(b"\n")
    head = data[:nl].split(b" ") if nl > 0 else []
    if len(head) != 3 or head[0] != MAGIC:
        raise StateError(f"the state file {path} is not a layerlab state (corrupted?). It was left "
                         f"untouched: move it away, or set LAYERLAB_HOME, to start afresh.")
    try:
        fmt = int(head[1])
    except ValueError:
        fmt = -1
    if fmt != FORMAT:
        raise StateError(f"the state file {path} has format {head[1].decode(errors='replace')}, this "
                         f"layerlab ({_version()}) reads format {FORMAT}. It was left untouched: move "
                         f"it away, or set LAYERLAB_HOME, to start afresh.")
    try:
        engine = pickle.loads(data[nl + 1:])
    except Exception as exc:
        raise StateError(f"the state file {path} cannot be read ({type(exc).__name__}: {exc}); it may "
                         f"be corrupted or written by another layerlab version "
                         f"({head[2].decode(errors='replace')}). It was left untouched: move it away, "
                         f"or set LAYERLAB_HOME, to start afresh.") from None
    from .engine import Engine
    if not isinstance(engine, Engine):
        raise StateError(f"the state file {path} does not hold a layerlab Engine. It was left untouched.")
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
def write_atomic(path: str, data: bytes) -> None:
    d = os.path.dirname(path)
    tmp = os.path.join(d, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


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


@contextlib.contextmanager
def persistent_engine(directory: str | None = None, save: bool = True):
    """Lock, load (or create) the engine, yield it, save it, unlock.

    ``save=False`` is for commands that only read (``ps``, ``diff``, ``inspect``...): they take
    a shared lock and never write. If the body raises, nothing is saved. (Pickles of the same
    engine differ between processes, since set order follows the per-process string hash, so
    "did it change?" cannot be answered by comparing bytes.)
    """
    directory = directory or home()
    try:
        cm = locked(directory, shared=not save)
        cm.__enter__()
    except OSError as exc:
        raise StateError(f"cannot use the state directory {directory}: {exc.strerror or exc}") from None
    try:
        path = os.path.join(directory, STATE_FILE)
        try:
            with open(path, "rb") as fh:
                before = fh.read()
        except FileNotFoundError:
            before = None
        engine = decode(before, path) if before is not None else new_engine()
        attach_host(engine)
        yield engine
        if save:
            after = encode(engine)
            try:
                write_atomic(path, after)
            except OSError as exc:
                raise StateError(f"cannot save the state to {path}: {exc.strerror or exc}") from None
    finally:
        cm.__exit__(None, None, None)


def reset(directory: str | None = None) -> None:
    """Forget everything (delete the state file) under the lock."""
    directory = directory or home()
    with locked(directory):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(directory, STATE_FILE))
