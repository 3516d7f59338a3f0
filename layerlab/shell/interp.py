"""The executor: runs the AST of :mod:`parser` the way busybox ``ash`` does.

One :class:`Shell` per ``sh`` process. File descriptors are a dict ``{0: Input, 1: Sink,
2: Sink}`` passed down the tree; redirections make a new dict for the duration of one
command. Pipelines run left to right, each stage's stdout buffered and handed to the next
stage as stdin (enough for ``cat f | wc -l``; a blocking stage blocks the whole pipeline).

Messages follow ash's ``ash_msg``: ``<$0>: [<builtin>: ][line N: ]<text>``, where ``line N``
appears inside builtins and scripts. With ``sh -c``, lines count from 0 (as ash does).
"""
from __future__ import annotations

import errno
import fnmatch
import os
import re

from ..fs.tree import DIR, join, normpath
from . import core
from .core import (BufferSink, PipeSink, BytesInput, CommandNotFound, ContentInput, ExitProcess, FileSink,
                   Proc, device_input, device_sink, find_executable, run_file)
from .parser import (AndOr, Case, For, FuncDef, Group, If, Parser, Pipeline, Seq, ShSyntaxError, Simple,
                     Subshell, While, Word, _heredoc_parts, parse)

_GLOB_CHARS = set("*?[")
SPECIAL_BUILTINS = {":", ".", "break", "continue", "eval", "exec", "exit", "export", "readonly",
                    "return", "set", "shift", "source", "trap", "unset", "local"}


class ExitShell(Exception):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


class _LoopCtl(Exception):
    def __init__(self, kind: str, n: int):
        super().__init__(kind)
        self.kind = kind
        self.n = n


class _Return(Exception):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


class ShellError(Exception):
    """An error ash reports and after which a non-interactive shell exits (status 2 by
    default): bad substitution, ``${x?}``, a failed redirection of a special builtin."""

    def __init__(self, msg: str, code: int = 2, exits: bool = True):
        super().__init__(msg)
        self.msg = msg
        self.code = code
        self.exits = exits


class _Fields:
    """Accumulates expansion results into fields of ``(text, quoted)`` segments."""

    def __init__(self, ifs: str) -> None:
        self.fields: list[list[tuple[str, bool]]] = [[]]
        self.present: list[bool] = [False]
        self.ifs = ifs

    def add(self, text: str, quoted: bool) -> None:
        if text:
            self.fields[-1].append((text, quoted))
            self.present[-1] = True
        elif quoted:
            self.present[-1] = True

    def mark(self) -> None:
        self.present[-1] = True

    def new_field(self) -> None:
        self.fields.append([])
        self.present.append(False)

    def add_split(self, value: str) -> None:
        """An unquoted expansion: split on IFS (whitespace runs, other IFS chars one each)."""
        ifs = self.ifs
        if not ifs:
            self.add(value, False)
            return
        ws = {c for c in ifs if c in " \t\n"}
        i, n = 0, len(value)
        buf: list[str] = []
        while i < n:
            c = value[i]
            if c in ifs:
                if buf:
                    self.add("".join(buf), False)
                    buf = []
                if c in ws:
                    while i < n and value[i] in ws:
                        i += 1
                    if i < n and value[i] in ifs and value[i] not in ws:
                        i += 1
                        self.mark()
                else:
                    i += 1
                    self.mark()
                    while i < n and value[i] in ws:
                        i += 1
                self.new_field()
                continue
            buf.append(c)
            i += 1
        if buf:
            self.add("".join(buf), False)

    def result(self) -> list[list[tuple[str, bool]]]:
        return [f for f, p in zip(self.fields, self.present) if p]


def _pattern(segments) -> str:
    """An fnmatch pattern where quoted characters are literal."""
    out = []
    for text, quoted in segments:
        if quoted:
            out.append("".join(f"[{c}]" if c in "*?[]\\" else c for c in text))
        else:
            out.append(text)
    return "".join(out)


def _has_glob(segments) -> bool:
    return any(not q and any(c in _GLOB_CHARS for c in t) for t, q in segments)


_MATCH_CACHE: dict[str, re.Pattern] = {}


def match(pattern: str, name: str) -> bool:
    rx = _MATCH_CACHE.get(pattern)
    if rx is None:
        rx = re.compile(fnmatch.translate(pattern), re.DOTALL)
        if len(_MATCH_CACHE) > 512:
            _MATCH_CACHE.clear()
        _MATCH_CACHE[pattern] = rx
    return rx.match(name) is not None


