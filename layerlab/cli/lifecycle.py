"""``docker export`` and ``docker cp``: getting files out of (and into) a container.

Registered into the command table by :mod:`layerlab.cli.commands` (and their help texts, verbatim
from ``docker <cmd> --help`` of the 28.2.2 client, into :data:`layerlab.cli._helptext.HELP`).
Outputs, errors and exit statuses were observed on the oracle (client 28.2.2, Engine 20.10):

* ``docker export [-o FILE] CONTAINER`` writes the tar to FILE or stdout; to a terminal it
  refuses (``cowardly refusing to save to a terminal. Use the -o flag or redirect``); a missing
  output directory is ``failed to export container: invalid output path: stat DIR: no such file
  or directory``;
* ``docker cp`` prints nothing when no terminal is attached (its progress line is for
  terminals only), so layerlab never prints one; ``-`` (a tar on stdin/stdout) is not modelled.
"""
from __future__ import annotations

import os

from ._helptext import HELP
from .commands import CliError, command

HELP.setdefault(
    "docker export",
    "Usage:  docker export [OPTIONS] CONTAINER\n\nExport a container's filesystem as a tar archive\n\n"
    "Aliases:\n  docker container export, docker export\n\nOptions:\n"
    "  -o, --output string   Write to a file, instead of STDOUT\n")
HELP.setdefault("docker container export", HELP["docker export"].replace(
    "Usage:  docker export", "Usage:  docker container export", 1))
HELP.setdefault(
    "docker cp",
    "Usage:  docker cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tdocker cp [OPTIONS] SRC_PATH|- "
    "CONTAINER:DEST_PATH\n\nCopy files/folders between a container and the local filesystem\n\n"
    "Use '-' as the source to read a tar archive from stdin\nand extract it to a directory destination "
    "in a container.\nUse '-' as the destination to stream a tar archive of a\ncontainer source to "
    "stdout.\n\nAliases:\n  docker container cp, docker cp\n\nOptions:\n"
    "  -a, --archive       Archive mode (copy all uid/gid information)\n"
    "  -L, --follow-link   Always follow symbol link in SRC_PATH\n"
    "  -q, --quiet         Suppress progress output during copy. Progress\n"
    "                      output is automatically suppressed if no terminal\n"
    "                      is attached\n")
HELP.setdefault("docker container cp", HELP["docker cp"].replace(
    "Usage:  docker cp", "Usage:  docker container cp", 1))


@command("docker export", "docker container export", args=(1, 1))
def cmd_export(cli, o):
    out = o["output"]
    if out:
        d = os.path.dirname(os.path.abspath(out))
        if not os.path.isdir(d):
            raise CliError(f"failed to export container: invalid output path: stat {d}: no such file or directory")
    elif cli.stdout_is_tty():
        raise CliError("cowardly refusing to save to a terminal. Use the -o flag or redirect")
    data = cli.engine.export(o.args[0])
    if out:
        with open(out, "wb") as fh:
            fh.write(data)
        return 0
    cli.out_bytes(data)
    return 0


def _split_container(arg: str) -> tuple[str | None, str]:
    """docker/cli splitCpArg: ``name:path`` unless the argument is an absolute or ./ path."""
    if arg.startswith("/") or arg.startswith("."):
        return None, arg
    name, sep, path = arg.partition(":")
    if not sep:
        return None, arg
    return name, path


def _host_path(cli, path: str) -> str:
    """A host path as the engine's host filesystem knows it: absolute on the real disk
    (relative to the current directory), from ``/`` on the in-memory one."""
    from ..storage.mounts import HostDirFS
    host = cli.engine.host
    if isinstance(host, HostDirFS):
        absolute = os.path.abspath(path)
        return absolute + ("/" if path.endswith("/") and absolute != "/" else "") + \
            ("/." if path.rstrip("/").endswith("/.") or path == "." else "")
    return path


@command("docker cp", "docker container cp", args=(2, 2))
def cmd_cp(cli, o):
    from ..engine import CopyError
    src, dest = o.args
    s_name, s_path = _split_container(src)
    d_name, d_path = _split_container(dest)
    if s_name is not None and d_name is not None:
        raise CliError("copying between containers is not supported")
    if s_name is None and d_name is None:
        raise CliError("must specify at least one container source")
    if "-" in (src, dest):
        raise CliError("layerlab does not model docker cp with '-' (a tar stream)")
    try:
        if s_name is not None:
            cli.engine.copy_from(s_name, s_path, _host_path(cli, dest))
        else:
            cli.engine.copy_to(d_name, _host_path(cli, src), d_path)
    except CopyError as exc:
        raise CliError(str(exc)) from None
    return 0
