"""run / diff / ps against what the real engine printed (tests/oracle/OBSERVED.md)."""
from __future__ import annotations

import re

import pytest

from .conftest import cells, norm_ids, observed

COPY_UP = ["nop", "append1", "chmod", "chmoddir", "touch", "trunc_small", "append_small", "trunc_big",
           "append_big", "openappend", "truncate0", "hardlink", "write_hl1", "symlink", "rmfile", "rmlink",
           "rmdir_r", "rmdir_mkdir", "rmdir_mkdir_new", "mvfile", "mvdir", "mvdir_new", "deep", "tmpfiles",
           "newdir", "filedir", "rewrite_same", "etc_hosts", "dd_mid", "big_new", "big_new2"]


def _run_cmd(name: str) -> str:
    from .conftest import _parse_observed
    for o in _parse_observed():
        if o.cmd.startswith(f"docker run --name {name} bb:1 "):
            return o.cmd[len("docker "):]
    raise KeyError(name)


# engine gaps (not the CLI's); empty now that /etc/hosts is a bind mount as in docker
ENGINE_GAPS: dict[str, str] = {}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(reason=ENGINE_GAPS[n], strict=False))
                                  if n in ENGINE_GAPS else n for n in COPY_UP])
def test_copy_up_row(dk, name):
    run = dk(_run_cmd(name))
    assert (run.code, run.out, run.err) == (0, "", "")
    diff = dk(f"diff {name}")
    real = observed(f"docker diff {name}")
    assert sorted(diff.out.splitlines()) == sorted(real.out.splitlines())   # Go map order
    assert diff.code == real.code == 0
    size = dk(f"ps -a --filter name=^{name}$ --format '{{{{.Size}}}}'")
    assert size.out == observed(f"docker ps -a --filter name=^{name}$ --format '{{{{.Size}}}}'").out
    table = dk(f"ps -as --filter name=^{name}$")
    real = observed(f"docker ps -as --filter name=^{name}$")
    if real.out.count("Less than a second ago") == 2:
        # every column as wide as docker made it: byte for byte, IDs aside
        assert norm_ids(table.out) == norm_ids(real.out)
    else:
        assert cells(table.out) == cells(real.out)


def test_ps_all_sizes_listing(dk):
    for name in COPY_UP:
        assert dk(_run_cmd(name)).code == 0
    def rows(text):
        return [r for r in cells(text) if not any(g in r for g in ENGINE_GAPS)]
    real = observed("docker ps -as")
    assert rows(dk("ps -as").out) == rows(real.out)
    real = observed("docker ps -as --no-trunc")
    assert rows(dk("ps -as --no-trunc").out) == rows(real.out)
    real = observed("docker ps -a --format 'table {{.Names}}\\t{{.Size}}\\t{{.Status}}'")
    mine = dk("ps -a --format 'table {{.Names}}\\t{{.Size}}\\t{{.Status}}'")
    assert rows(mine.out) == rows(real.out)


def test_ps_default_table_bytes(dk):
    dk("run --name nop bb:1 sh -c 'true'")
    expect = observed("docker ps -as --filter name=^nop$").out
    assert norm_ids(dk("ps -as").out) == norm_ids(expect)
    # without -s there is no SIZE column; running containers only by default
    assert dk("ps").out == "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"
    assert norm_ids(dk("ps -a").out) == norm_ids(
        "CONTAINER ID   IMAGE     COMMAND        CREATED                  STATUS                              PORTS     NAMES\n"
        "902accfbc43e   bb:1      \"sh -c true\"   Less than a second ago   Exited (0) Less than a second ago             nop\n")


