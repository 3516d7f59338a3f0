"""Differential test for Debian/Ubuntu images: ``/bin/sh`` is dash and the file tools are GNU
coreutils, whose messages differ from busybox's (``rm: cannot remove 'x': ...``,
``/bin/sh: 1: foo: not found``). The oracle is the machine's own dash and coreutils, run in
the C locale, against a layerlab RootFS whose tools are regular files (not busybox links).

Skipped when /bin/dash or GNU coreutils are missing.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time

import pytest

from tests.unit.test_shell_busybox import MTIME, SEED, _snapshot_layerlab, run_real

TOOLS = ["rm", "rmdir", "mkdir", "touch", "cp", "mv", "ln", "chmod", "chown", "cat", "ls", "head",
         "tail", "wc", "true", "false", "sort", "cut", "tr", "seq", "basename", "dirname", "env"]


def _gnu_available() -> bool:
    if not os.path.exists("/bin/dash"):
        return False
    try:
        out = subprocess.run(["/usr/bin/rm", "--version"], capture_output=True, text=True).stdout
    except OSError:
        return False
    return "GNU coreutils" in out


pytestmark = pytest.mark.skipif(not _gnu_available(), reason="needs /bin/dash and GNU coreutils")

CORPUS = [
    # ---- dash
    "nosuchcmd; echo $?; echo hi > nodir/y; echo $?; cat < nope; echo $?",
    "cd nope; echo $?; exit foo",
    "echo ${x?}",
    "echo ${x:?oops}; echo no",
    "./small.txt; echo $?; ./nope; echo $?",
    "if true; then fi",
    "echo \"unterm",
    "while true; do",
    "echo a\ncd nope\nnosuch",
    "printf 'nosuch\\n' > s; sh s; sh nope; echo $?; sh -c nosuch nm",
    "echo $((1/0)); echo $?",
    "echo $((2**3))",
    "[ 1 -eq a ]; echo $?; test 1 = ; [ 1 = 1; [ a b c ]; [ \\( a ]",
    "echo -e 'a\\tb'; echo -n x; echo; echo 'a\\c'b; echo '\\0101\\101'; echo -- x",
    "printf '%d\\n' abc; printf; printf '%d %d\\n' 1 2x",
    "x=1; readonly x; x=2",
    "shift 3",
    "f() { local x=1; echo $x; }; f; echo \"[$x]\"; local y",
    "echo ${x:0:1}",
    "echo > dir; echo $?; echo after",
    "set -x; echo \"a b\" '' \"it's\"; x='1 2'",
    "set -e; false; echo no",
    # ---- coreutils
    "rm nope; rm dir; rm -f nope; echo $?; rm -r dir; ls",
    "rmdir nope; rmdir emptydir dir; rmdir .",
    "mkdir emptydir; mkdir -p small.txt/x; mkdir nodir/y; mkdir -p a/b; ls -d a/b",
    "cat nope small.txt; cat dir; echo $?",
    "cp nope x; cp dir d2; cp small.txt nodir/x; cp small.txt small.txt; cp -r dir d2; ls d2",
    "mv nope x; mv dir dir/sub; mv small.txt small.txt; mv lines.txt dir; ls dir",
    "ln -s small.txt link; ln nope y; ln small.txt nodir/x; ln dir dh; ln -sf small.txt s; readlink s",
    "chmod 777 nope; chmod zz small.txt; chmod 600 small.txt; ls -l small.txt",
    "chown nosuchuser small.txt; chown root:nosuchgroup small.txt; chown root nope",
    "touch nodir/x; touch -d bogus small.txt; touch -c nope; touch newf; ls newf",
    "ls nope; echo $?; ls dir; ls -a dir",
    "ls -l; ls -la dir; ls -ld dir emptydir",
    "ls -l link dangling dirlink; ls -ln small.txt; ls -lh big.bin lines.txt",
    "ls -1 dir nope small.txt; ls -R dir; ls -F; ls -p dir",
    "head nope; tail nope; wc nope; head dir; wc dir",
    "head -n 2 lines.txt; tail -n 2 lines.txt; head -3 lines.txt small.txt; wc lines.txt small.txt; wc -l lines.txt",
    "cp -a dir d2; ls -la d2; cp -r dir dirlink 2>&1 | cut -c1-20; rm -rf dir/dir; cp small.txt dir; cp small.txt lines.txt emptydir; ls emptydir; cp small.txt lines.txt nope",
    "cp link l2; cp -r dirlink dl2; ls -l l2 dl2 | head -3; cp -p small.txt sp; ls -l sp",
    "mv dir emptydir; ls emptydir; mv small.txt nodir/x; mv lines.txt emptydir/dir; mv a b c; mv ro.txt exe.sh link",
    "rm -r nope dir/nope; rm -rf dir; rm; rmdir; mkdir; touch; chmod; chown; ln; cp; mv x; cp y",
    "mkdir -p dir/sub dir/new/deep; mkdir -m 700 m; ls -ld m; mkdir -m zz q",
    "ls -lR dir; ls -lt; ls -lS; ls -lr dir; ls -1 nope dir small.txt; echo $?; ls -la emptydir",
    "chmod -R go-rwx dir; ls -lR dir; chmod u+x,g=r lines.txt; ls -l lines.txt",
    "chown -R 1000:1000 dir; ls -ln dir; chown :root small.txt; chown nobody: small.txt; ls -l small.txt",
    "touch -d '2020-02-03 04:05:06' t; ls -l t; touch -r small.txt u; ls -l u; touch -c nope; echo $?",
    "cat -n lines.txt | head -3; head -c 3 small.txt; tail -c 4 small.txt; head -n -10 lines.txt",
    "wc -c small.txt; wc -l < lines.txt; echo a b | wc; wc -w lines.txt small.txt; printf '' | wc -l",
    "seq 3 | sort -r; echo b a | tr ' ' '\\n' | sort; basename /a/b.txt .txt; dirname /a/b",
]


@pytest.fixture(scope="module")
def gnu_sandbox():
    root = tempfile.mkdtemp(prefix="llgnu")
    os.chmod(root, 0o755)
    bindir = os.path.join(root, "bin")
    os.mkdir(bindir)
    os.symlink("/bin/dash", os.path.join(bindir, "sh"))
    for t in TOOLS:
        src = shutil.which(t, path="/usr/bin:/bin")
        if src:
            os.symlink(src, os.path.join(bindir, t))
    yield root, bindir
    shutil.rmtree(root, ignore_errors=True)


def _seed_gnu_layerlab(work: str, bindir: str):
    from layerlab.clock import Clock
    from layerlab.fs.layer import Layer
    from layerlab.fs.rootfs import RootFS
    from layerlab.fs.tree import directory, file, symlink

    ns = MTIME * 10**9
    ents = {}
    for top in (work, bindir):
        cur = ""
        for comp in top.strip("/").split("/"):
            cur += "/" + comp
            mode = os.stat(cur).st_mode & 0o7777 if os.path.exists(cur) else 0o755
            ents[cur] = directory(mode)
    ents[work] = directory(0o700, mtime=ns)
    ents["/usr"] = directory()
    ents["/usr/bin"] = directory()
    ents["/usr/bin/dash"] = file(b"\x7fELF dash", 0o755)
    ents[f"{bindir}/sh"] = symlink("/usr/bin/dash")
    for name in os.listdir(bindir):
        if name != "sh":
            ents[f"{bindir}/{name}"] = file(b"\x7fELF coreutils", 0o755)
    ents["/etc"] = directory()
    for etc in ("/etc/passwd", "/etc/group"):
        with open(etc, "rb") as f:
            ents[etc] = file(f.read())
    for rel, (kind, mode, data) in SEED.items():
        p = f"{work}/{rel}"
        if kind == "dir":
            ents[p] = directory(mode, mtime=ns)
        elif kind == "file":
            ents[p] = file(data, mode, mtime=ns)
        elif kind == "symlink":
            ents[p] = symlink(data, mtime=ns)
    for rel, (kind, _mode, data) in SEED.items():
        if kind == "hardlink":
            node = ents[f"{work}/{data}"].with_(ino=7)
            ents[f"{work}/{data}"] = node
            ents[f"{work}/{rel}"] = node
    clock = Clock(start_ns=time.time_ns(), step_ns=0)
    return RootFS([Layer.build(ents)], clock=clock), clock


def run_both_gnu(sandbox, script: str):
    from layerlab.shell import execute

    _, bindir = sandbox
    work, env, real, real_tree = run_real(sandbox, script)
    fs, clock = _seed_gnu_layerlab(work, bindir)
    ours = execute(fs, [f"{bindir}/sh", "-c", script], env=env, cwd=work, clock=clock)
    return (real.returncode, real.stdout, real.stderr, real_tree), \
        (ours.exit_code, ours.stdout, ours.stderr, _snapshot_layerlab(fs, work))


@pytest.mark.oracle
@pytest.mark.parametrize("script", CORPUS)
def test_same_as_dash_and_coreutils(gnu_sandbox, script):
    (rc, out, err, tree), (our_rc, our_out, our_err, our_tree) = run_both_gnu(gnu_sandbox, script)
    assert (our_out.decode(errors="replace"), our_err.decode(errors="replace")) == \
        (out.decode(errors="replace"), err.decode(errors="replace"))
    assert our_rc == rc
    assert our_tree == tree
