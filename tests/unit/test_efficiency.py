"""layerlab.efficiency: per-layer changes, wasted bytes (n-1 hidden copies) and dive's score."""
from __future__ import annotations

import json

import pytest

from layerlab import Engine
from layerlab.cli import run
from layerlab.efficiency import Efficiency, LayerReport, WastedFile, analyze, dive_score
from layerlab.fs.layer import Layer
from layerlab.fs.tree import Node, file, symlink


def L(entries=None, whiteouts=(), opaques=()):
    ents = {p: (file(Content_of(v)) if isinstance(v, int) else v) for p, v in (entries or {}).items()}
    return Layer.build(ents, whiteouts, opaques)


def Content_of(n: int):
    from layerlab.content import Content
    return Content.synthetic(f"f{n}", n)


# ---------------------------------------------------------------------- dive's score
def test_dive_reference_case():
    """dive's own TestEfficency layers (dive/filetree/efficiency_test.go). dive expects 0.75
    there because its test adds /etc/nginx as an intermediate node without IsDir, so the
    whiteout counts 0; with /etc/nginx a real directory (as in any image tar) dive's code sums
    the 5000 + 3000 bytes below it: (2000+3000+10000+8000) / (7000+3000+10000+8000)."""
    layers = [L({"/etc/nginx/nginx.conf": 2000, "/etc/nginx/public": 3000}),
              L({"/etc/nginx/nginx.conf": 5000, "/etc/athing": 10000}),
              L(whiteouts=["/etc/nginx"])]
    assert dive_score(layers) == pytest.approx(23000 / 28000)
    rep = analyze(layers)
    assert rep.score == dive_score(layers)
    # dive's wastedBytes: CumulativeSize of paths seen in 2+ layers (nginx.conf: 2000 + 5000)
    assert rep.dive_wasted_bytes == 7000
    # ours: every hidden copy, once
    assert rep.wasted_bytes == 2000 + 5000 + 3000
    by = {w.path: w for w in rep.wasted}
    assert by["/etc/nginx/nginx.conf"].count == 3
    assert by["/etc/nginx/nginx.conf"].reason == ("added in layer 0, overwritten in layer 1, "
                                                  "deleted with /etc/nginx in layer 2")
    assert by["/etc/nginx/nginx.conf"].layers == (0, 1)
    assert by["/etc/nginx/public"].count == 2
    assert [w.path for w in rep.wasted] == ["/etc/nginx/nginx.conf", "/etc/nginx/public"]


def test_empty_and_scratch_score_one():
    assert dive_score([]) == 1.0
    assert dive_score([L({"/nothing": 0})]) == 1.0
    rep = analyze([L({"/nothing": 0})])
    assert rep.score == 1.0 and rep.wasted == () and rep.wasted_bytes == 0


def test_deleted_file_costs_all_its_bytes():
    rep = analyze([L({"/keep": 300, "/big": 100}), L(whiteouts=["/big"])])
    assert rep.score == pytest.approx(300 / 400)      # /big: min 0 (the whiteout), cumulative 100
    assert rep.wasted == (WastedFile("/big", 2, 100, "added in layer 0, deleted in layer 1", (0,)),)
    assert rep.layers[1].deleted == ("/big",) and rep.layers[0].hidden_bytes == 100


def test_n_minus_one_copies():
    layers = [L({"/f": 10}), L({"/f": 20}), L({"/f": 40})]
    rep = analyze(layers)
    (w,) = rep.wasted
    assert (w.count, w.wasted_bytes, w.layers) == (3, 30, (0, 1))
    assert w.reason == "added in layer 0, overwritten in layer 1, overwritten in layer 2"
    assert rep.score == pytest.approx(10 / 70)
    assert rep.layers[1].changed == ("/f",) and rep.layers[1].added == ()


def test_opaque_directory_hides_lower_children():
    layers = [L({"/d/a": 5, "/d/b": 7}), L({"/d/b": 1}, opaques=["/d"])]
    rep = analyze(layers)
    by = {w.path: w for w in rep.wasted}
    assert by["/d/a"].reason == "added in layer 0, hidden by opaque directory /d in layer 1"
    assert by["/d/b"].reason == "added in layer 0, overwritten in layer 1"
    assert rep.wasted_bytes == 12
    assert rep.layers[1].deleted == ("/d/a",)
    assert rep.layers[1].changed == ("/d", "/d/b")


def test_hard_links_once_and_symlinks_by_target():
    from dataclasses import replace
    f = replace(file(Content_of(50)), ino=7)
    layers = [L({"/x": f, "/y": f, "/s": symlink("/x")}), L(whiteouts=["/x", "/y", "/s"])]
    rep = analyze(layers)
    assert rep.image_size == layers[0].size == 50 + 2
    assert rep.wasted_bytes == 52             # overlay2's rule: the inode once, the link's target
    assert rep.score == 0.0


def test_directory_replaced_by_file():
    rep = analyze([L({"/d/f": 9}), L({"/d": 4})])
    by = {w.path: w for w in rep.wasted}
    assert by["/d/f"].reason == "added in layer 0, deleted with /d in layer 1"


def test_empty_directory_leaves_count_zero():
    assert dive_score([L({"/empty": Node("dir")}), L({"/empty": Node("dir", mode=0o700)})]) == 1.0


# ---------------------------------------------------------------------- the Engine and the CLI
WASTEFUL = """FROM alpine
RUN dd if=/dev/zero of=/big bs=1000 count=1000 && echo hi > /small
RUN rm /big
RUN echo hello > /small
"""


@pytest.fixture()
def eng():
    e = Engine()
    e.build(WASTEFUL, tag="waste")
    return e


