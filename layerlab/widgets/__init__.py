"""Interactive views for notebooks, built only on :class:`~layerlab.engine.Engine` and
:mod:`layerlab.render`.

:class:`LayerExplorer` holds two Dockerfiles, A and B. Edit either one (or pick a line from
the menu and press *Add line*) and both images are rebuilt on the engine and redrawn: one
box per layer with its size, a dashed line for each instruction that only wrote history,
and the layers the two images share in green.

Every control's callback is plain Python, so tests drive it without a browser::

    ex = LayerExplorer("FROM scratch\\nCOPY a /a\\n", context={"a": "hi"})
    ex.snippet.value = "ENV MODE=demo"
    ex.add_button.click()          # appends the line to A, rebuilds, redraws
    ex.image_a.history[-1].created_by   # 'ENV MODE=demo'

ipywidgets is imported only when a widget is made; without it you get an ImportError that
says how to install it. The rest of layerlab never needs it.
"""
from __future__ import annotations

from typing import Mapping, Sequence
from xml.sax.saxutils import escape

from .. import render
from ..errors import LayerlabError

__all__ = ["LayerExplorer", "DEFAULT_SNIPPETS", "require_ipywidgets"]

DEFAULT_SNIPPETS: tuple[str, ...] = (
    "RUN apt-get update",
    "RUN apt-get install -y nodejs npm",
    "RUN npm install",
    "COPY app/ /app",
    "WORKDIR /app",
    "ENV NODE_ENV=production",
    "EXPOSE 3000",
    'CMD ["node", "server.js"]',
    "LABEL course=layerlab",
    "RUN rm -rf /var/lib/apt/lists/*",
)


def require_ipywidgets():
    """The ``ipywidgets`` module, or an ImportError that tells the learner what to do."""
    try:
        import ipywidgets
    except ImportError as exc:  # pragma: no cover - exercised only without ipywidgets
        raise ImportError(
            "layerlab.widgets needs ipywidgets (8.1 or newer), which is not installed in this "
            "Python environment. Install it with `pip install ipywidgets` (or `pip install "
            "'layerlab[course]'`), then restart the kernel. Everything else in layerlab works "
            "without it.") from exc
    return ipywidgets


def _base_ref(dockerfile: str) -> str | None:
    """The image the last ``FROM`` of a Dockerfile names, or None (scratch, or unparsable)."""
    from ..build.dockerfile import parse
    try:
        instructions = parse(dockerfile)
    except LayerlabError:
        return None
    froms = [i for i in instructions if i.keyword == "from"]
    if not froms or not froms[-1].args:
        return None
    ref = froms[-1].text.split()[0]
    return None if ref == "scratch" else ref


