"""Watchlist entries pushed by other systems (compliance's lists, the fraud team's decisions)
rather than loaded from files: added through the same load templates as a `watchlists` file
(so an entry looks exactly like a loaded one, with provenance `api:<token>` and a load record
in the state store), listed by page, and retired. Retiring removes the LISTED_ON relationship
from the graph after the entry, as it was, is written to the audit log: nothing listed is
ever lost, and every detection, the transfer check included, stops seeing it at once (the
transfer check's exposure index is rebuilt when the watchlists' count or newest load time
changes: casegraph/detections/transfer_risk.py)."""
from __future__ import annotations

from typing import Any

from casegraph import audit, pushes
from casegraph.detections import transfer_risk
from casegraph.errors import NotFound, ParameterError
from casegraph.permissions import require
from casegraph.state import StateStore, now_ms

# entity kind -> (label, key property, load template)
KINDS: dict[str, tuple[str, str, str]] = {
    "account": ("Account", "account_id", "load_watchlist_accounts"),
    "wallet": ("Wallet", "address", "load_watchlist_wallets"),
    "device": ("Device", "device_id", "load_watchlist_devices"),
    "ip": ("IP", "ip", "load_watchlist_ips"),
    "phone": ("Phone", "phone", "load_watchlist_phones"),
    "email": ("Email", "email", "load_watchlist_emails"),
    "document": ("Document", "doc_id", "load_watchlist_documents"),
}
KIND_OF_LABEL = {label: kind for kind, (label, _, _) in KINDS.items()}


def _kind(kind: str) -> tuple[str, str, str]:
    if kind not in KINDS:
        raise ParameterError(f"unknown entity kind {kind!r}; kinds: {', '.join(KINDS)}")
    return KINDS[kind]


def add(store, state: StateStore, actor: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """entries: {watchlist, kind, key, list_source?, reason?, listed_at? (epoch ms; default now)}
    -> {load_id, added}. One load record and one audit entry for the call."""
    require(actor, "manage_watchlists")
    at = now_ms()
    by_template: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        _label, prop, template = _kind(e["kind"])
        by_template.setdefault(template, []).append({
            "watchlist": e["watchlist"], prop: e["key"], "list_source": e.get("list_source") or actor["name"],
            "reason": e.get("reason"), "listed_at": e.get("listed_at") or at})
    load_id = pushes.write(store, state, actor, "watchlists", entries, by_template, at)
    transfer_risk.forget_fingerprint(store)
    audit.record(state, actor["name"], "watchlist.add", {"load_id": load_id, "entries": entries})
    return {"load_id": load_id, "added": len(entries)}


def entries(store, watchlist: str = "", skip: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    rows = store.read("api_watchlist_entries", {"watchlist": watchlist, "skip": skip, "limit": limit},
                      row_limit=None).rows
    return [{**r, "kind": KIND_OF_LABEL.get(r["label"], r["label"])} for r in rows]


def retire(store, state: StateStore, actor: dict[str, Any], watchlist: str, kind: str, key: str,
           reason: str) -> dict[str, Any]:
    """Take `key` of `kind` off `watchlist`; the entry as it was goes to the audit log first."""
    require(actor, "manage_watchlists")
    if not (reason or "").strip():
        raise ParameterError("retiring a watchlist entry needs a reason")
    label, _prop, _ = _kind(kind)
    params = {"watchlist": watchlist, "label": label, "key": key}
    found = store.read("api_watchlist_entry", params, row_limit=None).rows
    if not found:
        raise NotFound(f"{kind} {key!r} is not on watchlist {watchlist!r}")
    audit.record(state, actor["name"], "watchlist.retire", {"entry": found[0], "reason": reason})
    store.write("api_watchlist_retire", params)
    transfer_risk.forget_fingerprint(store)
    return {**found[0], "kind": kind, "retired_reason": reason, "retired_at": now_ms()}
