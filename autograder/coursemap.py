"""The course's chapter map: one place for the chapter list, and the start page's map built from it.

    autograder map            # print the map the start page should show
    autograder map --write    # store it in notebooks/00-start-here.ipynb (cell id "chapter-map")
    autograder map --check    # exit 1 if the stored map is out of date (a test runs this)

`CHAPTERS` is the list of the course's chapters (file name, title, planned minutes). For a chapter
notebook that exists, the title, the measured time (its ``**Time:** about NN minutes`` line) and
the objectives (its ``## What you will be able to do`` list) are read from the notebook itself;
for one that is not written yet, the planned values below are shown, marked *(planned)*. So when a
chapter is merged, ``autograder map --write`` is the only update the start page needs.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["CHAPTERS", "chapter_info", "chapter_map", "update_start_page", "MAP_CELL_ID"]

MAP_CELL_ID = "chapter-map"

# (file stem, title, planned minutes, planned objectives) -- the one place to edit the course's plan
CHAPTERS = [
    ("01-layer-architecture", "The Layer Architecture", 45, []),
    ("02-copy-on-write", "Copy-on-Write", 30,
     ["explain what happens when a container changes a file that lives in an image layer",
      "predict what `docker diff` shows after a write, a delete and a rename"]),
    ("03-storage-drivers", "Storage Drivers", 30,
     ["compare how overlay2, btrfs, zfs and vfs store layers and copy on write",
      "choose a storage driver for a workload"]),
    ("04-exploring-filesystems", "Exploring Filesystems", 30,
     ["find where a layer's files live on disk", "read `docker inspect` and `docker ps -s` output"]),
    ("05-ephemeral-data", "Ephemeral Data", 25,
     ["predict which data survives stop, restart and rm", "explain why a container's writes are lost"]),
    ("06-storage-types", "Storage Types", 30,
     ["choose between a volume, a bind mount and tmpfs", "predict what each one keeps"]),
    ("07-volume-management", "Volume Management", 30,
     ["create, inspect, back up and prune volumes", "tell named from anonymous volumes"]),
    ("08-capstone", "Capstone: Slim and Persist a Web App", 60,
     ["slim a bloated image to stated targets", "run an app with the right storage for each kind of data",
      "prove with docker diff, ps -s and system df that nothing was lost"]),
]

_TIME = re.compile(r"\*\*Time:\*\*\s*about\s+(\d+)\s*min", re.IGNORECASE)
_TITLE = re.compile(r"^#\s+Chapter\s+\d+\s*[·:.-]\s*(.+?)\s*$", re.MULTILINE)
_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*])\s+(.+)$")


def _src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else str(s)


def chapter_info(path: Path, title: str, minutes: int, objectives: list[str]) -> dict:
    """Title, minutes and objectives of one chapter (read from its notebook when it exists)."""
    info = {"file": path.name, "title": title, "minutes": minutes, "objectives": list(objectives),
            "planned": True}
    if not path.exists():
        return info
    nb = json.loads(path.read_text(encoding="utf-8"))
    md = [_src(c) for c in nb.get("cells", []) if c.get("cell_type") == "markdown"]
    text = "\n\n".join(md)
    if (m := _TITLE.search(md[0] if md else "")):
        info["title"] = m.group(1)
    if (m := _TIME.search(text)):
        info["minutes"] = int(m.group(1))
    objectives_found = []
    for cell in md:
        if "## What you will be able to do" in cell:
            body = cell.split("## What you will be able to do", 1)[1]
            body = body.split("\n## ", 1)[0]
            item = None
            for ln in body.split("\n"):
                if (m := _ITEM.match(ln)):
                    if item:
                        objectives_found.append(item)
                    item = m.group(1).strip()
                elif item and ln.strip() and ln.startswith((" ", "\t")):
                    item += " " + ln.strip()
                elif item and not ln.strip():
                    objectives_found.append(item)
                    item = None
            if item:
                objectives_found.append(item)
            break
    info["objectives"] = [o.rstrip(";.") for o in objectives_found] or info["objectives"]
    info["planned"] = False
    return info


def chapter_map(notebooks: Path | str = "notebooks") -> str:
    """The markdown of the start page's chapter map."""
    notebooks = Path(notebooks)
    infos = [chapter_info(notebooks / f"{stem}.ipynb", t, m, o) for stem, t, m, o in CHAPTERS]
    total = sum(i["minutes"] for i in infos)
    lines = ["## 1. The chapters", "",
             f"Eight chapters, about {total // 60} hours {total % 60} minutes in all (reading and "
             "exercises). Each one starts from the one before; open them in order.", ""]
    for n, info in enumerate(infos, 1):
        planned = " *(planned)*" if info["planned"] else ""
        lines.append(f"**[Chapter {n} · {info['title']}]({info['file']})** · about "
                     f"{info['minutes']} minutes{planned}")
        lines.append("")
        for obj in info["objectives"]:
            lines.append(f"- {obj}")
        if info["objectives"]:
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def update_start_page(start_page: Path | str = "notebooks/00-start-here.ipynb",
                      notebooks: Path | str = "notebooks", *, write: bool = False) -> tuple[bool, str]:
    """Compare (and with ``write``, replace) the start page's map cell. Returns (changed, text)."""
    start_page = Path(start_page)
    text = chapter_map(notebooks)
    nb = json.loads(start_page.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if c.get("id") == MAP_CELL_ID]
    if not cells:
        raise ValueError(f"{start_page} has no markdown cell with id {MAP_CELL_ID!r}")
    changed = _src(cells[0]) != text
    if changed and write:
        cells[0]["source"] = text
        start_page.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed, text
