"""Simulated package managers: ``apt-get``, ``apk``, ``pip`` and ``npm`` as shell programs.

Nothing is downloaded. Each manager has a small built-in catalog of common packages with
realistic installed sizes, file counts and dependencies, and writes what the real tool
writes into the container's filesystem (through :class:`~layerlab.fs.rootfs.RootFS`, so every
copy-up a real install causes happens here too):

* ``apt-get update`` fills ``/var/lib/apt/lists`` (the sizes of that release's indexes, kept
  compressed as the Docker images' ``docker-gzip-indexes`` config asks); ``apt-get install``
  needs them (``E: Unable to locate package curl``, exit 100, without them), unpacks each
  package's files, appends to ``/var/lib/dpkg/status`` (a whole-file copy-up), writes
  ``/var/lib/dpkg/info/<pkg>.list``, rewrites the debconf caches and logs, and keeps the
  ``.deb`` files in ``/var/cache/apt/archives`` unless ``/etc/apt/apt.conf.d/docker-clean``
  (shipped by the debian and ubuntu images) deletes them; ``apt-get clean``, ``remove``,
  ``purge``;
* ``apk update`` / ``apk add [--no-cache]``: indexes cached in ``/var/cache/apk`` unless
  ``--no-cache``; ``/lib/apk/db/installed`` and ``/etc/apk/world`` appended;
* ``pip install [-r requirements.txt] [--no-cache-dir]``: site-packages with ``__pycache__``,
  ``.dist-info``, console scripts, the wheel cache in ``~/.cache/pip``;
* ``npm install`` / ``npm ci``: ``node_modules`` trees of many small files,
  ``package-lock.json``, the cache in ``~/.npm``.

Everything is deterministic: the same command on the same filesystem writes the same bytes
and prints the same text. File contents are synthetic (:meth:`Content.synthetic`).
"""
from __future__ import annotations

import hashlib
import json
import posixpath
import re

from ..catalog._debs import deb_paths, list_text, md5sums_text, status_stanza
from ..catalog._gen import binary, skew, unit
from ..content import Content
from ..fs.tree import DIR, normpath

from .core import register

KB = 1024


# ============================================================================ helpers
def _fmt_kb(n_bytes: int) -> str:
    """apt's ``1,905 kB`` / ``17.5 MB`` (SI units, as apt's SizeToStr prints)."""
    if n_bytes >= 10_000_000:
        return f"{n_bytes / 1e6:.1f} MB"
    if n_bytes >= 1_000_000:
        return f"{n_bytes / 1e6:.2f} MB" if n_bytes < 10_000_000 else f"{n_bytes / 1e6:.1f} MB"
    return f"{max(1, round(n_bytes / 1000)):,} kB"


def _apt_size(n: int) -> str:
    """apt's ``Need to get`` / ``After this operation`` sizes: ``2,633 kB``, ``29.6 MB``."""
    if n < 1000:
        return f"{n} B"
    if n < 10_000_000:
        return f"{round(n / 1000):,} kB"
    return f"{n / 1e6:.1f} MB"


class _Writer:
    """Writes many files into a RootFS quickly (parent directories created once)."""

    def __init__(self, fs):
        self.fs = fs
        self.made: set[str] = set()
        self.count = 0
        self.bytes = 0

    def mkdir(self, d: str) -> None:
        if d in self.made or d == "/":
            return
        try:
            node = self.fs.stat(d)
            if node.kind == DIR:
                self.made.add(d)
                return
        except OSError:
            pass
        self.fs.makedirs(d, 0o755)
        self.made.add(d)

    def put(self, path: str, content: Content | bytes | str, mode: int = 0o644) -> None:
        if not isinstance(content, Content):
            content = Content.of(content)
        self.mkdir(posixpath.dirname(path))
        old_umask = self.fs.umask
        self.fs.umask = 0
        try:
            real = self.fs.set_content(path, content, mode=mode)
        finally:
            self.fs.umask = old_umask
        node = self.fs.upper.entries.get(real)
        if node is not None and (node.mode & 0o7777) != mode:
            self.fs.chmod(real, mode)
        self.count += 1
        self.bytes += content.size

    def append(self, path: str, text: str) -> None:
        self.mkdir(posixpath.dirname(path))
        self.fs.write(path, text, append=True)

    def link(self, target: str, path: str) -> None:
        self.mkdir(posixpath.dirname(path))
        if self.fs.exists(path, follow=False):
            self.fs.unlink(path)
        self.fs.symlink(target, path)

    def read(self, path: str) -> str | None:
        try:
            return self.fs.read_text(path)
        except OSError:
            return None


def _sized_files(seed: str, paths: list[tuple[str, int, float]], total: int) -> list[tuple[str, int, int]]:
    """Give ``paths`` (path, mode, weight) sizes that sum exactly to ``total``."""
    if not paths:
        return []
    ws = [w * skew(f"{seed}:{p}", 0.9) for p, _m, w in paths]
    tw = sum(ws) or 1.0
    sizes = [max(1, int(total * w / tw)) for w in ws]
    big = max(range(len(sizes)), key=lambda i: sizes[i])
    sizes[big] = max(1, sizes[big] + total - sum(sizes))
    return [(p, m, s) for (p, m, _w), s in zip(paths, sizes)]


def _os_release(fs) -> dict[str, str]:
    out = {}
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        try:
            text = fs.read_text(path)
        except OSError:
            continue
        for line in text.splitlines():
            k, sep, v = line.partition("=")
            if sep:
                out[k] = v.strip().strip('"')
        break
    return out


# ============================================================================ apt
class Deb:
    __slots__ = ("name", "kib", "nfiles", "depends", "recommends", "extra", "section")

    def __init__(self, name, kib, nfiles, depends=(), recommends=(), extra=(), section="utils"):
        self.name, self.kib, self.nfiles = name, kib, nfiles
        self.depends, self.recommends, self.extra, self.section = tuple(depends), tuple(recommends), tuple(extra), section


def _debs(spec: str) -> dict[str, Deb]:
    """Parse the compact catalog: ``name kib nfiles deps|recs [extra paths]`` per line."""
    out = {}
    for line in spec.strip().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        head, _, rest = line.partition(";")
        name, kib, nfiles = head.split()
        deps, _, rest = rest.partition(";")
        recs, _, extra = rest.partition(";")
        out[name] = Deb(name, int(kib), int(nfiles), deps.split(), recs.split(), extra.split())
    return out


