"""Chapter 7 in a real browser: run all cells, find the volume manager, type a command that
makes an unused anonymous volume, wait for the picture to mark it for prune, press *Prune*,
check that nothing is wider than the 1280 px window, save screenshots."""
from __future__ import annotations

import pytest

from .conftest import ARTIFACTS, new_page, open_and_run_all

pytestmark = [pytest.mark.oracle, pytest.mark.slow]

NAME = "07-volume-management.ipynb"
SVG = ".layerlab-volume-manager .widget-html svg.layerlab-volumes"


def _svg(page) -> str:
    return page.eval_on_selector(SVG, "e => e.outerHTML")


def _too_wide(page) -> list[str]:
    return page.evaluate("""() => {
        const w = window.innerWidth, out = [];
        for (const el of document.querySelectorAll('.layerlab-volume-manager, .layerlab-volume-manager *')) {
            const r = el.getBoundingClientRect();
            if (r.width > 0 && r.right > w + 1) out.push(el.tagName + '.' + el.className + ' right=' + r.right);
        }
        return out; }""")


def test_chapter_runs_and_the_volume_manager_reacts(playwright_sync, lab):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    console: list[str] = []
    browser, page = new_page(playwright_sync, console)
    try:
        errors = open_and_run_all(page, lab, NAME)
        assert errors == [], f"cells raised in the browser: {errors}"
        page.wait_for_selector(SVG, timeout=60_000)
        vm = page.locator(".layerlab-volume-manager").first
        vm.scroll_into_view_if_needed()
        before = _svg(page)
        assert before.count('class="volume prune"') == 0
        page.screenshot(path=str(ARTIFACTS / "07-volume-management-before.png"))

        box = vm.locator("input[type='text']").first
        box.fill("docker run --name tmp -v /scratchpad busybox true")
        page.wait_for_timeout(300)
        vm.locator("button[title='Run']").click()
        page.wait_for_function("before => { const s = document.querySelector('" + SVG + "');"
                               " return s && s.outerHTML !== before; }", arg=before, timeout=30_000)
        page.wait_for_timeout(300)
        box.fill("docker rm tmp")
        page.wait_for_timeout(300)
        vm.locator("button[title='Run']").click()
        page.wait_for_function("() => { const s = document.querySelector('" + SVG + "');"
                               " return s && s.outerHTML.includes('class=\"volume prune\"'); }", timeout=30_000)
        vm.scroll_into_view_if_needed()
        assert _too_wide(page) == []
        vm.screenshot(path=str(ARTIFACTS / "07-volume-management-widget.png"))

        vm.locator("button[title='docker volume prune -f']").click()
        page.wait_for_function("() => { const o = document.querySelector('.layerlab-volume-manager pre');"
                               " return o && o.textContent.includes('Deleted Volumes'); }", timeout=30_000)
        page.wait_for_function("() => { const s = document.querySelector('" + SVG + "');"
                               " return s && !s.outerHTML.includes('class=\"volume prune\"'); }", timeout=30_000)
        assert _too_wide(page) == []
        page.screenshot(path=str(ARTIFACTS / "07-volume-management-after-prune.png"))
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "07-volume-management-failure.png"))
        raise
    finally:
        browser.close()
    widget_errors = [e for e in console if "widget" in e.lower() or "layerlab" in e.lower()]
    assert not widget_errors, widget_errors
