"""The walk shared by scammer_links and transfer_risk: a breadth-first search over
money links and shared identifiers, one query per level (`scammer_links_expand`),
with parent pointers so every node reached carries one shortest explaining path.

A hop is one relationship: TRANSFERRED, WITHDREW, DEPOSITED, SENT, or one of the
identifier links (USED_DEVICE, USED_IP, HAS_PHONE, HAS_EMAIL, HAS_DOCUMENT), so two
accounts sharing a device are two hops apart. Supernodes are reached but never walked
through: exchange hot wallets (label `exchange:...`) and identifiers used by more than
`max_shared` accounts (the query returns nothing for them), and accounts or wallets with
more than `max_degree` money links in the level's rows (dropped here, unless `exempt`,
e.g. the watchlisted seeds themselves).

Among the shortest paths to a node the walk keeps the "widest" one: the parent whose
path has the largest smallest money step (its bottleneck), then a money link over an
identifier, then the smallest key — deterministic for a given graph. The width is measured
in USD (amount_usd); links without a USD value count 0 there, and their amounts are kept per
asset (Visit.other, a step's `other`) so that paths show them (casegraph/money.py)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from casegraph import vendor
from casegraph.model import model
from casegraph.money import Money

EXPAND = "scammer_links_expand"
MONEY = tuple(model().money)
# frontier label -> the expand template's list parameter
FRONTIER_PARAM = {"Account": "accounts", "Wallet": "wallets", "Device": "devices", "IP": "ips",
                  "Phone": "phones", "Email": "emails", "Document": "documents"}
# how a reason names an entity of each label ("watchlisted device D1")
NOUN = {"Account": "account", "Wallet": "wallet", "Device": "device", "IP": "IP", "Phone": "phone",
        "Email": "e-mail", "Document": "document"}
BATCH = 10_000          # frontier keys per query (one level may take a few batches on big graphs)

Node = tuple[str, str]  # (label, key)


@dataclass
class Visit:
    """How the walk reached a node: hops from the nearest source and the last step."""
    node: Node
    hops: int
    parent: Node | None = None
    rel: str | None = None
    outgoing: bool = False      # the relationship points from parent to node
    n: int = 0                  # links (transactions) between parent and node of this type and direction
    usd: float = 0.0            # their USD total (money links only)
    bottleneck: float = math.inf  # smallest money step from the source to here (inf: none yet)
    lists: tuple[str, ...] = ()   # watchlists the node is on (as the query saw them)
    other: tuple = ()             # [asset, amount] of those links that have no USD value


def seed_info(rows: list[dict[str, Any]], categories: Iterable[str] | None = None) -> dict[Node, dict[str, Any]]:
    """Seed rows (scammer_links_seeds: one per entity and list) -> {(label, key): {lists,
    sources, reasons, labels, weight}}: the watchlisted entities scammer_links and exposure
    start from. Vendor labels of a weight-0 category (exchange) are no seeds; with
    `categories` only listings of those (casegraph/vendor.py keeps). `labels`: the vendor
    labels {vendor, category, entity, confidence}; `weight`: the largest of its listings'
    weights (vendor.weight)."""
    out: dict[Node, dict[str, Any]] = {}
    for r in rows:
        if not vendor.keeps(r, categories):
            continue
        s = out.setdefault((r["label"], r["key"]), {"lists": set(), "sources": set(), "reasons": set(),
                                                    "labels": [], "weight": 0.0})
        s["lists"].add(r["watchlist"])
        if r.get("list_source"):
            s["sources"].add(r["list_source"])
        if r.get("reason"):
            s["reasons"].add(r["reason"])
        if r.get("category") is not None:
            s["labels"].append({"vendor": r.get("list_source"), "category": r["category"], "entity": r.get("entity"),
                                "confidence": r.get("confidence")})
            s["labels"].sort(key=lambda x: (x["category"], str(x["vendor"])))
        s["weight"] = max(s["weight"], vendor.weight(r.get("category"), r.get("confidence")))
    return out


def listed_text(end: Node, info: dict[str, Any]) -> str:
    """'watchlisted wallet W1 (on vendor:sanctions; Example Group; labelled sanctions by V
    (Example Group, confidence 0.9))': the listed entity a path ends at, for reasons."""
    lists = sorted(info["lists"])
    text = f"watchlisted {NOUN.get(end[0], end[0])} {end[1]} (on {', '.join(lists)}"
    text += f"; {', '.join(sorted(info['reasons']))}" if info["reasons"] else ""
    labels = info.get("labels") or ()
    text += f"; labelled {'; '.join(vendor.label_text(x) for x in labels)}" if labels else ""
    return text + ")"


