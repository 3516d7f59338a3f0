"""The practice release of every chapter, executed like a learner would (nbclient, Run All):

* untouched, every check says "not answered yet" and the whole chapter runs (no cell raises);
* with the model answers, every check says right and offers the model answer;
* with a wrong answer (the model answer's values spoiled: a number +1, a list one item short, a
  function whose result is spoiled the same way), the check says "not yet" with the hint of an
  assert of the source's tests;
* no instructor artefact is left (nbgrader metadata, grade ids, nbval markers, solution and
  hidden-test text), and no top-level ``raise NotImplementedError()``.

Works for any chapter that follows the brief's nbgrader conventions."""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from autograder.practice import exercises, strip_markers

from ..notebooks.nbtools import CHAPTERS, execute
from .secrets import leaks

# the course's chapters, and a synthetic one with every exercise shape (tests/course/make_fixtures.py)
FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.ipynb"))
PATHS = CHAPTERS + FIXTURES
IDS = [p.stem for p in PATHS]


@pytest.fixture
def practice_of(tmp_path):
    """The practice release of one source notebook (with its folder's assets), in a temp folder."""
    def build(path):
        from autograder.practice import release_practice

        out = tmp_path / "practice"
        release_practice([path], out)
        return out
    return build

SPOIL = '''\
def _spoil(v):
    if isinstance(v, bool):
        return not v
    if isinstance(v, int):
        return v + 1
    if isinstance(v, float):
        return v * 2 + 1
    if isinstance(v, str):
        return v + " (spoiled)"
    if isinstance(v, (list, tuple)):
        return type(v)(list(v)[:-1]) if v else type(v)(["spoiled"])
    if isinstance(v, dict):
        return dict(list(v.items())[:-1]) if v else {"spoiled": 1}
    if isinstance(v, (set, frozenset)):
        return type(v)(list(v)[:-1]) if v else type(v)({"spoiled"})
    if callable(v):
        return lambda *a, _f=v, **k: _spoil(_f(*a, **k))
    return None
for _name in NAMES:
    globals()[_name] = _spoil(globals()[_name])
'''


def _code(cid, source):
    return {"cell_type": "code", "id": cid, "metadata": {}, "execution_count": None, "outputs": [],
            "source": source}


def _outputs_text(cell) -> str:
    parts = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            parts.append(o.get("text", ""))
        elif "data" in o:
            parts.append(o["data"].get("text/plain", "") + "\n" + o["data"].get("text/html", ""))
    return "\n".join(parts)


def _errors(nb):
    return [f"{c.get('id')}: {o.get('ename')}: {o.get('evalue')}" for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


def _assert_messages(tests: str) -> list[str]:
    """The constant messages of the asserts in a test cell (hints the practice check may show)."""
    try:
        tree = ast.parse(tests)
    except SyntaxError:
        return []
    def leading_text(msg):
        """The constant text a message starts with: a string, an f-string's text up to its
        first {...}, the left side of ``"text" + value``."""
        if isinstance(msg, ast.Constant) and isinstance(msg.value, str):
            return msg.value
        if isinstance(msg, ast.JoinedStr):
            head = ""
            for part in msg.values:
                if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
                    break
                head += part.value
            return head
        if isinstance(msg, ast.BinOp) and isinstance(msg.op, (ast.Add, ast.Mod)):
            return leading_text(msg.left)
        if isinstance(msg, ast.Call) and isinstance(msg.func, ast.Attribute) and msg.func.attr == "format":
            return leading_text(msg.func.value).split("{", 1)[0]
        return ""

    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert) and node.msg is not None:
            out.append(leading_text(node.msg))
    return out


