"""The freeze panel the request page and the case page share: record a freeze order on an
account or wallet of the request or case (amount, asset, until, reason), lift one with a
reason, and the table of their freezes. Pure functions and the panel's layout; each page
wires its own callbacks (component ids carry the page's prefix) over `record` and `lift`,
which the core (casegraph/freezes.py) checks again: only record_freeze roles may."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import dcc, html

from casegraph import freezes, graph
from casegraph.app import ids
from casegraph.app.pages import _grid
from casegraph.times import iso, option_ms

COLUMNS = ["id", "target", "amount", "asset", "state", "on", "frozen_by", "frozen_at", "until", "reason",
           "lifted_by", "lifted_at", "lift_reason"]


@dataclass(frozen=True)
class PanelIds:
    panel: str
    target: str
    amount: str
    asset: str
    until: str
    reason: str
    record: str
    pick: str
    lift_reason: str
    lift: str
    table: str


CASE = PanelIds(ids.CASES_FREEZE, ids.CASES_FREEZE_TARGET, ids.CASES_FREEZE_AMOUNT, ids.CASES_FREEZE_ASSET,
                ids.CASES_FREEZE_UNTIL, ids.CASES_FREEZE_REASON, ids.CASES_FREEZE_RECORD, ids.CASES_FREEZE_PICK,
                ids.CASES_FREEZE_LIFT_REASON, ids.CASES_FREEZE_LIFT, ids.CASES_FREEZES)
REQUEST = PanelIds(ids.REQUESTS_FREEZE, ids.REQUESTS_FREEZE_TARGET, ids.REQUESTS_FREEZE_AMOUNT,
                   ids.REQUESTS_FREEZE_ASSET, ids.REQUESTS_FREEZE_UNTIL, ids.REQUESTS_FREEZE_REASON,
                   ids.REQUESTS_FREEZE_RECORD, ids.REQUESTS_FREEZE_PICK, ids.REQUESTS_FREEZE_LIFT_REASON,
                   ids.REQUESTS_FREEZE_LIFT, ids.REQUESTS_FREEZES)


def state_of(row: dict[str, Any]) -> str:
    """"active", "lifted" or "ended" (its until has passed)."""
    if row["lifted_at"] is not None:
        return "lifted"
    return "active" if row["active"] else "ended"


def rows(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Freezes as table rows, newest first, times in ISO 8601."""
    out = []
    for f in sorted(found, key=lambda f: -f["id"]):
        on = ", ".join(f"{kind} {f[k]}" for kind, k in (("request", "request_id"), ("case", "case_id"))
                       if f[k] is not None)
        out.append({"id": f["id"], "target": f["target"], "amount": f"{f['amount']:g}", "asset": f["asset"],
                    "state": state_of(f), "on": on, "frozen_by": f["frozen_by"], "frozen_at": iso(f["frozen_at"]),
                    "until": iso(f["until_at"]), "reason": f["reason"] or "", "lifted_by": f["lifted_by"] or "",
                    "lifted_at": iso(f["lifted_at"]), "lift_reason": f["lift_reason"] or ""})
    return out


def lift_options(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The active freezes, as the lift picker's options."""
    return [{"label": freezes.describe(f) + f" on {f['target']}", "value": f["id"]} for f in found if f["active"]]


def target_options(node_ids: list[str]) -> list[str]:
    """The accounts and wallets among `node_ids` (what can be frozen), in order, once each."""
    return [n for n in dict.fromkeys(node_ids) if graph.split_node_id(n)[0] in freezes.TARGETS]


def record(state, user: dict[str, Any], target: str | None, amount: Any, asset: str | None, until: str | None,
           reason: str | None, *, request_id: int | None = None, case_id: int | None = None) -> str:
    """Record a freeze from the panel's fields; the message the page shows."""
    if not target:
        return "pick the account or wallet to freeze"
    freeze_id = freezes.record(state, user, target, amount, asset or "", request_id=request_id, case_id=case_id,
                               until=option_ms("until", until), reason=reason or "")
    return f"freeze {freeze_id} recorded on {target}"


def lift(state, user: dict[str, Any], freeze_id: Any, reason: str | None) -> str:
    if freeze_id in (None, ""):
        return "pick the freeze to lift"
    freezes.lift(state, user, int(freeze_id), reason or "")
    return f"freeze {freeze_id} lifted"


def panel(i: PanelIds, visible: bool) -> html.Div:
    """The panel: the record form, the lift form, and the table. Hidden (not removed) for a
    role that may not record freezes: the server refuses them anyway."""
    return html.Div([
        html.H3("Freezes"),
        html.Div([
            dcc.Dropdown(id=i.target, options=[], placeholder="account or wallet", style={"width": "320px"}),
            dcc.Input(id=i.amount, type="number", min=0, placeholder="amount", className="amount"),
            dcc.Input(id=i.asset, type="text", placeholder="asset, e.g. USDT", className="asset"),
            dcc.Input(id=i.until, type="text", placeholder="until (ISO 8601, optional)", className="when"),
            dcc.Input(id=i.reason, type="text", placeholder="order / reason", className="reason"),
            html.Button("Record freeze", id=i.record, n_clicks=0),
        ], className="toolbar"),
        html.Div([
            dcc.Dropdown(id=i.pick, options=[], placeholder="freeze to lift", style={"width": "420px"}),
            dcc.Input(id=i.lift_reason, type="text", placeholder="why it is lifted", className="reason"),
            html.Button("Lift freeze", id=i.lift, n_clicks=0),
        ], className="toolbar"),
    ], id=i.panel, style={} if visible else {"display": "none"})


def grid(grid_id: str):
    """The freezes as an AG Grid (app/pages/_grid.py), as tall as its rows."""
    return _grid.table(grid_id, COLUMNS, kinds={"id": _grid.NUMBER}, height=None)

