"""Batch-registration rings: accounts opened in one sitting by one operator, linked
through the identifiers and wallets they share.

Three templates (cypher/detect/rings.cypher: devices and IPs; rings_kyc: phones, e-mails,
documents; rings_wallets: wallets withdrawn to or funded from, exchange hot wallets
excluded), run side by side, return every identifier that 2..cap accounts share, with
those accounts' registration times. Here:

- two accounts sharing an identifier are linked only if they registered at most
  `burst_hours` apart; the link weighs KIND_WEIGHT[kind] times the identifier's
  *concentration*: the largest share of its accounts that registered within one
  burst window. A ring's device is used only by the batch (1.0); an office IP's 30
  users sign up at random times, so two of them registering the same afternoon give
  0.4 x 2/30; a family's device is shared by people who joined weeks apart (no link);
- a pair's weight is the sum over everything it shares; pairs below
  `min_link_weight` are dropped (an IP alone never makes a link);
- rings are the connected components (casegraph.graphalgo) of what is left, cut at
  registration gaps until each fits in one burst window, with at least `min_size`
  members and `min_kinds` kinds of shared identifier, scored by kinds shared, burst
  tightness and size;
- model-flagged groups (IN_GROUP) are read afterwards for the members found and only
  compared (confirms / partial / missed_by_model): a group is never evidence.

`--param` takes the parameters the three templates' headers declare (the table below),
bounds included; rings.cypher's header also declares the ones applied here."""
from __future__ import annotations

import hashlib
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from casegraph.times import iso
from casegraph.detections import Detection, header
from casegraph.detections._quality import precision_recall
from casegraph.graphalgo import connected_components

HOUR_MS = 3_600_000
# Strength of one shared identifier of each kind, before concentration: a device, a KYC
# document, a phone or an e-mail belong to one person; a wallet to one operator (or a
# scam many people paid); an IP to anyone behind the same NAT.
KIND_WEIGHT = {"device": 1.0, "document": 1.0, "phone": 0.8, "email": 0.8,
               "withdrawal wallet": 0.6, "funding wallet": 0.6, "ip": 0.4}
KIND_ORDER = list(KIND_WEIGHT)
NOUNS = {"ip": ("IP", "IPs")}
JACCARD_CONFIRMS = 0.5
EVIDENCE = ("rings", "rings_kyc", "rings_wallets")      # run side by side: each is a fraction of the work


def _concentration(times: list[int], window_ms: int) -> int:
    """Most accounts (of sorted registration times) that fall within one window."""
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] > window_ms:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def links(rows: list[dict[str, Any]], window_ms: int) -> tuple[dict[tuple[str, str], float], dict[str, int]]:
    """Identifier rows -> ({(a, b): weight} for accounts registered within the window,
    {account: registered_at})."""
    weight: dict[tuple[str, str], float] = defaultdict(float)
    registered: dict[str, int] = {}
    for row in rows:
        accs = sorted({(a["at"], a["id"]) for a in row.get("accounts") or []
                       if a and a.get("id") is not None and a.get("at") is not None})
        if len(accs) < 2:
            continue
        total = max(int(row.get("total") or 0), len(accs))
        times = [t for t, _ in accs]
        w = KIND_WEIGHT.get(row["kind"], 0.0) * _concentration(times, window_ms) / total
        for t, a in accs:
            registered[a] = t
        for i, (ti, ai) in enumerate(accs):
            for tj, aj in accs[i + 1:]:
                if tj - ti > window_ms:
                    break
                if ai != aj:
                    weight[(ai, aj) if ai < aj else (aj, ai)] += w
    return dict(weight), registered


def ring_id(members: list[str]) -> str:
    """Stable id: the same members always give the same ring id."""
    return "R-" + hashlib.sha1(",".join(sorted(members)).encode()).hexdigest()[:10]


def _short(value: str) -> str:
    value = str(value)
    return value if len(value) <= 14 else value[:10] + "…"


def _duration(ms: int) -> str:
    minutes = ms / 60_000
    if minutes < 1:
        return f"{ms // 1000} s"
    if minutes < 90:
        return f"{round(minutes)} min"
    return f"{minutes / 60:.1f} h"


def _shared_sentence(shared: list[dict[str, Any]]) -> str:
    parts = []
    for kind in KIND_ORDER:
        items = [s for s in shared if s["kind"] == kind]
        if not items:
            continue
        one, many = NOUNS.get(kind, (kind, kind + "s"))
        noun = one if len(items) == 1 else many
        parts.append(noun + " " + ", ".join(f"{_short(s['value'])} ({s['accounts']} accounts)" for s in items[:3])
                     + (f" and {len(items) - 3} more" if len(items) > 3 else ""))
    return "share " + "; ".join(parts)