class Shell:
    """An ``sh`` process: variables, options, functions, cwd and the executor."""

    def __init__(self, proc: Proc, arg0: str = "sh", args: list[str] | None = None,
                 script_name: str | None = None, lineno_base: int = 0, dialect: str = "ash"):
        self.dialect = dialect
        self.dash = dialect == "dash"
        self.proc = proc
        self.fs = proc.fs
        self.vars: dict[str, str] = dict(proc.env)
        self.exported: set[str] = set(proc.env)
        self.readonly: set[str] = set()
        self.arg0 = arg0
        self.args = list(args or [])
        self.script_name = script_name
        self.commandname: str | None = script_name
        self.lineno = 0
        self.lineno_base = lineno_base
        self.cwd = proc.cwd
        self.status = 0
        self.cmdsub_status: int | None = None
        self.opts = {"e": False, "x": False, "u": False, "f": False, "n": False, "pipefail": False}
        self.funcs: dict[str, object] = {}
        self.cond_depth = 0
        self.loop_depth = 0
        self.func_depth = 0
        self.locals: list[dict] = []       # one frame per function call: name -> saved value
        self.perm_sinks: list = []         # files opened by ``exec >file``
        self.exit_trap: str | None = None
        self.last_bg = ""
        self.vars.setdefault("IFS", " \t\n")
        if "PWD" not in self.vars or normpath(self.vars["PWD"]) != self.cwd:
            self.vars["PWD"] = self.cwd
        self.exported.add("PWD")

    # ================================================================== messages
    def msg(self, text: str, fds: dict, builtin: str | None = None) -> None:
        if self.dash:  # dash: "<$0>: <line>: [<builtin>: ]<text>", lines from 1
            line = self.lineno + self.lineno_base
            fds[2].write(f"{self.arg0}: {line}: " + (f"{builtin}: " if builtin else "") + text + "\n")
            return
        prefix = f"{self.arg0}: "
        cname = builtin or self.commandname
        if cname:
            if cname != self.arg0:
                prefix += f"{cname}: "
            prefix += f"line {self.lineno + self.lineno_base}: "
        fds[2].write(prefix + text + "\n")

    # ================================================================== entry points
    def run_source(self, src: str, fds: dict) -> int:
        """Run a whole script, parsing one line at a time as ash does; returns the shell's
        exit status (after the EXIT trap, if one is set)."""
        status = self._run_source(src, fds)
        trap, self.exit_trap = self.exit_trap, None
        if trap:
            self.status = status
            try:
                self.exec_seq(parse(trap), fds)
            except ExitShell as e:
                return e.code
            except (ShSyntaxError, ShellError, _LoopCtl, _Return):
                pass
        return status

    def _run_source(self, src: str, fds: dict) -> int:
        parser = Parser(src)
        try:
            while True:
                try:
                    seq = parser.parse_next()
                except ShSyntaxError as e:
                    if e.lineno is not None:
                        self.lineno = e.lineno
                    self.msg(_dash_syntax(str(e)) if self.dash else str(e), fds)
                    return 2
                if seq is None:
                    return self.status
                self.exec_seq(seq, fds)
        except ExitShell as e:
            return e.code
        except ShellError as e:
            self.msg(e.msg, fds)
            return e.code
        except (_LoopCtl, _Return) as e:
            return self.status if isinstance(e, _LoopCtl) else e.code

    # ================================================================== executor
    def exec_node(self, node, fds: dict) -> int:
        t = type(node)
        if t is Simple:
            return self.exec_simple(node, fds)
        if t is AndOr:
            return self.exec_andor(node, fds)
        if t is Pipeline:
            return self.exec_pipeline(node, fds)
        if t is Seq:
            return self.exec_seq(node, fds)
        if t is FuncDef:
            self.funcs[node.name] = node.body
            self.status = 0
            return 0
        return self._with_redirs(node, fds, self._exec_compound)

    def _exec_compound(self, node, fds: dict) -> int:
        t = type(node)
        if t is Group:
            return self.exec_seq(node.body, fds)
        if t is Subshell:
            return self.exec_subshell(node.body, fds)
        if t is If:
            return self.exec_if(node, fds)
        if t is For:
            return self.exec_for(node, fds)
        if t is While:
            return self.exec_while(node, fds)
        if t is Case:
            return self.exec_case(node, fds)
        raise TypeError(node)

    def _with_redirs(self, node, fds: dict, fn) -> int:
        if not node.redirs:
            return fn(node, fds)
        try:
            new, sinks = self.redirect(node.redirs, fds)
        except ShellError as e:
            self.msg(e.msg, fds)
            self.status = e.code
            return e.code
        try:
            return fn(node, new)
        finally:
            for s in sinks:
                s.flush()

    def _check_errexit(self, status: int) -> None:
        if status and self.opts["e"] and not self.cond_depth:
            raise ExitShell(status)

    def exec_seq(self, seq: Seq, fds: dict) -> int:
        status = 0
        for node, bg in seq.items:
            if bg:
                status = self._background(node, fds)
            else:
                status = self.exec_node(node, fds)
            self.status = status
        return status

    def _background(self, node, fds: dict) -> int:
        """``cmd &``: run it now in a subshell; if it blocks it simply keeps "running"."""
        saved = self._save()
        self.cond_depth += 1
        try:
            self.exec_node(node, fds)
        except core.Blocked:
            pass
        except ExitShell:
            pass
        finally:
            self.cond_depth -= 1
            self._restore(saved)
        self.last_bg = str(self.proc.pid + 100)
        return 0

    def exec_andor(self, node: AndOr, fds: dict) -> int:
        self.cond_depth += 1
        try:
            status = self.exec_node(node.first, fds)
        finally:
            self.cond_depth -= 1
        for i, (op, rhs) in enumerate(node.rest):
            self.status = status
            if (op == "&&") != (status == 0):
                continue
            last = i == len(node.rest) - 1
            if not last:
                self.cond_depth += 1
            try:
                status = self.exec_node(rhs, fds)
            finally:
                if not last:
                    self.cond_depth -= 1
        self.status = status
        return status

    def exec_pipeline(self, node: Pipeline, fds: dict) -> int:
        stdin = fds[0]
        statuses = []
        n = len(node.cmds)
        if node.negate:
            self.cond_depth += 1
        try:
            for i, cmd in enumerate(node.cmds):
                last = i == n - 1
                sub = dict(fds)
                sub[0] = stdin
                pipe = None
                if not last:
                    pipe = PipeSink()
                    sub[1] = pipe
                if n > 1:
                    # every stage of a real pipeline is a subshell
                    saved = self._save()
                    self.cond_depth += 1
                    try:
                        st = self.exec_node(cmd, sub)
                    except ExitShell as e:
                        st = e.code
                    finally:
                        self.cond_depth -= 1
                        self._restore(saved)
                else:
                    st = self.exec_node(cmd, sub)
                statuses.append(st)
                if pipe is not None:
                    stdin = BytesInput(bytes(pipe.buf))
        finally:
            if node.negate:
                self.cond_depth -= 1
        status = statuses[-1]
        if self.opts["pipefail"]:
            for st in reversed(statuses):
                if st:
                    status = st
                    break
        if node.negate:
            status = 0 if status else 1
        elif n > 1:
            self._check_errexit(status)
        self.status = status
        return status

    def _save(self):
        return (dict(self.vars), set(self.exported), self.cwd, dict(self.funcs), dict(self.opts),
                list(self.args))

    def _restore(self, saved) -> None:
        self.vars, self.exported, self.cwd, self.funcs, self.opts, self.args = saved

    def exec_subshell(self, body: Seq, fds: dict) -> int:
        saved = self._save()
        try:
            status = self.exec_seq(body, fds)
        except ExitShell as e:
            status = e.code
        finally:
            self._restore(saved)
        self.status = status
        self._check_errexit(status)
        return status

    def exec_if(self, node: If, fds: dict) -> int:
        for cond, body in node.arms:
            self.cond_depth += 1
            try:
                c = self.exec_seq(cond, fds)
            finally:
                self.cond_depth -= 1
            if c == 0:
                return self.exec_seq(body, fds)
        if node.orelse is not None:
            return self.exec_seq(node.orelse, fds)
        self.status = 0
        return 0

    def _loop_body(self, body: Seq, fds: dict) -> tuple[int, str | None]:
        try:
            return self.exec_seq(body, fds), None
        except _LoopCtl as e:
            if e.n > 1:
                e.n -= 1
                raise
            return self.status, e.kind

    def exec_for(self, node: For, fds: dict) -> int:
        if node.words is None:
            items = list(self.args)
        else:
            items = []
            for w in node.words:
                items.extend(self.expand_word(w, fds))
        status = 0
        self.loop_depth += 1
        try:
            for item in items:
                self.setvar(node.var, item)
                status, ctl = self._loop_body(node.body, fds)
                if ctl == "break":
                    break
        finally:
            self.loop_depth -= 1
        self.status = status
        return status

    def exec_while(self, node: While, fds: dict) -> int:
        status = 0
        self.loop_depth += 1
        try:
            while True:
                self.cond_depth += 1
                try:
                    c = self.exec_seq(node.cond, fds)
                finally:
                    self.cond_depth -= 1
                if (c == 0) == node.until:
                    break
                status, ctl = self._loop_body(node.body, fds)
                if ctl == "break":
                    break
        finally:
            self.loop_depth -= 1
        self.status = status
        return status

    def exec_case(self, node: Case, fds: dict) -> int:
        value = self.expand_str(node.word, fds)
        for pats, body in node.arms:
            for p in pats:
                fields = self._expand_fields(p, fds, split=False)
                pat = _pattern(fields[0]) if fields else ""
                if match(pat, value):
                    if body is None or not body.items:
                        self.status = 0
                        return 0
                    return self.exec_seq(body, fds)
        self.status = 0
        return 0

    # ------------------------------------------------------------------ simple commands
    def exec_simple(self, node: Simple, fds: dict) -> int:
        self.lineno = node.lineno
        self.cmdsub_status = None
        argv: list[str] = []
        try:
            for w in node.words:
                argv.extend(self.expand_word(w, fds))
            assigns = [(name, self.expand_str(w, fds, tilde=True)) for name, w in node.assigns]
        except ShellError as e:
            if e.exits:
                raise
            self.msg(e.msg, fds)
            self.status = e.code
            return e.code
        if self.opts["x"]:
            if self.dash:
                fds[2].write("+ " + " ".join([f"{n}={v}" for n, v in assigns] + argv) + "\n")
            else:
                fds[2].write("+ " + " ".join([f"{n}={_maybe_quote(v)}" for n, v in assigns]
                                               + [_xquote(a) for a in argv]) + "\n")
        special = bool(argv) and argv[0] in SPECIAL_BUILTINS
        sinks: list = []
        if argv == ["exec"] and node.redirs:
            try:
                new, opened = self.redirect(node.redirs, fds)
            except ShellError as e:
                self.msg(e.msg, fds)
                raise ExitShell(e.code)
            fds.clear()
            fds.update(new)
            self.perm_sinks.extend(opened)
            self.status = 0
            return 0
        if node.redirs:
            try:
                fds, sinks = self.redirect(node.redirs, fds)
            except ShellError as e:
                self.msg(e.msg, fds)
                self.status = e.code
                if special:
                    raise ExitShell(e.code)
                return e.code
        try:
            if not argv:
                for name, value in assigns:
                    self.setvar(name, value)
                status = self.cmdsub_status or 0
            else:
                status = self.run_command(argv, assigns, fds)
        finally:
            for s in sinks:
                s.flush()
            for s in self.perm_sinks:
                s.flush()
        if argv:
            status = self.write_failed(argv[0], sinks + self.perm_sinks + [fds.get(1)], status, fds)
        self.status = status
        self._check_errexit(status)
        return status

    def write_failed(self, cmd: str, sinks: list, status: int, fds: dict) -> int:
        """A command's output hit ENOSPC (a full tmpfs, ``/dev/full``): what it says and the
        status it ends with, as measured with busybox 1.3x (``sh -c '... > file'`` on a
        tmpfs of size=8k) and dash. Commands not listed ignore the error, as busybox's ls,
        find, grep and sha256sum do (exit status unchanged, no message)."""
        sink = next((s for s in sinks if getattr(s, "error", None) is not None), None)
        if sink is None:
            return status
        err, sink.error = sink.error, None
        name = os.path.basename(cmd)
        builtin = name in BUILTINS and name not in self.funcs
        if self.dash:
            if builtin and name in ("echo", "printf"):
                self.msg(f"{name}: I/O error", fds, builtin=name)
                status = 1
        elif builtin and name == "echo":
            fds[2].write(f"{os.path.basename(self.proc.name or 'sh')}: write error: {os.strerror(err.errno)}\n")
            status = 1
        elif builtin and name == "printf":
            status = 1
        elif name == "cat":
            fds[2].write(f"cat: write error: {os.strerror(err.errno)}\n")
            status = 1
        elif name == "head":   # stdio: a short write then EIO; nothing written: fflush's error
            if sink.partial:
                fds[2].write("head: standard output: I/O error\n")
                status = 1
            else:
                fds[2].write(f"head: standard output: {os.strerror(err.errno)}\n")
        elif name == "tail":
            fds[2].write(f"tail: write error: {os.strerror(err.errno)}\n")
        stderr = fds.get(2)
        if stderr is not sink and hasattr(stderr, "flush") and isinstance(stderr, core.FileSink):
            stderr.flush()
        return status

    def run_command(self, argv: list[str], assigns: list, fds: dict, exec_: bool = False) -> int:
        name = argv[0]
        if name in self.funcs:
            return self.call_function(name, argv, assigns, fds)
        builtin = BUILTINS.get(name)
        if builtin is not None:
            saved = {}
            if assigns:
                special = name in SPECIAL_BUILTINS
                for n, v in assigns:
                    if not special:
                        saved[n] = self.vars.get(n)
                    self.setvar(n, v)
            try:
                return builtin(self, argv, fds)
            finally:
                for n, old in saved.items():
                    if old is None:
                        self.vars.pop(n, None)
                    else:
                        self.vars[n] = old
        env = {k: self.vars[k] for k in self.exported if k in self.vars}
        for n, v in assigns:
            env[n] = v
        path_var = env.get("PATH", self.vars.get("PATH", ""))
        try:
            path = find_executable(self.fs, name, path_var, self.cwd)
        except CommandNotFound as e:
            if e.reason == "permission denied":
                self.msg(f"{name}: Permission denied", fds)
                return 126
            self.msg(f"{name}: not found", fds)
            return 127
        # ``exec cmd`` replaces the shell: same pid (an entrypoint's exec keeps PID 1)
        child = Proc(self.fs, env=env, cwd=self.cwd, uid=self.proc.uid, gid=self.proc.gid,
                     clock=self.proc.clock, fds=dict(fds),
                     pid=self.proc.pid if exec_ else self.proc.pid + 1)
        return run_file(child, path, argv)

    def call_function(self, name: str, argv: list[str], assigns: list, fds: dict) -> int:
        saved_args = self.args
        saved_vars = {n: self.vars.get(n) for n, _ in assigns}
        for n, v in assigns:
            self.setvar(n, v)
        self.args = argv[1:]
        self.func_depth += 1
        self.locals.append({})
        try:
            status = self.exec_node(self.funcs[name], fds)
        except _Return as r:
            status = r.code
        finally:
            self.func_depth -= 1
            self.args = saved_args
            for n, (old, was_exported) in self.locals.pop().items():
                if old is None:
                    self.vars.pop(n, None)
                else:
                    self.vars[n] = old
                if not was_exported:
                    self.exported.discard(n)
            for n, old in saved_vars.items():
                if old is None:
                    self.vars.pop(n, None)
                else:
                    self.vars[n] = old
        self.status = status
        return status

    # ------------------------------------------------------------------ variables
    def setvar(self, name: str, value: str, export: bool = False) -> None:
        if name in self.readonly:
            raise ShellError(f"{name}: is read only", 2)
        self.vars[name] = value
        if export or self.opts.get("a"):
            self.exported.add(name)

    def getvar(self, name: str) -> str | None:
        if name in self.vars:
            return self.vars[name]
        if name == "?":
            return str(self.status)
        if name == "$":
            return str(self.proc.pid)
        if name == "#":
            return str(len(self.args))
        if name == "0":
            return self.arg0
        if name.isdigit():
            i = int(name)
            return self.args[i - 1] if 0 < i <= len(self.args) else None
        if name in ("@", "*"):
            return " ".join(self.args) if self.args else None
        if name == "!":
            return self.last_bg or None
        if name == "-":
            return "".join(k for k, v in self.opts.items() if v and len(k) == 1)
        if name == "LINENO":
            return str(self.lineno + self.lineno_base)
        return None

    # ------------------------------------------------------------------ expansion
    def expand_word(self, word: Word, fds: dict) -> list[str]:
        """Full expansion: parameters, commands, arithmetic, field splitting, globbing."""
        parts = word.parts
        if len(parts) == 1 and parts[0][0] == "lit":
            text = parts[0][1]
            if text[0] == "~":
                return [self._tilde(text)]
            if not self.opts["f"] and any(c in _GLOB_CHARS for c in text):
                return self._glob_or_literal([(text, False)])
            return [text]
        fields = self._expand_fields(word, fds, split=True)
        out: list[str] = []
        for f in fields:
            if not self.opts["f"] and _has_glob(f):
                out.extend(self._glob_or_literal(f))
            else:
                out.append("".join(t for t, _ in f))
        return out

    def expand_str(self, word: Word, fds: dict, tilde: bool = False) -> str:
        """Expansion without field splitting or globbing (assignments, redirections, case)."""
        fields = self._expand_fields(word, fds, split=False)
        text = "".join(t for f in fields for t, _ in f)
        if tilde and word.parts and word.parts[0][0] == "lit" and word.parts[0][1].startswith("~"):
            text = self._tilde(text)
        return text

    def _tilde(self, text: str) -> str:
        head, sep, rest = text.partition("/")
        if head == "~":
            home = self.vars.get("HOME", "/")
            return home + sep + rest
        return text

    def _expand_fields(self, word: Word, fds: dict, split: bool):
        acc = _Fields(self.vars.get("IFS", " \t\n") if split else "")
        first = True
        for part in word.parts:
            if first and part[0] == "lit" and part[1].startswith("~") and split:
                head = part[1].split("/", 1)[0]
                if head == "~":
                    acc.add(self.vars.get("HOME", "/"), True)
                    acc.add(part[1][1:], False)
                    first = False
                    continue
            first = False
            self._expand_part(part, acc, False, fds, split)
        return acc.result()

    def _expand_part(self, part, acc: _Fields, quoted: bool, fds: dict, split: bool) -> None:
        kind = part[0]
        if kind == "lit":
            acc.add(part[1], quoted)
        elif kind == "q":
            acc.add(part[1], True)
        elif kind == "dq":
            inner = part[1]
            if not (len(inner) == 1 and inner[0][0] == "var" and inner[0][1] == "@"
                    and not inner[0][2] and not self.args):
                acc.mark()
            for p in inner:
                self._expand_part(p, acc, True, fds, split)
        elif kind == "var":
            name = part[1]
            if name == "@" and quoted and not part[2]:
                for i, a in enumerate(self.args):
                    if i:
                        acc.new_field()
                        acc.mark()
                    acc.add(a, True)
                return
            value = self._param(part, fds)
            if value is None:
                return
            if quoted or not split:
                acc.add(value, quoted)
            else:
                acc.add_split(value)
        elif kind == "cmd":
            value = self._cmdsub(part[1], fds)
            if quoted or not split:
                acc.add(value, quoted)
            else:
                acc.add_split(value)
        elif kind == "arith":
            value = str(self._arith(part[1], fds))
            if quoted or not split:
                acc.add(value, quoted)
            else:
                acc.add_split(value)

    def _param(self, part, fds: dict) -> str | None:
        _, name, op, arg = part
        value = self.getvar(name)
        if op == "":
            if value is None and self.opts["u"] and name not in ("@", "*"):
                raise ShellError(f"{name}: parameter not set")
            return value
        if op == "#len":
            return str(len(value or ""))
        if op in (":-", "-"):
            if value is None or (op == ":-" and value == ""):
                return self.expand_str(arg, fds, tilde=True)
            return value
        if op in (":=", "="):
            if value is None or (op == ":=" and value == ""):
                value = self.expand_str(arg, fds, tilde=True)
                self.setvar(name, value)
            return value
        if op in (":+", "+"):
            if value is None or (op == ":+" and value == ""):
                return ""
            return self.expand_str(arg, fds, tilde=True)
        if op in (":?", "?"):
            if value is None or (op == ":?" and value == ""):
                text = self.expand_str(arg, fds)
                if not text:
                    text = "parameter not set or null" if op == ":?" else "parameter not set"
                raise ShellError(f"{name}: {text}")
            return value
        if self.dash and op in (":", "/", "//"):
            raise ShellError("Bad substitution")
        if op == ":":
            text = self.expand_str(arg, fds)
            off_text, _, len_text = text.partition(":")
            value = value or ""
            off = arith_eval(off_text, self) if off_text.strip() else 0
            if off < 0:
                off = max(0, len(value) + off)
            if _:
                ln = arith_eval(len_text, self) if len_text.strip() else 0
                return value[off:off + ln] if ln >= 0 else value[off:len(value) + ln]
            return value[off:]
        if op in ("/", "//"):
            value = value or ""
            # split the raw word at the first unquoted, unescaped '/'
            pat_parts, rep_parts, seen = [], [], False
            for p in arg.parts:
                if not seen and p[0] == "lit" and "/" in p[1]:
                    before, _, after = p[1].partition("/")
                    if before:
                        pat_parts.append(("lit", before))
                    if after:
                        rep_parts.append(("lit", after))
                    seen = True
                elif seen:
                    rep_parts.append(p)
                else:
                    pat_parts.append(p)
            pfields = self._expand_fields(Word(pat_parts), fds, split=False)
            pat = _pattern(pfields[0]) if pfields else ""
            rep = self.expand_str(Word(rep_parts), fds)
            # busybox 1.35 ash has no ${v/#p/r} or ${v/%p/r} anchors: '#' is literal
            return _replace(value, pat, rep, op == "//", "")
        # pattern removal
        value = value or ""
        fields = self._expand_fields(arg, fds, split=False)
        pat = _pattern(fields[0]) if fields else ""
        n = len(value)
        if op == "#":
            for i in range(n + 1):
                if match(pat, value[:i]):
                    return value[i:]
        elif op == "##":
            for i in range(n, -1, -1):
                if match(pat, value[:i]):
                    return value[i:]
        elif op == "%":
            for i in range(n, -1, -1):
                if match(pat, value[i:]):
                    return value[:i]
        elif op == "%%":
            for i in range(n + 1):
                if match(pat, value[i:]):
                    return value[:i]
        return value

    def _cmdsub(self, node, fds: dict) -> str:
        out = BufferSink()
        sub = dict(fds)
        sub[1] = out
        saved = self._save()
        saved_status = self.status
        saved_line = self.lineno
        try:
            status = self.exec_seq(node, sub)
        except ExitShell as e:
            status = e.code
        finally:
            self._restore(saved)
            self.lineno = saved_line
        self.status = saved_status
        self.cmdsub_status = status
        return bytes(out.buf).decode("utf-8", "surrogateescape").rstrip("\n")

    def _arith(self, text: str, fds: dict) -> int:
        parts = _heredoc_parts(text, self.lineno)
        expr = "".join(t for f in self._expand_fields(Word(parts, text), fds, split=False)
                       for t, _ in f)
        if not self.dash:
            return arith_eval(expr, self)
        if "**" in expr:
            raise ShellError(f'arithmetic expression: expecting primary: "{expr}"')
        try:
            return arith_eval(expr, self)
        except ShellError as e:
            what = "division by zero" if "divide" in e.msg else "expecting primary"
            raise ShellError(f'arithmetic expression: {what}: "{expr}"')

    def _glob_or_literal(self, segments) -> list[str]:
        pattern = _pattern(segments)
        matches = self.glob(pattern)
        if matches:
            return matches
        return ["".join(t for t, _ in segments)]

    def glob(self, pattern: str) -> list[str]:
        """Pathname expansion against the RootFS, sorted, hidden names only for ``.*``."""
        absolute = pattern.startswith("/")
        comps = [c for c in pattern.split("/") if c]
        if not comps:
            return []
        results = [("/" if absolute else "", normpath(".", self.cwd) if not absolute else "/")]
        for i, comp in enumerate(comps):
            last = i == len(comps) - 1
            nxt = []
            has_meta = any(c in _GLOB_CHARS for c in comp)
            for shown, real in results:
                if has_meta:
                    try:
                        names = self.fs.listdir(real)
                    except OSError:
                        continue
                    for name in names:
                        if name.startswith(".") and not comp.startswith("."):
                            continue
                        if match(comp, name):
                            p = join(real, name)
                            if not last and not self.fs.is_dir(p):
                                continue
                            nxt.append((shown + name if not shown or shown.endswith("/") else
                                        shown + "/" + name, p))
                else:
                    lit = re.sub(r"\[(.)\]", r"\1", comp)
                    p = join(real, lit)
                    if last:
                        if not self.fs.exists(p, follow=False):
                            continue
                    elif not self.fs.is_dir(p):
                        continue
                    nxt.append((shown + lit if not shown or shown.endswith("/") else
                                shown + "/" + lit, p))
            results = nxt
            if not results:
                return []
        return sorted(r[0] for r in results)

    # ------------------------------------------------------------------ redirections
    def redirect(self, redirs: list, fds: dict) -> tuple[dict, list]:
        new = dict(fds)
        sinks: list = []
        for r in redirs:
            op = r.op
            if op in ("<<", "<<-"):
                body = self.expand_str(r.heredoc, fds) if r.heredoc is not None else ""
                new[r.fd] = BytesInput(body.encode("utf-8", "surrogateescape"))
                continue
            target = self.expand_str(r.target, fds, tilde=True)
            if op in (">&", "<&"):
                if target == "-":
                    new.pop(r.fd, None)
                    continue
                if target.isdigit():
                    src = int(target)
                    if src not in new:
                        raise ShellError(f"{target}: Bad file descriptor")
                    new[r.fd] = new[src]
                    continue
                if op == "<&":
                    raise ShellError(f"{target}: Bad file descriptor")
                op = ">"
            path = core.resolve_device(self.fs, normpath(target, self.cwd))
            if op == "<" or op == "<>":
                dev = device_input(path, new)
                if dev is not None:
                    new[r.fd] = dev
                    continue
                try:
                    content = self.fs.read_content(path)
                except OSError as e:
                    if self.dash:
                        raise ShellError(f"cannot open {target}: {_errmsg(e, 'No such file')}", 2,
                                         False)
                    raise ShellError(f"can't open {target}: {_errmsg(e, 'no such file')}", 1, False)
                new[r.fd] = ContentInput(content)
                continue
            dev = device_sink(path, new)
            if dev is not None:
                new[r.fd] = dev
                continue
            try:
                real = self.fs.open(path, append=op == ">>", truncate=op in (">", ">|"))
            except OSError as e:
                if self.dash:
                    raise ShellError(f"cannot create {target}: "
                                     f"{_errmsg(e, 'Directory nonexistent')}", 2, False)
                raise ShellError(f"can't create {target}: {_errmsg(e, 'nonexistent directory')}", 1, False)
            sink = FileSink(self.fs, real)
            sinks.append(sink)
            new[r.fd] = sink
        return new, sinks


