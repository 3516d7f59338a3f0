"""Layers that package installs made in the real images (buildpack-deps, python, node, nginx).

Each function returns the *changeset* one Dockerfile step left behind: the new files of the
packages it installed (Debian's or Alpine's layout, synthetic contents), the database files
it rewrote (a whole-file copy of ``/var/lib/dpkg/status`` or ``/lib/apk/db/installed`` with the
new entries appended, since the layer holds the copied-up file), and the whiteouts of what
it deleted from lower layers. Sizes are made exact with the elastic files of
:class:`~layerlab.catalog._gen.TreeBuilder`.
"""
from __future__ import annotations

from types import MappingProxyType

from ..content import Content
from ..fs.layer import Layer
from ..fs.tree import DIR, FILE, Node
from ._debs import deb_paths, list_text, md5sums_text, status_stanza
from ._gen import TreeBuilder, skew, unit

_STEMS = ("abc aifc argparse ast asynchat asyncore base64 bdb bisect bz2 cProfile calendar cgi cgitb "
          "chunk cmd code codecs codeop colorsys compileall configparser contextlib contextvars copy "
          "copyreg crypt csv dataclasses datetime decimal difflib dis doctest enum filecmp fileinput "
          "fnmatch fractions ftplib functools genericpath getopt getpass gettext glob graphlib gzip "
          "hashlib heapq hmac imaplib imghdr inspect io ipaddress keyword linecache locale lzma mailbox "
          "mailcap mimetypes modulefinder netrc nntplib ntpath nturl2path numbers opcode operator "
          "optparse os pathlib pdb pickle pickletools pipes pkgutil platform plistlib poplib posixpath "
          "pprint profile pstats pty py_compile pyclbr pydoc queue quopri random reprlib rlcompleter "
          "runpy sched secrets selectors shelve shlex shutil signal site smtplib sndhdr socket "
          "socketserver sre_compile sre_constants sre_parse ssl stat statistics string stringprep "
          "struct subprocess sunau symtable sysconfig tabnanny tarfile telnetlib tempfile textwrap "
          "this threading timeit token tokenize trace traceback tracemalloc tty turtle types typing "
          "uu uuid warnings wave weakref webbrowser xdrlib zipapp zipfile zipimport").split()
_PKGDIRS = ("asyncio collections concurrent/futures ctypes ctypes/macholib curses dbm email email/mime "
            "encodings ensurepip html http idlelib importlib importlib/metadata importlib/resources json "
            "lib2to3 lib2to3/fixes lib2to3/pgen2 logging multiprocessing multiprocessing/dummy pydoc_data "
            "re sqlite3 tkinter tomllib unittest urllib venv wsgiref xml xml/dom xml/etree xml/parsers "
            "xml/sax xmlrpc zoneinfo").split()
_EXT = ("_asyncio _bisect _blake2 _bz2 _codecs_cn _codecs_hk _codecs_iso2022 _codecs_jp _codecs_kr "
        "_codecs_tw _contextvars _crypt _csv _ctypes _ctypes_test _curses _curses_panel _datetime _dbm "
        "_decimal _elementtree _gdbm _hashlib _heapq _json _lsprof _lzma _md5 _multibytecodec "
        "_multiprocessing _opcode _pickle _posixshmem _posixsubprocess _queue _random _sha1 _sha2 _sha3 "
        "_socket _sqlite3 _ssl _statistics _struct _testbuffer _testcapi _testclinic _testimportmultiple "
        "_testinternalcapi _testmultiphase _tkinter _typing _uuid _xxinterpchannels _xxsubinterpreters "
        "_xxtestfuzz _zoneinfo array audioop binascii cmath fcntl grp math mmap nis ossaudiodev pyexpat "
        "readline resource select spwd syslog termios unicodedata xxlimited xxlimited_35 xxsubtype zlib").split()


