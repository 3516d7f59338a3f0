"""Re-execute the course notebooks and store their outputs (what nbval later compares).

    .venv/bin/python -m tests.notebooks.refresh [notebooks/01-layer-architecture.ipynb ...]

The ``.ipynb`` files stay the source: this only replaces outputs and execution counts,
drops timing metadata, and keeps the cells, their nbgrader metadata and their ids.
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from .nbtools import NOTEBOOKS, execute


def refresh(path: Path) -> float:
    nb, seconds = execute(path)
    for cell in nb.cells:
        meta = cell.get("metadata", {})
        meta.pop("execution", None)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or NOTEBOOKS
    for p in paths:
        seconds = refresh(p)
        print(f"{p}: executed and stored in {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
