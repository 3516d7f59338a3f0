"""Applets that change or list the filesystem: mkdir, rm, rmdir, touch, cp, mv, ln, chmod,
chown, chgrp, truncate, dd, ls, stat, find, du, readlink, realpath, mktemp.

Each one calls the :class:`~layerlab.fs.rootfs.RootFS` operation its busybox original makes
(the system call decides what overlayfs copies up), in the same order, and prints busybox's
messages with the paths as the user typed them.
"""
from __future__ import annotations

import errno
import hashlib
import re
import stat as _st
import time

from ..content import ZEROS, Content
from ..fs.tree import CHAR, DIR, FILE, SYMLINK, basename as _base, join, normpath, parent
from . import util
from .core import (Blocked, Proc, RandomInput, ZeroInput, device_input, device_sink, register)
from .util import (DD_SUFFIXES, Names, Usage, getopt, human, lookup_group, lookup_user, strerror,
                   usage)

DD_THIRD_STATUS_LINE = True
"""Print dd's ``N bytes (X) copied, S seconds, R/s`` line. On in busybox's defconfig (the
``busybox`` and ``alpine`` images); Debian's busybox-static builds it off."""

NON_POSIX_CP = False
"""busybox FEATURE_NON_POSIX_CP: unlink an existing destination and create a new file.
Debian's busybox (the oracle here) is built without it: cp opens the destination with
``O_TRUNC`` (following a symlink, keeping the mode and hard links): no old data is copied
up either way."""

_DEVICES = {"/dev/null", "/dev/zero", "/dev/full", "/dev/urandom", "/dev/random", "/dev/tty"}


def _last_component_strip(p: str) -> str:
    """busybox bb_get_last_path_component_strip: ``a/b/`` -> ``b``."""
    s = p.rstrip("/")
    if not s:
        return "/" if p else ""
    return s.rsplit("/", 1)[-1]


def _concat(d: str, name: str) -> str:
    """busybox concat_path_file: ``d`` + ``/`` + ``name`` (no doubled slash)."""
    if d.endswith("/"):
        return d + name
    return d + "/" + name


def _lstat(proc: Proc, p: str):
    try:
        return proc.fs.lstat(proc.path(p))
    except OSError:
        return None


def _stat(proc: Proc, p: str):
    try:
        return proc.fs.stat(proc.path(p))
    except OSError:
        return None


def _is_dir(proc: Proc, p: str, follow: bool = True) -> bool:
    node = _stat(proc, p) if follow else _lstat(proc, p)
    return node is not None and node.kind == DIR


# ============================================================================ mkdir/rmdir/rm
def _parse_mode_arg(text: str, current: int, umask: int) -> int | None:
    """busybox bb_parse_mode: octal, or ``[ugoa]*[-+=][rwxXst]*`` clauses joined by ``,``."""
    if re.fullmatch(r"[0-7]+", text):
        v = int(text, 8)
        return v if v <= 0o7777 else None
    mode = current & 0o7777
    is_dir = _st.S_ISDIR(current)
    for clause in text.split(","):
        m = re.fullmatch(r"([ugoa]*)((?:[-+=][rwxXstugo]*)+)", clause)
        if not m:
            return None
        who = m.group(1) or "a"
        mask = 0
        if "u" in who or "a" in who:
            mask |= 0o4700
        if "g" in who or "a" in who:
            mask |= 0o2070
        if "o" in who or "a" in who:
            mask |= 0o1007
        if not m.group(1):  # no "who": like "a", but the umask's bits are left alone
            mask &= ~umask
        for op, perms in re.findall(r"([-+=])([rwxXstugo]*)", m.group(2)):
            bits = 0
            for p in perms:
                if p == "r":
                    bits |= 0o444
                elif p == "w":
                    bits |= 0o222
                elif p == "x":
                    bits |= 0o111
                elif p == "X":
                    if is_dir or mode & 0o111:
                        bits |= 0o111
                elif p == "s":
                    bits |= 0o6000
                elif p == "t":
                    bits |= 0o1000
                elif p in "ugo":
                    src = {"u": (mode >> 6) & 7, "g": (mode >> 3) & 7, "o": mode & 7}[p]
                    bits |= src * 0o111
            bits &= mask
            if op == "+":
                mode |= bits
            elif op == "-":
                mode &= ~bits
            else:
                mode = (mode & ~(mask & 0o7777)) | bits
    return mode


@register("mkdir")
def mkdir(proc: Proc, argv: list[str]) -> int:
    """busybox mkdir [-p] [-m MODE] DIR...: ``mkdir: can't create directory 'a': File
    exists``; with ``-p`` each prefix is tried in turn and an existing directory is fine
    (nothing is copied up); the message names the prefix that failed."""
    try:
        opts, dirs = getopt(argv, "pm:v", long={"parents": "p", "mode": "m:"})
    except Usage as u:
        return usage(proc, u)
    if not dirs:
        return usage(proc, Usage())
    mode = None
    if "m" in opts:
        mode = _parse_mode_arg(opts["m"], 0o777 | _st.S_IFDIR, proc.fs.umask)
        if mode is None:
            proc.error(f"invalid mode '{opts['m']}'")
            return 1
    status = 0
    for d in dirs:
        if opts.get("p"):
            if d == "/" or d == ".":
                continue
            # every prefix ending before a '/' (busybox scans the string)
            cuts = []
            for m in re.finditer(r"/+", d):
                end = m.end()
                if end < len(d):
                    cuts.append(d[:end])
            cuts.append(d)
            failed = False
            for i, pre in enumerate(cuts):
                last = i == len(cuts) - 1
                path = proc.path(pre)
                try:
                    proc.fs.mkdir(path, 0o777)
                except OSError as e:
                    node = _stat(proc, pre)
                    if e.errno in (errno.EEXIST, errno.EISDIR, errno.EBUSY) and node is not None \
                            and node.kind == DIR:
                        if last:
                            break
                        continue
                    code = e.errno if e.errno != errno.EBUSY else errno.EEXIST
                    if code == errno.EEXIST and pre.endswith("/"):
                        code = errno.ENOTDIR  # busybox reports stat("file/")'s errno
                    if proc.gnu:
                        proc.error(f"cannot create directory '{pre.rstrip('/') or pre}': {strerror(code)}")
                    else:
                        proc.error(f"can't create directory '{pre}': {strerror(code)}")
                    failed = True
                    break
                if last and mode is not None:
                    proc.fs.chmod(path, mode)
            if failed:
                status = 1
            continue
        try:
            proc.fs.mkdir(proc.path(d), 0o777)
            if mode is not None:
                proc.fs.chmod(proc.path(d), mode)
        except OSError as e:
            code = e.errno if e.errno != errno.EBUSY else errno.EEXIST
            verb = "cannot" if proc.gnu else "can't"
            proc.error(f"{verb} create directory '{d}': {strerror(code)}")
            status = 1
    return status


@register("rmdir")
def rmdir(proc: Proc, argv: list[str]) -> int:
    """busybox rmdir [-p] DIR...: ``rmdir: 'a': Directory not empty``."""
    try:
        opts, dirs = getopt(argv, "pv", long={"parents": "p", "ignore-fail-on-non-empty": "I"})
    except Usage as u:
        return usage(proc, u)
    if not dirs:
        return usage(proc, Usage())
    status = 0
    for d in dirs:
        path = d
        while True:
            try:
                last = _last_component_strip(path)
                if last == ".":  # the kernel refuses rmdir("x/.") and rmdir("x/..")
                    raise OSError(errno.EINVAL, strerror(errno.EINVAL))
                if last == "..":
                    raise OSError(errno.ENOTEMPTY, strerror(errno.ENOTEMPTY))
                proc.fs.rmdir(proc.path(path))
            except OSError as e:
                if opts.get("I") and e.errno == errno.ENOTEMPTY:
                    break
                if proc.gnu:
                    proc.error(f"failed to remove '{path}': {strerror(e)}")
                else:
                    proc.error(f"'{path}': {strerror(e)}")
                status = 1
                break
            if not opts.get("p"):
                break
            stripped = path.rstrip("/")
            if "/" not in stripped:
                break
            path = stripped.rsplit("/", 1)[0].rstrip("/")
            if not path:
                break
    return status


def _remove_file(proc: Proc, path: str, recursive: bool, force: bool) -> bool:
    """busybox remove_file(): children first; messages name the path as built."""
    fs = proc.fs
    real = proc.path(path)
    try:
        node = fs.lstat(real)
    except OSError as e:
        if e.errno != errno.ENOENT:
            proc.error(f"can't stat '{path}': {strerror(e)}")
            return False
        if not force:
            proc.error(f"{_cant(proc)} remove '{path}': {strerror(e)}")
            return False
        return True
    if node.kind == DIR:
        if not recursive:
            if proc.gnu:
                proc.error(f"cannot remove '{path}': Is a directory")
            else:
                proc.error(f"'{path}' is a directory")
            return False
        ok = True
        try:
            names = fs.listdir(real)
        except OSError as e:
            proc.error(f"{_cant(proc)} remove '{path}': {strerror(e)}")
            return False
        for name in names:
            if not _remove_file(proc, _concat(path, name), recursive, force):
                ok = False
        if ok:
            try:
                fs.rmdir(real)
            except OSError as e:
                proc.error(f"{_cant(proc)} remove '{path}': {strerror(e)}")
                return False
        return ok
    try:
        fs.unlink(real)
    except OSError as e:
        proc.error(f"{_cant(proc)} remove '{path}': {strerror(e)}")
        return False
    return True


