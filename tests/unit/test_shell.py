"""Unit tests for layerlab.shell: the execute() API, copy-up behaviour of the applets, blocking
processes, devices, the program registry, and speed. Busybox's texts are checked against the
real busybox in test_shell_busybox.py; here the engine-facing semantics are pinned."""
from __future__ import annotations

import time

import pytest

from layerlab.fs.changes import changes
from layerlab.clock import Clock
from layerlab.content import Content
from layerlab.fs.layer import Layer
from layerlab.fs.rootfs import RootFS
from layerlab.shell import CommandNotFound, ExecResult, PROGRAMS, execute, parse, register
from layerlab.shell.interp import _APPLETS
from layerlab.fs.tree import directory, file, symlink

T = 1704067200 * 10**9
ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root"}


def image(extra: dict | None = None, busybox: bool = True) -> dict:
    ents = {
        "/etc": directory(mtime=T),
        "/etc/passwd": file(b"root:x:0:0:root:/root:/bin/sh\n"
                            b"app:x:1000:1000:app:/home/app:/bin/sh\n", mtime=T),
        "/etc/group": file(b"root:x:0:\nwheel:x:10:root\napp:x:1000:\n", mtime=T),
        "/tmp": directory(0o1777, mtime=T),
        "/root": directory(0o700, mtime=T),
        "/data": directory(mtime=T),
        "/data/small.txt": file(b"hello\n", mtime=T),
        "/data/big.bin": file(Content.synthetic("big", 50 << 20), mtime=T),
        "/data/dir": directory(mtime=T),
        "/data/dir/a": file(b"a\n", mtime=T),
        "/data/dir/sub": directory(mtime=T),
        "/data/dir/sub/c": file(b"c\n", mtime=T),
    }
    if busybox:
        ents["/bin"] = directory(mtime=T)
        ents["/bin/busybox"] = file(b"\x7fELF", 0o755, mtime=T)
        for a in _APPLETS:
            ents[f"/bin/{a}"] = symlink("busybox", mtime=T)
    ents.update(extra or {})
    return ents


def make_fs(extra: dict | None = None, busybox: bool = True, read_only: bool = False):
    clock = Clock(start_ns=T + 10**12)
    fs = RootFS([Layer.build(image(extra, busybox))], clock=clock, read_only=read_only)
    return fs, clock


def sh(fs, script: str, **kw) -> ExecResult:
    return execute(fs, ["/bin/sh", "-c", script], env=dict(ENV), **kw)


def diff(fs) -> list[str]:
    return [str(c) for c in changes(fs)]


# ------------------------------------------------------------------ execute() and lookup
def test_execute_runs_a_command_found_in_path():
    fs, _ = make_fs()
    res = execute(fs, ["echo", "hi", "there"], env=dict(ENV))
    assert res == ExecResult(0, b"hi there\n", b"", False, ((1, b"hi there\n"),))


def test_command_not_in_path_raises_command_not_found():
    fs, _ = make_fs()
    with pytest.raises(CommandNotFound) as e:
        execute(fs, ["nginx"], env=dict(ENV))
    assert (e.value.name, e.value.reason) == ("nginx", "not found in $PATH")


def test_scratch_image_has_no_shell():
    fs, _ = make_fs(busybox=False)
    with pytest.raises(CommandNotFound) as e:
        execute(fs, ["/bin/sh", "-c", "true"], env=dict(ENV))
    assert e.value.reason == "no such file or directory"


def test_non_executable_file_is_permission_denied():
    fs, _ = make_fs()
    with pytest.raises(CommandNotFound) as e:
        execute(fs, ["/data/small.txt"], env=dict(ENV))
    assert e.value.reason == "permission denied"


def test_relative_argv0_is_resolved_against_cwd():
    fs, _ = make_fs({"/app": directory(), "/app/run.sh": file(b"#!/bin/sh\necho ran $1\n", 0o755)})
    res = execute(fs, ["./run.sh", "x"], env=dict(ENV), cwd="/app")
    assert res.stdout == b"ran x\n"


