"""The ``layerlab`` command timed as a learner's terminal runs it: one process per command.

    python benchmarks/cli.py [--runs N] [--no-docker] [--no-scenarios] [--markdown]

What it measures (wall time of the whole process, median of ``--runs``):

1. each learner-facing command on an **empty store** (busybox imported, one container) and on
   a **big store** (50 images — four of them ubuntu:22.04 with ``apt-get install -y
   build-essential python3 nodejs npm git curl`` — 20 containers, over 1 GB of image content).
   Targets (issue 15): read-only commands at most 50 ms, ``run``/``exec``/``create``/``rm`` at
   most 100 ms, the two stores within 20 % of each other;
2. the same commands on a private real Docker Engine (tests/oracle/dockerd.py), when one can be
   started here (root, docker.io);
3. every conformance scenario run command by command as processes, on both engines (target:
   layerlab at least 2x faster overall).

The in-process figure (``python -m benchmarks.conformance``: each command a
``layerlab.cli.main`` call in one Python process) is a different measure; this one is what a
terminal user waits for.
"""
from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

READ_ONLY = ["ps", "ps -s", "images", "diff c1", "history bb:1", "image inspect bb:1", "info",
             "volume ls", "system df"]
WRITES = ["run -d bb:1 sleep 1000", "exec c1 true", "create bb:1 true", "rm -f {last}"]
TARGET_RO, TARGET_RW, TARGET_DRIFT, TARGET_SCENARIOS = 0.050, 0.100, 0.20, 2.0


def layerlab_cmd() -> list[str]:
    script = os.path.join(os.path.dirname(sys.executable), "layerlab")
    return [script] if os.path.exists(script) else [sys.executable, "-m", "layerlab.cli"]


def _time(argv: list[str], env: dict, cwd: str | None = None) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    r = subprocess.run(argv, env=env, cwd=cwd, capture_output=True)
    return time.perf_counter() - t0, r


def time_commands(base: list[str], env: dict, runs: int) -> dict[str, float]:
    """Median seconds per command; writes are timed on fresh objects each run."""
    out: dict[str, float] = {}
    _time(base + ["version"], env)          # starts layerlab's daemon (or wakes docker's caches)
    for cmd in READ_ONLY:
        samples = []
        for _ in range(runs):
            dt, r = _time(base + shlex.split(cmd), env)
            if r.returncode != 0:
                raise RuntimeError(f"{cmd}: {r.stderr.decode()[-500:]}")
            samples.append(dt)
        out[cmd] = statistics.median(samples)
    samples_by: dict[str, list[float]] = {c: [] for c in WRITES}
    for _ in range(runs):
        last = ""
        for cmd in WRITES:
            dt, r = _time(base + shlex.split(cmd.format(last=last)), env)
            if r.returncode != 0:
                raise RuntimeError(f"{cmd}: {r.stderr.decode()[-500:]}")
            if cmd.startswith("create"):
                last = r.stdout.decode().split()[-1][:12]
            if cmd.startswith("run"):
                run_id = r.stdout.decode().split()[-1][:12]
            samples_by[cmd].append(dt)
        _time(base + ["rm", "-f", run_id], env)
    for cmd, s in samples_by.items():
        out[cmd] = statistics.median(s)
    return out


# ---------------------------------------------------------------------- stores
def _busybox_tar(workdir: str) -> str:
    from tests.oracle.rootfs import busybox_rootfs_tar
    path = os.path.join(workdir, "busybox-rootfs.tar")
    busybox_rootfs_tar(path)
    return path


