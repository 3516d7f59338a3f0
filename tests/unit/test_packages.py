"""Simulated package managers: sizes, counts, determinism and the classic layer lessons."""
from __future__ import annotations

import json
import time

import pytest

from layerlab import catalog
from layerlab.shell import applets_packages as packages
from layerlab.fs.rootfs import RootFS
from layerlab.shell import execute
from layerlab.units import human_size_with_precision


def hs(n: int) -> str:
    return human_size_with_precision(n, 3)


class Step:
    """One Dockerfile RUN: a fresh writable layer over ``lowers``; ``layer`` is what it commits."""

    def __init__(self, lowers, script: str, env=None, cwd: str = "/"):
        self.fs = RootFS(list(lowers))
        e = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root"}
        e.update(env or {})
        self.res = execute(self.fs, ["/bin/sh", "-c", script], env=e, cwd=cwd)
        self.layer = self.fs.upper.freeze()
        self.out = self.res.stdout.decode()
        self.err = self.res.stderr.decode()
        self.code = self.res.exit_code


def base(ref: str):
    img = catalog.get(ref)
    return [img.flat], img


def run(ref: str, script: str, **kw) -> Step:
    lowers, img = base(ref)
    env = img.config.env_dict()
    env.update(kw.pop("env", {}))
    return Step(lowers, script, env=env, **kw)


# ---------------------------------------------------------------------------- a stand-in Proc
class FakeProc:
    """The interface programs use, without the shell: fs, env, cwd, uid, out/err."""

    def __init__(self, fs, env=None, cwd="/"):
        self.fs, self.env, self.cwd, self.uid = fs, dict(env or {"HOME": "/root"}), cwd, 0
        self.o, self.e = [], []

    def out(self, s):
        self.o.append(s if isinstance(s, str) else s.decode())

    def err(self, s):
        self.e.append(s if isinstance(s, str) else s.decode())


def test_programs_are_registered_with_the_shell():
    from layerlab.shell import lookup_program

    for name in ("apt-get", "apt", "apk", "pip", "pip3", "npm"):
        assert lookup_program(name) is not None, name


def test_apt_get_called_directly_with_a_stand_in_proc():
    lowers, _ = base("ubuntu:22.04")
    fs = RootFS(lowers)
    p = FakeProc(fs)
    assert packages.apt_get(p, ["apt-get", "install", "-y", "curl"]) == 100
    assert "".join(p.e) == "E: Unable to locate package curl\n"
    p = FakeProc(fs)
    assert packages.apt_get(p, ["apt-get", "update"]) == 0
    assert packages.apt_get(p, ["apt-get", "install", "-y", "curl"]) == 0
    assert fs.stat("/usr/bin/curl").mode & 0o111


# ---------------------------------------------------------------------------- apt-get
def test_material_dockerfile_npm_is_not_in_ubuntu():
    s = run("ubuntu:22.04", "npm install")
    assert s.code == 127
    assert "npm: not found" in s.err
    assert s.layer.size == 0


def test_install_without_update_fails_like_apt():
    s = run("ubuntu:22.04", "apt-get install -y curl")
    assert s.code == 100
    assert s.out == "Reading package lists...\nBuilding dependency tree...\nReading state information...\n"
    assert s.err == "E: Unable to locate package curl\n"


def test_apt_get_update_output_and_size():
    s = run("ubuntu:22.04", "apt-get update")
    assert s.code == 0
    lines = s.out.splitlines()
    assert lines[0] == "Get:1 http://archive.ubuntu.com/ubuntu jammy InRelease [270 kB]"
    assert lines[-2].startswith("Fetched ") and lines[-1] == "Reading package lists..."
    assert 40e6 <= s.layer.size <= 50e6, hs(s.layer.size)
    names = {p.rsplit("/", 1)[1] for p in s.layer.entries if p.startswith("/var/lib/apt/lists/")}
    assert "archive.ubuntu.com_ubuntu_dists_jammy_universe_binary-amd64_Packages.lz4" in names
    # docker-clean disables apt's binary caches
    assert "/var/cache/apt/pkgcache.bin" not in s.layer.entries
    deb = run("debian:bookworm", "apt-get update")
    assert 15e6 <= deb.layer.size <= 25e6 and "deb.debian.org" in deb.out


