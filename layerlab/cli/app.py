"""Command dispatch: docker's command tree (cobra), global flags, streams, error printing."""
from __future__ import annotations

import contextlib
import os

from . import flags as FL

# top-level commands and their canonical help paths
TOP = {
    "build": "docker build", "import": "docker import", "save": "docker save", "load": "docker load",
    "run": "docker run", "create": "docker create", "start": "docker start", "stop": "docker stop",
    "restart": "docker restart", "kill": "docker kill", "rm": "docker rm", "exec": "docker exec",
    "diff": "docker diff", "ps": "docker ps", "images": "docker images", "history": "docker history",
    "inspect": "docker inspect", "rmi": "docker rmi", "tag": "docker tag", "logs": "docker logs",
    "info": "docker info", "version": "docker version", "commit": "docker commit", "pull": "docker pull",
}
GROUPS = {
    "image": {"build": "build", "history": "history", "import": "import", "inspect": "inspect",
              "load": "load", "ls": "ls", "list": "ls", "prune": "prune", "pull": "pull", "rm": "rm",
              "remove": "rm", "save": "save", "tag": "tag",
              "efficiency": "efficiency"},   # layerlab's own (layerlab.cli.efficiency)
    "container": {"commit": "commit", "create": "create", "diff": "diff", "exec": "exec",
                  "inspect": "inspect", "kill": "kill", "logs": "logs", "ls": "ls", "list": "ls",
                  "ps": "ls", "prune": "prune", "restart": "restart", "rm": "rm", "remove": "rm", "run": "run",
                  "start": "start", "stop": "stop"},
    "volume": {"create": "create", "inspect": "inspect", "ls": "ls", "list": "ls", "prune": "prune",
               "rm": "rm", "remove": "rm"},
    "system": {"df": "df", "info": "info", "prune": "prune"},
}
# help paths whose handler is registered under another path
HANDLER_ALIAS = {
    "docker image build": "docker build", "docker image history": "docker history",
    "docker image import": "docker import", "docker image load": "docker load",
    "docker image ls": "docker images", "docker image pull": "docker pull",
    "docker image rm": "docker rmi", "docker image save": "docker save", "docker image tag": "docker tag",
    "docker container commit": "docker commit", "docker container create": "docker create",
    "docker container diff": "docker diff", "docker container exec": "docker exec",
    "docker container kill": "docker kill", "docker container logs": "docker logs",
    "docker container ls": "docker ps", "docker container restart": "docker restart",
    "docker container rm": "docker rm", "docker container run": "docker run",
    "docker container start": "docker start", "docker container stop": "docker stop",
    "docker system info": "docker info",
}
# docker export and docker cp (layerlab/cli/lifecycle.py)
TOP.update({"export": "docker export", "cp": "docker cp", "push": "docker push"})
GROUPS["image"]["push"] = "push"
HANDLER_ALIAS["docker image push"] = "docker push"
GROUPS["container"].update({"export": "export", "cp": "cp"})
HANDLER_ALIAS.update({"docker container export": "docker export", "docker container cp": "docker cp"})
VERSION_LINE = "Docker version 28.2.2, build e6534b4"


class Streams:
    """Where a command's bytes go. ``env`` is the environment docker would read."""

    def __init__(self, out, err, inp=None, env=None, tz=None, tty=None):
        self.out = out
        self.err = err
        self.inp = inp
        self.env = dict(os.environ) if env is None else dict(env)
        self.tz = tz
        self.tty = tty


class Cli:
    """What a command handler sees: the engine (opened on first use), output helpers, env."""

    def __init__(self, streams: Streams, engine_cm):
        self.streams = streams
        self._engine_cm = engine_cm
        self._engine = None
        self._stack = contextlib.ExitStack()
        self.env = streams.env
        self.tz = streams.tz

    readonly = False

    @property
    def engine(self):
        if self._engine is None:
            self._engine = self._stack.enter_context(self._engine_cm(save=not self.readonly))
        return self._engine

    def close(self, ok: bool = True) -> None:
        if ok:
            self._stack.close()
        else:
            self._stack.__exit__(RuntimeError, RuntimeError("aborted"), None)

    # -- output
    def out_bytes(self, b: bytes) -> None:
        if b:
            self.streams.out.write(b)

    def err_bytes(self, b: bytes) -> None:
        if b:
            self.streams.err.write(b)

    def out(self, s: str) -> None:
        self.out_bytes(s.encode("utf-8", "surrogateescape"))

    def err(self, s: str) -> None:
        self.err_bytes(s.encode("utf-8", "surrogateescape"))

    def write_format(self, fmt, rows, header) -> None:
        from .format import formatter as F
        from .commands import CliError
        try:
            text = F.write(fmt, rows, header)
        except F.FormatError as exc:
            raise CliError(str(exc)) from None
        self.out(text)

    # -- input
    def read_stdin(self) -> bytes:
        inp = self.streams.inp
        if inp is None:
            return b""
        data = inp.read()
        return data.encode() if isinstance(data, str) else data

    def read_line(self) -> str:
        inp = self.streams.inp
        if inp is None:
            return ""
        line = inp.readline()
        return line.decode("utf-8", "replace") if isinstance(line, bytes) else line

    def _isatty(self, f) -> bool:
        if self.streams.tty is not None:
            return self.streams.tty
        try:
            return bool(f.isatty())
        except Exception:
            return False

    def stdout_is_tty(self) -> bool:
        return self._isatty(self.streams.out)

    def stdin_is_tty(self) -> bool:
        return self._isatty(self.streams.inp)


