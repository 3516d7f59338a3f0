"""Chapter 2 (copy-on-write): graded end to end, the lookup exercise's oracle, the explorer
widget driven from Python, and the chapter's claims checked on the engine directly."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from layerlab import Engine, plain
from layerlab.fs.layer import Layer
from layerlab.render.cow import cow_grid, cow_rows
from layerlab.fs.tree import file

CHAPTER = Path(__file__).resolve().parents[2] / "notebooks" / "02-copy-on-write.ipynb"

SITE_FILES = {"site/index.html": "<h1>My site</h1>\n", "site/css/style.css": "h1 { color: teal }\n",
              "site/images/logo.png": "PNG" * 100, "site/images/photo.jpg": "JPG" * 1000}
SITE_DOCKERFILE = ("FROM nginx:alpine\nCOPY site/ /usr/share/nginx/html/\n"
                   "RUN truncate -s 52M /usr/share/nginx/html/video.mp4 && rm /usr/share/nginx/html/50x.html\n")
HTML = "/usr/share/nginx/html"


def _cells():
    return json.loads(CHAPTER.read_text())["cells"]


def _source(grade_id: str) -> str:
    for c in _cells():
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return "".join(c["source"])
    raise KeyError(grade_id)


def _model_lookup():
    src = _source("ex2_answer")
    ns: dict = {}
    exec("\n".join(ln for ln in src.split("\n") if "SOLUTION" not in ln), ns)
    return ns["lookup"]


# ---------------------------------------------------------------------- grading end to end
WRONG = {
    # the bytes written only, not the copied-up files; the diff without the parent directories
    "ex1_answer": "quiz_size_rw = 12\n",
    "ex1_diff_answer": ('quiz_diff = ["C /usr/share/nginx/html/index.html", "C /usr/share/nginx/html/css/style.css",\n'
                        '             "D /usr/share/nginx/html/images", "D /usr/share/nginx/html/images/logo.png"]\n'),
    # ignores whiteouts and opaque directories: the top-most layer that has the name wins
    "ex2_answer": ("def lookup(layers, path):\n"
                   "    for i, layer in enumerate(layers):\n"
                   "        if path in layer or path + '/' in layer:\n"
                   "            return i\n"
                   "    return None\n"),
}


@pytest.mark.slow
def test_grading_model_full_blank_zero_wrong_partial(tmp_path):
    from tests.chapters.grading import auto_points, grade_answers, model_answers

    model = model_answers(CHAPTER)
    partial = {**model, "ex1_diff_answer": WRONG["ex1_diff_answer"]}     # right size, wrong diff
    results = grade_answers(CHAPTER, {"model": model, "blank": {}, "wrong": WRONG, "partial": partial},
                            tmp=tmp_path)
    full = auto_points(CHAPTER)
    assert full == 8
    assert results["model"].score == full, results["model"]
    assert results["blank"].score == 0, results["blank"]
    assert 0 <= results["wrong"].score < full, results["wrong"]
    assert results["partial"].score == full - 2, results["partial"]     # each check cell is graded alone


def test_hidden_tests_give_hints_on_a_plausible_wrong_answer():
    """The hidden checks of exercise 1 fail the wrong answer with a hint, not the answer."""
    src = _source("ex1_tests")
    hidden = src.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
    ns = {"quiz_size_rw": 12}
    with pytest.raises(AssertionError) as err:
        exec(hidden, ns)
    assert "copied up whole" in str(err.value)
    assert str(ns["_true_size"]) not in str(err.value)


def test_model_answers_match_the_engine():
    ns: dict = {}
    exec(_source("ex1_answer"), ns)
    exec(_source("ex1_diff_answer"), ns)
    eng = Engine()
    eng.build(SITE_DOCKERFILE, SITE_FILES, tag="site")
    eng.run("site", ["sleep", "3600"], detach=True, name="quiz")
    for cmd in ["echo '<p>sale</p>' >> /usr/share/nginx/html/index.html",
                "chmod 600 /usr/share/nginx/html/css/style.css", "rm -r /usr/share/nginx/html/images",
                ": > /usr/share/nginx/html/video.mp4", ": >> /etc/nginx/mime.types",
                "echo hi > /tmp/t && rm /tmp/t"]:
        assert eng.exec("quiz", ["sh", "-c", cmd]).exit_code == 0
    assert ns["quiz_size_rw"] == eng.size("quiz").rw == 29 + 19 + 751
    assert sorted(ns["quiz_diff"]) == sorted(str(c) for c in eng.diff("quiz"))


# ---------------------------------------------------------------------- the lookup oracle
def _random_stack(rng, depth: int) -> list[dict]:
    names = ["a", "b", "c"]
    stack = []
    for _ in range(depth):
        entries, whiteouts, opaques = {}, [], []
        for _ in range(rng.randint(0, 5)):
            path = "/" + "/".join(rng.choice(names) for _ in range(rng.randint(1, 3)))
            kind = rng.random()
            if kind < 0.5:
                entries[path] = file("x")
            elif kind < 0.75:
                whiteouts.append(path)
            else:
                opaques.append(path)
        # a layer cannot have a file and a directory, or a whiteout and an entry, at one name
        for p in list(entries):
            if any(q.startswith(p + "/") for q in [*entries, *whiteouts, *opaques]):
                del entries[p]
        whiteouts = [w for w in whiteouts if w not in entries and not any(
            q.startswith(w + "/") or q == w for q in [*entries, *opaques])]
        opaques = [o for o in opaques if o not in entries]
        stack.append(plain.layer_dict(Layer.build(entries, whiteouts, opaques)))
    return stack


def test_model_lookup_agrees_with_the_engine_on_random_stacks():
    import random

    lookup = _model_lookup()
    rng = random.Random(2)
    paths = ["/" + "/".join(p) for n in (1, 2, 3, 4) for p in __import__("itertools").product("abc", repeat=n)]
    for _ in range(300):
        stack = _random_stack(rng, rng.randint(1, 4))
        for p in paths:
            assert lookup(stack, p) == plain.engine_lookup(stack, p), (stack, p)


def test_wrong_lookup_fails_a_hidden_case():
    ns: dict = {}
    exec(WRONG["ex2_answer"], ns)
    stack = [{"/etc/": "", "/etc/.wh.app.conf": ""}, {"/etc/": "", "/etc/app.conf": "v"}]
    assert ns["lookup"](stack, "/etc/app.conf") == 1
    assert plain.engine_lookup(stack, "/etc/app.conf") is None


def test_plain_round_trip_keeps_whiteouts_opaques_and_symlinks():
    d = {"/a/": "", "/a/.wh.gone": "", "/b/": "", "/b/.wh..wh..opq": "", "/b/f": "hi", "/l": "-> /b/f"}
    assert plain.layer_dict(plain.dict_layer(d)) == d
    assert plain.engine_lookup([d], "/l") == 0
    assert plain.engine_lookup([d], "/a/gone") is None


# ---------------------------------------------------------------------- the explorer widget
@pytest.fixture(scope="module")
def site_engine():
    eng = Engine()
    eng.build(SITE_DOCKERFILE, SITE_FILES, tag="site")
    return eng


def _explorer(eng):
    pytest.importorskip("ipywidgets")
    from layerlab.widgets.cow import CowExplorer
    return CowExplorer("site", watch=HTML, engine=eng, name="cow")


def test_explorer_starts_empty_and_draws_the_stack(site_engine):
    ex = _explorer(site_engine)
    assert ex.size_rw == 0 and ex.diff_lines == []
    assert "layerlab-cow" in ex.ui._dom_classes
    svg = ex.picture.value
    assert svg.startswith("<svg") and 'width="100%"' in svg and "viewBox" in svg
    assert "writable layer" in svg and "merged view" in svg
    assert "whiteout" in svg        # the image's own whiteout of 50x.html


def test_explorer_append_copies_the_whole_file_and_truncate_does_not(site_engine):
    ex = _explorer(site_engine)
    ex.operation.value = "printf x >> video.mp4"
    assert ex.command.value == "printf x >> video.mp4"        # picking fills the command box
    ex.run_button.click()
    assert ex.last_code == 0
    assert ex.size_rw == 52 * 1024 * 1024 + 1
    assert f"{HTML}/video.mp4" in ex.changed
    assert "copied up 54.5MB" in ex.picture.value and "54.5MB (writable)" in ex.picture.value
    ex.reset_button.click()
    assert ex.size_rw == 0 and ex.history == []
    ex.command.value = "printf x > video.mp4"
    ex.run_button.click()
    assert ex.size_rw == 1


def test_explorer_open_for_append_grows_size_but_not_diff(site_engine):
    ex = _explorer(site_engine)
    ex.run(": >> css/style.css")
    assert ex.size_rw == len("h1 { color: teal }\n")
    assert ex.diff_lines == []


def test_explorer_rm_r_whiteout_then_mkdir_opaque(site_engine):
    ex = _explorer(site_engine)
    ex.run("rm -r images")
    assert ex.upper_dict() == {f"{HTML}/": "", f"{HTML}/.wh.images": ""}
    assert f"D {HTML}/images" in ex.diff_lines
    assert ex.size_rw == 0
    ex.run("mkdir images")
    assert f"{HTML}/images/.wh..wh..opq" in ex.upper_dict()
    assert f"{HTML}/.wh.images" not in ex.upper_dict()
    assert "dir, opaque" in ex.picture.value
    assert {f"C {HTML}/images", f"D {HTML}/images/logo.png", f"D {HTML}/images/photo.jpg"} <= set(ex.diff_lines)


def test_explorer_mv_dir_copies_and_create_delete_leaves_nothing(site_engine):
    ex = _explorer(site_engine)
    ex.run("echo tmp > tmp.txt && rm tmp.txt")
    assert ex.size_rw == 0 and ex.diff_lines == []
    ex.run("mv css styles")
    assert ex.last_code == 0
    assert ex.size_rw == len("h1 { color: teal }\n")
    assert f"{HTML}/.wh.css" in ex.upper_dict() and f"{HTML}/styles/style.css" in ex.upper_dict()


def test_explorer_every_menu_operation_runs(site_engine):
    from layerlab.widgets.cow import SITE_OPERATIONS
    for _label, cmd in SITE_OPERATIONS:
        ex = _explorer(site_engine)
        if cmd.startswith("mkdir"):           # the menu's mkdir follows its rm -r
            ex.run("rm -r images")
        ex.operation.value = cmd
        ex.run_button.click()
        assert ex.last_code == 0, (cmd, ex.last_error)
        assert "Traceback" not in ex.status.value


def test_explorer_shows_errors_as_shell_and_docker_print_them(site_engine):
    ex = _explorer(site_engine)
    ex.run("rm nothing.txt")
    assert ex.last_code == 1
    assert "rm: can't remove 'nothing.txt': No such file or directory" in ex.status.value
    ex.run("docker exec nosuch ls")
    assert "Error response from daemon: No such container: nosuch" in ex.status.value
    ex.run("docker frobnicate")
    assert "unknown command" in ex.status.value
    ex.run("echo 'unbalanced")
    assert ex.last_code == 2 and "syntax error" in ex.status.value
    ex.run("")
    assert "Type a command" in ex.status.value
    ex.run("docker diff cow")
    assert ex.last_code == 0
    ex.run("docker rm -f cow")
    assert "container is gone" in ex.picture.value
    ex.reset_button.click()
    assert ex.size_rw == 0


def test_grid_marks_hidden_lower_versions(site_engine):
    eng = site_engine
    c = eng.run("site", ["sleep", "60"], detach=True, name="grid")
    eng.exec("grid", ["sh", "-c", f"echo more >> {HTML}/index.html"])
    grid = cow_rows(eng.image("site"), c.rootfs, HTML, changed={f"{HTML}/index.html"})
    row = next(r for r in grid.rows if r.path == f"{HTML}/index.html")
    assert row.changed
    assert [cell.style for cell in row.cells] == ["hidden", "hidden", "", "upper", "merged"]
    assert grid.others == len(eng.image("site").layers) - 3
    svg = cow_grid(grid, size_line="SizeRw: 23B")
    assert 'class="changed"' in svg and "SizeRw: 23B" in svg
    eng.rm("grid", force=True)


# ---------------------------------------------------------------------- the chapter's claims
def test_nginx_conf_copy_up_numbers_the_chapter_quotes():
    eng = Engine()
    eng.run("nginx:alpine", detach=True, name="web")
    assert eng.size("web").rw == 2
    eng.exec("web", ["sh", "-c", "echo '# tuned by hand' >> /etc/nginx/nginx.conf"])
    assert eng.size("web").rw == 2 + 647 + 16
    fresh = eng.run("nginx:alpine", ["tail", "-n", "1", "/etc/nginx/nginx.conf"], rm=True)
    assert fresh.last_output == "}\n"
