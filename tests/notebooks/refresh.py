"""Re-execute the course notebooks and store their outputs (what nbval later compares).

    .venv/bin/python -m tests.notebooks.refresh [--head] [notebooks/01-layer-architecture.ipynb ...]

The ``.ipynb`` files stay the source: this only replaces outputs and execution counts,
drops timing metadata, and keeps the cells, their nbgrader metadata and their ids.

Run it whenever the engine's output changes on purpose (new catalog bytes, a fixed log line),
then review the diff of the outputs. ``--head`` executes against the *committed* layerlab
(``git archive HEAD`` into a temporary folder), so work in progress elsewhere in the tree does
not leak into the stored outputs.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from .nbtools import NOTEBOOKS, ROOT, execute


def refresh(path: Path, pythonpath: str | None = None) -> float:
    nb, seconds = execute(path, pythonpath=pythonpath)
    for cell in nb.cells:
        meta = cell.get("metadata", {})
        meta.pop("execution", None)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    head = "--head" in argv
    paths = [Path(a) for a in argv if a != "--head"] or NOTEBOOKS
    with tempfile.TemporaryDirectory(prefix="layerlab-head-") as tmp:
        pythonpath = None
        if head:
            archive = subprocess.run(["git", "archive", "HEAD", "layerlab"], cwd=ROOT, check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
            pythonpath = tmp
        for p in paths:
            seconds = refresh(p, pythonpath)
            print(f"{p}: executed and stored in {seconds:.2f} s" + (" (layerlab at HEAD)" if head else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
