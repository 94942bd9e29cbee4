"""Field converters: raw value from a file -> the typed value stored in the graph.
A converter raises ValueError with a message fit for the user."""
from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from casegraph import times
from casegraph.errors import ConfigError

Converter = Callable[[Any], Any]
INT_MIN, INT_MAX = -(2 ** 63), 2 ** 63 - 1     # what both engines store as an integer
TEXT_MAX = 1_000_000                          # characters of one text value


def _int64(n: int, v: Any) -> int:
    if not INT_MIN <= n <= INT_MAX:
        raise ValueError(f"{_show(v)} is outside the range of a 64-bit integer")
    return n


def _show(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 60 else f"{text[:40]}... ({len(str(v)):,} characters)"


def string() -> Converter:
    def conv(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            v = int(v)  # an id column that a spreadsheet turned into 1.0
        s = str(v).strip()
        if len(s) > TEXT_MAX:
            raise ValueError(f"a text of {len(s):,} characters is longer than {TEXT_MAX:,}")
        return s or None
    return conv


def integer(decimal: str = ".", thousands: str = "") -> Converter:
    def conv(v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError(f"{v!r} is not a whole number")
        if isinstance(v, int):
            return _int64(v, v)
        if isinstance(v, float):
            if v.is_integer():
                return _int64(int(v), v)
            raise ValueError(f"{_show(v)} is not a whole number")
        s = _number_text(v, decimal, thousands)
        try:
            f = float(s)
        except ValueError:
            raise ValueError(f"{v!r} is not a whole number") from None
        if not f.is_integer():
            raise ValueError(f"{_show(v)} is not a whole number")
        exact = s.lstrip("+-").isdigit()
        return _int64(int(s) if exact else int(f), v)    # digits: exact, never through a float
    return conv


def number(decimal: str = ".", thousands: str = "", scale: float = 1.0) -> Converter:
    def conv(v: Any) -> Any:
        if isinstance(v, bool):
            raise ValueError(f"{v!r} is not a number")
        try:
            f = float(v) if isinstance(v, (int, float)) else float(_number_text(v, decimal, thousands))
        except OverflowError:              # an integer beyond any float (from JSON or Parquet)
            raise ValueError(f"{_show(v)} is not a finite number") from None
        except ValueError:
            raise ValueError(f"{_show(v)} is not a number") from None
        f = f * scale if scale != 1.0 else f
        if math.isnan(f) or math.isinf(f):      # also 1e308 scaled past the largest float
            raise ValueError(f"{_show(v)} is not a finite number")
        return f
    return conv


TRUTHY = frozenset({"true", "1", "yes", "y", "t"})
FALSY = frozenset({"false", "0", "no", "n", "f"})


def boolean() -> Converter:
    truthy, falsy = TRUTHY, FALSY

    def conv(v: Any) -> Any:
        if isinstance(v, bool):
            return v
        s = str(v).strip().lower()
        if s in truthy:
            return True
        if s in falsy:
            return False
        raise ValueError(f"{v!r} is not true/false")
    return conv


def _number_text(v: Any, decimal: str, thousands: str) -> str:
    s = str(v).strip()
    if thousands:
        s = s.replace(thousands, "")
    if decimal != ".":
        s = s.replace(decimal, ".")
    return s


TIME_UNITS = {"epoch_s": 1000, "epoch_ms": 1, "epoch_days": 86_400_000}
DURATION = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


def duration_ms(text: Any) -> int:
    """A step length: seconds as a number, or a number with a unit: 500ms, 30s, 15m, 1h, 1d, 1w."""
    s = str(text).strip().lower()
    for unit in sorted(DURATION, key=len, reverse=True):
        if s.endswith(unit) and s[: -len(unit)].strip():
            number, scale = s[: -len(unit)].strip(), DURATION[unit]
            break
    else:
        number, scale = s, 1000
    try:
        f = float(number)
    except ValueError:
        raise ConfigError(f"{text!r} is not a length of time (e.g. 3600, 1h, 15m, 1d)") from None
    if not math.isfinite(f) or f <= 0:
        raise ConfigError(f"{text!r} is not a positive length of time")
    return int(round(f * scale))


def time(fmt: str = "auto", tz: str = "UTC", origin: Any = None, step: Any = None) -> Converter:
    """Times -> UTC epoch milliseconds. fmt: auto (ISO 8601 or epoch number), iso, epoch_s,
    epoch_ms, epoch_days, step (a step number counted from `origin` in steps of `step`), or a
    strptime pattern; tz applies to times without an offset."""
    try:
        zone = timezone.utc if tz.upper() == "UTC" else ZoneInfo(tz)
    except ZoneInfoNotFoundError:
        raise ConfigError(f"unknown time zone {tz!r}") from None
    if fmt == "step":
        if origin is None or step is None:
            raise ConfigError("time format `step` needs `origin` (the time of step 0) and `step` (its length)")
        try:
            start = times.to_epoch_ms(origin, zone)
        except ValueError:
            raise ConfigError(f"`origin` {origin!r} is not a time (use ISO 8601, e.g. 2024-01-01T00:00:00Z)") from None
        length = duration_ms(step)
    elif origin is not None or step is not None:
        raise ConfigError("`origin` and `step` apply only with time format `step`")
    want = {"auto": "ISO 8601 or epoch seconds/milliseconds", "iso": "ISO 8601", "epoch_s": "epoch seconds",
            "epoch_ms": "epoch milliseconds", "epoch_days": "days since 1970-01-01",
            "step": "a step number"}.get(fmt, f"format {fmt}")

    def parse(v: Any) -> float:
        if fmt == "auto" or isinstance(v, datetime):
            return times.to_epoch_ms(v, zone)
        if fmt in TIME_UNITS or fmt == "step":
            if isinstance(v, bool):
                raise ValueError(v)
            f = float(str(v).strip()) if not isinstance(v, (int, float)) else float(v)
            if not math.isfinite(f):
                raise ValueError(v)
            return start + f * length if fmt == "step" else f * TIME_UNITS[fmt]
        s = str(v).strip()
        dt = datetime.fromisoformat(s) if fmt == "iso" else datetime.strptime(s, fmt)
        return times.from_datetime(dt, zone)

    def conv(v: Any) -> Any:
        try:
            return times.in_range(parse(v))       # a stored time can be shown as a date
        except times.OutOfRange as e:
            raise ValueError(f"{_show(v)} is not a valid time: {e}") from None
        except (ValueError, TypeError, OverflowError):
            raise ValueError(f"{_show(v)} is not a valid time (expected {want})") from None
    return conv


def for_type(typ: str, **opts: Any) -> Converter:
    """The default converter for a canonical column type, with mapping options."""
    if typ == "string":
        return string()
    if typ == "int":
        return integer(opts.get("decimal", "."), opts.get("thousands", ""))
    if typ == "float":
        return number(opts.get("decimal", "."), opts.get("thousands", ""), float(opts.get("scale", 1.0)))
    if typ == "time":
        return time(opts.get("format", "auto"), opts.get("timezone", "UTC"), opts.get("origin"), opts.get("step"))
    if typ == "bool":
        return boolean()
    raise ConfigError(f"unknown column type {typ}")
