"""A one-kernel pool per grading worker: the next student's kernel boots while the
current student's results are written.

Starting a kernel costs about a third of a second of waiting per notebook, most of it
in the kernel process itself. A worker that has just run a student's notebook starts the
kernel for its next notebook right away, in a fresh throw-away folder holding the
assignment's extra files (the same files nbgrader copies next to the notebook), and
`PooledExecute` hands that kernel to nbclient instead of starting one. Each kernel still
serves exactly one notebook and is killed afterwards; only its start is moved earlier.

The pool is off unless `enable()` is called (the grading workers do); a kernel that died
before it was needed is discarded and a normal start happens instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from nbgrader.preprocessors import Execute

__all__ = ["enable", "prestart", "take", "discard", "PooledExecute"]

_state: dict = {"enabled": False, "entry": None}


def enable(on: bool = True) -> None:
    """Turn the pool on (grading workers do; ``AUTOGRADER_KERNEL_PREFETCH=0`` keeps it off)."""
    _state["enabled"] = on and os.environ.get("AUTOGRADER_KERNEL_PREFETCH", "1") != "0"


def _run(coro_fn, *args, **kwargs):
    from jupyter_core.utils import run_sync

    return run_sync(coro_fn)(*args, **kwargs)


def prestart(kernel_name: str, files_from: str | Path | None, env: dict,
             scratch: str | Path) -> None:
    """Start a kernel for the next notebook (replacing any unused one)."""
    if not _state["enabled"]:
        return
    discard()
    from jupyter_client.manager import AsyncKernelManager

    cwd = Path(tempfile.mkdtemp(prefix="kernel-", dir=scratch))
    if files_from and Path(files_from).is_dir():
        for item in Path(files_from).iterdir():
            if item.suffix == ".ipynb" or item.name in (".ipynb_checkpoints", "__pycache__"):
                continue
            if item.is_dir():
                shutil.copytree(item, cwd / item.name)
            else:
                shutil.copy(item, cwd / item.name)
    km = AsyncKernelManager(kernel_name=kernel_name)
    full_env = dict(os.environ)
    full_env.update(env)
    try:
        _run(km.start_kernel, cwd=str(cwd), env=full_env,
             extra_arguments=["--HistoryManager.hist_file=:memory:"])
    except Exception:
        shutil.rmtree(cwd, ignore_errors=True)
        return
    _state["entry"] = (kernel_name, km, cwd)


def take(kernel_name: str):
    """The pre-started kernel manager for `kernel_name`, or None."""
    entry = _state["entry"]
    if not entry or entry[0] != kernel_name:
        return None
    _state["entry"] = None
    km = entry[1]
    try:
        alive = _run(km.is_alive)
    except Exception:
        alive = False
    if not alive:
        _shutdown(km, entry[2])
        return None
    km._autograder_cwd = entry[2]
    return km


def _shutdown(km, cwd) -> None:
    try:
        _run(km.shutdown_kernel, now=True)
    except Exception:
        pass
    if cwd:
        shutil.rmtree(cwd, ignore_errors=True)


def discard() -> None:
    entry = _state["entry"]
    _state["entry"] = None
    if entry:
        _shutdown(entry[1], entry[2])


class PooledExecute(Execute):
    """nbgrader's Execute, using a pre-started kernel when the pool has one."""

    def preprocess(self, nb, resources=None, km=None):
        pooled = take(self.kernel_name or "python3") if km is None else None
        if pooled is None:
            return super().preprocess(nb, resources, km)
        try:
            return super().preprocess(nb, resources, pooled)
        finally:
            try:
                if self.kc is not None:
                    self.kc.stop_channels()
            except Exception:
                pass
            self.kc = None
            _shutdown(pooled, getattr(pooled, "_autograder_cwd", None))