def test_busybox_dispatches_on_argv0_basename():
    fs, _ = make_fs({"/usr": directory(), "/usr/bin": directory(),
                     "/usr/bin/lister": symlink("/bin/busybox")})
    res = execute(fs, ["/bin/busybox", "echo", "via", "busybox"], env=dict(ENV))
    assert res.stdout == b"via busybox\n"
    res = execute(fs, ["lister"], env=dict(ENV))
    assert (res.exit_code, res.stderr) == (127, b"lister: applet not found\n")


def test_shell_not_found_message_and_status():
    fs, _ = make_fs()
    res = sh(fs, "nosuchcmd")
    assert (res.exit_code, res.stderr) == (127, b"/bin/sh: nosuchcmd: not found\n")


def test_registered_program_runs_when_its_file_exists_and_can_run_subcommands():
    calls = []

    @register("layerlab-test-tool")
    def tool(proc, argv):
        calls.append(list(argv))
        proc.out(f"cwd={proc.cwd} uid={proc.uid}\n")
        return proc.run(["echo", "sub"])

    try:
        fs, _ = make_fs({"/usr": directory(), "/usr/bin": directory(),
                         "/usr/bin/layerlab-test-tool": file(b"\x7fELF", 0o755)})
        res = execute(fs, ["layerlab-test-tool", "-y"], env=dict(ENV), cwd="/tmp", uid=1000, gid=1000)
        assert res.stdout == b"cwd=/tmp uid=1000\nsub\n"
        assert calls == [["layerlab-test-tool", "-y"]]
    finally:
        PROGRAMS.pop("layerlab-test-tool", None)


def test_unknown_binary_is_a_model_program_that_exits_0():
    fs, _ = make_fs({"/usr": directory(), "/usr/bin": directory(),
                     "/usr/bin/server": file(Content.synthetic("srv", 1000), 0o755)})
    assert execute(fs, ["server"], env=dict(ENV)).exit_code == 0


# ------------------------------------------------------------------ copy-up semantics
def test_colon_append_copies_up_without_a_diff_line():
    fs, _ = make_fs()
    res = sh(fs, ": >> /data/big.bin")
    assert res.exit_code == 0
    assert fs.upper.entries["/data/big.bin"].size == 50 << 20
    assert diff(fs) == []


def test_truncating_redirect_copies_no_old_data():
    fs, _ = make_fs()
    sh(fs, "echo x > /data/big.bin")
    assert fs.upper.entries["/data/big.bin"].content.bytes() == b"x\n"
    assert diff(fs) == ["C /data", "C /data/big.bin"]


def test_cp_onto_a_lower_file_writes_a_new_upper_file():
    fs, _ = make_fs()
    sh(fs, "cp /data/small.txt /data/big.bin")
    node = fs.upper.entries["/data/big.bin"]
    assert node.content.bytes() == b"hello\n" and node.mode == 0o644


def test_rm_rf_of_a_lower_directory_leaves_one_whiteout():
    fs, _ = make_fs()
    res = sh(fs, "rm -rf /data/dir")
    assert res.exit_code == 0
    assert fs.upper.whiteouts == {"/data/dir"}
    assert diff(fs) == ["C /data", "D /data/dir"]


def test_rm_glob_removes_children_and_keeps_the_directory():
    fs, _ = make_fs()
    sh(fs, "rm -rf /data/dir/*")
    assert fs.listdir("/data/dir") == []
    assert fs.upper.whiteouts == {"/data/dir/a", "/data/dir/sub"}


def test_mv_of_a_lower_directory_falls_back_to_copy_and_delete():
    fs, _ = make_fs()
    res = sh(fs, "mv /data/dir /data/moved")
    assert (res.exit_code, res.stderr) == (0, b"")
    assert fs.read_bytes("/data/moved/sub/c") == b"c\n"
    assert "/data/dir" in fs.upper.whiteouts
    assert fs.upper.entries["/data/moved/a"].mtime == T  # times preserved, as busybox does


def test_mv_of_a_lower_file_is_a_rename():
    fs, _ = make_fs()
    sh(fs, "mv /data/small.txt /tmp/")
    assert fs.read_bytes("/tmp/small.txt") == b"hello\n"
    assert "/data/small.txt" in fs.upper.whiteouts


