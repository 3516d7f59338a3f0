"""Constants and small helpers shared by the grading tests."""

from __future__ import annotations

import sys
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
CHAIN = FIXTURES / "chain.ipynb"

#: the per-cell timeout used by grading tests (small, so hangs cost little)
TIMEOUT = 3


def venv_bin(name: str) -> str:
    """Path of a console script installed next to this interpreter."""
    return str(Path(sys.executable).parent / name)