def test_lesson_rm_in_a_later_layer_saves_nothing():
    lowers, img = base("ubuntu:22.04")
    update = Step(lowers, "apt-get update")
    install = Step([update.layer, *lowers], "apt-get install -y curl")
    clean = Step([install.layer, update.layer, *lowers], "rm -rf /var/lib/apt/lists/*")
    assert update.code == install.code == clean.code == 0
    assert clean.layer.size == 0                      # only whiteouts
    assert any(w.endswith("_Packages.lz4") for w in clean.layer.whiteouts)
    total = img.size + update.layer.size + install.layer.size + clean.layer.size
    assert total > img.size + update.layer.size       # the lists are still in the image

    one = Step(lowers, "apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*")
    assert one.code == 0
    assert not any(p.endswith("_Packages.lz4") for p in one.layer.entries)
    assert one.layer.size < update.layer.size + install.layer.size - 40e6
    assert one.layer.size == pytest.approx(install.layer.size, rel=0.01)
    assert 5e6 < one.layer.size < 12e6, hs(one.layer.size)


def test_install_output_and_dpkg_database():
    lowers, img = base("ubuntu:22.04")
    s = Step(lowers, "apt-get update >/dev/null && apt-get install -y curl")
    assert "The following NEW packages will be installed:\n" in s.out
    assert "Setting up curl (7.81.0-1ubuntu1.16) ..." in s.out
    assert "0 upgraded, 15 newly installed, 0 to remove and 0 not upgraded." in s.out
    status = s.layer.entries["/var/lib/dpkg/status"].content
    base_status = img.flat.entries["/var/lib/dpkg/status"].content
    assert status.size > base_status.size              # the whole file was copied up, then appended
    assert status.bytes().startswith(base_status.bytes())
    assert b"Package: curl\nStatus: install ok installed" in status.bytes()
    assert "/var/lib/dpkg/info/curl.list" in s.layer.entries
    assert "/usr/bin/curl\n" in s.fs.read_text("/var/lib/dpkg/info/curl.list")
    # docker-clean deleted the downloaded .debs
    assert not any(p.endswith(".deb") for p in s.layer.entries)


def test_debs_stay_without_docker_clean_until_apt_get_clean():
    lowers, _ = base("ubuntu:22.04")
    s = Step(lowers, "rm /etc/apt/apt.conf.d/docker-clean && apt-get update >/dev/null && apt-get install -y curl")
    debs = [p for p in s.layer.entries if p.startswith("/var/cache/apt/archives/") and p.endswith(".deb")]
    assert len(debs) == 15
    assert "/var/cache/apt/pkgcache.bin" in s.layer.entries
    c = Step([s.layer, *lowers], "apt-get clean")
    assert all(p in c.layer.whiteouts for p in debs)


def test_without_y_apt_aborts():
    s = run("ubuntu:22.04", "apt-get update >/dev/null && apt-get install curl")
    assert s.code == 1 and s.out.endswith("Do you want to continue? [Y/n] Abort.\n")


def test_recommends_make_it_bigger():
    big = run("ubuntu:22.04", "apt-get update >/dev/null && apt-get install -y build-essential && rm -rf /var/lib/apt/lists/*")
    small = run("ubuntu:22.04", "apt-get update >/dev/null && apt-get install -y --no-install-recommends "
                "build-essential && rm -rf /var/lib/apt/lists/*")
    assert big.code == small.code == 0
    assert 150e6 < small.layer.size < big.layer.size < 400e6
    assert sum(1 for n in small.layer.entries.values() if n.kind == "file") > 4000


