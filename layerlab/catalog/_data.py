"""Real texts and name lists used by the catalog images (files a learner is likely to read).

The texts (passwd, group, os-release, nginx.conf ...) are the ones the real images ship, from
the distributions' base-files/base-passwd/alpine-baselayout packages and nginx's packaging.
Binary files elsewhere are synthetic.
"""
from __future__ import annotations

# ---------------------------------------------------------------------------- alpine 3.19
ALPINE_OS_RELEASE = """NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.19.1
PRETTY_NAME="Alpine Linux v3.19"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
"""

ALPINE_PASSWD = """root:x:0:0:root:/root:/bin/ash
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin
sync:x:5:0:sync:/sbin:/bin/sync
shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown
halt:x:7:0:halt:/sbin:/sbin/halt
mail:x:8:12:mail:/var/mail:/sbin/nologin
news:x:9:13:news:/usr/lib/news:/sbin/nologin
uucp:x:10:14:uucp:/var/spool/uucppublic:/sbin/nologin
cron:x:16:16:cron:/var/spool/cron:/sbin/nologin
ftp:x:21:21::/var/lib/ftp:/sbin/nologin
sshd:x:22:22:sshd:/dev/null:/sbin/nologin
games:x:35:35:games:/usr/games:/sbin/nologin
ntp:x:123:123:NTP:/var/empty:/sbin/nologin
guest:x:405:100:guest:/dev/null:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
"""

ALPINE_GROUP = """root:x:0:root
bin:x:1:root,bin,daemon
daemon:x:2:root,bin,daemon
sys:x:3:root,bin
adm:x:4:root,daemon
tty:x:5:
disk:x:6:root
lp:x:7:lp
kmem:x:9:
wheel:x:10:root
floppy:x:11:root
mail:x:12:mail
news:x:13:news
uucp:x:14:uucp
cron:x:16:cron
audio:x:18:
cdrom:x:19:
dialout:x:20:root
ftp:x:21:
sshd:x:22:
input:x:23:
tape:x:26:root
video:x:27:root
netdev:x:28:
kvm:x:34:kvm
games:x:35:
shadow:x:42:
www-data:x:82:
users:x:100:games
ntp:x:123:
abuild:x:300:
utmp:x:406:
ping:x:999:
nogroup:x:65533:
nobody:x:65534:
"""

ALPINE_SHELLS = "# valid login shells\n/bin/sh\n/bin/ash\n"
ALPINE_REPOSITORIES = ("https://dl-cdn.alpinelinux.org/alpine/v3.19/main\n"
                       "https://dl-cdn.alpinelinux.org/alpine/v3.19/community\n")
ALPINE_WORLD = "alpine-baselayout\nalpine-keys\napk-tools\nbusybox\nca-certificates-bundle\nlibc-utils\n"
ALPINE_PROFILE = """export CHARSET=UTF-8
export LANG=C.UTF-8
export PAGER=less
export PS1='\\h:\\w\\$ '
umask 022

for script in /etc/profile.d/*.sh ; do
	if [ -r "$script" ] ; then
		. "$script"
	fi
done
unset script
"""
ALPINE_MOTD = """Welcome to Alpine!

The Alpine Wiki contains a large amount of how-to guides and general
information about administrating Alpine systems.
See <https://wiki.alpinelinux.org/>.

You can setup the system with the command: setup-alpine

You may change this message by editing /etc/motd.

"""

# The installed packages of alpine-minirootfs 3.19.1 (name, version, installed size in bytes)
ALPINE_BASE_PACKAGES = [
    ("musl", "1.2.4_git20230717-r4", 634880),
    ("busybox", "1.36.1-r15", 962560),
    ("busybox-binsh", "1.36.1-r15", 8192),
    ("alpine-baselayout-data", "3.4.3-r2", 77824),
    ("alpine-baselayout", "3.4.3-r2", 331776),
    ("alpine-keys", "2.4-r1", 159744),
    ("ca-certificates-bundle", "20230506-r0", 233472),
    ("libcrypto3", "3.1.4-r5", 4206592),
    ("libssl3", "3.1.4-r5", 622592),
    ("ssl_client", "1.36.1-r15", 20480),
    ("zlib", "1.3.1-r0", 102400),
    ("apk-tools", "2.14.0-r5", 307200),
    ("scanelf", "1.3.7-r2", 94208),
    ("musl-utils", "1.2.4_git20230717-r4", 135168),
    ("libc-utils", "0.7.2-r5", 4096),
]

