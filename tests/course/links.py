"""Relative links in notebooks and Markdown files, and the anchors they point at.

A link is ``[text](target)`` in Markdown (parentheses inside the target are balanced, as in
``#Exercise-1-(2-points)``), or ``href=``/``src=`` in HTML. Code (fenced blocks, inline code) is
not searched. Links with a scheme (``https:``, ``mailto:``) are not checked.

Anchors a file offers:

* every heading, as JupyterLab names it: the heading's rendered text with spaces turned into
  ``-`` (``## 2. Build the image`` -> ``#2.-Build-the-image``);
* every ``<a id="...">`` / ``<a name="...">`` (JupyterLab keeps them as ``data-jupyter-id`` and
  scrolls to them: checked in the browser by tests/ui/test_course_practice.py).

JupyterLab looks an anchor up without decoding it, so a link to a heading with a non-ASCII
character (``## Exercise 1 · Predict``: the link holds ``%C2%B7``) goes nowhere: such links are
reported, with the fix (an ``<a id="exercise-1"></a>`` anchor).
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import unquote

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.MULTILINE)
_ANCHOR = re.compile(r"<a\s+[^>]*?(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_HTML_LINK = re.compile(r"(?:href|src)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _cell_source(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else str(s)


def markdown_texts(path: Path) -> list[str]:
    """The Markdown of a file: each markdown cell of a notebook, or the whole ``.md`` file."""
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        return [_cell_source(c) for c in nb.get("cells", []) if c.get("cell_type") == "markdown"]
    return [path.read_text(encoding="utf-8")]


def _without_code(text: str) -> str:
    return _INLINE_CODE.sub("", _FENCE.sub("", text))


def heading_anchor(heading: str) -> str:
    """JupyterLab's id for a heading: its rendered text, spaces as ``-``."""
    text = _INLINE_CODE.sub(lambda m: m.group(0)[1:-1], heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)     # links and images: their text
    text = re.sub(r"<[^>]+>", "", text)                          # HTML tags
    text = re.sub(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1", r"\2", text)   # emphasis
    text = html.unescape(text).strip()
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    out: set[str] = set()
    for text in markdown_texts(path):
        code_free = _FENCE.sub("", text)
        out.update(heading_anchor(m.group(2)) for m in _HEADING.finditer(code_free))
        out.update(_ANCHOR.findall(code_free))
    return out


def _md_targets(text: str) -> list[str]:
    """Targets of ``[text](target)`` links, with balanced parentheses in the target."""
    targets, i = [], 0
    while (j := text.find("](", i)) != -1:
        k, depth = j + 2, 1
        while k < len(text) and depth:
            if text[k] == "(":
                depth += 1
            elif text[k] == ")":
                depth -= 1
            elif text[k] == "\n":
                break
            k += 1
        if depth == 0:
            target = text[j + 2:k - 1].strip()
            if " " in target and not target.startswith("<"):     # [x](url "title")
                target = target.split(" ", 1)[0]
            targets.append(target.strip("<>"))
        i = j + 2
    return targets


def links(path: Path) -> list[str]:
    """Every link target in the Markdown of ``path``."""
    out = []
    for text in markdown_texts(path):
        text = _without_code(text)
        out += _md_targets(text)
        out += _HTML_LINK.findall(text)
    return out


def broken_links(path: Path, root: Path | None = None) -> list[str]:
    """``"file: target (why)"`` for each relative link of ``path`` that does not resolve.

    ``root``: links must stay inside this folder (default: the file's folder's parent).
    """
    path = Path(path)
    root = Path(root or path.parent.parent).resolve()
    problems = []
    cache: dict[Path, set[str]] = {}
    for target in links(path):
        if not target or _SCHEME.match(target) or target.startswith("//"):
            continue
        file_part, _, fragment = target.partition("#")
        file_part = unquote(file_part.split("?", 1)[0])
        fragment = unquote(fragment)
        dest = (path.parent / file_part).resolve() if file_part else path.resolve()
        if file_part.startswith("/"):
            problems.append(f"{path.name}: {target} (absolute path: use a relative link)")
            continue
        if not dest.exists():
            problems.append(f"{path.name}: {target} (no file {file_part})")
            continue
        if root not in dest.parents and dest != root:
            problems.append(f"{path.name}: {target} (leaves {root})")
            continue
        if fragment and not fragment.isascii():
            problems.append(f"{path.name}: {target} (JupyterLab does not follow an anchor with "
                            "non-ASCII characters such as '·': link an <a id=\"...\"> anchor instead)")
            continue
        if fragment and dest.suffix in (".ipynb", ".md"):
            if dest not in cache:
                cache[dest] = anchors(dest)
            if fragment not in cache[dest]:
                problems.append(f"{path.name}: {target} (no anchor #{fragment} in {dest.name})")
    return problems


def tree_problems(folder: Path) -> list[str]:
    """Broken relative links of every notebook and Markdown file under ``folder``."""
    folder = Path(folder)
    out = []
    for f in sorted([*folder.rglob("*.ipynb"), *folder.rglob("*.md")]):
        if ".ipynb_checkpoints" in f.parts:
            continue
        out += [f"{f.relative_to(folder).parent}/{p}" for p in broken_links(f, root=folder)]
    return out
