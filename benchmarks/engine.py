"""Engine speed and memory: the operations a learner waits for.

(a) a 50,000-file image in 20 layers: run a container, modify files, docker diff, ps -s, history,
    image inspect, commit;
(b) an image holding a 1 GB file that a container appends one byte to (must not materialize it);
plus `import layerlab` time and the peak memory of the whole run.

Targets (issue 2): each learner-facing operation < 50 ms at 50k files; the 1 GB case < 10 ms;
peak memory < 150 MB; `import layerlab` < 100 ms.

Run: python benchmarks/engine.py
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def timed(label: str, fn, rows: list, target_ms: float | None = None):
    t = time.perf_counter()
    out = fn()
    ms = (time.perf_counter() - t) * 1000
    rows.append((label, ms, target_ms))
    return out


def import_time() -> float:
    code = "import time; t=time.perf_counter(); import layerlab; print((time.perf_counter()-t)*1000)"
    best = min(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))).stdout)
               for _ in range(5))
    return best


def busybox_bin() -> dict:
    """/bin/busybox (synthetic bytes) and the applet symlinks the benchmark's commands use."""
    from layerlab.fs import tree
    from layerlab.content import Content

    out = {"/bin/busybox": tree.file(Content.synthetic("bb", 1_000_000), mode=0o755)}
    for applet in ("sh", "sleep", "echo", "printf", "chmod", "touch", "mkdir", "rm", "cat"):
        out[f"/bin/{applet}"] = tree.symlink("busybox")
    return out


def big_image(n_files: int = 50_000, n_layers: int = 20):
    from layerlab.fs import tree
    from layerlab.clock import DEFAULT_EPOCH
    from layerlab.content import Content
    from layerlab.image import ContainerConfig, HistoryEntry, Image
    from layerlab.fs.layer import Layer

    layers, history = [], []
    per = n_files // n_layers
    base = busybox_bin()
    for i in range(n_layers):
        entries = dict(base) if i == 0 else {}
        for j in range(per):
            entries[f"/usr/share/pkg{i:02d}/d{j // 100:03d}/f{j:05d}.txt"] = tree.file(
                Content.synthetic(f"{i}/{j}", 200 + (j * 37) % 4000), mtime=DEFAULT_EPOCH)
        layers.append(Layer.build(entries, mtime=DEFAULT_EPOCH))
        history.append(HistoryEntry(DEFAULT_EPOCH, f"RUN /bin/sh -c install pkg{i} # buildkit",
                                    "buildkit.dockerfile.v0"))
    return Image(tuple(layers), ContainerConfig(cmd=("/bin/sh",)), tuple(history), DEFAULT_EPOCH)


def gig_image():
    from layerlab.fs import tree
    from layerlab.clock import DEFAULT_EPOCH
    from layerlab.content import Content
    from layerlab.image import ContainerConfig, HistoryEntry, Image
    from layerlab.fs.layer import Layer

    layer = Layer.build({"/data/huge.bin": tree.file(Content.synthetic("huge", 1 << 30)), **busybox_bin()})
    return Image((layer,), ContainerConfig(cmd=("/bin/sh",)),
                 (HistoryEntry(DEFAULT_EPOCH, "ADD huge.bin /data/ # buildkit", "buildkit.dockerfile.v0"),),
                 DEFAULT_EPOCH)


def _warm_shell() -> None:
    from layerlab import shell
    shell.lookup_program("sh")


def main() -> None:
    tracemalloc.start()
    from layerlab import Engine
    from layerlab.engine import Engine as _E  # noqa: F401  (import cost not timed here)

    rows: list = []
    eng = Engine()
    img = timed("(a) construct 50k-file image values (20 layers)", big_image, rows)
    timed("(a) image ID: hash the 20 layer tars for diff_ids (once per image)", lambda: eng._store(img, "big:1"), rows)
    timed("shell + package managers first import (once per process)", _warm_shell, rows)
    timed("(a) first container: flatten 50k files (once per image)", lambda: img.flat, rows)
    timed("(a) docker run -d (create + start)", lambda: eng.run("big:1", ["sleep", "3600"], detach=True, name="b1"), rows, 50)
    timed("(a) docker exec: modify 3 files, add 2, delete 1",
          lambda: eng.exec("b1", ["sh", "-c", "echo x >> /usr/share/pkg03/d000/f00001.txt; "
                                  "chmod 600 /usr/share/pkg07/d001/f00100.txt; "
                                  "touch /usr/share/pkg19/d009/f00999.txt; echo new > /tmp1; "
                                  "mkdir -p /srv/app; rm /usr/share/pkg10/d002/f00200.txt"]), rows, 50)
    diff = timed("(a) docker diff", lambda: eng.diff("b1"), rows, 50)
    timed("(a) docker ps -s (size)", lambda: eng.size("b1"), rows, 50)
    timed("(a) docker image history", lambda: eng.history("big:1"), rows, 50)
    timed("(a) image inspect, first time (hashes 20 layer tars for diff_ids)", lambda: eng.inspect_image("big:1"), rows)
    timed("(a) image inspect, again", lambda: eng.inspect_image("big:1"), rows, 50)
    timed("(a) docker diff on a second container", lambda: (eng.run("big:1", ["sleep", "3600"], detach=True), eng.diff("b1")), rows, 50)

    gig = gig_image()
    timed("(b) image ID: hash the 1 GB layer tar (once per image)", lambda: eng._store(gig, "gig:1"), rows)
    timed("(b) docker run -d on the 1 GB image", lambda: eng.run("gig:1", ["sleep", "3600"], detach=True, name="g1"), rows, 10)
    timed("(b) append one byte to the 1 GB file", lambda: eng.exec("g1", ["sh", "-c", "printf x >> /data/huge.bin"]), rows, 10)
    gdiff = timed("(b) docker diff", lambda: eng.diff("g1"), rows, 10)
    gsize = timed("(b) docker ps -s", lambda: eng.size("g1"), rows, 10)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    imp = import_time()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"{'operation':<68} {'ms':>9}  target")
    for label, ms, target in rows:
        ok = "" if target is None else ("ok" if ms < target else "MISSED")
        print(f"{label:<68} {ms:9.1f}  {'' if target is None else f'< {target:g} ms {ok}'}")
    print(f"{'import layerlab (best of 5, fresh interpreter)':<68} {imp:9.1f}  < 100 ms {'ok' if imp < 100 else 'MISSED'}")
    print(f"peak traced Python memory: {peak / 1e6:.1f} MB; max RSS: {rss:.1f} MB (target < 150 MB)")
    print(f"(a) diff lines: {len(diff)}; (b) diff: {[str(x) for x in gdiff]}, size rw={gsize.rw} "
          f"root_fs={gsize.root_fs}; 1 GB file extents in the upper layer: "
          f"{len(eng.container('g1').rootfs.upper.entries['/data/huge.bin'].content.extents)}")


if __name__ == "__main__":
    main()