# busybox applets as alpine installs them (dir, names): symlinks to /bin/busybox
ALPINE_APPLETS = {
    "/bin": """arch ash base64 bbconfig cat chattr chgrp chmod chown cp date dd df dmesg dnsdomainname
        dumpkmap echo egrep false fatattr fdflush fgrep fsync getopt grep gunzip gzip hostname
        ionice iostat ipcalc kbd_mode kill link linux32 linux64 ln login ls lsattr lzop makemime
        mkdir mknod mktemp more mount mountpoint mpstat mv netstat nice pidof ping ping6 pipe_progress
        printenv ps pwd reformime rev rm rmdir run-parts sed setpriv setserial sh sleep stat stty
        su sync tar touch true umount uname usleep watch zcat""".split(),
    "/sbin": """acpid adjtimex arp blkid blockdev depmod fbsplash fdisk findfs fsck fstrim getty halt
        hwclock ifconfig ifdown ifenslave ifup init inotifyd insmod ip ipaddr iplink ipneigh iproute
        iprule iptunnel klogd loadkmap logread losetup lsmod mdev mkdosfs mkfs.vfat mkswap modinfo
        modprobe nameif nologin pivot_root poweroff raidautorun reboot rmmod route setconsole slattach
        swapoff swapon switch_root sysctl syslogd tunctl udhcpc vconfig watchdog""".split(),
    "/usr/bin": """[ [[ awk basename bc beep blkdiscard bunzip2 bzcat bzip2 cal chvt cksum clear cmp comm cpio
        crontab cryptpw cut dc deallocvt diff dirname dos2unix du eject env expand expr factor fallocate
        find flock fold free fuser head hexdump hostid iconv id install ipcrm ipcs killall last less
        logger lsof lsusb lzcat lzma lzopcat md5sum mesg microcom mkfifo mkpasswd nc nl nmeter nohup
        nproc nsenter nslookup od openvt passwd paste pgrep pkill pmap printf pscan pstree pwdx readlink
        realpath renice reset resize seq setkeycodes setsid sha1sum sha256sum sha3sum sha512sum showkey
        shred shuf sort split strings sum tac tail tee test time timeout top tr traceroute traceroute6
        tree truncate tty ttysize udhcpc6 unexpand uniq unix2dos unlink unlzma unlzop unshare unxz unzip
        uptime uudecode uuencode vi vlock volname wc wget which whoami whois xargs xxd xzcat yes""".split(),
    "/usr/sbin": """addgroup add-shell adduser arping brctl chpasswd chroot crond delgroup deluser
        ether-wake fbset killall5 loadfont nanddump nandwrite nbd-client ntpd partprobe rdate rdev
        readahead remove-shell rfkill sendmail setfont setlogcons""".split(),
}

# ---------------------------------------------------------------------------- busybox (glibc)
BUSYBOX_PASSWD = """root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
"""
BUSYBOX_GROUP = """root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nogroup:x:65534:
"""

# the busybox image's /bin: every applet is a hard link of one binary
BUSYBOX_APPLETS = sorted(set(
    ALPINE_APPLETS["/bin"] + ALPINE_APPLETS["/sbin"] + ALPINE_APPLETS["/usr/bin"]
    + ALPINE_APPLETS["/usr/sbin"] + """busybox acpid add-shell addgroup adduser adjtimex ar arch arp
    ascii awk bootchartd brctl bzip2 chat chpst chrt conspy crond cttyhack devmem dhcprelay dnsd
    dpkg dpkg-deb dumpleases envdir envuidgid fakeidentd fdformat flash_eraseall flash_lock
    flash_unlock flashcp fsfreeze ftpd ftpget ftpput hd hdparm hexedit httpd hush i2cdetect i2cdump
    i2cget i2cset i2ctransfer ifplugd inetd ipcalc kbd_mode linuxrc lpd lpq lpr lsscsi makedevs
    man mdev memeater mim minips mkfs.ext2 mkfs.minix mt nbd-client nuke pipe_progress popmaildir
    powertop rpm rpm2cpio runlevel runsv runsvdir rx script sendmail seedrng setarch setuidgid sha384sum
    sock softlimit ssl_client start-stop-daemon strings sulogin sv svc svlogd svok tcpsvd telnet
    telnetd tftp tftpd ts ttysize ubiattach ubidetach ubimkvol ubirename ubirmvol ubirsvol ubiupdatevol
    udhcpd udpsvd uevent vlock volname w wall xxd zcip""".split()
))