def _assess(members: list[str], registered: dict[str, int], by_account: dict[str, list[dict[str, Any]]],
            window_ms: int, min_kinds: int) -> dict[str, Any] | None:
    member_set = set(members)
    counts: dict[tuple[str, str], dict[str, Any]] = {}
    for a in members:
        for ident in by_account.get(a, ()):
            key = (ident["kind"], ident["value"])
            entry = counts.setdefault(key, {"kind": ident["kind"], "value": ident["value"], "accounts": 0,
                                            "total": ident["total"]})
            entry["accounts"] += 1
    shared = sorted((s for s in counts.values() if s["accounts"] >= 2),
                    key=lambda s: (KIND_ORDER.index(s["kind"]), -s["accounts"], str(s["value"])))
    kinds = sorted({s["kind"] for s in shared}, key=KIND_ORDER.index)
    if len(kinds) < min_kinds:
        return None
    times = sorted(registered[a] for a in member_set)
    span = times[-1] - times[0]
    size = len(members)
    strong = [k for k in kinds if KIND_WEIGHT[k] >= 0.8]
    s_kinds = min(1.0, (len(strong) + 0.5 * (len(kinds) - len(strong))) / 3)
    s_burst = max(0.0, 1.0 - span / window_ms) if window_ms else 1.0
    s_size = min(1.0, (size - 2) / 8)
    score = round(min(1.0, 0.25 + 0.35 * s_kinds + 0.2 * s_burst + 0.2 * s_size), 3)
    reasons = [f"{size} accounts registered within {_duration(span)} "
               f"({iso(times[0])} to {iso(times[-1])})",
               _shared_sentence(shared)]
    return {"ring_id": ring_id(members), "members": members, "size": size, "score": score, "reasons": reasons,
            "shared": shared, "kinds": kinds,
            "registered_from": iso(times[0]), "registered_to": iso(times[-1]),
            "registration_span_hours": round(span / HOUR_MS, 2)}


def _bursts(components: list[list[str]], pairs: list[tuple[str, str]], registered: dict[str, int],
            window_ms: int) -> list[list[str]]:
    """A ring registers in one burst: a component chained across a longer time (each link
    within the window, the whole not) is cut at its widest registration gap, and each
    side split again into what its own links still connect, until every part fits."""
    adj: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        adj[a].add(b)
        adj[b].add(a)
    out, todo = [], list(components)
    while todo:
        members = sorted(todo.pop(), key=lambda a: (registered[a], a))
        if registered[members[-1]] - registered[members[0]] <= window_ms:
            out.append(sorted(members))
            continue
        cut = max(range(len(members) - 1), key=lambda i: registered[members[i + 1]] - registered[members[i]])
        for part in (members[:cut + 1], members[cut + 1:]):
            keep = set(part)
            todo.extend(connected_components(((a, b) for a in part for b in adj[a] if b in keep), nodes=part))
    return sorted(out, key=lambda m: m[0])


def find(rows: list[dict[str, Any]], params: dict[str, Any]) -> list[dict[str, Any]]:
    """Shared-identifier rows -> rings (not yet compared with the model), highest score first.
    `params` are bound (DETECTION.bind: checked, defaults filled in)."""
    window_ms = int(float(params["burst_hours"]) * HOUR_MS)
    min_weight = float(params["min_link_weight"])
    min_size = int(params["min_size"])
    min_kinds = int(params["min_kinds"])
    min_score = float(params["min_score"])

    weight, registered = links(rows, window_ms)
    strong = [pair for pair, w in weight.items() if w >= min_weight - 1e-9]
    by_account: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        ident = {"kind": row["kind"], "value": row["value"],
                 "total": max(int(row.get("total") or 0), len(row.get("accounts") or []))}
        for a in {a["id"] for a in row.get("accounts") or [] if a and a.get("id") is not None}:
            by_account[a].append(ident)

    out = []
    for members in _bursts(connected_components(strong), strong, registered, window_ms):
        if len(members) < min_size:
            continue
        ring = _assess(members, registered, by_account, window_ms, min_kinds)
        if ring is not None and ring["score"] >= min_score:
            out.append(ring)
    out.sort(key=lambda r: (-r["score"], -r["size"], r["ring_id"]))
    return out


