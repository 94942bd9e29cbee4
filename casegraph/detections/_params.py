"""Parameters of detections that run their own queries (runners): the user's strings from
`--param k=v`, or Python values, checked and coerced with one clear message per mistake.
(Single-query detections are checked against their template's header instead.)"""
from __future__ import annotations

import math
from typing import Any, Iterable

from casegraph.errors import ParameterError
from casegraph.times import to_epoch_ms


def check_names(detection: str, params: dict[str, Any], known: Iterable[str]) -> None:
    unknown = sorted(set(params) - set(known))
    if unknown:
        raise ParameterError(f"detection {detection}: unknown parameter(s) {', '.join(unknown)}; "
                             f"it takes {', '.join(sorted(known))}")


def int_param(detection: str, params: dict[str, Any], name: str, default: int, lo: int, hi: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        n = int(value)
    except (TypeError, ValueError):
        raise ParameterError(f"detection {detection}: {name} must be a whole number, got {value!r}") from None
    if not lo <= n <= hi:
        raise ParameterError(f"detection {detection}: {name} must be between {lo} and {hi}, got {n}")
    return n


def float_param(detection: str, params: dict[str, Any], name: str, default: float | None,
                lo: float = 0.0) -> float | None:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        if isinstance(value, bool):
            raise ValueError
        x = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"detection {detection}: {name} must be a number, got {value!r}") from None
    if not math.isfinite(x) or x < lo:
        raise ParameterError(f"detection {detection}: {name} must be a finite number >= {lo:g}, got {value!r}")
    return x


def str_param(detection: str, params: dict[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParameterError(f"detection {detection}: {name} must be a string, got {value!r}")
    value = value.strip()
    return value or None


def time_param(detection: str, params: dict[str, Any], name: str) -> int | None:
    """A time (ISO 8601, or epoch seconds or milliseconds) as epoch ms; None when absent."""
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return to_epoch_ms(value)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(f"detection {detection}: {name} must be a time (ISO 8601 or epoch seconds/ms), "
                             f"got {value!r}") from None


def bool_param(detection: str, params: dict[str, Any], name: str, default: bool) -> bool:
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ParameterError(f"detection {detection}: {name} must be true or false, got {value!r}")
