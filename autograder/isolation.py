"""Run every test cell outside the student's kernel.

nbgrader runs answer cells and test cells in one kernel, so an answer cell can change how
the test cells behave: register an IPython input transformer that empties them, patch
``builtins`` or ``hashlib``, install a trace function, return an object whose ``__eq__``
is always True... `IsolatedExecute` replaces nbgrader's `Execute` preprocessor and keeps
the kernel for everything *except* test cells:

    kernel (student's process)                  test process (fresh fork, per test cell)
    ---------------------------                 ----------------------------------------
    instructor cells, answer cells   <-- RPC --  the instructor's test source, from the
    run as nbgrader would run them    (data      course's source notebook, compiled here
    + __autograder_rpc__ (sandbox)     only)      with pristine builtins and modules,
                                                  plus the instructor's def/class/import
                                                  statements; student names are fetched
                                                  through the RPC, by value (wire.py) or
                                                  as proxies whose comparisons are refused

The test process reports the cell's outputs (its own prints, the student's prints during
calls, the error or the final value), which become the test cell's outputs, so nbgrader
scores them with its usual rule. Honest submissions get nbgrader's grade; code in the
submission can change only the *data* its own definitions return.

Flags (reasons for manual review) are written to `report_path` as JSON: the static scan of
the answer cells, the kernel's integrity probe, refused comparisons, malformed replies.
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import io
import json
import os
import re
import secrets
import signal
import socket
import struct
import sys
import time
import traceback

import nbformat
from nbformat.notebooknode import NotebookNode
from traitlets import Bool, Integer, Unicode

from nbclient.util import run_sync
from nbgrader.utils import is_grade, is_locked, is_solution

from . import wire
from .kernels import PooledExecute
from .sandbox import RPC_MIME

__all__ = ["IsolatedExecute", "scan_source", "trusted_definitions", "UntrustedValueError"]


class UntrustedValueError(AssertionError):
    """A test compared or tested the truth of an object defined by the submission."""


# --- static scan -------------------------------------------------------------------------

_SUSPICIOUS = [
    (r"input_transformers|ast_transformers|register_transformer|InputTransformer",
     "registers IPython input or AST transformers"),
    (r"set_custom_exc|custom_exceptions", "installs a custom exception handler"),
    (r"\.events\.(register|unregister|callbacks)", "registers IPython event callbacks"),
    (r"settrace|setprofile|sys\.monitoring", "installs a trace or profile function"),
    (r"sys\.modules\s*(\[|\.(update|pop|setdefault|__setitem__|clear))",
     "changes sys.modules"),
    (r"__builtins__|\bimport\s+builtins\b|from\s+builtins\s+import|\bbuiltins\.",
     "touches builtins"),
    (r"os\._exit|os\.kill|os\.abort|\bsignal\.|sys\.exit|\bquit\(|\bexit\(|faulthandler",
     "exits, signals or kills the kernel"),
    (r"ctypes|cffi|gc\.get_(objects|referents|referrers)|_testcapi",
     "uses raw-memory tools"),
    (r"subprocess|os\.system|os\.fork|os\.popen|os\.exec|os\.spawn|\bpty\.",
     "starts processes"),
    (r"showtraceback|displayhook|excepthook|sys\.std(out|err)\s*=|sys\.__std",
     "replaces output or error hooks"),
    (r"get_ipython\(\)\.kernel|\.kernel\.(session|iopub)|iopub_socket",
     "talks to the kernel's channels"),
    (r"__autograder", "touches the grader's hooks"),
    (r"\b(layerlab|hashlib|json|math|re|os|sys|string|itertools|functools)(\.\w+)+\s*=[^=]",
     "patches a library module"),
    (r"setattr\(\s*(layerlab|hashlib|json|math|os|sys|builtins)\b", "patches a library module"),
    (r"__code__|__globals__|__closure__|f_back|f_globals|f_locals|tb_frame|gi_frame|"
     r"_getframe|currentframe", "inspects frames or code objects"),
]


def scan_source(source: str) -> list[str]:
    """Descriptions of suspicious constructs in `source` (an answer cell)."""
    found = []
    for pattern, what in _SUSPICIOUS:
        if re.search(pattern, source) and what not in found:
            found.append(what)
    return found


# --- trusted definitions -------------------------------------------------------------------

def _transform(source: str) -> str:
    """IPython syntax (magics, !shell) to plain Python, as the kernel would compile it."""
    try:
        ast.parse(source)
        return source
    except SyntaxError:
        pass
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        return TransformerManager().transform_cell(source)
    except Exception:
        return source


def _literal(node) -> bool:
    try:
        ast.literal_eval(node)
        return True
    except Exception:
        return False


def trusted_definitions(source: str) -> str:
    """The def/class/import and literal-assignment statements of an instructor cell."""
    try:
        tree = ast.parse(_transform(source))
    except SyntaxError:
        return ""
    keep = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            keep.append(node)
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            keep.append(node)
        elif isinstance(node, ast.Assign) and _literal(node.value) and all(
                isinstance(t, ast.Name) for t in node.targets):
            keep.append(node)
        elif isinstance(node, ast.AnnAssign) and node.value is not None and \
                isinstance(node.target, ast.Name) and _literal(node.value):
            keep.append(node)
    return ast.unparse(ast.Module(body=keep, type_ignores=[])) if keep else ""


def _binders(source: str) -> dict[str, str]:
    """Top-level names a cell binds -> 'import <module>' or 'assign'."""
    try:
        tree = ast.parse(_transform(source))
    except SyntaxError:
        return {}
    out: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for a in node.names:
                out[a.asname or a.name.split(".")[0]] = f"import {a.name if a.asname else a.name.split('.')[0]}"
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                out[a.asname or a.name] = f"from {node.module} import {a.name}"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out[node.name] = "assign"
        else:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    out.setdefault(sub.id, "assign")
    return out


# --- framing ---------------------------------------------------------------------------------

def _send(sock: socket.socket, obj) -> None:
    data = json.dumps(obj).encode()
    sock.sendall(struct.pack(">I", len(data)) + data)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def _recv(sock: socket.socket):
    (n,) = struct.unpack(">I", _recv_exact(sock, 4))
    return json.loads(_recv_exact(sock, n))


async def _arecv(loop, sock: socket.socket):
    async def exact(n):
        buf = b""
        while len(buf) < n:
            chunk = await loop.sock_recv(sock, n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    (n,) = struct.unpack(">I", await exact(4))
    return json.loads(await exact(n))


# --- the test process -------------------------------------------------------------------------

class _Capture(io.TextIOBase):
    def __init__(self, name, sink):
        self.name, self.sink = name, sink

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str")
        self.sink.append([self.name, s])
        return len(s)

    def writable(self):
        return True


class _TestRuntime:
    """Everything the test process does; runs in a forked child, blocking I/O only."""

    def __init__(self, sock, job):
        self.sock, self.job = sock, job
        self.streams: list = []
        self.flags: list = []
        self._reverse: dict = {}

    # -- RPC to the kernel, through the grading worker
    def rpc(self, op: str, **kw):
        _send(self.sock, {"kind": "rpc", "op": op, **kw})
        reply = _recv(self.sock)
        for s in reply.get("streams", []):
            if type(s) is list and len(s) == 2:
                self.streams.append([str(s[0]), str(s[1])])
        if reply.get("timeout"):
            raise _CellTimeout(reply.get("message", ""))
        if reply.get("error"):
            self.flag(reply["error"])
            raise RuntimeError(f"the submission's kernel did not answer: {reply['error']}")
        try:
            tree = wire.loads(reply["reply"])
        except (wire.WireError, KeyError) as exc:
            self.flag(f"malformed reply from the kernel: {exc}")
            raise RuntimeError("malformed reply from the submission") from None
        if type(tree) is not list or not tree:
            self.flag("malformed reply from the kernel")
            raise RuntimeError("malformed reply from the submission")
        if tree[0] == "ok":
            return tree[1] if len(tree) > 1 else None
        if tree[0] == "raise":
            raise self._exception(tree)
        self.flag("malformed reply from the kernel")
        raise RuntimeError("malformed reply from the submission")

    def flag(self, text: str) -> None:
        if text not in self.flags:
            self.flags.append(text)

    def decode(self, tree):
        try:
            return wire.decode(tree, proxy=self._proxy)
        except wire.WireError as exc:
            self.flag(f"the submission sent an unacceptable value: {exc}")
            raise UntrustedValueError(f"the submission returned an unacceptable value: {exc}") \
                from None

    def encode(self, value):
        return wire.encode(value, None, _refs=lambda o: self._reverse.get(id(o)))

    def _proxy(self, handle, mro, is_callable):
        if mro and not wire.is_trusted_module(mro[0].rpartition(".")[0]):
            data = [m for m in mro[1:] if m in _DATA_TYPES]
            if data:
                self.flag(f"the submission produced a {mro[0].rpartition('.')[2]}, its own "
                          f"subclass of {data[0].rpartition('.')[2]}, where plain data was "
                          "expected")
        proxy = RemoteObject(self, handle, mro, is_callable)
        self._reverse[id(proxy)] = handle
        return proxy

    def _exception(self, tree):
        _, mro, text, args = (tree + [None] * 4)[:4]
        cls = Exception
        for name in mro if isinstance(mro, list) else []:
            mod, _, qn = str(name).rpartition(".")
            if mod == "builtins" and isinstance(getattr(builtins, qn, None), type) and \
                    issubclass(getattr(builtins, qn), BaseException):
                cls = getattr(builtins, qn)
                break
            if wire.is_trusted_module(mod):
                try:
                    cand = wire._import_trusted(mod, qn)
                except Exception:
                    continue
                if isinstance(cand, type) and issubclass(cand, BaseException):
                    cls = cand
                    break
        if cls in (KeyboardInterrupt, SystemExit, GeneratorExit):
            cls = RuntimeError
        exc = None
        if args is not None:
            try:
                exc = cls(*wire.decode(args))
            except Exception:
                exc = None
        if exc is None:
            try:
                exc = cls(text)
            except Exception:
                exc = RuntimeError(text)
        return exc

    # -- running the test cell
    def run(self) -> dict:
        job = self.job
        ns = {"__name__": "__main__", "__builtins__": builtins}
        for src in job["trusted"]:
            try:
                exec(compile(src, "<instructor definitions>", "exec"), ns)
            except BaseException as exc:  # noqa: BLE001 - report, keep going
                self.flag(f"instructor definitions failed in the test process: "
                          f"{type(exc).__name__}: {exc}")
        source = _transform(job["source"])
        filename = f"<test {job['grade_id']}>"
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            return self._error(exc, source)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        body = compile(tree, filename, "exec")
        tail = compile(last, filename, "eval") if last is not None else None
        codes = [body] + ([tail] if tail else []) + [
            compile(s, "<defs>", "exec") for s in job["trusted"] if s]
        wanted = set()
        for code in codes:
            wanted |= _names(code)
        wanted -= set(ns)
        for name in sorted(n for n in wanted if hasattr(builtins, n)
                           and n in job["student_names"]):
            self.flag(f"an answer cell redefines the builtin '{name}' that the test uses; "
                      "the test used the real one")
        wanted = {n for n in wanted if not hasattr(builtins, n)}
        real_out, real_err = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _Capture("stdout", self.streams), _Capture("stderr", self.streams)
        result = None
        try:
            if wanted or job.get("probe"):
                # one round trip: the names the test needs, and the kernel's integrity report
                reply = self.rpc("resolve", names=sorted(wanted), probe=bool(job.get("probe")))
                if type(reply) is not dict or type(reply.get("names")) is not dict:
                    raise RuntimeError("malformed reply from the submission")
                for name, enc in reply["names"].items():
                    if name in wanted and enc != ["missing"]:
                        ns[name] = self.decode(enc)
                for probe in reply.get("probe") or []:
                    self.flag("kernel: " + str(probe))
            for name in job.get("shadowed", []):
                self.flag(f"an answer cell redefines the instructor's name '{name}'; the "
                          "test used the instructor's")
            exec(body, ns)
            if tail is not None:
                value = eval(tail, ns)
                if value is not None:
                    result = {"output_type": "execute_result", "execution_count": None,
                              "metadata": {}, "data": {"text/plain": self._repr(value)}}
        except _CellTimeout as exc:
            return self._finish({"output_type": "error", "ename": "CellTimeoutError",
                                 "evalue": str(exc), "traceback": [
                                     "CellTimeoutError: No reply from kernel before timeout"]})
        except BaseException as exc:  # noqa: BLE001 - a failing test is a result
            return self._error(exc, source)
        finally:
            sys.stdout, sys.stderr = real_out, real_err
        return self._finish(result)

    def _repr(self, value):
        if isinstance(value, RemoteObject):
            self.flag("a test's final value was an object defined by the submission")
            return "<object from the submission>"
        return repr(value)

    def _error(self, exc, source):
        if isinstance(exc, UntrustedValueError):
            self.flag(str(exc))
        lines = source.split("\n")
        tb = [f"{type(exc).__name__}                                Traceback (most recent call last)"]
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename.startswith("<test "):
                text = lines[frame.lineno - 1].strip() if 0 < frame.lineno <= len(lines) else ""
                tb.append(f"Cell In[ ], line {frame.lineno}\n----> {frame.lineno} {text}")
        tb.append(f"{type(exc).__name__}: {exc}")
        return self._finish({"output_type": "error", "ename": type(exc).__name__,
                             "evalue": str(exc), "traceback": tb})

    def _finish(self, final):
        outs = []
        for name, text in self.streams:
            if outs and outs[-1]["output_type"] == "stream" and outs[-1]["name"] == name:
                outs[-1]["text"] += text
            else:
                outs.append({"output_type": "stream", "name": name, "text": text})
        if final is not None:
            outs.append(final)
        return {"kind": "done", "outputs": outs, "flags": self.flags}


_DATA_TYPES = {f"builtins.{t}" for t in ("int", "float", "complex", "str", "bytes", "bytearray",
                                           "list", "tuple", "dict", "set", "frozenset",
                                           "bool")}


class _CellTimeout(Exception):
    pass


def _names(code) -> set[str]:
    out = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            out |= _names(const)
    return out


class RemoteObject:
    """An object that stayed in the submission's kernel. Calls and attribute reads are
    forwarded; comparisons, truth tests and hashing are refused (a submission-defined
    ``__eq__`` could make any assert pass)."""

    __slots__ = ("_rt", "_h", "_mro", "_callable")

    def __init__(self, rt, handle, mro, is_callable):
        object.__setattr__(self, "_rt", rt)
        object.__setattr__(self, "_h", handle)
        object.__setattr__(self, "_mro", mro)
        object.__setattr__(self, "_callable", is_callable)

    def _op(self, op, **kw):
        rt = object.__getattribute__(self, "_rt")
        return rt.decode(rt.rpc(op, h=object.__getattribute__(self, "_h"), **kw))

    def __call__(self, *args, **kwargs):
        rt = object.__getattribute__(self, "_rt")
        return self._op("call", args=rt.encode(args), kwargs=rt.encode(kwargs))

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._op("getattr", name=name)

    def __setattr__(self, name, value):
        raise TypeError("cannot set attributes on an object from the submission")

    def __repr__(self):
        value = self._op("repr")
        return value if type(value) is str else "<object from the submission>"

    def __str__(self):
        value = self._op("str")
        return value if type(value) is str else "<object from the submission>"

    def __iter__(self):
        value = self._op("list")
        if type(value) is not list:
            raise TypeError("iteration did not give a list")
        return iter(value)

    def __len__(self):
        value = self._op("len")
        if type(value) is not int:
            raise TypeError("len() did not give an int")
        return value

    def __getitem__(self, key):
        rt = object.__getattribute__(self, "_rt")
        return self._op("getitem", key=rt.encode(key))

    @property
    def __class__(self):
        mro = object.__getattribute__(self, "_mro")
        if mro:
            mod, _, qn = mro[0].rpartition(".")
            if wire.is_trusted_module(mod):
                try:
                    return wire._import_trusted(mod, qn)
                except Exception:
                    pass
        return RemoteObject

    def _refuse(self, what):
        mro = object.__getattribute__(self, "_mro")
        kind = mro[0] if mro else "object"
        raise UntrustedValueError(
            f"the test {what} a {kind.rpartition('.')[2]} object defined by the submission; "
            "only plain data (numbers, strings, lists, dicts, layerlab values) is compared")

    def __eq__(self, other):
        self._refuse("compared")

    __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __eq__

    def __bool__(self):
        self._refuse("tested the truth of")

    def __hash__(self):
        self._refuse("hashed")

    def __contains__(self, item):
        self._refuse("searched")


def _run_test_process(sock, job) -> None:
    """Body of the forked test process (never returns)."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        runtime = _TestRuntime(sock, job)
        _send(sock, runtime.run())
    except BaseException:  # noqa: BLE001
        code = 1
        try:
            _send(sock, {"kind": "crash", "message": traceback.format_exc(limit=5)})
        except Exception:
            pass
    finally:
        os._exit(code)