# ---------------------------------------------------------------------------- debian / ubuntu
def _debian_passwd(nologin: str) -> str:
    return f"""root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:{nologin}
bin:x:2:2:bin:/bin:{nologin}
sys:x:3:3:sys:/dev:{nologin}
sync:x:4:65534:sync:/bin:/bin/sync
games:x:5:60:games:/usr/games:{nologin}
man:x:6:12:man:/var/cache/man:{nologin}
lp:x:7:7:lp:/var/spool/lpd:{nologin}
mail:x:8:8:mail:/var/mail:{nologin}
news:x:9:9:news:/var/spool/news:{nologin}
uucp:x:10:10:uucp:/var/spool/uucp:{nologin}
proxy:x:13:13:proxy:/bin:{nologin}
www-data:x:33:33:www-data:/var/www:{nologin}
backup:x:34:34:backup:/var/backups:{nologin}
list:x:38:38:Mailing List Manager:/var/list:{nologin}
irc:x:39:39:ircd:/run/ircd:{nologin}
"""


DEBIAN_PASSWD = _debian_passwd("/usr/sbin/nologin") + \
    "_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
UBUNTU_PASSWD = _debian_passwd("/usr/sbin/nologin").replace(
    "irc:x:39:39:ircd:/run/ircd:", "irc:x:39:39:ircd:/run/ircd:") + \
    "gnats:x:41:41:Gnats Bug-Reporting System (admin):/var/lib/gnats:/usr/sbin/nologin\n" \
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n_apt:x:100:65534::/nonexistent:/usr/sbin/nologin\n"
UBUNTU24_PASSWD = _debian_passwd("/usr/sbin/nologin") + \
    "_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n" \
    "ubuntu:x:1000:1000:Ubuntu:/home/ubuntu:/bin/bash\n"

_DEB_GROUPS = """root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
news:x:9:
uucp:x:10:
man:x:12:
proxy:x:13:
kmem:x:15:
dialout:x:20:
fax:x:21:
voice:x:22:
cdrom:x:24:
floppy:x:25:
tape:x:26:
sudo:x:27:
audio:x:29:
dip:x:30:
www-data:x:33:
backup:x:34:
operator:x:37:
list:x:38:
irc:x:39:
src:x:40:
"""
DEBIAN_GROUP = _DEB_GROUPS + "shadow:x:42:\nutmp:x:43:\nvideo:x:44:\nsasl:x:45:\nplugdev:x:46:\nstaff:x:50:\n" \
    "games:x:60:\nusers:x:100:\nnogroup:x:65534:\n"
UBUNTU_GROUP = _DEB_GROUPS + "gnats:x:41:\nshadow:x:42:\nutmp:x:43:\nvideo:x:44:\nsasl:x:45:\nplugdev:x:46:\n" \
    "staff:x:50:\ngames:x:60:\nusers:x:100:\nnogroup:x:65534:\n"
UBUNTU24_GROUP = DEBIAN_GROUP.replace("users:x:100:\n", "users:x:100:ubuntu\n") + "ubuntu:x:1000:\n"

DEBIAN12_OS_RELEASE = """PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
"""

UBUNTU2204_OS_RELEASE = """PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=jammy
"""

UBUNTU2404_OS_RELEASE = """PRETTY_NAME="Ubuntu 24.04 LTS"
NAME="Ubuntu"
VERSION_ID="24.04"
VERSION="24.04 LTS (Noble Numbat)"
VERSION_CODENAME=noble
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=noble
LOGO=ubuntu-logo
"""

