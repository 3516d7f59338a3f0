"""build / history / images / image inspect / tag / rmi / import against OBSERVED.md."""
from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from .conftest import cells, norm_ids, observed

CLASSIC = {"DOCKER_BUILDKIT": "0"}
BANNER = observed("cd /tmp/observe-l24okerx/ctx2 && DOCKER_BUILDKIT=0 docker build -t fail:1 .", 1).err.split(
    "Error response")[0]


@pytest.fixture
def ctx(tmp_path):
    """The build context of OBSERVED section (b), made as tests/oracle/observe.sh makes it."""
    d = tmp_path / "ctx"
    (d / "dir" / "sub").mkdir(parents=True)
    (d / "hello.txt").write_text("hello from the context\n")
    (d / "dir" / "one.txt").write_text("one\n")
    (d / "dir" / "sub" / "two.txt").write_text("two\n")
    # the same bytes as observe.sh's GNU tar (ADD names the archive by a hash of its bytes)
    (tmp_path / "arch").mkdir()
    (tmp_path / "arch" / "inside.txt").write_text("in archive\n")
    os.chmod(tmp_path / "arch" / "inside.txt", 0o644)
    subprocess.run(["tar", "-C", str(tmp_path / "arch"), "--owner=0", "--group=0", "--mtime=2024-01-01",
                    "-cf", str(d / "archive.tar"), "inside.txt"], check=True, env={**os.environ, "TZ": "UTC"})
    dockerfile = observed("cat /tmp/observe-l24okerx/ctx/Dockerfile").out
    (d / "Dockerfile").write_text(dockerfile)
    return d


def _unraw(text: str) -> str:
    """The classic build log as OBSERVED.md shows it (its reader turned \\r\\r\\n into two lines)."""
    return text.replace("\r\r\n", "\n\n")


def test_classic_build_context_line(dk, ctx):
    r = dk(f"build -t built:1 {ctx}", env=CLASSIC)
    assert r.code == 0 and r.err == BANNER
    # the client's context tar: 17408 bytes, and a \r\r\n ending (OBSERVED.md shows it as a blank line)
    assert r.out.startswith("Sending build context to Docker daemon  17.41kB\r\r\nStep 1/21 : FROM bb:1\n")


def test_classic_build_log_and_cache(dk, ctx):
    real = observed("cd /tmp/observe-l24okerx/ctx && DOCKER_BUILDKIT=0 docker build -t built:1 .")
    r = dk(f"build -t built:1 {ctx}", env=CLASSIC)
    assert r.code == real.code == 0
    assert r.err == real.err == BANNER
    mine, theirs = norm_ids(_unraw(r.out)).splitlines(), norm_ids(real.out).splitlines()
    assert mine == theirs
    again = dk(f"build -t built:1 {ctx}", env=CLASSIC)
    real2 = observed("cd /tmp/observe-l24okerx/ctx && DOCKER_BUILDKIT=0 docker build -t built:1 .", 1)
    assert norm_ids(_unraw(again.out)).splitlines()[1:] == norm_ids(real2.out).splitlines()[1:]


def test_history_of_a_classic_build(dk, ctx):
    dk(f"build -t built:1 {ctx}", env=CLASSIC)
    real = observed("docker image history built:1")
    assert cells(dk("image history built:1").out) == cells(real.out)
    real = observed("docker image history --no-trunc built:1")
    mine = dk("image history --no-trunc built:1").out
    # COPY/ADD sources are named by content hashes: same files, same hashes
    assert cells(mine) == cells(real.out)
    real = observed("docker image history --format '{{json .}}' built:1").out.splitlines()
    mine = dk("image history --format '{{json .}}' built:1").out.splitlines()
    strip = lambda d: {k: v for k, v in d.items() if k not in ("ID", "CreatedAt", "CreatedSince")}  # noqa: E731
    assert [strip(json.loads(x)) for x in mine] == [strip(json.loads(x)) for x in real]
    assert list(json.loads(mine[0])) == ["Comment", "CreatedAt", "CreatedBy", "CreatedSince", "ID", "Size"]


def test_history_of_an_import(dk):
    dk.engine.clock.advance(9)
    expect = observed("docker image history bb:1").out
    assert norm_ids(dk("image history bb:1").out) == norm_ids(expect)
    assert norm_ids(dk("history bb:1").out) == norm_ids(expect)
    r = dk("image history --no-trunc -H=false bb:1")
    assert norm_ids(r.out).replace("2026-01-01T12:00:00Z", "2026-11-28T20:33:40Z") == \
        norm_ids(observed("docker image history --no-trunc -H=false bb:1").out)
    assert re.fullmatch(r"[0-9a-f]{12}\n", dk("history -q bb:1").out)
    r = dk("image history nosuch")
    assert (r.code, r.err) == (1, observed("docker image history nosuch").err)


