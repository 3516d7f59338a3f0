#!/usr/bin/env bash
# Record what the real Docker Engine prints, as Markdown, for tests/oracle/OBSERVED.md.
#
#   sh tests/oracle/observe.sh [section...] > transcript.md        (as root, from the repo root)
#
# Without DOCKER_HOST it starts a private daemon (tests/oracle/dockerd.py, driver from
# $OBSERVE_DRIVER, default overlay2), imports the busybox rootfs as bb:1, runs the sections
# and stops the daemon.  With DOCKER_HOST set it uses that daemon (bb:1 must exist or
# $OBSERVE_TAR must name the rootfs tar), and $OBSERVE_DATA_ROOT for host-side listings.
# Sections: version copyup build inspect info df errors lifecycle volumes buildkit (default: all)
#
# Every command is shown as "$ cmd", then its stdout verbatim, then "[stderr]" and its
# stderr if any, then "[exit N]".  "[no newline at end]" marks output without a final \n.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

if [ -z "${DOCKER_HOST:-}" ]; then
  cd "$REPO" && exec python3 - "$HERE/observe.sh" "$@" <<'EOF'
import os, subprocess, sys, tempfile
sys.path.insert(0, os.getcwd())
from tests.oracle.dockerd import PrivateDockerd, import_busybox
script, args = sys.argv[1], sys.argv[2:]
with PrivateDockerd(os.environ.get("OBSERVE_DRIVER", "overlay2")) as d:
    work = tempfile.mkdtemp(prefix="observe-")
    diff_id = import_busybox(d, work)
    print(f"<!-- private dockerd driver={d.driver} answered after {d.start_seconds:.2f}s; "
          f"bb:1 diff_id {diff_id} -->", flush=True)
    env = d.env(OBSERVE_DATA_ROOT=str(d.data_root), OBSERVE_TAR=os.path.join(work, "busybox-rootfs.tar"),
                OBSERVE_WORK=work, OBSERVE_DRIVER=d.driver)
    rc = subprocess.run(["bash", script, *args], env=env).returncode
    subprocess.run(["rm", "-rf", work])
sys.exit(rc)
EOF
fi

DATA_ROOT=${OBSERVE_DATA_ROOT:-}
WORK=${OBSERVE_WORK:-$(mktemp -d)}
DRIVER=${OBSERVE_DRIVER:-overlay2}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# x CMD... : run a shell command line (eval'd), print it and everything it printed.
x() {
  printf '$ %s\n' "$*"
  eval "$*" >"$T/out" 2>"$T/err" </dev/null
  local rc=$?
  cat "$T/out"
  [ -s "$T/out" ] && [ "$(tail -c1 "$T/out" | od -An -c | tr -d ' ')" != '\n' ] && printf '[no newline at end]\n'
  if [ -s "$T/err" ]; then printf '[stderr]\n'; cat "$T/err"
    [ "$(tail -c1 "$T/err" | od -An -c | tr -d ' ')" != '\n' ] && printf '[no newline at end]\n'; fi
  printf '[exit %d]\n' "$rc"
}
block() { echo '```'; "$@"; echo '```'; echo; }
h() { printf '\n%s\n\n' "$*"; }

