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
        if isinstance(v, (int, float)):
            f = float(v)
        else:
            try:
                f = float(_number_text(v, decimal, thousands))
            except ValueError:
                raise ValueError(f"{v!r} is not a number") from None
        if math.isnan(f) or math.isinf(f):
            raise ValueError(f"{v!r} is not a finite number")
        return f * scale if scale != 1.0 else f
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


def time(fmt: str = "auto", tz: str = "UTC") -> Converter:
    """Times -> UTC epoch milliseconds. fmt: auto (ISO 8601 or epoch number),
    iso, epoch_s, epoch_ms, or a strptime pattern; tz applies to times without an offset."""
    try:
        zone = timezone.utc if tz.upper() == "UTC" else ZoneInfo(tz)
    except ZoneInfoNotFoundError:
        raise ConfigError(f"unknown time zone {tz!r}") from None
    want = {"auto": "ISO 8601 or epoch seconds/milliseconds", "iso": "ISO 8601",
            "epoch_s": "epoch seconds", "epoch_ms": "epoch milliseconds"}.get(fmt, f"format {fmt}")

    def conv(v: Any) -> Any:
        try:
            if fmt == "auto" or isinstance(v, datetime):
                return times.to_epoch_ms(v, zone)
            if fmt in ("epoch_s", "epoch_ms"):
                return times.from_epoch(v, "s" if fmt == "epoch_s" else "ms")
            s = str(v).strip()
            dt = datetime.fromisoformat(s) if fmt == "iso" else datetime.strptime(s, fmt)
            return times.from_datetime(dt, zone)
        except (ValueError, TypeError, OverflowError):
            raise ValueError(f"{v!r} is not a valid time (expected {want})") from None
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
        return time(opts.get("format", "auto"), opts.get("timezone", "UTC"))
    if typ == "bool":
        return boolean()
    raise ConfigError(f"unknown column type {typ}")
