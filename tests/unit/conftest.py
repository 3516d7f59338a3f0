"""Fixtures the busybox differential tests share (test_shell_busybox.py, test_shell_tar.py)."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest

BUSYBOX = "/bin/busybox"


@pytest.fixture(scope="module")
def sandbox():
    """A folder with the real busybox's applets installed as symlinks in ``bin/``:
    (root, bindir)."""
    root = tempfile.mkdtemp(prefix="llbb")
    os.chmod(root, 0o755)
    bindir = os.path.join(root, "bin")
    os.mkdir(bindir)
    subprocess.run([BUSYBOX, "--install", "-s", bindir], check=True)
    yield root, bindir
    shutil.rmtree(root, ignore_errors=True)
