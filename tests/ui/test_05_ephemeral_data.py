"""Chapter 5 in a real browser (JupyterLab + Chromium, 1280x800): every cell runs without an
error, the lifecycle diagram (Mermaid) renders, the lifecycle explorer reacts to its buttons
(run, write file, rm refused, rm -f), nothing is wider than the window; screenshots go to
tests/artifacts/05-ephemeral-data-*.png."""
from __future__ import annotations

import pytest

from .conftest import ARTIFACTS, new_page, open_and_run_all

pytestmark = [pytest.mark.oracle, pytest.mark.slow]

CHAPTER_NAME = "05-ephemeral-data.ipynb"
SVG = ".layerlab-lifecycle svg.layerlab-lifecycle"


def _svg(page) -> str:
    return page.eval_on_selector(SVG, "e => e.outerHTML")


def _wait_changed(page, before: str) -> str:
    page.wait_for_function(
        "([sel, before]) => { const s = document.querySelector(sel); return s && s.outerHTML !== before; }",
        arg=[SVG, before], timeout=30_000)
    return _svg(page)


def test_chapter_runs_and_the_lifecycle_explorer_reacts(playwright_sync, lab):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    failure = ARTIFACTS / "05-ephemeral-data-failure.png"
    failure.unlink(missing_ok=True)
    console_errors: list[str] = []
    browser, page = new_page(playwright_sync, console_errors)
    try:
        errors = open_and_run_all(page, lab, CHAPTER_NAME)
        assert errors == [], f"cells raised in the browser: {errors}"

        # the lifecycle diagram of section 1 renders (near the top: look before scrolling away)
        page.locator(".jp-Notebook .jp-Cell").first.scroll_into_view_if_needed()
        page.wait_for_selector(".jp-RenderedMermaid", timeout=30_000)
        page.locator(".jp-RenderedMermaid").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "05-ephemeral-data-diagram.png"))

        page.wait_for_selector(SVG, timeout=60_000)
        explorer = page.locator(".layerlab-lifecycle").first
        explorer.scroll_into_view_if_needed()
        before = _svg(page)
        assert "No containers yet" in before

        explorer.get_by_role("button", name="run", exact=True).click()
        after_run = _wait_changed(page, before)
        assert after_run.count('class="container"') == 1 and 'data-state="running"' in after_run

        explorer.get_by_role("button", name="write file").click()
        after_write = _wait_changed(page, after_run)
        assert "notes.txt" in after_write

        explorer.get_by_role("button", name="rm", exact=True).click()      # refused: running
        page.wait_for_function(
            "() => document.querySelector('.layerlab-lifecycle').innerText.includes('container is running')",
            timeout=30_000)
        explorer.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "05-ephemeral-data-explorer.png"))

        explorer.get_by_text("rm -f").click()
        before_rm = _svg(page)          # read before the click: the redraw may be quicker than us
        explorer.get_by_role("button", name="rm", exact=True).click()
        after_rm = _wait_changed(page, before_rm)
        assert 'data-state="removed"' in after_rm and "writable layer deleted" in after_rm
        page.wait_for_function(
            "() => document.querySelector('.layerlab-lifecycle').innerText.includes('lost: c1: notes.txt')",
            timeout=30_000)
        explorer.screenshot(path=str(ARTIFACTS / "05-ephemeral-data-explorer-widget.png"))

        # nothing is wider than the 1280 px window: the page does not scroll sideways, and the
        # widget and its picture fit in it
        widths = page.evaluate(
            "() => ({doc: document.documentElement.scrollWidth, win: window.innerWidth,"
            " widget: document.querySelector('.layerlab-lifecycle').getBoundingClientRect().right,"
            " svg: document.querySelector('svg.layerlab-lifecycle').getBoundingClientRect().right})")
        assert widths["doc"] <= widths["win"] == 1280, widths
        assert widths["widget"] <= 1280 and widths["svg"] <= 1280, widths
        overflowing = page.evaluate(
            "() => [...document.querySelectorAll('.jp-Cell *')].filter(e => e.getBoundingClientRect().right > "
            "window.innerWidth + 1 && getComputedStyle(e).position !== 'fixed').map(e => e.tagName + '.' + e.className).slice(0, 5)")
        assert overflowing == [], overflowing
    except Exception:
        page.screenshot(path=str(failure))
        raise
    finally:
        browser.close()
    widget_errors = [e for e in console_errors if "widget" in e.lower() or "layerlab" in e.lower()]
    assert not widget_errors, widget_errors