def fixed_engine(engine):
    @contextlib.contextmanager
    def cm(save: bool = True):
        yield engine
    return cm


# commands that never change the engine: they take a shared lock and do not rewrite the state
READ_ONLY = {
    "docker ps", "docker container ls", "docker images", "docker image ls", "docker history",
    "docker image history", "docker inspect", "docker image inspect", "docker container inspect",
    "docker volume inspect", "docker diff", "docker container diff", "docker logs",
    "docker container logs", "docker info", "docker system info", "docker version",
    "docker system df", "docker volume ls", "docker save", "docker image save",
    "docker image efficiency",
}
READ_ONLY |= {"docker export", "docker container export"}


def _emit(streams: Streams, text: str, to_err: bool) -> None:
    data = (text if text.endswith("\n") else text + "\n").encode("utf-8", "surrogateescape")
    (streams.err if to_err else streams.out).write(data)


def _resolve(args: list[str]):
    """(help path, remaining args) or raises UsageError / returns a group help request."""
    name = args[0]
    if name in TOP:
        return TOP[name], args[1:]
    if name in GROUPS:
        sub = args[1:]
        group_path = f"docker {name}"
        # flags before the subcommand name belong to the group (only --help matters)
        if not sub or sub[0] in ("-h", "--help", "help"):
            return group_path, None
        if sub[0].startswith("-"):
            spec = FL.spec_for(group_path)
            raise FL.flag_error(spec, f"unknown flag: {sub[0]}" if sub[0].startswith("--")
                                else f"unknown shorthand flag: '{sub[0][1:2]}' in {sub[0]}")
        leaf = GROUPS[name].get(sub[0])
        if leaf is None:
            spec = FL.spec_for(group_path)
            raise FL.UsageError(f"docker: unknown command: docker {name} {sub[0]}\n\nUsage:  {spec.usage}\n\n"
                                f"Run 'docker {name} --help' for more information", 1)
        return f"docker {name} {leaf}", sub[1:]
    raise FL.UsageError(f"docker: unknown command: docker {name}\n\nRun 'docker --help' for more information", 1)


def run_argv(argv: list[str], streams: Streams, engine_cm) -> int:
    """Parse and run one command line; print docker's errors; return the exit status."""
    from .commands import COMMANDS
    root = FL.spec_for("docker")
    root.interspersed = False
    try:
        try:
            ropts = FL.parse(root, argv)
        except FL.HelpRequested:
            _emit(streams, FL.help_text("docker"), False)
            return 0
        if ropts["version"]:
            _emit(streams, VERSION_LINE, False)
            return 0
        args = ropts.args
        if not args:
            _emit(streams, FL.help_text("docker"), True)
            return 0
        if args[0] == "help":
            target = args[1:]
            path = "docker" if not target else _resolve(target)[0]
            _emit(streams, FL.help_text(path), False)
            return 0
        path, rest = _resolve(args)
        if rest is None:                      # `docker volume`: the group's help, on stderr
            _emit(streams, FL.help_text(path), True)
            return 0
        spec = FL.spec_for(path)
        try:
            opts = FL.parse(spec, rest)
        except FL.HelpRequested:
            _emit(streams, FL.help_text(path), False)
            return 0
        handler, lo, hi = COMMANDS[HANDLER_ALIAS.get(path, path)]
        if path in ("docker build", "docker image build") and not _buildkit(streams) and len(opts.args) != 1:
            from .commands import _BANNER_DISABLED
            streams.err.write(_BANNER_DISABLED.encode())
        FL.check_args(spec, opts.args, lo, hi)
    except FL.UsageError as exc:
        _emit(streams, exc.message, True)
        return exc.code
    cli = Cli(streams, engine_cm)
    cli.readonly = path in READ_ONLY
    try:
        code = _call(handler, cli, opts, streams)
    except BaseException:
        cli.close(False)
        raise
    try:
        cli.close(True)
    except Exception as exc:          # the state could not be saved
        from ..state import StateError
        if not isinstance(exc, StateError):
            raise
        _emit(streams, f"layerlab: {exc}", True)
        return 1
    return code


def _call(handler, cli, opts, streams) -> int:
    from .commands import CliError
    from ..errors import DaemonError
    from ..state import StateError
    try:
        return handler(cli, opts)
    except CliError as exc:
        if exc.message:
            _emit(streams, exc.message, True)
        return exc.code
    except DaemonError as exc:
        _emit(streams, f"Error response from daemon: {exc}", True)
        return 1
    except StateError as exc:
        _emit(streams, f"layerlab: {exc}", True)
        return 1
    except OSError as exc:
        from ..errors import FsError
        if isinstance(exc, FsError):          # a model filesystem error escaping a command
            raise
        # a host file the client itself opens (-o, -i, --iidfile ...): Go's *PathError text
        if exc.filename is not None and exc.strerror:
            _emit(streams, f"open {exc.filename}: {exc.strerror[0].lower() + exc.strerror[1:]}", True)
        else:
            _emit(streams, str(exc), True)
        return 1


def _buildkit(streams: Streams) -> bool:
    v = streams.env.get("DOCKER_BUILDKIT")
    return v is None or v == "" or v.strip().lower() not in ("0", "false", "f")
