"""Transfer risk: the check behind the 24-hour safety net, for ONE pending transfer.

Given the sender, the recipient (an account for an internal transfer, or a wallet for a
withdrawal) and the amount, decide "hold" (the exchange keeps the transfer for 24 h and
scam-prevention staff look at it) or "allow":

- hold when the recipient is on a watchlist, was the target of a scam report
  ((ScamReport)-[:AGAINST]->(recipient)), or is within `k_hold` hops of a
  watchlisted entity through the scammer-links walk (_exposure.py) — with the same
  supernode cuts, so an exchange hot wallet, a carrier IP or a transfer hub never links a
  recipient to a scammer;
- hold when the sender or the recipient account uses a listed identifier (used a
  blocklisted device or IP, has a listed phone, e-mail or document): a reason names the
  identifier and its lists; for the recipient this is one hop, path [recipient
  -USED_DEVICE-> device], and the walk is not asked. As in the walk, an identifier used by
  more than `max_shared` accounts is a hub: it is named in the reasons but holds nothing
  (a listed carrier IP would otherwise hold every transfer of its thousands of users);
- vendor labels (casegraph/vendor.py): a recipient wallet labelled in a category that holds
  (sanctions, terrorist financing, ransomware, child abuse, scam, stolen funds, darknet
  market, fraud shop) is held like a listed one (0.95), the first reason naming category,
  vendor, entity and confidence; a mixer, gambling or other label only adds to the score
  (0.3 x the category's weight x confidence) and an exchange label adds nothing (it marks
  the wallet as an exchange's: not walked through); each label is a reason and in
  `recipient.labels` (vendor, category, entity, confidence, holds). Only the holding
  categories seed the `k_hold` walk. `categories` changes which listings hold (a comma list;
  `watchlist` = every other list's entries);
- the amount only raises the score: a first payment to a recipient the sender never paid
  before, and a large one (at least `large_usd`), score higher, but never hold on their own.

With a `sender`, give exactly one of `recipient_account` and `recipient_wallet`, and
`amount_usd` (the parameters are in the table below).

Result: {account_id (the sender), decision, score, reasons, path (recipient first, to the
nearest listed entity; [] when none), hops, recipient {label, key, found, lists, reports,
paid_before_usd, times_paid_before, exchange_wallet, listed_identifiers},
sender_listed_identifiers, amount_usd}; a listed identifier is {label, key, lists, reasons,
users, counts (users <= max_shared)}. Past payments and reported amounts are summed in USD where
they have a USD value and per asset where not, and shown so ("1,000.00 USD + 0.4 BTC",
casegraph/money.py); paid_before_usd counts the USD part only.

Cost: key lookups per check (transfer_risk_facts: one query for a whole batch of checks)
and dictionary look-ups in indexes kept in memory per graph: what is listed, with the
accounts that use each listed identifier (scammer_links_seeds, transfer_risk_listed_
identifiers), the scam reports by target (transfer_risk_reports; expanding all this for each
check in the facts query cost four fifths of its time), and the exposure index:
everything within `k_hold` hops of a watchlisted entity, found by one walk out from the
watchlists (about 1.6 s on the 1M-account sample), per parameters. They are rebuilt when the
watchlists (the reports index: the reports) change - their count and newest load time, read
at most every FINGERPRINT_S; a change made in this process is seen at once - before the
check that notices, and in the background once older than INDEX_TTL_S seconds, so new money
links and new uses of a listed identifier (a load of logins) count within that long. Walking
out from the watchlists rather than in from the recipient differs only at the degree cap: a
recipient that is itself a hub is still reached (it is the walk's end, not a step through).
Without a `sender` there is nothing
to check: [] (so `detect --all` passes through).
"""
from __future__ import annotations

import math
import threading
import time
from typing import Any, Callable

from casegraph import vendor
from casegraph.catalogue import Param
from casegraph.detections import Detection
from casegraph.detections import _exposure as ex
from casegraph.detections.scammer_links import PARAMS as WALK
from casegraph.errors import ParameterError
from casegraph.model import model
from casegraph.money import Money, total

