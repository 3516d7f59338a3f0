"""Chapter 4 (exploring a container's filesystem): graded end to end, every correct answer to
the *do* exercise passes, every hidden assert carries a hint, and the image explorer works when
driven from Python."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from tests.chapters.grading import auto_points, grade_answers, model_answers

CHAPTER = Path(__file__).resolve().parents[2] / "notebooks" / "04-exploring-filesystems.ipynb"


def _cells():
    return json.loads(CHAPTER.read_text())["cells"]


def _cell(grade_id: str) -> str:
    for c in _cells():
        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return "".join(c["source"])
    raise KeyError(grade_id)


def _hidden(grade_id: str) -> str:
    src = _cell(grade_id)
    return src.split("### BEGIN HIDDEN TESTS", 1)[1].split("### END HIDDEN TESTS", 1)[0]


def _visible(grade_id: str) -> str:
    return _cell(grade_id).split("### BEGIN HIDDEN TESTS", 1)[0]


def _run_check(grade_id: str, answers: dict, hidden: bool = True) -> None:
    """Run a test cell's checks on ``answers`` (raises AssertionError with the hint)."""
    ns = dict(answers)
    exec(compile(_visible(grade_id) + (_hidden(grade_id) if hidden else ""), grade_id, "exec"), ns)


# ---------------------------------------------------------------------- grading end to end
WRONG = {
    # forgets the parent folders and lists a deleted folder's children
    "ex1_answer": 'diff_lines = ["A /srv/www", "A /srv/www/img", "A /srv/www/index.html", "C /etc/profile",\n'
                  '              "D /etc/motd", "D /etc/apk/keys", "D /etc/apk/keys/alpine.rsa.pub"]\n',
    # binary units
    "ex2_answer": ("def human_size(n):\n    units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB']\n"
                   "    v, i = float(n), 0\n    while v >= 1024 and i < 8:\n        v /= 1024\n        i += 1\n"
                   "    return format(v, '.3g') + units[i]\n"),
    # cleans up later instead of keeping the junk out: still 37.7MB
    "ex3_answer": ('dockerfile = """FROM alpine:3.19\nCOPY . /app\nRUN apk add --no-cache curl jq\n'
                   'RUN rm -rf /app/.git /app/logs\nCMD ["sh", "/app/report.sh"]\n"""\ndockerignore = ""\n'),
}


@pytest.mark.slow
def test_model_full_marks_blank_zero_wrong_less(tmp_path):
    model = model_answers(CHAPTER)
    results = grade_answers(CHAPTER, {"model": model, "blank": {}, "wrong": {**model, **WRONG}}, tmp=tmp_path)
    assert {r.status for r in results.values()} == {"graded"}, {s: r.reason for s, r in results.items()}
    points = auto_points(CHAPTER)
    assert points == 10
    assert results["model"].score == points
    assert results["model"].needs_manual_grade              # the written answer waits for a person
    assert results["blank"].score == 0
    assert results["wrong"].score == 0                       # each wrong answer loses its exercise


# ---------------------------------------------------------------------- exercise checks, directly
def test_model_answers_pass_every_check():
    model = model_answers(CHAPTER)
    for ex in ("ex1", "ex2", "ex3"):
        ns: dict = {}
        exec(model[f"{ex}_answer"], ns)
        _run_check(f"{ex}_tests", {k: v for k, v in ns.items() if not k.startswith("__")})


@pytest.mark.parametrize("dockerfile, dockerignore", [
    # apk with --no-cache, copy only the script
    ('FROM alpine:3.19\nRUN apk add --no-cache curl jq\nCOPY report.sh /app/\nCMD ["sh", "/app/report.sh"]\n', ""),
    # update, add and clean in one RUN; whole context copied, junk ignored
    ('FROM alpine:3.19\nRUN apk update && apk add curl jq && rm -rf /var/cache/apk/*\nCOPY . /app\n'
     'CMD ["sh", "/app/report.sh"]\n', ".git\nlogs\n"),
    # exec-form ENTRYPOINT instead of CMD, WORKDIR, ignore with a glob
    ('FROM alpine:3.19\nRUN apk add --no-cache curl jq\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["/bin/sh", "/app/report.sh"]\n',
     "**/.git\nlogs/\nREADME.md\n"),
    # a multi-stage build
    ('FROM alpine:3.19 AS src\nCOPY report.sh /out/report.sh\n\nFROM alpine:3.19\nRUN apk add --no-cache curl jq\n'
     'COPY --from=src /out/report.sh /app/report.sh\nCMD ["sh", "/app/report.sh"]\n', ""),
])
def test_do_exercise_accepts_every_correct_answer(dockerfile, dockerignore):
    _run_check("ex3_tests", {"dockerfile": dockerfile, "dockerignore": dockerignore})


