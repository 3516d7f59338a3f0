"""``docker build``: run a Dockerfile's instructions, one layer or one history entry each.

Two builders, as in Docker (chosen the docker way: ``DOCKER_BUILDKIT=0`` picks classic):

**BuildKit** (default): RUN, COPY, ADD always make a layer — even one that changes nothing
(an empty tar, diff_id ``sha256:5f70bf18…``); WORKDIR makes one unless the path is ``/``;
everything else (ENV, LABEL, CMD, ENTRYPOINT, EXPOSE, USER, VOLUME, STOPSIGNAL, ARG, SHELL,
HEALTHCHECK, MAINTAINER, ONBUILD) only adds a history entry with ``empty_layer: true``.
``created_by`` strings: ``RUN /bin/sh -c <cmd> # buildkit``, ``COPY <src> <dst> # buildkit``,
``ENV K=V``, ``CMD ["a" "b"]`` (Go ``%q`` of a slice: no commas), ``EXPOSE [80/tcp]``; comment
``buildkit.dockerfile.v0``. The final image has no Parent, so ``docker history`` shows an ID on
the top row only (buildkit convert.go, convert_copy.go).

**Classic**: every step is committed from a container; an entry is ``empty_layer`` only when
the committed diff is empty. ``created_by`` is the step container's Cmd joined by spaces:
``/bin/sh -c <cmd>`` for RUN, ``/bin/sh -c #(nop)  CMD ["a" "b"]`` (two spaces) for metadata,
``/bin/sh -c #(nop) COPY file:<hash> in /app `` (one space, trailing space) for COPY/ADD and
``/bin/sh -c #(nop) WORKDIR /app``. Each step leaves an intermediate image, so history shows
real IDs down the Parent chain (moby daemon/builder/dockerfile).

Cache: an instruction is reused when its parent state, its text, the build args it can see,
and (COPY/ADD) the checksum of its sources match a previous build; after the first miss
everything below rebuilds. File mtimes are not part of the checksum.
"""
from __future__ import annotations

import hashlib
import io
import json
import posixpath
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Callable, Mapping, Sequence

from ..clock import DEFAULT_EPOCH, Clock, IdGenerator
from ..errors import BuildError, FsError
from ..fs.layer import Layer
from ..fs.rootfs import FlatTree, RootFS
from ..fs.tree import DIR, FILE, SYMLINK, Node, directory, join, normpath
from ..image import DEFAULT_PATH, ContainerConfig, HistoryEntry, Image, full_reference
from .context import BuildContext
from .dockerfile import Instruction, expand, key_values, parse, split_words

BUILDKIT_COMMENT = "buildkit.dockerfile.v0"
DEFAULT_SHELL = ("/bin/sh", "-c")


# --------------------------------------------------------------------------- build state
@dataclass
class _State:
    layers: list[Layer]
    history: list[HistoryEntry]
    config: ContainerConfig
    flat: FlatTree
    parent_id: str = ""            # classic: id of the last intermediate image
    base: Image | None = None
    args: dict[str, str | None] = field(default_factory=dict)   # ARGs declared in this stage
    cache_key: str = ""
    last_image: Image | None = None


@dataclass
class BuildResult:
    image: Image
    log: list[str]
    cached_steps: int = 0
    intermediates: list[Image] = field(default_factory=list)
    export_step: int = 0     # BuildKit: the log number of the "exporting to image" step

    @property
    def output(self) -> str:
        return "\n".join(self.log) + ("\n" if self.log else "")


