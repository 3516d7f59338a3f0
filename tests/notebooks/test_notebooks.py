"""The course notebooks: stored outputs reproduce under nbval, and each chapter runs fast.

nbval runs in a subprocess (``python -m pytest --nbval NB -p no:cacheprovider``) so its
kernel, plugin and collection stay out of this test session. Strict mode: every cell's
output is compared, except cells that say ``# NBVAL_IGNORE_OUTPUT`` (only widget cells do).
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .nbtools import NOTEBOOKS, ROOT, execute, isolated_jupyter_env

pytest.importorskip("nbval")
pytest.importorskip("nbclient")

IDS = [p.stem for p in NOTEBOOKS]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_outputs_reproduce_under_nbval(path):
    """Each notebook re-executes to exactly its stored outputs."""
    with isolated_jupyter_env() as env:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", str(path),
             "-p", "no:cacheprovider", "-q", "--no-header", "-o", "addopts=", "--rootdir", str(path.parent)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, (
        f"nbval failed on {path.name}: its stored outputs no longer match what it prints.\n"
        "If the engine's output changed on purpose, store the new outputs with\n"
        "    .venv/bin/python -m tests.notebooks.refresh --head\n"
        f"and review the diff.\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_only_widget_cells_ignore_their_output(path):
    """``# NBVAL_IGNORE_OUTPUT`` is reserved for cells that display a widget."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        if "NBVAL_IGNORE_OUTPUT" in src:
            data = [o.get("data", {}) for o in cell.get("outputs", [])]
            assert any("application/vnd.jupyter.widget-view+json" in d for d in data), (
                f"{path.name}: cell {cell.get('id')} ignores its output but displays no widget")
        assert "NBVAL_SKIP" not in src, f"{path.name}: cell {cell.get('id')} is skipped by nbval"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_code_cell_has_stored_output_or_is_silent(path):
    """Stored outputs come from a top-to-bottom run: execution counts are 1, 2, 3, ..."""
    nb = json.loads(path.read_text())
    counts = [c.get("execution_count") for c in nb["cells"] if c["cell_type"] == "code"]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: re-run it top to bottom (tests/notebooks/refresh.py)"


# seconds each notebook took in test_chapter_executes_in_under_ten_seconds (the whole-course
# test below adds them up, executing only the notebooks not measured yet)
SECONDS: dict[str, float] = {}


def _execute_checked(path):
    nb, seconds = execute(path)
    SECONDS[path.stem] = seconds
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
    return seconds


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_chapter_executes_in_under_ten_seconds(path):
    seconds = _execute_checked(path)
    assert seconds < 10, f"{path.name} took {seconds:.1f} s to execute"


@pytest.mark.slow
def test_whole_course_executes_in_under_sixty_seconds():
    """The start page, every chapter and the capstone, top to bottom, in under a minute of cell
    time (kernel start-up excluded); the per-notebook times are printed for the closing note."""
    for path in NOTEBOOKS:
        if path.stem not in SECONDS:
            try:
                _execute_checked(path)
            except AssertionError:
                pass            # reported by the notebook's own test; its time still counts
    total = sum(SECONDS.values())
    table = "\n".join(f"  {name}: {sec:.2f} s" for name, sec in sorted(SECONDS.items()))
    print(f"\ncourse execution time: {total:.2f} s\n{table}")
    assert total < 60, f"the whole course takes {total:.1f} s to execute (limit 60 s):\n{table}"
