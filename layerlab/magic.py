"""``%docker`` and ``%%docker``: the docker command line in a notebook cell.

    %load_ext layerlab.magic
    %docker run --name c1 busybox sh -c 'echo hi > /f'
    %docker diff c1

    %%docker
    image history busybox
    ps -a --format '{{.Names}}: {{.Status}}'

Both run the same CLI as the ``layerlab`` command (:func:`layerlab.cli.run`), but against the
notebook's own in-process engine: a module-level :class:`~layerlab.engine.Engine` with a
deterministic clock and seed, so a re-executed notebook prints the same IDs and times.
:func:`use` swaps in another engine (``layerlab.magic.use(eng)``), :func:`engine` returns it.
Output is printed like a terminal shows it: stdout as is, stderr in red. The line is split
like a shell would (``--format '{{json .RootFS.Layers}}'`` stays one word); a leading
``docker`` is optional. In a ``%%docker`` cell every non-blank line is one command (``#``
starts a comment line; a line ending with ``\\`` continues on the next); the cell stops at
the first command that fails, as ``set -e`` would.

IPython is imported only when the extension is loaded, never by ``import layerlab``.
"""
from __future__ import annotations

import shlex
import sys

__all__ = ["engine", "use", "reset", "docker", "load_ipython_extension", "unload_ipython_extension"]

_engine = None
_last_status = 0


def engine():
    """The notebook's engine (created on first use: seed 0, deterministic clock)."""
    global _engine
    if _engine is None:
        from .clock import Clock
        from .engine import Engine
        _engine = Engine(seed=0, clock=Clock())
    return _engine


def use(new_engine) -> None:
    """Run later ``%docker`` commands against ``new_engine``."""
    global _engine
    _engine = new_engine


def reset() -> None:
    """Forget the current engine; the next command gets a fresh one."""
    global _engine
    _engine = None


def last_status() -> int:
    """The exit status of the last ``%docker`` command."""
    return _last_status


def _split(line: str) -> list[str]:
    words = shlex.split(line, comments=False, posix=True)
    if words and words[0] in ("docker", "layerlab"):
        words = words[1:]
    return words


def _show(out: bytes, err: bytes) -> None:
    if out:
        sys.stdout.write(out.decode("utf-8", "replace"))
        sys.stdout.flush()
    if err:
        text = err.decode("utf-8", "replace")
        if _in_notebook():
            text = "\x1b[31m" + text + "\x1b[0m"
        sys.stderr.write(text)
        sys.stderr.flush()


def _in_notebook() -> bool:
    """In a Jupyter kernel (stderr is then shown in red, as a terminal would): ipykernel, or
    JupyterLite's Pyodide kernel (which does not import its ipykernel stand-in)."""
    return "ipykernel" in sys.modules or "pyodide_kernel" in sys.modules


def docker(line: str, stdin: bytes = b"") -> int:
    """Run one docker command line against the notebook's engine, print its output, return
    its exit status (``docker("ps -a")``)."""
    global _last_status
    from .cli import run
    from .cli.format.formatter import UTC
    try:
        words = _split(line)
    except ValueError as exc:
        _show(b"", f"layerlab: cannot parse the command line: {exc}\n".encode())
        _last_status = 2
        return 2
    if not words:
        return 0
    code, out, err = run(words, engine(), stdin=stdin, tz=UTC)
    _show(out, err)
    _last_status = code
    return code


def _cell_commands(cell: str) -> list[str]:
    cmds, buf = [], ""
    for raw in cell.splitlines():
        line = raw.rstrip()
        if buf:
            line = buf + " " + line.lstrip()
            buf = ""
        if line.endswith("\\"):
            buf = line[:-1].rstrip()
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        cmds.append(stripped)
    if buf.strip():
        cmds.append(buf.strip())
    return cmds


def docker_cell(cell: str) -> int:
    """Run each command of a ``%%docker`` cell; stop at the first failure."""
    code = 0
    for cmd in _cell_commands(cell):
        code = docker(cmd)
        if code != 0:
            break
    return code


def load_ipython_extension(ipython) -> None:
    """``%load_ext layerlab.magic``: register ``%docker`` and ``%%docker``."""
    from IPython.core.magic import register_line_cell_magic  # noqa: F401  (IPython present)

    def _magic(line, cell=None):
        if cell is None:
            docker(line)
        else:
            if line.strip():
                if docker(line) != 0:
                    return None
            docker_cell(cell)
        return None

    _magic.__name__ = "docker"
    _magic.__doc__ = __doc__
    # IPython would expand {expr} and $var in the line: '{{json .X}}' must reach docker intact
    _magic._ipython_magic_no_var_expand = True
    ipython.register_magic_function(_magic, magic_kind="line_cell", magic_name="docker")


def unload_ipython_extension(ipython) -> None:  # pragma: no cover - IPython keeps magics
    pass
