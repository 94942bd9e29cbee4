"""The explorer's timeline: a histogram of the money movements on the canvas, under it, that
the investigator brushes to narrow the canvas to a period, and plays through (the window
steps forward one bar at a time). Pure functions from element lists and what plotly reports
to figures and windows (epoch ms), unit-tested without a browser."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from casegraph.graph import HIDDEN, MONEY, classes_of, is_bundle, is_node
from casegraph.times import iso

BARS = 48            # bars across the whole period
HEIGHT = 130         # px
DAY_MS = 86_400_000


def movements(elements: list[dict]) -> list[dict]:
    """The money movements the timeline counts: every one on the canvas that the investigator
    has not hidden (those outside the time window too: the histogram shows the whole period)."""
    return [e for e in elements if not is_node(e) and not is_bundle(e) and e["data"].get("kind") in MONEY
            and e["data"].get("at") is not None and HIDDEN not in classes_of(e)]


def bars(elements: list[dict], n: int = BARS) -> list[dict[str, Any]]:
    """`n` equal bars over [first, last movement]: {start, end, count, usd} (epoch ms; usd
    over the movements with a USD value). [] without movements."""
    ats = [(e["data"]["at"], e["data"].get("amount_usd")) for e in movements(elements)]
    if not ats:
        return []
    lo, hi = min(a for a, _ in ats), max(a for a, _ in ats)
    width = max(1, -(-(hi - lo + 1) // n))
    out = [{"start": lo + i * width, "end": lo + (i + 1) * width, "count": 0, "usd": 0.0} for i in range(n)]
    for at, usd in ats:
        b = out[min(n - 1, (at - lo) // width)]
        b["count"] += 1
        b["usd"] += float(usd or 0)
    return out


def _when(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def figure(elements: list[dict], window: list[int] | None = None) -> dict[str, Any]:
    """The histogram as a plotly figure (a dict): bars of movement counts, the USD total in each
    bar's hover text, the current window shaded; drag-select on the x axis brushes a period."""
    found = bars(elements)
    data = [{"type": "bar", "x": [_when((b["start"] + b["end"]) // 2) for b in found],
             "y": [b["count"] for b in found], "width": [found[0]["end"] - found[0]["start"]] * len(found) if found else [],
             "customdata": [[iso(b["start"]), iso(b["end"]), round(b["usd"], 2)] for b in found],
             "hovertemplate": "%{customdata[0]} to %{customdata[1]}<br>%{y} movements, %{customdata[2]:,.2f} USD"
                              "<extra></extra>", "marker": {"color": "#607d8b"}}]
    shapes = []
    if found and window:
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": _when(window[0]), "x1": _when(window[1]),
                       "y0": 0, "y1": 1, "fillcolor": "#ffb300", "opacity": 0.18, "line": {"width": 0}})
    return {"data": data, "layout": {
        "height": HEIGHT, "margin": {"l": 36, "r": 8, "t": 6, "b": 24}, "dragmode": "select", "selectdirection": "h",
        "xaxis": {"type": "date"}, "yaxis": {"title": {"text": "moves"}, "fixedrange": True}, "shapes": shapes,
        "bargap": 0.05, "showlegend": False}}


def _ms(text: Any) -> int | None:
    """plotly's date text ("2024-02-01 10:00:00.123" or ISO) -> epoch ms."""
    if text is None:
        return None
    t = str(text).strip().replace(" ", "T")
    try:
        dt = datetime.fromisoformat(t.removesuffix("Z"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)


def brushed(selected: dict | None) -> list[int] | None:
    """The period the investigator brushed (plotly's selectedData with a range on x), as
    [start, end] epoch ms; None when nothing is brushed (a cleared selection)."""
    x = ((selected or {}).get("range") or {}).get("x")
    if not x or len(x) != 2:
        return None
    ends = [_ms(v) for v in x]
    return None if None in ends else sorted(ends)


def play_step(elements: list[dict], window: list[int] | None) -> list[int] | None:
    """The next window of a play-through: one bar wide, one bar on from `window` (from the first
    bar when there is none or it was the whole period); None after the last bar (play stops)."""
    found = bars(elements)
    if not found:
        return None
    width = found[0]["end"] - found[0]["start"]
    whole = [found[0]["start"], found[-1]["end"]]
    if not window or window[1] - window[0] > width or window == whole:
        return [found[0]["start"], found[0]["end"]]
    start = window[0] + width
    return None if start >= found[-1]["end"] else [start, start + width]
