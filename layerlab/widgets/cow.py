"""The copy-on-write explorer: run commands in a container and watch its layers.

One container runs on an image; the picture shows one directory of it, one row per path, with a
column per image layer, one for the writable layer and one for the merged view (see
:mod:`layerlab.render.cow`). Pick an operation from the menu (it fills the command box) or type
a shell command, press *Run*: the command runs with ``docker exec -w <dir> <container> sh -c
'<command>'`` and the picture shows which files moved up into the writable layer, where
whiteouts and opaque directories appeared, and how ``SizeRw`` (``docker ps -s``) grew. A command
that starts with ``docker`` runs as typed (``docker diff cow``). Errors are what the shell or
docker print; the widget never shows a traceback.

Every callback is plain Python::

    ex = CowExplorer("site", watch="/usr/share/nginx/html", engine=eng)
    ex.operation.value = "rm -r images"      # fills ex.command
    ex.run_button.click()                    # runs it, redraws
    ex.size_rw, ex.diff_lines, ex.upper_dict()
    ex.reset_button.click()                  # a fresh container: empty writable layer
"""
from __future__ import annotations

import shlex
from typing import Sequence
from xml.sax.saxutils import escape

from .. import render
from ..errors import LayerlabError
from ..plain import layer_dict
from ..render.cow import cow_grid, cow_rows
from . import require_ipywidgets

__all__ = ["CowExplorer", "SITE_OPERATIONS"]

SITE_OPERATIONS: tuple[tuple[str, str], ...] = (
    ("append a line to index.html (>>)", "echo '<!-- edited -->' >> index.html"),
    ("overwrite index.html (>)", "echo '<h1>New page</h1>' > index.html"),
    ("append 1 byte to the 52MB video", "printf x >> video.mp4"),
    ("open the video for append, write nothing", ": >> video.mp4"),
    ("chmod a file", "chmod 600 css/style.css"),
    ("chown a file", "chown nginx images/logo.png"),
    ("touch a file", "touch images/logo.png"),
    ("read a file (cat)", "cat css/style.css"),
    ("rm a file", "rm index.html"),
    ("rm -r a directory", "rm -r images"),
    ("mkdir (after rm -r: opaque)", "mkdir images"),
    ("mv a directory (EXDEV: copied)", "mv css styles"),
    ("mv a file", "mv index.html home.html"),
    ("create then delete a file", "echo tmp > tmp.txt && rm tmp.txt"),
    ("symlink", "ln -s index.html start.html"),
    ("hard link", "ln index.html copy.html"),
)


def _upper_state(upper) -> tuple[dict, frozenset, frozenset]:
    return dict(upper.entries), frozenset(upper.whiteouts), frozenset(upper.opaques)


