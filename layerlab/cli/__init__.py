"""``layerlab``: the docker command line, against layerlab's Engine.

    $ layerlab run --name c1 busybox sh -c 'echo hi > /f'
    $ layerlab diff c1
    C /f ...

Syntax, flags, output formats, error texts and exit statuses are docker's (client 28.x).
The engine persists between commands under ``LAYERLAB_HOME`` (:mod:`layerlab.state`); a
notebook uses :func:`run` on its in-process engine instead (:mod:`layerlab.magic`).

This package is imported by the console script on every command, so it stays cheap: the
engine, the formatter and the command table load only when a command needs them.
"""
from __future__ import annotations

import sys

__all__ = ["main", "run"]


def main(argv: list[str] | None = None) -> int:
    """The ``layerlab`` console script. Returns the exit status docker would have.

    Called with no ``argv`` (the console script, ``python -m layerlab.cli``), the command goes
    to the daemon of its ``LAYERLAB_HOME`` (:mod:`layerlab.cli.daemon`); called with a list (a
    test, a harness) or with ``LAYERLAB_DAEMON=0``, it runs in this process."""
    if argv is None:
        argv = sys.argv[1:]
        from .client import call
        code = call(argv)
        if code is not None:
            return code
    import gc
    collecting = gc.isenabled()
    if collecting:      # one short command: no cyclic GC passes while the state is unpickled
        gc.disable()    # and pickled (garbage is collected after it, by the next automatic pass)
    try:
        return _main(argv)
    finally:
        if collecting:
            gc.enable()


def _main(argv: list[str]) -> int:
    out = _binary(sys.stdout)
    err = _binary(sys.stderr)
    try:
        from .app import Streams, run_argv
        from ..state import persistent_engine
        streams = Streams(out=out, err=err, inp=getattr(sys.stdin, "buffer", sys.stdin))
        try:
            return run_argv(argv, streams, persistent_engine)
        finally:
            for s in (sys.stdout, sys.stderr):
                try:
                    s.flush()
                except Exception:
                    pass
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except SystemExit as exc:          # pragma: no cover - defensive
        return int(exc.code or 0) if isinstance(exc.code, int) else 1
    except BaseException as exc:       # never a traceback
        _internal_error(exc)
        return 1


class _TextSink:
    """Bytes written to a text-only stream (a notebook's sys.stdout has no ``.buffer``)."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, b: bytes) -> int:
        self.stream.write(b.decode("utf-8", "replace"))
        return len(b)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        try:
            return bool(self.stream.isatty())
        except Exception:
            return False


def _binary(stream):
    buf = getattr(stream, "buffer", None)
    return buf if buf is not None else _TextSink(stream)


def _internal_error_text(exc: BaseException) -> str:
    return f"layerlab: internal error: {type(exc).__name__}: {exc}\n"


def _internal_error(exc: BaseException) -> None:
    try:
        msg = _internal_error_text(exc)
        (getattr(sys.stderr, "buffer", None) or sys.stderr).write(msg.encode() if hasattr(sys.stderr, "buffer") else msg)
        if hasattr(sys.stderr, "flush"):
            sys.stderr.flush()
    except Exception:
        pass


def run(argv, engine, *, stdin: bytes = b"", env=None, tz=None) -> tuple[int, bytes, bytes]:
    """Run one docker command line against ``engine`` in-process: ``(status, stdout, stderr)``.

    ``argv`` is a list of words, or a string split like a shell would (``shlex``).
    """
    import io
    import shlex
    from .app import Streams, run_argv, fixed_engine
    if isinstance(argv, str):
        argv = shlex.split(argv)
        if argv and argv[0] in ("docker", "layerlab"):
            argv = argv[1:]
    out, err = io.BytesIO(), io.BytesIO()
    streams = Streams(out=out, err=err, inp=io.BytesIO(stdin), env=env, tz=tz, tty=False)
    try:
        code = run_argv(list(argv), streams, fixed_engine(engine))
    except Exception as exc:  # never a traceback
        err.write(f"layerlab: internal error: {type(exc).__name__}: {exc}\n".encode())
        code = 1
    return code, out.getvalue(), err.getvalue()
