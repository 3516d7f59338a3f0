"""volume create/ls/inspect/rm/prune, -v/--mount/--tmpfs and system df against OBSERVED.md (g),
(e). layerlab follows current Docker where 20.10 differs (prune keeps named volumes)."""
from __future__ import annotations

import json
import re

from .conftest import cells, norm_ids, observed


def test_volume_create_ls_inspect(dk):
    anon = dk("volume create").out
    assert re.fullmatch(r"[0-9a-f]{64}\n", anon)
    assert dk("volume create myvol").out == "myvol\n"
    assert dk("volume create myvol").out == "myvol\n"              # reusing a name is fine
    r = dk("volume create x")
    assert (r.code, r.out, r.err) == (1, "", observed("docker volume create x").err)
    assert norm_ids(dk("volume ls").out) == norm_ids(observed("docker volume ls").out)
    doc = json.loads(dk("volume inspect myvol").out)
    real = json.loads(observed("docker volume inspect myvol").out)
    assert list(doc[0]) == list(real[0])
    assert {k: v for k, v in doc[0].items() if k not in ("CreatedAt", "Mountpoint")} == \
        {k: v for k, v in real[0].items() if k not in ("CreatedAt", "Mountpoint")}
    assert doc[0]["Mountpoint"] == "/var/lib/docker/volumes/myvol/_data"
    assert dk("volume inspect -f '{{.Name}} {{.Driver}}' myvol").out == "myvol local\n"
    assert dk("volume ls -q").out.splitlines()[-1] == "myvol"
    out = dk("volume ls --format '{{json .}}' --filter name=myvol").out
    assert json.loads(out) == {"Availability": "N/A", "Driver": "local", "Group": "N/A", "Labels": "",
                               "Links": "N/A", "Mountpoint": "/var/lib/docker/volumes/myvol/_data",
                               "Name": "myvol", "Scope": "local", "Size": "N/A", "Status": "N/A"}


def test_volume_natural_sort(dk):
    for n in ("v10", "v9", "v1"):
        dk(f"volume create {n}")
    assert dk("volume ls -q").out == "v1\nv9\nv10\n"


def test_volumes_in_containers(dk):
    dk("volume create myvol")
    r = dk("run --name popd -v myvol:/data/dir bb:1 sh -c 'ls -la /data/dir; echo new > /data/dir/new'")
    assert r.code == 0 and r.out.splitlines()[0] == "total 20"
    assert dk("diff popd").out == ""
    assert dk("ps -a --filter name=^popd$ --format '{{.Size}}'").out == "0B (virtual 3.03MB)\n"
    assert dk("run --rm -v myvol:/data/dir bb:1 ls /data/dir").out == \
        observed("docker run --rm -v myvol:/data/dir bb:1 ls /data/dir").out
    dk("run --name newmp -v myvol:/newmount bb:1 true")
    assert dk("diff newmp").out == "A /newmount\n"
    dk("run --name anon -v /data/dir bb:1 true")
    mounts = json.loads(dk("inspect -f '{{json .Mounts}}' anon").out)
    real = json.loads(observed("docker run --name anon -v /data/dir bb:1 true; docker volume ls; docker inspect -f "
                               "'{{json .Mounts}}' anon").out.splitlines()[-1])
    assert [list(m) for m in mounts] == [list(m) for m in real]
    assert mounts[0]["Source"] == f"/var/lib/docker/volumes/{mounts[0]['Name']}/_data"
    r = dk("volume rm myvol")
    ids = sorted(c.id for c in dk.engine.containers.values() if c.name in ("popd", "newmp"))
    assert r.code == 1 and r.err.startswith("Error response from daemon: remove myvol: volume is in use - [")
    assert sorted(re.findall(r"[0-9a-f]{64}", r.err)) == ids
    assert dk("ps -a --filter volume=myvol --format '{{.Names}}'").out == "newmp\npopd\n"
    assert dk("ps -a --filter name=anon --format '{{.LocalVolumes}}'").out == "1\n"