# /etc/apt/apt.conf.d/docker-clean as the Docker images ship it (debuerreotype / ubuntu)
DOCKER_CLEAN = """# Since for most Docker users, package installs happen in "docker build" steps,
# they essentially become individual layers due to the way Docker handles
# layering, especially using CoW filesystems.  What this means for us is that
# the caches that APT keeps end up just wasting space in those layers, making
# our layers unnecessarily large (especially since we'll normally never use
# these caches again and will instead just "docker build" again and make a brand
# new image).

# Ideally, these would just be invoking "apt-get clean", but in our testing,
# that ended up being cyclic and we got stuck on APT's lock, so we get this fun
# creation that's essentially just "apt-get clean".
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };

Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";

# Note that we do realize this isn't the ideal way to do this, and are always
# open to better suggestions (https://github.com/docker/docker/issues).
"""
DOCKER_GZIP_INDEXES = """# Since Docker users using "RUN apt-get update && apt-get install -y ..." in
# their Dockerfiles don't go delete the lists files afterwards, we want them to
# be as small as possible on-disk, so we explicitly request that Apt keep them
# compressed on-disk too instead of decompressing them.

# For comparison, an "apt-get update" layer without this on a pristine
# "debian:wheezy" base image was "29.88 MB", where with this it was only
# "8.273 MB".

Acquire::GzipIndexes "true";
"""
DOCKER_AUTOREMOVE_SUGGESTS = """# Since Docker users are looking for the smallest possible final images, the
# following emerges as a very common pattern:

#   RUN apt-get update \\
#       && apt-get install -y <packages> \\
#       && <do some compilation work> \\
#       && apt-get purge -y --auto-remove <packages>

# By default, APT will actually _keep_ packages installed via Recommends or
# Depends if another package Suggests them, even and including if the package
# that originally caused them to be installed is removed.  Setting this to
# "false" ensures that APT is appropriately aggressive about removing the
# packages it added.

# https://aptitude.alioth.debian.org/doc/en/ch02s05s05.html#configApt-AutoRemove-SuggestsImportant
Apt::AutoRemove::SuggestsImportant "false";
"""
DOCKER_NO_LANGUAGES = """# In Docker, we don't often need the "Translations" files, so we're just wasting
# time and space by downloading them, and this inhibits that.  For users that do
# need them, it's a simple matter to delete this file and "apt-get update". :)

Acquire::Languages "none";
"""

UBUNTU2204_SOURCES = """# See http://help.ubuntu.com/community/UpgradeNotes for how to upgrade to
# newer versions of the distribution.
deb http://archive.ubuntu.com/ubuntu/ jammy main restricted
# deb-src http://archive.ubuntu.com/ubuntu/ jammy main restricted

## Major bug fix updates produced after the final release of the
## distribution.
deb http://archive.ubuntu.com/ubuntu/ jammy-updates main restricted
# deb-src http://archive.ubuntu.com/ubuntu/ jammy-updates main restricted

## N.B. software from this repository is ENTIRELY UNSUPPORTED by the Ubuntu
## team. Also, please note that software in universe WILL NOT receive any
## review or updates from the Ubuntu security team.
deb http://archive.ubuntu.com/ubuntu/ jammy universe
# deb-src http://archive.ubuntu.com/ubuntu/ jammy universe
deb http://archive.ubuntu.com/ubuntu/ jammy-updates universe
# deb-src http://archive.ubuntu.com/ubuntu/ jammy-updates universe

## N.B. software from this repository is ENTIRELY UNSUPPORTED by the Ubuntu
## team, and may not be under a free licence. Please satisfy yourself as to
## your rights to use the software. Also, please note that software in
## multiverse WILL NOT receive any review or updates from the Ubuntu
## security team.
deb http://archive.ubuntu.com/ubuntu/ jammy multiverse
# deb-src http://archive.ubuntu.com/ubuntu/ jammy multiverse
deb http://archive.ubuntu.com/ubuntu/ jammy-updates multiverse
# deb-src http://archive.ubuntu.com/ubuntu/ jammy-updates multiverse

## N.B. software from this repository may not have been tested as
## extensively as that contained in the main release, although it includes
## newer versions of some applications which may provide useful features.
## Also, please note that software in backports WILL NOT receive any review
## or updates from the Ubuntu security team.
deb http://archive.ubuntu.com/ubuntu/ jammy-backports main restricted universe multiverse
# deb-src http://archive.ubuntu.com/ubuntu/ jammy-backports main restricted universe multiverse

deb http://security.ubuntu.com/ubuntu/ jammy-security main restricted
# deb-src http://security.ubuntu.com/ubuntu/ jammy-security main restricted
deb http://security.ubuntu.com/ubuntu/ jammy-security universe
# deb-src http://security.ubuntu.com/ubuntu/ jammy-security universe
deb http://security.ubuntu.com/ubuntu/ jammy-security multiverse
# deb-src http://security.ubuntu.com/ubuntu/ jammy-security multiverse
"""

UBUNTU2404_SOURCES = """Types: deb
URIs: http://archive.ubuntu.com/ubuntu/
Suites: noble noble-updates noble-backports
Components: main universe restricted multiverse
Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg

Types: deb
URIs: http://security.ubuntu.com/ubuntu/
Suites: noble-security
Components: main universe restricted multiverse
Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg
"""

