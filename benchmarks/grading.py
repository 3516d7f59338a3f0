"""Grading throughput: `autograder grade` against plain sequential `nbgrader`.

    .venv/bin/python benchmarks/grading.py [-n 40] [-j JOBS] [--source NB] [--no-feedback]
                                           [--repeat R]

Builds N synthetic submissions of the synthetic instructor notebook (or of --source, whose
submissions then alternate between its student version with the instructor's answers
pasted in and the blank student version), then grades them three ways:

1. ``autograder grade SUBS --source NB --out OUT -j JOBS`` (timed end to end, including
   building its own course and gradebook);
2. the same with ``--no-isolation`` (plain nbgrader execution, in parallel): the cost of
   the integrity defenses is the difference;
3. plain nbgrader in a course directory prepared beforehand (``generate_assignment`` is
   setup, not timed): ``nbgrader autograde A`` (one invocation, sequential, as nbgrader
   grades), then ``nbgrader generate_feedback A`` (unless --no-feedback) and
   ``nbgrader export``.

It checks that all three give identical scores per student and prints both times and the
speed ratio. Jupyter state is kept in a temporary directory, not in $HOME.
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

# honest kinds only (hangs would measure the timeout, not the grader)
MIX = ("correct", "partial", "untouched", "correct", "tampered")


def bin_(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def run(cmd, cwd=None, env=None) -> float:
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    took = time.monotonic() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return took


def _answered(source: Path, released: Path, dest: Path, answered: bool) -> None:
    """The student version, with the instructor's solutions pasted in if `answered`."""
    import nbformat

    nb = nbformat.read(str(released), as_version=4)
    if answered:
        src = nbformat.read(str(source), as_version=4)
        solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in src.cells
                     if c.metadata.get("nbgrader", {}).get("solution")}
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in solutions:
                cell.source = solutions[gid]
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(dest))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=40, help="submissions (default 40)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count(),
                    help="autograder workers (default: CPUs)")
    ap.add_argument("--source", help="instructor notebook (default: the synthetic one)")
    ap.add_argument("--timeout", type=int, default=30)
    ap.add_argument("--no-feedback", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run each configuration R times (interleaved), keep the best")
    args = ap.parse_args(argv)

    ensure_scripts_on_path()
    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    env = dict(os.environ,
               JUPYTER_CONFIG_DIR=str(work / "jupyter-config"),
               JUPYTER_RUNTIME_DIR=str(work / "jupyter-runtime"),
               IPYTHONDIR=str(work / "ipython"))
    os.environ.update({k: env[k] for k in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR",
                                           "IPYTHONDIR")})
    try:
        source = Path(args.source) if args.source else write_chain_notebook(work / "chain.ipynb")
        name = source.stem
        [student_version] = release([source], work / "release")
        subs = work / "subs"
        for i in range(args.n):
            dest = subs / f"s{i:03d}" / f"{name}.ipynb"
            if args.source:  # alternately the instructor's answers and the blank release
                _answered(source, student_version, dest, answered=i % 2 == 0)
            else:
                make_submission(student_version, dest, MIX[i % len(MIX)])

        # --- autograder, defended and undefended ------------------------------------------
        def ours_run(tag, *extra):
            out = work / f"out-{tag}"
            cmd = [bin_("autograder"), "grade", str(subs), "--source", str(source), "--out",
                   str(out), "-j", str(args.jobs), "--timeout", str(args.timeout), "--quiet",
                   *extra]
            if args.no_feedback:
                cmd.append("--no-feedback")
            took = run(cmd, env=env)
            with open(out / "grades.csv", newline="") as f:
                return took, {r["student"]: r for r in csv.DictReader(f)}

        # interleaved repeats, best time of each: the machine may be shared
        t_ours = t_open = float("inf")
        for rep in range(args.repeat):
            took, ours = ours_run(f"defended{rep}")
            t_ours = min(t_ours, took)
            took, ours_open = ours_run(f"undefended{rep}", "--no-isolation")
            t_open = min(t_open, took)

        # --- plain nbgrader -------------------------------------------------------------
        course = work / "course"
        (course / "source" / name).mkdir(parents=True)
        shutil.copyfile(source, course / "source" / name / f"{name}.ipynb")
        (course / "nbgrader_config.py").write_text(
            "c = get_config()\n"
            "c.CourseDirectory.course_id = 'bench'\n"
            f"c.Execute.timeout = {args.timeout}\n")
        run([bin_("nbgrader"), "generate_assignment", name], cwd=course, env=env)
        for d in sorted(subs.iterdir()):
            dest = course / "submitted" / d.name / name
            dest.mkdir(parents=True)
            shutil.copyfile(d / f"{name}.ipynb", dest / f"{name}.ipynb")
        t_auto = float("inf")
        for _ in range(args.repeat):
            t_auto = min(t_auto, run([bin_("nbgrader"), "autograde", name, "--force"],
                                     cwd=course, env=env))
        t_feedback = 0.0
        if not args.no_feedback:
            t_feedback = run([bin_("nbgrader"), "generate_feedback", name], cwd=course, env=env)
        t_export = run([bin_("nbgrader"), "export", "--to", str(work / "nbgrader.csv")],
                       cwd=course, env=env)
        with open(work / "nbgrader.csv", newline="") as f:
            theirs = {r["student_id"]: r for r in csv.DictReader(f)}
        t_plain = t_auto + t_feedback + t_export

        # --- compare ----------------------------------------------------------------------
        mismatches = [(s, ours[s]["score"], ours_open[s]["score"],
                       theirs.get(s, {}).get("score"))
                      for s in sorted(ours)
                      if not (float(ours[s]["score"] or "nan") == float(theirs[s]["score"])
                              == float(ours_open[s]["score"] or "nan"))]
        n = args.n
        mix = "answered, blank" if args.source else ", ".join(sorted(set(MIX)))
        print(f"submissions: {n}  (mix: {mix})  source: {source.name}")
        print(f"cpus: {os.cpu_count()}  autograder workers: {args.jobs}  "
              f"feedback: {'no' if args.no_feedback else 'yes'}")
        print(f"autograder grade    : {t_ours:6.1f} s  ({n / t_ours:.2f} notebooks/s, "
              "defended, including building its course)")
        print(f"  --no-isolation    : {t_open:6.1f} s  ({n / t_open:.2f} notebooks/s, "
              "plain nbgrader execution in parallel)")
        print(f"cost of the defenses: throughput {100 * (t_open / t_ours - 1):+.0f}% "
              f"relative to undefended ({t_ours / t_open:.2f}x the time)")
        print(f"nbgrader sequential : {t_plain:6.1f} s  ({n / t_plain:.2f} notebooks/s; "
              f"autograde {t_auto:.1f} + feedback {t_feedback:.1f} + export {t_export:.1f})")
        print(f"speed ratio         : {t_plain / t_ours:.2f}x defended, "
              f"{t_plain / t_open:.2f}x undefended (vs sequential nbgrader)")
        if mismatches:
            print(f"GRADES DIFFER for {len(mismatches)} students: {mismatches[:5]}")
            return 1
        print(f"grades identical for all {n} students")
        return 0
    finally:
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
