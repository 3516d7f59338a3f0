"""busybox ``tar``: create (``c``), extract (``x``) and list (``t``) ustar archives.

What the backup-and-restore recipe of a volume needs, byte for byte as busybox 1.35 writes it
(archival/tar.c, archival/libarchive/get_header_tar.c, data_extract_all.c)::

    docker run --rm -v data:/data -v "$PWD":/backup busybox tar cf /backup/data.tar /data
    docker run --rm -v data2:/data -v "$PWD":/backup busybox tar xf /backup/data.tar

* the first word may omit its dash (``cvf`` = ``-cvf``); ``-f FILE`` (``-`` or none: stdin /
  stdout), ``-C DIR`` (entered *after* the archive is opened), ``-v``, ``-z`` (gzip),
  ``-O`` (extract to stdout), ``-m`` (don't restore mtime), ``-o`` (don't restore owner), ``-k``
  (keep existing files), ``-h`` (follow symlinks), ``--strip-components N``,
  ``--no-recursion``, ``--numeric-owner``, ``--overwrite``;
* member names lose a leading ``/`` (and anything up to a ``../``) with one message,
  ``tar: removing leading '/' from member names``, when creating *and* when reading;
* headers: GNU magic ``ustar  \\0``, octal fields ``%0*o`` with a NUL, checksum ``%06o\\0 ``,
  user and group *names* from the container's ``/etc/passwd`` and ``/etc/group``, directories
  with a trailing ``/``, a second name of a hard-linked file as a link entry, names of 100
  bytes or more behind a GNU ``././@LongLink`` entry; the archive ends with two zero blocks
  (no padding to a 10 KiB record);
* walk order: a directory, then its entries. busybox follows ``readdir`` order, which depends
  on the filesystem; layerlab lists a directory sorted by name (a deterministic choice);
* ``-v`` prints each name (a directory with ``/``) on stdout, or on stderr when the archive
  itself goes to stdout; ``tv`` prints ``-rw-r--r-- root/root  6 2024-01-01 00:00:00 name``;
* errors: ``tar: empty archive``, ``tar: can't open 'F': No such file or directory``,
  ``tar: X: No such file or directory`` then ``tar: error exit delayed from previous errors``
  (exit 1), ``tar: short read``, ``tar: invalid tar magic``, ``tar: X: not found in archive``,
  ``tar: can't change directory to 'D': ...``.

gzip (``-z``): creating runs the ``gzip`` program found in ``$PATH`` (``tar: can't execute 'gzip': No such file
or directory`` where there is none, as in the oracle's bb:1); the output is a valid gzip stream whose bytes differ from busybox's own deflate;
reading accepts any gzip stream.
"""
from __future__ import annotations

import errno
import fnmatch
import gzip
import stat as _st
import zlib
from datetime import datetime, timezone

from ..content import Content
from ..fs.tree import DIR, FILE, SYMLINK, join
from .applets_fs import mode_string
from .core import DEVICES, CommandNotFound, Proc, find_executable, device_input, device_sink, register, resolve_device
from .util import Names, Usage, getopt, lookup_group, lookup_user, strerror, usage

BLOCK = 512
_GNU_MAGIC = b"ustar  \0"
_LONGNAME, _LONGLINK = b"L", b"K"


class _Die(Exception):
    """bb_error_msg_and_die: the message is printed, tar exits 1."""


# ============================================================================ header encoding
def _octal(value: int, length: int) -> bytes:
    """busybox putOctal: ``%0{len}o``, one leading zero dropped so a NUL fits."""
    s = "%0*o" % (length, value)
    s = s[len(s) - length:] if len(s) > length else s
    if s[0] == "0":
        s = s[1:] + "\0"
    return s.encode()[:length]


def _field(data: bytes, length: int) -> bytes:
    return data[:length].ljust(length, b"\0")


