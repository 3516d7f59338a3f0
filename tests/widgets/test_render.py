"""layerlab.render: pure functions from images to SVG/text, checked on small scratch builds."""
from __future__ import annotations

import xml.dom.minidom

import pytest

from layerlab import Engine, render
from layerlab.render.stack import instruction_text
from layerlab.units import human_size

CTX = {"rootfs/bin/sh": b"x" * 5_000_000, "deps/lib.so": b"y" * 2_300_000,
       "app/index.js": "console.log(1)\n" * 100, "web/index.html": "<h1>hi</h1>\n"}


@pytest.fixture
def images():
    eng = Engine()
    base = eng.build('FROM scratch\nARG RELEASE\nCOPY rootfs/ /\nCMD ["/bin/sh"]\n', CTX, tag="base:1").image
    a = eng.build("FROM base:1\nCOPY deps/ /usr/lib/\nENV MODE=prod\nCOPY app/ /app\nEXPOSE 3000\n", CTX, tag="a").image
    b = eng.build("FROM base:1\nCOPY deps/ /usr/lib/\nCOPY web/ /srv\n", CTX, tag="b").image
    return base, a, b


def test_stack_rows_pair_history_entries_with_layers(images):
    """Every non-empty history entry gets the next layer, in order; empty ones get none."""
    base, a, _ = images
    rows = render.stack_rows(a, base=base)
    assert [r.instruction for r in rows] == [
        "ARG RELEASE", "COPY rootfs/ /", 'CMD ["/bin/sh"]', "COPY deps/ /usr/lib/", "ENV MODE=prod",
        "COPY app/ /app", "EXPOSE [3000/tcp]"]
    assert [r.is_layer for r in rows] == [False, True, False, True, False, True, False]
    layers = [r for r in rows if r.is_layer]
    assert [r.diff_id for r in layers] == list(a.diff_ids)
    assert [r.chain_id for r in layers] == list(a.chain_ids)
    assert [r.size for r in layers] == [layer.size for layer in a.layers]
    assert [r.from_base for r in rows] == [True, True, True, False, False, False, False]
    assert all(r.size == 0 for r in rows if not r.is_layer)


def test_shared_chain_ids_are_the_common_bottom_layers(images):
    """Two images on one base share the base layer and any identical step right above it."""
    base, a, b = images
    shared = render.shared_chain_ids([a, b])
    assert shared == {a.chain_ids[0], a.chain_ids[1]}
    assert render.shared_chain_ids([a, base]) == {base.chain_ids[0]}


def test_same_diff_on_another_parent_is_not_shared():
    """An identical layer on a different parent has the same diff_id but a different chain ID."""
    eng = Engine()
    a = eng.build("FROM scratch\nCOPY app/ /app\n", CTX).image
    b = eng.build("FROM scratch\nCOPY web/ /srv\nCOPY app/ /app\n", CTX).image
    assert a.diff_ids[0] == b.diff_ids[1]
    assert render.shared_chain_ids([a, b]) == frozenset()


@pytest.mark.parametrize("created_by, text", [
    ("RUN /bin/sh -c apt-get update # buildkit", "RUN apt-get update"),
    ("COPY app/ /app # buildkit", "COPY app/ /app"),
    ('/bin/sh -c #(nop)  CMD ["bash"]', 'CMD ["bash"]'),
    ("/bin/sh -c #(nop) ADD file:abc in / ", "ADD file:abc in /"),
    ("/bin/sh -c apt-get update", "RUN apt-get update"),
    ("|1 V=2 /bin/sh -c make", "RUN make"),
    ("ENV A=1", "ENV A=1"),
])
def test_instruction_text_undoes_both_builders_formats(created_by, text):
    assert instruction_text(created_by) == text


def test_layer_stack_draws_one_box_per_layer_and_a_dashed_line_per_history_entry(images):
    base, a, b = images
    svg = render.layer_stack(a, name="a", base=base, base_name="base:1", shared_with=b,
                             containers=[("web1", 0), ("web2", 1234)], collapse_base=False)
    doc = xml.dom.minidom.parseString(svg)          # well-formed
    groups = doc.getElementsByTagName("g")
    classes = [g.getAttribute("class") for g in groups]
    assert classes.count("layer") + classes.count("layer shared") == len(a.layers)
    assert classes.count("layer shared") == 2
    assert classes.count("history") == sum(1 for h in a.history if h.empty_layer)
    assert classes.count("writable") == 2
    assert "inherited from FROM base:1" in svg
    assert "1.23kB" in svg and "2.3MB" in svg and "5MB" in svg