def explain(rows: list[dict[str, Any]], params: dict[str, Any] | None = None,
            groups: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Shared-identifier rows -> rings, highest score first. `groups` (rows of
    rings_groups) only annotate the rings with the model's view; without them every
    ring's model_relation is 'missed_by_model'."""
    rings = find(rows, DETECTION.bind(params))
    annotate(rings, groups or [])
    return rings


def annotate(rings: list[dict[str, Any]], groups: list[dict[str, Any]]) -> None:
    """Compare each ring with the model's groups (after detection, never as evidence)."""
    for ring in rings:
        members = set(ring["members"])
        overlapping = []
        for g in groups:
            gm = set(g.get("members") or [])
            common = len(members & gm)
            if common:
                jac = common / len(members | gm)
                overlapping.append({"group_id": g["group_id"], "model": g.get("model"), "score": g.get("score"),
                                    "size": len(gm), "overlap": common, "jaccard": round(jac, 3)})
        overlapping.sort(key=lambda g: (-g["jaccard"], str(g["group_id"])))
        ring["model_groups"] = overlapping
        if overlapping and overlapping[0]["jaccard"] >= JACCARD_CONFIRMS:
            ring["model_relation"] = "confirms"
            g = overlapping[0]
            ring["reasons"].append(f"confirms model group {g['group_id']} ({g['model']}, score {g['score']}): "
                                   f"{g['overlap']} of {len(members)} members in it")
        elif overlapping:
            ring["model_relation"] = "partial"
            covered = len(members & {m for g in groups for m in g.get("members") or []
                                     if g["group_id"] in {o["group_id"] for o in overlapping}})
            ring["reasons"].append(f"only partly flagged by the model: {covered} of {len(members)} members in "
                                   f"group(s) {', '.join(o['group_id'] for o in overlapping)}")
        else:
            ring["model_relation"] = "missed_by_model"
            ring["reasons"].append("in no model-flagged group: missed by the model")


def run(store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The three evidence queries at once (a fixed number, never one per ring), then the
    model groups of the members found."""
    p = DETECTION.bind(params)
    bound = {name: {q.name: p[q.name] for q in store.queries.get(name).params} for name in EVIDENCE}
    with ThreadPoolExecutor(max_workers=len(EVIDENCE)) as pool:
        parts = list(pool.map(lambda name: store.read(name, bound[name], row_limit=None).rows, EVIDENCE))
    rings = find([row for rows in parts for row in rows], p)
    members = sorted({m for r in rings for m in r["members"]})
    groups = store.read("rings_groups", {"account_ids": members}, row_limit=None).rows if members else []
    annotate(rings, groups)
    return rings


def quality(results: list[dict[str, Any]], truth: dict) -> dict[str, float | int]:
    """Member precision/recall against every truth ring; rings matched (Jaccard >= 0.5),
    and of those the ones the model missed; confounder identifiers a ring rests on alone."""
    found = {m for r in results for m in r["members"]}
    expected = [set(r) for r in truth["rings"]]
    q = precision_recall(found, set().union(*expected) if expected else set())
    matched = missed_matched = 0
    for ring in expected:
        best = max(results, key=lambda r: len(ring & set(r["members"])) / len(ring | set(r["members"])),
                   default=None)
        if best is not None and len(ring & set(best["members"])) / len(ring | set(best["members"])) >= 0.5:
            matched += 1
            missed_matched += best.get("model_relation") == "missed_by_model"
    conf = truth.get("confounders", {})
    benign = set(conf.get("carrier_ips", [])) | set(conf.get("office_ips", [])) | set(conf.get("family_devices", []))
    fp_groups = set(conf.get("false_positive_groups", []))
    # a ring that, without the confounders' carrier/office IPs and family devices,
    # would not have two kinds of shared identifier left
    on_confounders_only = sum(1 for r in results
                              if len({s["kind"] for s in r["shared"] if s["value"] not in benign}) < 2)
    confirms_fp = sum(1 for r in results for g in r.get("model_groups", [])
                      if g["group_id"] in fp_groups and g["jaccard"] >= JACCARD_CONFIRMS)
    return {**q, "rings_expected": len(expected), "rings_found": len(results), "rings_matched": matched,
            "rings_matched_missed_by_model": missed_matched, "rings_on_confounders_only": on_confounders_only,
            "false_positive_groups_confirmed": confirms_fp}


DETECTION = Detection(name="rings", level="ring",
                      summary="accounts registered in one burst that share devices, IPs, phones, documents or wallets",
                      domain="kyc_fraud", risk_flag="ring-member", query="rings", explain=explain,
                      params=header(*EVIDENCE), runner=run)
