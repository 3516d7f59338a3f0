"""Tokenizer and parser for the ``sh`` subset: source text -> a small AST.

The grammar is POSIX shell's, cut down to what Dockerfile ``RUN`` lines and ``docker exec``
commands use: simple commands with assignments and redirections, pipelines, ``&&``/``||``,
``;``/``&``/newline lists, ``!``, ``{ ...; }``, ``( ... )``, ``if``/``elif``/``else``,
``for``/``while``/``until``, ``case``, function definitions, comments, and words made of
literal text, single/double quotes, backslash escapes, ``$VAR``/``${VAR...}``, ``$(...)``,
backquotes and ``$((...))``.

A word is kept as a list of *parts* so that expansion (``interp.py``) knows what was quoted:

* ``("lit", text)``  unquoted text (glob characters active, subject to nothing else)
* ``("q", text)``    quoted text (from '...', "...", or a backslash escape)
* ``("dq", parts)``  a double-quoted run: its ``var``/``cmd`` parts are not field-split
* ``("var", name, op, word)``  ``$name``, ``${name}``, ``${name:-word}``, ``${#name}`` ...
* ``("cmd", node)``  ``$(...)`` or a backquoted command
* ``("arith", text)`` ``$((...))``

Syntax errors raise :class:`ShSyntaxError` with busybox ash's message text
(``syntax error: unexpected "fi"``, ``syntax error: unterminated quoted string``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

RESERVED = {"if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while",
            "until", "for", "in", "{", "}", "!"}
_OPERATORS = ("&&", "||", ";;", ">>", "<<-", "<<", ">&", "<&", ">|", "<>", ";", "&", "|",
              "(", ")", "<", ">")
_METACHARS = set(" \t\n;&|()<>")
_NAME_START = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | set("0123456789")
_SPECIAL_PARAMS = set("?$#@*!-0123456789")


class ShSyntaxError(Exception):
    """A script that cannot be parsed. ``str()`` is busybox's text after ``sh: ``;
    ``lineno`` is the parser's line (0-based) where it gave up."""

    def __init__(self, msg: str, lineno: int | None = None):
        super().__init__(msg)
        self.lineno = lineno


# ---------------------------------------------------------------------------- AST
@dataclass
class Word:
    parts: list
    text: str = ""          # the source text, for ``set -x`` and messages

    def literal(self) -> str | None:
        """The word's value when it contains no quoting or expansion at all, else None."""
        if all(p[0] == "lit" for p in self.parts):
            return "".join(p[1] for p in self.parts)
        return None


@dataclass
class Redir:
    fd: int
    op: str                 # > >> < >& <& >| <> << <<-
    target: Word | None
    heredoc: Word | None = None  # for << : the body (quoted heredocs keep it literal)


@dataclass
class Simple:
    assigns: list           # [(name, Word)]
    words: list             # [Word]
    redirs: list            # [Redir]
    lineno: int = 0


@dataclass
class Pipeline:
    cmds: list
    negate: bool = False


@dataclass
class AndOr:
    first: object
    rest: list              # [(op, node)] with op "&&" or "||"


@dataclass
class Seq:
    items: list             # [(node, background: bool)]


@dataclass
class Group:
    body: Seq
    redirs: list = field(default_factory=list)


@dataclass
class Subshell:
    body: Seq
    redirs: list = field(default_factory=list)


@dataclass
class If:
    arms: list              # [(cond Seq, body Seq)]
    orelse: Seq | None
    redirs: list = field(default_factory=list)


@dataclass
class For:
    var: str
    words: list | None      # None: "$@"
    body: Seq
    redirs: list = field(default_factory=list)


@dataclass
class While:
    cond: Seq
    body: Seq
    until: bool = False
    redirs: list = field(default_factory=list)


@dataclass
class Case:
    word: Word
    arms: list              # [([Word patterns], Seq | None)]
    redirs: list = field(default_factory=list)


@dataclass
class FuncDef:
    name: str
    body: object


# ---------------------------------------------------------------------------- tokens
@dataclass
class Tok:
    kind: str               # "word", "op", "newline", "io", "eof"
    value: object           # Word for words, operator text, fd number for io
    pos: int
    lineno: int


