"""A Go ``text/template`` subset, as docker users write it for ``--format``.

Modeled on Go's ``text/template`` (``parse/lex.go``, ``parse/parse.go``,
``exec.go``, ``funcs.go``) plus docker/cli's function map
(``templates/templates.go``: ``json split join title lower upper pad
truncate``).  Supported: text, ``{{.A.B}}``, ``{{$}}``/``{{.}}``, variables
(``$x := ...``, ``$x = ...``), pipelines, parenthesised pipelines,
``if``/``else if``/``else with``/``with``/``range`` (with ``$i, $e :=``,
``break``, ``continue``, range over int), ``define``/``template``/``block``,
trim markers ``{{- -}}``, comments, and Go's builtins (``and or not len
index slice print printf println eq ne lt le gt ge html js urlquery``).

Data model: Python values stand for Go values.

=====================  ===================================================
Python                 Go
=====================  ===================================================
``dict``               ``map[string]...``; a dict whose values are all
                       ``str`` acts as ``map[string]string`` (so ``index``
                       of a missing key gives ``""``); use :class:`StrMap`
                       / :class:`AnyMap` to force either.
``list``/``tuple``     slice (``[]string`` if all items are ``str``)
``NilList``/``NilDict`` nil slice / nil map: print ``[]`` / ``map[]``,
                       JSON ``null``
``None``               nil pointer/interface: prints ``<nil>``, JSON
                       ``null``, ranges over nothing
``str int float bool`` ``string int float64 bool``
other objects          structs: ``.Field`` is ``getattr``; a callable
                       attribute is a method and is called with the args
=====================  ===================================================

A missing map key prints ``<no value>`` (``missingkey=default``);
``missingkey="zero"`` and ``"error"`` behave as Go's options.

Errors raise :class:`TemplateError` whose text is Go's, e.g.
``template: :1: function "foo" not defined`` (parse) or
``template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in
type string`` (exec).  docker CLI prefixes both with
``template parsing error: `` (``formatter.Context``, ``inspect``).
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import unicodedata
from typing import Any, Callable

from layerlab.units import go_format_float

__all__ = [
    "TemplateError",
    "Template",
    "render",
    "parse",
    "StrMap",
    "AnyMap",
    "NilList",
    "NilDict",
    "MISSING",
    "BASIC_FUNCS",
    "HEADER_FUNCS",
    "go_sprint",
    "go_sprintln",
    "go_sprintf",
    "go_json",
    "go_quote",
    "go_type_name",
]


# ---------------------------------------------------------------------------
# Value model
# ---------------------------------------------------------------------------


class _Missing:
    """Go's invalid ``reflect.Value`` (missing map key); prints ``<no value>``."""

    _inst = None

    def __new__(cls):
        if cls._inst is None:
            cls._inst = super().__new__(cls)
        return cls._inst

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()


class StrMap(dict):
    """A dict standing for ``map[string]string`` (e.g. ``Config.Labels``)."""


class AnyMap(dict):
    """A dict standing for ``map[string]interface{}``."""


class NilList(list):
    """A nil Go slice: prints ``[]``, JSON-encodes as ``null``."""


class NilDict(dict):
    """A nil Go map: prints ``map[]``, JSON-encodes as ``null``."""


class TemplateError(Exception):
    """Parse or execution error; ``str()`` is Go's message.

    ``partial`` holds the output produced before an execution error (Go
    writes straight to its writer, so that text is already out).
    """

    def __init__(self, message: str, partial: str = "") -> None:
        super().__init__(message)
        self.partial = partial


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_strmap(v: Any) -> bool:
    if isinstance(v, StrMap):
        return True
    if isinstance(v, AnyMap) or not isinstance(v, dict) or not v:
        return False
    return all(isinstance(x, str) for x in v.values())


def go_type_name(v: Any) -> str:
    """The Go type a Python value stands for, as ``%T``/errors print it."""
    if v is None or v is MISSING:
        return "<nil>"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (list, tuple)):
        if v and all(isinstance(x, str) for x in v):
            return "[]string"
        return "[]interface {}"
    if isinstance(v, dict):
        return "map[string]string" if _is_strmap(v) else "map[string]interface {}"
    return type(v).__name__


def _struct_fields(v: Any) -> list[tuple[str, Any]]:
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return [(f.name, getattr(v, f.name)) for f in dataclasses.fields(v)]
    try:
        items = vars(v).items()
    except TypeError:
        return []
    return [(k, x) for k, x in items if not k.startswith("_")]


def _has_own_str(v: Any) -> bool:
    return type(v).__str__ is not object.__str__ and not dataclasses.is_dataclass(v)


def _sorted_items(d: dict) -> list[tuple[Any, Any]]:
    """Go ``fmtsort``: ints numerically, strings bytewise, then by type."""
    def key(kv):
        k = kv[0]
        if isinstance(k, bool):
            return (0, int(k), "")
        if isinstance(k, (int, float)):
            return (1, k, "")
        return (2, 0, str(k))
    return sorted(d.items(), key=key)


# ---------------------------------------------------------------------------
# fmt: %v printing, Sprint, Sprintln, Sprintf
# ---------------------------------------------------------------------------


def _fmt_v(v: Any, top: bool = True) -> str:
    """Go ``fmt`` ``%v`` of a value."""
    if v is MISSING:
        return "<no value>" if top else "<nil>"
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return go_format_float(v, "g", -1)
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(_fmt_v(x, False) for x in v) + "]"
    if isinstance(v, dict):
        return "map[" + " ".join(
            f"{_fmt_v(k, False)}:{_fmt_v(x, False)}" for k, x in _sorted_items(v)) + "]"
    if callable(v) and not hasattr(v, "__dict__"):
        return f"{v!r}"
    if _has_own_str(v):
        return str(v)
    return "{" + " ".join(_fmt_v(x, False) for _, x in _struct_fields(v)) + "}"


