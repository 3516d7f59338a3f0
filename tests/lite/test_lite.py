"""The JupyterLite site (``make lite``, binder/lite/build.py) in Debian's Chromium, offline: the
site is built into a temporary folder, served by ``python -m http.server`` on loopback, and every
request the page makes to anything but that server is aborted (and counted: there must be none).

* load-to-ready: the page opened at the start page until its Pyodide kernel answers;
* every chapter of the practice release runs all its cells in the browser with no error, and
  one widget per chapter that has one is driven once (its output must change: a round trip
  through the kernel);
* one practice check answered wrong ("Not yet: <hint>"), then right ("Right!", model answer);
* progress stays in the browser: the answer is saved, survives a reload, and deleting the
  notebook from browser storage brings the original chapter back;
* the CLI runs in-process (no daemon), its SQLite store included, and so does ``%docker``.

Times go to tests/artifacts/lite-times.json (the README's numbers), screenshots to
tests/artifacts/lite-*.png."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.practice import exercises, strip_markers

from ..ui.conftest import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, NOTEBOOKS, _free_port, _stop, _unavailable,
                           sync_playwright_or_fail)
from ..ui.test_course_practice import _OUTPUT_TEXT, _wrong

pytestmark = [pytest.mark.oracle, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
TIMES: dict = {"chapters": {}}

# per chapter with a widget: a code fragment of the widget's cell, and what to do to it once
WIDGETS = {
    "01-layer-architecture.ipynb": ("LayerExplorer(", lambda w: w.get_by_role("button", name="Add line").click()),
    "02-copy-on-write.ipynb": ("CowExplorer(", lambda w: w.get_by_role("button", name="Run").click()),
    "03-storage-drivers.ipynb": ("DriverComparison(", lambda w: w.get_by_role("button", name="Run on every driver").click()),
    "04-exploring-filesystems.ipynb": ("ImageExplorer(", lambda w: _other_option(w.locator("select").first)),
    "05-ephemeral-data.ipynb": ("LifecycleExplorer(", lambda w: w.get_by_role("button", name="run", exact=True).click()),
    "06-storage-types.ipynb": ("MountExplorer(", lambda w: w.get_by_role("button", name="docker stop").click()),
    "07-volume-management.ipynb": ("VolumeManager(", lambda w: w.locator("button[title='docker volume prune -f']").click()),
    "08-capstone.ipynb": ("LayerExplorer(", lambda w: w.get_by_role("button", name="Add line").first.click()),
}


def _other_option(select) -> None:
    values = select.evaluate("s => Array.from(s.options).map(o => o.value)")
    current = select.evaluate("s => s.value")
    select.select_option(next(v for v in values if v != current))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site, built by binder/lite/build.py (downloads from the registries, cached in
    .lite-cache/), with the Lab app exposed as ``window.jupyterapp`` for the test."""
    if shutil.which("npm") is None:
        _unavailable("npm is not installed (the Pyodide runtime comes from the npm registry)")
    out = tmp_path_factory.mktemp("lite") / "site"
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, str(ROOT / "binder" / "lite" / "build.py"), "--output", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, f"the lite build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    TIMES["build_s"] = round(time.monotonic() - t0, 1)
    TIMES["site_mb"] = round(sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 1e6, 1)
    config = json.loads((out / "jupyter-lite.json").read_text())
    config["jupyter-config-data"]["exposeAppInBrowser"] = True
    (out / "jupyter-lite.json").write_text(json.dumps(config))
    return out


@pytest.fixture(scope="module")
def server(site):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port),
                             "--directory", str(site)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        import urllib.request
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/jupyter-lite.json", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("http.server did not start")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def playwright_module():
    """Playwright for this module only (tests/ui's is session-wide; two at once cannot run)."""
    yield from sync_playwright_or_fail()


