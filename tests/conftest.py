"""Shared fixtures. Oracle fixtures start real references (a private dockerd, kernel overlayfs);
they skip without root and fail under CI=true when the oracle cannot start."""
from __future__ import annotations

import os

import pytest

from layerlab.clock import Clock

# `layerlab` processes started by the tests run their command in-process unless a test asks for
# the daemon (tests/cli/test_daemon.py): no daemon outlives the test that started it
os.environ.setdefault("LAYERLAB_DAEMON", "0")


@pytest.fixture(scope="session")
def dockerd():
    """A private Docker Engine (overlay2) for the whole session, with bb:1 imported."""
    import tempfile

    from tests.oracle.dockerd import dockerd_session, import_busybox

    for d in dockerd_session():
        with tempfile.TemporaryDirectory() as tmp:
            import_busybox(d, tmp, "bb:1")
        yield d


@pytest.fixture(scope="session")
def busybox_tar(tmp_path_factory) -> bytes:
    """The deterministic busybox rootfs tar both engines import as bb:1."""
    from tests.oracle.rootfs import rootfs_tar_bytes

    return rootfs_tar_bytes()


@pytest.fixture
def engine(busybox_tar):
    """A fresh layerlab Engine with bb:1 imported from the same tar as the oracle's."""
    from layerlab import Engine

    eng = Engine(seed=0, clock=Clock())
    eng.import_tar(busybox_tar, "bb:1")
    return eng