def python_paths(prefix: str, ver: str, nfiles: int) -> list[tuple[str, int, float]]:
    """The files ``make install`` of CPython leaves under ``prefix`` (tests and .pyc removed)."""
    lib = f"{prefix}/lib/python{ver}"
    out: list[tuple[str, int, float]] = []
    so = f"cpython-{ver.replace('.', '')}-x86_64-linux-gnu.so"
    out += [(f"{prefix}/bin/python{ver}", 0o755, 3.0), (f"{prefix}/bin/pip{ver}", 0o755, 0.05),
            (f"{prefix}/bin/pip3", 0o755, 0.05), (f"{prefix}/bin/pydoc{ver}", 0o755, 0.02),
            (f"{prefix}/bin/idle{ver}", 0o755, 0.02), (f"{prefix}/bin/python{ver}-config", 0o755, 0.1),
            (f"{prefix}/lib/libpython{ver}.so.1.0", 0o755, 300.0),
            (f"{prefix}/lib/pkgconfig/python-{ver}.pc", 0o644, 0.05),
            (f"{prefix}/lib/pkgconfig/python-{ver}-embed.pc", 0o644, 0.05),
            (f"{prefix}/share/man/man1/python{ver}.1", 0o644, 0.3)]
    out += [(f"{lib}/{s}.py", 0o644, 3.0) for s in _STEMS]
    out += [(f"{lib}/lib-dynload/{e}.{so}", 0o755, 8.0) for e in _EXT]
    out += [(f"{lib}/ensurepip/_bundled/pip-24.0-py3-none-any.whl", 0o644, 200.0),
            (f"{lib}/config-{ver}-x86_64-linux-gnu/Makefile", 0o644, 20.0),
            (f"{lib}/config-{ver}-x86_64-linux-gnu/libpython{ver}.a", 0o644, 0.0)]
    i = 0
    headers = ["Python", "abstract", "bytearrayobject", "bytesobject", "ceval", "codecs", "compile",
               "complexobject", "datetime", "descrobject", "dictobject", "errors", "fileobject",
               "floatobject", "frameobject", "funcobject", "genobject", "import", "listobject",
               "longobject", "methodobject", "modsupport", "moduleobject", "object", "objimpl",
               "pyconfig", "pyerrors", "pymacro", "pymem", "pyport", "pystate", "setobject",
               "sliceobject", "structmember", "sysmodule", "traceback", "tupleobject", "unicodeobject"]
    out += [(f"{prefix}/include/python{ver}/{h}.h", 0o644, 0.6) for h in headers]
    out += [(f"{prefix}/include/python{ver}/cpython/{h}.h", 0o644, 0.5) for h in headers[:25]]
    out += [(f"{prefix}/include/python{ver}/internal/pycore_{h}.h", 0o644, 0.5) for h in headers]
    pip = f"{lib}/site-packages/pip"
    while len(out) < nfiles:
        k = f"py{ver}:{i}"
        r = unit(k)
        if r < 0.45:
            d = _PKGDIRS[int(unit(k + "d") * len(_PKGDIRS))]
            s = _STEMS[int(unit(k + "s") * len(_STEMS))]
            out.append((f"{lib}/{d}/{s}.py" if unit(k + "i") > 0.08 else f"{lib}/{d}/__init__.py", 0o644, 2.0))
        elif r < 0.85:
            sub = ("_internal _internal/cli _internal/commands _internal/index _internal/models "
                   "_internal/network _internal/operations _internal/req _internal/resolution/resolvelib "
                   "_internal/utils _internal/vcs _vendor/cachecontrol _vendor/certifi _vendor/chardet "
                   "_vendor/colorama _vendor/distlib _vendor/distro _vendor/idna _vendor/msgpack "
                   "_vendor/packaging _vendor/pkg_resources _vendor/platformdirs _vendor/pygments "
                   "_vendor/pygments/lexers _vendor/pygments/styles _vendor/pyproject_hooks _vendor/requests "
                   "_vendor/resolvelib _vendor/rich _vendor/tenacity _vendor/tomli _vendor/truststore "
                   "_vendor/urllib3 _vendor/urllib3/util _vendor/webencodings").split()
            d = sub[int(unit(k + "d") * len(sub))]
            s = _STEMS[int(unit(k + "s") * len(_STEMS))]
            out.append((f"{pip}/{d}/{s}.py", 0o644, 1.2))
        else:
            d = ("idlelib/Icons", "tkinter", "lib2to3/fixes", "encodings", "pydoc_data", "unittest", "email/mime")
            dd = d[int(unit(k + "d") * len(d))]
            out.append((f"{lib}/{dd}/{_STEMS[int(unit(k + 's') * len(_STEMS))]}_{i}.py", 0o644, 1.0))
        i += 1
    seen, uniq = set(), []
    for p in out:
        if p[0] not in seen and p[2] > 0:
            seen.add(p[0])
            uniq.append(p)
    return uniq


