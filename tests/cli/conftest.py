"""Helpers for the CLI tests: run docker command lines against the ``engine`` fixture, and look
up what the real docker printed for the same command in tests/oracle/OBSERVED.md."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

OBSERVED_MD = Path(__file__).resolve().parents[1] / "oracle" / "OBSERVED.md"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def __iter__(self):
        return iter((self.out, self.err, self.code))


@pytest.fixture
def dk(engine):
    """``dk("ps -a")`` runs one docker command line on the engine (UTC, no TTY)."""
    from layerlab.cli import run
    from layerlab.cli.format.formatter import UTC

    def call(cmd, stdin: bytes = b"", env: dict | None = None) -> Result:
        code, out, err = run(cmd, engine, stdin=stdin, env=env or {}, tz=UTC)
        return Result(code, out.decode("utf-8", "surrogateescape"), err.decode("utf-8", "surrogateescape"))
    call.engine = engine
    return call


@dataclass
class Observed:
    cmd: str
    out: str
    err: str
    code: int


def _parse_observed() -> list[Observed]:
    text = OBSERVED_MD.read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(\$ .*?)\n```", text, flags=re.S)
    out = []
    for b in blocks:
        m = re.match(r"\$ (.*?)\n(.*)\[exit (\d+)\]$", b, flags=re.S)
        if not m:
            continue
        cmd, body, code = m.group(1), m.group(2), int(m.group(3))
        if "\n[stderr]\n" in "\n" + body:
            so, _, se = ("\n" + body).partition("\n[stderr]\n")
            so = so[1:]
            so = so + "\n" if so else ""
        else:
            so, se = body, ""
        out.append(Observed(cmd, so, se, code))
    return out


_OBS: list[Observed] | None = None


def observed(cmd: str, nth: int = 0) -> Observed:
    """The ``nth`` transcript entry of OBSERVED.md whose command is exactly ``cmd``."""
    global _OBS
    if _OBS is None:
        _OBS = _parse_observed()
    hits = [o for o in _OBS if o.cmd == cmd]
    if len(hits) <= nth:
        raise KeyError(f"not in OBSERVED.md: {cmd!r}")
    return hits[nth]


def norm_ids(text: str) -> str:
    """Replace image/container IDs with same-length placeholders (column widths unchanged)."""
    text = re.sub(r"\b[0-9a-f]{64}\b", "X" * 64, text)
    return re.sub(r"\b[0-9a-f]{12}\b", "X" * 12, text)


_TIME = (r"(?:Less than a second|\d+ seconds?|About a minute|\d+ minutes|About an hour|\d+ hours|"
         r"\d+ days|\d+ weeks|\d+ months|\d+ years)")


def cells(text: str) -> list[list[str]]:
    """A table as its cells (split on runs of 2+ spaces), IDs and relative times normalized."""
    text = norm_ids(text)
    text = re.sub(_TIME + " ago", "T ago", text)
    text = re.sub(r"Up " + _TIME, "Up T", text)
    return [re.split(r" {2,}", ln.rstrip()) for ln in text.splitlines()]
