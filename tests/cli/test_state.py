"""The CLI's persistent engine: atomic saves, the lock, corrupted files, read-only commands."""
from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

from layerlab import state

ROOT = Path(__file__).resolve().parents[2]


def cli(home, *args, stdin: bytes | None = None, env: dict | None = None):
    e = {**os.environ, "LAYERLAB_HOME": str(home), "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "layerlab.cli", *args], input=stdin, capture_output=True, env=e)


def test_home_resolution(tmp_path):
    assert state.home({"LAYERLAB_HOME": str(tmp_path / "x")}) == str(tmp_path / "x")
    assert state.home({"XDG_DATA_HOME": str(tmp_path)}) == str(tmp_path / "layerlab")
    assert state.home({}).endswith(os.path.join(".local", "share", "layerlab"))


def _db(home):
    import sqlite3
    return sqlite3.connect(str(home / "store.db"))


def _root(home) -> bytes:
    with contextlib.closing(_db(home)) as c:
        return c.execute("SELECT data FROM objects WHERE key = 'root'").fetchone()[0]


def _keys(home) -> set[str]:
    with contextlib.closing(_db(home)) as c:
        return {k for (k,) in c.execute("SELECT key FROM objects")}


def _stamp(home):
    """What a write would change: the database file and its write-ahead log."""
    out = []
    for name in ("store.db", "store.db-wal"):
        try:
            st = (home / name).stat()
        except FileNotFoundError:
            out.append(None)
        else:
            out.append((st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(out)


def test_state_persists_between_processes(tmp_path, busybox_tar):
    r = cli(tmp_path, "import", "-", "bb:1", stdin=busybox_tar)
    assert r.returncode == 0 and r.stdout.startswith(b"sha256:"), r.stderr
    r = cli(tmp_path, "run", "--name", "c1", "bb:1", "sh", "-c", "echo hi > /f")
    assert r.returncode == 0, r.stderr
    r = cli(tmp_path, "diff", "c1")
    assert (r.returncode, r.stdout, r.stderr) == (0, b"A /f\n", b"")
    r = cli(tmp_path, "ps", "-a", "--format", "{{.Names}} {{.Status}}")
    assert r.stdout.startswith(b"c1 Exited (0) ")
    assert sorted(os.listdir(tmp_path)) == ["state.lock", "store.db"]
    assert _root(tmp_path).startswith(b"LAYERLAB-STATE 4 ")


def test_the_root_is_small_and_layers_are_records_of_their_own(tmp_path, busybox_tar):
    """The engine's heavy parts are records a command reads only when it needs them: the root
    every command reads stays small however many images the store holds."""
    cli(tmp_path, "import", "-", "bb:1", stdin=busybox_tar)
    for i in range(3):
        assert cli(tmp_path, "run", "--name", f"c{i}", "bb:1", "sh", "-c", f"echo {i} > /f{i}").returncode == 0
        assert cli(tmp_path, "commit", f"c{i}", f"img{i}").returncode == 0
    keys = _keys(tmp_path)
    assert sum(k.startswith("L:") for k in keys) >= 4          # the imported layer, 3 commits (+ init layers)
    assert any(k.startswith("F:") for k in keys)              # flattened image views
    assert len(_root(tmp_path)) < 60_000


def test_a_read_only_command_reads_no_layer_it_does_not_need(tmp_path, busybox_tar):
    from layerlab.cli import main

    cli(tmp_path, "import", "-", "bb:1", stdin=busybox_tar)
    cli(tmp_path, "run", "--name", "c1", "bb:1", "sh", "-c", "echo hi > /f")
    state._last.clear()
    state._sources.clear()
    old = os.environ.get("LAYERLAB_HOME")
    os.environ["LAYERLAB_HOME"] = str(tmp_path)
    try:
        for argv in (["ps", "-a", "-s"], ["images"], ["history", "bb:1"], ["image", "inspect", "bb:1"],
                     ["info"], ["system", "df"], ["volume", "ls"]):
            assert main(argv) == 0, argv
            src = state._sources[str(tmp_path)]
            loaded = [k for k, o in src.memo.items() if "_store_src" not in o.__dict__]
            assert loaded == [], (argv, loaded)
        assert main(["diff", "c1"]) == 0
    finally:
        if old is None:
            os.environ.pop("LAYERLAB_HOME")
        else:
            os.environ["LAYERLAB_HOME"] = old
        state._last.clear()
        state._sources.clear()


def test_read_only_commands_do_not_rewrite(tmp_path, busybox_tar):
    cli(tmp_path, "import", "-", "bb:1", stdin=busybox_tar)
    before = _stamp(tmp_path), _root(tmp_path)
    for args in (["ps", "-a"], ["images"], ["image", "inspect", "bb:1"], ["history", "bb:1"], ["info"],
                 ["system", "df"], ["volume", "ls"]):
        assert cli(tmp_path, *args).returncode == 0
    assert (_stamp(tmp_path), _root(tmp_path)) == before


def test_two_processes_at_once_lose_nothing(tmp_path):
    """Two writers racing: each command holds the lock for its whole read-modify-write."""
    script = ("import sys\nfrom layerlab.cli import main\n"
              "for i in range(12):\n    assert main(['volume', 'create', f'{sys.argv[1]}{i:02d}']) == 0\n")
    env = {**os.environ, "LAYERLAB_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    # start from an existing state so both processes race on the same store
    assert cli(tmp_path, "volume", "create", "seed").returncode == 0
    procs = [subprocess.Popen([sys.executable, "-c", script, p], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) for p in ("a", "b")]
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stderr.read()
    names = cli(tmp_path, "volume", "ls", "-q").stdout.decode().split()
    assert sorted(names) == sorted(["seed"] + [f"{p}{i:02d}" for p in "ab" for i in range(12)])


def test_kill_9_loses_at_most_the_command_in_flight(tmp_path, busybox_tar):
    """A writer killed with SIGKILL at an arbitrary moment: the store opens, and holds every
    command that finished (volumes v000, v001 ... with no gap), plus perhaps the one in flight."""
    import signal
    import time

    cli(tmp_path, "import", "-", "bb:1", stdin=busybox_tar)
    script = ("import sys\nfrom layerlab.cli import main\n"
              "for i in range(10000):\n"
              "    assert main(['run', '--name', f'c{i:03d}', '-v', f'v{i:03d}:/data', 'bb:1', 'sh', '-c', 'echo x > /data/f']) == 0\n"
              "    print(i, flush=True)\n")
    env = {**os.environ, "LAYERLAB_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    for delay in (1.5, 2.3):
        proc = subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        done = proc.stdout.read().decode().split()
        proc.wait()
        r = cli(tmp_path, "volume", "ls", "-q")
        assert r.returncode == 0, r.stderr
        vols = sorted(r.stdout.decode().split())
        assert vols == [f"v{i:03d}" for i in range(len(vols))]       # no gap, nothing half-written
        assert len(vols) >= (int(done[-1]) + 1 if done else 0)
        assert cli(tmp_path, "rm", *[f"c{i:03d}" for i in range(len(vols))]).returncode == 0 if vols else True
        assert cli(tmp_path, "volume", "prune", "-a", "-f").returncode == 0
        assert cli(tmp_path, "volume", "ls", "-q").stdout == b""


def test_corrupted_state_is_an_error_and_is_kept(tmp_path):
    bad = b"SQLite format 3\x00 but not really a database" * 20
    (tmp_path / "store.db").write_bytes(bad)
    r = cli(tmp_path, "ps")
    assert r.returncode == 1 and r.stdout == b""
    assert r.stderr.startswith(b"layerlab: the state file " + str(tmp_path / "store.db").encode() +
                               b" cannot be read ("), r.stderr
    assert b"It was left untouched" in r.stderr and b"Traceback" not in r.stderr
    r = cli(tmp_path, "volume", "create", "vv")
    assert r.returncode == 1
    assert (tmp_path / "store.db").read_bytes() == bad


def test_a_format_2_store_is_migrated_once_and_kept(tmp_path, busybox_tar):
    """The previous format (one pickle of the whole engine) is read once, written as records,
    and kept beside them as state.pickle.v2."""
    import copyreg
    import hashlib
    import io
    import pickle
    import types
    from layerlab.engine import Engine

    eng = Engine()
    eng.import_tar(busybox_tar, "bb:1")
    eng.volume_create("keep")

    class V2(pickle.Pickler):           # format 2 as layerlab 0.1.0 wrote it
        dispatch_table = {**copyreg.dispatch_table, types.MappingProxyType: lambda m: (state._mappingproxy, (dict(m),))}

        def persistent_id(self, obj):
            if type(obj) is bytes and len(obj) >= 64 * 1024:
                key = hashlib.sha256(obj).hexdigest()
                (tmp_path / "blobs").mkdir(exist_ok=True)
                (tmp_path / "blobs" / key).write_bytes(obj)
                return key
            return None

    buf = io.BytesIO()
    V2(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(eng)
    (tmp_path / "state.pickle").write_bytes(b"LAYERLAB-STATE 2 0.1.0\n" + buf.getvalue())
    assert (tmp_path / "blobs").is_dir()
    r = cli(tmp_path, "volume", "ls", "-q")
    assert (r.returncode, r.stdout) == (0, b"keep\n"), r.stderr
    assert sorted(os.listdir(tmp_path)) == ["state.lock", "state.pickle.v2", "store.db"]
    assert cli(tmp_path, "run", "--rm", "bb:1", "cat", "/data/small.txt").stdout == b"hello\n"


def test_a_broken_format_2_store_is_refused_and_kept(tmp_path):
    bad = b"LAYERLAB-STATE 2 0.1.0\nnot a pickle"
    (tmp_path / "state.pickle").write_bytes(bad)
    r = cli(tmp_path, "ps")
    assert r.returncode == 1 and r.stdout == b""
    assert r.stderr.startswith(b"layerlab: the state file " + str(tmp_path / "state.pickle").encode() +
                               b" cannot be read ("), r.stderr
    assert b"It was left untouched" in r.stderr and b"Traceback" not in r.stderr
    assert (tmp_path / "state.pickle").read_bytes() == bad
    (tmp_path / "state.pickle").write_bytes(b"garbage")
    r = cli(tmp_path, "images")
    assert r.returncode == 1 and b"is not a layerlab state" in r.stderr
    (tmp_path / "state.pickle").write_bytes(b"LAYERLAB-STATE 99 9.9\n")
    r = cli(tmp_path, "images")
    assert r.returncode == 1 and b"has format 99" in r.stderr
    assert not (tmp_path / "store.db").exists()


def test_failed_command_saves_docker_side_effects(tmp_path, busybox_tar):
    cli(tmp_path, "import", "-", "bb:1", stdin=busybox_tar)
    r = cli(tmp_path, "run", "--name", "nf", "bb:1", "nosuchcmd")
    assert r.returncode == 127
    # docker keeps the container it created (state Created)
    assert cli(tmp_path, "ps", "-a", "--format", "{{.Names}} {{.Status}}").stdout == b"nf Created\n"


def test_internal_errors_are_not_tracebacks(monkeypatch, capfd, tmp_path):
    from layerlab.cli import commands, main
    monkeypatch.setenv("LAYERLAB_HOME", str(tmp_path))

    def boom(cli, opts):
        raise ZeroDivisionError("oops")
    monkeypatch.setitem(commands.COMMANDS, "docker ps", (boom, 0, 0))
    assert main(["ps"]) == 1
    out, err = capfd.readouterr()
    assert err == "layerlab: internal error: ZeroDivisionError: oops\n" and out == ""
    # nothing was saved by the failed command
    assert not (tmp_path / "store.db").exists()


def test_big_bytes_live_in_blobs(tmp_path, busybox_tar):
    """Imported tars and big file contents are stored once, by hash; the root stays small,
    and blobs nothing uses any more are deleted."""
    import hashlib
    cli(tmp_path, "import", "-", "bb:1", stdin=busybox_tar)
    blobs = lambda: {k for k in _keys(tmp_path) if k.startswith("B:")}  # noqa: E731
    names = blobs()
    assert "B:" + hashlib.sha256(busybox_tar).hexdigest() in names      # the imported tar itself
    assert len(_root(tmp_path)) < 200_000
    cli(tmp_path, "import", "-", "bb:2", stdin=busybox_tar)             # the same bytes: no new blob
    assert blobs() == names
    cli(tmp_path, "run", "--name", "big", "bb:1", "sh", "-c", "dd if=/dev/zero of=/z bs=1000 count=300 2>/dev/null")
    grown = blobs()
    assert names <= grown
    cli(tmp_path, "rm", "big")
    assert names <= blobs() <= grown
    assert cli(tmp_path, "run", "--rm", "bb:1", "cat", "/data/small.txt").stdout == b"hello\n"


def test_missing_record_is_reported(tmp_path, busybox_tar):
    cli(tmp_path, "import", "-", "bb:1", stdin=busybox_tar)
    with contextlib.closing(_db(tmp_path)) as c:
        c.execute("DELETE FROM objects WHERE key LIKE 'L:%'")
        c.commit()
    r = cli(tmp_path, "run", "--rm", "bb:1", "true")
    assert r.returncode == 1 and b"is missing record L:" in r.stderr and b"It was left untouched" in r.stderr, r.stderr


def test_commands_that_change_nothing_do_not_rewrite(tmp_path, busybox_tar, monkeypatch, capsys):
    """In one process (the notebook magic, the conformance harness): a command that fails, or
    changes nothing, pickles to the bytes the state file holds, so the file is not rewritten.
    A refused `run` draws no container ID (moby validates mounts before it makes one)."""
    from layerlab.cli import main

    home = tmp_path / "home"
    tar = tmp_path / "bb.tar"
    tar.write_bytes(busybox_tar)
    monkeypatch.setenv("LAYERLAB_HOME", str(home))
    assert main(["import", str(tar), "bb:1"]) == 0
    assert main(["volume", "create", "ok1"]) == 0

    def stamp():
        return _stamp(home), _root(home)

    before = stamp()
    for argv, rc in ((["volume", "create", "x"], 1), (["rm", "nosuch"], 1), (["volume", "create", "ok1"], 0),
                     (["run", "--rm", "--mount", f"type=bind,source={tmp_path}/nope,target=/b", "bb:1", "true"], 125),
                     (["kill", "nosuch"], 1)):
        assert main(argv) == rc, argv
        assert stamp() == before, argv
    assert main(["volume", "create", "ok2"]) == 0
    assert stamp() != before
    assert "ok2" in state.load(str(home)).volumes


def test_blobs_are_read_once_per_process(tmp_path, busybox_tar):
    """Blobs are immutable and named by their hash: a second state with the same blobs (a copy
    of the home, as the conformance harness makes) gets the bytes this process already has."""
    import hashlib
    import shutil
    from layerlab.engine import Engine

    eng = Engine()
    eng.import_tar(busybox_tar, "bb:1")
    state.save_engine(str(tmp_path / "a"), eng)
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    key = hashlib.sha256(busybox_tar).hexdigest()
    one = state.load(str(tmp_path / "a")).image("bb:1").layers[0].raw_tar
    two = state.load(str(tmp_path / "b")).image("bb:1").layers[0].raw_tar
    assert one == busybox_tar and two is one is state._blob_cache[key]
    state._blob_cache.clear()
    with contextlib.closing(_db(tmp_path / "b")) as c:     # a missing blob is still an error
        c.execute("DELETE FROM objects WHERE key = ?", ("B:" + key,))
        c.commit()
    try:
        _ = state.load(str(tmp_path / "b")).image("bb:1").layers[0].raw_tar
    except state.StateError as exc:
        assert key in str(exc)
    else:
        raise AssertionError("a missing blob must be reported")


def test_the_lock_is_a_no_op_where_fcntl_has_no_flock(tmp_path, monkeypatch):
    """Pyodide's ``fcntl`` module exists but has no ``flock`` (found by tests/lite): the lock must
    then do nothing rather than fail every command with an AttributeError."""
    import types
    monkeypatch.setitem(sys.modules, "fcntl", types.ModuleType("fcntl"))
    with state.locked(str(tmp_path / "home")):
        pass
    with state.locked(str(tmp_path / "home"), shared=True):
        pass
    assert not (tmp_path / "home" / state.LOCK_FILE).exists()   # nothing to lock, nothing made
