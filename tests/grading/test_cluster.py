"""`autograder grade --scheduler`: grading on a real Dask cluster on loopback.

The module starts a real ``dask scheduler`` and two ``dask worker`` processes (one thread,
no nanny, each its own local directory), all on 127.0.0.1, and stops them by PID. The
oracle is the local pool: the same submissions graded without ``--scheduler`` must get
identical results. A worker killed while it grades (with its grading process and kernel,
as a machine that goes away; on a cluster of its own where it is the only worker, then
joined by another) loses no submission.

Dask is the ``grid`` extra, which `make test` installs: without it the module fails under
CI=true and skips elsewhere.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.synthetic import HIDDEN_MARKER, make_submission

from .dask_cluster import Cluster
from .util import CHAIN, TIMEOUT, venv_bin

pytestmark = [pytest.mark.oracle, pytest.mark.slow]

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
#: honest and dishonest kinds whose grading is quick (no hang waiting for a timeout)
KINDS = ("correct", "partial", "untouched", "tampered", "crash", "invalid_json")


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"CI=true but the Dask cluster test cannot run: {reason}")
    pytest.skip(reason)


def _require_dask() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        _unavailable("Dask distributed is not installed (pip install -e '.[grid]')")
    if not Path(venv_bin("dask")).exists():
        _unavailable(f"{venv_bin('dask')} not found")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    _require_dask()
    c = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        c.start_scheduler()
        c.start_worker("w1")
        c.start_worker("w2")
        c.wait_for_workers(2)
        yield c
    finally:
        c.stop_all()


@pytest.fixture(scope="module")
def subs(tmp_path_factory, released):
    root = tmp_path_factory.mktemp("cluster-subs")
    for kind in KINDS:
        make_submission(released, root / kind / "chain.ipynb", kind)
    make_submission(released, root / "correct2" / "chain.ipynb", "correct")
    return root


def _grade(subs: Path, out: Path, *extra: str) -> tuple[subprocess.CompletedProcess, dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(subs), "--source", str(CHAIN),
         "--out", str(out), "--timeout", str(TIMEOUT), *extra],
        capture_output=True, text=True, timeout=400)
    if not (out / "grades.csv").exists():
        raise AssertionError(f"no grades.csv:\n{proc.stdout}\n{proc.stderr}")
    with open(out / "grades.csv", newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    return proc, rows


@pytest.fixture(scope="module")
def local(subs, tmp_path_factory):
    return _grade(subs, tmp_path_factory.mktemp("local") / "out", "-j", "2")


COMPARED = ("score", "max_score", "status", "reason", "needs_manual_grade")


def test_cluster_grades_equal_local_grades(cluster, subs, local, tmp_path):
    """Does every submission get the same score, status and reason on the cluster as in
    the local pool, with the outputs written on the coordinator?"""
    _, want = local
    proc, got = _grade(subs, tmp_path / "out", "--scheduler", cluster.address)
    assert proc.returncode == 1, proc.stderr  # crash and invalid_json need attention
    assert set(got) == set(want) == set(KINDS) | {"correct2"}
    for student in want:
        assert {k: got[student][k] for k in COMPARED} == \
            {k: want[student][k] for k in COMPARED}, student
    assert got["correct"]["score"] == "6.0" and got["crash"]["status"] == "failed"
    # the outputs are on the coordinator, as after local grading
    out = tmp_path / "out"
    graded = {s for s, r in want.items() if r["status"] in ("graded", "flagged")}
    assert {p.parent.name for p in (out / "feedback").glob("*/chain.html")} == graded
    assert {p.parent.name for p in (out / "autograded").glob("*/chain.ipynb")} == graded
    for page in (out / "feedback").glob("*/chain.html"):
        assert HIDDEN_MARKER not in page.read_text()
    assert (out / "course" / "gradebook.db").is_file()
    assert (out / "exports" / "scores.csv").is_file()
    # both workers took part (each unpacked the course it was sent), without errors
    for w in ("w1", "w2"):
        assert list((cluster.root / w).glob("**/autograder/courses/*/gradebook.db")), w
    logs = cluster.log("w1") + cluster.log("w2")
    assert "Traceback" not in logs, logs


def _descendants(pid: int) -> list[int]:
    from autograder.grading import _descendants as d

    return d(pid)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_killed_worker_loses_no_submission(subs, local, tmp_path):
    """Is the submission a worker was grading when it died graded again on another, so
    every student still gets the local pool's score (none silently 0)?

    A cluster of its own, so the victim surely grades: at first it is the only worker. It
    is killed with its grading process and kernel (a machine going away) once a task runs
    on it; then a second worker joins and must finish everything, the course bundle the
    victim held included.
    """
    _require_dask()
    _, want = local
    out = tmp_path / "out"
    with Cluster(tmp_path / "dask") as cluster:
        cluster.start_scheduler()
        victim = cluster.start_worker("victim")
        cluster.wait_for_workers(1)
        grading = subprocess.Popen(
            [sys.executable, "-m", "autograder", "grade", str(subs), "--source", str(CHAIN),
             "--out", str(out), "--timeout", str(TIMEOUT), "--scheduler", cluster.address],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # a task folder exists only while a task runs on the victim, and its grading
            # process has started the student's kernel
            deadline = time.monotonic() + 120
            while True:
                busy = list((cluster.root / "victim").glob("**/autograder/tasks/task-*"))
                tree = _descendants(victim.pid)
                if busy and any(b"autograder.sandbox" in _cmdline(p) for p in tree):
                    break
                assert grading.poll() is None, grading.communicate()[1][-3000:]
                assert time.monotonic() < deadline, "the victim worker never started grading"
                time.sleep(0.05)
            for pid in [*tree, victim.pid]:  # worker, grading process, kernel
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            victim.wait(10)
            cluster.start_worker("rescuer")
            stdout, stderr = grading.communicate(timeout=300)
        finally:
            if grading.poll() is None:
                grading.kill()
                grading.wait()
        assert "Remove worker" in cluster.log("scheduler")  # the scheduler saw it go
    with open(out / "grades.csv", newline="") as f:
        got = {r["student"]: r for r in csv.DictReader(f)}
    assert set(got) == set(want)
    for student in want:
        assert {k: got[student][k] for k in COMPARED} == \
            {k: want[student][k] for k in COMPARED}, (student, stderr)


def test_lost_task_is_failed_never_zero():
    """A task whose workers all died (KilledWorker) or that raised on the cluster is a
    failed/error result with a reason and no score."""
    from distributed import KilledWorker

    from autograder.cluster import _lost
    from autograder.grading import Task

    t = Task("alice", "chain", "/x", 10.0)
    r = _lost(t, KilledWorker("grade-alice-chain", "tcp://127.0.0.1:1", 3))
    assert (r.status, r.score) == ("failed", None) and "died, 4 times" in r.reason
    r = _lost(t, RuntimeError("this worker has {'nbgrader': '0.9.5'}"))
    assert (r.status, r.score) == ("error", None) and "0.9.5" in r.reason


def test_unreachable_scheduler_is_a_clear_error(subs, tmp_path):
    """Does a scheduler address nobody listens on give exit 2 and a message, not a
    traceback or a class of zeros?"""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(subs), "--source", str(CHAIN),
         "--out", str(tmp_path / "out"), "--scheduler", f"tcp://127.0.0.1:{port}"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})
    assert proc.returncode == 2, proc.stderr
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()


@pytest.mark.parametrize("address", ["foo", "tcp://127.0.0.1:notaport", "http://127.0.0.1:1"])
def test_malformed_scheduler_address_is_a_clear_error(address):
    """A scheduler address that is not one says so (before any grading), no traceback."""
    from autograder.cluster import connect
    from autograder.errors import AutograderError

    with pytest.raises(AutograderError, match="not a Dask scheduler address"):
        connect(address)
