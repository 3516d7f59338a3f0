"""Exports of the class gradebook, for people and for LMSs.

`write_exports(OUT, COURSE, results)` writes, into OUT/exports/:

``scores.csv``      per student per notebook: autograded, manual, score, max, points
                    waiting for a person, status, reason
``questions.csv``   per student per question (the exercise title learners see)
``totals.csv``      per student across notebooks, with every roster student (no
                    submission: 0, listed as such)
``canvas.csv``      Canvas's grade-upload format (Student, ID, SIS User ID, SIS Login ID,
                    Section, one column per notebook, a "Points Possible" row)
``gradescope/<student>/results.json``  Gradescope's autograder results format
                    (`autograder.gradescope.results_json`)
``feedback/<student>.zip``             that student's feedback pages

Scores come from the kept nbgrader gradebook, so manual scores entered in formgrader are
included: a grade's score is its manual score if a person gave one, else the autograded
one. Points "waiting for a person" are those of cells with neither yet.
"""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

from .status import SCORED, Status

__all__ = ["class_table", "write_exports", "read_roster"]


def read_roster(path: str | Path) -> dict[str, dict]:
    """student -> {lms_user_id, name, section} from a CSV with a ``student`` (or ``id``,
    ``login``) column; other columns optional."""
    out = {}
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        cols = {c.lower().strip(): c for c in (reader.fieldnames or [])}
        key = next((cols[k] for k in ("student", "id", "login", "sis login id") if k in cols),
                   (reader.fieldnames or [None])[0])
        for row in reader:
            sid = (row.get(key) or "").strip()
            if not sid:
                continue
            get = lambda *names: next((row[cols[n]] for n in names if n in cols and row[cols[n]]), "")
            out[sid] = {"lms_user_id": get("lms_user_id", "canvas_id", "canvas id", "user id"),
                        "name": get("name", "student name"), "section": get("section")}
    return out


def _titles(course_root: Path) -> dict[str, dict[str, str]]:
    import nbformat

    from .gradebook import exercise_titles

    out = {}
    for path in sorted((course_root / "source").glob("*/*.ipynb")):
        out[path.stem] = exercise_titles(nbformat.read(str(path), as_version=4))
    return out


def class_table(course_root: str | Path | None, results) -> list[dict]:
    """One dict per (student, notebook) with per-grade scores merged from the gradebook."""
    from .gradebook import manual_scores

    course_root = Path(course_root) if course_root else None
    gb = manual_scores(course_root) if course_root else {}
    titles = _titles(course_root) if course_root else {}
    rows = []
    for r in results:
        grades = {}
        stored = gb.get((r.student, r.notebook))
        if r.status in SCORED:
            if stored:
                grades = {g: {"auto": a, "manual": m, "max": mx} for g, (a, m, _, mx)
                          in stored.items()}
            else:
                grades = {c["grade_id"]: {"auto": c.get("auto_score", c.get("score")),
                                          "manual": None, "max": float(c["max_score"])}
                          for c in r.cells or []}
        auto = sum(g["auto"] or 0.0 for g in grades.values())
        manual = sum(g["manual"] for g in grades.values() if g["manual"] is not None)
        score = sum(g["manual"] if g["manual"] is not None else (g["auto"] or 0.0)
                    for g in grades.values())
        pending = sum(g["max"] for g in grades.values()
                      if g["manual"] is None and g["auto"] is None)
        if r.status == Status.MISSING:
            score = auto = 0.0
        elif r.status not in SCORED:
            score = auto = None
        rows.append({"student": r.student, "notebook": r.notebook, "status": r.status,
                     "reason": r.reason, "autograded": auto, "manual": manual, "score": score,
                     "max_score": r.max_score, "pending": pending, "grades": grades,
                     "titles": titles.get(r.notebook, {}), "feedback": r.feedback,
                     "outcomes": {c["grade_id"]: c.get("outcome") for c in r.cells or []
                                  if c.get("outcome")}})
    return rows


def _fmt(x) -> str:
    return "" if x is None else f"{float(x):g}"


def _write(path: Path, header, rows) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _questions(row) -> list[tuple[str, str, float, float, float]]:
    """(title, grade_ids, score, max, pending) per exercise of one notebook row."""
    out: dict[str, list] = {}
    for gid, g in row["grades"].items():
        title = row["titles"].get(gid, gid)
        q = out.setdefault(title, [[], 0.0, 0.0, 0.0])
        q[0].append(gid)
        q[1] += g["manual"] if g["manual"] is not None else (g["auto"] or 0.0)
        q[2] += g["max"]
        if g["manual"] is None and g["auto"] is None:
            q[3] += g["max"]
    return [(t, " ".join(sorted(ids)), s, m, p) for t, (ids, s, m, p) in out.items()]


