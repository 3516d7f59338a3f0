"""Shared browser-test machinery: one JupyterLab for the whole test session, serving a copy of
``notebooks/`` (every chapter, the start page, the glossary) and, under ``practice/``, the
practice release of it, from a temporary root with every JUPYTER_* directory in a temporary
place (no state from $HOME, no restored workspace); the learner's Lab settings as on Binder
(``binder/learner``: no nbgrader instructor panels, no news toast, Markdown opens rendered);
Debian's Chromium driven by Playwright.

Needs /usr/bin/chromium (Debian package ``chromium``; never ``playwright install``). Without it
the tests skip — except under CI=true, where a missing browser is a failure.

A chapter's browser test uses the ``lab`` and ``playwright_sync`` fixtures and the helpers
below: ``open_and_run_all(page, lab, name)`` opens a notebook, runs every cell and returns the
error outputs.
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
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"CI=true but the browser test cannot run: {reason}")
    pytest.skip(reason)


def sync_playwright_or_fail():
    """Playwright driving Debian's Chromium (a generator for fixtures); fails under CI=true and
    skips elsewhere when either is missing."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright; no `playwright install` needed)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def playwright_sync():
    yield from sync_playwright_or_fail()


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


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A JupyterLab on a loopback port with a temporary root and temporary Jupyter dirs."""
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "root"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    from autograder.practice import release_practice
    release_practice(sorted(NOTEBOOKS.glob("*.ipynb")), root / "practice")
    settings = tmp / "user-settings"
    # the learner's JupyterLab defaults (binder/learner/overrides.json), as user settings here;
    # G11: without the notification one, "get notified about Jupyter news?" covers screenshots
    overrides = json.loads((ROOT / "binder" / "learner" / "overrides.json").read_text())
    for plugin, values in overrides.items():
        package, name = plugin.split(":")
        (settings / package).mkdir(parents=True, exist_ok=True)
        (settings / package / f"{name}.jupyterlab-settings").write_text(json.dumps(values))
    env = dict(os.environ)
    env.update({
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),
        "JUPYTER_DATA_DIR": str(tmp / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "IPYTHONDIR": str(tmp / "ipython"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
        "JUPYTER_PLATFORM_DIRS": "1",
        # nbgrader's instructor panels off, as the learner sees the course (binder/start)
        "JUPYTER_CONFIG_PATH": str(ROOT / "binder" / "learner"),
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


def new_page(playwright_sync, console_errors: list[str] | None = None):
    """A Chromium page 1280x800 wide (the contract's window); returns (browser, page)."""
    browser = playwright_sync.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    if console_errors is not None:
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    return browser, page


def open_and_run_all(page, lab, name: str, timeout_ms: int = 120_000) -> list[str]:
    """Open notebook ``name`` (a path under the lab root), clear its outputs, Run All, wait
    until every code cell ran (or one raised) and the kernel is idle; return the error outputs
    as ``"ename: evalue"`` strings."""
    _start_kernel_session(lab["url"], name)
    page.goto(f"{lab['url']}/lab/tree/{name}?reset")   # ?reset: no tabs restored from an earlier test
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    _accept_kernel_dialog(page)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(f"() => {_CELLS_JS}.every(c => c.type !== 'code' || c.executionCount === null)",
                           timeout=10_000)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function(f"() => {_CELLS_JS}.every(c => c.type !== 'code' || c.executionCount !== null)"
                           f" || {_ERRORS_JS}.length > 0", timeout=timeout_ms)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
    return page.evaluate(f"() => {_ERRORS_JS}")
