"""The docker commands: parse with docker's flags, call the Engine, print like docker/cli 28.

Each handler takes ``(cli, opts)`` and returns the exit status. Errors follow docker: a daemon
error prints ``Error response from daemon: <text>`` and exits 1; ``docker run`` errors are
``docker: ...`` plus a help hint and exit 125/126/127 (docker/cli ``toStatusError``).
"""
from __future__ import annotations

import fnmatch
import os
import re

from ..errors import DaemonError, NotFound
from .format import gojson
from ._helptext import HELP
from ..apidocs import NS, state_name
from ..container import State
from ..image import full_reference
from .format import formatter as F

COMMANDS: dict[str, tuple] = {}        # canonical path -> (handler, min args, max args)


def command(*paths: str, args: tuple[int, int | None] = (0, 0)):
    def deco(fn):
        for p in paths:
            COMMANDS[p] = (fn, args[0], args[1])
        return fn
    return deco


class CliError(Exception):
    """Print ``message`` on stderr (if any) and exit with ``code``."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.message = message
        self.code = code


def daemon_msg(exc: DaemonError) -> str:
    return f"Error response from daemon: {exc}"


CLIENT_VERSION = "28.2.2"
CLIENT_API = "1.50"
CLIENT_COMMIT = "e6534b4"


# ====================================================================== containers: list
def _filters(values: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for v in values:
        if "=" not in v:
            raise CliError("bad format of filter (expected name=value)")
        k, _, val = v.partition("=")
        out.setdefault(k.strip().lower(), []).append(val)
    return out


_PS_FILTERS = {"ancestor", "before", "expose", "exited", "health", "id", "isolation", "is-task",
               "label", "name", "network", "publish", "since", "status", "volume"}
_STATUSES = ("created", "restarting", "running", "removing", "paused", "exited", "dead")


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return pattern in text


def _ps_filter(cli, containers, filters: dict[str, list[str]]):
    eng = cli.engine
    for k in filters:
        if k not in _PS_FILTERS:
            raise CliError(daemon_msg(DaemonError(f"invalid filter '{k}'")))
    for st in filters.get("status", []):
        if st not in _STATUSES:
            raise CliError(daemon_msg(DaemonError(f"invalid filter 'status={st}'")))
    out = []
    for c in containers:
        if "name" in filters and not any(_search(p, "/" + c.name) or _search(p, c.name) for p in filters["name"]):
            continue
        if "id" in filters and not any(c.id.startswith(p) or _search(p, c.id) for p in filters["id"]):
            continue
        if "status" in filters and state_name(c) not in filters["status"]:
            continue
        if "exited" in filters:
            if c.state != State.EXITED or str(c.exit_code) not in filters["exited"]:
                continue
        if "label" in filters:
            ok = True
            for lab in filters["label"]:
                k, eq, v = lab.partition("=")
                if k not in c.labels or (eq and c.labels[k] != v):
                    ok = False
            if not ok:
                continue
        if "ancestor" in filters:
            ok = False
            for ref in filters["ancestor"]:
                img = eng.find_image(ref)
                if img is not None and any(a.id == img.id for a in eng.lineage(c.image)):
                    ok = True
                    break
            if not ok:
                continue
        if "volume" in filters:
            mounts = eng.container_mounts(c)
            names = {m.get("Name") or m.get("Source") for m in mounts} | {m.get("Destination") for m in mounts}
            if not any(v in names for v in filters["volume"]):
                continue
        out.append(c)
    for key, cmp in (("before", lambda c, ref: c.created < ref.created),
                     ("since", lambda c, ref: c.created > ref.created)):
        for v in filters.get(key, []):
            ref = eng.container(v)
            out = [c for c in out if cmp(c, ref)]
    return out


def _dummy_summary() -> dict:
    return {"Id": "", "Names": [], "Image": "", "ImageID": "", "Command": "", "Created": 0,
            "State": "", "Status": "", "Labels": {}, "Mounts": [], "Networks": []}


@command("docker ps", "docker container ls")
def cmd_ps(cli, o):
    fmt = o["format"] or ""
    quiet = o["quiet"]
    size = o["size"]
    if fmt:
        from .format import gotemplate as gt
        try:
            tmpl = F.parse(fmt)
        except gt.TemplateError as exc:
            raise CliError(f"failed to parse template: {exc}")
        probe = F.ContainerContext(_dummy_summary(), True, 0, cli.tz)
        try:
            tmpl.execute(probe)
        except gt.TemplateError as exc:
            raise CliError(f"failed to execute template: {exc}")
        if not quiet and "size" not in o.changed and "Size" in probe.fields_used:
            size = True
    eng = cli.engine
    last = o["last"] if o["last"] is not None else -1
    if o["latest"]:
        last = 1
    show_all = o["all"] or last != -1
    containers = eng.ps(all=show_all)
    containers = _ps_filter(cli, containers, _filters(o["filter"]))
    if last > 0:
        containers = containers[:last]
    if fmt in ("", F.TABLE):
        fmt = "{{.ID}}" if quiet else ("table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
                                       + ("\t{{.Size}}" if size else ""))
    elif fmt == F.RAW:
        fmt = "container_id: {{.ID}}" if quiet else (
            "container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\n"
            "state: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\n"
            "labels: {{- pad .Labels 1 0}}\nports: {{- pad .Ports 1 0}}\n" + ("size: {{.Size}}\\n" if size else ""))
    elif quiet:
        fmt = "{{.ID}}"
    now = eng.clock()
    rows = [F.ContainerContext(eng.container_summary(c, size=size), not o["no-trunc"], now, cli.tz)
            for c in containers]
    cli.write_format(fmt, rows, F.ContainerContext.HEADER)
    return 0


# ====================================================================== images: list
def split_ref(ref: str) -> tuple[str, str]:
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        return ref[:colon], ref[colon + 1:]
    return ref, "latest"


def _image_rows(summaries, trunc, now, tz, match=None):
    rows = []
    for s in summaries:
        if not s["RepoTags"]:
            if match is not None:
                continue
            rows.append(F.ImageContext(s, "<none>", "<none>", "<none>", trunc, now, tz))
            continue
        by_repo: dict[str, list[str]] = {}
        for t in s["RepoTags"]:
            repo, tag = split_ref(t)
            by_repo.setdefault(repo, []).append(tag)
        for repo, tags in by_repo.items():
            for tag in tags:
                if match is not None and not match(repo, tag):
                    continue
                rows.append(F.ImageContext(s, repo, tag, "<none>", trunc, now, tz))
    return rows


def _ref_matcher(pattern: str):
    if ":" in pattern.rsplit("/", 1)[-1]:
        prepo, ptag = split_ref(pattern)
    else:
        prepo, ptag = pattern, None
    prepo = F.familiar(prepo)

    def match(repo, tag):
        if not fnmatch.fnmatchcase(repo, prepo):
            return False
        return ptag is None or fnmatch.fnmatchcase(tag, ptag)
    return match


@command("docker images", "docker image ls", args=(0, 1))
def cmd_images(cli, o):
    eng = cli.engine
    filters = _filters(o["filter"])
    for k in filters:
        if k not in ("dangling", "label", "before", "since", "reference", "until"):
            raise CliError(daemon_msg(DaemonError(f"invalid filter '{k}'")))
    summaries = eng.image_summaries(all=o["all"])
    dangling = filters.get("dangling")
    if dangling:
        want = dangling[-1].lower() in ("true", "1")
        summaries = [s for s in summaries if (not s["RepoTags"]) == want]
    for key, cmp in (("before", lambda s, r: s["Created"] < r.created // NS),
                     ("since", lambda s, r: s["Created"] > r.created // NS)):
        for v in filters.get(key, []):
            ref = eng.image(v)
            summaries = [s for s in summaries if cmp(s, ref)]
    matchers = [_ref_matcher(p) for p in (o.args[:1] + filters.get("reference", []))]
    match = None
    if matchers:
        def match(repo, tag):
            return all(m(repo, tag) for m in matchers)
    fmt = o["format"] or F.TABLE
    quiet, digests = o["quiet"], o["digests"]
    if fmt == F.TABLE:
        if quiet:
            fmt = "{{.ID}}"
        elif digests:
            fmt = "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}"
        else:
            fmt = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}"
    elif fmt == F.RAW:
        fmt = "image_id: {{.ID}}" if quiet else (
            "repository: {{ .Repository }}\ntag: {{.Tag}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n")
    elif F.is_table(fmt) and digests and "{{.Digest}}" not in fmt:
        fmt += "\t{{.Digest}}"
    rows = _image_rows(summaries, not o["no-trunc"], eng.clock(), cli.tz, match)
    cli.write_format(fmt, rows, F.ImageContext.HEADER)
    return 0


# ====================================================================== history
@command("docker history", "docker image history", args=(1, 1))
def cmd_history(cli, o):
    eng = cli.engine
    rows = eng.history(o.args[0])
    human = o["human"]
    fmt = o["format"] or F.TABLE
    if fmt == F.TABLE:
        if o["quiet"]:
            fmt = "{{.ID}}"
        elif not human:
            fmt = "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
        else:
            fmt = "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
    now = eng.clock()
    ctxs = [F.HistoryContext(r, not o["no-trunc"], human, now, cli.tz) for r in rows]
    cli.write_format(fmt, ctxs, F.HistoryContext.HEADER)
    return 0


# ====================================================================== inspect
def _inspect(cli, refs, fmt, getter, not_found=None):
    """docker/cli inspect.Inspect: JSON array, or a template per element; errors after."""
    from .format import gotemplate as gt
    tmpl = None
    if fmt and fmt != "json":
        try:
            tmpl = F.parse(fmt)
        except gt.TemplateError as exc:
            raise CliError(f"template parsing error: {exc}", 64)
    docs, errs, out = [], [], []
    for ref in refs:
        try:
            doc, extra = getter(ref)
        except DaemonError as exc:
            errs.append(not_found(ref, exc) if not_found else daemon_msg(exc))
            continue
        if fmt == "json":
            out.append(gt.go_json(gojson.go_value(doc), escape_html=False) + "\n")
        elif tmpl is not None:
            typed = gojson.go_value({**doc, **extra})
            try:
                out.append(tmpl.execute(typed) + "\n")
            except gt.TemplateError:
                try:
                    out.append(tmpl.execute(doc, missingkey="error") + "\n")
                except gt.TemplateError as exc:
                    errs.append(f"template parsing error: {exc}")
        else:
            docs.append(doc)
    if tmpl is None and fmt != "json":
        cli.out(gojson.marshal_indent(docs) + "\n" if docs else "[]\n")
    elif tmpl is not None and not out:
        cli.out("\n")      # observed: a template and no object found prints one empty line
    else:
        cli.out("".join(out))
    if errs:
        raise CliError("\n".join(errs), 1)
    return 0


def _image_doc(cli, ref):
    return cli.engine.inspect_image(ref), {}


@command("docker image inspect", args=(1, None))
def cmd_image_inspect(cli, o):
    return _inspect(cli, o.args, o["format"], lambda r: _image_doc(cli, r))


def _container_doc(cli, ref, size):
    eng = cli.engine
    doc = eng.inspect_container(ref, size=size)
    extra = {} if size else {"SizeRw": None, "SizeRootFs": None}
    return doc, extra


@command("docker container inspect", args=(1, None))
def cmd_container_inspect(cli, o):
    return _inspect(cli, o.args, o["format"], lambda r: _container_doc(cli, r, o["size"]))


def _volume_doc(cli, name):
    return cli.engine.volume_inspect(name), {}


@command("docker volume inspect", args=(1, None))
def cmd_volume_inspect(cli, o):
    return _inspect(cli, o.args, o["format"], lambda r: _volume_doc(cli, r))


@command("docker inspect", args=(1, None))
def cmd_inspect(cli, o):
    kind = o["type"] or ""
    if kind and kind not in ("container", "image", "volume", "network", "node", "service", "task",
                             "plugin", "secret", "config"):
        raise CliError(f'"{kind}" is not a valid value for --type')

    def get(ref):
        if kind in ("", "container"):
            try:
                return _container_doc(cli, ref, o["size"])
            except NotFound:
                pass
        if kind in ("", "image"):
            try:
                return _image_doc(cli, ref)
            except NotFound:
                pass
        if kind in ("", "volume"):
            try:
                return _volume_doc(cli, ref)
            except (NotFound, CliError):
                pass
        raise NotFound(ref)

    def not_found(ref, exc):
        if kind:
            return f"Error: No such {kind}: {ref}"
        return f"Error: No such object: {ref}"
    return _inspect(cli, o.args, o["format"], get, not_found)


# ====================================================================== diff / logs
@command("docker diff", "docker container diff", args=(1, 1))
def cmd_diff(cli, o):
    changes = cli.engine.diff(o.args[0])
    cli.out("".join(f"{ch}\n" for ch in changes))
    return 0


@command("docker logs", "docker container logs", args=(1, 1))
def cmd_logs(cli, o):
    c = cli.engine.container(o.args[0])
    chunks = c.log_chunks
    lines: list[tuple[int, bytes]] = []
    for stream, data in chunks:
        for ln in data.splitlines(keepends=True):
            lines.append((stream, ln))
    tail = o["tail"]
    if tail not in (None, "", "all"):
        try:
            n = int(tail)
        except ValueError:
            n = -1
        if n >= 0:
            lines = lines[len(lines) - n:] if n else []
    for stream, ln in lines:
        (cli.out_bytes if stream == 1 else cli.err_bytes)(ln)
    return 0


# ====================================================================== run / create
def _env_list(cli, o) -> list[str]:
    env: list[str] = []
    for path in o["env-file"]:
        try:
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    line = line.strip()
                    if not line or line.startswith("#"):
                        continue
                    env.append(line if "=" in line else _env_from_host(cli, line))
        except OSError as exc:
            raise CliError(f"docker: open {path}: {exc.strerror.lower()}\n\nRun 'docker run --help' for more information", 125)
    for e in o["env"]:
        env.append(e if "=" in e else _env_from_host(cli, e))
    return [e for e in env if e is not None]


def _env_from_host(cli, name):
    v = cli.env.get(name)
    return None if v is None else f"{name}={v}"


def _create_kwargs(cli, o) -> dict:
    kw: dict = {}
    if o["name"] is not None:
        kw["name"] = o["name"]
    if "entrypoint" in o.changed:
        kw["entrypoint"] = [o["entrypoint"]] if o["entrypoint"] else []
    env = _env_list(cli, o)
    if env:
        kw["env"] = env
    if o["workdir"]:
        kw["workdir"] = o["workdir"]
    if o["user"]:
        kw["user"] = o["user"]
    if o["read-only"]:
        kw["read_only"] = True
    if o["volume"]:
        kw["volumes"] = list(o["volume"])
    if o["mount"]:
        kw["mounts"] = list(o["mount"])
    if o["tmpfs"]:
        kw["tmpfs"] = list(o["tmpfs"])
    if o["volumes-from"]:
        kw["volumes_from"] = list(o["volumes-from"])
    labels = {}
    for lab in o["label"]:
        k, _, v = lab.partition("=")
        labels[k] = v
    if labels:
        kw["labels"] = labels
    return kw


def _status_error(exc: Exception, name: str) -> CliError:
    """docker/cli run.go toStatusError."""
    msg = daemon_msg(exc) if isinstance(exc, DaemonError) else str(exc)
    text = f"docker: {msg}\n\nRun 'docker {name} --help' for more information"
    if ("executable file not found" in msg or "no such file or directory" in msg
            or "system cannot find the file specified" in msg):
        return CliError(text, 127)
    if "permission denied" in msg or "is a directory" in msg:
        return CliError(text, 126)
    return CliError(text, 125)


def _ensure_image(cli, ref: str, cmd: str) -> None:
    eng = cli.engine
    if eng.find_image(ref) is not None:
        return
    from ..engine import normalize_ref
    shown = ref if "@" in ref or ":" in ref.rsplit("/", 1)[-1] else ref + ":latest"
    cli.err(f"Unable to find image '{shown}' locally\n")
    present = eng.layer_chain_ids()
    try:
        img = eng.pull(ref)
    except DaemonError as exc:
        raise _status_error(exc, cmd)
    cli.err(_pull_progress(normalize_ref(ref), img, present))




def _pull_progress(ref: str, img, present=frozenset()) -> str:
    name, tag = split_ref(ref)
    repo = name if "/" in name else "library/" + name
    lines = [f"{tag}: Pulling from {repo}"]
    for layer, cid in zip(img.layers, img.chain_ids):
        status = "Already exists" if cid in present else "Pull complete"   # moby distribution/pull_v2.go
        lines.append(f"{layer.diff_id.split(':', 1)[1][:12]}: {status} ")
    lines.append(f"Digest: {img.id}")
    lines.append(f"Status: Downloaded newer image for {ref}")
    return "\n".join(lines) + "\n"


def _start_output(cli, c, tty: bool = False) -> None:
    out, err = c.last_stdout, c.last_stderr
    if tty:
        # a pseudo-TTY: one stream, and the terminal's onlcr turns \n into \r\n
        cli.out_bytes(((out or b"") + (err or b"")).replace(b"\n", b"\r\n"))
        return
    cli.out_bytes(out or b"")
    cli.err_bytes(err or b"")


def _stdin_for(cli, o) -> bytes:
    """What the container's process reads: our stdin with -i, else nothing (docker: /dev/null)."""
    if not o["interactive"]:
        return b""
    if o["tty"] and not cli.stdin_is_tty():
        raise CliError("the input device is not a TTY")
    return cli.read_stdin()


