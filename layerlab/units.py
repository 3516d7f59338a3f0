"""Ports of docker/go-units (``size.go``, ``duration.go``) and of the Go
float formatting they rely on.

Everything here reproduces Go output byte for byte; each function names the
Go source it follows.  Pure standard library.

* :func:`go_format_float` / :func:`go_format_g` — ``strconv.FormatFloat`` /
  ``fmt.Sprintf("%.*g")`` (Go ``strconv/ftoa.go`` ``formatDigits``).
* :func:`human_size_with_precision`, :func:`human_size`, :func:`bytes_size`,
  :func:`custom_size` — go-units ``size.go``.
* :func:`from_human_size`, :func:`ram_in_bytes` — go-units ``parseSize``.
* :func:`human_duration` — go-units ``duration.go`` ``HumanDuration``.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, Context, Decimal

__all__ = [
    "GoUnitsError",
    "go_format_float",
    "go_format_g",
    "custom_size",
    "human_size_with_precision",
    "human_size",
    "bytes_size",
    "from_human_size",
    "ram_in_bytes",
    "human_duration",
    "human_duration_ns",
    "KB", "MB", "GB", "TB", "PB", "KiB", "MiB", "GiB", "TiB", "PiB",
]

# ---------------------------------------------------------------------------
# Go float formatting (strconv/ftoa.go)
# ---------------------------------------------------------------------------


def _decimal_digits(x: float, prec: int) -> tuple[str, int]:
    """Return ``(digits, dp)`` for ``abs(x)`` like Go's ``decimalSlice``.

    ``digits`` has no trailing zeros (Go trims them after rounding) and the
    value is ``0.digits * 10**dp``.  ``prec < 0`` asks for the shortest
    digits that round-trip (Go's Ryu/Grisu shortest mode; Python's ``repr``
    produces the same shortest, closest digit string).  Otherwise the exact
    binary value is rounded to ``prec`` significant digits, halves to even,
    as Go's ``ryuFtoaFixed64`` / ``decimal.Round`` do.
    """
    ax = abs(x)
    if ax == 0:
        return "", 0
    if prec < 0:
        d = Decimal(repr(ax))
    else:
        d = Context(prec=max(prec, 1), rounding=ROUND_HALF_EVEN).plus(Decimal(ax))
    _, dtuple, exp = d.as_tuple()
    digits = "".join(map(str, dtuple)).rstrip("0")
    dp = len(dtuple) + exp  # position of the decimal point
    if not digits:
        return "", 0
    return digits, dp


def _fmt_e(neg: bool, digits: str, dp: int, prec: int, ch: str) -> str:
    """Go ``fmtE``: ``d.ddddde±dd`` with exactly ``prec`` decimals."""
    out = "-" if neg else ""
    out += digits[0] if digits else "0"
    if prec > 0:
        frac = digits[1 : 1 + prec]
        out += "." + frac + "0" * (prec - len(frac))
    exp = dp - 1 if digits else 0
    sign = "-" if exp < 0 else "+"
    exp = abs(exp)
    return f"{out}{ch}{sign}{exp:02d}"


def _fmt_f(neg: bool, digits: str, dp: int, prec: int) -> str:
    """Go ``fmtF``: ``ddd.ddd`` with exactly ``prec`` decimals."""
    out = "-" if neg else ""
    if dp > 0:
        whole = digits[:dp]
        out += whole + "0" * (dp - len(whole))
    else:
        out += "0"
    if prec > 0:
        frac = []
        for i in range(1, prec + 1):
            j = dp + i - 1
            frac.append(digits[j] if 0 <= j < len(digits) else "0")
        out += "." + "".join(frac)
    return out


def go_format_float(x: float, fmt: str = "g", prec: int = -1) -> str:
    """Port of Go ``strconv.FormatFloat(x, fmt, prec, 64)`` for ``e E f g G``.

    ``prec = -1`` is Go's shortest representation (used by ``%v``).  Special
    values follow Go: ``+Inf``, ``-Inf``, ``NaN``.  Source: Go
    ``strconv/ftoa.go`` (``genericFtoa``, ``formatDigits``, ``fmtE``, ``fmtF``).
    """
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    neg = math.copysign(1.0, x) < 0
    shortest = prec < 0
    lower = fmt.lower()
    if lower not in ("e", "f", "g"):
        raise ValueError(f"unsupported float format {fmt!r}")

    if shortest:
        digits, dp = _decimal_digits(x, -1)
        nd = len(digits)
        if lower == "e":
            prec = max(nd - 1, 0)
        elif lower == "f":
            prec = max(nd - dp, 0)
        else:
            prec = nd
    elif lower == "e":
        digits, dp = _decimal_digits(x, prec + 1)
    elif lower == "f":
        # Round at a fixed number of decimals (exact value, halves to even).
        ctx = Context(prec=max(400, prec + 400), rounding=ROUND_HALF_EVEN)
        q = Decimal(abs(x)).quantize(Decimal((0, (1,), -prec)), context=ctx)
        _, dtuple, exp = q.as_tuple()
        coeff = "".join(map(str, dtuple)).lstrip("0")
        dp = len(coeff) + exp if coeff else 0
        digits = coeff.rstrip("0")
    else:  # g
        if prec == 0:
            prec = 1
        digits, dp = _decimal_digits(x, prec)

    nd = len(digits)
    if lower == "e":
        return _fmt_e(neg, digits, dp, prec, fmt)
    if lower == "f":
        return _fmt_f(neg, digits, dp, prec)

    # %g: formatDigits case 'g', 'G'
    eprec = prec
    if eprec > nd and nd >= dp:
        eprec = nd
    # %e is used if the exponent from the conversion is less than -4 or
    # greater than or equal to the precision.  If precision was the shortest
    # possible, use precision 6 for this decision.
    if shortest:
        eprec = 6
    exp = dp - 1
    if exp < -4 or exp >= eprec:
        if prec > nd:
            prec = nd
        return _fmt_e(neg, digits, dp, prec - 1, "e" if fmt == "g" else "E")
    if prec > dp:
        prec = nd
    return _fmt_f(neg, digits, dp, max(prec - dp, 0))


def go_format_g(x: float, prec: int) -> str:
    """Go ``fmt.Sprintf("%.*g", prec, x)``: ``prec`` significant digits.

    Rounding is half-to-even on the exact binary value, trailing zeros are
    dropped, and the exponent form ``d.dde+XX`` is used when the rounded
    decimal exponent is < -4 or >= ``prec``.  That last rule is why
    ``go_format_g(999.5, 3) == "1e+03"``.
    """
    return go_format_float(x, "g", prec)


# ---------------------------------------------------------------------------
# Sizes (go-units size.go)
# ---------------------------------------------------------------------------

KB, MB, GB, TB, PB = 1000, 1000**2, 1000**3, 1000**4, 1000**5
KiB, MiB, GiB, TiB, PiB = 1024, 1024**2, 1024**3, 1024**4, 1024**5

_DECIMAL_MAP = {"k": KB, "m": MB, "g": GB, "t": TB, "p": PB}
_BINARY_MAP = {"k": KiB, "m": MiB, "g": GiB, "t": TiB, "p": PiB}
_DECIMAL_ABBRS = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]
_BINARY_ABBRS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
# go-units: (?i)^(\d+(\.\d+)*) ?([kmgtp])?i?b?$  (RE2: \d is ASCII, $ is end of text)
_SIZE_RE = re.compile(r"([0-9]+(\.[0-9]+)*) ?([kmgtp])?i?b?", re.IGNORECASE)


class GoUnitsError(ValueError):
    """A go-units parse error; ``str()`` is Go's error text."""


