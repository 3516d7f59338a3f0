"""Processes, streams, the program registry and ``execute``: how a command runs in a RootFS.

``execute`` is what runc does for ``docker run``/``exec`` and for a Dockerfile ``RUN``: find
``argv[0]`` in ``$PATH`` *inside the container's filesystem*, then run the program it names.
Programs are plain Python functions registered by name (:func:`register`); which one runs is
chosen the busybox way: ``/bin/ls`` is a symlink to ``/bin/busybox``, and busybox dispatches
on the basename of ``argv[0]``. A catalog image's ``/usr/bin/apt-get`` simply exists and the
registry has ``apt-get`` (registered by :mod:`.applets_packages`, imported lazily).

A program is ``def prog(proc: Proc, argv: list[str]) -> int``. It reads stdin, writes
stdout/stderr and touches the filesystem only through its :class:`Proc`.

A process that would block (``sleep 3600``, ``tail -f``, a server in the foreground) raises
:class:`Blocked`; ``execute`` then reports ``running=True`` with the output written so far.
"""
from __future__ import annotations

import errno
import hashlib
import importlib
import os
from dataclasses import dataclass
from typing import Callable

from ..fs.tree import FILE, basename, normpath

# ---------------------------------------------------------------------------- results


@dataclass
class ExecResult:
    """What a process left behind. ``running`` is True when it is still running (blocked:
    ``sleep 3600``, ``tail -f``, ``nginx -g 'daemon off;'``, ``top``); its ``exit_code`` is
    then 0 and meaningless. ``chunks`` is the output in the order it was written, as
    ``(1 | 2, bytes)`` pairs (what ``docker logs`` interleaves)."""

    exit_code: int
    stdout: bytes
    stderr: bytes
    running: bool = False
    chunks: tuple = ()


class CommandNotFound(Exception):
    """``argv[0]`` could not be executed in the image (runc's exec error).

    ``reason`` is ``"not found in $PATH"``, ``"no such file or directory"`` or
    ``"permission denied"``.
    """

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class Blocked(Exception):
    """Raised inside a program that would wait forever (or longer than a notebook cell)."""


class ExitProcess(Exception):
    """A program asked to terminate with this status (like ``exit(3)``)."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


# ---------------------------------------------------------------------------- streams
class Sink:
    """Where a file descriptor's writes go."""

    def write(self, data: bytes | str) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        pass


class BufferSink(Sink):
    """Collects bytes in memory (the process's captured stdout/stderr, a pipe). With a
    ``log`` list, every write is also recorded there as ``(fd, bytes)``."""

    def __init__(self, log: list | None = None, fd: int = 1) -> None:
        self.buf = bytearray()
        self.log = log
        self.fd = fd

    def write(self, data: bytes | str) -> None:
        data = data.encode() if isinstance(data, str) else bytes(data)
        self.buf += data
        if self.log is not None and data:
            if self.log and self.log[-1][0] == self.fd:
                self.log[-1] = (self.fd, self.log[-1][1] + data)
            else:
                self.log.append((self.fd, data))


class PipeSink(BufferSink):
    """The write end of a pipe between two pipeline stages."""


class NullSink(Sink):
    """``/dev/null`` (and ``/dev/zero``, ``/dev/urandom`` when written to)."""

    def write(self, data: bytes | str) -> None:
        pass


class FullSink(Sink):
    """``/dev/full``: every write fails with ENOSPC. The failure is recorded in ``error`` and
    reported for the command that wrote, when it ends (``Shell.write_failed``), as for a file
    on a full tmpfs."""

    error: OSError | None = None
    partial = False          # nothing of the output was written

    def write(self, data: bytes | str) -> None:
        if data:
            self.error = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class FileSink(Sink):
    """A file opened for writing in the RootFS. Writes are buffered and appended on
    :meth:`flush` (the shell flushes after every command), so a loop of ``echo``s into one
    file costs one append per command, not one per line."""

    error: OSError | None = None      # ENOSPC from the last flush (a full tmpfs)
    partial = True                    # what fitted was written

    def __init__(self, fs, real: str) -> None:
        self.fs = fs
        self.real = real
        self.pending: list[bytes] = []

    def write(self, data: bytes | str) -> None:
        if data:
            self.pending.append(data.encode() if isinstance(data, str) else bytes(data))

    def flush(self) -> None:
        if not self.pending:
            return
        data = b"".join(self.pending)
        self.pending = []
        try:
            self.fs.write(self.real, data, append=True)
        except OSError as e:
            if e.errno == errno.ENOSPC:   # what fits is written; the writer is told at its end
                self.error = e
            # otherwise: written to an fd whose file was removed meanwhile: the bytes vanish


