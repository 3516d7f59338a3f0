"""%docker / %%docker in IPython, on the notebook's in-process engine."""
from __future__ import annotations

import subprocess
import sys

import pytest

import layerlab.magic as magic


@pytest.fixture
def nb_engine(engine):
    magic.use(engine)
    yield engine
    magic.reset()


def test_importing_layerlab_does_not_import_ipython():
    code = "import layerlab, layerlab.magic, layerlab.cli, sys; print('IPython' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "False", r.stderr


def test_docker_function(nb_engine, capsys):
    assert magic.docker("run --name c1 bb:1 sh -c 'echo hi; echo x > /f'") == 0
    assert magic.docker("docker diff c1") == 0
    assert magic.docker("image inspect bb:1 --format '{{json .RootFS.Layers}}'") == 0
    out, err = capsys.readouterr()
    assert out == ('hi\nA /f\n["sha256:5fd5b699310386f3b318a1f9ae6bde03d3c1f9fe324df660842c35da2c70ef6c"]\n')
    assert magic.docker("rm nosuch") == 1 and magic.last_status() == 1
    out, err = capsys.readouterr()
    assert "Error response from daemon: No such container: nosuch" in err


def test_default_engine_is_deterministic():
    magic.reset()
    a = magic.engine()
    magic.reset()
    b = magic.engine()
    assert a is not b and a.ids.hex64() == b.ids.hex64() and a.clock() == b.clock()
    magic.reset()


def test_cell_commands():
    cell = "ps -a\n\n# a comment\nrun --name x1 \\\n  bb:1 true\n  diff x1  \n"
    assert magic._cell_commands(cell) == ["ps -a", "run --name x1 bb:1 true", "diff x1"]


ipython = pytest.importorskip("IPython")


@pytest.fixture
def ip(nb_engine):
    from IPython.testing.globalipapp import start_ipython
    shell = start_ipython()
    shell.run_line_magic("load_ext", "layerlab.magic")
    return shell


def test_line_and_cell_magic(ip, capsys):
    ip.run_cell("%docker image inspect bb:1 --format '{{json .RootFS.Layers}}'")
    out, _ = capsys.readouterr()
    assert out == '["sha256:5fd5b699310386f3b318a1f9ae6bde03d3c1f9fe324df660842c35da2c70ef6c"]\n'
    ip.run_cell("%%docker\nrun --name c2 bb:1 sh -c 'echo a > /a'\ndiff c2\nps -a --format '{{.Names}}'\n")
    out, _ = capsys.readouterr()
    assert out == "A /a\nc2\n"
    ip.run_cell("%%docker\nrm nosuch\nps -a\n")             # stops at the first failure
    out, err = capsys.readouterr()
    assert out == "" and "No such container: nosuch" in err


def test_stderr_is_red_in_the_pyodide_kernel_too(monkeypatch, capsys):
    """JupyterLite's kernel never imports ipykernel (only its own pyodide_kernel): stderr must
    be red there as in a CPython kernel (the browser's output matches the stored outputs)."""
    import types
    from layerlab import magic
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    magic._show(b"", b"oops\n")
    assert capsys.readouterr().err == "oops\n"
    monkeypatch.setitem(sys.modules, "pyodide_kernel", types.ModuleType("pyodide_kernel"))
    magic._show(b"", b"oops\n")
    assert capsys.readouterr().err == "\x1b[31moops\n\x1b[0m"