def test_chmod_and_touch_copy_the_whole_file_up():
    fs, _ = make_fs()
    sh(fs, "chmod 600 /data/big.bin && touch /data/small.txt")
    assert fs.upper.entries["/data/big.bin"].size == 50 << 20
    assert fs.upper.entries["/data/big.bin"].mode == 0o600
    assert fs.upper.entries["/data/small.txt"].mtime != T


def test_mkdir_p_of_existing_directories_changes_nothing():
    fs, _ = make_fs()
    assert sh(fs, "mkdir -p /data/dir/sub").exit_code == 0
    assert fs.upper.entries == {}


def test_chown_resolves_names_in_the_image():
    fs, _ = make_fs()
    res = sh(fs, "chown app:app /data/small.txt && chown -R 1000 /data/dir && chown ghost /data")
    assert res.stderr == b"chown: unknown user ghost\n"
    assert (fs.stat("/data/small.txt").uid, fs.stat("/data/small.txt").gid) == (1000, 1000)
    assert fs.stat("/data/dir/sub/c").uid == 1000


def test_read_only_rootfs_messages():
    fs, _ = make_fs(read_only=True)
    res = sh(fs, "echo x > /f; touch /g; mkdir /h; rm /data/small.txt")
    assert res.stderr.decode().splitlines() == [
        "/bin/sh: can't create /f: Read-only file system",
        "touch: /g: Read-only file system",
        "mkdir: can't create directory '/h': Read-only file system",
        "rm: can't remove '/data/small.txt': Read-only file system",
    ]
    assert res.exit_code == 1


def test_new_files_belong_to_the_user():
    fs, _ = make_fs()
    execute(fs, ["/bin/sh", "-c", "echo x > /tmp/mine"], env=dict(ENV), uid=1000, gid=1000)
    node = fs.stat("/tmp/mine")
    assert (node.uid, node.gid) == (1000, 1000)
    assert (fs.uid, fs.gid) == (0, 0)


def test_truncate_grows_sparse_and_shrinks():
    fs, _ = make_fs()
    sh(fs, "truncate -s 1G /tmp/huge && truncate -s 2 /data/small.txt")
    assert fs.stat("/tmp/huge").size == 1 << 30
    assert fs.stat("/tmp/huge").content.extents == ()
    assert fs.read_bytes("/data/small.txt") == b"he"


# ------------------------------------------------------------------ devices and dd
def test_dev_null_and_dev_zero():
    fs, _ = make_fs()
    res = sh(fs, "echo gone > /dev/null; head -c 4 /dev/zero | wc -c; cat /dev/null; echo ok")
    assert res.stdout == b"4\n" + b"ok\n"
    assert "/dev/null" not in fs.upper.entries


def test_dd_from_dev_zero_is_sparse_and_reports_busybox_lines():
    fs, _ = make_fs()
    start = time.perf_counter()
    res = sh(fs, "dd if=/dev/zero of=/tmp/big bs=1M count=1024")
    assert time.perf_counter() - start < 1
    assert fs.stat("/tmp/big").size == 1 << 30
    lines = res.stderr.decode().splitlines()
    assert lines[:2] == ["1024+0 records in", "1024+0 records out"]
    assert lines[2].startswith("1073741824 bytes (1.0GB) copied, ")


def test_dd_seek_notrunc_writes_in_place():
    fs, _ = make_fs()
    sh(fs, "printf XY | dd of=/data/small.txt bs=1 seek=1 conv=notrunc 2>/dev/null")
    assert fs.read_bytes("/data/small.txt") == b"hXYlo\n"


def test_urandom_is_deterministic():
    fs, _ = make_fs()
    a = sh(fs, "head -c 16 /dev/urandom").stdout
    b = sh(fs, "head -c 16 /dev/urandom").stdout
    assert len(a) == 16 and a == b


# ------------------------------------------------------------------ blocking and time
def test_long_sleep_keeps_running_short_sleep_advances_the_clock():
    fs, clock = make_fs()
    before = clock()
    res = sh(fs, "echo start; sleep 5; echo after", clock=clock)
    assert (res.stdout, res.running) == (b"start\nafter\n", False)
    assert clock() - before == 5 * 10**9
    res = sh(fs, "echo up; sleep 3600; echo never", clock=clock)
    assert (res.stdout, res.running) == (b"up\n", True)