# --- the nbgrader preprocessor -----------------------------------------------------------------

class IsolatedExecute(PooledExecute):
    """nbgrader's Execute, with each autograder test cell run in a fresh test process."""

    source_notebook = Unicode(
        "", help="The instructor's source notebook (trusted test sources and definitions)"
    ).tag(config=True)
    report_path = Unicode(
        "", help="Where to write the JSON integrity report (flags) for this notebook"
    ).tag(config=True)
    isolate_tests = Bool(
        True, help="Run test cells in a separate process (False: plain nbgrader)"
    ).tag(config=True)
    probe_kernel = Bool(
        True, help="Ask the kernel for its integrity report before each test cell"
    ).tag(config=True)
    max_output_bytes = Integer(
        2_000_000, help="Text output kept per cell; the rest is dropped and flagged"
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._flags: list[str] = []
        self._out_bytes: dict[int, int] = {}
        self._prepare(nb)
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self.report_path:
                with open(self.report_path, "w") as f:
                    json.dump({"flags": self._flags}, f)

    def _flag(self, text: str) -> None:
        if text not in self._flags:
            self._flags.append(text)

    def _prepare(self, nb) -> None:
        source = nbformat.read(self.source_notebook, as_version=4) if self.source_notebook \
            else nb
        self._tests: dict[str, str] = {}
        self._trusted_before: dict[str, list[str]] = {}
        self._instructor_names: dict[str, str] = {}
        trusted: list[str] = []
        for cell in source.cells:
            if cell.cell_type != "code":
                continue
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if is_grade(cell) and not is_solution(cell):
                self._tests[gid] = cell.source
                self._trusted_before[gid] = list(trusted)
                defs = trusted_definitions(cell.source)
                if defs:
                    trusted.append(defs)
            elif is_locked(cell):
                defs = trusted_definitions(cell.source)
                if defs:
                    trusted.append(defs)
                    self._instructor_names.update(_binders(defs))
        self._student_names: dict[str, str] = {}
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or self._is_test(cell) or is_locked(cell):
                continue
            for what in scan_source(cell.source):
                self._flag(f"answer cell {index + 1} {what}")
            self._student_names.update(_binders(cell.source))
        self._shadowed = sorted(
            n for n, how in self._student_names.items()
            if n in self._instructor_names and how != self._instructor_names[n])

    def _check_limits(self, cell, cell_index) -> None:
        for out in cell.get("outputs", []):
            if out.get("output_type") != "error":
                continue
            ename, evalue = out.get("ename", ""), str(out.get("evalue", ""))
            if ename == "MemoryError":
                self._flag(f"cell {cell_index + 1} ran out of memory (sandbox memory limit)")
            elif "File too large" in evalue or "Errno 27" in evalue:
                self._flag(f"cell {cell_index + 1} hit the sandbox file-size limit")
            elif "autograder sandbox" in evalue:
                self._flag(f"cell {cell_index + 1}: {evalue}")

    def _is_test(self, cell) -> bool:
        return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = len(str(content.get("text", ""))) + sum(
            len(str(v)) for v in content.get("data", {}).values())
        used = self._out_bytes.get(cell_index, 0) + size
        self._out_bytes[cell_index] = used
        if used > self.max_output_bytes:
            if used - size <= self.max_output_bytes:
                self._flag(f"cell {cell_index + 1} printed more than "
                           f"{self.max_output_bytes} characters; the rest was dropped")
            return None
        return super().output(outs, msg, display_id, cell_index)

    async def async_execute_cell(self, cell, cell_index, execution_count=None,
                                 store_history=True):
        if not (self.isolate_tests and self._is_test(cell)):
            cell = await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
            self._check_limits(cell, cell_index)
            return cell
        gid = cell.metadata["nbgrader"]["grade_id"]
        source = self._tests.get(gid)
        if source is None:  # not in the source notebook: nbgrader will not score it anyway
            return await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        job = {"grade_id": gid, "source": source, "trusted": self._trusted_before[gid],
               "student_names": sorted(self._student_names),
               "shadowed": [n for n in self._shadowed if re.search(rf"\b{re.escape(n)}\b",
                                                                    source)],
               "probe": self.probe_kernel}
        outputs, flags = await self._run_isolated(job, cell, cell_index)
        for f in flags:
            # the kernel's own state is per notebook, the rest per test cell
            self._flag(f[len("kernel: "):] if f.startswith("kernel: ") else f"{gid}: {f}")
        cell.outputs = [NotebookNode(o) for o in outputs]
        cell.execution_count = execution_count
        self.nb["cells"][cell_index] = cell  # the RPC cells ran "at" this index
        return cell

    # nbclient binds the synchronous wrapper to its own coroutine at class creation
    execute_cell = run_sync(async_execute_cell)

    async def _run_isolated(self, job, cell, cell_index):
        loop = asyncio.get_running_loop()
        parent, child = socket.socketpair()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the test process
            parent.close()
            _run_test_process(child, job)
        child.close()
        parent.setblocking(False)
        deadline = time.monotonic() + (self.timeout or 10 ** 9)
        try:
            while True:
                remaining = deadline - time.monotonic()
                try:
                    msg = await asyncio.wait_for(_arecv(loop, parent), max(remaining, 0.01))
                except asyncio.TimeoutError:
                    return self._timed_out(), ["the test did not finish within the timeout"]
                except (EOFError, ConnectionError, ValueError):
                    return ([self._error_output("RuntimeError", "the test process died")],
                            ["the test process died unexpectedly"])
                kind = msg.get("kind")
                if kind == "done":
                    return msg["outputs"], msg.get("flags", [])
                if kind == "crash":
                    return ([self._error_output("RuntimeError", "the grader's test process "
                                                                "failed")],
                            [f"test process failed: {msg.get('message', '')[-300:]}"])
                reply = await self._kernel_rpc(msg, cell, cell_index, deadline)
                data = json.dumps(reply).encode()
                await loop.sock_sendall(parent, struct.pack(">I", len(data)) + data)
        finally:
            parent.close()
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass

    async def _kernel_rpc(self, msg, cell, cell_index, deadline):
        """Execute one RPC request in the kernel; returns the reply for the test process."""
        nonce = secrets.token_hex(8)
        request = {k: v for k, v in msg.items() if k != "kind"}
        request["nonce"] = nonce
        probe = NotebookNode(cell_type="code", metadata={}, outputs=[],
                             source=f"__autograder_rpc__({json.dumps(request)!r})",
                             execution_count=None)
        saved = self.timeout
        self.timeout = max(1, int(deadline - time.monotonic() + 0.999))
        try:
            await super().async_execute_cell(probe, cell_index, store_history=False)
        finally:
            self.timeout = saved
        streams, reply, error, timeout = [], None, None, False
        for out in probe.outputs:
            kind = out.get("output_type")
            if kind == "stream":
                streams.append([out.get("name", "stdout"), str(out.get("text", ""))])
            elif kind in ("display_data", "execute_result") and RPC_MIME in out.get("data", {}):
                payload = out["data"][RPC_MIME]
                if isinstance(payload, dict) and payload.get("nonce") == nonce and reply is None:
                    reply = payload.get("reply")
            elif kind == "error":
                if out.get("ename") == "CellTimeoutError":
                    timeout = True
                elif reply is None:
                    error = f"{out.get('ename')}: {out.get('evalue')}"
            elif kind in ("display_data", "execute_result"):
                streams.append(["stdout", str(out.get("data", {}).get("text/plain", ""))
                                + "\n"])
        result = {"streams": streams}
        if timeout:
            result["timeout"] = True
            result["message"] = "No reply from kernel before timeout"
        elif reply is None:
            result["error"] = error or "no reply (the grader's hook was removed or replaced)"
        else:
            result["reply"] = reply if isinstance(reply, str) else ""
        return result

    def _timed_out(self):
        return [self._error_output("CellTimeoutError", "",
                                   ["CellTimeoutError: No reply from kernel before timeout"])]

    @staticmethod
    def _error_output(ename, evalue, tb=None):
        return {"output_type": "error", "ename": ename, "evalue": evalue,
                "traceback": tb or [f"{ename}: {evalue}"]}
