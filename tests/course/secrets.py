"""The lines of the instructor sources that must never reach a learner in plain text: every
line of a solution region, of a written answer's model answer and mark scheme, and of a hidden
test region — if it is not trivial and does not also appear in the public part of the sources
(the prompts, the visible checks, the setup code), where a learner sees it anyway.

Trivial lines are those under 12 characters once stripped, and plain statements of at most four
names with no literal and no operator — a loop header (``for diff_id in diff_ids:``), a bare call
(``out.append(diff_id)``), a name assigned a name — which any Python code, layerlab's own
included, is full of."""
from __future__ import annotations

import json
import re
from pathlib import Path

MIN_LENGTH = 12
_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def _src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else str(s)


_PLAIN = re.compile(r"^[A-Za-z_][\w\s.,()\[\]:=]*$")


def trivial(line: str) -> bool:
    if len(line) < MIN_LENGTH or not re.search(r"[A-Za-z0-9]{3}", line):
        return True
    if _PLAIN.match(line) and "==" not in line and not re.search(r"(?<![\w.])\d", line):
        return len(re.findall(r"[A-Za-z_]\w*", line)) <= 4
    return False


def split_source(nb: dict) -> tuple[list[str], list[str]]:
    """(secret lines, public lines) of a source notebook, stripped."""
    secret, public = [], []
    for cell in nb["cells"]:
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        lines = _src(cell).split("\n")
        if meta.get("solution") and cell.get("cell_type") == "markdown":
            secret += lines                       # a written answer: model answer + mark scheme
            continue
        inside = False
        for ln in lines:
            s = ln.strip()
            if s in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
                inside = True
            elif s in ("### END SOLUTION", "### END HIDDEN TESTS"):
                inside = False
            elif inside:
                secret.append(ln)
            else:
                public.append(ln)
    return [s.strip() for s in secret], [p.strip() for p in public]


def secret_lines(sources) -> dict[str, str]:
    """{line: notebook name} of every non-trivial secret line of the sources."""
    out: dict[str, str] = {}
    split = {}
    for path in map(Path, sources):
        split[path] = split_source(json.loads(path.read_text(encoding="utf-8")))
    # public in any chapter is public: a base image named in one chapter's prose is no secret
    # of another chapter's solution
    public_text = "\n".join(line for _, public in split.values() for line in public)
    for path, (secret, _) in split.items():
        for line in secret:
            if not trivial(line) and line not in _MARKERS and line not in public_text:
                out.setdefault(line, path.name)
    return out


def readable_text(path: Path) -> str:
    """What a person reading ``path`` sees: a notebook's every string (sources, outputs,
    metadata) decoded from its JSON; any other file as text (binary files: empty)."""
    data = path.read_bytes()
    if b"\0" in data[:4096]:
        return ""
    text = data.decode("utf-8", "replace")
    if path.suffix == ".ipynb":
        strings: list[str] = []

        def walk(v):
            if isinstance(v, str):
                strings.append(v)
            elif isinstance(v, list):
                if all(isinstance(x, str) for x in v):
                    strings.append("".join(v))
                else:
                    for x in v:
                        walk(x)
            elif isinstance(v, dict):
                for x in v.values():
                    walk(x)

        walk(json.loads(text))
        return "\n".join(strings)
    return text


PACKAGES = ("layerlab", "autograder")


def leaks(tree: Path, sources, *, repo: Path | None = None) -> list[str]:
    """``"file: line"`` for every secret line of ``sources`` found in a file under ``tree``.

    The engine packages (``layerlab/``, ``autograder/``) are the course's public code: a
    solution may share a line with the engine it is checked against (``parts = [p for p in
    path.split("/") if p]``). Their files are exempt when they are byte-identical to the
    repository's own (``repo``), which is then checked instead: the distribution must not add
    anything to them."""
    secrets = secret_lines(sources)
    repo = Path(repo or Path(__file__).resolve().parents[2])
    found = []
    for f in sorted(p for p in Path(tree).rglob("*") if p.is_file()):
        rel = f.relative_to(tree)
        if rel.parts and rel.parts[0] in PACKAGES:
            original = repo / rel
            if original.is_file() and original.read_bytes() == f.read_bytes():
                continue
            if not original.is_file():
                found.append(f"{rel}: not a file of the repository's {rel.parts[0]} package")
                continue
        text = readable_text(f)
        for line, nb in secrets.items():
            if line in text:
                found.append(f"{rel}: {line!r} (from {nb})")
    return found
