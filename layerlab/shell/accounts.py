"""User and group creation: busybox ``adduser``/``addgroup`` (alpine, busybox images) and
shadow's ``useradd``/``groupadd`` (Debian, Ubuntu). They rewrite /etc/passwd, /etc/group,
/etc/shadow (and gshadow) the way the real tools do, which is what a ``USER`` lesson's layer
contains: the whole files are new in the layer (and shadow leaves ``passwd-``-style backups).

``useradd`` also resets the user's record in /var/log/lastlog and /var/log/faillog when
those files exist, writing at offset ``uid * 292`` (``uid * 32``): the famous sparse-file
trap where ``useradd -u 123456789`` adds a huge file to the layer; ``-l`` avoids it.
"""
from __future__ import annotations

from ..content import Content
from ..fs.tree import DIR, FILE, join
from .core import Proc, register
from .util import Usage, getopt, lookup_group, lookup_user, read_group, read_passwd, usage

LASTLOG_RECORD = 292   # sizeof(struct lastlog) on x86_64 glibc
FAILLOG_RECORD = 32    # sizeof(struct faillog)


def _read(fs, path: str) -> str | None:
    try:
        return fs.read_text(path)
    except OSError:
        return None


def _append_line(fs, path: str, line: str, backup: bool = False) -> None:
    """Rewrite ``path`` with ``line`` appended (a new file, as the tools write a temp file and
    rename it), keeping mode and owner; ``backup`` first saves the old one as ``path-``."""
    old = _read(fs, path)
    if old is None:
        return
    node = fs.stat(path)
    if backup:
        fs.set_content(path + "-", Content.of(old.encode()), mode=node.mode)
        fs.chmod(path + "-", node.mode)
        fs.chown(path + "-", node.uid, node.gid)
    if old and not old.endswith("\n"):
        old += "\n"
    tmp = path + "+"
    fs.write(tmp, (old + line + "\n").encode())
    fs.chmod(tmp, node.mode)
    fs.chown(tmp, node.uid, node.gid)
    fs.rename(tmp, path)


def _replace_group_line(fs, path: str, name: str, fn) -> bool:
    text = _read(fs, path)
    if text is None:
        return False
    lines = text.splitlines()
    changed = False
    for i, line in enumerate(lines):
        f = line.split(":")
        if f and f[0] == name:
            lines[i] = fn(f)
            changed = True
    if changed:
        node = fs.stat(path)
        tmp = path + "+"
        fs.write(tmp, ("\n".join(lines) + "\n").encode())
        fs.chmod(tmp, node.mode)
        fs.chown(tmp, node.uid, node.gid)
        fs.rename(tmp, path)
    return changed


def _days(proc: Proc) -> int:
    return proc.now_ns() // 1_000_000_000 // 86400


def _free_id(used: set[int], low: int, high: int, descending: bool = False) -> int:
    rng = range(high, low - 1, -1) if descending else range(low, high + 1)
    for i in rng:
        if i not in used:
            return i
    return high + 1


def _used_uids(fs) -> set[int]:
    return {int(f[2]) for f in read_passwd(fs) if len(f) > 2 and f[2].isdigit()}


def _used_gids(fs) -> set[int]:
    return {int(f[2]) for f in read_group(fs) if len(f) > 2 and f[2].isdigit()}


def _login_defs(fs) -> dict[str, str]:
    out = {}
    for line in (_read(fs, "/etc/login.defs") or "").splitlines():
        parts = line.split()
        if len(parts) >= 2 and not parts[0].startswith("#"):
            out[parts[0]] = parts[1]
    return out


def _copy_skel(proc: Proc, skel: str, home: str, uid: int, gid: int) -> None:
    fs = proc.fs
    try:
        names = fs.listdir(skel)
    except OSError:
        return
    for name in names:
        src, dst = join(skel, name), join(home, name)
        node = fs.lstat(src)
        if node.kind == DIR:
            fs.mkdir(dst, node.mode)
            fs.chmod(dst, node.mode)
            _copy_skel(proc, src, dst, uid, gid)
        elif node.kind == FILE:
            fs.set_content(dst, node.content, mode=node.mode)
            fs.chmod(dst, node.mode)
            fs.utime(dst, node.mtime)
        else:
            fs.symlink(node.target, dst)
        fs.chown(dst, uid, gid, follow=False)


