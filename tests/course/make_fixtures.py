"""Write tests/course/fixtures/99-synthetic.ipynb: a small chapter that uses every exercise shape
the brief allows (predict numbers, a function whose solution is inside its def, docker commands
graded on a fresh engine, two answer cells for one test cell, a written answer with a mark
scheme), so the practice machinery is tested beyond chapter 1.

    .venv/bin/python -m tests.course.make_fixtures
"""
from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent / "fixtures"


def nbg(gid, *, grade=False, solution=False, locked=False, points=None):
    m = {"grade": grade, "grade_id": gid, "locked": locked, "schema_version": 3, "solution": solution}
    if points is not None:
        m["points"] = points
    return {"nbgrader": m}


def md(cid, src, meta=None):
    return {"cell_type": "markdown", "id": cid, "metadata": meta or {}, "source": src}


def code(cid, src, meta=None):
    return {"cell_type": "code", "id": cid, "metadata": meta or {}, "execution_count": None,
            "outputs": [], "source": src}


def synthetic() -> dict:
    cells = [
        md("title", "# Chapter 99 · Synthetic\n\n**Time:** about 5 minutes · **Prerequisites:** none\n"),
        md("objectives", "## What you will be able to do\n\n1. test the practice release;\n2. nothing else.\n"),
        code("setup", "from layerlab import Engine, magic, render\ndocker = Engine()\nmagic.use(docker)\n%load_ext layerlab.magic",
             nbg("setup", locked=True)),
        code("widget", "# NBVAL_IGNORE_OUTPUT\nprint('a widget would be here')"),
        md("ex1-prompt", "## Exercise 1 · Sizes (1 point)\n\nSet `size_bytes` (an int) and `unit` (a str).\n",
           nbg("ex1_prompt", locked=True)),
        code("ex1-answer-a", "### BEGIN SOLUTION\nsize_bytes = 1024\n### END SOLUTION\n", nbg("ex1_answer_a", solution=True)),
        code("ex1-answer-b", "### BEGIN SOLUTION\nunit = \"kB\"\n### END SOLUTION\n", nbg("ex1_answer_b", solution=True)),
        code("ex1-tests", "assert isinstance(size_bytes, int), \"size_bytes must be an int\"\n"
                          "### BEGIN HIDDEN TESTS\n"
                          "assert size_bytes == 2 ** 10, \"size_bytes is not right yet: one kilobyte in binary units\"\n"
                          "assert unit.lower() == \"kb\", \"unit is not right yet: which unit has 1024 bytes here?\"\n"
                          "### END HIDDEN TESTS\n", nbg("ex1_tests", grade=True, locked=True, points=1)),
        md("ex2-prompt", "## Exercise 2 · A function (2 points)\n\nWrite `double(xs)` returning a list.\n",
           nbg("ex2_prompt", locked=True)),
        code("ex2-answer", "def double(xs):\n    \"\"\"Each item twice.\"\"\"\n    ### BEGIN SOLUTION\n"
                           "    return [2 * x for x in xs]\n    ### END SOLUTION\n", nbg("ex2_answer", solution=True)),
        code("ex2-tests", "assert double([]) == [], \"double([]) must return an empty list\"\n"
                          "### BEGIN HIDDEN TESTS\n"
                          "assert double([1, 2, 3]) == [2, 4, 6], \"each item must be doubled, in order\"\n"
                          "### END HIDDEN TESTS\n", nbg("ex2_tests", grade=True, locked=True, points=2)),
        # a second test cell for the same answer cell
        code("ex2-more-tests", "### BEGIN HIDDEN TESTS\n"
                               "assert double([-1]) == [-2], \"negative numbers double too\"\n"
                               "### END HIDDEN TESTS\n", nbg("ex2_more_tests", grade=True, locked=True, points=1)),
        md("ex3-prompt", "## Exercise 3 · Commands (2 points)\n\nWrite `commands`, docker commands that make a volume `data`.\n",
           nbg("ex3_prompt", locked=True)),
        code("ex3-answer", "### BEGIN SOLUTION\ncommands = [\"docker volume create data\", \"docker volume ls\"]\n### END SOLUTION\n",
             nbg("ex3_answer", solution=True)),
        code("ex3-tests", "assert isinstance(commands, list) and all(isinstance(c, str) for c in commands), "
                          "\"commands must be a list of strings\"\n"
                          "### BEGIN HIDDEN TESTS\n"
                          "import shlex as _shlex\nfrom layerlab import Engine as _Engine\nfrom layerlab.cli import run as _run\n"
                          "_eng = _Engine()\n"
                          "_codes = [_run(_shlex.split(_c)[1:], _eng)[0] for _c in commands]\n"
                          "assert all(_c == 0 for _c in _codes), \"one of your commands fails: run them with %docker to see docker's message\"\n"
                          "assert \"data\" in [_v[\"Name\"] for _v in _eng.volume_ls()], \"no volume named data after your commands\"\n"
                          "assert len(commands) >= 2, \"also list the volumes, to see it\"\n"
                          "### END HIDDEN TESTS\n", nbg("ex3_tests", grade=True, locked=True, points=2)),
        md("ex4-prompt", "## Exercise 4 · Explain (1 point, graded by a person)\n\nWhy?\n", nbg("ex4_prompt", locked=True)),
        md("ex4-answer", "Because the writable layer goes away with the container.\n\n"
                         "**Mark scheme (1 point):** names the writable layer being removed.\n",
           nbg("ex4_answer", grade=True, solution=True, points=1)),
        md("takeaways", "## Key takeaways\n\n* It works.\n"),
    ]
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                                         "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def main() -> None:
    HERE.mkdir(exist_ok=True)
    (HERE / "99-synthetic.ipynb").write_text(json.dumps(synthetic(), indent=1) + "\n")


if __name__ == "__main__":
    main()
