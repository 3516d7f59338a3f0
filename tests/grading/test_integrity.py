"""Adversarial corpus: a submission cannot pass a test it would fail, or harm the grader.

29 attacks (24 in code, 5 cell edits). Every attack starts from the same honest-but-partly-wrong submission (``partial``:
sha256_digest right, chain_id wrong, the prediction wrong: 2 of 6 autograded points) and
adds one attack. The expected result of each is *no more points than the submission
without the attack* (2.0), plus a flag (status ``flagged``, or ``failed`` with a reason
for attacks that take the kernel down). All attacks and the honest controls are graded in
one parallel batch, so the test also shows the other students are unaffected.

Some attacks are also graded with plain nbgrader execution (``isolation=False``) to show
that they are real: there they earn more than 2.0.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from autograder.grading import grade, grade_one
from autograder.synthetic import make_submission

from .util import CHAIN, TIMEOUT

pytestmark = pytest.mark.slow

BASE_SCORE = 2.0  # the `partial` submission without any attack

# name -> (answer cell to append the attack to, attack code, real attack on plain nbgrader)
ATTACKS = {
    # --- code that changes how later cells are compiled or run
    "input_transformer": ("digest_answer", """
get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])""", True),
    "cleanup_transformer": ("digest_answer", """
get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])""", True),
    "ast_transformer": ("digest_answer", """
import ast
class _DropAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(_DropAsserts())""", True),
    "custom_exception_handler": ("digest_answer", """
get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)""", False),
    "silent_traceback_and_events": ("digest_answer", """
ip = get_ipython()
ip.showtraceback = lambda *a, **k: None
def _clear(result):
    result.error_in_exec = None
ip.events.register('post_run_cell', _clear)""", False),
    "trace_rewrites_answers": ("digest_answer", """
import sys, linecache, re
def _t(frame, event, arg):
    if event == 'line':
        line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
        m = re.match(r'assert (\\w+) == (.+)$', line)
        if m:
            try:
                frame.f_globals[m.group(1)] = eval(m.group(2), frame.f_globals)
            except Exception:
                pass
    return _t
def _g(frame, event, arg):
    return _t if 'ipykernel' in frame.f_code.co_filename else None
sys.settrace(_g)""", True),
    "sys_modules_swap": ("digest_answer", """
import sys, types
_fake = types.ModuleType('hashlib')
_fake.sha256 = lambda data=b'': types.SimpleNamespace(hexdigest=lambda: '0' * 64)
sys.modules['hashlib'] = _fake
hashlib = _fake""", False),
    # --- patching builtins, the standard library, the objects the tests call
    "builtins_patch": ("predict_answer", """
import builtins
_real_isinstance = builtins.isinstance
def _isinstance(obj, cls):
    if type(obj) is float and obj == 7.0:
        return True
    return _real_isinstance(obj, cls)
builtins.isinstance = _isinstance
stored_layers = 7.0""", True),
    "shadow_builtin_name": ("predict_answer", """
def isinstance(obj, cls):
    return True
stored_layers = 7.0""", True),
    "stdlib_patch": ("digest_answer", """
import hashlib as _h
_real = _h.sha256
_h.sha256 = lambda data=b'': _real(b'')""", False),
    "always_equal_int": ("predict_answer", """
class _Seven(int):
    def __eq__(self, other):
        return True
    __hash__ = int.__hash__
stored_layers = _Seven(3)""", True),
    "always_equal_str": ("chain_answer", """
class _Any(str):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return True
    __hash__ = str.__hash__
def chain_id(diff_ids):
    return _Any('nope')""", True),
    # --- exiting, killing or wedging the kernel; forging or suppressing outputs
    "exit_kernel": ("chain_answer", "\nimport os\nos._exit(0)", False),
    "kill_grader": ("digest_answer", "\nimport os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
                    False),
    "ignore_interrupts_and_hang": ("chain_answer", """
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
def chain_id(diff_ids):
    while True:
        pass""", False),
    "forged_execute_result": ("digest_answer", """