def make_store(home: str, tar: str, big: bool) -> None:
    """Fill LAYERLAB_HOME ``home``: bb:1 and container c1; with ``big``, also 50 images and 20
    containers (built in-process, stored once)."""
    from layerlab import state
    engine = state.new_engine()
    with open(tar, "rb") as fh:
        engine.import_tar(fh.read(), "bb:1")
    engine.create("bb:1", ["sleep", "1000"], name="c1")
    engine.start("c1")
    if big:
        apt = "apt-get update && apt-get install -y build-essential python3 nodejs npm git curl"
        for i in range(4):
            engine.build(f"FROM ubuntu:22.04\nRUN {apt}\nRUN echo {i} > /version\n", tag=f"apt{i}")
        bases = ["alpine:3.19", "debian:bookworm-slim", "node:20-alpine", "python:3.12-slim", "nginx:alpine",
                 "ubuntu:24.04", "busybox"]
        n = 4
        while n < 49:
            base = bases[n % len(bases)]
            engine.build(f"FROM {base}\nRUN echo {n} > /n\nRUN truncate -s {25_000_000 + n} /blob\n",
                         tag=f"img{n}")
            n += 1
        for i in range(19):
            engine.create(f"img{4 + i}", ["sleep", "1000"], name=f"w{i:02d}")
            engine.start(f"w{i:02d}")
            engine.exec(f"w{i:02d}", ["sh", "-c", f"echo {i} > /state.txt"])
    os.makedirs(home, exist_ok=True)
    state.save_engine(home, engine)


def store_summary(home: str, env: dict) -> str:
    r = subprocess.run(layerlab_cmd() + ["system", "df"], env=env, capture_output=True, text=True)
    size = sum(os.path.getsize(os.path.join(home, f)) for f in os.listdir(home))
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith(("Images", "Containers"))]
    return f"store {size / 1e6:.1f} MB on disk; " + "; ".join(" ".join(ln.split()) for ln in lines)


# ---------------------------------------------------------------------- the real engine
def real_docker(tar: str, workdir: str, runs: int):
    from tests.oracle.dockerd import PrivateDockerd, import_busybox, why_unavailable
    why = why_unavailable()
    if why:
        return None, why
    d = PrivateDockerd()
    d.__enter__()
    try:
        import_busybox(d, workdir, "bb:1")
        d.docker("run", "-d", "--name", "c1", "bb:1", "sleep", "1000")
        env = d.env()
        base = [d.client]
        return (d, time_commands(base, env, runs)), None
    except Exception:
        d.__exit__(None, None, None)
        raise