# name installed-KiB files ; depends ; recommends ; extra executables
DEB_CATALOG = _debs("""
curl 453 12 ; libcurl4 zlib1g ; ; 
libcurl4 891 9 ; libbrotli1 libgssapi-krb5-2 libldap-2.5-0 libnghttp2-14 libpsl5 librtmp1 libssh-4 libssl3 zlib1g ; ca-certificates ;
libbrotli1 849 8 ; ; ;
libldap-2.5-0 576 10 ; libsasl2-2 ; libldap-common ;
libldap-common 106 8 ; ; ;
libsasl2-2 168 8 ; libsasl2-modules-db ; libsasl2-modules ;
libsasl2-modules-db 104 7 ; ; ;
libsasl2-modules 220 20 ; ; ;
libnghttp2-14 217 7 ; ; ;
libpsl5 143 7 ; ; publicsuffix ;
publicsuffix 331 7 ; ; ;
librtmp1 155 7 ; ; ;
libssh-4 437 7 ; ; ;
ca-certificates 385 290 ; openssl ; ; /usr/sbin/update-ca-certificates
openssl 1309 60 ; ; ca-certificates ;
wget 3712 200 ; libpsl5 libssl3 ; ca-certificates ;
git 21425 900 ; git-man liberror-perl libcurl3-gnutls perl ; patch less openssh-client ca-certificates ; /usr/bin/git-shell /usr/bin/git-upload-pack /usr/bin/git-receive-pack
git-man 2075 700 ; ; ;
liberror-perl 43 6 ; perl ; ;
libcurl3-gnutls 827 9 ; libbrotli1 libnghttp2-14 libpsl5 librtmp1 libssh-4 ; ca-certificates ;
perl 737 80 ; perl-modules-5.34 libperl5.34 ; netbase ;
perl-modules-5.34 17443 1800 ; ; ;
libperl5.34 7125 600 ; libgdbm6 libgdbm-compat4 ; ;
libgdbm6 111 7 ; ; ;
libgdbm-compat4 57 6 ; ; ;
netbase 41 8 ; ; ;
patch 274 10 ; ; ;
less 337 30 ; ; ;
openssh-client 4861 60 ; libfido2-1 libcbor0.8 libedit2 ; xauth ; /usr/bin/ssh /usr/bin/scp /usr/bin/ssh-keygen
libfido2-1 241 7 ; libcbor0.8 ; ;
libcbor0.8 80 6 ; ; ;
libedit2 253 7 ; libbsd0 ; ;
libbsd0 213 7 ; libmd0 ; ;
libmd0 77 6 ; ; ;
xauth 79 8 ; libxmuu1 ; ;
libxmuu1 51 6 ; libx11-6 ; ;
libx11-6 1464 9 ; libx11-data libxcb1 ; ;
libx11-data 1514 200 ; ; ;
libxcb1 235 7 ; libxau6 libxdmcp6 ; ;
libxau6 36 6 ; ; ;
libxdmcp6 52 6 ; ; ;
vim 3818 20 ; vim-common vim-runtime libgpm2 libpython3.10 libsodium23 ; ; /usr/bin/vim.basic /usr/bin/vi /usr/bin/view
vim-common 388 30 ; ; xxd ;
xxd 102 8 ; ; ;
vim-runtime 33356 2000 ; ; ;
libgpm2 69 6 ; ; ;
libsodium23 383 6 ; ; ;
libpython3.10 5864 9 ; libpython3.10-stdlib ; ;
python3 90 20 ; python3.10 python3-minimal libpython3-stdlib ; ; /usr/bin/python3 /usr/bin/pydoc3 /usr/bin/pygettext3
python3.10 633 20 ; python3.10-minimal libpython3.10-stdlib media-types ; ; /usr/bin/python3.10
python3-minimal 135 10 ; python3.10-minimal ; ;
python3.10-minimal 5823 15 ; libpython3.10-minimal libexpat1 zlib1g ; ;
libpython3.10-minimal 4835 250 ; ; ;
libpython3.10-stdlib 7938 1000 ; libpython3.10-minimal libmpdec3 libreadline8 libsqlite3-0 libexpat1 ; tzdata ;
libpython3-stdlib 36 6 ; libpython3.10-stdlib ; ;
media-types 105 8 ; ; ;
libexpat1 423 7 ; ; ;
libmpdec3 275 6 ; ; ;
libreadline8 476 7 ; readline-common ; ;
readline-common 92 10 ; ; ;
libsqlite3-0 1435 7 ; ; ;
tzdata 3917 1800 ; ; ;
python3-pip 6878 800 ; python3 python3-setuptools python3-wheel python3-distutils ; build-essential python3-dev ; /usr/bin/pip /usr/bin/pip3
python3-setuptools 2330 400 ; python3-pkg-resources python3-distutils ; ;
python3-pkg-resources 698 120 ; python3 ; ;
python3-wheel 141 40 ; python3 ; ;
python3-distutils 569 120 ; python3-lib2to3 ; ;
python3-lib2to3 386 100 ; ; ;
python3-dev 46 8 ; python3.10-dev libpython3-dev ; ;
python3.10-dev 514 20 ; libpython3.10-dev ; ;
libpython3-dev 36 6 ; libpython3.10-dev ; ;
libpython3.10-dev 21112 300 ; libexpat1-dev ; ;
libexpat1-dev 648 30 ; ; ;
nodejs 813 70 ; libnode72 ; ; /usr/bin/node
libnode72 51018 200 ; libc-ares2 libuv1 libicu70 ; ;
libc-ares2 113 6 ; ; ;
libuv1 308 7 ; ; ;
libicu70 35245 9 ; ; ;
npm 8036 3000 ; nodejs node-gyp ; ; /usr/bin/npx
node-gyp 1200 600 ; nodejs make python3 ; ;
build-essential 20 6 ; gcc g++ make dpkg-dev libc6-dev ; ;
gcc 51 10 ; gcc-11 cpp ; ;
gcc-11 36694 60 ; cpp-11 binutils libgcc-11-dev gcc-11-base ; ;
cpp 53 8 ; cpp-11 ; ;
cpp-11 26364 20 ; gcc-11-base libisl23 libmpc3 libmpfr6 ; ;
gcc-11-base 280 6 ; ; ;
g++ 15 8 ; g++-11 gcc ; ;
g++-11 29306 20 ; gcc-11 libstdc++-11-dev ; ;
libstdc++-11-dev 18814 1500 ; libgcc-11-dev libc6-dev ; ;
libgcc-11-dev 8804 300 ; libasan6 libatomic1 libitm1 liblsan0 libtsan0 libubsan1 libquadmath0 libgomp1 ; ;
libasan6 7704 8 ; ; ;
libatomic1 46 6 ; ; ;
libitm1 116 6 ; ; ;
liblsan0 3063 6 ; ; ;
libtsan0 7520 6 ; ; ;
libubsan1 2772 6 ; ; ;
libquadmath0 300 6 ; ; ;
libgomp1 312 6 ; ; ;
libisl23 2620 6 ; ; ;
libmpc3 133 6 ; ; ;
libmpfr6 1309 6 ; ; ;
binutils 3054 60 ; binutils-common libbinutils binutils-x86-64-linux-gnu ; ;
binutils-common 1283 60 ; ; ;
libbinutils 2617 8 ; ; ;
binutils-x86-64-linux-gnu 10624 40 ; libctf0 libctf-nobfd0 ; ;
libctf0 296 6 ; ; ;
libctf-nobfd0 282 6 ; ; ;
make 438 20 ; ; ;
dpkg-dev 1707 200 ; libdpkg-perl patch make bzip2 xz-utils binutils ; fakeroot libalgorithm-merge-perl ;
libdpkg-perl 1891 150 ; perl ; ;
bzip2 118 14 ; ; ;
xz-utils 546 40 ; ; ;
fakeroot 274 20 ; libfakeroot ; ;
libfakeroot 120 8 ; ; ;
libalgorithm-merge-perl 30 6 ; libalgorithm-diff-perl ; ;
libalgorithm-diff-perl 166 8 ; ; ;
libc6-dev 12524 1100 ; libc-dev-bin linux-libc-dev libcrypt-dev rpcsvc-proto libtirpc-dev libnsl-dev ; manpages-dev ;
libc-dev-bin 175 10 ; ; ;
linux-libc-dev 6981 1000 ; ; ;
libcrypt-dev 341 10 ; ; ;
rpcsvc-proto 227 10 ; ; ;
libtirpc-dev 688 60 ; ; ;
libnsl-dev 249 10 ; ; ;
manpages-dev 4913 2300 ; ; ;
nginx 1488 20 ; nginx-core ; ; /usr/sbin/nginx
nginx-core 1424 30 ; nginx-common libnginx-mod-http-geoip2 libnginx-mod-http-image-filter libnginx-mod-http-xslt-filter libnginx-mod-mail libnginx-mod-stream ; ;
nginx-common 174 60 ; ; ;
libnginx-mod-http-geoip2 59 6 ; ; ;
libnginx-mod-http-image-filter 74 6 ; libgd3 ; ;
libnginx-mod-http-xslt-filter 69 6 ; ; ;
libnginx-mod-mail 172 6 ; ; ;
libnginx-mod-stream 394 6 ; ; ;
libgd3 425 8 ; libfontconfig1 libpng16-16 libjpeg8 ; ;
libfontconfig1 367 8 ; fontconfig-config ; ;
fontconfig-config 249 40 ; fonts-dejavu-core ; ;
fonts-dejavu-core 2954 20 ; ; ;
libpng16-16 362 8 ; ; ;
libjpeg8 33 6 ; ; ;
jq 102 8 ; libjq1 ; ;
libjq1 359 7 ; libonig5 ; ;
libonig5 605 7 ; ; ;
unzip 384 20 ; ; ;
zip 637 20 ; ; ;
nano 881 60 ; ; ;
sudo 2504 120 ; ; ; /usr/bin/sudo
iputils-ping 116 8 ; ; ; /usr/bin/ping
net-tools 804 40 ; ; ; /usr/bin/netstat /usr/sbin/ifconfig
procps 1231 80 ; ; ; /usr/bin/ps
htop 342 20 ; libnl-3-200 ; ;
libnl-3-200 207 7 ; ; ;
gnupg 420 20 ; gpg gpg-agent dirmngr ; ;
gpg 1418 20 ; ; ;
gpg-agent 740 20 ; ; ;
dirmngr 816 20 ; ; ;
locales 16692 600 ; ; ;
""")

# release facts: the apt sources of each image and the sizes apt-get update downloads/keeps
_APT_RELEASES = {
    "jammy": {
        "sources": [("http://archive.ubuntu.com/ubuntu", "jammy", 270_000),
                    ("http://security.ubuntu.com/ubuntu", "jammy-security", 129_000),
                    ("http://archive.ubuntu.com/ubuntu", "jammy-updates", 128_000),
                    ("http://archive.ubuntu.com/ubuntu", "jammy-backports", 127_000)],
        # (host, suite/component, downloaded bytes, stored .lz4 bytes)
        "indexes": [("http://archive.ubuntu.com/ubuntu", "jammy/main", 1_792_000, 4_329_845),
                    ("http://archive.ubuntu.com/ubuntu", "jammy/restricted", 164_000, 321_468),
                    ("http://archive.ubuntu.com/ubuntu", "jammy/universe", 17_500_000, 19_505_556),
                    ("http://archive.ubuntu.com/ubuntu", "jammy/multiverse", 266_000, 552_425),
                    ("http://security.ubuntu.com/ubuntu", "jammy-security/main", 1_870_000, 4_769_363),
                    ("http://security.ubuntu.com/ubuntu", "jammy-security/restricted", 2_410_000, 2_298_408),
                    ("http://security.ubuntu.com/ubuntu", "jammy-security/universe", 1_081_000, 1_707_380),
                    ("http://security.ubuntu.com/ubuntu", "jammy-security/multiverse", 44_700, 91_504),
                    ("http://archive.ubuntu.com/ubuntu", "jammy-updates/main", 2_140_000, 5_305_672),
                    ("http://archive.ubuntu.com/ubuntu", "jammy-updates/restricted", 2_450_000, 2_355_416),
                    ("http://archive.ubuntu.com/ubuntu", "jammy-updates/universe", 1_370_000, 2_232_244),
                    ("http://archive.ubuntu.com/ubuntu", "jammy-updates/multiverse", 51_100, 103_072),
                    ("http://archive.ubuntu.com/ubuntu", "jammy-backports/main", 81_000, 144_490),
                    ("http://archive.ubuntu.com/ubuntu", "jammy-backports/universe", 33_300, 63_203)],
        "host_dir": {"http://archive.ubuntu.com/ubuntu": "archive.ubuntu.com_ubuntu",
                     "http://security.ubuntu.com/ubuntu": "security.ubuntu.com_ubuntu"},
        "pkgcache": 33_000_000, "available": 69_000,
    },
    "noble": {
        "sources": [("http://archive.ubuntu.com/ubuntu", "noble", 256_000),
                    ("http://security.ubuntu.com/ubuntu", "noble-security", 126_000),
                    ("http://archive.ubuntu.com/ubuntu", "noble-updates", 126_000),
                    ("http://archive.ubuntu.com/ubuntu", "noble-backports", 126_000)],
        "indexes": [("http://archive.ubuntu.com/ubuntu", "noble/main", 1_808_000, 5_491_113),
                    ("http://archive.ubuntu.com/ubuntu", "noble/restricted", 117_000, 331_204),
                    ("http://archive.ubuntu.com/ubuntu", "noble/universe", 19_300_000, 26_814_510),
                    ("http://archive.ubuntu.com/ubuntu", "noble/multiverse", 331_000, 840_921),
                    ("http://security.ubuntu.com/ubuntu", "noble-security/main", 498_000, 1_480_226),
                    ("http://security.ubuntu.com/ubuntu", "noble-security/universe", 580_000, 1_620_337),
                    ("http://archive.ubuntu.com/ubuntu", "noble-updates/main", 672_000, 2_010_118),
                    ("http://archive.ubuntu.com/ubuntu", "noble-updates/universe", 812_000, 2_231_402),
                    ("http://archive.ubuntu.com/ubuntu", "noble-backports/universe", 11_800, 28_703)],
        "host_dir": {"http://archive.ubuntu.com/ubuntu": "archive.ubuntu.com_ubuntu",
                     "http://security.ubuntu.com/ubuntu": "security.ubuntu.com_ubuntu"},
        "pkgcache": 34_000_000, "available": 72_000,
    },
    "bookworm": {
        "sources": [("http://deb.debian.org/debian", "bookworm", 151_000),
                    ("http://deb.debian.org/debian", "bookworm-updates", 55_400),
                    ("http://deb.debian.org/debian-security", "bookworm-security", 48_000)],
        "indexes": [("http://deb.debian.org/debian", "bookworm/main", 8_786_000, 17_948_106),
                    ("http://deb.debian.org/debian", "bookworm-updates/main", 13_800, 41_023),
                    ("http://deb.debian.org/debian-security", "bookworm-security/main", 160_000, 421_509)],
        "host_dir": {"http://deb.debian.org/debian": "deb.debian.org_debian",
                     "http://deb.debian.org/debian-security": "deb.debian.org_debian-security"},
        "pkgcache": 28_000_000, "available": 63_000,
    },
}


