"""Time and randomness, injectable so that a notebook re-run prints the same thing.

A :class:`Clock` starts at a fixed instant and moves only when told to (``tick``/``advance``);
:class:`IdGenerator` gives docker-shaped random IDs (64 hex digits) from a seed.
"""
from __future__ import annotations

import hashlib
import time as _time
from datetime import datetime, timezone

NS = 1_000_000_000
DEFAULT_EPOCH = int(datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc).timestamp()) * NS


class Clock:
    """Deterministic clock in nanoseconds. ``step`` is added on every :meth:`tick`."""

    def __init__(self, start_ns: int = DEFAULT_EPOCH, step_ns: int = 1_000_000):
        self.now_ns = start_ns
        self.step_ns = step_ns

    def __call__(self) -> int:
        return self.now_ns

    def tick(self) -> int:
        self.now_ns += self.step_ns
        return self.now_ns

    def advance(self, seconds: float) -> int:
        self.now_ns += int(seconds * NS)
        return self.now_ns


class WallClock(Clock):
    """The real time, for the CLI outside notebooks."""

    def __init__(self) -> None:
        super().__init__(_time.time_ns(), 0)

    def __call__(self) -> int:
        self.now_ns = _time.time_ns()
        return self.now_ns

    def tick(self) -> int:
        return self()

    def advance(self, seconds: float) -> int:
        return self()


class IdGenerator:
    """64-hex IDs from a seed: sha256(seed, counter). Same seed, same IDs."""

    def __init__(self, seed: int | str = 0):
        self.seed = str(seed)
        self.counter = 0

    def hex64(self) -> str:
        self.counter += 1
        return hashlib.sha256(f"layerlab:{self.seed}:{self.counter}".encode()).hexdigest()

    def alnum(self, n: int = 26) -> str:
        """An overlay2 short link name: 26 upper-case letters and digits."""
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        h = int(self.hex64(), 16)
        out = []
        for _ in range(n):
            h, r = divmod(h, len(alphabet))
            out.append(alphabet[r])
        return "".join(out)


def rfc3339nano(ns: int) -> str:
    """Go's time.RFC3339Nano in UTC: fractional seconds with trailing zeros trimmed."""
    secs, frac = divmod(ns, NS)
    base = datetime.fromtimestamp(secs, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        base += "." + f"{frac:09d}".rstrip("0")
    return base + "Z"


def parse_rfc3339(text: str) -> int:
    """Nanoseconds from an RFC 3339 timestamp (``Z`` or an offset; up to 9 fraction digits)."""
    text = text.strip()
    if text.endswith("Z"):
        text, off = text[:-1], "+00:00"
    else:
        off = text[-6:]
        text = text[:-6]
    frac = 0
    if "." in text:
        text, f = text.split(".", 1)
        frac = int((f + "000000000")[:9])
    dt = datetime.fromisoformat(text + off)
    return int(dt.timestamp()) * NS + frac