def test_unknown_package_and_remove():
    s = run("ubuntu:22.04", "apt-get update >/dev/null && apt-get install -y no-such-pkg")
    assert s.code == 100 and s.err == "E: Unable to locate package no-such-pkg\n"
    lowers, _ = base("ubuntu:22.04")
    a = Step(lowers, "apt-get update >/dev/null && apt-get install -y jq")
    b = Step([a.layer, *lowers], "apt-get purge -y jq")
    assert b.code == 0 and "/usr/bin/jq" in b.layer.whiteouts
    assert b"Package: jq\n" not in b.fs.read_bytes("/var/lib/dpkg/status")


def test_bookworm_names_and_externally_managed_pip():
    s = run("debian:bookworm", "apt-get update >/dev/null && apt-get install -y python3-pip >/dev/null "
            "&& pip install requests")
    assert s.code == 1
    assert "error: externally-managed-environment" in s.err
    assert s.fs.exists("/usr/lib/python3.11/EXTERNALLY-MANAGED")


# ---------------------------------------------------------------------------- apk
def test_apk_add_keeps_indexes_unless_no_cache():
    cached = run("alpine:3.19", "apk add curl")
    lean = run("alpine:3.19", "apk add --no-cache curl")
    assert cached.code == lean.code == 0
    idx = [p for p in cached.layer.entries if p.startswith("/var/cache/apk/APKINDEX.")]
    assert len(idx) == 2
    assert not any(p.startswith("/var/cache/apk/APKINDEX.") for p in lean.layer.entries)
    assert cached.layer.size - lean.layer.size == sum(cached.layer.entries[p].size for p in idx)
    assert "(10/10) Installing curl (8.5.0-r0)" in lean.out and lean.out.endswith("packages\n")
    assert lean.fs.stat("/usr/bin/curl").mode & 0o111
    db = lean.layer.entries["/lib/apk/db/installed"].content
    assert db.size > catalog.get("alpine").flat.entries["/lib/apk/db/installed"].content.size
    assert "curl" in lean.fs.read_text("/etc/apk/world").split()


def test_apk_unknown_package():
    s = run("alpine:3.19", "apk add --no-cache nosuchpkg")
    assert s.code == 1
    assert s.err == ("ERROR: unable to select packages:\n  nosuchpkg (no such package):\n"
                     "    required by: world[nosuchpkg]\n")


def test_apk_update_then_add_fetches_nothing():
    lowers, _ = base("alpine:3.19")
    u = Step(lowers, "apk update")
    assert u.out.startswith("fetch https://dl-cdn.alpinelinux.org/alpine/v3.19/main/x86_64/APKINDEX.tar.gz\n")
    a = Step([u.layer, *lowers], "apk add bash")
    assert "fetch" not in a.out and a.fs.stat("/bin/bash").mode & 0o111


# ---------------------------------------------------------------------------- pip
def test_pip_install_site_packages_and_cache():
    s = run("python:3.12-slim", "pip install flask")
    assert s.code == 0
    site = "/usr/local/lib/python3.12/site-packages"
    assert s.fs.exists(f"{site}/flask/__init__.py")
    assert s.fs.exists(f"{site}/flask/__pycache__/__init__.cpython-312.pyc")
    assert s.fs.read_text(f"{site}/flask-3.0.3.dist-info/INSTALLER") == "pip\n"
    assert s.fs.stat("/usr/local/bin/flask").mode & 0o111
    assert "Successfully installed blinker-1.8.2 click-8.1.7 flask-3.0.3" in s.out
    assert "Running pip as the 'root' user" in s.err
    cache = [p for p in s.layer.entries if p.startswith("/root/.cache/pip/")]
    assert cache
    lean = run("python:3.12-slim", "pip install --no-cache-dir flask")
    assert not any(p.startswith("/root/.cache") for p in lean.layer.entries)
    assert lean.layer.size < s.layer.size


def test_pip_requirements_file_and_big_packages():
    s = run("python:3.12", "mkdir /app && printf 'numpy==1.26.4\\n# comment\\npandas>=2\\n' > /app/requirements.txt "
            "&& cd /app && pip install --no-cache-dir -r requirements.txt")
    assert s.code == 0, s.err
    files = sum(1 for p, n in s.layer.entries.items() if n.kind == "file" and "site-packages" in p)
    assert files > 3000
    assert 120e6 < s.layer.size < 160e6


