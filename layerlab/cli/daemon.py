"""The layerlab daemon: one long-lived process per ``LAYERLAB_HOME`` that runs ``layerlab``
commands for short-lived clients, the way ``dockerd`` runs them for the ``docker`` client.

Why: a ``layerlab`` process spends most of its life importing the engine (about 80 modules)
before it does a millisecond of work. The daemon imports them once and keeps the engine it last
loaded in memory; each command is then a small client (:mod:`layerlab.cli.client`, standard
library ``socket`` only) that sends its argv, working directory and environment over a unix
socket and prints what comes back. The state stays where it was (:mod:`layerlab.state`): every
command still takes the store's lock, reloads the engine if another process changed it, and
saves before it answers, so a command run in-process (``layerlab.cli.main([...])``, a notebook,
``LAYERLAB_DAEMON=0``) and a command run through the daemon see the same store, and killing the
daemon loses at most the command in flight.

Files, in ``LAYERLAB_HOME``: ``daemon.sock`` (the socket, mode 0600), ``daemon.lock`` (held by
the running daemon), ``daemon.log`` (its stderr). The daemon exits after ``LAYERLAB_DAEMON_IDLE``
seconds without a command (default 600), when a client built from other code connects (after an
upgrade or an edit, the client starts a fresh daemon), or on a ``stop`` request
(``python -m layerlab.cli.daemon --stop HOME``).

Wire format (both ways): frames of one type byte, a 4-byte big-endian length, the payload.
Client -> daemon: ``h`` a JSON header (argv, cwd, env, code stamp, whether stdin/stdout are
terminals), later ``i`` stdin bytes when asked. Daemon -> client: ``o``/``e`` stdout/stderr
bytes as they are written, ``R`` "send all of stdin", ``L`` "send one line of stdin", ``S`` "I
run other code: start another daemon", ``x`` the exit status (4-byte signed).
"""
from __future__ import annotations

import json
import os
import socket
import struct
import sys
import time

from .client import SOCKET, code_stamp, read_frame, send_frame

LOCK = "daemon.lock"
LOG = "daemon.log"
DEFAULT_IDLE = 600.0


class _Out:
    """A write-only binary stream whose bytes go to the client as frames of one type."""

    def __init__(self, conn: socket.socket, kind: bytes, tty: bool):
        self.conn, self.kind, self.tty = conn, kind, tty

    def write(self, b) -> int:
        if b:
            send_frame(self.conn, self.kind, bytes(b))
        return len(b)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return self.tty


class _In:
    """stdin, fetched from the client only when a command reads it."""

    def __init__(self, conn: socket.socket, tty: bool):
        self.conn, self.tty = conn, tty

    def _ask(self, what: bytes) -> bytes:
        send_frame(self.conn, what, b"")
        kind, data = read_frame(self.conn)
        if kind != b"i":
            raise EOFError("the client went away")
        return data

    def read(self, n: int = -1) -> bytes:
        return self._ask(b"R")

    def readline(self) -> bytes:
        return self._ask(b"L")

    def isatty(self) -> bool:
        return self.tty


class _Context:
    """The client's working directory, environment and time zone, for one command."""

    def __init__(self, cwd: str, env: dict):
        self.cwd, self.env = cwd, env

    def __enter__(self):
        self.saved = (os.getcwd(), dict(os.environ))
        os.environ.clear()
        os.environ.update(self.env)
        _tzset()
        os.chdir(self.cwd)
        return self

    def __exit__(self, *exc):
        cwd, env = self.saved
        os.environ.clear()
        os.environ.update(env)
        _tzset()
        try:
            os.chdir(cwd)
        except OSError:
            os.chdir("/")


def _tzset() -> None:
    if hasattr(time, "tzset"):
        time.tzset()


