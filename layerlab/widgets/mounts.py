"""The mount explorer (Chapter 6): a container's files, its mount points marked by type, and
where the bytes of each file you write really land.

Pick a path, type some text, press *Write file*: the explorer runs ``docker exec`` in the
container and shows where the bytes went — the container's writable layer, a volume under
``/var/lib/docker/volumes``, a folder on the host, or memory (tmpfs). The lifecycle buttons
run ``docker stop``, ``start``, ``rm``, ``rm -v`` and a fresh ``docker run`` with the same
mounts, and the table underneath says, for every file written so far, whether it is still there.

Everything is plain Python, so tests drive it without a browser::

    ex = MountExplorer(engine=Engine())
    ex.path.value = "/data/notes.txt"
    ex.text.value = "hello"
    ex.write_button.click()
    ex.records[-1].kind          # 'volume'
    ex.buttons["stop"].click()
    ex.survival()                # [{'path': '/data/notes.txt', 'landed in': 'volume appdata', 'still there': True}]

:func:`where` and :func:`snapshot` are the plain functions behind it (no ipywidgets needed).
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Sequence
from xml.sax.saxutils import escape

from ..render.mounts import Store, TreeRow, kind_label, mount_map
from ..fs.tree import DIR, is_under, normpath, parent

__all__ = ["MountExplorer", "Where", "where", "snapshot", "DEFAULT_SPEC", "DEFAULT_PATHS"]

#: ``docker run`` options of the explorer's container (one of each storage type, plus an
#: anonymous volume so that ``rm -v`` has something to remove)
DEFAULT_SPEC: tuple[str, ...] = ("-v", "appdata:/data", "-v", "/home/me/project:/project",
                                 "--tmpfs", "/scratch", "-v", "/cache")
DEFAULT_PATHS: tuple[str, ...] = ("/data/notes.txt", "/project/app.py", "/scratch/token",
                                  "/cache/blob.bin", "/tmp/log.txt", "/root/.profile")


@dataclass(frozen=True)
class Where:
    """Where a write at ``path`` lands: ``kind`` is ``layer``, ``volume``, ``bind`` or ``tmpfs``;
    ``store`` names it (``writable layer``, ``volume appdata``, ``host folder /home/me/x``,
    ``memory (tmpfs /scratch)``); ``location`` is the file's path on the host (``None`` for
    memory); ``key`` identifies the store (container ID, volume name, host path)."""

    path: str
    kind: str
    store: str
    location: str | None
    key: str
    inner: str
    read_only: bool = False


_CONTAINER_FILES = ("/etc/hosts", "/etc/hostname", "/etc/resolv.conf")


def _user_mounts(c):
    return [m for m in getattr(c, "mounts", None) or [] if m.request is not None]


def _mount_for(c, path: str):
    best = None
    for m in _user_mounts(c):
        if is_under(path, m.target) and (best is None or len(m.target) > len(best.target)):
            best = m
    return best


def _resolved(c, path: str) -> str:
    """``path`` with symlinks in its directory part resolved in the container's view."""
    path = normpath(path)
    try:
        return normpath(c.fs.realpath(parent(path)).rstrip("/") + "/" + path.rsplit("/", 1)[1])
    except OSError:
        return path


def _upper_dir(engine, c) -> str:
    try:
        data = engine.container_graphdriver(c).get("Data") or {}
    except Exception:
        data = {}
    return data.get("UpperDir") or f"/var/lib/docker/overlay2/{c.id[:12]}…/diff"


def where(engine, container, path: str) -> Where:
    """Where a write at ``path`` in ``container`` (a name, ID or Container) lands."""
    c = engine.container(container) if isinstance(container, str) else container
    path = _resolved(c, path)
    if path in _CONTAINER_FILES:     # docker bind-mounts these from the container's own folder
        return Where(path, "config", "docker's file for this container",
                     f"/var/lib/docker/containers/{c.id}/{path.rsplit('/', 1)[1]}", c.id, path)
    m = _mount_for(c, path)
    if m is None:
        up = _upper_dir(engine, c)
        return Where(path, "layer", "writable layer", up + path, c.id, path, bool(c.read_only))
    inner = m.inner(path)
    kind = m.request.type
    if kind == "volume":
        vol = m.volume
        return Where(path, "volume", f"volume {_short(vol.name)}",
                     vol.mountpoint + (inner if inner != "/" else ""), vol.name, inner, m.read_only)
    if kind == "bind":
        return Where(path, "bind", f"host folder {m.root}", inner, m.root, inner, m.read_only)
    return Where(path, "tmpfs", f"memory (tmpfs {m.target})", None, c.id + ":" + m.target, inner, m.read_only)