class Input:
    """A readable file descriptor."""

    infinite = False

    def read(self, n: int = -1) -> bytes:
        raise NotImplementedError


class BytesInput(Input):
    def __init__(self, data: bytes = b"") -> None:
        self.data = data
        self.pos = 0

    def read(self, n: int = -1) -> bytes:
        if n < 0:
            out = self.data[self.pos:]
            self.pos = len(self.data)
        else:
            out = self.data[self.pos:self.pos + n]
            self.pos += len(out)
        return out


class ContentInput(Input):
    """A file of the RootFS, read lazily (a 1 GB file is not materialised by ``head -c``)."""

    def __init__(self, content) -> None:
        self.content = content
        self.pos = 0

    def read(self, n: int = -1) -> bytes:
        if n < 0:
            n = self.content.size - self.pos
        out = self.content.read(self.pos, n)
        self.pos += len(out)
        return out


class ZeroInput(Input):
    """``/dev/zero``: endless NUL bytes. Reading it all blocks forever."""

    infinite = True

    def read(self, n: int = -1) -> bytes:
        if n < 0:
            raise Blocked()
        return bytes(n)


class RandomInput(Input):
    """``/dev/urandom``: endless bytes, deterministic (sha256 counter) so notebooks repeat."""

    infinite = True

    def __init__(self) -> None:
        self.counter = 0

    def read(self, n: int = -1) -> bytes:
        if n < 0:
            raise Blocked()
        out = bytearray()
        while len(out) < n:
            out += hashlib.sha256(b"layerlab-urandom:%d" % self.counter).digest()
            self.counter += 1
        return bytes(out[:n])


# Devices (char nodes in a real /dev) that the model synthesises; /proc and /sys are empty.
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/urandom", "/dev/random",
           "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/tty")


def resolve_device(fs, path: str) -> str:
    """Follow symlinks at the end of ``path`` (``/var/log/nginx/error.log`` ->
    ``/dev/stderr``) so that a link to a device reaches the device."""
    for _ in range(40):
        if path in DEVICES:
            return path
        try:
            node = fs.lstat(path)
        except OSError:
            return path
        if node.kind != "symlink":
            return path
        base = path.rsplit("/", 1)[0] or "/"
        path = normpath(node.target, base)
    return path


def device_input(path: str, fds: dict) -> Input | None:
    if path == "/dev/null" or path == "/dev/full":
        return BytesInput(b"")
    if path == "/dev/zero":
        return ZeroInput()
    if path in ("/dev/urandom", "/dev/random"):
        return RandomInput()
    if path == "/dev/stdin":
        return fds.get(0) or BytesInput(b"")
    return None


def device_sink(path: str, fds: dict) -> Sink | None:
    if path in ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/tty"):
        return NullSink()
    if path == "/dev/full":
        return FullSink()
    if path == "/dev/stdout":
        return fds.get(1) or NullSink()
    if path == "/dev/stderr":
        return fds.get(2) or NullSink()
    return None


# ---------------------------------------------------------------------------- registry
Program = Callable[["Proc", list], int]
PROGRAMS: dict[str, Program] = {}


def register(name: str, *aliases: str) -> Callable[[Program], Program]:
    """Decorator: make ``prog`` runnable as ``name`` (and ``aliases``) when a file of that
    name is found in ``$PATH`` (or is a busybox applet link)."""

    def deco(fn: Program) -> Program:
        for n in (name, *aliases):
            PROGRAMS[n] = fn
        return fn

    return deco


# Programs whose module is imported the first time one of them runs (the package managers
# pull in the package catalog, which a shell that never installs anything need not load).
# Filled by ``layerlab.shell``'s __init__: this module imports none of them.
LAZY_PROGRAMS: dict[str, str] = {}


def lookup_program(name: str) -> Program | None:
    """The registered program called ``name``, importing its module first if it is lazy."""
    if name not in PROGRAMS and name in LAZY_PROGRAMS:
        importlib.import_module(LAZY_PROGRAMS[name])
    return PROGRAMS.get(name)


