"""Times: stored as UTC epoch milliseconds everywhere, parsed in one place."""
from __future__ import annotations

import math
import re
from datetime import datetime, timezone, tzinfo
from typing import Any

EPOCH_MS_MIN = 10 ** 11  # numbers at least this large are milliseconds, smaller are seconds
EPOCH_MS_MAX = 32_503_680_000_000  # 3000-01-01: the latest time the API accepts
TIME_MS_MIN = -62_135_596_800_000  # 0001-01-01T00:00:00Z and
TIME_MS_MAX = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z: what a date can show (iso())
BOUND_MS_MAX = TIME_MS_MAX + 1     # 10000-01-01: the furthest "until" of a period (exclusive)
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_WHOLE = re.compile(r"^[+-]?\d+$")


class OutOfRange(ValueError):
    """A time outside the years 1 to 9999 (an epoch number far too large or small)."""


def in_range(ms: float, latest: int = TIME_MS_MAX) -> int:
    """`ms` when it is a time between the years 1 and 9999 (`latest`: BOUND_MS_MAX for the
    end of a period, which may be the start of year 10000), else OutOfRange: every time
    stored can be shown as a date, and fits a 64-bit integer in both engines."""
    if not TIME_MS_MIN <= ms <= latest:
        raise OutOfRange("outside the years 1 to 9999")
    return int(round(ms))


def iso(ms: int | None) -> str:
    """UTC epoch milliseconds as ISO 8601 ("" for None)."""
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def from_datetime(dt: datetime, zone: tzinfo = timezone.utc) -> int:
    """A datetime as UTC epoch ms; `zone` applies when it has no offset."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone)
    return int(dt.timestamp() * 1000)


def from_epoch(value: Any, unit: str | None = None) -> int:
    """A number of seconds (unit "s"), milliseconds ("ms"), or either (None: by size); whole
    numbers exactly (no rounding through a float); OutOfRange past the years 1 to 9999 (the
    start of year 10000 passes: it ends a period; stored times are checked with in_range)."""
    if isinstance(value, int) or (isinstance(value, str) and _WHOLE.match(value.strip())):
        n = int(value)
        return in_range(n * 1000 if unit == "s" or (unit is None and abs(n) < EPOCH_MS_MIN) else n, BOUND_MS_MAX)
    f = float(value)
    if math.isnan(f) or math.isinf(f):
        raise ValueError("not a finite number")
    if unit == "s" or (unit is None and abs(f) < EPOCH_MS_MIN):
        f *= 1000
    return in_range(f, BOUND_MS_MAX)


def to_epoch_ms(value: Any, zone: tzinfo = timezone.utc) -> int:
    """ISO 8601 text, a datetime, or epoch seconds/ms (as a number or digits) -> UTC epoch ms.
    Raises ValueError for anything else."""
    if isinstance(value, bool):
        raise ValueError("not a time")
    if isinstance(value, datetime):
        return from_datetime(value, zone)
    if isinstance(value, (int, float)):
        return from_epoch(value)
    text = str(value).strip()
    if _NUMBER.match(text):
        return from_epoch(text)
    return from_datetime(datetime.fromisoformat(text), zone)


def option_ms(name: str, text: str | None, digits_are_ms: bool = False) -> int | None:
    """A user's date or time (the `--since` option, a UI field named `name`) -> UTC epoch ms;
    None when empty. With digits_are_ms (the API), a number is epoch ms between 0 and
    EPOCH_MS_MAX, never seconds. Raises ConfigError naming it for anything else."""
    from casegraph.errors import ConfigError
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    try:
        ms = int(text) if digits_are_ms and _NUMBER.match(text) else to_epoch_ms(text)
    except (ValueError, OverflowError):
        raise ConfigError(f"{name} {text!r} is not a date or time (use ISO 8601, e.g. 2026-01-31)") from None
    if digits_are_ms and not 0 <= ms <= EPOCH_MS_MAX:
        raise ConfigError(f"{name} {text!r} is outside 1970-01-01 .. 3000-01-01 (epoch ms 0 .. {EPOCH_MS_MAX})")
    return ms
