"""Chapter 7 · Volume management: grading end to end, the exercises' hidden checks on other
answers, and the VolumeManager widget driven from Python."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.chapters.grading import auto_points, grade_answers, model_answers

CHAPTER = Path(__file__).resolve().parents[2] / "notebooks" / "07-volume-management.ipynb"


def _cell(grade_id: str) -> str:
    for c in json.loads(CHAPTER.read_text())["cells"]:
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return "".join(c["source"])
    raise KeyError(grade_id)


def _run_check(answer: str, tests_id: str) -> None:
    """Run an answer and the full test cell (hidden tests included) in a fresh namespace."""
    ns: dict = {}
    exec(compile(answer, "<answer>", "exec"), ns)
    exec(compile(_cell(tests_id), "<tests>", "exec"), ns)


# ------------------------------------------------------------------ grading end to end
@pytest.mark.slow
def test_grading_model_full_blank_zero_wrong_less(tmp_path):
    model = model_answers(CHAPTER)
    wrong = dict(model)
    wrong["ex1_answer"] = ('prune_named = ["certs", "logs"]\nprune_count = 3\n'          # the 20.10 answer
                           'prune_all_named = ["certs", "logs"]\nprune_all_count = 3\n')
    results = grade_answers(CHAPTER, {"model": model, "blank": {}, "wrong": wrong}, tmp=tmp_path)
    assert {r.status for r in results.values()} == {"graded"}, {s: r.reason for s, r in results.items()}
    full = auto_points(CHAPTER)
    assert full == 8
    assert results["model"].score == full
    assert results["model"].needs_manual_grade
    assert results["blank"].score == 0
    assert 0 < results["wrong"].score < full


# ------------------------------------------------------------------ exercise 1
def test_ex1_model_passes_and_old_engine_answer_fails():
    _run_check(model_answers(CHAPTER)["ex1_answer"], "ex1_tests")
    with pytest.raises(AssertionError, match="prune_named"):
        _run_check('prune_named = ["certs", "logs"]\nprune_count = 3\nprune_all_named = ["certs", "logs"]\n'
                   'prune_all_count = 3\n', "ex1_tests")
    with pytest.raises(AssertionError, match="prune_all_count"):
        _run_check('prune_named = []\nprune_count = 1\nprune_all_named = ["certs", "logs"]\n'
                   'prune_all_count = 4\n', "ex1_tests")


def test_ex1_visible_checks_catch_format_only():
    with pytest.raises(AssertionError, match="list of strings"):
        _run_check('prune_named = "logs"\nprune_count = 1\nprune_all_named = []\nprune_all_count = 1\n', "ex1_tests")


# ------------------------------------------------------------------ exercise 2: more than one answer
ALTERNATIVES = {
    "strip-components, reader is the restore helper": [
        "docker run --rm -v notes:/src -v $PWD:/backup busybox tar cf /backup/n.tar -C /src .",
        "docker volume rm notes",
        "docker run --name reader -v notes2:/notes -v $PWD:/backup busybox tar xf /backup/n.tar -C /notes",
    ],
    "volume create first, -C /, gzip": [
        'docker run --rm -v notes:/data -v "$PWD":/backup busybox tar czf /backup/notes.tgz /data',
        "docker volume rm notes",
        "docker volume create notes2",
        'docker run --rm -v notes2:/data -v /home/learner/backup:/backup busybox tar xzf /backup/notes.tgz -C /',
        "docker create --name reader -v notes2:/notes busybox",
    ],
    "strip one component, sh -c": [
        "docker run --rm -v notes:/notes -v /home/learner/backup:/b busybox sh -c 'cd / && tar cvf /b/x.tar notes'",
        "docker volume rm notes",
        "docker run --rm -v notes2:/restore -v ${PWD}:/b busybox tar xvf /b/x.tar -C /restore --strip-components 1",
        "docker run --name reader -v notes2:/notes busybox ls /notes",
    ],
}


@pytest.mark.parametrize("name", sorted(ALTERNATIVES))
def test_ex2_other_correct_answers_pass(name):
    _run_check(f"commands = {ALTERNATIVES[name]!r}\n", "ex2_tests")


WRONG = {
    "no backup on the host": (["docker volume rm notes", "docker run --name reader -v notes2:/notes busybox true"],
                              "no file was written"),
    "original kept": (['docker run --rm -v notes:/data -v "$PWD":/backup busybox tar cf /backup/n.tar /data',
                       'docker run --name reader -v notes2:/data -v "$PWD":/backup busybox tar xf /backup/n.tar'],
                      "still exists"),
    "restored one level too deep": (
        ['docker run --rm -v notes:/data -v "$PWD":/backup busybox tar cf /backup/n.tar /data',
         "docker volume rm notes",
         'docker run --name reader -v notes2:/notes -v "$PWD":/backup busybox tar xf /backup/n.tar -C /notes'],
        "not the files"),
    "helper still holds the volume": (
        ['docker run --name bk -v notes:/data -v "$PWD":/backup busybox tar cf /backup/n.tar /data',
         "docker volume rm notes"],
        "a command failed"),
}


@pytest.mark.parametrize("name", sorted(WRONG))
def test_ex2_wrong_answers_get_a_hint(name):
    cmds, hint = WRONG[name]
    with pytest.raises(AssertionError, match=hint):
        _run_check(f"commands = {cmds!r}\n", "ex2_tests")


def test_ex2_visible_check_names_the_format_problem():
    with pytest.raises(AssertionError, match="starting with 'docker'"):
        _run_check('commands = ["volume rm notes"]\n', "ex2_tests")


# ------------------------------------------------------------------ the widget
def _state(vm):
    for c in ["docker volume create logs", "docker volume create --label keep=yes certs",
              "docker run --name api -v pgdata:/var/lib/postgresql/data -v /tmp/cache busybox true",
              "docker run --name job -v /scratch busybox true", "docker rm job",
              "docker volume create --driver local --opt type=tmpfs --opt device=tmpfs ram"]:
        vm.command.value = c
        vm.run_button.click()
        assert vm.last[0] == 0, (c, vm.last)


def test_widget_preview_matches_what_prune_deletes():
    pytest.importorskip("ipywidgets")
    from layerlab import Engine
    from layerlab.widgets.volume_manager import VolumeManager

    for all_ in (False, True):
        vm = VolumeManager(Engine())
        _state(vm)
        before = vm.would_prune(all=all_)
        (vm.prune_all_button if all_ else vm.prune_button).click()
        deleted = [ln for ln in vm.last[1].splitlines()[1:] if ln and not ln.startswith("Total")]
        assert sorted(deleted) == sorted(before)
        assert vm.would_prune(all=all_) == []
    assert sorted(n for n in before if len(n) < 64) == ["certs", "logs"]


def test_widget_shows_sizes_labels_users_and_fates():
    pytest.importorskip("ipywidgets")
    from layerlab import Engine
    from layerlab.widgets.volume_manager import VolumeManager

    vm = VolumeManager(Engine())
    r0 = vm.redraws
    _state(vm)
    vm.run("docker run --name w1 -v logs:/logs busybox sh -c 'echo 12345 > /logs/a'")
    assert vm.redraws > r0
    rows = {r["name"]: r for r in vm.rows()}
    assert rows["logs"]["size"] == 6 and rows["logs"]["fate"] == "kept"
    assert [u["name"] for u in rows["logs"]["containers"]] == ["w1"]
    assert rows["certs"]["labels"] == {"keep": "yes"} and rows["certs"]["fate"] == "all"
    assert rows["ram"]["fate"] == "skipped" and rows["ram"]["options"]["type"] == "tmpfs"
    assert rows["ram"]["size"] is None and "size not measured" in vm.picture.value
    svg = vm.picture.value
    assert svg.startswith("<svg") and 'width="100%"' in svg and "viewBox=" in svg
    assert "certs" in svg and "keep=yes" in svg and ">w1<" in svg
    assert "prune --all" in vm.table.value and "certs" in vm.table.value
    assert "layerlab-volume-manager" in vm.ui._dom_classes


def test_widget_shows_docker_errors_not_tracebacks():
    pytest.importorskip("ipywidgets")
    from layerlab import Engine
    from layerlab.widgets.volume_manager import VolumeManager

    vm = VolumeManager(Engine())
    _state(vm)
    vm.command.value = "docker volume rm pgdata"
    vm.run_button.click()
    assert vm.last[0] == 1 and "volume is in use" in vm.output.value
    vm.command.value = "docker volume frobnicate"
    vm.run_button.click()
    assert vm.last[0] != 0 and "Traceback" not in vm.output.value and vm.output.value
    vm.command.value = "docker run 'unterminated"
    vm.run_button.click()
    assert "cannot parse" in vm.output.value
