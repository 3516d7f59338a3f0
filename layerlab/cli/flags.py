"""docker's command line: cobra commands and pflag parsing, with docker's error texts.

Each command's flags come from its real help text (:mod:`layerlab.cli._helptext`): every line
``  -t, --tag list   ...`` gives a flag's long name, shorthand and value type, so layerlab
accepts exactly the flags docker 28 accepts (and ignores the ones that mean nothing to a
daemonless model, such as ``--network``).

Parsing follows spf13/pflag (``--name=value``, ``--name value``, ``-n value``, ``-nvalue``,
``-abc`` for booleans, ``-H=false``, ``--`` ends the flags) and cobra (flags may follow
arguments unless the command disables interspersed flags, as ``run``/``create``/``exec`` do).
Errors carry docker's exact text and exit status: flag errors exit 125, argument-count errors 1.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

BOOL, STRING, INT, LIST, SLICE = "bool", "string", "int", "list", "slice"

_TYPES = {
    "string": STRING, "int": INT, "int64": INT, "uint": INT, "uint16": INT, "uint64": INT,
    "strings": SLICE, "list": LIST, "stringArray": LIST, "filter": LIST, "map": LIST,
    "ulimit": LIST, "mount": LIST, "network": LIST, "port": LIST, "gpu-request": LIST,
    "pref": LIST, "command": LIST, "bytes": STRING, "duration": STRING, "decimal": STRING,
    "float": STRING,
}


class UsageError(Exception):
    """A command-line error. ``str()`` is what docker prints on stderr; ``code`` its exit status."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.message = message
        self.code = code


class HelpRequested(Exception):
    pass


@dataclass
class Flag:
    name: str
    short: str | None
    kind: str
    default: object = None

    @property
    def display(self) -> str:
        return f"-{self.short}, --{self.name}" if self.short else f"--{self.name}"


@dataclass
class Spec:
    """One cobra command: its path (``docker image ls``), usage line and flags."""

    path: str
    usage: str
    short: str
    flags: dict[str, Flag] = field(default_factory=dict)
    shorts: dict[str, Flag] = field(default_factory=dict)
    interspersed: bool = True

    def add(self, f: Flag) -> None:
        self.flags[f.name] = f
        if f.short:
            self.shorts[f.short] = f


_FLAG_LINE = re.compile(r"^  (?:-(\w), |    )--([\w.-]+)(?: (\S+))?(?:\s{2,}(.*)|$)")

# flags docker hides from --help but still accepts
_HIDDEN = {
    "docker stop": [Flag("time", None, INT)],
    "docker restart": [Flag("time", None, INT)],
    "docker container stop": [Flag("time", None, INT)],
    "docker container restart": [Flag("time", None, INT)],
}
_NOT_INTERSPERSED = {"docker run", "docker create", "docker exec", "docker container run",
                     "docker container create", "docker container exec"}


def parse_help(path: str, text: str) -> Spec:
    lines = text.splitlines()
    usage = next((ln[len("Usage:  "):] for ln in lines if ln.startswith("Usage:  ")), path)
    try:
        i = lines.index("Usage:  " + usage)
        short = lines[i + 2] if i + 2 < len(lines) else ""
    except ValueError:
        short = ""
    spec = Spec(path, usage, short, interspersed=path not in _NOT_INTERSPERSED)
    in_opts = False
    current: Flag | None = None
    for ln in lines:
        if ln.endswith("Options:"):
            in_opts = True
            continue
        if not in_opts:
            continue
        if not ln.strip():
            in_opts = False
            continue
        m = _FLAG_LINE.match(ln)
        if m:
            kind = BOOL if m.group(3) is None else _TYPES.get(m.group(3), STRING)
            current = Flag(m.group(2), m.group(1), kind)
            spec.add(current)
            desc = m.group(4) or ""
        else:
            desc = ln.strip()
        if current is not None and current.kind == BOOL and "(default true)" in desc:
            current.default = True
    for f in _HIDDEN.get(path, ()):
        spec.add(f)
    return spec


_SPECS: dict[str, Spec] = {}


def spec_for(path: str) -> Spec:
    """The :class:`Spec` of a canonical command path such as ``docker image ls``."""
    spec = _SPECS.get(path)
    if spec is None:
        from ._helptext import HELP
        spec = parse_help(path, HELP.get(path, f"Usage:  {path}\n"))
        if path == "docker":            # cobra's UseLine of the root (its help shows less)
            spec.usage = "docker [OPTIONS] COMMAND [ARG...]"
        _SPECS[path] = spec
    return spec


def help_text(path: str) -> str:
    from ._helptext import HELP
    return HELP.get(path, "")


# ---------------------------------------------------------------------- pflag
_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def _go_quote_char(c: str) -> str:
    if c == "'":
        return "'\\''"
    if c == "\\":
        return "'\\\\'"
    return f"'{c}'"


def _go_int(s: str) -> int:
    """strconv.ParseInt(s, 0, 64)."""
    t = s.replace("_", "") if re.fullmatch(r"[+-]?0[xXbBoO]?[0-9a-fA-F_]+", s) else s
    sign = 1
    body = t
    if body[:1] in "+-" and body:
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    try:
        if re.fullmatch(r"0[xX][0-9a-fA-F]+", body):
            v = int(body[2:], 16)
        elif re.fullmatch(r"0[bB][01]+", body):
            v = int(body[2:], 2)
        elif re.fullmatch(r"0[oO][0-7]+", body):
            v = int(body[2:], 8)
        elif re.fullmatch(r"0[0-7]+", body):
            v = int(body[1:], 8)
        elif re.fullmatch(r"[0-9]+", body):
            v = int(body)
        else:
            raise ValueError
    except ValueError:
        raise ValueError(f'strconv.ParseInt: parsing "{s}": invalid syntax') from None
    v *= sign
    if not -(2 ** 63) <= v < 2 ** 63:
        raise ValueError(f'strconv.ParseInt: parsing "{s}": value out of range')
    return v