@pytest.mark.parametrize("dockerfile, dockerignore, hint", [
    ('FROM alpine:3.19\nCOPY . /app\nRUN apk update\nRUN apk add curl jq\n'
     'RUN rm -rf /var/cache/apk/* /app/.git /app/logs\nCMD ["sh", "/app/report.sh"]\n', "", "bigger than"),
    ('FROM alpine:3.19\nRUN apk add --no-cache curl\nCOPY report.sh /app/\nCMD ["sh", "/app/report.sh"]\n', "",
     "curl and jq"),
    ('FROM alpine:3.19\nRUN apk add --no-cache curl jq\nCOPY report.sh /app/\n', "", "CMD"),
    ('FROM alpine:3.19\nRUN apk add --no-cache curl jq\nCOPY report.sh /app/\nCMD ["sh", "/app/report.sh"]\n', "report.sh\n",
     "does not build"),
    ('FROM alpine:3.19\nRUN apk update\nRUN apk add curl jq\nRUN rm -rf /var/cache/apk/*\nCOPY report.sh /app/\n'
     'CMD ["sh", "/app/report.sh"]\n', "", "bigger than"),
    # small enough, but 200 kB made and deleted in two layers
    ('FROM alpine:3.19\nRUN apk add --no-cache curl jq\nRUN dd if=/dev/zero of=/tmp/x bs=1000 count=200\n'
     'RUN rm /tmp/x\nCOPY report.sh /app/\nCMD ["sh", "/app/report.sh"]\n', "", "score"),
    ('FORM alpine:3.19\n', "", "FROM"),
])
def test_do_exercise_rejects_wrong_answers_with_a_hint(dockerfile, dockerignore, hint):
    with pytest.raises(AssertionError, match=hint):
        _run_check("ex3_tests", {"dockerfile": dockerfile, "dockerignore": dockerignore})


@pytest.mark.parametrize("lines, hint", [
    (["C /etc", "C /etc/apk", "D /etc/apk/keys", "D /etc/apk/keys/a.pub", "C /etc/profile", "D /etc/motd",
      "C /srv", "A /srv/www", "A /srv/www/img", "A /srv/www/index.html"], "children of a deleted folder"),
    (["D /etc/apk/keys", "C /etc/profile", "D /etc/motd", "C /srv", "A /srv/www", "A /srv/www/img",
      "A /srv/www/index.html"], "reported as C"),
    (["C /etc", "C /etc/apk", "D /etc/apk/keys", "C /etc/profile", "D /etc/motd", "A /srv", "A /srv/www",
      "A /srv/www/img", "A /srv/www/index.html"], "/srv"),
    (["C /etc", "C /etc/apk", "D /etc/apk/keys", "C /etc/profile", "D /etc/motd", "C /srv", "A /srv/www",
      "A /srv/www/index.html"], "every new folder"),
    (["C /etc", "C /etc/apk", "D /etc/apk/keys", "C /etc/profile", "D /etc/motd", "C /srv", "A /srv/www",
      "A /srv/www/img", "A /srv/www/index.html", "C /tmp"], "leaves no trace"),
    (["C /etc", "C /etc/apk", "D /etc/apk/keys", "D /etc/motd", "C /srv", "A /srv/www",
      "A /srv/www/img", "A /srv/www/index.html"], "missing"),
    (["C /etc", "C /etc/apk", "D /etc/apk/keys", "C /etc/profile", "D /etc/motd", "C /srv", "A /srv/www",
      "A /srv/www/img", "A /srv/www/index.html", "C /etc/apk/repositories"], "not in docker's output"),
    ("C /etc", "list of strings"),
    (["C/etc"], "not of the form"),
])
def test_predict_exercise_hints(lines, hint):
    with pytest.raises(AssertionError, match=hint):
        _run_check("ex1_tests", {"diff_lines": lines})


