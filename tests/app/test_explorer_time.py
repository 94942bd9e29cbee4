"""The explorer's timeline wiring (app/pages/_explorer_time.py): what a brush or a play step
sends to the time slider, within the span of the canvas's money movements."""
from __future__ import annotations

from casegraph.app.pages import _explorer as x
from casegraph.app.pages import _explorer_time as et
from casegraph.app.pages import _timeline
from casegraph.times import to_epoch_ms

T0 = to_epoch_ms("2026-01-01")
H = 3_600_000


def _move(i, at):
    return {"data": {"id": f"TRANSFERRED:T{i}", "source": "Account:A1", "target": "Account:A2", "kind": "TRANSFERRED",
                     "at": at, "amount_usd": 5.0}, "classes": "TRANSFERRED"}


CANVAS = x.Canvas([{"data": {"id": "Account:A1", "kind": "Account"}}, {"data": {"id": "Account:A2", "kind": "Account"}}]
                  + [_move(i, T0 + i * H) for i in range(96)], [])
LAST = T0 + 95 * H


def test_a_brush_is_the_slider_value_within_the_span_and_clearing_it_is_the_whole_span():
    brushed = {"range": {"x": ["2026-01-01 10:00:00", "2026-01-01 20:00:00"]}}
    assert et.brush_value(CANVAS, brushed) == [T0 + 10 * H, T0 + 20 * H]
    wide = {"range": {"x": ["2025-12-01", "2026-02-01"]}}
    assert et.brush_value(CANVAS, wide) == [T0, LAST]                     # clipped to the movements
    assert et.brush_value(CANVAS, None) == [T0, LAST]                     # a double click clears the brush
    assert et.brush_value(CANVAS, {"range": {"x": ["2027-01-01", "2027-02-01"]}}) is None   # misses every one
    assert et.brush_value(x.Canvas([], []), brushed) is None              # nothing to narrow


def test_play_steps_bar_by_bar_within_the_span_stops_after_the_last_and_restarts_on_play():
    first = et.play_value(CANVAS, [T0, LAST], first=True)
    width = _timeline.bars(CANVAS.elements)[0]["end"] - T0
    assert first == [T0, T0 + width]
    steps, value = [first], first
    while (value := et.play_value(CANVAS, value)) is not None:
        steps.append(value)
    assert len(steps) == _timeline.BARS
    assert all(b[0] - a[0] == width for a, b in zip(steps, steps[1:]))
    assert steps[-1][1] == LAST                                           # the last bar ends at the last movement
    assert et.play_value(CANVAS, steps[-1]) is None                       # a tick after the last bar stops
    assert et.play_value(CANVAS, steps[-1], first=True) == first          # Play again starts over
    assert et.play_value(x.Canvas([], []), None, first=True) is None


def test_the_timeline_draws_the_canvas_and_its_window():
    narrowed = x.Canvas(CANVAS.elements, [], (T0, T0 + 5 * H))
    graph = et.timeline(narrowed).children[0]
    assert sum(graph.figure["data"][0]["y"]) == 96 and len(graph.figure["layout"]["shapes"]) == 1
    assert graph.config["displayModeBar"] is False