def test_images(dk, ctx):
    dk(f"build -t built:1 {ctx}", env=CLASSIC)
    real = observed("docker images")
    assert cells(dk("images").out) == cells(real.out)
    mine = sorted(map(tuple, cells(dk("images -a").out)[1:]))
    theirs = sorted(map(tuple, cells(observed("docker images -a").out)[1:]))
    assert mine == theirs                      # docker orders same-second images arbitrarily
    assert dk("images -q").out.count("\n") == 2
    assert dk("images bb").out.splitlines()[1].startswith("bb           1 ")
    assert dk("images nosuch").out == "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n"
    out = dk("images --format '{{json .}}' bb").out
    doc = json.loads(out)
    assert doc["Containers"] == "N/A" and doc["Digest"] == "<none>" and doc["VirtualSize"] == "3.031MB"
    assert '"Digest":"\\u003cnone\\u003e"' in out    # docker's json.Marshal escapes < and >
    r = dk("images --format '{{.Foo}}'")
    assert (r.code, r.err) == (1, 'template parsing error: template: :1:2: executing "" at <.Foo>: can\'t evaluate '
                                  "field Foo in type *formatter.imageContext\n")


def test_run_built_image(dk, ctx):
    dk(f"build -t built:1 {ctx}", env=CLASSIC)
    assert dk("run --rm built:1").out == observed("docker run --rm built:1").out


def test_meta_build(dk, tmp_path):
    (tmp_path / "Dockerfile").write_text('FROM bb:1\nENV A=b\nCMD ["sh"]\n')
    dk.engine.clock.advance(9)
    cmd = (f"build -t meta:1 {tmp_path}")
    r = dk(cmd, env=CLASSIC)
    real = observed("cd /tmp/observe-l24okerx/ctx2 && DOCKER_BUILDKIT=0 docker build -t meta:1 . && docker image "
                    "history meta:1 && docker image inspect -f '{{.Id}} {{.Parent}} {{json .RootFS.Layers}} "
                    "{{json .Config.Env}}' meta:1")
    combined = (_unraw(r.out) + dk("image history meta:1").out +
                dk("image inspect -f '{{.Id}} {{.Parent}} {{json .RootFS.Layers}} {{json .Config.Env}}' meta:1").out)
    assert r.err == real.err
    assert norm_ids(combined) == norm_ids(real.out)