class LayerExplorer:
    """Two Dockerfiles, rebuilt and redrawn whenever one changes.

    Args:
        dockerfile_a: the first Dockerfile's text.
        dockerfile_b: the second one's, or ``None`` to start with one image only (tick
            *compare* to add B; it starts as a copy of A's ``FROM`` line).
        context: the build context both builds use, ``{path: text or bytes}``.
        engine: the engine to build on; ``None`` makes a fresh deterministic one. The engine's
            build cache makes rebuilding after a small edit fast, as in Docker.
        snippets: the lines offered by the *line* menu.
        names: the headings of the two pictures.

    Attributes:
        dockerfile_a, dockerfile_b: the two ``Textarea`` widgets.
        snippet: the ``Dropdown`` of ready-made lines; ``target``: which Dockerfile *Add line*
            and *Remove last line* edit ("A" or "B").
        add_button, remove_button: the two ``Button`` widgets.
        compare: the ``Checkbox`` that shows or hides image B.
        picture: the ``HTML`` widget holding the SVG; ``table``: the text table under it;
        status: one line saying what happened (or the build error, in docker's words).
        image_a, image_b: the last images built (``None`` when that build failed).
        error_a, error_b: the last build errors (``None`` when that build worked).
        ui: the ``VBox`` that is displayed.
    """

    def __init__(self, dockerfile_a: str, dockerfile_b: str | None = None, *,
                 context: Mapping[str, object] | None = None, engine=None,
                 snippets: Sequence[str] = DEFAULT_SNIPPETS, names: tuple[str, str] = ("A", "B")):
        W = require_ipywidgets()
        if engine is None:
            from ..engine import Engine
            engine = Engine()
        self.engine = engine
        self.context = dict(context or {})
        self.names = names
        self.image_a = self.image_b = None
        self.error_a: str | None = None
        self.error_b: str | None = None
        self.redraws = 0
        self._hold = False

        area = dict(layout=W.Layout(width="100%", height="14em"), continuous_update=False)
        self.dockerfile_a = W.Textarea(value=dockerfile_a.strip() + "\n", **area)
        self.dockerfile_b = W.Textarea(value=(dockerfile_b or self._from_line(dockerfile_a)).strip() + "\n", **area)
        self.compare = W.Checkbox(value=dockerfile_b is not None, description=f"compare with {names[1]}",
                                  indent=False)
        self.snippet = W.Dropdown(options=list(snippets), value=snippets[0] if snippets else None,
                                  description="line", layout=W.Layout(width="26em"))
        fixed = dict(width="auto", flex="0 0 auto")
        self.target = W.ToggleButtons(options=[names[0], names[1]], value=names[0],
                                      tooltips=[f"edit Dockerfile {names[0]}", f"edit Dockerfile {names[1]}"],
                                      style={"button_width": "3em"}, layout=W.Layout(**fixed))
        self.add_button = W.Button(description="Add line", icon="plus", button_style="primary",
                                   layout=W.Layout(**fixed))
        self.remove_button = W.Button(description="Remove last line", icon="minus", layout=W.Layout(**fixed))
        self.picture = W.HTML(layout=W.Layout(overflow="auto"))
        self.table = W.HTML()
        self.status = W.HTML()

        # one Layout per box: a shared Layout would hide both boxes when B is hidden
        self._box_a = W.VBox([W.HTML(f"<b>Dockerfile {escape(names[0])}</b>"), self.dockerfile_a],
                             layout=W.Layout(width="50%", min_width="0"))
        self._box_b = W.VBox([W.HTML(f"<b>Dockerfile {escape(names[1])}</b>"), self.dockerfile_b],
                             layout=W.Layout(width="50%", min_width="0"))
        self.editors = W.HBox([self._box_a, self._box_b])
        self.compare.layout = W.Layout(**fixed)
        self.controls = W.HBox([self.snippet, self.target, self.add_button, self.remove_button, self.compare],
                               layout=W.Layout(flex_flow="row wrap", align_items="center"))
        self.ui = W.VBox([W.HTML(_FIT), self.controls, self.editors, self.status, self.picture, self.table],
                         layout=W.Layout(width="100%"))
        self.ui.add_class("layerlab-explorer")

        for w in (self.dockerfile_a, self.dockerfile_b, self.compare):
            w.observe(self._on_change, names="value")
        self.add_button.on_click(lambda _b: self.add_line())
        self.remove_button.on_click(lambda _b: self.remove_last_line())
        self.redraw()

    # ------------------------------------------------------------------ display
    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<LayerExplorer {self.names[0]}/{self.names[1]}>"

    # ------------------------------------------------------------------ actions
    @staticmethod
    def _from_line(dockerfile: str) -> str:
        for line in dockerfile.splitlines():
            if line.strip().upper().startswith("FROM"):
                return line.strip()
        return "FROM scratch"

    def _area(self, which: str | None = None):
        which = which or self.target.value
        return self.dockerfile_a if which == self.names[0] else self.dockerfile_b

    def add_line(self, line: str | None = None, which: str | None = None) -> None:
        """Append ``line`` (default: the menu's choice) to Dockerfile ``which`` (default: the
        toggle's choice). Adding to B also ticks *compare*."""
        line = (line if line is not None else self.snippet.value or "").strip()
        if not line:
            return
        area = self._area(which)
        self._hold = True
        try:
            if area is self.dockerfile_b:
                self.compare.value = True
            area.value = area.value.rstrip("\n") + "\n" + line + "\n"
        finally:
            self._hold = False
        self.redraw()

    def remove_last_line(self, which: str | None = None) -> None:
        """Drop the last non-empty line of Dockerfile ``which`` (the ``FROM`` line stays)."""
        area = self._area(which)
        lines = [ln for ln in area.value.splitlines() if ln.strip()]
        if len(lines) > 1:
            area.value = "\n".join(lines[:-1]) + "\n"

    def _on_change(self, _change) -> None:
        if not self._hold:
            self.redraw()

    def _build(self, dockerfile: str, tag: str):
        try:
            return self.engine.build(dockerfile, self.context, tag=tag).image, None
        except LayerlabError as exc:
            return None, str(exc)
        except Exception as exc:  # a bug in layerlab: say so instead of a traceback in the widget
            return None, f"layerlab could not model this build ({type(exc).__name__}: {exc}); please report it"

    def _base(self, dockerfile: str):
        ref = _base_ref(dockerfile)
        if ref is None:
            return None, None
        try:
            return self.engine.image(ref), ref
        except LayerlabError:
            return None, ref

    def redraw(self) -> None:
        """Rebuild the image(s) and redraw the picture, the table and the status line."""
        show_b = self.compare.value
        self._box_b.layout.display = None if show_b else "none"
        self._box_a.layout.width = "50%" if show_b else "100%"
        self.image_a, self.error_a = self._build(self.dockerfile_a.value, "explorer-a")
        if show_b:
            self.image_b, self.error_b = self._build(self.dockerfile_b.value, "explorer-b")
        else:
            self.image_b, self.error_b = None, None
        base_a, name_a = self._base(self.dockerfile_a.value)
        base_b, name_b = self._base(self.dockerfile_b.value) if show_b else (None, None)
        a, b = self.image_a, self.image_b
        if a is not None and b is not None:
            svg = render.compare_stacks(a, b, names=self.names, bases=(base_a, base_b), base_names=(name_a, name_b))
        elif a is not None:
            svg = render.layer_stack(a, name=self.names[0], base=base_a, base_name=name_a)
        elif b is not None:
            svg = render.layer_stack(b, name=self.names[1], base=base_b, base_name=name_b)
        else:
            svg = _message_svg("Nothing to draw: fix the Dockerfile and the picture comes back.")
        self.picture.value = svg
        tables = []
        for name, img, base, bname in ((self.names[0], a, base_a, name_a), (self.names[1], b, base_b, name_b)):
            if img is not None:
                tables.append(f"<b>{escape(name)}</b>\n" + escape(render.layer_table(img, base=base, base_name=bname)))
        self.table.value = ("<details><summary>the same as a table</summary><pre>" + "\n\n".join(tables)
                            + "</pre></details>") if tables else ""
        self.status.value = self._status_html()
        self.redraws += 1

    def _status_html(self) -> str:
        msgs = []
        for name, err in ((self.names[0], self.error_a), (self.names[1], self.error_b)):
            if err:
                msgs.append(f'<span style="color:#c62828">✗ {escape(name)} did not build: '
                            f'<code>{escape(err)}</code></span>')
        if not msgs:
            imgs = [(n, i) for n, i in ((self.names[0], self.image_a), (self.names[1], self.image_b)) if i is not None]
            parts = [f"{escape(n)}: {len(i.layers)} layer{'' if len(i.layers) == 1 else 's'}, "
                     f"{render.size_text(i.size)}" for n, i in imgs]
            if len(imgs) == 2:
                shared = render.shared_chain_ids([self.image_a, self.image_b])
                parts.append(f"{len(shared)} shared")
            msgs.append('<span style="color:#2e7d32">✓ built</span> — ' + "; ".join(parts))
        return "<div>" + "<br>".join(msgs) + "</div>"

    # ------------------------------------------------------------------ for tests and exercises
    def made_layer(self, which: str | None = None) -> list[tuple[str, bool]]:
        """``(instruction, made_a_layer)`` for every history entry of image ``which``, oldest first."""
        img = self.image_a if (which or self.names[0]) == self.names[0] else self.image_b
        return [] if img is None else [(r.instruction, r.is_layer) for r in render.stack_rows(img)]


def _message_svg(text: str) -> str:
    return ('<svg xmlns="http://www.w3.org/2000/svg" class="layerlab-stack" width="620" height="40" '
            'viewBox="0 0 620 40" role="img" aria-label="' + escape(text, {'"': "&quot;"}) + '">'
            '<rect x="1" y="1" width="618" height="38" rx="6" fill="#ffebee" stroke="#c62828"/>'
            '<text x="12" y="25" font-size="12" fill="#c62828">' + escape(text) + "</text></svg>")


# the stacks' SVGs have a viewBox: scale them down to the widget's width (a 1280 px window
# clipped the B side), never up
_FIT = "<style>.layerlab-explorer svg.layerlab-stack{max-width:100%;height:auto}</style>"
