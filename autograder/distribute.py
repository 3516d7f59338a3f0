"""The student distribution: the tree a public learner repository (or an nbgitpuller source) serves.

    autograder distribute DEST [SOURCE ...] [--no-practice] [--no-graded] [--force]

builds::

    DEST/
      README.md              for learners: what this is, how to open it (Binder, JupyterHub, laptop)
      practice/              self-study release: start page, chapters, glossary (autograder release --practice)
      release/               graded release: nbgrader student versions, start page, glossary
      layerlab/              the engine (and layerlab.practice, which the practice checks call)
      autograder/            `autograder check`, the student-side check of the graded release
      binder/                repo2docker setup: requirements, postBuild, start, learner config, docker shim
      pyproject.toml         so `pip install .` installs layerlab and autograder
      Makefile               `make lab` for a laptop

and nothing else: no ``notebooks/`` (the instructor sources with solutions and hidden tests),
no tests, no gradebook. The practice release carries each exercise's checks and model answer
*encoded* (zlib + base64) so a learner can be told right / not yet: that hides them, it does not
secure them. A course that grades with the same hidden tests should distribute with
``--no-practice`` (tests/course/test_distribution.py searches the tree for every solution and
hidden-test line of the sources, in plain text).
"""
from __future__ import annotations

import shutil
from pathlib import Path

__all__ = ["distribute", "Distribution"]

_ROOT = Path(__file__).resolve().parents[1]
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".ipynb_checkpoints")

LEARNER_README = """\
# How Docker stores data — a notebook course

An interactive course on how Docker stores data: image layers, copy-on-write, storage drivers,
`docker diff` / `ps -s` / `history`, the container lifecycle, volumes, bind mounts and tmpfs. It
runs on **layerlab**, a model of the Docker engine in Python: no Docker needed.

## Start

- **In your browser (Binder):** open the launch link your course gives you; it opens
  `practice/00-start-here.ipynb`. The link has the form
  `https://mybinder.org/v2/gh/<owner>/<this-repo>/HEAD?urlpath=lab/tree/practice/00-start-here.ipynb`.
  Binder sessions are temporary: download your notebooks (File → Download) to keep them.
- **On your course's JupyterHub:** use the link your instructor gives you (nbgitpuller), or fetch
  the assignment in the Assignments tab.
- **On your own computer** (Python 3.11+): `make lab` (creates `.venv`, installs the course, and
  opens the start page), or by hand: `python -m venv .venv && .venv/bin/pip install -r
  binder/requirements.txt && .venv/bin/pip install --no-deps . && .venv/bin/jupyter lab
  practice/00-start-here.ipynb`.

## What is here

- `practice/` — for studying on your own. Each exercise's check cell says **right**, **not yet**
  (with a hint) or **not answered yet**, and shows the model answer after your first try.
- `release/` — the graded version for a class: its checks only catch format mistakes; your
  instructor grades the submitted notebook. `autograder check release/<chapter>.ipynb` in a
  terminal runs those format checks.
- `practice/glossary.md` — every term of the course.
- In a terminal, `docker ...` runs layerlab when no real Docker is installed (`docker version`
  says so), and `layerlab ...` always does.

The practice checks keep their tests and model answers encoded in the check cells so they do not
give the answers away at a glance. That hides them; it does not lock them.
"""

LEARNER_MAKEFILE = """\
# For learners on their own computer: `make lab` opens the course's start page.
PYTHON ?= python3
VENV   := .venv
ROOT_FLAG = $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

.PHONY: lab graded setup

$(VENV)/.installed: binder/requirements.txt pyproject.toml
\t$(PYTHON) -m venv $(VENV)
\t$(VENV)/bin/pip install --quiet -r binder/requirements.txt
\t$(VENV)/bin/pip install --quiet --no-deps .
\tmkdir -p $(VENV)/share/jupyter/lab/settings
\tcp binder/learner/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
\ttouch $@

setup: $(VENV)/.installed

lab: setup
\tPATH="$(CURDIR)/$(VENV)/bin:$$PATH:$(CURDIR)/binder/bin" JUPYTER_CONFIG_PATH="$(CURDIR)/binder/learner" \\
\t  $(VENV)/bin/jupyter lab --ServerApp.root_dir=practice practice/00-start-here.ipynb $(ROOT_FLAG)

graded: setup
\tPATH="$(CURDIR)/$(VENV)/bin:$$PATH:$(CURDIR)/binder/bin" JUPYTER_CONFIG_PATH="$(CURDIR)/binder/learner" \\
\t  $(VENV)/bin/jupyter lab --ServerApp.root_dir=release release/00-start-here.ipynb $(ROOT_FLAG)
"""


class Distribution:
    """What `distribute` built: the folder and the files in it."""

    def __init__(self, dest: Path, parts: dict[str, list[Path]]):
        self.dest, self.parts = dest, parts

    def files(self) -> list[Path]:
        return sorted(p for p in self.dest.rglob("*") if p.is_file())

    def summary(self) -> str:
        lines = [f"student distribution in {self.dest}/:"]
        for name, paths in self.parts.items():
            lines.append(f"  {name}: {len(paths)} file(s)")
        lines.append(f"  {len(self.files())} files in all; no instructor sources")
        return "\n".join(lines)


def _copy_package(name: str, dest: Path) -> list[Path]:
    src = _ROOT / name
    shutil.copytree(src, dest / name, ignore=_IGNORE)
    return sorted(p for p in (dest / name).rglob("*") if p.is_file())


def distribute(dest, sources, *, practice: bool = True, graded: bool = True,
               force: bool = False) -> Distribution:
    """Build the student distribution of the course into ``dest`` (see the module doc).

    Args:
        dest: the folder to create. It must not exist (or be empty) unless ``force``.
        sources: the instructor notebooks (``notebooks/*.ipynb``); their folder's assets
            (``glossary.md``) are copied into each release.
        practice, graded: which releases to include.
        force: replace ``dest`` if it exists.
    """
    from .practice import release_practice

    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        if not force:
            from .errors import AutograderError
            raise AutograderError(f"{dest} exists and is not empty (use --force to replace it)")
        shutil.rmtree(dest)
    dest.mkdir(parents=True, exist_ok=True)
    sources = [Path(s) for s in sources]
    parts: dict[str, list[Path]] = {}
    if practice:
        release_practice(sources, dest / "practice")
        parts["practice"] = sorted((dest / "practice").iterdir())
    if graded:
        from .course import release

        release(sources, dest / "release")
        parts["release"] = sorted((dest / "release").iterdir())
    for pkg in ("layerlab", "autograder"):
        parts[pkg] = _copy_package(pkg, dest)
    shutil.copytree(_ROOT / "binder", dest / "binder", ignore=_IGNORE)
    parts["binder"] = sorted(p for p in (dest / "binder").rglob("*") if p.is_file())
    shutil.copyfile(_ROOT / "pyproject.toml", dest / "pyproject.toml")
    (dest / "README.md").write_text(LEARNER_README, encoding="utf-8")
    (dest / "Makefile").write_text(LEARNER_MAKEFILE, encoding="utf-8")
    (dest / ".gitignore").write_text(".venv/\n__pycache__/\n*.egg-info/\n.ipynb_checkpoints/\n")
    parts["top level"] = [dest / "README.md", dest / "Makefile", dest / "pyproject.toml", dest / ".gitignore"]
    return Distribution(dest, parts)
