"""The catalog images: which real image each one models, and how it is assembled.

Numbers taken from the real images (as ``docker images`` / ``docker history`` show them on
overlay2): the number of layers, each layer's size (to go-units' 3 significant digits; the
exact byte count inside that bracket is ours), the history entries (``created_by`` strings,
comments, which entries are empty), the config (Env, Cmd, Entrypoint, ExposedPorts,
StopSignal, WorkingDir, Labels) and, approximately, the creation dates. File *contents* are
synthetic except the small texts in :mod:`._data`; file names and counts are realistic.
"""
from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType

from ..clock import parse_rfc3339
from ..image import DEFAULT_PATH, ContainerConfig, HistoryEntry, Image
from ..fs.layer import Layer
from . import _data as D
from ._gen import TreeBuilder, unit
from ._layers import apt_install_layer, node_paths, paths_layer, python_paths, text_layer
from ._rootfs import DebFlavor, alpine_319, apk_installed_entry, busybox_136, debian_like

BK = "buildkit.dockerfile.v0"
NS = 1_000_000_000


def t(text: str) -> int:
    return parse_rfc3339(text)


def _classic_add(digest_of: str) -> str:
    import hashlib

    return f"/bin/sh -c #(nop) ADD file:{hashlib.sha256(digest_of.encode()).hexdigest()} in / "


def _tb_layer(fill, seed: str, mtime: int, total: int) -> Layer:
    tb = TreeBuilder(seed, mtime)
    fill(tb, total)
    return Layer(MappingProxyType(dict(tb.entries)), frozenset(), frozenset())


# ============================================================================ base layers (cached)
ALPINE_319_CREATED = t("2024-01-27T00:30:48.187870215Z")
ALPINE_319_SIZE = 7_377_818          # "7.38MB"
BUSYBOX_CREATED = t("2023-05-18T22:34:17Z")
BUSYBOX_SIZE = 4_261_550             # "4.26MB"
JAMMY_CREATED = t("2024-04-27T13:18:37.284582183Z")
JAMMY_SIZE = 77_863_332              # "77.9MB"
NOBLE_CREATED = t("2024-04-27T13:18:50.734066713Z")
NOBLE_SIZE = 78_104_981              # "78.1MB"
BOOKWORM_EPOCH = 1715558400          # 2024-05-13T00:00:00Z, debuerreotype's snapshot time
BOOKWORM_CREATED = BOOKWORM_EPOCH * NS
BOOKWORM_SIZE = 116_542_779          # "117MB"
BOOKWORM_SLIM_SIZE = 74_762_184      # "74.8MB"


@lru_cache(maxsize=None)
def alpine_layer() -> Layer:
    return _tb_layer(alpine_319, "alpine:3.19.1", ALPINE_319_CREATED - 2 * NS, ALPINE_319_SIZE)


@lru_cache(maxsize=None)
def busybox_layer() -> Layer:
    return _tb_layer(busybox_136, "busybox:1.36.1-glibc", BUSYBOX_CREATED, BUSYBOX_SIZE)


JAMMY = DebFlavor(name="ubuntu:22.04", packages=D.UBUNTU2204_PACKAGES, os_release=D.UBUNTU2204_OS_RELEASE,
                  passwd=D.UBUNTU_PASSWD, group=D.UBUNTU_GROUP, debian_version="bookworm/sid",
                  sources=("/etc/apt/sources.list", D.UBUNTU2204_SOURCES), lib32=True, minimized=True,
                  tzdata=False, locales=0, extra_bin=0,
                  lsb="DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\n"
                      "DISTRIB_DESCRIPTION=\"Ubuntu 22.04.4 LTS\"\n")
NOBLE = DebFlavor(name="ubuntu:24.04", packages=D.UBUNTU2404_PACKAGES, os_release=D.UBUNTU2404_OS_RELEASE,
                  passwd=D.UBUNTU24_PASSWD, group=D.UBUNTU24_GROUP, debian_version="trixie/sid",
                  sources=("/etc/apt/sources.list.d/ubuntu.sources", D.UBUNTU2404_SOURCES), lib32=False,
                  minimized=True, tzdata=False, locales=0, extra_bin=0,
                  lsb="DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=24.04\nDISTRIB_CODENAME=noble\n"
                      "DISTRIB_DESCRIPTION=\"Ubuntu 24.04 LTS\"\n")
BOOKWORM = DebFlavor(name="debian:bookworm", packages=D.DEBIAN12_PACKAGES, os_release=D.DEBIAN12_OS_RELEASE,
                     passwd=D.DEBIAN_PASSWD, group=D.DEBIAN_GROUP, debian_version="12.5",
                     sources=("/etc/apt/sources.list.d/debian.sources", D.DEBIAN12_SOURCES), lib32=False,
                     minimized=False, tzdata=True, locales=2200, extra_bin=0)
BOOKWORM_SLIM = DebFlavor(name="debian:bookworm-slim", packages=D.DEBIAN12_PACKAGES,
                          os_release=D.DEBIAN12_OS_RELEASE, passwd=D.DEBIAN_PASSWD, group=D.DEBIAN_GROUP,
                          debian_version="12.5", sources=("/etc/apt/sources.list.d/debian.sources", D.DEBIAN12_SOURCES),
                          lib32=False, minimized=True, tzdata=True, locales=0, extra_bin=0, slim=True)


@lru_cache(maxsize=None)
def deb_layer(which: str) -> Layer:
    fl, created, size = {"jammy": (JAMMY, JAMMY_CREATED, JAMMY_SIZE), "noble": (NOBLE, NOBLE_CREATED, NOBLE_SIZE),
                         "bookworm": (BOOKWORM, BOOKWORM_CREATED, BOOKWORM_SIZE),
                         "bookworm-slim": (BOOKWORM_SLIM, BOOKWORM_CREATED, BOOKWORM_SLIM_SIZE)}[which]
    return _tb_layer(lambda tb, total: debian_like(tb, fl, total), fl.name, created - 60 * NS, size)


def _status_of(layer: Layer) -> str:
    return layer.entries["/var/lib/dpkg/status"].content.bytes().decode()


# ============================================================================ the images
def busybox() -> Image:
    """Models ``busybox:1.36`` (1.36.1, glibc variant, built on Debian 12): one 4.26MB layer."""
    return Image(
        layers=(busybox_layer(),),
        config=ContainerConfig(env=(DEFAULT_PATH,), cmd=("sh",)),
        history=(HistoryEntry(BUSYBOX_CREATED, "BusyBox 1.36.1 (glibc), Debian 12"),),
        created=BUSYBOX_CREATED,
        description="Model of busybox:1.36 (1.36.1-glibc, image 65ad0d468eb1, created 2023-05-18): "
                    "one 4.26MB layer, history 'BusyBox 1.36.1 (glibc), Debian 12', Cmd [\"sh\"]. "
                    "/bin holds one busybox binary hard-linked under every applet name; glibc in /lib.",
    )


def alpine() -> Image:
    """Models ``alpine:3.19`` (3.19.1): one 7.38MB layer from alpine-minirootfs, classic history."""
    created = ALPINE_319_CREATED
    return Image(
        layers=(alpine_layer(),),
        config=ContainerConfig(env=(DEFAULT_PATH,), cmd=("/bin/sh",)),
        history=(HistoryEntry(created - 300_000_000, _classic_add("alpine-minirootfs-3.19.1-x86_64.tar.gz")),
                 HistoryEntry(created, '/bin/sh -c #(nop)  CMD ["/bin/sh"]', empty_layer=True)),
        created=created,
        docker_version="20.10.23",
        description="Model of alpine:3.19 (3.19.1, 2024-01-27): one 7.38MB layer; history in the classic "
                    "builder's form (ADD file:<sha256> in / , then CMD [\"/bin/sh\"]); busybox applets are "
                    "symlinks to /bin/busybox; apk database in /lib/apk/db/installed.",
    )