def test_predict_exercise_order_does_not_matter():
    model = model_answers(CHAPTER)
    ns: dict = {}
    exec(model["ex1_answer"], ns)
    _run_check("ex1_tests", {"diff_lines": list(reversed(ns["diff_lines"]))})


@pytest.mark.parametrize("src, hint", [
    ("def human_size(n):\n    return f'{n}B'\n", "1000"),
    ("def human_size(n):\n    u=['B','kB','MB','GB','TB','PB','EB','ZB','YB']\n    v,i=float(n),0\n"
     "    while v>=1000 and i<8:\n        v/=1000; i+=1\n    return f'{v:.3g} {u[i]}'\n", "no space"),
    ("def human_size(n):\n    u=['B','kB','MB','GB','TB','PB','EB','ZB','YB']\n    v,i=float(n),0\n"
     "    while v>=1000 and i<8:\n        v/=1000; i+=1\n    return f'{v:.4g}'+u[i]\n",
     "significant"),
    ("def human_size(n):\n    u=['B','kB','MB','GB','TB','PB','EB','ZB','YB']\n    v,i=float(n),0\n"
     "    while v>=1000:\n        v/=1000; i+=1\n    return format(v,'.3g')+u[i]\n", "YB is the last"),
    ("def human_size(n):\n    u=['B','kB','MB','GB','TB','PB','EB','ZB','YB']\n    v,i=float(n),0\n"
     "    while v>=999.5 and i<8:\n        v/=1000; i+=1\n    return format(v,'.3g')+u[i]\n", "999,999"),
])
def test_size_exercise_hints(src, hint):
    ns: dict = {}
    exec(src, ns)
    with pytest.raises(AssertionError, match=hint):
        _run_check("ex2_tests", {"human_size": ns["human_size"]})


def test_every_hidden_assert_has_a_hint_and_tests_build_their_own_engine():
    for gid in ("ex1_tests", "ex2_tests", "ex3_tests"):
        hidden = _hidden(gid)
        tree = ast.parse(hidden)
        asserts = [n for n in ast.walk(tree) if isinstance(n, ast.Assert)]
        assert asserts, gid
        bare = [a for a in asserts if a.msg is None]
        assert not bare, f"{gid}: an assert without a hint"
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        assert all(n.startswith("_") for n in names), f"{gid}: test-cell names must start with _: {names}"
        if gid != "ex2_tests":
            assert "_Engine()" in hidden, f"{gid}: hidden tests build a fresh engine"
        assert "docker." not in hidden, f"{gid}: never use the kernel's engine in a test cell"


def test_visible_checks_do_not_give_the_answer_away():
    for gid in ("ex1_tests", "ex2_tests", "ex3_tests"):
        visible = _visible(gid)
        assert not re.search(r"== *\d", visible), f"{gid}: a visible check compares with a number"
        for token in ("/etc/apk", "1.05MB", "apk add --no-cache", "14_000_000"):
            assert token not in visible, f"{gid}: the visible check mentions {token!r}"


def test_answer_cells_define_nothing_before_the_solution():
    for gid in ("ex1_answer", "ex2_answer", "ex3_answer"):
        before = _cell(gid).split("### BEGIN SOLUTION", 1)[0]
        code = "\n".join(ln for ln in before.splitlines() if not ln.lstrip().startswith("#"))
        assert "=" not in code, f"{gid} defines something before BEGIN SOLUTION"


def test_written_answer_has_a_mark_scheme():
    src = _cell("ex4_answer")
    assert re.search(r"\*\*Mark scheme \(3 points\):\*\*", src)


# ---------------------------------------------------------------------- the widget, from Python
@pytest.fixture()
def explorer_engine():
    from layerlab import Engine
    eng = Engine()
    eng.pull("nginx:alpine")
    eng.build("FROM alpine:3.19\nCOPY . /app\nRUN apk update\nRUN apk add curl jq\n"
              "RUN rm -rf /var/cache/apk/* /app/junk\n", {"junk/big.bin": "x" * 5000, "report.sh": "echo\n"},
              tag="waste")
    eng.run("nginx:alpine", name="web", detach=True)
    eng.exec("web", ["sh", "-c", "echo hi > /usr/share/nginx/html/new.html && rm /etc/nginx/conf.d/default.conf"])
    return eng