# upper CTR: host-side listing of the container's upper (diff) dir, overlay2 only.
upper() {
  local up
  up=$(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' "$1" 2>/dev/null)
  [ -n "$up" ] && [ -d "$up" ] || { echo "(no upper dir: driver $DRIVER)"; return; }
  (cd "$up" && find . -mindepth 1 -printf '%y %M nlink=%n size=%s uid=%U %p\t%l\n' | sort -k6 | sed 's/\t$//; s/\t/ -> /' \
     | sed 's/^c \(.*\)$/c \1  (char dev, whiteout)/')
  (cd "$up" && getfattr -R -h --absolute-names -n trusted.overlay.opaque . 2>/dev/null | grep -v '^$') || true
}

# scenario NAME 'shell command run in a fresh bb:1 container'
scenario() {
  local name=$1 cmd=$2
  h "### $name"
  block x "docker run --name $name bb:1 sh -c '$cmd'"
  block x "docker diff $name"

  block x "docker ps -as --filter name=^$name\$"
  block x "docker ps -a --filter name=^$name\$ --format '{{.Size}}'"
  h "upper dir (host side, \`find -printf '%y %M nlink size uid path'\`; char devs are whiteouts):"
  block upper "$name"
}

sec_version() {
  h "## docker version / client"
  block x "docker version"
  block x "command -v docker; docker --version; /usr/bin/docker --version; dockerd --version; containerd --version; runc --version | head -1; uname -r"
}

sec_copyup() {
  h "## (a) copy-up: docker diff and docker ps -s (one fresh container per row, image bb:1)"
  h "Image bb:1 = the deterministic busybox rootfs (tests/oracle/rootfs.py). /data/big.bin is 1048576 B, /data/small.txt is \"hello\\n\" (6 B), /data/hl1 and /data/hl2 are one inode (15 B), /data/link -> small.txt, /data/dir/{a,b,sub/c}."
  block x "docker image inspect -f '{{.Size}} {{.VirtualSize}}' bb:1"
  scenario nop 'true'
  scenario append1 'printf x >> /data/big.bin'
  scenario chmod 'chmod 600 /data/small.txt'
  scenario chmoddir 'chmod 700 /data/dir'
  scenario touch 'touch /data/small.txt'
  scenario trunc_small 'echo new > /data/small.txt'
  scenario append_small 'echo new >> /data/small.txt'
  scenario trunc_big 'echo new > /data/big.bin'
  scenario append_big 'echo new >> /data/big.bin'
  scenario openappend ': >> /data/big.bin'
  scenario truncate0 'truncate -s 0 /data/big.bin'
  scenario hardlink 'ln /data/small.txt /data/hard'
  scenario write_hl1 'echo more >> /data/hl1'
  scenario symlink 'ln -s small.txt /data/sym'
  scenario rmfile 'rm /data/small.txt'
  scenario rmlink 'rm /data/hl2'
  scenario rmdir_r 'rm -r /data/dir'
  scenario rmdir_mkdir 'rm -r /data/dir && mkdir /data/dir'
  scenario rmdir_mkdir_new 'rm -r /data/dir && mkdir /data/dir && echo n > /data/dir/new'
  scenario mvfile 'mv /data/small.txt /data/moved.txt'
  scenario mvdir 'mv /data/dir /data/dir2'
  scenario mvdir_new 'mkdir /data/nd && echo z > /data/nd/z && mv /data/nd /data/nd2'
  scenario deep 'echo deep >> /data/dir/sub/c'
  scenario tmpfiles 'echo a > /tmp/new1 && mkdir /tmp/d && echo bb > /tmp/d/new2'
  scenario newdir 'mkdir -p /newdir/x/y && echo z > /newdir/x/y/z'
  scenario filedir 'rm /data/small.txt && mkdir /data/small.txt'
  scenario rewrite_same 'cat /data/small.txt > /tmp/s && cat /tmp/s > /data/small.txt && rm /tmp/s'
  scenario etc_hosts 'echo 1.2.3.4 x >> /etc/hosts'
  scenario dd_mid 'dd if=/dev/zero of=/data/big.bin bs=1 count=1 seek=1000 conv=notrunc 2>/dev/null'
  scenario big_new 'dd if=/dev/zero of=/tmp/zero bs=1000 count=1000 2>/dev/null'
  scenario big_new2 'dd if=/dev/zero of=/tmp/zero bs=999999 count=1 2>/dev/null'
  h "### all of them, \`docker ps -as\` default table (one listing)"
  block x "docker ps -as"
  block x "docker ps -as --no-trunc"
  block x "docker ps -a --format 'table {{.Names}}\t{{.Size}}\t{{.Status}}'"
  block x "docker system df"
  for c in $(docker ps -aq); do docker rm -f "$c" >/dev/null; done
}

sec_build() {
  h "## (b) classic builder: docker image history"
  local ctx=$WORK/ctx
  rm -rf "$ctx"; mkdir -p "$ctx/dir/sub" "$ctx/arch"
  printf 'hello from the context\n' > "$ctx/hello.txt"
  printf 'one\n' > "$ctx/dir/one.txt"; printf 'two\n' > "$ctx/dir/sub/two.txt"
  printf 'in archive\n' > "$ctx/arch/inside.txt"
  tar -C "$ctx/arch" --owner=0 --group=0 --mtime=2024-01-01 -cf "$ctx/archive.tar" inside.txt
  rm -rf "$ctx/arch"
  cat > "$ctx/Dockerfile" <<'DF'
FROM bb:1
ARG GREETING=hello
ENV APP_HOME=/app PATH=/bin
LABEL org.example.course="layerlab" version="1.0"
WORKDIR /app
RUN echo "$GREETING" > greeting.txt && mkdir -p /app/data
RUN true
COPY hello.txt /app/
COPY dir/ /app/dir/
COPY --chown=65534:65534 hello.txt /app/owned.txt
ADD archive.tar /opt/
ADD hello.txt /app/added.txt
WORKDIR /
WORKDIR /app
EXPOSE 8080/tcp 53/udp
VOLUME /app/data
RUN echo after > /app/data/after-volume.txt && echo x > /app/outside.txt
STOPSIGNAL SIGINT
USER nobody
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /app/greeting.txt"]
DF
  block x "cat $ctx/Dockerfile"
  block x "cd $ctx && DOCKER_BUILDKIT=0 docker build -t built:1 ."
  block x "cd $ctx && DOCKER_BUILDKIT=0 docker build -t built:1 ."
  block x "docker image history built:1"
  block x "docker image history --no-trunc built:1"
  block x "docker image history -H=false built:1"
  block x "docker image history --format '{{json .}}' built:1"
  block x "docker image history bb:1"
  block x "docker image history --no-trunc -H=false bb:1"
  block x "docker image inspect -f '{{json .RootFS.Layers}}' built:1"
  if [ -n "$DATA_ROOT" ]; then
    h "the image config's history (host side: imagedb/content/sha256/<image id>):"
    block x "python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); [print(json.dumps(h)) for h in c[\"history\"]]' $DATA_ROOT/image/$DRIVER/imagedb/content/sha256/\$(docker image inspect -f '{{.Id}}' built:1 | cut -d: -f2)"
  fi
  block x "docker images"
  block x "docker images -a"
  block x "docker run --rm built:1"
  block x "docker run --rm --entrypoint ls built:1 -la /app /app/data /opt"
  h "### build with no change at all (FROM + metadata only) and a dockerfile error"
  mkdir -p "$WORK/ctx2"
  printf 'FROM bb:1\nENV A=b\nCMD ["sh"]\n' > "$WORK/ctx2/Dockerfile"
  block x "cd $WORK/ctx2 && DOCKER_BUILDKIT=0 docker build -t meta:1 . && docker image history meta:1 && docker image inspect -f '{{.Id}} {{.Parent}} {{json .RootFS.Layers}} {{json .Config.Env}}' meta:1"
  printf 'FROM bb:1\nRUN false\n' > "$WORK/ctx2/Dockerfile"
  block x "cd $WORK/ctx2 && DOCKER_BUILDKIT=0 docker build -t fail:1 ."
  printf 'FROM bb:1\nFROBNICATE x\n' > "$WORK/ctx2/Dockerfile"
  block x "cd $WORK/ctx2 && DOCKER_BUILDKIT=0 docker build -t fail:1 ."
  printf 'FROM nosuch:1\n' > "$WORK/ctx2/Dockerfile"
  block x "cd $WORK/ctx2 && DOCKER_BUILDKIT=0 docker build -t fail:1 ."
  block x "docker ps -a"
  for c in $(docker ps -aq); do docker rm -f "$c" >/dev/null; done
}

sec_inspect() {
  h "## (c) docker image inspect (full JSON)"
  block x "docker image inspect bb:1"
  docker image inspect built:1 >/dev/null 2>&1 && block x "docker image inspect built:1"
  block x "docker image inspect -f '{{json .GraphDriver}}' bb:1"
  block x "docker image inspect -f '{{.RootFS.Type}} {{.RootFS.Layers}} {{.Size}}' bb:1"
  block x "docker create --name insp bb:1 true"
  block x "docker container inspect insp"
  block x "docker container inspect -s -f '{{.SizeRw}} {{.SizeRootFs}}' insp"
  if [ -n "$DATA_ROOT" ] && [ "$DRIVER" = overlay2 ]; then
    h "the overlay mount of a running container, as the kernel reports it (host /proc/self/mountinfo)"
    block x "docker run -d --name mnt bb:1 sleep 30 >/dev/null && grep \"\$(docker inspect -f '{{.GraphDriver.Data.MergedDir}}' mnt)\" /proc/self/mountinfo | sed 's/^[0-9]* [0-9]* [0-9:]* //'; docker rm -f mnt >/dev/null"
    h "on-disk layout (host side)"
    block x "cd $DATA_ROOT && find image/overlay2 -maxdepth 4 | sort | sed 's/[0-9a-f]\{64\}/<64hex>/g' | uniq"
    block x "cd $DATA_ROOT/image/overlay2/layerdb/sha256 && for d in *; do echo \$d; for f in diff size cache-id parent; do [ -f \$d/\$f ] && echo \"  \$f: \$(cat \$d/\$f)\"; done; done"
    block x "cd $DATA_ROOT/overlay2 && ls && ls -la l | head -4 && c=\$(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' insp | xargs dirname | xargs basename) && for d in \$c \$c-init; do echo \$d:; ls -la \$d; cat \$d/lower; echo; done && echo \$c-init/diff: && cd \$c-init/diff && find . | sort | xargs ls -ld"
  fi
  docker rm -f insp >/dev/null
}

sec_info() {
  h "## (d) docker info"
  block x "docker info --format '{{.Driver}}'"
  block x "docker info --format '{{json .DriverStatus}}'"
  block x "docker info --format '{{.DriverStatus}}'"
  block x "docker info"
}

sec_df() {
  h "## (e) docker system df"
  docker run --name dfc bb:1 sh -c 'printf x >> /data/big.bin' >/dev/null
  docker volume create dfvol >/dev/null
  docker run --rm -v dfvol:/v bb:1 sh -c 'echo 12345 > /v/f' >/dev/null
  block x "docker system df"
  block x "docker system df -v"
  block x "docker system df --format '{{json .}}'"
  docker rm -f dfc >/dev/null; docker volume rm dfvol >/dev/null
}

sec_errors() {
  h "## (f) errors and exit codes"
  block x "docker run nosuch:1"
  block x "docker run bb:1 nosuchcmd"
  block x "docker run bb:1 /data/small.txt"
  block x "docker run bb:1 /data"
  block x "docker run bb:1 sh -c 'exit 3'"
  block x "docker run bb:1 sh -c 'nosuchcmd'"
  block x "docker run --name x bb:1 true"
  block x "docker run --name 'bad name' bb:1 true"
  block x "docker run --name dup bb:1 true; docker run --name dup bb:1 true"
  block x "docker run -d --name running bb:1 sleep 100"
  block x "docker rm running"
  block x "docker rmi bb:1"
  block x "docker rmi dup"
  block x "docker diff nosuch"
  block x "docker rm nosuch"
  block x "docker stop nosuch"
  block x "docker inspect nosuch"
  block x "docker image inspect nosuch"
  block x "docker image history nosuch"
  block x "docker rmi nosuch:1"
  block x "docker volume rm nosuch"
  block x "docker volume create inuse && docker run --name usesvol -v inuse:/v bb:1 true && docker volume rm inuse"
  block x "docker run --read-only --name ro bb:1 sh -c 'echo x > /data/small.txt'"
  block x "docker run --read-only --name ro2 bb:1 sh -c 'mkdir /newdir'"
  block x "docker rm -f running"
  block x "docker rmi -f bb:1 2>&1 | head -3; docker images"
  block x "docker ps -a"
  for c in $(docker ps -aq); do docker rm -f "$c" >/dev/null; done
  docker volume rm inuse >/dev/null 2>&1
  # rmi -f above untagged bb:1 if it was in use only by stopped containers; re-import if needed
  docker image inspect bb:1 >/dev/null 2>&1 || docker import "$OBSERVE_TAR" bb:1 >/dev/null
}

sec_lifecycle() {
  h "## (f2) lifecycle: stop/start, STATUS strings"
  block x "docker create --name lc bb:1 sleep 100"
  block x "docker ps -a --format '{{.Names}}|{{.Status}}|{{.State}}' --filter name=lc"
  block x "docker start lc"
  block x "docker ps -a --format '{{.Names}}|{{.Status}}|{{.State}}' --filter name=lc"
  block x "docker exec lc sh -c 'echo hi > /tmp/f'"
  block x "time docker stop -t 1 lc"
  block x "docker ps -a --format '{{.Names}}|{{.Status}}|{{.State}}' --filter name=lc"
  block x "docker inspect -f '{{.State.ExitCode}} {{.State.Status}} {{.State.OOMKilled}}' lc"
  block x "docker diff lc; docker ps -a --filter name=^lc\$ --format '{{.Size}}'"
  block x "docker start lc && docker exec lc cat /tmp/f"
  block x "docker restart -t 1 lc && docker exec lc cat /tmp/f"
  block x "docker kill lc; docker ps -a --format '{{.Names}}|{{.Status}}|{{.State}}' --filter name=lc"
  block x "docker run -d --name shpid1 bb:1 sh -c 'sleep 100; echo done' && docker exec shpid1 sh -c 'cat /proc/1/cmdline | tr \"\\\\0\" \" \"; echo' && time docker stop -t 1 shpid1 && docker ps -a --format '{{.Names}}|{{.Status}}' --filter name=shpid1"
  block x "docker run -d --name trapper bb:1 sh -c 'trap \"exit 0\" TERM; while true; do sleep 1; done'"
  block x "docker stop trapper; docker ps -a --format '{{.Names}}|{{.Status}}' --filter name=trapper"
  block x "docker run -d --name paused bb:1 sleep 100 && docker pause paused && docker ps -a --format '{{.Names}}|{{.Status}}|{{.State}}' --filter name=paused"
  block x "docker rm paused"
  block x "docker unpause paused && docker rm -f paused"
  block x "docker run --name failrun bb:1 nosuchcmd; docker ps -a --format '{{.Names}}|{{.Status}}|{{.State}}' --filter name=failrun"
  block x "docker run --rm --name gone bb:1 sh -c 'echo x > /f'; docker ps -a --filter name=gone"
  block x "docker rm lc && docker run --name lc bb:1 cat /tmp/f"
  block x "docker ps -a"
  for c in $(docker ps -aq); do docker rm -f "$c" >/dev/null; done
}

sec_volumes() {
  h "## (g) volumes, binds, tmpfs"
  block x "docker volume create"
  block x "docker volume create myvol"
  block x "docker volume create myvol"
  block x "docker volume create x"
  block x "docker volume ls"
  block x "docker volume inspect myvol"
  block x "docker run --name popd -v myvol:/data/dir bb:1 sh -c 'ls -la /data/dir; echo new > /data/dir/new'"
  [ -n "$DATA_ROOT" ] && block x "ls -la $DATA_ROOT/volumes/myvol/_data"
  block x "docker diff popd; docker ps -a --filter name=^popd\$ --format '{{.Size}}'"
  block x "docker run --rm -v myvol:/data/dir bb:1 ls /data/dir"
  block x "docker run --name newmp -v myvol:/newmount bb:1 true; docker diff newmp"
  block x "docker run --name anon -v /data/dir bb:1 true; docker volume ls; docker inspect -f '{{json .Mounts}}' anon"
  block x "docker run --name nocopy -v nc:/data/dir:nocopy bb:1 ls -la /data/dir"
  block x "docker volume ls"
  block x "docker volume rm myvol"
  block x "docker system df -v"
  block x "docker rm popd newmp nocopy"
  block x "docker volume ls"
  block x "docker volume prune -f"
  block x "docker volume ls"
  block x "docker rm -v anon; docker volume ls"
  h "### tmpfs"
  block x "docker run --name tmpc --tmpfs /data bb:1 sh -c 'ls -la /data; echo t > /data/t; cat /proc/mounts | grep /data'"
  block x "docker diff tmpc; docker ps -a --filter name=^tmpc\$ --format '{{.Size}}'"
  block x "docker run --rm --mount type=tmpfs,destination=/x,tmpfs-size=1m,tmpfs-mode=1770 bb:1 sh -c 'stat -c %a /x; grep \" /x \" /proc/mounts'"
  h "### bind mounts"
  local hd=$WORK/bind-missing/sub
  block x "ls -ld $WORK/bind-missing; docker run --rm -v $hd:/b bb:1 sh -c 'echo hi > /b/f'; ls -la $hd"
  block x "docker run --rm --mount type=bind,source=$WORK/nosuch-src,target=/b bb:1 true"
  block x "docker run --rm -v relative:/b bb:1 true; docker volume ls"
  block x "docker run --name bindc -v $WORK:/data/dir bb:1 sh -c 'echo hi > /data/dir/from-ctr'; docker diff bindc; docker ps -a --filter name=^bindc\$ --format '{{.Size}}'"
  for c in $(docker ps -aq); do docker rm -f -v "$c" >/dev/null; done
  docker volume prune -f >/dev/null
}

sec_buildkit() {
  h "## BuildKit without network"
  mkdir -p "$WORK/bk"; printf 'FROM bb:1\nRUN echo hi > /f\nCMD ["sh"]\n' > "$WORK/bk/Dockerfile"
  block x "cd $WORK/bk && DOCKER_BUILDKIT=1 docker build -t bk:1 ."
  block x "cd $WORK/bk && docker build -t bk:0 ."
  block x "cd $WORK/bk && DOCKER_BUILDKIT=1 /usr/bin/docker build --progress=plain -t bk:2 ."
  h "BuildKit RUN needs a network namespace; with the daemon's --bridge=none it works only with --network=none:"
  block x "cd $WORK/bk && DOCKER_BUILDKIT=1 /usr/bin/docker build --progress=plain --network=none -t bk:2 . 2>&1 | sed 's/^#[0-9]* sha256:.*/#N sha256:<digest>/'"
  block x "docker image history bk:2"
  block x "docker image history --no-trunc bk:2"
  if [ -f "$WORK/ctx/Dockerfile" ]; then
    h "the full Dockerfile of section (b), built with BuildKit (old client, --network=none):"
    block x "cd $WORK/ctx && DOCKER_BUILDKIT=1 /usr/bin/docker build -q --network=none -t builtbk:1 ."
    block x "docker image history builtbk:1"
    block x "docker image history --no-trunc builtbk:1"
    block x "docker image inspect -f '{{json .RootFS.Layers}} {{.Size}} {{json .Config.Env}}' builtbk:1"
    [ -n "$DATA_ROOT" ] && block x "python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); [print(json.dumps(h)) for h in c[\"history\"]]' $DATA_ROOT/image/$DRIVER/imagedb/content/sha256/\$(docker image inspect -f '{{.Id}}' builtbk:1 | cut -d: -f2)"
    block x "docker run --rm --entrypoint ls builtbk:1 -la /app /app/data"
    block x "docker system df; docker system df -v | tail -n +1"
  fi
}

SECTIONS=${*:-version copyup build inspect info df errors lifecycle volumes buildkit}
for s in $SECTIONS; do "sec_$s"; done
