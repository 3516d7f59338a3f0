"""The conformance harness: one scenario script, two engines, byte-for-byte comparison.

A scenario (``tests/conformance/scenarios/*.txt``) is a list of docker commands, one per line,
run once with the real ``docker`` client against the private dockerd (``tests/oracle/dockerd.py``)
and once with ``layerlab`` (its CLI, ``layerlab.cli.main``, in-process, with a fresh
``LAYERLAB_HOME``). Both sides are captured as bytes (no newline translation: classic build's
context line really ends in ``\r\r\n``). Every command's stdout, stderr and exit code must be equal after
normalizing ONLY:

* image/container IDs: every 64- or 12-hex token that is not content-addressed is replaced,
  in order of first appearance, by ``<ID1>`` (full) / ``<id1>`` (its 12-char form) — so the
  same container must be named at the same places in both transcripts. Content digests are
  kept verbatim and must match: the diff_id of bb:1 and of any tar a scenario imports (the
  sha256 of its bytes), the empty-layer digest, and the ``file:``/``dir:`` source hashes of
  classic COPY/ADD. The diff_id of a *built* layer is normalized like an ID: its tar carries
  the build-time mtimes, so the real engine itself gives a new one on every run (measured
  with ``--self-check``);
* times: ``N seconds ago`` / ``Less than a second ago`` / ``About a minute ago`` ..., ``Up ...``
  durations, RFC 3339 and Go ``time.Time`` timestamps;
* temp paths: the scenario directory (``<TMP>``) and the private daemon's data root
  (``/tmp/llod-XXXXXXXX/root`` → ``/var/lib/docker``, where a stock daemon keeps it);
* column widths that depend on those values: in an output where a time or path was
  normalized, runs of 2+ spaces become one ``\\t``;
* ``docker diff``: its lines are sorted (docker's sibling order is Go map order).

Script syntax (see scenarios/README.md)::

    # title: one line saying what the scenario shows
    file ctx/Dockerfile <<EOF         a file in the scenario dir (heredoc, until EOF)
    tar ctx/a.tar x.txt=hello y/z=zz  a tar in the scenario dir (name=content entries)
    docker run --name c1 bb:1 true    a command (shlex quoting; $TMP = the scenario dir)
    DOCKER_BUILDKIT=0 docker build .  leading VAR=value words set the command's environment
    docker20 build ...                the real side uses Debian's 20.10 client (BuildKit needs it)
    # expect-differ: KEY [ARG...]     the next command meets a listed 20.10 difference
    # output-not-compared: REASON     the next command's exit code is compared, output is not

Each scenario starts with ``bb:1`` only; afterwards the real side is cleaned (containers,
images other than bb:1, volumes, build cache).
"""
from __future__ import annotations

import io
import os
import re
import shlex
import shutil
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .differences import DIFFERENCES

SCENARIO_DIR = Path(__file__).parent / "scenarios"
OLD_CLIENT = "/usr/bin/docker"


# ====================================================================== scenarios
@dataclass
class Command:
    line: str                    # as written (after $TMP is kept symbolic)
    argv: list[str]              # docker argv without the leading "docker"
    env: dict[str, str]
    client: str = "docker"       # "docker" or "docker20"
    expect_differ: tuple[str, ...] | None = None   # (key, *args)
    not_compared: str | None = None
    lineno: int = 0


@dataclass
class Scenario:
    name: str
    title: str
    files: dict[str, bytes] = field(default_factory=dict)
    commands: list[Command] = field(default_factory=list)
    path: Path | None = None

    @property
    def uses_buildkit(self) -> bool:
        return any(c.client == "docker20" and c.argv[:1] == ["build"] for c in self.commands)