def test_ps_quiet_and_formats(dk):
    c = dk("run -d --name sleepy bb:1 sleep 100").out.strip()
    dk("run --name done bb:1 true")
    assert re.fullmatch(r"[0-9a-f]{64}", c)
    assert dk("ps -q").out == c[:12] + "\n"
    assert dk("ps -q --no-trunc").out == c + "\n"
    assert dk("ps -aq").out.split() == [dk.engine.container("done").id[:12], c[:12]]
    assert dk("ps --format '{{.Names}}|{{.Status}}|{{.State}}'").out == "sleepy|Up Less than a second|running\n"
    assert dk("ps -a --format '{{.Names}}|{{.Status}}|{{.State}}' --filter name=done").out == \
        "done|Exited (0) Less than a second ago|exited\n"
    assert dk("ps -a --filter status=exited --format '{{.Names}}'").out == "done\n"
    assert dk("ps -l --format '{{.Names}}'").out == "done\n"
    assert dk("ps -n 2 --format '{{.Names}}'").out == "done\nsleepy\n"
    assert dk("ps -a --filter ancestor=bb:1 -q").out.count("\n") == 2
    # .Size in the template turns size on, as docker does
    assert dk("ps --format '{{.Size}}'").out == "0B (virtual 3.03MB)\n"
    assert dk("ps --format '{{.Size}}' --size=false").out == "0B\n"


def test_ps_json_is_dockers_marshal(dk):
    dk("run --name c1 bb:1 sh -c 'echo hi'")
    out = dk("ps -a --format '{{json .}}'").out
    assert norm_ids(out) == norm_ids(
        '{"Command":"\\"sh -c \'echo hi\'\\"","CreatedAt":"2026-01-01 12:00:00 +0000 UTC","ID":"36e3004efb01",'
        '"Image":"bb:1","Labels":"","LocalVolumes":"0","Mounts":"","Names":"c1","Networks":"bridge",'
        '"Platform":null,"Ports":"","RunningFor":"Less than a second ago","Size":"0B (virtual 3.03MB)",'
        '"State":"exited","Status":"Exited (0) Less than a second ago"}\n')
    # --format json is the plain text "json" to the size probe: no size requested
    assert '"Size":"0B"' in dk("ps -a --format json").out


def test_ps_template_errors(dk):
    r = dk("ps -a --format '{{.Foo}}'")
    assert (r.code, r.out, r.err) == (1, "", 'failed to execute template: template: :1:2: executing "" at <.Foo>: '
                                             "can't evaluate field Foo in type *formatter.ContainerContext\n")
    r = dk("ps --format '{{.ID'")
    assert (r.code, r.err) == (1, "failed to parse template: template: :1: unclosed action\n")
    r = dk("ps -a --format 'table {{.Foo}}'")
    assert r.err.startswith('failed to execute template: template: :1:8: executing "" at <.Foo>')


def test_run_errors_and_exit_codes(dk):
    for cmd in ("run bb:1 nosuchcmd", "run bb:1 /data/small.txt", "run bb:1 /data", "run --name x bb:1 true",
                "run --name 'bad name' bb:1 true"):
        real = observed("docker " + cmd)
        r = dk(cmd)
        expect_err = real.err.replace("Error response from daemon: failed to create shim task:",
                                      "Error response from daemon: failed to create task for container: "
                                      "failed to create shim task:")
        assert (r.code, r.out, r.err) == (real.code, real.out, expect_err), cmd
    for cmd in ("run bb:1 sh -c 'exit 3'", "run bb:1 sh -c 'nosuchcmd'",
                "run --read-only --name ro bb:1 sh -c 'echo x > /data/small.txt'",
                "run --read-only --name ro2 bb:1 sh -c 'mkdir /newdir'"):
        real = observed("docker " + cmd)
        r = dk(cmd)
        assert (r.code, r.out, r.err) == (real.code, real.out, real.err), cmd
    # the containers whose process never started stay Created
    assert dk("ps -a --filter status=created --format '{{.Command}}'").out.split("\n")[:-1] == \
        ['"/data"', '"/data/small.txt"', '"nosuchcmd"']