def go_sprint(*args: Any) -> str:
    """Go ``fmt.Sprint``: a space between operands when neither is a string."""
    out = []
    for i, a in enumerate(args):
        if i > 0 and not isinstance(a, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(_fmt_v(a, False))
    return "".join(out)


def go_sprintln(*args: Any) -> str:
    """Go ``fmt.Sprintln``: operands always space-separated, newline added."""
    return " ".join(_fmt_v(a, False) for a in args) + "\n"


def go_quote(s: str, ascii_only: bool = False) -> str:
    """Go ``strconv.Quote`` (``QuoteToASCII`` when ``ascii_only``)."""
    out = ['"']
    for ch in s:
        r = ord(ch)
        if 0xDC80 <= r <= 0xDCFF:  # byte of invalid UTF-8 (surrogateescape)
            out.append(f"\\x{r - 0xDC00:02x}")
        elif ch in "\"\\":
            out.append("\\" + ch)
        elif ch.isprintable() and not (ascii_only and r >= 0x80):
            out.append(ch)
        elif ch in "\a\b\f\n\r\t\v":
            out.append({"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n",
                        "\r": "\\r", "\t": "\\t", "\v": "\\v"}[ch])
        elif r < 0x20 or r == 0x7F:
            out.append(f"\\x{r:02x}")
        elif r < 0x10000:
            out.append(f"\\u{r:04x}")
        else:
            out.append(f"\\U{r:08x}")
    out.append('"')
    return "".join(out)


def _utf8(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def _from_utf8(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


class _Spec:
    __slots__ = ("minus", "plus", "sharp", "space", "zero", "width", "prec")

    def __init__(self) -> None:
        self.minus = self.plus = self.sharp = self.space = self.zero = False
        self.width: int | None = None
        self.prec: int | None = None


def _pad(s: str, spec: _Spec, numeric: bool = False) -> str:
    if spec.width is None:
        return s
    n = spec.width - len(s)
    if n <= 0:
        return s
    if spec.minus:
        return s + " " * n
    if spec.zero:
        if numeric and s[:1] in "+- ":
            return s[0] + "0" * n + s[1:]
        return "0" * n + s
    return " " * n + s


def _bad_verb(verb: str, v: Any) -> str:
    if v is None or v is MISSING:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({go_type_name(v)}={_fmt_v(v, False)})"


def _fmt_int(v: int, verb: str, spec: _Spec) -> str:
    neg = v < 0
    a = -v if neg else v
    if verb in "dv":
        digits = str(a)
    elif verb == "b":
        digits = format(a, "b")
    elif verb in "oO":
        digits = format(a, "o")
    elif verb == "x":
        digits = format(a, "x")
    elif verb == "X":
        digits = format(a, "X")
    elif verb == "c":
        return _pad(chr(v) if 0 <= v <= 0x10FFFF else "\ufffd", spec)
    elif verb == "q":
        c = chr(v) if 0 <= v <= 0x10FFFF else "\ufffd"
        q = go_quote(c)[1:-1].replace("\\\"", '"')
        q = "\\'" if c == "'" else q
        return _pad(f"'{q}'", spec)
    elif verb == "U":
        s = f"U+{a:04X}"
        if spec.sharp and 0 <= v <= 0x10FFFF and chr(v).isprintable():
            s += f" '{chr(v)}'"
        return _pad(s, spec)
    else:
        return _bad_verb(verb, v)
    if spec.prec is not None:
        if spec.prec == 0 and a == 0:
            digits = ""
        digits = digits.rjust(spec.prec, "0")
    prefix = ""
    if spec.sharp:
        prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(verb, "")
    if verb == "O":
        prefix = "0o"
    sign = "-" if neg else ("+" if spec.plus else (" " if spec.space else ""))
    s = sign + prefix + digits
    if spec.zero and spec.width and not spec.minus and spec.prec is None:
        n = spec.width - len(s)
        if n > 0:
            return sign + prefix + "0" * n + digits
    return _pad(s, spec)


def _hex_float(v: float, upper: bool, prec: int | None) -> str:
    """Go ``strconv.FormatFloat(v, 'x', prec, 64)`` (``%x`` on floats)."""
    if math.isnan(v) or math.isinf(v):
        return go_format_float(v)
    neg = math.copysign(1.0, v) < 0
    if v == 0:
        mant, exp = "0", 0
        frac = ""
    else:
        h = float.hex(abs(v))  # 0x1.<13 hex digits>p<exp>
        m, e = h[2:].split("p")
        exp = int(e)
        lead, _, frac = m.partition(".")
        if lead == "0":  # subnormal: normalize like Go
            bits = int(lead + frac, 16)
            shift = bits.bit_length() - 1
            exp = -1022 - 52 + shift
            frac_bits = bits - (1 << shift)
            frac = format(frac_bits << (52 - shift), "013x") if shift <= 52 else ""
        mant = "1"
    if prec is not None:
        nb = len(frac) * 4
        if prec < len(frac):
            full = (int(mant) << nb) | int(frac, 16)
            drop = nb - prec * 4
            keep, rem = divmod(full, 1 << drop)
            half = 1 << (drop - 1)
            if rem > half or (rem == half and keep & 1):
                keep += 1
            if keep >> (prec * 4) >= 2:  # rounded up to 2.0: renormalize
                keep >>= 1
                exp += 1
            mant = str(keep >> (prec * 4))
            frac = format(keep & ((1 << (prec * 4)) - 1), f"0{prec}x") if prec else ""
        else:
            frac = frac + "0" * (prec - len(frac))
    else:
        frac = frac.rstrip("0")
    s = ("-" if neg else "") + "0x" + mant + ("." + frac if frac else "")
    s += "p" + ("-" if exp < 0 else "+") + f"{abs(exp):02d}"
    return s.upper() if upper else s


def _fmt_float(v: float, verb: str, spec: _Spec) -> str:
    if verb in "xX":
        s = _hex_float(v, verb == "X", spec.prec)
        if spec.plus and not s.startswith("-"):
            s = "+" + s
        return _pad(s, spec, numeric=True)
    if verb in "vgG":
        s = go_format_float(v, "g" if verb != "G" else "G", -1 if spec.prec is None else spec.prec)
    elif verb in "eE":
        s = go_format_float(v, verb, 6 if spec.prec is None else spec.prec)
    elif verb in "fF":
        s = go_format_float(v, "f", 6 if spec.prec is None else spec.prec)
    else:
        return _bad_verb(verb, v)
    # Go fmt.fmtFloat: reserve a sign, ' ' flag replaces '+', Inf/NaN never zero-padded
    if not s.startswith(("-", "+")):
        s = "+" + s
    if spec.space and s[0] == "+" and not spec.plus:
        s = " " + s[1:]
    if s[1:] in ("Inf", "NaN"):
        if s[1:] == "NaN" and not spec.space and not spec.plus:
            s = s[1:]
        sp = _Spec()
        sp.width, sp.minus = spec.width, spec.minus
        return _pad(s, sp)
    if s[0] == "+" and not spec.plus:
        s = s[1:]
    return _pad(s, spec, numeric=True)


def _fmt_str(v: str, verb: str, spec: _Spec) -> str:
    if verb in "sv":
        s = v if spec.prec is None else v[: spec.prec]
        return _pad(s, spec)
    if verb == "q":
        s = v if spec.prec is None else v[: spec.prec]
        if spec.sharp and "`" not in s and all(c == "\t" or c.isprintable() for c in s):
            return _pad("`" + s + "`", spec)
        return _pad(go_quote(s, ascii_only=spec.plus), spec)
    if verb in "xX":
        b = _utf8(v)
        if spec.prec is not None:
            b = b[: spec.prec]
        parts = [format(x, "02x" if verb == "x" else "02X") for x in b]
        pre = ("0x" if verb == "x" else "0X") if spec.sharp else ""
        if spec.space:
            s = " ".join(pre + p for p in parts)
        else:
            s = pre + "".join(parts)
        return _pad(s, spec)
    return _bad_verb(verb, v)


def _fmt_arg(v: Any, verb: str, spec: _Spec) -> str:
    if verb == "T":
        return _pad(go_type_name(v), spec)
    if v is MISSING:
        v = None
    if v is None:
        if verb == "v":
            return _pad("<nil>", spec)
        return _bad_verb(verb, v)
    if isinstance(v, bool):
        if verb in "tv":
            return _pad("true" if v else "false", spec)
        return _bad_verb(verb, v)
    if isinstance(v, int):
        return _fmt_int(v, verb, spec)
    if isinstance(v, float):
        return _fmt_float(v, verb, spec)
    if isinstance(v, str):
        return _fmt_str(v, verb, spec)
    # Composite values: fmt applies the verb and flags to each element.
    if isinstance(v, (list, tuple)):
        return "[" + " ".join(_fmt_arg(x, verb, spec) for x in v) + "]"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{_fmt_arg(k, verb, spec)}:{_fmt_arg(x, verb, spec)}"
                                 for k, x in _sorted_items(v)) + "]"
    if verb in "sv" and _has_own_str(v):
        return _fmt_str(str(v), verb, spec)
    return "{" + " ".join(_fmt_arg(x, verb, spec) for _, x in _struct_fields(v)) + "}"


def go_sprintf(fmt: str, *args: Any) -> str:
    """Go ``fmt.Sprintf`` for the common verbs.

    Verbs ``v s q d b o O x X c U e E f F g G t T %`` with flags ``+ - # 0
    space``, width and precision (``*`` too).  Error forms follow Go:
    ``%!d(string=hi)``, ``%!d(MISSING)``, ``%!(EXTRA int=2)``,
    ``%!(NOVERB)``.  Explicit argument indexes (``%[1]d``) are not supported.
    """
    out: list[str] = []
    argi = 0
    i = 0
    n = len(fmt)
    while i < n:
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        out.append(fmt[i:j])
        i = j + 1
        spec = _Spec()
        while i < n and fmt[i] in "+-# 0":
            c = fmt[i]
            if c == "+":
                spec.plus = True
            elif c == "-":
                spec.minus = True
                spec.zero = False
            elif c == "#":
                spec.sharp = True
            elif c == " ":
                spec.space = True
            elif c == "0":
                spec.zero = not spec.minus
            i += 1
        if i < n and fmt[i] == "*":
            i += 1
            if argi < len(args) and _is_int(args[argi]):
                spec.width = args[argi]
                if spec.width < 0:
                    spec.minus, spec.width = True, -spec.width
            else:
                out.append("%!(BADWIDTH)")
            argi += 1
        else:
            k = i
            while i < n and fmt[i].isdigit():
                i += 1
            if i > k:
                spec.width = int(fmt[k:i])
        if i < n and fmt[i] == ".":
            i += 1
            if i < n and fmt[i] == "*":
                i += 1
                if argi < len(args) and _is_int(args[argi]):
                    spec.prec = max(args[argi], 0)
                else:
                    out.append("%!(BADPREC)")
                argi += 1
            else:
                k = i
                while i < n and fmt[i].isdigit():
                    i += 1
                spec.prec = int(fmt[k:i]) if i > k else 0
        if i >= n:
            out.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            out.append("%")
            continue
        if argi >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        out.append(_fmt_arg(args[argi], verb, spec))
        argi += 1
    if argi < len(args):
        extra = ", ".join(
            "<nil>" if a is None or a is MISSING else f"{go_type_name(a)}={_fmt_v(a, False)}"
            for a in args[argi:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


# ---------------------------------------------------------------------------
# encoding/json (docker's json func: SetEscapeHTML(false))
# ---------------------------------------------------------------------------


class _JSONError(Exception):
    pass


def _json_str(s: str, escape_html: bool) -> str:
    out = ['"']
    for ch in s:
        r = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif r < 0x20:
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
                        "\f": "\\f"}.get(ch, f"\\u{r:04x}"))
        elif escape_html and ch in "<>&":
            out.append(f"\\u{r:04x}")
        elif r in (0x2028, 0x2029):
            out.append(f"\\u{r:04x}")
        elif 0xD800 <= r <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _json_float(f: float) -> str:
    if math.isnan(f) or math.isinf(f):
        raise _JSONError(f"json: unsupported value: {go_format_float(f)}")
    a = abs(f)
    fmt = "f"
    if a != 0 and (a < 1e-6 or a >= 1e21):
        fmt = "e"
    s = go_format_float(f, fmt, -1)
    if fmt == "e" and len(s) >= 4 and s[-4] == "e" and s[-3] == "-" and s[-2] == "0":
        s = s[:-2] + s[-1]
    return s


def _json(v: Any, escape_html: bool) -> str:
    if v is None or v is MISSING:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _json_float(v)
    if isinstance(v, str):
        return _json_str(v, escape_html)
    if isinstance(v, (NilList, NilDict)):
        return "null"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(_json(x, escape_html) for x in v) + "]"
    if isinstance(v, dict):
        items = sorted(((str(k) if not isinstance(k, bool) else str(k).lower(), x)
                        for k, x in v.items()), key=lambda kv: _utf8(kv[0]))
        return "{" + ",".join(f"{_json_str(k, escape_html)}:{_json(x, escape_html)}"
                              for k, x in items) + "}"
    if hasattr(v, "__go_json__"):
        return _json(v.__go_json__(), escape_html)
    return "{" + ",".join(f"{_json_str(k, escape_html)}:{_json(x, escape_html)}"
                          for k, x in _struct_fields(v)) + "}"


def go_json(v: Any, escape_html: bool = False) -> str:
    """Go ``json.Marshal`` output (compact, map keys sorted).

    docker's ``json`` template func uses an Encoder with
    ``SetEscapeHTML(false)``, so ``<``, ``>``, ``&`` stay literal by default;
    ``escape_html=True`` gives plain ``json.Marshal`` (``\\u003c``...).
    Raises ``ValueError`` for NaN/Inf like Go's UnsupportedValueError.
    """
    try:
        return _json(v, escape_html)
    except _JSONError as e:
        raise ValueError(str(e)) from None


# ---------------------------------------------------------------------------
# Function maps
# ---------------------------------------------------------------------------

# A function is (callable, param types, variadic type or None).  Types:
# "any", "string", "int", "[]string".  The callable gets converted values.


class _Func:
    __slots__ = ("fn", "params", "variadic", "builtin")

    def __init__(self, fn: Callable, params: tuple[str, ...], variadic: str | None = None,
                 builtin: bool = False) -> None:
        self.fn = fn
        self.params = params
        self.variadic = variadic
        self.builtin = builtin


class _CallError(Exception):
    """An error returned by a template function (Go ``error`` result)."""


def _title(s: str) -> str:
    """Go ``strings.Title``."""
    def is_sep(c: str) -> bool:
        if ord(c) <= 0x7F:
            return not (c.isalnum() or c == "_")
        if c.isalpha() or unicodedata.category(c) == "Nd":
            return False
        return c.isspace()
    out = []
    prev = " "
    for c in s:
        if is_sep(prev):
            t = c.title()
            out.append(t if len(t) == 1 else c)
        else:
            out.append(c)
        prev = c
    return "".join(out)


def _case_map(s: str, upper: bool) -> str:
    """Go ``strings.ToUpper``/``ToLower``: simple per-rune case mapping."""
    if s.isascii():
        return s.upper() if upper else s.lower()
    out = []
    for c in s:
        m = c.upper() if upper else c.lower()
        if len(m) != 1:
            m = "i" if c == "\u0130" and not upper else c
        out.append(m)
    return "".join(out)


def _split(s: str, sep: str) -> list[str]:
    if sep == "":
        return list(s)
    return s.split(sep)


def _pad_with_space(source: str, prefix: int, suffix: int) -> str:
    if source == "":
        return source
    return " " * max(prefix, 0) + source + " " * max(suffix, 0)


def _truncate(source: str, length: int) -> str:
    b = _utf8(source)
    if len(b) < length:
        return source
    if length < 0:
        raise _CallError(f"runtime error: slice bounds out of range [:{length}]")
    return _from_utf8(b[:length])


def _docker_json(v: Any) -> str:
    try:
        return _json(v, False)
    except _JSONError:
        return ""  # docker ignores the Encode error and returns ""


def _truth(v: Any) -> bool:
    """Go ``template.IsTrue``."""
    if v is None or v is MISSING:
        return False
    if isinstance(v, (bool, int, float, str, list, tuple, dict)):
        return bool(v)
    return True


def _b_not(a):
    return not _truth(a)


def _b_len(a):
    if a is None or a is MISSING or isinstance(a, (NilList, NilDict)):
        if a is MISSING:
            raise _CallError("len of nil pointer")
        return 0
    if isinstance(a, str):
        return len(_utf8(a))
    if isinstance(a, (list, tuple, dict)):
        return len(a)
    raise _CallError(f"len of type {go_type_name(a)}")


def _index_one(item, idx):
    if item is None or item is MISSING:
        raise _CallError("index of untyped nil")
    if isinstance(item, dict):
        if idx is None or idx is MISSING:
            raise _CallError("value is nil; should be of type string")
        if not isinstance(idx, str):
            raise _CallError(f"value has type {go_type_name(idx)}; should be string")
        if idx in item:
            return item[idx]
        return "" if _is_strmap(item) else MISSING
    if isinstance(item, (str, list, tuple)):
        if not _is_int(idx):
            raise _CallError(f"cannot index slice/array with type {go_type_name(idx)}")
        seq = _utf8(item) if isinstance(item, str) else item
        if idx < 0 or idx >= len(seq):
            raise _CallError(f"index out of range: {idx}")
        return seq[idx]
    raise _CallError(f"can't index item of type {go_type_name(item)}")


def _b_index(item, *indexes):
    for idx in indexes:
        item = _index_one(item, idx)
    return item


def _b_slice(item, *indexes):
    if item is None or item is MISSING:
        raise _CallError("slice of untyped nil")
    if len(indexes) > 3:
        raise _CallError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise _CallError("cannot 3-index slice a string")
        seq: Any = _utf8(item)
    elif isinstance(item, (list, tuple)):
        seq = list(item)
    else:
        raise _CallError(f"can't slice item of type {go_type_name(item)}")
    cap = len(seq)
    idx = [0, len(seq)]
    for i, x in enumerate(indexes):
        if not _is_int(x):
            raise _CallError(f"cannot index slice/array with type {go_type_name(x)}")
        if x < 0 or x > cap:
            raise _CallError(f"index out of range: {x}")
        if i < 2:
            idx[i] = x
    if idx[0] > idx[1]:
        raise _CallError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and indexes[1] > indexes[2]:
        raise _CallError(f"invalid slice index: {indexes[1]} > {indexes[2]}")
    out = seq[idx[0]:idx[1]]
    return _from_utf8(out) if isinstance(item, str) else out


def _kind(v):
    """Go ``basicKind``: "bool", "int", "float", "string", "nil" (invalid
    value) or None (not a basic kind)."""
    if v is None or v is MISSING:
        return "nil"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    return None


def _b_eq(arg1, *args):
    """Go ``eq``: true if ``arg1`` equals any of ``args``."""
    if not args:
        raise _CallError("missing argument for comparison")
    k1 = _kind(arg1)
    for a in args:
        k2 = _kind(a)
        if k1 != k2:
            if k1 != "nil" and k2 != "nil":
                raise _CallError("incompatible types for comparison")
            continue
        if k1 is None:
            if isinstance(a, (list, tuple, dict)):
                raise _CallError(f"non-comparable type {_fmt_v(a, False)}: {go_type_name(a)}")
            truth = arg1 is a or arg1 == a
        else:
            truth = k1 == "nil" or arg1 == a
        if truth:
            return True
    return False


def _b_ne(a, b):
    return not _b_eq(a, b)


def _b_lt(a, b):
    k1, k2 = _kind(a), _kind(b)
    if k1 in (None, "bool", "nil") or k2 in (None, "bool", "nil"):
        raise _CallError("invalid type for comparison")
    if k1 != k2:
        raise _CallError("incompatible types for comparison")
    if k1 == "string":
        return _utf8(a) < _utf8(b)
    return a < b


def _b_le(a, b):
    return _b_lt(a, b) or _b_eq(a, b)


def _b_gt(a, b):
    return not _b_le(a, b)


def _b_ge(a, b):
    return not _b_lt(a, b)


def _eval_args_str(args) -> str:
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return go_sprint(*[None if a is MISSING else a for a in args])


def _b_html(*args):
    s = _eval_args_str(args)
    return "".join({"<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&#34;", "'": "&#39;",
                    "\0": "\ufffd"}.get(c, c) for c in s)


def _b_js(*args):
    s = _eval_args_str(args)
    out = []
    for c in s:
        r = ord(c)
        if c in "\\'\"<>&=":
            out.append({"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E",
                        "&": "\\u0026", "=": "\\u003D"}[c])
        elif r < 0x20:
            out.append(f"\\u00{r:02X}")
        elif r < 0x80 or c.isprintable():
            out.append(c)
        else:
            out.append(f"\\u{r:04X}")
    return "".join(out)


def _b_urlquery(*args):
    s = _eval_args_str(args)
    out = []
    for b in _utf8(s):
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in "-_.~"):
            out.append(c)
        elif c == " ":
            out.append("+")
        else:
            out.append(f"%{b:02X}")
    return "".join(out)


def _b_print(*args):
    return go_sprint(*[None if a is MISSING else a for a in args])


def _b_println(*args):
    return go_sprintln(*[None if a is MISSING else a for a in args])


def _b_printf(fmt, *args):
    return go_sprintf(fmt, *[None if a is MISSING else a for a in args])


_AND_OR = object()  # marker: and/or are evaluated lazily by the executor

BUILTIN_FUNCS: dict[str, _Func] = {
    "and": _Func(_AND_OR, ("any",), "any", True),
    "or": _Func(_AND_OR, ("any",), "any", True),
    "not": _Func(_b_not, ("any",), None, True),
    "len": _Func(_b_len, ("any",), None, True),
    "index": _Func(_b_index, ("any",), "any", True),
    "slice": _Func(_b_slice, ("any",), "any", True),
    "print": _Func(_b_print, (), "any", True),
    "printf": _Func(_b_printf, ("string",), "any", True),
    "println": _Func(_b_println, (), "any", True),
    "html": _Func(_b_html, (), "any", True),
    "js": _Func(_b_js, (), "any", True),
    "urlquery": _Func(_b_urlquery, (), "any", True),
    "eq": _Func(_b_eq, ("any",), "any", True),
    "ne": _Func(_b_ne, ("any", "any"), None, True),
    "lt": _Func(_b_lt, ("any", "any"), None, True),
    "le": _Func(_b_le, ("any", "any"), None, True),
    "gt": _Func(_b_gt, ("any", "any"), None, True),
    "ge": _Func(_b_ge, ("any", "any"), None, True),
}

#: docker/cli ``templates.basicFunctions``.
BASIC_FUNCS: dict[str, _Func] = {
    "json": _Func(_docker_json, ("any",)),
    "split": _Func(_split, ("string", "string")),
    "join": _Func(lambda a, sep: sep.join(a), ("[]string", "string")),
    "title": _Func(_title, ("string",)),
    "lower": _Func(lambda s: _case_map(s, False), ("string",)),
    "upper": _Func(lambda s: _case_map(s, True), ("string",)),
    "pad": _Func(_pad_with_space, ("string", "int", "int")),
    "truncate": _Func(_truncate, ("string", "int")),
}

#: docker/cli ``templates.HeaderFunctions``: identity functions so a table
#: header keeps the column names; ``pad`` is not overridden.
HEADER_FUNCS: dict[str, _Func] = {
    **BASIC_FUNCS,
    "json": _Func(lambda v: v, ("string",)),
    "split": _Func(lambda v, _s: v, ("string", "string")),
    "join": _Func(lambda v, _s: v, ("string", "string")),
    "title": _Func(lambda v: v, ("string",)),
    "lower": _Func(lambda v: v, ("string",)),
    "upper": _Func(lambda v: v, ("string",)),
    "truncate": _Func(lambda v, _n: v, ("string", "int")),
}


# ---------------------------------------------------------------------------
# Lexer (parse/lex.go)
# ---------------------------------------------------------------------------

_SPACE = " \t\r\n"
_KEYWORDS = {"block", "break", "continue", "define", "else", "end", "if", "range",
             "nil", "template", "with"}


class _ParseError(Exception):
    def __init__(self, msg: str, pos: int) -> None:
        super().__init__(msg)
        self.msg = msg
        self.pos = pos


class _Tok:
    __slots__ = ("typ", "val", "pos")

    def __init__(self, typ: str, val: str, pos: int) -> None:
        self.typ = typ
        self.val = val
        self.pos = pos

    def __repr__(self) -> str:
        return f"{self.typ}:{self.val!r}@{self.pos}"

    def desc(self) -> str:
        """Go ``item.String()``: how the parser quotes an unexpected item."""
        if self.typ == "eof":
            return "EOF"
        if self.typ in _KEYWORDS or self.typ == "dot":
            return f"<{self.val}>"
        if len(self.val) > 10:
            return go_quote(self.val[:10]) + "..."
        return go_quote(self.val)


def _is_alnum(c: str) -> bool:
    return c == "_" or c.isalpha() or unicodedata.category(c) == "Nd"


def _char_desc(c: str) -> str:
    r = ord(c)
    return f"U+{r:04X} '{c}'" if c.isprintable() else f"U+{r:04X}"


def _lex(text: str) -> list[_Tok]:
    """Tokenize; a lexing error becomes a final ``error`` token so that, as
    with Go's incremental lexer, earlier parse errors are reported first."""
    toks: list[_Tok] = []
    try:
        _lex_into(text, toks)
    except _ParseError as e:
        toks.append(_Tok("error", e.msg, e.pos))
    return toks


def _lex_into(text: str, toks: list[_Tok]) -> None:
    n = len(text)
    i = 0
    trim_left_next = False
    while True:
        if trim_left_next:
            while i < n and text[i] in _SPACE:
                i += 1
            trim_left_next = False
        j = text.find("{{", i)
        end = n if j < 0 else j
        # "{{- " trims the whitespace before the action
        trim = j >= 0 and text.startswith("-", j + 2) and j + 3 < n and text[j + 3] in _SPACE
        seg = text[i:end]
        if trim:
            seg = seg.rstrip(_SPACE)
        if seg:
            toks.append(_Tok("text", seg, i))
        if j < 0:
            toks.append(_Tok("eof", "", n))
            return
        k = j + 2 + (2 if trim else 0)
        if text.startswith("/*", k):
            e = text.find("*/", k + 2)
            if e < 0:
                raise _ParseError("unclosed comment", k)
            k = e + 2
            if k + 1 < n and text[k] in _SPACE and text.startswith("-}}", k + 1):
                i = k + 4
                trim_left_next = True
            elif text.startswith("}}", k):
                i = k + 2
            else:
                raise _ParseError("comment ends before closing delimiter", k)
            continue
        toks.append(_Tok("{{", "{{", j))
        i = _lex_action(text, k, toks)
        if toks[-1].typ == "}}-":
            toks[-1].typ = "}}"
            trim_left_next = True


def _lex_action(text: str, i: int, toks: list[_Tok]) -> int:
    n = len(text)
    depth = 0
    while True:
        # right delimiter, possibly with trim marker
        if text.startswith("}}", i) or (i + 1 < n and text[i] in _SPACE
                                        and text.startswith("-}}", i + 1)):
            if depth:
                raise _ParseError("unclosed left paren", i)
            if text.startswith("}}", i):
                toks.append(_Tok("}}", "}}", i))
                return i + 2
            toks.append(_Tok("}}-", "}}", i))
            return i + 4
        if i >= n:
            raise _ParseError("unclosed action", i)
        c = text[i]
        start = i
        if c in _SPACE:
            while i < n and text[i] in _SPACE:
                i += 1
            if text.startswith("-}}", i):
                i -= 1  # the last space belongs to the " -}}" trim marker
            if i > start:
                toks.append(_Tok("space", text[start:i], start))
            continue
        if c == "=":
            toks.append(_Tok("=", "=", i))
            i += 1
        elif c == ":":
            if not text.startswith(":=", i):
                raise _ParseError("expected :=", i)
            toks.append(_Tok(":=", ":=", i))
            i += 2
        elif c == "|":
            toks.append(_Tok("|", "|", i))
            i += 1
        elif c == '"':
            i += 1
            while True:
                if i >= n or text[i] == "\n":
                    raise _ParseError("unterminated quoted string", start)
                if text[i] == "\\":
                    i += 2
                    continue
                if text[i] == '"':
                    break
                i += 1
            i += 1
            toks.append(_Tok("string", text[start:i], start))
        elif c == "`":
            e = text.find("`", i + 1)
            if e < 0:
                raise _ParseError("unterminated raw quoted string", start)
            i = e + 1
            toks.append(_Tok("rawstring", text[start:i], start))
        elif c == "'":
            i += 1
            while True:
                if i >= n or text[i] == "\n":
                    raise _ParseError("unterminated character constant", start)
                if text[i] == "\\":
                    i += 2
                    continue
                if text[i] == "'":
                    break
                i += 1
            i += 1
            toks.append(_Tok("char", text[start:i], start))
        elif c == "$" or (c == "." and not (i + 1 < n and text[i + 1].isdigit())):
            i += 1
            while i < n and _is_alnum(text[i]):
                i += 1
            word = text[start:i]
            typ = "variable" if c == "$" else ("dot" if word == "." else "field")
            _check_terminator(text, i)
            toks.append(_Tok(typ, word, start))
        elif c in "+-." or c.isdigit():
            i = _scan_number(text, i)
            if i < n and text[i] in "+-":
                # Go lexNumber: a sign after a number starts a complex literal
                j = _scan_number(text, i, complex_part=True)
                if text[j - 1] != "i":
                    raise _ParseError(f"bad number syntax: {go_quote(text[start:j])}", start)
                raise _ParseError(f"complex constants are not supported: {text[start:j]}", start)
            toks.append(_Tok("number", text[start:i], start))
        elif _is_alnum(c):
            while i < n and _is_alnum(text[i]):
                i += 1
            word = text[start:i]
            _check_terminator(text, i)
            if word in _KEYWORDS:
                typ = word
            elif word in ("true", "false"):
                typ = "bool"
            else:
                typ = "identifier"
            toks.append(_Tok(typ, word, start))
        elif c == "(":
            depth += 1
            toks.append(_Tok("(", "(", i))
            i += 1
        elif c == ")":
            depth -= 1
            if depth < 0:
                raise _ParseError("unexpected right paren", i)
            toks.append(_Tok(")", ")", i))
            i += 1
        elif ord(c) < 0x80 and c.isprintable():
            toks.append(_Tok("char_", c, i))
            i += 1
        else:
            raise _ParseError(f"bad character {_char_desc(c)}", i)


def _check_terminator(text: str, i: int) -> None:
    if i >= len(text):
        return
    c = text[i]
    if c in _SPACE or c in ".,|:()" or text.startswith("}}", i):
        return
    raise _ParseError(f"bad character {_char_desc(c)}", i)


def _scan_number(text: str, i: int, complex_part: bool = False) -> int:
    """Go ``lexer.scanNumber``; returns the end index or raises."""
    n = len(text)
    start = i

    def accept(chars: str) -> bool:
        nonlocal i
        if i < n and text[i] in chars:
            i += 1
            return True
        return False

    def accept_run(chars: str) -> None:
        nonlocal i
        while i < n and text[i] in chars:
            i += 1

    accept("+-")
    digits = "0123456789_"
    if accept("0"):
        if accept("xX"):
            digits = "0123456789abcdefABCDEF_"
        elif accept("oO"):
            digits = "01234567_"
        elif accept("bB"):
            digits = "01_"
    accept_run(digits)
    if accept("."):
        accept_run(digits)
    if len(digits) == 11 and accept("eE"):
        accept("+-")
        accept_run("0123456789_")
    if len(digits) == 23 and accept("pP"):
        accept("+-")
        accept_run("0123456789_")
    accept("i")
    if i < n and _is_alnum(text[i]):
        raise _ParseError(f"bad number syntax: {go_quote(text[start:i + 1])}", start)
    if i == start and not complex_part:
        raise _ParseError(f"bad number syntax: {go_quote(text[start:i + 1])}", start)
    return i


# ---------------------------------------------------------------------------
# Parse tree (parse/node.go, parse/parse.go)
# ---------------------------------------------------------------------------


class _Node:
    pos = 0


class _Text(_Node):
    def __init__(self, pos, text):
        self.pos, self.text = pos, text


class _Field(_Node):
    def __init__(self, pos, ident):
        self.pos, self.ident = pos, ident

    def __str__(self):
        return "".join("." + x for x in self.ident)


class _Variable(_Node):
    def __init__(self, pos, ident):
        self.pos, self.ident = pos, ident

    def __str__(self):
        return ".".join(self.ident)


class _Dot(_Node):
    def __init__(self, pos):
        self.pos = pos

    def __str__(self):
        return "."


class _Nil(_Node):
    def __init__(self, pos):
        self.pos = pos

    def __str__(self):
        return "nil"


class _Bool(_Node):
    def __init__(self, pos, val):
        self.pos, self.val = pos, val

    def __str__(self):
        return "true" if self.val else "false"


class _String(_Node):
    def __init__(self, pos, quoted, text):
        self.pos, self.quoted, self.text = pos, quoted, text

    def __str__(self):
        return self.quoted


class _Number(_Node):
    def __init__(self, pos, text, is_int, int_val, is_float, float_val, is_char=False):
        self.pos, self.text = pos, text
        self.is_int, self.int_val = is_int, int_val
        self.is_float, self.float_val = is_float, float_val
        self.is_char = is_char

    def __str__(self):
        return self.text


class _Identifier(_Node):
    def __init__(self, pos, name):
        self.pos, self.name = pos, name

    def __str__(self):
        return self.name


class _Chain(_Node):
    def __init__(self, pos, node, fields):
        self.pos, self.node, self.fields = pos, node, fields

    def __str__(self):
        s = str(self.node)
        if isinstance(self.node, _Pipe):
            s = "(" + s + ")"
        return s + "".join("." + f for f in self.fields)


class _Command(_Node):
    def __init__(self, pos, args):
        self.pos, self.args = pos, args

    def __str__(self):
        return " ".join("(" + str(a) + ")" if isinstance(a, _Pipe) else str(a)
                        for a in self.args)


class _Pipe(_Node):
    def __init__(self, pos, decl, is_assign, cmds):
        self.pos, self.decl, self.is_assign, self.cmds = pos, decl, is_assign, cmds

    def __str__(self):
        s = ""
        if self.decl:
            s = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return s + " | ".join(str(c) for c in self.cmds)


class _Action(_Node):
    def __init__(self, pos, pipe):
        self.pos, self.pipe = pos, pipe

    def __str__(self):
        return "{{" + str(self.pipe) + "}}"


class _Branch(_Node):
    def __init__(self, kind, pos, pipe, body, else_body):
        self.kind, self.pos, self.pipe = kind, pos, pipe
        self.body, self.else_body = body, else_body


class _TemplateCall(_Node):
    def __init__(self, pos, name, pipe):
        self.pos, self.name, self.pipe = pos, name, pipe

    def __str__(self):
        if self.pipe is None:
            return f"{{{{template {go_quote(self.name)}}}}}"
        return f"{{{{template {go_quote(self.name)} {self.pipe}}}}}"


class _Break(_Node):
    def __init__(self, pos):
        self.pos = pos


class _Continue(_Node):
    def __init__(self, pos):
        self.pos = pos


def _unquote(s: str) -> str:
    """Go ``strconv.Unquote`` for "..." and '...' literals."""
    q = s[0]
    body = s[1:-1]
    out: list[str] = []
    i = 0
    simple = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
              "v": "\v", "\\": "\\"}
    while i < len(body):
        c = body[i]
        if c != "\\":
            if c == q:
                raise ValueError("invalid syntax")
            out.append(c)
            i += 1
            continue
        i += 1
        if i >= len(body):
            raise ValueError("invalid syntax")
        e = body[i]
        i += 1
        if e in simple:
            out.append(simple[e])
        elif e == q:
            out.append(e)
        elif e in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[e]
            h = body[i:i + width]
            if len(h) != width or any(ch not in "0123456789abcdefABCDEF" for ch in h):
                raise ValueError("invalid syntax")
            i += width
            v = int(h, 16)
            if e == "x":
                out.append(chr(0xDC00 + v) if v >= 0x80 else chr(v))
            else:
                if v > 0x10FFFF or 0xD800 <= v <= 0xDFFF:
                    raise ValueError("invalid syntax")
                out.append(chr(v))
        elif e in "01234567":
            o = body[i - 1:i + 2]
            if len(o) != 3 or any(ch not in "01234567" for ch in o) or int(o, 8) > 255:
                raise ValueError("invalid syntax")
            i += 2
            v = int(o, 8)
            out.append(chr(0xDC00 + v) if v >= 0x80 else chr(v))
        else:
            raise ValueError("invalid syntax")
    res = "".join(out)
    # Go strings are bytes: re-decode escaped bytes into runes where valid.
    return _from_utf8(_utf8(res))


