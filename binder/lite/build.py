"""Build the course as a static JupyterLite site: the practice release (start page, every
chapter, the glossary) running on Pyodide in the learner's browser, with no server and no
request to anything but the site itself.

    python3 binder/lite/build.py [--output _lite]      (``make lite``)

Downloads only at build time, only from the package registries, every download pinned:

* the build venv ``.lite-venv`` from ``requirements.txt`` (nothing else in it: ``jupyter lite
  build`` copies every labextension installed in its venv into the site);
* the Pyodide runtime from the npm package ``pyodide@314.0.6`` (sha256 pinned below). It holds
  ``pyodide.asm.wasm``, ``python_stdlib.zip`` and ``pyodide-lock.json`` but no wheels;
* the browser's wheels from PyPI, ``browser-wheels.txt`` (``--require-hashes``), and layerlab's
  own wheel built from this checkout.

The rules that make it work offline (each one found the hard way):

* ``pyodide-lock.json`` keeps only the packages the site ships: the closure of micropip, ipython
  and jedi at the lock's own versions, plus the kernel's wheels (piplite, pyodide-kernel and its
  ipykernel / widgetsnbextension stand-ins), comm, ipywidgets and layerlab. Each entry's sha256 is
  the sha256 of the wheel we ship (Pyodide repacks its own wheels, so PyPI's differ); every other
  entry is dropped, so nothing can point at a CDN.
* ``jupyter-lite.json`` preloads all of them (``loadPyodideOptions.packages``) and sets
  ``disablePyPIFallback``: the notebooks run unchanged, no ``%pip`` cell.
* ``--pyodide`` takes a ``.tar.bz2`` whose top level is ``pyodide/`` (a directory is looked
  into one level too deep).
* ``SOURCE_DATE_EPOCH`` (the last commit's time) makes two builds of one commit byte-identical.
* Lab's notebook windowing is off (``overrides.json``): every cell stays in the page, so the
  browser test (and Ctrl+F) sees the whole chapter.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VENV = ROOT / ".lite-venv"
CACHE = ROOT / ".lite-cache"
OUTPUT = ROOT / "_lite"

PYODIDE_NPM = "pyodide@314.0.6"
PYODIDE_TGZ = "pyodide-314.0.6.tgz"
PYODIDE_TGZ_SHA256 = "d78ac549b28a2a58600cd06f44e017024151775f8c6b2d73fab1475400d38ea2"
# the runtime files of the npm package the site serves
RUNTIME = ("pyodide.asm.mjs", "pyodide.asm.wasm", "pyodide.mjs", "pyodide.js",
           "python_stdlib.zip", "package.json")
# what the kernel needs from the lock (its closure is kept), and what the browser loads at start
FROM_LOCK = ("micropip", "ipython", "jedi")
PRELOAD = ("micropip", "piplite", "ipykernel", "comm", "pyodide-kernel", "jedi", "ipython",
           "layerlab", "ipywidgets")
# wheels added to the lock: name -> (imports, depends)
ADDED = {
    "piplite": (["piplite"], ["micropip"]),
    "pyodide-kernel": (["pyodide_kernel"], ["comm", "ipython"]),
    "ipykernel": (["ipykernel"], ["pyodide-kernel"]),
    "widgetsnbextension": (["widgetsnbextension"], []),
    "comm": (["comm"], []),
    "ipywidgets": (["ipywidgets"], ["comm", "ipython", "traitlets", "widgetsnbextension"]),
    "layerlab": (["layerlab"], []),
}
# the stand-ins the kernel's labextension ships (widgetsnbextension 4 goes with ipywidgets 8)
KERNEL_WHEELS = ("piplite-", "pyodide_kernel-", "ipykernel-", "widgetsnbextension-4.")
# the site's labextensions: the kernel, and the ipywidgets manager
LABEXTENSIONS = ("@jupyterlite/pyodide-kernel-extension", "@jupyter-widgets/jupyterlab-manager")


class BuildError(Exception):
    pass


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run(cmd, **kw) -> None:
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run(list(map(str, cmd)), check=True, **kw)


def source_date_epoch() -> str:
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%ct"],
                             capture_output=True, text=True, check=True).stdout.strip()
        return out or "1700000000"
    except (OSError, subprocess.CalledProcessError):
        return "1700000000"


def venv() -> Path:
    """``.lite-venv`` with exactly ``requirements.txt`` (re-made when that file changes)."""
    py = VENV / "bin" / "python"
    stamp = VENV / ".requirements"
    want = (HERE / "requirements.txt").read_text()
    if py.exists() and stamp.exists() and stamp.read_text() == want:
        return py
    shutil.rmtree(VENV, ignore_errors=True)
    run([sys.executable, "-m", "venv", VENV])
    run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-r", HERE / "requirements.txt"])
    stamp.write_text(want)
    return py


def pyodide_runtime() -> Path:
    """The npm package, unpacked: ``.lite-cache/npm/package/``."""
    tgz = CACHE / PYODIDE_TGZ
    if not tgz.exists() or sha256(tgz) != PYODIDE_TGZ_SHA256:
        if shutil.which("npm") is None:
            raise BuildError("npm is not installed: the Pyodide runtime is the npm package "
                             f"{PYODIDE_NPM} (Debian: apt-get install npm)")
        CACHE.mkdir(parents=True, exist_ok=True)
        run(["npm", "pack", "--silent", PYODIDE_NPM, "--pack-destination", CACHE])
    if sha256(tgz) != PYODIDE_TGZ_SHA256:
        raise BuildError(f"{tgz}: sha256 {sha256(tgz)} is not the pinned {PYODIDE_TGZ_SHA256}")
    unpacked = CACHE / "npm"
    shutil.rmtree(unpacked, ignore_errors=True)
    with tarfile.open(tgz) as t:
        if hasattr(tarfile, "data_filter"):          # Python >= 3.11.4
            t.extractall(unpacked, filter="data")
        else:
            t.extractall(unpacked)
    return unpacked / "package"


def browser_wheels(py: Path) -> list[Path]:
    """The PyPI wheels of ``browser-wheels.txt``, hash-checked, in ``.lite-cache/wheels``."""
    dest = CACHE / "wheels"
    dest.mkdir(parents=True, exist_ok=True)
    run([py, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--require-hashes", "--only-binary=:all:", "--python-version", "3.14",
         "--implementation", "py", "--abi", "none", "--platform", "any",
         "-d", dest, "-r", HERE / "browser-wheels.txt"])
    wanted = {}
    for line in (HERE / "browser-wheels.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split()[0].split("==")
            wanted[canonical(name)] = version
    found = {}
    for whl in dest.glob("*.whl"):
        name, version = whl.name.split("-")[:2]
        if wanted.get(canonical(name)) == version:
            found[canonical(name)] = whl
    missing = sorted(set(wanted) - set(found))
    if missing:
        raise BuildError(f"pip download did not leave wheels for {missing} in {dest}")
    return [found[n] for n in sorted(found)]


def layerlab_wheel(py: Path, epoch: str, work: Path) -> Path:
    """layerlab's wheel from this checkout (pure Python, no dependencies), built from a copy of
    the sources so that the checkout gets no build/ or egg-info."""
    src = work / "layerlab-src"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("layerlab", "autograder"):
        shutil.copytree(ROOT / name, src / name, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, src / name)
    env = dict(os.environ, SOURCE_DATE_EPOCH=epoch)
    run([py, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--no-build-isolation", "-w", work / "layerlab-dist", src], env=env)
    (whl,) = (work / "layerlab-dist").glob("layerlab-*.whl")
    return whl


def venv_prefix(py: Path) -> Path:
    return Path(subprocess.run([py, "-c", "import sys; print(sys.prefix)"], capture_output=True,
                               text=True, check=True).stdout.strip())


def kernel_wheels(py: Path) -> list[Path]:
    """piplite, pyodide-kernel and the kernel's ipykernel / widgetsnbextension stand-ins, as the
    installed pyodide-kernel labextension ships them."""
    pypi = venv_prefix(py) / "share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension/static/pypi"
    wheels = sorted(w for w in pypi.glob("*.whl") if w.name.startswith(KERNEL_WHEELS))
    if len(wheels) != len(KERNEL_WHEELS):
        raise BuildError(f"expected the kernel's wheels {KERNEL_WHEELS} in {pypi}, found {wheels}")
    return wheels


def lock(runtime_lock: dict, wheels: list[Path]) -> dict:
    """The site's ``pyodide-lock.json``: the closure of FROM_LOCK, re-pointed at the PyPI wheels
    we ship (same versions, their own sha256), plus ADDED; nothing else."""
    packages = runtime_lock["packages"]
    by_name = {canonical(w.name.split("-")[0]): w for w in wheels}
    keep, todo = {}, list(FROM_LOCK)
    while todo:
        name = canonical(todo.pop())
        if name in keep:
            continue
        entry = dict(packages[name])
        whl = by_name.get(name)
        if whl is None or whl.name.split("-")[1] != entry["version"]:
            raise BuildError(f"{name} {entry['version']} is in pyodide-lock.json: browser-wheels.txt "
                             f"must pin that version (has {whl.name if whl else 'none'})")
        entry.update(file_name=whl.name, sha256=sha256(whl), unvendored_tests=False)
        keep[name] = entry
        todo += entry["depends"]
    for name, (imports, depends) in ADDED.items():
        whl = by_name[name]
        keep[name] = {"name": name, "version": whl.name.split("-")[1], "file_name": whl.name,
                      "install_dir": "site", "sha256": sha256(whl), "package_type": "package",
                      "imports": imports, "depends": depends, "unvendored_tests": False}
    return {"info": runtime_lock["info"], "packages": dict(sorted(keep.items()))}


def pyodide_tarball(runtime: Path, wheels: list[Path], dest: Path, epoch: int) -> Path:
    """``pyodide.tar.bz2``: ``pyodide/`` = the runtime, the wheels and the trimmed lock."""
    tree = dest / "pyodide"
    tree.mkdir(parents=True)
    for name in RUNTIME:
        shutil.copyfile(runtime / name, tree / name)
    for whl in wheels:
        shutil.copyfile(whl, tree / whl.name)
    trimmed = lock(json.loads((runtime / "pyodide-lock.json").read_text()), wheels)
    (tree / "pyodide-lock.json").write_text(json.dumps(trimmed, indent=1, sort_keys=True) + "\n")

    def normalize(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.mtime, info.uid, info.gid, info.uname, info.gname = epoch, 0, 0, "", ""
        return info

    tarball = dest / "pyodide.tar.bz2"
    with tarfile.open(tarball, "w:bz2") as t:
        t.add(tree, "pyodide", recursive=False, filter=normalize)
        for f in sorted(tree.iterdir()):
            t.add(f, f"pyodide/{f.name}", filter=normalize)
    return tarball


def lite_dir(dest: Path, py: Path) -> Path:
    """``jupyter-lite.json``, ``overrides.json`` (the learner's Lab settings of binder/learner
    plus this site's own) and ``jupyter_lite_config.json`` (the labextensions: only
    LABEXTENSIONS, whatever else the venv holds) for ``--lite-dir``."""
    d = dest / "lite"
    d.mkdir()
    labext = venv_prefix(py) / "share" / "jupyter" / "labextensions"
    build_config = {"LiteBuildConfig": {"ignore_sys_prefix": ["federated_extensions"],
                                        "federated_extensions": [str(labext / n) for n in LABEXTENSIONS]}}
    (d / "jupyter_lite_config.json").write_text(json.dumps(build_config, indent=2) + "\n")
    config = json.loads((HERE / "jupyter-lite.json").read_text())
    kernel = config["jupyter-config-data"]["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    kernel["loadPyodideOptions"] = {"packages": list(PRELOAD)}
    (d / "jupyter-lite.json").write_text(json.dumps(config, indent=2) + "\n")
    overrides = json.loads((ROOT / "binder" / "learner" / "overrides.json").read_text())
    overrides.update(json.loads((HERE / "overrides.json").read_text()))
    (d / "overrides.json").write_text(json.dumps(overrides, indent=2) + "\n")
    return d


def practice_contents(dest: Path) -> Path:
    """The practice release of notebooks/ (what ``autograder release --practice`` writes)."""
    sys.path.insert(0, str(ROOT))
    from autograder.practice import release_practice
    out = dest / "contents"
    release_practice(sorted((ROOT / "notebooks").glob("*.ipynb")), out)
    return out


def build(output: Path) -> Path:
    if output.exists() and any(output.iterdir()) and not (output / "jupyter-lite.json").exists():
        raise BuildError(f"{output} exists and is not a JupyterLite site: not replacing it "
                         f"(choose an empty or new folder for --output)")
    epoch = source_date_epoch()
    py = venv()
    runtime = pyodide_runtime()
    with tempfile.TemporaryDirectory(prefix="lite-build-") as tmp:
        tmp = Path(tmp)
        wheels = browser_wheels(py) + kernel_wheels(py) + [layerlab_wheel(py, epoch, tmp)]
        tarball = pyodide_tarball(runtime, wheels, tmp, int(epoch))
        lite = lite_dir(tmp, py)
        contents = practice_contents(tmp)
        shutil.rmtree(output, ignore_errors=True)
        env = dict(os.environ, SOURCE_DATE_EPOCH=epoch)
        run([VENV / "bin" / "jupyter", "lite", "build", "--lite-dir", lite, "--contents", contents,
             "--pyodide", tarball, "--output-dir", output.resolve(), "--apps", "lab",
             "--no-sourcemaps", "--no-unused-shared-packages"], cwd=tmp, env=env)
    check(output)
    return output


def check(output: Path) -> None:
    """What makes the site offline: the kernel loads Pyodide and every package from the site, not a
    CDN; and the site's labextensions are only LABEXTENSIONS."""
    config = json.loads((output / "jupyter-lite.json").read_text())
    names = sorted(e["name"] for e in config["jupyter-config-data"].get("federated_extensions", []))
    if names != sorted(LABEXTENSIONS):
        raise BuildError(f"the site's labextensions are {names}, not {sorted(LABEXTENSIONS)}")
    kernel = config["jupyter-config-data"]["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    url = kernel.get("pyodideUrl", "")
    if not url.startswith("./") or not (output / url).exists():
        raise BuildError(f"pyodideUrl {url!r} is not a file of the site")
    lock_json = json.loads((output / url).parent.joinpath("pyodide-lock.json").read_text())
    for name, entry in lock_json["packages"].items():
        if "://" in entry["file_name"] or not ((output / url).parent / entry["file_name"]).exists():
            raise BuildError(f"pyodide-lock.json: {name} is not a file of the site: {entry['file_name']}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output", type=Path, default=OUTPUT, help="where the site goes (default _lite/)")
    args = ap.parse_args(argv)
    try:
        out = build(args.output)
    except (BuildError, subprocess.CalledProcessError) as e:
        print(f"lite: {e}", file=sys.stderr)
        return 1
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"lite: site in {out} ({size / 1e6:.1f} MB); serve it with `make lite-serve`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