class Builder:
    """Builds images. ``resolve(ref, buildkit)`` finds a base image (local store, else a pull)."""

    def __init__(self, resolve: Callable[[str, bool], Image | None], clock: Clock, ids: IdGenerator,
                 cache: dict | None, *, driver, register: Callable[[Sequence[Layer]], str | None]):
        """``driver``: the Engine's storage driver, in which every step that writes files runs
        (see :meth:`_container`); ``register(layers)``: the Engine registers those layers with
        the driver (moby ``layerStore.Register``) and returns the top one's key."""
        self.resolve = resolve
        self.clock = clock
        self.ids = ids
        self.cache = cache if cache is not None else {}
        self.driver = driver
        self.register = register
        self._steps = 0
        self._open: list[str] = []

    # BuildKit mount stubs leave their parent directory in a RUN layer (graphdriver diffs);
    # the Engine turns this off for the containerd snapshotter (see _clean_mount_stubs).
    stub_parent_in_layer = True

    # ------------------------------------------------------------------ entry point
    def build(self, dockerfile: str, context=None, *, buildkit: bool = True, no_cache: bool = False,
              build_args: Mapping[str, str] | None = None, target: str | None = None) -> BuildResult:
        # files given as a dict get one fixed mtime, as files on disk keep theirs between builds
        ctx = BuildContext.of(context, DEFAULT_EPOCH)
        try:
            instructions = parse(dockerfile)
        except BuildError as exc:
            if not buildkit:  # the classic builder words it "parse error line N" (moby 20.10)
                exc.with_message(exc.message.replace("dockerfile parse error on line", "dockerfile parse error line"))
                exc.log = [f"Sending build context to Docker daemon  {_human(ctx.tar_size())}", ""]
            raise
        if not instructions:
            raise BuildError("the Dockerfile (Dockerfile) cannot be empty", rejected=True)
        if instructions[0].keyword not in ("from", "arg"):
            first = instructions[0]
            if buildkit:
                raise BuildError.parse_error(first.line, "no build stage in current context")
            raise BuildError("no build stage in current context", line=first.line)
        build_args = dict(build_args or {})
        log: list[str] = []
        stages: dict[str, _State] = {}
        state: _State | None = None
        meta_args: dict[str, str | None] = {}
        missed = no_cache
        cached_steps = 0
        total = len(instructions)
        progress = _progress_labels(instructions)
        intermediates: list[Image] = []
        if not buildkit:
            log.append(f"Sending build context to Docker daemon  {_human(ctx.tar_size())}")
            log.append("")
        stage_index = 0
        for n, inst in enumerate(instructions, 1):
            step = f"Step {n}/{total} : {inst.original}"
            if inst.keyword == "from":
                if state is not None:
                    stages[str(stage_index)] = state
                    stage_index += 1
                words = inst.text.split()
                ref = expand(words[0], {k: v or "" for k, v in {**meta_args, **build_args}.items()})
                alias = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
                state = self._from(ref, inst, stages, buildkit)
                if alias:
                    stages[alias] = state
                if not buildkit:
                    log.append(step)
                    log.append(f" ---> {state.base.short_id}" if state.base else " ---> ")
                else:
                    log.append(f"#{progress[n][0]} {progress[n][1]} FROM {ref}")
                continue
            if state is None:
                if inst.keyword == "arg":
                    for k, v in _arg_pairs(inst, {}):
                        meta_args[k] = build_args.get(k, v)
                    continue
                raise BuildError.parse_error(inst.line, "no build stage in current context")
            key = self._cache_key(state, inst, ctx, build_args)
            hit = None if missed else self.cache.get((buildkit, key))
            if not buildkit:
                log.append(step)
            if hit is not None:
                layer, config, entry, img = hit
                cached_steps += 1
                if layer is not None:
                    state.layers.append(layer)
                    state.flat._apply(layer)
                state.history.append(entry)
                state.config = config
                self._declare_args(state, inst, build_args)
                if not buildkit:
                    state.parent_id = img.id
                    state.last_image = img
                    intermediates.append(img)
                    log.append(" ---> Using cache")
                    log.append(f" ---> {img.short_id}")
                elif n in progress:
                    log.append(f"#{progress[n][0]} {progress[n][1]} {inst.original}")
                    log.append(f"#{progress[n][0]} CACHED")
                state.cache_key = key
                continue
            missed = True
            if inst.keyword == "run":  # a process runs for a while: what it writes gets later mtimes,
                self.clock.advance(1)  # so a re-run RUN makes a new diff_id, as in Docker
            else:
                self.clock.tick()
            vertex = progress[n][0] if n in progress else 0
            if buildkit and vertex:
                log.append(f"#{vertex} {progress[n][1]} {inst.original}")
            container_id = self.ids.hex64() if not buildkit and inst.keyword not in ("copy", "add") else ""
            if container_id:
                log.append(f" ---> Running in {container_id[:12]}")
            try:
                layer, entry, output = self._step(state, inst, ctx, buildkit, build_args, stages, n)
            except BuildError as exc:
                for line in exc.output.rstrip("\n").split("\n"):
                    if line:
                        log.append(f"#{vertex} {line}" if buildkit else line)
                exc.log = log
                if container_id and inst.keyword == "run":
                    exc.failed_container = (container_id, self._snapshot_or_base(state))
                raise
            if output:
                for line in output.rstrip("\n").split("\n"):
                    log.append(f"#{vertex} {line}" if buildkit else line)
            limit = getattr(self, "max_layers", None)
            if layer is not None and not buildkit and limit is not None and len(state.layers) >= limit:
                # the classic builder commits every step into the layer store, which refuses a
                # layer on a parent of depth 125 (moby maxLayerDepth; conformance scenario 71).
                # BuildKit (20.10 measured) exports deeper images; only mounting them fails.
                raise BuildError("max depth exceeded", line=inst.line, log=log)
            if layer is not None:
                state.layers.append(layer)
                state.flat._apply(layer)
            state.history.append(entry)
            img = None
            if not buildkit:
                img = self._snapshot(state)
                intermediates.append(img)
                if container_id:
                    log.append(f"Removing intermediate container {container_id[:12]}")
                log.append(f" ---> {img.short_id}")
                state.parent_id = img.id
                state.last_image = img
            elif vertex:
                log.append(f"#{vertex} DONE 0.0s")
            self.cache[(buildkit, key)] = (layer, state.config, entry, img)
            state.cache_key = key
        assert state is not None
        if target:
            if target.lower() not in stages:
                raise BuildError(f"failed to reach build target {target} in Dockerfile")
            state = stages[target.lower()]
        image = self._final(state, buildkit)
        if not buildkit:
            log.append(f"Successfully built {image.short_id}")
        else:
            last = max((v for v, _ in progress.values()), default=0) + 1
            log.append(f"#{last} exporting to image")
            log.append(f"#{last} writing image {image.id} done")
        result_step = total + 1
        return BuildResult(image, log, cached_steps, intermediates, result_step)

    # ------------------------------------------------------------------ stages
    def _from(self, ref: str, inst: Instruction, stages: dict[str, _State], buildkit: bool) -> _State:
        if ref.lower() in stages:
            src = stages[ref.lower()]
            return _State(list(src.layers), list(src.history), src.config,
                          FlatTree.of([], base=src.flat), src.parent_id, src.base, {}, src.cache_key)
        if ref == "scratch":
            return _State([], [], ContainerConfig(env=()), FlatTree(), "", None, {}, "scratch")
        image = self.resolve(ref, buildkit)
        if image is None:
            name = ref if ":" in ref.split("/")[-1] or "@" in ref else ref + ":latest"
            if buildkit:
                raise BuildError(f"failed to solve: {name}: failed to resolve source metadata for "
                                 f"{full_reference(name)}: pull access denied, repository does not exist "
                                 f"or may require authorization", line=inst.line)
            raise BuildError(f"pull access denied for {name.rsplit(':', 1)[0]}, repository does not exist "
                             f"or may require 'docker login': denied: requested access to the resource is denied",
                             line=inst.line)
        return _State(list(image.layers), list(image.history), image.config,
                      FlatTree.of([], base=image.flat), image.id, image, {}, image.id)

    def _snapshot_or_base(self, state: _State) -> Image | None:
        if state.last_image is not None:
            return state.last_image
        return state.base

    def _snapshot(self, state: _State) -> Image:
        return Image(tuple(state.layers), state.config, tuple(state.history), state.history[-1].created,
                     parent=state.parent_id)

    def _final(self, state: _State, buildkit: bool) -> Image:
        """BuildKit: a fresh image with no Parent. Classic: the last intermediate image."""
        if buildkit or state.last_image is None:
            if not buildkit and state.base is not None and len(state.history) == len(state.base.history):
                return state.base
            created = state.history[-1].created if state.history else self.clock()
            image = Image(tuple(state.layers), state.config, tuple(state.history), created)
        else:
            image = state.last_image
        image.__dict__["flat"] = state.flat
        return image

    # ------------------------------------------------------------------ cache
    def _cache_key(self, state: _State, inst: Instruction, ctx: BuildContext, build_args) -> str:
        h = hashlib.sha256()
        h.update(state.cache_key.encode())
        h.update(b"\0" + inst.original.encode())
        for k in sorted(state.args):
            h.update(f"\0{k}={build_args.get(k, state.args[k])}".encode())
        if inst.keyword in ("copy", "add") and "from" not in inst.flags:
            srcs = self._sources(inst, state)[0]
            found = []
            for s in srcs:
                found += ctx.matches(s) or [s]
            h.update(ctx.checksum(found).encode())
        return h.hexdigest()

    # ------------------------------------------------------------------ one instruction
    def _env(self, state: _State, build_args) -> dict[str, str]:
        env = state.config.env_dict()
        env.setdefault("PATH", DEFAULT_PATH.partition("=")[2])  # the daemon's default for any container
        for k, v in state.args.items():
            if k not in env:
                val = build_args.get(k, v)
                if val is not None:
                    env[k] = val
        return env

    def _declare_args(self, state: _State, inst: Instruction, build_args) -> None:
        if inst.keyword == "arg":
            for k, v in _arg_pairs(inst, self._env(state, build_args)):
                state.args[k] = v

    def _step(self, state: _State, inst: Instruction, ctx: BuildContext, buildkit: bool,
              build_args, stages, n: int) -> tuple[Layer | None, HistoryEntry, str]:
        """One instruction. A step container it prepared is removed afterwards, whether the
        step succeeded or not (moby: ``Removing intermediate container``)."""
        try:
            return self._run_step(state, inst, ctx, buildkit, build_args, stages, n)
        finally:
            while self._open:
                self.driver.remove(self._open.pop())

    def _run_step(self, state: _State, inst: Instruction, ctx: BuildContext, buildkit: bool,
                  build_args, stages, n: int) -> tuple[Layer | None, HistoryEntry, str]:
        kw = inst.keyword
        env = self._env(state, build_args)
        cfg = state.config
        now = self.clock()
        comment = BUILDKIT_COMMENT if buildkit else ""

        def meta(text: str, **changes) -> tuple[None, HistoryEntry, str]:
            if changes:
                state.config = replace(cfg, **changes)
            by = text if buildkit else f"/bin/sh -c #(nop)  {text}"
            return None, HistoryEntry(now, by, comment, empty_layer=True), ""

        if kw == "run":
            return self._run(state, inst, env, buildkit, build_args, now, comment)
        if kw in ("copy", "add"):
            return self._copy(state, inst, ctx, env, buildkit, stages, now, comment)
        if kw == "workdir":
            path = normpath(expand(inst.text, env), cfg.working_dir or "/")
            state.config = replace(cfg, working_dir=path)
            if path == "/" and buildkit:
                return None, HistoryEntry(now, f"WORKDIR {path}", comment, empty_layer=True), ""
            fs = self._container(state)
            existed = fs.exists(path)
            if existed and not buildkit:
                return None, HistoryEntry(now, f"/bin/sh -c #(nop) WORKDIR {path}", "", empty_layer=True), ""
            try:
                if not existed:
                    fs.makedirs(path, 0o755 | 0o022)
                    if fs.uid:
                        fs.chown(path, fs.uid, fs.gid)
            except FsError as exc:
                raise BuildError(f"failed to solve: mkdir {path}: {exc.strerror.lower()}", line=inst.line) from None
            layer = self._layer()
            if buildkit:
                return layer, HistoryEntry(now, f"WORKDIR {path}", comment), ""
            empty = layer.is_empty
            return (None if empty else layer), HistoryEntry(now, f"/bin/sh -c #(nop) WORKDIR {path}", "", empty_layer=empty), ""
        if kw == "env":
            pairs = key_values(inst, env)
            new_env = list(cfg.env) or [DEFAULT_PATH]   # both builders seed PATH when the base has no Env
            for k, v in pairs:
                new_env = [e for e in new_env if e.partition("=")[0] != k] + [f"{k}={v}"]
            return meta("ENV " + " ".join(f"{k}={v}" for k, v in pairs), env=tuple(new_env))
        if kw == "label":
            pairs = key_values(inst, env)
            labels = dict(cfg.labels)
            labels.update(pairs)
            return meta("LABEL " + " ".join(f"{k}={v}" for k, v in pairs), labels=MappingProxyType(labels))
        if kw == "maintainer":
            return meta(f"MAINTAINER {inst.text}")
        if kw == "arg":
            pairs = _arg_pairs(inst, env)
            for k, v in pairs:
                state.args[k] = v
            text = "ARG " + " ".join(f"{k}={build_args.get(k, v)}" if (build_args.get(k, v) is not None) else k
                                     for k, v in pairs)
            return meta(text)
        if kw in ("cmd", "entrypoint"):
            argv = tuple(inst.args) if inst.json_form else tuple((cfg.shell or DEFAULT_SHELL) + (inst.text,))
            if not inst.json_form and not inst.text:
                argv = ()
            text = f"{kw.upper()} {_goq(argv)}"
            if kw == "cmd":
                return meta(text, cmd=argv)
            return meta(text, entrypoint=argv, cmd=None if cfg.cmd is not None and state.base is not None else cfg.cmd)
        if kw == "expose":
            words = split_words(expand(inst.text, env))
            ports = [p if "/" in p else p + "/tcp" for p in words]
            new = tuple(sorted(set(cfg.exposed_ports) | set(ports)))
            if buildkit:
                return meta(f"EXPOSE [{' '.join(ports)}]", exposed_ports=new)
            # the classic builder records the words as written, sorted as strings (observed on
            # the 20.10 engine, conformance scenario 90): EXPOSE 443/tcp 53/udp 80
            return meta("EXPOSE " + " ".join(sorted(words)), exposed_ports=new)
        if kw == "volume":
            vols = inst.args if inst.json_form else split_words(expand(inst.text, env))
            new = tuple(sorted(set(cfg.volumes) | set(vols)))
            return meta(f"VOLUME [{' '.join(vols)}]", volumes=new)
        if kw == "user":
            user = expand(inst.text, env)
            return meta(f"USER {user}", user=user)
        if kw == "stopsignal":
            sig = expand(inst.text, env)
            return meta(f"STOPSIGNAL {sig}", stop_signal=sig)
        if kw == "shell":
            if not inst.json_form:
                raise BuildError.parse_error(inst.line, "SHELL requires the arguments to be in JSON form")
            return meta(f"SHELL [{' '.join(inst.args)}]", shell=tuple(inst.args))
        if kw == "onbuild":
            return meta(f"ONBUILD {inst.text}", on_build=cfg.on_build + (inst.text,))
        if kw == "healthcheck":
            return meta(f"HEALTHCHECK {inst.text}")
        raise BuildError.parse_error(inst.line, f"unknown instruction: {kw.upper()}")

    def _container(self, state: _State) -> RootFS:
        """The step's container: an active snapshot prepared through the driver on the stage's
        layers (registered first; their files seen through the stage's flat tree), acting as
        the stage's USER. Its changes become the step's layer (:meth:`_layer`: the driver's
        ``diff``, as moby's classic builder commits each step container), and :meth:`_step`
        removes it."""
        self._steps += 1
        key = f"build-step-{self._steps}"
        parent = self.register(state.layers) if state.layers else None
        self.driver.prepare(key, parent, lower=state.flat)
        self._open.append(key)
        fs = self.driver.fs(key)
        user = state.config.user
        if user:
            fs.uid, fs.gid = _lookup_user(state.flat, user)
        return fs

    def _layer(self) -> Layer:
        """The changes of the open step container, as a layer (the driver's ``diff``)."""
        return self.driver.diff(self._open[-1])

    def _run(self, state, inst, env, buildkit, build_args, now, comment):
        from .. import shell as _shell  # the shell registers package managers on import

        cfg = state.config
        argv = list(inst.args) if inst.json_form else list(cfg.shell or DEFAULT_SHELL) + [inst.text]
        arg_env = []
        for k, v in state.args.items():
            val = env.get(k, build_args.get(k, v))
            if val is None:
                continue
            arg_env.append(f"{k}={val}")
        prefix = f"|{len(arg_env)} {' '.join(arg_env)} " if arg_env else ""
        shown = prefix + " ".join(argv)
        fs = self._container(state)
        if not buildkit:  # classic: the step container mounts the image's VOLUMEs
            for vol in cfg.volumes:
                if not fs.exists(vol):
                    fs.makedirs(vol, 0o755 | 0o022)
        cwd = cfg.working_dir or "/"
        if not fs.exists(cwd):
            fs.makedirs(cwd)
        stubs = _make_mount_stubs(fs) if buildkit else []
        try:
            result = _shell.execute(fs, argv, env=env, cwd=cwd, uid=fs.uid, gid=fs.gid, clock=self.clock)
        except _shell.CommandNotFound as exc:
            msg = (f'failed to solve: process "{" ".join(argv)}" did not complete successfully: exit code: 127'
                   if buildkit else
                   f'OCI runtime create failed: runc create failed: unable to start container process: '
                   f'exec: "{argv[0]}": {exc.reason}: unknown')
            raise BuildError(msg, line=inst.line) from None
        output = (result.stdout + result.stderr).decode("utf-8", "replace")
        if result.exit_code != 0:
            if buildkit:
                msg = f'failed to solve: process "{" ".join(argv)}" did not complete successfully: exit code: {result.exit_code}'
            else:
                msg = f"The command '{' '.join(argv)}' returned a non-zero code: {result.exit_code}"
            raise BuildError(msg, line=inst.line, command=list(argv), exit_code=result.exit_code, output=output)
        if not buildkit:
            for vol in cfg.volumes:  # the classic builder discards RUN writes under a VOLUME
                top = normpath(vol)
                for p in [p for p in fs.upper.entries if p.startswith(top + "/")]:
                    fs.upper.remove(p)
        if stubs:
            _clean_mount_stubs(fs, stubs, self.stub_parent_in_layer)
        layer = self._layer()
        if buildkit:
            return layer, HistoryEntry(now, f"RUN {shown} # buildkit", comment), output
        empty = layer.is_empty
        return (None if empty else layer), HistoryEntry(now, shown, "", empty_layer=empty), output

    def _sources(self, inst: Instruction, state: _State) -> tuple[list[str], str]:
        env = state.config.env_dict()
        args = list(inst.args) if inst.json_form else split_words(inst.text)
        args = [expand(a, env) for a in args]
        if len(args) < 2:
            raise BuildError.parse_error(inst.line, f"{inst.keyword.upper()} requires at least two arguments, "
                                         f"but only one was provided. Destination could not be determined")
        return args[:-1], args[-1]

    def _copy(self, state, inst, ctx, env, buildkit, stages, now, comment):
        srcs, dest_raw = self._sources(inst, state)
        cfg = state.config
        dest = normpath(dest_raw, cfg.working_dir or "/")
        into_dir = dest_raw.endswith("/") or len(srcs) > 1
        fs = self._container(state)
        uid = gid = 0
        if "chown" in inst.flags:
            uid, gid = _lookup_user(state.flat, inst.flags["chown"], chown=True)
        chmod = int(inst.flags["chmod"], 8) if "chmod" in inst.flags else None
        source = ctx
        if "from" in inst.flags:
            source = self._stage_context(inst.flags["from"], stages, inst, buildkit)
        items: list[tuple[str, Node, str]] = []  # (context path, node, kind)
        for s in srcs:
            if inst.keyword == "add" and (s.startswith("http://") or s.startswith("https://")):
                raise BuildError(f"failed to solve: failed to load cache key: Get \"{s}\": dial tcp: lookup "
                                 f"{s.split('/')[2]}: no such host (layerlab has no network)", line=inst.line)
            found = source.matches(s)
            if not found:
                rel = normpath(s).lstrip("/")
                if buildkit:
                    raise BuildError(f'failed to solve: failed to compute cache key: failed to calculate checksum of ref: "/{rel}": not found',
                                     line=inst.line)
                raise BuildError(f"COPY failed: file not found in build context or excluded by .dockerignore: stat {rel}: file does not exist",
                                 line=inst.line)
            for p in found:
                items.append((p, source.files.get(p, directory()), "root" if p == "/" else "path"))
        if len(items) > 1:
            into_dir = True
        if into_dir and not dest_raw.endswith("/") and len(srcs) > 1:
            raise BuildError("When using COPY with more than one source file, the destination must be a directory and end with a /",
                             line=inst.line)

        def place(path: str, node: Node) -> None:
            node = node.with_(uid=uid, gid=gid)
            if chmod is not None and node.kind != SYMLINK:
                node = node.with_(mode=chmod)
            parent_dir = posixpath.dirname(path) or "/"
            if not fs.exists(parent_dir):
                _makedirs_owned(fs, parent_dir, uid, gid, now)
            fs.put_node(path, node)

        for p, node, _ in items:
            if node.kind == DIR:
                if not fs.exists(dest):
                    # the destination takes the source directory's mode and times (BuildKit's
                    # fsutil copy); only the parents above it are made "now"
                    place(dest, node if p != "/" else Node(DIR, 0o755, 0, 0, now))
                for rel, child in source.subtree(p):
                    place(normpath(dest + rel), child)
            elif inst.keyword == "add" and _is_archive(node):
                if not fs.exists(dest):
                    _makedirs_owned(fs, dest, uid, gid, now)
                for rel, child in _extract(node):
                    place(normpath(dest + "/" + rel), child)
            else:
                target = dest
                if into_dir or fs.is_dir(dest):
                    target = join(dest, posixpath.basename(p))
                place(target, node)
        layer = self._layer()
        shown_srcs = " ".join(srcs)
        flags = "".join(f"--{k}={v} " for k, v in inst.flags.items() if k in ("chown", "chmod", "from", "link", "parents"))
        if buildkit:
            return layer, HistoryEntry(now, f"{inst.keyword.upper()} {flags}{shown_srcs} {dest_raw} # buildkit", comment), ""
        hashes = [source.classic_hash(p) for p, _, _ in items]
        src_hash = hashes[0] if len(hashes) == 1 else \
            "multi:" + hashlib.sha256(",".join(hashes).encode()).hexdigest()
        chown = f"--chown={inst.flags['chown']}" if "chown" in inst.flags else ""  # 20.10: no space before file:
        by = f"/bin/sh -c #(nop) {inst.keyword.upper()} {chown}{src_hash} in {dest_raw} "
        empty = layer.is_empty
        return (None if empty else layer), HistoryEntry(now, by, "", empty_layer=empty), ""

    def _stage_context(self, ref: str, stages: dict[str, _State], inst: Instruction,
                       buildkit: bool) -> BuildContext:
        if ref.lower() in stages:
            flat = stages[ref.lower()].flat
        else:
            image = self.resolve(ref, buildkit)
            if image is None:
                raise BuildError(f"failed to solve: {ref}: not found", line=inst.line)
            flat = image.flat
        return BuildContext({p: n for p, n in flat.entries.items() if p != "/"})