def handle(conn: socket.socket, home: str, stamp: str) -> str:
    """Run one client's command. Returns "ok", "stale" (the client runs other code) or "stop"."""
    kind, data = read_frame(conn)
    if kind != b"h":
        return "ok"
    hdr = json.loads(data)
    if hdr.get("stop"):
        send_frame(conn, b"x", struct.pack(">i", 0))
        return "stop"
    if hdr.get("stamp") != stamp:
        send_frame(conn, b"S", b"")
        return "stale"
    from . import _internal_error_text
    from ..state import persistent_engine
    from .app import Streams, run_argv
    env = dict(hdr["env"])
    env["LAYERLAB_HOME"] = home
    streams = Streams(out=_Out(conn, b"o", hdr.get("tty_out", False)),
                      err=_Out(conn, b"e", hdr.get("tty_err", False)),
                      inp=_In(conn, hdr.get("tty_in", False)), env=env)
    import gc
    gc.disable()
    try:
        with _Context(hdr["cwd"], env):
            try:
                code = run_argv(list(hdr["argv"]), streams, persistent_engine)
            except KeyboardInterrupt:
                code = 130
            except (BrokenPipeError, ConnectionError, EOFError):
                return "ok"                    # the client is gone; the command ran as far as it could
            except SystemExit as exc:
                code = int(exc.code or 0) if isinstance(exc.code, int) else 1
            except BaseException as exc:       # never a traceback, as in-process
                streams.err.write(_internal_error_text(exc).encode())
                code = 1
    finally:
        gc.enable()
    send_frame(conn, b"x", struct.pack(">i", int(code)))
    return "ok"


def serve(home: str, idle: float | None = None) -> int:
    """Listen on ``home``/daemon.sock until idle for ``idle`` seconds (or stopped)."""
    import fcntl
    if idle is None:
        try:
            idle = float(os.environ.get("LAYERLAB_DAEMON_IDLE", DEFAULT_IDLE))
        except ValueError:
            idle = DEFAULT_IDLE
    os.makedirs(home, mode=0o700, exist_ok=True)
    lock_fd = os.open(os.path.join(home, LOCK), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return 0                               # another daemon serves this home
    path = os.path.join(home, SOCKET)
    try:
        os.unlink(path)                        # a socket left by a daemon that died
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_umask = os.umask(0o177)
    try:
        srv.bind(path)
    finally:
        os.umask(old_umask)
    srv.listen(16)
    ino = os.stat(path).st_ino
    stamp = code_stamp()
    # import the engine now, not on the first command
    from .app import run_argv  # noqa: F401
    from . import commands  # noqa: F401
    from .. import engine, state  # noqa: F401
    srv.settimeout(idle)
    try:
        while True:
            try:
                conn, _ = srv.accept()
            except socket.timeout:
                break
            conn.settimeout(None)
            try:
                outcome = handle(conn, home, stamp)
            except (ConnectionError, EOFError, OSError):
                outcome = "ok"
            finally:
                conn.close()
            if outcome in ("stale", "stop"):
                break
            try:
                if os.stat(path).st_ino != ino:    # our socket was replaced or removed: step aside
                    break
            except FileNotFoundError:
                break
    finally:
        srv.close()
        try:
            if os.stat(path).st_ino == ino:
                os.unlink(path)
        except FileNotFoundError:
            pass
        os.close(lock_fd)
    return 0


def stop(home: str) -> bool:
    """Ask the daemon of ``home`` to exit; True if one was running."""
    path = os.path.join(home, SOCKET)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
    except OSError:
        return False
    try:
        send_frame(s, b"h", json.dumps({"stop": True}).encode())
        read_frame(s)
    finally:
        s.close()
    lock = os.path.join(home, LOCK)
    deadline = time.monotonic() + 10
    import fcntl
    while time.monotonic() < deadline:         # wait until it has let go of its lock
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            time.sleep(0.02)
        finally:
            os.close(fd)
    return True


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--stop"] and len(argv) == 2:
        return 0 if stop(os.path.abspath(argv[1])) else 1
    if len(argv) != 1:
        print("usage: python -m layerlab.cli.daemon HOME | --stop HOME", file=sys.stderr)
        return 2
    return serve(os.path.abspath(argv[0]))


if __name__ == "__main__":
    sys.exit(main())