NAME = "transfer_risk"
_WALK = {p.name: p for p in WALK}
PARAMS = (
    Param("sender", "string", None, "the paying account's id (without it there is nothing to check: [])"),
    Param("recipient_account", "string", None, "the receiving account's id (an internal transfer)"),
    Param("recipient_wallet", "string", None, "the receiving wallet's address (a withdrawal)"),
    Param("amount_usd", "float", None, "the transfer's amount in USD (required with a sender)", lo=0),
    Param("k_hold", "int", 2, "hold when the recipient is within this many hops of a watchlisted entity "
          "(0: only a listed or reported recipient)", lo=0, hi=3),
    _WALK["max_shared"], _WALK["max_degree"],        # the walk's supernode cuts, as in scammer_links
    Param("large_usd", "float", 1000.0, "from this amount a first payment counts as large", lo=0),
    Param("categories", "string", None, "listings that hold and seed the hop walk: a comma list of vendor label "
          "categories and/or `watchlist` (every other list); default: every other list and the categories that "
          "hold; a recipient's other vendor labels only add to the score"),
)
HOLD_BY_HOPS = {1: 0.8, 2: 0.7, 3: 0.6}
IDENTIFIER_HOLD = 0.8     # a party uses a listed identifier: as close to the list as one hop
INDEX_TTL_S = 60.0
FINGERPRINT_S = 0.25      # another process's watchlist change is seen within this long
_FINGERPRINTS: dict[tuple, tuple[float, tuple]] = {}
BUILDS = [0]             # indexes built so far in this process (a server may gc.freeze() after each)
_INDEX: dict[tuple, tuple[tuple, float, dict]] = {}
_INDEX_LOCK = threading.Lock()
_REFRESHING: set[tuple] = set()