def node_paths(nfiles: int, ver: str) -> list[tuple[str, int, float]]:
    """What the official node tarball leaves under /usr/local: node, npm, corepack, headers."""
    out = [("/usr/local/bin/node", 0o755, 96000.0),
           ("/usr/local/share/doc/node/gdbinit", 0o644, 0.5), ("/usr/local/share/doc/node/lldb_commands.py", 0o644, 1.0),
           ("/usr/local/share/man/man1/node.1", 0o644, 3.0),
           ("/usr/local/CHANGELOG.md", 0o644, 0.0), ("/usr/local/README.md", 0o644, 0.0),
           ("/usr/local/LICENSE", 0o644, 0.0)]
    npm = "/usr/local/lib/node_modules/npm"
    out += [(f"{npm}/bin/npm-cli.js", 0o755, 0.2), (f"{npm}/bin/npx-cli.js", 0o755, 0.2),
            (f"{npm}/bin/npm", 0o755, 0.3), (f"{npm}/bin/npx", 0o755, 0.3), (f"{npm}/package.json", 0o644, 0.4),
            (f"{npm}/index.js", 0o644, 0.1), (f"{npm}/README.md", 0o644, 0.4),
            ("/usr/local/lib/node_modules/corepack/dist/corepack.js", 0o755, 0.1),
            ("/usr/local/lib/node_modules/corepack/package.json", 0o644, 0.3)]
    deps = ("@npmcli/arborist @npmcli/config @npmcli/fs @npmcli/git @npmcli/map-workspaces @npmcli/metavuln-calculator "
            "@npmcli/package-json @npmcli/promise-spawn @npmcli/run-script @sigstore/sign @sigstore/verify "
            "@tufjs/models abbrev agent-base aggregate-error ansi-regex ansi-styles balanced-match bin-links "
            "brace-expansion cacache chalk chownr ci-info cidr-regex cli-columns cmd-shim color-convert "
            "color-name common-ancestor-path cross-spawn debug diff emoji-regex encoding err-code "
            "exponential-backoff fastest-levenshtein foreground-child fs-minipass glob graceful-fs "
            "hosted-git-info http-cache-semantics http-proxy-agent https-proxy-agent iconv-lite ignore-walk "
            "imurmurhash indent-string ini init-package-json ip-address ip-regex is-cidr is-lambda isexe "
            "jackspeak json-parse-even-better-errors json-stringify-nice jsonparse just-diff just-diff-apply "
            "libnpmaccess libnpmdiff libnpmexec libnpmfund libnpmhook libnpmorg libnpmpack libnpmpublish "
            "libnpmsearch libnpmteam libnpmversion lru-cache make-fetch-happen minimatch minipass "
            "minipass-collect minipass-fetch minipass-flush minipass-pipeline minipass-sized minizlib mkdirp "
            "ms mute-stream negotiator node-gyp nopt normalize-package-data npm-audit-report npm-bundled "
            "npm-install-checks npm-normalize-package-bin npm-package-arg npm-packlist npm-pick-manifest "
            "npm-profile npm-registry-fetch npm-user-validate p-map pacote parse-conflict-json path-key "
            "path-scurry postcss-selector-parser proc-log promise-all-reject-late promise-call-limit "
            "promise-inflight promise-retry promzard qrcode-terminal read read-cmd-shim read-package-json-fast "
            "retry safer-buffer semver shebang-command shebang-regex signal-exit sigstore smart-buffer "
            "socks socks-proxy-agent spdx-correct spdx-exceptions spdx-expression-parse spdx-license-ids "
            "sprintf-js ssri string-width strip-ansi supports-color tar text-table tiny-relative-date "
            "treeverse tuf-js unique-filename unique-slug util-deprecate validate-npm-package-license "
            "validate-npm-package-name walk-up-path which wrap-ansi write-file-atomic yallist").split()
    headers = "v8 uv openssl cppgc libplatform node zlib".split()
    i = 0
    while len(out) < nfiles:
        k = f"node{ver}:{i}"
        r = unit(k)
        if r < 0.72:
            dep = deps[int(unit(k + "d") * len(deps))]
            sub = ("lib", "lib", "lib/util", "dist", "")[int(unit(k + "s") * 5)]
            name = ("index.js", "package.json", "LICENSE", "README.md")[int(unit(k + "n") * 4)] \
                if unit(k + "x") < 0.3 else f"{_STEMS[int(unit(k + 'f') * len(_STEMS))]}.js"
            path = f"{npm}/node_modules/{dep}/{sub + '/' if sub else ''}{name}"
            out.append((path, 0o644, 0.4))
        elif r < 0.78:
            out.append((f"{npm}/docs/content/commands/npm-{_STEMS[int(unit(k + 'f') * len(_STEMS))]}.md", 0o644, 0.3))
        elif r < 0.82:
            out.append((f"/usr/local/lib/node_modules/corepack/dist/lib/{_STEMS[int(unit(k + 'f') * len(_STEMS))]}.js",
                        0o644, 1.5))
        else:
            h = headers[int(unit(k + "h") * len(headers))]
            out.append((f"/usr/local/include/node/{h}/{_STEMS[int(unit(k + 'f') * len(_STEMS))]}{i % 7}.h", 0o644, 1.0))
        i += 1
    seen, uniq = set(), []
    for p in out:
        if p[0] not in seen and p[2] > 0:
            seen.add(p[0])
            uniq.append(p)
    return uniq