def _parse_int_go(t: str) -> int | None:
    s = t.replace("_", "") if ("_" in t) else t
    neg = s.startswith("-")
    body = s.lstrip("+-")
    try:
        if len(body) > 1 and body[0] == "0" and body[1] in "0123456789":
            v = int(body, 8)
        elif len(body) > 1 and body[0] == "0" and body[1] in "xXoObB":
            v = int(body, 0)
        else:
            v = int(body, 10)
    except ValueError:
        return None
    return -v if neg else v


def _new_number(tok: _Tok) -> _Number:
    t = tok.val
    if tok.typ == "char":
        try:
            ch = _unquote(t)
        except ValueError:
            raise _ParseError(f"malformed character constant: {t}", tok.pos) from None
        if len(ch) != 1:
            raise _ParseError(f"malformed character constant: {t}", tok.pos)
        r = ord(ch)
        return _Number(tok.pos, t, True, r, True, float(r), is_char=True)
    if t.endswith("i"):
        raise _ParseError(f"complex constants are not supported: {t}", tok.pos)
    iv = _parse_int_go(t)
    is_int = iv is not None and -(2**63) <= iv < 2**63
    fv = None
    try:
        body = t.replace("_", "")
        if body.lstrip("+-")[:2] in ("0x", "0X"):
            fv = float.fromhex(body) if any(c in body for c in ".pP") else float(iv)
        else:
            fv = float(body)
    except (ValueError, TypeError, OverflowError):
        fv = None
    if fv is not None and math.isinf(fv):
        fv = None  # strconv.ParseFloat reports out-of-range values as errors
    if fv is not None and not is_int and not any(c in t for c in ".eEpP"):
        raise _ParseError(f"integer overflow: {go_quote(t)}", tok.pos)
    if fv is not None and not is_int and math.isfinite(fv) and float(int(fv)) == fv \
            and -(2**63) <= fv < 2**63:
        is_int, iv = True, int(fv)
    if not is_int and fv is None:
        raise _ParseError(f"illegal number syntax: {go_quote(t)}", tok.pos)
    return _Number(tok.pos, t, is_int, iv if is_int else 0, fv is not None,
                   fv if fv is not None else 0.0)


