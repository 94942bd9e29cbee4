"""What goes into an evidence package: the graph elements, every query that brought them
in (name, text, parameters), and notes on what was deliberately left out.

A case package takes the case's snapshot as it stands, with each element's provenance.
A subject package asks the graph afresh, through the templates in cypher/evidence/:
the subject, its identifiers, the accounts sharing them (supernode identifiers skipped,
accounts capped), its money movements in [since, until) with their counterparties, and
the watchlist listings and scam reports of every account and wallet collected."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from casegraph import graph
from casegraph.audit import canonical
from casegraph.times import iso
from casegraph.errors import QueryError
from casegraph.model import model
from casegraph.store import GraphStore, Result

MAX_LINKED = 50            # accounts linked through shared identifiers kept in a subject package
SUPERNODE_SHARERS = 25     # an identifier used by more accounts than this is not followed
MOVEMENT_LIMIT = 5000      # money movements per direction
SUBJECT_KINDS = ("Account", "Wallet")     # what a subject package is about
WHOLE_HISTORY = (0, 253_402_300_800_000)    # [1970, year 10000): a period not given


@dataclass
class Collected:
    """The content of one package, before masking and rendering."""
    elements: list[dict[str, Any]]
    queries: list[dict[str, Any]]
    title: str
    subject: str | None = None            # node id of a subject export
    case: dict[str, Any] | None = None    # summary of the case (id, title, status, ...)
    since_ms: int | None = None
    until_ms: int | None = None
    notes: list[str] = field(default_factory=list)   # what was capped or skipped, and why
    capped: bool = False


def _evidence(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The elements as evidence: no "+N more" pagers, and no UI state (hidden classes,
    positions, selection): an element hidden on screen is still part of the case."""
    out, nodes = [], set()
    for e in elements:
        d = e.get("data", {})
        if d.get("kind") in (None, graph.MORE):
            continue
        if graph.is_node(e):
            nodes.add(d["id"])
        out.append({"data": d, "classes": d["kind"]})
    return [e for e in out if graph.is_node(e) or (e["data"]["source"] in nodes and e["data"]["target"] in nodes)]


# ---- a case -------------------------------------------------------------------------------

def from_case(state, store: GraphStore, case_id: int) -> Collected:
    """A case's current snapshot, with one query entry per distinct provenance (query and
    parameters) naming the elements it brought in; a catalogue template's text included."""
    from casegraph import cases
    case = cases.get_case(state, case_id)
    elements = _evidence(case["elements"])
    kept = {e["data"]["id"] for e in elements}
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for element_id, prov in sorted((case.get("provenance") or {}).items()):
        if element_id not in kept:
            continue
        query, params = str(prov.get("query") or ""), prov.get("params") or {}
        entry = groups.setdefault((query, canonical(params)), {
            "query": query, "template": query in store.queries, "text": None, "params": params,
            "elements": [], "added": []})
        entry["elements"].append(element_id)
        added = {"by": prov.get("added_by"), "at": _iso(prov.get("added_at"))}
        if added not in entry["added"]:
            entry["added"].append(added)
    queries = []
    for (query, _), entry in sorted(groups.items()):
        if entry["template"]:
            entry["text"] = store.queries.get(query).text_for(store.dialect)
        queries.append(entry)
    summary = {k: case.get(k) for k in ("id", "title", "status", "assignee", "source", "detection", "domain",
                                        "created_by", "decision", "decision_reason", "decided_by")}
    summary["created_at"], summary["decided_at"] = _iso(case.get("created_at")), _iso(case.get("decided_at"))
    return Collected(elements=elements, queries=queries, title=f"Case {case['id']}: {case.get('title') or ''}".strip(),
                     case=summary)


def _iso(ms: Any) -> str | None:
    if ms is None or ms == "":
        return None
    if isinstance(ms, str):
        return ms
    return iso(int(ms))


# ---- a subject ----------------------------------------------------------------------------

class _Run:
    """Runs templates and records each run (name, text as run, bound parameters)."""

    def __init__(self, store: GraphStore):
        self.store = store
        self.queries: list[dict[str, Any]] = []

    def __call__(self, name: str, params: dict[str, Any], purpose: str) -> Result:
        q = self.store.queries.get(name)
        res = self.store.read(name, params)
        self.queries.append({"query": name, "template": True, "text": q.text_for(self.store.dialect),
                             "params": q.bind(params), "purpose": purpose, "rows": len(res.rows)})
        return res


