"""The lifecycle explorer: press docker's lifecycle commands and watch which files survive.

One button per command — *create*, *start*, *stop*, *restart*, *rm*, *run*, *commit* — plus
*write file* (a ``docker exec`` that writes ``/data/<name>`` in the chosen container). Each
button runs the real command line on the engine (through :func:`layerlab.cli.run`, so the output
and the errors are docker's own), then redraws every container with its writable layer and
files (:func:`layerlab.render.lifecycle.lifecycle_svg`) and says which files this step kept,
lost or added.

Every callback is plain Python, so tests drive it without a browser::

    lx = LifecycleExplorer()
    lx.run_button.click()             # docker run -d --name c1 busybox sleep 3600
    lx.filename.value = "notes.txt"
    lx.write_button.click()           # docker exec c1 sh -c '... > /data/notes.txt'
    lx.stop_button.click(); lx.start_button.click()
    lx.state["containers"][0]["writable"]     # ['notes.txt']
    lx.rm_button.click()              # refused: the container is running (docker's message)
    lx.force.value = True; lx.rm_button.click()
    lx.last_step["lost"]              # ['c1: notes.txt']
"""
from __future__ import annotations

import re
import shlex
from xml.sax.saxutils import escape

from ..render.lifecycle import DATA_DIR, lifecycle_state, lifecycle_svg, survival
from . import require_ipywidgets

__all__ = ["LifecycleExplorer"]

_SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]{1,40}$")