def watchlisted(end: Node, info: dict[str, Any]) -> dict[str, Any]:
    """A result's `watchlisted`: the listed entity, its lists, sources, reasons and vendor labels."""
    return {"entity": end[1], "label": end[0], "lists": sorted(info["lists"]),
            "list_sources": sorted(info["sources"]), "reasons": sorted(info["reasons"]),
            "categories": sorted({x["category"] for x in info.get("labels") or ()}),
            "labels": list(info.get("labels") or ())}


def walk(store, sources: Iterable[Node], max_hops: int, *, max_shared: int, max_degree: int,
         exempt: Iterable[str] = (), last_targets: str = "accounts", with_lists: bool = False,
         stop: Callable[[list[Visit]], bool] | None = None,
         on_rows: Callable[[list[dict[str, Any]]], None] | None = None) -> dict[Node, Visit]:
    """Breadth-first from `sources` up to `max_hops`; returns every node reached.

    `last_targets` filters the last level ('accounts' or 'listed'; 'all' keeps everything);
    `with_lists` asks for the watchlists of every node reached (Visit.lists);
    `stop(new_visits)` ends the walk early when it returns true; `on_rows` sees each
    level's raw rows (used to collect direct exposure of the first level)."""
    seen: dict[Node, Visit] = {s: Visit(s, 0) for s in sources}
    frontier = list(seen)
    exempt = set(exempt)
    for level in range(1, max_hops + 1):
        if not frontier:
            break
        targets = last_targets if level == max_hops else "all"
        rows = cut_hubs(expand(store, frontier, targets=targets, max_shared=max_shared,
                               with_lists=with_lists), max_degree, exempt)
        if on_rows is not None:
            on_rows(rows)
        best: dict[Node, Visit] = {}
        for r in rows:
            dst: Node = (r["dst_label"], r["dst"])
            if r["dst"] is None or dst in seen:
                continue
            parent = seen.get((r["src_label"], r["src"]))
            if parent is None:
                continue
            usd = float(r["usd"] or 0.0)
            money = r["rel"] in MONEY
            cand = Visit(dst, level, parent.node, r["rel"], bool(r["outgoing"]), int(r["n"] or 0), usd,
                         min(parent.bottleneck, usd) if money else parent.bottleneck,
                         tuple(sorted(r.get("dst_lists") or ())), tuple(map(tuple, r.get("other") or ())))
            old = best.get(dst)
            if old is None or _rank(cand) > _rank(old):
                best[dst] = cand
        seen.update(best)
        frontier = sorted(best)
        if stop is not None and stop(list(best.values())):
            break
    return seen


def _rank(v: Visit) -> tuple:
    b = v.bottleneck if v.bottleneck != math.inf else -1.0   # any money beats none... of the same length
    return (b, v.rel in MONEY, v.usd, tuple(-ord(c) for c in (v.parent or ("", ""))[1]))