def test_run_name_conflict(dk):
    dk("run --name dup bb:1 true")
    r = dk("run --name dup bb:1 true")
    cid = dk.engine.container("dup").id
    assert r.code == 125 and r.err == (
        f'docker: Error response from daemon: Conflict. The container name "/dup" is already in use by container '
        f'"{cid}". You have to remove (or rename) that container to be able to reuse that name.\n\n'
        "Run 'docker run --help' for more information\n")


def test_run_missing_image_tries_to_pull(dk):
    r = dk("run nosuch:1")
    assert r.code == 125
    assert r.err.startswith("Unable to find image 'nosuch:1' locally\ndocker: Error response from daemon: ")
    assert r.err.endswith("\n\nRun 'docker run --help' for more information\n")


def test_run_streams_and_rm(dk):
    r = dk("run --rm bb:1 sh -c 'echo out; echo err >&2; exit 5'")
    assert (r.code, r.out, r.err) == (5, "out\n", "err\n")
    assert dk("ps -aq").out == ""
    r = dk("run --rm --name gone bb:1 sh -c 'echo x > /f'")
    assert r.code == 0
    assert dk("ps -a --filter name=gone").out == "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"


def test_run_options_reach_the_container(dk):
    r = dk("run --name opts -e FOO=bar -w /tmp -u nobody --entrypoint sh bb:1 -c 'echo $FOO; pwd; id -u'")
    assert r.out == "bar\n/tmp\n65534\n", r.err
    insp = dk("inspect -f '{{json .Config.Env}} {{.Config.WorkingDir}} {{.Config.User}} {{json .Config.Entrypoint}} "
              "{{json .Config.Cmd}} {{.Path}} {{json .Args}}' opts").out
    assert insp == '["FOO=bar"] /tmp nobody ["sh"] ["-c","echo $FOO; pwd; id -u"] sh ["-c","echo $FOO; pwd; id -u"]\n'


def test_diff_of_missing_container(dk):
    for cmd in ("diff nosuch", "rm nosuch", "stop nosuch"):
        real = observed("docker " + cmd)
        r = dk(cmd)
        assert (r.code, r.out, r.err) == (real.code, real.out, real.err)


def test_lifecycle(dk):
    assert re.fullmatch(r"[0-9a-f]{64}\n", dk("create --name lc bb:1 sleep 100").out)
    assert dk("ps -a --format '{{.Names}}|{{.Status}}|{{.State}}' --filter name=lc").out == "lc|Created|created\n"
    assert dk("start lc").out == "lc\n"
    assert dk("ps -a --format '{{.Names}}|{{.Status}}|{{.State}}' --filter name=lc").out == \
        "lc|Up Less than a second|running\n"
    assert dk("exec lc sh -c 'echo hi > /tmp/f'").code == 0
    assert dk("stop -t 1 lc").out == "lc\n"
    assert dk("ps -a --format '{{.Names}}|{{.Status}}|{{.State}}' --filter name=lc").out == \
        "lc|Exited (137) Less than a second ago|exited\n"
    assert dk("inspect -f '{{.State.ExitCode}} {{.State.Status}} {{.State.OOMKilled}}' lc").out == "137 exited false\n"
    r = dk("diff lc")
    assert r.out == "C /tmp\nA /tmp/f\n"
    assert dk("ps -a --filter name=^lc$ --format '{{.Size}}'").out == "3B (virtual 3.03MB)\n"
    assert dk("start lc").out == "lc\n"
    assert dk("exec lc cat /tmp/f").out == "hi\n"
    assert dk("restart -t 1 lc").out == "lc\n"
    assert dk("exec lc cat /tmp/f").out == "hi\n"
    assert dk("kill lc").out == "lc\n"
    assert dk("ps -a --format '{{.Names}}|{{.Status}}|{{.State}}' --filter name=lc").out == \
        "lc|Exited (137) Less than a second ago|exited\n"
    r = dk("kill lc")
    assert r.code == 1 and r.err == (f"Error response from daemon: Cannot kill container: lc: Container "
                                     f"{dk.engine.container('lc').id} is not running\n")
    assert dk("rm lc").out == "lc\n"
    r = dk("run --name lc bb:1 cat /tmp/f")
    assert (r.code, r.out, r.err) == (1, "", "cat: can't open '/tmp/f': No such file or directory\n")


