"""Fast checks of the pieces of a term: exercise names in reasons, timeouts in visible
checks, the thread probe, the Canvas file-name parser."""

from __future__ import annotations

import sys
import threading
import time

from autograder.feedback import _short_traceback, make_offline
from autograder.gradebook import exercise_titles, name_cells
from autograder.ingest import ingest
from autograder.synthetic import chain_notebook


def test_reasons_name_exercises_not_cell_indexes():
    nb = chain_notebook()
    titles = exercise_titles(nb)
    assert titles["digest_answer"] == "Exercise 1" and titles["why_answer"] == "Exercise 4"
    index = next(i for i, c in enumerate(nb.cells)
                 if c.metadata.get("nbgrader", {}).get("grade_id") == "chain_answer")
    text = name_cells(f"cell {index + 1} ran out of memory (sandbox memory limit)", nb, titles)
    assert text.startswith("a cell of Exercise 2 (chain_answer) ran out of memory")
    text = name_cells(f"answer cell {index + 1} calls exec", nb, titles)
    assert text == "the answer to Exercise 2 (chain_answer) calls exec"


def test_hang_in_visible_check_is_not_blamed_on_hidden_tests():
    source = "assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(3)\n### END HIDDEN TESTS"
    out = {"ename": "CellTimeoutError", "evalue": "cell ran past 5 s", "traceback": []}
    (line,) = _short_traceback(out, source, {2, 3, 4})
    assert "hidden test" not in line and "time limit" in line
    out = {"ename": "AssertionError", "evalue": "", "traceback": ["Cell In[3], line 3"]}
    assert "raised by a hidden test" in _short_traceback(out, source, {2, 3, 4})[0]


def test_thread_probe_ignores_kernel_machinery_counts_student_threads():
    from autograder import sandbox

    stop = threading.Event()
    t = threading.Thread(target=lambda: stop.wait(10), daemon=True)
    t.start()
    try:
        time.sleep(0.05)
        assert not sandbox._machinery_thread(sys._current_frames()[t.ident])
    finally:
        stop.set()
        t.join()
    # a thread running only IPython's code (as its history-saving thread, restarted
    # after a fork, does) is the kernel's own
    import IPython.core.history as history

    ns: dict = {}
    exec(compile("def wait(ev):\n    ev.wait(10)\n", history.__file__, "exec"), ns)
    t = threading.Thread(target=ns["wait"], args=(stop,), daemon=True)
    stop.clear()
    t.start()
    try:
        time.sleep(0.05)
        assert sandbox._machinery_thread(sys._current_frames()[t.ident])
    finally:
        stop.set()
        t.join()


def test_offline_feedback_drops_cdn_scripts(tmp_path):
    page = tmp_path / "p.html"
    page.write_text('<head><script type="text/x-mathjax-config">MathJax.Hub.Config({});'
                    '</script>\n<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/'
                    '2.7.7/MathJax.js?config=TeX-AMS_HTML"></script>\n<style>x</style></head>')
    make_offline(page)
    text = page.read_text()
    assert "cdnjs" not in text and "MathJax.Hub" not in text and "<style>x</style>" in text


def test_canvas_names(tmp_path):
    for name in ("smithalice_12345_67890_01-layer-architecture.ipynb",
                 "doebob_LATE_222_333_01-layer-architecture-2.ipynb",
                 "roecy_444_555_other.ipynb"):
        (tmp_path / name).write_text("{}")
    found = ingest(tmp_path, ["01-layer-architecture"])
    assert found.layout == "canvas"
    assert sorted(found.files) == [("doebob", "01-layer-architecture"),
                                   ("smithalice", "01-layer-architecture")]
    assert found.students["smithalice"] == {"lms_user_id": "12345"}
    assert found.empty == {"roecy": ["other.ipynb"]}


def test_zmq_zero_copy_thread_is_machinery():
    """The cause of "started 1 background thread" for long honest output: pyzmq's
    garbage-collector thread, started by the first zero-copy send (> 64 KB)."""
    from autograder import sandbox
    from zmq.utils.garbage import gc

    before = set(sys._current_frames())
    gc.start()
    try:
        new = [f for i, f in sys._current_frames().items() if i not in before]
        assert new and all(sandbox._machinery_thread(f) for f in new)
    finally:
        gc.stop()