def apt_install_layer(seed: str, mtime: int, base_status: str, packages: list[tuple[str, str, int]],
                      total: int, *, lists_cleaned: bool = True, whiteouts: tuple[str, ...] = (),
                      extra=None) -> Layer:
    """A ``RUN apt-get update && apt-get install -y ... && rm -rf /var/lib/apt/lists/*`` layer.

    ``packages`` are (name, version, number of files); the files share the layer's bytes by
    their package weights. The layer also holds the copied-up dpkg/apt/debconf state files.
    """
    tb = TreeBuilder(seed, mtime)
    stanzas = []
    for name, version, nfiles in packages:
        paths = deb_paths(name, nfiles)
        pw = skew(f"pkgw:{name}", 1.2)
        for path, mode, w in paths:
            tb.spread([path], weight=w * pw, mode=mode, group=name if len(packages) < 120 else seed)
        files = [p for p, _m, _w in paths]
        tb.text(f"/var/lib/dpkg/info/{name}.list", list_text(files))
        tb.text(f"/var/lib/dpkg/info/{name}.md5sums", md5sums_text(files, name))
        kib = max(4, int(sum(1 for _ in files) * 30 * pw))
        stanzas.append(status_stanza(name, version, kib))
    status = base_status + "".join(stanzas)
    tb.text("/var/lib/dpkg/status", status)
    tb.text("/var/lib/dpkg/status-old", base_status)
    for p, m in [("/var/log/dpkg.log", 60000 + 900 * len(packages)), ("/var/log/apt/history.log", 2600 + 80 * len(packages)),
                 ("/var/log/apt/eipp.log.xz", 16000), ("/var/log/apt/term.log", 11000 + 400 * len(packages)),
                 ("/var/cache/debconf/templates.dat", 650000), ("/var/cache/debconf/templates.dat-old", 640000),
                 ("/var/cache/debconf/config.dat", 15000), ("/var/cache/debconf/config.dat-old", 14000),
                 ("/etc/ld.so.cache", 9000 + 90 * len(packages)), ("/var/cache/ldconfig/aux-cache", 8000 + 80 * len(packages))]:
        tb.blob(p, int(m * skew(f"{seed}:{p}", 0.2)), group="state")
    if extra is not None:
        extra(tb)
    tb.finish(total)
    wh = set(whiteouts)
    if lists_cleaned:
        wh.update({"/var/lib/apt/lists/partial", "/var/lib/apt/lists/lock", "/var/lib/apt/lists/auxfiles"})
        tb.dir("/var/lib/apt/lists")
    return Layer(MappingProxyType(dict(tb.entries)), frozenset(wh), frozenset())


def paths_layer(seed: str, mtime: int, paths: list[tuple[str, int, float]], total: int, extra=None,
                whiteouts: tuple[str, ...] = (), group_by_dir: int = 4) -> Layer:
    """A layer of ``paths`` (path, mode, weight) summing to ``total`` bytes, plus ``extra`` entries."""
    tb = TreeBuilder(seed, mtime)
    for path, mode, w in paths:
        group = "/".join(path.split("/")[:group_by_dir])
        tb.spread([path], weight=w, mode=mode, group=group, sigma=0.8)
    if extra is not None:
        extra(tb)
    tb.finish(total)
    return Layer(MappingProxyType(dict(tb.entries)), frozenset(whiteouts), frozenset())


def text_layer(mtime: int, files: dict[str, tuple[str | bytes, int]], dirs: dict[str, int] | None = None) -> Layer:
    """A COPY layer: exact files (path -> (data, mode)) and the directories BuildKit records."""
    entries: dict[str, Node] = {}
    for d, mode in (dirs or {}).items():
        entries[d] = Node(DIR, mode, 0, 0, mtime)
    for path, (data, mode) in files.items():
        entries[path] = Node(FILE, mode, 0, 0, mtime, Content.of(data))
    return Layer(MappingProxyType(entries), frozenset(), frozenset())
