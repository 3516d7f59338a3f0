"""The course's own pages and launch setup: the glossary has an anchor for every term the
course needs (slug rule of the brief), the start page's chapter map is up to date, the learner's
Lab config names real nbgrader plugins, and the terminal's `docker` is layerlab."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from autograder.coursemap import CHAPTERS, update_start_page

from ..notebooks.nbtools import ROOT
from .links import anchors, links

GLOSSARY = ROOT / "notebooks" / "glossary.md"
START = ROOT / "notebooks" / "00-start-here.ipynb"
REQUIRED = """daemon registry pull image layer diff-id chain-id build-cache buildkit writable-layer copy-up
copy-on-write whiteout opaque-directory storage-driver overlay2 volume named-volume anonymous-volume
bind-mount tmpfs pid-1 container dockerfile build-context history-entry virtual-size graphdriver
snapshotter mount-point --rm nop""".split()


def slug(term: str) -> str:
    """The brief's rule: lowercased, spaces and _ as -, other punctuation dropped."""
    s = term.lower().replace(" ", "-").replace("_", "-")
    return re.sub(r"[^a-z0-9-]", "", s)


def test_slug_rule_examples():
    assert slug("diff_id") == "diff-id" and slug("chain ID") == "chain-id" and slug("PID 1") == "pid-1"
    assert slug("#(nop)") == "nop" and slug("--rm") == "--rm"


def test_glossary_has_every_required_term_once():
    text = GLOSSARY.read_text()
    ids = re.findall(r'<a id="([^"]+)"></a>', text)
    assert len(ids) == len(set(ids)), "a glossary anchor is there twice"
    missing = [s for s in REQUIRED if s not in ids]
    assert not missing, f"glossary.md has no entry for {missing}"
    assert all(i == slug(i) or i in ("--rm",) for i in ids), [i for i in ids if i != slug(i)]


def test_every_glossary_link_of_every_notebook_has_an_entry():
    have = anchors(GLOSSARY)
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for target in links(nb):
            if target.startswith("glossary.md#"):
                assert target.split("#", 1)[1] in have, f"{nb.name} links {target}, which the glossary lacks"


def test_start_page_chapter_map_is_up_to_date():
    changed, text = update_start_page(START, ROOT / "notebooks")
    assert not changed, "the chapter map is out of date: run `autograder map --write`\n" + text
    for stem, *_ in CHAPTERS:
        assert f"]({stem}.ipynb)" in text


def test_start_page_says_how_to_run_save_check_and_submit():
    nb = json.loads(START.read_text())
    text = "\n".join("".join(c["source"]) for c in nb["cells"])
    for word in ("**Run**", "**Save**", "**Check**", "**Submit**", "%docker", "glossary.md",
                 "01-layer-architecture.ipynb"):
        assert word in text, word


def test_learner_lab_config_disables_nbgraders_instructor_plugins_by_their_real_ids():
    import nbgrader  # noqa: F401
    page = json.loads((ROOT / "binder" / "learner" / "labconfig" / "page_config.json").read_text())
    disabled = [k for k, v in page["disabledExtensions"].items() if v]
    ext = ROOT / ".venv" / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader" / "static"
    prefix = os.path.join(sys.prefix, "share", "jupyter", "labextensions", "@jupyter", "nbgrader", "static")
    folder = ext if ext.exists() else prefix
    js = "".join(p.read_text(errors="replace") for p in __import__("pathlib").Path(folder).glob("*.js"))
    for plugin in ("formgrader", "create-assignment", "course-list"):
        assert f"@jupyter/nbgrader:{plugin}" in disabled
    for plugin in disabled:
        assert f'"{plugin}"' in js, f"{plugin} is not a plugin of the installed nbgrader labextension"
    server = json.loads((ROOT / "binder" / "learner" / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"]["nbgrader.server_extensions.formgrader"] is False


def test_docker_in_the_terminal_is_layerlab_and_says_so(tmp_path):
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}:/usr/bin:/bin", HOME=str(tmp_path),
               LAYERLAB_HOME=str(tmp_path / "layerlab"))
    docker = str(ROOT / "binder" / "bin" / "docker")
    proc = subprocess.run([docker, "version"], env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Git commit:       layerlab" in proc.stdout and "This docker is layerlab" in proc.stderr
    proc = subprocess.run([docker, "run", "--rm", "busybox", "echo", "hi"], env=env, capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == "hi\n", proc.stderr


def test_binder_start_and_make_lab_give_the_learner_view():
    start = (ROOT / "binder" / "start").read_text()
    assert os.access(ROOT / "binder" / "start", os.X_OK) and start.rstrip().endswith('exec "$@"')
    assert "JUPYTER_CONFIG_PATH" in start and 'PATH="$PATH:$here/bin"' in start
    make = (ROOT / "Makefile").read_text()
    lab = make.split("\nlab:", 1)[1].split("\n\n", 1)[0]
    assert "practice/00-start-here.ipynb" in lab and "binder/learner" in lab and "binder/bin" in make
    assert "\nlab-instructor:" in make
