"""layerlab.practice (the learner-side check) and autograder.practice (the release transform),
driven from Python: every verdict, and the rules for blanking answer cells."""
from __future__ import annotations

from autograder.practice import answer_names, blank_answer, strip_markers
from layerlab import practice

DATA = {"title": "Exercise 1", "names": ["n"], "model": "n = 3\n",
        "tests": "assert isinstance(n, int), 'n must be an int'\n_seen = True\n"
                 "assert n == 3, 'not yet three: count again'\n"}


def _verdict(ns, data=DATA, ex="t"):
    return practice.evaluate(ex, ns, data)


def test_payload_round_trip_hides_the_text():
    payload = practice.encode(DATA)
    assert "count again" not in payload and practice.decode(payload) == DATA


def test_not_answered_yet_for_undefined_ellipsis_and_not_implemented():
    practice.attempts.clear()
    assert _verdict({}).status == practice.NOT_ANSWERED
    assert _verdict({"n": ...}).status == practice.NOT_ANSWERED
    assert _verdict({"n": [1, ...]}).status == practice.NOT_ANSWERED

    def f():
        raise NotImplementedError()
    data = dict(DATA, names=["f"], tests="assert f() == 1, 'no'\n")
    v = _verdict({"f": f}, data)
    assert v.status == practice.NOT_ANSWERED and "NotImplementedError" in v.hint
    assert not practice.attempts and not v.model, "not answered is not a try: no model answer"


def test_not_yet_shows_the_asserts_message_and_right_says_so_with_the_model_answer():
    practice.attempts.clear()
    v = _verdict({"n": 4})
    assert v.status == practice.NOT_YET and v.hint == "not yet three: count again"
    assert v.model == "n = 3\n" and "Show the model answer" in v.html()
    v = _verdict({"n": "3"})
    assert v.hint == "n must be an int"
    ok = _verdict({"n": 3})
    assert ok.right and "Right!" in ok.text() and practice.attempts["t"] == 3


def test_other_exceptions_are_a_hint_not_a_traceback_and_the_namespace_stays_clean():
    ns = {"n": 3}
    _verdict(ns)
    assert "_seen" not in ns, "a test's own names leaked into the learner's namespace"
    data = dict(DATA, tests="assert n.missing_attribute, 'x'\n")
    v = _verdict({"n": 3}, data)
    assert v.status == practice.NOT_YET and v.hint.startswith("your code raised AttributeError")


def test_check_and_reflect_never_raise_and_display_once(capsys):
    assert practice.check("t", {"n": 3}, "not a payload") is None
    assert practice.last.status == practice.NOT_YET and "cannot be read" in practice.last.hint
    written = practice.encode({"title": "Ex 3", "names": ["ex3_answer"], "model": "Because.",
                               "mark_scheme": "**Mark scheme (1 point):** because"})
    practice.reflect("ex3", {"ex3_answer": "\n\n"}, written)
    assert practice.last.status == practice.NOT_ANSWERED
    practice.reflect("ex3", {"ex3_answer": "It stays in the lower layer."}, written)
    assert practice.last.status == practice.WRITTEN and "6 words" in practice.last.hint
    assert "Mark scheme" in practice.last.text()
    out = capsys.readouterr().out     # no IPython here: plain text, once per call
    assert out.count("Ex 3") == 2


def test_blank_answers_never_raise_at_the_top_level():
    top = "# Replace me\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n"
    assert blank_answer(top) == "# Replace me\n# Your answer here\n"
    inside = "def f(a):\n    ### BEGIN SOLUTION\n    return a\n    ### END SOLUTION\n"
    assert blank_answer(inside) == "def f(a):\n    raise NotImplementedError()  # your code here\n"
    in_list = "cmds = [\n    ### BEGIN SOLUTION\n    'docker ps',\n    ### END SOLUTION\n]\n"
    assert "...\n]" in blank_answer(in_list)
    assert strip_markers(inside) == "def f(a):\n    return a\n"


def test_answer_names_are_what_the_solution_defines():
    assert answer_names("import hashlib\n\ndef chain_ids(d):\n    ### BEGIN SOLUTION\n    return d\n    ### END SOLUTION\n") == ["chain_ids"]
    assert answer_names("%docker ps\n### BEGIN SOLUTION\na = 1\nb, c = 2, 3\n### END SOLUTION\n") == ["a", "b", "c"]
    assert answer_names("### BEGIN SOLUTION\nimport os\nx = os.sep\n### END SOLUTION\n") == ["x"]
