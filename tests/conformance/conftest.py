"""Fixtures of the conformance suite, and the summary it prints at the end of the run."""
from __future__ import annotations

import tempfile

import pytest

from .harness import Layerlab, RealDocker, load_scenarios, write_report

OUTCOMES: list = []


@pytest.fixture(scope="session")
def conformance_env(dockerd, tmp_path_factory):
    """(RealDocker, Layerlab, scratch dir): both engines with bb:1 from the same tar bytes."""
    from tests.oracle.rootfs import busybox_rootfs_tar

    base = str(tmp_path_factory.mktemp("conformance"))
    tar = f"{base}/busybox-rootfs.tar"
    busybox_rootfs_tar(tar)
    real = RealDocker(dockerd, tar)
    ll = Layerlab(tar, base)
    yield real, ll, base


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not OUTCOMES:
        return
    tr = terminalreporter
    n, ok = len(OUTCOMES), sum(o.matched for o in OUTCOMES)
    tr.section("conformance: layerlab vs real Docker Engine")
    for o in OUTCOMES:
        mark = "match" if o.matched else "DIFFER"
        extra = f"  (20.10 differences: {', '.join(o.differences_used)})" if o.differences_used and o.matched else ""
        ratio = f"{o.real_seconds / o.layerlab_seconds:7.1f}x" if o.layerlab_seconds else "      -"
        tr.write_line(f"  {mark:6} {ratio}  {o.scenario.name}{extra}")
    tr.write_line(f"{ok} of {n} scenarios match")
    if n == len(load_scenarios()):
        from pathlib import Path
        write_report(OUTCOMES, Path(__file__).resolve().parents[2] / "docs" / "conformance.md")
        tr.write_line("wrote docs/conformance.md")