def _dash_syntax(msg: str) -> str:
    """ash's ``syntax error: unexpected "fi"`` -> dash's ``Syntax error: "fi" unexpected``."""
    m = re.match(r'syntax error: unexpected (.+?)( \(expecting .*\))?$', msg)
    if m:
        return f"Syntax error: {m.group(1)} unexpected{m.group(2) or ''}"
    rest = msg[len("syntax error: "):] if msg.startswith("syntax error: ") else msg
    return "Syntax error: " + rest[:1].upper() + rest[1:]


def _replace(value: str, pat: str, rep: str, every: bool, anchor: str) -> str:
    """``${v/pat/rep}``, ``${v//pat/rep}``, ``${v/#pat/rep}``, ``${v/%pat/rep}``: the
    longest match wins."""
    n = len(value)
    if anchor == "#":
        for j in range(n, -1, -1):
            if match(pat, value[:j]):
                return rep + value[j:]
        return value
    if anchor == "%":
        for i in range(n + 1):
            if match(pat, value[i:]):
                return value[:i] + rep
        return value
    out, i = [], 0
    while i < n:
        hit = next((j for j in range(n, i, -1) if match(pat, value[i:j])), None)
        if hit is None:
            out.append(value[i])
            i += 1
            continue
        out.append(rep)
        i = hit
        if not every:
            out.append(value[i:])
            return "".join(out)
    return "".join(out)


