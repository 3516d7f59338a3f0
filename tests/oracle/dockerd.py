"""A private, throw-away Docker Engine for oracle tests.

``PrivateDockerd`` starts Debian's ``dockerd`` (docker.io, Engine 20.10) with
everything of its own under one temp dir, so it can run next to any other daemon:

    <tmp>/root          --data-root          (a loop-mounted btrfs for driver="btrfs")
    <tmp>/exec          --exec-root
    <tmp>/docker.sock   -H unix://...
    <tmp>/dockerd.pid   --pidfile
    <tmp>/daemon.json   --config-file (``{}``: /etc/docker/daemon.json is never read)
    <tmp>/containerd/   its own containerd (config, root, state, grpc socket), passed
                        with --containerd, so a system containerd at
                        /run/containerd/containerd.sock is neither used nor disturbed
    <tmp>/client/       DOCKER_CONFIG of the client (no shared ~/.docker)
    <tmp>/dockerd.log, <tmp>/containerd.log

Outside the temp dir dockerd 20.10 still touches a few shared, harmless places:
/etc/docker/key.json (its trust key, created once), /run/docker/plugins,
/run/containerd/s/ (shim sockets, named by a hash of our containerd address),
and the cgroup v1 parent ``docker`` (``buildkit`` for BuildKit).

Networking is off (``--bridge=none --iptables=false --ip6tables=false
--ip-masq=false --userland-proxy=false``): containers get only a loopback
interface.  On exit dockerd and containerd are stopped by PID (SIGTERM, then
SIGKILL after a timeout), left-over shims of *this* containerd are killed by PID,
every mount under the temp dir is detached, and the temp dir is removed (never
while something is still mounted under it).

Client: ``docker()`` runs ``/usr/local/bin/docker`` (the machine's newer client,
28.2.2 here; first on PATH) with ``DOCKER_HOST`` set.  It negotiates API 1.41
with the 20.10 daemon.  Pass ``client=OLD_CLIENT`` for Debian's 20.10 client.

pytest use (the lead wires this into tests/conftest.py)::

    from tests.oracle.dockerd import dockerd_session, import_busybox

    @pytest.fixture(scope="session")
    def dockerd():
        yield from dockerd_session()          # skips (or fails under CI=true)

    @pytest.fixture(scope="session")
    def bb_image(dockerd, tmp_path_factory):
        return import_busybox(dockerd, tmp_path_factory.mktemp("rootfs"))  # "bb:1"

    def test_x(dockerd, bb_image):
        r = dockerd.docker("run", "--name", "c1", "bb:1", "true")
        assert r.returncode == 0, r.stderr

Standalone::

    with PrivateDockerd(driver="vfs") as d:
        print(d.start_seconds, d.docker("info").stdout)
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

NEW_CLIENT = "/usr/local/bin/docker"   # docker 28.x client (the design's "newer client")
OLD_CLIENT = "/usr/bin/docker"         # Debian docker.io 20.10 client
DOCKERD = "/usr/sbin/dockerd"
CONTAINERD = "/usr/bin/containerd"
DRIVERS = ("overlay2", "vfs", "btrfs")


class DockerdError(RuntimeError):
    pass


def _find_client() -> str:
    for c in (NEW_CLIENT, shutil.which("docker") or "", OLD_CLIENT):
        if c and os.access(c, os.X_OK):
            return c
    raise DockerdError("no docker client found")


def why_unavailable(driver: str = "overlay2") -> str | None:
    """None if a private dockerd can be started here, else the reason it cannot."""
    if os.geteuid() != 0:
        return "the dockerd oracle needs root"
    for exe in (DOCKERD, CONTAINERD, "/usr/sbin/runc"):
        if not os.access(exe, os.X_OK):
            return f"{exe} missing (apt-get install docker.io; see tests/install_oracles.sh)"
    try:
        _find_client()
    except DockerdError as e:
        return str(e)
    if driver == "btrfs" and not shutil.which("mkfs.btrfs"):
        return "mkfs.btrfs missing (apt-get install btrfs-progs)"
    if driver not in DRIVERS:
        return f"unsupported driver {driver!r}"
    return None


def _mounts_under(root: str) -> list[str]:
    """Mount points at or below *root*, deepest first (from /proc/self/mountinfo)."""
    out = []
    root = root.rstrip("/")
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mp = line.split()[4].encode().decode("unicode_escape")
            if mp == root or mp.startswith(root + "/"):
                out.append(mp)
    return sorted(set(out), key=lambda p: (-p.count("/"), p))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child still "exists"; treat it as dead
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _stop_pid(proc: subprocess.Popen | None, pid: int | None, timeout: float) -> None:
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return
        if proc is None and not _pid_alive(pid):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    if proc is not None:
        proc.wait(timeout=10)


class PrivateDockerd:
    """A private dockerd + containerd.  Use as a context manager or call start()/stop()."""

    def __init__(self, driver: str = "overlay2", *, client: str | None = None,
                 start_timeout: float = 60.0, stop_timeout: float = 20.0,
                 base_dir: str | None = None, keep: bool = False,
                 extra_args: tuple[str, ...] = (), btrfs_size: str = "1G"):
        if driver not in DRIVERS:
            raise ValueError(f"driver must be one of {DRIVERS}")
        self.driver = driver
        self.client = client or _find_client()
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.base_dir = base_dir
        self.keep = keep
        self.extra_args = tuple(extra_args)
        self.btrfs_size = btrfs_size
        self.tmp: Path | None = None
        self.dockerd: subprocess.Popen | None = None
        self.containerd: subprocess.Popen | None = None
        self.start_seconds: float | None = None   # dockerd spawn -> `docker version` answers
        self.total_start_seconds: float | None = None  # incl. containerd and btrfs setup
        self._btrfs_mounted = False

    # ---------------------------------------------------------------- paths
    @property
    def sock(self) -> str:
        return str(self.tmp / "docker.sock")

    @property
    def host(self) -> str:
        return "unix://" + self.sock

    @property
    def data_root(self) -> Path:
        return self.tmp / "root"

    @property
    def containerd_sock(self) -> str:
        return str(self.tmp / "containerd" / "containerd.sock")

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        for k in ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
            env.pop(k, None)
        env["DOCKER_HOST"] = self.host
        env["DOCKER_CONFIG"] = str(self.tmp / "client")
        env.setdefault("DOCKER_CLI_HINTS", "false")
        env.update(extra)
        return env

    # ---------------------------------------------------------------- client
    def docker(self, *args: str, input: str | bytes | None = None, env: dict | None = None,
               timeout: float = 300, check: bool = False, text: bool = True,
               client: str | None = None, cwd: str | None = None
               ) -> subprocess.CompletedProcess:
        """Run the docker client against this daemon.  Returns the CompletedProcess
        (stdout, stderr as str unless text=False; returncode).  Never raises on a
        non-zero exit unless check=True."""
        if self.tmp is None:
            raise DockerdError("daemon not started")
        if isinstance(input, str) and not text:
            input = input.encode()
        if isinstance(input, bytes) and text:
            input = input.decode()
        enc = {"encoding": "utf-8", "errors": "surrogateescape"} if text else {}
        r = subprocess.run([client or self.client, *args], input=input, capture_output=True,
                           env=self.env(**(env or {})), timeout=timeout, cwd=cwd, **enc)
        if check and r.returncode != 0:
            raise DockerdError(f"docker {' '.join(args)} -> {r.returncode}: {r.stderr}")
        return r

    # ---------------------------------------------------------------- lifecycle
    def __enter__(self) -> "PrivateDockerd":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> "PrivateDockerd":
        reason = why_unavailable(self.driver)
        if reason:
            raise DockerdError(reason)
        t0 = time.monotonic()
        self.tmp = Path(tempfile.mkdtemp(prefix="llod-", dir=self.base_dir or "/tmp"))
        atexit.register(self.stop)  # no orphaned daemons if the caller forgets or crashes
        try:
            for d in ("root", "exec", "client", "containerd"):
                (self.tmp / d).mkdir()
            (self.tmp / "daemon.json").write_text("{}\n")
            if self.driver == "btrfs":
                self._mount_btrfs()
            self._start_containerd()
            self._start_dockerd()
        except BaseException:
            self.stop()
            raise
        self.total_start_seconds = time.monotonic() - t0
        return self

    def _mount_btrfs(self) -> None:
        img = self.tmp / "btrfs.img"
        subprocess.run(["truncate", "-s", self.btrfs_size, str(img)], check=True)
        subprocess.run(["mkfs.btrfs", "-q", str(img)], check=True, capture_output=True)
        # "-o loop" sets autoclear: the loop device goes away with the umount
        subprocess.run(["mount", "-o", "loop", str(img), str(self.data_root)], check=True)
        self._btrfs_mounted = True

    def _start_containerd(self) -> None:
        c = self.tmp / "containerd"
        cfg = c / "config.toml"
        cfg.write_text(f"""version = 2