@pytest.fixture(scope="module")
def browser_page(playwright_module, server):
    """One Chromium page on the site; every request off the server is aborted and recorded."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("lite-*"):
        old.unlink()
    browser = playwright_module.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    offsite: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url.startswith(server + "/"):
            r.continue_()
        else:
            offsite.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.offsite, page.console_errors = offsite, errors
    try:
        yield page
    finally:
        browser.close()
        (ARTIFACTS / "lite-times.json").write_text(json.dumps(TIMES, indent=2) + "\n")


_NB = "window.jupyterapp.shell.currentWidget"
_OPEN = """async path => {
  const app = window.jupyterapp;
  for (const w of Array.from(app.shell.widgets('main'))) {
    if (w.sessionContext) { if (w.context) w.context.model.dirty = false; await w.sessionContext.shutdown(); }
    w.dispose();
  }
  const w = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await w.context.ready; await w.sessionContext.ready;
  await w.sessionContext.session.kernel.info;
  return true;
}"""
_CELLS = f"(() => {{ const m = {_NB}.content.model.cells; const a = []; for (let i = 0; i < m.length; i++) a.push(m.get(i)); return a; }})()"
_ERRORS = (f"{_CELLS}.filter(c => c.type === 'code').flatMap(c => {{ const out = [];"
           " for (let j = 0; j < c.outputs.length; j++) out.push(c.outputs.get(j).toJSON());"
           " return out.filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue); })")
_RUN_ALL = """async () => {
  await window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs');
  await window.jupyterapp.commands.execute('notebook:run-all-cells');
}"""
_ALL_RAN = f"() => {_CELLS}.every(c => c.type !== 'code' || c.executionCount !== null) || {_ERRORS}.length > 0"
_IDLE = ".jp-Notebook-ExecutionIndicator[data-status='idle']"
_EXEC = f"""async code => {{
  const f = {_NB}.sessionContext.session.kernel.requestExecute({{code, store_history: false}});
  const out = [];
  f.onIOPub = m => {{ const c = m.content; if (c.text) out.push(c.text);
    if (c.ename) out.push('ERROR ' + c.ename + ': ' + c.evalue); }};
  await f.done; return out.join('');
}}"""
_SET_AND_RUN = f"""async ([i, text]) => {{
  const nb = {_NB}.content;
  if (text !== null) nb.model.cells.get(i).sharedModel.setSource(text);
  nb.activeCellIndex = i;
  await window.jupyterapp.commands.execute('notebook:run-cell');
}}"""


def _open(page, server, path: str, reload: bool = False) -> float:
    t0 = time.monotonic()
    if reload or not page.url.startswith(server):
        page.goto(f"{server}/lab/index.html")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.serviceManager", timeout=60_000)
        page.evaluate("() => window.jupyterapp.restored")
    page.evaluate(_OPEN, path)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    return time.monotonic() - t0


def _run_cell(page, index: int, text: str | None = None) -> None:
    page.evaluate(_SET_AND_RUN, [index, text])
    page.wait_for_selector(_IDLE, timeout=60_000)


_STREAMS = f"""() => {_CELLS}.map(c => {{ if (c.type !== 'code') return null; const a = [];
  for (let j = 0; j < c.outputs.length; j++) {{ const o = c.outputs.get(j).toJSON();
    if (o.output_type === 'stream') a.push([].concat(o.text).join('')); }}
  return [c.id, c.sharedModel.getSource(), a.join('')]; }}).filter(x => x)"""


# cells whose output in the browser is rightly not the stored one, and why
UNANSWERED = "prints what an exercise's answer did: unanswered in the practice release"
KNOWN_DIFFERENCES = {
    "02-copy-on-write.ipynb": {
        "c02-49": "EXDEV is errno 75 'Cross-device link' under Emscripten, 18 'Invalid cross-device "
                  "link' on Linux (the engine raises the platform's errno, which learners' code compares with)",
    },
    # the stored outputs are the instructor's, with the exercises solved; these cells print
    # what the solution does, and the practice release leaves the exercise to the learner
    "05-ephemeral-data.ipynb": dict.fromkeys(["ch05-66-code"], UNANSWERED),
    "08-capstone.ipynb": dict.fromkeys(["code-47", "code-62", "code-64", "code-72", "code-73", "code-78",
                                        "code-80", "code-82"], UNANSWERED),
}


def _differ_from_stored(page, chapter: str) -> list[str]:
    """The code cells whose printed text (stdout, stderr) in the browser is not the source
    notebook's stored output (what nbval checks under CPython), among the cells the practice
    release left unchanged and nbval compares (no NBVAL_IGNORE_OUTPUT), except
    KNOWN_DIFFERENCES."""
    stored = {c["id"]: c for c in json.loads((NOTEBOOKS / chapter).read_text())["cells"]}
    known = KNOWN_DIFFERENCES.get(chapter, {})
    differ = []
    for cid, src, text in page.evaluate(_STREAMS):
        cell = stored.get(cid)
        if (cell is None or "".join(cell["source"]) != src or "NBVAL_IGNORE_OUTPUT" in src
                or cid in known):
            continue
        want = "".join("".join(o["text"]) for o in cell.get("outputs", []) if o["output_type"] == "stream")
        if text != want:
            differ.append(f"{cid}: {src.splitlines()[0] if src else ''}: {text[:200]!r} != {want[:200]!r}")
    return differ


def _cell_index(page, fragment: str) -> int:
    sources = page.evaluate(f"() => {_CELLS}.map(c => c.sharedModel.getSource())")
    return next(i for i, s in enumerate(sources) if fragment in s)


def test_load_to_ready_and_the_cli_in_process(browser_page, server):
    page = browser_page
    t0 = time.monotonic()
    page.goto(f"{server}/lab/index.html?path=00-start-here.ipynb")
    page.wait_for_function(f"() => window.jupyterapp && {_NB} && {_NB}.sessionContext && {_NB}.sessionContext.session", timeout=60_000)
    page.evaluate(f"async () => {{ await {_NB}.sessionContext.ready; await {_NB}.sessionContext.session.kernel.info; }}")
    TIMES["load_to_ready_s"] = round(time.monotonic() - t0, 1)
    page.screenshot(path=str(ARTIFACTS / "lite-start-page.png"))
    out = page.evaluate(_EXEC, """
