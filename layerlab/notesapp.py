"""The capstone's app: **notes**, a small web app with a database, photo uploads and a page
cache, shipped with a bloated Dockerfile (notebooks/08-capstone.ipynb).

Everything here is plain data or a function over an :class:`~layerlab.engine.Engine`, so the
chapter, its hidden tests (each on a fresh engine) and the tests in ``tests/chapters`` share
one definition of the app:

* :data:`CONTEXT` -- the build context, i.e. the developer's project folder as the docker
  client sends it: the app itself (``server.py``, ``start.sh``, ``notesctl``, ``schema.sql``,
  ``templates/``, ``static/``, ``requirements.txt``, a default ``config.ini``) and what else
  lies in that folder (the ``.git`` history, a local ``.venv``, test fixtures, screenshots);
* :data:`BLOATED_DOCKERFILE` -- the Dockerfile the app ships with;
* :func:`context` -- the folder as a build context, with a ``Dockerfile`` and a ``.dockerignore``
  (which :meth:`~layerlab.engine.Engine.build` applies, as the docker client does);
* :func:`install_host_config` -- the production config on the engine's host filesystem, at
  :data:`HOST_CONFIG` (what ``-v /srv/notes/config.ini:...`` bind-mounts);
* :func:`build` -- ``docker build -t TAG .`` in the folder; :func:`fresh_engine` -- a new engine
  that shares only this process's build cache (graders rebuild the same Dockerfiles often);
* :func:`check_app` -- does the app still work in a container of this image? It runs one with
  the production storage and drives it, then removes what it made;
* :func:`measure` / :func:`scoreboard` -- size, wasted bytes, layer count and efficiency score
  of an image, against :data:`TARGETS`;
* :func:`run_commands`, :func:`traffic`, :func:`mounts`, :func:`inventory` -- run a learner's
  docker command lines, play a morning of users, and read back (as docker shows it) how a
  container stores its data and what data the app holds.

The app is a model, as layerlab's ``python`` is: ``python3 /app/server.py`` keeps running like a
server but serves nothing. The app's work is done by ``notesctl``, a POSIX shell script the web
server would run the same way; a learner plays the users with ``docker exec notes notesctl ...``.
Its "database" is one text file with a line per record, so that ``cat`` can show it; a real app
would use SQLite, and the storage story (one file that must outlive every container) is the same.
"""
from __future__ import annotations

import hashlib
import json
import shlex

from .content import Content
from .fs.tree import FILE, Node

__all__ = ["CONTEXT", "APP_FILES", "NOT_THE_APP", "BLOATED_DOCKERFILE", "HOST_CONFIG", "HOST_CONFIG_TEXT",
           "TARGETS", "text", "listing", "context", "install_host_config", "fresh_engine", "build",
           "check_app", "measure", "scoreboard", "wasted_bytes", "run_commands", "mounts", "traffic",
           "inventory"]

# ----------------------------------------------------------------------------- the app's files
SERVER_PY = '''\
"""notes: a tiny team notebook with photos (Flask)."""
import configparser
import os
import subprocess

from flask import Flask, redirect, request, send_file

CONFIG = os.environ.get("NOTES_CONFIG", "/etc/notes/config.ini")
cfg = configparser.ConfigParser()
cfg.read(CONFIG)
conf = cfg["notes"]

app = Flask(__name__, template_folder="/app/templates", static_folder="/app/static")


def notesctl(*args):
    return subprocess.run(["notesctl", *args], check=True, capture_output=True, text=True).stdout


@app.get("/")
def index():
    page = os.path.join(conf["cache"], "index.html")
    if not os.path.exists(page):
        notesctl("render")            # the page cache is rebuilt on demand
    return send_file(page)


@app.post("/notes")
def add_note():
    notesctl("add", request.form["text"])
    return redirect("/")


@app.post("/photos")
def upload():
    photo = request.files["photo"]
    photo.save(os.path.join(conf["uploads"], photo.filename))
    notesctl("upload", photo.filename, "0")
    return redirect("/")


@app.get("/health")
def health():
    return {"status": "ok", "database": os.path.exists(conf["database"])}


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8000)
'''