def _start(eng, c, stdin: bytes):
    return eng.start(c, stdin=stdin) if stdin else eng.start(c)


@command("docker run", "docker container run", args=(1, None))
def cmd_run(cli, o):
    eng = cli.engine
    image, command_args = o.args[0], o.args[1:]
    kw = _create_kwargs(cli, o)
    if o["interactive"] and o["tty"] and not cli.stdin_is_tty():
        raise CliError("the input device is not a TTY")
    _ensure_image(cli, image, "run")
    try:
        c = eng.create(image, command_args or None, auto_remove=o["rm"], **kw)
    except DaemonError as exc:
        raise _status_error(exc, "run")
    stdin = b"" if o["detach"] else _stdin_for(cli, o)
    try:
        _start(eng, c, stdin)
    except DaemonError as exc:
        if o["rm"]:
            _remove_quietly(eng, c)
        raise _status_error(exc, "run")
    if o["detach"]:
        cli.out(c.id + "\n")
        return 0
    _start_output(cli, c, tty=o["tty"])
    if c.running:
        return 0
    code = c.exit_code
    if o["rm"]:
        _remove_quietly(eng, c)
    return code


def _remove_quietly(eng, c) -> None:
    """``run --rm``: remove the container and its anonymous volumes, if it is still there."""
    try:
        eng.rm(c.id, force=True, volumes=True)
    except NotFound:
        pass


