"""``layerlab image efficiency IMAGE [--json]``: a layerlab command, not a docker one.

It prints :meth:`layerlab.Engine.efficiency` (see :mod:`layerlab.efficiency` for what every
number means): a table of the layers, the totals and dive's score, then the wasted files,
biggest first. ``--json`` prints :meth:`Efficiency.to_dict` instead (per-layer file changes
included). Registered by importing this module (``layerlab.cli.commands`` does, at its end).
"""
from __future__ import annotations

import json

from .format.tabwriter import tabulate
from .format.textfmt import ellipsis, truncate_id
from ..units import human_size_with_precision
from . import _helptext
from .commands import command

PATH = "docker image efficiency"

HELP = """Usage:  docker image efficiency [OPTIONS] IMAGE

Show where an image's bytes go: files each layer adds, changes and deletes,
bytes hidden by later layers, and dive's efficiency score (a layerlab command)

Options:
      --json       Print the analysis as JSON
      --no-trunc   Don't truncate output
"""

_helptext.HELP.setdefault(PATH, HELP)


def _size(n: int) -> str:
    return human_size_with_precision(n, 3)


def render_table(rep, trunc: bool = True) -> str:
    """The text ``layerlab image efficiency`` prints for an :class:`Efficiency`."""
    rows = ["LAYER\tSIZE\tADDED\tCHANGED\tDELETED\tWASTED\tCREATED BY"]
    for layer in rep.layers:
        by = layer.created_by.replace("\t", " ")
        rows.append(f"{layer.index}\t{_size(layer.size)}\t{len(layer.added)}\t{len(layer.changed)}\t"
                    f"{len(layer.deleted)}\t{_size(layer.hidden_bytes)}\t{ellipsis(by, 45) if trunc else by}")
    image = truncate_id(rep.image) if trunc else rep.image
    out = f"IMAGE {image}\n" if rep.image else ""
    out += tabulate(rows)
    files = "file" if len(rep.wasted) == 1 else "files"
    out += (f"\nImage size:        {_size(rep.image_size)} ({rep.image_size} bytes)\n"
            f"Wasted space:      {_size(rep.wasted_bytes)} ({rep.wasted_bytes} bytes in {len(rep.wasted)} {files})\n"
            f"Efficiency score:  {rep.score * 100:.2f} %\n")
    if rep.wasted:
        wrows = ["COUNT\tWASTED\tPATH\tREASON"]
        wrows += [f"{w.count}\t{_size(w.wasted_bytes)}\t{w.path}\t{w.reason}" for w in rep.wasted]
        out += "\n" + tabulate(wrows)
    return out


@command(PATH, args=(1, 1))
def cmd_image_efficiency(cli, o):
    rep = cli.engine.efficiency(o.args[0])
    if o["json"]:
        cli.out(json.dumps(rep.to_dict(), indent=2) + "\n")
    else:
        cli.out(render_table(rep, trunc=not o["no-trunc"]))
    return 0