def test_tail_f_blocks_after_printing():
    fs, _ = make_fs()
    res = sh(fs, "tail -f /data/small.txt")
    assert res.running and res.stdout == b"hello\n"


def test_background_job_that_blocks_does_not_block_the_script():
    fs, _ = make_fs()
    res = sh(fs, "sleep 1000 & echo next")
    assert (res.stdout, res.running, res.exit_code) == (b"next\n", False, 0)


def test_date_comes_from_the_clock():
    fs, clock = make_fs()
    res = sh(fs, "date; date +%s", clock=clock)
    assert res.stdout == b"Mon Jan  1 00:16:40 UTC 2024\n1704068200\n"


# ------------------------------------------------------------------ the language
@pytest.mark.parametrize("script,out", [
    ("echo a; echo b", "a\nb\n"),
    ("A=1; B=$A$A; echo ${B}x", "11x\n"),
    ("A=outer; A=inner sh -c 'echo $A'; echo $A", "inner\nouter\n"),
    ("for f in /data/dir/*; do echo ${f##*/}; done", "a\nsub\n"),
    ("cat /data/small.txt | tee /tmp/t | wc -c; cat /tmp/t", "6\nhello\n"),
    ("x=$(cat /data/small.txt); echo \"[$x]\"", "[hello]\n"),
    ("cat <<EOF\nline $HOME\nEOF\n", "line /root\n"),
    ("cat <<'EOF'\nline $HOME\nEOF\n", "line $HOME\n"),
    ("if [ -d /data ] && [ ! -e /nope ]; then echo ok; fi", "ok\n"),
    ("case $HOME in /r*) echo root;; *) echo other;; esac", "root\n"),
    ("set -- a b c; shift; echo $# $@", "2 b c\n"),
    ("i=0; while true; do i=$((i+1)); [ $i -ge 3 ] && break; done; echo $i", "3\n"),
    ("echo 'a\"b' \"c'd\" e\\ f", "a\"b c'd e f\n"),
    ("( exit 4 ); echo $?", "4\n"),
    ("printf '%s=%s\\n' a 1 b 2", "a=1\nb=2\n"),
    ("echo ~ ~/x", "/root /root/x\n"),
    ("v=abc; echo ${#v} ${v#a} ${v%c}", "3 bc ab\n"),
])
def test_language(script, out):
    fs, _ = make_fs()
    res = sh(fs, script)
    assert (res.stdout.decode(), res.stderr, res.exit_code) == (out, b"", 0)


def test_set_e_stops_at_the_first_failure_and_reports_its_status():
    fs, _ = make_fs()
    res = sh(fs, "set -e; echo one; ls /nope; echo two")
    assert (res.stdout, res.exit_code) == (b"one\n", 1)


def test_set_x_traces_to_stderr():
    fs, _ = make_fs()
    res = sh(fs, "set -x; echo \"a b\"; X=1")
    assert res.stderr == b"+ echo 'a b'\n+ X=1\n"


def test_syntax_error():
    fs, _ = make_fs()
    res = sh(fs, "if true; then")
    assert res.exit_code == 2
    assert res.stderr.startswith(b"/bin/sh: syntax error: unexpected end of file")


def test_parse_builds_a_small_ast():
    tree = parse("a && b | c; d &")
    assert len(tree.items) == 2 and tree.items[1][1] is True


def test_script_file_with_shebang():
    fs, _ = make_fs({"/entry.sh": file(b"#!/bin/sh\nset -e\necho \"args: $*\"\nexit 5\n", 0o755)})
    res = execute(fs, ["/entry.sh", "x", "y"], env=dict(ENV))
    assert (res.stdout, res.exit_code) == (b"args: x y\n", 5)


def test_env_and_export_reach_children():
    fs, _ = make_fs()
    res = execute(fs, ["/bin/sh", "-c", "export B=2; env | sort"], env={"PATH": "/bin", "A": "1"})
    assert res.stdout.decode().splitlines() == ["A=1", "B=2", "PATH=/bin", "PWD=/"]