@command("docker create", "docker container create", args=(1, None))
def cmd_create(cli, o):
    eng = cli.engine
    image, command_args = o.args[0], o.args[1:]
    kw = _create_kwargs(cli, o)
    _ensure_image(cli, image, "create")
    c = eng.create(image, command_args or None, auto_remove=o["rm"], **kw)
    cli.out(c.id + "\n")
    return 0


# ====================================================================== lifecycle
def _each(cli, names, fn, print_name=True):
    errs = []
    for name in names:
        try:
            fn(name)
        except DaemonError as exc:
            errs.append(daemon_msg(exc))
            continue
        if print_name:
            cli.out(name + "\n")
    if errs:
        raise CliError("\n".join(errs))
    return 0


@command("docker start", "docker container start", args=(1, None))
def cmd_start(cli, o):
    eng = cli.engine
    if o["attach"] or o["interactive"]:
        if len(o.args) > 1:
            raise CliError("you cannot start and attach multiple containers at once")
        c = eng.container(o.args[0])
        was_running = c.running
        stdin = cli.read_stdin() if o["interactive"] else b""
        try:
            _start(eng, c, stdin)
        except DaemonError as exc:
            raise CliError(daemon_msg(exc))
        if was_running:
            return 0
        _start_output(cli, c)
        return 0 if c.running else c.exit_code
    failed = []
    for name in o.args:
        try:
            eng.start(name)
        except DaemonError as exc:
            cli.err(daemon_msg(exc) + "\n")
            failed.append(name)
            continue
        cli.out(name + "\n")
    if failed:
        raise CliError(f"Error: failed to start containers: {', '.join(failed)}")
    return 0


