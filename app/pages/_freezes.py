"""The freeze panel the request page and the case page share: record a freeze order on an
account or wallet of the request or case (amount, asset, until, reason), lift one with a
reason, and the table of their freezes. Pure functions and the panel's layout; each page
wires its own callbacks (component ids carry the page's prefix) over `record` and `lift`,
which the core (casegraph/freezes.py) checks again: only record_freeze roles may."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import html

from casegraph import freezes, graph
from casegraph.app import forms as f, ids
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
    for z in sorted(found, key=lambda z: -z["id"]):
        on = ", ".join(f"{kind} {z[k]}" for kind, k in (("request", "request_id"), ("case", "case_id"))
                       if z[k] is not None)
        out.append({"id": z["id"], "target": z["target"], "amount": f"{z['amount']:g}", "asset": z["asset"],
                    "state": state_of(z), "on": on, "frozen_by": z["frozen_by"], "frozen_at": iso(z["frozen_at"]),
                    "until": iso(z["until_at"]), "reason": z["reason"] or "", "lifted_by": z["lifted_by"] or "",
                    "lifted_at": iso(z["lifted_at"]), "lift_reason": z["lift_reason"] or ""})
    return out


def lift_options(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The active freezes, as the lift picker's choices."""
    return f.options((freezes.describe(z) + f" on {z['target']}", z["id"]) for z in found if z["active"])


def target_options(node_ids: list[str]) -> list[str]:
    """The accounts and wallets among `node_ids` (what can be frozen), in order, once each, as
    the target picker's choices."""
    return f.options(n for n in dict.fromkeys(node_ids) if graph.split_node_id(n)[0] in freezes.TARGETS)


def record(state, user: dict[str, Any], target: str | None, amount: Any, asset: str | None, until: str | None,
           reason: str | None, *, request_id: int | None = None, case_id: int | None = None) -> str:
    """Record a freeze from the panel's fields; the message the page shows."""
    if not target:
        return "pick the account or wallet to freeze"
    freeze_id = freezes.record(state, user, target, f.number_or_none(amount), asset or "", request_id=request_id, case_id=case_id,
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
        f.row([
            f.choice(i.target, placeholder="account or wallet", width="22em"),
            f.number(i.amount, placeholder="amount", minimum=0, width="amount"),
            f.text(i.asset, placeholder="asset, e.g. USDT", width="asset"),
            f.text(i.until, placeholder="until (ISO 8601, optional)", width="when"),
            f.text(i.reason, placeholder="order / reason", width="reason"),
            f.button("Record freeze", i.record),
        ]),
        f.row([
            f.choice(i.pick, placeholder="freeze to lift", width="30em"),
            f.text(i.lift_reason, placeholder="why it is lifted", width="reason"),
            f.button("Lift freeze", i.lift),
        ]),
    ], id=i.panel, style={} if visible else {"display": "none"})


def grid(grid_id: str):
    """The freezes as an AG Grid (app/pages/_grid.py), as tall as its rows."""
    return _grid.table(grid_id, COLUMNS, kinds={"id": _grid.NUMBER}, height=None)