def _errmsg(e: OSError, enoent: str) -> str:
    if e.errno in (errno.ENOENT, errno.ENOTDIR):
        return enoent
    return os.strerror(e.errno)


_KEYWORDS = {"!", "case", "do", "done", "elif", "else", "esac", "fi", "for", "function", "if",
             "in", "then", "until", "while", "{", "}"}


def _single_quote(s: str) -> str:
    """ash single_quote(): ``it's`` -> ``'it'"'"'s'``."""
    out = []
    i, n = 0, len(s)
    while True:
        j = s.find("'", i)
        j = n if j < 0 else j
        out.append("'" + s[i:j] + "'")
        i = j
        if i >= n:
            break
        k = i
        while k < n and s[k] == "'":
            k += 1
        out.append('"' + s[i:k] + '"')
        i = k
        if i >= n:
            break
    return "".join(out)


def _maybe_quote(s: str) -> str:
    """ash maybe_single_quote(): quote when a char is below ``+``, in ``;<=>?``, is one of
    ``[\\`` or is above ``z``."""
    for c in s:
        o = ord(c)
        if o < 0x2B or 0x3B <= o <= 0x3F or c in "`[\\" or o > 0x7A:
            return _single_quote(s)
    return s


def _xquote(s: str) -> str:
    """``set -x`` quoting of an argument: reserved words are always quoted."""
    return _single_quote(s) if s in _KEYWORDS else _maybe_quote(s)