def test_explorer_shows_layers_tree_waste_and_score(explorer_engine):
    pytest.importorskip("ipywidgets")
    from layerlab.widgets.image_explorer import ImageExplorer
    ex = ImageExplorer(explorer_engine, image="waste:latest")
    assert "layerlab-image-explorer" in ex.ui._dom_classes
    rep = explorer_engine.efficiency("waste")
    assert ex.report == rep
    assert [v for _, v in ex.layer.options] == list(range(len(rep.layers)))
    assert ex.layer.value == len(rep.layers) - 1                 # the top layer first
    # the top layer deletes the apk indexes and /app/junk: shown as D, struck through
    marks = {r.path: r.mark for r in ex.rows}
    assert marks["/app/junk"] == "D" and marks["/var/cache/apk/APKINDEX.6bd8ca47.tar.gz"] == "D"
    assert "<s>junk/</s>" in ex.tree.value
    assert "efficiency score" in ex.summary.value and f"{rep.score * 100:.2f} %" in ex.summary.value
    assert "/app/junk/big.bin" in ex.wasted.value and "deleted with /app/junk in layer 4" in ex.wasted.value
    svg = ex.layers_view.value
    assert svg.startswith("<svg") and 'width="100%"' in svg and "viewBox" in svg
    assert len(re.findall(r'class="layer( selected)?"', svg)) == len(rep.layers) and 'class="layer selected"' in svg

    # choose layer 1 (COPY): it adds the files; the tree at that layer holds no apk package yet
    redraws = ex.redraws
    ex.layer.value = 1
    assert ex.redraws == redraws + 1
    marks = {r.path: r.mark for r in ex.rows}
    assert marks["/app/junk/big.bin"] == "A" and marks["/app"] == "A"
    assert all(r.mark for r in ex.rows if r.kind != "dir")   # only what changed
    size_of = {r.path: r.size for r in ex.rows}
    assert size_of["/app/junk/big.bin"] == 5000 and size_of["/app"] == 5005

    # the whole tree at layer 1: alpine's files are there, unmarked; curl is not yet
    ex.only_changes.value = False
    paths = {r.path for r in ex.rows}
    assert "/bin/busybox" in paths and "/usr/bin/curl" not in paths
    ex.layer.value = 3
    assert "/usr/bin/curl" in {r.path for r in ex.rows}


def test_explorer_container_mode_and_errors(explorer_engine):
    pytest.importorskip("ipywidgets")
    from layerlab.widgets.image_explorer import NO_CONTAINER, ImageExplorer
    ex = ImageExplorer(explorer_engine, image="waste:latest")
    assert ex.container.options == (NO_CONTAINER, "web")
    ex.container.value = "web"
    got = {(r.mark, r.path) for r in ex.rows if r.mark}
    assert got == {(c.kind, c.path) for c in explorer_engine.diff("web")}
    assert "Container web" in ex._tree_heading.value and "nginx:alpine" in ex.summary.value
    assert ex.layer.disabled                                   # a container has no layer to choose
    assert "SIZE " + __import__("layerlab").render.size_text(explorer_engine.size("web").rw) in ex._tree_heading.value
    ex.show_layer(0)
    assert ex.container.value == NO_CONTAINER and ex.layer.value == 0 and not ex.layer.disabled

    # a bad image name: docker's error in the status line, no exception
    ex.pull_ref.value = "no-such-image"
    ex.pull_button.click()
    assert ex.error.startswith("Error response from daemon: pull access denied for no-such-image")
    assert "pull access denied" in ex.status.value
    # a good one: pulled and shown
    ex.pull_ref.value = "busybox:1.36"
    ex.pull_button.click()
    assert ex.error is None and ex.image.value == "busybox:1.36" and ex.report.image_size > 0
    # a container made after the widget: Refresh lists it
    explorer_engine.run("alpine:3.19", ["sh", "-c", "touch /made-later"], name="later")
    ex.refresh_button.click()
    assert "later" in ex.container.options
    ex.container.value = "later"
    assert ("A", "/made-later") in {(r.mark, r.path) for r in ex.rows}


def test_explorer_on_an_empty_engine():
    pytest.importorskip("ipywidgets")
    from layerlab import Engine
    from layerlab.widgets.image_explorer import ImageExplorer
    ex = ImageExplorer(Engine())
    assert ex.report is None and ex.rows == [] and "No image yet" in ex.summary.value
    ex.pull()
    assert "type an image name" in ex.status.value