def test_volume_rm_prune(dk):
    real = observed("docker volume rm nosuch")
    r = dk("volume rm nosuch")
    assert (r.code, r.out, r.err) == (real.code, real.out, real.err)
    dk("volume create named")
    anon = dk("volume create").out.strip()
    dk("run --name keep -v kept:/k bb:1 true")
    r = dk("volume prune -f")
    assert (r.code, r.out) == (0, f"Deleted Volumes:\n{anon}\n\nTotal reclaimed space: 0B\n")
    assert dk("volume ls -q").out == "kept\nnamed\n"            # named volumes stay (Docker >= 23)
    r = dk("volume prune", stdin=b"n\n")
    assert (r.code, r.out) == (0, "WARNING! This will remove anonymous local volumes not used by at least one "
                                  "container.\nAre you sure you want to continue? [y/N] ")
    r = dk("volume prune -a", stdin=b"y\n")
    assert r.out == ("WARNING! This will remove all local volumes not used by at least one container.\n"
                     "Are you sure you want to continue? [y/N] Deleted Volumes:\nnamed\n\nTotal reclaimed space: 0B\n")
    assert dk("volume prune -f").out == "Total reclaimed space: 0B\n"
    dk("run --name anon -v /data/dir bb:1 true")
    assert dk("rm -v anon").out == "anon\n"
    assert dk("volume ls").out == "DRIVER    VOLUME NAME\nlocal     kept\n"
    r = dk("volume rm kept nosuch")
    assert r.code == 1 and r.err == "Error response from daemon: remove kept: volume is in use - [" + \
        dk.engine.container("keep").id + "]\nError response from daemon: get nosuch: no such volume\n"


def test_tmpfs_and_binds(dk):
    r = dk("run --name tmpc --tmpfs /data bb:1 sh -c 'echo t > /data/t; cat /proc/mounts | grep /data'")
    assert r.out == "tmpfs /data tmpfs rw,nosuid,nodev,noexec,relatime 0 0\n"
    assert dk("diff tmpc").out == ""
    cmd = ("run --rm --mount type=tmpfs,destination=/x,tmpfs-size=1m,tmpfs-mode=1770 bb:1 sh -c "
           "'stat -c %a /x; grep \" /x \" /proc/mounts'")
    assert dk(cmd).out == observed("docker " + cmd).out
    r = dk("run --rm --mount type=bind,source=/tmp/observe-l24okerx/nosuch-src,target=/b bb:1 true")
    real = observed("docker run --rm --mount type=bind,source=/tmp/observe-l24okerx/nosuch-src,target=/b bb:1 true")
    assert (r.code, r.out, r.err) == (real.code, real.out, real.err)


def test_system_df(dk, tmp_path):
    (tmp_path / "Dockerfile").write_text('FROM bb:1\nENV A=b\nCMD ["sh"]\n')
    dk(f"build -t meta:1 {tmp_path}", env={"DOCKER_BUILDKIT": "0"})
    dk("run --name dfc bb:1 sh -c 'printf x >> /data/big.bin'")
    dk("volume create dfvol")
    dk("run --rm -v dfvol:/v bb:1 sh -c 'echo hello > /v/f'")
    r = dk("system df")
    assert r.out == ("TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\n"
                     "Images          2         1         3.031MB   3.031MB (100%)\n"
                     "Containers      1         0         1.049MB   1.049MB (100%)\n"
                     "Local Volumes   1         0         6B        6B (100%)\n"
                     "Build Cache     0         0         0B        0B\n")
    lines = dk("system df --format '{{json .}}'").out.splitlines()
    assert [json.loads(x) for x in lines][1:] == [json.loads(x) for x in
                                                   observed("docker system df --format '{{json .}}'").out.splitlines()][1:]
    v = dk("system df -v").out
    real = observed("docker system df -v").out
    assert v.count("\n\n") == real.count("\n\n")
    assert "Build cache usage: 0B\n\nCACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED\n" in v
    assert cells(v.split("Containers space usage:")[1].split("Local Volumes")[0]) == \
        cells(real.split("Containers space usage:")[1].split("Local Volumes")[0])
    assert v.split("Local Volumes space usage:")[1] == real.split("Local Volumes space usage:")[1]
    assert v.startswith("Images space usage:\n\nREPOSITORY   TAG       IMAGE ID       CREATED ")
