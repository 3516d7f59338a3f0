"""Chapter 3 in a real browser: run all cells, wait for the driver comparison's SVG, pick another
workload and type a command, wait for the SVG to change each time, check nothing is wider than
the 1280 px window, save screenshots to tests/artifacts/03-storage-drivers-*.png."""
from __future__ import annotations

import pytest

from .conftest import ARTIFACTS, new_page, open_and_run_all

pytestmark = [pytest.mark.oracle, pytest.mark.slow]

CHAPTER_NAME = "03-storage-drivers.ipynb"
SVG = ".layerlab-drivers .widget-html svg.layerlab-driver-bars"


def _svg(page) -> str:
    return page.eval_on_selector(SVG, "e => e.outerHTML")


def _wait_change(page, before: str, timeout: int = 180_000) -> str:
    page.wait_for_function(
        "([sel, before]) => { const s = document.querySelector(sel); return s && s.outerHTML !== before; }",
        arg=[SVG, before], timeout=timeout)
    return _svg(page)


def _too_wide(page) -> list[str]:
    """Elements of the notebook wider than the window (and the page's own scroll width)."""
    return page.evaluate("""() => {
        const out = [];
        if (document.documentElement.scrollWidth > window.innerWidth) out.push('page ' + document.documentElement.scrollWidth);
        for (const e of document.querySelectorAll(".layerlab-drivers, svg.layerlab-driver-bars")) {
            const r = e.getBoundingClientRect();
            if (r.right > window.innerWidth + 1) out.push(e.tagName + '.' + e.getAttribute('class') + ' ' + Math.round(r.right));
        }
        return out; }""")


def test_chapter_runs_and_the_driver_comparison_reacts(playwright_sync, lab):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "03-storage-drivers-failure.png").unlink(missing_ok=True)
    console: list[str] = []
    browser, page = new_page(playwright_sync, console)
    try:
        errors = open_and_run_all(page, lab, CHAPTER_NAME, timeout_ms=300_000)   # generous: a loaded machine
        assert errors == [], f"cells raised in the browser: {errors}"
        page.wait_for_selector(SVG, timeout=60_000)
        widget = page.locator(".layerlab-drivers").first
        widget.scroll_into_view_if_needed()
        before = _svg(page)
        assert before.count('class="driver-row"') == 7 and 'width="100%"' in before
        assert _too_wide(page) == []
        page.screenshot(path=str(ARTIFACTS / "03-storage-drivers-widget-before.png"))

        # pick another workload in the menu -> every driver reruns, the bars redraw
        widget.locator("select").first.select_option(label="delete a directory of 100 files")
        after = _wait_change(page, before)
        assert "delete a directory" in after
        widget.screenshot(path=str(ARTIFACTS / "03-storage-drivers-widget-delete.png"))

        # type a command and run it on every driver
        widget.locator("input[type=text]").first.fill("chmod 600 /data/big.bin")
        widget.get_by_role("button", name="Run on every driver").click()
        typed = _wait_change(page, after)
        assert "chmod 600 /data/big.bin" in typed
        # a bad command shows the shell's message in the status line, not a traceback
        widget.locator("input[type=text]").first.fill("nosuchcommand")
        widget.get_by_role("button", name="Run on every driver").click()
        page.wait_for_function("() => document.querySelector('.layerlab-drivers').innerText.includes('not found')",
                               timeout=60_000)
        assert "Traceback" not in widget.text_content()
        widget.scroll_into_view_if_needed()
        assert _too_wide(page) == []
        page.screenshot(path=str(ARTIFACTS / "03-storage-drivers-widget.png"))
        widget.screenshot(path=str(ARTIFACTS / "03-storage-drivers-widget-only.png"))

        # the mermaid diagram of section 1 renders (Lab keeps only visible cells in the DOM: go there)
        page.evaluate("() => { const nb = window.jupyterapp.shell.currentWidget.content;"
                      " nb.activeCellIndex = 5; nb.scrollToItem(5); }")
        page.wait_for_selector(".jp-RenderedMermaid", timeout=60_000)
        page.locator(".jp-RenderedMermaid").first.screenshot(path=str(ARTIFACTS / "03-storage-drivers-mermaid.png"))

        # the static bar chart of section 4 renders too
        bars = page.locator(".jp-RenderedHTMLCommon svg.layerlab-driver-bars").first
        bars.scroll_into_view_if_needed()
        bars.screenshot(path=str(ARTIFACTS / "03-storage-drivers-bars.png"))
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "03-storage-drivers-failure.png"))
        raise
    finally:
        browser.close()
    widget_errors = [e for e in console if "widget" in e.lower() or "layerlab" in e.lower()]
    assert not widget_errors, widget_errors
