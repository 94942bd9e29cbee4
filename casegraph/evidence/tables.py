"""The tabular files of a package: nodes.csv, edges.csv and graph.graphml (the explorer's
exports, casegraph/exports.py: one implementation, which writes times as ISO 8601 UTC), and
transfers.csv, the money movements one row each, times ISO 8601 UTC too. Rows are sorted so
the same elements always give the same bytes."""
from __future__ import annotations

from typing import Any

from casegraph import exports, graph
from casegraph.times import iso

MONEY = graph.MONEY
TRANSFER_COLUMNS = ["kind", "tx_id", "tx_hash", "at", "from", "to", "amount", "asset", "amount_usd",
                    "usd_rate_day", "from_kind", "to_kind"]


def _sorted(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    nodes = sorted((e for e in elements if graph.is_node(e)), key=lambda e: e["data"]["id"])
    edges = sorted((e for e in elements if not graph.is_node(e)), key=lambda e: e["data"]["id"])
    return nodes + edges


def nodes_edges_csv(elements: list[dict[str, Any]]) -> tuple[bytes, bytes]:
    """(nodes.csv, edges.csv): one row per node and per relationship, one column per property."""
    nodes, edges = exports.to_csv(_sorted(elements))
    return nodes.encode("utf-8"), edges.encode("utf-8")


def graphml(elements: list[dict[str, Any]]) -> bytes:
    """graph.graphml with every property as an attribute."""
    return exports.to_graphml(_sorted(elements))


def transfers(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The money movements (TRANSFERRED, WITHDREW, DEPOSITED, SENT), oldest first."""
    kinds = {e["data"]["id"]: e["data"].get("kind") for e in elements if graph.is_node(e)}
    rows = []
    for e in elements:
        d = e["data"]
        if graph.is_node(e) or d.get("kind") not in MONEY:
            continue
        p = d.get("props") or {}
        rows.append({"kind": d["kind"], "tx_id": p.get("tx_id") or "", "tx_hash": p.get("tx_hash") or "",
                     "at_ms": p.get("at"), "at": iso(int(p["at"])) if p.get("at") is not None else "",
                     "from": d["source"], "to": d["target"], "amount": p.get("amount"),
                     "asset": p.get("asset") or "", "amount_usd": p.get("amount_usd"),
                     "usd_rate_day": iso(int(p["usd_rate_day"]))[:10] if p.get("usd_rate_day") is not None else "",
                     "from_kind": kinds.get(d["source"], ""), "to_kind": kinds.get(d["target"], "")})
    rows.sort(key=lambda r: (r["at_ms"] if r["at_ms"] is not None else -1, r["kind"], r["tx_id"], r["tx_hash"]))
    return rows


def transfers_csv(elements: list[dict[str, Any]]) -> bytes:
    """transfers.csv: kind, tx id and hash, time (ISO 8601 UTC), from and to (node ids),
    amount, asset, USD value (empty when there is none; usd_rate_day is the day of the rate
    it was computed from, empty when the source file gave it); oldest first."""
    return exports.write_csv(transfers(elements), TRANSFER_COLUMNS, extrasaction="ignore").encode("utf-8")