class LifecycleExplorer:
    """Containers of one image, driven by lifecycle buttons.

    Args:
        image: the image *create* and *run* use (a catalog name, pulled on first use).
        engine: the engine to work on; ``None`` makes a fresh deterministic one (the widget
            then owns every container it shows).
        command: the process each container runs (it must keep running: ``sleep 3600``).

    Attributes:
        container: ``Dropdown`` of the containers the buttons act on (newest selected).
        image_choice: ``Dropdown`` of the images *create*/*run* start from (committed ones join it).
        filename: ``Text``: the file *write file* writes under ``/data``.
        force: ``Checkbox``: *rm* as ``docker rm -f``; ``auto_remove``: *run* as ``docker run --rm``.
        create_button, start_button, stop_button, restart_button, rm_button, run_button,
        commit_button, write_button: the ``Button`` widgets.
        picture: ``HTML`` holding the SVG; ``log``: the commands run and their output;
        status: what the last step kept, lost and added.
        state: the last snapshot (plain data, see :func:`~layerlab.render.lifecycle.lifecycle_state`);
        last_step: ``{"kept", "lost", "new"}`` of the last step; history: every
        ``(command line, exit status, output)`` run so far.
        ui: the ``VBox`` that is displayed.
    """

    def __init__(self, image: str = "busybox", *, engine=None, command: str = "sleep 3600"):
        W = require_ipywidgets()
        if engine is None:
            from ..engine import Engine
            engine = Engine()
        self.engine = engine
        if engine.find_image(image) is None:
            try:                      # pull it now, so the first run does not print a pull log
                engine.pull(image)
            except Exception:
                pass                  # an unknown image: create/run will show docker's error
        self.base_image = image
        self.command = command
        self.removed: list[dict] = []
        self.history: list[tuple[str, int, str]] = []
        self._counter = 0
        self.state = lifecycle_state(engine, removed=self.removed)
        self.last_step = {"kept": [], "lost": [], "new": []}

        btn = dict(layout=W.Layout(width="auto", flex="0 0 auto"))
        self.create_button = W.Button(description="create", tooltip="docker create: a new container, not started", **btn)
        self.start_button = W.Button(description="start", tooltip="docker start the chosen container", **btn)
        self.stop_button = W.Button(description="stop", tooltip="docker stop the chosen container", **btn)
        self.restart_button = W.Button(description="restart", tooltip="docker restart the chosen container", **btn)
        self.rm_button = W.Button(description="rm", button_style="danger", tooltip="docker rm the chosen container", **btn)
        self.run_button = W.Button(description="run", button_style="primary",
                                   tooltip="docker run -d: create + start a new container", **btn)
        self.commit_button = W.Button(description="commit", tooltip="docker commit: the writable layer becomes an image layer", **btn)
        self.write_button = W.Button(description="write file", button_style="success",
                                     tooltip="docker exec: write a file under /data in the chosen container", **btn)
        self.force = W.Checkbox(value=False, description="rm -f", indent=False, layout=W.Layout(width="auto"))
        self.auto_remove = W.Checkbox(value=False, description="run --rm", indent=False, layout=W.Layout(width="auto"))
        self.container = W.Dropdown(options=[], description="container", layout=W.Layout(width="16em"))
        self.image_choice = W.Dropdown(options=[image], value=image, description="image", layout=W.Layout(width="18em"))
        self.filename = W.Text(value="notes.txt", description="file", layout=W.Layout(width="16em"))
        self.picture = W.HTML(layout=W.Layout(width="100%"))
        self.log = W.HTML()
        self.status = W.HTML()

        row = dict(layout=W.Layout(flex_flow="row wrap", align_items="center", width="100%"))
        self.controls = W.VBox([
            W.HBox([self.container, self.filename, self.write_button], **row),
            W.HBox([self.create_button, self.start_button, self.stop_button, self.restart_button,
                    self.rm_button, self.force, self.commit_button], **row),
            W.HBox([self.image_choice, self.run_button, self.auto_remove], **row),
        ], layout=W.Layout(width="100%"))
        self.ui = W.VBox([self.controls, self.status, self.picture, self.log], layout=W.Layout(width="100%"))
        self.ui.add_class("layerlab-lifecycle")

        for b, fn in ((self.create_button, self.create), (self.start_button, self.start),
                      (self.stop_button, self.stop), (self.restart_button, self.restart),
                      (self.rm_button, self.rm), (self.run_button, self.run),
                      (self.commit_button, self.commit), (self.write_button, self.write)):
            b.on_click(lambda _b, fn=fn: fn())
        self.redraw()

    # ------------------------------------------------------------------ display
    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<LifecycleExplorer {len(self.state['containers'])} containers>"

    # ------------------------------------------------------------------ running commands
    def docker(self, line: str) -> tuple[int, str]:
        """Run one docker command line on the engine; record and show it. ``(status, output)``."""
        from ..cli import run
        before = self.state
        code, out, err = run(shlex.split(line)[1:], self.engine)
        text = (out + err).decode("utf-8", "replace")
        self.history.append((line, code, text))
        self._refresh_choices()
        self.state = lifecycle_state(self.engine, removed=self.removed)
        self.last_step = survival(before, self.state)
        self.redraw(line=line, code=code, output=text)
        return code, text

    def _chosen(self) -> str | None:
        return self.container.value

    def _need_container(self, verb: str) -> str | None:
        name = self._chosen()
        if name is None:
            self._say(f"No container to {verb}: press create or run first.", error=True)
        return name

    def _new_name(self) -> str:
        names = {c.name for c in self.engine.ps(all=True)} | {r["name"] for r in self.removed}
        while True:
            self._counter += 1
            if f"c{self._counter}" not in names:
                return f"c{self._counter}"

    def _refresh_choices(self, select: str | None = None) -> None:
        names = [c.name for c in sorted(self.engine.ps(all=True), key=lambda c: c.created)]
        keep = select or (self.container.value if self.container.value in names else (names[-1] if names else None))
        self.container.options = names
        self.container.value = keep
        imgs = [self.base_image] + sorted(
            (t[:-len(":latest")] if t.endswith(":latest") else t)
            for t in self.engine.committed_tags())
        cur = self.image_choice.value
        self.image_choice.options = list(dict.fromkeys(imgs))
        self.image_choice.value = cur if cur in imgs else self.base_image

    def _remove_step(self, line: str, name: str) -> tuple[int, str]:
        """A command that may remove ``name``: remember its files if it is gone afterwards."""
        snapshot = self.state
        from ..cli import run
        code, out, err = run(shlex.split(line)[1:], self.engine)
        if self.engine.find_container(name) is None:
            for c in snapshot["containers"]:
                if c["name"] == name:
                    self.removed.append({"name": name, "state": "removed", "status": "removed",
                                         "image": c["image"], "writable": list(c["writable"]),
                                         "from_image": []})
        text = (out + err).decode("utf-8", "replace")
        self.history.append((line, code, text))
        self._refresh_choices()
        self.state = lifecycle_state(self.engine, removed=self.removed)
        self.last_step = survival(snapshot, self.state)
        self.redraw(line=line, code=code, output=text)
        return code, text

    # ------------------------------------------------------------------ the buttons
    def create(self) -> tuple[int, str]:
        """``docker create --name cN IMAGE sleep 3600``."""
        name = self._new_name()
        code, text = self.docker(f"docker create --name {name} {self.image_choice.value} {self.command}")
        if code == 0:
            self._refresh_choices(select=name)
            self.redraw(line=self.history[-1][0], code=code, output=text)
        return code, text

    def run(self) -> tuple[int, str]:
        """``docker run -d [--rm] --name cN IMAGE sleep 3600``."""
        name = self._new_name()
        rm = " --rm" if self.auto_remove.value else ""
        code, text = self.docker(f"docker run -d{rm} --name {name} {self.image_choice.value} {self.command}")
        if code == 0:
            self._refresh_choices(select=name)
            self.redraw(line=self.history[-1][0], code=code, output=text)
        return code, text

    def start(self):
        name = self._need_container("start")
        return None if name is None else self.docker(f"docker start {name}")

    def stop(self):
        name = self._need_container("stop")
        if name is None:
            return None
        return self._remove_step(f"docker stop {name}", name)    # a --rm container goes away

    def restart(self):
        name = self._need_container("restart")
        return None if name is None else self.docker(f"docker restart {name}")

    def rm(self, force: bool | None = None):
        """``docker rm [-f] NAME`` (``force`` defaults to the *rm -f* box)."""
        name = self._need_container("remove")
        if name is None:
            return None
        force = self.force.value if force is None else force
        return self._remove_step(f"docker rm{' -f' if force else ''} {name}", name)

    def commit(self):
        """``docker commit NAME NAME-snap`` (a second commit of the same container: ``-snap2``...)."""
        name = self._need_container("commit")
        if name is None:
            return None
        taken = {t for t, _img in self.engine.images(all=True) if t}
        ref, n = f"{name}-snap", 1
        while f"{ref}:latest" in taken:
            n += 1
            ref = f"{name}-snap{n}"
        return self.docker(f"docker commit {name} {ref}")

    def write(self, filename: str | None = None):
        """``docker exec NAME sh -c 'mkdir -p /data && echo ... > /data/FILE'``."""
        name = self._need_container("write into")
        if name is None:
            return None
        fname = (self.filename.value if filename is None else filename).strip()
        if not _SAFE_NAME.match(fname):
            self._say("A file name is letters, digits, '.', '_' or '-' (at most 40), e.g. notes.txt.", error=True)
            return None
        script = f"mkdir -p {DATA_DIR} && echo written by {name} > {DATA_DIR}/{fname}"
        return self.docker(f"docker exec {name} sh -c {shlex.quote(script)}")

    # ------------------------------------------------------------------ drawing
    def _say(self, message: str, error: bool = False) -> None:
        color = "#c62828" if error else "#2e7d32"
        self.status.value = f'<div style="color:{color}">{escape(message)}</div>'

    def redraw(self, line: str | None = None, code: int = 0, output: str = "") -> None:
        self.picture.value = lifecycle_svg(self.state)
        if line is None:
            self.status.value = ("<div>Press <b>run</b> to start a container, <b>write file</b> to put a file "
                                 "in its writable layer, then try the other buttons.</div>")
        else:
            step = self.last_step
            parts = []
            if step["lost"]:
                parts.append('<span style="color:#c62828">lost: ' + escape(", ".join(step["lost"])) + "</span>")
            if step["new"]:
                parts.append('<span style="color:#2e7d32">new: ' + escape(", ".join(step["new"])) + "</span>")
            if step["kept"]:
                parts.append("kept: " + escape(", ".join(step["kept"])))
            verdict = " · ".join(parts) or "no files yet"
            mark = "✓" if code == 0 else "✗"
            color = "#2e7d32" if code == 0 else "#c62828"
            self.status.value = (f'<div><span style="color:{color}">{mark}</span> <code>{escape(line)}</code>'
                                 f" — {verdict}</div>")
        rows = "".join(
            f'<div><code>$ {escape(ln)}</code>'
            + (f'<pre style="margin:0 0 0 1em;{"color:#c62828;" if c else ""}white-space:pre-wrap">'
               f"{escape(out.strip())}</pre>" if out.strip() else "")
            + "</div>"
            for ln, c, out in self.history[-6:])
        self.log.value = ("<details open><summary>commands run (newest last)</summary>" + rows + "</details>"
                          if rows else "")
