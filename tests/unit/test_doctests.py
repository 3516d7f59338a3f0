"""The examples in layerlab's docstrings run and print what they say."""
import doctest
import importlib
import pkgutil

import pytest

import layerlab


def _modules():
    for info in pkgutil.walk_packages(layerlab.__path__, "layerlab."):
        if info.name.endswith(("widgets", "magic", "__main__")):
            continue  # course extras (ipywidgets, IPython) or a program entry point
        yield info.name


@pytest.mark.parametrize("name", list(_modules()))
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