def _cant(proc: Proc) -> str:
    """busybox says "can't", GNU coreutils "cannot"."""
    return "cannot" if proc.gnu else "can't"


def gnu_usage(proc: Proc, msg: str) -> int:
    """GNU's ``<prog>: <msg>`` + ``Try '<prog> --help' for more information.`` (exit 1)."""
    proc.error(msg)
    proc.err(f"Try '{proc.name} --help' for more information.\n")
    return 1


@register("rm")
def rm(proc: Proc, argv: list[str]) -> int:
    """busybox rm [-rRf] FILE...: ``rm: can't remove 'x': No such file or directory``,
    ``rm: 'd' is a directory``; ``-f`` silences missing names; a directory tree is
    removed children first (one whiteout per lower name that was visible)."""
    try:
        opts, files = getopt(argv, "rRfiv", long={"recursive": "r", "force": "f"})
    except Usage as u:
        return usage(proc, u)
    force = bool(opts.get("f"))
    recursive = bool(opts.get("r") or opts.get("R"))
    if not files:
        if force:
            return 0
        if proc.gnu:
            return gnu_usage(proc, "missing operand")
        return usage(proc, Usage())
    status = 0
    for f in files:
        base = _last_component_strip(f)
        if base in (".", ".."):
            if proc.gnu:
                proc.error(f"refusing to remove '.' or '..' directory: skipping '{f}'")
            else:
                proc.error("can't remove '.' or '..'")
            status = 1
            continue
        if not _remove_file(proc, f, recursive, force):
            status = 1
    return status


# ============================================================================ touch/truncate
def _parse_touch_date(text: str) -> int | None:
    """``-d``: ``YYYY-MM-DD[ T]hh:mm[:ss]``, ``@SECONDS``, ``hh:mm``; UTC."""
    text = text.strip()
    if text.startswith("@") and text[1:].isdigit():
        return int(text[1:]) * 1_000_000_000
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
                "%Y-%m-%d", "%Y%m%d%H%M.%S", "%Y%m%d%H%M", "%m%d%H%M%Y"):
        try:
            t = time.strptime(text, fmt)
        except ValueError:
            continue
        import calendar
        return calendar.timegm(t) * 1_000_000_000
    return None


@register("touch")
def touch(proc: Proc, argv: list[str]) -> int:
    """busybox touch [-c] [-d DATE] [-t STAMP] [-r FILE] FILE...: ``utimes()`` first (which
    copies a lower file up, whole); only on ENOENT the file is created with
    ``open(O_RDWR|O_CREAT)``. Errors: ``touch: a/b: No such file or directory``."""
    try:
        opts, files = getopt(argv, "cd:t:r:hamf")
    except Usage as u:
        return usage(proc, u)
    if not files:
        return usage(proc, Usage())
    fs = proc.fs
    when = None
    if "r" in opts:
        try:
            when = fs.stat(proc.path(opts["r"])).mtime
        except OSError as e:
            proc.error(f"can't stat '{opts['r']}': {strerror(e)}")
            return 1
    for key in ("d", "t"):
        if key in opts:
            when = _parse_touch_date(str(opts[key]))
            if when is None:
                proc.error(f"invalid date format '{opts[key]}'" if proc.gnu else
                           f"invalid date '{opts[key]}'")
                return 1
    status = 0
    for f in files:
        path = proc.path(f)
        if path in _DEVICES:
            continue
        try:
            fs.utime(path, when, follow=not opts.get("h"))
            continue
        except OSError as e:
            err = e
        if err.errno == errno.ENOENT:
            if opts.get("c"):
                continue
            try:
                fs.open(path, truncate=False)
                if when is not None:
                    fs.utime(path, when)
                continue
            except OSError as e2:
                err = e2
        if proc.gnu:
            proc.error(f"cannot touch '{f}': {strerror(err)}")
        else:
            proc.error(f"{f}: {strerror(err)}")
        status = 1
    return status


def _parse_truncate_size(text: str) -> tuple[str, int] | None:
    m = re.fullmatch(r"()(\d+)([kKmMgGtT]?)(i?B?)", text)
    if not m:
        return None
    mult = {"": 1, "k": 1024, "K": 1024, "m": 1 << 20, "M": 1 << 20, "g": 1 << 30, "G": 1 << 30,
            "t": 1 << 40, "T": 1 << 40}[m.group(3)]
    if m.group(4) == "B":
        mult = {1024: 1000, 1 << 20: 1000 ** 2, 1 << 30: 1000 ** 3, 1 << 40: 1000 ** 4}.get(mult, mult)
    return m.group(1), int(m.group(2)) * mult