# package names differ between releases (python3.10 on jammy is python3.11 on bookworm ...)
_RENAMES = {
    "bookworm": [("3.10", "3.11"), ("5.34", "5.36"), ("gcc-11", "gcc-12"), ("cpp-11", "cpp-12"), ("g++-11", "g++-12"),
                 ("c++-11-dev", "c++-12-dev"), ("gcc-11-dev", "gcc-12-dev"), ("libnode72", "libnode108"),
                 ("libicu70", "libicu72"), ("libasan6", "libasan8"), ("libtsan0", "libtsan2")],
    "noble": [("3.10", "3.12"), ("5.34", "5.38"), ("gcc-11", "gcc-13"), ("cpp-11", "cpp-13"), ("g++-11", "g++-13"),
              ("c++-11-dev", "c++-13-dev"), ("gcc-11-dev", "gcc-13-dev"), ("libnode72", "libnode109"),
              ("libicu70", "libicu74"), ("libasan6", "libasan8"), ("libtsan0", "libtsan2")],
}
_CATALOGS: dict[str, dict[str, Deb]] = {}


def deb_catalog(codename: str) -> dict[str, Deb]:
    """The apt catalog with the package names of ``codename`` (jammy's names are the base)."""
    if codename not in _CATALOGS:
        renames = _RENAMES.get(codename, [])

        def rn(x: str) -> str:
            for a, b in renames:
                x = x.replace(a, b)
            return x

        cat = {}
        for d in DEB_CATALOG.values():
            extra = [rn(e) for e in d.extra]
            if re.fullmatch(r"libpython3\.\d+-stdlib", rn(d.name)) and codename in ("bookworm", "noble"):
                ver = rn("3.10")
                extra.append(f"/usr/lib/python{ver}/EXTERNALLY-MANAGED")
            cat[rn(d.name)] = Deb(rn(d.name), d.kib, d.nfiles, [rn(x) for x in d.depends],
                                  [rn(x) for x in d.recommends], extra, d.section)
        _CATALOGS[codename] = cat
    return _CATALOGS[codename]


def _distro(fs) -> tuple[str, str]:
    """(ID, codename) of the image (``ubuntu``, ``jammy``)."""
    osr = _os_release(fs)
    return osr.get("ID", ""), osr.get("VERSION_CODENAME", "")


_REAL_VERSIONS = {
    "jammy": {"curl": "7.81.0-1ubuntu1.16", "libcurl4": "7.81.0-1ubuntu1.16", "ca-certificates": "20230311ubuntu0.22.04.1",
              "openssl": "3.0.2-0ubuntu1.15", "wget": "1.21.2-2ubuntu1", "git": "1:2.34.1-1ubuntu1.11",
              "git-man": "1:2.34.1-1ubuntu1.11", "vim": "2:8.2.3995-1ubuntu2.16", "python3": "3.10.6-1~22.04",
              "python3.10": "3.10.12-1~22.04.3", "python3-pip": "22.0.2+dfsg-1ubuntu0.4",
              "nodejs": "12.22.9~dfsg-1ubuntu3.5", "npm": "8.5.1~ds-1", "build-essential": "12.9ubuntu3",
              "gcc": "4:11.2.0-1ubuntu1", "make": "4.3-4.1build1", "nginx": "1.18.0-6ubuntu14.4",
              "perl": "5.34.0-3ubuntu1.3", "less": "590-1ubuntu0.22.04.3", "tzdata": "2024a-0ubuntu0.22.04",
              "jq": "1.6-2.1ubuntu3", "unzip": "6.0-26ubuntu3.2", "nano": "6.2-1", "sudo": "1.9.9-1ubuntu2.4"},
    "noble": {"curl": "8.5.0-2ubuntu10.1", "libcurl4t64": "8.5.0-2ubuntu10.1", "ca-certificates": "20240203",
              "openssl": "3.0.13-0ubuntu3.1", "wget": "1.21.4-1ubuntu4", "git": "1:2.43.0-1ubuntu7",
              "vim": "2:9.1.0016-1ubuntu7", "python3": "3.12.3-0ubuntu1", "nodejs": "18.19.1+dfsg-6ubuntu5",
              "npm": "9.2.0~ds1-2", "build-essential": "12.10ubuntu1", "make": "4.3-4.1build2",
              "nginx": "1.24.0-2ubuntu7"},
    "bookworm": {"curl": "7.88.1-10+deb12u5", "libcurl4": "7.88.1-10+deb12u5", "ca-certificates": "20230311",
                 "openssl": "3.0.11-1~deb12u2", "wget": "1.21.3-1+b2", "git": "1:2.39.2-1.1",
                 "vim": "2:9.0.1378-2", "python3": "3.11.2-1+b1", "python3-pip": "23.0.1+dfsg-1",
                 "nodejs": "18.19.0+dfsg-6~deb12u1", "npm": "9.2.0~ds1-1", "build-essential": "12.9",
                 "make": "4.3-4.1", "nginx": "1.22.1-9", "perl": "5.36.0-7+deb12u1"},
}


def _deb_version(name: str, codename: str) -> str:
    real = _REAL_VERSIONS.get(codename, {}).get(name)
    if real:
        return real
    major = 1 + int(unit(name + "v") * 9)
    minor = int(unit(name + "w") * 30)
    rev = 1 + int(unit(name + "r") * 4)
    suffix = {"jammy": "ubuntu0.22.04.1", "noble": "build1", "bookworm": "+deb12u1"}.get(codename, "")
    return f"{major}.{minor}-{rev}{suffix}"


_SIMPLE_FLAGS = {"-y", "--yes", "--assume-yes", "-q", "-qq", "--quiet", "--no-install-recommends",
                 "--no-install-suggests", "--install-recommends", "-f", "--fix-broken", "--fix-missing",
                 "--allow-unauthenticated", "--allow-downgrades", "--reinstall", "--auto-remove",
                 "--autoremove", "--purge", "--no-upgrade", "--only-upgrade", "-m", "--dry-run", "-s"}