class Parsed:
    """Flag values (``opts["name"]``), which flags were given, and the arguments."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self.values: dict[str, object] = {}
        self.changed: set[str] = set()
        self.args: list[str] = []

    def __getitem__(self, name: str):
        if name in self.values:
            return self.values[name]
        f = self.spec.flags.get(name)
        if f is None:
            raise KeyError(name)
        if f.kind == BOOL:
            return bool(f.default)
        if f.kind in (LIST, SLICE):
            return []
        return f.default

    def get(self, name: str, default=None):
        try:
            v = self[name]
        except KeyError:
            return default
        return default if v is None else v

    def set(self, f: Flag, value: str) -> None:
        try:
            if f.kind == BOOL:
                if value in _TRUE:
                    v: object = True
                elif value in _FALSE:
                    v = False
                else:
                    raise ValueError(f'strconv.ParseBool: parsing "{value}": invalid syntax')
            elif f.kind == INT:
                v = _go_int(value)
            elif f.kind == LIST:
                v = list(self.values.get(f.name, [])) + [value]
            elif f.kind == SLICE:
                v = list(self.values.get(f.name, [])) + ([x for x in value.split(",")] if value else [])
            else:
                v = value
        except ValueError as exc:
            raise UsageError(f'invalid argument "{value}" for "{f.display}" flag: {exc}', 125) from None
        self.values[f.name] = v
        self.changed.add(f.name)


def flag_error(spec: Spec, message: str) -> UsageError:
    """cobra FlagErrorFunc as docker 28 wires it: the error, the usage line, a hint; exit 125."""
    return UsageError(f"{message}\n\nUsage:  {spec.usage}\n\nRun '{spec.path} --help' for more information", 125)


def parse(spec: Spec, argv: list[str]) -> Parsed:
    """pflag's FlagSet.Parse for one command; raises :class:`UsageError` or :class:`HelpRequested`."""
    p = Parsed(spec)
    args = list(argv)
    while args:
        s = args.pop(0)
        if len(s) == 0 or s[0] != "-" or len(s) == 1:
            p.args.append(s)
            if not spec.interspersed:
                p.args.extend(args)
                return p
            continue
        if s == "--":
            p.args.extend(args)
            return p
        if s.startswith("--"):
            name = s[2:]
            if not name or name[0] in "-=":
                raise flag_error(spec, f"bad flag syntax: {s}")
            name, eq, value = name.partition("=")
            f = spec.flags.get(name)
            if f is None:
                if name == "help":
                    raise HelpRequested()
                raise flag_error(spec, f"unknown flag: --{name}")
            if eq:
                pass
            elif f.kind == BOOL:
                value = "true"
            elif args:
                value = args.pop(0)
            else:
                raise flag_error(spec, f"flag needs an argument: {s}")
            try:
                p.set(f, value)
            except UsageError as exc:
                raise flag_error(spec, exc.message) from None
            continue
        shorthands = s[1:]
        while shorthands:
            c = shorthands[0]
            f = spec.shorts.get(c)
            if f is None:
                if c == "h":
                    raise HelpRequested()
                raise flag_error(spec, f"unknown shorthand flag: {_go_quote_char(c)} in -{shorthands}")
            if len(shorthands) > 2 and shorthands[1] == "=":
                value, rest = shorthands[2:], ""
            elif f.kind == BOOL:
                value, rest = "true", shorthands[1:]
            elif len(shorthands) > 1:
                value, rest = shorthands[1:], ""
            elif args:
                value, rest = args.pop(0), ""
            else:
                raise flag_error(spec, f"flag needs an argument: {_go_quote_char(c)} in -{shorthands}")
            try:
                p.set(f, value)
            except UsageError as exc:
                raise flag_error(spec, exc.message) from None
            shorthands = rest
    return p


# ---------------------------------------------------------------------- argument counts
def _plural(n: int) -> str:
    return "argument" if n == 1 else "arguments"


def check_args(spec: Spec, args: list[str], lo: int, hi: int | None) -> None:
    """cobra PositionalArgs as docker/cli/cli/required.go words them (28.x); exit status 1."""
    n = len(args)
    if lo <= n and (hi is None or n <= hi):
        return
    path, usage = spec.path, spec.usage
    if hi == 0:
        msg = f"docker: '{path}' accepts no arguments\n\nUsage:  {usage}\n\nRun '{path} --help' for more information"
    elif lo == hi:
        msg = f"docker: '{path}' requires {lo} {_plural(lo)}\n\nUsage:  {usage}\n\nRun '{path} --help' for more information"
    elif hi is None:
        msg = f"docker: '{path}' requires at least {lo} {_plural(lo)}\n\nUsage:  {usage}\n\nSee '{path} --help' for more information"
    elif lo == 0:
        # docker/cli's RequiresMaxArgs really prints "SRun"
        msg = f"docker: '{path}' requires at most {hi} {_plural(hi)}\n\nUsage:  {usage}\n\nSRun '{path} --help' for more information"
    else:
        msg = (f"docker: '{path}' requires at least {lo} and at most {hi} {_plural(hi)}\n\nUsage:  {usage}\n\n"
               f"Run '{path} --help' for more information")
    raise UsageError(msg, 1)
