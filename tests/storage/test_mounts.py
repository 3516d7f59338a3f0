"""Bind mounts, tmpfs, read-only, and the mount namespace's kernel rules (EXDEV, EROFS, ENOSPC,
EBUSY), through the Engine; plus docker's ``-v``/``--mount``/``--tmpfs`` syntaxes and errors."""
from __future__ import annotations

import errno
import os

import pytest

from layerlab.errors import InvalidParameter, NotSupported
from layerlab.storage.mounts import (BindMount, HostDirFS, MemFS, TmpfsMount, VolumeMount, parse_mount_spec,
                             parse_tmpfs_spec, parse_volume_spec)
from layerlab.storage.hooks import tmpfs_mount_options


def err(exc_info) -> int:
    return exc_info.value.errno


def started(engine, **kw):
    c = engine.create("bb:1", ["true"], **kw)
    engine.hooks.on_start(c)
    return c


# ------------------------------------------------------------------------- parsing
@pytest.mark.parametrize("raw,want", [
    ("/scratch", VolumeMount("/scratch")),
    ("data:/srv", VolumeMount("/srv", "data")),
    ("data:/srv:ro", VolumeMount("/srv", "data", True, mode="ro")),
    ("data:/srv:nocopy", VolumeMount("/srv", "data", nocopy=True, mode="nocopy")),
    ("/h/d:/b", BindMount("/h/d", "/b", create_source=True)),
    ("/h/d:/b:ro,rshared", BindMount("/h/d", "/b", True, True, "rshared", "ro,rshared")),
    ("/h/../x/:/b/", BindMount("/x", "/b", create_source=True)),
])
def test_parse_volume_spec(raw, want):
    assert parse_volume_spec(raw) == want


@pytest.mark.parametrize("raw,msg", [
    (":/x", "invalid volume specification: ':/x'"),
    ("/x:rw", "invalid volume specification: '/x:rw'"),
    ("a:/x:bogus", "invalid mode: bogus"),
    ("a:/x:ro,rw", "invalid mode: ro,rw"),
    ("a:b:c:d:e", "invalid volume specification: 'a:b:c:d:e'"),
    ("vol:relative", "invalid volume specification: 'vol:relative': invalid mount path: 'relative' mount path must be absolute"),
    ("vol:/", "invalid volume specification: 'vol:/': invalid specification: destination can't be '/'"),
])
def test_parse_volume_spec_errors(raw, msg):
    with pytest.raises(InvalidParameter) as e:
        parse_volume_spec(raw)
    assert str(e.value) == msg


@pytest.mark.parametrize("raw,want", [
    ("type=volume,source=v,target=/d", VolumeMount("/d", "v")),
    ("src=v,dst=/d,readonly", VolumeMount("/d", "v", True)),
    ("type=volume,destination=/d,volume-nocopy=true", VolumeMount("/d", "", nocopy=True)),
    ("type=bind,source=/h,target=/b,ro=true", BindMount("/h", "/b", True)),
    ("type=bind,source=/h,target=/b,bind-propagation=rslave", BindMount("/h", "/b", propagation="rslave")),
    ("type=tmpfs,destination=/x,tmpfs-size=1m,tmpfs-mode=1770", TmpfsMount("/x", 1 << 20, 0o1770)),
    ("type=tmpfs,dst=/x", TmpfsMount("/x")),
])
def test_parse_mount_spec(raw, want):
    assert parse_mount_spec(raw) == want


@pytest.mark.parametrize("raw,msg", [
    ("type=bind,source=/h", "target is required"),
    ("type=bind,target=/b,foo=bar", "unexpected key 'foo' in 'foo=bar'"),
    ("type=bind,target=/b,oops", "invalid field 'oops' must be a key=value pair"),
    ("type=bind,target=/b,readonly=maybe", "invalid value for readonly: maybe"),
    ("type=tmpfs,target=/b,tmpfs-size=lots", "invalid value for tmpfs-size: lots"),
    ("type=bind,source=/h,target=/b,volume-nocopy", "cannot mix 'volume-*' options with mount type 'bind'"),
    ("type=volume,target=/b,tmpfs-mode=700", "cannot mix 'tmpfs-*' options with mount type 'volume'"),
    ("type=bind,target=/b", 'invalid mount config for type "bind": field Source must not be empty'),
    ("type=tmpfs,source=x,target=/b", 'invalid mount config for type "tmpfs": field Source must not be specified'),
    ("type=bind,source=rel,target=/b", "invalid mount config for type \"bind\": invalid mount path: 'rel' mount path must be absolute"),
    ("type=volume,target=rel", "invalid mount config for type \"volume\": invalid mount path: 'rel' mount path must be absolute"),
    ("type=weird,target=/b", 'invalid mount config for type "weird": mount type unknown'),
])
def test_parse_mount_spec_errors(raw, msg):
    with pytest.raises(InvalidParameter) as e:
        parse_mount_spec(raw)
    assert str(e.value) == msg