def test_engine_efficiency(eng):
    rep = eng.efficiency("waste")
    img = eng.image("waste")
    assert isinstance(rep, Efficiency) and all(isinstance(r, LayerReport) for r in rep.layers)
    assert rep.image == img.id and rep.image_size == img.size
    assert rep.layers[1].created_by.startswith("RUN /bin/sh -c dd if=/dev/zero")
    assert rep.wasted[0].path == "/big" and rep.wasted[0].wasted_bytes == 1_000_000
    assert rep.wasted[0].reason == "added in layer 1, deleted in layer 2"
    assert {w.path for w in rep.wasted} >= {"/big", "/small"}
    assert 0 <= rep.score < 1 and rep.wasted_bytes <= rep.image_size
    assert [w.wasted_bytes for w in rep.wasted] == sorted((w.wasted_bytes for w in rep.wasted), reverse=True)


def test_layer_sizes_are_history_sizes(eng):
    rep = eng.efficiency("waste")
    img = eng.image("waste")
    rows = list(reversed(eng.history("waste")))            # oldest first, like img.history
    sizes = [r.size for r, h in zip(rows, img.history) if not h.empty_layer]
    assert [r.size for r in rep.layers] == sizes


def test_layer_changes_match_docker_diff():
    e = Engine()
    e.run("busybox", ["sh", "-c", "mkdir -p /data/x && echo a > /data/x/f && rm -rf /usr/sbin "
                      "&& echo b >> /etc/passwd && rm /bin/ls && chmod 700 /tmp"], name="c1")
    diff = e.diff("c1")
    e.commit("c1", "snap")
    top = e.efficiency("snap").layers[-1]
    assert set(top.added) == {c.path for c in diff if c.kind == "A"}
    assert set(top.changed) == {c.path for c in diff if c.kind == "C"}
    assert set(top.deleted) == {c.path for c in diff if c.kind == "D"}


def test_to_dict_is_json(eng):
    rep = eng.efficiency("waste")
    doc = json.loads(json.dumps(rep.to_dict()))
    assert doc["image_size"] == rep.image_size and doc["score"] == rep.score
    assert doc["layers"][2]["deleted"] == ["/big"]
    assert doc["wasted"][0] == {"path": "/big", "count": 2, "wasted_bytes": 1_000_000,
                                "reason": "added in layer 1, deleted in layer 2", "layers": [1]}


def test_cli_json_and_table(eng):
    code, out, err = run("layerlab image efficiency --json waste", eng)
    assert code == 0 and err == b""
    assert json.loads(out) == eng.efficiency("waste").to_dict()
    code, out, err = run("layerlab image efficiency waste", eng)
    text = out.decode()
    assert code == 0 and err == b""
    assert text.splitlines()[1].split() == ["LAYER", "SIZE", "ADDED", "CHANGED", "DELETED", "WASTED", "CREATED", "BY"]
    assert "Wasted space:" in text and "/big" in text and "added in layer 1, deleted in layer 2" in text
    assert "Efficiency score:" in text


def test_cli_errors(eng):
    assert run("layerlab image efficiency nosuch", eng) == (1, b"", b"Error response from daemon: No such image: nosuch:latest\n")
    code, out, err = run("layerlab image efficiency", eng)
    assert code == 1 and b"requires 1 argument" in err
    code, out, err = run("layerlab image efficiency --help", eng)
    assert code == 0 and b"--json" in out


def test_catalog_image_fast():
    import time
    e = Engine()
    e.pull("nginx:alpine")
    t = time.perf_counter()
    rep = e.efficiency("nginx:alpine")
    assert time.perf_counter() - t < 1.0
    assert rep.image_size == e.image("nginx:alpine").size
    assert 0.9 < rep.score <= 1.0


# ---------------------------------------------------------------------- .dockerignore in a dict context
def test_dockerignore_in_a_dict_context_leaves_files_out():
    e = Engine()
    ctx = {".dockerignore": ".git\nlogs/\n*.md\n!README.md\n**/*.tmp\n", ".git/objects/x": "1" * 100,
           "logs/a.log": "2", "README.md": "r", "NOTES.md": "n", "a/b/c.tmp": "t", "report.sh": "s"}
    img = e.build("FROM scratch\nCOPY . /app\n", ctx).image
    paths = sorted(p for p in img.layers[-1].entries if img.layers[-1].entries[p].kind != "dir")
    assert paths == ["/app/.dockerignore", "/app/README.md", "/app/report.sh"]
    # without the file, everything is sent
    del ctx[".dockerignore"]
    img = e.build("FROM scratch\nCOPY . /app\n", ctx).image
    assert "/app/.git/objects/x" in img.layers[-1].entries


def test_imported_tar_layer_and_a_commit_on_top():
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in (("etc/conf", b"x" * 300), ("bin/tool", b"y" * 700)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    e = Engine()
    e.import_tar(buf.getvalue(), "base:1")
    rep = e.efficiency("base:1")
    assert rep.image_size == 1000 and rep.wasted == () and rep.score == 1.0
    assert rep.layers[0].created_by == "" and set(rep.layers[0].added) >= {"/etc/conf", "/bin/tool"}
    c = e.create("base:1", ["/bin/tool"], name="c1")     # no shell in this image: change it directly
    c.rootfs.write("/etc/conf", b"z" * 10)
    c.rootfs.unlink("/bin/tool")
    e.commit("c1", "base:2")
    rep = e.efficiency("base:2")
    by = {w.path: w for w in rep.wasted}
    assert by["/etc/conf"].reason == "added in layer 0, overwritten in layer 1" and by["/etc/conf"].wasted_bytes == 300
    assert by["/bin/tool"].reason == "added in layer 0, deleted in layer 1" and by["/bin/tool"].wasted_bytes == 700
    assert rep.wasted_bytes == 1000 and rep.layers[1].deleted == ("/bin/tool",)
