"""A data-only codec between the student's kernel and the test process.

Values cross the boundary as a JSON tree of tagged nodes, never as pickles, and every
node is rebuilt by *exact* type: a ``str`` subclass defined by the student is not a
``str`` here. Only these come across by value:

- ``None``, ``bool``, ``int``, ``float``, ``complex``, ``str``, ``bytes``, ``bytearray``;
- ``list``, ``tuple``, ``dict``, ``set``, ``frozenset``, ``range``, mapping proxies;
- dataclass instances, enum members and named tuples of *trusted* classes (classes of
  `layerlab` and a few standard-library modules), rebuilt with the test process's own,
  untouched classes;
- modules, and functions or classes of trusted modules, by name (re-imported cleanly).

Anything else is a *handle*: the test process gets a `RemoteObject` proxy whose calls and
attribute reads are forwarded, and whose comparisons are refused (a submission-defined
``__eq__`` returning True is the classic way to pass any assert).

    >>> tree = encode({"a": (1, 2.5, b"x")}, handles={})
    >>> decode(tree)
    {'a': (1, 2.5, b'x')}
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import importlib
import json
import math
import sys
import types
from typing import Any, Callable

__all__ = ["encode", "handle", "decode", "dumps", "loads", "WireError", "is_trusted_module",
           "MAX_BYTES", "TRUSTED_PREFIXES"]

#: largest message accepted from the student's side
MAX_BYTES = 32 * 1024 * 1024
_MAX_DEPTH = 200

#: modules whose classes, functions and values are trusted when re-imported
TRUSTED_PREFIXES = ("layerlab", "collections", "datetime", "decimal", "fractions",
                    "pathlib", "enum", "hashlib", "json", "re", "math", "string",
                    "itertools", "functools", "operator", "typing", "types", "textwrap",
                    "posixpath", "os.path", "statistics", "random", "uuid", "base64",
                    "binascii", "struct", "io", "tarfile", "zlib", "gzip", "copy",
                    "dataclasses", "numbers", "builtins")


class WireError(ValueError):
    """A message from the other side is malformed or not allowed."""


def is_trusted_module(name: str) -> bool:
    if not isinstance(name, str) or name == "__main__" or not name:
        return False
    return any(name == p or name.startswith(p + ".") for p in TRUSTED_PREFIXES)


def _qualname_of(obj) -> tuple[str, str] | None:
    mod = getattr(obj, "__module__", None)
    qn = getattr(obj, "__qualname__", None)
    if isinstance(mod, str) and isinstance(qn, str) and "<" not in qn:
        return mod, qn
    return None


def _importable(mod: str, qn: str, obj) -> bool:
    """Is `obj` really `mod.qn` (so the other side can import it by name)?"""
    m = sys.modules.get(mod)
    if m is None:
        return False
    target = m
    for part in qn.split("."):
        target = getattr(target, part, None)
        if target is None:
            return False
    return target is obj


# --- encoding (runs on either side) -------------------------------------------------------

def encode(obj: Any, handles: dict | None, _depth: int = 0, _refs: Callable | None = None):
    """Encode `obj` as a JSON-able tree.

    Args:
        obj: the value.
        handles: where objects that cannot go by value are stored (id -> object); None
            means such objects are an error (used by the test side, which never exports
            objects).
        _refs: test side only: maps a `RemoteObject` back to its handle.
    """
    if _depth > _MAX_DEPTH:
        raise WireError("value nested too deeply")
    t = type(obj)
    if obj is None or t is bool:
        return obj
    if t is int:
        return ["i", str(obj)] if abs(obj) > 2**53 else ["i", obj]
    if t is float:
        return ["f", repr(obj)] if not math.isfinite(obj) else ["f", obj]
    if t is str:
        return ["s", obj]
    if t is bytes:
        return ["b", base64.b64encode(obj).decode()]
    if t is bytearray:
        return ["ba", base64.b64encode(bytes(obj)).decode()]
    if t is complex:
        return ["c", repr(obj.real), repr(obj.imag)]
    rec = lambda v: encode(v, handles, _depth + 1, _refs)  # noqa: E731
    if t is list:
        return ["l", [rec(v) for v in obj]]
    if t is tuple:
        return ["t", [rec(v) for v in obj]]
    if t is set:
        return ["set", [rec(v) for v in obj]]
    if t is frozenset:
        return ["fs", [rec(v) for v in obj]]
    if t is dict:
        return ["d", [[rec(k), rec(v)] for k, v in obj.items()]]
    if t is types.MappingProxyType:
        return ["mp", [[rec(k), rec(v)] for k, v in obj.items()]]
    if t is range:
        return ["r", obj.start, obj.stop, obj.step]
    if _refs is not None:
        ref = _refs(obj)
        if ref is not None:
            return ["h", ref]
    if isinstance(obj, types.ModuleType):
        name = getattr(obj, "__name__", None)
        if isinstance(name, str) and sys.modules.get(name) is obj:
            return ["mod", name]
    qual = _qualname_of(t)
    trusted_type = qual is not None and is_trusted_module(qual[0]) and _importable(*qual, t)
    if trusted_type:
        if isinstance(obj, enum.Enum):
            return ["e", qual[0], qual[1], obj.name]
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            return ["dc", qual[0], qual[1],
                    [[f.name, rec(getattr(obj, f.name))] for f in dataclasses.fields(obj)]]
        if isinstance(obj, tuple) and hasattr(t, "_fields"):
            return ["nt", qual[0], qual[1], [rec(v) for v in obj]]
        if isinstance(obj, BaseException):
            pass  # exceptions travel through `describe_exception`
    if isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType)):
        q = _qualname_of(obj)
        if q and is_trusted_module(q[0]) and _importable(*q, obj):
            return ["imp", q[0], q[1]]
    if handles is None:
        raise WireError(f"cannot send a {t.__name__} object to the submission")
    return handle(obj, handles)


def handle(obj: Any, handles: dict):
    """Keep `obj` on this side and encode a reference to it (a proxy on the other side)."""
    handles[id(obj)] = obj
    mro = []
    for k in type(obj).__mro__:
        kq = _qualname_of(k)
        mro.append(".".join(kq) if kq else "?")
    return ["p", id(obj), mro, callable(obj)]


def dumps(tree) -> str:
    return json.dumps(tree, separators=(",", ":"))


def loads(text: str):
    if len(text) > MAX_BYTES:
        raise WireError(f"reply of {len(text)} bytes exceeds the {MAX_BYTES}-byte limit")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise WireError(f"reply is not valid JSON: {exc}") from None


# --- decoding -----------------------------------------------------------------------------

def _import_trusted(mod: str, qn: str):
    if not is_trusted_module(mod):
        raise WireError(f"{mod}.{qn} is not from a trusted module")
    try:
        target = importlib.import_module(mod)
    except ImportError:
        raise WireError(f"module {mod} cannot be imported here") from None
    for part in str(qn).split("."):
        if part.startswith("__") and part.endswith("__"):
            raise WireError(f"refusing dunder name in {qn}")
        target = getattr(target, part)
    return target


def decode(tree, proxy: Callable | None = None, _depth: int = 0, handles: dict | None = None):
    """Rebuild a value from `tree`, strictly.

    Args:
        proxy: test side: called as proxy(handle, mro, is_callable) for objects that stayed
            in the submission. None: handles are an error.
        handles: student side: id -> object table for ["h", id] references.

    Raises:
        WireError: the tree is malformed or names something untrusted.
    """
    if _depth > _MAX_DEPTH:
        raise WireError("value nested too deeply")
    if tree is None or tree is True or tree is False:
        return tree
    if type(tree) is not list or not tree or type(tree[0]) is not str:
        raise WireError(f"malformed node {str(tree)[:80]}")
    tag, args = tree[0], tree[1:]
    rec = lambda v: decode(v, proxy, _depth + 1, handles)  # noqa: E731
    try:
        if tag == "i":
            v = args[0]
            return int(v) if type(v) in (int, str) else _bad(tree)
        if tag == "f":
            v = args[0]
            return float(v) if type(v) in (int, float, str) else _bad(tree)
        if tag == "s":
            return args[0] if type(args[0]) is str else _bad(tree)
        if tag == "b":
            return base64.b64decode(args[0], validate=True)
        if tag == "ba":
            return bytearray(base64.b64decode(args[0], validate=True))
        if tag == "c":
            return complex(float(args[0]), float(args[1]))
        if tag in ("l", "t", "set", "fs"):
            items = [rec(v) for v in _list(args[0])]
            return {"l": list, "t": tuple, "set": set, "fs": frozenset}[tag](items)
        if tag in ("d", "mp"):
            d = {}
            for pair in _list(args[0]):
                k, v = _list(pair)
                d[rec(k)] = rec(v)
            return d if tag == "d" else types.MappingProxyType(d)
        if tag == "r":
            return range(int(args[0]), int(args[1]), int(args[2]))
        if tag == "mod":
            name = args[0]
            if type(name) is not str or not _importable_module(name):
                raise WireError(f"module {name!r} is not imported by the test process")
            return importlib.import_module(name)
        if tag == "imp":
            return _import_trusted(args[0], args[1])
        if tag == "e":
            cls = _import_trusted(args[0], args[1])
            if not (isinstance(cls, type) and issubclass(cls, enum.Enum)):
                _bad(tree)
            return cls[args[2]]
        if tag == "nt":
            cls = _import_trusted(args[0], args[1])
            if not (isinstance(cls, type) and issubclass(cls, tuple) and hasattr(cls, "_fields")):
                _bad(tree)
            return cls(*[rec(v) for v in _list(args[2])])
        if tag == "dc":
            cls = _import_trusted(args[0], args[1])
            if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
                _bad(tree)
            names = {f.name for f in dataclasses.fields(cls)}
            obj = object.__new__(cls)
            for pair in _list(args[2]):
                name, value = _list(pair)
                if name not in names:
                    _bad(tree)
                object.__setattr__(obj, name, rec(value))
            return obj
        if tag == "p":
            if proxy is None:
                _bad(tree)
            handle, mro, is_callable = args
            if type(handle) is not int or type(mro) is not list:
                _bad(tree)
            return proxy(handle, [str(m) for m in mro], bool(is_callable))
        if tag == "h":
            if handles is None or args[0] not in handles:
                _bad(tree)
            return handles[args[0]]
    except WireError:
        raise
    except (IndexError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise WireError(f"malformed {tag!r} node: {exc}") from None
    raise WireError(f"unknown node tag {tag!r}")


_NO_IMPORT = {"antigravity", "this", "webbrowser", "idlelib", "turtle", "turtledemo",
              "tkinter", "pydoc", "ensurepip", "venv", "__hello__", "__phello__"}


def _importable_module(name: str) -> bool:
    """Modules the test process may import on the submission's say-so: already imported,
    trusted, or from the standard library."""
    if name in sys.modules:
        return True
    top = name.split(".")[0]
    if top in _NO_IMPORT:
        return False
    return is_trusted_module(name) or top in getattr(sys, "stdlib_module_names", ())


def _list(v):
    if type(v) is not list:
        raise WireError("expected a list")
    return v


def _bad(tree):
    raise WireError(f"malformed node {str(tree)[:80]}")