@register("truncate")
def truncate(proc: Proc, argv: list[str]) -> int:
    """busybox truncate [-c] -s SIZE[kMG] FILE... (no relative +/- sizes, unlike
    coreutils): opens the file for writing
    (creating it unless ``-c``: a lower file is copied up) then ``ftruncate``. Growing adds
    a sparse tail of NULs."""
    try:
        opts, files = getopt(argv, "cs:")
    except Usage as u:
        return usage(proc, u)
    if "s" not in opts or not files:
        return usage(proc, Usage())
    parsed = _parse_truncate_size(str(opts["s"]))
    if parsed is None:
        proc.error(f"invalid number '{opts['s']}'")
        return 1
    op, size = parsed
    fs = proc.fs
    status = 0
    for f in files:
        path = proc.path(f)
        try:
            real = fs.open(path, truncate=False, create=not opts.get("c"))
        except OSError as e:
            if e.errno == errno.ENOENT and opts.get("c"):
                continue
            proc.error(f"{f}: open: {strerror(e)}")
            status = 1
            continue
        cur = fs.stat(real).size
        new = {"": size, "+": cur + size, "-": max(0, cur - size), "<": min(cur, size),
               ">": max(cur, size), "/": (cur // size) * size if size else cur,
               "%": -(-cur // size) * size if size else cur}[op]
        fs.truncate(real, new)
    return status


# ============================================================================ chmod/chown
def _walk_names(proc: Proc, shown: str):
    """Yield ``(shown path, real path, node)`` under a directory, children sorted,
    pre-order, not following symlinks."""
    real = proc.path(shown)
    try:
        names = proc.fs.listdir(real)
    except OSError:
        return
    for name in names:
        sp = _concat(shown, name)
        rp = join(real, name)
        try:
            node = proc.fs.lstat(rp)
        except OSError:
            continue
        yield sp, rp, node
        if node.kind == DIR:
            yield from _walk_names(proc, sp)


@register("chmod")
def chmod(proc: Proc, argv: list[str]) -> int:
    """busybox chmod [-Rcvf] MODE FILE...: the command-line name is followed (stat), links
    met while recursing are skipped; chmod() is always called, so even an unchanged mode
    copies a lower file up. ``chmod: x: No such file or directory``, ``chmod: invalid mode
    'zz'``."""
    # a mode like -w looks like an option: busybox accepts it when it parses as a mode
    args = argv[1:]
    flags = {}
    rest = []
    mode_text = None
    for a in args:
        if mode_text is None and rest == [] and re.fullmatch(r"-[Rcvf]+", a):
            for c in a[1:]:
                flags[c] = True
            continue
        rest.append(a)
    if len(rest) < 2:
        return usage(proc, Usage())
    mode_text, files = rest[0], rest[1:]
    fs = proc.fs
    status = 0
    for f in files:
        real = proc.path(f)
        try:
            node = fs.stat(real)
        except OSError as e:
            if not flags.get("f"):
                proc.error(f"cannot access '{f}': {strerror(e)}" if proc.gnu else
                           f"{f}: {strerror(e)}")
            status = 1
            continue
        targets = [(f, real, node)]
        if flags.get("R") and node.kind == DIR:
            targets += [t for t in _walk_names(proc, f) if t[2].kind != SYMLINK]
        for shown, rp, n in targets:
            new = _parse_mode_arg(mode_text, n.st_mode, fs.umask)
            if new is None:
                if proc.gnu:
                    return gnu_usage(proc, f"invalid mode: '{mode_text}'")
                proc.error(f"invalid mode '{mode_text}'")
                return 1
            try:
                fs.chmod(rp, new)
            except OSError as e:
                if not flags.get("f"):
                    proc.error(f"{shown}: {strerror(e)}")
                status = 1
    return status


def _parse_owner(proc: Proc, spec: str, group_only: bool = False):
    """busybox parse_chown_usergroup_or_die: ``USER``, ``:GROUP``, ``USER:`` (the user's
    login group), ``USER:GROUP`` (``.`` works as the separator too). Names come from the
    container's /etc/passwd and /etc/group. Returns (uid, gid), -1 meaning unchanged."""
    fs = proc.fs

    def uid_of(name: str) -> int | None:
        if name.isdigit():
            return int(name)
        found = lookup_user(fs, name)
        return None if found is None else found[0]

    def gid_of(name: str) -> int | None:
        return int(name) if name.isdigit() else lookup_group(fs, name)

    if group_only:
        gid = gid_of(spec)
        if gid is None:
            raise ValueError(f"unknown group {spec}")
        return -1, gid
    sep = "." if "." in spec else (":" if ":" in spec else "")
    if not sep:
        uid = uid_of(spec)
        if uid is None:
            raise ValueError(f"unknown user {spec}")
        return uid, -1
    user, _, grp = spec.partition(sep)
    if not user:
        gid = gid_of(grp)
        if gid is None:
            raise ValueError(f"unknown group {grp}")
        return -1, gid
    shown = user + (":" + grp if grp else "")
    uid = uid_of(user)
    if not grp:
        found = lookup_user(fs, user) if not user.isdigit() else None
        if uid is None or (found is None and not user.isdigit()):
            raise ValueError(f"unknown user/group {shown}")
        if found is None:
            raise ValueError(f"unknown user/group {shown}")
        return uid, found[1]
    gid = gid_of(grp)
    if uid is None or gid is None:
        raise ValueError(f"unknown user/group {shown}")
    return uid, gid


@register("chown", "chgrp")
def chown(proc: Proc, argv: list[str]) -> int:
    """busybox chown [-RhLHPcvf] USER[:GROUP] FILE... (and chgrp GROUP FILE...): names are
    resolved in the container's /etc/passwd and /etc/group (``chown: unknown user foo``);
    ``-h`` or ``-R`` change symlinks themselves (lchown); a chown always copies up."""
    try:
        opts, args = getopt(argv, "RhLHPcvf")
    except Usage as u:
        return usage(proc, u)
    if len(args) < 2:
        return usage(proc, Usage())
    try:
        uid, gid = _parse_owner(proc, args[0], group_only=_base(argv[0]) == "chgrp")
    except ValueError as e:
        if proc.gnu:  # coreutils: invalid user: 'spec' / invalid group: 'spec'
            what = "group" if "group" in str(e) and "user/group" not in str(e) else "user"
            if "user/group" in str(e):
                user = args[0].replace(".", ":").partition(":")[0]
                what = "user" if lookup_user(proc.fs, user) is None and not user.isdigit() else "group"
            proc.error(f"invalid {what}: '{args[0]}'")
            return 1
        proc.error(str(e))
        return 1
    fs = proc.fs
    nofollow = bool(opts.get("h") or opts.get("R"))
    status = 0
    for f in args[1:]:
        real = proc.path(f)
        try:
            node = fs.lstat(real) if nofollow else fs.stat(real)
        except OSError as e:
            if not opts.get("f"):
                proc.error(f"cannot access '{f}': {strerror(e)}" if proc.gnu else
                           f"{f}: {strerror(e)}")
            status = 1
            continue
        targets = [(f, real, node)]
        if opts.get("R"):
            try:
                top = fs.stat(real)
            except OSError:
                top = node
            if top.kind == DIR and (node.kind == DIR or opts.get("H") or opts.get("L")):
                targets += list(_walk_names(proc, f))
        for shown, rp, _node in targets:
            try:
                fs.chown(rp, uid, gid, follow=not nofollow)
            except OSError as e:
                if not opts.get("f"):
                    proc.error(f"{shown}: {strerror(e)}")
                status = 1
    return status


# ============================================================================ cp/mv/ln
class _CopyCtx:
    def __init__(self, proc: Proc, recur: bool, preserve: bool, deref: bool, force: bool,
                 deref_l0: bool = False, update: bool = False, link: str = ""):
        self.proc = proc
        self.recur = recur
        self.preserve = preserve
        self.deref = deref
        self.deref_l0 = deref_l0
        self.force = force
        self.update = update
        self.link = link
        self.inodes: dict[tuple, str] = {}   # hard links already copied (PRESERVE_HARDLINKS)
        self.created_dirs: set[str] = set()
        self.failed = False


def _inode_key(fs, real: str, node) -> tuple | None:
    if node.kind != FILE or not node.ino:
        return None
    return (node.ino, id(node.content))


def _unlink_for_overwrite(ctx: _CopyCtx, dest: str, err: int) -> bool:
    """busybox ask_and_unlink: remove an existing destination before re-creating it (POSIX
    cp does so only with ``-f``)."""
    proc = ctx.proc
    if not NON_POSIX_CP and not ctx.force:
        if proc.gnu:
            proc.error(f"cannot create regular file '{dest}': {strerror(err)}")
        else:
            proc.error(f"can't create '{dest}': {strerror(err)}")
        return False
    try:
        proc.fs.unlink(proc.path(dest))
        return True
    except OSError as e:
        code = err
        if e.errno == errno.EISDIR:
            code = err
        proc.error(f"can't create '{dest}': {strerror(code)}")
        return False


def copy_file(ctx: _CopyCtx, source: str, dest: str, depth0: bool = True) -> bool:
    """busybox copy_file(): regular files are re-created at the destination (an existing
    destination is unlinked first, busybox's non-POSIX cp), so nothing of the old
    destination is copied up; directories are created ``mode|0700`` and fixed up at the
    end; symlinks are copied as links unless dereferencing; ``-p``/``-a`` preserve times,
    owner and mode; hard links inside the copy are kept (without dereferencing)."""
    proc = ctx.proc
    fs = proc.fs
    deref = ctx.deref or (ctx.deref_l0 and depth0)
    s_real = proc.path(source)
    if s_real in _DEVICES and not ctx.recur:
        src_node = None
    else:
        try:
            src_node = fs.stat(s_real) if deref else fs.lstat(s_real)
        except OSError as e:
            proc.error(f"{_cant(proc)} stat '{source}': {strerror(e)}")
            return False
    d_real = proc.path(dest)
    try:
        dst_node = fs.lstat(d_real)
    except OSError as e:
        if e.errno not in (errno.ENOENT,):
            proc.error(f"can't stat '{dest}': {strerror(e)}")
            return False
        dst_node = None
    if dst_node is not None and src_node is not None:
        try:
            same = fs.realpath(s_real) == fs.realpath(d_real) if (deref or src_node.kind != SYMLINK) \
                else normpath(s_real) == normpath(d_real)
        except OSError:
            same = False
        if same and (dst_node.kind != SYMLINK or deref):
            proc.error(f"'{source}' and '{dest}' are the same file")
            return False
    if src_node is None:  # a device read as data
        data = device_input(s_real, proc.fds)
        payload = data.read(0) if data is not None else b""
        try:
            fs.set_content(d_real, Content.of(payload))
        except OSError as e:
            proc.error(f"can't create '{dest}': {strerror(e)}")
            return False
        return True

    if src_node.kind == DIR:
        if not ctx.recur:
            if proc.gnu:
                proc.error(f"-r not specified; omitting directory '{source}'")
            else:
                proc.error(f"omitting directory '{source}'")
            return False
        if s_real in ctx.created_dirs:
            if proc.gnu:  # coreutils skips the copy it is making, silently
                return True
            proc.error(f"recursion detected, omitting directory '{source}'")
            return False
        if proc.gnu and depth0:
            try:
                rs, rd = fs.realpath(s_real), fs.realpath(parent(d_real))
            except OSError:
                rs, rd = "", "/"
            if rd == rs or rd.startswith(rs + "/"):
                proc.error(f"cannot copy a directory, '{source}', into itself, '{dest}'")
                ctx.failed = True
        umask = fs.umask
        if dst_node is not None:
            if dst_node.kind != DIR:
                try:
                    if fs.stat(d_real).kind != DIR:
                        raise OSError(errno.ENOTDIR, "")
                except OSError:
                    proc.error(f"target '{dest}' is not a directory")
                    return False
        else:
            mode = src_node.mode if ctx.preserve else src_node.mode & ~umask
            mode |= 0o700
            saved = fs.umask
            fs.umask = 0
            try:
                fs.mkdir(d_real, mode)
            except OSError as e:
                proc.error(f"{_cant(proc)} create directory '{dest}': {strerror(e)}")
                return False
            finally:
                fs.umask = saved
        try:
            ctx.created_dirs.add(fs.realpath(d_real))
        except OSError:
            pass
        ok = True
        try:
            names = fs.listdir(s_real)
        except OSError:
            names = []
            ok = False
        for name in names:
            if not copy_file(ctx, _concat(source, name), _concat(dest, name), depth0=False):
                ok = False
        if dst_node is None:
            fs.chmod(d_real, src_node.mode & ~umask)
        _preserve(ctx, src_node, dest, d_real)
        return ok

    if dst_node is not None and ctx.update and src_node.mtime // 10**9 <= dst_node.mtime // 10**9:
        return True

    if ctx.link:
        try:
            if ctx.link == "s":
                fs.symlink(source, d_real)
            else:
                fs.link(s_real, d_real)
        except OSError as e:
            if not _unlink_for_overwrite(ctx, dest, e.errno):
                return False
            try:
                if ctx.link == "s":
                    fs.symlink(source, d_real)
                else:
                    fs.link(s_real, d_real)
            except OSError as e2:
                proc.error(f"can't create link '{dest}': {strerror(e2)}")
                return False
        return True

    if not ctx.recur or src_node.kind == FILE:
        if src_node.kind == SYMLINK and not deref:
            return _copy_symlink(ctx, source, dest, d_real, src_node, dst_node)
        if not deref:
            key = _inode_key(fs, s_real, src_node)
            if key is not None:
                first = ctx.inodes.get(key)
                if first is not None:
                    try:
                        fs.link(proc.path(first), d_real)
                    except OSError as e:
                        if not _unlink_for_overwrite(ctx, dest, e.errno):
                            return False
                        fs.link(proc.path(first), d_real)
                    return True
                ctx.inodes[key] = dest
        if src_node.kind == FILE:
            content = src_node.content
        else:
            content = Content()
        new_mode = src_node.mode if src_node.kind == FILE else 0o666
        try:
            if NON_POSIX_CP:
                fs.open(d_real, truncate=False, exclusive=True, mode=new_mode)
            else:
                fs.open(d_real, truncate=True, mode=new_mode)
        except OSError as e:
            if not _unlink_for_overwrite(ctx, dest, e.errno):
                return False
            try:
                fs.open(d_real, truncate=False, exclusive=True, mode=new_mode)
            except OSError as e2:
                proc.error(f"can't open '{dest}': {strerror(e2)}")
                return False
        try:
            fs.set_content(d_real, content)
        except OSError as e:   # a full tmpfs: what fits is written, then busybox's message
            if e.errno == errno.ENOSPC:
                _write_what_fits(fs, d_real, content)
            proc.error(f"write error: {strerror(e)}")
            return False
        if src_node.kind != FILE:
            return True
        _preserve(ctx, src_node, dest, d_real)
        return True
    # a symlink or special file while recursing
    if src_node.kind == SYMLINK:
        return _copy_symlink(ctx, source, dest, d_real, src_node, dst_node)
    proc.error(f"can't create '{dest}': {strerror(errno.EPERM)}")
    return False


def _write_what_fits(fs, real: str, content: Content, offset: int = 0) -> None:
    """After ENOSPC: write ``content`` at ``offset`` again byte-wise, so the pages that fit
    hold data (the kernel's short write), ignoring the error it ends with."""
    room = _size_limit(fs, real)
    n = content.size if room is None else min(content.size, room)
    try:
        fs.pwrite(real, offset, content.read(0, n))
    except OSError:
        pass


def _size_limit(fs, path: str) -> int | None:
    """The ``size=`` of the tmpfs holding ``path`` (None: not a size-limited mount)."""
    resolve = getattr(fs, "_resolve", None)
    if resolve is None:
        return None
    try:
        m = resolve(path, True)[1]
    except OSError:
        return None
    return getattr(m, "size_limit", None) if m is not None else None


def _copy_symlink(ctx: _CopyCtx, source: str, dest: str, d_real: str, src_node, dst_node) -> bool:
    fs = ctx.proc.fs
    if dst_node is not None:
        if not _unlink_for_overwrite(ctx, dest, errno.EEXIST):
            return False
    try:
        fs.symlink(src_node.target, d_real)
    except OSError as e:
        ctx.proc.error(f"can't create symlink '{dest}' to '{src_node.target}': {strerror(e)}")
        return False
    if ctx.preserve:
        fs.chown(d_real, src_node.uid, src_node.gid, follow=False)
        fs.utime(d_real, src_node.mtime, follow=False)
    return True


def _preserve(ctx: _CopyCtx, src_node, dest: str, d_real: str) -> None:
    if not ctx.preserve:
        return
    fs = ctx.proc.fs
    fs.utime(d_real, src_node.mtime // 10**9 * 10**9)
    fs.chown(d_real, src_node.uid, src_node.gid)
    fs.chmod(d_real, src_node.mode)


@register("cp")
def cp(proc: Proc, argv: list[str]) -> int:
    """busybox cp [-arRdpfilsLPTu] SOURCE... DEST: see :func:`copy_file`. ``-r`` implies
    ``-d`` (symlinks copied as links); ``-a`` = ``-pdR``. Messages: ``cp: can't stat 'x':
    No such file or directory``, ``cp: omitting directory 'd'``."""
    try:
        opts, args = getopt(argv, "arRdpfilsLPHTuv", long={"archive": "a", "recursive": "R",
                                                          "force": "f", "dereference": "L",
                                                          "no-dereference": "P"})
    except Usage as u:
        return usage(proc, u)
    if len(args) == 1 and proc.gnu:
        return usage(proc, Usage(f"missing destination file operand after '{args[0]}'"))
    if len(args) < 2:
        return usage(proc, Usage())
    a = bool(opts.get("a"))
    recur = a or bool(opts.get("r") or opts.get("R"))
    nodere = a or recur or bool(opts.get("d") or opts.get("P"))
    deref = not nodere or bool(opts.get("L"))
    ctx = _CopyCtx(proc, recur=recur, preserve=a or bool(opts.get("p")), deref=deref,
                   force=bool(opts.get("f")), deref_l0=bool(opts.get("H")),
                   update=bool(opts.get("u")),
                   link="s" if opts.get("s") else ("l" if opts.get("l") else ""))
    last = args[-1]
    sources = args[:-1]
    status = 0
    if len(args) == 2:
        s_node = _stat(proc, sources[0]) if deref else _lstat(proc, sources[0])
        d_node = _stat(proc, last)
        s_dir = s_node is not None and s_node.kind == DIR
        d_dir = d_node is not None and d_node.kind == DIR
        if opts.get("T") and not s_dir and d_dir:
            proc.error(f"'{last}' is a directory")
            return 1
        if not (s_dir or d_dir) or (recur and s_dir and d_node is None) or opts.get("T"):
            return 0 if copy_file(ctx, sources[0], last) and not ctx.failed else 1
    elif proc.gnu:
        d_node = _stat(proc, last)
        if d_node is None or d_node.kind != DIR:
            proc.error(f"target '{last}': "
                       f"{strerror(errno.ENOENT if d_node is None else errno.ENOTDIR)}")
            return 1
    for s in sources:
        dest = _concat(last, _last_component_strip(s))
        if not copy_file(ctx, s, dest):
            status = 1
    return 1 if ctx.failed else status


def _remove_tree_quiet(proc: Proc, path: str) -> bool:
    return _remove_file(proc, path, recursive=True, force=True)


def _same_inode(proc: Proc, a: str, b: str) -> bool:
    na, nb = _lstat(proc, a), _lstat(proc, b)
    if na is None or nb is None:
        return False
    return na is nb and (na.ino != 0 or proc.fs.realpath(proc.path(a)) == proc.fs.realpath(proc.path(b)))


@register("mv")
def mv(proc: Proc, argv: list[str]) -> int:
    """busybox mv [-fin] SOURCE... DEST: ``rename()``; when overlayfs refuses to rename a
    directory that exists in a lower layer (EXDEV), mv copies the tree (preserving mode,
    owner, times, symlinks and hard links) and then removes the source, exactly like
    busybox and coreutils. ``mv: can't rename 'x': No such file or directory``."""
    try:
        opts, args = getopt(argv, "finvT")
    except Usage as u:
        return usage(proc, u)
    if len(args) == 1 and proc.gnu:
        return usage(proc, Usage(f"missing destination file operand after '{args[0]}'"))
    if len(args) < 2:
        return usage(proc, Usage())
    fs = proc.fs
    last = args[-1]
    sources = args[:-1]
    status = 0

    def dest_state(p: str) -> int:
        node = _stat(proc, p)
        if node is None:
            return 0
        return 3 if node.kind == DIR else 1

    pairs = []
    if len(args) == 2 and not dest_state(last) & 2:
        pairs.append((sources[0], last))
    elif proc.gnu and not dest_state(last) & 2:
        state = dest_state(last)
        proc.error(f"target '{last}': {strerror(errno.ENOENT if not state else errno.ENOTDIR)}")
        return 1
    else:
        for s in sources:
            pairs.append((s, _concat(last, _last_component_strip(s))))
    for src, dest in pairs:
        d_exists = dest_state(dest)
        if d_exists and opts.get("n"):
            continue
        if proc.gnu:  # coreutils checks before it renames
            s_node = _lstat(proc, src)
            if s_node is None:
                proc.error(f"cannot stat '{src}': {strerror(errno.ENOENT)}")
                status = 1
                continue
            if proc.path(src) == proc.path(dest) or (
                    d_exists and _same_inode(proc, src, dest)):
                proc.error(f"'{src}' and '{dest}' are the same file")
                status = 1
                continue
        try:
            fs.rename(proc.path(src), proc.path(dest))
            continue
        except OSError as e:
            err = e
        s_node = _lstat(proc, src)
        if err.errno != errno.EXDEV or s_node is None:
            if proc.gnu and err.errno == errno.EINVAL:
                proc.error(f"cannot move '{src}' to a subdirectory of itself, '{dest}'")
            elif proc.gnu:
                proc.error(f"cannot move '{src}' to '{dest}': {strerror(err)}")
            else:
                proc.error(f"can't rename '{src}': {strerror(err)}")
            status = 1
            continue
        s_exists = 3 if s_node.kind == DIR else 1
        if d_exists:
            if d_exists == 3 and s_exists != 3:
                proc.error("can't overwrite directory with non-directory")
                status = 1
                continue
            if d_exists != 3 and s_exists == 3:
                proc.error("can't overwrite non-directory with directory")
                status = 1
                continue
            try:
                fs.unlink(proc.path(dest))
            except OSError as e:
                proc.error(f"can't remove '{dest}': {strerror(e)}")
                status = 1
                continue
        ctx = _CopyCtx(proc, recur=True, preserve=True, deref=False, force=False)
        if not (copy_file(ctx, src, dest) and _remove_tree_quiet(proc, src)):
            status = 1
    return status


@register("ln")
def ln(proc: Proc, argv: list[str]) -> int:
    """busybox ln [-sfnT] TARGET... LINK|DIR: a LINK that is a directory (following a
    symlink unless ``-n``) receives ``DIR/basename(TARGET)``; ``-f`` unlinks first. A hard
    link copies its source up. ``ln: b: File exists``, ``ln: a: No such file or
    directory`` (missing hard-link source)."""
    try:
        opts, args = getopt(argv, "sfnbS:vTL")
    except Usage as u:
        return usage(proc, u)
    if not args:
        return usage(proc, Usage())
    fs = proc.fs
    if len(args) == 1:
        args = [args[0], _last_component_strip(args[0])]
    last = args[-1]
    targets = args[:-1]
    nofollow = bool(opts.get("n"))
    status = 0
    for t in targets:
        link = last
        if not opts.get("T") and _is_dir(proc, last, follow=not nofollow):
            link = _concat(last, _last_component_strip(t))
        if not opts.get("s"):
            node = _lstat(proc, t) if proc.gnu else _stat(proc, t)
            if node is None:
                try:
                    fs.stat(proc.path(t))
                except OSError as e:
                    proc.error(f"failed to access '{t}': {strerror(e)}" if proc.gnu else
                               f"{t}: {strerror(e)}")
                status = 1
                continue
            if proc.gnu and node.kind == DIR:
                proc.error(f"{t}: hard link not allowed for directory")
                status = 1
                continue
        if opts.get("f"):
            try:
                fs.unlink(proc.path(link))
            except OSError:
                pass
        try:
            if opts.get("s"):
                fs.symlink(t, proc.path(link))
            else:
                fs.link(proc.path(t), proc.path(link))
        except OSError as e:
            if proc.gnu and opts.get("s"):
                proc.error(f"failed to create symbolic link '{link}': {strerror(e)}")
            elif proc.gnu:
                proc.error(f"failed to create hard link '{link}' => '{t}': {strerror(e)}")
            else:
                proc.error(f"{link}: {strerror(e)}")
            status = 1
    return status


# ============================================================================ dd
def _dd_number(proc: Proc, text: str) -> int | None:
    v = util.parse_size(text, DD_SUFFIXES)
    if v is None:
        proc.error(f"invalid number '{text}'")
    return v


@register("dd")
def dd(proc: Proc, argv: list[str]) -> int:
    """busybox dd if= of= bs= ibs= obs= count= skip= seek= conv=notrunc,sync,noerror,fsync
    status=none|noxfer: prints ``N+M records in`` / ``N+M records out`` (and, when
    :data:`DD_THIRD_STATUS_LINE`, ``B bytes (H) copied, S seconds, R/s`` with a modelled
    2 GB/s). ``of=`` is opened ``O_CREAT`` plus ``O_TRUNC`` unless ``seek=`` or
    ``conv=notrunc`` (then a lower file is copied up). ``/dev/zero`` writes a sparse run,
    ``/dev/urandom`` a synthetic one: a 1 GB dd costs no memory."""
    params: dict[str, str] = {}
    for a in argv[1:]:
        if a == "--":
            continue
        key, eq, val = a.partition("=")
        if not eq or key not in ("if", "of", "bs", "ibs", "obs", "count", "skip", "seek",
                                 "conv", "status", "iflag", "oflag"):
            return usage(proc, Usage())
        params[key] = val
    ibs = obs = 512
    for key in ("ibs", "obs", "bs"):
        if key in params:
            v = _dd_number(proc, params[key])
            if v is None:
                return 1
            if not 1 <= v <= (1 << 63) - 1:
                proc.error(f"number {v} is not in 1..9223372036854775807 range")
                return 1
            if key == "bs":
                ibs = obs = v
            elif key == "ibs":
                ibs = v
            else:
                obs = v
    count = skip = seek = None
    for key in ("count", "skip", "seek"):
        if key in params:
            v = _dd_number(proc, params[key])
            if v is None:
                return 1
            if key == "count":
                count = v
            elif key == "skip":
                skip = v
            else:
                seek = v
    conv = set(params.get("conv", "").split(",")) - {""}
    for c in conv:
        if c not in ("notrunc", "sync", "noerror", "fsync", "swab"):
            proc.error(f"invalid argument '{c}' to 'conv'")
            return 1
    status_opt = params.get("status", "")
    if status_opt and status_opt not in ("none", "noxfer"):
        proc.error(f"invalid argument '{status_opt}' to 'status'")
        return 1
    fs = proc.fs
    # --------------------------------------------------------------- input
    infile = params.get("if")
    src_kind = "stdin"
    src_content = None
    if infile is not None:
        ipath = proc.path(infile)
        dev = device_input(ipath, proc.fds)
        if isinstance(dev, ZeroInput):
            src_kind = "zero"
        elif isinstance(dev, RandomInput):
            src_kind = "random"
        elif dev is not None:
            src_kind = "stream"
            stream = dev
        else:
            try:
                node = fs.stat(ipath)
            except OSError as e:
                proc.error(f"can't open '{infile}': {strerror(e)}")
                return 1
            src_kind = "dir" if node.kind == DIR else "file"
            src_content = node.content
    else:
        stream = proc.fds[0]
        if getattr(stream, "infinite", False):
            src_kind = "zero" if isinstance(stream, ZeroInput) else "random"
    # --------------------------------------------------------------- output (opened first)
    outfile = params.get("of")
    o_real = None
    notrunc = "notrunc" in conv
    out_dev = None
    if outfile is not None:
        opath = proc.path(outfile)
        out_dev = device_sink(opath, proc.fds)
        if out_dev is None:
            try:
                o_real = fs.open(opath, truncate=not seek and not notrunc)
                if seek and not notrunc:
                    fs.truncate(o_real, seek * obs)
            except OSError as e:
                proc.error(f"can't open '{outfile}': {strerror(e)}")
                return 1
    if src_kind == "dir":  # open() worked, the first read() fails: dd dies, no summary
        proc.error(f"{infile}: {strerror(errno.EISDIR)}")
        return 1
    # --------------------------------------------------------------- how much
    skip_bytes = (skip or 0) * ibs
    if src_kind in ("zero", "random"):
        if count is None:
            raise Blocked()
        total = count * ibs
        full_in, part_in = count, 0
    else:
        if src_kind == "file":
            avail = max(0, src_content.size - skip_bytes)
        else:
            if skip_bytes:
                stream.read(skip_bytes)
            data = stream.read()
            avail = len(data)
        total = avail if count is None else min(avail, count * ibs)
        full_in, rem = divmod(total, ibs)
        part_in = 1 if rem else 0
    if "sync" in conv and part_in:
        total = (full_in + 1) * ibs
    if ibs == obs:
        full_out, part_out = full_in, part_in
        if "sync" in conv and part_in:
            full_out, part_out = full_in + 1, 0
    else:
        full_out, r = divmod(total, obs)
        part_out = 1 if r else 0
    # --------------------------------------------------------------- write

    def payload(upto: int | None = None) -> bytes:
        n = total if upto is None else min(upto, total)
        if src_kind == "zero":
            return bytes(n)
        if src_kind == "random":
            return RandomInput().read(n)
        if src_kind == "file":
            out = src_content.read(skip_bytes, n)
        else:
            out = data[:n]
        return out + bytes(n - len(out))

    offset = (seek or 0) * obs
    if o_real is not None:
        cur = fs.stat(o_real)
        fresh = offset == 0 and cur.size == 0
        limit = _size_limit(fs, o_real)
        try:
            if limit is not None and total:
                # a size-limited tmpfs: zeros take pages too; past the limit the write fails
                # (so no more than the limit and a page is ever built)
                fs.pwrite(o_real, offset, payload(limit + 4096))
            elif src_kind == "zero" and fresh and total:
                # written NULs: they read like a hole but take disk blocks (du counts them)
                fs.set_content(o_real, Content.synthetic(ZEROS, total))
            elif src_kind == "zero" and offset >= cur.size:
                fs.truncate(o_real, max(cur.size, offset + total))
            elif src_kind == "random" and fresh and total > (1 << 20):
                fs.set_content(o_real, Content.synthetic(f"urandom:{o_real}:{total}", total))
            elif src_kind == "file" and fresh and skip_bytes == 0 and total == src_content.size:
                fs.set_content(o_real, src_content)
            elif src_kind == "file" and fresh and skip_bytes == 0 and total > (1 << 20):
                fs.set_content(o_real, src_content.truncate(total))
            elif total:
                fs.pwrite(o_real, offset, payload())
        except OSError as e:
            # busybox: "dd: error writing 'f': No space left on device", then the records
            # that got through (the failed block was read, not written), exit 1
            proc.error(f"error writing '{outfile}': {strerror(e)}")
            written = max(0, fs.stat(o_real).size - offset) if e.errno == errno.ENOSPC else 0
            w_full, w_part = divmod(min(written, total), obs)
            r_full = min(full_in + part_in, w_full + (1 if w_part else 0) + 1)
            if status_opt != "none":
                proc.err(f"{r_full}+0 records in\n{w_full}+{1 if w_part else 0} records out\n")
            return 1
    elif out_dev is not None:
        if total:
            out_dev.write(payload() if total <= (64 << 20) else b"")
    else:
        proc.out(payload())
    if status_opt != "none":
        proc.err(f"{full_in}+{part_in} records in\n{full_out}+{part_out} records out\n")
        if DD_THIRD_STATUS_LINE and status_opt != "noxfer":
            seconds = 0.000010 + total / 2e9
            proc.err(f"{total} bytes ({human(total)}B) copied, {seconds:f} seconds, "
                     f"{human(int(total / seconds))}B/s\n")
    return 0


# ============================================================================ ls
def mode_string(node) -> str:
    """``-rw-r--r--`` / ``drwxr-xr-x`` / ``lrwxrwxrwx`` with s/S/t/T."""
    kind = {FILE: "-", DIR: "d", SYMLINK: "l", CHAR: "c"}.get(node.kind, "?")
    m = node.mode
    chars = []
    for shift, special, sch in ((6, 0o4000, "s"), (3, 0o2000, "s"), (0, 0o1000, "t")):
        r = "r" if m & (4 << shift) else "-"
        w = "w" if m & (2 << shift) else "-"
        x = m & (1 << shift)
        if m & special:
            xc = sch if x else sch.upper()
        else:
            xc = "x" if x else "-"
        chars.append(r + w + xc)
    return kind + "".join(chars)


def blocks_kib(node) -> int:
    """Allocated KiB as ext4 would report (4 KiB blocks; fast symlinks take none)."""
    if node.kind == DIR:
        return 4
    if node.kind == FILE:
        return -(-node.size // 4096) * 4
    if node.kind == SYMLINK:
        return 0 if node.size < 60 else 4
    return 0


def nlink(fs, real: str, node) -> int:
    if node.kind == DIR:
        try:
            return 2 + sum(1 for n in fs.listdir(real) if fs.lookup(join(real, n)) is not None
                           and fs.lookup(join(real, n)).kind == DIR)
        except OSError:
            return 2
    if node.kind == FILE and node.ino:
        route = getattr(fs, "_route", None)      # a container's mount namespace: ask the
        if route is not None:                    # filesystem the path lives on (a volume...)
            _m, sub, inner = route(real)
            return nlink(sub, inner, node)
        if not hasattr(fs, "levels"):            # a host folder (bind mount): the real count
            try:
                import os as _os
                return _os.lstat(fs._p(real)).st_nlink
            except (OSError, AttributeError):
                return 1
        up = getattr(fs, "upper", None)
        if up is not None and up.entries.get(real) is node:
            return max(1, len(up.ino_paths.get(node.ino, ())))
        count = 0
        for lvl in fs.levels:
            for p, n in lvl.entries.items():
                if n.ino == node.ino and n.content is node.content and fs.lookup(p) is n:
                    count += 1
            if count:
                break
        return max(count, 1)
    return 1


def _fake_ino(real: str, node) -> int:
    """Inode numbers are not modelled: a stable number per path (per inode for hard links)."""
    key = f"ino:{node.ino}:{id(node.content)}" if node.ino else real
    return 1000000 + int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 9000000


def gnu_human(n: int) -> str:
    """GNU ``-h`` sizes: powers of 1024, rounded up, one decimal below 10 (``9.8K``)."""
    if n < 1024:
        return str(n)
    value = float(n)
    for unit in "KMGTPE":
        value /= 1024
        if value < 1024 or unit == "E":
            if value < 10:
                tenths = _ceil(value * 10)
                if tenths >= 100:
                    return f"{_ceil(value)}{unit}"
                return f"{tenths // 10}.{tenths % 10}{unit}"
            whole = _ceil(value)
            if whole >= 1024 and unit != "E":
                continue
            return f"{whole}{unit}"
    return str(n)


def _ceil(x: float) -> int:
    i = int(x)
    return i if i == x else i + 1


def ls_time(mtime_ns: int, now_ns: int) -> str:
    """busybox ls -l date: ``Nov 28 20:33`` within six months, else ``Jan  1  2024``."""
    secs = mtime_ns // 1_000_000_000
    t = time.gmtime(secs)
    age = now_ns // 1_000_000_000 - secs
    if -15 * 60 < age < 3600 * 24 * 365 // 2:
        return time.strftime("%b ", t) + f"{t.tm_mday:2d}" + time.strftime(" %H:%M", t)
    return time.strftime("%b ", t) + f"{t.tm_mday:2d}" + f" {t.tm_year:5d}"


@register("ls")
def ls(proc: Proc, argv: list[str]) -> int:
    """busybox ls [-1aAdlnRFphSrt] [FILE]...: one name per line (stdout is not a tty);
    ``-l``: ``-rw-r--r--    1 root     root            10 Jan  1  2024 f`` preceded by
    ``total N`` (KiB) for directories; ``ls: x: No such file or directory`` (exit 2 when
    an operand is missing, as busybox 1.36; 1 in older builds)."""
    try:
        opts, args = getopt(argv, "1aAdlnRFphSrtLHicuxCesg", long={"full-time": "T"})
    except Usage as u:
        usage(proc, u)
        return 2
    fs = proc.fs
    names = Names(fs)
    long_fmt = bool(opts.get("l") or opts.get("n") or opts.get("g"))
    now = proc.now_ns()
    status = 0

    def classify(node, name: str) -> str:
        if opts.get("F"):
            if node.kind == DIR:
                return name + "/"
            if node.kind == SYMLINK:
                return name + "@"
            if node.kind == FILE and node.mode & 0o111:
                return name + "*"
        elif opts.get("p") and node.kind == DIR:
            return name + "/"
        return name

    def prefix(real: str, node) -> str:
        out = ""
        if opts.get("i"):
            out += "%7d " % _fake_ino(real, node)
        if opts.get("s"):
            out += "%6d " % blocks_kib(node)
        return out

    def render(entries: list) -> str:
        """The lines for a group of entries; GNU ls sizes its -l columns to the group."""
        if not (proc.gnu and long_fmt):
            return "".join(line(n, p, nd) + "\n" for n, p, nd in entries)
        rows = []
        for n, p, nd in entries:
            user = str(nd.uid) if opts.get("n") else names.user(nd.uid)
            group = str(nd.gid) if opts.get("n") else names.group(nd.gid)
            size = gnu_human(nd.size) if opts.get("h") else str(nd.size)
            if opts.get("T"):
                t = time.gmtime(nd.mtime // 1_000_000_000)
                when = time.strftime("%Y-%m-%d %H:%M:%S", t) + \
                    f".{nd.mtime % 1_000_000_000:09d} +0000"
            else:
                when = ls_time(nd.mtime, now)
            name = classify(nd, n) + (f" -> {nd.target}" if nd.kind == SYMLINK else "")
            rows.append((mode_string(nd), str(nlink(fs, p, nd)), user, group, size, when, name))
        w = [max(len(r[i]) for r in rows) for i in range(5)] if rows else [0] * 5
        out = []
        for r in rows:
            owner = "" if opts.get("g") else f"{r[2]:<{w[2]}} "
            out.append(f"{r[0]} {r[1]:>{w[1]}} {owner}{r[3]:<{w[3]}} {r[4]:>{w[4]}} {r[5]} {r[6]}\n")
        return "".join(out)

    def line(name: str, real: str, node) -> str:
        if not long_fmt:
            return prefix(real, node) + classify(node, name)
        user = str(node.uid) if opts.get("n") else names.user(node.uid)
        group = str(node.gid) if opts.get("n") else names.group(node.gid)
        size = f"{human(node.size):>7}" if opts.get("h") else f"{node.size:>9}"
        if opts.get("T"):
            t = time.gmtime(node.mtime // 1_000_000_000)
            when = time.strftime("%Y-%m-%d %H:%M:%S", t) + " +0000"
        else:
            when = ls_time(node.mtime, now)
        owner = f"{user:<8.8} " if not opts.get("g") else ""
        text = (f"{prefix(real, node)}{mode_string(node)} {nlink(fs, real, node):4d} "
                f"{owner}{group:<8.8} {size} {when} {classify(node, name)}")
        if node.kind == SYMLINK:
            text += f" -> {node.target}"
        return text

    def sort_entries(entries: list) -> list:
        if opts.get("S"):
            entries.sort(key=lambda e: (-e[2].size, e[0]))
        elif opts.get("t"):
            entries.sort(key=lambda e: (-e[2].mtime, e[0]))
        else:
            entries.sort(key=lambda e: e[0].encode("utf-8", "surrogateescape"))
        if opts.get("r"):
            entries.reverse()
        return entries

    def list_dir(shown: str, real: str, header: bool, first: bool) -> None:
        try:
            kids = fs.listdir(real)
        except OSError as e:
            proc.error(f"{shown}: {strerror(e)}")
            return
        entries = []
        if opts.get("a") and not opts.get("A"):
            entries.append((".", real, fs.stat(real)))
            par = parent(real)
            entries.append(("..", par, fs.stat(par)))
        for k in kids:
            if k.startswith(".") and not (opts.get("a") or opts.get("A")):
                continue
            p = join(real, k)
            try:
                entries.append((k, p, fs.lstat(p)))
            except OSError:
                continue
        dots = [e for e in entries if e[0] in (".", "..")]
        rest = sort_entries([e for e in entries if e[0] not in (".", "..")])
        entries = dots + rest
        if header:
            proc.out(("" if first else "\n") + f"{shown}:\n")
        if long_fmt or opts.get("s"):
            total = sum(blocks_kib(e[2]) for e in entries)
            if proc.gnu and opts.get("h"):
                proc.out(f"total {gnu_human(total * 1024)}\n")
            else:
                proc.out(f"total {total}\n")
        proc.out(render(entries))
        if opts.get("R"):
            for n, p, nd in entries:
                if nd.kind == DIR and n not in (".", ".."):
                    list_dir(_concat(shown, n), p, True, False)

    operands = args or ["."]
    files, dirs = [], []
    for a in operands:
        real = proc.path(a)
        try:
            node = fs.lstat(real)
        except OSError as e:
            if proc.gnu:
                proc.error(f"cannot access '{a}': {strerror(e)}")
                status = 2
            else:
                proc.error(f"{a}: {strerror(e)}")
                status = 2 if _BUSYBOX_136 else 1
            continue
        follow = opts.get("L") or opts.get("H") or (not long_fmt and not opts.get("d")
                                                    and not opts.get("F"))
        if node.kind == SYMLINK and (follow or (not opts.get("d") and not long_fmt)):
            try:
                target = fs.stat(real)
                if target.kind == DIR and not opts.get("d"):
                    node = target
                    real = fs.realpath(real)
            except OSError:
                pass
        if node.kind == DIR and not opts.get("d"):
            dirs.append((a, real, node))
        else:
            files.append((a, real, node))
    files = sort_entries(files)
    dirs = sort_entries(dirs)
    proc.out(render(files))
    header = len(operands) > 1 or bool(opts.get("R"))
    for i, (a, real, _node) in enumerate(dirs):
        list_dir(a, real, header, first=(i == 0 and not files))
    return status


_BUSYBOX_136 = False  # busybox 1.35 exits 1 when an operand is missing


# ============================================================================ stat/find/du
def _stat_format(proc: Proc, fmt: str, name: str, real: str, node, names: Names) -> str:
    out = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c == "\\" and i + 1 < len(fmt):
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(fmt[i + 1], fmt[i + 1]))
            i += 2
            continue
        if c != "%" or i + 1 >= len(fmt):
            out.append(c)
            i += 1
            continue
        d = fmt[i + 1]
        i += 2
        mt = node.mtime // 1_000_000_000
        val = {
            "s": str(node.size), "a": f"{node.mode & 0o7777:o}", "A": mode_string(node),
            "u": str(node.uid), "g": str(node.gid), "U": names.user(node.uid),
            "G": names.group(node.gid), "n": name, "h": str(nlink(proc.fs, real, node)),
            "F": {FILE: "regular file" if node.size else "regular empty file", DIR: "directory",
                  SYMLINK: "symbolic link", CHAR: "character special file"}.get(node.kind, "?"),
            "Y": str(mt), "X": str(mt), "Z": str(mt), "b": str(blocks_kib(node) * 2),
            "B": "512", "f": f"{node.st_mode:x}", "i": str(node.ino or 0), "o": "4096",
            "y": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(mt)) +
            f".{node.mtime % 1_000_000_000:09d} +0000",
            "N": f"'{name}' -> '{node.target}'" if node.kind == SYMLINK else name,
            "%": "%",
        }.get(d)
        out.append(val if val is not None else "?")
    return "".join(out)


@register("stat")
def stat(proc: Proc, argv: list[str]) -> int:
    """busybox stat [-L] [-c FMT] FILE...: ``%s %a %A %u %g %U %G %n %N %F %h %Y %y %b``;
    without ``-c`` a GNU-style block. ``stat: can't stat 'x': No such file or directory``."""
    try:
        opts, files = getopt(argv, "Lc:ft")
    except Usage as u:
        return usage(proc, u)
    if not files:
        return usage(proc, Usage())
    names = Names(proc.fs)
    status = 0
    for f in files:
        real = proc.path(f)
        try:
            node = proc.fs.stat(real) if opts.get("L") else proc.fs.lstat(real)
        except OSError as e:
            proc.error(f"can't stat '{f}': {strerror(e)}")
            status = 1
            continue
        if "c" in opts:
            proc.out(_stat_format(proc, str(opts["c"]), f, real, node, names) + "\n")
            continue
        fmt = ("  File: %N\n  Size: %-10s\tBlocks: %-10b IO Block: 4096   %F\n"
               "Device: 803h/2051d\tInode: %-10i  Links: %h\n"
               "Access: (%04a/%A)  Uid: (%5u/%8U)   Gid: (%5g/%8G)\n"
               "Access: %y\nModify: %y\nChange: %y\n")
        fmt = fmt.replace("%-10s", "%s").replace("%-10b", "%b").replace("%-10i", "%i") \
            .replace("%04a", "%a").replace("%5u", "%u").replace("%8U", "%U") \
            .replace("%5g", "%g").replace("%8G", "%G")
        proc.out(_stat_format(proc, fmt, f, real, node, names))
    return status


def _find_parse(tokens: list[str]):
    """find's expression: ``-name -iname -path -type -maxdepth -mindepth -newer -size
    -perm -user -group -empty -print -print0 -delete -exec ... ;|+ ! -not -a -o ( )``."""
    pos = [0]

    def peek():
        return tokens[pos[0]] if pos[0] < len(tokens) else None

    def take():
        t = tokens[pos[0]]
        pos[0] += 1
        return t

    def primary():
        t = take()
        if t in ("!", "-not"):
            return ("not", primary())
        if t == "(":
            e = orexpr()
            if peek() != ")":
                raise ValueError("missing )")
            take()
            return e
        if t in ("-name", "-iname", "-path", "-wholename", "-type", "-newer", "-size", "-perm",
                 "-user", "-group", "-mtime", "-maxdepth", "-mindepth", "-regex"):
            if peek() is None:
                raise ValueError(f"{t}: requires an argument")
            return (t, take())
        if t in ("-print", "-print0", "-delete", "-empty", "-true", "-false", "-prune",
                 "-depth", "-xdev", "-follow", "-quit"):
            return (t, None)
        if t in ("-exec", "-execdir", "-ok"):
            cmd = []
            while peek() is not None and peek() not in (";", "+"):
                cmd.append(take())
            if peek() is None:
                raise ValueError(f"{t} CMD must end by ';' or '+'")
            end = take()
            return (t, (cmd, end))
        raise ValueError(f"unrecognized: {t}")

    def andexpr():
        e = primary()
        while peek() is not None and peek() not in ("-o", "-or", ")"):
            if peek() in ("-a", "-and"):
                take()
            e = ("and", e, primary())
        return e

    def orexpr():
        e = andexpr()
        while peek() in ("-o", "-or"):
            take()
            e = ("or", e, andexpr())
        return e

    if not tokens:
        return None
    e = orexpr()
    if pos[0] < len(tokens):
        raise ValueError(f"unrecognized: {tokens[pos[0]]}")
    return e


def _has_action(e) -> bool:
    if e is None:
        return False
    if e[0] in ("and", "or"):
        return _has_action(e[1]) or _has_action(e[2])
    if e[0] == "not":
        return _has_action(e[1])
    return e[0] in ("-print", "-print0", "-delete", "-exec", "-execdir", "-ok", "-quit")


@register("find")
def find(proc: Proc, argv: list[str]) -> int:
    """busybox find [-HL] [PATH]... [EXPR]: pre-order walk (children sorted; a real
    directory's order is the filesystem's), ``-delete`` implies depth-first."""
    args = argv[1:]
    follow = False
    while args and args[0] in ("-H", "-L", "-P"):
        follow = args.pop(0) == "-L"
    paths = []
    while args and not args[0].startswith("-") and args[0] not in ("!", "(", ")"):
        paths.append(args.pop(0))
    try:
        expr = _find_parse(args)
    except ValueError as e:
        proc.error(str(e))
        return 1
    maxdepth = mindepth = None

    def scan(e):
        nonlocal maxdepth, mindepth
        if e is None:
            return
        if e[0] == "-maxdepth":
            maxdepth = int(e[1])
        elif e[0] == "-mindepth":
            mindepth = int(e[1])
        elif e[0] in ("and", "or"):
            scan(e[1])
            scan(e[2])
        elif e[0] == "not":
            scan(e[1])
    scan(expr)
    depth_first = "-delete" in args or "-depth" in args
    follow = follow or "-follow" in args

    class _Quit(Exception):
        pass
    fs = proc.fs
    names = Names(fs)
    status = 0
    pending_plus: dict[int, list] = {}

    def evaluate(e, shown: str, real: str, node, depth: int) -> bool:
        nonlocal status
        if e is None:
            return True
        k = e[0]
        if k == "and":
            return evaluate(e[1], shown, real, node, depth) and evaluate(e[2], shown, real, node, depth)
        if k == "or":
            return evaluate(e[1], shown, real, node, depth) or evaluate(e[2], shown, real, node, depth)
        if k == "not":
            return not evaluate(e[1], shown, real, node, depth)
        arg = e[1]
        from .interp import match
        if k == "-name":
            return match(arg, _base(shown) if shown != "/" else "/")
        if k == "-iname":
            return match(arg.lower(), (_base(shown) or shown).lower())
        if k in ("-path", "-wholename"):
            return match(arg, shown)
        if k == "-regex":
            return re.fullmatch(arg, shown) is not None
        if k == "-type":
            return {"f": FILE, "d": DIR, "l": SYMLINK, "c": CHAR}.get(arg) == node.kind
        if k in ("-maxdepth", "-mindepth", "-depth", "-xdev", "-follow", "-true"):
            return True
        if k == "-false":
            return False
        if k == "-prune":
            return True
        if k == "-empty":
            if node.kind == DIR:
                return not fs.listdir(real)
            return node.kind == FILE and node.size == 0
        if k == "-user":
            return names.user(node.uid) == arg or str(node.uid) == arg
        if k == "-group":
            return names.group(node.gid) == arg or str(node.gid) == arg
        if k == "-perm":
            want = int(arg.lstrip("-/"), 8)
            m = node.mode & 0o7777
            if arg.startswith("-"):
                return m & want == want
            if arg.startswith("/"):
                return bool(m & want)
            return m == want
        if k == "-size":
            mm = re.fullmatch(r"([-+]?)(\d+)([ckMGwb]?)", arg)
            if not mm:
                return False
            unit = {"": 512, "b": 512, "c": 1, "w": 2, "k": 1024, "M": 1 << 20, "G": 1 << 30}[mm.group(3)]
            n = int(mm.group(2))
            size = -(-node.size // unit)
            return size > n if mm.group(1) == "+" else size < n if mm.group(1) == "-" else size == n
        if k == "-newer":
            try:
                return node.mtime > fs.stat(proc.path(arg)).mtime
            except OSError:
                return False
        if k == "-mtime":
            return True
        if k == "-print":
            proc.out(shown + "\n")
            return True
        if k == "-print0":
            proc.out(shown + "\0")
            return True
        if k == "-quit":
            raise _Quit()
        if k == "-delete":
            try:
                if node.kind == DIR:
                    fs.rmdir(real)
                else:
                    fs.unlink(real)
            except OSError as err:
                proc.error(f"can't delete '{shown}': {strerror(err)}")
                status = 1
                return False
            return True
        if k in ("-exec", "-execdir", "-ok"):
            cmd, end = arg
            if end == "+":
                pending_plus.setdefault(id(e), [cmd, []])[1].append(shown)
                return True
            full = [c.replace("{}", shown) for c in cmd]
            return proc.run(full) == 0
        return True

    def visit(shown: str, real: str, depth: int) -> None:
        try:
            node = fs.stat(real) if follow else fs.lstat(real)
        except OSError as err:
            proc.error(f"{shown}: {strerror(err)}")
            nonlocal status
            status = 1
            return
        ok_depth = (mindepth is None or depth >= mindepth)
        if not depth_first and ok_depth:
            hit = evaluate(expr, shown, real, node, depth)
            if hit and not _has_action(expr):
                proc.out(shown + "\n")
        if node.kind == DIR and (maxdepth is None or depth < maxdepth):
            try:
                kids = fs.listdir(real)
            except OSError:
                kids = []
            for k in kids:
                visit(_concat(shown, k), join(real, k), depth + 1)
        if depth_first and ok_depth:
            hit = evaluate(expr, shown, real, node, depth)
            if hit and not _has_action(expr):
                proc.out(shown + "\n")

    try:
        for p in paths or ["."]:
            visit(p, proc.path(p), 0)
    except _Quit:
        pass
    for cmd, items in pending_plus.values():
        full = []
        for c in cmd:
            if c == "{}":
                full.extend(items)
            else:
                full.append(c)
        if proc.run(full):
            status = 1
    return status


@register("du")
def du(proc: Proc, argv: list[str]) -> int:
    """busybox du [-aHLdchkmsx] [FILE]...: KiB of allocated blocks (ext4-like: 4 KiB
    blocks), each inode once; ``-h`` human sizes; ``-s`` totals only."""
    try:
        opts, files = getopt(argv, "aHLd:chkmsxl")
    except Usage as u:
        return usage(proc, u)
    fs = proc.fs
    seen: set = set()
    grand = 0
    status = 0
    maxd = int(opts["d"]) if "d" in opts else (0 if opts.get("s") else None)

    def fmt(kib: int) -> str:
        if opts.get("h"):
            return human(kib * 1024)
        if opts.get("m"):
            return str(-(-kib // 1024))
        return str(kib)

    def walk(shown: str, real: str, depth: int) -> int:
        node = fs.lstat(real)
        key = (id(node.content), node.ino) if node.ino else None
        if key is not None:
            if key in seen:
                return 0
            seen.add(key)
        total = blocks_kib(node)
        if node.kind == DIR:
            for k in fs.listdir(real):
                total += walk(_concat(shown, k), join(real, k), depth + 1)
            if maxd is None or depth <= maxd:
                proc.out(f"{fmt(total)}\t{shown}\n")
        elif opts.get("a") and (maxd is None or depth <= maxd) or depth == 0:
            proc.out(f"{fmt(total)}\t{shown}\n")
        return total

    for f in files or ["."]:
        try:
            grand += walk(f, proc.path(f), 0)
        except OSError as e:
            proc.error(f"{f}: {strerror(e)}")
            status = 1
    if opts.get("c"):
        proc.out(f"{fmt(grand)}\ttotal\n")
    return status


@register("readlink")
def readlink(proc: Proc, argv: list[str]) -> int:
    """busybox readlink [-fenv] FILE: the link target; ``-f`` the canonical path. Not a
    link: nothing printed, exit 1."""
    try:
        opts, files = getopt(argv, "fenvsq")
    except Usage as u:
        return usage(proc, u)
    if not files:
        return usage(proc, Usage())
    status = 0
    for f in files:
        real = proc.path(f)
        try:
            if opts.get("f") or opts.get("e"):
                try:
                    out = proc.fs.realpath(real)
                except OSError:
                    if opts.get("e"):
                        raise
                    out = join(proc.fs.realpath(parent(real)), _base(real))
            else:
                out = proc.fs.readlink(real)
        except OSError:
            status = 1
            continue
        proc.out(out + ("" if opts.get("n") else "\n"))
    return status


@register("realpath")
def realpath(proc: Proc, argv: list[str]) -> int:
    """busybox realpath FILE...: ``realpath: x: No such file or directory``."""
    status = 0
    for f in argv[1:] or ["."]:
        try:
            proc.out(proc.fs.realpath(proc.path(f)) + "\n")
        except OSError as e:
            proc.error(f"{f}: {strerror(e)}")
            status = 1
    return status


@register("mktemp")
def mktemp(proc: Proc, argv: list[str]) -> int:
    """busybox mktemp [-dtu] [-p DIR] [TEMPLATE]: ``/tmp/tmp.XXXXXX`` by default; names
    are derived deterministically (a notebook re-run gets the same name)."""
    try:
        opts, args = getopt(argv, "dtuqp:")
    except Usage as u:
        return usage(proc, u)
    template = args[0] if args else "tmp.XXXXXX"
    base_dir = opts.get("p") or proc.env.get("TMPDIR") or "/tmp"
    if opts.get("t") or not args or "p" in opts:
        if "/" not in template:
            template = _concat(str(base_dir), template)
    n = len(template) - len(template.rstrip("X"))
    if n < 3:
        proc.error(f"invalid template '{template}'")
        return 1
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    for attempt in range(1000):
        h = int(hashlib.sha256(f"{template}:{attempt}".encode()).hexdigest(), 16)
        suffix = ""
        for _ in range(n):
            h, r = divmod(h, len(alphabet))
            suffix += alphabet[r]
        name = template[: len(template) - n] + suffix
        real = proc.path(name)
        if proc.fs.exists(real, follow=False):
            continue
        if not opts.get("u"):
            try:
                if opts.get("d"):
                    proc.fs.mkdir(real, 0o700)
                else:
                    proc.fs.open(real, exclusive=True, mode=0o600)
            except OSError as e:
                proc.error(f"{name}: {strerror(e)}")
                return 1
        proc.out(name + "\n")
        return 0
    return 1
