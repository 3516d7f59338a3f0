"""Chapter 8 (the capstone) in a real browser: run all cells with no error; drive the layer
explorer (type a slim Dockerfile into B: the picture redraws and B gets smaller) and the image
explorer (pick the container `notes`: the tree shows its writable layer); nothing is wider than
the 1280 px window; screenshots go to tests/artifacts/08-capstone-*.png."""
from __future__ import annotations

import pytest

from .conftest import ARTIFACTS, new_page, open_and_run_all

pytestmark = [pytest.mark.oracle, pytest.mark.slow]

CHAPTER_NAME = "08-capstone.ipynb"

SLIM = """FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt
COPY server.py start.sh notesctl schema.sql /app/
COPY templates /app/templates
COPY static /app/static
ENV PATH=/app:$PATH
CMD ["/app/start.sh"]
"""

_SVG = ".layerlab-explorer .widget-html svg.layerlab-stack"
_TOO_WIDE = """() => {
  const w = window.innerWidth;
  return [...document.querySelectorAll('.jp-Cell, .layerlab-explorer, .layerlab-image-explorer, .jp-RenderedHTMLCommon table')]
    .filter(e => e.getBoundingClientRect().right > w + 1)
    .map(e => e.tagName + '.' + e.className.toString().slice(0, 60) + ': ' + e.innerText.slice(0, 80));
}"""


def test_capstone_runs_and_both_explorers_react_in_chromium(playwright_sync, lab):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "08-capstone-failure.png").unlink(missing_ok=True)
    console_errors: list[str] = []
    browser, page = new_page(playwright_sync, console_errors)
    try:
        errors = open_and_run_all(page, lab, CHAPTER_NAME)
        assert errors == [], f"cells raised in the browser: {errors}"

        # the layer explorer: B starts as a copy of the shipped Dockerfile; type a slim one
        page.wait_for_selector(_SVG, timeout=60_000)
        explorer = page.locator(".layerlab-explorer").first
        explorer.scroll_into_view_if_needed()
        before = page.eval_on_selector(_SVG, "e => e.outerHTML")
        # textContent, waited for: a cell Lab has only just scrolled into view is still skipped
        # by `content-visibility` for a frame, and its innerText is "" until it is painted
        page.wait_for_function(
            "() => document.querySelector('.layerlab-explorer').textContent.includes('16 layers')",
            timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "08-capstone-explorer-before.png"))
        area = explorer.locator("textarea").nth(1)
        area.fill(SLIM)
        area.blur()
        page.wait_for_function(
            "before => { const s = document.querySelector('" + _SVG + "'); return s && s.outerHTML !== before; }",
            arg=before, timeout=60_000)
        page.wait_for_function(
            "() => document.querySelector('.layerlab-explorer').innerText.includes('B: 10 layers')", timeout=30_000)
        explorer.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "08-capstone-explorer.png"))

        # the image explorer: pick the running container -> its writable layer
        image_explorer = page.locator(".layerlab-image-explorer").first
        image_explorer.scroll_into_view_if_needed()
        page.wait_for_function(
            "() => document.querySelector('.layerlab-image-explorer').innerText.includes('Wasted space')",
            timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "08-capstone-image-explorer-before.png"))
        image_explorer.locator("select").nth(2).select_option("notes")
        page.wait_for_function(
            "() => document.querySelector('.layerlab-image-explorer').innerText.includes('app.log')", timeout=60_000)
        image_explorer.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "08-capstone-image-explorer.png"))

        assert page.evaluate(_TOO_WIDE) == [], "something is wider than the 1280 px window"
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "08-capstone-failure.png"))
        raise
    finally:
        browser.close()
    widget_errors = [e for e in console_errors if "widget" in e.lower() or "layerlab" in e.lower()]
    assert not widget_errors, widget_errors
