"""The filesystem model: file nodes and paths (:mod:`.tree`), layers (:mod:`.layer`), the
layered root filesystem with copy-on-write (:mod:`.rootfs`) and ``docker diff`` (:mod:`.changes`).
"""