def _timeout(o):
    if "timeout" in o.changed:
        return o["timeout"]
    if "time" in o.changed:
        return o["time"]
    return None


@command("docker stop", "docker container stop", args=(1, None))
def cmd_stop(cli, o):
    t = _timeout(o)
    return _each(cli, o.args, lambda n: cli.engine.stop(n, t))


@command("docker restart", "docker container restart", args=(1, None))
def cmd_restart(cli, o):
    t = _timeout(o)
    return _each(cli, o.args, lambda n: cli.engine.restart(n, t))


@command("docker kill", "docker container kill", args=(1, None))
def cmd_kill(cli, o):
    sig = o["signal"] or "KILL"
    return _each(cli, o.args, lambda n: cli.engine.kill(n, sig))


@command("docker rm", "docker container rm", args=(1, None))
def cmd_rm(cli, o):
    eng = cli.engine
    errs = []
    for name in o.args:
        ref = name.strip("/")
        try:
            if not ref:
                raise DaemonError("Container name cannot be empty")
            eng.rm(ref, force=o["force"], volumes=o["volumes"])
        except DaemonError as exc:
            msg = daemon_msg(exc) if str(exc) != "Container name cannot be empty" else str(exc)
            if o["force"] and isinstance(exc, NotFound):
                cli.err(msg + "\n")
                continue
            errs.append(msg)
            continue
        cli.out(name + "\n")
    if errs:
        raise CliError("\n".join(errs))
    return 0


@command("docker exec", "docker container exec", args=(2, None))
def cmd_exec(cli, o):
    eng = cli.engine
    env = {}
    for e in _env_list(cli, o):
        k, _, v = e.partition("=")
        env[k] = v
    from ..engine import RunError
    kw = {}
    if env:
        kw["env"] = env
    if o["workdir"]:
        kw["workdir"] = o["workdir"]
    if o["user"]:
        kw["user"] = o["user"]
    if o["interactive"] and o["tty"] and not cli.stdin_is_tty():
        raise CliError("the input device is not a TTY")
    if o["interactive"] and not o["detach"]:
        data = cli.read_stdin()
        if data:
            kw["stdin"] = data
    try:
        r = eng.exec(o.args[0], o.args[1:], **kw)
    except RunError as exc:
        # the daemon writes it into the exec's stdout: runc's OCI error ends in \r\n, tty or not;
        # "unable to find user" (the daemon's own) in \n
        cli.out(str(exc) + ("\r\n" if str(exc).startswith("OCI runtime") else "\n"))
        return exc.exit_code
    if o["detach"]:
        return 0
    if o["tty"]:
        cli.out_bytes((r.stdout + r.stderr).replace(b"\n", b"\r\n"))
    else:
        cli.out_bytes(r.stdout)
        cli.err_bytes(r.stderr)
    return r.exit_code


# ====================================================================== images: mutate
@command("docker tag", "docker image tag", args=(2, 2))
def cmd_tag(cli, o):
    cli.engine.tag(o.args[0], o.args[1])
    return 0


@command("docker rmi", "docker image rm", args=(1, None))
def cmd_rmi(cli, o):
    eng = cli.engine
    errs = []
    for ref in o.args:
        try:
            lines = eng.rmi(ref, force=o["force"])
        except DaemonError as exc:
            if o["force"] and isinstance(exc, NotFound):
                cli.err(daemon_msg(exc) + "\n")
                continue
            errs.append(daemon_msg(exc))
            continue
        cli.out("".join(ln + "\n" for ln in lines))
    if errs:
        raise CliError("\n".join(errs))
    return 0