import sys, sqlite3, os
from layerlab.cli import client, main
print(sys.platform, "daemon" if client.enabled() else "in-process")
for args in (["pull", "alpine"], ["run", "--name", "c1", "alpine", "sh", "-c", "echo hi > /f"], ["diff", "c1"], ["ps", "-a", "-s", "--format", "{{.Names}} {{.Size}}"]):
    print("rc", main(args))
print(sorted(f for f in os.listdir(os.path.expanduser("~/.local/share/layerlab")) if f.startswith("store.db"))[:1])
get_ipython().run_line_magic("load_ext", "layerlab.magic")
get_ipython().run_line_magic("docker", "run --name m1 alpine sh -c 'echo x > /y'")
get_ipython().run_line_magic("docker", "diff m1")
""")
    assert "ERROR" not in out, out
    assert out.startswith("emscripten in-process"), out
    assert "rc 1" not in out and out.count("rc 0") == 4, out
    assert "A /f" in out and "c1 3B (virtual 7.38MB)" in out, out      # docker's numbers, in the browser
    assert "['store.db']" in out, out                                  # the CLI's SQLite store
    assert "A /y" in out, out                                          # %docker
    assert page.offsite == [], f"requests off the site: {page.offsite}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_runs_in_the_browser(browser_page, server, chapter):
    page = browser_page
    stem = chapter[:-len(".ipynb")]
    try:
        opened = _open(page, server, chapter)
        t0 = time.monotonic()
        page.evaluate(_RUN_ALL)
        page.wait_for_function(_ALL_RAN, timeout=240_000, polling=500)
        page.wait_for_selector(_IDLE, timeout=60_000)
        ran = time.monotonic() - t0
        errors = page.evaluate(f"() => {_ERRORS}")
        assert errors == [], f"cells raised in the browser: {errors}"
        differ = _differ_from_stored(page, chapter)
        assert differ == [], f"printed in the browser, not what CPython printed (stored outputs): {differ}"
        TIMES["chapters"][stem] = {"open_s": round(opened, 1), "run_all_s": round(ran, 1),
                                   "code_cells": page.evaluate(f"() => {_CELLS}.filter(c => c.type === 'code').length")}
        page.screenshot(path=str(ARTIFACTS / f"lite-{stem}-top.png"))
        if chapter in WIDGETS:
            fragment, act = WIDGETS[chapter]
            i = _cell_index(page, fragment)
            area = page.locator(".jp-Notebook .jp-Cell").nth(i).locator(".jp-OutputArea")
            area.locator(".jupyter-widgets").first.wait_for(timeout=30_000)
            area.scroll_into_view_if_needed()
            before = area.evaluate("e => e.textContent")
            act(area)
            page.wait_for_function("([e, b]) => e.textContent !== b", arg=[area.element_handle(), before], timeout=30_000)
            page.wait_for_timeout(300)
            page.screenshot(path=str(ARTIFACTS / f"lite-{stem}-widget.png"))
        assert page.offsite == [], f"requests off the site: {page.offsite}"
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"lite-{stem}-failure.png"))
        raise


def test_practice_check_and_progress_in_browser_storage(browser_page, server):
    """Chapter 1's first code exercise: wrong, then right; saved; kept across a reload; and
    deleting the notebook from browser storage restores the original chapter."""
    page = browser_page
    chapter = "01-layer-architecture.ipynb"
    source = json.loads((NOTEBOOKS / chapter).read_text())
    ex = next(e for e in exercises(source) if e.kind == "code")
    cells = source["cells"]
    models = [strip_markers("".join(cells[j]["source"])) for j in ex.answer_cells]
    try:
        _open(page, server, chapter)
        ids = page.evaluate(f"() => {_CELLS}.map(c => c.id)")
        answers = [ids.index(cells[j]["id"]) for j in ex.answer_cells]
        check = ids.index(cells[ex.test_cell]["id"])
        original = page.evaluate(f"i => {_NB}.content.model.cells.get(i).sharedModel.getSource()", answers[-1])
        # the cells before the exercise (the engine, the images it asks about)
        page.evaluate(f"""async n => {{ const nb = {_NB}.content; nb.activeCellIndex = 0;
            for (let i = 0; i < n; i++) nb.select(nb.widgets[i]);
            nb.activeCellIndex = n - 1; nb.extendContiguousSelectionTo(0);
            await window.jupyterapp.commands.execute('notebook:run-cell'); }}""", min(answers))
        page.wait_for_selector(_IDLE, timeout=120_000)
        for n, i in enumerate(answers):
            _run_cell(page, i, _wrong(models[n], ex.names) if n == len(answers) - 1 else models[n])
        _run_cell(page, check)
        page.wait_for_function(f"i => ({_OUTPUT_TEXT})(i).includes('Not yet: ')", arg=check, timeout=60_000)
        text = page.evaluate(_OUTPUT_TEXT, check)
        assert text.split("Not yet: ", 1)[1].strip(), f"no hint: {text}"
        page.locator(".jp-Notebook .jp-Cell").nth(check).scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "lite-practice-not-yet.png"))
        for n, i in enumerate(answers):
            _run_cell(page, i, models[n])
        _run_cell(page, check)
        page.wait_for_function(f"i => ({_OUTPUT_TEXT})(i).includes('Right! Every check passes.')", arg=check, timeout=60_000)
        page.locator(".layerlab-practice-right summary").first.click()
        page.wait_for_selector(".layerlab-practice-right details[open] pre", timeout=10_000)
        page.screenshot(path=str(ARTIFACTS / "lite-practice-right.png"))

        # saved to browser storage (IndexedDB), kept across a reload
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_function(f"() => !{_NB}.context.model.dirty", timeout=30_000)
        _open(page, server, chapter, reload=True)
        kept = page.evaluate(f"i => {_NB}.content.model.cells.get(i).sharedModel.getSource()", answers[-1])
        assert kept == models[-1] != original, "the saved answer did not survive a reload"

        # reset, as the README tells learners: File Browser, right-click the chapter, Delete;
        # the original chapter comes back
        page.evaluate(f"""async () => {{ const w = {_NB}; await w.sessionContext.shutdown(); w.dispose(); }}""")
        page.locator(".jp-DirListing-item", has_text=chapter).click(button="right")
        page.locator(".lm-Menu-item[data-command='filebrowser:delete']").click()
        page.locator(".jp-Dialog button.jp-mod-accept").click()
        page.locator(".jp-Dialog").wait_for(state="hidden", timeout=10_000)
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "lite-practice-deleted.png"))
        _open(page, server, chapter)   # no reload needed: the listing is the site's again
        back = page.evaluate(f"i => {_NB}.content.model.cells.get(i).sharedModel.getSource()", answers[-1])
        assert back == original, "deleting the chapter from browser storage did not restore it"
        assert page.offsite == [], f"requests off the site: {page.offsite}"
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "lite-practice-failure.png"))
        raise
