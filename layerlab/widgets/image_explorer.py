"""The image explorer: where an image's bytes go, layer by layer (a dive-like view).

Choose an image and one of its layers: the widget shows the merged file tree at that layer
with what the layer added (A), changed (C) and deleted (D) and the sizes, one bar per layer
with its wasted bytes in red, the wasted-space table and dive's efficiency score
(:meth:`layerlab.Engine.efficiency`). Choose a container instead and the tree shows its
writable layer the same way (its ``docker diff``). Type an image name and press *Pull* to
add one from the catalog; an unknown name shows docker's error, not a traceback.

Every callback is plain Python, so tests drive it without a browser::

    ex = ImageExplorer(engine, image="nginx:alpine")
    ex.layer.value = 1                  # the RUN layer
    ex.rows[:3]                         # TreeRow values of the tree shown
    ex.container.value = "web"          # a container's writable layer
    ex.pull_ref.value = "nosuch"; ex.pull_button.click(); ex.status.value   # docker's error

Built only on the Engine and :mod:`layerlab.render`; the root widget has the CSS class
``layerlab-image-explorer``.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

from ..errors import LayerlabError
from ..render import filetree as FT
from ..render.svg import size_text
from . import require_ipywidgets

__all__ = ["ImageExplorer"]

NO_CONTAINER = "(none: show the image)"


class ImageExplorer:
    """An image (and container) explorer on ``engine``.

    Args:
        engine: the engine to look at (a fresh one with nothing in it if ``None``).
        image: the image to show first (default: the first in ``docker images`` order).
        container: a container to show first (default: none).
        only_changes: start with the tree reduced to the chosen layer's changes.
        limit: the most tree rows drawn (the rest are counted).

    Attributes (all ipywidgets): ``image`` and ``layer`` and ``container`` (Dropdowns),
    ``only_changes`` (Checkbox), ``pull_ref`` (Text) and ``pull_button``, ``refresh_button``;
    ``status``, ``summary``, ``layers_view`` (the SVG), ``tree``, ``wasted`` (HTML);
    ``ui`` (the VBox displayed). Values: ``report`` (the image's
    :class:`~layerlab.efficiency.Efficiency`), ``rows`` (the :class:`TreeRow` list shown),
    ``error`` (docker's message of the last failed action, or ``None``).
    """

    def __init__(self, engine=None, *, image: str | None = None, container: str | None = None,
                 only_changes: bool = True, limit: int = 400):
        W = require_ipywidgets()
        if engine is None:
            from ..engine import Engine
            engine = Engine()
        self.engine = engine
        self.limit = limit
        self.report = None
        self.rows: list[FT.TreeRow] = []
        self.error: str | None = None
        self.redraws = 0
        self._hold = False

        fixed = dict(width="auto", flex="0 0 auto")
        self.image = W.Dropdown(description="image", layout=W.Layout(width="22em"))
        self.layer = W.Dropdown(description="layer", layout=W.Layout(width="34em"))
        self.container = W.Dropdown(description="container", layout=W.Layout(width="22em"))
        self.only_changes = W.Checkbox(value=only_changes, description="only what changed", indent=False,
                                       layout=W.Layout(**fixed))
        self.pull_ref = W.Text(placeholder="e.g. python:3.12-slim", layout=W.Layout(width="14em"))
        self.pull_button = W.Button(description="Pull", icon="download", layout=W.Layout(**fixed))
        self.refresh_button = W.Button(description="Refresh", icon="refresh", layout=W.Layout(**fixed),
                                       tooltip="re-read the engine's images and containers")
        self.status = W.HTML()
        self.summary = W.HTML()
        self.layers_view = W.HTML(layout=W.Layout(width="100%"))
        self.tree = W.HTML(layout=W.Layout(width="100%"))
        self.wasted = W.HTML(layout=W.Layout(width="100%"))
        row = dict(flex_flow="row wrap", align_items="center")
        self.controls = W.VBox([
            W.HBox([self.image, self.layer], layout=W.Layout(**row)),
            W.HBox([self.container, self.only_changes, self.pull_ref, self.pull_button, self.refresh_button],
                   layout=W.Layout(**row)),
        ])
        self._tree_heading = W.HTML()
        self.ui = W.VBox([self.controls, self.status, self.summary, self.layers_view, self._tree_heading,
                          self.tree, W.HTML("<b>Wasted space</b> (copies that a later layer hides)"),
                          self.wasted], layout=W.Layout(width="100%"))
        self.ui.add_class("layerlab-image-explorer")

        self.image.observe(self._on_image, names="value")
        self.layer.observe(self._on_view, names="value")
        self.container.observe(self._on_view, names="value")
        self.only_changes.observe(self._on_view, names="value")
        self.pull_button.on_click(lambda _b: self.pull())
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.refresh(image=image, container=container)

    # ------------------------------------------------------------------ display
    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<ImageExplorer {self.image.value!r}>"

    # ------------------------------------------------------------------ actions
    def refresh(self, image: str | None = None, container: str | None = None) -> None:
        """Re-read the engine's images and containers into the menus, then redraw."""
        tags = []
        for tag, img in self.engine.images():
            name = tag or img.short_id
            if name not in tags:
                tags.append(name)
        names = [c.name for c in self.engine.ps(all=True)]
        self._hold = True
        try:
            keep = image or (self.image.value if self.image.value in tags else None)
            self.image.options = tags
            self.image.value = keep if keep in tags else (tags[0] if tags else None)
            keep_c = container or (self.container.value if self.container.value in names else None)
            self.container.options = [NO_CONTAINER] + sorted(names)
            self.container.value = keep_c if keep_c in names else NO_CONTAINER
        finally:
            self._hold = False
        self._load_image()

    def pull(self, ref: str | None = None) -> None:
        """``docker pull`` ``ref`` (default: the text box) and show it."""
        ref = (ref if ref is not None else self.pull_ref.value).strip()
        if not ref:
            self._fail("type an image name to pull, e.g. alpine:3.19")
            return
        try:
            self.engine.pull(ref)
        except LayerlabError as exc:
            self._fail(f"Error response from daemon: {exc}")
            return
        from ..image import normalize_ref
        self.refresh(image=normalize_ref(ref))

    def show_layer(self, index: int) -> None:
        """Show layer ``index`` of the current image (and leave container mode)."""
        self._hold = True
        try:
            self.container.value = NO_CONTAINER
        finally:
            self._hold = False
        self.layer.value = index
        self.redraw()

    # ------------------------------------------------------------------ callbacks
    def _on_image(self, _change) -> None:
        if not self._hold:
            self._load_image()

    def _on_view(self, _change) -> None:
        if not self._hold:
            self.redraw()

    def _load_image(self) -> None:
        self.report = None
        ref = self.image.value
        if ref:
            try:
                self.report = self.engine.efficiency(ref)
            except LayerlabError as exc:
                self._fail(f"Error response from daemon: {exc}")
                return
        opts = [] if self.report is None else [
            (f"L{r.index}  {size_text(r.size)}  {FT._short(r.created_by)[:70]}", r.index) for r in self.report.layers]
        self._hold = True
        try:
            self.layer.options = opts
            self.layer.value = opts[-1][1] if opts else None
        finally:
            self._hold = False
        self.redraw()

    def _fail(self, message: str) -> None:
        self.error = message
        self.status.value = f'<span style="color:#c62828">✗ {escape(message)}</span>'

    def redraw(self) -> None:
        """Draw the summary, the layer bars, the tree and the wasted-space table."""
        self.error = None
        self.status.value = ""
        rep = self.report
        if rep is None:
            self.summary.value = "<i>No image yet: pull one (type its name and press Pull).</i>"
            self.layers_view.value = self.tree.value = self.wasted.value = ""
            self.rows = []
            self.redraws += 1
            return
        img = self.engine.image(self.image.value)
        title, shown = self.image.value, rep
        cname = self.container.value
        only = self.only_changes.value
        self.layer.disabled = bool(cname and cname != NO_CONTAINER)    # a container: its own layer
        if cname and cname != NO_CONTAINER:
            try:
                c = self.engine.container(cname)
                self.rows = FT.container_view(self.engine, cname, only_marked=only)
                size = self.engine.size(cname)
                if c.image.id != img.id:
                    title, shown = c.image_ref, self.engine.efficiency(c.image.id)
            except LayerlabError as exc:
                self._fail(f"Error response from daemon: {exc}")
                return
            changed = sum(1 for r in self.rows if r.mark)
            self._tree_heading.value = (f"<b>Container {escape(cname)}</b> (image {escape(c.image_ref)}): "
                                        f"its writable layer, {changed} paths in docker diff; SIZE "
                                        f"{size_text(size.rw)} (virtual {size_text(size.root_fs)})")
            self.layers_view.value = FT.efficiency_svg(shown, None)
        else:
            idx = self.layer.value if self.layer.value is not None else len(rep.layers) - 1
            lr = rep.layers[idx]
            self.rows = FT.layer_view(img, rep, idx, only_marked=only)
            self._tree_heading.value = (f"<b>Layer {idx}</b> <code>{escape(FT._short(lr.created_by)[:120])}</code>: "
                                        f"{size_text(lr.size)}; adds {len(lr.added)}, changes {len(lr.changed)}, "
                                        f"deletes {len(lr.deleted)} paths")
            self.layers_view.value = FT.efficiency_svg(rep, idx)
        self.summary.value = (f"<b>{escape(title)}</b>: {len(shown.layers)} layers, "
                              f"{size_text(shown.image_size)}; wasted <b style=\"color:#c62828\">"
                              f"{size_text(shown.wasted_bytes)}</b> in {len(shown.wasted)} files; "
                              f"efficiency score <b>{shown.score * 100:.2f} %</b> (dive's rule)")
        self._tree_heading.value += ('<br><span style="color:#757575">size: a file\'s bytes (a deleted one: what it '
                                     'held); a folder\'s: the files shown under it that are still there</span>')
        self.tree.value = FT.tree_html(self.rows, limit=self.limit)
        self.wasted.value = FT.wasted_html(shown)
        self.redraws += 1
