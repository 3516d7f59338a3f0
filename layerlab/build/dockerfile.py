"""Dockerfile parsing: lines to instructions, with the line numbers errors must name.

Follows moby/buildkit ``frontend/dockerfile/parser``: ``#`` comments and parser directives,
backslash line continuation (the escape character can be changed with ``# escape=``), JSON
(exec) form for RUN/CMD/ENTRYPOINT/SHELL/COPY/ADD/VOLUME when the arguments parse as a JSON
array of strings, and variable substitution (``$VAR``, ``${VAR}``, ``${VAR:-word}``,
``${VAR:+word}``) in the instructions that expand (not in RUN, CMD, ENTRYPOINT).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..errors import BuildError

INSTRUCTIONS = {
    "from", "run", "cmd", "label", "maintainer", "expose", "env", "add", "copy", "entrypoint",
    "volume", "user", "workdir", "arg", "onbuild", "stopsignal", "healthcheck", "shell",
}
EXPANDS = {"add", "copy", "env", "expose", "from", "label", "stopsignal", "user", "volume",
           "workdir", "arg", "onbuild"}


@dataclass
class Instruction:
    keyword: str            # lower case: "run", "copy", ...
    args: list[str]         # parsed arguments (JSON form: the array; shell form: [text])
    line: int               # 1-based line of the instruction's first line
    original: str           # the instruction as written (continuations joined)
    json_form: bool = False
    flags: dict[str, str] = field(default_factory=dict)  # --chown=..., --from=...

    @property
    def text(self) -> str:
        """Arguments as one string (shell form)."""
        return self.args[0] if (self.args and not self.json_form) else " ".join(self.args)


def parse(source: str) -> list[Instruction]:
    """Instructions of a Dockerfile; raises BuildError naming the bad line."""
    lines = source.splitlines()
    escape = "\\"
    out: list[Instruction] = []
    i = 0
    directives_open = True
    while i < len(lines):
        raw = lines[i]
        stripped = raw.strip()
        if directives_open:
            m = re.match(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$", stripped)
            if m and m.group(1).lower() in ("escape", "syntax", "check"):
                if m.group(1).lower() == "escape":
                    escape = m.group(2)
                    if escape not in ("\\", "`"):
                        raise BuildError(f"invalid escape token {escape!r} does not match ` or \\", line=i + 1)
                i += 1
                continue
            directives_open = False
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start = i
        parts = []
        cur = raw
        while True:
            body = cur.rstrip()
            if body.endswith(escape) and not body.endswith(escape * 2):
                parts.append(body[:-1])
                i += 1
                # skip comment and empty lines inside a continuation, as buildkit does
                while i < len(lines) and (not lines[i].strip() or lines[i].strip().startswith("#")):
                    i += 1
                if i >= len(lines):
                    break
                cur = lines[i]
                continue
            parts.append(cur)
            i += 1
            break
        text = "".join(parts).strip()
        out.append(_instruction(text, start + 1))
    return out


def _instruction(text: str, line: int) -> Instruction:
    m = re.match(r"^(\S+)\s*(.*)$", text, re.S)
    assert m
    word, rest = m.group(1), m.group(2).strip()
    keyword = word.lower()
    if keyword not in INSTRUCTIONS:
        raise BuildError.parse_error(line, f"unknown instruction: {word}")
    flags: dict[str, str] = {}
    if keyword in ("copy", "add", "run", "from", "healthcheck"):
        while True:
            fm = re.match(r"^--([a-zA-Z][a-zA-Z0-9-]*)(?:=(\S*))?\s*(.*)$", rest, re.S)
            if not fm:
                break
            flags[fm.group(1)] = fm.group(2) if fm.group(2) is not None else "true"
            rest = fm.group(3)
    if keyword in ("run", "cmd", "entrypoint", "shell", "copy", "add", "volume") and rest.startswith("["):
        try:
            arr = json.loads(rest)
            if isinstance(arr, list) and all(isinstance(a, str) for a in arr):
                return Instruction(keyword, arr, line, text, True, flags)
        except ValueError:
            pass
    if not rest and keyword not in ("cmd", "entrypoint"):
        raise BuildError.parse_error(line, f"{keyword.upper()} requires at least one argument")
    return Instruction(keyword, [rest], line, text, False, flags)


_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def expand(text: str, env: dict[str, str]) -> str:
    """Dockerfile variable substitution (a ``\\$`` stays a literal ``$``)."""
    def sub(m: re.Match) -> str:
        name = m.group(1) or m.group(4)
        op, word = m.group(2), m.group(3)
        value = env.get(name)
        if op in (":-",):
            return value if value else expand(word, env)
        if op == "-":
            return value if value is not None else expand(word, env)
        if op == ":+":
            return expand(word, env) if value else ""
        if op == "+":
            return expand(word, env) if value is not None else ""
        return value or ""
    out, pos = [], 0
    for m in re.finditer(r"\\\$|" + _VAR.pattern, text):
        out.append(text[pos:m.start()])
        out.append("$" if m.group(0) == "\\$" else sub(m))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def split_words(text: str) -> list[str]:
    """Whitespace-separated words, honouring quotes (ENV/LABEL key=value pairs)."""
    words, cur, quote, i, has = [], [], None, 0, False
    while i < len(text):
        c = text[i]
        if quote:
            if c == quote:
                quote = None
            elif c == "\\" and quote == '"' and i + 1 < len(text):
                i += 1
                cur.append(text[i])
            else:
                cur.append(c)
        elif c in "\"'":
            quote, has = c, True
        elif c == "\\" and i + 1 < len(text):
            i += 1
            cur.append(text[i])
            has = True
        elif c.isspace():
            if cur or has:
                words.append("".join(cur))
                cur, has = [], False
        else:
            cur.append(c)
        i += 1
    if cur or has:
        words.append("".join(cur))
    return words


def key_values(inst: Instruction, env: dict[str, str]) -> list[tuple[str, str]]:
    """``ENV a=1 b="x y"`` or legacy ``ENV a 1 2`` -> pairs (values expanded)."""
    text = inst.text
    words = split_words(text)
    if words and "=" not in words[0]:
        if inst.keyword in ("env", "label"):
            key, _, value = text.strip().partition(" ")
            if not value.strip():
                raise BuildError.parse_error(inst.line, f"{inst.keyword.upper()} must have two arguments")
            return [(key, expand(value.strip(), env))]
    pairs = []
    for w in words:
        if "=" not in w:
            raise BuildError.parse_error(inst.line, f"{inst.keyword.upper()} names can not be blank"
                                         if w.startswith("=") else
                                         f"Syntax error - can't find = in \"{w}\". Must be of the form: name=value")
        k, _, v = w.partition("=")
        pairs.append((k, expand(v, env)))
    return pairs