def write_exports(out_dir: str | Path, course_root: str | Path | None, results, *,
                  roster: str | Path | None = None, students: dict | None = None) -> dict:
    """Write every export into OUT/exports/; returns {name: path}."""
    out_dir = Path(out_dir)
    dest = out_dir / "exports"
    rows = class_table(course_root, results)
    info = {}
    people_path = out_dir / "students.json"
    if people_path.exists():
        info.update(json.loads(people_path.read_text()))
    for s, d in (students or {}).items():
        info.setdefault(s, {}).update({k: v for k, v in d.items() if v})
    if roster:
        for s, d in read_roster(roster).items():
            info.setdefault(s, {}).update({k: v for k, v in d.items() if v})
            info[s]["roster"] = True
    people_path.write_text(json.dumps(info, indent=1, sort_keys=True))
    written = {}

    written["scores"] = _write(dest / "scores.csv", [
        "student", "notebook", "autograded", "manual", "score", "max_score",
        "waiting_for_person", "status", "reason"], [
        [r["student"], r["notebook"], _fmt(r["autograded"]), _fmt(r["manual"]),
         _fmt(r["score"]), _fmt(r["max_score"]), _fmt(r["pending"]), r["status"], r["reason"]]
        for r in rows])

    written["questions"] = _write(dest / "questions.csv", [
        "student", "notebook", "question", "grade_ids", "score", "max_score",
        "waiting_for_person"], [
        [r["student"], r["notebook"], t, ids, _fmt(s), _fmt(m), _fmt(p)]
        for r in rows for t, ids, s, m, p in _questions(r)])

    notebooks = sorted({r["notebook"] for r in rows})
    max_by_nb = {r["notebook"]: r["max_score"] for r in rows if r["max_score"] is not None}
    by_student: dict[str, dict] = {}
    for r in rows:
        by_student.setdefault(r["student"], {})[r["notebook"]] = r
    everyone = sorted(set(by_student) | {s for s, d in info.items() if d.get("roster")})
    total_rows = []
    for s in everyone:
        mine = by_student.get(s, {})
        cells = [_fmt(mine[n]["score"]) if n in mine else "0" for n in notebooks]
        total = sum(mine[n]["score"] or 0.0 for n in mine)
        pending = sum(mine[n]["pending"] for n in mine)
        submitted = sum(1 for n in mine if mine[n]["status"] != Status.MISSING)
        problems = [f"{n}: {mine[n]['status']}" for n in notebooks
                    if n in mine and mine[n]["status"] not in (Status.GRADED, Status.MISSING)]
        note = "no submission" if not submitted else "; ".join(problems)
        if info.get(s, {}).get("roster") is None and roster:
            note = (note + "; " if note else "") + "not on the roster"
        total_rows.append([s, *cells, _fmt(total), _fmt(sum(max_by_nb.values())),
                           _fmt(pending), submitted, note])
    written["totals"] = _write(dest / "totals.csv", [
        "student", *notebooks, "total", "max_total", "waiting_for_person",
        "notebooks_submitted", "note"], total_rows)

    canvas = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *notebooks],
              ["    Points Possible", "", "", "", "", *[_fmt(max_by_nb.get(n)) for n in notebooks]]]
    for s in everyone:
        d = info.get(s, {})
        mine = by_student.get(s, {})
        canvas.append([d.get("name") or s, d.get("lms_user_id", ""), "", s, d.get("section", ""),
                       *[_fmt(mine[n]["score"]) if n in mine else "0" for n in notebooks]])
    written["canvas"] = _write(dest / "canvas.csv", canvas[0], canvas[1:])

    from .gradescope import hidden_test_cells, results_json

    hidden = hidden_test_cells(course_root)
    for s, mine in by_student.items():
        path = dest / "gradescope" / s / "results.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results_json(list(mine.values()), hidden), indent=1))
    written["gradescope"] = dest / "gradescope"

    zips = dest / "feedback"
    zips.mkdir(parents=True, exist_ok=True)
    for s in by_student:
        pages = sorted((out_dir / "feedback" / s).glob("*.html"))
        if not pages:
            continue
        with zipfile.ZipFile(zips / f"{s}.zip", "w", zipfile.ZIP_DEFLATED) as z:
            for page in pages:
                z.write(page, f"{s}/{page.name}")
    written["feedback"] = zips
    return written
