"""The grading kernel: ipykernel started with limits, an audit hook and a data-only RPC.

Run as ``python -m autograder.sandbox -f CONNECTION_FILE`` (the kernelspec written by
`write_kernelspec`). Before the kernel serves its first cell it:

1. applies resource limits (``resource.setrlimit``): address space, CPU seconds, file
   size, open files, core dumps, and processes (the last is only enforced for non-root);
2. makes its working directory (nbgrader's throw-away copy of the submission) its HOME
   and TMPDIR, and exits if the grading worker that started it goes away;
3. installs an audit hook (`sys.addaudithook`, which no Python code can remove) that,
   once armed, refuses: starting processes, signalling other processes, ctypes and other
   raw-memory tools, adding audit hooks, sockets, and writing outside the working
   directory or reading the course and other submissions. Each refusal raises
   `PermissionError` in the student's code and is recorded for the grader;
4. puts ``__autograder_rpc__`` in builtins: the entry point through which the test
   process (see `autograder.isolation`) reads the student's definitions and calls them,
   exchanging only `autograder.wire` data.

Student code runs in this process and can tamper with anything in it, including this
module: nothing here is trusted by the grader except as "what the submission answers".
The integrity report (`probe`) is therefore a best-effort flag source; the guarantee
comes from running the tests elsewhere.
"""

from __future__ import annotations

import builtins
import json
import os
import sys
import threading

__all__ = ["write_kernelspec", "KERNEL_NAME", "ENV_VAR", "RPC_MIME"]

KERNEL_NAME = "autograder-sandbox"
ENV_VAR = "AUTOGRADER_SANDBOX"
RPC_MIME = "application/x-autograder-rpc+json"


