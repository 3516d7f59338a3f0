"""Chapter 8, the capstone: the notes app (layerlab.notesapp), its exercises graded end to end,
and the widgets the chapter shows.

* the app: the shipped image passes the app check and misses every target; two different slim
  Dockerfiles meet all three; images that break the app fail the check item that names the
  break; the check leaves nothing behind; mounts/inventory read docker's own view;
* grading (``autograder release`` + ``autograder grade``, the way an instructor grades): the model
  answers get every autograded point, a blank notebook none, a partly right one exactly the
  points of the parts it got right, and a second, different set of correct answers (another
  Dockerfile, ``--mount`` syntax, a bind-mounted folder, ``rm -f``) every point;
* the widgets: the layer explorer comparing the shipped and a slim Dockerfile, the image
  explorer on the capstone's engine.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from layerlab import Engine, notesapp
from layerlab.cli import run

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "notebooks" / "08-capstone.ipynb"

# A second correct slim Dockerfile: no .dockerignore, the app's files copied by name.
SLIM_BY_NAME = """\
FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
COPY server.py start.sh notesctl schema.sql /app/
COPY templates /app/templates
COPY static /app/static
ENV PATH=/app:$PATH
CMD ["/app/start.sh"]
"""

# Works, but keeps the package lists (created and deleted in different layers) and the whole folder.
WORKS_BUT_BIG = """\
FROM python:3.12-slim
RUN apt-get update
RUN apt-get install -y curl
RUN rm -rf /var/lib/apt/lists/*
COPY . /app
RUN pip install -r /app/requirements.txt
ENV PATH=/app:$PATH
CMD ["/app/start.sh"]
"""

STORAGE_V = ("-v notes-data:/data -v /srv/notes/config.ini:/etc/notes/config.ini:ro "
             "--tmpfs /var/cache/notes")
STORAGE_MOUNT = ("--mount source=notesvol,target=/data "
                 "--mount type=bind,source=/srv/notes,target=/etc/notes,readonly "
                 "--mount type=tmpfs,destination=/var/cache/notes")


@pytest.fixture(scope="module")
def eng():
    e = Engine()
    notesapp.build(e, notesapp.BLOATED_DOCKERFILE, tag="notes:1.0")
    return e


def _ok(checks) -> dict[str, bool]:
    return {c["check"]: c["ok"] for c in checks}


# ============================================================================ the app
def test_the_shipped_image_works_and_misses_every_target(eng):
    assert all(_ok(notesapp.check_app(eng, "notes:1.0")).values())
    m = notesapp.measure(eng, "notes:1.0")
    t = notesapp.TARGETS
    assert m["size"] > t["size"] and m["wasted_bytes"] > t["wasted_bytes"] and m["layers"] > t["layers"]
    # the efficiency analysis (Engine.efficiency) and this module's fallback count the same bytes
    assert notesapp.wasted_bytes(eng.image("notes:1.0").layers) == m["wasted_bytes"]
    assert [r[3] for r in notesapp.scoreboard(eng, "notes:1.0")] == ["✗", "✗", "✗"]


@pytest.mark.parametrize("dockerfile,dockerignore", [
    (None, None),                     # the chapter's model answer (a .dockerignore and COPY . .)
    (SLIM_BY_NAME, ""),
], ids=["model-dockerignore", "copy-by-name"])
def test_two_different_slim_dockerfiles_meet_every_target(eng, dockerfile, dockerignore):
    if dockerfile is None:
        ns = {}
        exec(_model("ex2_answer"), ns)
        dockerfile, dockerignore = ns["slim_dockerfile"], ns["slim_dockerignore"]
    notesapp.build(eng, dockerfile, dockerignore, tag="notes:slim-test")
    assert all(_ok(notesapp.check_app(eng, "notes:slim-test")).values())
    assert [r[3] for r in notesapp.scoreboard(eng, "notes:slim-test")] == ["✓", "✓", "✓"]


START, FILES, PATH_, FLASK, CURL, WORKS = (
    "the image's command starts the server", "the app's files are in /app, unchanged", "notesctl is on the PATH",
    "Flask is installed", "curl runs (the HEALTHCHECK needs it)", "notes, photos and the page cache work")


@pytest.mark.parametrize("edit,broken", [
    (lambda d: d.replace("--no-install-recommends curl", "--no-install-recommends ca-certificates"), {CURL}),
    (lambda d: d.replace("RUN pip install --no-cache-dir -r /tmp/requirements.txt\n", ""), {FLASK}),
    # start.sh runs notesctl: without it on the PATH the server never starts
    (lambda d: d.replace("ENV PATH=/app:$PATH\n", ""), {PATH_, START, WORKS}),
    (lambda d: d.replace("COPY static /app/static\n", ""), {FILES}),
    (lambda d: d.replace("COPY templates /app/templates\n", ""), {FILES, WORKS}),
    (lambda d: d.replace('CMD ["/app/start.sh"]', 'CMD ["/app/server.py"]'), {START}),
], ids=["no-curl", "no-flask", "no-notesctl", "no-static", "no-templates", "bad-cmd"])
def test_the_app_check_names_what_a_slimmer_image_broke(eng, edit, broken):
    notesapp.build(eng, edit(SLIM_BY_NAME), tag="notes:broken")
    ok = _ok(notesapp.check_app(eng, "notes:broken"))
    assert {k for k, v in ok.items() if not v} == broken


def test_the_app_check_leaves_nothing_behind(eng):
    before = ([c.id for c in eng.ps(all=True)], [v["Name"] for v in eng.volume_ls()])
    notesapp.check_app(eng, "notes:1.0")
    assert ([c.id for c in eng.ps(all=True)], [v["Name"] for v in eng.volume_ls()]) == before


def test_a_dockerignore_keeps_files_out_of_copy_and_may_list_itself():
    e = Engine()
    notesapp.build(e, "FROM busybox\nCOPY . /app\n", ".git\n.venv\ntests\ndocs\n*.md\nDockerfile\n.dockerignore\n",
                   tag="ctx")
    listed = set(e.run("ctx", ["ls", "-a", "/app"]).last_output.split())
    assert {"server.py", "notesctl", "templates", "requirements-dev.txt"} <= listed
    assert not listed & {".git", ".venv", "tests", "docs", "README.md", "Dockerfile", ".dockerignore"}


def test_mounts_reads_each_syntax_as_docker_inspect_shows_it(eng):
    notesapp.install_host_config(eng)
    for name, flags in (("st-v", STORAGE_V), ("st-mount", STORAGE_MOUNT)):
        assert run(f"run -d --name {name} {flags} notes:1.0", eng)[0] == 0
    a, b = notesapp.mounts(eng, "st-v"), notesapp.mounts(eng, "st-mount")
    assert a["/data"]["type"] == b["/data"]["type"] == "volume" and not a["/data"]["anonymous"]
    assert (a["/etc/notes/config.ini"]["type"], a["/etc/notes/config.ini"]["rw"]) == ("bind", False)
    assert (b["/etc/notes"]["source"], b["/etc/notes"]["rw"]) == ("/srv/notes", False)
    assert a["/var/cache/notes"]["type"] == b["/var/cache/notes"]["type"] == "tmpfs"
    # --tmpfs is in HostConfig.Tmpfs and not in .Mounts; --mount type=tmpfs the other way round
    # (conformance scenario 70 shows the same on the real engine)
    assert json.loads(run(["inspect", "--format", "{{json .HostConfig.Tmpfs}}", "st-v"], eng)[1]) == {"/var/cache/notes": ""}
    assert "tmpfs" not in run(["inspect", "--format", "{{json .Mounts}}", "st-v"], eng)[1].decode()
    assert '"Type":"tmpfs"' in run(["inspect", "--format", "{{json .Mounts}}", "st-mount"], eng)[1].decode()
    assert notesapp.mounts(eng, "no-such-container") == {}
    for name in ("st-v", "st-mount"):
        eng.rm(name, force=True)


def test_data_survive_a_replacement_and_the_log_does_not(eng):
    notesapp.install_host_config(eng)
    assert run(f"run -d --name life {STORAGE_V} notes:1.0", eng)[0] == 0
    assert all(code == 0 for code, _ in notesapp.traffic(eng, "life"))
    before = notesapp.inventory(eng, "life")
    assert len(before["notes"]) == 3 and sorted(before["photos"]) == ["team-photo.jpg", "whiteboard.jpg"]
    assert before["site"] == "Team Notes" and "index.html" in before["cache"]
    assert "A /var/log/notes/app.log" in [str(c) for c in eng.diff("life")]
    eng.rm("life", force=True)
    assert run(f"run -d --name life {STORAGE_V} notes:1.0", eng)[0] == 0
    after = notesapp.inventory(eng, "life")
    assert {k: after[k] for k in ("notes", "photos", "database_sha256", "site")} == \
        {k: before[k] for k in ("notes", "photos", "database_sha256", "site")}
    assert after["cache"] == []                                   # a tmpfs starts empty
    log = eng.exec("life", ["cat", "/var/log/notes/app.log"]).output
    assert log.count("\n") == 1 and log.endswith(" init\n")       # the old container's log went with it
    eng.rm("life", force=True)
    eng.volume_rm("notes-data")


def test_run_commands_refuses_what_is_not_a_docker_command(eng):
    out = notesapp.run_commands(eng, ["ls /", "docker version --format '{{.Client.Version}}'", "docker nosuch"])
    assert [r["status"] for r in out][0] == 127 and out[1]["status"] == 0 and out[2]["status"] != 0


# ============================================================================ grading end to end
def _source_cells() -> list[dict]:
    return json.loads(CHAPTER.read_text())["cells"]


def _model(grade_id: str) -> str:
    from tests.chapters.grading import model_answers
    return model_answers(CHAPTER)[grade_id]


ALTERNATIVE = {
    "ex1_answer": 'trial_diff = ["A  /var/log/notes/app.log", "C /var/log/notes", "C /var/log", "C /var",\n'
                  '              "A /var/cache/notes/thumbs/cat.jpg", "A /var/cache/notes/thumbs",\n'
                  '              "A /var/cache/notes/index.html", "C /var/cache/notes", "C /var/cache"]\n',
    "ex2_answer": f'slim_dockerignore = ""\nslim_dockerfile = """{SLIM_BY_NAME}"""\n',
    "ex3_answer": f'start_commands = ["docker run -d --name notes {STORAGE_MOUNT} notes:1.0"]\n',
    "ex4_answer": f'upgrade_commands = ["docker rm -f notes", "docker run -d --name notes {STORAGE_MOUNT} notes:2.0"]\n',
}

PARTIAL = {
    # the trial's files, but not the folders above them: 0 of 2
    "ex1_answer": 'trial_diff = ["A /var/cache/notes/index.html", "A /var/cache/notes/thumbs",\n'
                  '              "A /var/cache/notes/thumbs/cat.jpg", "A /var/log/notes/app.log"]\n',
    # the app works (2) and 9 layers (1), but 200MB and 18.7MB of hidden package lists: 3 of 7
    "ex2_answer": f'slim_dockerignore = ""\nslim_dockerfile = """{WORKS_BUT_BIG}"""\n',
    # data on a named volume (2), config writable and no tmpfs (0): 2 of 4
    "ex3_answer": 'start_commands = ["docker run -d --name notes -v notes-data:/data '
                  '-v /srv/notes/config.ini:/etc/notes/config.ini notes:1.0"]\n',
    # a replacement with the same (imperfect) storage keeps everything: 3 of 3
    "ex4_answer": 'upgrade_commands = ["docker stop notes", "docker rm notes", "docker run -d --name notes '
                  '-v notes-data:/data -v /srv/notes/config.ini:/etc/notes/config.ini notes:2.0"]\n',
}
PARTIAL_SCORE = 0 + 3 + 2 + 3


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from tests.chapters.grading import grade_answers, model_answers
    return grade_answers(CHAPTER, {"model": model_answers(CHAPTER), "blank": {}, "partial": PARTIAL,
                                   "alternative": ALTERNATIVE},
                         tmp=tmp_path_factory.mktemp("grading-08"), timeout=120)


@pytest.mark.slow
def test_model_answers_get_every_point_and_blank_none(graded):
    from tests.chapters.grading import auto_points
    assert auto_points(CHAPTER) == 16
    assert {s: r.status for s, r in graded.items()} == dict.fromkeys(graded, "graded"), \
        {s: r.reason for s, r in graded.items()}
    assert graded["model"].score == 16, graded["model"].reason
    assert graded["model"].needs_manual_grade               # Exercise 5 waits for a person
    assert graded["blank"].score == 0


@pytest.mark.slow
def test_a_partly_right_submission_gets_the_points_of_its_right_parts(graded):
    assert graded["partial"].score == PARTIAL_SCORE


@pytest.mark.slow
def test_a_different_correct_set_of_answers_gets_every_point(graded):
    assert graded["alternative"].score == 16


def test_every_hidden_test_message_is_a_hint_and_every_test_cell_has_hidden_tests():
    """Hidden asserts all carry a message; test cells build on a fresh engine, never on ``docker``."""
    for c in _source_cells():
        meta = c.get("metadata", {}).get("nbgrader", {})
        if not (meta.get("grade") and c["cell_type"] == "code"):
            continue
        src = "".join(c["source"])
        hidden = src.split("### BEGIN HIDDEN TESTS", 1)[1].split("### END HIDDEN TESTS", 1)[0]
        asserts = [ln for ln in hidden.splitlines() if ln.lstrip().startswith("assert ")]
        assert asserts, meta["grade_id"]
        joined = re.sub(r"\\\n\s*", " ", hidden)
        for stmt in re.findall(r"^\s*assert .*$", joined, re.M):
            assert re.search(r',\s*(f?"|f?\')', stmt), f"{meta['grade_id']}: an assert without a hint: {stmt}"
        assert "docker." not in hidden and "fresh_engine(" in hidden, meta["grade_id"]
        names = set(re.findall(r"^(\w+)\s*=", hidden, re.M))
        assert all(n.startswith("_") for n in names), f"{meta['grade_id']}: test names must start with _: {names}"


# ============================================================================ widgets
def test_layer_explorer_shows_the_slim_dockerfile_smaller(eng):
    pytest.importorskip("ipywidgets")
    from layerlab.widgets import LayerExplorer
    e2 = Engine(seed=8)
    e2.build_cache.update(eng.build_cache)
    folder = notesapp.context(dockerfile=notesapp.BLOATED_DOCKERFILE)
    ex = LayerExplorer(notesapp.BLOATED_DOCKERFILE, notesapp.BLOATED_DOCKERFILE, context=folder, engine=e2)
    assert ex.image_a.id == ex.image_b.id == eng.image("notes:1.0").id      # the shared build cache
    ex.dockerfile_b.value = SLIM_BY_NAME
    assert ex.image_b.size < notesapp.TARGETS["size"] < ex.image_a.size
    assert "✓ built" in ex.status.value
    ex.dockerfile_b.value = "FROM python:3.12-slim\nRUN apt-get instal curl\n"
    assert ex.image_b is None and "did not build" in ex.status.value and "Traceback" not in ex.status.value
    assert not [t for t, _ in eng.images() if t and t.startswith("explorer")]      # its images stay on e2


def test_image_explorer_shows_the_chmod_layer_and_the_container_layer(eng):
    pytest.importorskip("ipywidgets")
    from layerlab.widgets.image_explorer import ImageExplorer
    notesapp.install_host_config(eng)
    assert run(f"run -d --name shown {STORAGE_V} notes:1.0", eng)[0] == 0
    ex = ImageExplorer(eng, image="notes:1.0")
    chmod = next(r.index for r in ex.report.layers if "chmod -R" in r.created_by)
    ex.show_layer(chmod)
    assert any(row.path.startswith("/app/") for row in ex.rows)
    ex.container.value = "shown"
    assert any(row.path == "/var/log/notes/app.log" for row in ex.rows)
    eng.rm("shown", force=True)
    eng.volume_rm("notes-data")
