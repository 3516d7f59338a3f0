"""Errors, few and categorical.

::

    LayerlabError
    ├── FsError(OSError)            raised by file operations inside a container; carries errno
    │     built by fs_error(errno, path): ENOENT, EEXIST, ENOTDIR, EISDIR, EACCES, ENOTEMPTY,
    │     EROFS, EXDEV, ENOSPC, EBUSY, EINVAL, ELOOP ...  The instance is also an instance of the
    │     matching builtin (FileNotFoundError, FileExistsError, ...) so student code can
    │     ``except FileNotFoundError`` while engine code catches ``FsError``.
    └── DaemonError                 what the docker daemon answers; its text is docker's text
        ├── NotFound                "No such container: x", "No such image: y"
        ├── Conflict                "remove v1: volume is in use - [<id>]"
        ├── InvalidParameter        bad names, bad mount specs
        ├── NotSupported            removed drivers, unsupported options
        └── BuildError              a Dockerfile that cannot be built; names the line

The CLI prints ``Error response from daemon: <text>`` for DaemonErrors (docker's prefix) and
never shows a traceback.
"""
from __future__ import annotations

import errno as _errno
import os


class LayerlabError(Exception):
    """Base class of every error layerlab raises on purpose."""


_BUILTIN = {
    _errno.ENOENT: FileNotFoundError,
    _errno.EEXIST: FileExistsError,
    _errno.ENOTDIR: NotADirectoryError,
    _errno.EISDIR: IsADirectoryError,
    _errno.EACCES: PermissionError,
    _errno.EPERM: PermissionError,
}
_CLASSES: dict[int, type] = {}


class FsError(LayerlabError, OSError):
    """A file operation failed; ``.errno`` says why, as the kernel would."""


def _fs_class(code: int) -> type:
    cls = _CLASSES.get(code)
    if cls is None:
        builtin = _BUILTIN.get(code)
        bases = (FsError, builtin) if builtin else (FsError,)
        name = _errno.errorcode.get(code, f"E{code}")
        cls = type(f"FsError_{name}", bases, {"__module__": __name__})
        _CLASSES[code] = cls
    return cls


def fs_error(code: int, path: str | None = None, path2: str | None = None) -> FsError:
    """Build the OSError the kernel would raise: ``[Errno 2] No such file or directory: '/x'``."""
    cls = _fs_class(code)
    if path2 is not None:
        return cls(code, os.strerror(code), path, None, path2)
    if path is not None:
        return cls(code, os.strerror(code), path)
    return cls(code, os.strerror(code))


class DaemonError(LayerlabError):
    """An error the daemon returns. ``str(e)`` is the daemon's message, without the CLI prefix.

    What a caller decides on is a field, not the text: ``category`` (the class: not found,
    conflict...), ``operation`` (what was asked: ``"rm"``, ``"rmi"``, ``"create"``,
    ``"container"`` for a lookup...) and ``names`` (the containers, images or volumes
    involved, as given)."""

    category = "unknown"
    exit_code = 1

    def __init__(self, message: str, *, operation: str | None = None, names: tuple[str, ...] = ()):
        super().__init__(message)
        self.message = message
        self.operation = operation
        self.names = tuple(names)

    def __str__(self) -> str:
        return self.message


class NotFound(DaemonError):
    category = "not found"


class Conflict(DaemonError):
    category = "conflict"


class InvalidParameter(DaemonError):
    category = "invalid parameter"


class NotSupported(DaemonError):
    category = "not supported"


class BuildError(DaemonError):
    """A build failed; everything a caller needs is a field, never parsed out of the text.

    * ``line``: the 1-based Dockerfile line to blame, when there is one;
    * ``rejected``: the daemon refused the Dockerfile before building (a parse error, an empty
      file): docker prints it as ``Error response from daemon: <message>``;
    * ``command`` and ``step_exit_code``: the RUN that failed (its argv) and the code it exited with;
    * ``output``: what the failing step printed; ``log``: the build's progress lines up to
      the failure (classic ``Step N/M`` lines, or BuildKit's ``#N`` lines);
    * ``failed_container``: ``(container id, image)`` of the container the classic builder
      leaves behind (Exited) after a failed RUN.
    """

    category = "build"

    def __init__(self, message: str, line: int | None = None, *, rejected: bool = False,
                 command: list[str] | None = None, exit_code: int | None = None, output: str = "",
                 log: list[str] | None = None, failed_container: tuple | None = None):
        super().__init__(message)
        self.line = line
        self.rejected = rejected
        self.command = command
        self.step_exit_code = exit_code
        self.output = output
        self.log = list(log or [])
        self.failed_container = failed_container

    @classmethod
    def parse_error(cls, line: int, detail: str) -> "BuildError":
        """``dockerfile parse error on line N: <detail>`` (the daemon rejects the file)."""
        return cls(f"dockerfile parse error on line {line}: {detail}", line=line, rejected=True)

    def with_message(self, message: str) -> "BuildError":
        """The same error, worded differently (the classic builder's own phrasing)."""
        self.message = message
        self.args = (message,)
        return self