class Parser:
    """Recursive descent over the source; tokens are read lazily (one token of look-ahead)
    because ``$(...)`` recursion and here-documents need the raw position."""

    def __init__(self, src: str, pos: int = 0, lineno: int = 0):
        self.src = src
        self.pos = pos
        self.lineno = lineno
        self._peeked: Tok | None = None
        self._pending_heredocs: list[Redir] = []

    # ------------------------------------------------------------------ lexing
    def _skip_blank(self) -> None:
        src, n = self.src, len(self.src)
        while self.pos < n:
            c = src[self.pos]
            if c in " \t":
                self.pos += 1
            elif c == "\\" and src.startswith("\\\n", self.pos):
                self.pos += 2
                self.lineno += 1
            elif c == "#":
                while self.pos < n and src[self.pos] != "\n":
                    self.pos += 1
            else:
                break

    def peek(self) -> Tok:
        if self._peeked is None:
            self._peeked = self._lex()
        return self._peeked

    def next(self) -> Tok:
        tok = self.peek()
        self._peeked = None
        return tok

    def _lex(self) -> Tok:
        self._skip_blank()
        src, n = self.src, len(self.src)
        start, line = self.pos, self.lineno
        if self.pos >= n:
            return Tok("eof", None, start, line)
        c = src[self.pos]
        if c == "\n":
            self.pos += 1
            self.lineno += 1
            if self._pending_heredocs:
                self._read_heredocs()
            return Tok("newline", "\n", start, line)
        # an IO number: digits immediately followed by < or >
        j = self.pos
        while j < n and src[j].isdigit():
            j += 1
        if j > self.pos and j < n and src[j] in "<>":
            self.pos = j
            return Tok("io", int(src[start:j]), start, line)
        for op in _OPERATORS:
            if src.startswith(op, self.pos):
                self.pos += len(op)
                return Tok("op", op, start, line)
        word = self._read_word()
        return Tok("word", word, start, line)

    def _read_word(self, stop: str = "") -> Word:
        """Read one word up to an unquoted metacharacter (or a char in ``stop``)."""
        src, n = self.src, len(self.src)
        start = self.pos
        parts: list = []
        lit: list[str] = []

        def flush():
            if lit:
                parts.append(("lit", "".join(lit)))
                lit.clear()

        while self.pos < n:
            c = src[self.pos]
            if c in _METACHARS or c in stop:
                break
            if c == "\\":
                if self.pos + 1 >= n:
                    lit.append("\\")
                    self.pos += 1
                    continue
                nxt = src[self.pos + 1]
                self.pos += 2
                if nxt == "\n":
                    self.lineno += 1
                    continue
                flush()
                parts.append(("q", nxt))
            elif c == "'":
                end = src.find("'", self.pos + 1)
                if end < 0:
                    raise ShSyntaxError("syntax error: unterminated quoted string", self.lineno)
                flush()
                text = src[self.pos + 1:end]
                self.lineno += text.count("\n")
                parts.append(("q", text))
                self.pos = end + 1
            elif c == '"':
                flush()
                self.pos += 1
                parts.append(("dq", self._read_dquoted()))
            elif c == "$":
                part = self._read_dollar(quoted=False)
                if part is None:
                    lit.append("$")
                else:
                    flush()
                    parts.append(part)
            elif c == "`":
                flush()
                parts.append(self._read_backquote())
            else:
                if c == "\n":
                    self.lineno += 1
                lit.append(c)
                self.pos += 1
        flush()
        return Word(parts, src[start:self.pos])

    def _read_dquoted(self) -> list:
        src, n = self.src, len(self.src)
        parts: list = []
        lit: list[str] = []

        def flush():
            if lit:
                parts.append(("q", "".join(lit)))
                lit.clear()

        while True:
            if self.pos >= n:
                raise ShSyntaxError("syntax error: unterminated quoted string", self.lineno)
            c = src[self.pos]
            if c == '"':
                self.pos += 1
                break
            if c == "\\" and self.pos + 1 < n and src[self.pos + 1] in '$`"\\\n':
                if src[self.pos + 1] == "\n":
                    self.lineno += 1
                else:
                    lit.append(src[self.pos + 1])
                self.pos += 2
            elif c == "$":
                part = self._read_dollar(quoted=True)
                if part is None:
                    lit.append("$")
                else:
                    flush()
                    parts.append(part)
            elif c == "`":
                flush()
                parts.append(self._read_backquote())
            else:
                if c == "\n":
                    self.lineno += 1
                lit.append(c)
                self.pos += 1
        flush()
        return parts

    def _read_dollar(self, quoted: bool):
        """At a ``$``: return an expansion part, or None for a literal ``$``."""
        src, n = self.src, len(self.src)
        i = self.pos + 1
        if i >= n:
            self.pos = i
            return None
        c = src[i]
        if src.startswith("((", i):
            depth, j = 0, i + 2
            while j < n:
                if src[j] == "(":
                    depth += 1
                elif src[j] == ")":
                    if depth == 0 and src.startswith("))", j):
                        self.pos = j + 2
                        return ("arith", src[i + 2:j])
                    depth -= 1
                j += 1
            raise ShSyntaxError("syntax error: unterminated arithmetic expression", self.lineno)
        if c == "(":
            sub = Parser(src, i + 1, self.lineno)
            body = sub.parse_list(until={")"})
            tok = sub.next()
            if tok.kind != "op" or tok.value != ")":
                raise self._syntax(tok)
            self.pos, self.lineno = sub.pos, sub.lineno
            return ("cmd", body)
        if c == "{":
            return self._read_braced(i + 1)
        if c in _NAME_START:
            j = i
            while j < n and src[j] in _NAME_CHARS:
                j += 1
            self.pos = j
            return ("var", src[i:j], "", None)
        if c in _SPECIAL_PARAMS:
            self.pos = i + 1
            return ("var", c, "", None)
        self.pos = i
        return None

    def _read_braced(self, i: int):
        src, n = self.src, len(self.src)
        if i < n and src[i] == "#" and i + 1 < n and src[i + 1] != "}":
            j = i + 1
            while j < n and (src[j] in _NAME_CHARS or (j == i + 1 and src[j] in _SPECIAL_PARAMS)):
                j += 1
                if src[j - 1] in _SPECIAL_PARAMS and not src[j - 1].isdigit():
                    break
            if j >= n or src[j] != "}":
                raise ShSyntaxError("syntax error: bad substitution", self.lineno)
            self.pos = j + 1
            return ("var", src[i + 1:j], "#len", None)
        j = i
        if j < n and src[j] in _SPECIAL_PARAMS:
            j += 1
            if src[j - 1].isdigit():
                while j < n and src[j].isdigit():
                    j += 1
        else:
            while j < n and src[j] in _NAME_CHARS:
                j += 1
        name = src[i:j]
        if not name:
            raise ShSyntaxError("syntax error: bad substitution", self.lineno)
        if j < n and src[j] == "}":
            self.pos = j + 1
            return ("var", name, "", None)
        for op in (":-", ":=", ":?", ":+", "-", "=", "?", "+", "%%", "%", "##", "#", "//", "/",
                   ":"):
            if src.startswith(op, j):
                break
        else:
            raise ShSyntaxError("syntax error: bad substitution", self.lineno)
        self.pos = j + len(op)
        arg = self._read_brace_arg()
        return ("var", name, op, arg)

    def _read_brace_arg(self) -> Word:
        """The word inside ``${name<op>word}`` up to the closing brace (quotes allowed)."""
        src, n = self.src, len(self.src)
        start = self.pos
        parts: list = []
        lit: list[str] = []

        def flush():
            if lit:
                parts.append(("lit", "".join(lit)))
                lit.clear()

        while True:
            if self.pos >= n:
                raise ShSyntaxError("syntax error: unterminated quoted string", self.lineno)
            c = src[self.pos]
            if c == "}":
                self.pos += 1
                break
            if c == "\\" and self.pos + 1 < n:
                flush()
                parts.append(("q", src[self.pos + 1]))
                self.pos += 2
            elif c == "'":
                end = src.find("'", self.pos + 1)
                if end < 0:
                    raise ShSyntaxError("syntax error: unterminated quoted string", self.lineno)
                flush()
                parts.append(("q", src[self.pos + 1:end]))
                self.pos = end + 1
            elif c == '"':
                flush()
                self.pos += 1
                parts.append(("dq", self._read_dquoted()))
            elif c == "$":
                part = self._read_dollar(quoted=False)
                if part is None:
                    lit.append("$")
                else:
                    flush()
                    parts.append(part)
            elif c == "`":
                flush()
                parts.append(self._read_backquote())
            else:
                lit.append(c)
                self.pos += 1
        flush()
        return Word(parts, src[start:self.pos - 1])

    def _read_backquote(self):
        src, n = self.src, len(self.src)
        j = self.pos + 1
        body: list[str] = []
        while True:
            if j >= n:
                raise ShSyntaxError("syntax error: unterminated quoted string", self.lineno)
            c = src[j]
            if c == "`":
                break
            if c == "\\" and j + 1 < n and src[j + 1] in "$`\\":
                body.append(src[j + 1])
                j += 2
                continue
            body.append(c)
            j += 1
        self.pos = j + 1
        inner = "".join(body)
        node = Parser(inner, 0, self.lineno).parse_program()
        return ("cmd", node)

    def _read_heredocs(self) -> None:
        """Read the bodies of here-documents whose ``<<WORD`` was on the line just ended."""
        src = self.src
        for redir in self._pending_heredocs:
            delim_word = redir.target
            delim = "".join(p[1] if p[0] in ("lit", "q") else "".join(q[1] for q in p[1])
                            for p in delim_word.parts)
            quoted = any(p[0] != "lit" for p in delim_word.parts)
            strip = redir.op == "<<-"
            lines: list[str] = []
            while True:
                if self.pos >= len(src):
                    break
                end = src.find("\n", self.pos)
                line = src[self.pos:] if end < 0 else src[self.pos:end]
                self.pos = len(src) if end < 0 else end + 1
                self.lineno += 1
                check = line.lstrip("\t") if strip else line
                if check == delim:
                    break
                lines.append(check + "\n")
            body = "".join(lines)
            if quoted:
                redir.heredoc = Word([("q", body)], body)
            else:
                redir.heredoc = Word([("dq", _heredoc_parts(body, self.lineno))], body)
        self._pending_heredocs = []

    # ------------------------------------------------------------------ grammar
    def parse_program(self) -> Seq:
        """The whole script at once (``eval``, ``.``, tests)."""
        items: list = []
        while True:
            seq = self.parse_next()
            if seq is None:
                return Seq(items)
            items.extend(seq.items)

    def parse_next(self) -> Seq | None:
        """The next top-level command line (up to an unquoted newline), or None at the end.
        ash reads and runs a script one line at a time, so a syntax error on line 3 comes
        after lines 1 and 2 have run."""
        self._skip_newlines()
        tok = self.peek()
        if tok.kind == "eof":
            return None
        seq = self.parse_list(until=set(), one_line=True)
        tok = self.peek()
        if tok.kind == "newline":
            self.next()
        elif tok.kind != "eof":
            raise self._syntax(tok)
        return seq

    def _is_word(self, tok: Tok, value: str) -> bool:
        return tok.kind == "word" and tok.value.literal() == value

    _CLOSERS = {"then", "else", "elif", "fi", "do", "done", "esac", "}"}

    def _at_terminator(self, tok: Tok, until: set[str]) -> bool:
        if tok.kind == "eof":
            return True
        if tok.kind == "op" and tok.value in until:
            return True
        if tok.kind == "word" and until and tok.value.literal() in (until | self._CLOSERS):
            return True
        return False

    def _skip_newlines(self) -> None:
        while self.peek().kind == "newline":
            self.next()

    def parse_list(self, until: set[str], one_line: bool = False) -> Seq:
        """A compound list: and-or lists separated by ``;``, ``&`` or newlines (with
        ``one_line``, a newline ends it)."""
        items: list = []
        if not one_line:
            self._skip_newlines()
        while True:
            tok = self.peek()
            if self._at_terminator(tok, until):
                break
            node = self.parse_andor()
            bg = False
            tok = self.peek()
            if tok.kind == "op" and tok.value in (";", "&"):
                self.next()
                bg = tok.value == "&"
                items.append((node, bg))
                if one_line:
                    if self.peek().kind in ("newline", "eof"):
                        break
                    continue
                self._skip_newlines()
                continue
            items.append((node, bg))
            if tok.kind == "newline" and not one_line:
                self._skip_newlines()
                continue
            break
        return Seq(items)

    def parse_andor(self):
        first = self.parse_pipeline()
        rest = []
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.value in ("&&", "||"):
                self.next()
                self._skip_newlines()
                rest.append((tok.value, self.parse_pipeline()))
            else:
                break
        return AndOr(first, rest) if rest else first

    def parse_pipeline(self):
        negate = False
        while self._is_word(self.peek(), "!"):
            self.next()
            negate = not negate
        cmds = [self.parse_command()]
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.value == "|":
                self.next()
                self._skip_newlines()
                cmds.append(self.parse_command())
            else:
                break
        if len(cmds) == 1 and not negate:
            return cmds[0]
        return Pipeline(cmds, negate)

    def _syntax(self, tok: Tok, expecting: str | None = None, closing: str | None = None):
        line = tok.lineno if tok.kind != "eof" else self.lineno
        return ShSyntaxError(_unexpected(tok, expecting), line)

    def _expect_word(self, value: str) -> None:
        tok = self.next()
        if not self._is_word(tok, value):
            raise self._syntax(tok, expecting=value)

    def parse_command(self):
        tok = self.peek()
        if tok.kind == "word":
            lit = tok.value.literal()
            if lit == "if":
                return self._with_redirs(self.parse_if())
            if lit in ("while", "until"):
                return self._with_redirs(self.parse_while())
            if lit == "for":
                return self._with_redirs(self.parse_for())
            if lit == "case":
                return self._with_redirs(self.parse_case())
            if lit == "{":
                self.next()
                body = self.parse_list(until={"}"})
                if not body.items:
                    raise self._syntax(self.peek(), expecting="}" if self.peek().kind == "eof" else None)
                self._expect_word("}")
                return self._with_redirs(Group(body))
            if lit in ("then", "else", "elif", "fi", "do", "done", "esac", "}", "in"):
                raise self._syntax(tok)
        if tok.kind == "op" and tok.value == "(":
            self.next()
            body = self.parse_list(until={")"})
            end = self.next()
            if end.kind != "op" or end.value != ")":
                raise self._syntax(end, expecting=")")
            return self._with_redirs(Subshell(body))
        return self.parse_simple()

    def _with_redirs(self, node):
        while True:
            r = self._maybe_redir()
            if r is None:
                return node
            node.redirs.append(r)

    def _maybe_redir(self) -> Redir | None:
        tok = self.peek()
        fd = None
        if tok.kind == "io":
            self.next()
            fd = tok.value
            tok = self.peek()
            if tok.kind != "op":
                raise self._syntax(tok)
        if tok.kind == "op" and tok.value in (">", ">>", "<", ">&", "<&", ">|", "<>", "<<", "<<-"):
            self.next()
            op = tok.value
            target = self.next()
            if target.kind != "word":
                raise self._syntax(target)
            if fd is None:
                fd = 0 if op[0] == "<" else 1
            redir = Redir(fd, op, target.value)
            if op in ("<<", "<<-"):
                self._pending_heredocs.append(redir)
            return redir
        if fd is not None:
            raise self._syntax(tok)
        return None

    def parse_simple(self):
        assigns: list = []
        words: list = []
        redirs: list = []
        lineno = self.peek().lineno
        while True:
            r = self._maybe_redir()
            if r is not None:
                redirs.append(r)
                continue
            tok = self.peek()
            if tok.kind != "word":
                break
            if not words:
                asg = _assignment(tok.value)
                if asg is not None:
                    self.next()
                    assigns.append(asg)
                    continue
            self.next()
            words.append(tok.value)
            # a function definition: name ( ) compound-command
            if len(words) == 1 and not assigns and not redirs:
                nxt = self.peek()
                name = tok.value.literal()
                if nxt.kind == "op" and nxt.value == "(" and name:
                    self.next()
                    close = self.next()
                    if close.kind != "op" or close.value != ")":
                        raise self._syntax(close, expecting=")")
                    if not _is_name(name):
                        raise ShSyntaxError("syntax error: bad function name", tok.lineno)
                    self._skip_newlines()
                    return FuncDef(name, self.parse_command())
        if not assigns and not words and not redirs:
            raise self._syntax(self.peek())
        return Simple(assigns, words, redirs, lineno)

    def parse_if(self):
        self._expect_word("if")
        arms = []
        cond = self.parse_list(until={"then"})
        self._expect_word("then")
        body = self.parse_list(until={"elif", "else", "fi"})
        if not body.items:
            nxt = self.peek()
            raise self._syntax(nxt, expecting="fi" if nxt.kind == "eof" else None)
        arms.append((cond, body))
        orelse = None
        while True:
            tok = self.next()
            lit = tok.value.literal() if tok.kind == "word" else None
            if lit == "elif":
                cond = self.parse_list(until={"then"})
                self._expect_word("then")
                body = self.parse_list(until={"elif", "else", "fi"})
                arms.append((cond, body))
            elif lit == "else":
                orelse = self.parse_list(until={"fi"})
                self._expect_word("fi")
                break
            elif lit == "fi":
                break
            else:
                raise self._syntax(tok, expecting="fi")
        return If(arms, orelse)

    def parse_while(self):
        tok = self.next()
        until = tok.value.literal() == "until"
        cond = self.parse_list(until={"do"})
        self._expect_word("do")
        body = self.parse_list(until={"done"})
        self._expect_word("done")
        return While(cond, body, until)

    def parse_for(self):
        self._expect_word("for")
        tok = self.next()
        name = tok.value.literal() if tok.kind == "word" else None
        if not name or not _is_name(name):
            raise ShSyntaxError("syntax error: bad for loop variable", tok.lineno)
        words = None
        while self.peek().kind == "newline":
            self.next()
        if self._is_word(self.peek(), "in"):
            self.next()
            words = []
            while self.peek().kind == "word":
                words.append(self.next().value)
            tok = self.next()
            if not (tok.kind == "newline" or (tok.kind == "op" and tok.value == ";")):
                raise self._syntax(tok)
        elif self.peek().kind == "op" and self.peek().value == ";":
            self.next()
        self._skip_newlines()
        self._expect_word("do")
        body = self.parse_list(until={"done"})
        self._expect_word("done")
        return For(name, words, body)

    def parse_case(self):
        self._expect_word("case")
        tok = self.next()
        if tok.kind != "word":
            raise self._syntax(tok)
        word = tok.value
        self._skip_newlines()
        self._expect_word("in")
        arms = []
        self._skip_newlines()
        while not self._is_word(self.peek(), "esac"):
            if self.peek().kind == "op" and self.peek().value == "(":
                self.next()
            pats = []
            while True:
                t = self.next()
                if t.kind != "word":
                    raise self._syntax(t, expecting=")" if t.kind == "eof" else None)
                pats.append(t.value)
                t = self.next()
                if t.kind == "op" and t.value == "|":
                    continue
                if t.kind == "op" and t.value == ")":
                    break
                raise self._syntax(t, expecting=")")
            body = self.parse_list(until={";;", "esac"})
            arms.append((pats, body))
            t = self.peek()
            if t.kind == "op" and t.value == ";;":
                self.next()
                self._skip_newlines()
            elif not self._is_word(t, "esac"):
                raise self._syntax(t, expecting=";;")
        self.next()
        return Case(word, arms)