START_SH = '''\
#!/bin/sh
# start.sh: make sure the database exists, then run the web server as PID 1.
set -e
notesctl init
exec python3 /app/server.py
'''

NOTESCTL = r'''#!/bin/sh
# notesctl: the notes app's own tool. The web server (server.py) calls it when users
# post notes and photos; run it yourself with: docker exec notes notesctl ...
set -e
CONFIG="${NOTES_CONFIG:-/etc/notes/config.ini}"
APP=/app
if [ ! -r "$CONFIG" ]; then
  echo "notesctl: cannot read the config file $CONFIG" >&2
  exit 78
fi
conf() { sed -n "s/^$1 *= *//p" "$CONFIG" | head -n 1; }
SITE="$(conf site_name)"
DB="$(conf database)"
UPLOADS="$(conf uploads)"
CACHE="$(conf cache)"
LOG="$(conf log)"

log() {
  mkdir -p "$(dirname "$LOG")"
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $*" >> "$LOG"
}
need_db() {
  if [ ! -f "$DB" ]; then
    echo "notesctl: no database at $DB (run: notesctl init)" >&2
    exit 1
  fi
}
count() { grep -c "^$1|" "$DB" || true; }

cmd="${1:-help}"
if [ $# -gt 0 ]; then shift; fi
case "$cmd" in
  init)
    mkdir -p "$(dirname "$DB")" "$UPLOADS"
    if [ -f "$DB" ]; then
      echo "database $DB already exists: $(count note) notes, $(count photo) photos"
    else
      cp "$APP/schema.sql" "$DB"
      echo "created the database $DB"
    fi
    log "init"
    ;;
  add)
    need_db
    printf 'note|%s\n' "$*" >> "$DB"
    echo "note $(count note) saved"
    log "add note"
    ;;
  upload)
    need_db
    name="$1"
    kb="${2:-100}"
    if [ "$kb" != 0 ]; then
      dd if=/dev/zero of="$UPLOADS/$name" bs=1024 count="$kb" 2>/dev/null
    fi
    printf 'photo|%s\n' "$name" >> "$DB"
    echo "photo $name saved"
    log "upload $name"
    ;;
  render)
    need_db
    mkdir -p "$CACHE/thumbs"
    sed "s/{{site}}/$SITE/" "$APP/templates/index.html" > "$CACHE/index.html"
    grep '^note|' "$DB" | cut -d'|' -f2- >> "$CACHE/index.html"
    for f in "$UPLOADS"/*; do
      if [ -f "$f" ]; then
        head -c 4096 "$f" > "$CACHE/thumbs/$(basename "$f")"
      fi
    done
    echo "rendered $CACHE/index.html"
    log "render"
    ;;
  stats)
    need_db
    echo "site: $SITE"
    echo "notes: $(count note)"
    echo "photos: $(count photo)"
    ;;
  version)
    echo "notesctl 2.1"
    ;;
  *)
    echo "usage: notesctl init | add TEXT | upload NAME [KB] | render | stats | version" >&2
    exit 2
    ;;
esac
'''

SCHEMA_SQL = '''\
-- notes database, format 1. One record per line:
--   note|<text>
--   photo|<file name in the uploads folder>
'''

CONFIG_DEV = '''\
[notes]
site_name = Notes (development)
database = /data/notes.db
uploads = /data/uploads
cache = /var/cache/notes
log = /var/log/notes/app.log
'''

HOST_CONFIG = "/srv/notes/config.ini"
HOST_CONFIG_TEXT = '''\
[notes]
site_name = Team Notes
database = /data/notes.db
uploads = /data/uploads
cache = /var/cache/notes
log = /var/log/notes/app.log
'''

INDEX_HTML = '''\
<!doctype html>
<html><head><title>{{site}}</title><link rel="stylesheet" href="/static/style.css"></head>
<body><h1>{{site}}</h1>
<form method="post" action="/notes"><input name="text"><button>Add</button></form>
<form method="post" action="/photos" enctype="multipart/form-data"><input type="file" name="photo"><button>Upload</button></form>
'''

STYLE_CSS = "body { font-family: sans-serif; max-width: 40em; margin: 2em auto; }\nh1 { color: #1565c0; }\n"