def _make_home(proc: Proc, home: str, uid: int, gid: int, mode: int, skel: str | None) -> None:
    fs = proc.fs
    if fs.exists(home):
        return
    fs.makedirs(home.rsplit("/", 1)[0] or "/")
    fs.mkdir(home, mode)
    fs.chmod(home, mode)
    if skel:
        _copy_skel(proc, skel, home, uid, gid)
    fs.chown(home, uid, gid)


def _reset_log(proc: Proc, path: str, uid: int, record: int) -> None:
    """shadow's lastlog_reset/faillog_reset: a zeroed record written at ``uid * record``."""
    fs = proc.fs
    try:
        node = fs.stat(path)
    except OSError:
        return
    if node.kind != FILE:
        return
    if uid * record < node.size:
        fs.pwrite(path, uid * record, bytes(record))
    else:  # writing zeros past the end: a sparse file of (uid + 1) records
        fs.truncate(path, (uid + 1) * record)


# ============================================================================ busybox
@register("addgroup")
def addgroup(proc: Proc, argv: list[str]) -> int:
    """busybox addgroup [-g GID] [-S] GROUP, or addgroup USER GROUP (adds a member).
    GIDs start at 1000 (100 for ``-S``); ``addgroup: group 'x' in use``."""
    try:
        opts, args = getopt(argv, "g:S")
    except Usage as u:
        return usage(proc, u)
    fs = proc.fs
    if len(args) == 2:
        user, group = args
        if lookup_user(fs, user) is None:
            proc.error(f"unknown user '{user}'")
            return 1
        if lookup_group(fs, group) is None:
            proc.error(f"unknown group '{group}'")
            return 1

        def add_member(f):
            members = [m for m in (f[3].split(",") if len(f) > 3 and f[3] else []) if m]
            if user not in members:
                members.append(user)
            return ":".join(f[:3] + [",".join(members)])
        _replace_group_line(fs, "/etc/group", group, add_member)
        return 0
    if len(args) != 1:
        return usage(proc, Usage())
    group = args[0]
    if lookup_group(fs, group) is not None:
        proc.error(f"group '{group}' in use")
        return 1
    used = _used_gids(fs)
    if "g" in opts:
        gid = int(opts["g"])
        if gid in used:
            proc.error(f"gid '{gid}' in use")
            return 1
    else:
        gid = _free_id(used, 100, 999) if opts.get("S") else _free_id(used, 1000, 64999)
    _append_line(fs, "/etc/group", f"{group}:x:{gid}:")
    if _read(fs, "/etc/gshadow") is not None:
        _append_line(fs, "/etc/gshadow", f"{group}:!::")
    return 0