# --------------------------------------------------------------------------- helpers
def _goq(argv) -> str:
    """Go's ``%q`` of a []string: ``["a" "b c"]``."""
    return "[" + " ".join(json.dumps(a, ensure_ascii=False) for a in argv) + "]"


def _arg_pairs(inst: Instruction, env: dict[str, str]) -> list[tuple[str, str | None]]:
    out = []
    for w in split_words(inst.text):
        if "=" in w:
            k, _, v = w.partition("=")
            out.append((k, expand(v, env)))
        else:
            out.append((w, None))
    return out


# Instructions that BuildKit runs as steps of the build graph; the others only change the
# image config and get no progress line of their own.
_BUILDKIT_STEPS = frozenset({"from", "run", "copy", "add", "workdir"})


def _progress_labels(instructions) -> dict[int, tuple[int, str]]:
    """Instruction number (1-based) -> (vertex number, ``[label i/N]``) for the instructions
    BuildKit shows as steps: per stage, FROM and the filesystem steps are numbered ``i/N``;
    ENV, CMD, EXPOSE, LABEL... are not steps (a FROM/ENV/RUN/WORKDIR/EXPOSE/CMD file prints
    ``[1/3] FROM``, ``[2/3] RUN``, ``[3/3] WORKDIR``). A stage is labelled by its ``AS`` name,
    or ``stage-K`` when the file has several stages."""
    stages: list[list[tuple[int, str | None]]] = []
    for n, inst in enumerate(instructions, 1):
        if inst.keyword == "from":
            words = inst.text.split()
            alias = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
            stages.append([(n, alias)])
        elif stages and inst.keyword in _BUILDKIT_STEPS:
            stages[-1].append((n, None))
    out: dict[int, tuple[int, str]] = {}
    vertex = 0
    for k, steps in enumerate(stages):
        alias = steps[0][1]
        label = f"{alias} " if alias else (f"stage-{k} " if len(stages) > 1 else "")
        for i, (n, _) in enumerate(steps, 1):
            vertex += 1
            out[n] = (vertex, f"[{label}{i}/{len(steps)}]")
    return out