class CowExplorer:
    """A container on ``image`` and a live picture of directory ``watch`` in its layers.

    Args:
        image: the image to run (a tag or ID in ``engine``).
        watch: the directory to draw (also the working directory of the commands).
        engine: the engine; ``None`` makes a fresh one (then ``image`` must be a catalog image).
        operations: ``(label, command)`` pairs for the menu.
        name: the container's name (an existing container of that name is replaced).

    Attributes:
        operation: the ``Dropdown`` of ready-made commands (choosing one fills ``command``).
        command: the ``Text`` box with the command *Run* runs.
        run_button, reset_button: the two ``Button`` widgets.
        picture: ``HTML`` with the SVG; ``status``: the last command, its output and errors;
        diff: ``HTML`` with ``docker diff``; ``log``: one line per command run and SizeRw after it.
        size_rw: the writable layer's size now (``docker ps -s``'s SIZE, in bytes).
        diff_lines: ``docker diff`` now, as a list of strings.
        last_code, last_output, last_error: exit code, stdout and stderr of the last command.
        changed: the paths the last command changed in the writable layer.
        history: ``(command, exit code, SizeRw after)`` per command since the last reset.
    """

    def __init__(self, image: str, watch: str = "/", *, engine=None,
                 operations: Sequence[tuple[str, str]] = SITE_OPERATIONS, name: str = "cow"):
        W = require_ipywidgets()
        if engine is None:
            from ..engine import Engine
            engine = Engine()
        self.engine = engine
        self.image_ref = image
        self.watch = watch
        self.name = name
        self.history: list[tuple[str, int, int]] = []
        self.changed: set[str] = set()
        self.last_code, self.last_output, self.last_error = 0, "", ""
        self.redraws = 0

        ops = list(operations)
        self.operation = W.Dropdown(options=[("(pick an operation)", "")] + ops, value="",
                                    description="operation", layout=W.Layout(width="30em"))
        self.command = W.Text(value="", placeholder="or type a command, e.g. rm index.html",
                              description="sh -c", layout=W.Layout(width="100%", flex="1 1 auto"))
        fixed = dict(width="auto", flex="0 0 auto")
        self.run_button = W.Button(description="Run", icon="play", button_style="primary", layout=W.Layout(**fixed))
        self.reset_button = W.Button(description="New container", icon="refresh", layout=W.Layout(**fixed),
                                     tooltip="remove the container and start a fresh one (empty writable layer)")
        self.picture = W.HTML(layout=W.Layout(width="100%"))
        self.status = W.HTML()
        self.diff = W.HTML()
        self.log = W.HTML()
        row1 = W.HBox([self.operation, self.reset_button], layout=W.Layout(flex_flow="row wrap", align_items="center"))
        row2 = W.HBox([self.command, self.run_button], layout=W.Layout(width="100%", align_items="center"))
        details = W.HBox([self.diff, self.log], layout=W.Layout(width="100%", flex_flow="row wrap"))
        self.ui = W.VBox([row1, row2, self.status, self.picture, details], layout=W.Layout(width="100%"))
        self.ui.add_class("layerlab-cow")

        self.operation.observe(self._on_pick, names="value")
        self.run_button.on_click(lambda _b: self.run())
        self.reset_button.on_click(lambda _b: self.reset())
        self.reset()

    # ------------------------------------------------------------------ display
    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<CowExplorer {self.image_ref} {self.watch}>"

    # ------------------------------------------------------------------ state
    @property
    def container(self):
        return self.engine.container(self.name)

    @property
    def size_rw(self) -> int:
        return self.engine.size(self.name).rw

    @property
    def diff_lines(self) -> list[str]:
        return [str(ch) for ch in self.engine.diff(self.name)]

    def upper_dict(self) -> dict[str, str]:
        """The writable layer under ``watch`` as plain data (tar-style names, see layerlab.plain)."""
        return layer_dict(self.container.rootfs.upper, self.watch, limit=64)

    # ------------------------------------------------------------------ actions
    def _on_pick(self, change) -> None:
        if change["new"]:
            self.command.value = change["new"]

    def reset(self) -> None:
        """Remove the container (if any) and run a fresh one: an empty writable layer."""
        try:
            self.engine.rm(self.name, force=True)
        except LayerlabError:
            pass
        self.history = []
        self.changed = set()
        self.last_code, self.last_output, self.last_error = 0, "", ""
        try:
            self.engine.run(self.image_ref, ["sleep", "86400"], detach=True, name=self.name)
        except LayerlabError as exc:
            self.last_code, self.last_error = 125, str(exc)
            self.picture.value = ""
            self.status.value = self._status_html("docker run", self.last_code, "", self.last_error)
            return
        self.status.value = (f"<div>A fresh container <code>{escape(self.name)}</code> on "
                             f"<code>{escape(self.image_ref)}</code>: its writable layer is empty "
                             f"(SizeRw {render.size_text(self.size_rw)}).</div>")
        self.redraw()

    def argv(self, text: str) -> list[str]:
        """The docker command line a typed command becomes."""
        text = text.strip()
        if text.startswith("docker ") or text == "docker":
            return shlex.split(text)[1:]
        return ["exec", "-w", self.watch, self.name, "sh", "-c", text]

    def run(self, text: str | None = None) -> int:
        """Run ``text`` (default: the command box) and redraw; returns the exit code."""
        from ..cli import run as cli_run
        text = (self.command.value if text is None else text).strip()
        if not text:
            self.status.value = '<div style="color:#c62828">Type a command or pick an operation first.</div>'
            return 0
        try:
            argv = self.argv(text)
        except ValueError as exc:         # unbalanced quotes
            argv = None
            code, out, err = 2, "", f"sh: syntax error: {exc}\n"
        alive = self._alive()
        before = _upper_state(self.container.rootfs.upper) if alive else ({}, frozenset(), frozenset())
        if argv is not None:
            try:
                code, out_b, err_b = cli_run(argv, self.engine)
                out, err = out_b.decode("utf-8", "replace"), err_b.decode("utf-8", "replace")
            except Exception as exc:   # a bug in layerlab: say so instead of a traceback in the widget
                code, out, err = 1, "", f"layerlab could not model this command ({type(exc).__name__}: {exc})\n"
        self.last_code, self.last_output, self.last_error = code, out, err
        if self._alive():
            after = _upper_state(self.container.rootfs.upper)
            self.changed = _changed(before, after) if alive else set()
            self.history.append((text, code, self.size_rw))
        else:
            self.changed = set()
        self.status.value = self._status_html(text, code, out, err)
        self.redraw()
        return code

    def _alive(self) -> bool:
        try:
            self.engine.container(self.name)
            return True
        except LayerlabError:
            return False

    # ------------------------------------------------------------------ drawing
    def _status_html(self, text: str, code: int, out: str, err: str) -> str:
        parts = [f"<div><code>$ {escape(text)}</code>"]
        if code:
            parts.append(f' <span style="color:#c62828">(exit code {code})</span>')
        parts.append("</div>")
        if out:
            parts.append(f'<pre style="margin:2px 0;max-height:8em;overflow:auto">{escape(out[:4000])}</pre>')
        if err:
            parts.append(f'<pre style="margin:2px 0;color:#c62828;max-height:8em;overflow:auto">{escape(err[:4000])}</pre>')
        return "".join(parts)

    def redraw(self) -> None:
        """Redraw the picture, docker diff and the log from the engine's state."""
        if not self._alive():
            self.picture.value = ('<div style="color:#c62828">The container is gone: press '
                                  '<b>New container</b> to start a fresh one.</div>')
            self.diff.value = ""
            self.redraws += 1
            return
        c = self.container
        rw = self.size_rw
        prev = self.history[-2][2] if len(self.history) >= 2 else 0
        delta = rw - prev if self.history else 0
        line = f"SizeRw (docker ps -s SIZE): {render.size_text(rw)}"
        if self.history:
            line += f"  ({'+' if delta >= 0 else '-'}{render.size_text(abs(delta))} by the last command)"
        grid = cow_rows(c.image, c.rootfs, self.watch, changed=self.changed)
        self.picture.value = cow_grid(grid, size_line=line)
        diff = self.diff_lines
        self.diff.value = (f"<div style='margin-right:2em'><b>$ docker diff {escape(self.name)}</b>"
                           f"<pre style='margin:2px 0'>{escape(chr(10).join(diff)) or '(no changes)'}</pre></div>")
        pad = "padding:1px 0.7em 1px 0"
        rows = "".join(f"<tr><td style='{pad}'><code>{escape(cmd)}</code></td><td style='{pad}'>{code}</td>"
                       f"<td style='{pad};text-align:right'>{escape(render.size_text(size))}</td></tr>"
                       for cmd, code, size in self.history[-12:])
        self.log.value = ("<div><b>commands since the container started</b><table><thead><tr>"
                          f"<th style='{pad};text-align:left'>command</th><th style='{pad}'>exit code</th>"
                          f"<th style='{pad}'>SizeRw after</th></tr></thead><tbody>" + rows + "</tbody></table></div>"
                          if rows else "")
        self.redraws += 1


def _changed(before, after) -> set[str]:
    e0, w0, o0 = before
    e1, w1, o1 = after
    out = set()
    for p in set(e0) | set(e1):
        a, b = e0.get(p), e1.get(p)
        if a == b:
            continue
        if a is not None and b is not None and a.is_dir and b.is_dir and a.with_(mtime=0) == b.with_(mtime=0):
            continue   # a directory whose only change is its mtime (a child came or went)
        out.add(p)
    return out | (w0 ^ w1) | (o0 ^ o1)