def _header(name: bytes, mode: int, uid: int, gid: int, size: int, mtime: int, typeflag: bytes,
            linkname: bytes = b"", uname: str = "", gname: str = "", size_zeros: bool = True) -> bytes:
    h = bytearray(BLOCK)
    h[0:100] = _field(name, 100)
    h[100:108] = _octal(mode, 8)
    h[108:116] = _octal(uid, 8)
    h[116:124] = _octal(gid, 8)
    h[124:136] = _octal(size, 12) if size or not size_zeros else b"0" * 11 + b"\0"
    h[136:148] = _octal(mtime, 12)
    h[156:157] = typeflag
    h[157:257] = _field(linkname, 100)
    h[257:265] = _GNU_MAGIC
    h[265:297] = _field(uname.encode()[:31], 32)
    h[297:329] = _field(gname.encode()[:31], 32)
    h[148:156] = b" " * 8
    chksum = sum(h)
    h[148:155] = _octal(chksum, 7)
    return bytes(h)


def _longname(kind: bytes, name: bytes, is_dir: bool) -> bytes:
    """busybox writeLongname: a ``././@LongLink`` header, then the name (+ ``/``) and a NUL."""
    size = len(name) + 1 + (1 if is_dir else 0)
    h = bytearray(BLOCK)
    h[0:13] = b"././@LongLink"
    h[100:148] = b"0000000\0" * 3 + b"00000000000\0" * 2
    h[124:136] = _octal(size, 12)
    h[156:157] = kind
    h[257:265] = _GNU_MAGIC
    h[148:156] = b" " * 8
    h[148:155] = _octal(sum(h), 7)
    body = name + (b"/\0" if is_dir else b"\0")
    return bytes(h) + body + bytes(-len(body) % BLOCK)


def _pad(n: int) -> bytes:
    return bytes(-n % BLOCK)


# ============================================================================ names
class _Strip:
    """strip_unsafe_prefix with its once-only warning."""

    def __init__(self, proc: Proc):
        self.proc = proc
        self.warned = False

    def __call__(self, name: str) -> str:
        cp = 0
        while True:
            if name.startswith("/", cp):
                cp += 1
                continue
            if name.startswith("../", cp):
                cp += 3
                continue
            i = name.find("/../", cp)
            if i < 0:
                break
            cp = i + 4
        if cp and not self.warned:
            self.warned = True
            self.proc.error(f"removing leading '{name[:cp]}' from member names")
        return name[cp:]


def _concat(d: str, name: str) -> str:
    return d + name if d.endswith("/") else d + "/" + name


# ============================================================================ create
class _Writer:
    def __init__(self, proc: Proc, opts: dict, verbose_sink, archive_real: str | None):
        self.proc = proc
        self.fs = proc.fs
        self.opts = opts
        self.names = Names(proc.fs)
        self.vsink = verbose_sink
        self.archive_real = archive_real
        self.strip = _Strip(proc)
        self.links: dict[tuple, str] = {}
        self.chunks: list[bytes] = []
        self.failed = False

    def add(self, path: str, top: bool = True) -> None:
        fs, proc = self.fs, self.proc
        real = proc.path(path)
        try:
            node = fs.stat(real) if self.opts.get("h") else fs.lstat(real)
        except OSError as e:
            proc.error(f"{path}: {strerror(e)}")
            self.failed = True
            return
        self.entry(path, real, node)
        if node.kind == DIR and not self.opts.get("no-recursion"):
            try:
                names = sorted(fs.listdir(real))
            except OSError as e:
                proc.error(f"{path}: {strerror(e)}")
                self.failed = True
                return
            for n in names:
                self.add(_concat(path, n), top=False)

    def _same_as_archive(self, real: str) -> bool:
        if self.archive_real is None:
            return False
        try:
            return self.fs.realpath(real) == self.archive_real
        except OSError:
            return False

    def entry(self, path: str, real: str, node) -> None:
        proc = self.proc
        header_name = self.strip(path)
        if not header_name:
            return
        if node.kind == FILE and self._same_as_archive(real):
            proc.error(f"{path}: file is the archive; skipping")
            return
        hard = None
        if node.kind == FILE and node.ino:
            key = (node.ino, id(node.content))
            hard = self.links.get(key)
            if hard is None:
                self.links[key] = header_name
        mtime = node.mtime // 1_000_000_000
        uname, gname = self.names.user(node.uid), self.names.group(node.gid)
        name = header_name.encode()
        is_dir = node.kind == DIR
        field = bytearray(_field(name, 100))
        if is_dir and not field[99]:
            field[len(name)] = ord("/")
        long_name = field[99] != 0
        link = b""
        size = 0
        if hard is not None:
            typeflag, link = b"1", hard.encode()
        elif node.kind == SYMLINK:
            typeflag, link = b"2", node.target.encode()
        elif is_dir:
            typeflag = b"5"
        elif node.kind == FILE:
            try:       # open_or_warn; read the data through the fs (a host folder's big files)
                content = self.fs.read_content(real)
            except OSError as e:
                proc.error(f"{path}: {strerror(e)}")
                self.failed = True
                return
            typeflag, size = b"0", content.size
        else:
            proc.error(f"{path}: unknown file type")
            self.failed = True
            return
        out = self.chunks
        if len(link) >= 100 and link[99:100]:
            out.append(_longname(_LONGLINK, link, False))
        if long_name:
            out.append(_longname(_LONGNAME, name, is_dir))
        out.append(_header(bytes(field), node.mode & 0o7777, node.uid, node.gid, size, mtime, typeflag,
                           link, uname, gname))
        if typeflag == b"0":
            for piece in content.chunks():
                out.append(piece)
            out.append(_pad(size))
        if self.opts.get("v"):
            self.vsink.write(f"{header_name}{'/' if is_dir else ''}\n")

    def data(self) -> bytes:
        return b"".join(self.chunks) + bytes(2 * BLOCK)


