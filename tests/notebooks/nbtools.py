"""Helpers shared by the notebook tests and by ``python -m tests.notebooks.refresh``.

All of them run Jupyter with its state (config, runtime, IPython profile) in a temporary
directory, so nothing is read from or written to the user's home.
"""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# the chapters (and the capstone): every notebook but the start page, which has no exercises
CHAPTERS = [p for p in NOTEBOOKS if not p.stem.startswith("00-")]


@contextlib.contextmanager
def isolated_jupyter_env():
    """``os.environ`` with JUPYTER_*/IPYTHONDIR in a fresh temporary directory (restored after)."""
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="layerlab-jupyter-") as tmp:
        base = Path(tmp)
        os.environ.update({
            "JUPYTER_CONFIG_DIR": str(base / "config"),
            "JUPYTER_DATA_DIR": str(base / "data"),
            "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
            "IPYTHONDIR": str(base / "ipython"),
            "JUPYTER_PLATFORM_DIRS": "1",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        })
        try:
            yield dict(os.environ)
        finally:
            os.environ.clear()
            os.environ.update(saved)


def execute(path: Path, *, timeout: int = 120, pythonpath: str | None = None):
    """Run every cell of a notebook in a fresh kernel of this interpreter.

    ``pythonpath``: put this directory first on the kernel's ``sys.path`` (to run the
    notebook against another checkout of layerlab).

    Returns ``(notebook, seconds)``: the executed notebook and the time from the first cell's
    start to the last cell's end (kernel start-up excluded), from nbclient's timing records.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    with isolated_jupyter_env():
        if pythonpath:
            os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [pythonpath, os.environ.get("PYTHONPATH")]))
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=True,
                                resources={"metadata": {"path": str(path.parent)}})
        t0 = time.monotonic()
        client.execute()
        wall = time.monotonic() - t0
    starts, ends = [], []
    for cell in nb.cells:
        timing = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            starts.append(timing["iopub.execute_input"])
            ends.append(timing["shell.execute_reply"])
    if starts:
        from datetime import datetime
        parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
        seconds = (max(map(parse, ends)) - min(map(parse, starts))).total_seconds()
    else:
        seconds = wall
    return nb, seconds


def python_kernel_is_this_interpreter() -> bool:
    """nbclient's ``python3`` kernel must be the one of this venv (ipykernel installed here)."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager
        spec = KernelSpecManager().get_kernel_spec("python3")
    except Exception:
        return False
    exe = spec.argv[0]
    return exe in ("python", "python3", "{python}", sys.executable) or Path(exe).resolve() == Path(sys.executable).resolve()