def _short(name: str) -> str:
    return name[:12] + "…" if len(name) == 64 else name


def _files(fs, top: str = "/") -> list[tuple[str, int]]:
    out = []
    try:
        items = list(fs.walk(top))
    except OSError:
        return out
    cut = len(top.rstrip("/"))
    for p, node in items:
        if node.kind != DIR:
            out.append((p[cut:].lstrip("/") or p, node.content.size if node.content is not None else 0))
    return out


def _layer_files(c) -> list[tuple[str, int]]:
    up = getattr(c.rootfs, "upper", None)
    if up is None:
        return []
    return sorted((p.lstrip("/"), n.content.size if n.content is not None else 0)
                  for p, n in up.entries.items() if n.kind != DIR and p != "/")


def snapshot(engine, container, *, highlight: str | None = None, extra: Sequence[str] = (),
             host_paths: Sequence[str] = (), volume_names: Sequence[str] = ()):
    """(tree rows, stores) for :func:`layerlab.render.mounts.mount_map`.

    ``container`` may be ``None`` (removed): the tree is empty and only what outlives a
    container is shown (``volume_names``, ``host_paths``). ``extra`` paths (files written)
    are shown in the tree with their parents."""
    rows: list[TreeRow] = []
    stores: list[Store] = []
    c = container
    if c is not None:
        fs = c.fs
        mounts = {m.target: m for m in _user_mounts(c)}
        paths: set[str] = set()
        try:
            top = [n for n in fs.listdir("/") if n not in ("proc", "sys", "dev")]
        except OSError:
            top = []
        paths.update("/" + n for n in top)
        for t in mounts:
            paths.add(t)
            try:
                kids = sorted(fs.listdir(t))[:5]
            except OSError:
                kids = []
            paths.update(normpath(t + "/" + k) for k in kids)
        for p in extra:
            if fs.lookup(p) is not None:
                paths.add(p)
        for p in list(paths):
            q = parent(p)
            while q != "/":
                paths.add(q)
                q = parent(q)
        rows.append(TreeRow(0, "/", "/", None, "image", True, note="", size=0))
        upper = getattr(c.rootfs, "upper", None)
        for p in sorted(paths, key=lambda s: s.split("/")):
            node = fs.lookup(p)
            if node is None:
                continue
            m = mounts.get(p)
            w = where(engine, c, p) if m is None else None
            lives = m.request.type if m is not None else w.kind
            if lives == "layer" and not (upper is not None and p in upper.entries):
                lives = "image"
            note = ""
            if m is not None:
                note = (_short(m.volume.name) if m.request.type == "volume" else
                        m.root if m.request.type == "bind" else "")
            rows.append(TreeRow(p.count("/"), p.rsplit("/", 1)[1], p, m.request.type if m else None, lives,
                                node.kind == DIR, note,
                                node.content.size if node.kind != DIR and node.content is not None else 0,
                                bool(m.read_only) if m else False, p == highlight))
        stores.append(Store("layer", "writable layer (this container only)", _upper_dir(engine, c),
                            _layer_files(c)))
        for m in sorted(mounts.values(), key=lambda m: m.target):
            kind = m.request.type
            if kind == "volume":
                stores.append(Store("volume", f"volume {_short(m.volume.name)}"
                                    + (" (anonymous)" if m.volume.anonymous else ""),
                                    m.volume.mountpoint, _files(m.volume.fs)))
            elif kind == "bind":
                stores.append(Store("bind", f"host folder {m.root}", m.root, _files(m.fs, m.root)))
            else:
                running = c.running
                stores.append(Store("tmpfs", f"memory: tmpfs at {m.target}", "RAM only, never written to disk",
                                    _files(m.fs) if running else [], gone=not running,
                                    note="unmounted: the container is not running, its contents are gone"))
    else:
        stores.append(Store("layer", "writable layer", "deleted with the container", [], gone=True,
                            note="docker rm deleted it, and every byte in it"))
        for name in volume_names:
            vol = engine.find_volume(name)
            if vol is None:
                stores.append(Store("volume", f"volume {_short(name)}", "removed", [], gone=True,
                                    note="removed (docker rm -v removes anonymous volumes)"))
            else:
                stores.append(Store("volume", f"volume {_short(name)}" + (" (anonymous)" if vol.anonymous else ""),
                                    vol.mountpoint, _files(vol.fs)))
        for hp in host_paths:
            if engine.host.lookup(hp) is not None:
                stores.append(Store("bind", f"host folder {hp}", hp, _files(engine.host, hp)))
        stores.append(Store("tmpfs", "memory (tmpfs)", "RAM only", [], gone=True,
                            note="gone since the container stopped"))
    return rows, stores