class _Parser:
    def __init__(self, text: str, funcs: dict[str, _Func]) -> None:
        self.text = text
        self.funcs = funcs
        self.toks = _lex(text)
        self.i = 0
        self.vars: list[str] = ["$"]
        self.range_depth = 0
        self.defines: dict[str, list[_Node]] = {}

    # token helpers
    def next(self) -> _Tok:
        t = self.toks[self.i]
        if t.typ == "error":
            raise _ParseError(t.val, t.pos)
        self.i += 1
        return t

    def backup(self) -> None:
        self.i -= 1

    def peek(self) -> _Tok:
        t = self.toks[self.i]
        if t.typ == "error":
            raise _ParseError(t.val, t.pos)
        return t

    def next_non_space(self) -> _Tok:
        t = self.next()
        while t.typ == "space":
            t = self.next()
        return t

    def peek_non_space(self) -> _Tok:
        t = self.next_non_space()
        self.backup()
        return t

    def error(self, msg: str, tok: _Tok | None = None) -> None:
        pos = tok.pos if tok is not None else self.toks[max(self.i - 1, 0)].pos
        raise _ParseError(msg, pos)

    def unexpected(self, tok: _Tok, context: str) -> None:
        self.error(f"unexpected {tok.desc()} in {context}", tok)

    def expect(self, typ: str, context: str) -> _Tok:
        t = self.next_non_space()
        if t.typ != typ:
            self.unexpected(t, context)
        return t

    # top level
    def parse(self) -> list[_Node]:
        """Go ``Tree.parse``: top-level list; ``{{define}}`` only here."""
        nodes: list[_Node] = []
        while self.peek().typ != "eof":
            if self.peek().typ == "{{":
                save = self.i
                self.next()
                if self.next_non_space().typ == "define":
                    self.parse_define()
                    continue
                self.i = save
            node = self.text_or_action()
            if isinstance(node, tuple):
                self.error("unexpected {{end}}" if node[0] == "end" else "unexpected {{else}}",
                           node[1])
            nodes.append(node)
        return nodes

    def parse_define(self) -> None:
        name_tok = self.next_non_space()
        if name_tok.typ not in ("string", "rawstring"):
            self.unexpected(name_tok, "define clause")
        name = self._string_value(name_tok)
        self.expect("}}", "define clause")
        saved_vars = self.vars
        self.vars = ["$"]
        body, end = self.item_list()
        self.vars = saved_vars
        if end[0] != "end":
            self.error("unexpected {{else}} in define clause", end[1])
        self.defines[name] = body

    def item_list(self) -> tuple[list[_Node], tuple[str, _Tok]]:
        """Parse nodes up to {{end}} or {{else}}; returns (list, (kind, tok))."""
        nodes: list[_Node] = []
        while True:
            if self.peek_non_space().typ == "eof":
                self.error("unexpected EOF", self.peek())
            n = self.text_or_action()
            if isinstance(n, tuple):
                return nodes, n
            nodes.append(n)

    def text_or_action(self):
        t = self.next_non_space() if self.peek().typ == "space" else self.next()
        if t.typ == "text":
            return _Text(t.pos, t.val)
        if t.typ == "{{":
            return self.action()
        self.unexpected(t, "input")

    def action(self):
        t = self.next_non_space()
        typ = t.typ
        if typ == "block":
            return self.block_control(t)
        if typ == "break":
            return self.break_control(t, "break")
        if typ == "continue":
            return self.break_control(t, "continue")
        if typ == "else":
            # {{else if}} / {{else with}} leave the keyword pending.
            if self.peek_non_space().typ not in ("if", "with"):
                self.expect("}}", "else")
            return ("else", t)
        if typ == "end":
            self.expect("}}", "end")
            return ("end", t)
        if typ == "if":
            return self.branch("if", t)
        if typ == "range":
            return self.branch("range", t)
        if typ == "template":
            return self.template_control(t)
        if typ == "with":
            return self.branch("with", t)
        self.backup()
        tok = self.peek()
        return _Action(tok.pos, self.pipeline("command", "}}"))

    def break_control(self, t: _Tok, kind: str):
        nxt = self.next_non_space()
        if nxt.typ != "}}":
            self.unexpected(nxt, f"{{{{{kind}}}}}")
        if self.range_depth == 0:
            self.error(f"{{{{{kind}}}}} outside {{{{range}}}}", t)
        return _Break(t.pos) if kind == "break" else _Continue(t.pos)

    def _string_value(self, tok: _Tok) -> str:
        if tok.typ == "rawstring":
            return tok.val[1:-1]
        try:
            return _unquote(tok.val)
        except ValueError:
            self.error("invalid syntax", tok)
        return ""

    def template_control(self, t: _Tok):
        context = "template clause"
        tok = self.next_non_space()
        if tok.typ not in ("string", "rawstring"):
            self.unexpected(tok, context)
        name = self._string_value(tok)
        pipe = None
        if self.next_non_space().typ != "}}":
            self.backup()
            pipe = self.pipeline(context, "}}")
        return _TemplateCall(tok.pos, name, pipe)

    def block_control(self, t: _Tok):
        context = "block clause"
        tok = self.next_non_space()
        if tok.typ not in ("string", "rawstring"):
            self.unexpected(tok, context)
        name = self._string_value(tok)
        pipe = self.pipeline(context, "}}")
        t = tok
        saved_vars = self.vars
        self.vars = ["$"]
        body, end = self.item_list()
        self.vars = saved_vars
        if end[0] != "end":
            self.error(f"unexpected {{{{else}}}} in {context}", end[1])
        self.defines[name] = body
        return _TemplateCall(t.pos, name, pipe)

    def branch(self, kind: str, t: _Tok):
        nvars = len(self.vars)
        pipe = self.pipeline(kind, "}}")
        if kind == "range":
            self.range_depth += 1
        body, end = self.item_list()
        if kind == "range":
            self.range_depth -= 1
        else_body = None
        if end[0] == "else":
            nxt = self.peek()
            if (kind, nxt.typ) in (("if", "if"), ("with", "with")):
                # {{if a}}_{{else if b}}_{{end}} is {{if a}}_{{else}}{{if b}}_{{end}}{{end}}
                self.next()
                else_body = [self.branch(kind, nxt)]
            else:
                else_body, end2 = self.item_list()
                if end2[0] != "end":
                    self.error("expected end; found {{else}}", end2[1])
        del self.vars[nvars:]
        return _Branch(kind, t.pos, pipe, body, else_body)

    def pipeline(self, context: str, end: str) -> _Pipe:
        tok = self.peek_non_space()
        pipe = _Pipe(tok.pos, [], False, [])
        # declarations (Go needs 3-token look-ahead: "$x foo" vs "$x := foo")
        while True:
            v = self.peek_non_space()
            if v.typ != "variable":
                break
            save = self.i
            self.next_non_space()
            nxt = self.peek_non_space()
            if nxt.typ in (":=", "="):
                pipe.is_assign = nxt.typ == "="
                self.next_non_space()
                pipe.decl.append(_Variable(v.pos, [v.val]))
                self.vars.append(v.val)
                break
            if nxt.typ == "char_" and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(_Variable(v.pos, [v.val]))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in ("variable", "}}", ")"):
                        continue
                    self.error("range can only initialize variables")
                self.error(f"too many declarations in {context}")
            self.i = save
            break
        while True:
            t = self.next_non_space()
            if t.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if t.typ in ("bool", "char", "dot", "field", "identifier", "number", "nil",
                         "rawstring", "string", "variable", "("):
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(t, context)

    def check_pipeline(self, pipe: _Pipe, context: str) -> None:
        if not pipe.cmds:
            self.error(f"missing value for {context}")
        for i, c in enumerate(pipe.cmds[1:], start=2):
            if isinstance(c.args[0], (_Bool, _Dot, _Nil, _Number, _String)):
                self.error(f"non executable command in pipeline stage {i}")

    def command(self) -> _Command:
        cmd = _Command(self.peek_non_space().pos, [])
        while True:
            self.peek_non_space()
            op = self.operand()
            if op is not None:
                cmd.args.append(op)
            t = self.next()
            if t.typ == "space":
                continue
            if t.typ in ("}}", ")"):
                self.backup()
            elif t.typ == "|":
                pass
            else:
                self.unexpected(t, "operand")
            break
        if not cmd.args:
            self.error("empty command")
        return cmd

    def operand(self):
        node = self.term()
        if node is None:
            return None
        if self.peek().typ == "field":
            chain_pos = self.peek().pos
            fields = []
            while self.peek().typ == "field":
                fields.append(self.next().val[1:])
            if isinstance(node, _Field):
                node = _Field(chain_pos, node.ident + fields)
            elif isinstance(node, _Variable):
                node = _Variable(chain_pos, node.ident + fields)
            elif isinstance(node, (_Bool, _String, _Number, _Nil, _Dot)):
                self.error(f"unexpected . after term {go_quote(str(node))}")
            else:
                node = _Chain(chain_pos, node, fields)
        return node

    def term(self):
        t = self.next_non_space()
        typ = t.typ
        if typ == "identifier":
            if t.val not in self.funcs and t.val not in BUILTIN_FUNCS:
                self.error(f"function {go_quote(t.val)} not defined", t)
            return _Identifier(t.pos, t.val)
        if typ == "dot":
            return _Dot(t.pos)
        if typ == "nil":
            return _Nil(t.pos)
        if typ == "variable":
            if t.val not in self.vars:
                self.error(f"undefined variable {go_quote(t.val)}", t)
            return _Variable(t.pos, [t.val])
        if typ == "field":
            return _Field(t.pos, [t.val[1:]])
        if typ == "bool":
            return _Bool(t.pos, t.val == "true")
        if typ in ("char", "number"):
            return _new_number(t)
        if typ == "(":
            pipe = self.pipeline("parenthesized pipeline", ")")
            return pipe
        if typ in ("string", "rawstring"):
            return _String(t.pos, t.val, self._string_value(t))
        self.backup()
        return None


