"""The human-readable content of a package, as plain data that report.html and report.pdf
both render: the request, the subject, linked accounts, identifiers, money flows (totals
in and out, top counterparties), listings and scam reports, and a timeline.

Money columns named usd count the movements that have a USD value; the movements without
one are summed per asset beside them (`*_without_usd`, e.g. "0.4 BTC"), never as USD."""
from __future__ import annotations

from typing import Any

from casegraph import graph
from casegraph.money import Money
from casegraph.times import iso

IDENTIFIERS = ("Device", "IP", "Phone", "Email", "Document")
TOP = 10                 # counterparties shown
TIMELINE_MAX = 500       # events shown (the CSVs hold everything)


def _when(ms: Any) -> str:
    return iso(int(ms)) if ms not in (None, "") else ""


def _edge_usd(d: dict[str, Any]) -> float:
    """A movement's USD value: its amount_usd property (the element's copy as fallback)."""
    p = d.get("props") or {}
    return _usd(p["amount_usd"] if p.get("amount_usd") is not None else d.get("amount_usd"))


def _without_usd(ds: list[dict[str, Any]]) -> str:
    """The movements that have no USD value, summed per asset ("" when there are none)."""
    m = Money()
    for d in ds:
        p = d.get("props") or {}
        if p.get("amount_usd") is None and d.get("amount_usd") is None:
            m.add(None, p.get("amount"), p.get("asset"))
    return m.text() if m.assets else ""


def _usd(value: Any) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def summarise(elements: list[dict[str, Any]], subject: str | None) -> dict[str, Any]:
    """Sections of the report from the (possibly masked) elements."""
    nodes = {e["data"]["id"]: e["data"] for e in elements if graph.is_node(e)}
    edges = sorted((e["data"] for e in elements if not graph.is_node(e)), key=lambda d: d["id"])
    uses: dict[str, set[str]] = {}
    for d in edges:
        if nodes.get(d["target"], {}).get("kind") in IDENTIFIERS:
            uses.setdefault(d["target"], set()).add(d["source"])
    subject_ids = {x for x, accounts in uses.items() if subject in accounts}
    direct: dict[str, set[str]] = {}
    for d in edges:
        if subject in (d["source"], d["target"]):
            direct.setdefault(d["target"] if d["source"] == subject else d["source"], set()).add(d["kind"])
    accounts = []
    for nid, d in sorted(nodes.items()):
        if d["kind"] != "Account" or nid == subject:
            continue
        p = d.get("props") or {}
        shared = sorted(nodes[x]["key"] for x in subject_ids if nid in uses.get(x, ()))
        relation = sorted(direct.get(nid, ())) + (["shares identifiers"] if shared else [])
        accounts.append({"account": d["key"], "relation": ", ".join(relation), "country": p.get("country") or "", "status": p.get("status") or "",
                         "kyc_level": p.get("kyc_level") if p.get("kyc_level") is not None else "",
                         "registered_at": _when(p.get("registered_at")), "shared_with_subject": ", ".join(shared)})
    identifiers = [{"kind": d["kind"], "value": d["key"],
                    "used_by": ", ".join(sorted(nodes[a]["key"] for a in uses.get(nid, ()) if a in nodes))}
                   for nid, d in sorted(nodes.items(), key=lambda kv: (kv[1]["kind"], kv[0])) if d["kind"] in IDENTIFIERS]
    return {"subject": _subject(nodes, subject), "accounts": accounts, "identifiers": identifiers,
            "flows": _flows(nodes, edges, subject), "listings": _listings(nodes, edges),
            **_timeline(nodes, edges)}


def _subject(nodes: dict[str, dict], subject: str | None) -> list[dict[str, Any]]:
    d = nodes.get(subject) if subject else None
    if not d:
        return []
    rows = [{"property": "id", "value": d["id"]}]
    for k, v in sorted((d.get("props") or {}).items()):
        if k in ("source", "load_id", "loaded_at"):
            continue
        rows.append({"property": k, "value": _when(v) if k.endswith("_at") else v})
    return rows


