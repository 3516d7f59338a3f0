"""The layerlab daemon: commands sent by the small client give exactly what the same commands
give in-process, with the client's working directory, environment and stdin; a daemon of other
code is replaced; a daemon killed mid-command loses at most that command."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from layerlab.cli import daemon
from layerlab.cli.client import SOCKET, read_frame, send_frame

ROOT = Path(__file__).resolve().parents[2]


def cli(home, *args, daemon_on=True, stdin: bytes | None = None, cwd=None, env=None):
    e = {**os.environ, "LAYERLAB_HOME": str(home), "PYTHONPATH": str(ROOT),
         "LAYERLAB_DAEMON": "1" if daemon_on else "0", "LAYERLAB_DAEMON_IDLE": "60", **(env or {})}
    return subprocess.run([sys.executable, "-m", "layerlab.cli", *args], input=stdin, capture_output=True,
                          env=e, cwd=cwd, timeout=120)


@pytest.fixture
def homes(tmp_path):
    a, b = tmp_path / "d", tmp_path / "p"
    yield a, b
    daemon.stop(str(a))
    daemon.stop(str(b))


def _script(tmp_path, busybox_tar):
    tar = tmp_path / "bb.tar"
    tar.write_bytes(busybox_tar)
    ctx = tmp_path / "ctx"
    ctx.mkdir(exist_ok=True)
    (ctx / "Dockerfile").write_text("FROM bb:1\nRUN echo built > /b\nCMD [\"cat\", \"/b\"]\n")
    return [
        dict(args=["import", str(tar), "bb:1"]),
        dict(args=["import", "-", "bb:2"], stdin=busybox_tar),                  # stdin, asked for
        dict(args=["run", "--name", "c1", "bb:1", "sh", "-c", "echo hi > /f; echo out; echo err >&2; exit 3"]),
        dict(args=["diff", "c1"]),
        dict(args=["ps", "-a", "--format", "{{.Names}} {{.Status}} {{.Image}}"]),
        dict(args=["nosuch"]),
        dict(args=["rm", "nosuch"]),
        dict(args=["volume", "create", "v1"]),
        dict(args=["volume", "ls"]),
        dict(args=["build", "-q", "-t", "app", "."], cwd=ctx),                  # the client's cwd
        dict(args=["build", "-t", "app2", "."], cwd=ctx, env={"DOCKER_BUILDKIT": "0"}),  # its env
        dict(args=["run", "--rm", "app"]),
        dict(args=["images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}"]),
        dict(args=["system", "df"]),
    ]


def _strip_ids(text: bytes) -> bytes:
    """IDs, and the wall-clock ages a slow machine can round differently ("Less than a second
    ago" in one run, "1 second ago" in the other)."""
    import re
    text = re.sub(rb"\b[0-9a-f]{12,64}\b", b"<id>", text)
    return re.sub(rb"(Less than a second|About a minute|\d+ (?:seconds?|minutes?)) ago", b"<ago>", text)


def test_the_daemon_prints_what_the_command_prints_in_process(homes, tmp_path, busybox_tar):
    d, p = homes
    for step in _script(tmp_path, busybox_tar):
        kw = dict(stdin=step.get("stdin"), cwd=step.get("cwd"), env=step.get("env"))
        via = cli(d, *step["args"], daemon_on=True, **kw)
        direct = cli(p, *step["args"], daemon_on=False, **kw)
        assert (via.returncode, _strip_ids(via.stdout), _strip_ids(via.stderr)) == \
               (direct.returncode, _strip_ids(direct.stdout), _strip_ids(direct.stderr)), step["args"]
    assert (d / SOCKET).exists() and not (p / SOCKET).exists()
    assert daemon.stop(str(d))                     # a daemon was serving d
    assert not (d / SOCKET).exists()


def test_in_process_and_daemon_commands_share_the_store(homes):
    d, _ = homes
    assert cli(d, "volume", "create", "one").returncode == 0                    # daemon
    assert cli(d, "volume", "create", "two", daemon_on=False).returncode == 0   # in-process
    assert cli(d, "volume", "ls", "-q").stdout == b"one\ntwo\n"                 # daemon sees it
    assert cli(d, "volume", "rm", "one").returncode == 0
    assert cli(d, "volume", "ls", "-q", daemon_on=False).stdout == b"two\n"


def test_a_daemon_of_other_code_steps_aside(homes):
    d, _ = homes
    assert cli(d, "volume", "create", "keep").returncode == 0
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(d / SOCKET))
    send_frame(s, b"h", json.dumps({"argv": ["ps"], "cwd": "/", "env": {}, "stamp": "other code"}).encode())
    assert read_frame(s)[0] == b"S"
    s.close()
    deadline = time.monotonic() + 10
    while (d / SOCKET).exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not (d / SOCKET).exists()
    r = cli(d, "volume", "ls", "-q")                                            # a fresh daemon starts
    assert (r.returncode, r.stdout) == (0, b"keep\n")


def test_a_killed_daemon_loses_only_the_command_in_flight(homes, busybox_tar, tmp_path):
    d, _ = homes
    tar = tmp_path / "bb.tar"
    tar.write_bytes(busybox_tar)
    assert cli(d, "import", str(tar), "bb:1").returncode == 0
    assert cli(d, "volume", "create", "before").returncode == 0
    e = {**os.environ, "LAYERLAB_HOME": str(d), "PYTHONPATH": str(ROOT), "LAYERLAB_DAEMON": "1"}
    # a command that waits for its stdin keeps the daemon busy; kill the daemon meanwhile
    client = subprocess.Popen([sys.executable, "-m", "layerlab.cli", "import", "-", "never:1"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e)
    time.sleep(1.0)
    pid = _daemon_pid(d)
    os.kill(pid, signal.SIGKILL)
    out, err = client.communicate(input=b"", timeout=60)
    assert client.returncode == 1 and b"daemon stopped before the command finished" in err, err
    r = cli(d, "volume", "ls", "-q")                                            # a new daemon, same store
    assert (r.returncode, r.stdout) == (0, b"before\n"), r.stderr
    assert b"never" not in cli(d, "images").stdout


def _daemon_pid(home: Path) -> int:
    """The daemon's PID, read from /proc (the one process with home's daemon.sock open)."""
    target = os.stat(home / SOCKET).st_ino
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"layerlab.cli.daemon" in cmd and str(home).encode() in cmd:
            return int(pid)
    raise AssertionError(f"no daemon for {home} (socket inode {target})")


def test_an_idle_daemon_exits(homes):
    d, _ = homes
    assert cli(d, "volume", "ls", env={"LAYERLAB_DAEMON_IDLE": "0.5"}).returncode == 0
    deadline = time.monotonic() + 15
    while (d / SOCKET).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not (d / SOCKET).exists()
