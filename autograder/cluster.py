"""Grading on a Dask distributed cluster: `autograder grade --scheduler ADDRESS`.

The coordinator (the machine running `autograder grade`) builds the course, keeps the
gradebook and writes every output, exactly as without a cluster. Only the grading of each
submission moves: it becomes one Dask task, sent with the submission's bytes, that runs
the same `autograder.grading.grade_one` on a worker and sends back the `Result` and the
files it made (the autograded notebook, the feedback page)::

    coordinator                                   each Dask worker (course installed)
    course build, gradebook  --- course.tar.gz (one task, shared) -->  unpacked once per
    ingest, staging          --- submission bytes, one task each -->  worker, keyed by
    grades.csv, feedback/,   <-- Result + autograded nb + html -----  its sha256;
    autograded/, exports/                                             LocalPool(1): grade_one

A worker never sees the coordinator's file system: workers may be other machines sharing
nothing but the network. On the worker, each task goes to that worker's own one-process
`LocalPool` (the pool `autograder grade` uses locally): the per-notebook deadline, a dead
grading process reported as ``failed``, a prestarted kernel for the next notebook, and
os.environ changes kept out of the Dask worker itself.

Losing a worker loses no submission: the scheduler re-runs the tasks the dead worker held
on the others. A task whose workers keep dying (more than the scheduler's
``distributed.scheduler.allowed-failures``, 3 by default) comes back as ``failed`` with
that reason, never as a 0. A worker whose installed autograder or nbgrader differs from
the coordinator's refuses the task (``error``, naming both versions).

Workers need the course installed (``pip install 'layerlab[course,grid]'``), one thread
each (``dask worker ADDRESS --nthreads 1``; start one worker per core with
``--nworkers N``) and must be allowed to start processes (``--no-nanny``, or
``DASK_DISTRIBUTED__WORKER__DAEMON=False`` with a nanny).
"""

from __future__ import annotations

import atexit
import hashlib
import io
import os
import shutil
import tarfile
import tempfile
import threading
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import AutograderError
from .status import Status

if TYPE_CHECKING:
    from .grading import Result

__all__ = ["connect", "run_on_cluster", "pack_course", "grade_task", "versions"]

#: what a worker needs of the course: the gradebook, the released versions, the sources
#: (test cells are restored from them) and the student versions
COURSE_PARTS = ("gradebook.db", "releases.json", "source", "release")


