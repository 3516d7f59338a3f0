"""Chapter 5 · Why container data is ephemeral: grading end to end, the lifecycle explorer driven
from Python, and the engine pieces the chapter added (docker export, docker cp, commit's config).

The browser test is tests/ui/test_05_ephemeral_data.py; the generic notebook tests (nbval,
nbgrader validate, execution time) are tests/notebooks/ (``-k 05-ephemeral-data``); the real
engine's view of export/cp/commit/logs is tests/conformance/scenarios/70-73.
"""
from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from layerlab import Engine
from layerlab.cli import run

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "notebooks" / "05-ephemeral-data.ipynb"


def _cmds(start, replace) -> str:
    return f"start_v1 = {start!r}\nreplace_with_v2 = {replace!r}\n"


# ====================================================================== grading, end to end
CORRECT_V2 = {
    # a named volume, --mount syntax, stop + rm instead of rm -f
    "mount": _cmds(["docker run -d --name v1 --mount type=volume,src=keep,dst=/data notes:1"],
                   ["docker stop v1", "docker rm v1",
                    "docker run -d --name v2 --mount type=volume,src=keep,dst=/data notes:2"]),
    # a bind mount of a host folder
    "bind": _cmds(["docker run -d --name v1 -v /srv/notes:/data notes:1"],
                  ["docker rm -f v1", "docker run -d --name v2 -v /srv/notes:/data notes:2"]),
    # docker cp out of v1 and into v2 (no storage shared at all)
    "cp": _cmds(["docker run -d --name v1 notes:1"],
                ["docker cp v1:/data /backup", "docker rm -f v1", "docker run -d --name v2 notes:2",
                 "docker cp /backup/. v2:/data"]),
}
WRONG = {
    "ex1_answer": 'files_in_web = ["a.txt", "e.txt"]\nfiles_in_v2 = ["a.txt", "b.txt", "c.txt", "d.txt"]\n',
    # an anonymous volume belongs to one container: v2 gets a new, empty one
    "ex2_answer": _cmds(["docker run -d --name v1 -v /data notes:1"],
                        ["docker rm -f v1", "docker run -d --name v2 -v /data notes:2"]),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from tests.chapters.grading import grade_answers, model_answers

    model = model_answers(CHAPTER)
    students = {"model": model, "blank": {}, "wrong": WRONG,
                **{f"ok-{k}": {**model, "ex2_answer": v} for k, v in CORRECT_V2.items()},
                "half": {"ex1_answer": model["ex1_answer"], "ex2_answer": WRONG["ex2_answer"]},
                "commit": {"ex2_answer": _cmds(["docker run -d --name v1 notes:1"],
                                               ["docker commit v1 mine", "docker rm -f v1",
                                                "docker run -d --name v2 mine"])}}
    return grade_answers(CHAPTER, students, tmp=tmp_path_factory.mktemp("grading05"))


@pytest.mark.slow
def test_model_answers_get_every_autograded_point(graded):
    from tests.chapters.grading import auto_points

    assert {r.status for r in graded.values()} == {"graded"}, {s: r.reason for s, r in graded.items()}
    assert auto_points(CHAPTER) == 5
    assert graded["model"].score == 5 and graded["model"].max_score == 8   # 5 auto + 3 written
    assert graded["model"].needs_manual_grade          # the written answer waits for a person


@pytest.mark.slow
def test_blank_gets_nothing_and_wrong_answers_less(graded):
    assert graded["blank"].score == 0
    assert graded["wrong"].score == 0
    assert graded["half"].score == 2                   # exercise 1 right, exercise 2 wrong
    assert graded["commit"].score == 0                 # a commit of v1 is not notes:2


@pytest.mark.slow
@pytest.mark.parametrize("how", sorted(CORRECT_V2))
def test_other_correct_command_lists_pass_too(graded, how):
    assert graded[f"ok-{how}"].score == 5, graded[f"ok-{how}"].reason


# ====================================================================== the exercises' logic, fast
def _source_cell(grade_id: str) -> str:
    for c in json.loads(CHAPTER.read_text())["cells"]:
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return "".join(c["source"])
    raise KeyError(grade_id)


def _run_test_cell(grade_id: str, answers: str) -> None:
    """Run an exercise's test cell (visible + hidden checks) on the given answer source."""
    ns: dict = {}
    exec(answers, ns)
    exec(_source_cell(grade_id), ns)


@pytest.mark.parametrize("how", sorted(CORRECT_V2))
def test_exercise2_hidden_tests_accept_each_correct_answer(how):
    _run_test_cell("ex2_tests", CORRECT_V2[how])


@pytest.mark.parametrize("answer, hint", [
    (_cmds(["docker run -d --name v1 notes:1"], ["docker rm -f v1", "docker run -d --name v2 notes:2"]),
     "stayed in v1's writable layer"),
    (WRONG["ex2_answer"], "stayed in v1's writable layer"),
    (_cmds(["docker create --name v1 -v kd:/data notes:1"], ["docker ps"]), "no running container named v1"),
    (_cmds(["docker run -d --name v1 -v kd:/data notes:1"], ["docker run -d --name v2 -v kd:/data notes:2"]),
     "v1 still exists"),
    (_cmds(["docker run -d --name v1 -v kd:/data notes:1"], ["docker rm -f v1", "docker run -d --name v2 -v kd:/data notes:1"]),
     "notes:2"),
    (_cmds(["docker run -d --name v1 -v kd:/data notes:1"], ["docker rm -f v1", "docker run -d --name v2 -v kd:/data nots:2"]),
     "this command failed"),
])
def test_exercise2_hints_say_why_without_the_answer(answer, hint):
    with pytest.raises(AssertionError) as err:
        _run_test_cell("ex2_tests", answer)
    assert hint in str(err.value)


def test_exercise2_visible_checks_name_format_mistakes():
    for answers, msg in [("start_v1 = 'docker run'\nreplace_with_v2 = []\n", "list"),
                         ("start_v1 = ['run -d notes:1']\nreplace_with_v2 = ['docker rm v1']\n", "starts with 'docker '")]:
        with pytest.raises(AssertionError, match=msg):
            _run_test_cell("ex2_tests", answers)


def test_exercise1_checks():
    _run_test_cell("ex1_tests", 'files_in_web = ["e.txt"]\nfiles_in_v2 = ["c.txt", "a.txt", "b.txt"]\n')
    with pytest.raises(AssertionError, match="files_in_web is not right yet"):
        _run_test_cell("ex1_tests", 'files_in_web = ["d.txt", "e.txt"]\nfiles_in_v2 = ["a.txt", "b.txt", "c.txt"]\n')
    with pytest.raises(AssertionError, match="files_in_v2 is not right yet"):
        _run_test_cell("ex1_tests", 'files_in_web = ["e.txt"]\nfiles_in_v2 = ["a.txt"]\n')
    with pytest.raises(AssertionError, match="only a.txt"):
        _run_test_cell("ex1_tests", 'files_in_web = ["f.txt"]\nfiles_in_v2 = []\n')


# ====================================================================== the widget
@pytest.fixture()
def lx():
    pytest.importorskip("ipywidgets")
    from layerlab.widgets.lifecycle import LifecycleExplorer
    return LifecycleExplorer("busybox")


def test_widget_stop_start_restart_keep_the_file(lx):
    lx.run_button.click()
    lx.filename.value = "notes.txt"
    lx.write_button.click()
    assert lx.state["containers"][0]["writable"] == ["notes.txt"]
    for b in (lx.stop_button, lx.start_button, lx.restart_button):
        b.click()
        assert lx.last_step == {"kept": ["c1: notes.txt"], "lost": [], "new": []}
    assert lx.state["containers"][0]["state"] == "running"
    assert "layerlab-lifecycle" in lx.ui._dom_classes


def test_widget_rm_refused_then_forced_and_run_starts_fresh(lx):
    lx.run_button.click()
    lx.write_button.click()
    lx.rm_button.click()
    line, code, out = lx.history[-1]
    assert (line, code) == ("docker rm c1", 1)
    assert "container is running: stop the container before removing or force remove" in out
    assert "container is running" in lx.log.value and "Traceback" not in lx.log.value
    lx.force.value = True
    lx.rm_button.click()
    assert lx.last_step["lost"] == ["c1: notes.txt"]
    assert lx.state["removed"][0]["name"] == "c1" and 'data-state="removed"' in lx.picture.value
    lx.run_button.click()
    assert [c["name"] for c in lx.state["containers"]] == ["c2"]
    assert lx.state["containers"][0]["writable"] == []


def test_widget_create_then_write_shows_dockers_error(lx):
    lx.create_button.click()
    assert lx.state["containers"][0]["state"] == "created"
    lx.write_button.click()
    assert lx.history[-1][1] == 1 and "is not running" in lx.history[-1][2]
    lx.start_button.click()
    lx.write_button.click()
    assert lx.state["containers"][0]["writable"] == ["notes.txt"]


def test_widget_commit_then_run_the_committed_image(lx):
    lx.run_button.click()
    lx.write_button.click()
    lx.commit_button.click()
    assert lx.state["images"] == [{"ref": "c1-snap", "id": lx.engine.image("c1-snap").short_id, "files": ["notes.txt"]}]
    assert "c1-snap" in lx.image_choice.options
    lx.image_choice.value = "c1-snap"
    lx.run_button.click()
    c2 = lx.state["containers"][-1]
    assert (c2["name"], c2["image"], c2["writable"], c2["from_image"]) == ("c2", "c1-snap", [], ["notes.txt"])
    lx.commit_button.click()                     # a second commit of c2 gets its own name
    assert lx.history[-1][0] == "docker commit c2 c2-snap"


def test_widget_run_rm_then_stop_removes(lx):
    lx.auto_remove.value = True
    lx.run_button.click()
    lx.write_button.click()
    lx.stop_button.click()
    assert lx.state["containers"] == [] and lx.last_step["lost"] == ["c1: notes.txt"]


def test_widget_bad_input_and_no_container(lx):
    lx.stop_button.click()
    assert "No container to stop" in lx.status.value
    lx.run_button.click()
    lx.filename.value = "../../etc/passwd"
    lx.write_button.click()
    assert "A file name is" in lx.status.value
    lx.image_choice.options = ["busybox", "no-such-image"]
    lx.image_choice.value = "no-such-image"
    lx.run_button.click()
    assert lx.history[-1][1] == 125 and "pull access denied" in lx.history[-1][2]


def test_svg_fits_the_page():
    from layerlab.render.lifecycle import lifecycle_state, lifecycle_svg
    eng = Engine()
    for i in range(6):
        eng.run("busybox", ["sleep", "60"], name=f"c{i}", detach=True)
        eng.exec(f"c{i}", ["sh", "-c", f"mkdir -p /data && echo x > /data/f{i}.txt"])
    svg = lifecycle_svg(lifecycle_state(eng))
    assert svg.startswith("<svg") and 'width="100%"' in svg and 'viewBox="0 0 ' in svg
    assert svg.count('class="container"') == 6


# ====================================================================== the engine pieces
@pytest.fixture()
def eng():
    e = Engine()
    e.run("busybox", ["sleep", "60"], name="c1", detach=True, volumes=["vol:/srv"])
    e.exec("c1", ["sh", "-c", "mkdir /app && echo note > /app/note.txt && echo v > /srv/in-volume.txt"])
    return e


def test_export_is_the_flattened_rootfs_without_volumes(eng):
    members = {m.name: m for m in tarfile.open(fileobj=io.BytesIO(eng.export("c1")))}
    assert "app/note.txt" in members and ".dockerenv" in members and "etc/hosts" in members
    assert members["etc/hosts"].size == 0                     # a bind mount at run time: empty in the layer
    assert "srv/in-volume.txt" not in members
    assert not any(n.startswith("/") or n.startswith("./") for n in members)
    img = eng.import_tar(eng.export("c1"), "flat:1")
    assert len(img.layers) == 1 and img.config.cmd is None


def test_cli_export_errors():
    e = Engine()
    assert run("export nope", e)[2] == b"Error response from daemon: No such container: nope\n"
    assert run("export -o /nonexistent-dir/x.tar nope", e)[2] == (
        b"failed to export container: invalid output path: stat /nonexistent-dir: no such file or directory\n")


def test_cp_rules(eng):
    assert run("cp c1:/app /backup", eng)[0] == 0
    assert sorted(eng.hooks.host.listdir("/backup")) == ["note.txt"]
    assert run("cp c1:/app /backup", eng)[0] == 0                       # into the existing dir
    assert sorted(eng.hooks.host.listdir("/backup")) == ["app", "note.txt"]
    eng.run("busybox", ["sleep", "60"], name="c2", detach=True)
    assert run("cp /backup/. c2:/app", eng)[0] == 0                     # contents into a new dir
    assert eng.exec("c2", ["cat", "/app/note.txt"]).output == "note\n"
    assert [str(ch) for ch in eng.diff("c2")][:2] == ["A /app", "A /app/app"]
    assert run("cp c1:/srv/in-volume.txt /v.txt", eng)[0] == 0          # cp sees volumes
    assert eng.hooks.host.read_text("/v.txt") == "v\n"
    assert run("cp c1:/nope /x", eng)[2] == b"Error response from daemon: Could not find the file /nope in container c1\n"
    assert run("cp /missing c2:/x", eng)[2] == b"lstat /missing: no such file or directory\n"
    assert run("cp /backup c2:/app/note.txt", eng)[2] == b"cannot copy directory\n"
    assert run("cp c1:/app /nodir/x", eng)[2] == b'invalid output path: directory "/nodir" does not exist\n'
    assert run("cp c1:/app/note.txt /nodir/", eng)[2] == b"no such directory\n"
    assert run("cp c1:/app c2:/x", eng)[2] == b"copying between containers is not supported\n"
    eng.stop("c2")
    assert run("cp /v.txt c2:/stopped.txt", eng)[0] == 0                # works on a stopped container


def test_commit_keeps_the_containers_command_env_and_workdir():
    e = Engine()
    e.run("busybox", ["sleep", "100"], name="c1", detach=True, env={"A": "1"}, workdir="/tmp")
    img = e.commit("c1", "snap:1")
    assert img.config.cmd == ("sleep", "100") and img.config.working_dir == "/tmp"
    assert "A=1" in img.config.env and not any(v.startswith("HOSTNAME=") for v in img.config.env)
    c2 = e.run("snap:1", detach=True, name="c2")            # no command needed: the commit has one
    assert c2.running and c2.command == ["sleep", "100"]