DEBIAN12_SOURCES = """Types: deb
# http://snapshot.debian.org/archive/debian/20240513T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
# http://snapshot.debian.org/archive/debian-security/20240513T000000Z
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""

# Essential/required packages of the minbase images (names real, versions of the modeled date)
UBUNTU2204_PACKAGES = """adduser=3.118ubuntu5 apt=2.4.12 base-files=12ubuntu4.6 base-passwd=3.5.52build1
bash=5.1-6ubuntu1.1 bsdutils=1:2.37.2-4ubuntu3.4 coreutils=8.32-4.1ubuntu1.2 dash=0.5.11+git20210903+057cd650a4ed-3build1
debconf=1.5.79ubuntu1 debianutils=5.5-1ubuntu2 diffutils=1:3.8-0ubuntu2 dpkg=1.21.1ubuntu2.3
e2fsprogs=1.46.5-2ubuntu1.1 findutils=4.8.0-1ubuntu3 gcc-12-base=12.3.0-1ubuntu1~22.04 gpgv=2.2.27-3ubuntu2.1
grep=3.7-1build1 gzip=1.10-4ubuntu4.1 hostname=3.23ubuntu2 init-system-helpers=1.62
libacl1=2.3.1-1 libapt-pkg6.0=2.4.12 libattr1=1:2.5.1-1build1 libaudit-common=1:3.0.7-1build1
libaudit1=1:3.0.7-1build1 libblkid1=2.37.2-4ubuntu3.4 libbz2-1.0=1.0.8-5build1 libc-bin=2.35-0ubuntu3.7
libc6=2.35-0ubuntu3.7 libcap-ng0=0.7.9-2.2build3 libcap2=1:2.44-1ubuntu0.22.04.1 libcom-err2=1.46.5-2ubuntu1.1
libcrypt1=1:4.4.27-1 libdb5.3=5.3.28+dfsg1-0.8ubuntu3 libdebconfclient0=0.261ubuntu1 libext2fs2=1.46.5-2ubuntu1.1
libffi8=3.4.2-4 libgcc-s1=12.3.0-1ubuntu1~22.04 libgcrypt20=1.9.4-3ubuntu3 libgmp10=2:6.2.1+dfsg-3ubuntu1
libgnutls30=3.7.3-4ubuntu1.5 libgpg-error0=1.43-3 libgssapi-krb5-2=1.19.2-2ubuntu0.3 libhogweed6=3.7.3-1build2
libidn2-0=2.3.2-2build1 libk5crypto3=1.19.2-2ubuntu0.3 libkeyutils1=1.6.1-2ubuntu3 libkrb5-3=1.19.2-2ubuntu0.3
libkrb5support0=1.19.2-2ubuntu0.3 liblz4-1=1.9.3-2build2 liblzma5=5.2.5-2ubuntu1 libmount1=2.37.2-4ubuntu3.4
libncurses6=6.3-2ubuntu0.1 libncursesw6=6.3-2ubuntu0.1 libnettle8=3.7.3-1build2 libnsl2=1.3.0-2build2
libp11-kit0=0.24.0-6build1 libpam-modules=1.4.0-11ubuntu2.4 libpam-modules-bin=1.4.0-11ubuntu2.4
libpam-runtime=1.4.0-11ubuntu2.4 libpam0g=1.4.0-11ubuntu2.4 libpcre2-8-0=10.39-3ubuntu0.1 libpcre3=2:8.39-13ubuntu0.22.04.1
libprocps8=2:3.3.17-6ubuntu2.1 libseccomp2=2.5.3-2ubuntu2 libselinux1=3.3-1build2 libsemanage-common=3.3-1build2
libsemanage2=3.3-1build2 libsepol2=3.3-1build1 libsmartcols1=2.37.2-4ubuntu3.4 libss2=1.46.5-2ubuntu1.1
libssl3=3.0.2-0ubuntu1.15 libstdc++6=12.3.0-1ubuntu1~22.04 libsystemd0=249.11-0ubuntu3.12 libtasn1-6=4.18.0-4build1
libtinfo6=6.3-2ubuntu0.1 libtirpc-common=1.3.2-2ubuntu0.1 libtirpc3=1.3.2-2ubuntu0.1 libudev1=249.11-0ubuntu3.12
libunistring2=1.0-1 libuuid1=2.37.2-4ubuntu3.4 libxxhash0=0.8.1-1 libzstd1=1.4.8+dfsg-3build1
login=1:4.8.1-2ubuntu2.2 logsave=1.46.5-2ubuntu1.1 lsb-base=11.1.0ubuntu4 mawk=1.3.4.20200120-3
mount=2.37.2-4ubuntu3.4 ncurses-base=6.3-2ubuntu0.1 ncurses-bin=6.3-2ubuntu0.1 passwd=1:4.8.1-2ubuntu2.2
perl-base=5.34.0-3ubuntu1.3 procps=2:3.3.17-6ubuntu2.1 sed=4.8-1ubuntu2 sensible-utils=0.0.17
sysvinit-utils=3.01-1ubuntu1 tar=1.34+dfsg-1ubuntu0.1.22.04.2 ubuntu-keyring=2021.03.26 usrmerge=25ubuntu2
util-linux=2.37.2-4ubuntu3.4 zlib1g=1:1.2.11.dfsg-2ubuntu9.2""".split()

UBUNTU2404_PACKAGES = """apt=2.7.14build2 base-files=13ubuntu10 base-passwd=3.6.3build1 bash=5.2.21-2ubuntu4
bsdutils=1:2.39.3-9ubuntu6 coreutils=9.4-3ubuntu6 dash=0.5.12-6ubuntu5 debconf=1.5.86ubuntu1
debianutils=5.17build1 diffutils=1:3.10-1build1 dpkg=1.22.6ubuntu6 e2fsprogs=1.47.0-2.4~exp1ubuntu4
findutils=4.9.0-5build1 gcc-14-base=14-20240412-0ubuntu1 gpgv=2.4.4-2ubuntu17 grep=3.11-4build1 gzip=1.12-1ubuntu3
hostname=3.23+nmu2ubuntu2 init-system-helpers=1.66ubuntu1 libacl1=2.3.2-1build1 libapt-pkg6.0t64=2.7.14build2
libattr1=1:2.5.2-1build1 libaudit-common=1:3.1.2-2.1build1 libaudit1=1:3.1.2-2.1build1 libblkid1=2.39.3-9ubuntu6
libbz2-1.0=1.0.8-5.1 libc-bin=2.39-0ubuntu8 libc6=2.39-0ubuntu8 libcap-ng0=0.8.4-2build2 libcap2=1:2.66-5ubuntu2
libcom-err2=1.47.0-2.4~exp1ubuntu4 libcrypt1=1:4.4.36-4build1 libdb5.3t64=5.3.28+dfsg2-7
libdebconfclient0=0.271ubuntu3 libext2fs2t64=1.47.0-2.4~exp1ubuntu4 libffi8=3.4.6-1build1 libgcc-s1=14-20240412-0ubuntu1
libgcrypt20=1.10.3-2build1 libgmp10=2:6.3.0+dfsg-2ubuntu6 libgnutls30t64=3.8.3-1.1ubuntu3 libgpg-error0=1.47-3build2
libhogweed6t64=3.9.1-2.2build1 libidn2-0=2.3.7-2build1 liblz4-1=1.9.4-1build1 liblzma5=5.6.1+really5.4.5-1
libmd0=1.1.0-2build1 libmount1=2.39.3-9ubuntu6 libncursesw6=6.4+20240113-1ubuntu2 libnettle8t64=3.9.1-2.2build1
libp11-kit0=0.25.3-4ubuntu2 libpam-modules=1.5.3-5ubuntu5 libpam-modules-bin=1.5.3-5ubuntu5
libpam-runtime=1.5.3-5ubuntu5 libpam0g=1.5.3-5ubuntu5 libpcre2-8-0=10.42-4ubuntu2 libproc2-0=2:4.0.4-4ubuntu3
libseccomp2=2.5.5-1ubuntu3 libselinux1=3.5-2ubuntu2 libsemanage-common=3.5-1build5 libsemanage2=3.5-1build5
libsepol2=3.5-2build1 libsmartcols1=2.39.3-9ubuntu6 libss2=1.47.0-2.4~exp1ubuntu4 libssl3t64=3.0.13-0ubuntu3
libstdc++6=14-20240412-0ubuntu1 libsystemd0=255.4-1ubuntu8 libtasn1-6=4.19.0-3build1 libtinfo6=6.4+20240113-1ubuntu2
libudev1=255.4-1ubuntu8 libunistring5=1.1-2build1 libuuid1=2.39.3-9ubuntu6 libxxhash0=0.8.2-2build1
libzstd1=1.5.5+dfsg2-2build1 login=1:4.13+dfsg1-4ubuntu3 logsave=1.47.0-2.4~exp1ubuntu4 mawk=1.3.4.20240123-1build1
mount=2.39.3-9ubuntu6 ncurses-base=6.4+20240113-1ubuntu2 ncurses-bin=6.4+20240113-1ubuntu2 passwd=1:4.13+dfsg1-4ubuntu3
perl-base=5.38.2-3.2build2 procps=2:4.0.4-4ubuntu3 sed=4.9-2build1 sensible-utils=0.0.22 sysvinit-utils=3.08-6ubuntu3
tar=1.35+dfsg-3build1 ubuntu-keyring=2023.11.28.1 util-linux=2.39.3-9ubuntu6 zlib1g=1:1.3.dfsg-3.1ubuntu2""".split()

DEBIAN12_PACKAGES = """adduser=3.134 apt=2.6.1 base-files=12.4+deb12u5 base-passwd=3.6.1 bash=5.2.15-2+b2
bsdutils=1:2.38.1-5+deb12u1 coreutils=9.1-1 dash=0.5.12-2 debconf=1.5.82 debian-archive-keyring=2023.3+deb12u1
debianutils=5.7-0.5~deb12u1 diffutils=1:3.8-4 dpkg=1.21.22 findutils=4.9.0-4 gcc-12-base=12.2.0-14 gpgv=2.2.40-1.1
grep=3.8-5 gzip=1.12-1 hostname=3.23+nmu1 init-system-helpers=1.65.2 libacl1=2.3.1-3 libapt-pkg6.0=2.6.1
libattr1=1:2.5.1-4 libaudit-common=1:3.0.9-1 libaudit1=1:3.0.9-1 libblkid1=2.38.1-5+deb12u1 libbz2-1.0=1.0.8-5+b1
libc-bin=2.36-9+deb12u7 libc6=2.36-9+deb12u7 libcap-ng0=0.8.3-1+b3 libcap2=1:2.66-4 libcrypt1=1:4.4.33-2
libdb5.3=5.3.28+dfsg2-1 libdebconfclient0=0.270 libffi8=3.4.4-1 libgcc-s1=12.2.0-14 libgcrypt20=1.10.1-3
libgmp10=2:6.2.1+dfsg1-1.1 libgnutls30=3.7.9-2+deb12u2 libgpg-error0=1.46-1 libhogweed6=3.8.1-2
libidn2-0=2.3.3-1+b1 liblz4-1=1.9.4-1 liblzma5=5.4.1-0.2 libmd0=1.0.4-2 libmount1=2.38.1-5+deb12u1
libnettle8=3.8.1-2 libp11-kit0=0.24.1-2 libpam-modules=1.5.2-6+deb12u1 libpam-modules-bin=1.5.2-6+deb12u1
libpam-runtime=1.5.2-6+deb12u1 libpam0g=1.5.2-6+deb12u1 libpcre2-8-0=10.42-1 libseccomp2=2.5.4-1+b3
libselinux1=3.4-1+b6 libsemanage-common=3.4-1 libsemanage2=3.4-1+b5 libsepol2=3.4-2.1 libsmartcols1=2.38.1-5+deb12u1
libssl3=3.0.11-1~deb12u2 libstdc++6=12.2.0-14 libsystemd0=252.22-1~deb12u1 libtasn1-6=4.19.0-2
libtinfo6=6.4-4 libudev1=252.22-1~deb12u1 libunistring2=1.0-2 libuuid1=2.38.1-5+deb12u1 libxxhash0=0.8.1-1
libzstd1=1.5.4+dfsg2-5 login=1:4.13+dfsg1-1+b1 mawk=1.3.4.20200120-3.1 mount=2.38.1-5+deb12u1
ncurses-base=6.4-4 ncurses-bin=6.4-4 passwd=1:4.13+dfsg1-1+b1 perl-base=5.36.0-7+deb12u1 sed=4.9-1
sysvinit-utils=3.06-4 tar=1.34+dfsg-1.2+deb12u1 tzdata=2024a-0+deb12u1 usr-is-merged=37~deb12u1
util-linux=2.38.1-5+deb12u1 util-linux-extra=2.38.1-5+deb12u1 zlib1g=1:1.2.13.dfsg-1""".split()

# commands in /usr/bin of the Debian/Ubuntu minbase (coreutils, util-linux, findutils, ...)
DEB_USR_BIN = """[ arch b2sum base32 base64 basename basenc bash bashbug cat chattr chcon chfn chgrp chmod chown
chrt chsh cksum clear clear_console cmp comm cp csplit cut dash date dd debconf debconf-apt-progress
debconf-communicate debconf-copydb debconf-escape debconf-set-selections debconf-show deb-systemd-helper
deb-systemd-invoke df diff diff3 dir dircolors dirname dmesg dnsdomainname domainname dpkg dpkg-deb
dpkg-divert dpkg-maintscript-helper dpkg-query dpkg-realpath dpkg-split dpkg-statoverride dpkg-trigger
du echo egrep env expand expiry expr factor faillog fallocate false fgrep find findmnt flock fmt fold
free getconf getent getopt gpasswd gpgv grep groups gunzip gzexe gzip head hostid hostname iconv id
infocmp install ionice ipcmk ipcrm ipcs join kill last lastb lastlog ldd link linux32 linux64 ln locale
localedef logger login logname ls lsattr lsblk lscpu lsipc lslocks lslogins lsmem lsns mawk mcookie
md5sum mesg mkdir mkfifo mknod mktemp more mount mountpoint mv namei newgrp nice nisdomainname nl
nohup nproc nsenter numfmt od pager partx passwd paste pathchk perl perl5.34.0 pgrep pidof pidwait
pinky pkill pldd pmap pr printenv printf prlimit ps ptx pwd pwdx rbash readlink realpath renice reset
rev rgrep rm rmdir run-parts runcon savelog script scriptlive scriptreplay sdiff sed select-editor
sensible-browser sensible-editor sensible-pager seq setarch setpriv setsid setterm sg sh sha1sum
sha224sum sha256sum sha384sum sha512sum shred shuf skill slabtop sleep snice sort split stat stdbuf
stty su sum sync tabs tac tail tar taskset tee tempfile test tic timeout tload toe top touch tput tr
true truncate tset tsort tty tzselect umount uname uncompress unexpand uniq unlink unshare update-alternatives
uptime users utmpdump vdir vmstat w wall watch wc wdctl whereis which who whoami xargs yes ypdomainname
zcat zcmp zdiff zdump zegrep zfgrep zforce zgrep zless zmore znew apt apt-cache apt-cdrom apt-config
apt-get apt-key apt-mark""".split()

DEB_USR_SBIN = """add-shell addgroup adduser agetty badblocks blkdiscard blkid blockdev chcpu chgpasswd chmem
chpasswd chroot cpgr cppw ctrlaltdel debugfs delgroup deluser dpkg-fsys-usrunmess dpkg-preconfigure
dpkg-reconfigure dumpe2fs e2freefrag e2fsck e2image e2label e2mmpstatus e2scrub e2scrub_all e2undo
e4crypt e4defrag faillock fdisk filefrag findfs fsck fsck.cramfs fsck.ext2 fsck.ext3 fsck.ext4
fsck.minix fsfreeze fstab-decode fstrim getty groupadd groupdel groupmems groupmod grpck grpconv
grpunconv halt hwclock iconvconfig init installkernel invoke-rc.d isosize killall5 ldconfig
logsave losetup mke2fs mkfs mkfs.bfs mkfs.cramfs mkfs.ext2 mkfs.ext3 mkfs.ext4 mkfs.minix mkhomedir_helper
mklost+found mkswap newusers nologin pam-auth-update pam_getenv pam_namespace_helper pam_timestamp_check
pivot_root policy-rc.d poweroff pwck pwconv pwunconv readprofile reboot remove-shell resize2fs rmt
rmt-tar rtcwake runlevel runuser service shadowconfig shutdown start-stop-daemon sulogin swaplabel
swapoff swapon switch_root tarcat telinit tune2fs unix_chkpwd unix_update update-passwd update-rc.d
useradd userdel usermod vigr vipw wipefs zic zramctl""".split()

# ---------------------------------------------------------------------------- nginx
NGINX_CONF = """
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
""".lstrip("\n")

NGINX_DEFAULT_CONF = """server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # redirect server error pages to the static page /50x.html
    #
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }

    # proxy the PHP scripts to Apache listening on 127.0.0.1:80
    #
    #location ~ \\.php$ {
    #    proxy_pass   http://127.0.0.1;
    #}

    # pass the PHP scripts to FastCGI server listening on 127.0.0.1:9000
    #
    #location ~ \\.php$ {
    #    root           html;
    #    fastcgi_pass   127.0.0.1:9000;
    #    fastcgi_index  index.php;
    #    fastcgi_param  SCRIPT_FILENAME  /scripts$fastcgi_script_name;
    #    include        fastcgi_params;
    #}

    # deny access to .htaccess files, if Apache's document root
    # concurs with nginx's one
    #
    #location ~ /\\.ht {
    #    deny  all;
    #}
}

"""

NGINX_INDEX_HTML = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""

NGINX_50X_HTML = """<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
"""

NODE_ENTRYPOINT = """#!/bin/sh
set -e

# Run command with node if the first argument contains a "-" or is not a system command. The last
# part inside the "{}" is a workaround for the following bug in ash/dash:
# https://bugs.debian.org/cgi-bin/bugreport.cgi?bug=874264
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi

exec "$@"
"""
