"""layerlab: a daemonless model of Docker's storage engine, faithful to the real one.

>>> import layerlab
>>> eng = layerlab.Engine()

The engine (:class:`layerlab.engine.Engine`) mirrors docker verbs and returns values; the
``layerlab`` command (:mod:`layerlab.cli`) prints them the way the docker CLI does.
"""
__version__ = "0.1.0"

__all__ = ["Engine", "Content", "Layer", "Image", "Change", "chain_id", "chain_ids", "errors"]


def __getattr__(name: str):
    # Lazy: `import layerlab` stays cheap; the engine loads on first use.
    if name == "Engine":
        from .engine import Engine
        return Engine
    if name == "Content":
        from .content import Content
        return Content
    if name == "Layer":
        from .fs.layer import Layer
        return Layer
    if name == "Image":
        from .image import Image
        return Image
    if name == "Change":
        from .fs.changes import Change
        return Change
    if name in ("chain_id", "chain_ids"):
        from . import digest
        return getattr(digest, name)
    if name == "errors":
        from . import errors
        return errors
    raise AttributeError(f"module 'layerlab' has no attribute {name!r}")