README = '''\
# notes

A tiny team notebook with photos. `docker build -t notes .` and run it with
`docker run -d -p 8000:8000 notes`. Development: `python -m venv .venv`,
`pip install -r requirements-dev.txt`, `pytest`.
'''


def _exe(text: str) -> Node:
    """A file committed with its executable bit (git keeps it; so does the build context)."""
    from .clock import DEFAULT_EPOCH
    return Node(FILE, 0o755, 0, 0, DEFAULT_EPOCH, Content.of(text))


#: The files the app needs in the image (path in the context -> what the server does with it).
APP_FILES = {
    "server.py": "the web server (the image's command runs it)",
    "start.sh": "the start script: creates the database if there is none, then starts the server",
    "notesctl": "the app's tool: adds notes and photos, renders the page cache",
    "schema.sql": "the empty database that notesctl init copies",
    "templates/index.html": "the page template",
    "static/style.css": "the page style",
    "requirements.txt": "the Python packages the server imports (Flask)",
    "config.ini": "a default config for development",
}

#: The build context: the project folder on the developer's laptop.
CONTEXT: dict[str, object] = {
    "server.py": SERVER_PY,
    "start.sh": _exe(START_SH),
    "notesctl": _exe(NOTESCTL),
    "schema.sql": SCHEMA_SQL,
    "templates/index.html": INDEX_HTML,
    "static/style.css": STYLE_CSS,
    "requirements.txt": "flask==3.0.3\n",
    "config.ini": CONFIG_DEV,
    # ... and what else lives in the folder
    "README.md": README,
    "requirements-dev.txt": "-r requirements.txt\npytest==8.2.0\n",
    "tests/test_notes.py": "def test_index(client):\n    assert client.get('/').status_code == 200\n",
    "tests/fixtures/sample-notes.db": Content.synthetic("notes:fixture-db", 12_400_000),
    "docs/screenshots/home.png": Content.synthetic("notes:shot-home", 1_850_000),
    "docs/screenshots/upload.png": Content.synthetic("notes:shot-upload", 1_420_000),
    ".git/HEAD": "ref: refs/heads/main\n",
    ".git/config": "[core]\n\trepositoryformatversion = 0\n\tbare = false\n",
    ".git/objects/pack/pack-5d1e2a.idx": Content.synthetic("notes:git-idx", 1_210_000),
    ".git/objects/pack/pack-5d1e2a.pack": Content.synthetic("notes:git-pack", 38_600_000),
    ".venv/pyvenv.cfg": "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.12.3\n",
    ".venv/lib/python3.12/site-packages/_pytest/python.py": Content.synthetic("notes:venv-pytest", 72_000),
    ".venv/lib/python3.12/site-packages/flask/app.py": Content.synthetic("notes:venv-flask", 61_000),
    ".venv/lib/python3.12/site-packages/numpy/core/_multiarray_umath.so": Content.synthetic("notes:venv-np", 9_800_000),
}

BLOATED_DOCKERFILE = '''\
FROM python:3.12-slim
RUN apt-get update
RUN apt-get install -y curl gcc
RUN apt-get install -y nodejs
COPY . /app
WORKDIR /app
RUN pip install -r requirements.txt
RUN chmod -R a+rX /app
RUN ln -s /app/notesctl /usr/local/bin/notesctl
RUN mkdir -p /data/uploads /var/cache/notes /var/log/notes /etc/notes
RUN cp config.ini /etc/notes/config.ini
RUN apt-get clean
RUN rm -rf /var/lib/apt/lists/* /root/.cache/pip /app/tests
ENV NOTES_CONFIG=/etc/notes/config.ini
EXPOSE 8000
HEALTHCHECK CMD curl -fs http://localhost:8000/health || exit 1
CMD ["/app/start.sh"]
'''

#: The capstone's targets for the slim image.
TARGETS = {"size": 150_000_000, "wasted_bytes": 5_000_000, "layers": 10}

#: What the rest of the folder is (path prefix -> description).
NOT_THE_APP = {
    ".git/": "the project's history (git)",
    ".venv/": "the developer's own Python environment",
    "tests/": "the tests and their sample database",
    "docs/": "screenshots for the README",
    "README.md": "the project's read-me",
    "requirements-dev.txt": "the packages the tests need",
}


