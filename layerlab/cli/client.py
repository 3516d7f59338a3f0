"""The ``layerlab`` command's client side: hand the command to the daemon of its
``LAYERLAB_HOME`` (:mod:`layerlab.cli.daemon`), starting one if none runs, and print what it
sends back. It imports only the standard library's socket layer, so a command costs a Python
start-up and a round trip instead of importing the engine.

``LAYERLAB_DAEMON=0`` (or a platform without unix sockets, or a socket path too long for
one) runs commands in-process instead, with the same results.
"""
from __future__ import annotations

import json
import os
import socket
import struct
import sys

SOCKET = "daemon.sock"
_MAX_SOCKET_PATH = 100          # sun_path is 108 bytes on Linux


def send_frame(s: socket.socket, kind: bytes, data: bytes) -> None:
    s.sendall(kind + struct.pack(">I", len(data)) + data)


def _recv_exact(s: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed")
        buf += chunk
    return bytes(buf)


def read_frame(s: socket.socket) -> tuple[bytes, bytes]:
    head = _recv_exact(s, 5)
    (n,) = struct.unpack(">I", head[1:])
    return head[:1], _recv_exact(s, n) if n else b""


def code_stamp() -> str:
    """Names, sizes and mtimes of layerlab's source files: a daemon started from other code
    (an upgrade, an edit) is replaced rather than used."""
    import zlib
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parts = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x != "__pycache__")
        for f in sorted(files):
            if f.endswith(".py"):
                st = os.stat(os.path.join(d, f))
                parts.append(f"{d[len(root):]}/{f}:{st.st_size}:{st.st_mtime_ns}")
    return f"{sys.version_info[:2]}:{zlib.crc32(chr(10).join(parts).encode()):08x}:{len(parts)}"


def enabled(env=None) -> bool:
    env = os.environ if env is None else env
    return (env.get("LAYERLAB_DAEMON", "1").lower() not in ("0", "false", "no", "off")
            and hasattr(socket, "AF_UNIX") and sys.platform != "emscripten")   # Pyodide: one process


def _connect(path: str):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        return s
    except OSError:
        s.close()
        return None


def _spawn(home: str) -> None:
    import subprocess
    os.makedirs(home, mode=0o700, exist_ok=True)
    log = open(os.path.join(home, "daemon.log"), "ab")
    try:
        subprocess.Popen([sys.executable, "-m", "layerlab.cli.daemon", home], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=log, start_new_session=True, close_fds=True)
    finally:
        log.close()


def _wait_connect(path: str, timeout: float = 20.0):
    import time
    deadline = time.monotonic() + timeout
    delay = 0.005
    while time.monotonic() < deadline:
        s = _connect(path)
        if s is not None:
            return s
        time.sleep(delay)
        delay = min(delay * 1.5, 0.1)
    return None


def _isatty(f) -> bool:
    try:
        return bool(f.isatty())
    except Exception:
        return False


def call(argv: list[str]) -> int | None:
    """Run ``argv`` through the daemon; its exit status, or None to run it in-process."""
    if not enabled():
        return None
    from ..home import home as _home
    home = _home(os.environ)
    path = os.path.join(home, SOCKET)
    if len(path.encode()) > _MAX_SOCKET_PATH:
        return None
    try:
        cwd = os.getcwd()
    except OSError:
        return None
    header = json.dumps({"argv": argv, "cwd": cwd, "env": dict(os.environ), "stamp": code_stamp(),
                         "tty_in": _isatty(sys.stdin), "tty_out": _isatty(sys.stdout),
                         "tty_err": _isatty(sys.stderr)}).encode("utf-8", "surrogateescape")
    out = getattr(sys.stdout, "buffer", None)
    err = getattr(sys.stderr, "buffer", None)
    inp = getattr(sys.stdin, "buffer", None)
    if out is None or err is None:
        return None
    for _attempt in range(3):
        s = _connect(path)
        if s is None:
            try:
                _spawn(home)
            except OSError:
                return None                    # cannot start processes here: run in-process
            s = _wait_connect(path)
            if s is None:
                return None                    # no daemon could start: run in-process
        try:
            send_frame(s, b"h", header)
            while True:
                kind, data = read_frame(s)
                if kind == b"o":
                    out.write(data)
                    out.flush()
                elif kind == b"e":
                    err.write(data)
                    err.flush()
                elif kind == b"R":
                    send_frame(s, b"i", inp.read() if inp is not None else b"")
                elif kind == b"L":
                    send_frame(s, b"i", inp.readline() if inp is not None else b"")
                elif kind == b"x":
                    return struct.unpack(">i", data)[0]
                elif kind == b"S":             # a daemon of other code: it exits; start ours
                    _wait_gone(path)
                    break
        except (EOFError, ConnectionError):
            err.write(b"layerlab: the layerlab daemon stopped before the command finished "
                      b"(see daemon.log in LAYERLAB_HOME)\n")
            err.flush()
            return 1
        finally:
            s.close()
    return None


def _wait_gone(path: str, timeout: float = 10.0) -> None:
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and os.path.exists(path):
        time.sleep(0.01)