def test_parse_tmpfs_spec():
    assert parse_tmpfs_spec("/run:rw,noexec,nosuid,size=65536k") == TmpfsMount(
        "/run", 65536 * 1024, 0o1777, False, "rw,noexec,nosuid,size=65536k")
    assert parse_tmpfs_spec("/run", "mode=700").mode == 0o700


def test_duplicate_mount_point(engine):
    with pytest.raises(InvalidParameter, match=r"^Duplicate mount point: /x$"):
        engine.create("bb:1", ["true"], volumes=["a1:/x"], tmpfs=["/x"])


# ------------------------------------------------------------------------- bind mounts
def test_v_bind_creates_missing_host_dir(engine):
    c = started(engine, volumes=["/srv/missing/sub:/b"])
    host = engine.hooks.host
    assert host.is_dir("/srv/missing/sub")
    c.fs.write("/b/f", b"hi\n")
    assert host.read_bytes("/srv/missing/sub/f") == b"hi\n"
    assert [str(ch) for ch in engine.diff(c.id)] == ["A /b"]     # only the mount point
    assert engine.size(c.id).rw == 0


def test_mount_bind_refuses_missing_source(engine):
    with pytest.raises(InvalidParameter) as e:
        engine.create("bb:1", ["true"], mounts=["type=bind,source=/nosuch-src,target=/b"])
    assert str(e.value) == 'invalid mount config for type "bind": bind source path does not exist: /nosuch-src'
    assert engine.ps(all=True) == []


def test_bind_hides_image_content_and_copies_nothing(engine):
    engine.hooks.host.makedirs("/h")
    engine.hooks.host.write("/h/mine", b"m")
    c = started(engine, volumes=["/h:/data/dir"])
    assert c.fs.listdir("/data/dir") == ["mine"]
    assert engine.hooks.host.listdir("/h") == ["mine"]
    assert engine.diff(c.id) == []                       # /data/dir existed in the image


def test_bind_real_host_folder(engine, tmp_path):
    engine.hooks.host = HostDirFS("/")
    src = tmp_path / "src"
    c = started(engine, volumes=[f"{src}:/data/dir"])
    assert src.is_dir()                                   # -v created it on the real disk
    c.fs.write("/data/dir/from-ctr", b"hi\n")
    c.fs.makedirs("/data/dir/d/e")
    c.fs.symlink("/data/small.txt", "/data/dir/d/ln")
    assert (src / "from-ctr").read_bytes() == b"hi\n"
    assert os.readlink(src / "d" / "ln") == "/data/small.txt"
    # an absolute symlink inside a bind mount points into the container, not the host
    assert c.fs.read_bytes("/data/dir/d/ln") == b"hello\n"
    (src / "from-host").write_text("x")
    assert sorted(c.fs.listdir("/data/dir")) == ["d", "from-ctr", "from-host"]
    assert engine.diff(c.id) == [] and engine.size(c.id).rw == 0


def test_bind_mount_object_with_its_own_host(engine, tmp_path):
    mem = MemFS()
    mem.makedirs("/srv/site")
    mem.write("/srv/site/index.html", b"<h1>hi</h1>")
    c = started(engine, mounts=[BindMount("/srv/site", "/www", read_only=True, host=mem),
                                BindMount(str(tmp_path), "/out", host=HostDirFS("/"))])
    assert c.fs.read_bytes("/www/index.html") == b"<h1>hi</h1>"
    c.fs.write("/out/report.txt", b"done\n")
    assert (tmp_path / "report.txt").read_bytes() == b"done\n"
    assert engine.hooks.host.lookup("/srv") is None       # the engine's host was not touched


def test_bind_single_file(engine, tmp_path):
    engine.hooks.host = HostDirFS("/")
    f = tmp_path / "app.conf"
    f.write_text("k=v\n")
    c = started(engine, mounts=[f"type=bind,source={f},target=/etc/app.conf,readonly"])
    assert c.fs.read_text("/etc/app.conf") == "k=v\n"
    with pytest.raises(OSError) as e:
        c.fs.write("/etc/app.conf", b"no")
    assert err(e) == errno.EROFS
    assert [str(ch) for ch in engine.diff(c.id)] == ["C /etc", "A /etc/app.conf"]