# ---------------------------------------------------------------------------
# Execution (exec.go)
# ---------------------------------------------------------------------------


class _ExecError(Exception):
    pass


class _BreakSignal(Exception):
    pass


class _ContinueSignal(Exception):
    pass


_MAX_DEPTH = 200


class _State:
    def __init__(self, tmpl: "Template", out: list[str], missingkey: str) -> None:
        self.tmpl = tmpl
        self.out = out
        self.missingkey = missingkey
        self.vars: list[list[Any]] = []
        self.node: _Node | None = None
        self.depth = 0

    # -- errors ------------------------------------------------------------
    def at(self, node: _Node) -> None:
        self.node = node

    def errorf(self, msg: str):
        name = self.tmpl.name
        if self.node is None:
            raise _ExecError(f"template: {name}: {msg}")
        text = self.tmpl.text
        pos = self.node.pos
        before = _utf8(text[:pos])
        nl = before.rfind(b"\n")
        col = len(before) if nl < 0 else len(before) - nl - 1
        line = 1 + before.count(b"\n")
        ctx = str(self.node)
        raise _ExecError(
            f"template: {name}:{line}:{col}: executing {go_quote(name)} at <{ctx}>: {msg}")

    # -- variables ---------------------------------------------------------
    def push(self, name: str, value: Any) -> None:
        self.vars.append([name, value])

    def set_var(self, name: str, value: Any) -> None:
        for v in reversed(self.vars):
            if v[0] == name:
                v[1] = value
                return
        self.errorf(f"undefined variable: {name}")

    def var_value(self, name: str) -> Any:
        for v in reversed(self.vars):
            if v[0] == name:
                return v[1]
        self.errorf(f"undefined variable: {name}")

    # -- walking -----------------------------------------------------------
    def walk_list(self, dot: Any, nodes: list[_Node]) -> None:
        for n in nodes:
            self.walk(dot, n)

    def walk(self, dot: Any, node: _Node) -> None:
        self.at(node)
        if isinstance(node, _Text):
            self.out.append(node.text)
        elif isinstance(node, _Action):
            val = self.eval_pipeline(dot, node.pipe)
            if not node.pipe.decl:
                self.print_value(node, val)
        elif isinstance(node, _Branch):
            if node.kind == "range":
                self.walk_range(dot, node)
            else:
                self.walk_if_or_with(dot, node)
        elif isinstance(node, _TemplateCall):
            self.walk_template(dot, node)
        elif isinstance(node, _Break):
            raise _BreakSignal()
        elif isinstance(node, _Continue):
            raise _ContinueSignal()
        else:  # pragma: no cover
            self.errorf(f"unknown node: {node}")

    def walk_if_or_with(self, dot: Any, node: _Branch) -> None:
        mark = len(self.vars)
        val = self.eval_pipeline(dot, node.pipe)
        if _truth(val):
            self.walk_list(val if node.kind == "with" else dot, node.body)
        elif node.else_body is not None:
            self.walk_list(dot, node.else_body)
        del self.vars[mark:]

    def walk_range(self, dot: Any, node: _Branch) -> None:
        self.at(node)
        mark = len(self.vars)
        val = self.eval_pipeline(dot, node.pipe)
        mark2 = len(self.vars)

        def one(index: Any, elem: Any) -> bool:
            if node.pipe.decl:
                if node.pipe.is_assign:
                    if len(node.pipe.decl) > 1:
                        self.set_var(node.pipe.decl[0].ident[0], index)
                        self.set_var(node.pipe.decl[1].ident[0], elem)
                    else:
                        self.set_var(node.pipe.decl[0].ident[0], elem)
                else:
                    if len(node.pipe.decl) > 1:
                        self.vars[mark2 - 2][1] = index
                        self.vars[mark2 - 1][1] = elem
                    else:
                        self.vars[mark2 - 1][1] = elem
            try:
                self.walk_list(elem, node.body)
            except _ContinueSignal:
                pass
            except _BreakSignal:
                return False
            finally:
                del self.vars[mark2:]
            return True

        items: list[tuple[Any, Any]]
        if val is None or val is MISSING:
            items = []
        elif isinstance(val, (list, tuple)):
            items = list(enumerate(val))
        elif isinstance(val, dict):
            items = _sorted_items(val)
        elif _is_int(val):
            if len(node.pipe.decl) > 1:
                self.errorf(f"can't use {val} to iterate over more than one variable")
            items = [(i, i) for i in range(val)]
        else:
            self.at(node.pipe.cmds[-1].args[0] if node.pipe.cmds else node)
            self.errorf(f"range can't iterate over {_fmt_v(val, False)}")
        for k, e in items:
            if not one(k, e):
                break
        if not items and node.else_body is not None:
            self.walk_list(dot, node.else_body)
        del self.vars[mark:]

    def walk_template(self, dot: Any, node: _TemplateCall) -> None:
        self.at(node)
        body = self.tmpl.defines.get(node.name)
        if body is None:
            self.errorf(f"template {go_quote(node.name)} not defined")
        if self.depth >= _MAX_DEPTH:
            self.errorf(f"exceeded maximum template depth ({_MAX_DEPTH})")
        new_dot = self.eval_pipeline(dot, node.pipe) if node.pipe is not None else MISSING
        saved = self.vars
        self.vars = [["$", new_dot]]
        self.depth += 1
        try:
            self.walk_list(new_dot, body)
        finally:
            self.depth -= 1
            self.vars = saved

    # -- evaluation --------------------------------------------------------
    def eval_pipeline(self, dot: Any, pipe: _Pipe) -> Any:
        self.at(pipe)
        value: Any = _NOFINAL
        for cmd in pipe.cmds:
            value = self.eval_command(dot, cmd, value)
        for v in pipe.decl:
            if pipe.is_assign:
                self.set_var(v.ident[0], value)
            else:
                self.push(v.ident[0], value)
        return value

    def not_a_function(self, args: list, final: Any) -> None:
        if len(args) > 1 or final is not _NOFINAL:
            self.errorf(f"can't give argument to non-function {args[0]}")

    def eval_command(self, dot: Any, cmd: _Command, final: Any) -> Any:
        first = cmd.args[0]
        if isinstance(first, _Field):
            return self.eval_field_node(dot, first, cmd.args, final)
        if isinstance(first, _Chain):
            return self.eval_chain_node(dot, first, cmd.args, final)
        if isinstance(first, _Identifier):
            return self.eval_function(dot, first, cmd, cmd.args, final)
        if isinstance(first, _Pipe):
            self.not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, first)
        if isinstance(first, _Variable):
            return self.eval_variable_node(dot, first, cmd.args, final)
        self.at(first)
        self.not_a_function(cmd.args, final)
        if isinstance(first, _Bool):
            return first.val
        if isinstance(first, _Dot):
            return dot
        if isinstance(first, _Nil):
            self.errorf("nil is not a command")
        if isinstance(first, _Number):
            return self.ideal_constant(first)
        if isinstance(first, _String):
            return first.text
        self.errorf(f"can't evaluate command {first}")  # pragma: no cover

    def ideal_constant(self, n: _Number) -> Any:
        self.at(n)
        if n.is_float and not n.is_char and not n.text.lstrip("+-")[:2].lower() == "0x" \
                and any(c in n.text for c in ".eEpP"):
            return n.float_val
        if n.is_int:
            return n.int_val
        return n.float_val

    def eval_field_node(self, dot, field: _Field, args, final):
        self.at(field)
        return self.eval_field_chain(dot, dot, field, field.ident, args, final)

    def eval_chain_node(self, dot, chain: _Chain, args, final):
        self.at(chain)
        if isinstance(chain.node, _Nil):
            self.errorf(f"indirection through explicit nil in {chain}")
        pipe = self.eval_arg(dot, "any", chain.node)
        return self.eval_field_chain(dot, pipe, chain, chain.fields, args, final)

    def eval_variable_node(self, dot, var: _Variable, args, final):
        self.at(var)
        value = self.var_value(var.ident[0])
        if len(var.ident) == 1:
            self.not_a_function(args, final)
            return value
        return self.eval_field_chain(dot, value, var, var.ident[1:], args, final)

    def eval_field_chain(self, dot, receiver, node, ident, args, final):
        for name in ident[:-1]:
            receiver = self.eval_field(dot, name, node, None, _NOFINAL, receiver)
        return self.eval_field(dot, ident[-1], node, args, final, receiver)

    def eval_field(self, dot, name: str, node, args, final, receiver):
        if receiver is MISSING:
            if self.missingkey == "error":
                self.errorf(f"nil data; no entry for key {go_quote(name)}")
            return MISSING
        if receiver is None:
            self.errorf(f"nil pointer evaluating interface {{}}.{name}")
        has_args = (args is not None and len(args) > 1) or final is not _NOFINAL
        if isinstance(receiver, dict):
            method = _map_method(receiver, name)
            if method is not None:  # Go looks up methods before map keys
                return self.eval_call(dot, method, name, node, args, final)
            if has_args:
                self.errorf(f"{name} is not a method but has arguments")
            if name in receiver:
                return receiver[name]
            if self.missingkey == "error":
                self.errorf(f"map has no entry for key {go_quote(name)}")
            if self.missingkey == "zero":
                return "" if _is_strmap(receiver) else None
            return MISSING
        if not isinstance(receiver, (str, int, float, bool, list, tuple)) \
                and not name.startswith("_"):
            try:
                attr = getattr(receiver, name)
            except AttributeError:
                attr = _NOFINAL
            if attr is not _NOFINAL:
                if callable(attr) and not isinstance(attr, type):
                    return self.eval_call(dot, attr, name, node, args, final)
                if has_args:
                    self.errorf(f"{name} has arguments but cannot be invoked as function")
                return attr
        self.errorf(f"can't evaluate field {name} in type {go_type_name(receiver)}")

    def eval_function(self, dot, ident: _Identifier, cmd, args, final):
        self.at(ident)
        name = ident.name
        fn = self.tmpl.funcs.get(name) or BUILTIN_FUNCS.get(name)
        if fn is None:
            self.errorf(f"{go_quote(name)} is not a defined function")
        return self.eval_builtin_or_func(dot, fn, name, cmd, args, final)

    def _count_check(self, name, nparams, variadic, nargs):
        if variadic is not None:
            if nargs < nparams:
                self.errorf(f"wrong number of args for {name}: want at least {nparams} "
                            f"got {nargs}")
        elif nargs != nparams:
            self.errorf(f"wrong number of args for {name}: want {nparams} got {nargs}")

    def eval_builtin_or_func(self, dot, fn: _Func, name, cmd, args, final):
        arg_nodes = list(args[1:]) if args else []
        nargs = len(arg_nodes) + (0 if final is _NOFINAL else 1)
        self._count_check(name, len(fn.params), fn.variadic, nargs)
        if fn.fn is _AND_OR:
            return self.eval_and_or(dot, name, arg_nodes, final)
        argv = []
        for i, a in enumerate(arg_nodes):
            t = fn.params[i] if i < len(fn.params) else fn.variadic
            argv.append(self.eval_arg(dot, t, a))
        if final is not _NOFINAL:
            i = len(arg_nodes)
            t = fn.params[i] if i < len(fn.params) else fn.variadic
            argv.append(self.validate_type(final, t))
        try:
            return fn.fn(*argv)
        except _CallError as e:
            self.at(cmd)
            self.errorf(f"error calling {name}: {e}")

    def eval_call(self, dot, method, name, node, args, final):
        """Call a Python method found by field lookup (Go method values)."""
        arg_nodes = list(args[1:]) if args else []
        try:
            sig = inspect.signature(method)
            nparams = len(sig.parameters)
            variadic = any(p.kind is p.VAR_POSITIONAL for p in sig.parameters.values())
        except (TypeError, ValueError):
            sig, nparams, variadic = None, 0, True
        nargs = len(arg_nodes) + (0 if final is _NOFINAL else 1)
        if sig is not None:
            try:
                sig.bind(*([None] * nargs))
            except TypeError:
                if variadic:
                    nparams -= 1
                self._count_check(name, nparams, "any" if variadic else None, nargs)
        argv = [self.eval_arg(dot, "any", a) for a in arg_nodes]
        if final is not _NOFINAL:
            argv.append(None if final is MISSING else final)
        try:
            return method(*argv)
        except _CallError as e:
            self.at(node)
            self.errorf(f"error calling {name}: {e}")

    def eval_and_or(self, dot, name, arg_nodes, final):
        want_true = name == "or"
        val: Any = None
        nodes = list(arg_nodes)
        for a in nodes:
            val = self.eval_arg(dot, "any", a)
            if _truth(val) == want_true:
                return val
        if final is not _NOFINAL:
            val = final
        return val

    def eval_arg(self, dot, typ: str, n: _Node) -> Any:
        self.at(n)
        if isinstance(n, _Dot):
            return self.validate_type(dot, typ)
        if isinstance(n, _Nil):
            if typ == "any":
                return None
            self.errorf(f"cannot assign nil to {typ}")
        if isinstance(n, _Field):
            return self.validate_type(self.eval_field_node(dot, n, [n], _NOFINAL), typ)
        if isinstance(n, _Variable):
            return self.validate_type(self.eval_variable_node(dot, n, None, _NOFINAL), typ)
        if isinstance(n, _Pipe):
            return self.validate_type(self.eval_pipeline(dot, n), typ)
        if isinstance(n, _Identifier):
            return self.validate_type(self.eval_function(dot, n, n, None, _NOFINAL), typ)
        if isinstance(n, _Chain):
            return self.validate_type(self.eval_chain_node(dot, n, None, _NOFINAL), typ)
        if typ == "string":
            if isinstance(n, _String):
                return n.text
            self.errorf(f"expected string; found {n}")
        if typ == "int":
            if isinstance(n, _Number) and n.is_int:
                return n.int_val
            self.errorf(f"expected integer; found {n}")
        if typ == "any":
            if isinstance(n, _Bool):
                return n.val
            if isinstance(n, _Number):
                return self.ideal_constant(n)
            if isinstance(n, _String):
                return n.text
        self.errorf(f"can't handle {n} for arg of type {typ}")

    def validate_type(self, value: Any, typ: str) -> Any:
        if typ == "any":
            return None if value is MISSING else value
        if value is MISSING or value is None:
            if typ == "[]string":
                return NilList()
            self.errorf(f"invalid value; expected {typ}")
        if typ == "string" and isinstance(value, str):
            return value
        if typ == "int" and _is_int(value):
            return value
        if typ == "[]string" and isinstance(value, (list, tuple)) \
                and all(isinstance(x, str) for x in value):
            return list(value)
        self.errorf(f"wrong type for value; expected {typ}; got {go_type_name(value)}")

    def print_value(self, node: _Node, v: Any) -> None:
        self.at(node)
        if callable(v) and not isinstance(v, type) and not hasattr(v, "__dict__"):
            self.errorf(f"can't print {node} of type {type(v).__name__}")
        self.out.append(_fmt_v(v, True))