def write_kernelspec(data_dir: str, python: str | None = None) -> str:
    """Write the sandbox kernelspec under ``data_dir/kernels/`` and return its directory.

    Put `data_dir` first on JUPYTER_PATH so jupyter_client finds it.
    """
    path = os.path.join(data_dir, "kernels", KERNEL_NAME)
    os.makedirs(path, exist_ok=True)
    spec = {
        "argv": [python or sys.executable, "-m", "autograder.sandbox", "-f",
                 "{connection_file}"],
        "display_name": "Python 3 (autograder sandbox)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    with open(os.path.join(path, "kernel.json"), "w") as f:
        json.dump(spec, f)
    return path


# --- limits ---------------------------------------------------------------------------------

def _apply_limits(cfg: dict) -> None:
    import resource

    def cap(which, value):
        if value is None:
            return
        soft, hard = resource.getrlimit(which)
        value = int(value)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(which, (value, value if which != resource.RLIMIT_CPU
                                       else min(hard, value + 5) if hard != resource.RLIM_INFINITY
                                       else value + 5))
        except (ValueError, OSError):
            pass

    mb = 1024 * 1024
    if cfg.get("memory_mb"):
        cap(resource.RLIMIT_AS, cfg["memory_mb"] * mb)
    cap(resource.RLIMIT_CPU, cfg.get("cpu_seconds"))
    if cfg.get("fsize_mb"):
        cap(resource.RLIMIT_FSIZE, cfg["fsize_mb"] * mb)
    cap(resource.RLIMIT_NOFILE, cfg.get("nofile"))
    cap(resource.RLIMIT_CORE, 0)
    if cfg.get("nproc"):
        cap(resource.RLIMIT_NPROC, cfg["nproc"])


def _watch_parent() -> None:
    parent = os.getppid()

    def loop():
        import time
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(70)

    threading.Thread(target=loop, name="autograder-parent-watch", daemon=True).start()


# --- the audit hook -------------------------------------------------------------------------

_WRITE_EVENTS = {"os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown",
                 "os.symlink", "os.link", "os.truncate", "os.utime", "shutil.rmtree",
                 "shutil.copyfile", "shutil.copytree", "shutil.move", "os.chflags",
                 "os.setxattr", "os.removexattr", "os.mkfifo", "os.mknod"}
_BLOCKED_EVENTS = {"os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                   "os.forkpty", "subprocess.Popen", "os.killpg", "sys.addaudithook",
                   "gc.get_objects", "gc.get_referrers", "gc.get_referents",
                   "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg",
                   "os.startfile", "webbrowser.open", "os.chroot", "os.setuid",
                   "sys.remote_exec"}
_BLOCKED_MODULES = {"ctypes", "_ctypes", "cffi", "_cffi_backend", "_testcapi",
                    "_testinternalcapi", "_xxsubinterpreters", "_posixsubprocess"}


def _code_roots() -> list[str]:
    """Where the kernel's own code lives: Python's installation (the venv may sit inside the
    course folder, or under a denied temp dir) and the layerlab package the exercises import.
    Reading there stays allowed; notebooks and gradebooks are refused anywhere outside the
    sandbox folder by their names."""
    import importlib.util
    import sys

    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    for name in ("layerlab",):
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        for loc in (spec.submodule_search_locations or []) if spec else []:
            roots.add(os.path.realpath(loc))
    return sorted(roots)


def _install_audit_hook(cfg: dict, violations: list) -> callable:
    """Install the hook (disarmed) and return a function that arms it."""
    state = {"armed": False, "inside": False}
    cwd = os.path.realpath(os.getcwd())
    writable = [cwd, os.path.realpath(os.environ.get("TMPDIR", cwd)), "/dev/null",
                "/dev/stdout", "/dev/stderr"]
    unreadable = [os.path.realpath(p) for p in cfg.get("deny_read", [])]
    code_roots = _code_roots()
    me = os.getpid()
    realpath, fspath, startswith = os.path.realpath, os.fspath, str.startswith
    O_WRITE = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
    perm_error = PermissionError

    def under(path, roots):
        return any(path == r or startswith(path, r.rstrip("/") + "/") for r in roots)

    def deny(event, detail=""):
        msg = f"{event}{': ' + detail if detail else ''}"
        if len(violations) < 100:
            violations.append(msg)
        raise perm_error(f"autograder sandbox: {msg} is not allowed while grading")

    def resolve(p):
        if isinstance(p, int):
            return None
        try:
            return realpath(fspath(p) if not isinstance(p, bytes) else p.decode(errors="replace"))
        except Exception:
            return None

    def hook(event, args):
        if not state["armed"] or state["inside"]:
            return
        state["inside"] = True
        try:
            if event in _BLOCKED_EVENTS or event.startswith("ctypes."):
                deny(event)
            elif event == "import":
                name = args[0] if args else ""
                if isinstance(name, str) and name.split(".")[0] in _BLOCKED_MODULES:
                    deny("import", name)
            elif event == "os.kill":
                if args and args[0] not in (me, 0):
                    deny(event, f"pid {args[0]}")
            elif event == "open":
                path = resolve(args[0]) if args else None
                if path is None:
                    return
                mode, flags = (args[1] if len(args) > 1 else "r"), (args[2] if len(args) > 2 else 0)
                writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
                    (isinstance(flags, int) and flags & O_WRITE)
                if writing and not under(path, writable):
                    deny("writing", path)
                if not under(path, [cwd]) and (
                        (under(path, unreadable) and not under(path, code_roots))
                        or path.endswith((".ipynb", "gradebook.db"))):
                    deny("reading", path)
                if startswith(path, "/proc/") and path.rsplit("/", 1)[-1] in ("mem", "pagemap"):
                    deny("reading", path)
            elif event in _WRITE_EVENTS:
                for a in args[:2]:
                    path = resolve(a) if isinstance(a, (str, bytes, os.PathLike)) else None
                    if path and not under(path, writable):
                        deny(event, path)
            elif event in ("sys.settrace", "sys.setprofile"):
                if args and args[0] is not None and len(violations) < 100:
                    violations.append(f"{event} (tracing installed)")
        finally:
            state["inside"] = False

    sys.addaudithook(hook)

    def arm():
        state["armed"] = True

    return arm


# --- RPC and probe ----------------------------------------------------------------------------

def _make_rpc(shell, violations: list, snapshot: dict):
    from IPython.display import publish_display_data

    from . import wire

    handles: dict = {}

    def encode(value):
        try:
            return wire.encode(value, handles)
        except (wire.WireError, RecursionError):
            return wire.handle(value, handles)  # too deep or too odd to copy: a proxy

    def resolve(name):
        ns = shell.user_ns
        if name in ns:
            return encode(ns[name])
        if hasattr(builtins, name):
            return encode(getattr(builtins, name))
        return ["missing"]

    def describe(exc: BaseException):
        mro = []
        for k in type(exc).__mro__:
            mro.append(f"{getattr(k, '__module__', '?')}.{getattr(k, '__qualname__', '?')}")
        try:
            args = wire.encode(tuple(exc.args), None)
        except Exception:
            args = None
        try:
            text = str(exc)
        except Exception:
            text = "<unprintable>"
        return ["raise", mro, text[:10000], args]

    def rpc(request: str):
        reply = None
        nonce = None
        try:
            req = json.loads(request)
            nonce = req.get("nonce")
            op = req["op"]
            if op == "resolve":
                found = probe(shell, violations, snapshot) if req.get("probe") else []
                reply = ["ok", {"names": {n: resolve(n) for n in req["names"]},
                                "probe": found}]
            else:
                target = handles[req["h"]]
                if op == "call":
                    args = wire.decode(req["args"], handles=handles)
                    kwargs = wire.decode(req["kwargs"], handles=handles)
                    value = target(*args, **kwargs)
                elif op == "getattr":
                    value = getattr(target, req["name"])
                elif op == "repr":
                    value = repr(target)
                elif op == "str":
                    value = str(target)
                elif op == "list":
                    value = list(target)
                elif op == "len":
                    value = len(target)
                elif op == "getitem":
                    value = target[wire.decode(req["key"], handles=handles)]
                else:
                    raise ValueError(f"unknown op {op}")
                reply = ["ok", encode(value)]
        except Exception as exc:
            reply = describe(exc)
        try:
            text = wire.dumps(reply)
        except Exception as exc:
            text = wire.dumps(describe(exc))
        publish_display_data({RPC_MIME: {"nonce": nonce, "reply": text}})

    return rpc


_MACHINERY = tuple(os.sep + p + os.sep for p in (
    "ipykernel", "IPython", "zmq", "tornado", "jupyter_client", "asyncio", "concurrent",
    "comm", "traitlets"))


def _frame_files(frame) -> list[str]:
    files = []
    while frame is not None:
        files.append(frame.f_code.co_filename)
        frame = frame.f_back
    return files


def _machinery_thread(frame) -> bool:
    """Whether a thread runs only the kernel's own machinery (ipykernel, IPython, zmq...).

    The kernel's libraries start threads of their own on demand: pyzmq starts its
    zero-copy garbage-collector thread (zmq/utils/garbage.py) the first time a message
    frame is larger than zmq.COPY_THRESHOLD (64 KB), which is what an honest answer
    printing a few thousand lines does (its output goes out as one large IOPub message);
    IPython restarts its history-saving thread after a fork. So a thread id the snapshot
    did not have is not by itself the student's: a thread whose stack holds any frame
    outside that machinery (and outside threading.py) is counted.
    """
    files = _frame_files(frame)
    threading_py = threading.__file__
    ours = [f for f in files if f != threading_py]
    return bool(ours) and all(any(m in f for m in _MACHINERY) for f in ours)


def _thread_origin(frame) -> str:
    files = [f for f in _frame_files(frame) if f != threading.__file__]
    return os.path.basename(files[-1]) if files else "threading"


def _snapshot(shell) -> dict:
    trusted = {}
    from . import wire

    for name, mod in list(sys.modules.items()):
        if mod is not None and wire.is_trusted_module(name) and name != "builtins":
            try:
                trusted[name] = (mod, dict(vars(mod)))
            except TypeError:
                pass
    classes = {}
    for name, (_mod, d) in trusted.items():
        if not name.startswith("layerlab"):
            continue
        for value in d.values():
            if isinstance(value, type) and getattr(value, "__module__", "") == name:
                classes[id(value)] = (value, dict(vars(value)))
    return {
        "builtins": dict(vars(builtins)),
        "modules": dict(sys.modules),
        "trusted": trusted,
        "classes": classes,
        "input_transformers_cleanup": list(shell.input_transformers_cleanup),
        "input_transformers_post": list(shell.input_transformers_post),
        "ast_transformers": list(shell.ast_transformers),
        "callbacks": {k: list(v) for k, v in shell.events.callbacks.items()},
        "shell_attrs": set(vars(shell)),
        "shell_classes": [(cls, dict(vars(cls))) for cls in type(shell).__mro__
                          if cls is not object],
        "threads": set(sys._current_frames()),
    }


# names ipykernel and IPython themselves swap in and out of builtins around each request
_VOLATILE_BUILTINS = {"input", "getpass", "raw_input", "exit", "quit", "get_ipython",
                      "display", "__IPYTHON__", "_", "__", "___", "__autograder_rpc__"}


def probe(shell, violations: list, snap: dict) -> list[str]:
    """What the submission changed that could affect how later cells run (best effort)."""
    found = []
    if not snap:
        return ["the kernel's integrity snapshot is missing (its first-cell hook was removed)"]
    if sys.gettrace() is not None or sys.getprofile() is not None:
        found.append("a trace or profile function is installed")
    for attr in ("input_transformers_cleanup", "input_transformers_post", "ast_transformers"):
        if list(getattr(shell, attr)) != snap[attr]:
            found.append(f"IPython {attr.replace('_', ' ')} were changed")
    for event, cbs in shell.events.callbacks.items():
        if list(cbs) != snap["callbacks"].get(event, []):
            found.append(f"IPython '{event}' event callbacks were changed")
    if shell.custom_exceptions:
        found.append("a custom exception handler is installed")
    new_attrs = set(vars(shell)) - snap["shell_attrs"]
    patched = sorted(a for a in new_attrs if callable(getattr(shell, a, None)))
    if patched:
        found.append(f"IPython shell methods patched: {', '.join(patched[:5])}")
    for cls, d in snap["shell_classes"]:
        now = vars(cls)
        diff = sorted(k for k in set(d) | set(now) if d.get(k) is not now.get(k))
        if diff:
            found.append(f"IPython class {cls.__name__} patched: {', '.join(diff[:4])}")
    current = vars(builtins)
    changed = sorted(k for k, v in snap["builtins"].items()
                     if k not in _VOLATILE_BUILTINS and current.get(k, None) is not v)
    added = sorted(k for k in current if k not in snap["builtins"]
                   and k not in _VOLATILE_BUILTINS)
    if changed or added:
        found.append(f"builtins changed: {', '.join((changed + added)[:6])}")
    swapped = sorted(k for k, m in snap["modules"].items() if sys.modules.get(k, m) is not m)
    if swapped:
        found.append(f"sys.modules entries replaced: {', '.join(swapped[:6])}")
    for name, (mod, d) in snap["trusted"].items():
        now = vars(mod)
        diff = [k for k, v in d.items() if now.get(k, None) is not v]
        if diff:
            found.append(f"module {name} patched: {', '.join(sorted(diff)[:4])}")
    for cls, d in snap["classes"].values():
        now = vars(cls)
        diff = [k for k in set(d) | set(now) if d.get(k) is not now.get(k)]
        if diff:
            found.append(f"class {cls.__module__}.{cls.__qualname__} patched: "
                         f"{', '.join(sorted(diff)[:4])}")
    frames = sys._current_frames()
    extra = [f for ident, f in frames.items()
             if ident not in snap["threads"] and not _machinery_thread(f)]
    if extra:
        where = sorted({_thread_origin(f) for f in extra})
        found.append(f"the submission started {len(extra)} background thread(s) "
                     f"({', '.join(where[:3])})")
    for v in violations[:20]:
        if v.endswith("(tracing installed)"):
            found.append(f"the submission: {v}")
        else:
            found.append(f"sandbox refused {v}")
    return found


# --- main -------------------------------------------------------------------------------------

def main(argv=None) -> None:
    cfg = json.loads(os.environ.get(ENV_VAR, "{}") or "{}")
    cwd = os.getcwd()
    tmp = os.path.join(cwd, ".tmp")
    os.makedirs(tmp, exist_ok=True)
    os.environ.update(HOME=cwd, TMPDIR=tmp, TEMP=tmp, TMP=tmp)
    _apply_limits(cfg)
    import signal

    # past RLIMIT_FSIZE a write then fails with EFBIG instead of killing the kernel
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _watch_parent()
    violations: list = []
    arm = _install_audit_hook(cfg, violations)

    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(sys.argv[1:] if argv is None else argv)
    # modules the tests are likely to touch, imported before any student code so the
    # probe knows their pristine state
    for name in cfg.get("preload", []):
        try:
            __import__(name)
        except Exception:
            pass
    shell = app.shell
    snapshot: dict = {}

    def take_snapshot(*_args):
        # at the first cell, before any of its code runs: ipykernel has finished setting
        # up its hooks by then, and no student code has run yet
        try:
            shell.events.unregister("pre_run_cell", take_snapshot)
        except ValueError:
            pass
        if not snapshot:
            snapshot.update(_snapshot(shell))

    builtins.__autograder_rpc__ = _make_rpc(shell, violations, snapshot)
    shell.events.register("pre_run_cell", take_snapshot)
    arm()
    app.start()


if __name__ == "__main__":
    main()