def expand(store, frontier: list[Node], *, targets: str, max_shared: int,
           with_lists: bool = False) -> list[dict[str, Any]]:
    """One level: the expand template over the frontier, in batches of BATCH keys."""
    rows: list[dict[str, Any]] = []
    for i in range(0, len(frontier), BATCH):
        lists: dict[str, list[str]] = {p: [] for p in FRONTIER_PARAM.values()}
        for label, key in frontier[i:i + BATCH]:
            if label in FRONTIER_PARAM:
                lists[FRONTIER_PARAM[label]].append(key)
        rows += store.read(EXPAND, {**lists, "max_shared": max_shared, "targets": targets,
                                    "with_lists": with_lists}, row_limit=None).rows
    return rows


def cut_hubs(rows: list[dict[str, Any]], max_degree: int, exempt: set[str]) -> list[dict[str, Any]]:
    """Drop every row of a frontier account or wallet with more than `max_degree` money
    links in this level's rows (a hub is reached, but not walked through)."""
    degree: dict[tuple[str, str], int] = {}
    for r in rows:
        if r["rel"] in MONEY:
            k = (r["src_label"], r["src"])
            degree[k] = degree.get(k, 0) + int(r["n"] or 0)
    hubs = {k for k, d in degree.items() if d > max_degree and k[1] not in exempt}
    return [r for r in rows if (r["src_label"], r["src"]) not in hubs] if hubs else rows


def path_to_source(seen: dict[Node, Visit], node: Node) -> list[dict[str, Any]]:
    """The steps from `node` back to the source it was reached from (len == hops).
    `dir` is '->' when the relationship points from `from` to `to`, '<-' otherwise."""
    steps = []
    v = seen[node]
    while v.parent is not None:
        step = {"from": v.node[1], "from_label": v.node[0], "rel": v.rel,
                "dir": "<-" if v.outgoing else "->", "to": v.parent[1], "to_label": v.parent[0]}
        if v.rel in MONEY:
            step.update(usd=round(v.usd, 2), n=v.n)
            if v.other:
                step["other"] = Money().add_assets(v.other).as_dict()["assets"]
        steps.append(step)
        v = seen[v.parent]
    return steps


def reverse(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same path walked the other way."""
    out = []
    for s in reversed(steps):
        r = {**s, "from": s["to"], "from_label": s["to_label"], "to": s["from"], "to_label": s["from_label"],
             "dir": "<-" if s["dir"] == "->" else "->"}
        out.append(r)
    return out


def path_text(steps: list[dict[str, Any]]) -> str:
    """A readable path: A1 -[TRANSFERRED 1,200.00 USD]-> A2 <-[USED_DEVICE]- ... (a money step
    without a USD value shows its amounts per asset: -[SENT 0.4 BTC]->)"""
    if not steps:
        return ""
    parts = [steps[0]["from"]]
    for s in steps:
        what = s["rel"] + (f" {step_money(s)}" if "usd" in s else "")
        parts.append(f"-[{what}]->" if s["dir"] == "->" else f"<-[{what}]-")
        parts.append(s["to"])
    return " ".join(parts)


def step_money(step: dict[str, Any]) -> Money:
    """A money step's total: its USD and, for links without a USD value, amounts per asset."""
    m = Money(step.get("usd") or 0.0, dict(step.get("other") or {}), 1 if step.get("usd") else 0)
    return m


def bottleneck(steps: list[dict[str, Any]]) -> float:
    """Smallest USD total over the money steps of a path that are all in USD (each is an
    upper bound of what flowed the whole way); 0 when it has none."""
    amounts = [s["usd"] for s in steps if "usd" in s and not s.get("other")]
    return round(min(amounts), 2) if amounts else 0.0


def path_exposure(steps: list[dict[str, Any]]) -> Money:
    """The most that can have flowed along all of a path, as shown: the smallest all-USD money
    step; when no step is all in USD, the first money step's amounts per asset (any step's
    total bounds what went the whole way). Empty when the path has no money step."""
    usd = [s for s in steps if "usd" in s and not s.get("other")]
    if usd:
        return step_money(min(usd, key=lambda s: s["usd"]))
    money = [s for s in steps if "usd" in s]
    return step_money(money[0]) if money else Money()