def _get_size_and_unit(size: float, base: float, abbrs: list[str]) -> tuple[float, str]:
    """go-units ``getSizeAndUnit``: divide by ``base`` while ``size >= base``."""
    i = 0
    limit = len(abbrs) - 1
    while size >= base and i < limit:
        size = size / base
        i += 1
    return size, abbrs[i]


def custom_size(fmt_prec: int, size: float, base: float, abbrs: list[str]) -> str:
    """go-units ``CustomSize("%.<p>g%s", size, base, abbrs)``."""
    size, unit = _get_size_and_unit(float(size), float(base), abbrs)
    return go_format_g(size, fmt_prec) + unit


def human_size_with_precision(size: float, precision: int) -> str:
    """go-units ``HumanSizeWithPrecision``: decimal units, ``%.<p>g``, no space.

    Used with precision 3 by ``docker history``, ``docker ps -s`` and
    ``docker images`` SIZE.  Quirk kept on purpose: 999_500..999_999 print
    as ``1e+03kB`` (and likewise for MB, GB...), because the unit is chosen
    before ``%g`` rounds up to 1000.
    """
    return custom_size(precision, size, 1000.0, _DECIMAL_ABBRS)


def human_size(size: float) -> str:
    """go-units ``HumanSize`` = ``HumanSizeWithPrecision(size, 4)``.

    Used by ``docker system df`` and volume/build-cache sizes.
    """
    return human_size_with_precision(size, 4)


def bytes_size(size: float) -> str:
    """go-units ``BytesSize``: binary units (``KiB``...), ``%.4g``."""
    return custom_size(4, size, 1024.0, _BINARY_ABBRS)