# ============================================================================ arithmetic
_ARITH_TOKEN = re.compile(r"\s*(?:(0[xX][0-9a-fA-F]+|\d+)|([A-Za-z_][A-Za-z0-9_]*)|"
                          r"(<<=|>>=|\*\*|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&^|]=|"
                          r"[-+*/%<>=!~&^|?:(),]))")
_BINARY_PREC = [("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", "<=", ">", ">="),
                ("<<", ">>"), ("+", "-"), ("*", "/", "%")]


class _Arith:
    """ash arithmetic: C operators and precedence on integers, variables by name."""

    def __init__(self, text: str, shell: "Shell"):
        self.shell = shell
        self.toks: list[tuple[str, str]] = []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            m = _ARITH_TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise ShellError("arithmetic syntax error")
            pos = m.end()
            if m.group(1):
                self.toks.append(("num", m.group(1)))
            elif m.group(2):
                self.toks.append(("name", m.group(2)))
            else:
                self.toks.append(("op", m.group(3)))
        self.i = 0

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else ("end", "")

    def take(self):
        t = self.peek()
        self.i += 1
        return t

    def expect(self, op: str) -> None:
        if self.take() != ("op", op):
            raise ShellError("arithmetic syntax error")

    def run(self) -> int:
        if not self.toks:
            return 0
        v = self.comma()
        if self.i != len(self.toks):
            raise ShellError("arithmetic syntax error")
        return v

    def comma(self) -> int:
        v = self.assign()
        while self.peek() == ("op", ","):
            self.take()
            v = self.assign()
        return v

    def assign(self) -> int:
        t = self.peek()
        if t[0] == "name" and self.i + 1 < len(self.toks):
            op = self.toks[self.i + 1]
            if op[0] == "op" and op[1].endswith("=") and op[1] not in ("==", "!=", "<=", ">="):
                self.i += 2
                value = self.assign()
                if op[1] != "=":
                    value = _binop(op[1][:-1], _int_var(self.shell, t[1]), value)
                self.shell.setvar(t[1], str(value))
                return value
        return self.ternary()

    def ternary(self) -> int:
        cond = self.binary(0)
        if self.peek() == ("op", "?"):
            self.take()
            a = self.assign()
            self.expect(":")
            b = self.assign()
            return a if cond else b
        return cond

    def binary(self, level: int) -> int:
        if level == len(_BINARY_PREC):
            return self.power()
        v = self.binary(level + 1)
        while self.peek()[0] == "op" and self.peek()[1] in _BINARY_PREC[level]:
            op = self.take()[1]
            rhs = self.binary(level + 1)
            v = _binop(op, v, rhs)
        return v

    def power(self) -> int:
        v = self.unary()
        if self.peek() == ("op", "**"):
            self.take()
            e = self.power()
            if e < 0:
                raise ShellError("exponent less than 0")
            v = v ** e
        return v

    def unary(self) -> int:
        t = self.peek()
        if t[0] == "op" and t[1] in ("-", "+", "!", "~"):
            self.take()
            v = self.unary()
            return {"-": -v, "+": v, "!": int(not v), "~": ~v}[t[1]]
        if t[0] == "op" and t[1] in ("++", "--"):
            self.take()
            name = self.take()
            if name[0] != "name":
                raise ShellError("arithmetic syntax error")
            v = _int_var(self.shell, name[1]) + (1 if t[1] == "++" else -1)
            self.shell.setvar(name[1], str(v))
            return v
        return self.postfix()

    def postfix(self) -> int:
        t = self.take()
        if t == ("op", "("):
            v = self.comma()
            self.expect(")")
            return v
        if t[0] == "num":
            return _parse_int(t[1])
        if t[0] == "name":
            v = _int_var(self.shell, t[1])
            if self.peek() in (("op", "++"), ("op", "--")):
                op = self.take()[1]
                self.shell.setvar(t[1], str(v + (1 if op == "++" else -1)))
            return v
        raise ShellError("arithmetic syntax error")


