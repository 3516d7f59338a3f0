"""Where the ``layerlab`` command keeps its state: one rule, shared by the store
(:mod:`layerlab.state`) and the command's small client (:mod:`layerlab.cli.client`), which must
not import the store to find it."""
from __future__ import annotations

import os


def home(env=None) -> str:
    """The state directory: ``LAYERLAB_HOME``, else the user's data directory."""
    env = os.environ if env is None else env
    h = env.get("LAYERLAB_HOME")
    if h:
        return os.path.abspath(os.path.expanduser(h))
    xdg = env.get("XDG_DATA_HOME")
    if xdg:
        return os.path.join(os.path.abspath(os.path.expanduser(xdg)), "layerlab")
    return os.path.join(os.path.expanduser("~"), ".local", "share", "layerlab")