_NOFINAL = object()  # Go's missingVal: no piped-in final argument
_PLAIN_MAPS = (dict, StrMap, AnyMap, NilDict, object)


def _map_method(m: dict, name: str):
    """A method defined by a dict subclass (a Go map type with methods)."""
    if name.startswith("_"):
        return None
    for klass in type(m).__mro__:
        if klass in _PLAIN_MAPS:
            return None
        if name in vars(klass) and callable(vars(klass)[name]):
            return getattr(m, name)
    return None


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


class Template:
    """A parsed template (Go ``template.New(name).Funcs(...).Parse(text)``).

    ``funcs`` defaults to docker's function map (:data:`BASIC_FUNCS`); pass
    :data:`HEADER_FUNCS` to render table headers the way docker does.
    """

    def __init__(self, text: str, name: str = "", funcs: dict[str, _Func] | None = None) -> None:
        self.text = text
        self.name = name
        self.funcs = BASIC_FUNCS if funcs is None else funcs
        parser = _Parser(text, self.funcs)
        try:
            self.root = parser.parse()
        except _ParseError as e:
            line = 1 + text[: e.pos].count("\n")
            raise TemplateError(f"template: {name}:{line}: {e.msg}") from None
        self.defines = parser.defines

    def with_funcs(self, funcs: dict[str, _Func]) -> "Template":
        """A copy executing with another function map (Go ``tmpl.Funcs``).

        Like Go, the function names were resolved at parse time; replacing a
        function only changes what runs.
        """
        t = object.__new__(Template)
        t.text, t.name, t.root, t.defines = self.text, self.name, self.root, self.defines
        t.funcs = {**self.funcs, **funcs}
        return t

    def execute(self, data: Any, missingkey: str = "default") -> str:
        """Execute against ``data``; raise :class:`TemplateError` on failure,
        with the output written so far in ``.partial``."""
        if missingkey not in ("default", "invalid", "zero", "error"):
            raise ValueError(f"unrecognized missingkey option {missingkey!r}")
        out: list[str] = []
        st = _State(self, out, "default" if missingkey == "invalid" else missingkey)
        if data is None:
            data = MISSING  # Execute(w, nil): dot is an invalid reflect.Value
        st.vars = [["$", data]]
        try:
            st.walk_list(data, self.root)
        except _ExecError as e:
            raise TemplateError(str(e), "".join(out)) from None
        except RecursionError:
            raise TemplateError(
                f"template: {self.name}: exceeded maximum template depth", "".join(out)) from None
        return "".join(out)


def parse(text: str, name: str = "", funcs: dict[str, _Func] | None = None) -> Template:
    """Parse ``text`` (raises :class:`TemplateError` like Go's Parse)."""
    return Template(text, name, funcs)


def render(template: str, data: Any, missingkey: str = "default",
           funcs: dict[str, _Func] | None = None) -> str:
    """Parse and execute a Go template against Python data in one call.

    >>> render('{{.RootFS.Type}} {{len .RootFS.Layers}}', {"RootFS": {"Type": "layers", "Layers": ["a", "b"]}})
    'layers 2'

    docker CLI reports any error as ``template parsing error: <message>``.
    """
    return Template(template, "", funcs).execute(data, missingkey)