def parse_scenario(text: str, name: str = "scenario", path: Path | None = None) -> Scenario:
    sc = Scenario(name, name, path=path)
    lines = text.splitlines()
    i = 0
    pending_differ: tuple[str, ...] | None = None
    pending_nc: str | None = None
    while i < len(lines):
        raw = lines[i]
        i += 1
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            body = line[1:].strip()
            if body.startswith("title:"):
                sc.title = body[6:].strip()
            elif body.startswith("expect-differ:"):
                pending_differ = tuple(body[len("expect-differ:"):].split())
                if pending_differ[0] not in DIFFERENCES:
                    raise ValueError(f"{name}:{i}: unknown difference {pending_differ[0]!r}")
            elif body.startswith("output-not-compared:"):
                pending_nc = body[len("output-not-compared:"):].strip()
            continue
        if line.startswith("file "):
            m = re.fullmatch(r"file\s+(\S+)\s*<<(\w+)", line)
            if not m:
                raise ValueError(f"{name}:{i}: expected 'file PATH <<EOF'")
            body_lines = []
            while i < len(lines) and lines[i] != m.group(2):
                body_lines.append(lines[i])
                i += 1
            i += 1
            sc.files[m.group(1)] = ("\n".join(body_lines) + "\n").encode()
            continue
        if line.startswith("tar "):
            words = shlex.split(line)
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
                for spec in words[2:]:
                    n, _, content = spec.partition("=")
                    data = content.encode() + b"\n"
                    ti = tarfile.TarInfo(n)
                    ti.size, ti.mode, ti.mtime = len(data), 0o644, 1704067200
                    ti.uname = ti.gname = "root"
                    tf.addfile(ti, io.BytesIO(data))
            sc.files[words[1]] = buf.getvalue()
            continue
        words = shlex.split(line)
        env: dict[str, str] = {}
        while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
            k, _, v = words.pop(0).partition("=")
            env[k] = v
        if not words or words[0] not in ("docker", "docker20"):
            raise ValueError(f"{name}:{i}: not a docker command: {line}")
        sc.commands.append(Command(line, words[1:], env, words[0], pending_differ, pending_nc, i))
        pending_differ = pending_nc = None
    return sc


def load_scenarios(directory: Path = SCENARIO_DIR) -> list[Scenario]:
    out = []
    for p in sorted(directory.glob("*.txt")):
        out.append(parse_scenario(p.read_text(), p.stem, p))
    return out


def materialize(sc: Scenario, base: str) -> str:
    """Create the scenario's working dir (with its files) under *base*; return its path."""
    d = tempfile.mkdtemp(prefix="llconf-", dir=base)
    for rel, data in sc.files.items():
        p = Path(d) / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data.replace(b"$REGISTRY", _registry().encode()))
    return d


def _registry() -> str:
    """The loopback registry of the run (tests/oracle/registry.py), for ``$REGISTRY``."""
    return os.environ.get("LAYERLAB_TEST_REGISTRY", "127.0.0.1:5000")


def _subst(argv: list[str], workdir: str) -> list[str]:
    return [a.replace("$TMP", workdir).replace("$REGISTRY", _registry()) for a in argv]


# ====================================================================== results
@dataclass
class Result:
    stdout: str
    stderr: str
    rc: int
    seconds: float = 0.0


# ====================================================================== the real engine
def _text(b: bytes) -> str:
    """The client's bytes as str, every byte kept (no newline translation)."""
    return b.decode("utf-8", "surrogateescape")


