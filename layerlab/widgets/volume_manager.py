"""A volume manager view: every volume of an engine with its size, labels and driver options,
the containers that use it, and what ``docker volume prune`` would delete — with and without
``--all`` — *before* you run it.

Type a docker command in the box and press *Run* (``docker volume create ...``, ``docker run
-v ...``, ``docker rm ...``): it runs on the engine and the picture is redrawn. *Prune* and
*Prune --all* really prune (``-f``), and show docker's report.

Callbacks are plain Python, so tests drive it without a browser::

    vm = VolumeManager(engine)
    vm.command.value = "docker volume create logs"
    vm.run_button.click()         # runs what the box says (Enter alone does not run it)
    vm.would_prune(all=True)      # ['logs']
    vm.prune_all_button.click()   # runs docker volume prune -f --all

The prediction (:meth:`would_prune`) follows the same rules as the engine's prune (Docker 23 and
later, docs/docker-storage-facts.md §8.1): only unused local volumes without driver
options; anonymous ones only, unless ``--all``. A test checks that prediction and prune agree.
"""
from __future__ import annotations

import shlex
from xml.sax.saxutils import escape

from ..units import human_size

__all__ = ["VolumeManager", "volume_rows", "prune_preview", "volume_svg"]

_FONT = "system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif"
_MONO = "ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',monospace"
# fate -> (fill, stroke, legend text)
_FATE = {
    "prune": ("#ffebee", "#c62828", "deleted by docker volume prune"),
    "all": ("#fff3e0", "#ef6c00", "deleted only by docker volume prune --all"),
    "kept": ("#e8f5e9", "#2e7d32", "kept: in use by a container"),
    "skipped": ("#f5f5f5", "#757575", "kept: has driver options (prune skips it)"),
}


def _display_name(name: str) -> str:
    return name[:12] + "…" if len(name) == 64 and all(c in "0123456789abcdef" for c in name) else name


def volume_rows(engine) -> list[dict]:
    """One dict per volume (``docker volume ls`` order): name, anonymous, driver, options,
    labels (without the anonymous marker), size (bytes; None where Docker does not measure it:
    volumes with driver options), containers (names, with state), and
    ``fate``: "prune", "all", "kept" or "skipped"."""
    rows = []
    for vol in engine.volume_list():
        users = [{"name": c.name, "running": bool(c.running)} for c in engine.volume_users(vol.name)]
        if vol.driver != "local" or vol.options:
            fate = "skipped"
        elif users:
            fate = "kept"
        elif vol.anonymous:
            fate = "prune"
        else:
            fate = "all"
        labels = {k: v for k, v in vol.labels.items() if k != "com.docker.volume.anonymous"}
        rows.append({"name": vol.name, "anonymous": vol.anonymous, "driver": vol.driver,
                     "options": dict(vol.options), "labels": labels,
                     # docker (system df, prune) measures only plain local volumes
                     "size": None if vol.options or vol.driver != "local" else vol.size,
                     "containers": users, "fate": fate})
    return rows


def prune_preview(engine, all: bool = False) -> list[str]:
    """The names ``docker volume prune`` (``all=True``: ``--all``) would delete now."""
    keep = ("prune", "all") if all else ("prune",)
    return [r["name"] for r in volume_rows(engine) if r["fate"] in keep]


def _text(x, y, s, *, size=11, mono=False, weight="normal", fill="#212121", anchor="start") -> str:
    return (f'<text x="{x}" y="{y}" font-size="{size}" font-family="{_MONO if mono else _FONT}" '
            f'font-weight="{weight}" fill="{fill}" text-anchor="{anchor}">{escape(s)}</text>')


def volume_svg(rows: list[dict], containers: list[dict]) -> str:
    """Containers on the left, volumes on the right, a line for each use; each volume coloured
    by what prune would do to it. ``containers``: ``[{"name", "running"}]``."""
    W = 900
    row_h, top = 46, 40
    n = max(len(rows), len(containers), 1)
    height = top + n * row_h + 44
    parts = [_text(10, 20, "containers", size=13, weight="bold"),
             _text(330, 20, "volumes (size · labels · options)", size=13, weight="bold")]
    cy: dict[str, float] = {}
    for i, c in enumerate(containers):
        y = top + i * row_h
        cy[c["name"]] = y + 16
        state = "running" if c["running"] else "stopped"
        parts.append(f'<g class="container"><rect x="10" y="{y}" width="200" height="32" rx="5" '
                     f'fill="#e3f2fd" stroke="#1565c0"/>' + _text(18, y + 14, c["name"], mono=True, weight="bold")
                     + _text(18, y + 27, state, size=10, fill="#455a64") + "</g>")
    if not containers:
        parts.append(_text(18, top + 20, "(no containers)", fill="#757575"))
    for i, r in enumerate(rows):
        y = top + i * row_h
        fill, stroke, _ = _FATE[r["fate"]]
        for u in r["containers"]:
            if u["name"] in cy:
                parts.append(f'<path d="M210 {cy[u["name"]]} C 270 {cy[u["name"]]}, 270 {y + 16}, 330 {y + 16}" '
                             f'fill="none" stroke="#1565c0" stroke-width="1.5"/>')
        kind = "anonymous" if r["anonymous"] else "named"
        extra = [f"{k}={v}" for k, v in sorted(r["labels"].items())]
        extra += [f"opt {k}={v}" for k, v in sorted(r["options"].items())]
        size = "size not measured" if r["size"] is None else human_size(r["size"])
        detail = f"{kind} · {size}" + (" · " + ", ".join(extra) if extra else "")
        if len(detail) > 80:
            detail = detail[:79] + "…"
        parts.append(f'<g class="volume {r["fate"]}"><title>{escape(r["name"])}</title>'
                     f'<rect x="330" y="{y}" width="560" height="32" rx="5" fill="{fill}" stroke="{stroke}" '
                     f'stroke-width="1.5"/>' + _text(340, y + 14, _display_name(r["name"]), mono=True, weight="bold")
                     + _text(340, y + 27, detail, size=10, fill="#455a64") + "</g>")
    if not rows:
        parts.append(_text(340, top + 20, "(no volumes)", fill="#757575"))
    ly = top + n * row_h + 14
    x = 10
    for fate in ("prune", "all", "kept", "skipped"):
        fill, stroke, label = _FATE[fate]
        parts.append(f'<rect x="{x}" y="{ly}" width="14" height="14" rx="3" fill="{fill}" stroke="{stroke}"/>'
                     + _text(x + 20, ly + 11, label, size=10))
        x += 34 + int(len(label) * 5.4)
        if x > 700 and fate != "skipped":
            x, ly = 10, ly + 22
    body = "".join(parts)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="layerlab-volumes" width="100%" '
            f'viewBox="0 0 {W} {height}" role="img" aria-label="volumes and the containers that use them">'
            f'{body}</svg>')