def test_failing_builds(dk, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM bb:1\nRUN false\n")
    r = dk(f"build -t fail:1 {tmp_path}", env=CLASSIC)
    real = observed("cd /tmp/observe-l24okerx/ctx2 && DOCKER_BUILDKIT=0 docker build -t fail:1 .")
    assert r.code == real.code == 1
    assert r.err == real.err
    assert r.out.startswith("Sending build context to Docker daemon  2.048kB\r\r\n")
    # the failed step's container stays behind, and it ran (conformance scenario 51)
    assert re.fullmatch(r'"/bin/sh -c false" Exited \(1\) .* ago\n',
                        dk("ps -a --format '{{.Command}} {{.Status}}'").out)
    (tmp_path / "Dockerfile").write_text("FROM bb:1\nRUN exit 3\n")
    r = dk(f"build {tmp_path}", env=CLASSIC)
    assert r.code == 3 and r.err.endswith("The command '/bin/sh -c exit 3' returned a non-zero code: 3\n")
    (tmp_path / "Dockerfile").write_text("FROM bb:1\nFROBNICATE x\n")
    r = dk(f"build -t fail:1 {tmp_path}", env=CLASSIC)
    assert r.code == 1
    # a daemon error: prefixed (the wording of the parse error is the builder's)
    assert re.fullmatch(re.escape(BANNER) + r"Error response from daemon: dockerfile parse error (on )?line 2: "
                        r"unknown instruction: FROBNICATE\n", r.err)
    r = dk(f"build -f {tmp_path}/nosuch {tmp_path}", env=CLASSIC)
    assert (r.code, r.err) == (1, BANNER + "unable to prepare context: unable to evaluate symlinks in Dockerfile path: "
                                           f"lstat {tmp_path}/nosuch: no such file or directory\n")
    r = dk("build /nonexistent/dir", env=CLASSIC)
    assert (r.code, r.err) == (1, BANNER + 'unable to prepare context: path "/nonexistent/dir" not found\n')


def test_build_quiet_and_buildkit(dk, tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM bb:1\nRUN echo hi > /f\nCMD [\"sh\"]\n")
    r = dk(f"build -q -t q:1 {tmp_path}", env=CLASSIC)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}\n", r.out) and r.err == BANNER
    r = dk(f"build -t bk:1 {tmp_path}")
    assert r.code == 0 and r.out == "" and "naming to docker.io/library/bk:1 done" in r.err
    hist = dk("image history bk:1").out.splitlines()
    assert hist[0].split()[:5] == ["IMAGE", "CREATED", "CREATED", "BY", "SIZE"]
    assert "RUN /bin/sh -c echo hi > /f # buildkit" in hist[2] and "buildkit.dockerfile.v0" in hist[2]
    assert hist[2].startswith("<missing>")
    r = dk("build -q -", stdin=b"FROM bb:1\nRUN echo x > /x\n")
    assert re.fullmatch(r"sha256:[0-9a-f]{64}\n", r.out)


def test_image_inspect(dk):
    r = dk("image inspect bb:1")
    doc = json.loads(r.out)
    assert r.out.startswith("[\n    {\n        \"Id\": \"sha256:") and r.out.endswith("\n    }\n]\n")
    real = json.loads(observed("docker image inspect bb:1").out)
    assert doc[0]["RootFS"] == real[0]["RootFS"] and doc[0]["Size"] == real[0]["Size"] == 3031200
    assert list(doc[0]) == [k for k in real[0] if k not in ("Container", "ContainerConfig", "VirtualSize")]
    assert dk("image inspect -f '{{json .RootFS.Layers}}' bb:1").out == \
        '["sha256:5fd5b699310386f3b318a1f9ae6bde03d3c1f9fe324df660842c35da2c70ef6c"]\n'
    assert dk("image inspect bb:1 --format '{{.Size}}'").out == "3031200\n"
    assert dk("image inspect -f '{{.Config.Cmd}} {{.Config.Labels}} {{.Parent}}|' bb:1").out == "[] map[] |\n"
    assert dk("inspect -f '{{.Os}}/{{.Architecture}}' bb:1").out == "linux/amd64\n"
    r = dk("image inspect nosuch")
    assert (r.code, r.out, r.err) == (1, "[]\n", "Error response from daemon: No such image: nosuch:latest\n")
    r = dk("inspect nosuch")
    real = observed("docker inspect nosuch")
    assert (r.code, r.out, r.err) == (real.code, real.out, real.err)
    r = dk("image inspect -f '{{.Nope}}' bb:1")
    assert (r.code, r.err) == (1, 'template parsing error: template: :1:2: executing "" at <.Nope>: map has no '
                                  'entry for key "Nope"\n')
    r = dk("inspect -f '{{.Id' bb:1")
    assert (r.code, r.err) == (64, "template parsing error: template: :1: unclosed action\n")
    r = dk("image inspect -f '{{.Id}}' bb:1 nosuch")
    assert r.code == 1 and re.fullmatch(r"sha256:[0-9a-f]{64}\n", r.out)


def test_container_inspect(dk):
    dk("run --name ci bb:1 true")
    doc = json.loads(dk("container inspect ci").out)[0]
    for key in ("Id", "Created", "Path", "Args", "State", "Image", "Name", "HostConfig", "GraphDriver", "Mounts",
                "Config", "NetworkSettings"):
        assert key in doc
    assert doc["Name"] == "/ci" and doc["State"]["Status"] == "exited" and doc["Config"]["Image"] == "bb:1"
    assert dk("inspect -f '{{.SizeRw}}' ci").out == "<nil>\n"
    assert dk("inspect -s -f '{{.SizeRw}} {{.SizeRootFs}}' ci").out == "0 3031200\n"
    assert '"SizeRw": 0,\n' in dk("inspect -s ci").out
    assert dk("inspect -f '{{json .State}}' ci").out.startswith('{"Status":"exited","Running":false,"Paused":false,')
    r = dk("container inspect nosuch")
    assert (r.code, r.out, r.err) == (1, "[]\n", "Error response from daemon: No such container: nosuch\n")


def test_tag_and_rmi(dk):
    assert (dk("tag bb:1 other:2").code, dk("images -q other").out.count("\n")) == (0, 1)
    r = dk("tag nosuch x:1")
    assert (r.code, r.err) == (1, "Error response from daemon: No such image: nosuch:latest\n")
    r = dk("rmi other:2")
    assert (r.code, r.out) == (0, "Untagged: other:2\n")
    r = dk("rmi nosuch:1")
    assert (r.code, r.err) == (1, observed("docker rmi nosuch:1").err)
    r = dk("rmi -f nosuch")
    assert (r.code, r.err) == (0, "Error response from daemon: No such image: nosuch:latest\n")
    dk("run --name user bb:1 true")
    r = dk("rmi bb:1")
    assert r.code == 1 and r.err.startswith("Error response from daemon: conflict: unable to ")
    r = dk("rmi -f bb:1")
    assert r.code == 0 and r.out.startswith("Untagged: bb:1\n")
    assert dk("ps -a --format '{{.Image}}'").out == dk.engine.container("user").image.id[7:19] + "\n"


def test_import(dk, busybox_tar, tmp_path):
    p = tmp_path / "rootfs.tar"
    p.write_bytes(busybox_tar)
    r = dk(f"import {p} imp:1")
    assert re.fullmatch(r"sha256:[0-9a-f]{64}\n", r.out)
    assert dk("image inspect -f '{{json .RootFS.Layers}}' imp:1").out == \
        '["sha256:5fd5b699310386f3b318a1f9ae6bde03d3c1f9fe324df660842c35da2c70ef6c"]\n'
    r = dk("import - imp:2", stdin=busybox_tar)
    assert r.code == 0 and dk("history --format '{{.Comment}}' imp:2").out == "Imported from -\n"
    r = dk("import -m 'my msg' - imp:3", stdin=busybox_tar)
    assert dk("history --format '{{.Comment}}' imp:3").out == "my msg\n"
    r = dk(f"import {tmp_path}/nosuch.tar")
    assert (r.code, r.err) == (1, f"open {tmp_path}/nosuch.tar: no such file or directory\n")
