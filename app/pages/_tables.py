"""Rows for the Search, Alerts and Saved-queries pages: pure functions from what
casegraph returns to what a table or link shows (unit-tested without a browser); query
results in a grid are app/pages/_grid.py's, with the time columns found here."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from casegraph.cases import alert_node_ids
from casegraph.times import iso


def explorer_href(node_ids: list[str], alert: int | None = None) -> str:
    """The explorer URL that opens these node ids (and shows an alert's reasons)."""
    href = "/explorer?ids=" + quote(",".join(node_ids), safe=":,")
    return href + (f"&alert={alert}" if alert is not None else "")


def shown(found: list[dict], limit: int) -> tuple[list[dict], bool]:
    """Up to `limit` hits, and whether there are more (search asks for one more than it shows)."""
    return found[:limit], len(found) > limit


def hits_count(n: int, more: bool) -> str:
    return f"{n}+ hits, the first {n} shown" if more else f"{n} hit(s)"


def short(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def table_rows(alerts: list[dict]) -> list[dict]:
    """State-store alerts -> the alerts grid's rows: "open" linking to the explorer (its href
    in open_href), the first reason (the explorer shows them all), the entity key shortened,
    the assignee, the alert's case as "#N" linking to it (case_href), times as ISO."""
    from casegraph.app.pages._cases import case_href
    rows = []
    for a in alerts:
        reasons = [str(r) for r in a.get("reasons") or []]
        first = short(reasons[0], 160) if reasons else ""
        case = a.get("case_id")
        rows.append({"id": a["id"], "open": "open", "open_href": explorer_href(alert_node_ids(a), a["id"]),
                     "detection": a["detection"], "score": round(float(a["score"]), 3), "status": a["status"],
                     "assignee": a.get("assignee") or "", "case": f"#{case}" if case else "",
                     "case_href": case_href(case) if case else "",
                     "entity_key": short(a["entity_key"], 40),
                     "reasons": first + (f" (+{len(reasons) - 1} more)" if len(reasons) > 1 else ""),
                     "updated_at": iso(a["updated_at"])})
    return rows


def selected_ids(rows: list[dict] | None) -> list[int]:
    """The alert ids of the rows ticked in the alerts grid (its selectedRows), in order."""
    return [int(r["id"]) for r in rows or [] if r and r.get("id") is not None]


def selected_text(rows: list[dict] | None) -> str:
    """What the page says is ticked (the rows the server has seen: the next bulk button acts on them)."""
    n = len(selected_ids(rows))
    return f"{n} alert(s) selected" if n else ""


def default_text(p) -> str:
    """A parameter's default as the form shows it (lists and maps as JSON)."""
    if p.required or p.default is None:
        return ""
    if isinstance(p.default, (list, dict)):
        return json.dumps(p.default)
    return str(p.default).lower() if isinstance(p.default, bool) else str(p.default)


def form_values(names: list[str], values: list[Any]) -> dict[str, Any]:
    """Form fields -> parameters for Query.bind: blank fields are left out (the header's
    default applies, or bind says the parameter is required)."""
    out = {}
    for name, value in zip(names, values):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        out[name] = value.strip() if isinstance(value, str) else value
    return out


def time_columns(columns: list[str]) -> set[str]:
    """The result columns that hold times: named like a time property of the model
    (registered_at, at, first_seen, ...) or ending in `_at` (first_withdrawal_at ...)."""
    from casegraph.model import model
    m = model()
    times = {p for t in (*m.nodes.values(), *m.relationships.values()) for p, typ in t.properties.items() if typ == "time"}
    times |= {"loaded_at"}
    return {c for c in columns if c in times or c.endswith("_at") or c.split(".")[-1] in times}


def result_note(res, limit: int) -> str:
    note = f"{len(res.rows)} row(s)"
    if res.truncated:
        note += f"; row limit reached: showing the first {len(res.rows)} (CASEGRAPH_ROW_LIMIT={limit})"
    return note