class VolumeManager:
    """The view, its command box and its prune buttons.

    Attributes: ``command`` (Text), ``run_button``, ``prune_button``, ``prune_all_button``
    (Buttons), ``picture`` (HTML: the SVG), ``table`` (HTML: what prune and prune --all would
    delete), ``output`` (HTML: the last command's output, or docker's error), ``ui`` (VBox,
    class ``layerlab-volume-manager``), ``last`` ((status, stdout, stderr) of the last command).
    """

    def __init__(self, engine=None, command: str = "docker volume ls"):
        from . import require_ipywidgets
        W = require_ipywidgets()
        if engine is None:
            from ..engine import Engine
            engine = Engine()
        self.engine = engine
        self.last: tuple[int, str, str] = (0, "", "")
        self.redraws = 0
        self.command = W.Text(value=command, description="$", continuous_update=True,   # synced before Run is clicked
                              layout=W.Layout(width="60%"))
        fixed = dict(width="auto", flex="0 0 auto")
        self.run_button = W.Button(description="Run", icon="play", button_style="primary", layout=W.Layout(**fixed))
        self.prune_button = W.Button(description="Prune", icon="trash", button_style="danger",
                                     tooltip="docker volume prune -f", layout=W.Layout(**fixed))
        self.prune_all_button = W.Button(description="Prune --all", icon="trash", button_style="warning",
                                         tooltip="docker volume prune -f --all", layout=W.Layout(**fixed))
        self.output = W.HTML()
        self.picture = W.HTML(layout=W.Layout(width="100%"))
        self.table = W.HTML()
        controls = W.HBox([self.command, self.run_button, self.prune_button, self.prune_all_button],
                          layout=W.Layout(flex_flow="row wrap", align_items="center"))
        self.ui = W.VBox([controls, self.output, self.picture, self.table], layout=W.Layout(width="100%"))
        self.ui.add_class("layerlab-volume-manager")
        self.run_button.on_click(lambda _b: self.run())
        self.prune_button.on_click(lambda _b: self.prune(all=False))
        self.prune_all_button.on_click(lambda _b: self.prune(all=True))
        self.redraw()

    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<VolumeManager {len(self.engine.volume_list())} volumes>"

    # ------------------------------------------------------------------ actions
    def run(self, line: str | None = None) -> int:
        """Run one docker command line (default: the text box) on the engine and redraw."""
        from ..cli import run as cli_run
        line = (self.command.value if line is None else line).strip()
        if not line:
            return 0
        try:
            words = shlex.split(line)
        except ValueError as exc:
            self.last = (2, "", f"cannot parse the command line: {exc}\n")
            self.redraw()
            return 2
        if words and words[0] in ("docker", "layerlab"):
            words = words[1:]
        if not words:
            return 0
        code, out, err = cli_run(words, self.engine)
        self.last = (code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))
        self.redraw()
        return code

    def prune(self, all: bool = False) -> int:
        """``docker volume prune -f`` (``--all`` too when ``all``)."""
        return self.run("docker volume prune -f" + (" --all" if all else ""))

    # ------------------------------------------------------------------ views
    def rows(self) -> list[dict]:
        return volume_rows(self.engine)

    def would_prune(self, all: bool = False) -> list[str]:
        return prune_preview(self.engine, all=all)

    def redraw(self) -> None:
        rows = self.rows()
        containers = [{"name": c.name, "running": bool(c.running)} for c in self.engine.ps(all=True)]
        containers.sort(key=lambda c: c["name"])
        self.picture.value = volume_svg(rows, containers)
        a, b = self.would_prune(False), self.would_prune(True)

        def names(xs):
            return ", ".join(f"<code>{escape(_display_name(x))}</code>" for x in xs) or "nothing"
        size = {r["name"]: r["size"] or 0 for r in rows}
        self.table.value = (
            '<table class="layerlab-prune-preview"><tr><th style="text-align:left">command</th>'
            '<th style="text-align:left">would delete</th><th style="text-align:left">frees</th></tr>'
            f'<tr><td><code>docker volume prune</code></td><td>{names(a)}</td>'
            f'<td>{human_size(sum(size[x] for x in a))}</td></tr>'
            f'<tr><td><code>docker volume prune --all</code></td><td>{names(b)}</td>'
            f'<td>{human_size(sum(size[x] for x in b))}</td></tr></table>')
        code, out, err = self.last
        text = out + err
        if text:
            colour = "#c62828" if code else "#212121"
            self.output.value = (f'<pre style="margin:0;color:{colour};white-space:pre-wrap">'
                                 f'{escape(text.rstrip())}</pre>')
        else:
            self.output.value = ""
        self.redraws += 1
