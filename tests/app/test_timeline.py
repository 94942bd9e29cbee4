"""The explorer's timeline (app/pages/_timeline.py): bars over the canvas's money movements,
the brushed period, the play-through's steps."""
from __future__ import annotations

from casegraph import graph as g
from casegraph.app.pages import _timeline as t
from casegraph.times import to_epoch_ms

T0 = to_epoch_ms("2026-01-01")
H = 3_600_000


def _move(i, at, usd=10.0, hidden=False):
    return {"data": {"id": f"TRANSFERRED:T{i}", "source": "Account:A1", "target": "Account:A2", "kind": "TRANSFERRED",
                     "at": at, "amount_usd": usd}, "classes": "TRANSFERRED" + (f" {g.HIDDEN}" if hidden else "")}


def test_bars_count_every_movement_shown_once_over_the_whole_period():
    els = [_move(i, T0 + i * H) for i in range(10)] + [_move(99, T0 + 5 * H, hidden=True)]
    els += [{"data": {"id": "Account:A1", "kind": "Account"}}, {"data": {"id": "USED_DEVICE:x", "source": "a",
                                                                        "target": "b", "kind": "USED_DEVICE"}}]
    found = t.bars(els, n=5)
    assert [b["count"] for b in found] == [2, 2, 2, 2, 2] and sum(b["usd"] for b in found) == 100.0
    assert found[0]["start"] == T0 and found[-1]["end"] > T0 + 9 * H
    assert t.bars(g.bundle(els), n=5) == found          # bundle edges are not counted twice
    assert t.bars([]) == [] and t.figure([])["data"][0]["x"] == []
    fig = t.figure(els, [T0, T0 + 2 * H])
    assert fig["layout"]["dragmode"] == "select" and fig["layout"]["shapes"][0]["x0"] == "2026-01-01 00:00:00"


def test_a_brushed_range_is_a_window_in_epoch_ms():
    assert t.brushed({"range": {"x": ["2026-01-01 06:00:00.5", "2026-01-01 02:00"]}}) == [T0 + 2 * H, T0 + 6 * H + 500]
    assert t.brushed(None) is None and t.brushed({"points": []}) is None
    assert t.brushed({"range": {"x": ["soon", "2026-01-01"]}}) is None


def test_play_steps_one_bar_at_a_time_and_stops_after_the_last():
    els = [_move(i, T0 + i * H) for i in range(48)]
    first = t.play_step(els, None)
    width = first[1] - first[0]
    assert first[0] == T0 and t.play_step(els, first) == [T0 + width, T0 + 2 * width]
    steps, window = 0, first
    while window is not None:
        window, steps = t.play_step(els, window), steps + 1
    assert steps == t.BARS
