"""Writes that hit ENOSPC (a full tmpfs, /dev/full): busybox's messages and exit codes, never
a Python exception. The expectations were measured with /bin/busybox (1.3x) in a tmpfs of
size=8k; ``test_same_as_busybox_on_a_full_tmpfs`` measures them again when it can mount one."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest

BUSYBOX = "/bin/busybox"
NOSPC = "No space left on device"

# (script run in the full tmpfs' directory, stdout, stderr); every script ends with `echo rc=$?`
CASES = [
    ("dd if=/dev/zero of=f bs=1k count=64",
     "", f"dd: error writing 'f': {NOSPC}\n9+0 records in\n8+0 records out\n", 1),
    ("head -c 20000 /dev/zero > z; cp z x",  # z fits no more than 8k either
     "", f"head: standard output: I/O error\ncp: write error: {NOSPC}\n", 1),
    ('x=$(printf "%020000d" 0); echo "$x" > e', "", f"sh: write error: {NOSPC}\n", 1),
    ('x=$(printf "%020000d" 0); echo "$x" >> e', "", f"sh: write error: {NOSPC}\n", 1),
    ('x=$(printf "%020000d" 0); printf "%s" "$x" > p', "", "", 1),
    ("head -c 20000 /dev/zero > a", "", "head: standard output: I/O error\n", 1),
    ("head -c 20000 /dev/zero | cat > c", "", f"cat: write error: {NOSPC}\n", 1),
    ("tail -c 20000 /bin/busybox > t", "", f"tail: write error: {NOSPC}\n", 0),   # a file: exit 0
    ("cp /bin/busybox x", "", f"cp: write error: {NOSPC}\n", 1),
    ("echo small > o; echo more >> o; cat o", "small\nmore\n", "", 0),
]


def _layerlab(engine, script: str) -> tuple[str, str, int]:
    from layerlab.shell import execute

    c = engine.create("bb:1", ["true"], tmpfs=["/t:size=8k"])
    engine.start(c)
    r = execute(c.ns, ["sh", "-c", f"cd /t; {script}; echo rc=$?"], env={"PATH": "/bin"}, cwd="/",
                clock=engine.clock)
    out = r.stdout.decode()
    assert out.endswith("\n") and "rc=" in out
    body, rc = out.rsplit("rc=", 1)
    return body, r.stderr.decode(), int(rc)


@pytest.mark.parametrize("script,out,err,rc", CASES, ids=[c[0][:40] for c in CASES])
def test_enospc_as_busybox_says(engine, script, out, err, rc):
    assert _layerlab(engine, script) == (out, err, rc)


def test_partial_writes_keep_what_fits(engine):
    """The pages that fit hold data, as after the kernel's short write (busybox: 8192 bytes)."""
    from layerlab.shell import execute

    for script, path in (("cp /bin/busybox /t/x", "/t/x"), ("dd if=/bin/busybox of=/t/y bs=1k count=64", "/t/y"),
                         ("head -c 20000 /bin/busybox > /t/z", "/t/z")):
        c = engine.create("bb:1", ["true"], tmpfs=["/t:size=8k"])
        engine.start(c)
        execute(c.ns, ["sh", "-c", script], env={"PATH": "/bin"}, cwd="/", clock=engine.clock)
        node = c.ns.stat(path)
        assert node.size == 8192 and node.content.read(0, 8192) == c.ns.read_bytes("/bin/busybox")[:8192]


def test_dev_full(engine):
    from layerlab.shell import execute

    c = engine.create("bb:1", ["true"])
    engine.start(c)
    script = ("echo hi > /dev/full; echo rc=$?; printf x > /dev/full; echo rc=$?; "
              "cat /data/small.txt > /dev/full; echo rc=$?; head -c 10 /data/big.bin > /dev/full; echo rc=$?; "
              "ls / > /dev/full; echo rc=$?")
    r = execute(c.ns, ["sh", "-c", script], env={"PATH": "/bin"}, cwd="/", clock=engine.clock)
    assert r.stdout.decode() == "rc=1\nrc=1\nrc=1\nrc=0\nrc=0\n"     # measured with busybox
    assert r.stderr.decode() == (f"sh: write error: {NOSPC}\ncat: write error: {NOSPC}\n"
                                 f"head: standard output: {NOSPC}\n")


@pytest.fixture(scope="module")
def full_tmpfs():
    if os.geteuid() != 0 or not os.path.exists(BUSYBOX) or not shutil.which("mount"):
        pytest.skip("needs root, mount and /bin/busybox")
    d = tempfile.mkdtemp(prefix="llnospc-")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", d], capture_output=True).returncode:
        os.rmdir(d)
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield d
    finally:
        subprocess.run(["umount", d], check=False)
        os.rmdir(d)


@pytest.mark.parametrize("script,out,err,rc", CASES, ids=[c[0][:40] for c in CASES])
def test_same_as_busybox_on_a_full_tmpfs(full_tmpfs, script, out, err, rc):
    for name in os.listdir(full_tmpfs):
        os.unlink(os.path.join(full_tmpfs, name))
    r = subprocess.run([BUSYBOX, "sh", "-c", f"cd {full_tmpfs}; {script}; echo rc=$?"], capture_output=True)
    body, code = r.stdout.decode().rsplit("rc=", 1)
    assert (body, r.stderr.decode(), int(code)) == (out, err, rc)