def test_layer_stack_folds_base_history_by_default(images):
    base, a, _ = images
    svg = render.layer_stack(a, base=base, base_name="base:1")
    assert "+ 1 history-only entry from the base image" in svg
    assert svg.count('class="history base"') == 2


def test_pictures_are_deterministic_bytes(images):
    """nbval compares stored SVG output byte for byte, so the same input must give the same string."""
    base, a, b = images
    again = Engine()
    base2 = again.build('FROM scratch\nARG RELEASE\nCOPY rootfs/ /\nCMD ["/bin/sh"]\n', CTX, tag="base:1").image
    a2 = again.build("FROM base:1\nCOPY deps/ /usr/lib/\nENV MODE=prod\nCOPY app/ /app\nEXPOSE 3000\n", CTX).image
    b2 = again.build("FROM base:1\nCOPY deps/ /usr/lib/\nCOPY web/ /srv\n", CTX).image
    assert render.compare_stacks(a, b, bases=(base, base)) == render.compare_stacks(a2, b2, bases=(base2, base2))


def test_compare_stacks_links_each_shared_layer_and_sums_disk_once(images):
    base, a, b = images
    svg = render.compare_stacks(a, b, names=("a", "b"), bases=(base, base), base_names=("base:1", "base:1"))
    xml.dom.minidom.parseString(svg)
    assert svg.count("<line ") == 2
    shared = 5_000_000 + 2_300_000
    assert "2 shared layers (7.3MB) stored once" in svg      # docker system df's 4 digits
    assert f"on disk {human_size(a.size + b.size - shared)}" in svg


def test_compare_stacks_without_sharing_says_so():
    eng = Engine()
    a = eng.build("FROM scratch\nCOPY app/ /app\n", CTX).image
    b = eng.build("FROM scratch\nCOPY web/ /srv\n", CTX).image
    svg = render.compare_stacks(a, b)
    assert "no shared layers" in svg and "<line " not in svg


def test_empty_image_gets_a_placeholder():
    eng = Engine()
    img = eng.build("FROM scratch\nENV A=1\n").image
    svg = render.layer_stack(img, name="empty")
    xml.dom.minidom.parseString(svg)
    assert "no layers (an empty image)" in svg


def test_text_escaping_in_svg():
    eng = Engine()
    img = eng.build('FROM scratch\nLABEL note="<b>&amp;</b>"\n').image
    svg = render.layer_stack(img)
    xml.dom.minidom.parseString(svg)
    assert "<b>" not in svg


def test_layer_table_golden(images):
    base, a, _ = images
    assert render.layer_table(a, base=base, base_name="base:1") == "\n".join([
        "#  INSTRUCTION           MADE          SIZE",
        "1  ARG RELEASE           history only  0B     (from base:1)",
        "2  COPY rootfs/ /        layer 1       5MB    (from base:1)",
        '3  CMD ["/bin/sh"]       history only  0B     (from base:1)',
        "4  COPY deps/ /usr/lib/  layer 2       2.3MB",
        "5  ENV MODE=prod         history only  0B",
        "6  COPY app/ /app        layer 3       1.5kB",
        "7  EXPOSE [3000/tcp]     history only  0B",
    ])


def test_classic_builder_history_renders_too():
    """The classic builder's created_by strings read as Dockerfile lines as well."""
    eng = Engine()
    img = eng.build('FROM scratch\nCOPY app/ /app\nCMD ["x"]\n', CTX, buildkit=False).image
    rows = render.stack_rows(img)
    assert rows[-1].instruction == 'CMD ["x"]' and not rows[-1].is_layer
    assert rows[0].is_layer and rows[0].instruction.startswith("COPY ")


def test_html_table_escapes_and_reprs_briefly():
    t = render.table(["a", "b"], [["<x>", 1]], caption="c")
    assert "&lt;x&gt;" in t._repr_html_() and repr(t) == "<table: 1 rows>"
    assert repr(render.show("<svg/>")) == "<layer stack>"


def test_build_steps_keeps_one_line_per_step():
    log = ("#1 [1/3] FROM ubuntu:22.04\n#2 [2/3] RUN apt-get update\n#2 Get:1 http://x [1 kB]\n#2 DONE 0.0s\n"
           "#3 [3/3] COPY a /a\n#3 CACHED\n#4 exporting to image\n#4 writing image sha256:ab done\n"
           "#4 naming to docker.io/library/x:latest done\n")
    assert render.build_steps(log).splitlines() == [
        "#1 [1/3] FROM ubuntu:22.04", "#2 [2/3] RUN apt-get update", "#3 [3/3] COPY a /a", "#3 CACHED",
        "#4 writing image sha256:ab done"]