def _parse_int(text: str) -> int:
    t = text.strip()
    neg = t.startswith("-")
    if neg or t.startswith("+"):
        t = t[1:]
    if t.lower().startswith("0x"):
        v = int(t, 16)
    elif len(t) > 1 and t.startswith("0"):
        v = int(t, 8)
    else:
        v = int(t)
    return -v if neg else v


def arith_eval(expr: str, shell: "Shell") -> int:
    """``$((...))``: integer C arithmetic (all C operators, ``**``, assignments, ``++``),
    variables by name. Division truncates toward zero as in C."""
    return _Arith(expr, shell).run()


def _int_var(shell: "Shell", name: str) -> int:
    v = shell.getvar(name)
    if v is None or v.strip() == "":
        return 0
    try:
        return _parse_int(v)
    except ValueError:
        try:
            return arith_eval(v, shell)
        except ShellError:
            raise ShellError("arithmetic syntax error")


def _binop(op: str, a: int, b: int) -> int:
    if op in ("/", "%"):
        if b == 0:
            raise ShellError("divide by zero")
        q = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
        return q if op == "/" else a - q * b
    return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
            "<<": lambda: a << b, ">>": lambda: a >> b, "&": lambda: a & b,
            "|": lambda: a | b, "^": lambda: a ^ b, "<": lambda: int(a < b),
            "<=": lambda: int(a <= b), ">": lambda: int(a > b), ">=": lambda: int(a >= b),
            "==": lambda: int(a == b), "!=": lambda: int(a != b),
            "&&": lambda: int(bool(a) and bool(b)), "||": lambda: int(bool(a) or bool(b)),
            "**": lambda: a ** b}[op]()


# ============================================================================ builtins
BUILTINS: dict = {}


def builtin(*names):
    def deco(fn):
        for n in names:
            BUILTINS[n] = fn
        return fn
    return deco


def _applet_builtin(name: str):
    """echo, printf, test, [, true, false, kill ... run in-process as ash builtins;
    their messages say ``sh:`` (busybox's applet_name stays "sh")."""

    def run(sh: Shell, argv: list[str], fds: dict) -> int:
        prog = core.PROGRAMS[name]
        env = {k: sh.vars[k] for k in sh.exported if k in sh.vars}
        proc = Proc(sh.fs, env=env, cwd=sh.cwd, uid=sh.proc.uid, gid=sh.proc.gid,
                    clock=sh.proc.clock, fds=fds, name=name, pid=sh.proc.pid,
                    flavor="dash" if sh.dash else "busybox")
        if sh.dash:
            proc.error_prefix = f"{sh.arg0}: {sh.lineno + sh.lineno_base}: {argv[0]}: "
        else:
            proc.error_prefix = f"{os.path.basename(sh.proc.name or 'sh')}: "
        try:
            code = prog(proc, argv)
        except ExitProcess as e:
            code = e.code
        except OSError as e:
            if sh.dash:
                sh.msg("I/O error", fds, builtin=argv[0])
            else:
                fds[2].write(f"{os.path.basename(sh.proc.name or 'sh')}: write error: "
                             f"{os.strerror(e.errno)}\n")
            code = 1
        return code & 0xFF

    return run


@builtin(":")
def _bi_colon(sh, argv, fds):
    return 0


