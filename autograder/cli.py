"""The `autograder` command.

    autograder release [SOURCE ...] [--out release/]
        Build student versions (solutions and hidden tests removed) of the instructor
        notebooks (default: notebooks/*.ipynb) into release/<name>.ipynb.

    autograder check NOTEBOOK [--timeout 30]
        Run a notebook and report which visible checks pass. Exit 0: all pass; 1: some
        fail; 2: the notebook could not be run.

    autograder grade SUBMISSIONS [--source NB ...] [--out graded/] [-j N] [--timeout 30]
        Grade SUBMISSIONS/<student>/<name>.ipynb in parallel; writes OUT/grades.csv,
        OUT/feedback/<student>/<name>.html and OUT/autograded/. --scheduler ADDRESS sends
        each submission to a Dask cluster instead of local workers. Exit 0: everything was
        graded; 1: some submissions failed, were invalid, were flagged for review or hit a
        grader error (see the status and reason columns); 2: bad usage or a broken
        instructor notebook.

    autograder release --practice [SOURCE ...] [--out practice/]
        Self-study versions: each check cell says right / not yet (with the hidden test's
        hint) / not answered yet, and offers the model answer after a first try.

    autograder distribute DEST [SOURCE ...] [--no-practice] [--no-graded]
        The tree a public learner repository (or an nbgitpuller source) serves: practice and
        graded releases, start page, glossary, layerlab, autograder, binder/. No solutions
        and no hidden tests in plain text.

    autograder map [--write] [--check]
        The start page's chapter map (titles, times, objectives) from the chapters.

    autograder gradescope [SOURCE ...] [--out autograder.zip] [--python X.Y]
        Gradescope's autograder zip: setup.sh, run_autograder, the sources and the wheels
        of this project and the course (setup.sh installs offline from them).

    autograder lint [SOURCE ...]
        Check instructor notebooks for nbgrader authoring mistakes, naming each cell.

    autograder export [OUT] [--roster roster.csv]
        Write OUT/exports/ again from the class gradebook (after manual grading).

    grade is incremental (OUT/grades.csv is always the whole class; --student NAME
    grades only NAME) and keeps the class's nbgrader course in OUT/course.
"""

from __future__ import annotations

import argparse
import glob
import sys
import time
from pathlib import Path

from .errors import AutograderError
from .status import Status

__all__ = ["main"]


def _sources(args_sources) -> list[Path]:
    if args_sources:
        return [Path(s) for s in args_sources]
    return [Path(p) for p in sorted(glob.glob("notebooks/*.ipynb"))]


def _cmd_release(args) -> int:
    sources = _sources(args.sources)
    if not sources:
        print("autograder release: no source notebooks (looked for notebooks/*.ipynb)",
              file=sys.stderr)
        return 2
    t0 = time.monotonic()
    if args.practice:
        from .authoring import validate_source
        from .practice import release_practice

        for src in sources:
            validate_source(src)
        out_dir = args.out or "practice"
        out = release_practice(sources, out_dir)
        kind = "practice"
    else:
        from .course import release

        out_dir = args.out or "release"
        out = release(sources, out_dir, course_root=args.course_dir)
        kind = "student"
    if not args.quiet:
        for p in out:
            print(f"released {p}")
        print(f"{len(out)} {kind} notebook(s) in {out_dir}/ "
              f"({time.monotonic() - t0:.1f} s)")
    return 0


def _cmd_distribute(args) -> int:
    from .distribute import distribute

    sources = _sources(args.sources)
    if not sources:
        print("autograder distribute: no source notebooks (looked for notebooks/*.ipynb)",
              file=sys.stderr)
        return 2
    t0 = time.monotonic()
    report = distribute(args.dest, sources, practice=not args.no_practice,
                        graded=not args.no_graded, force=args.force)
    if not args.quiet:
        print(report.summary())
        print(f"({time.monotonic() - t0:.1f} s)")
    return 0


def _cmd_map(args) -> int:
    from .coursemap import update_start_page

    changed, text = update_start_page(args.start_page, args.notebooks, write=args.write)
    if args.write:
        print(f"{args.start_page}: chapter map " + ("updated" if changed else "already up to date"))
    else:
        print(text)
        if changed:
            print(f"(differs from {args.start_page}; --write stores it)", file=sys.stderr)
    return 1 if changed and args.check else 0


def _cmd_check(args) -> int:
    from .check import check_notebook, format_report

    report = check_notebook(args.notebook, timeout=args.timeout, kernel_name=args.kernel)
    print(format_report(report))
    return report.exit_code