def _ubuntu(which: str, version: str, created: int, add_hash: str, codename_tag: str) -> Image:
    labels = MappingProxyType({"org.opencontainers.image.ref.name": "ubuntu",
                               "org.opencontainers.image.version": version})
    hist = (HistoryEntry(created - 2 * NS, "/bin/sh -c #(nop)  ARG RELEASE", empty_layer=True),
            HistoryEntry(created - 2 * NS, "/bin/sh -c #(nop)  ARG LAUNCHPAD_BUILD_ARCH", empty_layer=True),
            HistoryEntry(created - 2 * NS, "/bin/sh -c #(nop)  LABEL org.opencontainers.image.ref.name=ubuntu",
                         empty_layer=True),
            HistoryEntry(created - 2 * NS, f"/bin/sh -c #(nop)  LABEL org.opencontainers.image.version={version}",
                         empty_layer=True),
            HistoryEntry(created - 1 * NS, f"/bin/sh -c #(nop) ADD file:{add_hash} in / "),
            HistoryEntry(created, '/bin/sh -c #(nop)  CMD ["/bin/bash"]', empty_layer=True))
    return Image(
        layers=(deb_layer(which),),
        config=ContainerConfig(env=(DEFAULT_PATH,), cmd=("/bin/bash",), labels=labels),
        history=hist, created=created, docker_version="24.0.7",
        description=f"Model of ubuntu:{version} ({codename_tag}): one layer of "
                    f"{'77.9MB' if which == 'jammy' else '78.1MB'}, history ARG RELEASE, ARG LAUNCHPAD_BUILD_ARCH, "
                    "two LABELs, ADD file:... in /, CMD [\"/bin/bash\"] (classic builder). Merged /usr "
                    "(/bin -> usr/bin), /bin/sh -> dash, apt-get/dpkg, /etc/apt/apt.conf.d/docker-clean.",
    )


def ubuntu2204() -> Image:
    """Models ``ubuntu:22.04`` (jammy-20240427): one 77.9MB layer; /bin/sh is dash."""
    return _ubuntu("jammy", "22.04", JAMMY_CREATED,
                   "a5d32dc2ab15ff0d7dbd72af26e361eb1f3e87a0d29ec3a1ceab24ad7b3e6ba9", "jammy-20240427")


def ubuntu2404() -> Image:
    """Models ``ubuntu:24.04`` (noble-20240423): one 78.1MB layer; /bin/sh is dash."""
    return _ubuntu("noble", "24.04", NOBLE_CREATED,
                   "1d7c45546e94b90e941c5bf5c7a6a1ce8a5e7d6ec9e1c4ad8e7e2f1e9b6f3a21", "noble-20240423")


def _debian(which: str, tag: str) -> Image:
    size = "117MB" if which == "bookworm" else "74.8MB"
    return Image(
        layers=(deb_layer(which),),
        config=ContainerConfig(env=(DEFAULT_PATH,), cmd=("bash",)),
        history=(HistoryEntry(BOOKWORM_CREATED, f"# debian.sh --arch 'amd64' out/ 'bookworm' '@{BOOKWORM_EPOCH}'",
                              comment="debuerreotype 0.15"),),
        created=BOOKWORM_CREATED,
        description=f"Model of debian:{tag} (12.5, snapshot 2024-05-13): one {size} layer made by "
                    "debuerreotype (history '# debian.sh --arch ...', comment 'debuerreotype 0.15'), Cmd [\"bash\"]. "
                    "Merged /usr, /bin/sh -> dash, apt-get/dpkg, /etc/apt/apt.conf.d/docker-clean.",
    )


def debian_bookworm() -> Image:
    """Models ``debian:bookworm`` (12.5, 2024-05-13): one 117MB layer."""
    return _debian("bookworm", "bookworm")


def debian_bookworm_slim() -> Image:
    """Models ``debian:bookworm-slim`` (12.5, 2024-05-13): one 74.8MB layer (no docs, man pages, locales)."""
    return _debian("bookworm-slim", "bookworm-slim")


# ---------------------------------------------------------------------------- nginx:alpine
NGINX_CREATED = t("2024-02-14T18:34:01.394571062Z")
NGINX_RUN = ("RUN /bin/sh -c set -x     && addgroup -g 101 -S nginx     && adduser -S -D -H -u 101 -h "
             "/var/cache/nginx -s /sbin/nologin -G nginx -g nginx nginx     && apkArch=\"$(cat /etc/apk/arch)\"     "
             "&& nginxPackages=\"         nginx=${NGINX_VERSION}-r${PKG_RELEASE}         "
             "nginx-module-xslt=${NGINX_VERSION}-r${PKG_RELEASE}         "
             "nginx-module-geoip=${NGINX_VERSION}-r${PKG_RELEASE}         "
             "nginx-module-image-filter=${NGINX_VERSION}-r${PKG_RELEASE}         "
             "nginx-module-njs=${NGINX_VERSION}.${NJS_VERSION}-r${PKG_RELEASE}     \"     "
             "&& apk add --no-cache --virtual .checksum-deps         openssl     && case \"$apkArch\" in         "
             "x86_64|aarch64)             set -x             && KEY_SHA512=\"e09fa32f0a0eab2b879ccbbc4d0e4fb9751486eedda75e35fac65802cc9faa266425edf83e261137a2f4d16281ce2c1a5f4502930fe75154723da014214f0655\"             "
             "&& wget -O /tmp/nginx_signing.rsa.pub https://nginx.org/keys/nginx_signing.rsa.pub             "
             "&& if echo \"$KEY_SHA512 */tmp/nginx_signing.rsa.pub\" | sha512sum -c -; then                 "
             "echo \"key verification succeeded!\";                 mv /tmp/nginx_signing.rsa.pub /etc/apk/keys/;"
             "             else                 echo \"key verification failed!\";                 exit 1;"
             "             fi             && apk add -X \"https://nginx.org/packages/mainline/alpine/v$(egrep -o "
             "'^[0-9]+\\.[0-9]+' /etc/alpine-release)/main\" --no-cache $nginxPackages             ;;     esac     "
             "&& apk del --no-network .checksum-deps     && if [ -n \"$tempDir\" ]; then rm -rf \"$tempDir\"; fi     "
             "&& if [ -f \"/etc/apk/keys/abuild-key.rsa.pub\" ]; then rm -f /etc/apk/keys/abuild-key.rsa.pub; fi     "
             "&& apk add --no-cache gettext-envsubst curl ca-certificates tzdata     "
             "&& ln -sf /dev/stdout /var/log/nginx/access.log     && ln -sf /dev/stderr /var/log/nginx/error.log     "
             "&& mkdir /docker-entrypoint.d # buildkit")

NGINX_ENTRYPOINT = """#!/bin/sh
# vim:sw=4:ts=4:et

set -e

entrypoint_log() {
    if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then
        echo "$@"
    fi
}

if [ "$1" = "nginx" ] || [ "$1" = "nginx-debug" ]; then
    if /usr/bin/find "/docker-entrypoint.d/" -mindepth 1 -maxdepth 1 -type f -print -quit 2>/dev/null | read v; then
        entrypoint_log "$0: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"

        entrypoint_log "$0: Looking for shell scripts in /docker-entrypoint.d/"
        find "/docker-entrypoint.d/" -follow -type f -print | sort -V | while read -r f; do
            case "$f" in
                *.envsh)
                    if [ -x "$f" ]; then
                        entrypoint_log "$0: Sourcing $f";
                        . "$f"
                    else
                        # warn on shell scripts without exec bit
                        entrypoint_log "$0: Ignoring $f, not executable";
                    fi
                    ;;
                *.sh)
                    if [ -x "$f" ]; then
                        entrypoint_log "$0: Launching $f";
                        "$f"
                    else
                        # warn on shell scripts without exec bit
                        entrypoint_log "$0: Ignoring $f, not executable";
                    fi
                    ;;
                *) entrypoint_log "$0: Ignoring $f";;
            esac
        done

        entrypoint_log "$0: Configuration complete; ready for start up"
    else
        entrypoint_log "$0: No files found in /docker-entrypoint.d/, skipping configuration"
    fi
fi

exec "$@"
"""


def _script(head: str, size: int) -> str:
    """``head`` padded with comment lines to exactly ``size`` bytes (the size the material shows)."""
    pad = "# layerlab: padded to the size shown in the course material\n"
    text = head
    while len(text.encode()) + len(pad) <= size:
        text += pad
    rest = size - len(text.encode())
    if rest > 0:
        text += "#" * (rest - 1) + "\n" if rest > 1 else "\n"
    assert len(text.encode()) == size
    return text