class AptState:
    def __init__(self, proc):
        self.proc = proc
        self.fs = proc.fs
        self.w = _Writer(proc.fs)
        self.distro, self.codename = _distro(proc.fs)
        self.release = _APT_RELEASES.get(self.codename) or _APT_RELEASES["bookworm"]
        self.docker_clean = self.fs.exists("/etc/apt/apt.conf.d/docker-clean")
        self.catalog = deb_catalog(self.codename)

    # ------------------------------------------------------------------ lists
    def list_files(self) -> list[tuple[str, int]]:
        rel, out = self.release, []
        for host, suite, _ in rel["sources"]:
            out.append((f"/var/lib/apt/lists/{rel['host_dir'][host]}_dists_{suite}_InRelease",
                        {"jammy": 270_087, "noble": 255_850, "bookworm": 151_139}.get(self.codename, 150_000)
                        if "-" not in suite else 128_000 if "ubuntu" in host else 55_000))
        for host, sc, _dl, stored in rel["indexes"]:
            suite, comp = sc.split("/")
            out.append((f"/var/lib/apt/lists/{rel['host_dir'][host]}_dists_{suite}_{comp}_binary-amd64_Packages.lz4",
                        stored))
        return out

    def have_lists(self) -> bool:
        try:
            names = self.fs.listdir("/var/lib/apt/lists")
        except OSError:
            return False
        return any(n.endswith(("_Packages.lz4", "_Packages")) for n in names)

    def update(self) -> int:
        rel, n = self.release, 0
        out = []
        fetched = 0
        for host, suite, size in rel["sources"]:
            n += 1
            out.append(f"Get:{n} {host} {suite} InRelease [{_fmt_kb(size)}]")
            fetched += size
        for host, sc, dl, _stored in sorted(rel["indexes"], key=lambda x: (x[0] != rel["indexes"][0][0], x[1])):
            n += 1
            suite, comp = sc.split("/")
            out.append(f"Get:{n} {host} {suite}/{comp} amd64 Packages [{_fmt_kb(dl)}]")
            fetched += dl
        self.w.mkdir("/var/lib/apt/lists/partial")
        for path, size in self.list_files():
            self.w.put(path, Content.synthetic(f"apt-lists:{self.codename}:{path}", size))
        self.w.put("/var/lib/apt/lists/lock", b"", 0o640)
        if not self.docker_clean:  # apt's binary caches (docker-clean disables them)
            self.w.put("/var/cache/apt/pkgcache.bin", Content.synthetic(f"pkgcache:{self.codename}", rel["pkgcache"]))
            self.w.put("/var/cache/apt/srcpkgcache.bin",
                       Content.synthetic(f"srcpkgcache:{self.codename}", rel["pkgcache"] - 180_000))
        secs = max(1, round(fetched / 9_000_000))
        out.append(f"Fetched {_apt_size(fetched)} in {secs}s ({round(fetched / secs / 1000):,} kB/s)")
        out.append("Reading package lists...")
        self.proc.out("\n".join(out) + "\n")
        return 0

    # ------------------------------------------------------------------ dpkg database
    def installed(self) -> dict[str, str]:
        text = self.w.read("/var/lib/dpkg/status") or ""
        out = {}
        for stanza in text.split("\n\n"):
            name = status = version = ""
            for line in stanza.splitlines():
                if line.startswith("Package: "):
                    name = line[9:].strip()
                elif line.startswith("Status: "):
                    status = line[8:]
                elif line.startswith("Version: "):
                    version = line[9:].strip()
            if name and status.endswith(" installed"):
                out[name] = version
        return out

    def resolve(self, names: list[str], recommends: bool) -> tuple[list[str], list[str]]:
        """(packages to install in dependency order, unknown names)."""
        have = self.installed()
        order: list[str] = []
        seen: set[str] = set()
        unknown = [n for n in names if n not in self.catalog and n not in have]

        def visit(n: str) -> None:
            if n in seen or n in have:
                return
            seen.add(n)
            deb = self.catalog.get(n)
            if deb is None:
                return
            for d in deb.depends:
                visit(d)
            if recommends:
                for r in deb.recommends:
                    visit(r)
            order.append(n)

        for n in names:
            visit(n)
        return order, unknown

    def install(self, names: list[str], *, assume_yes: bool, recommends: bool, quiet: int) -> int:
        p = self.proc
        p.out("Reading package lists...\nBuilding dependency tree...\nReading state information...\n")
        if not self.have_lists():
            for n in names:
                if n not in self.installed():
                    p.err(f"E: Unable to locate package {n}\n")
                    return 100
        order, unknown = self.resolve(names, recommends)
        if unknown:
            p.err(f"E: Unable to locate package {unknown[0]}\n")
            return 100
        already = [n for n in names if n in self.installed()]
        for n in already:
            p.out(f"{n} is already the newest version ({self.installed()[n]}).\n")
        if not order:
            p.out("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n")
            return 0
        extra = [n for n in order if n not in names]
        if extra:
            p.out("The following additional packages will be installed:\n" + _wrap(sorted(extra)))
        if not recommends:
            skipped = sorted({r for n in order for r in self.catalog[n].recommends if r not in order})
            if skipped:
                p.out("Recommended packages:\n" + _wrap(skipped))
        p.out("The following NEW packages will be installed:\n" + _wrap(sorted(order)))
        inst_bytes = sum(self.catalog[n].kib * KB for n in order)
        deb_sizes = {n: max(1200, int(self.catalog[n].kib * KB * (0.28 + 0.1 * unit(n + "deb")))) for n in order}
        need = sum(deb_sizes.values())
        p.out(f"0 upgraded, {len(order)} newly installed, 0 to remove and 0 not upgraded.\n"
              f"Need to get {_apt_size(need)} of archives.\n"
              f"After this operation, {_apt_size(inst_bytes)} of additional disk space will be used.\n")
        if extra and not assume_yes:
            p.out("Do you want to continue? [Y/n] Abort.\n")
            return 1
        host = self.release["sources"][0][0]
        suite = self.release["sources"][0][1]
        for i, n in enumerate(order, 1):
            ver = _deb_version(n, self.codename)
            p.out(f"Get:{i} {host} {suite}/main amd64 {n} amd64 {ver} [{_fmt_kb(deb_sizes[n])}]\n")
        if self.distro in ("ubuntu", "debian"):
            p.out("debconf: delaying package configuration, since apt-utils is not installed\n")
        secs = max(1, round(need / 5_000_000))
        p.out(f"Fetched {_apt_size(need)} in {secs}s ({round(need / secs / 1000):,} kB/s)\n")
        # download the .debs (kept unless docker-clean deletes them after dpkg runs)
        for n in order:
            ver = _deb_version(n, self.codename).split(":", 1)[-1]
            self.w.put(f"/var/cache/apt/archives/{n}_{ver}_amd64.deb", Content.synthetic(f"deb:{n}", deb_sizes[n]))
        nfiles_db = 4000 + len(self.installed()) * 12
        old_status = self.w.read("/var/lib/dpkg/status") or ""
        stanzas = []
        for i, n in enumerate(order):
            deb = self.catalog[n]
            ver = _deb_version(n, self.codename)
            p.out(f"Selecting previously unselected package {n}.\n")
            if i == 0:
                p.out(f"(Reading database ... {nfiles_db} files and directories currently installed.)\n")
            p.out(f"Preparing to unpack .../{i:02d}-{n}_{ver.split(':', 1)[-1]}_amd64.deb ...\n"
                  f"Unpacking {n} ({ver}) ...\n")
            files = self.unpack(deb)
            self.w.put(f"/var/lib/dpkg/info/{n}.list", list_text(files))
            self.w.put(f"/var/lib/dpkg/info/{n}.md5sums", md5sums_text(files, n))
            stanzas.append(status_stanza(n, ver, deb.kib, depends=", ".join(deb.depends), section=deb.section,
                                         maintainer="Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>"
                                         if self.distro == "ubuntu" else "Debian Maintainers <debian-devel@lists.debian.org>"))
        for n in order:
            p.out(f"Setting up {n} ({_deb_version(n, self.codename)}) ...\n")
        p.out(f"Processing triggers for libc-bin ({self.installed().get('libc-bin', '2.35-0ubuntu3.7')}) ...\n")
        # dpkg's database and logs: whole files rewritten or appended (copy-up of each)
        self.w.put("/var/lib/dpkg/status-old", old_status)
        self.w.append("/var/lib/dpkg/status", "".join(stanzas))
        log = "".join(f"2024-05-14 10:00:{i % 60:02d} install {n}:amd64 <none> {_deb_version(n, self.codename)}\n"
                      f"2024-05-14 10:00:{i % 60:02d} status installed {n}:amd64 {_deb_version(n, self.codename)}\n"
                      for i, n in enumerate(order))
        self.w.append("/var/log/dpkg.log", log)
        self.w.append("/var/log/apt/history.log", f"\nStart-Date: 2024-05-14  10:00:00\nCommandline: apt-get install "
                      f"{' '.join(names)}\nInstall: {', '.join(f'{n}:amd64 ({_deb_version(n, self.codename)})' for n in order)}\n"
                      "End-Date: 2024-05-14  10:00:09\n")
        self.w.append("/var/log/apt/term.log", "".join(f"Unpacking {n} ...\nSetting up {n} ...\n" for n in order))
        self.w.put("/var/log/apt/eipp.log.xz", Content.synthetic(f"eipp:{','.join(order)}", 14_000 + 40 * len(order)))
        for name, base in (("templates.dat", 640_000), ("config.dat", 14_000)):
            path = f"/var/cache/debconf/{name}"
            old = self.fs.stat(path).content if self.fs.exists(path) else Content()
            self.w.put(path + "-old", old)
            self.w.put(path, Content.synthetic(f"debconf:{name}:{','.join(order)}", max(old.size, base) + 1_100 * len(order)))
        if any(n.startswith("lib") for n in order):
            old = self.fs.stat("/etc/ld.so.cache").content.size if self.fs.exists("/etc/ld.so.cache") else 6000
            self.w.put("/etc/ld.so.cache", Content.synthetic(f"ldcache:{','.join(order)}", old + 90 * len(order)))
        if self.docker_clean:  # DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb ..." }
            self.clean_archives()
        return 0

    def unpack(self, deb: Deb) -> list[str]:
        paths = deb_paths(deb.name, deb.nfiles)
        for x in deb.extra:
            paths.append((x, 0o755, 20.0))
        files = []
        for path, mode, size in _sized_files(f"deb:{deb.name}", paths, deb.kib * KB):
            self.w.put(path, binary(f"deb:{deb.name}", size, bool(mode & 0o111)), mode)
            files.append(path)
        if deb.name == "python3":
            ver = {"bookworm": "3.11", "noble": "3.12"}.get(self.codename, "3.10")
            self.w.link(f"python{ver}", "/usr/bin/python3")
        return files

    def clean_archives(self) -> None:
        for d in ("/var/cache/apt/archives", "/var/cache/apt/archives/partial", "/var/cache/apt"):
            try:
                names = self.fs.listdir(d)
            except OSError:
                continue
            for n in names:
                if n.endswith((".deb", ".bin")):
                    self.fs.unlink(f"{d}/{n}")

    def remove(self, names: list[str], purge: bool) -> int:
        p = self.proc
        p.out("Reading package lists...\nBuilding dependency tree...\nReading state information...\n")
        have = self.installed()
        todo = [n for n in names if n in have]
        for n in names:
            if n not in have:
                if n in self.catalog:
                    p.out(f"Package '{n}' is not installed, so not removed\n")
                else:
                    p.err(f"E: Unable to locate package {n}\n")
                    return 100
        if not todo:
            p.out("0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n")
            return 0
        p.out("The following packages will be REMOVED:\n" + _wrap([n + ("*" if purge else "") for n in sorted(todo)]))
        p.out(f"0 upgraded, 0 newly installed, {len(todo)} to remove and 0 not upgraded.\n")
        for n in todo:
            p.out(f"Removing {n} ({have[n]}) ...\n")
            listing = self.w.read(f"/var/lib/dpkg/info/{n}.list") or ""
            for path in listing.splitlines():
                try:
                    node = self.fs.lstat(path)
                except OSError:
                    continue
                if node.kind != DIR:
                    self.fs.unlink(path)
            if purge:
                for ext in ("list", "md5sums"):
                    if self.fs.exists(f"/var/lib/dpkg/info/{n}.{ext}"):
                        self.fs.unlink(f"/var/lib/dpkg/info/{n}.{ext}")
        text = self.w.read("/var/lib/dpkg/status") or ""
        kept = [s for s in text.split("\n\n") if s.strip() and not any(s.startswith(f"Package: {n}\n") for n in todo)]
        self.w.put("/var/lib/dpkg/status-old", text)
        self.w.put("/var/lib/dpkg/status", "\n\n".join(kept) + "\n\n")
        return 0


def _wrap(names: list[str]) -> str:
    """apt's indented, 80-column wrapped package list."""
    lines, cur = [], " "
    for n in names:
        if len(cur) + 1 + len(n) > 79 and cur.strip():
            lines.append(cur)
            cur = " "
        cur += " " + n
    if cur.strip():
        lines.append(cur)
    return "\n".join(lines) + "\n"


@register("apt-get", "apt")
def apt_get(proc, argv: list[str]) -> int:
    """``apt-get update | install | clean | remove | purge | autoremove`` (simulated)."""
    args = [a for a in argv[1:]]
    cmd = None
    names: list[str] = []
    assume_yes = "APT::Get::Assume-Yes=true" in " ".join(args)
    recommends = True
    quiet = 0
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-y", "--yes", "--assume-yes") or (a.startswith("-") and not a.startswith("--") and "y" in a[1:]
                                                     and set(a[1:]) <= set("yqfm")):
            assume_yes = True
            quiet += a.count("q")
        elif a == "--no-install-recommends":
            recommends = False
        elif a in ("-o", "-c", "-t"):
            if i + 1 < len(args) and "Install-Recommends=false" in args[i + 1].replace("\"", ""):
                recommends = False
            if i + 1 < len(args) and "Assume-Yes=true" in args[i + 1]:
                assume_yes = True
            i += 1
        elif a in _SIMPLE_FLAGS or a.startswith("-q"):
            quiet += a.count("q") if a.startswith("-q") else 0
        elif a.startswith("-"):
            proc.err(f"E: Command line option '{a}' is not understood in combination with the other options\n")
            return 100
        elif cmd is None:
            cmd = a
        else:
            names.append(re.sub(r"[=/].*$", "", a))
        i += 1
    if proc.env.get("DEBIAN_FRONTEND") == "noninteractive" and cmd == "install" and not assume_yes:
        pass  # DEBIAN_FRONTEND does not answer apt's own question
    if cmd is None:
        proc.out("apt 2.4.12 (amd64)\nUsage: apt-get [options] command\n")
        return 1 if argv[0].endswith("apt-get") else 1
    if posixpath.basename(argv[0]) == "apt":
        proc.err("\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n")
    st = AptState(proc)
    if cmd == "update":
        return st.update()
    if cmd == "install":
        if not names:
            proc.out("Reading package lists...\nBuilding dependency tree...\nReading state information...\n"
                     "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n")
            return 0
        return st.install(names, assume_yes=assume_yes, recommends=recommends, quiet=quiet)
    if cmd in ("clean", "autoclean", "distclean", "dist-clean"):
        st.clean_archives()
        if cmd in ("distclean", "dist-clean"):
            for path, _ in st.list_files():
                if st.fs.exists(path):
                    st.fs.unlink(path)
        return 0
    if cmd in ("remove", "purge"):
        return st.remove(names, purge=cmd == "purge" or "--purge" in args)
    if cmd in ("autoremove", "upgrade", "dist-upgrade", "full-upgrade"):
        proc.out("Reading package lists...\nBuilding dependency tree...\nReading state information...\n"
                 "Calculating upgrade...\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n"
                 if "upgrade" in cmd else
                 "Reading package lists...\nBuilding dependency tree...\nReading state information...\n"
                 "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n")
        return 0
    proc.err(f"E: Invalid operation {cmd}\n")
    return 100