def _size(data) -> int:
    if isinstance(data, Node):
        return data.content.size
    if isinstance(data, Content):
        return data.size
    return len(data.encode() if isinstance(data, str) else data)


def text(path: str) -> str:
    """The text of a file of the notes folder (``notesapp.text("start.sh")``)."""
    data = CONTEXT[path]
    if isinstance(data, Node):
        data = data.content
    return data.read().decode() if isinstance(data, Content) else data


def listing() -> list[tuple[str, int, str]]:
    """``(path, bytes, what it is)`` for every file of the notes folder, sorted by path."""
    rows = []
    for path in sorted(CONTEXT):
        role = APP_FILES.get(path) or next((d for pre, d in NOT_THE_APP.items() if path.startswith(pre)), "")
        rows.append((path, _size(CONTEXT[path]), role))
    return rows


# ----------------------------------------------------------------------------- the context
def context(dockerignore: str = "", dockerfile: str | None = None) -> dict[str, object]:
    """The notes folder as a build context: :data:`CONTEXT`, plus the ``Dockerfile`` and the
    ``.dockerignore`` when given. :meth:`Engine.build` leaves out what the ``.dockerignore``
    excludes, as the docker client does (the Dockerfile and the .dockerignore too, if they are
    listed: they are still sent, but COPY does not copy them)."""
    files = dict(CONTEXT)
    if dockerfile is not None:
        files["Dockerfile"] = dockerfile
    if dockerignore:
        files[".dockerignore"] = dockerignore
    return files


# ----------------------------------------------------------------------------- engine helpers
def install_host_config(engine) -> None:
    """Put the production config at :data:`HOST_CONFIG` on the engine's host filesystem (what
    a bind mount reads), unless something is there already."""
    host = engine.host
    if not host.exists(HOST_CONFIG):
        host.makedirs("/srv/notes")
        host.write(HOST_CONFIG, HOST_CONFIG_TEXT)


# Build results of every engine this module built on, by BuildKit cache key. A build cache hit
# reuses layers, which are immutable values: the same instructions on the same parent give the
# same layers whether they are rebuilt or reused (the builder is deterministic).
_SHARED_CACHE: dict = {}


def fresh_engine(seed: int = 0):
    """A new Engine -- no images, containers, volumes or host files -- whose build cache starts
    with what this process has built through :func:`build` before, as a CI runner keeps its
    BuildKit cache between jobs. Graders build the same Dockerfiles many times; this keeps that
    fast without sharing anything else."""
    from .engine import Engine
    eng = Engine(seed=seed)
    eng.build_cache.update(_SHARED_CACHE)
    return eng


def build(engine, dockerfile: str, dockerignore: str = "", tag: str = "notes:2.0"):
    """``docker build -t TAG .`` in the notes project folder (with this Dockerfile and
    ``.dockerignore``); returns the BuildResult (raises BuildError as docker build fails)."""
    try:
        return engine.build(dockerfile, context(dockerignore, dockerfile), tag=tag)
    finally:
        _SHARED_CACHE.update(engine.build_cache)


def run_commands(engine, commands) -> list[dict]:
    """Run docker command lines (``"docker volume create x"``) on ``engine`` as a terminal
    would, in order; one ``{"command", "status", "stdout", "stderr"}`` per line. A line that
    is not a docker command gets status 127, as a shell would give it."""
    from .cli import run
    from .cli.format.formatter import UTC
    out = []
    for cmd in commands:
        try:
            words = shlex.split(cmd)
        except ValueError as exc:
            out.append({"command": cmd, "status": 2, "stdout": "", "stderr": f"cannot parse: {exc}"})
            continue
        if not words or words[0] != "docker":
            out.append({"command": cmd, "status": 127, "stdout": "",
                        "stderr": f"{words[0] if words else cmd!r}: not a docker command"})
            continue
        code, so, se = run(words[1:], engine, tz=UTC)
        out.append({"command": cmd, "status": code, "stdout": so.decode("utf-8", "replace"),
                    "stderr": se.decode("utf-8", "replace")})
    return out