# ------------------------------------------------------------------------- tmpfs
def test_tmpfs_starts_empty_hides_image_and_is_emptied_on_stop(engine):
    c = started(engine, tmpfs=["/data"])
    assert c.fs.listdir("/data") == []
    assert c.fs.stat("/data").mode == 0o755          # runc: the mount point's mode (OBSERVED: 755)
    c2 = started(engine, tmpfs=["/scratch"])
    assert c2.fs.stat("/scratch").mode == 0o1777      # a new mount point: tmpfs's default mode
    c.fs.write("/data/t", b"t\n")
    assert c.fs.listdir("/data") == ["t"]
    assert engine.diff(c.id) == [] and engine.size(c.id).rw == 0
    engine.hooks.on_stop(c)
    assert c.fs.listdir("/data") == []
    c.fs.write("/data/t2", b"again")
    engine.hooks.on_start(c)
    assert c.fs.listdir("/data") == []
    assert engine.hooks.container_mounts(c) == []        # --tmpfs is HostConfig.Tmpfs, not .Mounts


def test_tmpfs_size_enospc_and_mode(engine):
    c = started(engine, mounts=["type=tmpfs,destination=/x,tmpfs-size=8k,tmpfs-mode=1770"])
    assert c.fs.stat("/x").mode == 0o1770
    assert tmpfs_mount_options(c.mounts[0]) == "rw,nosuid,nodev,noexec,relatime,size=8k,mode=1770"
    c.fs.write("/x/a", b"a" * 4096)
    c.fs.write("/x/b", b"b")                 # a second page: 8 KiB used
    with pytest.raises(OSError) as e:
        c.fs.write("/x/c", b"c")
    assert err(e) == errno.ENOSPC
    assert c.fs.read_bytes("/x/c") == b""    # the file was created, nothing fitted
    with pytest.raises(OSError) as e:
        c.fs.write("/x/b", b"more" * 2000, append=True)
    assert err(e) == errno.ENOSPC
    c.fs.unlink("/x/a")
    c.fs.write("/x/c", b"c" * 100)
    (m,) = engine.hooks.container_mounts(c)
    assert m == {"Type": "tmpfs", "Source": "", "Destination": "/x", "Mode": "", "RW": True, "Propagation": ""}


def test_tmpfs_partial_write_like_the_kernel(engine):
    c = started(engine, tmpfs={"/x": "size=8k"})
    with pytest.raises(OSError) as e:
        c.fs.write("/x/big", b"z" * 10000)
    assert err(e) == errno.ENOSPC
    assert c.fs.stat("/x/big").size == 8192


# ------------------------------------------------------------------------- read-only
def test_read_only_rootfs_with_writable_tmpfs_and_volume(engine):
    c = started(engine, read_only=True, tmpfs=["/tmp"], volumes=["/icanwrite"])
    for op in (lambda: c.fs.write("/data/small.txt", b"x"), lambda: c.fs.mkdir("/newdir"),
               lambda: c.fs.unlink("/data/small.txt"), lambda: c.fs.chmod("/data", 0o700)):
        with pytest.raises(OSError) as e:
            op()
        assert err(e) == errno.EROFS
    c.fs.write("/tmp/ok", b"1")
    c.fs.write("/icanwrite/ok", b"1")
    assert [str(ch) for ch in engine.diff(c.id)] == ["A /icanwrite"]


def test_ro_mounts(engine):
    c = started(engine, volumes=["rov:/data/dir:ro"], mounts=["type=tmpfs,dst=/t,readonly"])
    assert c.fs.read_bytes("/data/dir/a") == b"a\n"      # populated even though read-only
    for op in (lambda: c.fs.write("/data/dir/a", b"x"), lambda: c.fs.unlink("/data/dir/a"),
               lambda: c.fs.mkdir("/t/d"), lambda: c.fs.utime("/data/dir/a")):
        with pytest.raises(OSError) as e:
            op()
        assert err(e) == errno.EROFS
    assert engine.hooks.container_mounts(c)[0]["RW"] is False
    assert engine.hooks.container_mounts(c)[0]["Mode"] == "ro"


