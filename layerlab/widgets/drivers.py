"""The driver comparison: one workload, every storage driver, the bytes each one really writes.

:func:`compare` runs a workload on one fresh :class:`~layerlab.engine.Engine` per driver
(``Engine(driver=...)``) and returns a :class:`DriverResult` per driver: the size docker
reports (``docker ps -s`` SIZE for a container workload, ``docker images`` SIZE for a build)
and the bytes the driver's backing store holds for it (``Engine.physical_usage`` and the
driver's ``physical_container``; these models are checked against a real btrfs, the kernel's
overlayfs and real dockerd stores in ``tests/drivers/``).

:class:`DriverComparison` is the widget: pick a workload (or type your own command) and see,
per driver, the logical size, the physical bytes as bars, and the copy-on-write unit. Its
callbacks are plain Python::

    cmp = DriverComparison()
    cmp.workload.value = "delete"          # redraws
    cmp.command.value = "echo hi >> /data/big.bin"
    cmp.run_button.click()                 # runs the typed command on every driver
    [r.physical for r in cmp.results]

Nothing here needs ipywidgets except :class:`DriverComparison` itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence
from xml.sax.saxutils import escape

from .. import drivers as _drivers
from ..errors import LayerlabError
from ..render.drivers import BarRow, bytes_text, driver_bars
from ..render.svg import size_text

__all__ = ["DRIVERS", "WORKLOADS", "Workload", "DriverResult", "compare", "cow_unit_text", "DriverComparison",
           "base_dockerfile"]

#: every driver the engine models, in the order the chapter discusses them
DRIVERS: tuple[str, ...] = ("overlay2", "overlayfs", "fuse-overlayfs", "btrfs", "zfs", "vfs", "devicemapper")


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    command: str = ""          # run with ``sh -c`` in a container of the data image
    dockerfile: str = ""       # or: built on top of busybox


def base_dockerfile(mb: int = 4) -> str:
    """The image every container workload runs on: busybox plus a big file of ``mb`` MiB of
    random bytes and a directory of 100 small log files."""
    return ("FROM busybox\n"
            f"RUN mkdir -p /data/logs && dd if=/dev/urandom of=/data/big.bin bs=1M count={mb} status=none\n"
            'RUN for i in $(seq 1 100); do echo "log line $i" > /data/logs/$i.log; done\n')


WORKLOADS: dict[str, Workload] = {w.key: w for w in (
    Workload("append", "append one line to the big file", command='echo "one more line" >> /data/big.bin'),
    Workload("small-writes", "50 one-byte writes spread over the big file",
             command="for i in $(seq 1 50); do printf x | dd of=/data/big.bin bs=1 "
                     "seek=$((i * 80000)) conv=notrunc status=none; done"),
    Workload("delete", "delete a directory of 100 files", command="rm -rf /data/logs"),
    Workload("build", "build an image: make a big file, append to it, chmod it",
             dockerfile="FROM busybox\n"
                        "RUN dd if=/dev/urandom of=/data.bin bs=1M count={mb} status=none\n"
                        'RUN echo "one more line" >> /data.bin\n'
                        "RUN chmod 600 /data.bin\n"),
)}


@dataclass(frozen=True)
class DriverResult:
    """One driver's outcome. ``logical`` is the byte count docker reports (``logical_text`` as
    it prints it); ``physical`` the bytes in the backing store (for a container: its own
    layers, ``-init`` included; for a build: the whole image), ``before`` what of that was
    there before the workload ran."""

    driver: str
    status: str                  # supported / removed
    cow: str                     # file / block / none
    cow_unit: str                # human text
    logical: int
    logical_text: str
    before: int
    physical: int
    exit_code: int = 0
    output: str = ""
    error: str | None = None     # docker's message when the workload could not run

    @property
    def added(self) -> int:
        return self.physical - self.before


def cow_unit_text(name: str) -> str:
    """A driver's copy-on-write unit in words (from the driver's own facts)."""
    caps = _drivers.get(name).capabilities
    if caps.cow_unit == "file":
        return "whole file"
    if caps.cow_unit == "none":
        return "none (full copies)"
    kib = caps.block_size // 1024
    return f"{kib} KiB {'records' if name == 'zfs' else 'blocks'}"


def _engine(name: str, mb: int):
    from ..engine import Engine
    eng = Engine(driver=name, allow_removed_drivers=True)
    eng.build(base_dockerfile(mb), tag="data")
    eng.clock.advance(60)        # a minute later: the container's writes are not in the build's second
    return eng


class _Bench:
    """One engine per driver with the data image built, reused by every workload."""

    def __init__(self, mb: int = 4, names: Sequence[str] = DRIVERS, engines: dict | None = None):
        self.mb = mb
        self.names = tuple(names)
        self.engines: dict = {}
        self.runs = 0
        for name, eng in (engines or {}).items():   # engines that already have the data image
            eng.image("data")
            eng.clock.advance(60)
            self.engines[name] = eng

    def engine(self, name: str):
        if name not in self.engines:
            self.engines[name] = _engine(name, self.mb)
        return self.engines[name]

    def run(self, workload: Workload | str, command: str | None = None) -> list[DriverResult]:
        wl = WORKLOADS[workload] if isinstance(workload, str) else workload
        if command is not None:
            wl = Workload("custom", command, command=command)
        return [self._one(name, wl) for name in self.names]

    def _one(self, name: str, wl: Workload) -> DriverResult:
        eng = self.engine(name)
        caps = _drivers.get(name).capabilities
        base = dict(driver=name, status=caps.status, cow=caps.cow_unit, cow_unit=cow_unit_text(name))
        self.runs += 1
        if wl.dockerfile:
            busybox = eng.pull("busybox")     # on disk already; pulled by name to measure it
            before = eng.physical_usage(images=[busybox], containers=[])
            try:
                img = eng.build(wl.dockerfile.format(mb=self.mb), tag=f"built{self.runs}").image
            except LayerlabError as exc:
                return DriverResult(**base, logical=0, logical_text="-", before=before, physical=before,
                                    exit_code=1, error=str(exc))
            size = eng.inspect_image(img.id)["Size"]      # the driver's size rule
            return DriverResult(**base, logical=size, logical_text=size_text(size), before=before,
                                physical=eng.physical_usage(images=[img], containers=[]))
        cname = f"run{self.runs}"
        c = eng.run("data", ["sleep", "3600"], detach=True, name=cname)
        try:
            before = eng.driver.usage(c.id).physical    # the init and writable layers
            try:
                res = eng.exec(cname, ["sh", "-c", wl.command])
                code, out, err = res.exit_code, res.output, None
            except LayerlabError as exc:
                code, out, err = 126, "", str(exc)
            size = eng.size(cname).rw
            physical = eng.driver.usage(c.id).physical
        finally:
            eng.rm(cname, force=True)
        return DriverResult(**base, logical=size, logical_text=size_text(size), before=before, physical=physical,
                            exit_code=code, output=out, error=err)


def compare(workload: str = "append", *, command: str | None = None, mb: int = 4,
            names: Sequence[str] = DRIVERS) -> list[DriverResult]:
    """Run one workload (a key of :data:`WORKLOADS`, or ``command`` in a container) on a fresh
    engine per driver; one :class:`DriverResult` per driver, in ``names`` order."""
    return _Bench(mb, names).run(workload, command)


def bar_rows(results: Sequence[DriverResult]) -> list[BarRow]:
    rows = []
    for r in results:
        note = "removed in Engine 25" if r.status == "removed" else ""
        if r.driver == "overlayfs":
            note = "containerd store (Engine 29)"
        elif r.driver == "fuse-overlayfs":
            note = "rootless, kernels < 5.11"
        rows.append(BarRow(r.driver, r.cow_unit, r.logical_text, r.before, r.physical, r.cow, note))
    return rows


class DriverComparison:
    """Pick a workload (or type a command) and see every driver's logical and physical bytes.

    Args:
        mb: the size of the data image's big file, in MiB.
        names: the drivers to compare.
        workload: the workload shown first (a key of :data:`WORKLOADS`).
        engines: ``{driver: Engine}`` to reuse, each already holding the image ``data`` built
            from :func:`base_dockerfile` (the others are made on first use).

    Attributes:
        workload: the ``Dropdown`` of workloads; changing it reruns and redraws.
        command: a ``Text`` for your own shell command; ``run_button`` runs it on every driver.
        picture: the ``HTML`` holding the SVG bars; ``table``: the same numbers as a table;
        status: what ran, or docker's error message.
        results: the last :class:`DriverResult` list. ``ui``: the displayed ``VBox``.
    """

    def __init__(self, mb: int = 4, names: Sequence[str] = DRIVERS, workload: str = "append",
                 engines: dict | None = None):
        from . import require_ipywidgets
        W = require_ipywidgets()
        self.bench = _Bench(mb, names, engines)
        self.results: list[DriverResult] = []
        self.redraws = 0
        self._cache: dict = {}
        options = [(w.title, w.key) for w in WORKLOADS.values()]
        self.workload = W.Dropdown(options=options, value=workload, description="workload",
                                   layout=W.Layout(width="32em"), style={"description_width": "5em"})
        self.command = W.Text(value="", placeholder="or type a command, e.g. echo hi >> /data/big.bin",
                              layout=W.Layout(width="28em"))
        self.run_button = W.Button(description="Run on every driver", icon="play", button_style="primary",
                                   layout=W.Layout(width="auto", flex="0 0 auto"))
        self.status = W.HTML()
        self.picture = W.HTML(layout=W.Layout(width="100%"))
        self.table = W.HTML()
        controls = W.HBox([self.workload, self.command, self.run_button],
                          layout=W.Layout(flex_flow="row wrap", align_items="center"))
        self.ui = W.VBox([controls, self.status, self.picture, self.table], layout=W.Layout(width="100%"))
        self.ui.add_class("layerlab-drivers")
        self.workload.observe(lambda _c: self.show_workload(), names="value")
        self.run_button.on_click(lambda _b: self.run_command())
        self.show_workload()

    def _repr_mimebundle_(self, **kwargs):
        return self.ui._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"<DriverComparison {self.workload.value}>"

    # ------------------------------------------------------------------ actions
    def show_workload(self, key: str | None = None) -> None:
        """Run (once; results are kept) and draw the workload ``key`` (default: the menu's)."""
        key = key or self.workload.value
        if key not in self._cache:
            self._cache[key] = self.bench.run(key)
        wl = WORKLOADS[key]
        what = (f"<code>docker build</code> of a {self.bench.mb} MiB file in three steps" if wl.dockerfile
                else f"<code>docker exec app sh -c {escape(repr(wl.command))}</code>")
        self._draw(self._cache[key], wl.title, what, build=bool(wl.dockerfile))

    def run_command(self, command: str | None = None) -> None:
        """Run ``command`` (default: the text box) in a new container on every driver."""
        command = (command if command is not None else self.command.value).strip()
        if not command:
            self.status.value = '<span style="color:#c62828">Type a command first, e.g. <code>echo hi &gt;&gt; /data/big.bin</code></span>'
            return
        results = self.bench.run("append", command=command)
        self._draw(results, command, f"<code>docker exec app sh -c {escape(repr(command))}</code>")

    def _draw(self, results: list[DriverResult], title: str, what: str, build: bool = False) -> None:
        self.results = results
        first = results[0] if results else None
        sub = ("grey: busybox, already on disk; colour: what the build added" if build
               else "grey: the new container's own layers before the command; colour: what the command wrote")
        self.picture.value = driver_bars(bar_rows(results), title=title, subtitle=sub,
                                         physical_label="the image takes on disk" if build else "on disk")
        head = ["driver", "copy-on-write unit", "images SIZE" if build else "ps -s SIZE", "on disk", "added"]
        rows = "".join(f"<tr><td><code>{escape(r.driver)}</code></td><td>{escape(r.cow_unit)}</td>"
                       f"<td>{escape(r.logical_text)}</td><td>{r.physical:,} B</td><td>{r.added:,} B</td></tr>"
                       for r in results)
        self.table.value = ("<details><summary>the same as a table</summary><table><tr>"
                            + "".join(f"<th>{h}</th>" for h in head) + "</tr>" + rows + "</table></details>")
        if first is not None and first.error:
            self.status.value = f'<span style="color:#c62828">✗ {escape(first.error)}</span>'
        elif first is not None and first.exit_code:
            out = first.output.strip() or "(no output)"
            self.status.value = (f'<span style="color:#c62828">✗ the command exited with code {first.exit_code}: '
                                 f'<code>{escape(out)}</code></span>')
        else:
            self.status.value = (f'<span style="color:#2e7d32">✓ ran on {len(results)} drivers</span> — {what}. '
                                 f'SIZE: {escape(", ".join(sorted({r.logical_text for r in results})))}; '
                                 f'on disk: from {bytes_text(min(r.added for r in results))} to '
                                 f'{bytes_text(max(r.added for r in results))}'
                                 + (" (negative: freed)" if min(r.added for r in results) < 0 else ""))
        self.redraws += 1