# ---------------------------------------------------------------------------- helpers
def _is_name(s: str) -> bool:
    return bool(s) and s[0] in _NAME_START and all(c in _NAME_CHARS for c in s)


def _assignment(word: Word):
    """``NAME=value`` -> (name, value Word), when the ``NAME=`` prefix is unquoted."""
    if not word.parts or word.parts[0][0] != "lit":
        return None
    first = word.parts[0][1]
    eq = first.find("=")
    if eq <= 0 or not _is_name(first[:eq]):
        return None
    rest = first[eq + 1:]
    parts = ([("lit", rest)] if rest else []) + list(word.parts[1:])
    return first[:eq], Word(parts, word.text[eq + 1:])


def _heredoc_parts(body: str, lineno: int) -> list:
    """An unquoted here-document body: ``$`` expansions and backslash escapes of ``$`\\``."""
    p = Parser(body, 0, lineno)
    parts: list = []
    lit: list[str] = []
    n = len(body)
    while p.pos < n:
        c = body[p.pos]
        if c == "\\" and p.pos + 1 < n and body[p.pos + 1] in "$`\\\n":
            if body[p.pos + 1] != "\n":
                lit.append(body[p.pos + 1])
            p.pos += 2
        elif c == "$":
            part = p._read_dollar(quoted=True)
            if part is None:
                lit.append("$")
            else:
                if lit:
                    parts.append(("q", "".join(lit)))
                    lit = []
                parts.append(part)
        elif c == "`":
            if lit:
                parts.append(("q", "".join(lit)))
                lit = []
            parts.append(p._read_backquote())
        else:
            lit.append(c)
            p.pos += 1
    if lit:
        parts.append(("q", "".join(lit)))
    return parts


def _unexpected(tok: Tok, expecting: str | None = None) -> str:
    """busybox ash's ``syntax error: unexpected <token>[ (expecting "<token>")]``: keywords
    and operators are quoted, the other token kinds named (end of file, newline, word)."""
    if tok.kind == "eof":
        desc = "end of file"
    elif tok.kind == "newline":
        desc = "newline"
    elif tok.kind == "word":
        lit = tok.value.literal()
        desc = f'"{lit}"' if lit in RESERVED else "word"
    elif tok.kind == "io":
        desc = "redirection"
    else:
        desc = f'"{tok.value}"'
    return f"syntax error: unexpected {desc}" + (f' (expecting "{expecting}")' if expecting else "")


def parse(src: str, lineno: int = 0) -> Seq:
    """Parse a whole script; raises :class:`ShSyntaxError`."""
    return Parser(src, 0, lineno).parse_program()
