"""Chapter 1 in a real browser: run all cells, wait for the layer explorer's SVG, change the
*line* menu and click *Add line*, wait for the SVG to change, save screenshots to
tests/artifacts/. The JupyterLab and Chromium machinery is in ``conftest.py``."""
from __future__ import annotations

import pytest

from .conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _CELLS_JS, _ERRORS_JS, _accept_kernel_dialog, _start_kernel_session, new_page  # noqa: F401

pytestmark = [pytest.mark.oracle, pytest.mark.slow]

CHAPTER_NAME = "01-layer-architecture.ipynb"


def _svg(page) -> str:
    return page.eval_on_selector(".layerlab-explorer .widget-html svg.layerlab-stack", "e => e.outerHTML")


def test_chapter_runs_and_the_explorer_reacts_in_chromium(playwright_sync, lab):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "01-layer-architecture-failure.png").unlink(missing_ok=True)
    console_errors: list[str] = []
    browser, page = new_page(playwright_sync, console_errors)     # 1280x800, the contract's window
    try:
        _start_kernel_session(lab["url"], CHAPTER_NAME)
        page.goto(f"{lab['url']}/lab/tree/{CHAPTER_NAME}?reset")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        _accept_kernel_dialog(page)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)

        # the Mermaid diagram of the material renders (as an <img>, not inline SVG: gotcha G13);
        # it is near the top, so look before running (Lab keeps only visible cells in the DOM)
        page.wait_for_selector(".jp-RenderedMermaid", timeout=30_000)

        # clear the stored outputs (and execution counts), then Run All without awaiting its
        # promise (it settles only when every cell is done; a modal dialog would keep it pending
        # forever, and page.evaluate has no timeout)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
        page.wait_for_function(f"() => {_CELLS_JS}.every(c => c.type !== 'code' || c.executionCount === null)",
                               timeout=10_000)
        page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
        # done = every code cell has an execution count again (read from the notebook model), or
        # a cell raised (Run All stops there)
        page.wait_for_function(f"() => {_CELLS_JS}.every(c => c.type !== 'code' || c.executionCount !== null)"
                               f" || {_ERRORS_JS}.length > 0", timeout=120_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)

        # the whole chapter ran without an exception (docker's own error lines on stderr are fine)
        errors = page.evaluate(f"() => {_ERRORS_JS}")
        assert errors == [], f"cells raised in the browser: {errors}"
        page.wait_for_selector(".layerlab-explorer .widget-html svg.layerlab-stack", timeout=60_000)

        explorer = page.locator(".layerlab-explorer").first
        explorer.scroll_into_view_if_needed()
        before = _svg(page)
        layers_before = before.count('class="layer')
        page.screenshot(path=str(ARTIFACTS / "01-layer-architecture-explorer-before.png"))

        # interaction: pick a line in the menu, add it to Dockerfile A -> the stack redraws
        explorer.locator("select").first.select_option("ENV NODE_ENV=production")
        explorer.get_by_role("button", name="Add line").click()
        page.wait_for_function(
            "before => { const s = document.querySelector('.layerlab-explorer .widget-html svg.layerlab-stack');"
            " return s && s.outerHTML !== before; }", arg=before, timeout=30_000)
        after = _svg(page)
        assert "ENV NODE_ENV=production" in after and "history only, no layer" in after
        assert after.count('class="layer') == layers_before       # ENV made no layer

        # interaction: type a COPY line into Dockerfile A -> one more layer
        area = explorer.locator("textarea").first
        area.fill(area.input_value() + "COPY app/ /srv/app\n")
        area.blur()
        page.wait_for_function(
            "n => { const s = document.querySelector('.layerlab-explorer .widget-html svg.layerlab-stack');"
            " return s && (s.outerHTML.match(/class=\"layer/g) || []).length === n; }",
            arg=layers_before + 1, timeout=30_000)
        explorer.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "01-layer-architecture-explorer.png"))
        explorer.screenshot(path=str(ARTIFACTS / "01-layer-architecture-explorer-widget.png"))

        # not clipped at 1280 px: the widget fits the window, and nothing inside it is cut off
        fit = page.evaluate("""() => { const e = document.querySelector('.layerlab-explorer');
            const r = e.getBoundingClientRect();
            const inner = Array.from(e.querySelectorAll('*')).filter(c => c.scrollWidth > c.clientWidth + 1
                && getComputedStyle(c).overflowX === 'hidden').map(c => c.className);
            return {right: r.right, scroll: e.scrollWidth, client: e.clientWidth, clipped: inner}; }""")
        assert fit["right"] <= 1280 and fit["scroll"] <= fit["client"] + 1, fit
        assert not fit["clipped"], f"parts of the explorer are cut off: {fit['clipped'][:5]}"
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "01-layer-architecture-failure.png"))
        raise
    finally:
        browser.close()
    widget_errors = [e for e in console_errors if "widget" in e.lower() or "layerlab" in e.lower()]
    assert not widget_errors, widget_errors