def _elements(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sub = Result()
    for r in rows:
        sub.collect(r)
    return graph.to_elements(sub)


def _merge(into: dict[str, dict[str, Any]], elements: list[dict[str, Any]]) -> None:
    for e in elements:
        into.setdefault(e["data"]["id"], e)


def from_subject(store: GraphStore, subject_id: str, since_ms: int, until_ms: int) -> Collected:
    """The subject ("Account:<id>" or "Wallet:<address>") and what the graph holds about it
    for [since_ms, until_ms). QueryError when it is not in the graph."""
    label, key = graph.split_node_id(subject_id) if ":" in str(subject_id) else (None, None)
    if label not in SUBJECT_KINDS:
        raise QueryError(f"an evidence subject is Account:<id> or Wallet:<address>, not {subject_id!r}")
    if since_ms >= until_ms:
        raise QueryError(f"the period is empty: since {iso(since_ms)} is not before until {iso(until_ms)}")
    run = _Run(store)
    found: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    capped = False
    subject = run("ui_nodes", {"keys": {label: [key]}}, "the subject")
    if not subject.rows:
        raise QueryError(f"{subject_id} is not in the graph")
    _merge(found, graph.to_elements(subject))

    if label == "Account":
        capped = _identifiers(run, key, found, notes)
    template = "evidence_account_movements" if label == "Account" else "evidence_wallet_movements"
    moves = run(template, {"key": key, "since": since_ms, "until": until_ms, "limit": MOVEMENT_LIMIT},
                "money movements in the period, with counterparties")
    _merge(found, graph.to_elements(moves))
    if any(sum(1 for r in moves.rows if (r["a"].id == r["r"].start) == out) >= MOVEMENT_LIMIT for out in (True, False)):
        capped = True
        notes.append(f"money movements: at most {MOVEMENT_LIMIT} per direction (the oldest in the period) are included")

    accounts = sorted(e["data"]["key"] for e in found.values() if e["data"].get("kind") == "Account")
    wallets = sorted(e["data"]["key"] for e in found.values() if e["data"].get("kind") == "Wallet")
    listings = run("evidence_listings", {"accounts": accounts, "wallets": wallets},
                   "watchlist listings and scam reports of every account and wallet above")
    _merge(found, graph.to_elements(listings))
    reports = sorted(e["data"]["key"] for e in found.values() if e["data"].get("kind") == "ScamReport")
    if reports:
        parties = run("evidence_report_parties", {"reports": reports}, "who filed each scam report, and against whom")
        _merge(found, graph.to_elements(parties))
    nodes = [e for e in found.values() if graph.is_node(e)]
    edges = [e for e in found.values() if not graph.is_node(e)]
    return Collected(elements=nodes + edges, queries=run.queries, title=f"Subject {subject_id}",
                     subject=subject_id, since_ms=since_ms, until_ms=until_ms, notes=notes, capped=capped)


def from_subjects(store: GraphStore, subject_ids: list[str], since_ms: int | None, until_ms: int | None,
                  title: str) -> Collected:
    """Several subjects in one package (a law-enforcement request names several): each as
    from_subject collects it, merged; the period None is the whole history. A subject the
    graph does not have is a note, not an error (a request's unknown subjects are reported
    as such)."""
    since = WHOLE_HISTORY[0] if since_ms is None else int(since_ms)
    until = WHOLE_HISTORY[1] if until_ms is None else int(until_ms)
    found: dict[str, dict[str, Any]] = {}
    queries: list[dict[str, Any]] = []
    notes: list[str] = []
    capped = False
    for subject_id in dict.fromkeys(subject_ids):
        try:
            one = from_subject(store, subject_id, since, until)
        except QueryError as e:
            notes.append(f"{subject_id}: {e}")
            continue
        _merge(found, one.elements)
        queries += [{**q, "subject": subject_id} for q in one.queries]
        notes += [f"{subject_id}: {n}" for n in one.notes]
        capped = capped or one.capped
    nodes = [e for e in found.values() if graph.is_node(e)]
    edges = [e for e in found.values() if not graph.is_node(e)]
    return Collected(elements=nodes + edges, queries=queries, title=title, since_ms=since_ms, until_ms=until_ms,
                     notes=notes, capped=capped)


def _identifiers(run: _Run, key: str, found: dict[str, dict[str, Any]], notes: list[str]) -> bool:
    """The account's identifiers and the accounts sharing them; True when capped."""
    res = run("evidence_account_identifiers", {"key": key}, "the subject's identifiers, with how many accounts use each")
    _merge(found, _elements(res.rows))
    follow: dict[str, list[str]] = {}
    for r in sorted(res.rows, key=lambda r: (r["x"].label, str(r["x"].properties))):
        x, sharers = r["x"], int(r["sharers"])
        xkey = x.properties.get(model().nodes[x.label].key)
        if sharers > SUPERNODE_SHARERS:
            notes.append(f"{x.label} {xkey} is used by {sharers} accounts (more than {SUPERNODE_SHARERS}): "
                         "too common to link accounts, so the accounts using it are not included")
        elif sharers > 1:
            follow.setdefault(x.label, []).append(xkey)
    if not follow:
        return False
    limit = (MAX_LINKED + 1) * SUPERNODE_SHARERS
    res = run("evidence_identifier_accounts", {"keys": follow, "exclude": key, "limit": limit},
              "accounts sharing the subject's identifiers")
    shared: dict[str, int] = {}
    for r in res.rows:
        bid = graph.node_id("Account", r["b"].properties["account_id"])
        shared[bid] = shared.get(bid, 0) + 1
    ranked = sorted(shared, key=lambda b: (-shared[b], b))
    kept = set(ranked[:MAX_LINKED])
    if len(ranked) > MAX_LINKED:
        notes.append(f"linked accounts: {len(ranked)} accounts share identifiers with the subject; the "
                     f"{MAX_LINKED} sharing the most are included")
    rows = [r for r in res.rows if graph.node_id("Account", r["b"].properties["account_id"]) in kept]
    _merge(found, _elements(rows))
    return len(ranked) > MAX_LINKED
