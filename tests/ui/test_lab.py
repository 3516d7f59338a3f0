"""The chapter in a real browser: JupyterLab in Debian's Chromium, driven by Playwright.

A fresh JupyterLab serves a temporary root holding a copy of the chapter, with every
JUPYTER_* directory in a temporary place (no state from $HOME, no restored workspace) and the
news/update toast turned off in the user settings (it covers screenshots). The test runs all
cells, waits for the layer explorer's SVG, changes the *line* menu and clicks *Add line*,
waits for the SVG to change, and saves screenshots to tests/artifacts/.

Needs /usr/bin/chromium (Debian package ``chromium``; never ``playwright install``). Without it
the test skips — except under CI=true, where a missing browser is a failure.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "notebooks" / "01-layer-architecture.ipynb"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

pytestmark = [pytest.mark.oracle, pytest.mark.slow]


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"CI=true but the browser test cannot run: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def playwright_sync():
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright; no `playwright install` needed)")
    with sync_playwright() as p:
        yield p


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"jupyter lab did not answer on {url} in {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server we started, by its PID (it shuts its kernels down on SIGTERM); then make
    sure nothing of its process group (our own kernels) is left behind."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    try:
        os.killpg(proc.pid, signal.SIGKILL)     # the group is ours: start_new_session=True below
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab on a loopback port with a temporary root and temporary Jupyter dirs."""
    if not CHAPTER.exists():
        pytest.fail(f"{CHAPTER} is missing")
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "root"
    root.mkdir()
    shutil.copy(CHAPTER, root / CHAPTER.name)
    settings = tmp / "user-settings"
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    # G11: without this, "Would you like to get notified about official Jupyter news?" covers screenshots
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = dict(os.environ)
    env.update({
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
        "JUPYTER_DATA_DIR": str(tmp / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "IPYTHONDIR": str(tmp / "ipython"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
        "JUPYTER_PLATFORM_DIRS": "1",
    })
    port = _free_port()
    log = tmp / "lab.log"
    jupyter_lab = Path(sys.executable).with_name("jupyter-lab")
    cmd = [str(jupyter_lab) if jupyter_lab.exists() else sys.executable, *([] if jupyter_lab.exists() else ["-m", "jupyterlab"]),
           "--no-browser", f"--port={port}", "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
           "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
           f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True", "--allow-root"]
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        _wait_http(f"http://127.0.0.1:{port}/api/status", proc, log)
        yield {"url": f"http://127.0.0.1:{port}", "root": root, "log": log, "pid": proc.pid}
    finally:
        _stop(proc)


def _start_kernel_session(base_url: str, name: str) -> None:
    """Start the notebook's kernel through the REST API before the page opens, so Lab attaches
    to it instead of (sometimes) asking "Select Kernel" in a modal dialog."""
    body = json.dumps({"path": name, "name": name, "type": "notebook", "kernel": {"name": "python3"}}).encode()
    req = urllib.request.Request(f"{base_url}/api/sessions", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        assert r.status in (200, 201), r.status


def _accept_kernel_dialog(page) -> None:
    """If Lab still shows the "Select Kernel" dialog, take its default (the notebook's kernel)."""
    dialog = page.locator(".jp-Dialog:has-text('Select Kernel')")
    try:
        dialog.wait_for(state="visible", timeout=3_000)
    except Exception:
        return
    dialog.locator("button.jp-mod-accept").click()
    dialog.wait_for(state="hidden", timeout=10_000)


# the current notebook's cell models, as a JS array expression
_CELLS_JS = ("(() => { const m = window.jupyterapp.shell.currentWidget.content.model.cells; "
             "const a = []; for (let i = 0; i < m.length; i++) a.push(m.get(i)); return a; })()")


# "ename: evalue" of every error output in the notebook model
_ERRORS_JS = (f"{_CELLS_JS}.filter(c => c.type === 'code').flatMap(c => {{"
              "  const out = []; for (let j = 0; j < c.outputs.length; j++) out.push(c.outputs.get(j).toJSON());"
              "  return out.filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue); })")


def _svg(page) -> str:
    return page.eval_on_selector(".layerlab-explorer .widget-html svg.layerlab-stack", "e => e.outerHTML")


def test_chapter_runs_and_the_explorer_reacts_in_chromium(playwright_sync, lab):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "01-layer-architecture-failure.png").unlink(missing_ok=True)
    browser = playwright_sync.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    console_errors: list[str] = []
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        _start_kernel_session(lab["url"], CHAPTER.name)
        page.goto(f"{lab['url']}/lab/tree/{CHAPTER.name}")
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
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "01-layer-architecture-failure.png"))
        raise
    finally:
        browser.close()
    widget_errors = [e for e in console_errors if "widget" in e.lower() or "layerlab" in e.lower()]
    assert not widget_errors, widget_errors