# ============================================================================ apk
# name: (version, installed bytes, files, depends, executables)
APK_CATALOG: dict[str, tuple[str, int, int, tuple[str, ...], tuple[str, ...]]] = {
    "curl": ("8.5.0-r0", 262_144, 3, ("ca-certificates", "libcurl"), ("/usr/bin/curl",)),
    "libcurl": ("8.5.0-r0", 557_056, 2, ("brotli-libs", "c-ares", "libidn2", "libpsl", "nghttp2-libs", "zstd-libs"), ()),
    "ca-certificates": ("20240226-r0", 704_512, 150, (), ("/usr/sbin/update-ca-certificates",)),
    "brotli-libs": ("1.1.0-r1", 811_008, 4, (), ()),
    "c-ares": ("1.24.0-r1", 225_280, 2, (), ()),
    "libidn2": ("2.3.4-r4", 405_504, 3, ("libunistring",), ()),
    "libunistring": ("1.1-r2", 1_601_536, 2, (), ()),
    "libpsl": ("0.21.5-r0", 81_920, 2, (), ()),
    "nghttp2-libs": ("1.58.0-r0", 172_032, 2, (), ()),
    "zstd-libs": ("1.5.5-r8", 622_592, 2, (), ()),
    "bash": ("5.2.21-r0", 1_327_104, 40, ("readline", "ncurses-terminfo-base"), ("/bin/bash",)),
    "readline": ("8.2.1-r2", 282_624, 3, ("libncursesw",), ()),
    "libncursesw": ("6.4_p20231125-r0", 413_696, 2, ("ncurses-terminfo-base",), ()),
    "ncurses-terminfo-base": ("6.4_p20231125-r0", 163_840, 50, (), ()),
    "git": ("2.43.0-r0", 12_730_368, 700, ("libcurl", "libexpat", "pcre2", "zlib"), ("/usr/bin/git",)),
    "libexpat": ("2.6.0-r0", 159_744, 2, (), ()),
    "pcre2": ("10.42-r2", 712_704, 4, (), ()),
    "zlib": ("1.3.1-r0", 102_400, 2, (), ()),
    "python3": ("3.11.8-r0", 38_014_976, 2400, ("libbz2", "libffi", "gdbm", "xz-libs", "mpdecimal", "libpanelw",
                                                "readline", "sqlite-libs"), ("/usr/bin/python3", "/usr/bin/python3.11")),
    "libbz2": ("1.0.8-r6", 77_824, 2, (), ()),
    "libffi": ("3.4.4-r3", 53_248, 2, (), ()),
    "gdbm": ("1.23-r1", 225_280, 5, (), ()),
    "xz-libs": ("5.4.5-r0", 225_280, 2, (), ()),
    "mpdecimal": ("2.5.1-r2", 217_088, 2, (), ()),
    "libpanelw": ("6.4_p20231125-r0", 16_384, 2, (), ()),
    "sqlite-libs": ("3.44.2-r0", 1_511_424, 2, (), ()),
    "py3-pip": ("23.3.1-r0", 12_779_520, 1200, ("python3", "py3-setuptools"), ("/usr/bin/pip", "/usr/bin/pip3")),
    "py3-setuptools": ("68.2.2-r0", 4_890_624, 450, ("python3",), ()),
    "nodejs": ("20.11.1-r0", 45_613_056, 40, ("ca-certificates", "brotli-libs", "c-ares", "icu-libs", "libuv",
                                             "nghttp2-libs", "libstdc++", "libgcc"), ("/usr/bin/node",)),
    "icu-libs": ("74.1-r0", 2_318_336, 8, ("icu-data-en",), ()),
    "icu-data-en": ("74.1-r0", 2_666_496, 2, (), ()),
    "libuv": ("1.47.0-r0", 147_456, 2, (), ()),
    "libstdc++": ("13.2.1_git20231014-r0", 2_547_712, 2, ("libgcc",), ()),
    "libgcc": ("13.2.1_git20231014-r0", 151_552, 2, (), ()),
    "npm": ("10.2.5-r0", 8_978_432, 2300, ("nodejs",), ("/usr/bin/npm", "/usr/bin/npx")),
    "build-base": ("0.5-r3", 4_096, 1, ("binutils", "file", "fortify-headers", "g++", "gcc", "libc-dev", "make",
                                        "patch"), ()),
    "binutils": ("2.41-r0", 7_856_128, 40, ("libctf", "jansson", "zstd-libs"), ("/usr/bin/ld", "/usr/bin/as")),
    "libctf": ("2.41-r0", 233_472, 2, (), ()),
    "jansson": ("2.14-r4", 73_728, 2, (), ()),
    "file": ("5.45-r1", 9_084_928, 3, ("libmagic",), ("/usr/bin/file",)),
    "libmagic": ("5.45-r1", 167_936, 2, (), ()),
    "fortify-headers": ("1.1-r3", 102_400, 20, (), ()),
    "g++": ("13.2.1_git20231014-r0", 50_671_616, 1500, ("gcc", "libstdc++-dev"), ("/usr/bin/g++", "/usr/bin/c++")),
    "libstdc++-dev": ("13.2.1_git20231014-r0", 10_747_904, 300, (), ()),
    "gcc": ("13.2.1_git20231014-r0", 49_545_216, 400, ("binutils", "gmp", "isl26", "mpc1", "mpfr4", "libatomic",
                                                       "libgomp"), ("/usr/bin/gcc", "/usr/bin/cc")),
    "gmp": ("6.3.0-r0", 425_984, 2, (), ()),
    "isl26": ("0.26-r1", 2_387_968, 2, (), ()),
    "mpc1": ("1.3.1-r1", 118_784, 2, (), ()),
    "mpfr4": ("4.2.1-r0", 540_672, 2, (), ()),
    "libatomic": ("13.2.1_git20231014-r0", 32_768, 2, (), ()),
    "libgomp": ("13.2.1_git20231014-r0", 294_912, 2, (), ()),
    "libc-dev": ("0.7.2-r5", 4_096, 1, ("musl-dev",), ()),
    "musl-dev": ("1.2.4_git20230717-r4", 7_245_824, 1200, (), ()),
    "make": ("4.4.1-r2", 282_624, 3, (), ("/usr/bin/make",)),
    "patch": ("2.7.6-r10", 118_784, 3, (), ("/usr/bin/patch",)),
    "openssl": ("3.1.4-r5", 757_760, 4, (), ("/usr/bin/openssl",)),
    "vim": ("9.0.2127-r0", 33_640_448, 1900, ("xxd", "libncursesw", "libsodium"), ("/usr/bin/vim",)),
    "xxd": ("9.0.2127-r0", 24_576, 2, (), ("/usr/bin/xxd",)),
    "libsodium": ("1.0.19-r0", 335_872, 2, (), ()),
    "jq": ("1.7.1-r0", 323_584, 3, ("oniguruma",), ("/usr/bin/jq",)),
    "oniguruma": ("6.9.9-r0", 557_056, 2, (), ()),
    "tzdata": ("2024a-r0", 1_503_232, 600, (), ()),
    "wget": ("1.21.4-r0", 495_616, 3, ("libidn2", "pcre2", "zlib", "libunistring"), ("/usr/bin/wget",)),
    "nginx": ("1.24.0-r15", 1_376_256, 30, ("pcre", "zlib"), ("/usr/sbin/nginx",)),
    "pcre": ("8.45-r3", 405_504, 3, (), ()),
    "tini": ("0.19.0-r2", 24_576, 1, (), ("/sbin/tini",)),
    "su-exec": ("0.2-r3", 24_576, 1, (), ("/sbin/su-exec",)),
}


def _alpine_branch(fs) -> str:
    try:
        ver = fs.read_text("/etc/alpine-release").strip()
    except OSError:
        ver = "3.19.1"
    return "v" + ".".join(ver.split(".")[:2])


_APK_INDEX = {"main": 1_123_845, "community": 2_201_932}


def _apk_index_paths(branch: str) -> list[tuple[str, str, int]]:
    out = []
    for repo, size in _APK_INDEX.items():
        url = f"https://dl-cdn.alpinelinux.org/alpine/{branch}/{repo}"
        h = hashlib.sha1(url.encode()).hexdigest()[:8]
        out.append((url, f"/var/cache/apk/APKINDEX.{h}.tar.gz", size))
    return out