def _human(n: int) -> str:
    from ..units import human_size_with_precision
    return human_size_with_precision(n, 4)


# BuildKit's RUN bind-mounts its own /etc/resolv.conf and /etc/hosts (read-only).
_BUILDKIT_MOUNT_STUBS = ("/etc/resolv.conf", "/etc/hosts")


def _make_mount_stubs(fs: RootFS) -> list[str]:
    """runc creates a missing bind-mount target as an empty file in the rootfs, which copies
    its parent directory up with a new mtime. Returns the stubs made."""
    made = []
    for p in _BUILDKIT_MOUNT_STUBS:
        par = posixpath.dirname(p)
        if fs.is_dir(par) and not fs.exists(p, follow=False):
            fs.write(p, b"", mode=0o755)
            made.append(p)
    return made


def _clean_mount_stubs(fs: RootFS, stubs: list[str], parent_in_layer: bool) -> None:
    """BuildKit's ``executor.MountStubsCleaner`` (moby/buildkit#1739, in v0.8 = Engine 20.10):
    after the RUN, a stub that is still an empty file is removed and (#3149, v0.11+) its
    parent's times are put back to what they were just before the removal. The parent stays
    in the upper dir, so with a graphdriver (overlay2, vfs, btrfs: moby's ``EnsureLayer`` ->
    ``ChecksumForGraphID`` -> the driver's Diff) even ``RUN true`` gives a layer holding one
    ``etc/`` entry (observed on the 20.10 oracle: scenario 54). The containerd snapshotter's
    differ (BuildKit ``util/overlay`` ``sameDirent``) ignores a directory whose only change is
    its mtime (``parent_in_layer=False``), so there the layer is the empty one."""
    for p in stubs:
        node = fs.upper.entries.get(p)
        if node is None or node.kind != FILE or node.content.size != 0:
            continue
        par = posixpath.dirname(p)
        mtime = fs.lstat(par).mtime
        fs.unlink(p)
        fs.utime(par, mtime)
        if not parent_in_layer:
            up, low = fs.upper.entries.get(par), fs.lower.lookup(par)
            if (up is not None and low is not None and (up.kind, up.mode, up.uid, up.gid, up.xattrs)
                    == (low.kind, low.mode, low.uid, low.gid, low.xattrs)
                    and not fs.upper.children.get(par) and par not in fs.upper.opaques):
                fs.upper.remove(par)