@register("adduser")
def adduser(proc: Proc, argv: list[str]) -> int:
    """busybox adduser [-h DIR] [-g GECOS] [-s SHELL] [-G GRP] [-S] [-D] [-H] [-u UID] [-k SKEL]
    USER [GROUP] (loginutils/adduser.c): ``USER:x:UID:GID:Linux User,,,:/home/USER:<root's
    shell>``; UID from 1000 (100 for ``-S``, whose group is ``nogroup`` and shell
    /bin/false); a group of the same name with GID = UID unless ``-G``; shadow
    ``USER:!:<days>:0:99999:7:::``; the home directory copied from /etc/skel, chowned, then
    mode 02755. ``adduser USER GROUP`` adds an existing user to a group. Without ``-D`` the
    real tool then runs ``passwd`` interactively; this model leaves the password disabled."""
    try:
        opts, args = getopt(argv, "h:g:s:G:SDHu:k:", long={
            "home": "h:", "gecos": "g:", "shell": "s:", "ingroup": "G:", "disabled-password": "D",
            "empty-password": "D", "system": "S", "no-create-home": "H", "uid": "u:", "skel": "k:"})
    except Usage as u:
        return usage(proc, u)
    if not 1 <= len(args) <= 2:
        return usage(proc, Usage())
    fs = proc.fs
    user = args[0]
    if not opts and len(args) == 2:
        return addgroup(proc, ["addgroup", user, args[1]])
    system = bool(opts.get("S"))
    usegroup = opts.get("G") or ("nogroup" if system else None)
    gid = -1
    if usegroup is not None:
        found = lookup_group(fs, str(usegroup))
        if found is None and not str(usegroup).isdigit():
            proc.error(f"unknown group {usegroup}")
            return 1
        gid = found if found is not None else int(str(usegroup))
    if lookup_user(fs, user) is not None:
        proc.error(f"user '{user}' in use")
        return 1
    used = _used_uids(fs)
    if "u" in opts:
        uid = int(opts["u"])
        if uid in used:
            proc.error(f"uid '{uid}' in use")
            return 1
    else:
        uid = _free_id(used, 100, 999) if system else _free_id(used, 1000, 60000)
    if gid == -1:
        gid = uid
        if lookup_group(fs, user) is not None:
            proc.error(f"group '{user}' in use")
            return 1
    root_shell = next((f[6] for f in read_passwd(fs) if len(f) > 6 and f[2] == "0"), "/bin/sh")
    shell = opts.get("s") or ("/bin/false" if system else proc.env.get("SHELL") or root_shell)
    home = opts.get("h") or f"/home/{user}"
    gecos = opts.get("g", "Linux User,,,")
    _append_line(fs, "/etc/passwd", f"{user}:x:{uid}:{gid}:{gecos}:{home}:{shell}")
    if _read(fs, "/etc/shadow") is not None:
        _append_line(fs, "/etc/shadow", f"{user}:!:{_days(proc)}:0:99999:7:::")
    if usegroup is not None:
        addgroup(proc, ["addgroup", user, str(usegroup)])
    else:
        _append_line(fs, "/etc/group", f"{user}:x:{gid}:")
    if not opts.get("H") and not fs.exists(home):
        fs.makedirs(home.rsplit("/", 1)[0] or "/")
        fs.mkdir(home, 0o755)
        fs.chmod(home, 0o755)
        _copy_skel(proc, str(opts.get("k") or "/etc/skel"), home, uid, gid)
        fs.chown(home, uid, gid)
        fs.chmod(home, 0o2755)
    return 0


# ============================================================================ shadow (Debian)
@register("groupadd")
def groupadd(proc: Proc, argv: list[str]) -> int:
    """shadow groupadd [-g GID] [-r] [-f] GROUP: /etc/group and /etc/gshadow rewritten with
    ``group-``/``gshadow-`` backups; ``groupadd: group 'x' already exists`` (9)."""
    try:
        opts, args = getopt(argv, "g:rfo")
    except Usage as u:
        return usage(proc, u)
    if len(args) != 1:
        return usage(proc, Usage())
    fs = proc.fs
    group = args[0]
    if lookup_group(fs, group) is not None:
        if opts.get("f"):
            return 0
        proc.error(f"group '{group}' already exists")
        return 9
    used = _used_gids(fs)
    defs = _login_defs(fs)
    if "g" in opts:
        gid = int(opts["g"])
        if gid in used and not opts.get("o"):
            proc.error(f"GID '{gid}' already exists")
            return 4
    elif opts.get("r"):
        gid = _free_id(used, int(defs.get("SYS_GID_MIN", 100)), int(defs.get("SYS_GID_MAX", 999)),
                       descending=True)
    else:
        gid = _free_id(used, int(defs.get("GID_MIN", 1000)), int(defs.get("GID_MAX", 60000)))
    _append_line(fs, "/etc/group", f"{group}:x:{gid}:", backup=True)
    if _read(fs, "/etc/gshadow") is not None:
        _append_line(fs, "/etc/gshadow", f"{group}:!::", backup=True)
    return 0