def _go_float_to_int64(x: float) -> int:
    """Go ``int64(f)`` on amd64: truncate; NaN/out of range give MinInt64."""
    if math.isnan(x) or x >= 2.0**63 or x < -(2.0**63):
        return -(2**63)
    return int(x)


def _parse_size(size_str: str, umap: dict[str, int]) -> int:
    """go-units ``parseSize``."""
    m = _SIZE_RE.fullmatch(size_str)
    if m is None:
        raise GoUnitsError(f"invalid size: '{size_str}'")
    num = m.group(1)
    if num.count(".") > 1:
        # The regexp allows "1.2.3" but strconv.ParseFloat rejects it.
        raise GoUnitsError(f'strconv.ParseFloat: parsing "{num}": invalid syntax')
    size = float(num)
    prefix = (m.group(3) or "").lower()
    if prefix in umap:
        size *= float(umap[prefix])
    return _go_float_to_int64(size)


def from_human_size(size: str) -> int:
    """go-units ``FromHumanSize``: decimal (SI) parse, ``"44kB"`` -> 44000.

    Suffix letters k m g t p (any case), an optional ``i`` and ``b`` are
    accepted, but the multiplier is always a power of 1000, even for
    ``"1KiB"``.  Fractions are truncated toward zero (``"1.5555k"`` ->
    1555).  Raises :class:`GoUnitsError` on bad input.
    """
    return _parse_size(size, _DECIMAL_MAP)


def ram_in_bytes(size: str) -> int:
    """go-units ``RAMInBytes``: binary parse, ``"64m"`` -> 67108864.

    This is what docker CLI uses for ``--mount type=tmpfs,tmpfs-size=...``
    (``opts/mount.go``) and ``--memory``/``--shm-size`` style options.
    ``--tmpfs /run:size=65536k`` is different: the option string is passed
    through to the kernel, whose tmpfs ``size=`` also uses binary k/m/g
    suffixes (plus ``%`` of RAM), so for plain k/m/g values the result is
    the same.  Raises :class:`GoUnitsError` on bad input.
    """
    return _parse_size(size, _BINARY_MAP)


# ---------------------------------------------------------------------------
# Durations (go-units duration.go)
# ---------------------------------------------------------------------------

_SECOND = 1_000_000_000
_MINUTE = 60 * _SECOND
_HOUR = 60 * _MINUTE


def _go_div(a: int, b: int) -> int:
    """Go integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _go_unit_float(d: int, unit: int) -> float:
    """Go ``Duration.Seconds/Minutes/Hours``: ``float(d/unit) + float(d%unit)/unit``."""
    whole = _go_div(d, unit)
    rem = d - whole * unit
    return float(whole) + float(rem) / float(unit)


def _go_int(x: float) -> int:
    """Go ``int(f)``: truncation toward zero."""
    return int(x)


def human_duration_ns(d: int) -> str:
    """go-units ``HumanDuration`` for a Go ``time.Duration`` (int nanoseconds).

    Released go-units (v0.5.0, vendored by docker/cli and moby) rules::

        seconds := int(d.Seconds())  < 1  -> "Less than a second"
                                     == 1 -> "1 second"
                                     < 60 -> "%d seconds"
        minutes := int(d.Minutes())  == 1 -> "About a minute"
                                     < 60 -> "%d minutes"
        hours := int(d.Hours() + 0.5) == 1 -> "About an hour"
                                     < 48 -> "%d hours"
        hours < 24*7*2               -> "%d days"   (hours/24)
        hours < 24*30*2              -> "%d weeks"  (hours/24/7)
        hours < 24*365*2             -> "%d months" (hours/24/30)
        otherwise                    -> "%d years"  (int(d.Hours())/24/365)

    Only the hour step rounds; days/weeks/months/years are floored from the
    rounded hour count (docker/cli#6891; rounding fixes are open PRs, not
    released).  Negative durations print "Less than a second".
    """
    d = int(d)
    seconds = _go_int(_go_unit_float(d, _SECOND))
    if seconds < 1:
        return "Less than a second"
    if seconds == 1:
        return "1 second"
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = _go_int(_go_unit_float(d, _MINUTE))
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = _go_int(_go_unit_float(d, _HOUR) + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{_go_int(_go_unit_float(d, _HOUR)) // 24 // 365} years"


def human_duration(seconds: float) -> str:
    """go-units ``HumanDuration`` taking seconds (int or float).

    Floats are converted to whole nanoseconds by rounding (Go durations are
    integer nanoseconds).  ``docker history`` CREATED and ``docker ps``
    CREATED append ``" ago"``; ``docker ps`` STATUS prefixes ``"Up "``.
    """
    if isinstance(seconds, int):
        ns = seconds * _SECOND
    else:
        if math.isnan(seconds):
            return "Less than a second"
        ns = round(seconds * _SECOND)
    return human_duration_ns(ns)