def _cmd_lint(args) -> int:
    from .authoring import find_problems

    sources = _sources(args.sources)
    bad = 0
    for src in sources:
        for problem in find_problems(src):
            print(problem)
            bad += 1
    if not bad and not args.quiet:
        print(f"{len(sources)} notebook(s): no authoring problems")
    return 1 if bad else 0


def _cmd_grade(args) -> int:
    from .grading import grade

    sources = _sources(args.source)
    if not sources:
        print("autograder grade: no source notebooks (use --source or notebooks/*.ipynb)",
              file=sys.stderr)
        return 2
    if not Path(args.submissions).is_dir():
        print(f"autograder grade: {args.submissions} is not a folder", file=sys.stderr)
        return 2
    t0 = time.monotonic()

    def progress(done, total, r):
        if args.quiet:
            return
        score = "-" if r.score is None else f"{r.score:g}"
        total_pts = "?" if r.max_score is None else f"{r.max_score:g}"
        line = (f"[{done:>{len(str(total))}}/{total}] {r.student} {r.notebook}: "
                f"{score}/{total_pts} {r.status}")
        if r.reason:
            line += f" ({r.reason})"
        print(line, file=sys.stderr, flush=True)

    course_dir = args.course_dir or str(Path(args.out) / "course")
    results = grade(args.submissions, sources, args.out, jobs=args.jobs, timeout=args.timeout,
                    notebooks=args.notebook or None, feedback=not args.no_feedback,
                    course_dir=course_dir, progress=progress,
                    isolation=not args.no_isolation, students=args.student,
                    roster=args.roster, scheduler=args.scheduler)
    elapsed = time.monotonic() - t0
    counts: dict[Status, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    graded = sum(1 for r in results if r.status != Status.MISSING)
    rate = graded / elapsed if elapsed else 0.0
    print(f"{len(results)} notebook(s) in {elapsed:.1f} s ({rate:.2f}/s): "
          + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    print(f"grades: {Path(args.out) / 'grades.csv'} (the whole class); "
          f"gradebook: {Path(course_dir) / 'gradebook.db'}; exports: {Path(args.out) / 'exports'}")
    attention = [r for r in results if r.status in (Status.FAILED, Status.INVALID, Status.ERROR, Status.FLAGGED)]
    for r in attention:
        print(f"  needs attention: {r.student}/{r.notebook}: {r.status}: {r.reason}")
    return 1 if attention else 0


def _cmd_gradescope(args) -> int:
    from .gradescope import build_zip

    sources = _sources(args.sources)
    if not sources:
        print("autograder gradescope: no source notebooks (looked for notebooks/*.ipynb)",
              file=sys.stderr)
        return 2
    t0 = time.monotonic()
    made = build_zip(sources, args.out, timeout=args.timeout, python=args.python,
                     wheelhouse=args.wheelhouse, jobs=args.jobs)
    print(f"{made['zip']}: {len(sources)} notebook(s), {made['wheels']} wheels, "
          f"{made['bytes'] / 1e6:.1f} MB ({time.monotonic() - t0:.1f} s); upload it as the "
          "assignment's autograder (it holds the solutions: never give it to students)")
    return 0


def _cmd_export(args) -> int:
    from .exports import write_exports
    from .gradebook import ClassRecord

    record = ClassRecord(args.out)
    if not record.rows:
        print(f"autograder export: nothing graded in {args.out} (no {record.path.name})",
              file=sys.stderr)
        return 2
    course_dir = Path(args.course_dir or Path(args.out) / "course")
    written = write_exports(args.out, course_dir if course_dir.is_dir() else None,
                            record.results(), roster=args.roster)
    for name, path in written.items():
        print(f"{name}: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="autograder", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("release", help="build student versions into release/ (or practice/)")
    r.add_argument("sources", nargs="*", help="instructor notebooks (default notebooks/*.ipynb)")
    r.add_argument("--practice", action="store_true",
                   help="self-study versions: checks say right / not yet with a hint and offer "
                        "the model answer after a try (default folder: practice)")
    r.add_argument("--out", default=None,
                   help="output folder (default: release, or practice with --practice)")
    r.add_argument("--course-dir", help="keep nbgrader's course directory here "
                                        "(default: a temporary one)")
    r.add_argument("--quiet", "-q", action="store_true")
    r.set_defaults(func=_cmd_release)

    c = sub.add_parser("check", help="run a notebook's visible checks")
    c.add_argument("notebook")
    c.add_argument("--timeout", type=int, default=30, help="seconds per cell (default 30)")
    c.add_argument("--kernel", default="python3", help="kernel name (default python3)")
    c.set_defaults(func=_cmd_check)

    g = sub.add_parser("grade", help="grade SUBMISSIONS/<student>/<notebook>.ipynb")
    g.add_argument("submissions")
    g.add_argument("--source", action="append",
                   help="instructor notebook (repeatable; default notebooks/*.ipynb)")
    g.add_argument("--notebook", action="append",
                   help="grade only this notebook name (repeatable)")
    g.add_argument("--out", default="graded", help="output folder (default: graded)")
    g.add_argument("-j", "--jobs", type=int, default=None,
                   help="parallel workers (default: number of CPUs)")
    g.add_argument("--timeout", type=int, default=30, help="seconds per cell (default 30)")
    g.add_argument("--no-feedback", action="store_true", help="skip feedback pages")
    g.add_argument("--course-dir", help="the class's nbgrader course directory, kept between "
                                        "runs (default: OUT/course)")
    g.add_argument("--student", action="append",
                   help="grade only this student (repeatable); others keep their results")
    g.add_argument("--roster", help="CSV of the class (column student): students with no "
                                    "submission are listed in the exports")
    g.add_argument("--no-isolation", action="store_true",
                   help="plain nbgrader execution: no sandbox kernel, test cells run in the "
                        "student's kernel (faster, not tamper-proof)")
    g.add_argument("--scheduler", metavar="ADDRESS",
                   help="grade on this Dask cluster (e.g. tcp://10.0.0.5:8786; needs the grid "
                        "extra); the gradebook and all outputs stay here")
    g.add_argument("--quiet", "-q", action="store_true", help="no per-submission progress")
    g.set_defaults(func=_cmd_grade)

    d = sub.add_parser("distribute", help="build the student tree a public repository serves")
    d.add_argument("dest", help="folder to build (created; must be empty unless --force)")
    d.add_argument("sources", nargs="*", help="instructor notebooks (default notebooks/*.ipynb)")
    d.add_argument("--no-practice", action="store_true",
                   help="leave out the practice release (its encoded checks reveal the hidden "
                        "tests to anyone who decodes them: use this for graded courses)")
    d.add_argument("--no-graded", action="store_true", help="leave out the graded release")
    d.add_argument("--force", action="store_true", help="replace DEST if it exists")
    d.add_argument("--quiet", "-q", action="store_true")
    d.set_defaults(func=_cmd_distribute)

    m = sub.add_parser("map", help="print (or --write) the start page's chapter map")
    m.add_argument("--start-page", default="notebooks/00-start-here.ipynb")
    m.add_argument("--notebooks", default="notebooks")
    m.add_argument("--write", action="store_true", help="store it in the start page")
    m.add_argument("--check", action="store_true", help="exit 1 if the stored map is out of date")
    m.set_defaults(func=_cmd_map)

    e = sub.add_parser("export", help="write the exports of OUT's class gradebook again "
                                      "(after manual grading)")
    e.add_argument("out", nargs="?", default="graded", help="the grade output folder")
    e.add_argument("--course-dir", help="the class's course directory (default: OUT/course)")
    e.add_argument("--roster", help="CSV of the class (column student)")
    e.set_defaults(func=_cmd_export)

    gs = sub.add_parser("gradescope", help="write Gradescope's autograder zip")
    gs.add_argument("sources", nargs="*", help="instructor notebooks graded by this "
                                               "assignment (default notebooks/*.ipynb)")
    gs.add_argument("--out", default="autograder.zip", help="the zip (default autograder.zip)")
    gs.add_argument("--timeout", type=int, default=30, help="seconds per cell (default 30)")
    gs.add_argument("--python", help="Python X.Y of the Gradescope image (default: this "
                                     "Python's; e.g. 3.12 for Ubuntu 24.04)")
    gs.add_argument("--wheelhouse", help="take the course's wheels from this folder instead "
                                         "of the package index")
    gs.add_argument("-j", "--jobs", type=int, default=None,
                    help="grading processes in the image (default: its CPU count)")
    gs.set_defaults(func=_cmd_gradescope)

    lint = sub.add_parser("lint", help="check instructor notebooks for authoring mistakes")
    lint.add_argument("sources", nargs="*")
    lint.add_argument("--quiet", "-q", action="store_true")
    lint.set_defaults(func=_cmd_lint)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except AutograderError as exc:
        print(f"autograder {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("autograder: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
