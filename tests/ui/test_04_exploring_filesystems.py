"""Chapter 4 in a real browser: run all cells with no error, then drive the image explorer —
choose another layer, then a container — and wait for the tree to change; nothing may be wider
than the 1280 px window; screenshots go to tests/artifacts/04-exploring-filesystems-*.png."""
from __future__ import annotations

import re

import pytest

from .conftest import ARTIFACTS, new_page, open_and_run_all

pytestmark = [pytest.mark.oracle, pytest.mark.slow]

CHAPTER_NAME = "04-exploring-filesystems.ipynb"
ROOT = ".layerlab-image-explorer"

_TREE_JS = f"() => {{ const t = document.querySelector('{ROOT} .layerlab-tree'); return t ? t.textContent : null; }}"
_SVG_JS = f"() => {{ const s = document.querySelector('{ROOT} svg.layerlab-efficiency'); return s ? s.outerHTML : null; }}"

# every element wider than the window, or sticking out on the right (ignoring what sits inside a
# scrolling box, which scrolls instead of overflowing)
_OVERFLOW_JS = """() => {
  const w = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('.layerlab-image-explorer, .layerlab-image-explorer *')) {
    let p = el.parentElement, scrolled = false;
    while (p) { const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') { scrolled = true; break; } p = p.parentElement; }
    if (scrolled) continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > w + 1) out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right));
  }
  return out.slice(0, 10);
}"""


def _select(page, label: str, option_text: str) -> None:
    """Pick an option of the explorer's dropdown whose description is ``label``."""
    box = page.locator(f"{ROOT} .widget-dropdown",
                       has=page.locator("label", has_text=re.compile(f"^{label}$"))).first
    select = box.locator("select")
    values = select.locator("option").all_inner_texts()
    match = next(v for v in values if option_text in v)
    select.select_option(label=match)


def test_chapter_runs_and_the_image_explorer_reacts(playwright_sync, lab):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "04-exploring-filesystems-failure.png").unlink(missing_ok=True)
    console_errors: list[str] = []
    browser, page = new_page(playwright_sync, console_errors)
    try:
        errors = open_and_run_all(page, lab, CHAPTER_NAME)
        assert errors == [], f"cells raised in the browser: {errors}"

        # the mermaid picture of section 5 renders: jump there with the Contents link
        page.locator("a[href='#5.-Where-the-bytes-of-an-image-go']").first.click()
        mermaid = page.locator(".jp-RenderedMermaid").first
        mermaid.wait_for(state="attached", timeout=30_000)
        mermaid.scroll_into_view_if_needed()
        page.wait_for_function("() => { const m = document.querySelector('.jp-RenderedMermaid');"
                               " return m && m.querySelector('img, svg'); }", timeout=30_000)
        assert "Syntax error" not in mermaid.text_content()
        page.screenshot(path=str(ARTIFACTS / "04-exploring-filesystems-mermaid.png"))

        page.wait_for_selector(f"{ROOT} svg.layerlab-efficiency", timeout=60_000)
        explorer = page.locator(ROOT).first
        explorer.scroll_into_view_if_needed()
        before_tree = page.evaluate(_TREE_JS)
        before_svg = page.evaluate(_SVG_JS)
        assert ".git" in before_tree and "logs" in before_tree      # layer 4 of report deletes them
        assert 'class="layer selected"' in before_svg
        page.screenshot(path=str(ARTIFACTS / "04-exploring-filesystems-explorer-before.png"))

        # choose the COPY layer: the tree shows what COPY . /app added
        _select(page, "layer", "L1")
        page.wait_for_function(f"before => {{ const t = ({_TREE_JS})(); return t && t !== before; }}",
                               arg=before_tree, timeout=30_000)
        tree = page.evaluate(_TREE_JS)
        assert "pack-3f2a.pack" in tree and "report.sh" in tree
        explorer.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "04-exploring-filesystems-explorer-layer.png"))
        explorer.screenshot(path=str(ARTIFACTS / "04-exploring-filesystems-explorer-widget.png"))
        overflow = page.evaluate(_OVERFLOW_JS)
        assert overflow == [], f"wider than the window: {overflow}"

        # choose a container: its writable layer, the page we added in section 3
        layer_tree = tree
        _select(page, "container", "web")
        page.wait_for_function(f"before => {{ const t = ({_TREE_JS})(); return t && t !== before; }}",
                               arg=layer_tree, timeout=30_000)
        tree = page.evaluate(_TREE_JS)
        assert "hello.html" in tree and "default.conf" in tree
        explorer.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "04-exploring-filesystems-explorer-container.png"))

        # a bad image name: docker's message in the widget, no traceback
        explorer.locator("input[type=text]").first.fill("no-such-image")
        explorer.get_by_role("button", name="Pull").click()
        page.wait_for_function(f"() => document.querySelector('{ROOT}').textContent.includes('pull access denied')",
                               timeout=30_000)
        assert "Traceback" not in explorer.text_content()
        overflow = page.evaluate(_OVERFLOW_JS)
        assert overflow == [], f"wider than the window: {overflow}"
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "04-exploring-filesystems-failure.png"))
        raise
    finally:
        browser.close()
    widget_errors = [e for e in console_errors if "widget" in e.lower() or "layerlab" in e.lower()]
    assert not widget_errors, widget_errors