def _source(path):
    return json.loads(path.read_text())


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_practice_notebook_has_no_instructor_artefacts(path, practice_of):
    practice_dir = practice_of(path)
    practice = practice_dir / path.name
    text = practice.read_text()
    nb = json.loads(text)
    assert not any("nbgrader" in (c.get("metadata") or {}) for c in nb["cells"]), "nbgrader metadata left"
    assert "nbgrader" not in nb.get("metadata", {}) and '"grade_id"' not in text
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "NBVAL_"):
        assert marker not in text, f"{practice.name} still contains {marker!r}"
    for cell in nb["cells"]:
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        assert "\nraise NotImplementedError" not in "\n" + src, f"cell {cell['id']} raises at the top level"
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
    assert "widgets" not in nb.get("metadata", {})
    found = leaks(practice_dir, [path])
    assert not found, "the practice notebook shows answers in plain text:\n" + "\n".join(found)
    src_ex = exercises(_source(path))
    assert src_ex, f"{path.name} has no exercise the practice release recognises"
    assert text.count("practice.check(") + text.count("practice.reflect(") == len(src_ex)


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_untouched_practice_chapter_runs_to_the_end_and_says_not_answered(path, practice_of):
    practice_dir = practice_of(path)
    nb, seconds = execute(practice_dir / path.name)
    assert not _errors(nb), f"Run All stopped: {_errors(nb)}"
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code" and c.source.strip())
    checks = [c for c in nb.cells if c.cell_type == "code" and "from layerlab import practice" in c.source]
    assert checks
    for c in checks:
        text = _outputs_text(c)
        assert "Not answered yet" in text, f"{path.name} cell {c.id}: {text[:300]}"
        assert "model answer" not in text.lower(), "the model answer shows before any try"


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_model_answers_are_right_and_spoiled_ones_are_not_yet_with_a_hint(path, practice_of, tmp_path):
    practice_dir = practice_of(path)
    import nbformat

    source = _source(path)
    src_cells = source["cells"]
    nb = json.loads((practice_dir / path.name).read_text())
    by_id = {c["id"]: i for i, c in enumerate(nb["cells"])}
    plan = []   # (exercise, check cell id, spoiled re-check cell id or None, hints)
    inserts = []
    for ex in exercises(source):
        if ex.kind == "written":
            answer_id = src_cells[ex.test_cell]["id"]
            nb["cells"][by_id[answer_id]]["source"] = f"{ex.names[0]} = {ex.model!r}\n"
            plan.append((ex, f"{answer_id}-check", None, []))
            continue
        for j in ex.answer_cells:
            src = "".join(src_cells[j]["source"])
            nb["cells"][by_id[src_cells[j]["id"]]]["source"] = strip_markers(src)
        check_id = src_cells[ex.test_cell]["id"]
        check_src = nb["cells"][by_id[check_id]]["source"]
        restore = "\n".join(strip_markers("".join(src_cells[j]["source"])) for j in ex.answer_cells)
        spoil_id = f"{check_id}-spoiled"
        inserts.append((check_id, [_code(f"{check_id}-spoil", f"NAMES = {ex.names!r}\n" + SPOIL),
                                   _code(spoil_id, check_src),
                                   _code(f"{check_id}-restore", restore)]))
        plan.append((ex, check_id, spoil_id, _assert_messages(ex.tests)))
    for after, cells in reversed(inserts):
        i = next(k for k, c in enumerate(nb["cells"]) if c["id"] == after)
        nb["cells"][i + 1:i + 1] = cells
    filled = tmp_path / "filled" / path.name
    filled.parent.mkdir()
    filled.write_text(json.dumps(nb))
    for asset in practice_dir.iterdir():
        if asset.suffix != ".ipynb":
            (filled.parent / asset.name).write_bytes(asset.read_bytes())
    ran, _ = execute(filled)
    assert not _errors(ran), _errors(ran)
    out = {c.id: _outputs_text(c) for c in ran.cells if c.cell_type == "code"}
    for ex, check_id, spoil_id, hints in plan:
        text = out[check_id]
        if ex.kind == "written":
            assert "Answer written" in text and "Show the model answer and mark scheme" in text, text[:500]
            continue
        assert "Right! Every check passes." in text, f"{ex.key}: the model answer is not right: {text[:500]}"
        assert "Show the model answer" in text
        spoiled = out[spoil_id]
        assert "Not yet: " in spoiled, f"{ex.key}: a spoiled answer is not 'not yet': {spoiled[:500]}"
        hint = spoiled.split("Not yet: ", 1)[1].split("\n", 1)[0]
        assert hint.strip(), f"{ex.key}: no hint"
        if hints:
            assert any((h in hint if h else True) or hint.startswith(h) for h in hints) \
                or hint.startswith("your code raised"), (
                f"{ex.key}: the hint {hint!r} is not one of the tests' assert messages")
    nbformat.validate(nbformat.reads(json.dumps(nb), as_version=4))