@register("apk")
def apk(proc, argv: list[str]) -> int:
    """``apk update`` and ``apk add [--no-cache] [--virtual NAME] pkgs`` (``apk del`` too)."""
    from ..catalog._rootfs import apk_installed_entry

    fs = proc.fs
    w = _Writer(fs)
    args = argv[1:]
    if not args:
        proc.out("apk-tools 2.14.0, compiled for x86_64.\n\nusage: apk [<OPTIONS>...] COMMAND [<ARGUMENTS>...]\n")
        return 1
    cmd = args[0]
    no_cache = "--no-cache" in args
    update = "--update" in args or "-U" in args or "--update-cache" in args
    virtual = None
    names: list[str] = []
    i = 1
    while i < len(args):
        a = args[i]
        if a in ("--virtual", "-t"):
            virtual = args[i + 1] if i + 1 < len(args) else None
            i += 2
            continue
        if a.startswith("--virtual="):
            virtual = a.split("=", 1)[1]
        elif a in ("-X", "--repository", "--repositories-file"):
            i += 2
            continue
        elif not a.startswith("-"):
            names.append(re.sub(r"[=<>~].*$", "", a))
        i += 1
    branch = _alpine_branch(fs)
    idx = _apk_index_paths(branch)

    def fetch(store: bool) -> None:
        for url, path, size in idx:
            proc.out(f"fetch {url}/x86_64/APKINDEX.tar.gz\n")
            if store:
                w.put(path, Content.synthetic(f"apkindex:{url}", size))

    have_index = all(fs.exists(p) for _u, p, _s in idx)
    if cmd == "update":
        fetch(True)
        for url, _p, _s in idx:
            proc.out(f"{branch}.1-{300 + int(unit(url) * 200)}-g{hashlib.sha1(url.encode()).hexdigest()[:10]} [{url}]\n")
        proc.out("OK: 23004 distinct packages available\n")
        return 0
    if cmd == "add":
        if not have_index or update or no_cache:
            fetch(not no_cache)
        installed_text = w.read("/lib/apk/db/installed") or ""
        installed = set(re.findall(r"^P:(.+)$", installed_text, re.M))
        missing = [n for n in names if n not in APK_CATALOG and n not in installed]
        if missing:
            proc.err("ERROR: unable to select packages:\n" + "".join(
                f"  {n} (no such package):\n    required by: world[{n}]\n" for n in missing))
            return len(missing)
        order: list[str] = []

        def visit(n: str) -> None:
            if n in order or n in installed:
                return
            for d in APK_CATALOG[n][3]:
                visit(d)
            order.append(n)

        for n in names:
            visit(n)
        total = len(order) + (1 if virtual else 0)
        step = 0
        db_add = ""
        for n in order:
            step += 1
            ver, size, nfiles, _deps, exes = APK_CATALOG[n]
            proc.out(f"({step}/{total}) Installing {n} ({ver})\n")
            stem = n.removesuffix("-libs").removeprefix("lib")
            paths = [(e, 0o755, 30.0) for e in exes]
            if n.endswith("-libs") or n.startswith("lib") or not exes:
                paths.append((f"/usr/lib/lib{stem}.so.{1 + int(unit(n) * 5)}", 0o755, 20.0))
            j = 0
            while len(paths) < nfiles:
                sub = ("lib", "share")[int(unit(f"{n}:{j}") * 2)]
                paths.append((f"/usr/{sub}/{stem}/f{j:04d}", 0o644, 1.0))
                j += 1
            files = []
            for path, mode, sz in _sized_files(f"apk:{n}", paths[:max(nfiles, len(exes))], size):
                w.put(path, binary(f"apk:{n}", sz, bool(mode & 0o111)), mode)
                files.append(path)
            db_add += apk_installed_entry(n, ver, size, files)
        if virtual:
            step += 1
            proc.out(f"({step}/{total}) Installing {virtual} (20240514.100000)\n")
            db_add += apk_installed_entry(virtual, "20240514.100000", 0, [])
        if order or virtual:
            proc.out("Executing busybox-1.36.1-r15.trigger\n")
            if "ca-certificates" in order:
                proc.out("Executing ca-certificates-20240226-r0.trigger\n")
            w.append("/lib/apk/db/installed", db_add)
            world = w.read("/etc/apk/world") or ""
            new_world = sorted(set(world.split()) | ({virtual} if virtual else set(names)))
            w.put("/etc/apk/world", "\n".join(new_world) + "\n")
            old = fs.stat("/lib/apk/db/scripts.tar").content.size if fs.exists("/lib/apk/db/scripts.tar") else 10240
            w.put("/lib/apk/db/scripts.tar", Content.synthetic(f"apkscripts:{','.join(order)}", old + 1536 * len(order)))
            w.put("/lib/apk/db/triggers", "/usr/share/ca-certificates /etc/ssl/certs\n" if "ca-certificates" in order else "")
        npk = len(installed) + len(order) + (1 if virtual else 0)
        mib = 7 + sum(APK_CATALOG[n][1] for n in order) // (1 << 20)
        proc.out(f"OK: {mib} MiB in {npk} packages\n")
        return 0
    if cmd == "del":
        proc.out(f"OK: 7 MiB in {len(names)} packages\n")
        return 0
    proc.err(f"apk: unknown command '{cmd}'\n") if cmd not in ("info", "search", "version", "upgrade", "cache") else None
    return 0 if cmd in ("info", "search", "version", "upgrade", "cache") else 1


# ============================================================================ pip
# name: (version, installed bytes, files, depends, console scripts, wheel bytes)
PIP_CATALOG: dict[str, tuple[str, int, int, tuple[str, ...], tuple[str, ...], int]] = {
    "requests": ("2.31.0", 303_104, 38, ("charset-normalizer", "idna", "urllib3", "certifi"), (), 62_574),
    "charset-normalizer": ("3.3.2", 585_728, 36, (), ("normalizer",), 142_346),
    "idna": ("3.7", 579_584, 22, (), (), 66_836),
    "urllib3": ("2.2.1", 745_472, 60, (), (), 121_067),
    "certifi": ("2024.2.2", 303_104, 16, (), (), 163_774),
    "flask": ("3.0.3", 385_024, 52, ("werkzeug", "jinja2", "itsdangerous", "click", "blinker"), ("flask",), 101_735),
    "werkzeug": ("3.0.3", 1_073_152, 110, ("markupsafe",), (), 227_274),
    "jinja2": ("3.1.4", 860_160, 60, ("markupsafe",), (), 133_271),
    "markupsafe": ("2.1.5", 61_440, 16, (), (), 28_214),
    "itsdangerous": ("2.2.0", 98_304, 22, (), (), 16_234),
    "click": ("8.1.7", 532_480, 36, (), (), 97_941),
    "blinker": ("1.8.2", 36_864, 14, (), (), 9_456),
    "numpy": ("1.26.4", 61_669_376, 1450, (), ("f2py",), 18_006_208),
    "pandas": ("2.2.2", 72_142_848, 2300, ("numpy", "python-dateutil", "pytz", "tzdata"), (), 13_025_460),
    "python-dateutil": ("2.9.0.post0", 778_240, 40, ("six",), (), 229_889),
    "six": ("1.16.0", 53_248, 12, (), (), 11_053),
    "pytz": ("2024.1", 2_883_584, 620, (), (), 505_474),
    "tzdata": ("2024.1", 1_839_104, 640, (), (), 345_370),
    "django": ("5.0.6", 44_498_944, 4600, ("asgiref", "sqlparse"), ("django-admin",), 8_188_470),
    "asgiref": ("3.8.1", 208_896, 30, (), (), 23_774),
    "sqlparse": ("0.5.0", 520_192, 60, (), ("sqlformat",), 43_740),
    "gunicorn": ("22.0.0", 905_216, 90, ("packaging",), ("gunicorn",), 84_417),
    "packaging": ("24.0", 266_240, 40, (), (), 53_488),
    "fastapi": ("0.111.0", 1_159_168, 170, ("starlette", "pydantic"), ("fastapi",), 91_962),
    "starlette": ("0.37.2", 561_152, 70, ("anyio",), (), 71_908),
    "anyio": ("4.3.0", 647_168, 70, ("idna", "sniffio"), (), 85_584),
    "sniffio": ("1.3.1", 40_960, 14, (), (), 10_235),
    "pydantic": ("2.7.1", 4_104_192, 200, ("pydantic-core", "annotated-types", "typing-extensions"), (), 409_252),
    "pydantic-core": ("2.18.2", 5_115_904, 16, (), (), 2_060_482),
    "annotated-types": ("0.6.0", 53_248, 12, (), (), 12_154),
    "typing-extensions": ("4.11.0", 167_936, 8, (), (), 34_505),
    "uvicorn": ("0.29.0", 438_272, 60, ("click", "h11"), ("uvicorn",), 60_813),
    "h11": ("0.14.0", 270_336, 40, (), (), 58_259),
}


def _pip_norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _site_packages(fs) -> tuple[str, str, bool]:
    """(site-packages dir, python version, externally managed?)."""
    for ver in ("3.12", "3.11", "3.10", "3.13"):
        if fs.exists(f"/usr/local/bin/python{ver}"):
            return f"/usr/local/lib/python{ver}/site-packages", ver, False
    for ver in ("3.12", "3.11", "3.10"):
        if fs.exists(f"/usr/bin/python{ver}") or fs.exists(f"/usr/lib/python{ver}"):
            managed = fs.exists(f"/usr/lib/python{ver}/EXTERNALLY-MANAGED")
            return f"/usr/local/lib/python{ver}/dist-packages", ver, managed
    return "/usr/local/lib/python3.12/site-packages", "3.12", False


def _read_requirements(fs, path: str, cwd: str) -> list[str] | None:
    try:
        text = fs.read_text(normpath(path, cwd))
    except OSError:
        return None
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            out.append(line)
    return out


@register("pip", "pip3", "pip3.12", "pip3.11", "pip3.10")
def pip(proc, argv: list[str]) -> int:
    """``pip install [--no-cache-dir] [-r requirements.txt] pkgs`` (simulated)."""
    fs = proc.fs
    args = argv[1:]
    if not args or args[0] != "install":
        if args and args[0] in ("--version", "-V"):
            site, ver, _ = _site_packages(fs)
            proc.out(f"pip 24.0 from {site}/pip (python {ver})\n")
            return 0
        if args and args[0] in ("list", "freeze", "show", "cache", "uninstall", "download", "config"):
            return 0
        proc.out("\nUsage:   \n  pip <command> [options]\n")
        return 0 if not args else 1
    no_cache = proc.env.get("PIP_NO_CACHE_DIR", "").lower() in ("1", "true", "yes", "on", "off") \
        or "--no-cache-dir" in args
    reqs: list[str] = []
    i = 1
    while i < len(args):
        a = args[i]
        if a in ("-r", "--requirement"):
            path = args[i + 1] if i + 1 < len(args) else ""
            got = _read_requirements(fs, path, proc.cwd)
            if got is None:
                proc.err(f"ERROR: Could not open requirements file: [Errno 2] No such file or directory: '{path}'\n")
                return 1
            reqs += got
            i += 2
            continue
        if a.startswith("--requirement="):
            got = _read_requirements(fs, a.split("=", 1)[1], proc.cwd) or []
            reqs += got
        elif a in ("-i", "--index-url", "--extra-index-url", "-t", "--target", "-c", "--constraint"):
            i += 2
            continue
        elif not a.startswith("-"):
            reqs.append(a)
        i += 1
    site, pyver, managed = _site_packages(fs)
    if managed and "--break-system-packages" not in args and \
            proc.env.get("PIP_BREAK_SYSTEM_PACKAGES", "") not in ("1", "true"):
        proc.err("error: externally-managed-environment\n\n× This environment is externally managed\n╰─> To install "
                 "Python packages system-wide, try apt install\n    python3-xyz, where xyz is the package you are "
                 "trying to\n    install.\n\nnote: If you believe this is a mistake, please contact your Python "
                 "installation or OS distribution provider. You can override this, at the risk of breaking your "
                 "Python installation or OS, by passing --break-system-packages.\nhint: See PEP 668 for the detailed "
                 "specification.\n")
        return 1
    wanted = [_pip_norm(re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0]) for r in reqs]
    if not wanted:
        proc.err("ERROR: You must give at least one requirement to install (see \"pip help install\")\n")
        return 1
    order: list[str] = []
    parents: dict[str, str] = {}

    def visit(n: str, parent: str | None) -> bool:
        if n in order or n in parents and parent is not None:
            return True
        if n not in PIP_CATALOG:
            return False
        if parent:
            parents[n] = parent
        order.append(n)
        for d in PIP_CATALOG[n][3]:
            visit(d, n)
        return True

    for n in wanted:
        if not visit(n, None):
            proc.err(f"ERROR: Could not find a version that satisfies the requirement {n} (from versions: none)\n"
                     f"ERROR: No matching distribution found for {n}\n")
            return 1
    w = _Writer(fs)
    home = proc.env.get("HOME", "/root")
    tag = f"cp{pyver.replace('.', '')}"
    for n in order:
        ver, _size, _nf, _deps, _cs, wheel = PIP_CATALOG[n]
        pure = wheel < 1_000_000 or n in ("django", "pytz", "tzdata")
        fname = f"{n.replace('-', '_')}-{ver}-{'py3-none-any' if pure else f'{tag}-{tag}-manylinux_2_17_x86_64.manylinux2014_x86_64'}.whl"
        src = f" (from {parents[n]})" if n in parents else ""
        proc.out(f"Collecting {n}{src}\n  Downloading {fname}.metadata ({max(1, wheel // 50_000)}.{int(unit(n) * 9)} kB)\n")
    for n in order:
        ver, _size, _nf, _deps, _cs, wheel = PIP_CATALOG[n]
        pure = wheel < 1_000_000 or n in ("django", "pytz", "tzdata")
        fname = f"{n.replace('-', '_')}-{ver}-{'py3-none-any' if pure else f'{tag}-{tag}-manylinux_2_17_x86_64.manylinux2014_x86_64'}.whl"
        human = f"{wheel / 1e6:.1f} MB" if wheel >= 1e6 else f"{wheel / 1e3:.0f} kB"
        proc.out(f"Downloading {fname} ({human})\n")
        if not no_cache:
            h = hashlib.sha224(fname.encode()).hexdigest()
            w.put(f"{home}/.cache/pip/http-v2/{h[0]}/{h[1]}/{h[2]}/{h[3]}/{h[4]}/{h[5:]}.body",
                  Content.synthetic(f"wheel:{fname}", wheel))
            w.put(f"{home}/.cache/pip/http-v2/{h[0]}/{h[1]}/{h[2]}/{h[3]}/{h[4]}/{h[5:]}",
                  Content.synthetic(f"wheelhdr:{fname}", 1_100 + int(unit(fname) * 400)))
    install_order = list(reversed(order))
    proc.out(f"Installing collected packages: {', '.join(install_order)}\n")
    for n in install_order:
        _pip_install_one(w, site, pyver, n)
    proc.out(f"Successfully installed {' '.join(f'{n}-{PIP_CATALOG[n][0]}' for n in sorted(order))}\n")
    if site.startswith("/usr/local/lib") and proc.uid == 0 and not proc.env.get("PIP_ROOT_USER_ACTION") == "ignore":
        proc.err("WARNING: Running pip as the 'root' user can result in broken permissions and conflicting "
                 "behaviour with the system package manager. It is recommended to use a virtual environment "
                 "instead: https://pip.pypa.io/warnings/venv\n")
    return 0


