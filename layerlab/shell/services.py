"""Model programs for the long-running processes the course starts: nginx, top, busybox httpd,
python and node. They do what matters for storage (nginx creates its temp directories and
pid file, as the real one does: that is what ``docker diff`` of a fresh nginx container
shows) and then keep running (:class:`~layerlab.shell.core.Blocked`), or answer the usual
one-shot questions (``--version``). They are models: they serve nothing.
"""
from __future__ import annotations

import re
import time

from ..fs.tree import FILE
from .core import Blocked, Proc, register
from .util import lookup_user

_NGINX_TEMP = ("client_temp", "proxy_temp", "fastcgi_temp", "uwsgi_temp", "scgi_temp")


def _log_time(proc: Proc) -> str:
    return time.strftime("%Y/%m/%d %H:%M:%S", time.gmtime(proc.now_ns() // 1_000_000_000))


@register("nginx", "nginx-debug")
def nginx(proc: Proc, argv: list[str]) -> int:
    """nginx [-v|-V|-t|-s SIGNAL|-g DIRECTIVES|-c FILE]. Running it creates
    ``/var/cache/nginx/*_temp`` (mode 0700, owned by the ``user`` of nginx.conf) and writes
    the pid file named by ``pid`` (``/var/run/nginx.pid``), logs its start-up notices to
    stderr, then stays in the foreground with ``daemon off;`` (the image's CMD) or exits 0
    after "daemonizing"."""
    version = proc.env.get("NGINX_VERSION", "1.25.4")
    args = argv[1:]
    conf_path = "/etc/nginx/nginx.conf"
    directives = ""
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-v", "-V"):
            proc.err(f"nginx version: nginx/{version}\n")
            if a == "-V":
                proc.err("built by gcc 13.2.1 20231014 (Alpine 13.2.1_git20231014)\n"
                         "built with OpenSSL 3.1.4 24 Oct 2023\nTLS SNI support enabled\n")
            return 0
        if a == "-t":
            proc.err(f"nginx: the configuration file {conf_path} syntax is ok\n"
                     f"nginx: configuration file {conf_path} test is successful\n")
            return 0
        if a == "-s":
            return 0
        if a == "-g" and i + 1 < len(args):
            directives += args[i + 1]
            i += 2
            continue
        if a == "-c" and i + 1 < len(args):
            conf_path = proc.path(args[i + 1])
            i += 2
            continue
        i += 1
    fs = proc.fs
    try:
        conf = fs.read_text(conf_path)
    except OSError:
        proc.err(f'nginx: [emerg] open() "{conf_path}" failed (2: No such file or directory)\n')
        return 1
    settings = {}
    for m in re.finditer(r"^\s*(user|pid|daemon)\s+([^;]+);", conf + "\n" + directives.replace(";", ";\n"),
                         re.M):
        settings[m.group(1)] = m.group(2).strip()
    user = settings.get("user", "nginx").split()[0]
    found = lookup_user(fs, user)
    uid = found[0] if found else 0
    for name in _NGINX_TEMP:
        path = f"/var/cache/nginx/{name}"
        try:
            if not fs.exists(path):
                fs.makedirs("/var/cache/nginx")
                fs.mkdir(path, 0o700)
                fs.chown(path, uid, -1)
        except OSError:
            pass
    pid_path = settings.get("pid", "/var/run/nginx.pid")
    try:
        fs.write(pid_path, f"{proc.pid}\n")
    except OSError as e:
        proc.err(f'{_log_time(proc)} [emerg] 1#1: open() "{pid_path}" failed ({e.errno}: {e.strerror})\n')
        return 1
    t = _log_time(proc)
    pid = proc.pid
    proc.err("".join(f"{t} [notice] {pid}#{pid}: {line}\n" for line in (
        'using the "epoll" event method', f"nginx/{version}",
        "built by gcc 13.2.1 20231014 (Alpine 13.2.1_git20231014) ", "OS: Linux 6.1.0-layerlab",
        "getrlimit(RLIMIT_NOFILE): 1048576:1048576", "start worker processes",
        f"start worker process {pid + 29}")))
    if settings.get("daemon", "on") == "off":
        raise Blocked()
    return 0


@register("top", "htop", "watch")
def top(proc: Proc, argv: list[str]) -> int:
    """An interactive monitor: keeps running until stopped."""
    raise Blocked()


@register("httpd")
def httpd(proc: Proc, argv: list[str]) -> int:
    """busybox httpd: ``-f`` stays in the foreground (running); otherwise it daemonizes and
    the command returns 0."""
    if any(a.startswith("-") and "f" in a[1:] and not a.startswith("--") for a in argv[1:]):
        raise Blocked()
    return 0


_SERVER_HINTS = ("serve_forever", ".run(", "listen(", "uvicorn.run", "createServer", "while True")


def _script_keeps_running(proc: Proc, path: str) -> bool | None:
    try:
        node = proc.fs.stat(proc.path(path))
    except OSError:
        return None
    if node.kind != FILE:
        return None
    text = node.content.read(0, 1 << 16).decode("utf-8", "replace")
    return any(h in text for h in _SERVER_HINTS)


@register("python", "python3", "python3.12", "python3.11", "python3.10", "python3.9")
def python(proc: Proc, argv: list[str]) -> int:
    """A model interpreter: ``--version``, ``-m http.server`` (runs), ``-c CODE`` (exits 0),
    ``script.py`` (runs when it looks like a server: ``serve_forever``, ``app.run(``, ...;
    a missing script is python's ``can't open file`` error, 2); no script reads stdin (a
    non-interactive ``docker run`` gives it none) and exits 0."""
    version = proc.env.get("PYTHON_VERSION", "3.12.3")
    args = argv[1:]
    if args and args[0] in ("--version", "-V"):
        proc.out(f"Python {version}\n")
        return 0
    while args and args[0] in ("-u", "-B", "-O", "-E", "-s", "-I"):
        args = args[1:]
    if args and args[0] == "-m" and len(args) > 1:
        if args[1] == "http.server":
            port = args[2] if len(args) > 2 and args[2].isdigit() else "8000"
            proc.out(f"Serving HTTP on 0.0.0.0 port {port} (http://0.0.0.0:{port}/) ...\n")
            raise Blocked()
        if args[1] in ("pip", "venv", "ensurepip"):
            from .core import lookup_program
            prog = lookup_program("pip") if args[1] == "pip" else None
            if prog is not None:
                return prog(proc, ["pip", *args[2:]])
        return 0
    if args and args[0] == "-c":
        return 0
    if args:
        runs = _script_keeps_running(proc, args[0])
        if runs is None:
            shown = args[0] if args[0].startswith("/") else proc.path(args[0])
            proc.err(f"{argv[0]}: can't open file '{shown}': [Errno 2] No such file or directory\n")
            return 2
        if runs:
            raise Blocked()
        return 0
    proc.read_stdin()  # the REPL reads its input; with none it exits
    return 0


@register("node", "nodejs")
def node(proc: Proc, argv: list[str]) -> int:
    """A model node: ``--version`` (``v$NODE_VERSION``), ``-e`` (exits 0), ``app.js`` (runs
    when it calls ``listen(``; a missing file is node's ``Cannot find module`` error)."""
    version = proc.env.get("NODE_VERSION", "20.13.1")
    args = argv[1:]
    if args and args[0] in ("--version", "-v"):
        proc.out(f"v{version}\n")
        return 0
    if args and args[0] in ("-e", "--eval", "-p"):
        return 0
    if args:
        runs = _script_keeps_running(proc, args[0])
        if runs is None:
            path = proc.path(args[0])
            proc.err(f"node:internal/modules/cjs/loader:1148\n  throw err;\n  ^\n\n"
                     f"Error: Cannot find module '{path}'\n")
            return 1
        if runs:
            raise Blocked()
        return 0
    proc.read_stdin()  # the REPL reads its input; with none it exits
    return 0