def mounts(engine, container: str) -> dict[str, dict]:
    """How ``container`` stores data, as ``docker inspect`` shows it: destination ->
    ``{"type": "volume"|"bind"|"tmpfs", "name": volume name or "", "source": ..., "rw": bool,
    "anonymous": bool}``. ``--tmpfs`` mounts are in ``HostConfig.Tmpfs`` (docker does not list
    them under ``Mounts``), ``--mount type=tmpfs`` ones in ``Mounts``: both are here."""
    from .cli import run
    code, so, _ = run(["inspect", "--type", "container", container, "--format",
                       "{{json .Mounts}}\n{{json .HostConfig}}"], engine)
    if code != 0:
        return {}
    left, _, right = so.decode().strip().partition("\n")
    right = json.dumps((json.loads(right) or {}).get("Tmpfs") or {})
    out: dict[str, dict] = {}
    anon = {v["Name"] for v in engine.volume_ls() if "com.docker.volume.anonymous" in (v.get("Labels") or {})}
    for m in json.loads(left) or []:
        out[m["Destination"]] = {"type": m["Type"], "name": m.get("Name", ""), "source": m.get("Source", ""),
                                 "rw": bool(m.get("RW")), "anonymous": m.get("Name", "") in anon}
    for dest in (json.loads(right) or {}):
        out[dest] = {"type": "tmpfs", "name": "", "source": "", "rw": True, "anonymous": False}
    return out


def _exec(engine, container: str, *argv: str) -> tuple[int, str]:
    from .engine import RunError
    try:
        r = engine.exec(container, list(argv))
    except RunError as exc:
        return getattr(exc, "exit_code", 126), str(exc)
    except Exception as exc:                      # not running, no such container
        return 125, str(exc)
    return r.exit_code, r.output


def traffic(engine, container: str = "notes") -> list[tuple[int, str]]:
    """A morning of users: three notes, two photos, one page view (the cache is rendered)."""
    steps = [("add", "Stand-up moved to 9:30"), ("add", "Release notes for 2.1 are in the wiki"),
             ("upload", "whiteboard.jpg", "1800"), ("add", "Lunch: Thai place on Friday?"),
             ("upload", "team-photo.jpg", "2600"), ("render",)]
    return [_exec(engine, container, "notesctl", *s) for s in steps]


def inventory(engine, container: str = "notes") -> dict:
    """What the app holds, read through ``container`` (plain data): the database's lines and
    sha256, the photos and their sizes, the site name the config gives, the cached pages."""
    def read(cmd: str) -> tuple[int, str]:
        return _exec(engine, container, "sh", "-c", cmd)

    code, db = read('cat "$(sed -n "s/^database *= *//p" /etc/notes/config.ini)"')
    _, photos = read('ls -ln "$(sed -n "s/^uploads *= *//p" /etc/notes/config.ini)" 2>/dev/null | '
                     "sed -n 's/^-[^ ]* *[0-9]* *[0-9]* *[0-9]* *\\([0-9]*\\) .* \\([^ ]*\\)$/\\2 \\1/p'; true")
    _, site = read('sed -n "s/^site_name *= *//p" /etc/notes/config.ini')
    _, cache = read('ls "$(sed -n "s/^cache *= *//p" /etc/notes/config.ini)" 2>/dev/null; true')
    lines = db.splitlines() if code == 0 else []
    return {
        "notes": [ln.split("|", 1)[1] for ln in lines if ln.startswith("note|")],
        "photos": dict((ln.rsplit(" ", 1)[0], int(ln.rsplit(" ", 1)[1])) for ln in photos.splitlines()
                       if " " in ln and ln.rsplit(" ", 1)[1].isdigit()),
        "database_sha256": hashlib.sha256(db.encode()).hexdigest() if code == 0 else "",
        "site": site.strip(),
        "cache": cache.split(),
    }


# ----------------------------------------------------------------------------- measuring
def measure(engine, image: str) -> dict:
    """``{"size", "wasted_bytes", "layers", "score"}`` of an image (plain data): the size
    ``docker images`` shows, the bytes stored in a layer but hidden by a later one, the layer
    count (``RootFS.Layers``) and dive's efficiency score."""
    img = engine.image(image)
    key = (img.id, engine.driver_name)   # an image ID names its layers: on one driver the answer is fixed
    if key not in _MEASURED:
        rep = _efficiency(engine, image)
        _MEASURED[key] = {"size": img.size, "wasted_bytes": rep.wasted_bytes, "layers": len(img.layers),
                             "score": round(rep.score, 4)}
    return dict(_MEASURED[key])


