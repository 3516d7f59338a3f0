"""The data-only codec between the student's kernel and the test process."""

from __future__ import annotations

import types

import pytest

from autograder import wire
from layerlab.fs.changes import Change


@pytest.mark.parametrize("value", [
    None, True, 0, -5, 2**80, 1.5, float("inf"), complex(1, -2), "text", b"\x00\xff",
    bytearray(b"ab"), [1, [2, 3]], (1, (2,)), {"a": {1: (2, 3)}}, {1, 2}, frozenset({"x"}),
    range(1, 10, 3), types.MappingProxyType({"k": [1]}),
])
def test_plain_data_round_trips(value):
    """Does every plain value come back equal and of exactly the same type?"""
    back = wire.decode(wire.loads(wire.dumps(wire.encode(value, {}))))
    assert back == value and type(back) is type(value)


def test_student_subclass_of_str_stays_behind():
    """Is a submission-defined str subclass (always-equal trick) sent as a handle?"""
    class Sneaky(str):
        def __eq__(self, other):
            return True

    handles = {}
    tree = wire.encode([Sneaky("x")], handles)
    assert tree[1][0][0] == "p" and len(handles) == 1
    with pytest.raises(wire.WireError):
        wire.decode(tree)  # the test side must supply a proxy factory


def test_layerlab_values_are_rebuilt_with_clean_classes():
    """Are layerlab dataclass values copied by value into the receiving side's class?"""
    fields = {f: None for f in Change.__dataclass_fields__}
    first = next(iter(fields))
    value = Change.__new__(Change)
    for name in fields:
        object.__setattr__(value, name, "x" if name == first else None)
    back = wire.decode(wire.encode(value, {}))
    assert type(back) is Change and back == value


@pytest.mark.parametrize("tree", [
    ["imp", "os", "system"],             # not a trusted module
    ["imp", "__main__", "cheat"],
    ["mod", "antigravity"],              # side effects on import
    ["dc", "layerlab.fs.changes", "Change", [["not_a_field", ["i", 1]]]],
    ["zz"], "raw", ["s", 5], ["l", "notalist"],
])
def test_malformed_or_untrusted_trees_are_refused(tree):
    """Are unknown tags, untrusted imports and ill-typed nodes refused?"""
    with pytest.raises(wire.WireError):
        wire.decode(tree)


def test_depth_limit():
    """Is a pathologically nested value refused rather than crashing the receiver?"""
    deep = ["l", []]
    node = deep
    for _ in range(500):
        child = ["l", []]
        node[1].append(child)
        node = child
    with pytest.raises(wire.WireError):
        wire.decode(deep)