def run(store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Check one pending transfer -> [one result] (or [] when no sender is given)."""
    p = DETECTION.bind(params)
    vendor.categories_param(p["categories"], f"detection {NAME}")     # a mistake is told before the checks
    sender, acc, wal, amount = p["sender"], p["recipient_account"], p["recipient_wallet"], p["amount_usd"]
    if sender is None:
        if acc is not None or wal is not None or amount is not None:
            raise ParameterError(f"detection {NAME}: sender (the paying account's id) is required")
        return []
    if amount is None:
        raise ParameterError(f"detection {NAME}: amount_usd (the transfer's amount in USD) is required")
    found = check_many(store, [{"sender": sender, "recipient_account": acc, "recipient_wallet": wal,
                                "amount_usd": amount}], p)[0]
    if isinstance(found, ParameterError):
        raise found
    return [found]


def check_many(store, transfers: list[dict[str, Any]], p: dict[str, Any]) -> list[dict[str, Any] | ParameterError]:
    """Decide a batch of pending transfers ({sender, recipient_account | recipient_wallet,
    amount_usd}) with the bound parameters `p` -> per transfer, in order, its result or the
    ParameterError that says why it could not be checked (an unknown sender, both or neither
    recipient). One facts query for the whole batch (the API's batch form); the listed
    identifiers and the exposure walk come from indexes kept in memory."""
    k_hold, max_shared, max_degree, large = p["k_hold"], p["max_shared"], p["max_degree"], p["large_usd"]
    chosen = vendor.categories_param(p.get("categories"), f"detection {NAME}")
    cats = vendor.default_hold() if chosen is None else chosen
    out: list[dict[str, Any] | ParameterError | None] = [None] * len(transfers)
    asked = []
    for i, t in enumerate(transfers):
        acc, wal = t.get("recipient_account"), t.get("recipient_wallet")
        if (acc is None) == (wal is None):
            out[i] = ParameterError(f"detection {NAME}: give exactly one of recipient_account (internal transfer) "
                                    f"and recipient_wallet (withdrawal)")
        else:
            asked.append({"i": i, "sender": t["sender"], "recipient_account": acc or "", "recipient_wallet": wal or ""})
    rows = store.read("transfer_risk_facts", {"checks": asked}, row_limit=None).rows if asked else []
    fingerprint = memory_fingerprint(store) if rows else None
    index = None
    listed = reported = None
    for facts in rows:
        i = facts["i"]
        t = transfers[i]
        sender, acc, wal = t["sender"], t.get("recipient_account"), t.get("recipient_wallet")
        if not facts["sender_found"]:
            out[i] = ParameterError(f"detection {NAME}: no account {sender!r} (sender)")
            continue
        if acc is not None and not facts["recipient_found"]:
            out[i] = ParameterError(f"detection {NAME}: no account {acc!r} (recipient_account)")
            continue
        if listed is None:
            listed = listed_index(store, fingerprint["watchlists"])
            reported = reports_index(store, fingerprint["reports"])
        users = listed["users"]
        target = ("Account", acc) if acc is not None else ("Wallet", wal)
        entries = listed["entities"].get(target, [])
        facts = {**facts, "lists": [x for x in entries if vendor.keeps(x, cats)],
                 "labels": [x for x in entries if x.get("category") is not None],
                 "reports": reported.get(target, []),
                 "sender_identifiers": listed["by_account"].get(sender, []),
                 "recipient_identifiers": listed["by_account"].get(acc, []) if acc is not None else []}
        recipient: ex.Node = ("Account", acc) if acc is not None else ("Wallet", wal)
        link = None
        hot = exchange_wallet(facts)
        # a recipient using a listed identifier is one hop from the list already: no walk needed
        direct = any(users.get((x["label"], x["key"]), 0) <= max_shared
                     for x in facts.get("recipient_identifiers") or ())
        # an exchange hot wallet is never walked through, so it links nobody to anything
        if facts["recipient_found"] and not facts["lists"] and not facts["reports"] and not direct and k_hold > 0 \
                and not hot:
            if index is None:
                index = exposure_index(store, k_hold, max_shared, max_degree, fingerprint["watchlists"], cats)
            link = nearest_listed(index, recipient)
        out[i] = decide(sender, recipient, float(t["amount_usd"]), facts, link, large, users=users,
                        max_shared=max_shared)
    return out


def exchange_wallet(facts: dict[str, Any]) -> bool:
    """The recipient is an exchange's wallet: its label says `exchange:...`, or a vendor labels
    it `exchange` (either way it links strangers, so the walk does not go through it)."""
    return str(facts.get("recipient_label") or "").startswith("exchange:") or any(
        x.get("category") == "exchange" for x in facts.get("labels") or ())


def memory_fingerprint(store) -> dict[str, tuple]:
    """{watchlists: (entries, newest load time), reports: (reports, newest load time)}, read
    at most every FINGERPRINT_S per graph and process; casegraph/watchlists.py and the loader
    forget it when they change the graph, so this process sees its own change at once and
    others within FINGERPRINT_S."""
    key = (store.backend.describe(), store.settings.graph)
    hit = _FINGERPRINTS.get(key)
    if hit is not None and time.monotonic() - hit[0] < FINGERPRINT_S:
        return hit[1]
    row = store.read("transfer_risk_watchlists", {}, row_limit=None).rows[0]
    value = {"watchlists": (row["listed"], row["listed_loaded_at"]),
             "reports": (row["reports"], row["reports_loaded_at"])}
    _FINGERPRINTS[key] = (time.monotonic(), value)
    return value


def forget_fingerprint(store) -> None:
    _FINGERPRINTS.pop((store.backend.describe(), store.settings.graph), None)


def listed_index(store, fingerprint: tuple) -> dict[str, Any]:
    """What is on the watchlists, kept like the exposure index (same fingerprint, same
    refresh): {entities: (label, key) -> [{watchlist, list_source, reason, category, entity,
    confidence}] for listed accounts and wallets (category None but for vendor labels),
    by_account: account id -> [{label, key, watchlist, list_source, reason}] (the listed
    identifiers it used or has, one entry per identifier and list),
    users: (label, key) -> how many accounts use that listed identifier}."""
    key = ("listed", store.backend.describe(), store.settings.graph)
    return _cached(key, fingerprint, lambda: _listed(store))


def _listed(store) -> dict[str, Any]:
    entities: dict[ex.Node, list[dict[str, Any]]] = {}
    for r in store.read("scammer_links_seeds", {}, row_limit=None).rows:
        if r["label"] in ("Account", "Wallet"):
            entities.setdefault((r["label"], r["key"]), []).append(
                {"watchlist": r["watchlist"], "list_source": r["list_source"], "reason": r["reason"],
                 "category": r.get("category"), "entity": r.get("entity"), "confidence": r.get("confidence")})
    by_account: dict[str, list[dict[str, Any]]] = {}
    users: dict[ex.Node, int] = {}
    for r in store.read("transfer_risk_listed_identifiers", {}, row_limit=None).rows:
        node = (r["label"], r["key"])
        users[node] = max(users.get(node, 0), len(r["users"]))
        entry = {"label": r["label"], "key": r["key"], "watchlist": r["watchlist"],
                 "list_source": r["list_source"], "reason": r["reason"]}
        for account in r["users"]:
            by_account.setdefault(account, []).append(entry)
    return {"entities": entities, "by_account": by_account, "users": users}


def reports_index(store, fingerprint: tuple) -> dict[ex.Node, list[dict[str, Any]]]:
    """(label, key) of every reported account or wallet -> its scam reports, kept in memory
    and rebuilt when the reports' count or newest load time changes."""
    key = ("reports", store.backend.describe(), store.settings.graph)
    def compute():
        out: dict[ex.Node, list[dict[str, Any]]] = {}
        for r in store.read("transfer_risk_reports", {}, row_limit=None).rows:
            out.setdefault((r["label"], r["key"]), []).append(
                {k: r[k] for k in ("report_id", "status", "amount_usd", "amount", "asset")})
        return out
    return _cached(key, fingerprint, compute)


def listed_identifiers(entries: list[dict[str, Any]] | None, users: dict[ex.Node, int],
                       max_shared: int) -> list[dict[str, Any]]:
    """Facts rows (one per identifier and list) -> one per identifier: label, key, lists,
    reasons, users, and whether it counts (used by at most max_shared accounts)."""
    out: dict[ex.Node, dict[str, Any]] = {}
    for x in entries or ():
        node = (x["label"], x["key"])
        n = users.get(node, 0)
        e = out.setdefault(node, {"label": node[0], "key": node[1], "lists": set(), "reasons": set(),
                                  "users": n, "counts": n <= max_shared})
        e["lists"].add(x["watchlist"])
        if x.get("reason"):
            e["reasons"].add(x["reason"])
    return [{**e, "lists": sorted(e["lists"]), "reasons": sorted(e["reasons"])} for _, e in sorted(out.items())]


def _identifier_reason(who: str, e: dict[str, Any], max_shared: int) -> str:
    verb = "used" if model().identifiers[e["label"]].startswith("USED_") else "has"
    text = (f"{who} {verb} listed {ex.NOUN[e['label']]} {e['key']} (on {', '.join(e['lists'])}"
            + (f"; {'; '.join(e['reasons'])})" if e["reasons"] else ")"))
    if not e["counts"]:
        text += f", but {e['users']:,} accounts use it (over max_shared {max_shared}): a hub, not held for it"
    return text


def exposure_index(store, k_hold: int, max_shared: int, max_degree: int, fingerprint: tuple,
                   categories: frozenset[str] | None = None
                   ) -> tuple[dict[ex.Node, ex.Visit], dict[ex.Node, dict[str, Any]]]:
    """(every node within k_hold hops of a watchlisted entity with how it was reached, the
    seeds' lists), cached per graph and parameters (_cached). The seeds: listings of
    `categories` (vendor.keeps; default: every other list and the categories that hold)."""
    cats = vendor.default_hold() if categories is None else frozenset(categories)
    key = ("exposure", store.backend.describe(), store.settings.graph, k_hold, max_shared, max_degree,
           tuple(sorted(cats)))
    return _cached(key, fingerprint, lambda: _compute(store, k_hold, max_shared, max_degree, cats))


def _cached(key: tuple, fingerprint: tuple, compute: Callable[[], Any]) -> Any:
    """compute()'s value, kept per key. Changed watchlists (another fingerprint) rebuild it
    before answering (a check must never miss a scammer just listed); a value older than
    INDEX_TTL_S answers once more while a background thread rebuilds it."""
    with _INDEX_LOCK:
        hit = _INDEX.get(key)
        if hit is None or hit[0] != fingerprint:
            value = compute()
            _INDEX[key] = (fingerprint, time.monotonic(), value)
            BUILDS[0] += 1
            return value
        if time.monotonic() - hit[1] >= INDEX_TTL_S and key not in _REFRESHING:
            _REFRESHING.add(key)
            threading.Thread(target=_refresh, args=(key, fingerprint, compute), daemon=True).start()
        return hit[2]


def _compute(store, k_hold: int, max_shared: int, max_degree: int, categories: frozenset[str]):
    seeds = ex.seed_info(store.read("scammer_links_seeds", {}, row_limit=None).rows, categories)
    seen = ex.walk(store, list(seeds), k_hold, max_shared=max_shared, max_degree=max_degree,
                   exempt=[k for _, k in seeds], last_targets="all") if seeds else {}
    return seen, seeds


def _refresh(key: tuple, fingerprint: tuple, compute: Callable[[], Any]) -> None:
    try:
        value = compute()
        with _INDEX_LOCK:
            if _INDEX.get(key, (None,))[0] == fingerprint:
                _INDEX[key] = (fingerprint, time.monotonic(), value)
                BUILDS[0] += 1
    except Exception:  # noqa: BLE001 - a failed refresh keeps the previous value; a later check retries
        pass
    finally:
        _REFRESHING.discard(key)


def nearest_listed(index, recipient: ex.Node) -> dict[str, Any] | None:
    """The recipient's shortest path to a watchlisted entity from the index ->
    {hops, path (recipient first), entity, label, lists} or None."""
    seen, seeds = index
    v = seen.get(recipient)
    if v is None or v.hops == 0:
        return None
    steps = ex.path_to_source(seen, recipient)
    source = (steps[-1]["to_label"], steps[-1]["to"])
    return {"hops": v.hops, "path": steps, "entity": source[1], "label": source[0],
            "lists": sorted(seeds.get(source, {}).get("lists", ()))}


def decide(sender: str, recipient: ex.Node, amount: float, facts: dict[str, Any],
           link: dict[str, Any] | None, large_usd: float, *, users: dict[ex.Node, int] | None = None,
           max_shared: int = 25) -> dict[str, Any]:
    """Facts (+ the walk's nearest listed entity, + how many accounts use each listed
    identifier of the two parties) -> the one explained decision."""
    label, key = recipient
    what = ex.NOUN[label]
    users = users or {}
    r_idents = listed_identifiers(facts.get("recipient_identifiers"), users, max_shared)
    s_idents = listed_identifiers(facts.get("sender_identifiers"), users, max_shared)
    lists = sorted({x["watchlist"] for x in facts.get("lists") or []})
    reports = sorted(facts.get("reports") or [], key=lambda r: str(r.get("report_id")))
    paid_rows = facts.get("paid_before") or []
    paid = Money()
    for x in paid_rows:      # [amount_usd, amount, asset] per payment (a bare number: USD)
        paid.add(*x) if isinstance(x, (list, tuple)) else paid.add(x)
    reasons: list[str] = []
    path: list[dict[str, Any]] = []
    hops = None
    score = 0.0
    labels = sorted(facts.get("labels") or [], key=lambda x: (x["category"], str(x.get("list_source"))))
    holding = [x for x in facts.get("lists") or [] if x.get("category") is not None]
    if lists:
        why = sorted({x["reason"] for x in facts["lists"] if x.get("reason")})
        reasons.append(f"recipient {what} {key} is on watchlist {', '.join(lists)}"
                       + (f" ({'; '.join(why)})" if why else "")
                       + (f"; labelled {'; '.join(_label_text(x) for x in holding)}" if holding else ""))
        score, hops = 0.95, 0
    held_by = {(x["category"], x.get("list_source")) for x in holding}
    extra = 0.0        # labels that do not hold add to the score (vendor.SCORE_ONLY x weight x confidence)
    for x in labels:
        if (x["category"], x.get("list_source")) in held_by:
            continue
        w = vendor.weight(x["category"], x.get("confidence"))
        if w > 0:
            extra = max(extra, vendor.SCORE_ONLY * w)
            reasons.append(f"recipient {what} {key} is labelled {_label_text(x)}: adds to the score, does not hold")
        else:
            reasons.append(f"recipient {what} {key} is labelled {_label_text(x)}: context, no risk")
    if reports:
        reported = total(reports)
        reasons.append(f"recipient {what} {key} is the target of {len(reports)} scam report(s) "
                       f"({', '.join(str(r['report_id']) for r in reports)}; {reported.text()} reported)")
        score = max(score, 0.9) + (0.05 if lists else 0.0)
    for e in r_idents:
        reasons.append(_identifier_reason(f"recipient {what} {key}", e, max_shared))
        if e["counts"]:
            score = max(score, IDENTIFIER_HOLD)
            if hops is None:     # the path the walk would give: recipient -USED_DEVICE-> device
                path, hops = [{"from": key, "from_label": label, "rel": model().identifiers[e["label"]],
                               "dir": "->", "to": e["key"], "to_label": e["label"]}], 1
    for e in s_idents:
        reasons.append(_identifier_reason(f"sender {sender}", e, max_shared))
        if e["counts"]:
            score = max(score, IDENTIFIER_HOLD)
    if link is not None:
        path, hops = link["path"], link["hops"]
        reasons.append(f"recipient is {hops} hop{'s' if hops != 1 else ''} from watchlisted "
                       f"{ex.NOUN.get(link['label'], link['label'])} {link['entity']} "
                       f"(on {', '.join(link['lists'])}): {ex.path_text(path)}")
        score = max(score, HOLD_BY_HOPS.get(hops, 0.6))
    hold = score > 0
    if not facts.get("recipient_found"):
        reasons.append(f"recipient {what} {key} has never been seen before")
    if paid_rows:
        reasons.append(f"sender paid this recipient {len(paid_rows)} time(s) before, {paid.text()} in all")
    else:
        reasons.append("first payment from this sender to this recipient")
    big = amount >= large_usd
    if big:
        reasons.append(f"large amount: {amount:,.2f} USD (>= {large_usd:,.2f})")
    # amount and novelty only raise the score; on their own they never hold
    bump = (0.05 if not paid_rows else 0.0) + (min(0.1, 0.02 * math.log10(1 + amount)) if big and not paid_rows
                                               else 0.0)
    if hold:
        score = min(1.0, score + bump / 2 + extra / 2)
        r_ident = next((e for e in r_idents if e["counts"]), None)
        s_ident = next((e for e in s_idents if e["counts"]), None)
        reasons.insert(0, "hold for 24 h: " + (
            f"recipient is labelled {_label_text(holding[0])}" if holding else
            "recipient is watchlisted" if lists else
            "recipient was reported as a scam" if reports else
            f"recipient uses a listed {ex.NOUN[r_ident['label']]}" if r_ident else
            f"recipient is {hops} hop(s) from a watchlisted entity" if link is not None else
            f"sender uses a listed {ex.NOUN[s_ident['label']]}"))
    else:
        score = round(min(0.5, 0.05 + bump + extra), 3)
        reasons.insert(0, "allow: recipient not watchlisted, not reported and not linked to a watchlisted entity"
                       + (" (its vendor labels do not hold)" if labels else ""))
    recip = {"label": label, "key": key, "found": bool(facts.get("recipient_found")), "lists": lists,
             "reports": [r["report_id"] for r in reports], "paid_before_usd": round(paid.usd, 2),
             "paid_before": paid.as_dict(), "times_paid_before": len(paid_rows),
             "exchange_wallet": exchange_wallet(facts), "listed_identifiers": r_idents,
             "labels": [{"vendor": x.get("list_source"), "category": x["category"], "entity": x.get("entity"),
                         "confidence": x.get("confidence"), "holds": (x["category"], x.get("list_source")) in held_by}
                        for x in labels]}
    return {"account_id": sender, "decision": "hold" if hold else "allow", "score": round(score, 3),
            "reasons": reasons, "path": path, "hops": hops, "recipient": recip,
            "sender_listed_identifiers": s_idents, "amount_usd": amount}


def _label_text(x: dict[str, Any]) -> str:
    return vendor.label_text({**x, "vendor": x.get("list_source")})


def explain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The facts template alone decides nothing without the walk: use run()."""
    return []


def quality(results: list[dict[str, Any]], truth: dict[str, Any]) -> dict[str, Any]:
    """Scores a batch of checks (one result each): found = checks held, expected = checks
    whose sender is a truth victim; precision = share of holds with a victim sender,
    recall = share of victim senders' checks held. Without checks (a run with no
    parameters) there is nothing to score."""
    victims = set(truth["victims"])
    held = [r for r in results if r["decision"] == "hold"]
    expected = [r for r in results if r["account_id"] in victims]
    tp = sum(r["account_id"] in victims for r in held)
    return {"found": len(held), "expected": len(expected),
            "precision": round(tp / len(held), 4) if held else 1.0,
            "recall": round(tp / len(expected), 4) if expected else 1.0}


DETECTION = Detection(
    name=NAME, level="account",
    summary="hold or allow one pending transfer: is its recipient watchlisted, reported, "
            "or within k_hold hops of a watchlisted entity",
    domain="ato_scam", risk_flag=None, query="transfer_risk_facts", explain=explain, params=PARAMS,
    runner=run, needs_input=True, holds_frozen_senders=True)