# ---------------------------------------------------------------------------- processes
class Proc:
    """What a program sees: filesystem, environment, cwd, credentials, clock and its fds.

    ``fds`` maps 0 to an :class:`Input` and 1, 2 to :class:`Sink` objects. ``exe`` is the
    resolved file that was executed and ``flavor`` says whose messages to print:
    ``"busybox"`` (the file is /bin/busybox: busybox, alpine images) or ``"gnu"`` (a
    Debian/Ubuntu image: coreutils, dash). ``error_prefix`` overrides ``"<name>: "``.
    """

    def __init__(self, fs, *, env: dict[str, str], cwd: str = "/", uid: int = 0, gid: int = 0,
                 clock=None, fds: dict | None = None, name: str = "", pid: int = 1,
                 flavor: str = "busybox", exe: str = ""):
        self.flavor = flavor
        self.exe = exe
        self.error_prefix: str | None = None
        self.fs = fs
        self.env = env
        self.cwd = cwd
        self.uid = uid
        self.gid = gid
        self.clock = clock
        self.fds = fds if fds is not None else {0: BytesInput(), 1: BufferSink(), 2: BufferSink()}
        self.name = name
        self.pid = pid

    # --------------------------------------------------------------- streams
    @property
    def stdout(self) -> Sink:
        return self.fds[1]

    @property
    def stderr(self) -> Sink:
        return self.fds[2]

    @property
    def stdin(self) -> bytes:
        """Everything left on stdin (blocks forever on an endless device)."""
        return self.fds[0].read()

    def read_stdin(self, n: int = -1) -> bytes:
        return self.fds[0].read(n)

    def out(self, data: bytes | str) -> None:
        self.fds[1].write(data)

    def err(self, data: bytes | str) -> None:
        self.fds[2].write(data)

    @property
    def gnu(self) -> bool:
        """True when this program is a GNU/Debian one (coreutils, dash), not busybox."""
        return self.flavor == "gnu"

    def error(self, msg: str) -> None:
        """``<applet>: <msg>`` on stderr, as busybox's bb_error_msg (and GNU's error())
        print it."""
        prefix = self.error_prefix if self.error_prefix is not None else f"{self.name}: "
        self.fds[2].write(f"{prefix}{msg}\n")

    # --------------------------------------------------------------- helpers
    def path(self, p: str) -> str:
        """An absolute, normalised path for ``p`` relative to the cwd."""
        return normpath(p, self.cwd)

    def now_ns(self) -> int:
        if self.clock is not None:
            return self.clock()
        return self.fs.clock()

    def sleep(self, seconds: float) -> None:
        """Wait: advance the injected clock for a short sleep, block for a long one."""
        if seconds > 10:
            raise Blocked()
        if self.clock is not None and seconds > 0:
            self.clock.advance(seconds)

    def child(self, *, name: str = "", env: dict | None = None, cwd: str | None = None,
              fds: dict | None = None) -> "Proc":
        return Proc(self.fs, env=dict(self.env) if env is None else env,
                    cwd=self.cwd if cwd is None else cwd, uid=self.uid, gid=self.gid,
                    clock=self.clock, fds=dict(self.fds) if fds is None else fds,
                    name=name, pid=self.pid + 1, flavor=self.flavor)

    def run(self, argv: list[str], stdin: bytes | None = None, *, env: dict | None = None,
            cwd: str | None = None) -> int:
        """Run a sub-command found in ``$PATH`` with this process's stdout/stderr
        (stdin replaced when given). A missing command prints busybox's
        ``<applet>: can't execute '<name>': No such file or directory`` and returns 127."""
        fds = dict(self.fds)
        if stdin is not None:
            fds[0] = BytesInput(stdin)
        child = self.child(env=env, cwd=cwd, fds=fds)
        try:
            path = find_executable(self.fs, argv[0], child.env.get("PATH", "/bin:/usr/bin"),
                                   child.cwd)
        except CommandNotFound as e:
            code = 126 if e.reason == "permission denied" else 127
            msg = "Permission denied" if code == 126 else "No such file or directory"
            self.error(f"can't execute '{argv[0]}': {msg}")
            return code
        return run_file(child, path, argv)


# ---------------------------------------------------------------------------- exec
def _stat(fs, path: str):
    try:
        return fs.stat(path)
    except OSError:
        return None


def find_executable(fs, name: str, path_var: str, cwd: str) -> str:
    """``execvp``/Go ``exec.LookPath`` inside ``fs``: the path to ``execve`` (as composed:
    ``./run.sh`` stays relative, a ``$PATH`` hit is ``<dir>/<name>``), or
    :class:`CommandNotFound`. Resolve it with ``normpath(path, cwd)`` to touch the fs."""
    if not name:
        raise CommandNotFound(name, "no such file or directory")
    if "/" in name:
        node = _stat(fs, normpath(name, cwd))
        if node is None:
            raise CommandNotFound(name, "no such file or directory")
        if node.kind != FILE or not node.mode & 0o111:
            raise CommandNotFound(name, "permission denied")
        return name
    for d in path_var.split(":"):
        composed = f"{d}/{name}" if d else name
        node = _stat(fs, normpath(composed, cwd))
        if node is not None and node.kind == FILE and node.mode & 0o111:
            return composed
    raise CommandNotFound(name, "not found in $PATH")