def test_exec(dk):
    dk("run -d --name r2 bb:1 sleep 100")
    r = dk("exec r2 sh -c 'echo out; echo err >&2; exit 4'")
    assert (r.code, r.out, r.err) == (4, "out\n", "err\n")
    r = dk("exec r2 nosuchcmd")
    assert r.out == ('OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchcmd": '
                     "executable file not found in $PATH: unknown\r\n")   # \r\n: conformance 35-exec (bytes)
    assert r.code == 126          # docker exec of a missing command: 126 (OBSERVED.md, conformance 35-exec)
    r = dk("exec -e X=1 -w /data r2 sh -c 'echo $X; pwd'")
    assert r.out == "1\n/data\n"
    r = dk("exec -u 1000 r2 id")      # observed on bb:1
    assert (r.code, r.out) == (0, "uid=1000 gid=0(root) groups=0(root)\n"), r.err
    r = dk("exec -u nouser r2 id")    # observed: stdout, a plain \n (not the OCI error's \r\n)
    assert (r.code, r.out, r.err) == (126, "unable to find user nouser: no matching entries in passwd file\n", "")
    dk("stop r2")
    r = dk("exec r2 true")
    assert r.code == 1 and r.err.startswith("Error response from daemon: container ") and r.err.endswith(" is not running\n")


def test_start_errors(dk):
    dk("create --name r1 bb:1 true")
    r = dk("start nosuch r1")
    assert (r.code, r.out, r.err) == (1, "r1\n", "Error response from daemon: No such container: nosuch\n"
                                                 "Error: failed to start containers: nosuch\n")
    r = dk("start -a r1")
    assert r.code == 0


def test_rm_several_and_force(dk):
    dk("run -d --name running bb:1 sleep 100")
    dk("run --name stopped bb:1 true")
    r = dk("rm nosuch stopped running")
    assert r.code == 1 and r.out == "stopped\n"
    assert r.err == ("Error response from daemon: No such container: nosuch\n"
                     'Error response from daemon: cannot remove container "/running": container is running: stop the '
                     "container before removing or force remove\n")
    r = dk("rm -f nosuch running")
    assert (r.code, r.out, r.err) == (0, "running\n", "Error response from daemon: No such container: nosuch\n")


def test_logs(dk):
    dk("run --name lg bb:1 sh -c 'echo out; echo err >&2'")
    r = dk("logs lg")
    assert (r.code, r.out, r.err) == (0, "out\n", "err\n")
    r = dk("logs --tail 1 lg")
    assert (r.out, r.err) == ("", "err\n")
    r = dk("logs nosuch")
    assert (r.code, r.err) == (1, "Error response from daemon: No such container: nosuch\n")


def test_commit(dk):
    dk("run --name cc bb:1 sh -c 'echo x > /new'")
    r = dk("commit cc snap:1")
    assert re.fullmatch(r"sha256:[0-9a-f]{64}\n", r.out)
    assert dk("run --rm snap:1 cat /new").out == "x\n"


def test_kill_missing_container(dk):
    r = dk("kill nosuch")
    assert (r.code, r.err) == (1, "Error response from daemon: Cannot kill container: nosuch: No such container: nosuch\n")


