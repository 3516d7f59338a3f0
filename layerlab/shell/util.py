"""Helpers shared by the applets: option parsing, busybox error texts, users and groups."""
from __future__ import annotations

import os

from .core import Blocked, ExitProcess, PipeSink, Proc


class Usage(Exception):
    """Bad command line: busybox prints a usage message and exits 1."""

    def __init__(self, msg: str | None = None):
        super().__init__(msg)
        self.msg = msg


def strerror(e: OSError | int) -> str:
    code = e if isinstance(e, int) else e.errno
    return os.strerror(code) if code else str(e)


def getopt(argv: list[str], spec: str, long: dict[str, str] | None = None,
           permute: bool = True) -> tuple[dict[str, object], list[str]]:
    """busybox getopt32 (glibc getopt: options may follow operands unless ``--``).

    ``spec`` lists option letters; a letter followed by ``:`` takes an argument; ``+``
    after a letter makes it a counter. Returns ``({letter: True|value|count}, operands)``.
    """
    takes = {}
    i = 0
    while i < len(spec):
        c = spec[i]
        arg = i + 1 < len(spec) and spec[i + 1] == ":"
        takes[c] = arg
        i += 2 if arg else 1
    opts: dict[str, object] = {}
    operands: list[str] = []
    args = argv[1:]
    j = 0
    while j < len(args):
        a = args[j]
        if a == "--":
            operands.extend(args[j + 1:])
            break
        if a.startswith("--") and long is not None:
            name, eq, val = a[2:].partition("=")
            if name not in long:
                raise Usage(f"unrecognized option '{a}'")
            key = long[name]
            if key.endswith(":"):
                key = key[:-1]
                if not eq:
                    j += 1
                    if j >= len(args):
                        raise Usage(f"option '{a}' requires an argument")
                    val = args[j]
                opts[key] = val
            else:
                opts[key] = True
            j += 1
            continue
        if a.startswith("-") and len(a) > 1:
            k = 1
            while k < len(a):
                c = a[k]
                if c not in takes:
                    raise Usage(f"invalid option -- '{c}'")
                if takes[c]:
                    val = a[k + 1:]
                    if not val:
                        j += 1
                        if j >= len(args):
                            raise Usage(f"option requires an argument -- '{c}'")
                        val = args[j]
                    opts[c] = val
                    break
                opts[c] = opts.get(c, 0) + 1
                k += 1
            j += 1
            continue
        if not permute:
            operands.extend(args[j:])
            break
        operands.append(a)
        j += 1
    return opts, operands


_GNU_FILE_OPERAND = {"touch", "ln", "cp", "mv", "install"}


def usage(proc: Proc, u: Usage) -> int:
    """A bad command line. busybox: the message (if any) and its usage text, exit 1.
    GNU: ``missing operand`` (or the message) and ``Try '<prog> --help' ...``."""
    if proc.gnu:
        msg = u.msg or ("missing file operand" if proc.name in _GNU_FILE_OPERAND
                        else "missing operand")
        proc.error(msg)
        proc.err(f"Try '{proc.name} --help' for more information.\n")
        return 1
    if u.msg:
        proc.error(u.msg)
    proc.err(f"BusyBox v1.36.1 multi-call binary.\n\nUsage: {proc.name} ...\n")
    return 1


def read_passwd(fs) -> list[list[str]]:
    try:
        text = fs.read_text("/etc/passwd")
    except OSError:
        return []
    return [line.split(":") for line in text.splitlines() if line and not line.startswith("#")]


def read_group(fs) -> list[list[str]]:
    try:
        text = fs.read_text("/etc/group")
    except OSError:
        return []
    return [line.split(":") for line in text.splitlines() if line and not line.startswith("#")]


def user_name(fs, uid: int, cache: dict | None = None) -> str | None:
    for f in read_passwd(fs):
        if len(f) > 2 and f[2] == str(uid):
            return f[0]
    return None


def group_name(fs, gid: int) -> str | None:
    for f in read_group(fs):
        if len(f) > 2 and f[2] == str(gid):
            return f[0]
    return None


class Names:
    """uid/gid -> name lookups from the container's /etc files, read once per command."""

    def __init__(self, fs):
        self.users = {}
        self.groups = {}
        for f in read_passwd(fs):
            if len(f) > 2 and f[2].isdigit():
                self.users.setdefault(int(f[2]), f[0])
        for f in read_group(fs):
            if len(f) > 2 and f[2].isdigit():
                self.groups.setdefault(int(f[2]), f[0])

    def user(self, uid: int) -> str:
        return self.users.get(uid, str(uid))

    def group(self, gid: int) -> str:
        return self.groups.get(gid, str(gid))


def lookup_user(fs, name: str) -> tuple[int, int] | None:
    """(uid, primary gid) for a user name from /etc/passwd."""
    for f in read_passwd(fs):
        if f[0] == name and len(f) > 3:
            try:
                return int(f[2]), int(f[3])
            except ValueError:
                return None
    return None


def lookup_group(fs, name: str) -> int | None:
    for f in read_group(fs):
        if f[0] == name and len(f) > 2:
            try:
                return int(f[2])
            except ValueError:
                return None
    return None


def is_pipe(sink) -> bool:
    return isinstance(sink, PipeSink)


def write_endless(proc: Proc, chunk: bytes) -> None:
    """A producer that never stops (``yes``, ``cat /dev/zero``): into a pipe, write 1 MiB
    and stop as if the reader had gone away (SIGPIPE); anywhere else, run forever."""
    if is_pipe(proc.stdout):
        reps = max(1, (1 << 20) // max(1, len(chunk)))
        proc.out(chunk * reps)
        raise ExitProcess(141)
    raise Blocked()


def human(n: int) -> str:
    """busybox make_human_readable_str(n, 1, 0): ``3.0K``, ``1.0M``, ``100``."""
    if n == 0:
        return "0"
    units = ["", "K", "M", "G", "T", "P", "E"]
    u, frac = 0, 0
    fmt_frac = False
    while n >= 1024:
        fmt_frac = True
        frac = ((n % 1024) * 10 + 512) // 1024
        n //= 1024
        u += 1
    if frac >= 10:
        n += 1
        frac = 0
    return f"{n}.{frac}{units[u]}" if fmt_frac else str(n)


def parse_size(text: str, suffixes: dict[str, int]) -> int | None:
    for suf in sorted(suffixes, key=len, reverse=True):
        if suf and text.endswith(suf):
            num = text[: -len(suf)]
            if num.isdigit():
                return int(num) * suffixes[suf]
            return None
    if text.isdigit():
        return int(text)
    return None


DD_SUFFIXES = {"c": 1, "w": 2, "b": 512, "kB": 1000, "kD": 1000, "k": 1024, "K": 1024,
               "MB": 1000000, "MD": 1000000, "M": 1048576, "GB": 1000000000, "GD": 1000000000,
               "G": 1073741824}
