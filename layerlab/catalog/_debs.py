"""Where a Debian package's files go, and the dpkg database texts that record them.

Used by the Debian/Ubuntu catalog images and by the simulated ``apt-get install``. A package
is described by a name, version, installed size and file count; its paths follow Debian's
layout for the package's kind (a shared library, a ``-dev`` package, a program, data), so
``ls /usr/lib/x86_64-linux-gnu`` or ``ls /usr/include`` look like the real thing. Contents
are synthetic.
"""
from __future__ import annotations

import re

from ._gen import unit

ARCH_TRIPLET = "x86_64-linux-gnu"
_LIBDIR = f"/usr/lib/{ARCH_TRIPLET}"

_WORDS = ("alloc array buffer cache config context core crypto data debug decode encode error "
          "event file filter format hash header hook index init io list lock log map memory "
          "module net node object option parse path pool queue read record render scan "
          "session socket state stream string table text thread time tree type util value "
          "version view write").split()


def soname(pkg: str) -> str:
    """``libssl3`` -> ``libssl.so.3``; ``libstdc++6`` -> ``libstdc++.so.6`` (Debian policy 8.1)."""
    base = pkg.split(":")[0]
    for suffix in ("t64", "-dev", "-bin", "-common", "-data"):
        base = base.removesuffix(suffix)
    m = re.match(r"^(lib.*?[a-z+_])-?(\d[\d.]*)([a-z][a-z0-9.]*)?$", base)
    if m:
        return f"{m.group(1)}.so.{m.group(2)}"
    return f"{base}.so.0"


def kind_of(pkg: str) -> str:
    if pkg.endswith("-dev"):
        return "dev"
    if pkg.startswith("lib") and not pkg.endswith(("-bin", "-common", "-data", "-perl", "-tools")):
        return "lib"
    if pkg.endswith(("-data", "-common", "-doc")) or pkg.startswith(("fonts-", "python3-")):
        return "data"
    return "bin"


def deb_paths(pkg: str, nfiles: int) -> list[tuple[str, int, float]]:
    """``nfiles`` (path, mode, relative weight) for package ``pkg``, deterministic.

    Always includes ``/usr/share/doc/<pkg>/copyright``. The weights say which files are big
    (a shared library, a program) and which are small (headers, docs).
    """
    out: list[tuple[str, int, float]] = [(f"/usr/share/doc/{pkg}/copyright", 0o644, 0.15)]
    if nfiles > 1:
        out.append((f"/usr/share/doc/{pkg}/changelog.Debian.gz", 0o644, 0.1))
    kind = kind_of(pkg)
    stem = re.sub(r"[\d.+-]+$", "", pkg.removeprefix("lib")) or pkg
    stem = stem.removesuffix("-dev")
    i = 0
    while len(out) < nfiles:
        k = f"{pkg}:{i}"
        word = _WORDS[int(unit(k) * len(_WORDS))]
        if kind == "lib":
            if i == 0:
                so = soname(pkg)
                out.append((f"{_LIBDIR}/{so}.{int(unit(k + 'v') * 9)}.{int(unit(k + 'w') * 20)}", 0o644, 40.0))
            elif unit(k + "k") < 0.5:
                out.append((f"{_LIBDIR}/{stem}/{word}{i}.so", 0o644, 3.0))
            else:
                out.append((f"/usr/share/{stem}/{word}{i}.dat", 0o644, 1.0))
        elif kind == "dev":
            if i == 0:
                out.append((f"{_LIBDIR}/lib{stem}.a", 0o644, 20.0))
            elif i == 1:
                out.append((f"{_LIBDIR}/pkgconfig/{stem}.pc", 0o644, 0.05))
            else:
                sub = "" if unit(k + "s") < 0.4 else f"/{_WORDS[int(unit(k + 'd') * len(_WORDS))]}"
                out.append((f"/usr/include/{stem}{sub}/{word}{i}.h", 0o644, 0.8))
        elif kind == "data":
            sub = _WORDS[int(unit(k + "d") * 12)]
            out.append((f"/usr/share/{stem}/{sub}/{word}{i}", 0o644, 1.0))
        else:  # a program
            if i == 0:
                out.append((f"/usr/bin/{pkg}", 0o755, 30.0))
            elif unit(k + "k") < 0.15:
                out.append((f"/usr/bin/{stem}-{word}{i}", 0o755, 8.0))
            elif unit(k + "k") < 0.5:
                out.append((f"/usr/lib/{stem}/{word}{i}", 0o644, 2.0))
            elif unit(k + "k") < 0.75:
                out.append((f"/usr/share/man/man1/{stem}-{word}{i}.1.gz", 0o644, 0.4))
            else:
                out.append((f"/usr/share/{stem}/{word}{i}", 0o644, 1.0))
        i += 1
    # unique paths (a collision keeps the first)
    seen, uniq = set(), []
    for p in out:
        if p[0] not in seen:
            seen.add(p[0])
            uniq.append(p)
    return uniq


def status_stanza(pkg: str, version: str, installed_kib: int, depends: str = "",
                  section: str = "libs", priority: str = "optional", essential: bool = False,
                  arch: str = "amd64", maintainer: str = "Debian Maintainers <debian-devel@lists.debian.org>") -> str:
    lines = [f"Package: {pkg}", "Status: install ok installed", f"Priority: {priority}",
             f"Section: {section}", f"Installed-Size: {installed_kib}", f"Maintainer: {maintainer}",
             f"Architecture: {arch}", f"Version: {version}"]
    if essential:
        lines.insert(2, "Essential: yes")
    if depends:
        lines.append(f"Depends: {depends}")
    lines.append(f"Description: {pkg.replace('-', ' ')} (modeled package)")
    return "\n".join(lines) + "\n\n"


def list_text(paths: list[str]) -> str:
    """``/var/lib/dpkg/info/<pkg>.list``: every file and its parent directories, once."""
    seen: set[str] = {"/."}
    out = ["/."]
    for p in sorted(paths):
        parts = p.split("/")
        for j in range(2, len(parts) + 1):
            q = "/".join(parts[:j])
            if q not in seen:
                seen.add(q)
                out.append(q)
    return "\n".join(out) + "\n"


def md5sums_text(paths: list[str], pkg: str) -> str:
    import hashlib

    return "".join(f"{hashlib.md5(f'{pkg}:{p}'.encode()).hexdigest()}  {p.lstrip('/')}\n"
                   for p in sorted(paths))