def resolve_program(fs, path: str, argv0: str) -> tuple[Program | None, str]:
    """Which registered program runs when ``path`` (found for ``argv0``) is executed.

    Returns ``(program, name)``; ``program`` is None for a file the registry does not know.
    A link to busybox dispatches on ``basename(argv0)`` only, as busybox does.
    """
    try:
        real = fs.realpath(path)
    except OSError:
        real = path
    called = basename(argv0)
    if is_busybox(fs, real):
        return lookup_program(called), called
    for name in (called, basename(path), basename(real)):
        prog = lookup_program(name)
        if prog is not None:
            return prog, name
    return None, called


def run_file(proc: Proc, path: str, argv: list[str]) -> int:
    """Run the executable at ``path`` (already found) with ``argv``.

    Registered programs run directly. Otherwise a ``#!`` script runs its interpreter
    (``#!/bin/sh`` -> our ``sh``); a text file without ``#!`` runs under ``sh`` (as a shell
    does after ENOEXEC); any other file is a model binary with no behaviour: it exits 0.
    """
    exec_path = path
    path = normpath(path, proc.cwd)
    prog, name = resolve_program(proc.fs, path, argv[0])
    if prog is None:
        try:
            real = proc.fs.realpath(path)
            head = proc.fs.read_content(real).read(0, 256)
        except OSError:
            head = b""
        if real_busybox(proc.fs, path):
            proc.fds[2].write(f"{basename(argv[0])}: applet not found\n")
            return 127
        if head.startswith(b"#!"):
            line = head[2:].split(b"\n", 1)[0].decode("utf-8", "replace").strip()
            interp = line.split(None, 1)
            if interp:
                # the kernel passes the path given to execve(), not argv[0]
                new_argv = [interp[0]] + interp[1:] + [exec_path] + argv[1:]
                try:
                    ipath = find_executable(proc.fs, interp[0], "", proc.cwd)
                except CommandNotFound:
                    proc.fds[2].write(f"{argv[0]}: line 1: {interp[0]}: not found\n")
                    return 127
                return run_file(proc, ipath, new_argv)
        if head and not head.startswith(b"\x7fELF") and b"\0" not in head:
            prog, name = lookup_program("sh"), "sh"
            argv = ["sh", exec_path, *argv[1:]]
        else:
            return 0
    proc.name = name
    try:
        proc.exe = proc.fs.realpath(path)
    except OSError:
        proc.exe = path
    proc.flavor = "busybox" if is_busybox(proc.fs, proc.exe) else "gnu"
    try:
        code = prog(proc, list(argv))
    except ExitProcess as e:
        code = e.code
    finally:
        for fd in (1, 2):
            proc.fds[fd].flush()
    return code & 0xFF if code is not None else 0


def real_busybox(fs, path: str) -> bool:
    try:
        return is_busybox(fs, fs.realpath(path))
    except OSError:
        return False


_BUSYBOX_PATHS = ("/bin/busybox", "/usr/bin/busybox", "/sbin/busybox", "/usr/sbin/busybox")


def is_busybox(fs, real: str) -> bool:
    """Is the (resolved) file ``real`` the busybox binary? Either by name, or as one of its
    hard links (the official busybox image links every applet to one inode)."""
    if basename(real) == "busybox":
        return True
    try:
        node = fs.stat(real)
    except OSError:
        return False
    if not node.ino:
        return False
    for cand in _BUSYBOX_PATHS:
        try:
            other = fs.stat(cand)
        except OSError:
            continue
        if other.ino == node.ino and other.content == node.content:
            return True
    return False


def execute(fs, argv: list[str], *, env: dict[str, str], cwd: str = "/", stdin: bytes = b"",
            uid: int = 0, gid: int = 0, clock=None) -> ExecResult:
    """Run ``argv`` in ``fs`` as runc would (``docker run``/``exec``, a ``RUN`` step).

    Raises :class:`CommandNotFound` when ``argv[0]`` cannot be executed in the image.
    """
    if not argv:
        raise CommandNotFound("", "no such file or directory")
    path = find_executable(fs, argv[0], env.get("PATH", ""), normpath(cwd))
    log: list = []
    out, err = BufferSink(log, 1), BufferSink(log, 2)
    proc = Proc(fs, env=dict(env), cwd=normpath(cwd), uid=uid, gid=gid, clock=clock,
                fds={0: BytesInput(stdin), 1: out, 2: err})
    saved = (getattr(fs, "uid", 0), getattr(fs, "gid", 0))
    running = False
    code = 0
    try:
        fs.uid, fs.gid = uid, gid
        try:
            code = run_file(proc, path, list(argv))
        except Blocked:
            running = True
            for fd in (1, 2):
                proc.fds[fd].flush()
    finally:
        fs.uid, fs.gid = saved
    return ExecResult(code, bytes(out.buf), bytes(err.buf), running, tuple(log))