_MEASURED: dict = {}


def _efficiency(engine, image: str):
    """``Engine.efficiency`` (layerlab.efficiency, dive's analysis); where this engine has
    none, the wasted bytes are computed from the layers here (same rule, no score)."""
    if hasattr(engine, "efficiency"):
        return engine.efficiency(image)
    from types import SimpleNamespace
    return SimpleNamespace(wasted_bytes=wasted_bytes(engine.image(image).layers), score=float("nan"))


def wasted_bytes(layers) -> int:
    """Bytes stored in a layer but hidden by a later one: a later copy of the same path, a
    whiteout of it or of a directory above it, an opaque directory above it, or a directory
    put in its place. Sizes follow overlay2's layer size (a file's length, a symlink's target
    length; directories 0)."""
    from .fs.tree import DIR
    visible: dict[str, int] = {}           # path -> bytes of the copy that is visible now
    wasted = 0

    def hide_under(d: str) -> int:
        prefix = d.rstrip("/") + "/"
        gone = [p for p in visible if p.startswith(prefix)]
        return sum(visible.pop(p) for p in gone)

    for layer in layers:
        for d in layer.opaques:
            wasted += hide_under(d)
        for w in layer.whiteouts:
            wasted += visible.pop(w, 0) + hide_under(w)
        for path, node in layer.entries.items():
            if node.kind == DIR:
                wasted += visible.pop(path, 0)
                continue
            wasted += visible.pop(path, 0) + hide_under(path)
            visible[path] = node.size
    return wasted


def scoreboard(engine, image: str = "notes:2.0") -> list[list[str]]:
    """Rows ``[measure, target, yours, met?]`` for the capstone's three targets (plain text)."""
    from .errors import LayerlabError
    from .render import size_text
    try:
        m = measure(engine, image)
    except LayerlabError as exc:
        return [["image", image, str(exc), "✗"]]
    t = TARGETS
    return [
        ["size", f"at most {size_text(t['size'])}", f"{size_text(m['size'])} ({m['size']:,} bytes)",
         "✓" if m["size"] <= t["size"] else "✗"],
        ["wasted bytes", f"at most {size_text(t['wasted_bytes'])}",
         f"{size_text(m['wasted_bytes'])} ({m['wasted_bytes']:,} bytes)", "✓" if m["wasted_bytes"] <= t["wasted_bytes"] else "✗"],
        ["layers", f"at most {t['layers']}", str(m["layers"]), "✓" if m["layers"] <= t["layers"] else "✗"],
    ]


# ----------------------------------------------------------------------------- the app check
def _file_sha(fs, path: str) -> str | None:
    try:
        node = fs.stat(path)
    except OSError:
        return None
    if node.kind != FILE:
        return None
    return node.content.sha256()


def _expected_sha(rel: str) -> str:
    data = CONTEXT[rel]
    if isinstance(data, Node):
        return data.content.sha256()
    return (data if isinstance(data, Content) else Content.of(data)).sha256()


_FLASK = ("ls -d /usr/local/lib/python3*/site-packages/flask/__init__.py "
          "/usr/lib/python3*/site-packages/flask/__init__.py /usr/lib/python3/dist-packages/flask/__init__.py "
          "2>/dev/null | head -n 1")


def check_app(engine, image: str, *, name: str = "notes-check") -> list[dict]:
    """Does the app still work in a container of ``image``? Runs one with the production
    storage (a fresh volume on /data, the host config read-only, a tmpfs cache), checks what
    the app needs and uses it like a user would, then removes the container and its volume.

    Returns one ``{"check", "ok", "detail"}`` per item, in order: the image's command starts
    the server; the app's files are at /app, unchanged; notesctl is on the PATH; Flask is
    installed; curl runs (the HEALTHCHECK needs it); adding notes, uploading a photo and
    rendering the cache work."""
    from .errors import LayerlabError
    install_host_config(engine)
    try:
        key = (engine.image(image).id, engine.host.read_text(HOST_CONFIG), name)
    except (LayerlabError, OSError):
        key = None
    if key in _CHECKED:         # the check is deterministic: the same image gives the same answers
        return [dict(r) for r in _CHECKED[key]]
    results = _check_app(engine, image, name)
    if key is not None:
        _CHECKED[key] = [dict(r) for r in results]
    return results


