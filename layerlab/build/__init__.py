"""``docker build``: the Dockerfile parser (:mod:`.dockerfile`), the build context with its
``.dockerignore`` rules (:mod:`.context`) and the classic and BuildKit builders (:mod:`.builder`).
"""
