"""Root filesystems of the catalog's base distributions (alpine, busybox, debian, ubuntu).

Each function fills a :class:`TreeBuilder` with the distribution's real directory skeleton,
its real small texts (``/etc/passwd``, ``/etc/os-release`` ...), its executables at their real
paths (so ``sh`` can find them in ``PATH``) and its package database, then sizes the
synthetic files so the layer has exactly the size of the real image's layer.
"""
from __future__ import annotations

from . import _data as D
from ._debs import ARCH_TRIPLET, list_text, md5sums_text, soname, status_stanza
from ._gen import TreeBuilder, skew, unit

LIBDIR = f"/usr/lib/{ARCH_TRIPLET}"


def _small(tb: TreeBuilder, path: str, median: int, mode: int = 0o644, group: str = "etc") -> None:
    """A small config-like file of a plausible fixed size."""
    tb.blob(path, max(1, int(median * skew(f"{tb.seed}:{path}", 0.6))), mode, group)


# ============================================================================ alpine
def apk_installed_entry(name: str, version: str, size: int, files: list[str], origin: str = "",
                        description: str = "") -> str:
    """One stanza of ``/lib/apk/db/installed`` (apk-tools 2 format)."""
    from hashlib import sha1
    import base64

    ck = base64.b64encode(sha1(f"{name}-{version}".encode()).digest()).decode()
    lines = [f"C:Q1{ck}", f"P:{name}", f"V:{version}", "A:x86_64", f"S:{max(1, size // 3)}", f"I:{size}",
             f"T:{description or name}", "U:https://alpinelinux.org", "L:MIT", f"o:{origin or name}",
             "m:Natanael Copa <ncopa@alpinelinux.org>", "t:1705000000", "c:0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a"]
    cur_dir = None
    for f in sorted(files):
        d, _, base = f.lstrip("/").rpartition("/")
        if d != cur_dir:
            lines.append(f"F:{d}")
            cur_dir = d
        lines.append(f"R:{base}")
    return "\n".join(lines) + "\n\n"


