"""The explorer's timeline, under the canvas: a histogram of the money movements on it
(app/pages/_timeline.py), brushed to narrow the canvas to a period, and a Play / Stop button
that steps the window one bar at a time. Every window goes to the time slider's value
(EXPLORE_TIME), so the explorer's own `narrow` callback is the one place a window is applied
(and the slider, its label and the canvas store always agree). explorer.py imports this
module (Dash skips "_" files when it discovers pages) and puts `timeline(canvas)` in its layout."""
from __future__ import annotations

from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from casegraph.app import forms, ids
from casegraph.app.pages import _explorer as x
from casegraph.app.pages import _timeline

PLAY_MS = 700          # one bar per tick while playing


def timeline(canvas: x.Canvas) -> html.Div:
    """The histogram (plotly, served by Dash itself: no CDN) and the Play / Stop button."""
    return html.Div([
        dcc.Graph(id=ids.EXPLORE_TIMELINE, figure=_timeline.figure(canvas.elements, _window(canvas)),
                  config={"displayModeBar": False, "doubleClick": "reset", "scrollZoom": False},
                  style={"height": f"{_timeline.HEIGHT}px"}),
        forms.button("Play", ids.EXPLORE_PLAY, "Step the time window through the period, one bar at a time"),
        dcc.Interval(id=ids.EXPLORE_PLAY_TICK, interval=PLAY_MS, disabled=True, n_intervals=0),
    ], className="timeline")


def _window(canvas: x.Canvas) -> list[int] | None:
    return list(canvas.window) if canvas.window else None


def brush_value(canvas: x.Canvas, selected: dict | None) -> list[int] | None:
    """The slider value for what plotly reports brushed: the brushed period within the
    movements' span, or the whole span when the selection was cleared (a double click); None
    when there is nothing to narrow (no movements, or a brush that misses every one)."""
    lo, hi, _value, disabled = canvas.slider()
    if disabled:
        return None
    brushed = _timeline.brushed(selected)
    if brushed is None:
        return [lo, hi]
    start, end = max(brushed[0], lo), min(brushed[1], hi)
    return [start, end] if start <= end else None


def play_value(canvas: x.Canvas, value: list[int] | None, first: bool = False) -> list[int] | None:
    """The slider value of the next step of a play-through from the slider's `value`, kept
    within the movements' span; None when the last bar has been shown (play stops). `first`:
    the Play button was pressed (a play-through that had ended starts again from the first bar)."""
    lo, hi, _current, disabled = canvas.slider()
    if disabled:
        return None
    step = _timeline.play_step(canvas.elements, value)
    if step is None and first:
        step = _timeline.play_step(canvas.elements, None)
    if step is None or step[0] > hi:
        return None
    return [max(step[0], lo), min(step[1], hi)]


@callback(Output(ids.EXPLORE_TIMELINE, "figure"), Input(ids.EXPLORE_CANVAS, "data"))
def redraw(canvas):
    """The canvas changed (what is drawn, or its window): the histogram follows."""
    canvas = x.Canvas.load(canvas)
    return _timeline.figure(canvas.elements, _window(canvas))


@callback(Output(ids.EXPLORE_TIME, "value", allow_duplicate=True), Input(ids.EXPLORE_TIMELINE, "selectedData"),
          State(ids.EXPLORE_CANVAS, "data"), prevent_initial_call=True)
def brush(selected, canvas):
    """A period brushed on the histogram (or the brush cleared) becomes the slider's value."""
    value = brush_value(x.Canvas.load(canvas), selected)
    return no_update if value is None else value


@callback(Output(ids.EXPLORE_TIME, "value", allow_duplicate=True), Output(ids.EXPLORE_PLAY_TICK, "disabled"),
          Output(ids.EXPLORE_PLAY, "children"),
          Input(ids.EXPLORE_PLAY, "n_clicks"), Input(ids.EXPLORE_PLAY_TICK, "n_intervals"),
          State(ids.EXPLORE_PLAY_TICK, "disabled"), State(ids.EXPLORE_TIME, "value"), State(ids.EXPLORE_CANVAS, "data"),
          prevent_initial_call=True)
def play(_clicks, _ticks, stopped, value, canvas):
    """Play starts stepping (its first step at once), Stop stops; each tick steps one bar,
    and the step after the last bar stops."""
    pressed = ctx.triggered_id == ids.EXPLORE_PLAY
    if pressed and not stopped:
        return no_update, True, "Play"
    if not pressed and stopped:         # a tick that was already queued when Stop was pressed
        return no_update, no_update, no_update
    step = play_value(x.Canvas.load(canvas), value, first=pressed)
    if step is None:
        return no_update, True, "Play"
    return step, False, "Stop"