def test_stdin_and_tty(dk):
    r = dk("run -i --rm bb:1 sh -c 'cat; echo done'", stdin=b"line1\nline2\n")
    assert (r.code, r.out) == (0, "line1\nline2\ndone\n")
    assert dk("run --rm bb:1 cat", stdin=b"ignored\n").out == ""          # no -i: stdin is /dev/null
    r = dk("run -it --rm bb:1 true")
    assert (r.code, r.out, r.err) == (1, "", "the input device is not a TTY\n")
    r = dk("run -t --rm bb:1 sh -c 'echo out; echo err >&2'")
    assert (r.code, r.out, r.err) == (0, "out\r\nerr\r\n", "")
    dk("run -d --name bg bb:1 sleep 100")
    assert dk("exec -i bg sh -c 'wc -l'", stdin=b"a\nb\n").out.strip() == "2"
    assert dk("exec -t bg echo hi").out == "hi\r\n"
    r = dk("run -i --rm bb:1 sh", stdin=b"echo from-a-script\nexit 7\n")
    assert (r.code, r.out) == (7, "from-a-script\n")


def test_info_and_version(dk):
    r = dk("info")
    assert r.code == 0 and " Storage Driver: overlay2\n  Backing Filesystem: extfs\n  Supports d_type: true\n" in r.out
    assert r.out.startswith("Client:\n Version:    28.2.2\n Context:    default\n Debug Mode: false\n\nServer:\n")
    assert dk("info --format '{{.Driver}}'").out == "overlay2\n"
    assert dk("info --format '{{json .DriverStatus}}'").out == \
        '[["Backing Filesystem","extfs"],["Supports d_type","true"],["Using metacopy","false"],' \
        '["Native Overlay Diff","true"],["userxattr","false"]]\n'
    assert dk("info --format '{{.DriverStatus}}'").out == \
        "[[Backing Filesystem extfs] [Supports d_type true] [Using metacopy false] [Native Overlay Diff true] " \
        "[userxattr false]]\n"
    r = dk("info --format '{{.Foo}}'")
    assert (r.code, r.out, r.err) == (1, "\n", 'template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in '
                                               "type system.dockerInfo\n")
    assert dk("version --format '{{.Client.Version}}'").out == "28.2.2\n"
    v = dk("version").out
    assert v.startswith("Client:\n Version:           28.2.2\n") and "\nServer: Docker Engine - Community\n Engine:\n" in v


def test_prune(dk, tmp_path):
    dk("run --name p1 bb:1 sh -c 'echo xx > /x'")
    dk("run -d --name p2 bb:1 sleep 100")
    p1 = dk.engine.container("p1").id
    r = dk("container prune -f")
    assert (r.code, r.out) == (0, f"Deleted Containers:\n{p1}\n\nTotal reclaimed space: 3B\n")
    assert dk("container prune -f").out == "Total reclaimed space: 0B\n"
    r = dk("container prune", stdin=b"n\n")
    assert r.out == "WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] "
    (tmp_path / "Dockerfile").write_text("FROM bb:1\nRUN echo a > /a\n")
    old = dk(f"build -q -t t1 {tmp_path}", env={"DOCKER_BUILDKIT": "0"}).out.strip()
    (tmp_path / "Dockerfile").write_text("FROM bb:1\nRUN echo b > /a\n")
    dk(f"build -q -t t1 {tmp_path}", env={"DOCKER_BUILDKIT": "0"})
    r = dk("image prune -f")
    assert r.code == 0 and r.out.startswith(f"Deleted Images:\ndeleted: {old}\n")
    assert r.out.endswith("\nTotal reclaimed space: 2B\n")
    assert dk("image prune -f").out == "Total reclaimed space: 0B\n"
    r = dk("image prune -a -f")
    assert "untagged: t1:latest\n" in r.out and "bb:1" not in r.out      # bb:1 is used by p2
    r = dk("system prune", stdin=b"")
    assert r.out == ("WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least "
                     "one container\n  - all dangling images\n  - unused build cache\n\nAre you sure you want to "
                     "continue? [y/N] ")
    dk("stop p2")
    r = dk("system prune -f")
    assert r.out.startswith("Deleted Containers:\n")
    assert dk("ps -aq").out == ""
