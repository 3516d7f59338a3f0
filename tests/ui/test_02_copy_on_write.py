"""Chapter 2 in a real browser: run all cells, pick an operation in the copy-on-write explorer,
press Run, wait for the picture to change (the video is copied up whole), type a failing command
and see the shell's message; nothing is wider than the 1280 px window. Screenshots go to
tests/artifacts/02-copy-on-write-*.png."""
from __future__ import annotations

import pytest

from .conftest import ARTIFACTS, new_page, open_and_run_all

pytestmark = [pytest.mark.oracle, pytest.mark.slow]

CHAPTER_NAME = "02-copy-on-write.ipynb"
SVG = ".layerlab-cow svg.layerlab-cow"

_WIDER_JS = """() => {
  const w = document.documentElement.clientWidth;
  // the widget and the prose (code editors scroll sideways by design)
  return [...document.querySelectorAll('.layerlab-cow, .layerlab-cow *, .jp-RenderedMarkdown, .jp-RenderedMarkdown > *')]
    .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > w + 1; })
    .map(e => e.tagName + '.' + [...e.classList].join('.')).slice(0, 5);
}"""


def _svg(page) -> str:
    return page.eval_on_selector(SVG, "e => e.outerHTML")


def test_chapter_runs_and_the_cow_explorer_reacts(playwright_sync, lab):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "02-copy-on-write-failure.png").unlink(missing_ok=True)
    console_errors: list[str] = []
    browser, page = new_page(playwright_sync, console_errors)
    try:
        errors = open_and_run_all(page, lab, CHAPTER_NAME)
        assert errors == [], f"cells raised in the browser: {errors}"
        page.wait_for_selector(SVG, timeout=60_000)
        explorer = page.locator("div.layerlab-cow").first
        explorer.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "02-copy-on-write-explorer-before.png"))
        before = _svg(page)
        assert "copied up 54.5MB" not in before

        # pick "append 1 byte to the 52MB video" in the menu: it fills the command box; Run
        explorer.locator("select").first.select_option(label="append 1 byte to the 52MB video")
        command = explorer.locator("input[type='text']").first
        page.wait_for_function("() => document.querySelector(\"div.layerlab-cow input[type='text']\").value"
                               " === 'printf x >> video.mp4'", timeout=10_000)
        explorer.get_by_role("button", name="Run").click()
        page.wait_for_function(
            "before => { const s = document.querySelector('" + SVG + "'); return s && s.outerHTML !== before; }",
            arg=before, timeout=30_000)
        after = _svg(page)
        assert "copied up 54.5MB" in after and 'class="changed"' in after
        assert "SizeRw (docker ps -s SIZE): 54.5MB" in after
        explorer.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "02-copy-on-write-explorer.png"))
        explorer.screenshot(path=str(ARTIFACTS / "02-copy-on-write-explorer-widget.png"))

        # a typed command that fails: the shell's own message, no traceback
        command.fill("rm nothing.txt")
        explorer.get_by_role("button", name="Run").click()
        page.wait_for_function("() => document.querySelector('div.layerlab-cow').innerText"
                               ".includes(\"can't remove 'nothing.txt'\")", timeout=30_000)
        assert "Traceback" not in explorer.text_content()

        wider = page.evaluate(_WIDER_JS)
        assert wider == [], f"wider than the 1280 px window: {wider}"
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "02-copy-on-write-failure.png"))
        raise
    finally:
        browser.close()
    widget_errors = [e for e in console_errors if "widget" in e.lower() or "layerlab" in e.lower()]
    assert not widget_errors, widget_errors
