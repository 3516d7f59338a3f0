"""Chapter 6 in a real browser: run all cells, find the mount explorer, write a file into its
tmpfs, stop the container and watch the file disappear; nothing wider than the 1280 px window.
Screenshots go to tests/artifacts/06-storage-types-*.png."""
from __future__ import annotations

import pytest

from .conftest import ARTIFACTS, new_page, open_and_run_all

pytestmark = [pytest.mark.oracle, pytest.mark.slow]

NAME = "06-storage-types.ipynb"
SVG = ".layerlab-mounts .widget-html svg"


def _svg(page) -> str:
    return page.eval_on_selector(SVG, "e => e.outerHTML")


def _changed(page, before: str, needle: str, timeout: int = 30_000) -> None:
    page.wait_for_function(
        "([sel, before, needle]) => { const s = document.querySelector(sel);"
        " return s && s.outerHTML !== before && s.outerHTML.includes(needle); }",
        arg=[SVG, before, needle], timeout=timeout)


def test_chapter_runs_and_the_mount_explorer_reacts(playwright_sync, lab):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "06-storage-types-failure.png").unlink(missing_ok=True)
    console_errors: list[str] = []
    browser, page = new_page(playwright_sync, console_errors)
    try:
        errors = open_and_run_all(page, lab, NAME)
        assert errors == [], f"cells raised in the browser: {errors}"

        # the material's diagram renders
        page.locator(".jp-RenderedMermaid").first.scroll_into_view_if_needed()
        page.wait_for_selector(".jp-RenderedMermaid", timeout=30_000)
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "06-storage-types-diagram.png"))

        page.wait_for_selector(SVG, timeout=60_000)
        explorer = page.locator(".layerlab-mounts").first
        explorer.scroll_into_view_if_needed()
        page.wait_for_timeout(500)       # let Lab paint the cells around it
        page.screenshot(path=str(ARTIFACTS / "06-storage-types-explorer-before.png"))

        # write into the tmpfs
        before = _svg(page)
        inputs = explorer.locator("input[type='text']")      # path (a combobox), then text
        inputs.nth(0).fill("/scratch/token")
        inputs.nth(1).fill("s3cret")
        explorer.get_by_role("button", name="Write file").click()
        _changed(page, before, "token")
        status = explorer.text_content()
        assert "tmpfs" in status and "RAM" in status, status

        # stop: the tmpfs is gone, the table says so
        before = _svg(page)
        explorer.get_by_role("button", name="docker stop").click()
        _changed(page, before, "gone")
        page.wait_for_function(
            "() => document.querySelector('.layerlab-mounts').innerText.includes('no, gone')", timeout=30_000)
        explorer.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "06-storage-types-explorer.png"))
        explorer.screenshot(path=str(ARTIFACTS / "06-storage-types-explorer-widget.png"))

        # nothing is wider than the window
        widths = page.evaluate(
            "() => { const e = document.querySelector('.layerlab-mounts');"
            " const s = e.querySelector('svg').getBoundingClientRect();"
            " return [e.scrollWidth, e.clientWidth, s.right, window.innerWidth]; }")
        scroll_w, client_w, svg_right, window_w = widths
        assert scroll_w <= client_w + 1 and svg_right <= window_w, widths

        # the live table of section 8
        table = page.locator("table:has-text('measured')").first
        table.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "06-storage-types-table.png"))
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "06-storage-types-failure.png"))
        raise
    finally:
        browser.close()
    widget_errors = [e for e in console_errors if "widget" in e.lower() or "layerlab" in e.lower()]
    assert not widget_errors, widget_errors
