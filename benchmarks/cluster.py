"""Grading throughput on a Dask cluster: `autograder grade --scheduler` with 1 and 2 workers.

    .venv/bin/python benchmarks/cluster.py [-n 24] [--workers 1 2] [--timeout 30]

Starts a real ``dask scheduler`` and W ``dask worker`` processes on 127.0.0.1 (one thread
each, no nanny; tests/grading/dask_cluster.py), grades N synthetic submissions of the
synthetic instructor notebook with ``autograder grade SUBS --scheduler ADDRESS`` for each W,
and the same submissions with the local pool (``-j W``) for comparison; prints the
throughput of each and checks that all runs give identical scores. Each run is timed end
to end (course build, connecting, grading, gradebook and exports); the workers are started
and warmed (one throw-away grading) before the timed run, as a standing cluster would be.
Everything is stopped by PID at the end.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder.course import ensure_scripts_on_path, release  # noqa: E402
from autograder.synthetic import make_submission, write_chain_notebook  # noqa: E402
from tests.grading.dask_cluster import Cluster  # noqa: E402

MIX = ("correct", "partial", "untouched", "correct", "tampered")


def grade(subs: Path, source: Path, out: Path, timeout: int, *extra: str) -> tuple[float, dict]:
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(subs), "--source",
                           str(source), "--out", str(out), "--timeout", str(timeout),
                           "--quiet", *extra], capture_output=True, text=True)
    took = time.monotonic() - t0
    if proc.returncode not in (0, 1) or not (out / "grades.csv").exists():
        sys.exit(f"autograder grade {' '.join(extra)} failed ({proc.returncode}):\n"
                 f"{proc.stderr[-3000:]}")
    with open(out / "grades.csv", newline="") as f:
        return took, {r["student"]: (r["status"], r["score"]) for r in csv.DictReader(f)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=24, help="submissions (default 24)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                    help="cluster sizes to measure (default: 1 2)")
    ap.add_argument("--timeout", type=int, default=30)
    args = ap.parse_args(argv)

    ensure_scripts_on_path()
    work = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    for k, sub in (("JUPYTER_CONFIG_DIR", "jupyter-config"),
                   ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"), ("IPYTHONDIR", "ipython")):
        os.environ[k] = str(work / sub)
    try:
        source = write_chain_notebook(work / "chain.ipynb")
        [student_version] = release([source], work / "release")
        subs, warm = work / "subs", work / "warm"
        for i in range(args.n):
            make_submission(student_version, subs / f"s{i:03d}" / "chain.ipynb", MIX[i % len(MIX)])
        for w in range(max(args.workers)):
            make_submission(student_version, warm / f"w{w}" / "chain.ipynb", "correct")
        print(f"submissions: {args.n} (mix: {', '.join(sorted(set(MIX)))}) of the synthetic "
              f"notebook; cpus: {os.cpu_count()}")
        grades = {}
        for w in args.workers:
            took, grades[f"local-j{w}"] = grade(subs, source, work / f"local{w}",
                                                args.timeout, "-j", str(w))
            print(f"local pool, -j {w}     : {took:6.1f} s  {args.n / took:5.2f} notebooks/s")
            root = work / f"cluster{w}"
            root.mkdir()
            with Cluster(root) as cluster:
                cluster.start_scheduler()
                for i in range(w):
                    cluster.start_worker(f"w{i}")
                cluster.wait_for_workers(w)
                grade(warm, source, work / f"warm{w}", args.timeout,
                      "--scheduler", cluster.address)
                took, grades[f"dask-{w}"] = grade(subs, source, work / f"dask{w}",
                                                  args.timeout, "--scheduler", cluster.address)
            print(f"dask, {w} worker(s)     : {took:6.1f} s  {args.n / took:5.2f} notebooks/s")
        first = next(iter(grades.values()))
        differ = [k for k, g in grades.items() if g != first]
        if differ:
            print(f"GRADES DIFFER in {differ}")
            return 1
        print(f"grades identical in all {len(grades)} runs")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