# ------------------------------------------------------------------ speed
def test_a_loop_creating_thousands_of_files_is_fast():
    fs, _ = make_fs()
    start = time.perf_counter()
    res = sh(fs, "mkdir /many; i=0; while [ $i -lt 3000 ]; do echo $i > /many/f$i; i=$((i+1)); done;"
                 " ls /many | wc -l")
    elapsed = time.perf_counter() - start
    assert res.stdout == b"3000\n"
    assert elapsed < 5, elapsed


def test_appending_many_lines_to_one_file_is_linear():
    fs, _ = make_fs()
    start = time.perf_counter()
    res = sh(fs, "for i in $(seq 5000); do echo line $i; done > /tmp/out; wc -l < /tmp/out;"
                 " seq 100000 > /tmp/seq; wc -c < /tmp/seq")
    assert res.stdout == b"5000\n588895\n"
    assert time.perf_counter() - start < 5


# ------------------------------------------------------------------ flavors and services
def debian_fs():
    """A Debian-like image: /bin -> usr/bin, sh -> dash, coreutils as regular files."""
    ents = {"/usr": directory(mtime=T), "/usr/bin": directory(mtime=T), "/bin": symlink("usr/bin"),
            "/usr/bin/dash": file(b"\x7fELF dash", 0o755), "/usr/bin/sh": symlink("dash"),
            "/etc": directory(mtime=T), "/etc/passwd": file(b"root:x:0:0:root:/root:/bin/bash\n"),
            "/etc/group": file(b"root:x:0:\n"), "/tmp": directory(0o1777)}
    for tool in ("rm", "ls", "cat", "mkdir", "cp", "mv", "ln", "chmod", "touch", "wc", "echo"):
        ents[f"/usr/bin/{tool}"] = file(b"\x7fELF coreutils", 0o755)
    return RootFS([Layer.build(ents)], clock=Clock(start_ns=T))


def test_debian_images_speak_dash_and_coreutils():
    fs = debian_fs()
    res = execute(fs, ["/bin/sh", "-c", "nosuch; rm /nope; mkdir /tmp; cat /x; echo '\\x41' > /a/b; cd /q"],
                  env={"PATH": "/usr/bin:/bin"})
    assert res.stderr.decode().splitlines() == [
        "/bin/sh: 1: nosuch: not found",
        "rm: cannot remove '/nope': No such file or directory",
        "mkdir: cannot create directory '/tmp': File exists",
        "cat: /x: No such file or directory",
        "/bin/sh: 1: cannot create /a/b: Directory nonexistent",
        "/bin/sh: 1: cd: can't cd to /q",
    ]
    assert res.exit_code == 2


def test_busybox_hard_links_are_busybox():
    ents = image(busybox=False)
    ents["/bin"] = directory()
    node = file(b"\x7fELF busybox", 0o755).with_(ino=3)
    ents["/bin/busybox"] = node
    for a in ("sh", "rm", "ls"):
        ents[f"/bin/{a}"] = node
    fs = RootFS([Layer.build(ents)], clock=Clock(start_ns=T))
    res = execute(fs, ["/bin/sh", "-c", "rm /nope; vi"], env=dict(ENV))
    assert res.stderr.decode().splitlines() == [
        "rm: can't remove '/nope': No such file or directory", "/bin/sh: vi: not found"]


def test_nginx_creates_its_temp_dirs_and_pid_file_then_keeps_running():
    conf = b"user  nginx;\nworker_processes  auto;\npid        /var/run/nginx.pid;\n"
    fs, clock = make_fs({
        "/etc/nginx": directory(), "/etc/nginx/nginx.conf": file(conf),
        "/etc/passwd": file(b"root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101:nginx:/var/cache/nginx:/sbin/nologin\n"),
        "/var": directory(mtime=T), "/var/run": symlink("/run"), "/run": directory(mtime=T),
        "/var/cache": directory(mtime=T), "/var/cache/nginx": directory(uid=101, mtime=T),
        "/usr": directory(), "/usr/sbin": directory(), "/usr/sbin/nginx": file(b"\x7fELF", 0o755)})
    res = execute(fs, ["nginx", "-g", "daemon off;"], env=dict(ENV, NGINX_VERSION="1.25.4"), clock=clock)
    assert res.running and b"[notice] 1#1: nginx/1.25.4" in res.stderr
    assert fs.read_bytes("/run/nginx.pid") == b"1\n"
    assert diff(fs) == ["C /run", "A /run/nginx.pid", "C /var", "C /var/cache", "C /var/cache/nginx",
                        "A /var/cache/nginx/client_temp", "A /var/cache/nginx/fastcgi_temp",
                        "A /var/cache/nginx/proxy_temp", "A /var/cache/nginx/scgi_temp",
                        "A /var/cache/nginx/uwsgi_temp"]
    temp = fs.stat("/var/cache/nginx/client_temp")
    assert (temp.mode, temp.uid) == (0o700, 101)