# ---------------------------------------------------------------------- scenarios as processes
def scenarios_as_processes(d, tar: str, base_dir: str) -> tuple[float, float, int]:
    """Every conformance scenario's commands as processes on both engines. Like the real side
    (RealDocker.cleanup), layerlab keeps one store (and so one daemon) and is cleaned up between
    scenarios, untimed: containers, images but bb:1, volumes."""
    from layerlab.cli import daemon
    from tests.conformance.harness import RealDocker, _subst, load_scenarios, materialize
    home = tempfile.mkdtemp(prefix="llcli-", dir=base_dir)
    base_env = {**os.environ, "LAYERLAB_HOME": home, "LAYERLAB_DAEMON": "1"}
    ll = layerlab_cmd()

    def q(*args) -> list[str]:
        return subprocess.run(ll + list(args), env=base_env, capture_output=True, text=True).stdout.split()

    subprocess.run(ll + ["import", tar, "bb:1"], env=base_env, capture_output=True, check=True)
    bb = q("images", "-q", "--no-trunc", "bb:1")
    real = RealDocker(d, tar)
    t_real = t_ll = 0.0
    n = 0
    try:
        for sc in load_scenarios():
            wd = materialize(sc, base_dir)
            t_real += sum(r.seconds for r in real.run(sc, wd))
            wd = materialize(sc, base_dir)
            for cmd in sc.commands:
                dt, _ = _time(ll + _subst(cmd.argv, wd), {**base_env, **cmd.env}, cwd=wd)
                t_ll += dt
                n += 1
            ids = q("ps", "-aq")
            if ids:
                q("rm", "-f", "-v", *ids)
            imgs = [i for i in dict.fromkeys(q("images", "-aq", "--no-trunc")) if i not in bb]
            if imgs:
                q("rmi", "-f", *imgs)
            vols = q("volume", "ls", "-q")
            if vols:
                q("volume", "rm", "-f", *vols)
            if q("images", "-q", "--no-trunc", "bb:1") != bb:      # a scenario removed or re-tagged it
                q("rmi", "-f", "bb:1")
                subprocess.run(ll + ["import", tar, "bb:1"], env=base_env, capture_output=True, check=True)
                bb = q("images", "-q", "--no-trunc", "bb:1")
    finally:
        daemon.stop(home)
    return t_real, t_ll, n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--no-docker", action="store_true")
    ap.add_argument("--no-scenarios", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--no-daemonless", action="store_true", help="skip the LAYERLAB_DAEMON=0 columns")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="llcli-bench-") as work:
        tar = _busybox_tar(work)
        results = {}
        from layerlab.cli import daemon
        for label, big in (("empty store", False), ("big store", True)):
            home = os.path.join(work, label.replace(" ", "-"))
            t0 = time.perf_counter()
            make_store(home, tar, big)
            env = {**os.environ, "LAYERLAB_HOME": home, "LAYERLAB_DAEMON": "1"}
            print(f"{label}: built in {time.perf_counter() - t0:.1f} s; {store_summary(home, env)}", flush=True)
            try:
                results[label] = time_commands(layerlab_cmd(), env, a.runs)
                if not a.no_daemonless:
                    results[label + " (no daemon)"] = time_commands(layerlab_cmd(), {**env, "LAYERLAB_DAEMON": "0"}, a.runs)
            finally:
                daemon.stop(home)
        docker, why = (None, "--no-docker") if a.no_docker else real_docker(tar, work, a.runs)
        real = docker[1] if docker else None
        cmds = READ_ONLY + WRITES
        nod = not a.no_daemonless
        hdr = (["command", "empty store ms", "big store ms", "drift", "target"]
               + (["no daemon: empty / big ms"] if nod else []) + (["docker ms"] if real else []))
        rows, misses = [], []
        for c in cmds:
            e, b = results["empty store"][c], results["big store"][c]
            target = TARGET_RO if c in READ_ONLY else TARGET_RW
            drift = (b - e) / e
            ok = max(e, b) <= target and abs(drift) <= TARGET_DRIFT
            if not ok:
                misses.append(c)
            row = [c.replace(" {last}", " <id>"), f"{e * 1000:.0f}", f"{b * 1000:.0f}", f"{drift:+.0%}",
                   f"<= {target * 1000:.0f} {'ok' if ok else 'missed'}"]
            if nod:
                row.append(f"{results['empty store (no daemon)'][c] * 1000:.0f} / "
                           f"{results['big store (no daemon)'][c] * 1000:.0f}")
            if real:
                row.append(f"{real[c] * 1000:.0f}")
            rows.append(row)
        if a.markdown:
            print("| " + " | ".join(hdr) + " |")
            print("|" + "---|" * len(hdr))
            for r in rows:
                print("| " + " | ".join(r) + " |")
        else:
            widths = [max(len(str(x)) for x in col) for col in zip(hdr, *rows)]
            for r in [hdr] + rows:
                print("  ".join(str(x).ljust(w) for x, w in zip(r, widths)))
        if not real:
            print(f"(no real engine: {why})")
        if docker and not a.no_scenarios:
            t_real, t_ll, n = scenarios_as_processes(docker[0], tar, work)
            print(f"\nconformance scenarios as processes ({n} commands): docker {t_real:.1f} s, "
                  f"layerlab {t_ll:.1f} s, {t_real / t_ll:.2f}x (target >= {TARGET_SCENARIOS:.0f}x)")
        if docker:
            docker[0].__exit__(None, None, None)
        print(f"\ntargets missed: {', '.join(misses) if misses else 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