def _pip_install_one(w: _Writer, site: str, pyver: str, n: str) -> None:
    ver, size, nfiles, _deps, scripts, _wheel = PIP_CATALOG[n]
    mod = {"python-dateutil": "dateutil", "pyyaml": "yaml", "typing-extensions": "typing_extensions",
           "pydantic-core": "pydantic_core", "annotated-types": "annotated_types",
           "charset-normalizer": "charset_normalizer"}.get(n, n.replace("-", "_"))
    dist = f"{site}/{n.replace('-', '_')}-{ver}.dist-info"
    tagpy = f"cpython-{pyver.replace('.', '')}"
    paths: list[tuple[str, int, float]] = []
    nmods = max(1, (nfiles - 6) // 2)
    subs = ("", "", "core", "utils", "_internal", "tests", "io", "lib", "compat", "contrib")
    for j in range(nmods):
        sub = subs[int(unit(f"{n}:{j}:s") * len(subs))] if j else ""
        stem = "__init__" if j == 0 else f"{('base', 'api', 'models', 'helpers', 'types', 'exceptions', 'config', 'parser', 'common', 'ops')[int(unit(f'{n}:{j}') * 10)]}{j}"
        d = f"{site}/{mod}/{sub}" if sub else f"{site}/{mod}"
        paths.append((f"{d}/{stem}.py", 0o644, 1.0))
        paths.append((f"{d}/__pycache__/{stem}.{tagpy}.pyc", 0o644, 1.1))
    if n in ("numpy", "pandas", "pydantic-core", "charset-normalizer", "markupsafe"):
        paths.append((f"{site}/{mod}/_core.{tagpy}-x86_64-linux-gnu.so", 0o755, nfiles * 0.8))
    if n == "numpy":
        paths.append((f"{site}/numpy.libs/libopenblas64_p-r0-0cf96a72.3.23.dev.so", 0o755, nfiles * 12.0))
        paths.append((f"{site}/numpy.libs/libgfortran-040039e1.so.5.0.0", 0o755, nfiles * 0.8))
    for f, wt in (("METADATA", 0.6), ("RECORD", 0.8), ("WHEEL", 0.02), ("INSTALLER", 0.001), ("top_level.txt", 0.002),
                  ("LICENSE", 0.3)):
        paths.append((f"{dist}/{f}", 0o644, wt))
    for s in scripts:
        paths.append((f"/usr/local/bin/{s}", 0o755, 0.05))
    seen: set[str] = set()
    uniq = [p for p in paths if not (p[0] in seen or seen.add(p[0]))]
    for path, mode, sz in _sized_files(f"pip:{n}", uniq, size):
        if path.endswith("INSTALLER"):
            w.put(path, "pip\n", mode)
        elif path.endswith("top_level.txt"):
            w.put(path, mod + "\n", mode)
        elif path.startswith("/usr/local/bin/"):
            w.put(path, f"#!/usr/local/bin/python{pyver}\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n"
                        f"from {mod} import main\nif __name__ == '__main__':\n    sys.exit(main())\n", mode)
        else:
            w.put(path, binary(f"pip:{n}", sz, bool(mode & 0o111)), mode)


# ============================================================================ npm
# name: (version, unpacked bytes, files, dependencies)
NPM_CATALOG: dict[str, tuple[str, int, int, tuple[str, ...]]] = {}


def _npm(spec: str) -> None:
    for line in spec.strip().splitlines():
        parts = line.split()
        NPM_CATALOG[parts[0]] = (parts[1], int(parts[2]), int(parts[3]), tuple(parts[4:]))


_npm("""
express 4.19.2 220890 16 accepts array-flatten body-parser content-disposition content-type cookie cookie-signature debug depd encodeurl escape-html etag finalhandler fresh http-errors merge-descriptors methods on-finished parseurl path-to-regexp proxy-addr qs range-parser safe-buffer send serve-static setprototypeof statuses type-is utils-merge vary
accepts 1.3.8 16555 5 mime-types negotiator
array-flatten 1.1.1 5134 4
body-parser 1.20.2 59624 11 bytes content-type debug depd destroy http-errors iconv-lite on-finished qs raw-body type-is unpipe
bytes 3.1.2 11937 5
content-disposition 0.5.4 19915 5 safe-buffer
content-type 1.0.5 10510 5
cookie 0.6.0 24418 5
cookie-signature 1.0.6 3922 5
debug 2.6.9 79486 17 ms
ms 2.0.0 6044 4
depd 2.0.0 26376 5
destroy 1.2.0 7938 5
encodeurl 1.0.2 8861 5
escape-html 1.0.3 6262 4
etag 1.8.1 9658 5
finalhandler 1.2.0 17480 5 debug encodeurl escape-html on-finished parseurl statuses unpipe
fresh 0.5.2 10346 5
http-errors 2.0.0 19173 5 depd inherits setprototypeof statuses toidentifier
inherits 2.0.4 3958 5
toidentifier 1.0.1 4211 5
iconv-lite 0.4.24 335931 25 safer-buffer
safer-buffer 2.1.2 41893 7
merge-descriptors 1.0.1 4591 4
methods 1.1.2 5382 5
mime-types 2.1.35 18272 5 mime-db
mime-db 1.52.0 205488 6
mime 1.6.0 49556 8
negotiator 0.6.3 28102 9
on-finished 2.4.1 13686 5 ee-first
ee-first 1.1.1 6925 4
parseurl 1.3.3 10326 5
path-to-regexp 0.1.7 5853 5
proxy-addr 2.0.7 14815 5 forwarded ipaddr.js
forwarded 0.2.0 8998 5
ipaddr.js 1.9.1 57952 8
qs 6.11.0 241318 26 side-channel
side-channel 1.0.6 18312 9 call-bind es-errors get-intrinsic object-inspect
call-bind 1.0.7 33221 14 es-define-property es-errors function-bind get-intrinsic set-function-length
es-define-property 1.0.0 9238 9 get-intrinsic
es-errors 1.3.0 13108 20
function-bind 1.1.2 35014 16
get-intrinsic 1.2.4 41637 9 es-errors function-bind has-proto has-symbols hasown
has-proto 1.0.3 8213 9
has-symbols 1.0.3 20615 13
hasown 2.0.2 8765 9 function-bind
set-function-length 1.2.2 14236 9 define-data-property es-errors function-bind get-intrinsic gopd has-property-descriptors
define-data-property 1.1.4 27008 9 es-define-property es-errors gopd
gopd 1.0.1 7616 9 get-intrinsic
has-property-descriptors 1.0.2 8743 9 es-define-property
object-inspect 1.13.1 90227 40
range-parser 1.2.1 8997 5
raw-body 2.5.2 15996 6 bytes http-errors iconv-lite unpipe
unpipe 1.0.0 4256 5
safe-buffer 5.2.1 31686 6
send 0.18.0 48933 6 debug depd destroy encodeurl escape-html etag fresh http-errors mime ms2 on-finished range-parser statuses
ms2 2.1.3 6047 4
serve-static 1.15.0 25303 5 encodeurl escape-html parseurl send
setprototypeof 1.2.0 4890 7
statuses 2.0.1 11919 6
type-is 1.6.18 18442 5 media-typer mime-types
media-typer 0.3.0 11081 5
utils-merge 1.0.1 4381 5
vary 1.1.2 8917 5
lodash 4.17.21 1412415 1054
react 18.3.1 318856 25 loose-envify
loose-envify 1.4.0 6082 8 js-tokens
js-tokens 4.0.0 9895 6
react-dom 18.3.1 4440834 46 loose-envify react scheduler
scheduler 0.23.2 80523 18 loose-envify
axios 1.6.8 1858716 84 follow-redirects form-data proxy-from-env
follow-redirects 1.15.6 29124 7
form-data 4.0.0 31017 7 asynckit combined-stream mime-types
asynckit 0.4.0 27437 13
combined-stream 1.0.8 12451 5 delayed-stream
delayed-stream 1.0.0 9987 7
proxy-from-env 1.1.0 15462 7
dotenv 16.4.5 78796 14
cors 2.8.5 19955 5 object-assign vary
object-assign 4.1.1 6432 4
moment 2.30.1 4351240 551
typescript 5.4.5 32227468 201
nodemon 3.1.0 211203 49 chokidar debug4 ignore-by-default minimatch pstree.remy semver simple-update-notifier supports-color touch undefsafe
chokidar 3.6.0 90203 9 anymatch braces glob-parent is-binary-path is-glob normalize-path readdirp
anymatch 3.1.3 12054 5 normalize-path picomatch
picomatch 2.3.1 87934 10
braces 3.0.2 46046 9 fill-range
fill-range 7.0.1 15962 5 to-regex-range
to-regex-range 5.0.1 26617 5 is-number
is-number 7.0.0 9586 5
glob-parent 5.1.2 9850 5 is-glob
is-glob 4.0.3 12339 5 is-extglob
is-extglob 2.1.1 6572 5
is-binary-path 2.1.0 4283 5 binary-extensions
binary-extensions 2.3.0 6030 6
normalize-path 3.0.0 9510 5
readdirp 3.6.0 18795 6 picomatch
debug4 4.3.4 42354 8 ms2
ignore-by-default 1.0.1 3846 5
minimatch 3.1.2 36213 5 brace-expansion
brace-expansion 1.1.11 11059 4 balanced-match concat-map
balanced-match 1.0.2 6939 5
concat-map 0.0.1 8357 9
pstree.remy 1.1.8 11839 16
semver 7.6.2 95378 52
simple-update-notifier 2.0.0 13154 8 semver
supports-color 5.5.0 7707 5 has-flag
has-flag 3.0.0 5207 5
touch 3.1.0 11041 5 nopt
nopt 1.0.10 18474 9 abbrev
abbrev 1.1.1 4711 4
undefsafe 2.0.5 17211 14
""")
# npm installs these under node_modules/<alias> with the real package name
_NPM_ALIAS = {"ms2": "ms", "debug4": "debug"}


def _npm_home(proc) -> str:
    return proc.env.get("HOME", "/root") or "/root"


@register("npm")
def npm(proc, argv: list[str]) -> int:
    """``npm install [pkgs]`` / ``npm ci`` (simulated): node_modules, package-lock.json, cache."""
    fs = proc.fs
    args = argv[1:]
    if not args:
        proc.out("npm <command>\n\nUsage:\n\nnpm install        install all the dependencies in your project\n")
        return 1
    cmd = args[0]
    if cmd in ("-v", "--version"):
        proc.out("10.5.2\n")
        return 0
    if cmd == "cache" and len(args) > 1 and args[1] == "clean":
        if "--force" not in args:
            proc.err("npm ERR! As of npm@5, the npm cache self-heals from corruption issues\nnpm ERR! by treating "
                     "integrity mismatches as cache misses.  As a result,\nnpm ERR! data extracted from the cache is "
                     "guaranteed to be valid.  If you\nnpm ERR! want to make sure everything is consistent, use "
                     "`npm cache verify`\nnpm ERR! instead.  Deleting the cache can only make npm go slower, and is\n"
                     "npm ERR! not likely to correct any problems you may be encountering!\n")
            return 1
        cache = f"{_npm_home(proc)}/.npm/_cacache"
        if fs.exists(cache):
            fs.remove_tree(cache)
        return 0
    if cmd not in ("install", "i", "add", "ci", "clean-install"):
        return 0
    w = _Writer(fs)
    cwd = proc.cwd
    pj_path = normpath("package.json", cwd)
    lock_path = normpath("package-lock.json", cwd)
    production = "--production" in args or "--omit=dev" in args or proc.env.get("NODE_ENV") == "production"
    new = [a for a in args[1:] if not a.startswith("-")]
    pj_text = w.read(pj_path)
    if cmd in ("ci", "clean-install"):
        if w.read(lock_path) is None:
            proc.err("npm ERR! code EUSAGE\nnpm ERR! \nnpm ERR! The `npm ci` command can only install with an existing "
                     "package-lock.json or\nnpm ERR! npm-shrinkwrap.json with lockfileVersion >= 1. Run an install "
                     "with npm@5 or\nnpm ERR! later to generate a package-lock.json file, then try again.\n\n"
                     f"npm ERR! A complete log of this run can be found in: {_npm_home(proc)}/.npm/_logs/"
                     "2024-05-14T10_00_00_000Z-debug-0.log\n")
            return 1
        if fs.exists(normpath("node_modules", cwd)):
            fs.remove_tree(normpath("node_modules", cwd))
    try:
        pj = json.loads(pj_text) if pj_text else None
    except ValueError:
        proc.err(f"npm ERR! code EJSONPARSE\nnpm ERR! JSON.parse Invalid package.json: {pj_path}\n")
        return 1
    deps: dict[str, str] = dict((pj or {}).get("dependencies", {}) or {})
    if not production:
        deps.update((pj or {}).get("devDependencies", {}) or {})
    for n in new:
        base = n.rsplit("@", 1)[0] if n.rfind("@") > 0 else n
        if base not in NPM_CATALOG:
            proc.err(f"npm ERR! code E404\nnpm ERR! 404 Not Found - GET https://registry.npmjs.org/{base} - Not found\n"
                     f"npm ERR! 404 \nnpm ERR! 404  '{base}@*' is not in this registry.\n")
            return 1
        deps[base] = "^" + NPM_CATALOG[base][0]
    unknown = [d for d in deps if d not in NPM_CATALOG]
    if unknown:
        proc.err(f"npm ERR! code E404\nnpm ERR! 404 Not Found - GET https://registry.npmjs.org/{unknown[0]} - Not found\n")
        return 1
    order: list[str] = []

    def visit(n: str) -> None:
        if n in order:
            return
        order.append(n)
        for d in NPM_CATALOG[n][3]:
            visit(d)

    for d in sorted(deps):
        visit(d)
    home = _npm_home(proc)
    lock_pkgs: dict[str, dict] = {"": {"name": (pj or {}).get("name", posixpath.basename(cwd) or "root"),
                                       "version": (pj or {}).get("version", "1.0.0") if pj else None}}
    if not pj:
        lock_pkgs[""] = {}
    if deps:
        lock_pkgs[""]["dependencies"] = {d: deps[d] for d in sorted(deps)}
    for n in order:
        ver, size, nfiles, sub = NPM_CATALOG[n]
        real = _NPM_ALIAS.get(n, n)
        where = f"node_modules/{real}" if n not in _NPM_ALIAS else \
            f"node_modules/{_npm_nest_parent(n, order)}/node_modules/{real}"
        _npm_write_package(w, normpath(where, cwd), real, ver, size, nfiles, sub)
        integ = hashlib.sha512(f"{real}@{ver}".encode()).hexdigest()
        entry = {"version": ver, "resolved": f"https://registry.npmjs.org/{real}/-/{real}-{ver}.tgz",
                 "integrity": f"sha512-{integ[:86]}=="}
        if sub:
            entry["dependencies"] = {_NPM_ALIAS.get(s, s): "^" + NPM_CATALOG[s][0] for s in sub}
        lock_pkgs[where] = entry
        # npm install and npm ci both fill the cache
        tgz = max(600, size // 3)
        h = hashlib.sha256(f"{real}@{ver}".encode()).hexdigest()
        w.put(f"{home}/.npm/_cacache/content-v2/sha512/{h[:2]}/{h[2:4]}/{h[4:]}",
              Content.synthetic(f"npmtgz:{real}@{ver}", tgz))
        w.put(f"{home}/.npm/_cacache/index-v5/{h[8:10]}/{h[10:12]}/{h[12:]}",
              Content.synthetic(f"npmidx:{real}@{ver}", 700 + int(unit(real) * 500)))
    lock = {"name": lock_pkgs[""].get("name", posixpath.basename(cwd) or "root"),
            "lockfileVersion": 3, "requires": True, "packages": lock_pkgs}
    if pj and "version" in pj:
        lock = {"name": pj.get("name", ""), "version": pj["version"], "lockfileVersion": 3, "requires": True,
                "packages": lock_pkgs}
    if cmd not in ("ci", "clean-install"):
        w.put(lock_path, json.dumps(lock, indent=2) + "\n")
        if new:
            pj = pj or {}
            pj.setdefault("dependencies", {}).update({n: deps[n] for n in deps if n in
                                                      {x.rsplit('@', 1)[0] if x.rfind('@') > 0 else x for x in new}})
            pj["dependencies"] = dict(sorted(pj["dependencies"].items()))
            w.put(pj_path, json.dumps(pj, indent=2) + "\n")
    if order:
        w.put(normpath("node_modules/.package-lock.json", cwd),
              json.dumps({**lock, "packages": {k: v for k, v in lock_pkgs.items() if k}}, indent=2) + "\n")
    w.put(f"{home}/.npm/_logs/2024-05-14T10_00_00_000Z-debug-0.log",
          Content.synthetic(f"npmlog:{','.join(order)}", 2_000 + 180 * len(order)))
    n_total = len(order)
    secs = max(1, round(sum(NPM_CATALOG[n][1] for n in order) / 4_000_000))
    funding = sum(1 for n in order if unit(n + "fund") < 0.15)
    if n_total:
        msg = f"\nadded {n_total} packages, and audited {n_total + 1} packages in {secs}s\n"
    else:
        msg = f"\nup to date, audited 1 package in {150 + int(unit(cwd) * 200)}ms\n"
    if funding:
        msg += (f"\n{funding} package{'s are' if funding > 1 else ' is'} looking for funding\n"
                "  run `npm fund` for details\n")
    msg += "\nfound 0 vulnerabilities\n"
    proc.out(msg)
    return 0


def _npm_nest_parent(alias: str, order: list[str]) -> str:
    for n in order:
        if alias in NPM_CATALOG[n][3] and n not in _NPM_ALIAS:
            return n
    return order[0]


def _npm_write_package(w: _Writer, root: str, name: str, ver: str, size: int, nfiles: int, deps) -> None:
    """A package directory: package.json (real text), README, LICENSE and its .js files."""
    pkg_json = json.dumps({"name": name, "version": ver, "description": f"{name} (modeled package)",
                           "main": "index.js", "license": "MIT",
                           "dependencies": {_NPM_ALIAS.get(d, d): "^" + NPM_CATALOG[d][0] for d in deps}},
                          indent=2) + "\n"
    paths: list[tuple[str, int, float]] = [(f"{root}/index.js", 0o644, 0.4), (f"{root}/README.md", 0o644, 1.2),
                                           (f"{root}/LICENSE", 0o644, 0.3)]
    subdirs = ("lib", "lib", "dist", "fp", "cjs", "umd", "")
    j = 0
    while len(paths) < nfiles - 1:
        sub = subdirs[int(unit(f"{name}:{j}:d") * len(subdirs))]
        stem = f"{_STEM_JS[int(unit(f'{name}:{j}') * len(_STEM_JS))]}{j}"
        ext = ".d.ts" if unit(f"{name}:{j}:t") < 0.1 else ".js"
        paths.append((f"{root}/{sub + '/' if sub else ''}{stem}{ext}", 0o644, 1.0))
        j += 1
    body = max(len(paths), size - len(pkg_json))
    w.put(f"{root}/package.json", pkg_json)
    for path, mode, sz in _sized_files(f"npm:{name}", paths, body):
        w.put(path, Content.synthetic(f"npm:{name}", sz), mode)


_STEM_JS = ("add after array assign before bind camel chunk clone compact create curry debounce defaults "
            "each filter find flatten get has identity includes invoke keys map merge omit parse pick "
            "reduce result set some sort template throttle toArray trim union uniq values wrap zip").split()


__all__ = ["apt_get", "apk", "pip", "npm", "DEB_CATALOG", "APK_CATALOG", "PIP_CATALOG", "NPM_CATALOG"]
