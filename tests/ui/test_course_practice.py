"""The practice release in a real browser, chapter by chapter, at 1280x800 as a learner sees it
(the learner's Lab settings of binder/learner; see conftest.py):

* the start page and every chapter run all their cells with no error (unanswered exercises do
  not stop Run All), and nothing in a cell's output is wider than the window;
* in each chapter, one exercise is answered wrong, then right, from inside the notebook: its
  check cell says "Not yet: <hint>", then "Right!", and the model answer opens;
* the start page's glossary link opens the rendered glossary at the term, and nbgrader's
  instructor panels are not shown.

Screenshots: tests/artifacts/course-practice-*.png. Widgets are driven by each chapter's own
browser test (tests/ui/test_NN_*.py)."""
from __future__ import annotations

import json

import pytest

from autograder.practice import exercises, strip_markers

from .conftest import ARTIFACTS, NOTEBOOKS, new_page, open_and_run_all

pytestmark = [pytest.mark.oracle, pytest.mark.slow]

SOURCES = sorted(NOTEBOOKS.glob("*.ipynb"))
IDS = [p.stem for p in SOURCES]

# the notebook panel's cells, and running one of them by index
_NB = "window.jupyterapp.shell.currentWidget"
_SET_AND_RUN = f"""([i, text]) => {{
  const panel = {_NB}; const nb = panel.content;
  if (text !== null) nb.model.cells.get(i).sharedModel.setSource(text);
  nb.activeCellIndex = i;
  return window.jupyterapp.commands.execute('notebook:run-cell');
}}"""
_CELL_IDS = f"() => {{ const m = {_NB}.content.model.cells; const a = []; for (let i = 0; i < m.length; i++) a.push(m.get(i).id); return a; }}"
_OUTPUT_TEXT = f"""i => {{
  const c = {_NB}.content.model.cells.get(i); const a = [];
  for (let j = 0; j < c.outputs.length; j++) {{ const o = c.outputs.get(j).toJSON();
    a.push(o.text ? [].concat(o.text).join('') : (o.data ? [].concat(o.data['text/plain'] || '').join('') : '')); }}
  return a.join('\\n');
}}"""
_WIDEST = """() => Math.max(0, ...Array.from(document.querySelectorAll('.jp-Notebook .jp-OutputArea-output, .jp-Notebook .jp-RenderedHTMLCommon'))
  .map(e => e.getBoundingClientRect().right))"""


def _wrong(model: str, names: list[str]) -> str:
    """The model answer, then its values spoiled (a number +1, a list one item short, ...)."""
    return model + "\n" + f"""
def _spoil(v):
    if isinstance(v, bool): return not v
    if isinstance(v, int): return v + 1
    if isinstance(v, float): return v * 2 + 1
    if isinstance(v, str): return v + " (spoiled)"
    if isinstance(v, (list, tuple)): return type(v)(list(v)[:-1]) if v else type(v)(["spoiled"])
    if isinstance(v, dict): return dict(list(v.items())[:-1]) if v else {{"spoiled": 1}}
    if callable(v): return lambda *a, _f=v, **k: _spoil(_f(*a, **k))
    return None
for _n in {names!r}:
    globals()[_n] = _spoil(globals()[_n])
"""


def _run_cell(page, index: int, text: str | None = None) -> None:
    page.evaluate(_SET_AND_RUN, [index, text])
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)


def _wait_output(page, index: int, needle: str, timeout_ms: int = 60_000) -> str:
    page.wait_for_function(f"([i, n]) => ({_OUTPUT_TEXT})(i).includes(n)", arg=[index, needle], timeout=timeout_ms)
    return page.evaluate(_OUTPUT_TEXT, index)


def _scroll_to(page, index: int) -> None:
    page.evaluate(f"i => {{ const nb = {_NB}.content; nb.activeCellIndex = i; nb.scrollToItem(i, 'center'); }}", index)
    page.wait_for_timeout(400)


