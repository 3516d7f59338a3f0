"""Chapter 3 · Storage drivers: graded end to end, its widget driven from Python, and the
numbers the chapter teaches checked against the engine's drivers.

* grading: the model answers get every autograded point (and wait for a person on the written
  question), the untouched release gets 0, plausible wrong answers get less;
* the driver comparison widget: every workload and a typed command redraw it; bad commands show
  the shell's message, not a traceback; the SVG scales (viewBox, width 100%);
* the chapter's claims: the same logical SIZE on every graphdriver, the bytes on disk ordered
  the way the copy-on-write units say.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from layerlab.widgets.drivers import DRIVERS, WORKLOADS, DriverComparison, compare

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "notebooks" / "03-storage-drivers.ipynb"


def _cells():
    return json.loads(CHAPTER.read_text())["cells"]


# ---------------------------------------------------------------------------------------------- grading
WRONG = {
    # SIZE right, but "only the 5 bytes" on both drivers
    "ex1_answer": "ps_size = 10_000_000\noverlay2_disk = 5\nbtrfs_disk = 5\n",
    # rounds each write up on its own: misses writes across a boundary and shared blocks
    "ex2_answer": ("def cow_bytes(writes, block_size):\n"
                   "    return sum(-(-n // block_size) * block_size for _, n in writes)\n"),
}


@pytest.mark.slow
def test_grading_end_to_end(tmp_path):
    from tests.chapters.grading import auto_points, grade_answers, model_answers

    model = model_answers(CHAPTER)
    wrong_ex1 = {**model, "ex1_answer": WRONG["ex1_answer"]}     # a plausible wrong prediction
    wrong_ex2 = {**model, "ex2_answer": WRONG["ex2_answer"]}     # a plausible wrong function
    results = grade_answers(CHAPTER, {"model": model, "blank": {}, "wrong1": wrong_ex1, "wrong2": wrong_ex2},
                            tmp=tmp_path, timeout=120)
    assert {r.status for r in results.values()} == {"graded"}, {s: r.reason for s, r in results.items()}
    assert auto_points(CHAPTER) == 6
    assert results["model"].score == 6
    assert results["model"].needs_manual_grade            # the written answer waits for a person
    assert results["blank"].score == 0
    assert results["wrong1"].score == results["wrong2"].score == 3    # the other exercise's 3 points


def test_model_answers_pass_the_hidden_tests_in_process():
    """The fast version of the grading test: run every answer and test cell's code (hidden
    tests included) in one namespace, as nbgrader validate does."""
    ns: dict = {}
    for c in _cells():
        meta = c.get("metadata", {}).get("nbgrader", {})
        if c["cell_type"] == "code" and (meta.get("solution") or meta.get("grade")):
            exec(compile("".join(c["source"]), meta["grade_id"], "exec"), ns)
    assert ns["btrfs_disk"] == 4096


def test_wrong_answers_fail_with_a_hint():
    ns: dict = {}
    for c in _cells():
        meta = c.get("metadata", {}).get("nbgrader", {})
        gid = meta.get("grade_id", "")
        if c["cell_type"] != "code" or not (meta.get("solution") or meta.get("grade")):
            continue
        src = WRONG.get(gid, "".join(c["source"]))
        if gid.endswith("_tests"):
            with pytest.raises(AssertionError) as info:
                exec(compile(src, gid, "exec"), ns)
            assert str(info.value), f"{gid}: an assert without a hint"
        else:
            exec(compile(src, gid, "exec"), ns)


def test_every_hidden_assert_has_a_hint():
    for c in _cells():
        meta = c.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade") or c["cell_type"] != "code":
            continue
        hidden = "".join(c["source"]).split("### BEGIN HIDDEN TESTS")[1]
        for stmt in re.findall(r"^\s*assert .*?(?=^\s*(?:assert|for|_|#|$))", hidden, re.M | re.S):
            assert "," in stmt, f"{meta['grade_id']}: assert without a message: {stmt[:80]}"


def test_answer_cells_leave_the_names_undefined_before_the_solution():
    for c in _cells():
        meta = c.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and c["cell_type"] == "code":
            before = "".join(c["source"]).split("### BEGIN SOLUTION")[0]
            ns: dict = {}
            exec(before + "    pass\n" if before.rstrip().endswith(":") else before, ns)
            # a function answer keeps its def line (the release raises NotImplementedError in it)
            assert not {"ps_size", "overlay2_disk", "btrfs_disk"} & set(ns), before


# ---------------------------------------------------------------------------------------------- the widget
@pytest.fixture(scope="module")
def widget():
    pytest.importorskip("ipywidgets")
    return DriverComparison()


def test_widget_draws_every_workload(widget):
    assert "layerlab-drivers" in widget.ui._dom_classes
    for key in WORKLOADS:
        before = widget.redraws
        widget.workload.value = key if widget.workload.value != key else widget.workload.value
        if widget.redraws == before:          # the value was already selected
            widget.show_workload(key)
        svg = widget.picture.value
        assert svg.startswith("<svg") and 'width="100%"' in svg and "viewBox=" in svg
        assert svg.count('class="driver-row"') == len(DRIVERS)
        assert [r.driver for r in widget.results] == list(DRIVERS)
        assert "✓" in widget.status.value


def test_widget_runs_a_typed_command(widget):
    widget.command.value = "truncate -s 0 /data/big.bin"
    widget.run_button.click()
    by = {r.driver: r for r in widget.results}
    assert by["overlay2"].added < 64 * 1024                # O_TRUNC copies no data up
    assert "truncate" in widget.picture.value


@pytest.mark.parametrize("command, message", [
    ("nosuchcommand", "nosuchcommand: not found"),
    ("ls /nope", "No such file or directory"),
    ("", "Type a command first"),
])
def test_widget_shows_the_error_not_a_traceback(widget, command, message):
    widget.command.value = command
    widget.run_button.click()
    assert message in widget.status.value and "Traceback" not in widget.status.value


# ---------------------------------------------------------------------------------------------- the claims
@pytest.fixture(scope="module")
def append():
    return {r.driver: r for r in compare("append")}


def test_same_logical_size_on_every_graphdriver(append):
    graph = [n for n in DRIVERS if n != "overlayfs"]
    assert {append[n].logical for n in graph} == {4 * 1024 * 1024 + len("one more line\n")}
    # the containerd snapshotter counts allocated blocks, directories included
    assert append["overlayfs"].logical > append["overlay2"].logical


def test_bytes_on_disk_follow_the_copy_on_write_unit(append):
    a = {n: r.added for n, r in append.items()}
    assert a["btrfs"] == 4096 and a["devicemapper"] == 64 * 1024 and a["zfs"] == 128 * 1024
    assert a["overlay2"] == a["fuse-overlayfs"] == a["overlayfs"] > 4 * 1024 * 1024
    assert append["vfs"].before > 2 * 4 * 1024 * 1024      # two full copies before any write
    assert append["vfs"].added == 4096


def test_build_costs_whole_files_on_every_driver():
    r = {x.driver: x for x in compare("build")}
    cow = [n for n in DRIVERS if n not in ("vfs", "overlayfs")]
    added = [r[n].added for n in cow]
    assert max(added) < 1.05 * min(added)                  # layers are tars: whole files everywhere
    assert r["vfs"].added > 1.9 * r["overlay2"].added
    assert r["overlayfs"].added > 1.9 * r["overlay2"].added   # the content store keeps the blobs too


def test_delete_is_free_but_vfs_gets_smaller():
    r = {x.driver: x for x in compare("delete")}
    assert r["overlay2"].logical == 0 and r["btrfs"].logical == 0
    assert r["vfs"].added < 0


def test_chapter_links_and_shape():
    text = "\n".join("".join(c["source"]) for c in _cells() if c["cell_type"] == "markdown")
    assert text.startswith("# Chapter 3 · Storage Drivers")
    assert "(00-start-here.ipynb)" in text and "(04-exploring-filesystems.ipynb)" in text
    for slug in re.findall(r"\(glossary\.md#([a-z0-9-]+)\)", text):
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    heads = re.findall(r"^## (.+)$", text, re.M)
    for anchor in re.findall(r"\]\(#([^)]+)\)", text):
        assert anchor.replace("-", " ") in [h.replace("-", " ") for h in heads], anchor


def test_the_chapter_and_the_widget_use_the_same_data_image():
    from layerlab.widgets.drivers import base_dockerfile
    src = next("".join(c["source"]) for c in _cells() if "data_dockerfile = " in "".join(c["source"]))
    ns: dict = {}
    exec(src.split("print(")[0], ns)
    assert ns["data_dockerfile"] == base_dockerfile(4)


def test_widget_reuses_given_engines():
    pytest.importorskip("ipywidgets")
    from layerlab import Engine
    from layerlab.widgets.drivers import base_dockerfile
    eng = Engine(driver="btrfs")
    eng.build(base_dockerfile(4), tag="data")
    w = DriverComparison(names=["btrfs"], engines={"btrfs": eng}, workload="small-writes")
    assert w.bench.engines["btrfs"] is eng
    assert w.results[0].logical == 4 * 1024 * 1024            # the writes are seen: a minute passed
    assert w.results[0].added == 50 * 4096
