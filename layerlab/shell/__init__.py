"""A busybox-like ``sh`` and its applets, running inside a container's RootFS.

Used by Dockerfile ``RUN``, ``docker run`` and ``docker exec``::

    from layerlab.shell import execute
    res = execute(fs, ["/bin/sh", "-c", "echo hi > /f && cat /f"], env={"PATH": "/bin"})
    res.exit_code, res.stdout, res.stderr, res.running

Modules: :mod:`.parser` (text -> AST), :mod:`.interp` (the executor, ash builtins and
``sh`` itself), :mod:`.core` (processes, streams, registry, ``execute``),
:mod:`.applets_text` and :mod:`.applets_fs` (one function per applet, busybox messages).
Other modules add programs with :func:`register`; the package managers (``apt-get``, ``apk``,
``pip``, ``npm``: :mod:`.applets_packages`) are imported the first time one of them runs.
"""
from __future__ import annotations

from .core import (PROGRAMS, Blocked, CommandNotFound, ExecResult, ExitProcess, Proc, execute,
                   find_executable, lookup_program, register)
from . import applets_text as _applets_text  # noqa: F401  (registers the applets)
from . import applets_fs as _applets_fs  # noqa: F401
from . import applets_tar as _applets_tar  # noqa: F401  (tar)
from . import interp as _interp  # noqa: F401  (registers sh and busybox)
from . import services as _services  # noqa: F401  (nginx, top, httpd, python, node)
from . import accounts as _accounts  # noqa: F401  (adduser, addgroup, useradd, groupadd)
from .core import LAZY_PROGRAMS
from .interp import Shell
from .parser import ShSyntaxError, parse

LAZY_PROGRAMS.update(dict.fromkeys(
    ("apt-get", "apt", "apk", "pip", "pip3", "pip3.12", "pip3.11", "pip3.10", "npm"),
    "layerlab.shell.applets_packages"))

__all__ = ["ExecResult", "CommandNotFound", "Blocked", "ExitProcess", "Proc", "PROGRAMS",
           "register", "execute", "lookup_program", "find_executable", "Shell", "parse",
           "ShSyntaxError"]
