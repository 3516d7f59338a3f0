"""Applets that read and write streams: echo, printf, test, cat, head, tail, wc, grep, sed,
tee, seq, sort, uniq, tr, cut ... and the informational ones (env, id, date, uname ...).

Each function's docstring notes the busybox behaviour it reproduces. Error texts are
busybox's (``cat: can't open 'x': No such file or directory``).
"""
from __future__ import annotations

import errno
import hashlib
import re
import time

from ..fs.tree import DIR, FILE, SYMLINK, basename as _basename, normpath
from .core import (Blocked, CommandNotFound, ContentInput, Input, Proc, device_input,
                   find_executable, register, run_file)
from .util import (Names, Usage, getopt, lookup_user, read_group, strerror, usage, user_name,
                   write_endless)

# ============================================================================ input helpers


def open_input(proc: Proc, name: str) -> Input:
    """An applet opening ``name`` for reading (``-`` is stdin). Raises OSError."""
    if name == "-":
        return proc.fds[0]
    from .core import resolve_device
    path = resolve_device(proc.fs, proc.path(name))
    dev = device_input(path, proc.fds)
    if dev is not None:
        return dev
    node = proc.fs.stat(path)
    if node.kind == DIR:
        return _DirInput()
    return ContentInput(node.content)


class _DirInput(Input):
    """A directory opened for reading: the open succeeds, every read fails with EISDIR."""

    def read(self, n: int = -1) -> bytes:
        raise OSError(errno.EISDIR, strerror(errno.EISDIR))


def read_all(inp: Input) -> bytes:
    return inp.read()


def read_lenient(proc: Proc, name: str) -> bytes:
    """Read a whole input the way stdio-based applets (grep, sed, sort, cut, uniq) do: a
    directory reads as empty (getline() fails and they take it as end of file)."""
    inp = open_input(proc, name)
    if isinstance(inp, _DirInput):
        return b""
    return inp.read()


def _text_lines(data: bytes) -> list[bytes]:
    """Lines with their terminators (the last one may lack it)."""
    return data.splitlines(keepends=True)


# ============================================================================ escapes
_SIMPLE_ESC = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
               "\\": "\\", "e": "\x1b"}


def _escapes(s: str, echo: bool, b_conv: bool = False) -> tuple[str, bool]:
    """busybox bb_process_escape_sequence. Returns (text, stop) where stop means ``\\c``.
    echo -e and printf ``%b`` take ``\\0NNN`` and ``\\NNN``; in printf's format the 0 counts
    as one of the three digits."""
    out = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        d = s[i + 1]
        if d == "c":
            return "".join(out), True
        if d in _SIMPLE_ESC:
            out.append(_SIMPLE_ESC[d])
            i += 2
        elif d in "01234567":
            j = i + 2 if d == "0" and echo else i + 1
            k = j
            while k < n and k < j + 3 and s[k] in "01234567":
                k += 1
            out.append(_byte(int(s[j:k] or "0", 8) & 0xFF))
            i = k
        elif d == "x" and i + 2 < n and s[i + 2] in "0123456789abcdefABCDEF":
            k = i + 2
            while k < n and k < i + 4 and s[k] in "0123456789abcdefABCDEF":
                k += 1
            out.append(_byte(int(s[i + 2:k], 16)))
            i = k
        else:
            out.append("\\")
            i += 1
    return "".join(out), False


def _byte(v: int) -> str:
    """A raw byte produced by an escape: bytes >= 0x80 travel as surrogate escapes so that
    they are written as themselves, not UTF-8 encoded."""
    return chr(v) if v < 0x80 else chr(0xDC00 + v)