def versions() -> dict:
    """The versions that must match between coordinator and workers."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for dist in ("layerlab", "nbgrader", "nbclient"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = None
    return out


def pack_course(course_root: str | Path) -> bytes:
    """The parts of a built course a worker grades with, as a gzipped tar (mtimes zeroed,
    so the same course packs to the same bytes and digest)."""
    root = Path(course_root)
    buf = io.BytesIO()

    def clean(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "", ""
        return info

    with tarfile.open(fileobj=buf, mode="w:gz", compresslevel=6) as tar:
        for part in COURSE_PARTS:
            if (root / part).exists():
                tar.add(root / part, arcname=part, filter=clean)
    return buf.getvalue()


# --- on the worker -----------------------------------------------------------------------

_LOCK = threading.Lock()
_STATE: dict = {"pool": None}


def _worker_dir() -> Path:
    try:
        from distributed import get_worker

        base = Path(get_worker().local_directory)
    except (ImportError, ValueError):  # not on a Dask worker (a unit test calling directly)
        base = Path(tempfile.gettempdir())
    d = base / "autograder"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _course_on_worker(bundle: bytes, digest: str) -> Path:
    """The course unpacked on this worker (once per digest; later tasks reuse it)."""
    root = _worker_dir() / "courses" / digest
    if root.is_dir():
        return root
    if hashlib.sha256(bundle).hexdigest() != digest:
        raise RuntimeError("the course bundle arrived damaged (sha256 mismatch)")
    tmp = Path(tempfile.mkdtemp(prefix="unpack-", dir=root.parent.parent))
    with tarfile.open(fileobj=io.BytesIO(bundle), mode="r:gz") as tar:
        tar.extractall(tmp, filter="data")
    root.parent.mkdir(parents=True, exist_ok=True)
    try:
        tmp.rename(root)
    except OSError:  # unpacked meanwhile by another process sharing this directory
        shutil.rmtree(tmp, ignore_errors=True)
    return root


def _pool():
    import multiprocessing

    from .grading import LocalPool

    if _STATE["pool"] is None:
        if multiprocessing.current_process().daemon:
            raise RuntimeError(
                "this Dask worker is a daemonic process and cannot start grading processes: "
                "start workers with --no-nanny, or set DASK_DISTRIBUTED__WORKER__DAEMON=False")
        _STATE["pool"] = LocalPool(1, _worker_dir() / "scratch", ctx="spawn")
        # a worker that stops stops its grading process, which stops its kernel
        atexit.register(_STATE["pool"].close)
    return _STATE["pool"]


def _course_bytes(bundle: bytes) -> bytes:
    return bundle


def grade_task(bundle: bytes, digest: str, expected: dict, task: dict, kwargs: dict,
               submission: bytes) -> dict:
    """One submission, on a Dask worker: returns {"result": Result as a dict, "files":
    {"autograded": bytes, "feedback": bytes}, "worker": hostname:pid}.

    `task` is a `Task` as a dict; `kwargs` the coordinator's `grade_one` arguments, whose
    paths (course, submission, output folder, scratch) are replaced by this worker's.
    """
    from .grading import Task

    mine = versions()
    if mine != expected:
        raise RuntimeError(f"this worker has {mine}, the coordinator {expected}: install the "
                           "same layerlab/nbgrader on every worker")
    course_root = _course_on_worker(bundle, digest)
    t = Task(**task)
    with _LOCK:  # one grading at a time per Dask worker (it should have one thread)
        pool = _pool()
        (_worker_dir() / "tasks").mkdir(exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="task-", dir=_worker_dir() / "tasks"))
        try:
            path = work / "submissions" / t.student / f"{t.notebook}.ipynb"
            path.parent.mkdir(parents=True)
            path.write_bytes(submission)
            out = work / "out"
            # scratch outlives the task: the kernel prestarted for the next notebook
            # runs in a folder there
            args = dict(kwargs, course_root=str(course_root), submission=str(path),
                        out_dir=str(out), scratch=str(_worker_dir() / "scratch"))
            [result] = list(pool.run([Task(t.student, t.notebook, str(path), t.deadline)],
                                     lambda _t: args))
            files = {}
            for kind in ("autograded", "feedback"):
                p = getattr(result, kind)
                if p and Path(p).is_file():
                    files[kind] = Path(p).read_bytes()
                setattr(result, kind, None)
            return {"result": asdict(result), "files": files,
                    "worker": f"{os.uname().nodename}:{os.getpid()}"}
        finally:
            shutil.rmtree(work, ignore_errors=True)


# --- on the coordinator ------------------------------------------------------------------

def connect(address: str):
    """A Dask client of the scheduler at `address` (an `AutograderError` if it cannot be
    reached or Dask is not installed)."""
    try:
        from distributed import Client
        from distributed.comm import parse_address
        from distributed.comm.addressing import parse_host_port
        from distributed.comm.registry import backends
    except ImportError:
        raise AutograderError("--scheduler needs Dask distributed: pip install "
                              "'layerlab[grid]'") from None
    try:  # checked here: a Client made from a bad address fails noisily when collected
        scheme, location = parse_address(address)
        if scheme not in backends:
            raise ValueError(f"unknown protocol {scheme!r} (use one of "
                             f"{', '.join(sorted(backends))})")
        if scheme in ("tcp", "tls"):
            parse_host_port(location)
    except ValueError as exc:
        raise AutograderError(f"--scheduler {address}: not a Dask scheduler address ({exc}); "
                              "expected e.g. tcp://10.0.0.5:8786") from None
    try:
        # how long to try: Dask's distributed.comm.timeouts.connect (30 s by default;
        # DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s changes it)
        return Client(address, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise AutograderError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def _lost(task, exc) -> "Result":
    """The result of a task the cluster could not finish (never a score)."""
    from distributed import KilledWorker

    from .grading import Result

    if isinstance(exc, KilledWorker):
        tries = getattr(exc, "allowed_failures", None)
        times = f"{tries + 1} times" if isinstance(tries, int) else "each time it was sent"
        return Result(task.student, task.notebook, None, None, Status.FAILED,
                      f"the Dask worker grading this notebook died, {times} "
                      "(distributed.scheduler.allowed-failures): not graded")
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return Result(task.student, task.notebook, None, None, Status.ERROR,
                  f"grader error on the Dask cluster: {type(exc).__name__}: {text}")


def run_on_cluster(client, tasks, payload, course_root: str | Path, out_dir: str | Path):
    """Grade `tasks` on the cluster of `client` (see `connect`); yields one `Result` per
    task as it finishes, its autograded notebook and feedback page written into `out_dir`
    here (as `grade_one` writes them locally)."""
    from distributed import as_completed

    from .grading import Result

    out_dir = Path(out_dir)
    futures = {}
    try:
        bundle = pack_course(course_root)
        digest = hashlib.sha256(bundle).hexdigest()
        expected = versions()
        run = uuid.uuid4().hex[:8]
        # a task, not scattered data: the scheduler keeps the recipe (the bytes), so the
        # course is made again if every worker holding it dies; scattered data would be
        # lost with them, and every task waiting on it cancelled
        bundle_f = client.submit(_course_bytes, bundle, pure=False,
                                 key=f"course-{digest[:16]}-{run}")
        for t in tasks:
            fut = client.submit(grade_task, bundle_f, digest, expected, asdict(t), payload(t),
                                Path(t.path).read_bytes(), pure=False,
                                key=f"grade-{t.student}-{t.notebook}-{run}")
            futures[fut] = t
        for fut in as_completed(list(futures), loop=client.loop):
            t = futures.pop(fut)
            try:
                data = fut.result()
            except Exception as exc:  # noqa: BLE001 - every failure becomes a result
                yield _lost(t, exc)
                continue
            r = Result(**data["result"])
            for kind, sub in (("autograded", "autograded"), ("feedback", "feedback")):
                if kind in data["files"]:
                    ext = ".ipynb" if kind == "autograded" else ".html"
                    target = out_dir / sub / t.student / f"{t.notebook}{ext}"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data["files"][kind])
                    setattr(r, kind, str(target))
            yield r
    finally:
        if futures:
            client.cancel(list(futures))