def _render_all(page) -> None:
    """Bring every cell into view once, so that asynchronous renderers (mermaid draws a diagram
    smaller than its source block) have finished and the cells' heights are final before an
    anchor's position is measured."""
    n = page.evaluate(f"() => {_NB}.content.widgets.length")
    for i in range(0, n, 3):
        page.evaluate(f"i => {_NB}.content.scrollToItem(i, 'center')", i)
        page.wait_for_timeout(60)
    page.wait_for_timeout(800)


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_practice_chapter_in_chromium(playwright_sync, lab, source):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = source.stem
    (ARTIFACTS / f"course-practice-{stem}-failure.png").unlink(missing_ok=True)
    console: list[str] = []
    browser, page = new_page(playwright_sync, console)
    try:
        errors = open_and_run_all(page, lab, f"practice/{source.name}")
        assert errors == [], f"cells raised in the browser: {errors}"
        ids = page.evaluate(_CELL_IDS)
        _scroll_to(page, 0)
        page.screenshot(path=str(ARTIFACTS / f"course-practice-{stem}-top.png"))
        assert page.locator("text=Create Assignment").count() == 0, "nbgrader's Create Assignment panel is shown"
        assert page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").count() == 0, "nbgrader's menu is shown"

        exs = [e for e in exercises(json.loads(source.read_text())) if e.kind == "code"]
        if exs:
            ex = exs[0]
            src_cells = json.loads(source.read_text())["cells"]
            answer_idx = [ids.index(src_cells[j]["id"]) for j in ex.answer_cells]
            check_idx = ids.index(src_cells[ex.test_cell]["id"])
            _scroll_to(page, check_idx)
            assert "Not answered yet" in page.evaluate(_OUTPUT_TEXT, check_idx)
            # a wrong answer first
            models = [strip_markers("".join(src_cells[j]["source"])) for j in ex.answer_cells]
            for n, i in enumerate(answer_idx):
                _run_cell(page, i, _wrong(models[n], ex.names) if n == len(answer_idx) - 1 else models[n])
            _run_cell(page, check_idx)
            text = _wait_output(page, check_idx, "Not yet: ")
            _scroll_to(page, check_idx)
            page.screenshot(path=str(ARTIFACTS / f"course-practice-{stem}-not-yet.png"))
            assert text.split("Not yet: ", 1)[1].strip(), "no hint"
            # then the model answer
            for n, i in enumerate(answer_idx):
                _run_cell(page, i, models[n])
            _run_cell(page, check_idx)
            _wait_output(page, check_idx, "Right! Every check passes.")
            _scroll_to(page, check_idx)
            summary = page.locator(".layerlab-practice-right summary").first
            summary.click()
            page.wait_for_selector(".layerlab-practice-right details[open] pre", timeout=10_000)
            page.screenshot(path=str(ARTIFACTS / f"course-practice-{stem}-right.png"))

        # every Contents link (JupyterLab heading anchors, <a id> anchors) scrolls to its target
        contents = page.locator(".jp-Notebook .jp-RenderedMarkdown:has(h2:text-is('Contents'))")
        if contents.count():
            _render_all(page)
            hrefs = contents.first.locator("a[href^='#']:not(.jp-InternalAnchorLink)").evaluate_all("els => els.map(e => e.getAttribute('href'))")
            for n, href in enumerate(hrefs):
                _scroll_to(page, 0)
                contents.first.scroll_into_view_if_needed()
                contents.first.locator("a[href^='#']:not(.jp-InternalAnchorLink)").nth(n).click()
                page.wait_for_timeout(700)
                top = page.evaluate("""f => { const e = Array.from(document.querySelectorAll('.jp-Notebook [id], .jp-Notebook [data-jupyter-id]'))
                    .find(h => h.id === f || h.dataset.jupyterId === f);
                    return e ? e.getBoundingClientRect().top : null; }""", href[1:])
                if n == len(hrefs) - 1:
                    page.screenshot(path=str(ARTIFACTS / f"course-practice-{stem}-contents-link.png"))
                assert top is not None and -5 <= top <= 800, f"the Contents link {href} did not scroll to its target ({top})"

        widest = page.evaluate(_WIDEST)
        assert widest <= 1280, f"an output is {widest:.0f} px wide: wider than the 1280 px window"

        if stem.startswith("00-"):
            # the glossary link opens the rendered page at the term
            link = page.locator(".jp-Notebook .jp-RenderedMarkdown").get_by_role("link", name="layer", exact=True).first
            link.scroll_into_view_if_needed()
            link.click()
            page.wait_for_function(f"() => {_NB}.title.label === 'glossary.md'", timeout=30_000)
            page.wait_for_selector(".jp-MarkdownViewer [data-jupyter-id='layer']", state="attached", timeout=30_000)
            page.wait_for_timeout(800)
            top = page.evaluate("() => document.querySelector(\".jp-MarkdownViewer [data-jupyter-id='layer']\").getBoundingClientRect().top")
            page.screenshot(path=str(ARTIFACTS / "course-practice-glossary-layer.png"))
            assert 0 <= top <= 400, f"the glossary opened, but not at the term 'layer' (it is at y={top:.0f})"
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"course-practice-{stem}-failure.png"))
        raise
    finally:
        browser.close()
    bad = [e for e in console if "layerlab" in e.lower() or "widget" in e.lower()]
    assert not bad, bad
