"""Engine behaviour observed on the real Docker Engine (20.10 oracle, bb:1), checked on the
facade itself: the process environment, the user a process runs as, restart bookkeeping."""
from __future__ import annotations

import pytest

from layerlab.engine import RunError


def test_user_hostname_env_wins_over_the_default(engine):
    """`-e HOSTNAME=foo` reaches the process: moby appends the config env after the daemon's
    HOSTNAME (ReplaceOrAppendEnvValues)."""
    c = engine.run("bb:1", ["sh", "-c", 'echo "$HOSTNAME"'], env={"HOSTNAME": "foo"})
    assert c.logs == b"foo\n"


def test_hostname_env_defaults_to_the_short_id(engine):
    """Without -e HOSTNAME the process sees the container's short ID."""
    c = engine.run("bb:1", ["sh", "-c", 'echo "$HOSTNAME"'])
    assert c.logs == f"{c.short_id}\n".encode()


def test_numeric_user_not_in_passwd_gets_gid_0(engine):
    """`docker run -u 1000 bb:1 id` prints uid=1000 gid=0(root): a uid with no passwd entry
    keeps the default group 0 (moby/sys/user GetExecUser)."""
    c = engine.run("bb:1", ["id"], user="1000")
    assert c.logs.startswith(b"uid=1000 gid=0(root)")


def test_numeric_user_in_passwd_gets_its_group(engine):
    """`-u 65534` is nobody: the group comes from nobody's passwd entry."""
    c = engine.run("bb:1", ["id"], user="65534")
    assert c.logs.startswith(b"uid=65534(nobody) gid=65534(nobody)")


def test_classic_build_user_uid_only_gets_gid_0(engine):
    """`USER 1000` then `RUN touch`: the file is owned 1000:0 (observed, classic builder)."""
    img = engine.build("FROM bb:1\nUSER 1000\nRUN touch /tmp/z\n", {}, buildkit=False).image
    from layerlab.fs.rootfs import RootFS
    node = RootFS([img.flat]).stat("/tmp/z")
    assert (node.uid, node.gid) == (1000, 0)


def test_exec_runs_as_the_containers_user(engine):
    """`docker run -u 1000:1000 -d ...; docker exec c id` prints uid=1000 gid=1000."""
    engine.run("bb:1", ["sleep", "1000"], detach=True, name="c2", user="1000:1000")
    assert engine.exec("c2", ["id"]).output.startswith("uid=1000 gid=1000")


def test_exec_user_overrides_the_containers_user(engine):
    """`docker exec -u 1000 c1 id` prints uid=1000 gid=0(root)."""
    engine.run("bb:1", ["sleep", "1000"], detach=True, name="c1")
    assert engine.exec("c1", ["id"], user="1000").output.startswith("uid=1000 gid=0(root)")


def test_exec_unknown_user_exits_126(engine):
    """`docker exec -u nouser c1 id` exits 126: unable to find user nouser."""
    engine.run("bb:1", ["sleep", "1000"], detach=True, name="c1")
    with pytest.raises(RunError) as info:
        engine.exec("c1", ["id"], user="nouser")
    assert info.value.exit_code == 126
    assert str(info.value) == "unable to find user nouser: no matching entries in passwd file"


def test_restart_keeps_restart_count(engine):
    """`docker restart` does not count as a policy restart: RestartCount stays 0 (observed)."""
    engine.run("bb:1", ["sleep", "1000"], detach=True, name="c1")
    assert engine.restart("c1", 1).restart_count == 0