@command("docker import", "docker image import", args=(1, 2))
def cmd_import(cli, o):
    src = o.args[0]
    if src == "-":
        data = cli.read_stdin()
    elif re.match(r"^[a-z]+://", src):
        raise CliError(daemon_msg(DaemonError(f"importing from a URL is not supported by layerlab: {src}")))
    else:
        try:
            with open(src, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise CliError(f"open {src}: {(exc.strerror or str(exc)).lower()}")
    ref = o.args[1] if len(o.args) > 1 else None
    img = cli.engine.import_tar(data, ref, message=o["message"] or "")
    cli.out(img.id + "\n")
    return 0


@command("docker commit", "docker container commit", args=(1, 2))
def cmd_commit(cli, o):
    ref = o.args[1] if len(o.args) > 1 else None
    img = cli.engine.commit(o.args[0], ref, message=o["message"] or "")
    cli.out(img.id + "\n")
    return 0


@command("docker pull", "docker image pull", args=(1, 1))
def cmd_pull(cli, o):
    from ..engine import normalize_ref
    ref = o.args[0]
    quiet = o["quiet"]      # docker/cli pull.go: -q drops the default-tag line and the progress
    if not (":" in ref.rsplit("/", 1)[-1] or "@" in ref) and not quiet:
        cli.out("Using default tag: latest\n")
    eng = cli.engine
    norm = normalize_ref(ref)
    existing = eng.find_image(norm)
    present = eng.layer_chain_ids()
    img = eng.pull(ref)
    name, tag = split_ref(norm)
    if quiet:
        pass
    elif existing is not None and existing.id == img.id:
        cli.out(f"{tag}: Pulling from {name if '/' in name else 'library/' + name}\n"
                f"Digest: {img.id}\nStatus: Image is up to date for {norm}\n")
    else:
        cli.out(_pull_progress(norm, img, present))
    cli.out(f"{full_reference(norm)}\n")
    return 0


HELP.setdefault(
    "docker push",
    "Usage:  docker push [OPTIONS] NAME[:TAG]\n\nUpload an image to a registry\n\nAliases:\n"
    "  docker image push, docker push\n\nOptions:\n"
    "  -a, --all-tags                Push all tags of an image to the repository\n"
    "      --disable-content-trust   Skip image signing (default true)\n"
    "      --platform string         Push a platform-specific manifest as a\n"
    "                                single-platform image to the registry.\n"
    "                                Image index won't be pushed, meaning that\n"
    "                                other manifests, including attestations\n"
    "                                won't be preserved.\n"
    "                                'os[/arch[/variant]]': Explicit platform\n"
    "                                (eg. linux/amd64)\n"
    "  -q, --quiet                   Suppress verbose output\n")
HELP.setdefault("docker image push", HELP["docker push"].replace("Usage:  docker push", "Usage:  docker image push", 1))


@command("docker push", "docker image push", args=(1, 1))
def cmd_push(cli, o):
    """``docker push NAME[:TAG]`` to a registry layerlab models (Engine.push)."""
    ref = o.args[0]
    if not (":" in ref.rsplit("/", 1)[-1] or "@" in ref) and not o["quiet"]:
        cli.out("Using default tag: latest\n")
    lines = cli.engine.push(ref)
    if o["quiet"]:
        cli.out(f"{ref}\n")
    else:
        cli.out("".join(ln + "\n" for ln in lines))
    return 0


# ====================================================================== build
_BANNER_DISABLED = ("DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n"
                    "            BuildKit is currently disabled; enable it by removing the DOCKER_BUILDKIT=0\n"
                    "            environment-variable.\n\n")


def _buildkit_wanted(cli) -> bool:
    v = cli.env.get("DOCKER_BUILDKIT")
    if v is None or v == "":
        return True
    return v.strip().lower() not in ("0", "false", "f")


def _read_dockerfile(cli, ctx_arg: str, dockerfile: str | None):
    """(dockerfile text, context dir or dict)."""
    if ctx_arg == "-":
        data = cli.read_stdin()
        return data.decode("utf-8", "replace"), None
    if re.match(r"^(https?|git)://", ctx_arg):
        raise CliError(f"unable to prepare context: layerlab cannot fetch remote contexts: {ctx_arg}")
    if not os.path.isdir(ctx_arg):
        raise CliError(f'unable to prepare context: path "{ctx_arg}" not found')
    if dockerfile == "-":
        return cli.read_stdin().decode("utf-8", "replace"), ctx_arg
    path = dockerfile or os.path.join(ctx_arg, "Dockerfile")
    if dockerfile and not os.path.isabs(dockerfile) and not os.path.exists(dockerfile):
        path = os.path.join(ctx_arg, dockerfile)
    if not os.path.exists(path):
        raise CliError(f"unable to prepare context: unable to evaluate symlinks in Dockerfile path: "
                       f"lstat {os.path.abspath(path)}: no such file or directory")
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read(), ctx_arg


def context_size(context, dockerfile_text: str, extra_dockerfile: bool = False) -> int:
    """Size of the build-context tar the docker client uploads (what "Sending build context to
    Docker daemon" counts; the rule: :class:`layerlab.build.context.BuildContext`). No context
    (``docker build -``): a tar holding just the Dockerfile."""
    from ..build.context import BuildContext
    if context is None:
        return BuildContext.from_dict({"Dockerfile": dockerfile_text.encode()}).tar_size()
    return context.tar_size(dockerfile_text.encode() if extra_dockerfile else None)


def _sending_line(size: int) -> str:
    from ..units import human_size
    return f"Sending build context to Docker daemon  {human_size(size)}"


def _classic_log(lines: list[str], sending: str | None = None) -> str:
    out = []
    i = 0
    if sending is not None:
        out.append(sending + "\r\r\n")       # the progress line ends with \r\r\n in a pipe
        if lines and lines[0].startswith("Sending build context to Docker daemon"):
            i = 2 if len(lines) > 1 and lines[1] == "" else 1
    while i < len(lines):
        ln = lines[i]
        if ln.startswith("Sending build context to Docker daemon") and i + 1 < len(lines) and lines[i + 1] == "":
            out.append(ln + "\r\r\n")
            i += 2
            continue
        out.append(ln + "\n")
        i += 1
    return "".join(out)


@command("docker build", "docker image build", args=(1, 1))
def cmd_build(cli, o):
    from ..errors import BuildError
    buildkit = _buildkit_wanted(cli)
    if not buildkit:
        cli.err(_BANNER_DISABLED)
    text, context = _read_dockerfile(cli, o.args[0], o["file"])
    outside = bool(o["file"]) and o["file"] != "-" and context is not None and not os.path.abspath(
        o["file"] if os.path.exists(o["file"]) else os.path.join(context, o["file"])).startswith(
        os.path.abspath(context) + os.sep)
    from ..build.context import BuildContext
    context = BuildContext.from_dir(context) if context is not None else None   # walked once
    sending = _sending_line(context_size(context, text, outside or o["file"] == "-"))
    args = {}
    for a in o["build-arg"]:
        k, eq, v = a.partition("=")
        if eq:
            args[k] = v
        elif k in cli.env:
            args[k] = cli.env[k]
    eng = cli.engine
    try:
        result = eng.build(text, context, tag=list(o["tag"]) or None, buildkit=buildkit,
                           no_cache=o["no-cache"], build_args=args or None, target=o["target"] or None)
    except BuildError as exc:
        log = exc.log
        msg = str(exc)
        if buildkit:
            body = "".join(ln + "\n" for ln in log)
            cli.err(body + f"ERROR: {msg}\n")
            return 1
        body = _classic_log(log, sending)
        if o["quiet"]:
            cli.err(body)
        else:
            cli.out(body)
        if exc.rejected:
            raise CliError(f"Error response from daemon: {msg}", 1)
        raise CliError(msg, exc.step_exit_code or 1)
    if o["iidfile"]:
        with open(o["iidfile"], "w") as fh:
            fh.write(result.image.id)
    if buildkit:
        if o["quiet"]:
            cli.out(result.image.id + "\n")
        else:
            cli.err("".join(ln + "\n" for ln in result.log))
        return 0
    if o["quiet"]:
        cli.out(result.image.id + "\n")
    else:
        cli.out(_classic_log(result.log, sending))
    return 0


# ====================================================================== save / load
@command("docker save", "docker image save", args=(1, None))
def cmd_save(cli, o):
    if o["output"]:
        d = os.path.dirname(os.path.abspath(o["output"]))
        if not os.path.isdir(d):
            raise CliError(f'failed to save image: invalid output path: directory "{d}" does not exist')
    data = cli.engine.save(list(o.args))
    if o["output"]:
        with open(o["output"], "wb") as fh:
            fh.write(data)
        return 0
    if cli.stdout_is_tty():
        raise CliError("cowardly refusing to save to a terminal. Use the -o flag or redirect")
    cli.out_bytes(data)
    return 0


@command("docker load", "docker image load")
def cmd_load(cli, o):
    if o["input"]:
        try:
            with open(o["input"], "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise CliError(f"open {o['input']}: {(exc.strerror or str(exc)).lower()}")
    else:
        if cli.stdin_is_tty():
            raise CliError("requested load from stdin, but stdin is empty")
        data = cli.read_stdin()
    lines = cli.engine.load(data)
    cli.out("".join(ln + "\n" for ln in lines))     # -q hides only the progress bars
    return 0


# ====================================================================== volumes


def _kv(items) -> dict:
    out = {}
    for it in items:
        k, _, v = it.partition("=")
        out[k] = v
    return out


@command("docker volume create", args=(0, 1))
def cmd_volume_create(cli, o):
    name = o.args[0] if o.args else o["name"] if "name" in o.spec.flags else None
    # Go marshals a map with its keys sorted: inspect shows Options (and Labels) that way
    doc = cli.engine.volume_create(name or None, driver=o["driver"] or "local",
                                   labels=dict(sorted(_kv(o["label"]).items())),
                                   options=dict(sorted(_kv(o["opt"]).items())))
    cli.out(f"{doc['Name']}\n")
    return 0


def _natural_key(s: str):
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.findall(r"\d+|\D+", s)]


@command("docker volume ls")
def cmd_volume_ls(cli, o):
    vols = cli.engine.volume_ls()
    filters = _filters(o["filter"])
    usage = None
    if "dangling" in filters:
        usage = {u["Name"]: u["UsageData"]["RefCount"] for u in cli.engine.volume_usage()}
        want = filters["dangling"][-1].lower() in ("true", "1")
        vols = [v for v in vols if (usage.get(v["Name"], 0) == 0) == want]
    if "name" in filters:
        vols = [v for v in vols if any(p in v["Name"] for p in filters["name"])]
    if "driver" in filters:
        vols = [v for v in vols if v.get("Driver") in filters["driver"]]
    if "label" in filters:
        def has(v, lab):
            k, eq, val = lab.partition("=")
            labels = v.get("Labels") or {}
            return k in labels and (not eq or labels[k] == val)
        vols = [v for v in vols if all(has(v, lab) for lab in filters["label"])]
    vols.sort(key=lambda v: _natural_key(v["Name"]))
    fmt = o["format"] or F.TABLE
    if fmt == F.TABLE:
        fmt = "{{.Name}}" if o["quiet"] else "table {{.Driver}}\t{{.Name}}"
    elif o["quiet"]:
        fmt = "{{.Name}}"
    cli.write_format(fmt, [F.VolumeContext(v) for v in vols], F.VolumeContext.HEADER)
    return 0


@command("docker volume rm", args=(1, None))
def cmd_volume_rm(cli, o):
    return _each(cli, o.args, lambda n: cli.engine.volume_rm(n, o["force"]))


@command("docker volume prune")
def cmd_volume_prune(cli, o):
    filters = _filters(o["filter"])
    all_ = o["all"] or any(v.lower() in ("all", "true") for v in filters.get("all", []))
    if not o["force"]:
        what = "all local volumes" if all_ else "anonymous local volumes"
        cli.out(f"WARNING! This will remove {what} not used by at least one container.\n"
                f"Are you sure you want to continue? [y/N] ")
        answer = cli.read_line().strip().lower()
        if answer not in ("y", "yes"):
            return 0
    labels = _kv(filters.get("label", []))
    report = cli.engine.volume_prune(all_, labels or None)
    deleted = report.get("VolumesDeleted") or []
    from ..units import human_size
    if deleted:
        cli.out("Deleted Volumes:\n" + "".join(n + "\n" for n in deleted) + "\n")
    cli.out(f"Total reclaimed space: {human_size(report.get('SpaceReclaimed', 0) if deleted else 0)}\n")
    return 0


# ====================================================================== system
@command("docker system df")
def cmd_system_df(cli, o):
    eng = cli.engine
    du = eng.disk_usage()
    now = eng.clock()
    images = []
    for row in du["images"]:
        img = row["image"]
        images.append({"Id": img.id, "RepoTags": list(row["tags"]), "Created": img.created // NS,
                       "Size": row["size"], "SharedSize": row["shared"], "Containers": row["containers"]})
    containers = []
    for row in du["containers"]:
        s = eng.container_summary(row["container"])
        s["SizeRw"] = row["size_rw"]
        s["SizeRootFs"] = 0
        containers.append(s)
    vols = list(du.get("volumes") or [])
    cache = list(du.get("build_cache") or [])
    cache_size = sum(r.get("Size", 0) for r in cache)
    fmt = o["format"] or F.TABLE
    if not o["verbose"]:
        if fmt == F.TABLE:
            fmt = "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"
        elif fmt == F.RAW:
            fmt = "type: {{.Type}}\ntotal: {{.TotalCount}}\nactive: {{.Active}}\nsize: {{.Size}}\nreclaimable: {{.Reclaimable}}\n"
        rows = [F.DUImages(du["images_size"], images), F.DUContainers(containers), F.DUVolumes(vols),
                F.DUBuildCache(cache_size, cache)]
        cli.write_format(fmt, rows, F._DUBase.HEADER)
        return 0
    trunc = F.is_table(fmt)
    img_rows = []
    for s in images:
        repo, tag = ("<none>", "<none>")
        if s["RepoTags"]:
            repo, tag = split_ref(s["RepoTags"][0])
        img_rows.append(F.ImageContext(s, repo, tag, "<none>", trunc, now, cli.tz))
    ctr_rows = [F.ContainerContext(s, trunc, now, cli.tz) for s in containers]
    vol_rows = [F.VolumeContext(v) for v in vols]
    if fmt != F.TABLE:
        from .format import gotemplate as gt
        data = gojson.GoStruct({"Images": img_rows, "Containers": ctr_rows, "Volumes": vol_rows, "BuildCache": []})
        try:
            cli.out(F.parse(F.prepare(fmt)).execute(data))
        except gt.TemplateError as exc:
            raise CliError(f"template parsing error: {exc}")
        return 0
    from ..units import human_size
    out = ["Images space usage:\n\n"]
    out.append(F.write("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}",
                       img_rows, F.ImageContext.HEADER))
    out.append("\nContainers space usage:\n\n")
    out.append(F.write("table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}",
                       ctr_rows, F.ContainerContext.HEADER))
    out.append("\nLocal Volumes space usage:\n\n")
    out.append(F.write("table {{.Name}}\t{{.Links}}\t{{.Size}}", vol_rows, F.VolumeContext.HEADER))
    out.append(f"\nBuild cache usage: {human_size(cache_size)}\n\n")
    out.append(F.write("table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}",
                       [], F.BuildCacheContext.HEADER))
    cli.out("".join(out))
    return 0


@command("docker info", "docker system info")
def cmd_info(cli, o):
    info = cli.engine.info()
    fmt = o["format"]
    if fmt:
        from .format import gotemplate as gt
        if fmt == "json":
            fmt = "{{json .}}"
        try:
            tmpl = F.parse(fmt)
        except gt.TemplateError as exc:
            raise CliError(f"template parsing error: {exc}", 64)
        data = _InfoData(info, _client_info())
        try:
            text = tmpl.execute(data)
        except gt.TemplateError as exc:
            cli.out(exc.partial + "\n")
            raise CliError(str(exc).replace("type _InfoData", "type system.dockerInfo"))
        cli.out(text + "\n")
        return 0
    cli.out(_info_text(info))
    return 0


def _client_info() -> dict:
    return {"Debug": False, "Version": CLIENT_VERSION, "GitCommit": CLIENT_COMMIT,
            "GoVersion": "go1.24.3", "Os": "linux", "Arch": "amd64", "BuildTime": "Fri May 30 12:07:14 2025",
            "Context": "default", "Plugins": [], "Warnings": None}


class _InfoData(gojson.GoStruct):
    """system.dockerInfo: the daemon's Info fields plus ClientInfo."""

    def __init__(self, info: dict, client: dict):
        super().__init__({k: gojson.go_value(v, k) for k, v in info.items()})
        self.ClientInfo = gojson.go_value(client)
        self.ClientErrors = gojson.NilList()


_InfoData.__name__ = "system.dockerInfo"


def _info_text(info: dict) -> str:
    status = info.get("DriverStatus") or []
    lines = ["Client:", f" Version:    {CLIENT_VERSION}", " Context:    default", " Debug Mode: false", "",
             "Server:",
             f" Containers: {info.get('Containers', 0)}",
             f"  Running: {info.get('ContainersRunning', 0)}",
             f"  Paused: {info.get('ContainersPaused', 0)}",
             f"  Stopped: {info.get('ContainersStopped', 0)}",
             f" Images: {info.get('Images', 0)}",
             f" Server Version: {info.get('ServerVersion', '')}",
             f" Storage Driver: {info.get('Driver', '')}"]
    for k, v in status:
        lines.append(f"  {k}: {v}")
    lines += [" Logging Driver: json-file", " Cgroup Driver: cgroupfs", " Cgroup Version: 2",
              " Plugins:", "  Volume: local", "  Network: bridge host ipvlan macvlan null overlay",
              "  Log: awslogs fluentd gcplogs gelf journald json-file local splunk syslog",
              " Swarm: inactive", " Runtimes: io.containerd.runc.v2 runc", " Default Runtime: runc",
              " Init Binary: docker-init",
              f" Kernel Version: {info.get('KernelVersion', '')}",
              f" Operating System: {info.get('OperatingSystem', '')}",
              f" OSType: {info.get('OSType', 'linux')}",
              f" Architecture: {info.get('Architecture', 'x86_64')}",
              f" CPUs: {info.get('NCPU', 1)}",
              f" Name: {info.get('Name', '')}",
              f" ID: {info.get('ID', '')}",
              f" Docker Root Dir: {info.get('DockerRootDir', '/var/lib/docker')}",
              " Debug Mode: false", " Experimental: false", " Insecure Registries:", "  ::1/128",
              "  127.0.0.0/8", " Live Restore Enabled: false", ""]
    return "\n".join(lines) + "\n"


@command("docker version")
def cmd_version(cli, o):
    info = cli.engine.info()
    server_version = info.get("ServerVersion", "28.5.2")
    fmt = o["format"]
    data = {
        "Client": {"Platform": {"Name": ""}, "Version": CLIENT_VERSION, "ApiVersion": CLIENT_API,
                   "DefaultAPIVersion": CLIENT_API, "GitCommit": CLIENT_COMMIT, "GoVersion": "go1.24.3",
                   "Os": "linux", "Arch": "amd64", "BuildTime": "Fri May 30 12:07:14 2025", "Context": "default"},
        "Server": {"Platform": {"Name": "Docker Engine - Community"},
                   "Components": [{"Name": "Engine", "Version": server_version,
                                   "Details": {"ApiVersion": "1.51", "Arch": "amd64", "BuildTime": "",
                                               "Experimental": "false", "GitCommit": "layerlab",
                                               "GoVersion": "go1.24.9", "KernelVersion": info.get("KernelVersion", ""),
                                               "MinAPIVersion": "1.24", "Os": "linux"}}],
                   "Version": server_version, "ApiVersion": "1.51", "MinAPIVersion": "1.24",
                   "GitCommit": "layerlab", "GoVersion": "go1.24.9", "Os": "linux", "Arch": "amd64",
                   "KernelVersion": info.get("KernelVersion", ""), "BuildTime": ""},
    }
    if fmt:
        from .format import gotemplate as gt
        if fmt == "json":
            fmt = "{{json .}}"
        try:
            tmpl = F.parse(fmt)
            cli.out(tmpl.execute(gojson.go_value(data)) + "\n")
        except gt.TemplateError as exc:
            raise CliError(f"template parsing error: {exc}")
        return 0
    cli.out(
        "Client:\n"
        f" Version:           {CLIENT_VERSION}\n"
        f" API version:       {CLIENT_API}\n"
        " Go version:        go1.24.3\n"
        f" Git commit:        {CLIENT_COMMIT}\n"
        " Built:             Fri May 30 12:07:14 2025\n"
        " OS/Arch:           linux/amd64\n"
        " Context:           default\n"
        "\n"
        "Server: Docker Engine - Community\n"
        " Engine:\n"
        f"  Version:          {server_version}\n"
        "  API version:      1.51 (minimum version 1.24)\n"
        "  Go version:       go1.24.9\n"
        "  Git commit:       layerlab\n"
        "  Built:            Thu Jan  1 00:00:00 2026\n"
        "  OS/Arch:          linux/amd64\n"
        "  Experimental:     false\n")
    return 0


# ====================================================================== prune
def _confirm(cli, o, warning: str) -> bool:
    """docker's prompt.Confirm: the question on stdout, yes only for y/Y/yes."""
    if o["force"]:
        return True
    cli.out(warning + "\nAre you sure you want to continue? [y/N] ")
    return cli.read_line().strip().lower() in ("y", "yes")


def _prune_containers(cli) -> tuple[list[str], int]:
    report = cli.engine.container_prune()
    return report["ContainersDeleted"], report["SpaceReclaimed"]


def _prune_images(cli, all_: bool) -> tuple[list[str], int]:
    """docker/cli image prune: ``untagged: REF`` / ``deleted: ID`` per item."""
    report = cli.engine.image_prune(all_)
    lines = [f"{k.lower()}: {v}" for item in report["ImagesDeleted"] for k, v in item.items()]
    return lines, report["SpaceReclaimed"]


def _report(cli, sections: list[tuple[str, list[str]]], space: int) -> None:
    from ..units import human_size
    out = []
    for title, items in sections:
        if items:
            out.append(title + "\n" + "".join(i + "\n" for i in items) + "\n")
    out.append(f"Total reclaimed space: {human_size(space)}\n")
    cli.out("".join(out))


@command("docker container prune")
def cmd_container_prune(cli, o):
    if not _confirm(cli, o, "WARNING! This will remove all stopped containers."):
        return 0
    deleted, space = _prune_containers(cli)
    _report(cli, [("Deleted Containers:", deleted)], space)
    return 0


@command("docker image prune")
def cmd_image_prune(cli, o):
    warning = ("WARNING! This will remove all images without at least one container associated to them."
               if o["all"] else "WARNING! This will remove all dangling images.")
    if not _confirm(cli, o, warning):
        return 0
    lines, space = _prune_images(cli, o["all"])
    _report(cli, [("Deleted Images:", lines)], space)
    return 0


@command("docker system prune")
def cmd_system_prune(cli, o):
    items = ["all stopped containers", "all networks not used by at least one container"]
    if o["volumes"]:
        items.append("all anonymous volumes not used by at least one container")
    items.append("all images without at least one container associated to them" if o["all"]
                 else "all dangling images")
    items.append("all build cache" if o["all"] else "unused build cache")
    warning = "WARNING! This will remove:\n" + "".join(f"  - {i}\n" for i in items)
    if not _confirm(cli, o, warning):
        return 0
    containers, space = _prune_containers(cli)
    sections = [("Deleted Containers:", containers)]
    if o["volumes"]:
        report = cli.engine.volume_prune(False)
        sections.append(("Deleted Volumes:", list(report.get("VolumesDeleted") or [])))
        space += report.get("SpaceReclaimed", 0) if report.get("VolumesDeleted") else 0
    lines, img_space = _prune_images(cli, o["all"])
    sections.append(("Deleted Images:", lines))
    _report(cli, sections, space + img_space)
    return 0


# docker export and docker cp live in their own module; importing it registers them
from . import lifecycle as _lifecycle  # noqa: E402,F401

# ====================================================================== layerlab's own commands
from . import efficiency as _efficiency  # noqa: E402,F401  (registers `image efficiency`)