@builtin("cd", "chdir")
def _bi_cd(sh: Shell, argv, fds):
    args = [a for a in argv[1:] if a not in ("-L", "-P")]
    if not args:
        target = sh.vars.get("HOME", "")
        if not target:
            return 0
    else:
        target = args[0]
    if target == "-":
        target = sh.vars.get("OLDPWD", sh.cwd)
        fds[1].write(target + "\n")
    path = normpath(target, sh.cwd)
    try:
        node = sh.fs.stat(path)
        if node.kind != DIR:
            raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))
    except OSError as e:
        if sh.dash:
            sh.msg(f"can't cd to {target}", fds, builtin="cd")
        else:
            sh.msg(f"can't cd to {target}: {os.strerror(e.errno)}", fds, builtin="cd")
        return 2
    sh.vars["OLDPWD"] = sh.cwd
    sh.cwd = path
    sh.vars["PWD"] = path
    return 0


@builtin("pwd")
def _bi_pwd(sh, argv, fds):
    fds[1].write(sh.cwd + "\n")
    return 0


@builtin("export", "readonly")
def _bi_export(sh: Shell, argv, fds):
    ro = argv[0] == "readonly"
    names = [a for a in argv[1:] if not a.startswith("-")]
    if not names:
        for k in sorted(sh.readonly if ro else sh.exported):
            if k in sh.vars:
                fds[1].write(f"{argv[0]} {k}={_export_quote(sh.vars[k])}\n")
        return 0
    for a in names:
        name, eq, value = a.partition("=")
        if eq:
            sh.setvar(name, value)
        if ro:
            sh.readonly.add(name)
        else:
            sh.exported.add(name)
    return 0


def _export_quote(v: str) -> str:
    return "'" + v.replace("'", "'\"'\"'") + "'"


@builtin("unset")
def _bi_unset(sh: Shell, argv, fds):
    funcs = "-f" in argv[1:]
    for a in argv[1:]:
        if a.startswith("-"):
            continue
        if funcs:
            sh.funcs.pop(a, None)
        else:
            if a in sh.readonly:
                sh.msg(f"{a}: is read only", fds, builtin="unset")
                return 2
            sh.vars.pop(a, None)
            sh.exported.discard(a)
    return 0


@builtin("set")
def _bi_set(sh: Shell, argv, fds):
    args = argv[1:]
    if not args:
        for k in sorted(sh.vars):
            fds[1].write(f"{k}={_export_quote(sh.vars[k])}\n")
        return 0
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            sh.args = args[i + 1:]
            return 0
        if a in ("-o", "+o") and i + 1 < len(args):
            sh.opts[{"errexit": "e", "xtrace": "x", "nounset": "u", "noglob": "f",
                     "pipefail": "pipefail", "allexport": "a"}.get(args[i + 1], args[i + 1])] = a == "-o"
            i += 2
            continue
        if a[:1] in "-+" and len(a) > 1:
            on = a[0] == "-"
            for c in a[1:]:
                sh.opts[c] = on
            i += 1
            continue
        sh.args = args[i:]
        return 0
    return 0


@builtin("shift")
def _bi_shift(sh: Shell, argv, fds):
    n = int(argv[1]) if len(argv) > 1 else 1
    if n > len(sh.args):
        sh.msg("can't shift that many", fds, builtin="shift")
        return 2
    sh.args = sh.args[n:]
    return 0


@builtin("exit")
def _bi_exit(sh: Shell, argv, fds):
    if len(argv) > 1:
        if not re.fullmatch(r"[0-9]+", argv[1]):
            sh.msg(f"Illegal number: {argv[1]}", fds, builtin="exit")
            raise ExitShell(2)
        raise ExitShell(int(argv[1]) & 0xFF)
    raise ExitShell(sh.status)


@builtin("return")
def _bi_return(sh: Shell, argv, fds):
    code = int(argv[1]) & 0xFF if len(argv) > 1 and argv[1].isdigit() else sh.status
    raise _Return(code)


@builtin("break", "continue")
def _bi_loopctl(sh: Shell, argv, fds):
    n = int(argv[1]) if len(argv) > 1 and argv[1].isdigit() else 1
    if not sh.loop_depth:
        return 0
    raise _LoopCtl(argv[0], min(n, sh.loop_depth))


@builtin("eval")
def _bi_eval(sh: Shell, argv, fds):
    src = " ".join(argv[1:])
    try:
        tree = parse(src)
    except ShSyntaxError as e:
        sh.msg(str(e), fds)
        raise ExitShell(2)
    return sh.exec_seq(tree, fds)


@builtin(".", "source")
def _bi_dot(sh: Shell, argv, fds):
    if len(argv) < 2:
        return 0
    name = argv[1]
    path = normpath(name, sh.cwd)
    if "/" not in name:
        for d in sh.vars.get("PATH", "").split(":"):
            p = join(normpath(d or ".", sh.cwd), name)
            if sh.fs.exists(p):
                path = p
                break
    try:
        src = sh.fs.read_bytes(path).decode("utf-8", "surrogateescape")
    except OSError as e:
        sh.msg(f"can't open '{name}': {os.strerror(e.errno)}", fds)
        raise ExitShell(2)
    tree = parse(src)
    try:
        return sh.exec_seq(tree, fds)
    except _Return as r:  # ``return`` ends a sourced file
        return r.code


@builtin("exec")
def _bi_exec(sh: Shell, argv, fds):
    if len(argv) == 1:  # ``exec`` alone; ``exec >file`` is handled in exec_simple
        return 0
    status = sh.run_command(argv[1:], [], fds, exec_=True)
    raise ExitShell(status)


@builtin("read")
def _bi_read(sh: Shell, argv, fds):
    names = [a for a in argv[1:] if not a.startswith("-")]
    raw = "-r" in argv[1:]
    src = fds[0]
    line = bytearray()
    got_nl = False
    while True:
        c = src.read(1)
        if not c:
            break
        if c == b"\n":
            got_nl = True
            break
        line += c
    text = line.decode("utf-8", "surrogateescape")
    if not raw:
        text = re.sub(r"\\(.)", r"\1", text)
    names = names or ["REPLY"]
    ifs = sh.vars.get("IFS", " \t\n")
    if names == ["REPLY"]:
        sh.setvar("REPLY", text)
    else:
        fields = text.strip(ifs).split(None, len(names) - 1) if ifs == " \t\n" else \
            text.split(ifs[:1], len(names) - 1)
        for i, n in enumerate(names):
            sh.setvar(n, fields[i] if i < len(fields) else "")
    return 0 if got_nl else 1