@lru_cache(maxsize=None)
def _nginx_layers() -> tuple[Layer, ...]:
    mtime = NGINX_CREATED - 30 * NS
    base = alpine_layer()
    old_db = base.entries["/lib/apk/db/installed"].content.bytes().decode()
    apk_pkgs = [("nginx", "1.25.4-r1", 160), ("nginx-module-njs", "1.25.4.0.8.3-r1", 12),
                ("nginx-module-xslt", "1.25.4-r1", 4), ("nginx-module-geoip", "1.25.4-r1", 5),
                ("nginx-module-image-filter", "1.25.4-r1", 4), ("pcre2", "10.42-r2", 8), ("libxml2", "2.11.7-r0", 6),
                ("libxslt", "1.1.39-r0", 8), ("libgd", "2.3.3-r7", 4), ("libpng", "1.6.40-r0", 4),
                ("libjpeg-turbo", "3.0.1-r0", 6), ("libwebp", "1.3.2-r0", 10), ("freetype", "2.13.2-r0", 4),
                ("fontconfig", "2.14.2-r4", 30), ("libx11", "1.8.7-r0", 40), ("libxcb", "1.16-r0", 30),
                ("libxpm", "3.5.17-r0", 4), ("libavif", "1.0.3-r0", 4), ("aom-libs", "3.7.1-r0", 4),
                ("libdav1d", "1.3.0-r1", 4), ("geoip", "1.6.12-r4", 6), ("libcurl", "8.5.0-r0", 4),
                ("curl", "8.5.0-r0", 4), ("brotli-libs", "1.1.0-r1", 6), ("c-ares", "1.24.0-r1", 4),
                ("nghttp2-libs", "1.58.0-r0", 4), ("libidn2", "2.3.4-r4", 4), ("libpsl", "0.21.5-r0", 4),
                ("libunistring", "1.1-r2", 4), ("zstd-libs", "1.5.5-r8", 4), ("libintl", "0.22.3-r0", 4),
                ("gettext-envsubst", "0.22.3-r0", 4), ("ca-certificates", "20240226-r0", 150),
                ("tzdata", "2024a-r0", 600), ("libedit", "20230828.3.1-r3", 4), ("ncurses-libs", "6.4_p20231125-r0", 6),
                ("libbsd", "0.11.7-r3", 4), ("libmd", "1.1.0-r0", 4), ("libgcrypt", "1.10.3-r0", 4),
                ("libgpg-error", "1.47-r2", 4), ("libxext", "1.3.5-r3", 4), ("libxt", "1.3.0-r4", 4),
                ("libsm", "1.2.4-r3", 4), ("libice", "1.1.1-r5", 4), ("libuuid", "2.39.3-r0", 4),
                ("libxau", "1.0.11-r3", 4), ("libxdmcp", "1.1.4-r3", 4), ("libexpat", "2.6.0-r0", 4)]
    paths: list[tuple[str, int, float]] = []
    db = old_db
    for name, ver, n in apk_pkgs:
        files: list[str] = []
        if name == "nginx":
            files = ["/usr/sbin/nginx", "/usr/sbin/nginx-debug", "/etc/nginx/mime.types", "/etc/nginx/fastcgi_params",
                     "/etc/nginx/scgi_params", "/etc/nginx/uwsgi_params"]
            files += [f"/usr/share/nginx/html/doc{i}" for i in range(0)]
            weights = [1500.0, 1600.0, 5.3, 1.0, 0.6, 0.7]
        elif name == "tzdata":
            files = [f"/usr/share/zoneinfo/{r}/Zone{i:03d}" for r, c in
                     (("Africa", 54), ("America", 150), ("Asia", 99), ("Europe", 64), ("Pacific", 43),
                      ("Australia", 23), ("Atlantic", 12), ("Indian", 11), ("Antarctica", 12), ("Etc", 35))
                     for i in range(c)]
            weights = [1.5] * len(files)
        elif name == "ca-certificates":
            files = ["/usr/bin/c_rehash", "/usr/sbin/update-ca-certificates"] + \
                [f"/usr/share/ca-certificates/mozilla/CA_{i:03d}.crt" for i in range(140)]
            weights = [6.0, 30.0] + [1.9] * 140
        elif name.startswith("nginx-module"):
            short = name.removeprefix("nginx-module-")
            files = [f"/usr/lib/nginx/modules/ngx_http_{short}_module.so",
                     f"/usr/lib/nginx/modules/ngx_stream_{short}_module.so"] + \
                [f"/usr/lib/nginx/modules/ngx_http_{short}_module-debug.so"]
            weights = [1200.0 if short == "njs" else 60.0] * 3
            if short == "njs":
                files.append("/usr/bin/njs")
                weights.append(1500.0)
        else:
            stem = name.removesuffix("-libs").removeprefix("lib")
            files = [f"/usr/lib/lib{stem}.so.{1 + int(unit(name) * 5)}.{int(unit(name + 'm') * 9)}.0"]
            weights = [300.0 * (1 + 4 * unit(name + 'w'))]
            if name == "curl":
                files, weights = ["/usr/bin/curl"], [250.0]
            if name == "gettext-envsubst":
                files, weights = ["/usr/bin/envsubst"], [50.0]
            if n > 4:
                files += [f"/usr/share/{stem}/{i}.dat" for i in range(n - 4)]
                weights += [3.0] * (n - 4)
        for f, w in zip(files, weights):
            paths.append((f, 0o755 if "/bin/" in f or "/sbin/" in f or f.endswith(".so") else 0o644, w))
        db += apk_installed_entry(name, ver, int(sum(weights) * 1000), files)

    def extra(tb: TreeBuilder) -> None:
        tb.text("/etc/passwd", D.ALPINE_PASSWD + "nginx:x:101:101:nginx:/var/cache/nginx:/sbin/nologin\n")
        tb.text("/etc/group", D.ALPINE_GROUP + "nginx:x:101:nginx\n")
        shadow = base.entries["/etc/shadow"].content.bytes().decode() + "nginx:!:19767:0:99999:7:::\n"
        tb.text("/etc/shadow", shadow, mode=0o640, gid=42)
        tb.text("/etc/nginx/nginx.conf", D.NGINX_CONF)
        tb.text("/etc/nginx/conf.d/default.conf", D.NGINX_DEFAULT_CONF)
        tb.link("/etc/nginx/modules", "/usr/lib/nginx/modules")
        tb.text("/usr/share/nginx/html/index.html", D.NGINX_INDEX_HTML)
        tb.text("/usr/share/nginx/html/50x.html", D.NGINX_50X_HTML)
        tb.dir("/var/cache/nginx", mode=0o755, uid=101, gid=0)
        tb.dir("/docker-entrypoint.d")
        tb.link("/var/log/nginx/access.log", "/dev/stdout")
        tb.link("/var/log/nginx/error.log", "/dev/stderr")
        tb.text("/etc/apk/world", D.ALPINE_WORLD + "ca-certificates\ncurl\ngettext-envsubst\nnginx=1.25.4-r1\n"
                "nginx-module-geoip=1.25.4-r1\nnginx-module-image-filter=1.25.4-r1\n"
                "nginx-module-njs=1.25.4.0.8.3-r1\nnginx-module-xslt=1.25.4-r1\ntzdata\n")
        tb.text("/lib/apk/db/installed", db)
        tb.blob("/lib/apk/db/scripts.tar", 19456, group="apkdb")
        tb.blob("/lib/apk/db/triggers", 42, group="apkdb")
        tb.blob("/etc/apk/keys/nginx_signing.rsa.pub", 799, group="keys")

    run = paths_layer("nginx:1.25.4-alpine:run", mtime, paths, 26_842_310, extra=extra)
    scripts = [("/docker-entrypoint.sh", NGINX_ENTRYPOINT, 4_621),
               ("/docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
                "#!/bin/sh\n# vim:sw=4:ts=4:et\n\nset -e\n\nentrypoint_log() {\n    if [ -z \"${NGINX_ENTRYPOINT_QUIET_LOGS:-}\" ]; then\n        echo \"$@\"\n    fi\n}\n\nME=$(basename \"$0\")\nDEFAULT_CONF_FILE=\"etc/nginx/conf.d/default.conf\"\n", 2_125),
               ("/docker-entrypoint.d/15-local-resolvers.envsh",
                "#!/bin/sh\n# vim:sw=2:ts=2:sts=2:et\n\nset -eu\n\nLC_ALL=C\nPATH=\"$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"\n\n[ \"${NGINX_ENTRYPOINT_LOCAL_RESOLVERS:-}\" ] || return 0\n\nNGINX_LOCAL_RESOLVERS=$(awk 'BEGIN{ORS=\" \"} $1==\"nameserver\" {print $2}' /etc/resolv.conf)\nexport NGINX_LOCAL_RESOLVERS\n", 336),
               ("/docker-entrypoint.d/20-envsubst-on-templates.sh",
                "#!/bin/sh\n\nset -e\n\nME=$(basename \"$0\")\n\nentrypoint_log() {\n    if [ -z \"${NGINX_ENTRYPOINT_QUIET_LOGS:-}\" ]; then\n        echo \"$@\"\n    fi\n}\n\nadd_stream_block() {\n  local conffile=\"/etc/nginx/nginx.conf\"\n}\n", 3_018),
               ("/docker-entrypoint.d/30-tune-worker-processes.sh",
                "#!/bin/sh\n# vim:sw=2:ts=2:sts=2:et\n\nset -eu\n\nLC_ALL=C\nME=$(basename \"$0\")\nPATH=\"$PATH:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"\n\n[ \"${NGINX_ENTRYPOINT_WORKER_PROCESSES_AUTOTUNE:-}\" ] || exit 0\n", 4_620)]
    copies = []
    for path, head, size in scripts:
        text = head if len(head.encode()) == size else _script(head if len(head.encode()) < size else head[:size], size)
        dirs = {"/docker-entrypoint.d": 0o755} if path.startswith("/docker-entrypoint.d/") else {}
        copies.append(text_layer(NGINX_CREATED - 5 * NS, {path: (text, 0o775)}, dirs))
    return (base, run, *copies)


def nginx_alpine() -> Image:
    """Models ``nginx:alpine`` as the course material shows it (nginx 1.25.4 on alpine 3.19)."""
    a = alpine()
    c = NGINX_CREATED

    def bk(text: str, empty: bool = True, dt: int = 0) -> HistoryEntry:
        return HistoryEntry(c - dt * NS, text, comment=BK, empty_layer=empty)

    hist = a.history + (
        bk("LABEL maintainer=NGINX Docker Maintainers <docker-maint@nginx.com>", dt=40),
        bk("ENV NGINX_VERSION=1.25.4", dt=40), bk("ENV NJS_VERSION=0.8.3", dt=40), bk("ENV PKG_RELEASE=1", dt=40),
        bk(NGINX_RUN, empty=False, dt=5),
        bk("COPY docker-entrypoint.sh / # buildkit", empty=False, dt=5),
        bk("COPY 10-listen-on-ipv6-by-default.sh /docker-entrypoint.d # buildkit", empty=False, dt=5),
        bk("COPY 15-local-resolvers.envsh /docker-entrypoint.d # buildkit", empty=False, dt=5),
        bk("COPY 20-envsubst-on-templates.sh /docker-entrypoint.d # buildkit", empty=False, dt=5),
        bk("COPY 30-tune-worker-processes.sh /docker-entrypoint.d # buildkit", empty=False, dt=5),
        bk('ENTRYPOINT ["/docker-entrypoint.sh"]'), bk("EXPOSE map[80/tcp:{}]"), bk("STOPSIGNAL SIGQUIT"),
        bk('CMD ["nginx" "-g" "daemon off;"]'))
    cfg = ContainerConfig(env=(DEFAULT_PATH, "NGINX_VERSION=1.25.4", "NJS_VERSION=0.8.3", "PKG_RELEASE=1"),
                          cmd=("nginx", "-g", "daemon off;"), entrypoint=("/docker-entrypoint.sh",),
                          exposed_ports=("80/tcp",), stop_signal="SIGQUIT",
                          labels=MappingProxyType({"maintainer": "NGINX Docker Maintainers <docker-maint@nginx.com>"}))
    return Image(layers=_nginx_layers(), config=cfg, history=hist, created=c,
                 description="Model of nginx:alpine (1.25.4 on alpine 3.19, Feb 2024) in the shape the course "
                             "material shows: base ADD 7.38MB (shared with alpine:3.19), one RUN of 26.8MB, "
                             "COPY docker-entrypoint.sh / 4.62kB, EXPOSE map[80/tcp:{}], CMD [\"nginx\" \"-g\" "
                             "\"daemon off;\"]; plus the real image's other rows (LABEL, ENV, the four "
                             "/docker-entrypoint.d scripts, ENTRYPOINT, STOPSIGNAL SIGQUIT).")


# ---------------------------------------------------------------------------- buildpack-deps:bookworm
BPD_CREATED = t("2024-05-14T01:28:15Z")
_CURL_PKGS = ("ca-certificates curl gnupg netbase sq wget dirmngr gnupg-l10n gnupg-utils gpg gpg-agent "
              "gpg-wks-client gpg-wks-server gpgconf gpgsm libassuan0 libbrotli1 libcurl4 libexpat1 "
              "libgdbm6 libgssapi-krb5-2 libk5crypto3 libkeyutils1 libkrb5-3 libkrb5support0 libksba8 "
              "libldap-2.5-0 libldap-common libnghttp2-14 libnpth0 libpsl5 libreadline8 librtmp1 libsasl2-2 "
              "libsasl2-modules libsasl2-modules-db libsqlite3-0 libssh2-1 libssl3 openssl pinentry-curses "
              "publicsuffix readline-common libbotan-2-19 libtspi1 libnettle8 libhogweed6 libgmp10 "
              "libbz2-1.0 libpcre2-8-0 libunbound8 libevent-2.1-7 libgnutls-dane0 libsqlite3-0").split()
_SCM_PKGS = ("git mercurial openssh-client subversion procps git-man liberror-perl perl perl-modules-5.36 "
             "libperl5.36 libgdbm-compat4 python3 python3.11 python3-minimal python3.11-minimal "
             "libpython3.11 libpython3.11-minimal libpython3.11-stdlib libpython3-stdlib mercurial-common "
             "libsvn1 libapr1 libaprutil1 libserf-1-1 libutf8proc2 libcbor0.8 libedit2 libfido2-1 "
             "libxmuu1 libx11-6 libx11-data libxau6 libxcb1 libxdmcp6 libxext6 xauth libproc2-0 "
             "libcurl3-gnutls libmagic1 libmagic-mgc file media-types mime-support libncursesw6 "
             "libtirpc3 libnsl2 libtirpc-common libffi8 libmpdec3 libuuid1 netbase tzdata less patch "
             "libgpm2 libbsd0 libmd0 libdb5.3 libsqlite3-0 libgdbm6 liblz4-1 libzstd1 zlib1g").split()
_BIG_PKGS = ("autoconf automake bzip2 default-libmysqlclient-dev dpkg-dev file g++ gcc imagemagick libbz2-dev "
             "libc6-dev libcurl4-openssl-dev libdb-dev libevent-dev libffi-dev libgdbm-dev libglib2.0-dev "
             "libgmp-dev libjpeg-dev libkrb5-dev liblzma-dev libmagickcore-dev libmagickwand-dev "
             "libmaxminddb-dev libncurses5-dev libncursesw5-dev libpng-dev libpq-dev libreadline-dev "
             "libsqlite3-dev libssl-dev libtool libwebp-dev libxml2-dev libxslt1-dev libyaml-dev make patch "
             "unzip xz-utils zlib1g-dev binutils binutils-common binutils-x86-64-linux-gnu cpp cpp-12 g++-12 "
             "gcc-12 libasan8 libatomic1 libbinutils libcc1-0 libctf0 libctf-nobfd0 libgcc-12-dev libgomp1 "
             "libgprofng0 libisl23 libitm1 liblsan0 libmpc3 libmpfr6 libquadmath0 libstdc++-12-dev libtsan2 "
             "libubsan1 libjansson4 linux-libc-dev libcrypt-dev libnsl-dev rpcsvc-proto libtirpc-dev "
             "libmagickcore-6.q16-6 libmagickcore-6.q16-6-extra libmagickwand-6.q16-6 libmagickcore-6.q16-dev "
             "libmagickwand-6.q16-dev imagemagick-6.q16 imagemagick-6-common libgraphviz-dev libcairo2 "
             "libcairo2-dev libpango-1.0-0 libpangocairo-1.0-0 libpangoft2-1.0-0 libfontconfig1 "
             "libfontconfig-dev libfreetype6 libfreetype-dev fontconfig-config fonts-dejavu-core "
             "libharfbuzz0b libgraphite2-3 libpixman-1-0 libpixman-1-dev libx11-dev libxcb1-dev libxau-dev "
             "libxdmcp-dev libxext-dev libxrender1 libxrender-dev x11proto-dev xorg-sgml-doctools xtrans-dev "
             "libice6 libice-dev libsm6 libsm-dev libxt6 libxt-dev libglib2.0-0 libglib2.0-bin libglib2.0-data "
             "libglib2.0-dev-bin libmount-dev libselinux1-dev libsepol-dev libpcre2-dev libpcre2-16-0 "
             "libpcre2-32-0 libpcre2-posix3 libblkid-dev libffi-dev python3-distutils python3-lib2to3 "
             "python3-packaging libjpeg62-turbo libjpeg62-turbo-dev libpng16-16 libtiff6 libtiff-dev "
             "libtiffxx6 libwebp7 libwebpdemux2 libwebpmux3 libopenjp2-7 libopenjp2-7-dev liblcms2-2 "
             "liblcms2-dev liblqr-1-0 liblqr-1-0-dev libltdl7 libltdl-dev libfftw3-double3 libfftw3-dev "
             "libfftw3-bin libfftw3-long3 libfftw3-quad3 libfftw3-single3 libgomp1 libheif1 libde265-0 "
             "libx265-199 libaom3 libdav1d6 libgav1-1 libyuv0 libabsl20220623 librav1e0 libsvtav1enc1 "
             "libdjvulibre21 libdjvulibre-dev libdjvulibre-text libopenexr-3-1-30 libopenexr-dev "
             "libimath-3-1-29 libimath-dev libwmflite-0.2-7 libwmf-0.2-7 libwmf-dev libraw20 "
             "libmariadb3 libmariadb-dev libmariadb-dev-compat mariadb-common mysql-common libpq5 "
             "libgssrpc4 libkadm5clnt-mit12 libkadm5srv-mit12 libkdb5-10 krb5-multidev comerr-dev "
             "libevent-2.1-7 libevent-core-2.1-7 libevent-extra-2.1-7 libevent-openssl-2.1-7 "
             "libevent-pthreads-2.1-7 libmaxminddb0 libyaml-0-2 libxml2 libxslt1.1 libexslt0 "
             "libgdbm-compat-dev libgmpxx4ldbl libgnutls28-dev libidn2-dev libp11-kit-dev libtasn1-6-dev "
             "nettle-dev libunbound8 libgnutls-openssl27 libgnutlsxx30 libldap2-dev libnghttp2-dev "
             "libpsl-dev librtmp-dev libssh2-1-dev libbrotli-dev libzstd-dev libkeyutils-dev "
             "libreadline-dev libncurses-dev libtinfo-dev libbz2-dev liblzma-dev libsqlite3-dev "
             "libdb5.3-dev libexpat1-dev uuid-dev libsystemd-dev libelf1 libdw1 libbsd-dev libmd-dev "
             "gir1.2-glib-2.0 libgirepository-1.0-1 libicu72 libicu-dev icu-devtools libxmlb2 "
             "m4 pkgconf pkgconf-bin libpkgconf3 pkg-config shared-mime-info xdg-user-dirs libdeflate0 "
             "libdeflate-dev libjbig0 libjbig-dev liblerc4 liblerc-dev libsharpyuv0 libsharpyuv-dev "
             "gcc-12-base libgcc-s1 libstdc++6 perl-openssl-defaults libdpkg-perl libfile-fcntllock-perl "
             "liblocale-gettext-perl libalgorithm-diff-perl libalgorithm-diff-xs-perl libalgorithm-merge-perl "
             "manpages manpages-dev fakeroot libfakeroot libcurl4 libgd3 libavahi-client3 libavahi-common3 "
             "libavahi-common-data libcups2 libdbus-1-3 dbus libapparmor1 libbluray2 libgs10 libgs10-common "
             "libgs-common ghostscript libidn12 libijs-0.35 libjbig2dec0 libpaper1 libpaper-utils poppler-data "
             "fonts-urw-base35 gsfonts libfontenc1 x11-common libthai0 libthai-data libdatrie1 libfribidi0 "
             "libxft2 libxpm4 libxmu6 libxaw7 libxss1 libgts-0.7-5 libgvc6 libcgraph6 libcdt5 libpathplan4 "
             "libgvpr2 liblab-gamut1 libann0 libltdl7 libxdot4 libgraphviz-dev graphviz").split()


def _pkgs(names: list[str], nfiles: int, key: str) -> list[tuple[str, str, int]]:
    """Spread ``nfiles`` over ``names`` (big -dev and data packages get more files)."""
    seen, uniq = set(), []
    for n in names:
        if n not in seen:
            seen.add(n)
            uniq.append(n)
    weights = [(6.0 if n.endswith("-dev") else 8.0 if n.startswith(("perl", "python3", "libpython", "mercurial",
                                                                       "git", "manpages", "imagemagick", "tzdata",
                                                                       "libicu", "poppler", "fonts", "libglib"))
                else 1.0) * (0.5 + unit(f"{key}:{n}")) for n in uniq]
    total_w = sum(weights)
    out = []
    for n, w in zip(uniq, weights):
        out.append((n, f"{1 + int(unit(n + 'v') * 9)}.{int(unit(n + 'w') * 30)}-{1 + int(unit(n + 'r') * 4)}",
                    max(2, int(nfiles * w / total_w))))
    return out


@lru_cache(maxsize=None)
def bpd_layers() -> tuple[Layer, ...]:
    """buildpack-deps:bookworm-curl, -scm and bookworm: three apt-get install layers."""
    base = deb_layer("bookworm")
    status0 = _status_of(base)
    curl_pkgs = _pkgs(_CURL_PKGS, 1400, "curl")
    curl = apt_install_layer("bpd:curl", BPD_CREATED - 7200 * NS, status0, curl_pkgs, 60_338_441)
    status1 = _status_of(curl)
    scm_pkgs = _pkgs(_SCM_PKGS, 5200, "scm")
    scm = apt_install_layer("bpd:scm", BPD_CREATED - 3600 * NS, status1, scm_pkgs, 162_237_093)
    status2 = _status_of(scm)
    big_pkgs = _pkgs(_BIG_PKGS, 17000, "big")
    big = apt_install_layer("bpd:big", BPD_CREATED, status2, big_pkgs, 604_159_807)
    return (base, curl, scm, big)


BPD_RUNS = (
    "RUN /bin/sh -c set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tca-certificates "
    "\t\tcurl \t\tgnupg \t\tnetbase \t\tsq \t\twget \t; \trm -rf /var/lib/apt/lists/* # buildkit",
    "RUN /bin/sh -c set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tgit "
    "\t\tmercurial \t\topenssh-client \t\tsubversion \t\t\t\tprocps \t; \trm -rf /var/lib/apt/lists/* # buildkit",
    "RUN /bin/sh -c set -ex; \tapt-get update; \tapt-get install -y --no-install-recommends \t\t"
    + " \t\t".join("autoconf automake bzip2 default-libmysqlclient-dev dpkg-dev file g++ gcc imagemagick libbz2-dev "
                   "libc6-dev libcurl4-openssl-dev libdb-dev libevent-dev libffi-dev libgdbm-dev libglib2.0-dev "
                   "libgmp-dev libjpeg-dev libkrb5-dev liblzma-dev libmagickcore-dev libmagickwand-dev "
                   "libmaxminddb-dev libncurses5-dev libncursesw5-dev libpng-dev libpq-dev libreadline-dev "
                   "libsqlite3-dev libssl-dev libtool libwebp-dev libxml2-dev libxslt-dev libyaml-dev make patch "
                   "unzip xz-utils zlib1g-dev".split())
    + " \t; \trm -rf /var/lib/apt/lists/* # buildkit",
)


def _bpd_history() -> tuple[HistoryEntry, ...]:
    base = debian_bookworm().history
    return base + tuple(HistoryEntry(BPD_CREATED - (2 - i) * 3600 * NS, run, comment=BK) for i, run in enumerate(BPD_RUNS))


# ---------------------------------------------------------------------------- python
PY_CREATED = t("2024-05-14T05:43:12Z")
PY_VERSION = "3.12.3"
PY_GPG = "7169605F62C751356D054A26A821E680E5FA6305"
PY_BUILD_RUN = (
    "RUN /bin/sh -c set -eux; \t\twget -O python.tar.xz \"https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}"
    "/Python-$PYTHON_VERSION.tar.xz\"; \twget -O python.tar.xz.asc \"https://www.python.org/ftp/python/"
    "${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz.asc\"; \tGNUPGHOME=\"$(mktemp -d)\"; export GNUPGHOME; "
    "\tgpg --batch --keyserver hkps://keys.openpgp.org --recv-keys \"$GPG_KEY\"; \tgpg --batch --verify "
    "python.tar.xz.asc python.tar.xz; \tgpgconf --kill all; \trm -rf \"$GNUPGHOME\" python.tar.xz.asc; "
    "\tmkdir -p /usr/src/python; \ttar --extract --directory /usr/src/python --strip-components=1 --file "
    "python.tar.xz; \trm python.tar.xz; \t\tcd /usr/src/python; \tgnuArch=\"$(dpkg-architecture --query "
    "DEB_BUILD_GNU_TYPE)\"; \t./configure \t\t--build=\"$gnuArch\" \t\t--enable-loadable-sqlite-extensions "
    "\t\t--enable-optimizations \t\t--enable-option-checking=fatal \t\t--enable-shared \t\t--with-lto "
    "\t\t--with-system-expat \t\t--with-ensurepip \t; \tnproc=\"$(nproc)\"; \tEXTRA_CFLAGS=\"$(dpkg-buildflags "
    "--get CFLAGS)\"; \tLDFLAGS=\"$(dpkg-buildflags --get LDFLAGS)\"; \tmake -j \"$nproc\" \t\t\"EXTRA_CFLAGS="
    "${EXTRA_CFLAGS:-}\" \t\t\"LDFLAGS=${LDFLAGS:-}\" \t\t\"PROFILE_TASK=${PROFILE_TASK:-}\" \t; \trm python; "
    "\tmake -j \"$nproc\" \t\t\"EXTRA_CFLAGS=${EXTRA_CFLAGS:-}\" \t\t\"LDFLAGS=${LDFLAGS:--Wl},-rpath='\\$\\$ORIGIN/"
    "../lib'\" \t\t\"PROFILE_TASK=${PROFILE_TASK:-}\" \t\tpython \t; \tmake install; \t\tbin=\"$(readlink -ve "
    "/usr/local/bin/python3)\"; \tdir=\"$(dirname \"$bin\")\"; \tmkdir -p \"/usr/share/gdb/auto-load/$dir\"; "
    "\tcp -vL Tools/gdb/libpython.py \"/usr/share/gdb/auto-load/$bin-gdb.py\"; \t\tcd /; \trm -rf "
    "/usr/src/python; \t\tfind /usr/local -depth \t\t\\( \t\t\t\\( -type d -a \\( -name test -o -name tests -o "
    "-name idle_test \\) \\) \t\t\t-o \\( -type f -a \\( -name '*.pyc' -o -name '*.pyo' -o -name 'libpython*.a' "
    "\\) \\) \t\t\\) -exec rm -rf '{}' + \t; \t\tldconfig; \t\texport PYTHONDONTWRITEBYTECODE=1; \tpython3 "
    "--version; \tpip3 --version # buildkit")
PY_LINKS_RUN = ("RUN /bin/sh -c set -eux; \tfor src in idle3 pip3 pydoc3 python3 python3-config; do "
                "\t\tdst=\"$(echo \"$src\" | tr -d 3)\"; \t\t[ -s \"/usr/local/bin/$src\" ]; \t\t[ ! -e "
                "\"/usr/local/bin/$dst\" ]; \t\tln -svT \"$src\" \"/usr/local/bin/$dst\"; \tdone # buildkit")
PY_ENV = (DEFAULT_PATH.replace("PATH=", "PATH=/usr/local/bin:"), "LANG=C.UTF-8", f"GPG_KEY={PY_GPG}",
          f"PYTHON_VERSION={PY_VERSION}")


def _py_bin_layer(seed: str, mtime: int, total: int, nfiles: int) -> Layer:
    def extra(tb: TreeBuilder) -> None:
        tb.link("/usr/local/bin/python3", "python3.12")
        tb.link("/usr/local/bin/pydoc3", "pydoc3.12")
        tb.link("/usr/local/bin/idle3", "idle3.12")
        tb.link("/usr/local/bin/python3-config", "python3.12-config")
        tb.blob("/usr/local/lib/libpython3.so", 15_616, 0o755, group="py")
        tb.link("/usr/local/lib/libpython3.12.so", "libpython3.12.so.1.0")
        tb.blob("/etc/ld.so.cache", 9_804, group="state")

    paths = python_paths("/usr/local", "3.12", nfiles)
    return paths_layer(seed, mtime, paths, total, extra=extra)


def _py_links_layer(mtime: int) -> Layer:
    tb = TreeBuilder("python:links", mtime)
    for dst, src in (("idle", "idle3"), ("pip", "pip3"), ("pydoc", "pydoc3"), ("python", "python3"),
                     ("python-config", "python3-config")):
        tb.link(f"/usr/local/bin/{dst}", src)
    return Layer(MappingProxyType(dict(tb.entries)), frozenset(), frozenset())


@lru_cache(maxsize=None)
def _python_layers() -> tuple[Layer, ...]:
    bpd = bpd_layers()
    status = _status_of(bpd[3])
    deps = apt_install_layer("python:deps", PY_CREATED - 900 * NS, status,
                             _pkgs("libbluetooth-dev tk-dev uuid-dev libbluetooth3 tk8.6-dev tcl8.6-dev tcl-dev "
                                   "libtcl8.6 libtk8.6 tk8.6 tcl8.6 libxft-dev libxss-dev libfontconfig-dev "
                                   "x11proto-scrnsaver-dev".split(), 1500, "pydeps"), 18_554_211)
    build = _py_bin_layer("python:3.12.3", PY_CREATED - 60 * NS, 57_606_042, 3600)
    return (*bpd, deps, build, _py_links_layer(PY_CREATED))


def python312() -> Image:
    """Models ``python:3.12`` (3.12.3 on buildpack-deps:bookworm, May 2024): 7 layers, 1.02GB."""
    c = PY_CREATED
    hist = _bpd_history() + (
        HistoryEntry(c - 950 * NS, f"ENV PATH={PY_ENV[0][5:]}", comment=BK, empty_layer=True),
        HistoryEntry(c - 950 * NS, "ENV LANG=C.UTF-8", comment=BK, empty_layer=True),
        HistoryEntry(c - 900 * NS, "RUN /bin/sh -c set -eux; \tapt-get update; \tapt-get install -y "
                     "--no-install-recommends \t\tlibbluetooth-dev \t\ttk-dev \t\tuuid-dev \t; \trm -rf "
                     "/var/lib/apt/lists/* # buildkit", comment=BK),
        HistoryEntry(c - 900 * NS, f"ENV GPG_KEY={PY_GPG}", comment=BK, empty_layer=True),
        HistoryEntry(c - 900 * NS, f"ENV PYTHON_VERSION={PY_VERSION}", comment=BK, empty_layer=True),
        HistoryEntry(c - 60 * NS, PY_BUILD_RUN, comment=BK),
        HistoryEntry(c, PY_LINKS_RUN, comment=BK),
        HistoryEntry(c, 'CMD ["python3"]', comment=BK, empty_layer=True))
    return Image(layers=_python_layers(), config=ContainerConfig(env=PY_ENV, cmd=("python3",)), history=hist,
                 created=c, description="Model of python:3.12 (3.12.3, bookworm, May 2024): debian:bookworm "
                 "(117MB, shared) + the three buildpack-deps layers (60.3MB, 162MB, 604MB; shared with node:20) "
                 "+ tk/bluetooth dev packages 18.6MB + CPython build 57.6MB in /usr/local + 5 symlinks.")


@lru_cache(maxsize=None)
def _python_slim_layers() -> tuple[Layer, ...]:
    base = deb_layer("bookworm-slim")
    status = _status_of(base)
    runtime = apt_install_layer("python-slim:deps", PY_CREATED - 800 * NS, status,
                                [("ca-certificates", "20230311", 150), ("netbase", "6.4", 6),
                                 ("openssl", "3.0.11-1~deb12u2", 40)], 9_263_712)
    build = _py_bin_layer("python:3.12.3-slim", PY_CREATED - 50 * NS, 41_204_385, 3300)
    return (base, runtime, build, _py_links_layer(PY_CREATED))


def python312_slim() -> Image:
    """Models ``python:3.12-slim`` (3.12.3, bookworm-slim, May 2024): 4 layers, 125MB."""
    c = PY_CREATED
    hist = debian_bookworm_slim().history + (
        HistoryEntry(c - 950 * NS, f"ENV PATH={PY_ENV[0][5:]}", comment=BK, empty_layer=True),
        HistoryEntry(c - 950 * NS, "ENV LANG=C.UTF-8", comment=BK, empty_layer=True),
        HistoryEntry(c - 800 * NS, "RUN /bin/sh -c set -eux; \tapt-get update; \tapt-get install -y "
                     "--no-install-recommends \t\tca-certificates \t\tnetbase \t\ttzdata \t; \trm -rf "
                     "/var/lib/apt/lists/* # buildkit", comment=BK),
        HistoryEntry(c - 800 * NS, f"ENV GPG_KEY={PY_GPG}", comment=BK, empty_layer=True),
        HistoryEntry(c - 800 * NS, f"ENV PYTHON_VERSION={PY_VERSION}", comment=BK, empty_layer=True),
        HistoryEntry(c - 50 * NS, PY_BUILD_RUN.replace("RUN /bin/sh -c set -eux; ", "RUN /bin/sh -c set -eux; "
                     "\t\tsavedAptMark=\"$(apt-mark showmanual)\"; \tapt-get update; \tapt-get install -y "
                     "--no-install-recommends \t\tdpkg-dev \t\tgcc \t\tgnupg \t\tlibbluetooth-dev \t\tlibbz2-dev "
                     "\t\tlibc6-dev \t\tlibdb-dev \t\tlibexpat1-dev \t\tlibffi-dev \t\tlibgdbm-dev \t\tliblzma-dev "
                     "\t\tlibncursesw5-dev \t\tlibreadline-dev \t\tlibsqlite3-dev \t\tlibssl-dev \t\tmake "
                     "\t\ttk-dev \t\tuuid-dev \t\twget \t\txz-utils \t\tzlib1g-dev \t; "), comment=BK),
        HistoryEntry(c, PY_LINKS_RUN, comment=BK),
        HistoryEntry(c, 'CMD ["python3"]', comment=BK, empty_layer=True))
    return Image(layers=_python_slim_layers(), config=ContainerConfig(env=PY_ENV, cmd=("python3",)), history=hist,
                 created=c, description="Model of python:3.12-slim (3.12.3, bookworm-slim, May 2024): "
                 "debian:bookworm-slim 74.8MB + ca-certificates/netbase/tzdata 9.26MB + CPython build "
                 "41.2MB + 5 symlinks.")


# ---------------------------------------------------------------------------- node
NODE_CREATED = t("2024-05-16T02:12:40Z")
NODE_VERSION = "20.13.1"
YARN_VERSION = "1.22.22"
NODE_ENV = (DEFAULT_PATH, f"NODE_VERSION={NODE_VERSION}", f"YARN_VERSION={YARN_VERSION}")
NODE_GROUPADD = ("RUN /bin/sh -c groupadd --gid 1000 node   && useradd --uid 1000 --gid node --shell /bin/bash "
                 "--create-home node # buildkit")
NODE_INSTALL = (
    "RUN /bin/sh -c ARCH= && dpkgArch=\"$(dpkg --print-architecture)\"   && case \"${dpkgArch##*-}\" in     "
    "amd64) ARCH='x64';;     ppc64el) ARCH='ppc64le';;     s390x) ARCH='s390x';;     arm64) ARCH='arm64';;     "
    "armhf) ARCH='armv7l';;     i386) ARCH='x86';;     *) echo \"unsupported architecture\"; exit 1 ;;   esac   "
    "&& set -ex   && for key in     4ED778F539E3634C779C87C6D7062848A1AB005C     "
    "141F07595B7B3FFE74309A937405533BE57C7D57     74F12602B6F1C4E913FAA37AD3A89613643B6201     "
    "DD792F5973C6DE52C432CBDAC77ABFA00DD5F4D4     CC68F5A3106FF448322E48ED27F5E38D5B0A215F     "
    "8FCCA13FEF1D0C2E91008E09770F7A9A5AE15600     C4F0DFFF4E8C1A8236409D08E73BC641CC11F4C8     "
    "890C08DB8579162FEE0DF9DB8BEAB4DFCF555EF4     C82FA3AE1CBEDC6BE46B9360C43CEC45C17AB93C     "
    "108F52B48DB57BB0CC439B2997B01419BD92F80A     A363A499291CBBC940DD62E41F10027AF002F8B0   ; do       "
    "gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys \"$key\" ||       gpg --batch --keyserver "
    "keyserver.ubuntu.com --recv-keys \"$key\" ;   done   && curl -fsSLO --compressed "
    "\"https://nodejs.org/dist/v$NODE_VERSION/node-v$NODE_VERSION-linux-$ARCH.tar.xz\"   && curl -fsSLO "
    "--compressed \"https://nodejs.org/dist/v$NODE_VERSION/SHASUMS256.txt.asc\"   && gpg --batch --decrypt "
    "--output SHASUMS256.txt SHASUMS256.txt.asc   && grep \" node-v$NODE_VERSION-linux-$ARCH.tar.xz\\$\" "
    "SHASUMS256.txt | sha256sum -c -   && tar -xJf \"node-v$NODE_VERSION-linux-$ARCH.tar.xz\" -C /usr/local "
    "--strip-components=1 --no-same-owner   && rm \"node-v$NODE_VERSION-linux-$ARCH.tar.xz\" SHASUMS256.txt.asc "
    "SHASUMS256.txt   && ln -s /usr/local/bin/node /usr/local/bin/nodejs   && node --version   && npm --version "
    "# buildkit")
YARN_INSTALL = (
    "RUN /bin/sh -c set -ex   && for key in     6A010C5166006599AA17F08146C2130DFD2497F5   ; do     gpg --batch "
    "--keyserver hkps://keys.openpgp.org --recv-keys \"$key\" ||     gpg --batch --keyserver keyserver.ubuntu.com "
    "--recv-keys \"$key\" ;   done   && curl -fsSLO --compressed \"https://yarnpkg.com/downloads/$YARN_VERSION/"
    "yarn-v$YARN_VERSION.tar.gz\"   && curl -fsSLO --compressed \"https://yarnpkg.com/downloads/$YARN_VERSION/"
    "yarn-v$YARN_VERSION.tar.gz.asc\"   && gpg --batch --verify yarn-v$YARN_VERSION.tar.gz.asc "
    "yarn-v$YARN_VERSION.tar.gz   && mkdir -p /opt   && tar -xzf yarn-v$YARN_VERSION.tar.gz -C /opt/   && "
    "ln -s /opt/yarn-v$YARN_VERSION/bin/yarn /usr/local/bin/yarn   && ln -s /opt/yarn-v$YARN_VERSION/bin/yarnpkg "
    "/usr/local/bin/yarnpkg   && rm yarn-v$YARN_VERSION.tar.gz.asc yarn-v$YARN_VERSION.tar.gz   && yarn --version "
    "# buildkit")


def _node_links(tb: TreeBuilder) -> None:
    tb.link("/usr/local/bin/npm", "../lib/node_modules/npm/bin/npm-cli.js")
    tb.link("/usr/local/bin/npx", "../lib/node_modules/npm/bin/npx-cli.js")
    tb.link("/usr/local/bin/corepack", "../lib/node_modules/corepack/dist/corepack.js")
    tb.link("/usr/local/bin/nodejs", "/usr/local/bin/node")


def _yarn_layer(seed: str, mtime: int, total: int) -> Layer:
    paths = [(f"/opt/yarn-v{YARN_VERSION}/{p}", m, w) for p, m, w in
             [("bin/yarn", 0o755, 0.5), ("bin/yarn.js", 0o755, 0.1), ("bin/yarnpkg", 0o755, 0.05),
              ("bin/yarn.cmd", 0o755, 0.02), ("bin/yarnpkg.cmd", 0o755, 0.02), ("lib/cli.js", 0o644, 5200.0),
              ("lib/v8-compile-cache.js", 0o644, 10.0), ("package.json", 0o644, 0.8), ("LICENSE", 0o644, 1.3),
              ("README.md", 0o644, 2.0)]]

    def extra(tb: TreeBuilder) -> None:
        tb.link("/usr/local/bin/yarn", f"/opt/yarn-v{YARN_VERSION}/bin/yarn")
        tb.link("/usr/local/bin/yarnpkg", f"/opt/yarn-v{YARN_VERSION}/bin/yarnpkg")
    return paths_layer(seed, mtime, paths, total, extra=extra)


def _entrypoint_layer(mtime: int) -> Layer:
    return text_layer(mtime, {"/usr/local/bin/docker-entrypoint.sh": (D.NODE_ENTRYPOINT, 0o755)})


@lru_cache(maxsize=None)
def _node_layers() -> tuple[Layer, ...]:
    bpd = bpd_layers()
    m = NODE_CREATED - 600 * NS
    base_passwd = bpd[0].entries["/etc/passwd"].content.bytes().decode()
    base_group = bpd[0].entries["/etc/group"].content.bytes().decode()
    tb = TreeBuilder("node:groupadd", m)
    tb.text("/etc/passwd", base_passwd + "node:x:1000:1000::/home/node:/bin/bash\n")
    tb.text("/etc/passwd-", base_passwd)
    tb.text("/etc/group", base_group + "node:x:1000:\n")
    tb.text("/etc/group-", base_group)
    sh = "".join(f"{l.split(':')[0]}:*:19856:0:99999:7:::\n" for l in base_passwd.splitlines())
    tb.text("/etc/shadow", sh + "node:!:19859:0:99999:7:::\n", mode=0o640, gid=42)
    tb.text("/etc/shadow-", sh, mode=0o640, gid=42)
    tb.text("/etc/gshadow", "".join(f"{l.split(':')[0]}:*::\n" for l in base_group.splitlines()) + "node:!::\n",
            mode=0o640, gid=42)
    tb.dir("/home/node", mode=0o755, uid=1000, gid=1000)
    tb.text("/home/node/.bashrc", "# ~/.bashrc: executed by bash(1) for non-login shells.\n" + "#\n" * 1800,
            uid=1000, gid=1000)
    tb.text("/home/node/.profile", "# ~/.profile: executed by the command interpreter for login shells.\n"
            + "#\n" * 360, uid=1000, gid=1000)
    tb.text("/home/node/.bash_logout", "# ~/.bash_logout: executed by bash(1) when login shell exits.\n" + "#\n" * 80,
            uid=1000, gid=1000)
    tb.blob("/var/log/lastlog", 292_292, group="state")
    tb.blob("/var/log/faillog", 32_032 + 0, group="state")
    groupadd = Layer(MappingProxyType(dict(tb.entries)), frozenset(), frozenset())
    node = paths_layer("node:20.13.1", m + 60 * NS, node_paths(2600, NODE_VERSION), 154_215_306, extra=_node_links)
    yarn = _yarn_layer("yarn:1.22.22", m + 120 * NS, 5_342_008)
    return (*bpd, groupadd, node, yarn, _entrypoint_layer(m + 130 * NS))


def node20() -> Image:
    """Models ``node:20`` (20.13.1 on buildpack-deps:bookworm, May 2024): 8 layers, 1.1GB."""
    c = NODE_CREATED
    hist = _bpd_history() + (
        HistoryEntry(c - 600 * NS, NODE_GROUPADD, comment=BK),
        HistoryEntry(c - 600 * NS, f"ENV NODE_VERSION={NODE_VERSION}", comment=BK, empty_layer=True),
        HistoryEntry(c - 540 * NS, NODE_INSTALL, comment=BK),
        HistoryEntry(c - 540 * NS, f"ENV YARN_VERSION={YARN_VERSION}", comment=BK, empty_layer=True),
        HistoryEntry(c - 480 * NS, YARN_INSTALL, comment=BK),
        HistoryEntry(c - 470 * NS, "COPY docker-entrypoint.sh /usr/local/bin/ # buildkit", comment=BK),
        HistoryEntry(c, 'ENTRYPOINT ["docker-entrypoint.sh"]', comment=BK, empty_layer=True),
        HistoryEntry(c, 'CMD ["node"]', comment=BK, empty_layer=True))
    return Image(layers=_node_layers(), config=ContainerConfig(env=NODE_ENV, cmd=("node",),
                                                               entrypoint=("docker-entrypoint.sh",)),
                 history=hist, created=c,
                 description="Model of node:20 (20.13.1, bookworm, May 2024): debian:bookworm + the three "
                 "buildpack-deps layers (shared with python:3.12) + groupadd/useradd node + the node tarball "
                 "in /usr/local (154MB) + yarn 1.22.22 (5.34MB) + docker-entrypoint.sh.")


NODE_ALPINE_INSTALL = (
    "RUN /bin/sh -c addgroup -g 1000 node     && adduser -u 1000 -G node -s /bin/sh -D node     && apk add "
    "--no-cache         libstdc++     && apk add --no-cache --virtual .build-deps         curl     && ARCH= "
    "OPENSSL_ARCH='linux*' && alpineArch=\"$(apk --print-arch)\"       && case \"${alpineArch##*-}\" in         "
    "x86_64) ARCH='x64' CHECKSUM=\"0b1f5b3ae2b5b8e2a1b0fbb1cd2b5d1a1a6d3fd8d4fbe1e0d7b0b3b7c8a3e2b1\" "
    "OPENSSL_ARCH=linux-x86_64;;         *) ;;       esac   && if [ -n \"${CHECKSUM}\" ]; then     set -eu;     "
    "curl -fsSLO --compressed \"https://unofficial-builds.nodejs.org/download/release/v$NODE_VERSION/"
    "node-v$NODE_VERSION-linux-$ARCH-musl.tar.xz\";     echo \"$CHECKSUM  node-v$NODE_VERSION-linux-$ARCH-musl."
    "tar.xz\" | sha256sum -c -       && tar -xJf \"node-v$NODE_VERSION-linux-$ARCH-musl.tar.xz\" -C /usr/local "
    "--strip-components=1 --no-same-owner       && ln -s /usr/local/bin/node /usr/local/bin/nodejs;   fi   && "
    "rm -f \"node-v$NODE_VERSION-linux-$ARCH-musl.tar.xz\"   && find /usr/local/include/node/openssl/archs "
    "-mindepth 1 -maxdepth 1 ! -name \"$OPENSSL_ARCH\" -exec rm -rf {} \\;   && apk del .build-deps   && node "
    "--version   && npm --version # buildkit")
NODE_ALPINE_YARN = (
    "RUN /bin/sh -c apk add --no-cache --virtual .build-deps-yarn curl gnupg tar   && export GNUPGHOME=\"$(mktemp "
    "-d)\"   && for key in     6A010C5166006599AA17F08146C2130DFD2497F5   ; do     gpg --batch --keyserver "
    "hkps://keys.openpgp.org --recv-keys \"$key\" ||     gpg --batch --keyserver keyserver.ubuntu.com --recv-keys "
    "\"$key\" ;   done   && curl -fsSLO --compressed \"https://yarnpkg.com/downloads/$YARN_VERSION/"
    "yarn-v$YARN_VERSION.tar.gz\"   && curl -fsSLO --compressed \"https://yarnpkg.com/downloads/$YARN_VERSION/"
    "yarn-v$YARN_VERSION.tar.gz.asc\"   && gpg --batch --verify yarn-v$YARN_VERSION.tar.gz.asc "
    "yarn-v$YARN_VERSION.tar.gz   && gpgconf --kill all   && rm -rf \"$GNUPGHOME\"   && mkdir -p /opt   && tar "
    "-xzf yarn-v$YARN_VERSION.tar.gz -C /opt/   && ln -s /opt/yarn-v$YARN_VERSION/bin/yarn /usr/local/bin/yarn   "
    "&& ln -s /opt/yarn-v$YARN_VERSION/bin/yarnpkg /usr/local/bin/yarnpkg   && rm yarn-v$YARN_VERSION.tar.gz.asc "
    "yarn-v$YARN_VERSION.tar.gz   && apk del .build-deps-yarn   && yarn --version # buildkit")


@lru_cache(maxsize=None)
def _node_alpine_layers() -> tuple[Layer, ...]:
    base = alpine_layer()
    m = NODE_CREATED - 300 * NS
    old_db = base.entries["/lib/apk/db/installed"].content.bytes().decode()

    def extra(tb: TreeBuilder) -> None:
        _node_links(tb)
        tb.text("/etc/passwd", D.ALPINE_PASSWD + "node:x:1000:1000:Linux User,,,:/home/node:/bin/sh\n")
        tb.text("/etc/group", D.ALPINE_GROUP + "node:x:1000:node\n")
        tb.text("/etc/shadow", base.entries["/etc/shadow"].content.bytes().decode() + "node:!:19859:0:99999:7:::\n",
                mode=0o640, gid=42)
        tb.dir("/home/node", mode=0o2755, uid=1000, gid=1000)
        tb.text("/lib/apk/db/installed", old_db + apk_installed_entry(
            "libstdc++", "13.2.1_git20231014-r0", 2_547_712, ["/usr/lib/libstdc++.so.6.0.32", "/usr/lib/libstdc++.so.6"])
            + apk_installed_entry("libgcc", "13.2.1_git20231014-r0", 151_552, ["/usr/lib/libgcc_s.so.1"]))
        tb.text("/etc/apk/world", D.ALPINE_WORLD + "libstdc++\n")
        tb.blob("/usr/lib/libstdc++.so.6.0.32", 2_540_544, 0o755, group="libstdc++")
        tb.link("/usr/lib/libstdc++.so.6", "libstdc++.so.6.0.32")
        tb.blob("/usr/lib/libgcc_s.so.1", 149_024, 0o755, group="libgcc")

    node = paths_layer("node:20.13.1-alpine", m, node_paths(2600, NODE_VERSION + "-alpine"), 127_538_924, extra=extra)
    yarn = _yarn_layer("yarn:1.22.22", m + 60 * NS, 5_342_008)
    return (base, node, yarn, _entrypoint_layer(m + 70 * NS))


def node20_alpine() -> Image:
    """Models ``node:20-alpine`` (20.13.1 on alpine 3.19, May 2024): 4 layers, 140MB."""
    c = NODE_CREATED
    hist = alpine().history + (
        HistoryEntry(c - 300 * NS, f"ENV NODE_VERSION={NODE_VERSION}", comment=BK, empty_layer=True),
        HistoryEntry(c - 300 * NS, NODE_ALPINE_INSTALL, comment=BK),
        HistoryEntry(c - 240 * NS, f"ENV YARN_VERSION={YARN_VERSION}", comment=BK, empty_layer=True),
        HistoryEntry(c - 240 * NS, NODE_ALPINE_YARN, comment=BK),
        HistoryEntry(c - 230 * NS, "COPY docker-entrypoint.sh /usr/local/bin/ # buildkit", comment=BK),
        HistoryEntry(c, 'ENTRYPOINT ["docker-entrypoint.sh"]', comment=BK, empty_layer=True),
        HistoryEntry(c, 'CMD ["node"]', comment=BK, empty_layer=True))
    return Image(layers=_node_alpine_layers(), config=ContainerConfig(env=NODE_ENV, cmd=("node",),
                                                                      entrypoint=("docker-entrypoint.sh",)),
                 history=hist, created=c,
                 description="Model of node:20-alpine (20.13.1 on alpine 3.19, May 2024): alpine:3.19 (shared) "
                 "+ node/npm/corepack with libstdc++ (128MB) + yarn (5.34MB) + docker-entrypoint.sh.")