# ------------------------------------------------------------------------- namespace rules
def test_rename_and_link_across_mounts_is_exdev(engine):
    c = started(engine, volumes=["v1:/data/dir", "/other"], tmpfs=["/tmp"])
    c.fs.write("/tmp/f", b"x")
    for src, dst in (("/tmp/f", "/data/f"), ("/data/small.txt", "/tmp/s"), ("/tmp/f", "/data/dir/f"),
                     ("/data/dir/a", "/other/a")):
        with pytest.raises(OSError) as e:
            c.fs.rename(src, dst)
        assert err(e) == errno.EXDEV
    with pytest.raises(OSError) as e:
        c.fs.link("/data/dir/a", "/data/a2")
    assert err(e) == errno.EXDEV
    c.fs.rename("/data/dir/a", "/data/dir/a2")        # inside one mount: fine
    assert engine.volumes.get("v1").fs.listdir("/") == ["a2", "b", "sub"]


def test_mountpoints_are_busy(engine):
    c = started(engine, volumes=["v1:/data/dir"])
    for op in (lambda: c.fs.rmdir("/data/dir"), lambda: c.fs.rename("/data/dir", "/data/d2"),
               lambda: c.fs.rename("/data", "/data2")):
        with pytest.raises(OSError) as e:
            op()
        assert err(e) == errno.EBUSY
    with pytest.raises(OSError) as e:
        c.fs.remove_tree("/data")                    # rm -rf empties the volume, then EBUSY
    assert err(e) == errno.EBUSY
    assert engine.volumes.get("v1").fs.listdir("/") == []
    assert c.fs.listdir("/data") == ["dir"]


def test_symlinks_resolve_in_the_container_namespace(engine):
    c = started(engine, volumes=["v1:/vol"])
    c.fs.symlink("/data/small.txt", "/vol/abs")
    c.fs.symlink("../data/small.txt", "/vol/rel")
    assert c.fs.read_bytes("/vol/abs") == b"hello\n"
    assert c.fs.read_bytes("/vol/rel") == b"hello\n"
    c.fs.symlink("/vol", "/tmp/tovol")
    c.fs.write("/tmp/tovol/through", b"t")
    assert engine.volumes.get("v1").fs.read_bytes("/through") == b"t"
    assert c.fs.realpath("/tmp/tovol/through") == "/vol/through"


def test_walk_crosses_mounts(engine):
    c = started(engine, volumes=["v1:/data/dir"], tmpfs=["/data/dir/sub"])
    c.fs.write("/data/dir/sub/t", b"t")
    paths = [p for p, _ in c.fs.walk("/data")]
    assert "/data/dir/a" in paths and "/data/dir/sub/t" in paths and "/data/dir/sub/c" not in paths


def test_nested_mountpoint_created_in_parent_mount(engine):
    c = started(engine, volumes=["outer:/srv"], tmpfs=["/srv/cache"])
    assert engine.volumes.get("outer").fs.is_dir("/cache")
    assert [str(ch) for ch in engine.diff(c.id)] == ["A /srv"]


def test_mountpoint_created_at_start_not_create(engine):
    c = engine.create("bb:1", ["true"], volumes=["vv:/newmount"])
    assert engine.diff(c.id) == []
    engine.hooks.on_start(c)
    assert [str(ch) for ch in engine.diff(c.id)] == ["A /newmount"]


# ------------------------------------------------------------------------- drivers via the Engine
def test_engine_driver_selection(busybox_tar):
    from layerlab import Engine

    with pytest.raises(NotSupported, match="removed in Docker Engine 25.0"):
        Engine(driver="devicemapper")
    eng = Engine(driver="devicemapper", allow_removed_drivers=True)
    assert eng.info()["Driver"] == "devicemapper"
    eng = Engine(driver="overlayfs")
    assert eng.info()["Driver"] == "overlayfs"
    assert eng.info()["DriverStatus"] == [["driver-type", "io.containerd.snapshotter.v1"]]
    with pytest.raises(NotSupported, match="driver not supported: aufs"):
        Engine(driver="aufs")


def test_etc_hosts_hostname_resolv_are_bind_mounts(engine):
    """docker bind-mounts them from containers/<id>/ (OBSERVED: etc_hosts row, 0B and no diff)."""
    c = started(engine)
    assert c.fs.read_text("/etc/hostname") == c.id[:12] + "\n"
    assert c.fs.read_text("/etc/hosts").startswith("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost")
    assert c.fs.stat("/etc/hosts").mode == 0o644
    c.fs.write("/etc/hosts", b"1.2.3.4 x\n", append=True)
    assert engine.diff(c.id) == [] and engine.size(c.id).rw == 0
    assert engine.hooks.container_mounts(c) == []
    assert "/dev/vda /etc/hosts ext4 rw,relatime 0 0" in c.fs.read_text("/proc/mounts")