def _flows(nodes: dict[str, dict], edges: list[dict], subject: str | None) -> dict[str, Any]:
    """Money in and out: of the subject, or (a case) of every account and wallet in it."""
    money = [d for d in edges if d["kind"] in graph.MONEY]
    parties = [subject] if subject else sorted(n for n, d in nodes.items() if d["kind"] in ("Account", "Wallet"))
    totals, counter = [], {}
    sent: dict[str, list[dict]] = {}
    received: dict[str, list[dict]] = {}
    for d in money:                          # grouped once: a scan per party is parties x edges
        sent.setdefault(d["source"], []).append(d)
        received.setdefault(d["target"], []).append(d)
    for party in parties:
        out, inn = sent.get(party, []), received.get(party, [])
        if not (out or inn) and not subject:
            continue
        totals.append({"party": party, "movements_in": len(inn), "usd_in": round(sum(_edge_usd(d) for d in inn), 2),
                       "in_without_usd": _without_usd(inn),
                       "movements_out": len(out), "usd_out": round(sum(_edge_usd(d) for d in out), 2),
                       "out_without_usd": _without_usd(out)})
    for d in money:
        if subject and subject not in (d["source"], d["target"]):
            continue
        if subject:
            key = (d["target"] if d["source"] == subject else d["source"],
                   "out" if d["source"] == subject else "in")
        else:
            key = (f"{d['source']} -> {d['target']}", "")
        c = counter.setdefault(key, {"movements": 0, "usd": 0.0, "edges": []})
        c["movements"] += 1
        c["usd"] += _edge_usd(d)
        c["edges"].append(d)
    top = sorted(counter.items(), key=lambda kv: (-kv[1]["usd"], kv[0]))[:TOP]
    assets: dict[tuple[str, str], float] = {}
    for d in money:
        if subject and subject not in (d["source"], d["target"]):
            continue
        way = "" if not subject else ("out" if d["source"] == subject else "in")
        k = (way, str((d.get("props") or {}).get("asset") or ""))
        assets[k] = assets.get(k, 0.0) + _usd((d.get("props") or {}).get("amount"))
    return {"totals": totals,
            "top": [{"counterparty": k[0], "direction": k[1], "movements": v["movements"], "usd": round(v["usd"], 2),
                     "without_usd": _without_usd(v["edges"])} for k, v in top],
            "assets": [{"direction": w, "asset": a, "amount": round(v, 8)} for (w, a), v in sorted(assets.items())]}


def _listings(nodes: dict[str, dict], edges: list[dict]) -> list[dict[str, Any]]:
    rows = []
    for d in edges:
        src, dst, p = nodes.get(d["source"], {}), nodes.get(d["target"], {}), d.get("props") or {}
        if d["kind"] == "LISTED_ON":
            rows.append({"what": "watchlist", "entity": d["source"], "detail": f"on list {dst.get('key')}: "
                         f"{p.get('reason') or ''} ({p.get('list_source') or ''})", "at": _when(p.get("listed_at"))})
        elif d["kind"] in ("AGAINST", "FILED"):
            report, party = (src, d["target"]) if d["kind"] == "AGAINST" else (dst, d["source"])
            rp = report.get("props") or {}
            role = "reported" if d["kind"] == "AGAINST" else "filed by"
            rows.append({"what": f"scam report ({role})", "entity": party,
                         "detail": f"{report.get('key')}: {rp.get('amount')} {rp.get('asset') or ''}, status {rp.get('status')}",
                         "at": _when(rp.get("reported_at"))})
    return sorted(rows, key=lambda r: (r["at"], r["entity"], r["what"]))


def _timeline(nodes: dict[str, dict], edges: list[dict]) -> dict[str, Any]:
    events = []
    for nid, d in nodes.items():
        p = d.get("props") or {}
        if d["kind"] == "Account" and p.get("registered_at") is not None:
            events.append((p["registered_at"], nid, "account registered"))
        elif d["kind"] == "ScamReport" and p.get("reported_at") is not None:
            events.append((p["reported_at"], nid, f"scam report filed ({p.get('amount')} {p.get('asset') or ''})"))
        elif d["kind"] == "Group" and p.get("flagged_at") is not None:
            events.append((p["flagged_at"], nid, f"group flagged by model {p.get('model')}"))
    for d in edges:
        p = d.get("props") or {}
        if d["kind"] in graph.MONEY and p.get("at") is not None:
            events.append((p["at"], f"{d['source']} -> {d['target']}",
                           f"{d['kind']} {p.get('amount')} {p.get('asset') or ''} ({p.get('tx_id') or p.get('tx_hash')})"))
        elif d["kind"] == "LISTED_ON" and p.get("listed_at") is not None:
            events.append((p["listed_at"], d["source"], f"listed on {nodes.get(d['target'], {}).get('key')}"))
        elif d["kind"] in ("USED_DEVICE", "USED_IP") and p.get("first_seen") is not None:
            events.append((p["first_seen"], d["source"], f"first seen with {d['target']}"))
    events.sort(key=lambda t: (int(t[0]), t[1], t[2]))
    rows = [{"at": _when(at), "entity": who, "event": what} for at, who, what in events[:TIMELINE_MAX]]
    return {"timeline": rows, "timeline_total": len(events)}