def alpine_319(tb: TreeBuilder, total: int) -> None:
    """alpine-minirootfs-3.19.1-x86_64: busybox applets as symlinks, musl, apk-tools, OpenSSL."""
    tb.dir("/bin", "/dev", "/etc", "/home", "/lib", "/media/cdrom", "/media/floppy", "/media/usb",
           "/mnt", "/opt", "/run", "/sbin", "/srv", "/usr/bin", "/usr/lib", "/usr/local/bin",
           "/usr/local/lib", "/usr/local/share", "/usr/sbin", "/usr/share", "/var/cache", "/var/lib/misc",
           "/var/lib/udhcpd", "/var/local", "/var/log", "/var/mail", "/var/opt", "/var/spool/cron",
           "/etc/apk/protected_paths.d", "/etc/conf.d", "/etc/init.d", "/etc/modules-load.d",
           "/etc/network/if-down.d", "/etc/network/if-post-down.d", "/etc/network/if-post-up.d",
           "/etc/network/if-pre-down.d", "/etc/network/if-pre-up.d", "/etc/network/if-up.d", "/etc/opt",
           "/etc/periodic/15min", "/etc/periodic/daily", "/etc/periodic/hourly", "/etc/periodic/monthly",
           "/etc/periodic/weekly", "/etc/secfixes.d", "/etc/ssl/private", "/etc/sysctl.d",
           "/lib/apk/exec", "/lib/firmware", "/lib/mdev", "/lib/modules-load.d", "/lib/sysctl.d",
           "/usr/share/man", "/usr/share/misc", "/usr/lib/engines-3", "/usr/lib/ossl-modules")
    tb.dir("/proc", "/sys", mode=0o555)
    tb.dir("/var/empty", mode=0o555)
    tb.dir("/root", mode=0o700)
    tb.dir("/tmp", "/var/tmp", mode=0o1777)
    tb.dir("/etc/crontabs", mode=0o755)
    tb.link("/var/run", "/run")
    tb.link("/var/lock", "/run/lock")
    tb.link("/var/spool/mail", "/var/mail")
    tb.link("/var/spool/cron/crontabs", "/etc/crontabs")
    tb.link("/etc/mtab", "../proc/self/mounts")
    # texts a learner reads
    tb.text("/etc/alpine-release", "3.19.1\n")
    tb.text("/etc/os-release", D.ALPINE_OS_RELEASE)
    tb.text("/usr/lib/os-release", D.ALPINE_OS_RELEASE)
    tb.text("/etc/passwd", D.ALPINE_PASSWD)
    tb.text("/etc/group", D.ALPINE_GROUP)
    shadow = "".join(f"{line.split(':')[0]}:{'*' if i else ''}::0:::::\n"
                     for i, line in enumerate(D.ALPINE_PASSWD.splitlines()))
    tb.text("/etc/shadow", shadow, mode=0o640, gid=42)
    tb.text("/etc/shells", D.ALPINE_SHELLS)
    tb.text("/etc/hostname", "localhost\n")
    tb.text("/etc/hosts", "127.0.0.1\tlocalhost localhost.localdomain\n::1\t\tlocalhost localhost.localdomain\n")
    tb.text("/etc/profile", D.ALPINE_PROFILE)
    tb.text("/etc/motd", D.ALPINE_MOTD)
    tb.text("/etc/issue", "Welcome to Alpine Linux 3.19\nKernel \\r on an \\m (\\l)\n\n")
    tb.text("/etc/apk/repositories", D.ALPINE_REPOSITORIES)
    tb.text("/etc/apk/world", D.ALPINE_WORLD)
    tb.text("/etc/apk/arch", "x86_64\n")
    tb.text("/etc/crontabs/root", "# do daily/weekly/monthly maintenance\n# min\thour\tday\tmonth\tweekday\tcommand\n"
            "*/15\t*\t*\t*\t*\trun-parts /etc/periodic/15min\n0\t*\t*\t*\t*\trun-parts /etc/periodic/hourly\n"
            "0\t2\t*\t*\t*\trun-parts /etc/periodic/daily\n0\t3\t*\t*\t6\trun-parts /etc/periodic/weekly\n"
            "0\t5\t1\t*\t*\trun-parts /etc/periodic/monthly\n\n", mode=0o600)
    for p, m in [("/etc/fstab", 90), ("/etc/inittab", 570), ("/etc/modules", 15), ("/etc/nsswitch.conf", 205),
                 ("/etc/protocols", 3100), ("/etc/securetty", 230), ("/etc/services", 12800),
                 ("/etc/sysctl.conf", 50), ("/etc/udhcpd.conf", 5600), ("/etc/mdev.conf", 1500),
                 ("/etc/profile.d/README", 300), ("/etc/profile.d/color_prompt.sh.disabled", 300),
                 ("/etc/profile.d/locale.sh", 60), ("/etc/logrotate.d/acpid", 100),
                 ("/etc/modprobe.d/aliases.conf", 1200), ("/etc/modprobe.d/blacklist.conf", 800),
                 ("/etc/modprobe.d/i386.conf", 120), ("/etc/modprobe.d/kms.conf", 90),
                 ("/etc/sysctl.d/00-alpine.conf", 700), ("/etc/ssl/ct_log_list.cnf", 412),
                 ("/etc/ssl/ct_log_list.cnf.dist", 412), ("/etc/ssl/openssl.cnf", 12324),
                 ("/etc/ssl/openssl.cnf.dist", 12324), ("/etc/ssl/misc/CA.pl", 7600),
                 ("/etc/ssl/misc/tsget.pl", 6700), ("/usr/share/udhcpc/default.script", 3500),
                 ("/lib/apk/db/triggers", 20), ("/lib/apk/db/scripts.tar", 14000),
                 ("/lib/sysctl.d/00-alpine.conf", 1300), ("/usr/share/misc/..keep", 0)]:
        if m:
            _small(tb, p, m)
    tb.link("/etc/ssl/misc/tsget", "tsget.pl")
    tb.link("/etc/ssl/cert.pem", "certs/ca-certificates.crt")
    tb.link("/etc/ssl1.1/cert.pem", "/etc/ssl/cert.pem")
    tb.link("/etc/ssl1.1/certs", "/etc/ssl/certs")
    tb.empty("/lib/apk/db/lock", 0o600)
    keys = ["4a6a0840", "5243ef4b", "5261cecb", "6165ee59", "61666e3f"]
    for k in keys:
        tb.blob(f"/etc/apk/keys/alpine-devel@lists.alpinelinux.org-{k}.rsa.pub", 451, group="keys")
    for arch in ("aarch64", "armhf", "armv7", "mips64", "ppc64le", "riscv64", "s390x", "x86", "x86_64"):
        for k in keys[:3] + ["616a9724", "616abc23", "616ac3bc", "616adfeb", "616ae350", "616db30d"][:4]:
            tb.link(f"/usr/share/apk/keys/{arch}/alpine-devel@lists.alpinelinux.org-{k}.rsa.pub",
                    f"../alpine-devel@lists.alpinelinux.org-{k}.rsa.pub")
    for k in keys + ["616a9724", "616abc23", "616ac3bc", "616adfeb", "616ae350", "616db30d", "66ba20fe"]:
        tb.blob(f"/usr/share/apk/keys/alpine-devel@lists.alpinelinux.org-{k}.rsa.pub", 800, group="keys")
    # binaries and libraries: sizes scaled so the layer matches the real one exactly
    big = [("/bin/busybox", 0o755, 808.0), ("/lib/ld-musl-x86_64.so.1", 0o755, 642.0),
           ("/lib/libcrypto.so.3", 0o755, 4375.0), ("/lib/libssl.so.3", 0o755, 609.0),
           ("/lib/libz.so.1.3.1", 0o755, 100.0), ("/lib/libapk.so.2.14.0", 0o755, 215.0),
           ("/sbin/apk", 0o755, 69.0), ("/usr/bin/ssl_client", 0o755, 14.0),
           ("/usr/bin/scanelf", 0o755, 78.0), ("/usr/bin/getconf", 0o755, 34.0),
           ("/usr/bin/getent", 0o755, 47.0), ("/usr/bin/iconv", 0o755, 20.0),
           ("/usr/bin/ldd", 0o755, 0.05), ("/sbin/ldconfig", 0o755, 0.4),
           ("/usr/lib/engines-3/afalg.so", 0o755, 14.0), ("/usr/lib/engines-3/capi.so", 0o755, 14.0),
           ("/usr/lib/engines-3/loader_attic.so", 0o755, 54.0), ("/usr/lib/engines-3/padlock.so", 0o755, 14.0),
           ("/usr/lib/ossl-modules/legacy.so", 0o755, 102.0), ("/etc/ssl/certs/ca-certificates.crt", 0o644, 219.0),
           ("/lib/apk/db/installed", 0o644, 0.0)]
    for path, mode, w in big:
        if w:
            tb.spread([path], weight=w, mode=mode, group="bin", sigma=0.0)
    tb.link("/lib/libc.musl-x86_64.so.1", "ld-musl-x86_64.so.1")
    tb.link("/lib/libz.so.1", "libz.so.1.3.1")
    tb.link("/usr/lib/libcrypto.so.3", "../../lib/libcrypto.so.3")
    tb.link("/usr/lib/libssl.so.3", "../../lib/libssl.so.3")
    for d, applets in D.ALPINE_APPLETS.items():
        for a in applets:
            tb.link(f"{d}/{a}", "/bin/busybox")
    # the package database (real text: apk add appends to it)
    owned = {"busybox": ["/bin/busybox"], "musl": ["/lib/ld-musl-x86_64.so.1", "/lib/libc.musl-x86_64.so.1"],
             "apk-tools": ["/sbin/apk", "/lib/libapk.so.2.14.0"], "libcrypto3": ["/lib/libcrypto.so.3"],
             "libssl3": ["/lib/libssl.so.3"], "zlib": ["/lib/libz.so.1.3.1", "/lib/libz.so.1"],
             "ssl_client": ["/usr/bin/ssl_client"], "scanelf": ["/usr/bin/scanelf"],
             "musl-utils": ["/usr/bin/getconf", "/usr/bin/getent", "/usr/bin/iconv", "/usr/bin/ldd", "/sbin/ldconfig"],
             "alpine-baselayout-data": ["/etc/passwd", "/etc/group", "/etc/shadow", "/etc/hosts", "/etc/profile"],
             "alpine-release": ["/etc/alpine-release", "/etc/os-release"],
             "ca-certificates-bundle": ["/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem"]}
    db = "".join(apk_installed_entry(n, v, s, owned.get(n, [])) for n, v, s in D.ALPINE_BASE_PACKAGES)
    tb.text("/lib/apk/db/installed", db)
    tb.finish(total)