def _enc(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


# ============================================================================ echo/printf/test
@register("echo")
def echo(proc: Proc, argv: list[str]) -> int:
    """busybox echo: ``-n`` no newline, ``-e`` escapes (``\\c`` stops output), ``-E``.
    Options are recognised only while every letter is one of n/e/E."""
    args = argv[1:]
    if proc.flavor == "dash":  # dash's builtin: only -n; escapes are always processed
        newline = True
        if args and args[0] == "-n":
            newline = False
            args = args[1:]
        text, stop = _escapes(" ".join(args), echo=True)
        proc.out(_enc(text if stop else text + ("\n" if newline else "")))
        return 0
    newline, esc = True, False
    while args and re.fullmatch(r"-[neE]+", args[0]):
        for c in args[0][1:]:
            if c == "n":
                newline = False
            elif c == "e":
                esc = True
            else:
                esc = False
        args = args[1:]
    text = " ".join(args)
    if esc:
        text, stop = _escapes(text, echo=True)
        if stop:
            proc.out(_enc(text))
            return 0
    proc.out(_enc(text + ("\n" if newline else "")))
    return 0


_FMT_RX = re.compile(r"%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+)?)?([diouxXcsbfeEgG%])")


def _printf_number(proc: Proc, arg: str, conv: str, status: list) -> int | float:
    if conv in "feEgG":
        try:
            return float(arg) if arg else 0.0
        except ValueError:
            proc.error(f"invalid number '{arg}'")
            status[0] = 1
            return 0.0
    if not arg:
        return 0
    if arg[0] in "'\"" and len(arg) > 1:
        return ord(arg[1])
    m = re.match(r"^\s*([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)", arg)
    if not m or m.end() != len(arg):
        if proc.flavor == "dash":
            proc.error(f"{arg}: " + ("expected numeric value" if not m else "not completely converted"))
        else:
            proc.error(f"invalid number '{arg}'")
        status[0] = 1
        if not m:
            return 0
    sign, digits = m.group(1), m.group(2)
    if digits.lower().startswith("0x"):
        v = int(digits, 16)
    elif digits.startswith("0") and len(digits) > 1:
        v = int(digits, 8)
    else:
        v = int(digits)
    return -v if sign == "-" else v


@register("printf")
def printf(proc: Proc, argv: list[str]) -> int:
    """busybox printf: ``%s %b %c %d %i %u %o %x %X %f %e %g %%`` with flags, width and
    precision; the format is reused while arguments remain; escapes in the format."""
    if len(argv) < 2:
        proc.error("usage: printf format [arg ...]" if proc.flavor == "dash" else
                   "usage: printf FORMAT [ARGUMENT...]")
        return 2
    fmt, args = argv[1], argv[2:]
    status = [0]
    out: list[str] = []
    pos = 0
    while True:
        consumed_any = False
        i = 0
        stop = False
        while i < len(fmt):
            c = fmt[i]
            if c == "\\":
                j = i + 1
                if j < len(fmt) and fmt[j] in "01234567":
                    k = j
                    while k < len(fmt) and k < j + 3 and fmt[k] in "01234567":
                        k += 1
                    out.append(_byte(int(fmt[j:k], 8) & 0xFF))
                    i = k
                    continue
                text, _ = _escapes(fmt[i:i + 2] if fmt[i + 1:i + 2] != "x" else fmt[i:i + 4], echo=False)
                seg = fmt[i:i + 2] if fmt[i + 1:i + 2] != "x" else fmt[i:i + 4]
                if seg.startswith("\\c"):
                    stop = True
                    break
                out.append(text)
                i += len(seg) if text != "\\" or seg == "\\\\" else 1
                continue
            if c != "%":
                out.append(c)
                i += 1
                continue
            m = _FMT_RX.match(fmt, i)
            if not m:
                proc.out(_enc("".join(out)))
                if proc.flavor == "dash":
                    proc.error(f"{fmt[i:i + 2]}: invalid directive")
                else:
                    proc.error(f"{fmt[i:]}: invalid format")
                return 1
            i = m.end()
            flags, width, prec, conv = m.groups()
            if conv == "%":
                out.append("%")
                continue
            if width == "*":
                width = str(_printf_number(proc, args[pos] if pos < len(args) else "", "d", status))
                pos += 1
                consumed_any = True
            if prec == "*":
                prec = str(_printf_number(proc, args[pos] if pos < len(args) else "", "d", status))
                pos += 1
                consumed_any = True
            arg = args[pos] if pos < len(args) else None
            if arg is not None:
                pos += 1
                consumed_any = True
            spec = "%" + flags + (width or "") + ("." + prec if prec is not None else "")
            if conv == "s":
                out.append((spec + "s") % (arg or ""))
            elif conv == "b":
                text, st = _escapes(arg or "", echo=True, b_conv=True)
                out.append((spec + "s") % text)
                if st:
                    stop = True
                    break
            elif conv == "c":
                out.append((spec + "s") % ((arg or "")[:1] or "\0"))
            elif conv in "diouxX":
                v = int(_printf_number(proc, arg or "", conv, status))
                pc = {"i": "d", "u": "d"}.get(conv, conv)
                if conv == "u" and v < 0:
                    v &= 0xFFFFFFFFFFFFFFFF
                out.append((spec + pc) % v)
            else:
                v = _printf_number(proc, arg or "", conv, status)
                out.append((spec + conv) % v)
        if stop or pos >= len(args) or not consumed_any:
            break
    proc.out(_enc("".join(out)))
    return status[0]


class _TestError(Exception):
    pass


_UNARY = {"-e", "-f", "-d", "-s", "-z", "-n", "-r", "-w", "-x", "-L", "-h", "-b", "-c", "-p",
          "-S", "-t", "-g", "-u", "-k", "-O", "-G"}
_BINARY = {"=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef"}


class _Test:
    """busybox test.c: recursive descent over ``-o``/``-a``/``!``/``( )``/primaries."""

    def __init__(self, proc: Proc, args: list[str]):
        self.proc = proc
        self.args = args
        self.i = 0

    def error(self, op: str | None, msg: str):
        if self.proc.flavor == "dash":
            msg = {"unknown operand": "unexpected operator", "bad number": "Illegal number"}.get(msg, msg)
            if msg == "Illegal number":
                self.proc.error(f"Illegal number: {op}")
                raise _TestError()
        if op:
            self.proc.error(f"{op}: {msg}")
        else:
            self.proc.error(msg)
        raise _TestError()

    def peek(self, k: int = 0):
        j = self.i + k
        return self.args[j] if j < len(self.args) else None

    def run(self) -> bool:
        n = len(self.args)
        if n == 0:
            return False
        if n == 1:
            return self.args[0] != ""
        if n == 2 and self.args[0] == "!":
            return self.args[1] == ""
        if n == 2 and self.args[0] in _UNARY:
            return self.unary(self.args[0], self.args[1])
        if n == 3 and self.args[1] in _BINARY:
            return self.binary(self.args[0], self.args[1], self.args[2])
        if n == 3 and self.args[0] == "!":
            return not _Test(self.proc, self.args[1:]).run()
        if n == 3 and self.args[0] == "(" and self.args[2] == ")":
            return self.args[1] != ""
        if n == 4 and self.args[0] == "!":
            return not _Test(self.proc, self.args[1:]).run()
        if n == 3 and self.proc.flavor == "dash":
            self.error(self.args[0], "unknown operand")
        v = self.oexpr()
        if self.i < n:
            self.error(self.args[self.i], "unknown operand")
        return v

    def oexpr(self) -> bool:
        v = self.aexpr()
        while self.peek() == "-o":
            self.i += 1
            v = self.aexpr() or v
        return v

    def aexpr(self) -> bool:
        v = self.nexpr()
        while self.peek() == "-a":
            self.i += 1
            v = self.nexpr() and v
        return v

    def nexpr(self) -> bool:
        if self.peek() == "!":
            self.i += 1
            return not self.nexpr()
        return self.primary()

    def primary(self) -> bool:
        a = self.peek()
        if a is None:
            self.error(None, "argument expected")
        if a == "(" and self.peek(1) is not None:
            self.i += 1
            v = self.oexpr()
            if self.peek() != ")":
                self.error(None, "closing paren expected")
            self.i += 1
            return v
        # a unary test, unless its operand is itself a binary operator with a right side
        # (`test -n = x` compares "-n" with "x", as busybox does)
        if a in _UNARY and self.peek(1) is not None and not (self.peek(1) in _BINARY and self.peek(2) is not None):
            self.i += 2
            return self.unary(a, self.args[self.i - 1])
        if self.peek(1) in _BINARY:
            if self.peek(2) is None:
                self.error(self.peek(1), "argument expected")
            self.i += 3
            return self.binary(a, self.args[self.i - 2], self.args[self.i - 1])
        self.i += 1
        return a != ""

    def _num(self, s: str) -> int:
        t = s.strip()
        if not re.fullmatch(r"[-+]?[0-9]+", t):
            self.error(s, "bad number")
        return int(t)

    def unary(self, op: str, arg: str) -> bool:
        if op == "-z":
            return arg == ""
        if op == "-n":
            return arg != ""
        if op == "-t":
            return False
        fs = self.proc.fs
        path = self.proc.path(arg)
        if path in ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/full", "/dev/tty"):
            return op in ("-e", "-c", "-r", "-w")
        try:
            node = fs.lstat(path) if op in ("-L", "-h") else fs.stat(path)
        except OSError:
            return False
        if not arg:
            return False
        if op == "-e":
            return True
        if op == "-f":
            return node.kind == FILE
        if op == "-d":
            return node.kind == DIR
        if op in ("-L", "-h"):
            return node.kind == SYMLINK
        if op == "-s":
            return node.kind != DIR and node.size > 0 or node.kind == DIR
        if op in ("-r", "-w"):
            if self.proc.uid == 0:
                return True
            bit = 4 if op == "-r" else 2
            return bool(node.mode & (bit << 6 if node.uid == self.proc.uid else bit))
        if op == "-x":
            return bool(node.mode & 0o111) or node.kind == DIR
        if op == "-u":
            return bool(node.mode & 0o4000)
        if op == "-g":
            return bool(node.mode & 0o2000)
        if op == "-k":
            return bool(node.mode & 0o1000)
        if op == "-O":
            return node.uid == self.proc.uid
        if op == "-G":
            return node.gid == self.proc.gid
        return False

    def binary(self, a: str, op: str, b: str) -> bool:
        if op in ("=", "=="):
            return a == b
        if op == "!=":
            return a != b
        if op == "<":
            return a < b
        if op == ">":
            return a > b
        if op in ("-nt", "-ot", "-ef"):
            fs = self.proc.fs
            try:
                na, nb = fs.stat(self.proc.path(a)), fs.stat(self.proc.path(b))
            except OSError:
                return False
            if op == "-nt":
                return na.mtime > nb.mtime
            if op == "-ot":
                return na.mtime < nb.mtime
            return na is nb or (na.ino != 0 and na.ino == nb.ino and na.content is nb.content) \
                or fs.realpath(self.proc.path(a)) == fs.realpath(self.proc.path(b))
        x, y = self._num(a), self._num(b)
        return {"-eq": x == y, "-ne": x != y, "-lt": x < y, "-le": x <= y, "-gt": x > y,
                "-ge": x >= y}[op]


@register("test", "[", "[[")
def test(proc: Proc, argv: list[str]) -> int:
    """busybox test/[ : file tests, string and integer comparisons, ``! -a -o ( )``.
    ``[`` without a closing ``]`` fails with ``missing ]`` (status 2); a bad integer gives
    ``<arg>: bad number`` (status 2)."""
    args = argv[1:]
    if _basename(argv[0]) in ("[", "[["):
        close = "]" if _basename(argv[0]) == "[" else "]]"
        if not args or args[-1] != close:
            proc.error(f"missing {close}")
            return 2
        args = args[:-1]
    try:
        return 0 if _Test(proc, args).run() else 1
    except _TestError:
        return 2


@register("true")
def true(proc: Proc, argv: list[str]) -> int:
    """Exit 0."""
    return 0


@register("false")
def false(proc: Proc, argv: list[str]) -> int:
    """Exit 1."""
    return 1


@register("kill", "killall", "pkill")
def kill(proc: Proc, argv: list[str]) -> int:
    """No other processes are modelled inside a container; kill succeeds silently."""
    return 0


# ============================================================================ cat/head/tail/wc
@register("cat")
def cat(proc: Proc, argv: list[str]) -> int:
    """busybox cat: concatenate files (``-`` or none: stdin). A missing file prints
    ``cat: can't open 'x': No such file or directory`` and the rest continue (exit 1);
    a directory prints ``cat: read error: Is a directory``."""
    try:
        opts, files = getopt(argv, "nbuvetA")
    except Usage as u:
        return usage(proc, u)
    status = 0
    number = opts.get("n") or opts.get("b")
    lineno = 0
    for name in files or ["-"]:
        try:
            inp = open_input(proc, name)
        except OSError as e:
            proc.error(f"{name}: {strerror(e)}" if proc.gnu else f"can't open '{name}': {strerror(e)}")
            status = 1
            continue
        if inp.infinite:
            write_endless(proc, inp.read(65536))
        try:
            data = inp.read()
        except OSError as e:
            proc.error(f"{name}: {strerror(e)}" if proc.gnu else f"read error: {strerror(e)}")
            status = 1
            continue
        if number:
            out = []
            for line in _text_lines(data):
                if opts.get("b") and line in (b"\n",):
                    out.append(line)
                    continue
                lineno += 1
                out.append(b"%6d\t" % lineno + line)
            data = b"".join(out)
        proc.out(data)
    return status


def _count_arg(text: str) -> tuple[int, bool] | None:
    """``-n`` value: ``N``, ``+N`` (from the start) or ``-N``; suffixes b k m."""
    plus = text.startswith("+")
    minus = text.startswith("-")
    t = text[1:] if plus or minus else text
    mult = 1
    for suf, m in (("b", 512), ("k", 1024), ("m", 1048576)):
        if t.endswith(suf):
            t, mult = t[:-1], m
    if not t.isdigit():
        return None
    return int(t) * mult * (-1 if minus else 1), plus


def _legacy_count(argv: list[str]) -> list[str]:
    """``head -5`` -> ``head -n 5`` (busybox looks at the first argument only)."""
    if len(argv) > 1 and re.fullmatch(r"-\d+", argv[1]):
        return [argv[0], "-n", argv[1][1:], *argv[2:]]
    return list(argv)


@register("head")
def head(proc: Proc, argv: list[str]) -> int:
    """busybox head: ``-n N`` lines (``-n -N``: all but the last N), ``-c N`` bytes, ``-N``;
    ``==> f <==`` headers for several files (``-q``/``-v``)."""
    try:
        opts, files = getopt(_legacy_count(argv), "n:c:qv")
    except Usage as u:
        return usage(proc, u)
    files = files or ["-"]
    nlines, nbytes = 10, None
    if "c" in opts:
        v = _count_arg(opts["c"])
        if v is None:
            proc.error(f"invalid number '{opts['c']}'")
            return 1
        nbytes = v[0]
    elif "n" in opts:
        v = _count_arg(opts["n"])
        if v is None:
            proc.error(f"invalid number '{opts['n']}'")
            return 1
        nlines = v[0]
    headers = (len(files) > 1 and not opts.get("q")) or opts.get("v")
    status = 0
    first = True
    for name in files:
        try:
            inp = open_input(proc, name)
        except OSError as e:
            if proc.gnu:
                proc.error(f"cannot open '{name}' for reading: {strerror(e)}")
            else:
                proc.error(f"{name}: {strerror(e)}" if name != "-" else strerror(e))
            status = 1
            continue
        if headers:
            proc.out(("" if first else "\n") + f"==> {'standard input' if name == '-' else name} <==\n")
        first = False
        try:
            if nbytes is not None and nbytes >= 0:
                proc.out(inp.read(nbytes))
                continue
            if isinstance(inp, _DirInput):
                raise OSError(errno.EISDIR, strerror(errno.EISDIR))
            if inp.infinite and nlines >= 0:
                chunk = inp.read(1 << 16)
                proc.out(b"".join(_text_lines(chunk)[:nlines]))
                continue
            data = inp.read()
        except OSError as e:
            if proc.gnu:
                proc.error(f"error reading '{name}': {strerror(e)}")
            else:
                # busybox head notices the failed read only at fclose(): glibc reports EIO
                proc.error(f"{name}: {strerror(errno.EIO)}")
            status = 1
            continue
        if nbytes is not None:
            proc.out(data[:max(0, len(data) + nbytes)])
        elif nlines >= 0:
            proc.out(b"".join(_text_lines(data)[:nlines]))
        else:
            lines = _text_lines(data)
            proc.out(b"".join(lines[:max(0, len(lines) + nlines)]))
    return status


@register("tail")
def tail(proc: Proc, argv: list[str]) -> int:
    """busybox tail: ``-n N`` / ``-n +N`` lines, ``-c N`` bytes, ``-q``/``-v`` headers;
    ``-f``/``-F`` prints and then keeps running (the process blocks)."""
    try:
        opts, files = getopt(_legacy_count(argv), "n:c:fFqvs:")
    except Usage as u:
        return usage(proc, u)
    files = files or ["-"]
    spec = opts.get("c") or opts.get("n") or "10"
    v = _count_arg(spec)
    if v is None:
        proc.error(f"invalid number '{spec}'")
        return 1
    count, from_start = abs(v[0]), v[1]
    by_bytes = "c" in opts
    status = 0
    opened = []
    for name in files:
        try:
            opened.append((name, open_input(proc, name)))
        except OSError as e:
            if proc.gnu:
                proc.error(f"cannot open '{name}' for reading: {strerror(e)}")
            else:
                proc.error(f"can't open '{name}': {strerror(e)}")
            status = 1
    headers = (len(opened) > 1 and not opts.get("q")) or opts.get("v")
    first = True
    for name, inp in opened:
        if headers:
            proc.out(("" if first else "\n") + f"==> {'standard input' if name == '-' else name} <==\n")
        first = False
        try:
            data = inp.read()
        except OSError as e:
            proc.error(f"error reading '{name}': {strerror(e)}" if proc.gnu else
                       f"read error: {strerror(e)}")
            status = 1
            continue
        if by_bytes:
            proc.out(data[count - 1:] if from_start else (data[-count:] if count else b""))
        else:
            lines = _text_lines(data)
            proc.out(b"".join(lines[count - 1:] if from_start and count else
                              lines if from_start else (lines[-count:] if count else [])))
    if status and not opened and not proc.gnu:
        proc.error("no files")
    if opts.get("f") or opts.get("F"):
        raise Blocked()
    return status


_WC_SPACE = re.compile(rb"[ \t\n\v\f\r]+")
_WC_PRINT = re.compile(rb"[\x21-\x7e]")


def _wc_counts(data: bytes) -> dict[str, int]:
    """busybox wc's counting: a word is a run holding a printable non-space ASCII byte,
    ended by whitespace; other bytes neither start nor end words."""
    longest = 0
    for line in re.split(rb"[\n\r\f]", data):
        pos = 0
        for c in line:
            if c == 9:
                pos = (pos | 7) + 1
            elif 32 <= c < 127:
                pos += 1
        longest = max(longest, pos)
    return {"l": data.count(b"\n"),
            "w": sum(1 for seg in _WC_SPACE.split(data) if _WC_PRINT.search(seg)),
            "c": len(data), "m": len(data), "L": longest}


@register("wc")
def wc(proc: Proc, argv: list[str]) -> int:
    """busybox wc [-lwcmL] [FILE]...: with at most one file and one count the number is
    bare (``24 f``), otherwise ``%9u`` columns; stdin has no name; ``total`` after several
    files (a failed one included in the count of files)."""
    try:
        opts, files = getopt(argv, "lwmcL")
    except Usage as u:
        return usage(proc, u)
    order = [k for k in "lwmcL" if k in opts] or ["l", "w", "c"]
    if proc.gnu:
        order = [k for k in "lwmcL" if k in order]
    bare = len(order) == 1 and len(files) <= 1
    totals = dict.fromkeys(order, 0)
    status = 0
    names = files or [None]
    width = 9
    if proc.gnu:  # coreutils: the width of the summed sizes of regular files, 7 otherwise
        width, total_size, irregular = 1, 0, not files
        for name in files:
            node = None
            try:
                node = proc.fs.stat(proc.path(name)) if name != "-" else None
            except OSError:
                pass
            if node is None or node.kind != FILE:
                irregular = irregular or node is not None or name == "-"
            else:
                total_size += node.size
        width = max(len(str(total_size)), 7 if irregular else 1)
        if bare:
            width = 1

    def emit(counts: dict, label: str | None) -> None:
        cells = []
        for i, k in enumerate(order):
            if proc.gnu:
                cells.append(("" if i == 0 else " ") + f"{counts[k]:>{width}}")
            else:
                cells.append(("%d" if bare else "%9d") % counts[k] if i == 0 else " %9d" % counts[k])
        proc.out("".join(cells) + (f" {label}\n" if label is not None else "\n"))

    for name in names:
        try:
            inp = open_input(proc, name if name is not None else "-")
        except OSError as e:
            proc.error(f"{name}: {strerror(e)}")
            status = 1
            continue
        try:
            data = inp.read()
        except OSError as e:
            proc.error(f"{name}: {strerror(e)}")
            status = 1
            data = b""
        counts = _wc_counts(data)
        for k in order:
            totals[k] = max(totals[k], counts[k]) if k == "L" else totals[k] + counts[k]
        emit(counts, name)
    if len(names) > 1:
        emit(totals, "total")
    return status


# ============================================================================ grep/sed/tee
def bre_to_re(pattern: str, extended: bool) -> str:
    """POSIX BRE/ERE -> Python ``re``. In a BRE ``\\( \\) \\{ \\} \\| \\+ \\?`` are the
    operators and the bare characters are literal."""
    out = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if in_class:
            if c == "]" and not (out and out[-1] in ("[", "[^")):
                in_class = False
                out.append("]")
            elif c == "\\":
                out.append("\\\\")
            elif c == "[" and pattern.startswith("[:", i):
                end = pattern.find(":]", i)
                cls = pattern[i + 2:end]
                out.append({"alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9",
                            "space": r" \t\n\r\f\v", "upper": "A-Z", "lower": "a-z",
                            "punct": r"!-/:-@\[-`{-~", "xdigit": "0-9A-Fa-f",
                            "blank": r" \t"}.get(cls, ""))
                i = end + 2
                continue
            else:
                out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            if pattern.startswith("[^", i):
                out.append("[^")
                i += 2
            else:
                out.append("[")
                i += 1
            if i < n and pattern[i] == "]":
                out.append("\\]")
                i += 1
            continue
        if c == "\\" and i + 1 < n:
            d = pattern[i + 1]
            if not extended and d in "(){}|+?":
                out.append(d)
            elif d.isdigit():
                out.append("\\" + d)
            elif d in "<>":
                out.append(r"\b")
            elif d in "wWsSb":
                out.append("\\" + d)
            else:
                out.append(re.escape(d))
            i += 2
            continue
        if not extended and c in "(){}|+?":
            out.append("\\" + c)
        elif c == "*" and (not out or out[-1] in ("^", "(")):
            out.append("\\*")
        else:
            out.append(c)
        i += 1
    return "".join(out)


@register("grep", "egrep", "fgrep")
def grep(proc: Proc, argv: list[str]) -> int:
    """busybox grep: ``-q -v -c -i -n -l -L -h -H -s -w -x -o -E -F -r -e PAT``. Exit 0 on a
    match, 1 on none, 2 on an error (unless ``-q`` matched)."""
    try:
        opts, args = getopt(argv, "qvcinlLhHswxoEFrRe:f:A:B:C:")
    except Usage as u:
        usage(proc, u)
        return 2
    # several -e options
    patterns = []
    a = argv[1:]
    for i, x in enumerate(a):
        if x == "-e" and i + 1 < len(a):
            patterns.append(a[i + 1])
        elif x.startswith("-e") and len(x) > 2 and not x.startswith("--"):
            patterns.append(x[2:])
    if not patterns:
        if not args:
            return usage(proc, Usage()) and 2
        patterns = [args[0]]
        args = args[1:]
    extended = opts.get("E") or _basename(argv[0]) == "egrep"
    fixed = opts.get("F") or _basename(argv[0]) == "fgrep"
    flags = re.I if opts.get("i") else 0
    rxs = []
    for p in patterns:
        for sub in p.split("\n"):
            src = re.escape(sub) if fixed else bre_to_re(sub, bool(extended))
            if opts.get("w"):
                src = r"(?<!\w)(?:" + src + r")(?!\w)"
            if opts.get("x"):
                src = r"^(?:" + src + r")$"
            rxs.append(re.compile(src.encode("utf-8", "surrogateescape"), flags))
    recursive = opts.get("r") or opts.get("R")
    files = args or (["."] if recursive else ["-"])
    if recursive:
        expanded = []
        for f in files:
            p = proc.path(f)
            try:
                if proc.fs.stat(p).kind == DIR:
                    for sub, node in proc.fs.walk(p):
                        if node.kind == FILE:
                            expanded.append(f.rstrip("/") + sub[len(p):] if p != "/" else sub)
                    continue
            except OSError:
                pass
            expanded.append(f)
        files = expanded
    show_name = (len(files) > 1 or recursive) and not opts.get("h") or opts.get("H")
    matched_any = False
    status = 0
    invert = bool(opts.get("v"))
    for name in files:
        try:
            data = read_lenient(proc, name)
        except OSError as e:
            if not opts.get("s"):
                proc.error(f"{name}: {strerror(e)}")
            status = 2
            continue
        label = "(standard input)" if name == "-" else name
        count = 0
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        for no, line in enumerate(lines, 1):
            hit = any(r.search(line) for r in rxs)
            if hit == invert:
                continue
            count += 1
            matched_any = True
            if opts.get("q"):
                return 0
            if opts.get("l") or opts.get("L") or opts.get("c"):
                continue
            prefix = (label.encode() + b":" if show_name else b"") + \
                (b"%d:" % no if opts.get("n") else b"")
            if opts.get("o") and not invert:
                for r in rxs:
                    for m in r.finditer(line):
                        proc.out(prefix + m.group(0) + b"\n")
            else:
                proc.out(prefix + line + b"\n")
        if opts.get("c"):
            proc.out((f"{label}:" if show_name else "") + f"{count}\n")
        if opts.get("l") and count:
            proc.out(label + "\n")
        if opts.get("L") and not count:
            proc.out(label + "\n")
    if status and not (opts.get("q") and matched_any):
        return 2
    return 0 if matched_any else 1


def _sed_parse(script: str, extended: bool):
    """Parse a small sed program: ``[addr]s/re/repl/flags``, ``[addr]d``, ``[addr]p``,
    ``q``; commands separated by ``;`` or newlines."""
    cmds = []
    i, n = 0, len(script)
    while i < n:
        while i < n and script[i] in " \t\n;":
            i += 1
        if i >= n:
            break
        addr = None
        if script[i].isdigit():
            j = i
            while j < n and script[j].isdigit():
                j += 1
            addr = ("line", int(script[i:j]))
            i = j
        elif script[i] == "$":
            addr = ("last", None)
            i += 1
        elif script[i] == "/":
            j = script.index("/", i + 1)
            addr = ("re", re.compile(bre_to_re(script[i + 1:j], extended)))
            i = j + 1
        cmd = script[i]
        i += 1
        if cmd == "s":
            delim = script[i]
            parts = []
            j = i + 1
            buf = []
            while len(parts) < 2:
                if j >= n:
                    raise ValueError("unterminated `s' command")
                c = script[j]
                if c == "\\" and j + 1 < n:
                    if script[j + 1] == delim:
                        buf.append(delim)
                    else:
                        buf.append(c + script[j + 1])
                    j += 2
                    continue
                if c == delim:
                    parts.append("".join(buf))
                    buf = []
                    j += 1
                    continue
                buf.append(c)
                j += 1
            k = j
            while k < n and script[k] not in ";\n}":
                k += 1
            flags = script[j:k].strip()
            i = k
            rx = re.compile(bre_to_re(parts[0], extended), re.I if "I" in flags or "i" in flags else 0)
            repl = parts[1]
            cmds.append((addr, "s", (rx, repl, flags)))
        elif cmd in "dpq":
            cmds.append((addr, cmd, None))
        elif cmd in "aic":
            # "a\text", "a\<newline>text" or GNU's one-liner "a text"
            if i < n and script[i] == "\\":
                i += 1
                if i < n and script[i] == "\n":
                    i += 1
            while i < n and script[i] in " \t":
                i += 1
            end = script.find("\n", i)
            end = n if end < 0 else end
            cmds.append((addr, cmd, script[i:end]))
            i = end
        else:
            raise ValueError(f"unsupported command {cmd}")
    return cmds


def _sed_repl(repl: str):
    def fn(m: re.Match) -> str:
        out = []
        i = 0
        while i < len(repl):
            c = repl[i]
            if c == "\\" and i + 1 < len(repl):
                d = repl[i + 1]
                if d.isdigit():
                    out.append(m.group(int(d)) or "")
                elif d == "n":
                    out.append("\n")
                elif d == "t":
                    out.append("\t")
                else:
                    out.append(d)
                i += 2
                continue
            if c == "&":
                out.append(m.group(0))
            else:
                out.append(c)
            i += 1
        return "".join(out)
    return fn


def _posix_subn(rx: re.Pattern, fn, text: str, count: int) -> tuple[str, int]:
    """re.subn with POSIX/busybox empty-match rules: an empty match right after the end of
    the previous match is skipped (``echo aaa | sed 's/a*/X/g'`` gives ``X``)."""
    out = []
    pos = 0
    n = 0
    last_end = -1
    for m in rx.finditer(text):
        if m.start() == m.end() and m.start() == last_end:
            continue
        out.append(text[pos:m.start()])
        out.append(fn(m))
        pos = m.end()
        last_end = m.end()
        n += 1
        if count and n >= count:
            break
    out.append(text[pos:])
    return "".join(out), n


@register("sed")
def sed(proc: Proc, argv: list[str]) -> int:
    """A small busybox sed: ``-n -i -e -E/-r``; commands ``s/re/repl/[gpNI]``, ``d``, ``p``,
    ``q`` with an optional line, ``$`` or ``/re/`` address. ``-i`` rewrites each file
    (a new file replacing the old one, as busybox does via a temp file and rename)."""
    try:
        opts, args = getopt(argv, "nie:Erf:s")
    except Usage as u:
        return usage(proc, u)
    scripts = [argv[i + 1] for i in range(1, len(argv) - 1) if argv[i] == "-e"]
    if not scripts:
        if not args:
            return usage(proc, Usage())
        scripts = [args[0]]
        args = args[1:]
    try:
        cmds = _sed_parse("\n".join(scripts), bool(opts.get("E") or opts.get("r")))
    except (ValueError, re.error) as e:
        proc.error(str(e))
        return 1
    quiet = bool(opts.get("n"))

    def run(text: str) -> str:
        out = []
        lines = text.split("\n") if text else []
        trailing = text.endswith("\n")
        if trailing:
            lines.pop()
        total = len(lines)
        for no, line in enumerate(lines, 1):
            deleted = False
            quit_ = False
            appended: list[str] = []
            for addr, cmd, arg in cmds:
                if addr is not None:
                    kind, v = addr
                    if kind == "line" and no != v or kind == "last" and no != total or \
                            kind == "re" and not v.search(line):
                        continue
                if cmd == "s":
                    rx, repl, flags = arg
                    count = 0 if "g" in flags else 1
                    nth = re.search(r"\d+", flags)
                    if nth:
                        k = int(nth.group())
                        ms = list(rx.finditer(line))
                        if len(ms) >= k:
                            m = ms[k - 1]
                            line = line[:m.start()] + _sed_repl(repl)(m) + line[m.end():]
                            if "p" in flags:
                                out.append(line + "\n")
                        continue
                    new, nsub = _posix_subn(rx, _sed_repl(repl), line, count)
                    line = new
                    if nsub and "p" in flags:
                        out.append(line + "\n")
                elif cmd == "d":
                    deleted = True
                    break
                elif cmd == "p":
                    out.append(line + "\n")
                elif cmd == "q":
                    quit_ = True
                    break
                elif cmd == "i":
                    out.append(arg + "\n")
                elif cmd == "a":
                    appended.append(arg + "\n")
                elif cmd == "c":
                    out.append(arg + "\n")
                    deleted = True
                    break
            if not deleted and not quiet:
                out.append(line + ("\n" if no < total or trailing or appended else ""))
            out.extend(appended)
            if quit_:
                break
        return "".join(out)

    status = 0
    if opts.get("i"):
        for name in args:
            path = proc.path(name)
            try:
                node = proc.fs.stat(path)
                text = node.content.bytes().decode("utf-8", "surrogateescape")
            except OSError as e:
                proc.error(f"{name}: {strerror(e)}")
                status = 1
                continue
            result = run(text).encode("utf-8", "surrogateescape")
            # busybox writes a temp file in the same directory and renames it over the old
            real = proc.fs.realpath(path)
            tmp = real + ".sedtmp"
            proc.fs.write(tmp, result)
            proc.fs.chmod(tmp, node.mode)
            proc.fs.chown(tmp, node.uid, node.gid)
            proc.fs.rename(tmp, real)
        return status
    chunks = []
    for name in args or ["-"]:
        try:
            chunks.append(read_lenient(proc, name))
        except OSError as e:
            proc.error(f"{name}: {strerror(e)}")
            status = 1
    proc.out(run(b"".join(chunks).decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape"))
    return status


@register("tee")
def tee(proc: Proc, argv: list[str]) -> int:
    """busybox tee: copy stdin to stdout and to each FILE (``-a`` appends). A file that
    cannot be opened prints ``tee: <file>: <error>`` and tee goes on (exit 1)."""
    try:
        opts, files = getopt(argv, "ai")
    except Usage as u:
        return usage(proc, u)
    data = proc.stdin
    status = 0
    for name in files:
        from .core import device_sink, resolve_device
        path = resolve_device(proc.fs, proc.path(name))
        dev = device_sink(path, proc.fds)
        if dev is not None:
            dev.write(data)
            continue
        try:
            proc.fs.write(path, data, append=bool(opts.get("a")))
        except OSError as e:
            proc.error(f"{name}: {strerror(e)}")
            status = 1
    proc.out(data)
    return status


# ============================================================================ small text tools
@register("seq")
def seq(proc: Proc, argv: list[str]) -> int:
    """busybox seq: ``[-w] [-s SEP] [FIRST [INC]] LAST``."""
    try:
        opts, args = getopt(argv, "ws:", permute=False)
    except Usage as u:
        return usage(proc, u)
    if not 1 <= len(args) <= 3:
        return usage(proc, Usage())
    try:
        nums = [float(a) if re.search(r"[.eE]", a) else int(a) for a in args]
    except ValueError:
        bad = next(a for a in args if not re.fullmatch(r"[-+]?\d+(\.\d*)?", a))
        proc.error(f"invalid number '{bad}'")
        return 1
    first, inc, last = (1, 1, nums[0]) if len(nums) == 1 else \
        (nums[0], 1, nums[1]) if len(nums) == 2 else (nums[0], nums[1], nums[2])
    if inc == 0:
        return 0
    out = []
    v = first
    while (inc > 0 and v <= last) or (inc < 0 and v >= last):
        out.append(str(v) if isinstance(v, int) else ("%g" % v))
        v += inc
    if opts.get("w") and out:
        width = max(len(x) for x in out)
        out = [x.zfill(width) for x in out]
    sep = opts.get("s", "\n")
    if out:
        proc.out(sep.join(out) + "\n")
    return 0


@register("basename")
def basename(proc: Proc, argv: list[str]) -> int:
    """busybox basename NAME [SUFFIX]."""
    args = argv[1:]
    if not args:
        return usage(proc, Usage())
    name = args[0].rstrip("/") or ("/" if args[0] else "")
    base = name.rsplit("/", 1)[-1] if name != "/" else "/"
    if len(args) > 1 and base != args[1] and base.endswith(args[1]):
        base = base[: -len(args[1])]
    proc.out(base + "\n")
    return 0


@register("dirname")
def dirname(proc: Proc, argv: list[str]) -> int:
    """busybox dirname NAME."""
    if len(argv) < 2:
        return usage(proc, Usage())
    p = argv[1].rstrip("/")
    if not p:
        d = "/" if argv[1] else "."
    elif "/" not in p:
        d = "."
    else:
        d = p.rsplit("/", 1)[0].rstrip("/") or "/"
    proc.out(d + "\n")
    return 0


@register("yes")
def yes(proc: Proc, argv: list[str]) -> int:
    """busybox yes: prints ``y`` (or its arguments) forever: into a pipe this model stops
    after 1 MiB (as if the reader exited); to a file or terminal it keeps running."""
    line = (" ".join(argv[1:]) if len(argv) > 1 else "y") + "\n"
    write_endless(proc, line.encode())
    return 0


@register("sort")
def sort(proc: Proc, argv: list[str]) -> int:
    """busybox sort: ``-r -n -u -f`` and ``-k N`` / ``-t SEP`` (whole fields only)."""
    try:
        opts, files = getopt(argv, "rnufk:t:sV")
    except Usage as u:
        return usage(proc, u)
    data = b""
    status = 0
    for name in files or ["-"]:
        try:
            data += read_lenient(proc, name)
        except OSError as e:
            proc.error(f"can't open '{name}': {strerror(e)}")
            status = 2
    lines = data.decode("utf-8", "surrogateescape").splitlines()
    sep = opts.get("t")
    key_field = int(str(opts["k"]).split(",")[0].split(".")[0]) if "k" in opts else None

    def key(line: str):
        k = line
        if key_field is not None:
            fields = line.split(sep) if sep else line.split()
            k = " ".join(fields[key_field - 1:]) if key_field - 1 < len(fields) else ""
        if opts.get("f"):
            k = k.upper()
        if opts.get("n"):
            m = re.match(r"\s*(-?\d+(\.\d+)?)", k)
            return (float(m.group(1)) if m else 0.0, line)
        if opts.get("V"):  # version sort: digit runs compare as numbers
            return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.findall(r"\d+|\D+", k)]
        return (k, line) if key_field is not None else k
    lines.sort(key=key, reverse=bool(opts.get("r")))
    if opts.get("u"):
        seen, uniq_lines = set(), []
        for line in lines:
            k = key(line)
            if k not in seen:
                seen.add(k)
                uniq_lines.append(line)
        lines = uniq_lines
    proc.out("".join(line + "\n" for line in lines).encode("utf-8", "surrogateescape"))
    return status


@register("uniq")
def uniq(proc: Proc, argv: list[str]) -> int:
    """busybox uniq: ``-c -d -u``."""
    try:
        opts, files = getopt(argv, "cdui")
    except Usage as u:
        return usage(proc, u)
    try:
        data = read_lenient(proc, files[0] if files else "-")
    except OSError as e:
        proc.error(f"{files[0]}: {strerror(e)}")
        return 1
    lines = data.decode("utf-8", "surrogateescape").splitlines()
    out = []
    i = 0
    while i < len(lines):
        j = i
        while j + 1 < len(lines) and lines[j + 1] == lines[i]:
            j += 1
        n = j - i + 1
        if (not opts.get("d") or n > 1) and (not opts.get("u") or n == 1):
            out.append((f"{n:7d} " if opts.get("c") else "") + lines[i] + "\n")
        i = j + 1
    proc.out("".join(out).encode("utf-8", "surrogateescape"))
    return 0


def _tr_set(s: str) -> str:
    s, _ = _escapes(s, echo=False)
    classes = {"[:alpha:]": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
               "[:digit:]": "0123456789", "[:lower:]": "abcdefghijklmnopqrstuvwxyz",
               "[:upper:]": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "[:space:]": " \t\n\r\f\v",
               "[:alnum:]": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
               "[:blank:]": " \t", "[:punct:]": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"}
    for k, v in classes.items():
        s = s.replace(k, v)
    out = []
    i = 0
    while i < len(s):
        if i + 2 < len(s) and s[i + 1] == "-":
            out.extend(chr(c) for c in range(ord(s[i]), ord(s[i + 2]) + 1))
            i += 3
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


@register("tr")
def tr(proc: Proc, argv: list[str]) -> int:
    """busybox tr: ``[-cds] SET1 [SET2]`` with ranges, classes and escapes."""
    try:
        opts, args = getopt(argv, "cdsC")
    except Usage as u:
        return usage(proc, u)
    if not args:
        return usage(proc, Usage())
    data = proc.stdin
    if data is None:
        return 0
    text = data.decode("latin-1")
    set1 = _tr_set(args[0])
    set2 = _tr_set(args[1]) if len(args) > 1 else ""
    if opts.get("c") or opts.get("C"):
        set1 = "".join(chr(c) for c in range(256) if chr(c) not in set1)
    if opts.get("d"):
        text = "".join(c for c in text if c not in set1)
        squeeze = set2
    else:
        if set2:
            set2 = set2 + set2[-1] * max(0, len(set1) - len(set2))
            text = text.translate({ord(a): b for a, b in zip(set1, set2)})
        squeeze = set2 or set1
    if opts.get("s"):
        out = []
        for c in text:
            if out and c == out[-1] and c in squeeze:
                continue
            out.append(c)
        text = "".join(out)
    proc.out(text.encode("latin-1"))
    return 0


@register("cut")
def cut(proc: Proc, argv: list[str]) -> int:
    """busybox cut: ``-d SEP -f LIST`` or ``-c LIST`` (``N``, ``N-M``, ``N-``, ``-M``),
    ``-s``."""
    try:
        opts, files = getopt(argv, "d:f:c:b:s")
    except Usage as u:
        return usage(proc, u)
    spec = opts.get("f") or opts.get("c") or opts.get("b")
    if not spec:
        proc.error("expected a list of bytes, characters, or fields")
        return 1

    def picks(n: int) -> list[int]:
        idx = []
        for part in str(spec).split(","):
            a, dash, b = part.partition("-")
            lo = int(a) if a else 1
            hi = int(b) if b else (n if dash else lo)
            idx.extend(i for i in range(lo, min(hi, n) + 1) if i not in idx)
        return sorted(idx)
    data = b""
    for name in files or ["-"]:
        try:
            data += read_lenient(proc, name)
        except OSError as e:
            proc.error(f"{name}: {strerror(e)}")
            return 1
    out = []
    delim = opts.get("d", "\t")
    for line in data.decode("utf-8", "surrogateescape").splitlines():
        if "f" in opts:
            if delim not in line:
                if not opts.get("s"):
                    out.append(line)
                continue
            fields = line.split(delim)
            out.append(delim.join(fields[i - 1] for i in picks(len(fields))))
        else:
            out.append("".join(line[i - 1] for i in picks(len(line))))
    proc.out("".join(x + "\n" for x in out).encode("utf-8", "surrogateescape"))
    return 0


@register("xargs")
def xargs(proc: Proc, argv: list[str]) -> int:
    """busybox xargs: run COMMAND (default echo) with stdin's words appended; ``-n N``,
    ``-I STR``, ``-0``, ``-r``. Exit 123 when a command failed, 127 when not found."""
    try:
        opts, cmd = getopt(argv, "n:I:0rtx", permute=False)
    except Usage as u:
        return usage(proc, u)
    data = proc.stdin.decode("utf-8", "surrogateescape")
    items = [x for x in data.split("\0")] if opts.get("0") else data.split()
    items = [x for x in items if x != ""]
    cmd = cmd or ["echo"]
    if not items and opts.get("r"):
        return 0
    batches = []
    if "I" in opts:
        lines = [x for x in data.splitlines() if x.strip()]
        batches = [[c.replace(opts["I"], line) for c in cmd] for line in lines]
    elif "n" in opts:
        n = int(opts["n"])
        batches = [cmd + items[i:i + n] for i in range(0, len(items), n)] or [cmd]
    else:
        batches = [cmd + items]
    status = 0
    for b in batches:
        code = proc.run(b, stdin=b"")
        if code == 127:
            return 127
        if code:
            status = 123
    return status


@register("sha256sum", "md5sum", "sha1sum", "sha512sum")
def hashsum(proc: Proc, argv: list[str]) -> int:
    """busybox *sum: ``<hex>  <name>`` per file (``-`` for stdin)."""
    algo = _basename(argv[0])[:-3]
    status = 0
    for name in argv[1:] or ["-"]:
        if name.startswith("-") and name != "-":
            continue
        try:
            inp = open_input(proc, name)
        except OSError as e:
            proc.error(f"can't open '{name}': {strerror(e)}")
            status = 1
            continue
        try:
            h = hashlib.new(algo)
            if isinstance(inp, ContentInput):
                for chunk in inp.content.chunks():
                    h.update(chunk)
            else:
                h.update(inp.read())
        except OSError as e:
            proc.error(f"can't read '{name}': {strerror(e)}")
            status = 1
            continue
        proc.out(f"{h.hexdigest()}  {name}\n")
    return status


# ============================================================================ environment/info
@register("env", "printenv")
def env(proc: Proc, argv: list[str]) -> int:
    """busybox env: ``[-i] [-u NAME] [NAME=VALUE]... [COMMAND [ARG]...]``; without a
    command print the environment; ``printenv [NAME]...``."""
    if _basename(argv[0]) == "printenv":
        if len(argv) > 1:
            status = 0
            for n in argv[1:]:
                if n in proc.env:
                    proc.out(proc.env[n] + "\n")
                else:
                    status = 1
            return status
        proc.out("".join(f"{k}={v}\n" for k, v in proc.env.items()))
        return 0
    new_env = dict(proc.env)
    args = argv[1:]
    while args and args[0].startswith("-") and args[0] != "-":
        a = args.pop(0)
        if a in ("-i", "--ignore-environment"):
            new_env = {}
        elif a == "-u" and args:
            new_env.pop(args.pop(0), None)
        elif a.startswith("-u"):
            new_env.pop(a[2:], None)
        elif a == "--":
            break
        else:
            return usage(proc, Usage(f"invalid option -- '{a[1:2]}'"))
    if args and args[0] == "-":
        new_env = {}
        args.pop(0)
    while args and "=" in args[0] and not args[0].startswith("="):
        k, _, v = args.pop(0).partition("=")
        new_env[k] = v
    if not args:
        proc.out("".join(f"{k}={v}\n" for k, v in new_env.items()))
        return 0
    child = proc.child(env=new_env)
    try:
        # execvp() without $PATH searches glibc's default, /bin:/usr/bin
        path = find_executable(proc.fs, args[0], new_env.get("PATH", "/bin:/usr/bin"), proc.cwd)
    except CommandNotFound as e:
        code = 126 if e.reason == "permission denied" else 127
        proc.error(f"can't execute '{args[0]}': " + ("Permission denied" if code == 126 else
                                                     "No such file or directory"))
        return code
    return run_file(child, path, args)


@register("which")
def which(proc: Proc, argv: list[str]) -> int:
    """busybox which: the path of each NAME found in ``$PATH`` (``-a``: all); exit 1 when
    one is missing."""
    try:
        opts, names = getopt(argv, "a")
    except Usage as u:
        return usage(proc, u)
    if not names:
        return usage(proc, Usage())
    status = 0
    path_var = proc.env.get("PATH", "/sbin:/usr/sbin:/bin:/usr/bin")
    for n in names:
        if "/" in n:
            try:
                node = proc.fs.stat(proc.path(n))
                if node.kind == FILE and node.mode & 0o111:
                    proc.out(n + "\n")
                    continue
            except OSError:
                pass
            status = 1
            continue
        found = False
        for d in path_var.split(":"):
            p = normpath((d or ".") + "/" + n, proc.cwd)
            try:
                node = proc.fs.stat(p)
            except OSError:
                continue
            if node.kind == FILE and node.mode & 0o111:
                proc.out(((d or ".").rstrip("/") + "/" + n) + "\n")
                found = True
                if not opts.get("a"):
                    break
        if not found:
            status = 1
    return status


def _groups_of(proc: Proc, uid: int, gid: int) -> list[int]:
    """Supplementary groups as docker sets them: the primary gid, then every group of
    /etc/group listing the user as a member."""
    name = user_name(proc.fs, uid)
    gids = [gid]
    for f in read_group(proc.fs):
        if len(f) > 3 and name and name in f[3].split(",") and f[2].isdigit():
            g = int(f[2])
            if g not in gids:
                gids.append(g)
    return gids


@register("id")
def id_(proc: Proc, argv: list[str]) -> int:
    """busybox id: ``uid=0(root) gid=0(root) groups=0(root),10(wheel)``; ``-u -g -G -n``."""
    try:
        opts, args = getopt(argv, "ugGnr")
    except Usage as u:
        return usage(proc, u)
    names = Names(proc.fs)
    uid, gid = proc.uid, proc.gid
    if args:
        found = lookup_user(proc.fs, args[0])
        if found is None:
            proc.error(f"unknown user {args[0]}")
            return 1
        uid, gid = found
    groups = _groups_of(proc, uid, gid)
    n = opts.get("n")
    if opts.get("u"):
        proc.out((names.user(uid) if n else str(uid)) + "\n")
        return 0
    if opts.get("g"):
        proc.out((names.group(gid) if n else str(gid)) + "\n")
        return 0
    if opts.get("G"):
        proc.out(" ".join(names.group(g) if n else str(g) for g in groups) + "\n")
        return 0

    def fmt(v, nm):
        return f"{v}({nm})" if nm != str(v) else str(v)
    line = f"uid={fmt(uid, names.user(uid))} gid={fmt(gid, names.group(gid))}"
    if groups:
        line += " groups=" + ",".join(fmt(g, names.group(g)) for g in groups)
    proc.out(line + "\n")
    return 0


@register("whoami", "logname")
def whoami(proc: Proc, argv: list[str]) -> int:
    """busybox whoami: the user name of the uid, or ``whoami: unknown uid N``."""
    name = user_name(proc.fs, proc.uid)
    if name is None:
        proc.error(f"unknown uid {proc.uid}")
        return 1
    proc.out(name + "\n")
    return 0


def _hostname(proc: Proc) -> str:
    if proc.env.get("HOSTNAME"):
        return proc.env["HOSTNAME"]
    try:
        return proc.fs.read_text("/etc/hostname").strip() or "localhost"
    except OSError:
        return "localhost"


@register("hostname")
def hostname(proc: Proc, argv: list[str]) -> int:
    """The container's hostname: ``$HOSTNAME`` (docker sets it) or ``/etc/hostname``."""
    proc.out(_hostname(proc) + "\n")
    return 0


@register("uname")
def uname(proc: Proc, argv: list[str]) -> int:
    """busybox uname ``-snrvmoa``; the kernel is the host's (a model value)."""
    try:
        opts, _ = getopt(argv, "asnrvmpio")
    except Usage as u:
        return usage(proc, u)
    fields = {"s": "Linux", "n": _hostname(proc), "r": "6.1.0-layerlab",
              "v": "#1 SMP PREEMPT_DYNAMIC", "m": "x86_64", "o": "GNU/Linux"}
    if opts.get("a"):
        keys = ["s", "n", "r", "v", "m", "o"]
    else:
        keys = [k for k in "snrvmo" if opts.get(k)] or ["s"]
        if opts.get("p") or opts.get("i"):
            keys.append("m")
    proc.out(" ".join(fields[k] for k in keys) + "\n")
    return 0


@register("date")
def date(proc: Proc, argv: list[str]) -> int:
    """busybox date in UTC from the injected clock: default ``%a %b %e %H:%M:%S %Z %Y``,
    ``+FORMAT``, ``-u``, ``-R``, ``-I``, ``-r FILE``, ``-d @SECONDS``."""
    try:
        opts, args = getopt(argv, "uRI:r:d:D:s:")
    except Usage as u:
        return usage(proc, u)
    ns = proc.now_ns()
    if "r" in opts:
        try:
            ns = proc.fs.stat(proc.path(opts["r"])).mtime
        except OSError as e:
            proc.error(f"{opts['r']}: {strerror(e)}")
            return 1
    if "d" in opts and str(opts["d"]).startswith("@"):
        ns = int(str(opts["d"])[1:]) * 1_000_000_000
    t = time.gmtime(ns // 1_000_000_000)
    fmt = "%a %b %e %H:%M:%S UTC %Y"
    if opts.get("R"):
        fmt = "%a, %d %b %Y %H:%M:%S +0000"
    for a in args:
        if a.startswith("+"):
            fmt = a[1:].replace("%Z", "UTC").replace("%s", str(ns // 1_000_000_000)) \
                .replace("%N", f"{ns % 1_000_000_000:09d}")
    proc.out(time.strftime(fmt, t) + "\n")
    return 0


@register("sleep")
def sleep(proc: Proc, argv: list[str]) -> int:
    """busybox sleep N[smhd]...: advances the clock for up to 10 s; longer sleeps keep the
    process running."""
    if len(argv) < 2:
        return usage(proc, Usage())
    total = 0.0
    for a in argv[1:]:
        m = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)([smhd]?)", a)
        if not m:
            if a == "infinity":
                raise Blocked()
            proc.error(f"invalid number '{a}'")
            return 1
        total += float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
    proc.sleep(total)
    return 0


@register("pwd")
def pwd(proc: Proc, argv: list[str]) -> int:
    """The current directory."""
    proc.out(proc.cwd + "\n")
    return 0


@register("sync", "fsync")
def sync(proc: Proc, argv: list[str]) -> int:
    """Nothing to flush in a model."""
    return 0