@builtin("type", "command")
def _bi_type(sh: Shell, argv, fds):
    if argv[0] == "command":
        args = argv[1:]
        if args and args[0] in ("-v", "-V"):
            verbose = args[0] == "-V"
            status = 0
            for n in args[1:]:
                d = _describe(sh, n)
                if d is None:
                    status = 127
                    if verbose:
                        fds[2].write(f"{n}: not found\n")
                elif verbose:
                    fds[1].write(d[1] + "\n")
                else:
                    fds[1].write((d[0] if d[0] else n) + "\n")
            return status
        if not args:
            return 0
        builtin_fn = BUILTINS.get(args[0])
        if builtin_fn is not None:
            return builtin_fn(sh, args, fds)
        return sh.run_command(args, [], fds) if args[0] not in sh.funcs else \
            sh.run_command(args, [], fds)
    status = 0
    for n in argv[1:]:
        d = _describe(sh, n)
        if d is None:
            fds[1].write(f"{n}: not found\n")
            status = 127
        else:
            fds[1].write(d[1] + "\n")
    return status


def _describe(sh: Shell, n: str):
    if n in sh.funcs:
        return "", f"{n} is a function"
    if n in SPECIAL_BUILTINS:
        return "", f"{n} is a special shell builtin"
    if n in BUILTINS:
        return "", f"{n} is a shell builtin"
    try:
        p = find_executable(sh.fs, n, sh.vars.get("PATH", ""), sh.cwd)
    except CommandNotFound:
        return None
    return p, f"{n} is {p}"


@builtin("umask")
def _bi_umask(sh: Shell, argv, fds):
    if len(argv) == 1:
        fds[1].write(f"{sh.fs.umask:04o}\n")
        return 0
    sh.fs.umask = int(argv[1], 8)
    return 0


@builtin("trap")
def _bi_trap(sh: Shell, argv, fds):
    """Only the EXIT trap matters in a container script: it runs when the shell exits.
    Signal traps are accepted and ignored (nothing sends signals in the model)."""
    args = argv[1:]
    if not args:
        if sh.exit_trap is not None:
            fds[1].write(f"trap -- {_export_quote(sh.exit_trap)} EXIT\n")
        return 0
    action, sigs = (args[0], args[1:]) if len(args) > 1 else ("-", args)
    for sig in sigs:
        if sig in ("EXIT", "0"):
            sh.exit_trap = None if action == "-" else action
    return 0


@builtin("wait", "hash", "alias", "unalias", "ulimit", "times", "jobs")
def _bi_noop(sh, argv, fds):
    return 0


@builtin("local")
def _bi_local(sh: Shell, argv, fds):
    if not sh.locals:
        sh.msg("not in a function", fds, builtin="local")
        return 2
    frame = sh.locals[-1]
    for a in argv[1:]:
        name, eq, value = a.partition("=")
        if name not in frame:
            frame[name] = (sh.vars.get(name), name in sh.exported)
        if eq:
            sh.setvar(name, value)
    return 0


@builtin("let")
def _bi_let(sh: Shell, argv, fds):
    v = 0
    for a in argv[1:]:
        v = arith_eval(a, sh)
    return 0 if v else 1


for _name in ("echo", "printf", "test", "[", "[[", "true", "false", "kill"):
    BUILTINS[_name] = _applet_builtin(_name)


# ============================================================================ the sh program
@core.register("sh", "ash", "bash", "dash")
def sh_main(proc: Proc, argv: list[str]) -> int:
    """busybox ash: ``sh -c 'script' [name [args...]]``, ``sh [-ex] file [args...]``, or a
    script on stdin. Options ``-e`` (errexit), ``-x`` (xtrace), ``-u``, ``-f``.
    ``sh missing`` prints ``sh: can't open 'missing': No such file or directory`` (2)."""
    args = argv[1:]
    opts: dict[str, bool] = {}
    command = None
    while args and args[0].startswith(("-", "+")) and len(args[0]) > 1 and args[0] != "--":
        a = args.pop(0)
        on = a[0] == "-"
        for c in a[1:]:
            if c == "c":
                command = True
            elif c in "exufnv":
                opts[c] = on
            elif c in "sil":
                pass
            elif c == "o" and args:
                name = args.pop(0)
                opts[{"errexit": "e", "xtrace": "x", "nounset": "u", "noglob": "f",
                      "pipefail": "pipefail"}.get(name, name)] = on
            else:
                proc.err(f"{argv[0]}: -{c}: invalid option\n")
                return 2
    if args and args[0] == "--":
        args.pop(0)
    arg0 = argv[0]
    dialect = "dash" if os.path.basename(proc.exe or "") == "dash" else "ash"
    base = 1 if dialect == "dash" else 0
    if command:
        if not args:
            proc.err(f"{arg0}: -c requires an argument\n")
            return 2
        src = args[0]
        # ``sh -c CMD NAME``: NAME becomes $0 and, as in ash, the command name in messages
        shell = Shell(proc, arg0=args[1] if len(args) > 1 else arg0, args=args[2:],
                      script_name=args[1] if len(args) > 1 else None, lineno_base=base,
                      dialect=dialect)
    elif args:
        name = args[0]
        path = normpath(name, proc.cwd)
        try:
            src = proc.fs.read_bytes(path).decode("utf-8", "surrogateescape")
        except OSError as e:
            if dialect == "dash":
                proc.err(f"{arg0}: 0: cannot open {name}: {_errmsg(e, 'No such file')}\n")
                return 2
            proc.err(f"{arg0}: can't open '{name}': {os.strerror(e.errno)}\n")
            return 2
        shell = Shell(proc, arg0=name, args=args[1:], script_name=name, lineno_base=1,
                      dialect=dialect)
    else:
        src = proc.stdin.decode("utf-8", "surrogateescape")
        shell = Shell(proc, arg0=arg0, args=[], lineno_base=1, dialect=dialect)
    shell.opts.update(opts)
    return shell.run_source(src, proc.fds)


@core.register("busybox")
def busybox_main(proc: Proc, argv: list[str]) -> int:
    """``busybox APPLET [ARGS]`` runs the applet; ``busybox`` alone prints the banner."""
    if len(argv) < 2 or argv[1].startswith("-"):
        if len(argv) > 1 and argv[1] == "--list":
            proc.out("".join(n + "\n" for n in sorted(core.PROGRAMS) if n in _APPLETS))
            return 0
        proc.out("BusyBox v1.36.1 multi-call binary.\n")
        return 0 if len(argv) < 2 else 1
    prog = core.lookup_program(argv[1])
    if prog is None or argv[1] not in _APPLETS:
        proc.err(f"{argv[1]}: applet not found\n")
        return 127
    proc.name = argv[1]
    return prog(proc, argv[1:])


_APPLETS = {
    "[", "[[", "addgroup", "adduser", "ash", "basename", "cat", "chgrp", "chmod", "chown", "cp", "cut", "date", "dd",
    "dirname", "du", "echo", "egrep", "env", "false", "fgrep", "find", "grep", "head",
    "hostname", "httpd", "id", "kill", "killall", "ln", "logname", "ls", "md5sum", "mkdir", "mktemp",
    "mv", "printenv", "printf", "pwd", "readlink", "realpath", "rm", "rmdir", "sed", "seq",
    "sh", "sha1sum", "sha256sum", "sha512sum", "sleep", "sort", "stat", "sync", "tail", "tee",
    "test", "top", "touch", "tr", "true", "truncate", "uname", "uniq", "watch", "wc", "which", "whoami",
    "xargs", "yes",
}
