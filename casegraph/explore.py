"""What the investigator UI asks of the graph: search, expand (paged, safe on supernodes),
details, shortest path, risk flags and fund traces, each through named templates in
cypher/ui/ and each returning plain data or cytoscape elements (casegraph/graph.py).

Node ids are "<Label>:<key>" (see casegraph/graph.py); the label must be one of the model's."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from casegraph import detections, graph, vendor
from casegraph.times import iso
from casegraph.errors import QueryError
from casegraph.model import model
from casegraph.store import GraphStore, Result

SEARCH_LIMIT_MAX = 200
EXPAND_LIMIT_MAX = 500
MAX_LINKS = 20          # relationships drawn between a node and one neighbour
SORT_MAX = 2000         # neighbours sorted by label and key for stable pages; past this, database order
COUNT_CAP = 5001        # neighbours counted at most (a hot wallet has tens of thousands)
LINKS_MAX_ACCOUNTS = 500  # accounts whose shared links are drawn when opened together
SELECTION_MAX = 2000    # nodes a selection may name
SELECTION_LINKS = 5000  # relationships read among a selection's nodes, at most


def parse_node_id(node_id: str) -> tuple[str, str]:
    """("Account", "A1") from "Account:A1"; QueryError when the id is malformed or its
    label is not in the model (labels end up in query text, so only the model's pass)."""
    try:
        label, key = graph.split_node_id(node_id)
    except ValueError as e:
        raise QueryError(str(e)) from None
    if label not in model().nodes:
        raise QueryError(f"unknown label {label!r} in node id {node_id!r}; the model has "
                         f"{', '.join(sorted(model().nodes))}")
    return label, key


def _check_rel(rel: str | None) -> str:
    if rel in (None, "", "*"):
        return ""
    if rel not in model().relationships and rel not in KINDS:
        raise QueryError(f"unknown relationship type {rel!r}; the model has "
                         f"{', '.join(sorted(model().relationships))} (or a kind: {', '.join(KINDS)})")
    return rel


# kinds of relationships an expand can follow at once (besides one type, or every type)
KINDS = {"money": "money movements", "identifiers": "shared identifiers"}


def rel_types(rel: str | None) -> list[str]:
    """The relationship types `rel` names: one type, a kind ("money": every money movement,
    "identifiers": devices, IPs, phones, e-mails, documents; from the model), or none for
    every type."""
    rel = _check_rel(rel)
    if rel == "money":
        return list(model().money)
    if rel == "identifiers":
        return list(dict.fromkeys(model().identifiers.values()))
    return [rel] if rel else []


def _bounded(name: str, value: int, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise QueryError(f"{name} must be a whole number from {lo} to {hi}, got {value!r}")
    return value


# ---- search -------------------------------------------------------------------------------

def _detail(label: str, props: dict[str, Any]) -> str:
    """One line under a search hit: what tells two hits apart."""
    times = {k for k, t in model().nodes[label].properties.items() if t == "time"}
    shown = []
    for name in model().nodes[label].properties:
        if name == model().nodes[label].key or props.get(name) in (None, ""):
            continue
        value = iso(props[name]) if name in times else props[name]
        shown.append(f"{name} {value}")
    return ", ".join(shown)


def _hit(node) -> dict[str, Any] | None:
    el = graph.node_element(node)
    if el is None:
        return None
    d = el["data"]
    return {"id": d["id"], "kind": d["kind"], "key": d["key"], "label": d["label"],
            "detail": _detail(d["kind"], d["props"])}


def _prefix_end(text: str) -> str | None:
    """The smallest ASCII string above every string that starts with `text`, or None when
    `text` is not ASCII (FalkorDB's index returns nothing for a non-ASCII range bound)."""
    if not text.isascii():
        return None
    for i in range(len(text) - 1, -1, -1):
        if ord(text[i]) < 0x7f:
            return text[:i] + chr(ord(text[i]) + 1)
    return None


def search(store: GraphStore, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Find nodes by key: exact matches on every label's key property first, then keys
    starting with `text` (ASCII text only); at most `limit` hits, each {id, kind, key,
    label, detail}. A full node id ("Wallet:0xabc") finds that node."""
    limit = _bounded("limit", limit, 1, SEARCH_LIMIT_MAX)
    text = (text or "").strip()
    if not text:
        return []
    label, sep, key = text.partition(":")
    hits: dict[str, dict[str, Any]] = {}
    if sep and label in model().nodes and key:
        node = _find(store, label, key)
        if node is not None:
            hits[graph.node_id(label, key)] = _hit(node)
    for row in store.read("ui_search_exact", {"text": text}).rows:
        h = _hit(row["n"])
        if h:
            hits.setdefault(h["id"], h)
    upto = _prefix_end(text)
    if len(hits) < limit and upto is not None:
        prefix = store.read("ui_search_prefix", {"text": text, "upto": upto, "limit": limit}).rows
        found = [h for h in map(_hit, (r["n"] for r in prefix)) if h and h["id"] not in hits]
        found.sort(key=lambda h: (len(h["key"]), h["key"], h["kind"]))
        for h in found:
            hits.setdefault(h["id"], h)
    return list(hits.values())[:limit]


# ---- one node -----------------------------------------------------------------------------

def _degrees(store: GraphStore, label: str, key: str) -> Result:
    return store.read("ui_node_degrees", {"label": label, "key": key})


def _find(store: GraphStore, label: str, key: str):
    rows = _degrees(store, label, key).rows
    return rows[0]["n"] if rows else None


def _require(res: Result, node_id: str) -> None:
    if not res.rows:
        raise QueryError(f"{node_id} is not in the graph")


def neighbour_counts(store: GraphStore, node_id: str) -> dict[str, int]:
    """Distinct neighbours per relationship type, for the expand menu ({} for a lone node)."""
    label, key = parse_node_id(node_id)
    res = _degrees(store, label, key)
    _require(res, node_id)
    return {r["rel"]: int(r["neighbours"]) for r in res.rows if r["rel"] is not None}


def details(store: GraphStore, node_id: str) -> dict[str, Any]:
    """Everything the details panel shows about a node: its properties (times also as ISO
    8601), its provenance (source file, load_id, when loaded), and per relationship type
    how many relationships it has (out/in) and how many distinct neighbours."""
    label, key = parse_node_id(node_id)
    res = _degrees(store, label, key)
    _require(res, node_id)
    node = res.rows[0]["n"]
    props = dict(node.properties)
    types = model().nodes[label].properties
    prov_names = model().provenance
    rows = []
    for name in sorted(props, key=lambda p: (p in prov_names, p != model().nodes[label].key,
                                             p not in types, p)):
        value = props[name]
        is_time = types.get(name) == "time" or name == "loaded_at"
        rows.append({"property": name, "value": iso(value) if is_time and value is not None else value,
                     "raw": value, "provenance": name in prov_names})
    if label == "Wallet":
        rows += vendor_label_rows(store, key)
    degree = {r["rel"]: {"total": int(r["rels"]), "out": int(r["outgoing"]),
                         "in": int(r["rels"]) - int(r["outgoing"]), "neighbours": int(r["neighbours"])}
              for r in res.rows if r["rel"] is not None}
    return {"id": node_id, "kind": label, "key": key,
            "label": graph.node_label(label, props), "props": props, "rows": rows,
            "provenance": {name: props.get(name) for name in prov_names}
            | {"loaded_at_iso": iso(props["loaded_at"]) if props.get("loaded_at") is not None else None},
            "degree": degree}


def vendor_label_rows(store: GraphStore, address: str) -> list[dict[str, Any]]:
    """Details rows for a wallet's vendor labels, one each: property "vendor label", value
    "ExampleVendor: sanctions (Example Group, confidence 0.95)" (casegraph/vendor.py)."""
    out = []
    for r in store.read("ui_wallet_labels", {"address": address}).rows:
        out.append({"property": "vendor label", "value": vendor.label_text(r, vendor_first=True), "raw": dict(r),
                    "provenance": False})
    return out


# ---- expand -------------------------------------------------------------------------------

def expand(store: GraphStore, node_id: str, rel: str | None = None, skip: int = 0,
           limit: int = 25) -> tuple[list[dict[str, Any]], int]:
    """One page of a node's neighbours as cytoscape elements (the node, up to `limit`
    neighbours, the relationships to them) plus a "+N more" pager when more remain; and
    the total number of neighbours across `rel` (None: every type; a type; or a kind of
    KINDS), counted only up to
    COUNT_CAP (a total of COUNT_CAP means "at least"). Counted first, so a supernode costs
    one capped count and one page, never all its neighbours; past SORT_MAX neighbours the
    pages follow the database's order instead of label and key."""
    label, key = parse_node_id(node_id)
    rel_type = _check_rel(rel)
    skip = _bounded("skip", skip, 0, 10**9)
    limit = _bounded("limit", limit, 1, EXPAND_LIMIT_MAX)
    params = {"label": label, "key": key, "rels": rel_types(rel_type)}
    total = int(store.read("ui_expand_total", {**params, "cap": COUNT_CAP}).rows[0]["total"])
    if total == 0:
        if _find(store, label, key) is None:
            raise QueryError(f"{node_id} is not in the graph")
        return [], 0
    # a supernode is paged in the database's order: sorting all its neighbours costs seconds
    template = "ui_expand" if total <= SORT_MAX else "ui_expand_unsorted"
    page = store.read(template, {**params, "skip": skip, "limit": limit, "max_links": MAX_LINKS})
    elements = graph.to_elements(page)
    shown = skip + len(page.rows)
    at_least = total >= COUNT_CAP
    if at_least or total > shown:
        elements += graph.pager(node_id, rel_type or None, shown, max(total - shown, 1), at_least=at_least)
    return elements, total


# ---- shortest path ----------------------------------------------------------------------

MAX_HOPS = 6


def _mark(elements: list[dict[str, Any]], cls: str) -> list[dict[str, Any]]:
    return [{**e, "classes": " ".join(dict.fromkeys(graph.classes_of(e) + [cls]))} for e in elements]


def shortest_path(store: GraphStore, a_id: str, b_id: str, max_hops: int = MAX_HOPS) -> list[dict[str, Any]]:
    """The elements of one shortest path (any direction, at most `max_hops` relationships)
    between two nodes, each with the class "path"; [] when there is none. QueryError when
    either node is not in the graph."""
    a_label, a_key = parse_node_id(a_id)
    b_label, b_key = parse_node_id(b_id)
    max_hops = _bounded("max_hops", max_hops, 1, MAX_HOPS)
    for nid, label, key in ((a_id, a_label, a_key), (b_id, b_label, b_key)):
        if _find(store, label, key) is None:
            raise QueryError(f"{nid} is not in the graph")
    if (a_label, a_key) == (b_label, b_key):
        return _mark(graph.to_elements(_degrees(store, a_label, a_key)), graph.PATH)
    res = store.read("ui_shortest_path", {"a_label": a_label, "a_key": a_key, "b_label": b_label,
                                          "b_key": b_key, "max_hops": max_hops})
    if not res.rows:
        return []
    one = Result()
    one.collect(res.rows[0]["p"])
    return _mark(graph.to_elements(one), graph.PATH)


# ---- risk flags -------------------------------------------------------------------------

def alert_flags() -> dict[str, str]:
    """detection -> the risk flag its open alerts put on the accounts (and wallets) they are
    about, for every detection that declares one (Detection.risk_flag)."""
    return {name: flag for name in detections.names() if (flag := detections.get(name).risk_flag)}


_IDENT_PARAM = {"Device": "devices", "IP": "ips", "Phone": "phones", "Email": "emails", "Document": "documents"}


def risk_flags(store: GraphStore, state, node_keys) -> dict[str, list[str]]:
    """Risk flags per node, keyed as asked (node ids "Account:A1" or bare keys "A1"):
    "watchlisted" (LISTED_ON in the graph; not a vendor's exchange label), "reported-victim"
    (FILED a scam report), the flag of each detection that declares one (alert_flags:
    ring-member, silent-sufferer, mule) from its open alerts in the state store, and "frozen"
    for an account or wallet with an active freeze order (casegraph/freezes.py). Accounts
    and wallets carry flags, and
    identifiers (asked by node id, "Device:D1") "watchlisted" when listed; every asked key
    is in the answer."""
    asked: dict[str, tuple[str | None, str]] = {}
    for k in dict.fromkeys(node_keys):
        label, sep, key = str(k).partition(":")
        asked[k] = (label, key) if sep and label in model().nodes and key else (None, str(k))
    accounts = sorted({key for label, key in asked.values() if label in (None, "Account")})
    wallets = sorted({key for label, key in asked.values() if label in (None, "Wallet")})
    idents = {param: sorted({key for label, key in asked.values() if label == ident})
              for ident, param in _IDENT_PARAM.items()}
    found: dict[tuple[str, str], set[str]] = {}
    if accounts or wallets or any(idents.values()):
        for r in store.read("ui_risk_graph", {"accounts": accounts, "wallets": wallets, **idents,
                                               "context": vendor.context_categories()}).rows:
            flags = found.setdefault((r["label"], r["key"]), set())
            if r["lists"]:
                flags.add("watchlisted")
            if r["filed"]:
                flags.add("reported-victim")
    wanted = set(accounts) | set(wallets)
    alerted: dict[str, set[str]] = {}
    if state is not None and wanted:
        for detection, flag in alert_flags().items():
            for alert in state.list_alerts(detection=detection, status="open", limit=10**7):
                for entity in alert["entities"] or ():
                    if entity in wanted:
                        alerted.setdefault(entity, set()).add(flag)
    frozen: set[str] = set()
    if state is not None and wanted:
        from casegraph import freezes
        candidates = {graph.node_id(lab, key) for label, key in asked.values()
                      for lab in ((label,) if label else freezes.TARGETS) if lab in freezes.TARGETS}
        frozen = freezes.frozen_targets(state, candidates)
    order = {f: i for i, f in enumerate(graph.RISK_FLAGS)}
    out: dict[str, list[str]] = {}
    for k, (label, key) in asked.items():
        flags: set[str] = set()
        for lab in ((label,) if label else ("Account", "Wallet")):
            if lab in ("Account", "Wallet"):
                flags |= found.get((lab, key), set())
                flags |= alerted.get(key, set())
                if graph.node_id(lab, key) in frozen:
                    flags.add(graph.FROZEN)
            elif lab in _IDENT_PARAM:
                flags |= found.get((lab, key), set())
        out[k] = sorted(flags, key=order.__getitem__)
    return out


# ---- fund traces ------------------------------------------------------------------------

TRACE_START = "trace-start"     # class of the node a trace starts from
_TRACE_PARAM = {t: t.lower() for t in model().money}    # ui_trace_elements takes one list per type


def trace_elements(store: GraphStore, start_id: str, results: list[dict[str, Any]],
                   max_results: int = 50) -> list[dict[str, Any]]:
    """Cytoscape elements for trace_funds results (casegraph.detections trace_funds): the
    start node, the movements on the best path to each of the first `max_results` reached
    entities (read back from the graph with all their properties), all with the class
    "path". A reached node carries data.trace = {amount_usd, amount ({usd, assets}: the figure without a USD
    value too), hops, score, endpoint, reasons}."""
    keys: dict[str, set[str]] = {p: set() for p in _TRACE_PARAM.values()}
    reached: dict[str, dict[str, Any]] = {}
    for r in results[:max_results]:
        for step in r.get("path") or ():
            keys[_TRACE_PARAM[step["type"]]].add(str(step["tx_id"]))
        label = "Account" if r.get("kind") == "account" else "Wallet"
        reached[graph.node_id(label, r["entity"])] = {
            "amount_usd": r.get("amount_usd"), "amount": r.get("amount"), "hops": r.get("hops"), "score": r.get("score"),
            "endpoint": bool(r.get("endpoint")), "reasons": list(r.get("reasons") or [])}
    elements = []
    if any(keys.values()):
        res = store.read("ui_trace_elements", {k: sorted(v) for k, v in keys.items()})
        elements = graph.to_elements(res)
    if not any(e["data"]["id"] == start_id for e in elements):
        label, key = parse_node_id(start_id)
        elements = graph.to_elements(_degrees(store, label, key)) + elements
    out = []
    for e in _mark(elements, graph.PATH):
        nid = e["data"]["id"]
        if nid in reached:
            e = {**e, "data": {**e["data"], "trace": reached[nid]}}
        if nid == start_id:
            e = {**e, "classes": f"{e['classes']} {TRACE_START}"}
        out.append(e)
    return out


@dataclass(frozen=True)
class Trace:
    """A fund trace drawn: its elements (see trace_elements) and how many entities it reached
    (the elements show the best paths to at most max_results of them)."""
    elements: list[dict[str, Any]]
    reached: int


def trace(store: GraphStore, node_id: str, direction: str = "forward", max_results: int = 50,
          **params: Any) -> Trace:
    """Trace funds forward or backward from an account or wallet (the trace_funds detection,
    with its other parameters: max_hops, since, until, min_amount_usd, ...) and draw it (see
    trace_elements: the start alone when nothing was reached). QueryError for other labels;
    the detection's ParameterError for a node not in the graph or an exchange hot wallet."""
    label, key = parse_node_id(node_id)
    if label not in ("Account", "Wallet"):
        raise QueryError(f"funds are traced from an account or a wallet, not a {label}")
    max_results = _bounded("max_results", max_results, 1, 10_000)
    start = {"account_id": key} if label == "Account" else {"address": key}
    results = detections.run(store, "trace_funds", {**params, **start, "direction": direction})
    return Trace(trace_elements(store, node_id, results, max_results), len(results))


# ---- many nodes at once -----------------------------------------------------------------

def keys_by_label(node_ids) -> dict[str, list[str]]:
    """{"Account": ["A1", ...], ...} from node ids, in order, once each: the ui_nodes parameter."""
    keys: dict[str, list[str]] = {}
    for nid in dict.fromkeys(node_ids):
        label, key = parse_node_id(nid)
        keys.setdefault(label, []).append(key)
    return keys


def nodes(store: GraphStore, node_ids) -> tuple[list[dict[str, Any]], list[str]]:
    """Node elements for many node ids in one query (opening an alert's entities), and the
    ids that are not in the graph. QueryError for an id outside the model."""
    wanted = list(dict.fromkeys(node_ids))
    keys = keys_by_label(wanted)
    if not keys:
        return [], []
    elements = graph.to_elements(store.read("ui_nodes", {"keys": keys}))
    found = {e["data"]["id"] for e in elements}
    return elements, [nid for nid in wanted if nid not in found]


def links_between(store: GraphStore, node_ids, max_links: int = 50) -> list[dict[str, Any]]:
    """What links accounts opened together (an alert's ring, a search's hits): identifiers
    and wallets two or more of them share, and transfers and referrals between them, as
    elements. Ids that are not accounts are ignored; at most LINKS_MAX_ACCOUNTS accounts."""
    keys = []
    for nid in dict.fromkeys(node_ids):
        label, key = parse_node_id(nid)
        if label == "Account":
            keys.append(key)
    if len(keys) < 2:
        return []
    res = store.read("ui_links_between", {"keys": keys[:LINKS_MAX_ACCOUNTS],
                                          "max_links": _bounded("max_links", max_links, 1, 1000)})
    return graph.to_elements(res)


@dataclass(frozen=True)
class Selection:
    """Selected nodes as the graph has them: `nodes` (elements, read by ui_nodes), `links`
    (every relationship between two of them, read by ui_selection_links), `missing` (ids
    not in the graph) and `keys` (both templates' parameter)."""
    nodes: list[dict[str, Any]]
    links: list[dict[str, Any]]
    missing: list[str]
    keys: dict[str, list[str]]


def selection(store: GraphStore, node_ids) -> Selection:
    """The nodes named by `node_ids` and the relationships among them, all read from the
    graph: what a browser sends is only ever a list of ids. QueryError for an id outside
    the model or more than SELECTION_MAX ids."""
    wanted = list(dict.fromkeys(str(n) for n in node_ids))
    if len(wanted) > SELECTION_MAX:
        raise QueryError(f"a selection holds at most {SELECTION_MAX} nodes, not {len(wanted)}")
    found, missing = nodes(store, wanted)
    keys = keys_by_label(wanted)
    read = graph.to_elements(store.read("ui_selection_links", {"keys": keys, "max_links": SELECTION_LINKS})) \
        if found else []
    seen: set[str] = set()
    links = []
    for e in read:      # the template returns each relationship with both its ends
        if not graph.is_node(e) and e["data"]["id"] not in seen:
            seen.add(e["data"]["id"])
            links.append(e)
    return Selection(found, links, missing, keys)