def test_pip_unknown_package():
    s = run("python:3.12-slim", "pip install no-such-dist")
    assert s.code == 1
    assert "ERROR: No matching distribution found for no-such-dist" in s.err


# ---------------------------------------------------------------------------- npm
def test_npm_install_from_package_json():
    pj = json.dumps({"name": "app", "version": "1.0.0", "dependencies": {"express": "^4.19.2"}})
    s = run("node:20-alpine", f"mkdir /app && cd /app && printf '%s' '{pj}' > package.json && npm install")
    assert s.code == 0, s.err
    assert "added 64 packages, and audited 65 packages in" in s.out
    mods = {p.split("/")[3] for p in s.layer.entries if p.startswith("/app/node_modules/") and p.count("/") >= 4}
    assert {"express", "body-parser", "qs", "mime-db"} <= mods
    lock = json.loads(s.fs.read_text("/app/package-lock.json"))
    assert lock["lockfileVersion"] == 3 and "node_modules/express" in lock["packages"]
    assert any(p.startswith("/root/.npm/_cacache/") for p in s.layer.entries)
    small = sum(1 for p, n in s.layer.entries.items() if n.kind == "file" and "/node_modules/" in p)
    assert small > 400


def test_npm_ci_needs_a_lockfile_and_reinstalls():
    s = run("node:20", "mkdir /app && cd /app && npm ci")
    assert s.code == 1 and "npm ERR! code EUSAGE" in s.err
    lowers, _ = base("node:20-alpine")
    a = Step(lowers, "mkdir /app && cd /app && npm install lodash")
    b = Step([a.layer, *lowers], "cd /app && npm ci")
    assert b.code == 0
    # npm ci deletes node_modules and writes it again: every file is in the new layer
    assert sum(1 for p in b.layer.entries if p.startswith("/app/node_modules/lodash/")) >= 1000


def test_npm_install_without_package_json():
    s = run("node:20", "npm install")
    assert s.code == 0 and s.out.startswith("\nup to date, audited 1 package in ")


def test_npm_unknown_package():
    s = run("node:20-alpine", "npm install left-pad-not-in-catalog")
    assert s.code == 1 and "npm ERR! 404" in s.err


# ---------------------------------------------------------------------------- determinism and speed
@pytest.mark.parametrize("ref,script", [
    ("ubuntu:22.04", "apt-get update && apt-get install -y curl git"),
    ("alpine:3.19", "apk add python3 py3-pip"),
    ("python:3.12-slim", "pip install requests django"),
    ("node:20-alpine", "mkdir /a && cd /a && npm install express react-dom"),
])
def test_same_command_same_layer(ref, script):
    a, b = run(ref, script), run(ref, script)
    assert a.code == b.code == 0
    assert a.out == b.out
    assert a.layer.diff_id == b.layer.diff_id


def test_many_files_are_fast():
    t = time.perf_counter()
    s = run("python:3.12-slim", "pip install --no-cache-dir django")
    dt = time.perf_counter() - t
    nfiles = sum(1 for n in s.layer.entries.values() if n.kind == "file")
    assert nfiles >= 4500
    assert dt < 1.0, dt


def test_the_shells_lazy_table_names_exactly_the_package_managers():
    """layerlab.shell lists the package managers it imports on first use; the list and the
    names applets_packages registers must not drift apart (a missing one is "not found")."""
    import importlib

    from layerlab.shell import core
    before = set(core.PROGRAMS)
    importlib.reload(packages)
    registered = {n for n, fn in core.PROGRAMS.items() if getattr(fn, "__module__", "") == packages.__name__}
    assert registered == set(core.LAZY_PROGRAMS), (registered, core.LAZY_PROGRAMS)
    assert before <= set(core.PROGRAMS)