# ============================================================================ busybox (glibc)
def busybox_136(tb: TreeBuilder, total: int) -> None:
    """busybox:1.36.1 (glibc): one binary hard-linked under ~400 applet names, glibc in /lib."""
    tb.dir("/dev", "/etc/network/if-down.d", "/etc/network/if-post-down.d", "/etc/network/if-pre-up.d",
           "/etc/network/if-up.d", "/home", "/usr/sbin", "/var/spool/mail", "/var/www", "/lib")
    tb.dir("/root", mode=0o700)
    tb.dir("/tmp", mode=0o1777)
    tb.text("/etc/passwd", D.BUSYBOX_PASSWD)
    tb.text("/etc/group", D.BUSYBOX_GROUP)
    tb.text("/etc/shadow", "".join(f"{l.split(':')[0]}:*:10933:0:99999:7:::\n" for l in D.BUSYBOX_PASSWD.splitlines()),
            mode=0o640)
    tb.text("/etc/nsswitch.conf", "hosts:\t\tfiles dns\nnetworks:\tfiles\npasswd:\t\tfiles\ngroup:\t\tfiles\n"
            "shadow:\t\tfiles\n")
    tb.text("/etc/localtime", b"TZif2" + b"\0" * 50 + b"TZif2" + b"\0" * 54 + b"\nUTC0\n")
    tb.link("/lib64", "lib")
    for path, w in [("/bin/[", 1050.0), ("/lib/libc.so.6", 1922.0), ("/lib/libm.so.6", 907.0),
                    ("/lib/ld-linux-x86-64.so.2", 210.0), ("/lib/libresolv.so.2", 68.0),
                    ("/lib/libnss_compat.so.2", 44.0), ("/lib/libnss_dns.so.2", 14.0),
                    ("/lib/libnss_files.so.2", 14.0), ("/lib/libnss_hesiod.so.2", 14.0),
                    ("/lib/libpthread.so.0", 14.0)]:
        tb.spread([path], weight=w, mode=0o755, group="bin", sigma=0.0)
    tb.finish(total)
    tb.hardlinks("/bin/[", [f"/bin/{a}" for a in D.BUSYBOX_APPLETS if a != "["])


# ============================================================================ debian / ubuntu
class DebFlavor:
    """What differs between the Debian-family base images we model."""

    def __init__(self, *, name: str, packages: list[str], os_release: str, passwd: str, group: str,
                 debian_version: str, sources: tuple[str, str], lib32: bool, minimized: bool,
                 tzdata: bool, locales: int, extra_bin: int, slim: bool = False, lsb: str = ""):
        self.__dict__.update(locals())
        del self.__dict__["self"]


def _pkg_split(spec: str) -> tuple[str, str]:
    name, _, version = spec.partition("=")
    return name, version