class RealDocker:
    """Runs scenarios against a PrivateDockerd (whose bb:1 is already imported)."""

    def __init__(self, dockerd, bb_tar: str):
        self.d = dockerd
        self.bb_tar = bb_tar
        self.bb_id = self._bb_id()

    def _bb_id(self) -> str:
        return self.d.docker("image", "inspect", "-f", "{{.Id}}", "bb:1").stdout.strip()

    def run(self, sc: Scenario, workdir: str) -> list[Result]:
        results = []
        try:
            for cmd in sc.commands:
                client = OLD_CLIENT if cmd.client == "docker20" else None
                t0 = time.monotonic()
                # Bytes, not text=True: universal newlines would turn the client's real
                # "...kB\r\r\n" (classic build's context line) into "\n\n".
                r = self.d.docker(*_subst(cmd.argv, workdir), env=cmd.env, client=client,
                                  cwd=workdir, timeout=180, text=False)
                results.append(Result(_text(r.stdout), _text(r.stderr), r.returncode,
                                      time.monotonic() - t0))
        finally:
            self.cleanup(sc)
        return results

    def cleanup(self, sc: Scenario) -> None:
        d = self.d
        ids = d.docker("ps", "-aq").stdout.split()
        if ids:
            d.docker("rm", "-f", "-v", *ids)
        if self._bb_id() != self.bb_id or not self.bb_id:
            with tempfile.TemporaryDirectory() as t:
                from tests.oracle.dockerd import import_busybox
                import_busybox(d, t, "bb:1")
            self.bb_id = self._bb_id()
        imgs = [i for i in dict.fromkeys(d.docker("images", "-aq", "--no-trunc").stdout.split())
                if i != self.bb_id]
        if imgs:
            d.docker("rmi", "-f", *imgs)
        extra_tags = [t for t in d.docker("images", "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
                      if t != "bb:1"]
        if extra_tags:
            d.docker("rmi", "-f", *extra_tags)
        vols = d.docker("volume", "ls", "-q").stdout.split()
        if vols:
            d.docker("volume", "rm", "-f", *vols)
        if sc.uses_buildkit:
            d.docker("builder", "prune", "-af", client=OLD_CLIENT)


# ====================================================================== layerlab
class Layerlab:
    """Runs scenarios with the layerlab CLI, in-process, one fresh LAYERLAB_HOME each."""

    def __init__(self, bb_tar: str, base: str):
        self.bb_tar = bb_tar
        self.base = base
        self._template: str | None = None

    @staticmethod
    def available() -> str | None:
        try:
            from layerlab import cli  # noqa: F401
        except ImportError as exc:
            return f"layerlab.cli is not importable: {exc}"
        if not hasattr(cli, "main"):
            return "layerlab.cli has no main(argv)"
        return None

    def call(self, argv: list[str], env: dict[str, str], cwd: str, home: str) -> Result:
        from layerlab import cli

        out_b, err_b = io.BytesIO(), io.BytesIO()
        out = io.TextIOWrapper(out_b, encoding="utf-8", errors="surrogateescape", write_through=True)
        err = io.TextIOWrapper(err_b, encoding="utf-8", errors="surrogateescape", write_through=True)
        saved_env = {k: os.environ.get(k) for k in [*env, "LAYERLAB_HOME"]}
        saved = sys.stdout, sys.stderr, os.getcwd()
        os.environ.update(env)
        os.environ["LAYERLAB_HOME"] = home
        sys.stdout, sys.stderr = out, err
        t0 = time.monotonic()
        try:
            os.chdir(cwd)
            try:
                rc = cli.main(list(argv))
            except SystemExit as exc:
                rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except Exception as exc:  # a traceback is itself a conformance failure
                import traceback
                err.write("PYTHON TRACEBACK (layerlab bug): " + "".join(
                    traceback.format_exception(type(exc), exc, exc.__traceback__)))
                rc = -1
        finally:
            dt = time.monotonic() - t0
            out.flush()
            err.flush()
            sys.stdout, sys.stderr = saved[0], saved[1]
            os.chdir(saved[2])
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        return Result(out_b.getvalue().decode("utf-8", "surrogateescape"),
                      err_b.getvalue().decode("utf-8", "surrogateescape"), int(rc or 0), dt)

    def fresh_home(self) -> str:
        if self._template is None:
            self._template = tempfile.mkdtemp(prefix="llhome-tpl-", dir=self.base)
            r = self.call(["import", self.bb_tar, "bb:1"], {}, self.base, self._template)
            if r.rc != 0:
                raise RuntimeError(f"layerlab import of bb:1 failed: {r.stderr}")
        home = tempfile.mkdtemp(prefix="llhome-", dir=self.base)
        shutil.copytree(self._template, home, dirs_exist_ok=True)
        return home

    def run(self, sc: Scenario, workdir: str) -> list[Result]:
        home = self.fresh_home()
        try:
            return [self.call(_subst(c.argv, workdir), c.env, workdir, home) for c in sc.commands]
        finally:
            shutil.rmtree(home, ignore_errors=True)


# ====================================================================== normalization
_AGO = re.compile(r"(?:Less than a second|About a minute|About an hour|\d+ (?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)) ago")
_UP = re.compile(r"\bUp (?:Less than a second|About a minute|About an hour|\d+ (?:seconds?|minutes?|hours?|days?|weeks?|months?|years?))")
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
_GOTIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? [+-]\d{4} [A-Z]+")
_DATAROOT = re.compile(r"/tmp/llod-[A-Za-z0-9_]{8}/root")
_HEX = re.compile(r"(?<![0-9a-zA-Z])([0-9a-f]{64}|[0-9a-f]{12})(?![0-9a-zA-Z])")
_CONTENT_HASH = re.compile(r"(?:file|dir):([0-9a-f]{64})")
EMPTY_LAYER_HEX = "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"


def content_digests(sc: Scenario, bb_tar: str) -> set[str]:
    """The hex digests that are content, not identity, so both engines must print them
    verbatim: the diff_id of bb:1 (the sha256 of its tar), the sha256 of every file the
    scenario ships (a tar it imports has that diff_id), and the empty layer."""
    import hashlib

    with open(bb_tar, "rb") as f:
        out = {hashlib.sha256(f.read()).hexdigest(), EMPTY_LAYER_HEX}
    out |= {hashlib.sha256(data).hexdigest() for data in sc.files.values()}
    return out


def _is_diff(cmd: Command) -> bool:
    a = [x for x in cmd.argv if not x.startswith("-")]
    return a[:1] == ["diff"] or a[:2] == ["container", "diff"]


def normalize(sc: Scenario, results: list[Result], workdir: str, keep: set[str]) -> list[tuple[str, str, int]]:
    """Normalize one engine's transcript of *sc* (see the module docstring)."""
    keep = set(keep) | {EMPTY_LAYER_HEX}
    # Output that is not compared must not take part in the ID numbering either.
    results = [Result("", "", r.rc, r.seconds) if c.not_compared is not None else r
               for c, r in zip(sc.commands, results)]
    for r in results:
        keep |= set(_CONTENT_HASH.findall(r.stdout + r.stderr))
    full_ids: list[str] = []
    for r in results:
        for s in (r.stdout, r.stderr):
            for m in _HEX.findall(s):
                if len(m) == 64 and m not in keep:
                    full_ids.append(m)
    numbers: dict[str, int] = {}

    def key(tok: str) -> str:
        if len(tok) == 12:
            for f in full_ids:
                if f.startswith(tok):
                    return f
        return tok

    def sub_ids(text: str) -> str:
        def rep(m):
            tok = m.group(1)
            if tok in keep or any(k.startswith(tok) for k in keep if len(tok) == 12):
                return tok
            k = key(tok)
            n = numbers.setdefault(k, len(numbers) + 1)
            return f"<ID{n}>" if len(tok) == 64 else f"<id{n}>"
        return _HEX.sub(rep, text)

    out = []
    for cmd, r in zip(sc.commands, results):
        streams = []
        for s in (r.stdout, r.stderr):
            before = s
            s = s.replace(workdir, "<TMP>")
            s = _DATAROOT.sub("/var/lib/docker", s)
            s = _AGO.sub("<AGO>", s)
            s = _UP.sub("Up <DUR>", s)
            s = _RFC3339.sub("<TIME>", s)
            s = _GOTIME.sub("<TIME>", s)
            s = sub_ids(s)
            if s != before and (("<AGO>" in s) or ("<DUR>" in s) or ("<TIME>" in s) or ("<TMP>" in s)
                                or "/var/lib/docker" in s):
                s = "\n".join(re.sub(r" {2,}", "\t", ln).rstrip() for ln in s.split("\n"))
            if _is_diff(cmd) and not streams and s:
                lines = s.split("\n")
                tail = lines[-1] == ""
                body = sorted(lines[:-1] if tail else lines)
                s = "\n".join(body) + ("\n" if tail else "")
            streams.append(s)
        out.append((streams[0], streams[1], r.rc))
    return out


def apply_difference(cmd: Command, real: tuple[str, str, int]) -> tuple[str, str, int]:
    """Turn the raw 20.10 output of an annotated command into what current Docker prints
    (before normalization, so an ID that only 20.10 prints does not shift the numbering)."""
    if not cmd.expect_differ:
        return real
    key, *args = cmd.expect_differ
    diff = DIFFERENCES[key]
    return diff.apply(real, args)


# ====================================================================== comparison
@dataclass
class Mismatch:
    index: int
    command: str
    field: str
    expected: str
    got: str

    def __str__(self) -> str:
        return (f"  command {self.index + 1}: {self.command}\n    {self.field} differs\n"
                f"    expected (docker): {self.expected!r}\n    got (layerlab):    {self.got!r}")


@dataclass
class Outcome:
    scenario: Scenario
    mismatches: list[Mismatch]
    differences_used: list[str]
    real_seconds: float = 0.0
    layerlab_seconds: float = 0.0
    error: str = ""

    @property
    def matched(self) -> bool:
        return not self.mismatches and not self.error


def compare(sc: Scenario, real: list[tuple[str, str, int]], ll: list[tuple[str, str, int]]) -> list[Mismatch]:
    out = []
    for i, (cmd, r, g) in enumerate(zip(sc.commands, real, ll)):
        fields = [("exit code", str(r[2]), str(g[2]))]
        if cmd.not_compared is None:
            fields = [("stdout", r[0], g[0]), ("stderr", r[1], g[1])] + fields
        for name, a, b in fields:
            if a != b:
                out.append(Mismatch(i, cmd.line, name, a, b))
    return out


SPEED_RUNS = 3
SPEED_TARGET = 20.0


def run_scenario(sc: Scenario, real: RealDocker, ll: Layerlab, base: str) -> Outcome:
    wd_real = materialize(sc, base)
    wd_ll = materialize(sc, base)
    try:
        real_results = real.run(sc, wd_real)
        digests = content_digests(sc, real.bb_tar)
        # speed, as benchmarks/conformance.py measures it: the sum of the commands' wall times
        # (setup and cleanup not counted); layerlab's best of SPEED_RUNS runs (only the first
        # run's transcript is compared)
        t_real = sum(r.seconds for r in real_results)
        real_results = [Result(*apply_difference(c, (r.stdout, r.stderr, r.rc)), r.seconds)
                        for c, r in zip(sc.commands, real_results)]
        ll_results = ll.run(sc, wd_ll)
        t_ll = sum(r.seconds for r in ll_results)
        for _ in range(SPEED_RUNS - 1):
            wd = materialize(sc, base)
            try:
                t_ll = min(t_ll, sum(r.seconds for r in ll.run(sc, wd)))
            finally:
                shutil.rmtree(wd, ignore_errors=True)
        n_real = normalize(sc, real_results, wd_real, digests)
        n_ll = normalize(sc, ll_results, wd_ll, digests)
        mism = compare(sc, n_real, n_ll)
        used = [c.expect_differ[0] for c in sc.commands if c.expect_differ]
        return Outcome(sc, mism, used, t_real, t_ll)
    finally:
        shutil.rmtree(wd_real, ignore_errors=True)
        shutil.rmtree(wd_ll, ignore_errors=True)


# ====================================================================== report
def write_report(outcomes: list[Outcome], path: Path) -> str:
    from .differences import DIFFERENCES as D

    n = len(outcomes)
    ok = sum(o.matched for o in outcomes)
    lines = ["# Conformance: layerlab vs a real Docker Engine", "",
             "Generated by `pytest tests/conformance` (do not edit by hand). Each scenario in",
             "`tests/conformance/scenarios/` ran against a private Docker Engine 20.10 (client 28.x)",
             "and against the `layerlab` CLI; stdout, stderr and exit codes are compared after",
             "normalizing only IDs, times, temp paths and `docker diff` sibling order",
             "(see `tests/conformance/harness.py`).", "",
             f"**{ok} of {n} scenarios match.**", "",
             "| scenario | what it shows | match | note |", "|---|---|---|---|"]
    for o in outcomes:
        if o.error:
            note = o.error.splitlines()[0][:120]
        elif o.mismatches:
            m = o.mismatches[0]
            note = f"{len(o.mismatches)} difference(s); first: `{m.command}` {m.field}"
        else:
            note = ("20.10 difference(s): " + ", ".join(sorted(set(o.differences_used)))) if o.differences_used else ""
        note = note.replace("|", "\\|")
        lines.append(f"| `{o.scenario.name}` | {o.scenario.title.replace('|', '/')} | "
                     f"{'yes' if o.matched else 'no'} | {note} |")
    lines += ["", "## Known differences between the 20.10 oracle and current Docker", "",
              "layerlab follows current Docker (DESIGN.md, \"Which Docker we emulate\"). Where the",
              "oracle's 20.10 daemon prints something else, the annotated command's real output is",
              "rewritten to the current text before comparing; nothing else is rewritten.", "",
              "| key | 20.10 prints | current Docker prints | source |", "|---|---|---|---|"]
    for k, d in D.items():
        lines.append(f"| `{k}` | {d.old} | {d.new} | {d.source} |")
    timed = [o for o in outcomes if o.real_seconds and o.layerlab_seconds]
    if timed:
        worst = min(o.real_seconds / o.layerlab_seconds for o in timed)
        tr, tl = sum(o.real_seconds for o in timed), sum(o.layerlab_seconds for o in timed)
        lines += ["", "## Speed", "",
                  "Measured in the same run (`pytest tests/conformance`; `python -m benchmarks.conformance`",
                  "measures the same way on its own): per scenario, the sum of its commands' wall times —",
                  "each `docker` client call against the private daemon, each in-process `layerlab.cli.main`",
                  f"call (best of {SPEED_RUNS} runs); setup and cleanup are not counted. Target: layerlab at least",
                  f"{SPEED_TARGET:.0f}x faster on every scenario. This run: {tr:.2f} s vs {tl:.3f} s overall "
                  f"({tr / tl:.0f}x), slowest ratio {worst:.0f}x.", "",
                  "| scenario | commands | docker (s) | layerlab (s) | ratio |", "|---|---:|---:|---:|---:|"]
        for o in timed:
            lines.append(f"| `{o.scenario.name}` | {len(o.scenario.commands)} | {o.real_seconds:.3f} | "
                         f"{o.layerlab_seconds:.4f} | {o.real_seconds / o.layerlab_seconds:.0f}x |")
    text = "\n".join(lines) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
    return text


# ====================================================================== command line
def _main(argv: list[str] | None = None) -> int:
    """``python -m tests.conformance.harness [--self-check] [--show] [NAME...]``

    --self-check  run each scenario twice on the real engine and compare the two normalized
                  transcripts (checks that the normalization removes only run-to-run noise)
    --show        print the normalized real transcript of each scenario"""
    import argparse

    from tests.oracle.dockerd import PrivateDockerd, import_busybox
    from tests.oracle.rootfs import busybox_rootfs_tar

    ap = argparse.ArgumentParser()
    ap.add_argument("--self-check", action="store_true")
    ap.add_argument("--show", action="store_true")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args(argv)
    scs = [s for s in load_scenarios() if not a.names or any(n in s.name for n in a.names)]
    bad = 0
    with tempfile.TemporaryDirectory(prefix="llconf-main-") as base, PrivateDockerd() as d:
        tar = f"{base}/busybox-rootfs.tar"
        busybox_rootfs_tar(tar)
        import_busybox(d, base, "bb:1")
        real = RealDocker(d, tar)
        for sc in scs:
            runs = []
            for _ in range(2 if a.self_check else 1):
                wd = materialize(sc, base)
                res = real.run(sc, wd)
                runs.append((res, content_digests(sc, tar), wd))
            keep = set().union(*(r[1] for r in runs))
            norm = [normalize(sc, r[0], r[2], keep) for r in runs]
            if a.show:
                print(f"===== {sc.name}: {sc.title}")
                for c, (o, e, rc) in zip(sc.commands, norm[0]):
                    print(f"$ {c.line}\n{o}" + (f"[stderr]\n{e}" if e else "") + f"[exit {rc}]")
            if a.self_check:
                m = compare(sc, norm[0], norm[1])
                bad += bool(m)
                print(f"{'stable' if not m else 'UNSTABLE'}  {sc.name}")
                for x in m:
                    print(x)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(_main())
