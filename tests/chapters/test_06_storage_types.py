"""Chapter 6 (storage types): grading end to end, the mount explorer driven from Python, and the
engine behaviour the chapter teaches (each checked against the real engine by conformance
scenarios 70 and 71)."""
from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from layerlab import Engine
from layerlab.cli import run as cli_run

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "notebooks" / "06-storage-types.ipynb"

MOUNT_SPELLING = (
    'commands = [\n'
    '    "docker volume create dbdata",\n'
    '    "docker run -d --name db --mount type=volume,source=dbdata,target=/var/lib/minidb '
    '--mount type=bind,source=/home/me/minidb-conf,target=/etc/minidb,readonly '
    '--mount type=tmpfs,target=/tmp/minidb minidb",\n'
    ']\n')
MIXED_SPELLING = (
    'commands = ["docker run -d --name db --mount src=store,dst=/var/lib/minidb '
    '-v /home/me/minidb-conf:/etc/minidb:ro --tmpfs /tmp/minidb:size=16m minidb"]\n')
ANONYMOUS_DATA = (
    'commands = ["docker run -d --name db -v /var/lib/minidb -v /home/me/minidb-conf:/etc/minidb:ro '
    '--tmpfs /tmp/minidb minidb"]\n')
WRITABLE_CONF = (
    'commands = ["docker run -d --name db -v dbdata:/var/lib/minidb -v /home/me/minidb-conf:/etc/minidb '
    '--tmpfs /tmp/minidb minidb"]\n')
NO_TMPFS = (
    'commands = ["docker run -d --name db -v dbdata:/var/lib/minidb -v /home/me/minidb-conf:/etc/minidb:ro '
    'minidb"]\n')
WRONG_PREDICTION = (  # counts the 300 kB written into the volume, forgets the mount point
    'ex2_diff = ["C /tmp", "A /tmp/worker.pid", "A /srv", "A /srv/status", "A /var/cache/thumbs/t1.png"]\n'
    'ex2_size = 300006\n')
ONE_WRONG_CHOICE = (
    'choices = {"postgres_data": "bind", "live_source": "bind", "api_token": "tmpfs", '
    '"shared_uploads": "volume", "nginx_conf": "bind", "build_scratch": "tmpfs"}\n')


def _cells(nb: dict) -> list[dict]:
    return nb["cells"]


def _cell_scores(result) -> dict[str, float]:
    return {c["grade_id"]: c["score"] for c in result.cells}


# ---------------------------------------------------------------------- grading, end to end
@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    pytest.importorskip("nbgrader")
    from tests.chapters.grading import grade_answers, model_answers

    model = model_answers(CHAPTER)
    students = {
        "model": model,
        "blank": {},
        "mount": {**model, "ex1_answer": MOUNT_SPELLING},
        "mixed": {**model, "ex1_answer": MIXED_SPELLING},
        "anonymous": {**model, "ex1_answer": ANONYMOUS_DATA},
        "writable": {**model, "ex1_answer": WRITABLE_CONF},
        "notmpfs": {**model, "ex1_answer": NO_TMPFS},
        "wrong": {**model, "ex2_answer": WRONG_PREDICTION, "ex3_answer": ONE_WRONG_CHOICE},
    }
    return grade_answers(CHAPTER, students, tmp=tmp_path_factory.mktemp("grading06"), timeout=120)


def test_model_answers_get_full_marks(graded):
    from tests.chapters.grading import auto_points

    r = graded["model"]
    assert r.status in ("graded", "ok", "needs_manual_grade") or r.score is not None, r.reason
    assert r.score == auto_points(CHAPTER) == 10, (r.score, r.cells, r.log[-2000:])
    assert r.needs_manual_grade   # Exercise 4 is read by a person


def test_blank_gets_zero(graded):
    assert graded["blank"].score == 0, graded["blank"].cells


@pytest.mark.parametrize("student", ["mount", "mixed"])
def test_both_mount_spellings_pass(graded, student):
    scores = _cell_scores(graded[student])
    assert scores["ex1_tests"] == 4, (student, graded[student].cells)


@pytest.mark.parametrize("student", ["anonymous", "writable", "notmpfs"])
def test_a_run_command_missing_one_requirement_gets_nothing_for_it(graded, student):
    scores = _cell_scores(graded[student])
    assert scores["ex1_tests"] == 0, (student, graded[student].cells)
    assert graded[student].score == 6


def test_wrong_answers_score_less(graded):
    scores = _cell_scores(graded["wrong"])
    assert scores["ex2_tests"] == 0 and scores["ex3_tests"] == 0 and scores["ex1_tests"] == 4
    assert graded["wrong"].score < graded["model"].score