def debian_like(tb: TreeBuilder, fl: DebFlavor, total: int) -> None:
    """A Debian/Ubuntu minbase root filesystem with merged /usr, dpkg database, apt config."""
    # --- merged /usr and the FHS skeleton
    for top in ("bin", "lib", "sbin"):
        tb.link(f"/{top}", f"usr/{top}")
    tb.link("/lib64", "usr/lib64")
    if fl.lib32:
        tb.link("/lib32", "usr/lib32")
        tb.link("/libx32", "usr/libx32")
        tb.dir("/usr/lib32", "/usr/libx32")
    tb.dir("/boot", "/dev", "/etc", "/home", "/media", "/mnt", "/opt", "/run", "/srv", "/usr/bin",
           "/usr/games", "/usr/include", "/usr/lib64", "/usr/local/bin", "/usr/local/etc", "/usr/local/games",
           "/usr/local/include", "/usr/local/lib", "/usr/local/man", "/usr/local/sbin", "/usr/local/share",
           "/usr/local/src", "/usr/sbin", "/usr/share", "/usr/src", "/var/backups", "/var/cache/apt/archives/partial",
           "/var/cache/debconf", "/var/cache/ldconfig", "/var/lib/apt/lists/auxfiles", "/var/lib/dpkg/alternatives",
           "/var/lib/dpkg/info", "/var/lib/dpkg/parts", "/var/lib/dpkg/triggers", "/var/lib/dpkg/updates",
           "/var/lib/misc", "/var/lib/pam", "/var/lib/systemd/deb-systemd-helper-enabled", "/var/local",
           "/var/log/apt", "/var/mail", "/var/opt", "/var/spool", "/etc/apt/apt.conf.d",
           "/etc/apt/auth.conf.d", "/etc/apt/keyrings", "/etc/apt/preferences.d", "/etc/apt/sources.list.d",
           "/etc/apt/trusted.gpg.d", "/etc/dpkg/dpkg.cfg.d", "/etc/ld.so.conf.d", "/etc/opt", "/etc/skel",
           "/etc/rc0.d", "/etc/rc1.d", "/etc/rc2.d", "/etc/rc3.d", "/etc/rc4.d", "/etc/rc5.d", "/etc/rc6.d",
           "/etc/rcS.d", "/etc/init.d", "/etc/systemd/system", "/etc/update-motd.d", "/etc/alternatives",
           "/etc/security/limits.d", "/etc/security/namespace.d", "/etc/sysctl.d", "/etc/selinux",
           "/etc/pam.d", "/etc/profile.d", "/etc/cron.daily", "/etc/logrotate.d", "/etc/default",
           "/usr/lib/apt/methods", f"{LIBDIR}/security", f"{LIBDIR}/gconv", "/usr/share/common-licenses")
    tb.dir("/proc", "/sys", mode=0o555)
    tb.dir("/root", mode=0o700)
    tb.dir("/tmp", "/var/tmp", mode=0o1777)
    tb.dir("/run/lock", mode=0o1777)
    tb.dir("/var/lib/apt/lists/partial", mode=0o700)
    tb.dir("/var/cache/apt/archives/partial", mode=0o700)
    tb.link("/var/run", "/run")
    tb.link("/var/lock", "/run/lock")
    tb.link("/usr/lib64/ld-linux-x86-64.so.2", f"../lib/{ARCH_TRIPLET}/ld-linux-x86-64.so.2")
    tb.dir("/var/log", mode=0o755)
    tb.dir("/var/mail", mode=0o2775, gid=8)
    tb.dir("/var/local", mode=0o2775, gid=50)
    tb.dir("/usr/local/share/ca-certificates")

    # --- texts
    tb.text("/usr/lib/os-release", fl.os_release)
    tb.link("/etc/os-release", "../usr/lib/os-release")
    tb.text("/etc/passwd", fl.passwd)
    tb.text("/etc/group", fl.group)
    tb.text("/etc/shadow", "".join(f"{l.split(':')[0]}:{'*' if i else '*'}:19829:0:99999:7:::\n"
                                    for i, l in enumerate(fl.passwd.splitlines())), mode=0o640, gid=42)
    tb.text("/etc/gshadow", "".join(f"{l.split(':')[0]}:*::\n" for l in fl.group.splitlines()), mode=0o640, gid=42)
    tb.text("/etc/shells", "# /etc/shells: valid login shells\n/bin/sh\n/usr/bin/sh\n/bin/bash\n/usr/bin/bash\n"
            "/bin/rbash\n/usr/bin/rbash\n/usr/bin/dash\n")
    tb.text("/etc/debian_version", fl.debian_version + "\n")
    tb.text("/etc/hostname", "")  # docker bind-mounts the real one
    tb.text("/etc/apt/apt.conf.d/docker-clean", D.DOCKER_CLEAN)
    tb.text("/etc/apt/apt.conf.d/docker-gzip-indexes", D.DOCKER_GZIP_INDEXES)
    tb.text("/etc/apt/apt.conf.d/docker-autoremove-suggests", D.DOCKER_AUTOREMOVE_SUGGESTS)
    tb.text("/etc/apt/apt.conf.d/docker-no-languages", D.DOCKER_NO_LANGUAGES)
    tb.text(fl.sources[0], fl.sources[1])
    if fl.lsb:
        tb.text("/etc/lsb-release", fl.lsb)
    tb.text("/root/.bashrc", "# ~/.bashrc: executed by bash(1) for non-login shells.\n"
            + "# (synthetic remainder)\n" * 120)
    tb.text("/root/.profile", "# ~/.profile: executed by Bourne-compatible login shells.\n\nif [ \"$BASH\" ]; then\n"
            "  if [ -f ~/.bashrc ]; then\n    . ~/.bashrc\n  fi\nfi\n\nmesg n 2> /dev/null || true\n")
    tb.text("/etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n\n")
    tb.text("/etc/ld.so.conf.d/libc.conf", "# libc default configuration\n/usr/local/lib\n")
    tb.text(f"/etc/ld.so.conf.d/{ARCH_TRIPLET}.conf", f"# Multiarch support\n/usr/local/lib/{ARCH_TRIPLET}\n"
            f"/lib/{ARCH_TRIPLET}\n/usr/lib/{ARCH_TRIPLET}\n")
    for p, m in [("/etc/bash.bashrc", 2319), ("/etc/bindresvport.blacklist", 367), ("/etc/debconf.conf", 2969),
                 ("/etc/deluser.conf", 604), ("/etc/environment", 40), ("/etc/fstab", 37), ("/etc/gai.conf", 2584),
                 ("/etc/host.conf", 92), ("/etc/issue", 26), ("/etc/issue.net", 19), ("/etc/ld.so.cache", 6000),
                 ("/etc/login.defs", 12345), ("/etc/mke2fs.conf", 744), ("/etc/networks", 60),
                 ("/etc/nsswitch.conf", 494), ("/etc/pam.conf", 552), ("/etc/profile", 769),
                 ("/etc/subgid", 0), ("/etc/subuid", 0), ("/etc/sysctl.conf", 2355), ("/etc/xattr.conf", 681),
                 ("/etc/default/useradd", 1118), ("/etc/default/hwclock", 81), ("/etc/default/nss", 1756),
                 ("/etc/dpkg/dpkg.cfg", 446), ("/etc/cron.daily/apt-compat", 1478), ("/etc/cron.daily/dpkg", 123),
                 ("/etc/logrotate.d/alternatives", 120), ("/etc/logrotate.d/apt", 173), ("/etc/logrotate.d/dpkg", 112),
                 ("/etc/apt/apt.conf.d/01autoremove", 630), ("/etc/apt/apt.conf.d/70debconf", 182),
                 ("/etc/selinux/semanage.conf", 2065), ("/etc/skel/.bashrc", 3771), ("/etc/skel/.profile", 807),
                 ("/etc/skel/.bash_logout", 220), ("/etc/security/access.conf", 4564),
                 ("/etc/security/faillock.conf", 2234), ("/etc/security/group.conf", 3635),
                 ("/etc/security/limits.conf", 2161), ("/etc/security/namespace.conf", 1440),
                 ("/etc/security/namespace.init", 1016), ("/etc/security/pam_env.conf", 2971),
                 ("/etc/security/sepermit.conf", 419), ("/etc/security/time.conf", 2179),
                 ("/etc/init.d/procps", 1490), ("/etc/init.d/hwclock.sh", 1748), ("/etc/sysctl.d/README.sysctl", 798),
                 ("/var/lib/dpkg/diversions", 400), ("/var/lib/dpkg/statoverride", 0),
                 ("/var/lib/dpkg/cmethopt", 8), ("/var/cache/debconf/config.dat", 14000),
                 ("/var/cache/debconf/config.dat-old", 14000), ("/var/cache/debconf/templates.dat", 640000),
                 ("/var/cache/debconf/templates.dat-old", 640000), ("/var/cache/ldconfig/aux-cache", 7800),
                 ("/var/log/dpkg.log", 60000), ("/var/log/alternatives.log", 2500), ("/var/log/apt/history.log", 2600),
                 ("/var/log/apt/eipp.log.xz", 15000), ("/var/log/apt/term.log", 11000), ("/var/log/faillog", 32032),
                 ("/var/log/lastlog", 0), ("/var/log/wtmp", 0), ("/var/log/btmp", 0)]:
        if m:
            _small(tb, p, m)
        else:
            tb.empty(p)
    for svc in ("common-account", "common-auth", "common-password", "common-session",
                "common-session-noninteractive", "chfn", "chpasswd", "chsh", "login", "newusers", "other",
                "passwd", "runuser", "runuser-l", "su", "su-l"):
        _small(tb, f"/etc/pam.d/{svc}", 700)
    for alt, target in [("awk", "/usr/bin/mawk"), ("nawk", "/usr/bin/mawk"), ("pager", "/usr/bin/more"),
                        ("rmt", "/usr/sbin/rmt-tar"), ("which", "/usr/bin/which.debianutils")]:
        tb.link(f"/etc/alternatives/{alt}", target)
        _small(tb, f"/var/lib/dpkg/alternatives/{alt}", 150)
    tb.text("/etc/alternatives/README", "Please read the update-alternatives(1) man page for information on this\n"
            "directory and its contents.\n")

    # --- executables in /usr/bin and /usr/sbin (the shell looks these up in PATH)
    fixed_bins = {"bash": 1396520, "dash": 125688, "perl": 3478464, "dpkg": 318952, "apt-get": 18536,
                  "apt": 18824, "apt-cache": 84936, "ls": 138216, "cat": 35280, "cp": 141824, "mv": 137728,
                  "rm": 59912, "mkdir": 68680, "grep": 187344, "sed": 121376, "tar": 490032, "gzip": 93392}
    links = {"sh": "dash", "rbash": "bash", "awk": "/etc/alternatives/awk", "nawk": "/etc/alternatives/nawk",
             "pager": "/etc/alternatives/pager", "which": "/etc/alternatives/which", "perl5.34.0": "perl",
             "uncompress": "gunzip", "dnsdomainname": "hostname", "domainname": "hostname",
             "nisdomainname": "hostname", "ypdomainname": "hostname", "lastb": "last", "rgrep": "grep",
             "pidof": "/sbin/killall5", "apt-key": "", "sg": "newgrp"}
    bins = list(D.DEB_USR_BIN) + [f"x-extra-{i}" for i in range(0)]
    for name in bins:
        path = f"/usr/bin/{name}"
        if name in links and links[name]:
            tb.link(path, links[name])
        elif name in fixed_bins:
            tb.blob(path, fixed_bins[name], 0o755, group="bin")
        else:
            tb.spread([path], weight=1.4, mode=0o755, group="bin")
    tb.spread(["/usr/bin/mawk", "/usr/bin/which.debianutils"], weight=1.4, mode=0o755, group="bin")
    for name in D.DEB_USR_SBIN:
        tb.spread([f"/usr/sbin/{name}"], weight=0.8, mode=0o755, group="sbin")
    for m in ("cdrom", "copy", "file", "ftp", "gpgv", "http", "mirror", "rred", "rsh", "store"):
        tb.spread([f"/usr/lib/apt/methods/{m}"], weight=1.5, mode=0o755, group="apt")
    tb.link("/usr/lib/apt/methods/https", "http")
    tb.link("/usr/lib/apt/methods/ssh", "rsh")
    tb.link("/usr/lib/apt/methods/mirror+http", "mirror")
    tb.spread(["/usr/lib/apt/apt-helper", "/usr/lib/apt/apt.systemd.daily", "/usr/lib/dpkg/methods/apt/install",
               "/usr/lib/dpkg/methods/apt/setup", "/usr/lib/dpkg/methods/apt/update"], weight=0.6, group="apt")

    # --- libraries (glibc first, then one shared object per library package)
    for path, size in [(f"{LIBDIR}/libc.so.6", 2220400), (f"{LIBDIR}/ld-linux-x86-64.so.2", 240936),
                       (f"{LIBDIR}/libm.so.6", 940560), (f"{LIBDIR}/libcrypto.so.3", 4451632),
                       (f"{LIBDIR}/libssl.so.3", 667864), (f"{LIBDIR}/libstdc++.so.6.0.30", 2260296),
                       (f"{LIBDIR}/libapt-pkg.so.6.0.0", 2282480), (f"{LIBDIR}/libperl.so.5.34.0", 0)]:
        if size:
            tb.blob(path, size, 0o644, group="lib")
    tb.link(f"{LIBDIR}/libstdc++.so.6", "libstdc++.so.6.0.30")
    tb.link(f"{LIBDIR}/libapt-pkg.so.6.0", "libapt-pkg.so.6.0.0")
    for lib in ("libresolv.so.2", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libutil.so.1",
                "libnss_files.so.2", "libnss_dns.so.2", "libnss_compat.so.2", "libanl.so.1",
                "libBrokenLocale.so.1", "libmemusage.so", "libpcprofile.so", "libthread_db.so.1", "libc_malloc_debug.so.0"):
        tb.spread([f"{LIBDIR}/{lib}"], weight=0.6, group="lib")
    packages = [_pkg_split(s) for s in fl.packages]
    owned: dict[str, list[str]] = {}
    for name, _v in packages:
        if name.startswith("lib") and name not in ("libc6", "libc-bin", "libssl3", "libssl3t64",
                                                   "libstdc++6", "libapt-pkg6.0", "libapt-pkg6.0t64") \
                and not name.endswith(("-common", "-bin", "-runtime", "-modules")):
            so = soname(name)
            real = f"{LIBDIR}/{so}.{int(unit(name) * 9)}.{int(unit(name + 'm') * 20)}"
            tb.spread([real], weight=6.0, group="lib")
            tb.link(f"{LIBDIR}/{so}", real.rsplit("/", 1)[1])
            owned.setdefault(name, []).extend([real, f"{LIBDIR}/{so}"])
    # gconv modules (libc6), PAM modules (libpam-modules), perl-base, debconf
    gconv = ([f"ISO8859-{i}" for i in range(1, 17) if i != 12] + [f"IBM{n}" for n in
             ("037", "038", 1004, 1008, 1025, 1026, 1046, 1047, 1097, 1112, 1122, 1123, 1124, 1129, 1130, 1132, 1133,
              1137, 1140, 1141, 1142, 1143, 1144, 1145, 1146, 1147, 1148, 1149, 1153, 1154, 1155, 1156, 1157,
              1158, 1160, 1161, 1162, 1163, 1164, 1166, 1167, 1364, 1371, 1388, 1390, 1399, 256, 273, 274, 275,
              277, 278, 280, 281, 284, 285, 290, 297, 420, 423, 424, 437, 500, 850, 851, 852, 855, 856, 857,
              858, 860, 861, 862, 863, 864, 865, 866, 868, 869, 870, 871, 874, 875, 880, 891, 901, 902, 903,
              904, 905, 918, 921, 922, 930, 932, 933, 935, 937, 939, 943, 9448)]
             + [f"CP{n}" for n in (1125, 1250, 1251, 1252, 1253, 1254, 1255, 1256, 1257, 1258, 737, 770, 771,
                                   772, 773, 774, 775, 932)]
             + "ARMSCII-8 ASMO_449 BIG5 BIG5HKSCS BRF CP10007 CSN_369103 CWI DEC-MCS EBCDIC-AT-DE EBCDIC-AT-DE-A "
               "EBCDIC-CA-FR EBCDIC-DK-NO EBCDIC-ES EBCDIC-FI-SE EBCDIC-FR EBCDIC-IS-FRISS EBCDIC-IT EBCDIC-PT "
               "EBCDIC-UK EBCDIC-US ECMA-CYRILLIC EUC-CN EUC-JISX0213 EUC-JP-MS EUC-JP EUC-KR EUC-TW GB18030 "
               "GBBIG5 GBGBK GBK GEORGIAN-ACADEMY GEORGIAN-PS GOST_19768-74 GREEK-CCITT GREEK7-OLD GREEK7 HP-GREEK8 "
               "HP-ROMAN8 HP-ROMAN9 HP-THAI8 HP-TURKISH8 INIS-8 INIS-CYRILLIC INIS ISIRI-3342 ISO-2022-CN-EXT "
               "ISO-2022-CN ISO-2022-JP-3 ISO-2022-JP ISO-2022-KR ISO-IR-197 ISO-IR-209 ISO646 ISO_10367-BOX "
               "ISO_11548-1 ISO_2033 ISO_5427-EXT ISO_5427 ISO_5428 ISO_6937-2 ISO_6937 JOHAB KOI-8 KOI8-R "
               "KOI8-RU KOI8-T KOI8-U LATIN-GREEK-1 LATIN-GREEK MAC-CENTRALEUROPE MAC-IS MAC-SAMI MAC-UK MACINTOSH "
               "MIK NATS-DANO NATS-SEFI PT154 RK1048 SAMI-WS2 SHIFT_JISX0213 SJIS T.61 TCVN5712-1 TIS-620 TSCII "
               "UHC UNICODE UTF-16 UTF-32 UTF-7 VISCII libCNS libGB libISOIR165 libJIS libJISX0213 libKSC".split())
    tb.spread([f"{LIBDIR}/gconv/{g}.so" for g in gconv], weight=0.35, group="gconv")
    tb.spread([f"{LIBDIR}/gconv/gconv-modules", f"{LIBDIR}/gconv/gconv-modules.cache",
               f"{LIBDIR}/gconv/gconv-modules.d/gconv-modules-extra.conf"], weight=0.8, group="gconv")
    pam = ("access debug deny echo env exec faildelay faillock filter ftp group issue keyinit lastlog limits "
           "listfile localuser loginuid mail mkhomedir motd namespace nologin permit pwhistory rhosts rootok "
           "securetty selinux sepermit setquota shells stress succeed_if time timestamp tty_audit umask unix "
           "userdb usertype warn wheel xauth systemd").split()
    tb.spread([f"{LIBDIR}/security/pam_{m}.so" for m in pam], weight=0.5, group="pam")
    perl_mods = [f"/usr/lib/{ARCH_TRIPLET}/perl-base/{m}.pm" for m in
                 ("AutoLoader Carp Config Cwd DynaLoader Errno Exporter Fcntl File/Basename File/Glob File/Path "
                  "File/Spec File/Spec/Unix File/Temp FileHandle Getopt/Long Hash/Util IO IO/File IO/Handle "
                  "IO/Pipe IO/Seekable IO/Select IO/Socket IO/Socket/INET IO/Socket/UNIX IPC/Open2 IPC/Open3 "
                  "List/Util POSIX Scalar/Util SelectSaver Socket Symbol Sys/Hostname Text/ParseWords "
                  "Text/Tabs Text/Wrap Tie/Hash XSLoader attributes base bytes constant feature fields integer "
                  "lib locale overload overloading parent re strict unicore/Heavy utf8 vars warnings "
                  "warnings/register").split()]
    perl_mods += [f"/usr/lib/{ARCH_TRIPLET}/perl-base/unicore/lib/{a}/{b}.pl" for a in
                  ("Age", "Alpha", "Bc", "BidiC", "Blk", "Ccc", "CompEx", "Dash", "Dt", "Ea", "Ext", "GCB", "Gc",
                   "Hyphen", "Ideo", "In", "InPC", "InSC", "Jt", "Lb", "Lower", "Math", "Nt", "Nv", "SB", "Sc",
                   "Scx", "Term", "UIdeo", "Upper", "WB", "XIDC", "XIDS") for b in ("Y", "N", "V11", "V60")]
    tb.spread(perl_mods, weight=0.25, group="perl")
    tb.spread([f"/usr/share/perl5/Debconf/{m}.pm" for m in
               ("AutoSelect Base Client/ConfModule ConfModule Config Db DbDriver DbDriver/Backup DbDriver/Cache "
                "DbDriver/Copy DbDriver/Debug DbDriver/DirTree DbDriver/Directory DbDriver/File DbDriver/LDAP "
                "DbDriver/PackageDir DbDriver/Pipe DbDriver/Stack Element Element/Noninteractive "
                "Element/Noninteractive/Boolean Element/Noninteractive/Error Element/Noninteractive/Multiselect "
                "Element/Noninteractive/Note Element/Noninteractive/Password Element/Noninteractive/Select "
                "Element/Noninteractive/String Element/Noninteractive/Text Element/Teletype "
                "Element/Teletype/Boolean Element/Teletype/Select Element/Teletype/String Encoding Format "
                "Format/822 FrontEnd FrontEnd/Noninteractive FrontEnd/Readline FrontEnd/ScreenSize "
                "FrontEnd/Teletype Gettext Iterator Log Path Priority Question Template Template/Transient "
                "TmpFile").split()], weight=0.3, group="debconf")
    terminfo = [f"/usr/share/terminfo/{t[0]}/{t}" for t in
                ("ansi cons25 cons25-debian cygwin dumb Eterm hurd linux mach mach-bold mach-color mach-gnu "
                 "mach-gnu-color pcansi rxvt rxvt-basic rxvt-unicode rxvt-unicode-256color screen "
                 "screen-256color screen-256color-bce screen-bce screen-s screen-w screen.xterm-256color sun "
                 "tmux tmux-256color vt100 vt102 vt220 vt52 wsvt25 wsvt25m xterm xterm-256color xterm-color "
                 "xterm-debian xterm-mono xterm-r5 xterm-r6 xterm-vt220 xterm-xfree86").split()]
    tb.spread(terminfo, weight=0.08, group="terminfo")
    licenses = "Apache-2.0 Artistic BSD CC0-1.0 GFDL GFDL-1.2 GFDL-1.3 GPL GPL-1 GPL-2 GPL-3 LGPL LGPL-2 LGPL-2.1 " \
               "LGPL-3 MPL-1.1 MPL-2.0".split()
    tb.spread([f"/usr/share/common-licenses/{l}" for l in licenses], weight=0.3, group="doc")
    tb.spread([f"/usr/share/bash-completion/completions/{c}" for c in
               "apt addpart blkdiscard blkid blockdev chcpu chmem chrt ctrlaltdel debconf delpart dmesg "
               "fallocate fdisk findfs findmnt flock fsck fsfreeze fstrim getopt hwclock ionice ipcmk ipcrm "
               "ipcs isosize last ldattach logger losetup lsblk lscpu lsipc lslocks lslogins lsmem lsns "
               "mcookie mkfs mkswap more mount mountpoint namei nsenter partx pivot_root prlimit readprofile "
               "rename renice resizepart rev rfkill rtcwake script scriptlive scriptreplay setarch setpriv "
               "setsid setterm sfdisk su swaplabel swapoff swapon taskset umount unshare utmpdump uuidd "
               "uuidgen uuidparse wall wdctl whereis wipefs zramctl".split()], weight=0.1, group="doc")
    if fl.tzdata:
        zones = [f"{region}/{city}" for region, cities in [
            ("Africa", 54), ("America", 150), ("Antarctica", 12), ("Asia", 99), ("Atlantic", 12),
            ("Australia", 23), ("Europe", 64), ("Indian", 11), ("Pacific", 43), ("Etc", 35)]
            for city in [f"Zone{i:03d}" for i in range(cities)]]
        tb.spread([f"/usr/share/zoneinfo/{z}" for z in zones], weight=0.05, group="tz")
        tb.spread(["/usr/share/zoneinfo/UTC", "/usr/share/zoneinfo/tzdata.zi", "/usr/share/zoneinfo/zone1970.tab",
                   "/usr/share/zoneinfo/iso3166.tab", "/usr/share/zoneinfo/leap-seconds.list"], weight=0.3, group="tz")
        tb.link("/etc/localtime", "/usr/share/zoneinfo/Etc/UTC")
        tb.text("/etc/timezone", "Etc/UTC\n")
    if fl.locales:
        langs = ("af am ar ast be bg bn bs ca cs cy da de el eo es et eu fa fi fr ga gl gu he hi hr hu id is "
                 "it ja ka kk km kn ko ku lt lv mk ml mr ms nb ne nl nn oc pa pl pt pt_BR ro ru si sk sl sq sr "
                 "sv ta te th tl tr ug uk vi zh_CN zh_TW").split()
        domains = ("apt dpkg debconf adduser coreutils findutils grep sed tar diffutils util-linux shadow "
                   "e2fsprogs gettext-runtime bash libc sensible-utils debianutils procps gnupg2").split()
        mo = [f"/usr/share/locale/{langs[int(unit(f'{i}l') * len(langs))]}/LC_MESSAGES/"
              f"{domains[int(unit(f'{i}d') * len(domains))]}.mo" for i in range(fl.locales)]
        tb.spread(sorted(set(mo)), weight=0.4, group="locale")
    if fl.extra_bin:
        tb.spread([f"/usr/lib/{ARCH_TRIPLET}/perl5/5.36/auto/Mod{i:04d}.so" for i in range(fl.extra_bin)],
                  weight=0.5, group="extra")

    # --- smaller families that make up most of the file count of the real images
    props = ("Age Alpha Bc BidiC BidiM Blk Bpt CE CI CWCF CWCM CWKCF CWL CWT CWU Cased Ccc CompEx DI Dash Dep "
             "Dia Dt Ea Ext GCB Gc GrBase Hex Hst Hyphen IDC IDS Ideo In InPC InSC Jg Jt Lb Lower Math NFCQC "
             "NFDQC NFKCQC NFKDQC Nt Nv PCM Perl QMark SB SD STerm Sc Scx Term UIdeo Upper VS WB XIDC XIDS").split()
    tb.spread([f"/usr/lib/{ARCH_TRIPLET}/perl-base/unicore/lib/{a}/{b}.pl" for a in props
               for b in ("Y", "N", "V11", "V60", "A", "L")[: 2 + int(unit(a) * 5)]], weight=0.25, group="perl")
    tb.spread([f"/usr/lib/{ARCH_TRIPLET}/perl-base/auto/{m}/{m.split('/')[-1]}.so" for m in
               ("Cwd Data/Dumper Digest/MD5 Encode Fcntl File/Glob Hash/Util IO IPC/SysV List/Util MIME/Base64 "
                "POSIX Socket Storable Sys/Hostname Time/HiRes attributes mro re").split()], weight=1.0, group="perl")
    tb.spread([f"/usr/lib/locale/C.utf8/LC_{c}" for c in
               "ADDRESS COLLATE CTYPE IDENTIFICATION MEASUREMENT MONETARY NAME NUMERIC PAPER TELEPHONE TIME".split()]
              + ["/usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES"], weight=1.0, group="locale")
    for name, _v in packages:
        if unit(name + "lintian") < 0.6:
            tb.spread([f"/usr/share/lintian/overrides/{name}"], weight=0.02, group="doc")
        if unit(name + "bug") < 0.15:
            tb.spread([f"/usr/share/bug/{name}/control"], weight=0.01, group="doc")
    tb.spread([f"/usr/lib/systemd/system/{u}" for u in
               ("apt-daily.service apt-daily.timer apt-daily-upgrade.service apt-daily-upgrade.timer "
                "dpkg-db-backup.service dpkg-db-backup.timer e2scrub@.service e2scrub@.timer e2scrub_all.service "
                "e2scrub_all.timer e2scrub_fail@.service e2scrub_reap.service fstrim.service fstrim.timer "
                "procps.service").split()], weight=0.02, group="etc")
    tb.spread([f"/usr/share/{d}" for d in
               ("debconf/confmodule debconf/confmodule.sh debconf/debconf.conf debconf/fix_db.pl "
                "pam/common-account pam/common-auth pam/common-password pam/common-session "
                "pam/common-session-noninteractive pam-configs/unix base-files/dot.bashrc base-files/dot.profile "
                "base-files/info.dir base-files/motd base-files/profile base-files/staff-group-for-usr-local "
                "base-passwd/group.master base-passwd/passwd.master tabset/std tabset/stdcrt tabset/vt100 "
                "tabset/vt300 keyrings/ubuntu-archive-keyring.gpg keyrings/ubuntu-archive-removed-keys.gpg "
                "keyrings/ubuntu-master-keyring.gpg misc/magic dpkg/abitable dpkg/cputable dpkg/ostable "
                "dpkg/sh/dpkg-error.sh dpkg/tupletable util-linux/logcheck/ignore.d.server/util-linux "
                "menu/bash gcc/python/libstdcxx/v6/printers.py gdb/auto-load/libstdc++.so.6.0.30-gdb.py "
                "info/dir mime/packages/util-linux").split()], weight=0.1, group="share")
    tb.spread([f"{LIBDIR}/{d}" for d in ("engines-3/afalg.so engines-3/loader_attic.so engines-3/padlock.so "
                                          "ossl-modules/legacy.so e2fsprogs/e2initrd_helper "
                                          "libpam_misc.so.0.82.1 libpamc.so.0.82.1").split()], weight=1.0, group="lib")

    # --- dpkg database: status (real text), per-package .list/.md5sums, docs
    status = []
    for name, version in packages:
        for ext, p in (("conffiles", 0.3), ("prerm", 0.25), ("postrm", 0.35), ("shlibs", 0.5 * name.startswith("lib")),
                       ("symbols", 0.45 * name.startswith("lib")), ("preinst", 0.1), ("templates", 0.08)):
            if unit(f"{name}.{ext}") < p:
                _small(tb, f"/var/lib/dpkg/info/{name}.{ext}", 400, 0o755 if ext.endswith(("inst", "rm")) else 0o644,
                       "dpkg")
        docs = [f"/usr/share/doc/{name}/copyright"]
        if not fl.minimized:
            docs.append(f"/usr/share/doc/{name}/changelog.Debian.gz")
        tb.spread(docs, weight=0.12, group="doc")
        files = docs + owned.get(name, [])
        tb.text(f"/var/lib/dpkg/info/{name}.list", list_text(files))
        tb.text(f"/var/lib/dpkg/info/{name}.md5sums", md5sums_text(files, name))
        if unit(name + "postinst") < 0.35:
            _small(tb, f"/var/lib/dpkg/info/{name}.postinst", 900, 0o755, "dpkg")
        if unit(name + "triggers") < 0.15:
            _small(tb, f"/var/lib/dpkg/info/{name}.triggers", 60, 0o644, "dpkg")
        essential = name in ("base-files", "base-passwd", "bash", "bsdutils", "coreutils", "dash",
                             "debianutils", "diffutils", "dpkg", "findutils", "grep", "gzip", "hostname",
                             "init-system-helpers", "libc-bin", "login", "ncurses-base", "ncurses-bin",
                             "perl-base", "sed", "sysvinit-utils", "tar", "util-linux")
        kib = max(8, int(600 * skew(name, 1.3)))
        status.append(status_stanza(name, version, kib, section="libs" if name.startswith("lib") else "utils",
                                    priority="required", essential=essential,
                                    maintainer="Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>"
                                    if fl.name.startswith("ubuntu") else
                                    "Debian Maintainers <debian-devel@lists.debian.org>"))
    text = "".join(status)
    tb.text("/var/lib/dpkg/status", text)
    tb.text("/var/lib/dpkg/status-old", text)
    tb.empty("/var/lib/dpkg/available")
    tb.empty("/var/lib/dpkg/lock", 0o640)
    tb.empty("/var/lib/dpkg/lock-frontend", 0o640)
    tb.empty("/var/lib/dpkg/triggers/Lock", 0o600)
    tb.empty("/var/lib/apt/lists/lock", 0o640)
    tb.empty("/var/cache/apt/archives/lock", 0o640)
    tb.finish(total)