import threading, time
_k = get_ipython().kernel
def _forge():
    while True:
        time.sleep(0.002)
        try:
            _k.session.send(_k.iopub_socket, 'execute_result',
                            {'execution_count': 1, 'data': {'text/plain': '100.0'},
                             'metadata': {}}, parent=_k.get_parent('shell'))
        except Exception:
            pass
threading.Thread(target=_forge, daemon=True).start()""", False),
    "stderr_poison": ("digest_answer", """
import threading, sys, time
def _poison():
    while True:
        sys.stderr.write('poison\\n')
        time.sleep(0.01)
threading.Thread(target=_poison, daemon=True).start()""", False),
    "replace_grader_hook": ("predict_answer", """
import builtins
builtins.__autograder_rpc__ = lambda request: None""", False),
    # --- resource abuse
    "memory_bomb": ("predict_answer", "\n_blob = bytearray(16 * 1024 ** 3)", False),
    "disk_bomb": ("predict_answer", """
with open('big.bin', 'wb') as _f:
    for _ in range(200):
        _f.write(b'x' * 1024 * 1024)""", False),
    "fork_bomb": ("predict_answer", """
import os
for _ in range(1000):
    if os.fork() == 0:
        while True:
            pass""", False),
    "endless_output": ("predict_answer", """
for _ in range(10 ** 9):
    print('x' * 1000)""", False),
    "write_outside": ("predict_answer", """
open('/tmp/autograder-integrity-owned.txt', 'w').write('owned')""", False),
    "read_solutions": ("chain_answer", """