# ---------------------------------------------------------------------- the chapter's claims
def _engine_with_minidb() -> Engine:
    nb = json.loads(CHAPTER.read_text())
    src = next("".join(c["source"]) for c in _cells(nb)
               if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "ex1_data")
    scope: dict = {}
    exec(src.split("docker.build", 1)[0], scope)      # only the MINIDB_DOCKERFILE literal
    eng = Engine()
    eng.build(scope["MINIDB_DOCKERFILE"], {}, tag="minidb")
    eng.host.makedirs("/home/me/minidb-conf", 0o755)
    eng.host.write("/home/me/minidb-conf/minidb.conf", "port=5433\n")
    return eng


def _docker(eng, line: str) -> tuple[int, str, str]:
    code, out, err = cli_run(shlex.split(line)[1:], eng)
    return code, out.decode(), err.decode()


@pytest.mark.parametrize("answer", [MOUNT_SPELLING, MIXED_SPELLING])
def test_other_spellings_make_the_same_mounts(answer):
    """The -v and --mount spellings give the same kinds of mounts (what the hidden test reads)."""
    scope: dict = {}
    exec(answer, scope)
    eng = _engine_with_minidb()
    for cmd in scope["commands"]:
        assert _docker(eng, cmd)[0] == 0
    out = _docker(eng, "docker inspect --format '{{json .Mounts}}|{{json .HostConfig.Tmpfs}}' db")[1]
    mounts, tmpfs = out.strip().split("|")
    by_dst = {m["Destination"]: m for m in json.loads(mounts)}
    assert by_dst["/var/lib/minidb"]["Type"] == "volume"
    assert by_dst["/etc/minidb"]["Type"] == "bind" and by_dst["/etc/minidb"]["RW"] is False
    assert "/tmp/minidb" in (json.loads(tmpfs) or {}) or by_dst["/tmp/minidb"]["Type"] == "tmpfs"


def test_tmpfs_flag_is_in_hostconfig_not_in_mounts():
    """The fixed bug: --tmpfs mounts appear in HostConfig.Tmpfs (path -> options); --mount
    type=tmpfs ones in .Mounts and HostConfig.Mounts (conformance scenario 70)."""
    eng = Engine()
    _docker(eng, "docker create --name c1 --tmpfs /run:size=64k --tmpfs /x busybox:1.36 true")
    assert _docker(eng, "docker inspect -f '{{json .HostConfig.Tmpfs}} {{json .Mounts}}' c1")[1] == \
        '{"/run":"size=64k","/x":""} []\n'
    _docker(eng, "docker create --name d1 --mount type=tmpfs,target=/t,tmpfs-size=1m busybox:1.36 true")
    assert _docker(eng, "docker inspect -f '{{json .HostConfig.Tmpfs}} {{json .HostConfig.Mounts}}' d1")[1] == \
        'null [{"Type":"tmpfs","Target":"/t","TmpfsOptions":{"SizeBytes":1048576}}]\n'
    # raw inspect: Tmpfs only when there is one (omitempty), between SecurityOpt and UTSMode
    raw = json.loads(_docker(eng, "docker inspect c1")[1])[0]["HostConfig"]
    keys = list(raw)
    assert keys[keys.index("SecurityOpt") + 1] == "Tmpfs"
    assert "Tmpfs" not in json.loads(_docker(eng, "docker inspect d1")[1])[0]["HostConfig"]


def test_volume_mode_z_and_binds():
    eng = Engine()
    _docker(eng, "docker create --name c2 -v v1:/data -v /anon -v /h:/h:ro busybox:1.36 true")
    mounts = json.loads(_docker(eng, "docker inspect -f '{{json .Mounts}}' c2")[1])
    modes = {m["Destination"]: m["Mode"] for m in mounts}
    assert modes == {"/data": "z", "/anon": "", "/h": "ro"}
    assert _docker(eng, "docker inspect -f '{{json .HostConfig.Binds}} {{json .Config.Volumes}}' c2")[1] == \
        '["v1:/data","/h:/h:ro"] {"/anon":{}}\n'


def test_bind_source_is_created_at_start_not_create():
    eng = Engine()
    _docker(eng, "docker create --name c3 -v /srv/new:/data busybox:1.36 true")
    assert eng.host.lookup("/srv/new") is None
    assert _docker(eng, "docker start c3")[0] == 0
    assert eng.host.lookup("/srv/new") is not None


