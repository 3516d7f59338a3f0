"""The Engine's storage layer: the hooks the Engine calls (:mod:`.hooks`), mount specs and
mount namespaces (:mod:`.mounts`) and the volume store (:mod:`.volumes`). The storage drivers
are :mod:`layerlab.drivers`.
"""
