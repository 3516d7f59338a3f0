"""The rows of a layer-stack picture, computed from an :class:`~layerlab.image.Image`.

An image's config has one ``history`` entry per Dockerfile instruction; the entries without
``empty_layer`` correspond, in order, to the image's layers. :func:`stack_rows` walks the two
lists together and says, for each instruction, whether it made a layer (and which one, with
its size, diff_id and chain ID) or only a history entry.

>>> from layerlab import Engine
>>> img = Engine().build('FROM scratch\\nCOPY a /a\\nENV X=1\\n', {'a': 'hi'}).image
>>> [(r.created_by, r.is_layer, r.size) for r in stack_rows(img)]
[('COPY a /a # buildkit', True, 2), ('ENV X=1', False, 0)]

Everything here is a pure function of immutable values: no engine, no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

__all__ = ["StackRow", "stack_rows", "shared_chain_ids", "instruction_text"]


@dataclass(frozen=True, slots=True)
class StackRow:
    """One history entry of an image, oldest first.

    ``layer_index`` is the position of the layer it made (0 = bottom), or ``None`` for a
    metadata-only entry; ``from_base`` is true for entries the image inherited from the
    image named in ``FROM``.
    """

    position: int                 # index in the image's history, 0 = oldest
    created_by: str
    is_layer: bool
    layer_index: int | None
    size: int
    diff_id: str | None
    chain_id: str | None
    from_base: bool

    @property
    def instruction(self) -> str:
        """``created_by`` in the words of the Dockerfile (see :func:`instruction_text`)."""
        return instruction_text(self.created_by)


def instruction_text(created_by: str) -> str:
    """The Dockerfile line behind a history ``created_by`` string.

    BuildKit writes ``RUN /bin/sh -c apt-get update # buildkit``; the classic builder writes
    ``/bin/sh -c #(nop)  CMD ["bash"]`` or ``/bin/sh -c apt-get update``. This undoes both,
    for display only.
    """
    text = created_by.strip()
    if text.endswith("# buildkit"):
        text = text[: -len("# buildkit")].rstrip()
    if text.startswith("/bin/sh -c #(nop)"):
        return text[len("/bin/sh -c #(nop)"):].strip()
    if text.startswith("RUN /bin/sh -c "):
        return "RUN " + text[len("RUN /bin/sh -c "):]
    if text.startswith("/bin/sh -c "):
        return "RUN " + text[len("/bin/sh -c "):]
    if text.startswith("|"):                      # classic RUN with build args: "|1 A=b /bin/sh -c ..."
        head, sep, rest = text.partition("/bin/sh -c ")
        if sep:
            return "RUN " + rest
    return text


def stack_rows(image, *, base=None) -> list[StackRow]:
    """One :class:`StackRow` per history entry of ``image``, oldest first.

    Args:
        image: the image to describe.
        base: the image its ``FROM`` line named, or ``None``. When given, the first
            ``len(base.history)`` entries are marked ``from_base``.
    """
    n_base = len(base.history) if base is not None else 0
    chain = image.chain_ids
    rows: list[StackRow] = []
    li = 0
    for pos, h in enumerate(image.history):
        if h.empty_layer or li >= len(image.layers):
            rows.append(StackRow(pos, h.created_by, False, None, 0, None, None, pos < n_base))
        else:
            layer = image.layers[li]
            rows.append(StackRow(pos, h.created_by, True, li, layer.size, layer.diff_id, chain[li], pos < n_base))
            li += 1
    if not image.history:                          # e.g. an imported tar without history
        rows = [StackRow(i, "", True, i, layer.size, layer.diff_id, chain[i], False)
                for i, layer in enumerate(image.layers)]
    return rows


def shared_chain_ids(images: Iterable) -> frozenset[str]:
    """Chain IDs present in every one of ``images``: the layers they store only once.

    Two images share a layer on disk when the layer *and everything below it* is the same,
    which is exactly when their chain IDs are equal. The same diff_id on a different parent
    is a different layer on disk.
    """
    sets = [set(img.chain_ids) for img in images]
    if not sets:
        return frozenset()
    common = sets[0]
    for s in sets[1:]:
        common &= s
    return frozenset(common)

