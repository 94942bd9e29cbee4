"""The form controls every page builds, from one component library: dash-mantine-components
(Mantine 8). Tables are AG Grid (app/pages/_grid.py); everything a user types into, picks or
clicks is built here, so the pages look and behave alike and a test helper drives each kind
the same way on every page.

Why Mantine rather than dash-bootstrap-components: dmc bundles its CSS in its own scripts
(since 1.2), so the app needs no stylesheet from a CDN and runs offline as installed;
Bootstrap's CSS would have to be vendored, and dbc has no date picker or multi-select.

What the pages can rely on:
- every control keeps the `value` property a dcc control had (a checkbox group's value is the
  list of ticked values, as dcc.Checklist's was); buttons count `n_clicks`;
- choices (Select) take `data` instead of dcc.Dropdown's `options`, and their values are
  strings: `options()` turns (label, value) pairs or plain values into that form;
- a text field with `debounce=True` reports its value on Enter or when it loses focus, and
  counts Enter in `n_submit`;
- a number field reports "" when emptied (`number_or_none` reads it).

At import time: Dash serves a component library's scripts only when it was imported before
the first request."""
from __future__ import annotations

from typing import Any, Iterable

import dash_mantine_components as dmc

SIZE = "xs"      # a dense look: investigators want the graph, not the chrome

# widths of the fields whose content has a known shape
WIDTHS = {"reason": "22em", "when": "16em", "amount": "10em", "asset": "10em", "short": "7em",
          "name": "14em", "wide": "32em", "text16": "16em", "add": "20em"}


def provider(children) -> dmc.MantineProvider:
    """The root every page sits in: Mantine's theme (the system font, the app's colours)."""
    return dmc.MantineProvider(children, theme={"fontFamily": "system-ui, sans-serif", "primaryColor": "blue",
                                                "defaultRadius": "sm"})


def _width(width: str | None) -> dict:
    return {"w": WIDTHS.get(width, width)} if width else {}


def text(id_: Any, value: str | None = None, placeholder: str = "", label: str | None = None,
         width: str | None = None, debounce: bool | int = False, **kw) -> dmc.TextInput:
    """A one-line text field. `width`: a name from WIDTHS or a CSS width."""
    return dmc.TextInput(id=id_, value=value or "", placeholder=placeholder, label=label, size=SIZE,
                         debounce=debounce, **_width(width), **kw)


def password(id_: Any, placeholder: str = "", label: str | None = None, width: str | None = None,
             **kw) -> dmc.PasswordInput:
    """A password field (the browser never shows what is typed)."""
    return dmc.PasswordInput(id=id_, value="", placeholder=placeholder, label=label, size=SIZE,
                             **_width(width), **kw)


def number(id_: Any, value: float | None = None, placeholder: str = "", label: str | None = None,
           width: str | None = None, minimum: float | None = None, step: float | None = None,
           debounce: bool | int = False, **kw) -> dmc.NumberInput:
    """A number field; reports "" when emptied (see number_or_none)."""
    extra = {k: v for k, v in (("min", minimum), ("step", step)) if v is not None}
    return dmc.NumberInput(id=id_, value="" if value is None else value, placeholder=placeholder, label=label,
                           size=SIZE, debounce=debounce, **extra, **_width(width), **kw)


def number_or_none(value: Any) -> float | None:
    """A number field's value: None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def area(id_: Any, placeholder: str = "", label: str | None = None, width: str | None = None,
         rows: int = 3, **kw) -> dmc.Textarea:
    """A multi-line text field that grows with what is typed (up to 12 lines)."""
    return dmc.Textarea(id=id_, value="", placeholder=placeholder, label=label, size=SIZE, autosize=True,
                        minRows=rows, maxRows=12, **_width(width), **kw)


def options(items: Iterable) -> list[dict]:
    """Choices as Mantine wants them: [{"label", "value"}] with string values, from plain
    values, (label, value) pairs or dcc-style {"label", "value"} dicts."""
    out = []
    for item in items:
        if isinstance(item, dict):
            label, value = item["label"], item["value"]
        elif isinstance(item, (tuple, list)):
            label, value = item
        else:
            label, value = item, item
        out.append({"label": str(label), "value": str(value)})
    return out


def choice(id_: Any, items: Iterable = (), value: Any = None, placeholder: str = "", label: str | None = None,
           width: str | None = None, clearable: bool = True, searchable: bool = True, **kw) -> dmc.Select:
    """Pick one (a Select; searchable by default). `items`: see options()."""
    return dmc.Select(id=id_, data=options(items), value=None if value is None else str(value),
                      placeholder=placeholder, label=label, size=SIZE, clearable=clearable, searchable=searchable,
                      nothingFoundMessage="nothing matches", maxDropdownHeight=320,
                      comboboxProps={"withinPortal": True}, **_width(width), **kw)


def checks(id_: Any, items: Iterable, value: list | None = None, label: str | None = None, **kw) -> dmc.CheckboxGroup:
    """Tick boxes side by side; the value is the list of ticked values (a single box is an
    on/off switch: its value is [] or [that value])."""
    boxes = [dmc.Checkbox(label=o["label"], value=o["value"], size=SIZE) for o in options(items)]
    dom_id = {"attributes": {"root": {"id": id_}}} if isinstance(id_, str) else {}   # Mantine leaves it off the page
    return dmc.CheckboxGroup(dmc.Group(boxes, gap="sm"), id=id_, value=list(value or []), label=label,
                             size=SIZE, **dom_id, **kw)


def segments(id_: Any, items: Iterable, value: Any, **kw) -> dmc.SegmentedControl:
    """One of a few choices, all in view (a segmented switch)."""
    return dmc.SegmentedControl(id=id_, data=options(items), value=str(value), size=SIZE, **kw)


def date(id_: Any, placeholder: str = "", label: str | None = None, width: str = "11em", **kw) -> dmc.DateInput:
    """A date (YYYY-MM-DD): typed, or picked from a calendar; clearable."""
    return dmc.DateInput(id=id_, value=None, valueFormat="YYYY-MM-DD", placeholder=placeholder, label=label,
                         size=SIZE, clearable=True, **_width(width), **kw)


def window(id_: Any, low: float, high: float, value: list, disabled: bool = False) -> dmc.RangeSlider:
    """A [from, to] range between `low` and `high` (the explorer's time window, epoch ms),
    reported when a handle is let go; no value bubble (the page says the window in words)."""
    return dmc.RangeSlider(id=id_, min=low, max=high, value=value, step=1, minRange=0, label=None,
                           updatemode="mouseup", disabled=disabled, size="sm")


def button(label: str, id_: Any, title: str = "", kind: str = "default", **kw) -> dmc.Button:
    """A button counting n_clicks. `kind`: default (outlined), primary (filled) or subtle."""
    variant = {"default": "default", "primary": "filled", "subtle": "subtle"}[kind]
    extra = {"attributes": {"root": {"title": title}}} if title else {}
    return dmc.Button(label, id=id_, n_clicks=0, size=SIZE, variant=variant, **extra, **kw)


def row(children: list, **kw) -> dmc.Group:
    """Controls side by side, bottoms aligned (fields with a label line up with buttons)."""
    return dmc.Group(children, **{"gap": "xs", "align": "flex-end", "wrap": "wrap", "mb": 6, **kw})
