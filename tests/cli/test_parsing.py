"""Command-line parsing: flags, argument counts, unknown commands, help. The expected texts are
what the real docker 28.2.2 client prints for the same command lines (no daemon is needed to
produce them; recorded on the oracle machine with /usr/local/bin/docker)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from layerlab.cli import flags as FL

REAL = {
    "diff": (1, "docker: 'docker diff' requires 1 argument\n\nUsage:  docker diff CONTAINER\n\n"
                "Run 'docker diff --help' for more information\n"),
    "run --foo": (125, "unknown flag: --foo\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n"
                       "Run 'docker run --help' for more information\n"),
    "ps -z": (125, "unknown shorthand flag: 'z' in -z\n\nUsage:  docker ps [OPTIONS]\n\n"
                   "Run 'docker ps --help' for more information\n"),
    "stop -t abc x": (125, 'invalid argument "abc" for "-t, --timeout" flag: strconv.ParseInt: parsing "abc": '
                           "invalid syntax\n\nUsage:  docker stop [OPTIONS] CONTAINER [CONTAINER...]\n\n"
                           "Run 'docker stop --help' for more information\n"),
    "run": (1, "docker: 'docker run' requires at least 1 argument\n\nUsage:  docker run [OPTIONS] IMAGE "
               "[COMMAND] [ARG...]\n\nSee 'docker run --help' for more information\n"),
    "foo": (1, "docker: unknown command: docker foo\n\nRun 'docker --help' for more information\n"),
    "volume foo": (1, "docker: unknown command: docker volume foo\n\nUsage:  docker volume COMMAND\n\n"
                      "Run 'docker volume --help' for more information\n"),
    "ps extra": (1, "docker: 'docker ps' accepts no arguments\n\nUsage:  docker ps [OPTIONS]\n\n"
                    "Run 'docker ps --help' for more information\n"),
    "images a b": (1, "docker: 'docker images' requires at most 1 argument\n\nUsage:  docker images [OPTIONS] "
                      "[REPOSITORY[:TAG]]\n\nSRun 'docker images --help' for more information\n"),
    "tag a": (1, "docker: 'docker tag' requires 2 arguments\n\nUsage:  docker tag SOURCE_IMAGE[:TAG] "
                 "TARGET_IMAGE[:TAG]\n\nRun 'docker tag --help' for more information\n"),
    "image inspect": (1, "docker: 'docker image inspect' requires at least 1 argument\n\nUsage:  docker image "
                         "inspect [OPTIONS] IMAGE [IMAGE...]\n\nSee 'docker image inspect --help' for more information\n"),
    "run --name": (125, "flag needs an argument: --name\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n"
                        "Run 'docker run --help' for more information\n"),
    "run -e": (125, "flag needs an argument: 'e' in -e\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n"
                    "Run 'docker run --help' for more information\n"),
    "image history -H=false": (1, "docker: 'docker image history' requires 1 argument\n\nUsage:  docker image "
                                  "history [OPTIONS] IMAGE\n\nRun 'docker image history --help' for more information\n"),
    "rm -fz x": (125, "unknown shorthand flag: 'z' in -z\n\nUsage:  docker rm [OPTIONS] CONTAINER [CONTAINER...]\n\n"
                      "Run 'docker rm --help' for more information\n"),
    "exec x": (1, "docker: 'docker exec' requires at least 2 arguments\n\nUsage:  docker exec [OPTIONS] CONTAINER "
                  "COMMAND [ARG...]\n\nSee 'docker exec --help' for more information\n"),
    "run --rm=foo x": (125, 'invalid argument "foo" for "--rm" flag: strconv.ParseBool: parsing "foo": invalid '
                            "syntax\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n"
                            "Run 'docker run --help' for more information\n"),
    "ps -n abc": (125, 'invalid argument "abc" for "-n, --last" flag: strconv.ParseInt: parsing "abc": invalid '
                       "syntax\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n"),
    "commit": (1, "docker: 'docker commit' requires at least 1 and at most 2 arguments\n\nUsage:  docker commit "
                  "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]\n\nRun 'docker commit --help' for more information\n"),
    "--foo": (125, "unknown flag: --foo\n\nUsage:  docker [OPTIONS] COMMAND [ARG...]\n\n"
                   "Run 'docker --help' for more information\n"),
    "container ps extra": (1, "docker: 'docker container ls' accepts no arguments\n\nUsage:  docker container ls "
                              "[OPTIONS]\n\nRun 'docker container ls --help' for more information\n"),
}


@pytest.mark.parametrize("cmd", sorted(REAL))
def test_usage_errors_match_the_real_client(dk, cmd):
    code, text = REAL[cmd]
    r = dk(cmd)
    assert (r.code, r.out, r.err) == (code, "", text)


def test_version_flag(dk):
    assert dk("--version").out == "Docker version 28.2.2, build e6534b4\n"
    assert dk("-v").out == "Docker version 28.2.2, build e6534b4\n"


def test_help_goes_to_stdout_and_group_help_to_stderr(dk):
    r = dk("ps --help")
    assert r.code == 0 and r.out.startswith("Usage:  docker ps [OPTIONS]\n\nList containers\n") and not r.err
    r = dk("volume")
    assert r.code == 0 and r.err.startswith("Usage:  docker volume COMMAND\n") and not r.out
    r = dk("")
    assert r.code == 0 and r.err.startswith("Usage:  docker [OPTIONS] COMMAND\n")
    assert dk("image ls -h").out.startswith("Usage:  docker image ls [OPTIONS] [REPOSITORY[:TAG]]\n")


def test_pflag_forms():
    spec = FL.spec_for("docker history")
    p = FL.parse(spec, ["-H=false", "--no-trunc", "img"])
    assert p["human"] is False and p["no-trunc"] is True and p.args == ["img"]
    p = FL.parse(spec, ["img", "--format={{.ID}}", "-q"])        # interspersed
    assert p["format"] == "{{.ID}}" and p["quiet"] and p.args == ["img"]
    spec = FL.spec_for("docker run")
    p = FL.parse(spec, ["-dit", "--rm", "-e", "A=1", "-eB=2", "--name=c", "img", "sh", "-c", "ls -l"])
    assert p["detach"] and p["interactive"] and p["tty"] and p["rm"]
    assert p["env"] == ["A=1", "B=2"] and p["name"] == "c"
    assert p.args == ["img", "sh", "-c", "ls -l"]                  # flags stop at the image
    p = FL.parse(spec, ["--", "img", "--rm"])
    assert p.args == ["img", "--rm"] and not p["rm"]
    spec = FL.spec_for("docker ps")
    assert FL.parse(spec, ["-n", "-1"])["last"] == -1
    assert FL.parse(spec, ["--last=0x10"])["last"] == 16


def test_flags_come_from_docker_help():
    spec = FL.spec_for("docker run")
    for name in ("volume", "mount", "tmpfs", "read-only", "entrypoint", "workdir", "user", "env", "network"):
        assert name in spec.flags
    assert spec.shorts["v"].name == "volume" and spec.shorts["w"].name == "workdir"
    assert FL.spec_for("docker build").flags["rm"].default is True
    assert FL.spec_for("docker stop").flags["time"].kind == FL.INT     # hidden, still accepted


@pytest.mark.skipif(not shutil.which("docker"), reason="no docker client on PATH")
@pytest.mark.parametrize("cmd", ["diff", "run --foo", "ps extra", "images a b", "tag a", "stop -t abc x",
                                 "volume foo", "container ps extra", "rm -fz x", "exec x"])
def test_same_as_the_installed_client(dk, cmd):
    """Where a docker client is installed, compare with it directly (no daemon needed)."""
    real = subprocess.run(["docker", *cmd.split()], capture_output=True, text=True,
                          env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/nonexistent",
                               "DOCKER_HOST": "unix:///nonexistent.sock"})
    if "Docker version 28." not in subprocess.run(["docker", "--version"], capture_output=True, text=True).stdout:
        pytest.skip("the installed client is not docker 28")
    r = dk(cmd)
    assert (r.code, r.out, r.err) == (real.returncode, real.stdout, real.stderr)