import glob, json
for _p in glob.glob('{sources}/*.ipynb') + glob.glob('{course}/source/*/*.ipynb'):
    for _c in json.load(open(_p))['cells']:
        if 'def chain_id' in ''.join(_c['source']):
            exec(''.join(_c['source']))""", True),
}

# cell-level tampering: name -> function(notebook) editing it in place
def _cells(nb, gid):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid]


def _delete_test(nb):
    nb.cells.remove(_cells(nb, "chain_tests")[0])


def _retype_test(nb):
    cell = _cells(nb, "chain_tests")[0]
    cell.cell_type = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)


def _duplicate_first(nb):
    cell = _cells(nb, "chain_tests")[0]
    fake = nbformat.from_dict(dict(cell))
    fake.source = "pass"
    nb.cells.insert(nb.cells.index(cell), fake)


def _unlock_and_empty(nb):
    cell = _cells(nb, "chain_tests")[0]
    cell.metadata.nbgrader.update(grade=False, locked=False, solution=True, points=100)
    cell.source = "pass"


def _fake_grade_cell(nb):
    cell = nbformat.v4.new_code_cell("pass")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "bonus", "locked": True,
                                 "points": 100, "schema_version": 3, "solution": False,
                                 "task": False}
    nb.cells.append(cell)


EDITS = {"delete_test_cell": _delete_test, "retype_test_cell": _retype_test,
         "duplicate_test_cell": _duplicate_first, "unlock_test_cell": _unlock_and_empty,
         "fake_grade_cell": _fake_grade_cell}

HONEST = {
    "honest_correct": "correct", "honest_partial": "partial", "honest_blank": "untouched",
}
HONEST_EXTRA = ("honest_namedtuple", "chain_answer", """
from collections import namedtuple
import sys
Pair = namedtuple('Pair', 'a b')
print('progress note', file=sys.stdout)
def chain_id(diff_ids):
    chain = diff_ids[0]
    for d in diff_ids[1:]:
        chain = sha256_digest((chain + ' ' + d).encode())
    return str(Pair(chain, 0).a)""")


def _attack(released, dest: Path, gid: str, code: str, course_root: Path):
    make_submission(released, dest, "partial")
    nb = nbformat.read(str(dest), as_version=4)
    _cells(nb, gid)[0].source += "\n" + code.replace("{course}", str(course_root)).replace(
        "{sources}", str(CHAIN.parent))
    nbformat.write(nb, str(dest))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, released, course):
    root = tmp_path_factory.mktemp("integrity")
    subs = root / "subs"
    for name, (gid, code, _) in ATTACKS.items():
        _attack(released, subs / name / "chain.ipynb", gid, code, course.root)
    for name, edit in EDITS.items():
        dest = make_submission(released, subs / name / "chain.ipynb", "partial")
        nb = nbformat.read(str(dest), as_version=4)
        edit(nb)
        nbformat.write(nb, str(dest))
    for name, kind in HONEST.items():
        make_submission(released, subs / name / "chain.ipynb", kind)
    name, gid, code = HONEST_EXTRA
    make_submission(released, subs / name / "chain.ipynb", "partial")
    nb = nbformat.read(str(subs / name / "chain.ipynb"), as_version=4)
    _cells(nb, gid)[0].source = code
    nbformat.write(nb, str(subs / name / "chain.ipynb"))
    if os.path.exists("/tmp/autograder-integrity-owned.txt"):
        os.remove("/tmp/autograder-integrity-owned.txt")
    results = grade(subs, [CHAIN], root / "out", jobs=2, timeout=TIMEOUT)
    return {r.student: r for r in results}, subs, root


@pytest.mark.parametrize("name", sorted(ATTACKS) + sorted(EDITS))
def test_attack_is_defeated_and_flagged(corpus, name):
    """Does the attack earn no more than the same submission without it, with a flag?"""
    results, _, _ = corpus
    r = results[name]
    assert r.status in ("flagged", "failed"), (r.status, r.reason)
    assert r.reason, "a flagged or failed submission must say why"
    if r.status == "flagged":
        assert "flagged for review" in r.reason
        assert r.score is not None and r.score <= BASE_SCORE, (r.score, r.reason)


def test_honest_controls_match_plain_nbgrader(corpus, course, tmp_path):
    """Are right, partly right, blank and unusual-but-honest submissions graded exactly as
    plain nbgrader grades them, without flags?"""
    results, subs, _ = corpus
    for name in [*HONEST, HONEST_EXTRA[0]]:
        defended = results[name]
        plain = grade_one(course.root, "chain", name, subs / name / "chain.ipynb",
                          timeout=TIMEOUT, feedback=False, isolation=False)
        assert defended.status == "graded", (name, defended.reason)
        assert (defended.score, defended.max_score) == (plain.score, plain.max_score), name
        assert [c["score"] for c in defended.cells] == [c["score"] for c in plain.cells]
    assert results["honest_correct"].score == 6.0
    assert results["honest_namedtuple"].score == 5.0  # chain right now, prediction wrong


@pytest.mark.parametrize("name", sorted(n for n, (_, _, real) in ATTACKS.items() if real))
def test_attack_is_real_on_plain_nbgrader(corpus, course, name):
    """Without the defenses, does the attack really earn more than the base submission?"""
    _, subs, _ = corpus
    plain = grade_one(course.root, "chain", name, subs / name / "chain.ipynb",
                      timeout=TIMEOUT, feedback=False, isolation=False)
    assert plain.status == "graded" and plain.score > BASE_SCORE, (plain.score, plain.reason)


def test_grader_and_filesystem_unharmed(corpus):
    """Did the grader survive (every student graded) and nothing get written outside?"""
    results, _, _ = corpus
    assert not os.path.exists("/tmp/autograder-integrity-owned.txt")
    assert "sandbox refused writing" in results["write_outside"].reason
    assert "os.kill" in results["kill_grader"].reason
    assert "reading" in results["read_solutions"].reason
    assert results["honest_correct"].score == 6.0


def test_flags_reach_the_feedback(corpus):
    """Is the reason for a flag shown to the student in the feedback page?"""
    _, _, root = corpus
    html = (root / "out" / "feedback" / "always_equal_int" / "chain.html").read_text()
    assert "flagged for review" in html and "subclass of int" in html