def test_writes_into_mounts_miss_diff_and_size():
    eng = Engine()
    eng.run("busybox:1.36", ["sh", "-c", "dd if=/dev/zero of=/v/big bs=1000 count=100 2>/dev/null; "
                             "echo hi > /scratch/x; echo 12345 > /tmp/pid"],
            name="c4", volumes=["v2:/v"], tmpfs=["/scratch"])
    assert [f"{c.kind} {c.path}" for c in eng.diff("c4")] == ["A /scratch", "C /tmp", "A /tmp/pid", "A /v"]
    assert eng.size("c4").rw == 6
    assert eng.volumes.get("v2").size == 100000


def test_inspect_of_a_missing_object_with_a_template_prints_an_empty_line():
    eng = Engine()
    code, out, err = _docker(eng, "docker inspect -f '{{.Name}}' nosuch")
    assert (code, out, err) == (1, "\n", "Error: No such object: nosuch\n")


# ---------------------------------------------------------------------- the widget, from Python
def test_mount_explorer_shows_where_bytes_land_and_what_survives():
    pytest.importorskip("ipywidgets")
    from layerlab.widgets.mounts import MountExplorer

    eng = Engine()
    ex = MountExplorer(engine=eng)
    assert "layerlab-mounts" in ex.widget._dom_classes
    assert ex.container is not None and ex.container.running
    notes = {}
    for path in ("/data/notes.txt", "/project/app.py", "/scratch/token", "/cache/blob.bin", "/tmp/log.txt"):
        ex.path.value = path
        ex.text.value = "hello"
        ex.write_button.click()
        notes[path] = ex.status.value
    kinds = {r.path: r.kind for r in ex.records}
    assert kinds == {"/data/notes.txt": "volume", "/project/app.py": "bind", "/scratch/token": "tmpfs",
                     "/cache/blob.bin": "volume", "/tmp/log.txt": "layer"}
    assert "/var/lib/docker/volumes/appdata/_data/notes.txt" in notes["/data/notes.txt"]
    assert "in RAM" in notes["/scratch/token"] and "/overlay2/" in notes["/tmp/log.txt"]
    assert eng.host.read_text("/home/me/project/app.py") == "hello\n"
    svg = ex.picture.value
    assert svg.startswith("<svg") and 'width="100%"' in svg and "viewBox" in svg
    assert "volume appdata" in svg and "host folder /home/me/project" in svg and "tmpfs" in svg

    def there():
        return {r["path"]: r["still there"] for r in ex.survival()}

    ex.buttons["rm"].click()                      # refused: the container runs
    assert "container is running" in ex.status.value and ex.container is not None
    assert all(there().values())
    ex.buttons["stop"].click()
    assert there() == {"/data/notes.txt": True, "/project/app.py": True, "/scratch/token": False,
                       "/cache/blob.bin": True, "/tmp/log.txt": True}
    ex.buttons["start"].click()
    assert there()["/scratch/token"] is False and there()["/tmp/log.txt"] is True
    ex.buttons["stop"].click()
    ex.buttons["rm -v"].click()
    assert ex.container is None
    assert there() == {"/data/notes.txt": True, "/project/app.py": True, "/scratch/token": False,
                       "/cache/blob.bin": False, "/tmp/log.txt": False}
    assert "no container" in ex.picture.value
    ex.buttons["run"].click()
    assert ex.container is not None and ex.container.running
    assert eng.exec("explorer", ["cat", "/data/notes.txt"]).output == "hello\n"
    assert there()["/tmp/log.txt"] is False      # a new container has a new writable layer


def test_mount_explorer_shows_docker_errors_not_tracebacks():
    pytest.importorskip("ipywidgets")
    from layerlab.widgets.mounts import MountExplorer

    ex = MountExplorer(engine=Engine(), options=["-v", "/home/me/conf:/conf:ro"], paths=["/conf/x"])
    ex.write_button.click()
    assert "Read-only file system" in ex.status.value and not ex.records
    ex.buttons["stop"].click()
    ex.write("/tmp/y", "z")
    assert "is not running" in ex.status.value
    ex.path.value = "relative/path"
    ex.write_button.click()
    assert "absolute" in ex.status.value
    ex.buttons["start"].click()
    ex.write("/etc/hostname", "renamed")         # docker's own bind mount, not the writable layer
    assert ex.records[-1].kind == "config" and "/var/lib/docker/containers/" in ex.status.value
    assert ex.engine.diff("explorer") == [] or all(c.path != "/etc/hostname" for c in ex.engine.diff("explorer"))
    bad = MountExplorer(engine=Engine(), options=["--mount", "type=bind,source=/nope,target=/x"])
    assert bad.container is None and "bind source path does not exist" in bad.status.value