def _gzip(data: bytes) -> bytes:
    """A gzip member as a pipe gives it: no name, mtime 0, OS 3 (Unix)."""
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = co.compress(data) + co.flush()
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + body
            + zlib.crc32(data).to_bytes(4, "little") + (len(data) & 0xFFFFFFFF).to_bytes(4, "little"))


# ============================================================================ read
class _Member:
    __slots__ = ("name", "mode", "uid", "gid", "size", "mtime", "type", "link", "uname", "gname", "data",
                 "short")


def _num(raw: bytes) -> int:
    if raw and raw[0] & 0x80:          # base-256
        v = raw[0] & 0x3F
        for b in raw[1:]:
            v = (v << 8) | b
        return v
    s = raw.split(b"\0", 1)[0].strip(b" ")
    try:
        return int(s, 8) if s else 0
    except ValueError:
        raise _Die("corrupted octal value in tar header")


def _cstr(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def _members(proc: Proc, data: bytes, strip: _Strip):
    """get_header_tar: yield members; raise _Die for busybox's fatal errors."""
    pos = 0
    end_seen = False
    long_name = long_link = None
    pax: dict[str, str] = {}
    first = True
    while True:
        blk = data[pos:pos + BLOCK]
        if len(blk) == 0:          # EOF instead of the end blocks: fine, unless nothing came at all
            if first:
                raise _Die("short read")
            return
        first = False
        if len(blk) < BLOCK:
            raise _Die("short read")
        pos += BLOCK
        if blk[0] == 0 and blk[345] == 0:
            if end_seen:
                return
            end_seen = True
            continue
        end_seen = False
        magic = blk[257:262]
        if magic != b"ustar" and blk[257:262] != b"\0\0\0\0\0":
            raise _Die("invalid tar magic")
        stored = _num(blk[148:156])
        calc = sum(blk[:148]) + 8 * 32 + sum(blk[156:])
        if stored != calc:
            raise _Die("invalid tar header checksum")
        typeflag = blk[156:157]
        size = _num(blk[124:136])
        body = data[pos:pos + size]
        if typeflag in (b"L", b"K", b"x", b"g"):
            if len(body) < size:
                raise _Die("short read")
            pos += size + (-size % BLOCK)
            if typeflag == b"L":
                long_name = _cstr(body)
            elif typeflag == b"K":
                long_link = _cstr(body)
            elif typeflag == b"x":
                pax.update(_pax(body))
            continue
        m = _Member()
        name = _cstr(blk[0:100])
        if blk[257:263] == b"ustar\0" and blk[345]:
            name = _cstr(blk[345:500]) + "/" + name
        if long_name is not None:
            name = long_name
        if "path" in pax:
            name = pax["path"]
        link = long_link if long_link is not None else _cstr(blk[157:257])
        if "linkpath" in pax:
            link = pax["linkpath"]
        long_name = long_link = None
        pax = {}
        mode = _num(blk[100:108]) & 0o7777
        if typeflag in (b"0", b"\0", b"7"):
            kind = DIR if name.endswith("/") else FILE
        elif typeflag == b"1":
            kind = "hardlink"
        elif typeflag == b"2":
            kind = SYMLINK
        elif typeflag == b"5":
            kind = DIR
        else:
            kind = "other"
        m.name = strip(name)
        m.mode, m.uid, m.gid = mode, _num(blk[108:116]), _num(blk[116:124])
        m.size = size if kind == FILE else 0
        m.mtime = _num(blk[136:148])
        m.type = kind
        m.link = link if kind in ("hardlink", SYMLINK) else None
        m.uname = _cstr(blk[265:297]) if blk[257:262] == b"ustar" else ""
        m.gname = _cstr(blk[297:329]) if blk[257:262] == b"ustar" else ""
        if kind == FILE:
            m.data = body
            m.short = len(body) < size     # listing skips (seeks) the data; extracting fails
            pos += size + (-size % BLOCK)
        else:
            m.data = b""
            m.short = False
            if kind == "hardlink" and size:
                pos += size + (-size % BLOCK)
        yield m


def _pax(body: bytes) -> dict[str, str]:
    out = {}
    pos = 0
    while pos < len(body):
        sp = body.find(b" ", pos)
        if sp < 0:
            break
        try:
            n = int(body[pos:sp])
        except ValueError:
            break
        rec = body[sp + 1:pos + n - 1]
        k, _, v = rec.partition(b"=")
        out[k.decode()] = v.decode("utf-8", "surrogateescape")
        pos += n
    return out


def _matches(pattern: str, name: str) -> bool:
    """fnmatch with FNM_LEADING_DIR: ``dir`` matches ``dir/`` and ``dir/file``."""
    if fnmatch.fnmatchcase(name, pattern):
        return True
    i = name.find("/")
    while i >= 0:
        if fnmatch.fnmatchcase(name[:i], pattern):
            return True
        i = name.find("/", i + 1)
    return False


def _strip_components(m: _Member, n: int) -> bool:
    """data_extract_all's --strip-components: drop ``n`` leading components of the name (and
    of a hard link's target); a member left with nothing (``data/`` itself) is skipped."""
    name = m.name.rstrip("/") if m.type == DIR else m.name
    link = m.link
    for _ in range(n):
        i = name.find("/")
        if i < 0 or i == len(name) - 1:
            return False
        name = name[i + 1:]
        if m.type == "hardlink" and link:
            j = link.find("/")
            if j < 0:
                return False
            link = link[j + 1:]
    m.name, m.link = name, link
    return True


def _list_line(m: _Member) -> str:
    st = {FILE: _st.S_IFREG, DIR: _st.S_IFDIR, SYMLINK: _st.S_IFLNK, "hardlink": _st.S_IFREG}.get(m.type, _st.S_IFREG)
    from types import SimpleNamespace
    kind = {FILE: FILE, DIR: DIR, SYMLINK: SYMLINK, "hardlink": FILE}.get(m.type, FILE)
    ms = mode_string(SimpleNamespace(kind=kind, mode=m.mode, st_mode=st | m.mode))
    t = datetime.fromtimestamp(m.mtime, tz=timezone.utc)
    user = m.uname or str(m.uid)
    group = m.gname or str(m.gid)
    line = (f"{ms} {user}/{group} {m.size:9d} {t.year:4d}-{t.month:02d}-{t.day:02d} "
            f"{t.hour:02d}:{t.minute:02d}:{t.second:02d} {m.name}")
    if m.link is not None:
        line += f" -> {m.link}"
    return line + "\n"


class _Extractor:
    def __init__(self, proc: Proc, opts: dict):
        self.proc = proc
        self.fs = proc.fs
        self.opts = opts
        self.failed = False

    def _makedirs(self, path: str) -> None:
        fs = self.fs
        cur = ""
        for comp in [c for c in path.split("/") if c]:
            cur = join(cur or ("/" if path.startswith("/") else self.proc.cwd), comp)
            node = fs.lookup(cur) if hasattr(fs, "lookup") else None
            if node is None:
                try:
                    fs.mkdir(cur, 0o777)
                except OSError as e:
                    if e.errno != errno.EEXIST:
                        raise _Die(f"can't create directory '{path}': {strerror(e)}")

    def extract(self, m: _Member) -> None:
        proc, fs = self.proc, self.fs
        name = m.name
        if not name:
            return
        dst = name.rstrip("/") or name
        real = proc.path(dst)
        if "/" in dst.strip("/"):
            self._makedirs(dst.rsplit("/", 1)[0])
        if m.type != DIR and not self.opts.get("k"):
            try:
                existing = fs.lstat(real)
            except OSError:
                existing = None
            if existing is not None:
                if existing.kind == DIR:
                    raise _Die(f"can't remove old file {dst}: {strerror(errno.EISDIR)}")
                try:
                    fs.unlink(real)
                except OSError as e:
                    raise _Die(f"can't remove old file {dst}: {strerror(e)}")
        if m.type == "hardlink":
            try:
                fs.link(proc.path(m.link), real)
            except OSError as e:
                proc.error(f"can't create hardlink '{dst}' to '{m.link}': {strerror(e)}")
            return
        if m.type == FILE:
            try:
                if fs.lookup(real) is not None:
                    raise OSError(errno.EEXIST, "File exists")
                fs.set_content(real, Content.of(m.data), mode=m.mode & 0o777)
            except OSError as e:
                raise _Die(f"can't open '{dst}': {strerror(e)}")
        elif m.type == DIR:
            try:
                fs.mkdir(real, m.mode & 0o777)
            except OSError as e:
                if e.errno != errno.EEXIST:
                    proc.error(f"can't make dir {dst}: {strerror(e)}")
        elif m.type == SYMLINK:
            try:
                fs.symlink(m.link, real)
            except OSError as e:
                proc.error(f"can't create symlink '{dst}' to '{m.link}': {strerror(e)}")
            return
        else:
            return
        if not self.opts.get("o") and proc.uid == 0:
            uid, gid = m.uid, m.gid
            if not self.opts.get("numeric-owner"):
                u = lookup_user(fs, m.uname) if m.uname else None
                g = lookup_group(fs, m.gname) if m.gname else None
                uid = u[0] if u else uid
                gid = g if g is not None else gid
            try:
                fs.chown(real, uid, gid)
            except OSError:
                pass
        try:
            fs.chmod(real, m.mode)
        except OSError:
            pass
        if not self.opts.get("m"):
            try:
                fs.utime(real, m.mtime * 1_000_000_000)
            except OSError:
                pass


# ============================================================================ the applet
_LONG = {"strip-components": "strip-components:", "overwrite": "overwrite", "no-recursion": "no-recursion",
         "numeric-owner": "numeric-owner", "no-same-permissions": "no-same-permissions",
         "no-same-owner": "o", "verbose": "v", "file": "f:", "directory": "C:", "create": "c",
         "extract": "x", "list": "t", "gzip": "z", "to-stdout": "O", "touch": "m",
         "keep-old-files": "k", "dereference": "h"}


@register("tar")
def tar(proc: Proc, argv: list[str]) -> int:
    argv = list(argv)
    if len(argv) > 1 and argv[1] and not argv[1].startswith("-"):
        argv[1] = "-" + argv[1]
    try:
        opts, files = getopt(argv, "ctxf:C:vzOmokhpaZJj", _LONG)
        modes = [c for c in "ctx" if opts.get(c)]
        if len(modes) != 1:
            raise Usage()
    except Usage as u:
        return usage(proc, u)
    try:
        if opts.get("c"):
            return _create(proc, opts, files)
        return _read(proc, opts, files)
    except _Die as d:
        proc.error(str(d))
        return 1


def _device(proc: Proc, fname: str) -> str | None:
    """``-f /dev/null`` and friends: the device the name leads to, or None for a file."""
    if fname == "-":
        return None
    dev = resolve_device(proc.fs, proc.path(fname))
    return dev if dev in DEVICES else None


def _chdir(proc: Proc, d: str) -> None:
    target = proc.path(d)
    try:
        node = proc.fs.stat(target)
    except OSError as e:
        raise _Die(f"can't change directory to '{d}': {strerror(e)}")
    if node.kind != DIR:
        raise _Die(f"can't change directory to '{d}': {strerror(errno.ENOTDIR)}")
    proc.cwd = target


def _create(proc: Proc, opts: dict, files: list[str]) -> int:
    files = [f for f in files if f]
    if not files:
        raise _Die("empty archive")
    fname = opts.get("f", "-")
    to_stdout = fname == "-"
    archive_real = None
    sink = None
    dev = None if to_stdout else _device(proc, fname)
    if dev is not None:
        sink = device_sink(dev, proc.fds)
    elif not to_stdout:
        try:
            archive_real = proc.fs.write(proc.path(fname), b"", truncate=True)
        except OSError as e:
            raise _Die(f"can't open '{fname}': {strerror(e)}")
    if opts.get("z"):
        # busybox runs the gzip *program* to compress (reading uses its built-in gunzip)
        try:
            find_executable(proc.fs, "gzip", proc.env.get("PATH", ""), proc.cwd)
        except CommandNotFound:
            raise _Die("can't execute 'gzip': No such file or directory")
    if opts.get("C"):
        _chdir(proc, opts["C"])
    w = _Writer(proc, opts, proc.stderr if to_stdout else proc.stdout, archive_real)
    for f in files:
        w.add(f.rstrip("/") or ("/" if f.startswith("/") else f))
    data = w.data()
    if opts.get("z"):
        data = _gzip(data)
    if to_stdout:
        proc.out(data)
    elif sink is not None:
        sink.write(data)
    else:
        try:
            proc.fs.write(archive_real, data, append=True)
        except OSError as e:
            raise _Die(f"write: {strerror(e)}")
    if w.failed:
        raise _Die("error exit delayed from previous errors")
    return 0


def _read(proc: Proc, opts: dict, files: list[str]) -> int:
    fname = opts.get("f", "-")
    dev = _device(proc, fname)
    if fname == "-":
        data = proc.read_stdin()
    elif dev is not None:
        inp = device_input(dev, proc.fds)
        data = inp.read(0) if inp is not None and inp.infinite else (inp.read() if inp is not None else b"")
    else:
        try:
            data = proc.fs.read_content(proc.path(fname)).bytes()
        except OSError as e:
            raise _Die(f"can't open '{fname}': {strerror(e)}")
    if opts.get("C"):
        _chdir(proc, opts["C"])
    if opts.get("z") or data[:2] == b"\x1f\x8b":
        if data[:2] != b"\x1f\x8b":
            raise _Die("invalid magic")
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            raise _Die("corrupted data")
    strip_n = 0
    if "strip-components" in opts:
        try:
            strip_n = int(opts["strip-components"])
        except ValueError:
            raise _Die(f"invalid number '{opts['strip-components']}'")
    strip = _Strip(proc)
    ex = _Extractor(proc, opts) if opts.get("x") else None
    matched = [False] * len(files)
    for m in _members(proc, data, strip):
        if files:
            hit = [i for i, p in enumerate(files) if _matches(p, m.name)]
            if not hit:
                continue
            for i in hit:
                matched[i] = True
        if opts.get("t"):
            proc.out(_list_line(m) if opts.get("v") else m.name + "\n")
            continue
        if opts.get("v"):
            proc.out(m.name + "\n")
        if opts.get("O"):
            if m.type == FILE:
                proc.out(m.data)
        elif not strip_n or _strip_components(m, strip_n):
            ex.extract(m)          # a truncated member is created with what there is
        if m.short:
            raise _Die("short read")
    for i, f in enumerate(files):
        if not matched[i]:
            raise _Die(f"{f}: not found in archive")
    return 0


def _register_applet() -> None:
    """``busybox tar`` works even where the image has no ``/bin/tar`` link (the oracle's bb:1)."""
    from . import interp
    interp._APPLETS.add("tar")


_register_applet()

__all__ = ["tar"]