def test_exec_keeps_the_pid_and_symlinked_logs_reach_stderr():
    fs, _ = make_fs({"/log": symlink("/dev/stderr")})
    res = sh(fs, "echo to-log > /log; exec sh -c 'echo $$'")
    assert (res.stdout, res.stderr) == (b"1\n", b"to-log\n")


def test_top_and_servers_keep_running():
    fs, _ = make_fs({"/app": directory(), "/app/server.py": file(b"httpd.serve_forever()\n"),
                     "/usr": directory(), "/usr/bin": directory(),
                     "/usr/bin/python3": file(b"\x7fELF", 0o755)})
    assert sh(fs, "top").running
    assert execute(fs, ["python3", "/app/server.py"], env=dict(ENV)).running
    res = execute(fs, ["python3", "/app/missing.py"], env=dict(ENV))
    assert (res.exit_code, res.running) == (2, False)
    assert res.stderr == b"python3: can't open file '/app/missing.py': [Errno 2] No such file or directory\n"


def test_useradd_and_adduser_write_the_account_files():
    fs = debian_fs()
    fs.upper.put("/var", directory())
    fs.upper.put("/var/log", directory())
    fs.upper.put("/var/log/lastlog", file(b""))
    for f, text in (("/etc/shadow", b"root:*:19000:0:99999:7:::\n"), ("/etc/gshadow", b"root:*::\n")):
        fs.upper.put(f, file(text, 0o640))
    fs.upper.put("/usr/sbin", directory())
    fs.upper.put("/usr/sbin/useradd", file(b"\x7fELF", 0o755))
    res = execute(fs, ["/bin/sh", "-c", "useradd -m -u 123456 app && useradd app"],
                  env={"PATH": "/usr/sbin:/usr/bin"}, clock=Clock(start_ns=T))
    assert res.stderr == b"useradd: user 'app' already exists\n" and res.exit_code == 9
    assert fs.read_text("/etc/passwd").splitlines()[-1] == "app:x:123456:123456::/home/app:/bin/sh"
    assert fs.read_text("/etc/shadow").splitlines()[-1] == "app:!:19723:0:99999:7:::"
    assert fs.read_text("/etc/passwd-") == "root:x:0:0:root:/root:/bin/bash\n"
    assert fs.stat("/var/log/lastlog").size == 123457 * 292   # the sparse-file trap
    assert fs.stat("/home/app").uid == 123456

    fs2, _ = make_fs({"/etc/shadow": file(b"root:!::0:::::\n", 0o640)})
    res = sh(fs2, "adduser -D web && addgroup -S svc && tail -n 1 /etc/passwd /etc/group && adduser -D web")
    assert res.stdout == (b"==> /etc/passwd <==\nweb:x:1001:1001:Linux User,,,:/home/web:/bin/sh\n\n"
                          b"==> /etc/group <==\nsvc:x:100:\n")
    assert res.stderr == b"adduser: user 'web' in use\n"
    assert fs2.stat("/home/web").mode == 0o2755


def test_chunks_keep_the_order_of_stdout_and_stderr():
    fs, _ = make_fs()
    res = sh(fs, "echo one; echo two >&2; echo three; ls /nope")
    assert res.chunks == ((1, b"one\n"), (2, b"two\n"), (1, b"three\n"),
                          (2, b"ls: /nope: No such file or directory\n"))
