"""Self-checks of the practice release: *right*, *not yet* (with a hint), or *not answered yet*.

The practice release (``autograder release --practice``) turns each exercise's test cell into a
cell like::

    from layerlab import practice
    practice.check("ex1", globals(), "eNqVU8Fu2zAM...")

The third argument is the exercise's data — its visible checks, hidden tests, model answer and
answer names — as JSON compressed with zlib and encoded in base64. That keeps the hidden tests and
the model answer out of sight while the learner works. It **hides, it does not secure**: anyone can
decode it (``practice.decode(...)``). Grade with the graded release, never with the practice one.

The check runs in the learner's own kernel: the tests see the notebook's variables (on a copy of
the namespace, so their ``_names`` do not leak into it). The verdict:

* **not answered yet** — an answer name is undefined (``NameError``), is ``...``, or the answer
  raises ``NotImplementedError``: nothing counts as tried, Run All goes on;
* **not yet: <hint>** — an ``assert`` failed; its message is the hint (why it is not right yet).
  Any other exception in the learner's code is reported by type and message;
* **right** — every check passed.

Once the learner has tried (right or not yet), the output also offers the model answer behind a
"Show the model answer" toggle. Written answers (``practice.reflect``) show the model answer and
its mark scheme for self-assessment once the learner has written something.

Pure Python (stdlib only), so it works in JupyterLite too, where nbgrader is absent. Nothing is
ever raised into the notebook: a check cell always completes.
"""
from __future__ import annotations

import base64
import builtins
import contextlib
import html
import io
import json
import zlib

__all__ = ["check", "reflect", "evaluate", "encode", "decode", "Verdict", "attempts", "last"]

RIGHT, NOT_YET, NOT_ANSWERED = "right", "not yet", "not answered yet"
WRITTEN = "written"   # a written answer: graded by a person, self-assessed in practice

# the verdict of the last check or reflect call (the cells show it; they return None so the
# notebook does not display it twice)
last: "Verdict | None" = None

# exercise id -> number of tries (a verdict of right or not yet); the model answer is shown
# from the first try on
attempts: dict[str, int] = {}

# a written answer whose text is still one of these counts as not answered
_PLACEHOLDERS = ("", "your answer here", "write your answer here")


def encode(data: dict) -> str:
    """``data`` as zlib-compressed JSON in base64 (what a practice check cell carries)."""
    return base64.b64encode(zlib.compress(json.dumps(data, sort_keys=True).encode(), 9)).decode("ascii")


def decode(payload: str) -> dict:
    """The exercise data a practice check cell carries (the inverse of :func:`encode`)."""
    return json.loads(zlib.decompress(base64.b64decode("".join(payload.split()))).decode())


class Verdict:
    """What a check found. ``status`` is ``"right"``, ``"not yet"`` or ``"not answered yet"``;
    ``hint`` says why (empty when right); ``model`` is the model answer once the learner tried."""

    def __init__(self, exercise: str, title: str, status: str, hint: str = "",
                 model: str = "", mark_scheme: str = "", language: str = "python"):
        self.exercise, self.title, self.status, self.hint = exercise, title, status, hint
        self.model, self.mark_scheme, self.language = model, mark_scheme, language

    @property
    def right(self) -> bool:
        return self.status == RIGHT

    def __repr__(self) -> str:
        return f"Verdict({self.exercise!r}, {self.status!r}, hint={self.hint!r})"

    def headline(self) -> str:
        if self.status == RIGHT:
            return "Right! Every check passes."
        if self.status == WRITTEN:
            return (f"Answer written ({self.hint}). A person grades written answers: compare yours "
                    "with the model answer and its mark scheme.")
        if self.status == NOT_ANSWERED:
            return "Not answered yet" + (f": {self.hint}" if self.hint else ".")
        return f"Not yet: {self.hint}"

    # ------------------------------------------------------------------ display
    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.text(), "text/html": self.html()}

    def text(self) -> str:
        lines = [f"{self.title}: {self.headline()}" if self.title else self.headline()]
        if self.status == NOT_ANSWERED:
            lines.append("Write your answer in the cell above, run it, then run this check again.")
        elif self.model:
            lines.append("Model answer (compare with yours):")
            lines.extend("    " + ln for ln in self.model.rstrip().splitlines())
            if self.mark_scheme:
                lines.append(self.mark_scheme)
        return "\n".join(lines)

    def html(self) -> str:
        colour = {RIGHT: ("#1b5e20", "#e8f5e9", "#43a047"), NOT_YET: ("#8a4b00", "#fff3e0", "#ef6c00"),
                  NOT_ANSWERED: ("#37474f", "#eceff1", "#90a4ae"),
                  WRITTEN: ("#0d47a1", "#e3f2fd", "#1e88e5")}[self.status]
        icon = {RIGHT: "&#10004;", NOT_YET: "&#10007;", NOT_ANSWERED: "&#8230;", WRITTEN: "&#9998;"}[self.status]
        parts = [f'<div class="layerlab-practice layerlab-practice-{self.status.replace(" ", "-")}" '
                 f'style="color:{colour[0]};background:{colour[1]};border-left:4px solid {colour[2]};'
                 f'padding:6px 10px;margin:2px 0;max-width:100%;box-sizing:border-box;overflow-wrap:anywhere">']
        title = f"<b>{html.escape(self.title)}</b> &middot; " if self.title else ""
        parts.append(f"<div>{icon} {title}{html.escape(self.headline())}</div>")
        if self.status == NOT_ANSWERED:
            parts.append("<div style='font-size:90%'>Write your answer in the cell above, run it, "
                         "then run this check again.</div>")
        elif self.model:
            label = "Show the model answer and mark scheme" if self.mark_scheme else "Show the model answer"
            if self.language == "markdown":
                body = (f"<blockquote style='white-space:pre-wrap;margin:4px 0'>"
                        f"{html.escape(self.model.strip())}</blockquote>")
            else:
                body = (f"<pre style='white-space:pre-wrap;background:#fafafa;color:#212121;padding:6px;"
                        f"margin:4px 0'>{html.escape(self.model.rstrip())}</pre>")
            if self.mark_scheme:
                body += f"<div>{html.escape(self.mark_scheme)}</div>"
            parts.append(f"<details style='margin-top:4px'><summary style='cursor:pointer'>{label}"
                         f"</summary>{body}</details>")
        parts.append("</div>")
        return "".join(parts)