@register("useradd")
def useradd(proc: Proc, argv: list[str]) -> int:
    """shadow useradd [-m|-M] [-r] [-u UID] [-g GROUP] [-G GROUPS] [-s SHELL] [-d HOME]
    [-c COMMENT] [-N|-U] [-l] USER: ``USER:x:UID:GID::/home/USER:<SHELL from
    /etc/default/useradd, else /bin/sh>``; a user group of the same name; shadow
    ``USER:!:<days>:0:99999:7:::`` (``USER:!:<days>::::::`` for ``-r``); backups
    ``passwd-``/``group-``/``shadow-``/``gshadow-``; ``-m`` copies /etc/skel. Unless ``-l``,
    the lastlog and faillog records of the UID are reset (sparse growth to (uid+1)*292)."""
    try:
        opts, args = getopt(argv, "mMru:g:G:s:d:c:NUlok:e:f:p:", long={
            "create-home": "m", "no-create-home": "M", "system": "r", "uid": "u:", "gid": "g:",
            "groups": "G:", "shell": "s:", "home-dir": "d:", "comment": "c:", "no-user-group": "N",
            "user-group": "U", "no-log-init": "l", "non-unique": "o"})
    except Usage as u:
        return usage(proc, u)
    if len(args) != 1:
        return usage(proc, Usage())
    fs = proc.fs
    user = args[0]
    if lookup_user(fs, user) is not None:
        proc.error(f"user '{user}' already exists")
        return 9
    defs = _login_defs(fs)
    system = bool(opts.get("r"))
    used = _used_uids(fs)
    if "u" in opts:
        uid = int(opts["u"])
        if uid in used and not opts.get("o"):
            proc.error(f"UID {uid} is not unique")
            return 4
    elif system:
        uid = _free_id(used, int(defs.get("SYS_UID_MIN", 100)), int(defs.get("SYS_UID_MAX", 999)),
                       descending=True)
    else:
        uid = _free_id(used, int(defs.get("UID_MIN", 1000)), int(defs.get("UID_MAX", 60000)))
    if "g" in opts:
        g = str(opts["g"])
        gid = int(g) if g.isdigit() else lookup_group(fs, g)
        if gid is None or (g.isdigit() and int(g) not in _used_gids(fs)):
            proc.error(f"group '{g}' does not exist")
            return 6
    elif opts.get("N"):
        gid = 100
    else:
        if lookup_group(fs, user) is not None:
            proc.error(f"group {user} exists - if you want to add this user to that group, use -g.")
            return 9
        gids = _used_gids(fs)
        if system:
            gid = _free_id(gids, int(defs.get("SYS_GID_MIN", 100)), int(defs.get("SYS_GID_MAX", 999)),
                           descending=True)
        else:
            gid = uid if uid not in gids else _free_id(gids, int(defs.get("GID_MIN", 1000)),
                                                       int(defs.get("GID_MAX", 60000)))
    shell = opts.get("s")
    if shell is None:
        shell = "/bin/sh"
        for line in (_read(fs, "/etc/default/useradd") or "").splitlines():
            if line.startswith("SHELL="):
                shell = line.split("=", 1)[1].strip()
    home = opts.get("d") or f"/home/{user}"
    days = _days(proc)
    _append_line(fs, "/etc/passwd", f"{user}:x:{uid}:{gid}:{opts.get('c', '')}:{home}:{shell}",
                 backup=True)
    if "g" not in opts and not opts.get("N"):
        _append_line(fs, "/etc/group", f"{user}:x:{gid}:", backup=True)
        if _read(fs, "/etc/gshadow") is not None:
            _append_line(fs, "/etc/gshadow", f"{user}:!::", backup=True)
    if _read(fs, "/etc/shadow") is not None:
        entry = f"{user}:!:{days}::::::" if system else f"{user}:!:{days}:0:99999:7:::"
        _append_line(fs, "/etc/shadow", entry, backup=True)
    for g in [x for x in str(opts.get("G", "")).split(",") if x]:
        if not _replace_group_line(fs, "/etc/group", g, lambda f: ":".join(
                f[:3] + [",".join([m for m in (f[3].split(",") if len(f) > 3 else []) if m] + [user])])):
            proc.error(f"group '{g}' does not exist")
            return 6
    if not opts.get("l"):
        _reset_log(proc, "/var/log/lastlog", uid, LASTLOG_RECORD)
        _reset_log(proc, "/var/log/faillog", uid, FAILLOG_RECORD)
    if opts.get("m") and not opts.get("M"):
        mode = int(defs.get("HOME_MODE", "0755"), 8)
        _make_home(proc, home, uid, gid, mode, str(opts.get("k", "/etc/skel")))
    return 0
