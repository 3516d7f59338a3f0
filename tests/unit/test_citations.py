"""Every reference a docstring or comment cites is in the repository: ``docs/<file>.md`` exists
and each ``§N`` / ``§N.M`` it names is a heading there; nothing points outside the tree."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CITE = re.compile(r"docs/([\w.-]+\.md)((?:,? ?§\s?[0-9]+(?:\.[0-9]+)?[a-z]?(?:-[0-9]+)?)*)")
SECTION = re.compile(r"§\s?([0-9]+(?:\.[0-9]+)?[a-z]?)")


def _sources():
    for top in ("layerlab", "autograder", "tests", "benchmarks"):
        yield from (ROOT / top).rglob("*.py")


def _headings(doc: Path) -> set[str]:
    found = set()
    for line in doc.read_text(encoding="utf-8").splitlines():
        m = re.match(r"#{2,4} ([0-9]+(?:\.[0-9]+)?[a-z]?)[. ]", line)
        if m:
            found.add(m.group(1))
    return found


def test_cited_docs_and_sections_exist():
    missing, seen = [], 0
    for src in _sources():
        text = src.read_text(encoding="utf-8")
        for m in CITE.finditer(text):
            seen += 1
            doc = ROOT / "docs" / m.group(1)
            if not doc.exists():
                missing.append(f"{src.relative_to(ROOT)}: docs/{m.group(1)} does not exist")
                continue
            heads = _headings(doc)
            for sec in SECTION.findall(m.group(2)):
                if sec not in heads:
                    missing.append(f"{src.relative_to(ROOT)}: docs/{m.group(1)} has no section {sec}")
    assert seen >= 10, f"only {seen} citations found: the pattern is broken"
    assert not missing, "\n".join(missing)


def test_no_source_points_outside_the_repository():
    outside = [f"{src.relative_to(ROOT)}: {m.group(0)}" for src in _sources()
               for m in re.finditer(r"(?:/work/\w+|\.\./shared|reference/[\w-]+\.md)", src.read_text(encoding="utf-8"))
               if src.name != "test_citations.py"]
    assert not outside, "\n".join(outside)