_CHECKED: dict = {}


def _check_app(engine, image: str, name: str) -> list[dict]:
    from .engine import RunError
    from .errors import LayerlabError
    vol = f"{name}-data"
    results: list[dict] = []

    def item(check: str, ok: bool, detail: str = "") -> None:
        results.append({"check": check, "ok": bool(ok), "detail": detail.strip()})

    try:
        img = engine.image(image)
    except LayerlabError as exc:
        return [{"check": "the image exists", "ok": False, "detail": str(exc)}]
    for old in (name,):
        try:
            engine.rm(old, force=True)
        except LayerlabError:
            pass
    started = None
    try:
        started = engine.run(img.id, detach=True, name=name,
                             volumes=[f"{vol}:/data", f"{HOST_CONFIG}:/etc/notes/config.ini:ro"],
                             tmpfs=["/var/cache/notes"])
        running = started.running
        item("the image's command starts the server", running,
             "running" if running else f"exited with {started.exit_code}: {started.last_output[-300:]}")
    except (RunError, LayerlabError) as exc:
        item("the image's command starts the server", False, str(exc))
    try:
        c = engine.container(name)
    except LayerlabError:
        c = None
    if c is not None and not c.running:                # check the files anyway, in a shell
        try:
            engine.rm(name, force=True)
            c = engine.run(img.id, ["sh", "-c", "sleep 3600"], detach=True, name=name,
                           volumes=[f"{vol}:/data", f"{HOST_CONFIG}:/etc/notes/config.ini:ro"],
                           tmpfs=["/var/cache/notes"])
        except LayerlabError as exc:
            item("the image has a shell to look inside", False, str(exc))
            c = None
    if c is None or not c.running:
        _cleanup(engine, name, vol)
        return results
    app_paths = ["server.py", "start.sh", "notesctl", "schema.sql", "templates/index.html", "static/style.css"]
    missing = [f"/app/{p}" for p in app_paths if p != "notesctl" and _file_sha(c.fs, f"/app/{p}") != _expected_sha(p)]
    item("the app's files are in /app, unchanged", not missing,
         ("missing or changed: " + ", ".join(missing)) if missing else "server.py, start.sh, schema.sql, templates/, static/")
    code, where = _exec(engine, name, "sh", "-c", "command -v notesctl")
    where = where.strip()
    same = code == 0 and _file_sha(c.fs, where) == _expected_sha("notesctl")
    item("notesctl is on the PATH", same, where if same else (f"{where} is not the app's notesctl" if code == 0
                                                               else "notesctl: not found"))
    code, flask = _exec(engine, name, "sh", "-c", _FLASK)
    item("Flask is installed", code == 0 and flask.strip() != "", flask.strip() or "no flask package for python3")
    code, out = _exec(engine, name, "curl", "--version")
    item("curl runs (the HEALTHCHECK needs it)", code == 0, "ok" if code == 0 else out)
    steps = [("init",), ("add", "checking the image"), ("upload", "check.jpg", "40"), ("render",), ("stats",)]
    outs = [_exec(engine, name, "notesctl", *s) for s in steps]
    bad = [f"notesctl {' '.join(s)}: {o.strip()}" for s, (code, o) in zip(steps, outs) if code != 0]
    ok = not bad and "notes: 1" in outs[-1][1] and "photos: 1" in outs[-1][1]
    item("notes, photos and the page cache work", ok,
         "; ".join(bad) if bad else ", ".join(outs[-1][1].split("\n")).strip(", "))
    _cleanup(engine, name, vol)
    return results


def _cleanup(engine, name: str, vol: str) -> None:
    from .errors import LayerlabError
    try:
        engine.rm(name, force=True, volumes=True)
    except LayerlabError:
        pass
    try:
        engine.volume_rm(vol)
    except LayerlabError:
        pass