def _survival_table(rows) -> str:
    cell = "padding:3px 14px 3px 4px;text-align:left;border-bottom:1px solid #e0e0e0"
    head = "".join(f"<th style='{cell}'>{escape(h)}</th>"
                   for h in ("file you wrote", "its bytes landed in", "still there now?"))
    body = "".join("<tr>" + "".join(
        f"<td style='{cell};{'color:#c62828' if v == 'no, gone' else ''}'>{escape(v)}</td>" for v in r) + "</tr>"
        for r in rows)
    return f"<table style='border-collapse:collapse;font-size:13px'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@dataclass
class Record:
    """A file the learner wrote, and where its bytes landed."""

    path: str
    kind: str
    store: str
    key: str
    inner: str
    size: int


class MountExplorer:
    """A container with one mount of each type; write files, run lifecycle commands, watch.

    Args:
        engine: the engine (``None``: a fresh deterministic one).
        image: the image to run (busybox by default).
        options: ``docker run`` options for the mounts (:data:`DEFAULT_SPEC`).
        name: the container's name.
        paths: paths offered in the *path* menu.
    """

    def __init__(self, engine=None, *, image: str = "busybox:1.36", options: Sequence[str] = DEFAULT_SPEC,
                 name: str = "explorer", paths: Sequence[str] = DEFAULT_PATHS):
        from . import require_ipywidgets
        from ..cli import run as _run

        w = require_ipywidgets()
        if engine is None:
            from ..engine import Engine
            engine = Engine()
        self.engine = engine
        self.image = image
        self.options = list(options)
        self.name = name
        self._run = _run
        self.records: list[Record] = []
        self.log: list[tuple[str, str]] = []       # (command line, what it printed)
        self.message = ""
        self._volume_names: list[str] = []
        self._host_paths: list[str] = []
        self._highlight: str | None = None

        self.path = w.Combobox(value=paths[0] if paths else "/data/notes.txt", options=list(paths),
                               description="path", ensure_option=False, layout=w.Layout(width="22em"))
        self.text = w.Text(value="hello", description="text", layout=w.Layout(width="18em"))
        self.write_button = w.Button(description="Write file", button_style="primary", icon="pencil")
        self.write_button.on_click(lambda _b: self.write())
        self.buttons = {}
        for key, label in (("stop", "docker stop"), ("start", "docker start"), ("rm", "docker rm"),
                           ("rm -v", "docker rm -v"), ("run", "docker run (new container)")):
            b = w.Button(description=label, layout=w.Layout(width="auto"))
            b.on_click(lambda _b, k=key: self.lifecycle(k))
            self.buttons[key] = b
        self.picture = w.HTML()
        self.status = w.HTML()
        self.table = w.HTML()
        self.widget = w.VBox([
            w.HBox([self.path, self.text, self.write_button]),
            w.HBox(list(self.buttons.values())),
            self.status, self.picture, self.table,
        ])
        self.widget.add_class("layerlab-mounts")
        self.lifecycle("run")

    # ------------------------------------------------------------------ docker commands
    def docker(self, argv: Sequence[str]) -> tuple[int, str]:
        """Run one docker command on the engine; log and return (exit code, what it printed)."""
        code, out, err = self._run(list(argv), self.engine)
        text = (out + err).decode("utf-8", "replace")
        self.log.append(("docker " + " ".join(shlex.quote(a) for a in argv), text))
        return code, text

    @property
    def container(self):
        """The explorer's container, or ``None`` once it is removed."""
        return self.engine.find_container(self.name)

    # ------------------------------------------------------------------ actions
    def write(self, path: str | None = None, text: str | None = None) -> str:
        """``docker exec <name> sh -c 'mkdir -p DIR && echo TEXT > PATH'``; returns the message."""
        raw = (path if path is not None else (self.path.value or "")).strip()
        text = text if text is not None else self.text.value
        if not raw.startswith("/") or normpath(raw) == "/":
            self.message = "Error: give an absolute file path, e.g. /data/notes.txt"
            return self._redraw(error=True)
        path = normpath(raw)
        script = f"mkdir -p {shlex.quote(parent(path))} && echo {shlex.quote(text)} > {shlex.quote(path)}"
        code, out = self.docker(["exec", self.name, "sh", "-c", script])
        if code != 0:
            self.message = out.strip() or f"exit status {code}"
            self._highlight = None
            return self._redraw(error=True)
        c = self.container
        w = where(self.engine, c, path)
        size = len(text.encode()) + 1
        self.records = [r for r in self.records if not (r.path == w.path and r.key == w.key)]
        self.records.append(Record(w.path, w.kind, w.store, w.key, w.inner, size))
        loc = w.location if w.location is not None else "nowhere on disk: it is in RAM"
        self.message = (f"wrote {size} bytes to {w.path} → <b>{escape(kind_label(w.kind))}</b>: "
                        f"{escape(w.store)}<br><span style='font-family:monospace'>on the host: {escape(loc)}</span>")
        self._highlight = w.path
        return self._redraw(html=True)

    def lifecycle(self, key: str) -> str:
        """``stop``, ``start``, ``rm``, ``rm -v`` or ``run`` (a new container, same mounts)."""
        self._highlight = None
        if key == "run":
            if self.container is not None:
                self.docker(["rm", "-f", self.name])
            code, out = self.docker(["run", "-d", "--name", self.name, *self.options, self.image, "sleep", "3600"])
            c = self.container
            if c is not None:
                for m in _user_mounts(c):
                    if m.request.type == "volume" and m.volume.name not in self._volume_names:
                        self._volume_names.append(m.volume.name)
                    if m.request.type == "bind" and m.root not in self._host_paths:
                        self._host_paths.append(m.root)
            self.message = ("docker run: a new container with a new, empty writable layer"
                            if code == 0 else out.strip())
            return self._redraw(error=code != 0)
        argv = {"stop": ["stop", self.name], "start": ["start", self.name], "rm": ["rm", self.name],
                "rm -v": ["rm", "-v", self.name]}.get(key)
        if argv is None:
            self.message = f"docker: unknown command: {key}"
            return self._redraw(error=True)
        code, out = self.docker(argv)
        self.message = f"docker {' '.join(argv)}: " + (out.strip() if code else "done")
        return self._redraw(error=code != 0)

    # ------------------------------------------------------------------ state
    def still_there(self, r: Record) -> bool:
        """Are the bytes of this record still where they landed?"""
        eng = self.engine
        if r.kind == "volume":
            vol = eng.find_volume(r.key)
            return vol is not None and vol.fs.lookup(r.inner) is not None
        if r.kind == "bind":
            return eng.host.lookup(r.inner) is not None
        c = self.container
        if r.kind == "config":
            return c is not None and c.id == r.key
        if r.kind == "layer":
            return c is not None and c.id == r.key and c.rootfs.lookup(r.path) is not None
        cid, _, target = r.key.partition(":")
        if c is None or c.id != cid or not c.running:
            return False
        m = next((m for m in _user_mounts(c) if m.target == target), None)
        return m is not None and m.fs.lookup(r.inner) is not None

    def survival(self) -> list[dict]:
        """Each file written so far: where it landed and whether it is still there."""
        return [{"path": r.path, "landed in": r.store, "still there": self.still_there(r)} for r in self.records]

    def _redraw(self, error: bool = False, html: bool = False) -> str:
        c = self.container
        rows, stores = snapshot(self.engine, c, highlight=self._highlight, extra=[r.path for r in self.records],
                                host_paths=self._host_paths, volume_names=self._volume_names)
        state = "removed" if c is None else c.state
        title = f"Container {self.name} ({state})"
        self.picture.value = mount_map(rows, stores, title=title)
        msg = self.message if html else escape(self.message)
        colour = "#c62828" if error else "#1b5e20"
        last = self.log[-1][0] if self.log else ""
        self.status.value = (f"<div style='font-family:monospace;color:#555'>$ {escape(last)}</div>"
                             f"<div style='color:{colour}'>{msg}</div>")
        rows_t = [[r["path"], r["landed in"], "yes" if r["still there"] else "no, gone"] for r in self.survival()]
        self.table.value = (_survival_table(rows_t) if rows_t
                            else "<i>Write a file to start the table of what survives.</i>")
        return self.message

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
