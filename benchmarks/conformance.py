"""Time every conformance scenario on the real Docker Engine and on layerlab, in one run.

    python -m benchmarks.conformance [--repeat N] [--markdown] [NAME...]

For each scenario the time is the sum of its commands' wall times (the real side: each
``docker`` client call against the private dockerd; layerlab: each in-process
``layerlab.cli.main`` call, best of ``--repeat`` runs). Setup and cleanup are not counted on
either side. Prints the ratio per scenario; the target is layerlab >= 20x faster on every
scenario, and the exit status is 1 if any scenario misses it. Needs root and docker.io
(tests/oracle/dockerd.py), like the conformance suite.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.conformance.harness import Layerlab, RealDocker, load_scenarios, materialize  # noqa: E402
from tests.oracle.dockerd import PrivateDockerd, import_busybox  # noqa: E402
from tests.oracle.rootfs import busybox_rootfs_tar  # noqa: E402

TARGET = 20.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="layerlab runs per scenario (best is kept)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args(argv)
    why = Layerlab.available()
    if why:
        print(f"cannot benchmark: {why}", file=sys.stderr)
        return 2
    scs = [s for s in load_scenarios() if not a.names or any(n in s.name for n in a.names)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="llbench-") as base, PrivateDockerd() as d:
        tar = f"{base}/busybox-rootfs.tar"
        busybox_rootfs_tar(tar)
        import_busybox(d, base, "bb:1")
        real, ll = RealDocker(d, tar), Layerlab(tar, base)
        for sc in scs:
            wd = materialize(sc, base)
            t_real = sum(r.seconds for r in real.run(sc, wd))
            t_ll = min(sum(r.seconds for r in ll.run(sc, materialize(sc, base))) for _ in range(max(1, a.repeat)))
            rows.append((sc.name, len(sc.commands), t_real, t_ll))
    worst = min((tr / tl if tl else float("inf")) for _, _, tr, tl in rows) if rows else 0
    if a.markdown:
        print("| scenario | commands | docker (s) | layerlab (s) | speed-up |")
        print("|---|---:|---:|---:|---:|")
        for name, n, tr, tl in rows:
            print(f"| `{name}` | {n} | {tr:.3f} | {tl:.4f} | {tr / tl if tl else float('inf'):.0f}x |")
    else:
        print(f"{'scenario':40} {'cmds':>4} {'docker s':>9} {'layerlab s':>11} {'ratio':>8}")
        for name, n, tr, tl in rows:
            ratio = tr / tl if tl else float("inf")
            flag = "" if ratio >= TARGET else "  < target"
            print(f"{name:40} {n:4d} {tr:9.3f} {tl:11.4f} {ratio:7.0f}x{flag}")
    total_r = sum(r[2] for r in rows)
    total_l = sum(r[3] for r in rows)
    print(f"\ntotal: docker {total_r:.2f}s, layerlab {total_l:.3f}s, overall {total_r / total_l if total_l else 0:.0f}x; "
          f"slowest ratio {worst:.0f}x (target {TARGET:.0f}x on every scenario)")
    return 0 if worst >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