def _display(verdict: Verdict) -> None:
    global last
    last = verdict
    try:
        from IPython.display import display
        from IPython import get_ipython
        if get_ipython() is not None:
            display(verdict)
            return None
    except Exception:  # pragma: no cover - IPython missing or broken: plain text
        pass
    print(verdict.text())
    return None


def _unanswered(exc: BaseException) -> bool:
    return isinstance(exc, (NameError, NotImplementedError))


def _hint_of(exc: BaseException) -> str:
    if isinstance(exc, AssertionError):
        msg = str(exc).strip()
        return msg or "one of the hidden checks does not pass yet (it gives no hint)"
    return f"your code raised {type(exc).__name__}: {exc}"


def evaluate(exercise: str, namespace: dict, data: dict) -> Verdict:
    """Run the exercise's checks on ``namespace`` and return the verdict (nothing displayed).

    ``data`` holds ``title``, ``tests`` (Python source: the visible checks then the hidden
    tests), ``names`` (the names the answer must define) and ``model`` (the model answer).
    """
    title = data.get("title", "")
    for name in data.get("names", []):
        if name not in namespace and not hasattr(builtins, name):
            return Verdict(exercise, title, NOT_ANSWERED, f"`{name}` is not defined")
        value = namespace.get(name, None)
        if value is Ellipsis or (isinstance(value, (list, tuple)) and any(v is Ellipsis for v in value)):
            return Verdict(exercise, title, NOT_ANSWERED, f"`{name}` still holds `...`")
    scope = dict(namespace)   # the tests' own _names stay out of the learner's namespace
    sink = io.StringIO()
    try:
        code = compile(data.get("tests", ""), f"<check {exercise}>", "exec")
        with contextlib.redirect_stdout(sink):
            exec(code, scope)
    except Exception as exc:  # noqa: BLE001 - any failure is a verdict, never a traceback
        if _unanswered(exc):
            hint = (f"`{exc.name}` is not defined" if isinstance(exc, NameError) and getattr(exc, "name", None)
                    else "the answer still raises NotImplementedError"
                    if isinstance(exc, NotImplementedError) else str(exc))
            return Verdict(exercise, title, NOT_ANSWERED, hint)
        status, hint = NOT_YET, _hint_of(exc)
    else:
        status, hint = RIGHT, ""
    attempts[exercise] = attempts.get(exercise, 0) + 1
    return Verdict(exercise, title, status, hint, model=data.get("model", ""))


def check(exercise: str, namespace: dict, payload: str) -> None:
    """Check exercise ``exercise`` against the notebook's ``namespace`` (pass ``globals()``)
    and show the verdict (also kept in ``practice.last``). Never raises."""
    try:
        data = decode(payload)
    except Exception as exc:  # noqa: BLE001
        return _display(Verdict(exercise, "", NOT_YET, f"this check cell was changed and cannot be read ({exc})"))
    return _display(evaluate(exercise, namespace, data))


def reflect(exercise: str, namespace: dict, payload: str) -> None:
    """A written answer: once the variable ``data["names"][0]`` holds some text, show the model
    answer and its mark scheme so the learner can assess their own answer."""
    try:
        data = decode(payload)
    except Exception as exc:  # noqa: BLE001
        return _display(Verdict(exercise, "", NOT_YET, f"this cell was changed and cannot be read ({exc})"))
    name = (data.get("names") or ["answer"])[0]
    title = data.get("title", "")
    text = namespace.get(name)
    if not isinstance(text, str) or text.strip().lower().rstrip(".") in _PLACEHOLDERS:
        return _display(Verdict(exercise, title, NOT_ANSWERED,
                                f"write your answer as text in `{name}`"))
    attempts[exercise] = attempts.get(exercise, 0) + 1
    words = len(text.split())
    return _display(Verdict(exercise, title, WRITTEN, f"{words} word{'s' if words != 1 else ''}",
                            model=data.get("model", ""), mark_scheme=data.get("mark_scheme", ""),
                            language="markdown"))
