"""Pictures and tables of engine values: pure functions, value -> SVG/HTML/text string.

>>> from layerlab import Engine, render
>>> eng = Engine()
>>> img = eng.build('FROM scratch\\nCOPY a /a\\nCMD ["/a"]\\n', {'a': 'hi'}, tag='demo').image
>>> print(render.layer_table(img))
#  INSTRUCTION  MADE          SIZE
1  COPY a /a    layer 1       2B
2  CMD ["/a"]   history only  0B
>>> render.layer_stack(img, name='demo').startswith('<svg')
True

Nothing here touches the engine or the display: the notebook wraps a string with
:func:`show` to display it, and :mod:`layerlab.widgets` puts it in an ``ipywidgets.HTML``.
"""
from .html import HTML, show, table
from .stack import StackRow, instruction_text, shared_chain_ids, stack_rows
from .svg import compare_stacks, layer_stack, size_text
from .text import build_steps, layer_table

__all__ = ["StackRow", "stack_rows", "shared_chain_ids", "instruction_text", "layer_stack",
           "compare_stacks", "size_text", "layer_table", "build_steps", "HTML", "show", "table"]
