"""LayerExplorer driven from Python, the way a learner's clicks drive it in the browser."""
from __future__ import annotations

import sys

import pytest

pytest.importorskip("ipywidgets")

from layerlab import Engine  # noqa: E402
from layerlab.widgets import LayerExplorer, require_ipywidgets  # noqa: E402

CTX = {"app/server.js": "console.log('hi')\n" * 50, "web/index.html": "<h1>hi</h1>\n", "big.bin": b"z" * 40_000}
A = "FROM scratch\nCOPY app/ /app\n"


def test_first_draw_shows_one_image_with_its_layer():
    ex = LayerExplorer(A, context=CTX)
    assert ex.redraws == 1
    assert ex.image_a is not None and ex.error_a is None
    assert ex.image_b is None and not ex.compare.value
    assert ex.picture.value.startswith("<svg") and 'class="layer"' in ex.picture.value
    assert "✓ built" in ex.status.value and "A: 1 layer, 900B" in ex.status.value
    assert ex._box_b.layout.display == "none"


def test_add_line_button_appends_the_menu_choice_and_redraws():
    ex = LayerExplorer(A, context=CTX)
    before = ex.picture.value
    ex.snippet.value = "ENV NODE_ENV=production"
    ex.add_button.click()
    assert ex.dockerfile_a.value == A + "ENV NODE_ENV=production\n"
    assert ex.made_layer() == [("COPY app/ /app", True), ("ENV NODE_ENV=production", False)]
    assert ex.picture.value != before
    assert 'class="history"' in ex.picture.value
    assert ex.redraws == 2          # one rebuild per click, not one per widget change


def test_editing_the_text_rebuilds():
    ex = LayerExplorer(A, context=CTX)
    ex.dockerfile_a.value = A + "COPY big.bin /big.bin\n"
    assert len(ex.image_a.layers) == 2
    assert "40kB" in ex.picture.value and "A: 2 layers, 40.9kB" in ex.status.value


def test_adding_to_b_turns_on_the_comparison_and_shows_shared_layers():
    ex = LayerExplorer(A, context=CTX)
    assert ex.dockerfile_b.value == "FROM scratch\n"       # B starts from A's FROM line
    ex.target.value = "B"
    ex.snippet.value = "COPY app/ /app"
    ex.add_button.click()
    assert ex.compare.value and ex._box_b.layout.display is None
    ex.add_line("COPY web/ /srv", which="B")
    assert ex.image_b is not None
    assert ex.image_a.chain_ids[0] == ex.image_b.chain_ids[0]
    assert "1 shared" in ex.status.value
    assert ex.picture.value.count("<line ") == 1 and 'class="layer shared"' in ex.picture.value


def test_unticking_compare_hides_b():
    ex = LayerExplorer(A, A + "COPY web/ /srv\n", context=CTX)
    assert ex.image_b is not None
    ex.compare.value = False
    assert ex.image_b is None and "B:" not in ex.status.value


def test_remove_last_line_keeps_the_from_line():
    ex = LayerExplorer(A, context=CTX)
    ex.remove_button.click()
    assert ex.dockerfile_a.value == "FROM scratch\n"
    ex.remove_button.click()
    assert ex.dockerfile_a.value == "FROM scratch\n"
    assert "no layers (an empty image)" in ex.picture.value


def test_a_build_error_is_shown_in_dockers_words_not_raised():
    ex = LayerExplorer(A, context=CTX)
    ex.dockerfile_a.value = "FROM scratch\nCOPY missing.txt /x\n"
    assert ex.image_a is None and ex.error_a
    assert "did not build" in ex.status.value
    assert "missing.txt" in ex.status.value
    assert ex.picture.value.startswith("<svg")          # a message picture, still an SVG
    ex.dockerfile_a.value = A                            # fixing it brings the picture back
    assert ex.error_a is None and 'class="layer"' in ex.picture.value


def test_bad_syntax_is_an_error_too():
    ex = LayerExplorer(A, context=CTX)
    ex.dockerfile_a.value = "COPY app/ /app\n"
    assert ex.image_a is None and "did not build" in ex.status.value


def test_rebuilds_share_the_engines_build_cache():
    eng = Engine()
    ex = LayerExplorer(A, context=CTX, engine=eng)
    first = ex.image_a.layers[0]
    ex.add_line("ENV X=1")
    assert ex.image_a.layers[0] is first or ex.image_a.layers[0].diff_id == first.diff_id
    assert ex.engine is eng


def test_displaying_delegates_to_the_vbox():
    ex = LayerExplorer(A, context=CTX)
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert repr(ex) == "<LayerExplorer A/B>"


def test_missing_ipywidgets_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(ImportError, match="pip install ipywidgets"):
        require_ipywidgets()
    with pytest.raises(ImportError, match="restart the kernel"):
        LayerExplorer(A)


def test_hiding_b_leaves_a_visible():
    """The two editor boxes have their own layouts (a shared one hid A together with B)."""
    ex = LayerExplorer(A, context=CTX)
    assert ex._box_b.layout.display == "none"
    assert ex._box_a.layout.display is None and ex._box_a.layout is not ex._box_b.layout


CH1_A = ('FROM ubuntu:22.04\nRUN apt-get update\nRUN apt-get install -y nodejs npm\nCOPY app/ /app\n'
         'WORKDIR /app\nRUN npm install\nCMD ["node", "server.js"]\n')
CH1_B = 'FROM ubuntu:22.04\nRUN apt-get update\nRUN apt-get install -y python3\nCOPY api/ /api\nCMD ["python3", "/api/main.py"]\n'
CH1_CTX = {"app/package.json": '{"name": "hello", "version": "1.0.0"}\n', "app/server.js": "x\n",
           "api/main.py": "print(1)\n"}


@pytest.mark.slow
def test_the_things_chapter_1_asks_learners_to_try():
    """The explorer tips in the chapter do what the chapter says they do."""
    ex = LayerExplorer(CH1_A, CH1_B, context=CH1_CTX)
    assert ex.error_a is None and ex.error_b is None
    assert len(ex.image_a.layers) == 6 and "2 shared" in ex.status.value
    size = ex.image_a.size
    ex.add_line("ENV NODE_ENV=production")                        # history only: no layer, no bytes
    assert len(ex.image_a.layers) == 6 and ex.image_a.size == size
    ex.add_line("WORKDIR /app")                                   # a layer of 0B
    assert len(ex.image_a.layers) == 7 and ex.image_a.layers[-1].size == 0
    ex.add_line("RUN rm -rf /var/lib/apt/lists/*")                # deleting later does not shrink
    assert len(ex.image_a.layers) == 8 and ex.image_a.size >= size
    ex.dockerfile_b.value = CH1_B.replace("RUN apt-get update\nRUN apt-get install -y python3",
                                          "RUN apt-get update && apt-get install -y python3")
    assert "1 shared" in ex.status.value
    ex.dockerfile_b.value = 'FROM python:3.12-slim\nCOPY api/ /api\nCMD ["python3", "/api/main.py"]\n'
    assert ex.error_b is None and "0 shared" in ex.status.value