def _lookup_user(flat: FlatTree, spec: str, *, chown: bool = False) -> tuple[int, int]:
    """(uid, gid) of a ``user[:group]`` spec, read from the image's /etc/passwd and /etc/group.

    A name must have an entry (else "unable to find user/group ..."); a number need not. Without
    a group, the gid is the one in the user's passwd entry (a number is looked up by uid). A
    process's user (``USER``, ``run -u``, ``exec -u``: moby/sys/user ``GetExecUser``) whose uid
    has no entry keeps group 0: ``docker run -u 1000 bb:1 id`` prints ``uid=1000 gid=0(root)``.
    ``chown=True`` is ``COPY --chown``'s rule instead: a bare uid is the gid as well.
    """
    user, _, group = spec.partition(":")

    def entry(path: str, name: str) -> list[str] | None:
        node = flat.entries.get(path)
        if node is None or node.kind != FILE:
            return None
        for line in node.content.bytes().decode("utf-8", "replace").splitlines():
            fields = line.split(":")
            if len(fields) > 2 and (fields[0] == name or (name.isdigit() and fields[2] == name)):
                return fields
        return None

    def resolve(name: str, path: str) -> int:
        if name.isdigit():
            return int(name)
        found = entry(path, name)
        if found is None or not found[2].isdigit():
            raise BuildError(f"unable to find user {name}: no matching entries in passwd file"
                             if path == "/etc/passwd" else f"unable to find group {name}: no matching entries in group file")
        return int(found[2])

    uid = resolve(user, "/etc/passwd") if user else 0
    if group:
        return uid, resolve(group, "/etc/group")
    if chown and user.isdigit():
        return uid, uid
    found = entry("/etc/passwd", user)
    if found is not None and len(found) > 3 and found[3].isdigit():
        return uid, int(found[3])
    return uid, uid if chown else 0


def _makedirs_owned(fs: RootFS, path: str, uid: int, gid: int, now: int) -> None:
    cur = "/"
    for comp in [c for c in path.split("/") if c]:
        cur = join(cur, comp)
        if not fs.exists(cur):
            fs.put_node(cur, Node(DIR, 0o755, uid, gid, now))


def _is_archive(node: Node) -> bool:
    if node.kind != FILE or node.content.size < 262:
        return False
    head = node.content.read(0, 512)
    return head[257:262] == b"ustar" or head[:2] == b"\x1f\x8b" or head[:3] == b"BZh" or head[:6] == b"\xfd7zXZ\x00"


def _extract(node: Node) -> list[tuple[str, Node]]:
    """ADD of a local tar archive: its entries (the archive module applies path safety)."""
    from ..archive import read_tar_entries
    return read_tar_entries(io.BytesIO(node.content.bytes()))
