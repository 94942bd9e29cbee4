"""Times: stored as UTC epoch milliseconds everywhere, parsed in one place."""
from __future__ import annotations

import math
import re
from datetime import datetime, timezone, tzinfo
from typing import Any

EPOCH_MS_MIN = 10 ** 11  # numbers at least this large are milliseconds, smaller are seconds
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def from_datetime(dt: datetime, zone: tzinfo = timezone.utc) -> int:
    """A datetime as UTC epoch ms; `zone` applies when it has no offset."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone)
    return int(dt.timestamp() * 1000)


def from_epoch(value: Any, unit: str | None = None) -> int:
    """A number of seconds (unit "s"), milliseconds ("ms"), or either (None: by size)."""
    f = float(value)
    if math.isnan(f) or math.isinf(f):
        raise ValueError("not a finite number")
    if unit == "s" or (unit is None and abs(f) < EPOCH_MS_MIN):
        return int(round(f * 1000))
    return int(round(f))


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