root = "{c}/root"
state = "{c}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "{c}/containerd.sock"
[ttrpc]
  address = "{c}/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "{c}/opt"
""")
        log = open(self.tmp / "containerd.log", "wb")
        self.containerd = subprocess.Popen([CONTAINERD, "--config", str(cfg)], stdout=log,
                                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                           start_new_session=True)
        log.close()
        deadline = time.monotonic() + self.start_timeout
        while not os.path.exists(self.containerd_sock):
            if self.containerd.poll() is not None:
                raise DockerdError("containerd exited:\n" + self.log("containerd"))
            if time.monotonic() > deadline:
                raise DockerdError("containerd did not start:\n" + self.log("containerd"))
            time.sleep(0.02)

    def _start_dockerd(self) -> None:
        cmd = [DOCKERD,
               "--data-root", str(self.data_root),
               "--exec-root", str(self.tmp / "exec"),
               "--pidfile", str(self.tmp / "dockerd.pid"),
               "--config-file", str(self.tmp / "daemon.json"),
               "-H", self.host,
               "--containerd", self.containerd_sock,
               "--storage-driver", self.driver,
               "--bridge=none", "--iptables=false", "--ip6tables=false",
               "--ip-masq=false", "--userland-proxy=false",
               "--shutdown-timeout", "5",
               *self.extra_args]
        log = open(self.tmp / "dockerd.log", "wb")
        t0 = time.monotonic()
        self.dockerd = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        deadline = t0 + self.start_timeout
        while True:
            if self.dockerd.poll() is not None:
                raise DockerdError(f"dockerd exited with {self.dockerd.returncode}:\n"
                                   + self.log("dockerd"))
            if os.path.exists(self.sock):
                r = self.docker("version", "--format", "{{.Server.Version}}", timeout=10)
                if r.returncode == 0:
                    break
            if time.monotonic() > deadline:
                raise DockerdError("dockerd did not answer in time:\n" + self.log("dockerd"))
            time.sleep(0.05)
        self.start_seconds = time.monotonic() - t0

    def log(self, which: str = "dockerd", tail: int = 60) -> str:
        try:
            lines = (self.tmp / f"{which}.log").read_text(errors="replace").splitlines()
        except (OSError, TypeError):
            return ""
        return "\n".join(lines[-tail:])

    def _our_shims(self) -> list[int]:
        """PIDs of containerd shims started by *our* containerd (matched on its socket path)."""
        pids = []
        needle = self.containerd_sock.encode()
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    cmd = f.read()
            except OSError:
                continue
            if b"containerd-shim" in cmd and needle in cmd:
                pids.append(int(p))
        return pids

    def stop(self) -> None:
        """Stop dockerd and containerd by PID, detach mounts, remove the temp dir."""
        if self.tmp is None:
            return
        if self.dockerd is not None:
            _stop_pid(self.dockerd, self.dockerd.pid, self.stop_timeout)
        if self.containerd is not None:
            _stop_pid(self.containerd, self.containerd.pid, self.stop_timeout)
        for pid in self._our_shims():
            _stop_pid(None, pid, 2)
        for mp in _mounts_under(str(self.tmp)):
            subprocess.run(["umount", "-l", mp], capture_output=True)
        self._btrfs_mounted = False
        left = _mounts_under(str(self.tmp))
        if left:
            raise DockerdError(f"mounts still under {self.tmp}: {left}; not removing it")
        if not self.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.dockerd = self.containerd = None
        self.tmp = None
        atexit.unregister(self.stop)


# ---------------------------------------------------------------------- pytest glue
def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def start_or_skip(driver: str = "overlay2", **kw) -> PrivateDockerd:
    """Start a PrivateDockerd, or pytest.skip with the reason (pytest.fail under CI=true).
    The caller must stop() it (see dockerd_session)."""
    import pytest

    reason = why_unavailable(driver)
    if reason:
        if _ci():
            pytest.fail(f"CI=true but the dockerd oracle is unavailable: {reason}")
        pytest.skip(reason)
    d = PrivateDockerd(driver, **kw)
    try:
        d.start()
    except DockerdError as e:
        if _ci():
            pytest.fail(f"CI=true but dockerd did not start: {e}")
        pytest.skip(f"dockerd did not start: {e}")
    return d


def dockerd_session(driver: str = "overlay2", **kw):
    """Generator body for a pytest fixture: ``yield from dockerd_session()``."""
    d = start_or_skip(driver, **kw)
    try:
        yield d
    finally:
        d.stop()


def import_busybox(d: PrivateDockerd, workdir: str | os.PathLike, tag: str = "bb:1") -> str:
    """`docker import` the deterministic busybox rootfs as *tag*; return its diff_id
    ("sha256:<hex>"), checked against the image's RootFS.Layers[0]."""
    from .rootfs import busybox_rootfs_tar

    tar = Path(workdir) / "busybox-rootfs.tar"
    digest = busybox_rootfs_tar(tar)
    d.docker("import", str(tar), tag, check=True)
    layers = json.loads(d.docker("image", "inspect", "--format", "{{json .RootFS.Layers}}",
                                 tag, check=True).stdout)
    if layers != [f"sha256:{digest}"]:
        raise DockerdError(f"import gave {layers}, expected sha256:{digest}")
    return f"sha256:{digest}"


if __name__ == "__main__":  # python3 -m tests.oracle.dockerd [driver]
    import sys

    drv = sys.argv[1] if len(sys.argv) > 1 else "overlay2"
    with PrivateDockerd(drv) as dd:
        print(f"driver={drv} dockerd answered after {dd.start_seconds:.2f}s "
              f"(total {dd.total_start_seconds:.2f}s) at {dd.host}")
        print(dd.docker("version").stdout)
        print(dd.docker("info", "--format", "{{.Driver}} {{json .DriverStatus}}").stdout)
