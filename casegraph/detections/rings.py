"""Batch-registration rings: many accounts opened and run by one operator, found from the
evidence of common control, not from one time window.

Three templates (cypher/detect/rings.cypher: devices and IPs, with when each account used
them; rings_kyc: phones, e-mails, documents; rings_wallets: wallets withdrawn to or funded
from, with each account's first and last movement and their count; exchange hot wallets
excluded) run side by side and return every identifier that 2..cap accounts share. Here:

1. **Links.** Two accounts sharing an identifier are linked when they registered at most
   `link_days` apart and, for a device or an IP, used it at overlapping times (give or take
   `overlap_hours`): a device sold on second hand, or an internet café's computer, is used
   one after another and links nobody. A link weighs KIND_WEIGHT[kind] times the
   identifier's *concentration*, the largest share of its accounts that registered within
   `link_days` of each other: a ring's device or cash-out wallet is used by the ring only
   (1.0); an unlabelled exchange deposit address that 40 people withdrew to over a year gives
   0.1. Wallets weigh by what they did: a wallet most of its accounts first withdrew to
   within `fresh_days` of registering is a *cash-out* wallet (0.9; otherwise a shared
   *destination*, 0.45); a wallet that paid most of its accounts three times or more over 45
   days or longer is *payroll* (a company paying staff: weight 0, it explains the group
   away); otherwise it *seeded* them
   when most were funded from it within `fresh_days` of registering (0.7), else it is a shared
   *source* (0.35). A withdrawal wallet on a watchlist or named in a scam report is a scam's
   (those who paid it are victims): weight 0, and said so.
2. **Groups.** Accounts are grouped by the links of at least `min_link_weight` (connected
   components, casegraph.graphalgo). An IP is weak evidence (carriers, offices, campuses,
   public Wi-Fi): it never links on its own, but an IP whose users are concentrated in time
   (concentration >= 0.8) joins accounts that already have strong links, so a ring working
   from two devices behind one IP is one ring. A group held together by one account that
   joins parts registered at different times (an articulation point whose removal leaves
   parts of `min_size` - 1 or more, their registration periods apart: an account handed over
   from one ring to the next) is split there; the account stays with the part whose
   registrations are closest to its own.
3. **Score.** Each group of `min_size` or more is scored by summing the log-odds of the
   evidence on a prior of -3, score = 1 / (1 + e^-sum). Each piece adds its weight times the
   share of members it covers: a shared KYC document 4, phone 2.5, e-mail 2.5, cash-out
   wallet 3.5, device farm 2.5 (6 or more on one device at once, full weight at 9), device
   used at the same time 1, seeding wallet 0.9, destination wallet 0.75, source wallet 0.5;
   context: size 0.75 (full at 12 accounts), IP used at the same time 0.5, registered
   within 6 hours 0.5 (`evidence` in each result gives the shares). Read the score as how likely a group showing this
   evidence is one operator's ring: one KYC document on several accounts, phones or e-mails
   reused across accounts, or a cash-out wallet fresh accounts withdrew to can each make a
   ring alone (`min_score` 0.5); a device shared at the same time makes one only when more
   people use it than a household has (6 or more); a wallet that seeded them (an employer's
   first salary looks the same) needs other control evidence; IPs, tight registration and
   size only add (1.75 at most). Groups below `min_score` are not reported, and neither are
   referral trees (one member referred more than half of the others: the referral_abuse
   detection reports them with their own evidence).

Look-alikes, and the evidence that explains them away: a family (a shared tablet and home
IP, even signing up on one evening: at most a household on the device, no shared money or
documents), a company onboarding staff on one day (an office IP, and a treasury wallet
that pays them every month: payroll), a campus or a carrier (an IP only), an internet
café (a computer used one after another), a second-hand device (used after the ring's last
use), exchange wallets (hot wallets excluded by label; others spread over time). On the
generator's data, groups that are not rings score below rings (ROC AUC per seed in the
quality table). A ring of three to five accounts sharing only a device and an IP, with no
money or identity in common, is indistinguishable from a family and is not reported.

Model-flagged groups (IN_GROUP) are read afterwards for the members found and only compared
(confirms / partial / missed_by_model): a group is never evidence.

`--param` takes the parameters the three templates' headers declare (the table below),
bounds included; rings.cypher's header also declares the ones applied here."""
from __future__ import annotations

import hashlib
import math
import statistics
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import networkx as nx

from casegraph.times import iso
from casegraph.detections import Detection, header
from casegraph.detections._quality import precision_recall
from casegraph.graphalgo import connected_components

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
# Strength of one shared identifier of each kind, before concentration: a device, a KYC
# document, a phone or an e-mail belong to one person; a wallet to one operator (or a
# scam many people paid, or a company's treasury); an IP to anyone behind the same NAT.
KIND_WEIGHT = {"device": 1.0, "document": 1.0, "phone": 0.8, "email": 0.8,
               "withdrawal wallet": 0.9, "funding wallet": 0.7, "ip": 0.4}
KIND_ORDER = list(KIND_WEIGHT)
USAGE_KINDS = ("device", "ip")          # kinds whose links carry when each account used them
WEAK_KINDS = ("ip",)                    # never link on their own
IP_JOIN_CONCENTRATION = 0.8
NOUNS = {"ip": ("IP", "IPs")}
JACCARD_CONFIRMS = 0.5
EVIDENCE = ("rings", "rings_kyc", "rings_wallets")      # run side by side: each is a fraction of the work
RECURRING_TIMES, RECURRING_DAYS = 3, 45                 # payroll: paid 3+ times over 45+ days
REFERRAL_TREE_SHARE = 0.5                               # of the others one member referred (more than)
HOUSEHOLD = 5                                           # most people on one device a household has

# The score's evidence terms: log-odds each adds, times the share of members it covers.
BIAS = -3.0
EVIDENCE_WEIGHT = {
    # control: what one operator's accounts have in common, and unrelated people do not
    "document": 4.0,        # one KYC document on several accounts: identity reuse
    "phone": 2.5,           # one phone number (a one-time-code channel) on several accounts
    "email": 2.5,
    "cash-out": 3.5,        # fresh accounts withdrawing to one wallet: where a ring's money goes
    "destination": 0.75,    # a wallet they withdrew to later in their lives
    "seeding": 0.9,         # one wallet funding fresh accounts (a ring's float, but also an employer
                            # or an airdrop: alone, with every context term, it stays below 0.5)
    "source": 0.5,          # a wallet funding them later in their lives
    "device": 1.0,          # a device used at the same time
    "device farm": 2.5,     # ...by more people than a household (full weight at HOUSEHOLD + 4)
    # context: only adds to control evidence (all three at most 1.75: never a ring on their own)
    "ip": 0.5,
    "size": 0.75,           # full weight at 12 accounts
    "burst": 0.5,           # registered within 6 hours
}
def _concentration(times: list[int], window_ms: int) -> int:
    """Most accounts (of sorted registration times) that fall within one window."""
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] > window_ms:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


class Identifier:
    """One shared identifier as the rows give it, judged: its accounts (id -> registered,
    first and last use or movement, count), its concentration and, for wallets, its role."""
    __slots__ = ("kind", "value", "total", "accounts", "concentration", "role")

    def __init__(self, row: dict[str, Any], window_ms: int, fresh_ms: int):
        self.kind, self.value = row["kind"], row["value"]
        accounts: dict[str, dict[str, Any]] = {}
        for a in row.get("accounts") or []:
            if not a or a.get("id") is None or a.get("at") is None:
                continue
            seen = accounts.setdefault(a["id"], {"at": int(a["at"]), "first": None, "last": None, "n": 0})
            for end, pick in (("first", min), ("last", max)):
                if a.get(end) is not None:
                    seen[end] = int(a[end]) if seen[end] is None else pick(seen[end], int(a[end]))
            seen["n"] += int(a.get("n") or 1)
        self.accounts = accounts
        self.total = max(int(row.get("total") or 0), len(accounts))
        times = sorted(v["at"] for v in accounts.values())
        self.concentration = _concentration(times, window_ms) / self.total if times else 0.0
        self.role = "scam wallet" if row.get("flagged") else _role(self.kind, accounts.values(), fresh_ms)

    @property
    def weight(self) -> float:
        return KIND_WEIGHT.get(self.kind, 0.0) * ROLE_FACTOR.get(self.role, 1.0) * self.concentration

    def pairs(self, window_ms: int, overlap_ms: int):
        """(a, b) of its accounts registered within the window and, for usage kinds, using it
        at overlapping times (when both times are known)."""
        accs = sorted(self.accounts.items(), key=lambda kv: (kv[1]["at"], kv[0]))
        usage = self.kind in USAGE_KINDS
        for i, (ai, vi) in enumerate(accs):
            for aj, vj in accs[i + 1:]:
                if vj["at"] - vi["at"] > window_ms:
                    break
                if usage and None not in (vi["first"], vi["last"], vj["first"], vj["last"]) and (
                        vi["first"] > vj["last"] + overlap_ms or vj["first"] > vi["last"] + overlap_ms):
                    continue        # one after the other: sold on, or a shared computer
                yield (ai, aj) if ai < aj else (aj, ai)

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "total": self.total, "role": self.role,
                "concentration": round(self.concentration, 3)}


# a wallet's role: how its link weighs (times KIND_WEIGHT) and the evidence term it gives
ROLE_FACTOR = {"cash-out": 1.0, "destination": 0.5, "seeding": 1.0, "source": 0.5, "payroll": 0.0,
               "scam wallet": 0.0}
EXPLAINED = {"payroll": "pays {n} of them every month, as payroll does",
             "scam wallet": "is on a watchlist or named in scam reports: those who paid it are its victims"}


def _role(kind: str, accounts, fresh_ms: int) -> str | None:
    accounts = list(accounts)
    if kind == "withdrawal wallet":
        fresh = sum(1 for a in accounts if a["first"] is not None and a["first"] - a["at"] <= fresh_ms)
        return "cash-out" if 2 * fresh >= len(accounts) else "destination"
    if kind == "funding wallet":
        recurring = sum(1 for a in accounts if a["n"] >= RECURRING_TIMES and None not in (a["first"], a["last"])
                        and a["last"] - a["first"] >= RECURRING_DAYS * DAY_MS)
        if 2 * recurring >= len(accounts):
            return "payroll"
        fresh = sum(1 for a in accounts if a["first"] is not None and a["first"] - a["at"] <= fresh_ms)
        return "seeding" if 2 * fresh >= len(accounts) else "source"
    return None


def links(idents: list[Identifier], window_ms: int, overlap_ms: int) -> tuple[dict[tuple[str, str], float],
                                                                             dict[tuple[str, str], float]]:
    """Judged identifiers -> ({(a, b): weight} through strong kinds, {(a, b): weight} through
    IPs concentrated enough to join accounts that have strong links)."""
    strong: dict[tuple[str, str], float] = defaultdict(float)
    weak: dict[tuple[str, str], float] = defaultdict(float)
    for ident in idents:
        w = ident.weight
        if w <= 0:
            continue
        if ident.kind in WEAK_KINDS:
            if ident.concentration < IP_JOIN_CONCENTRATION:
                continue
            target = weak
        else:
            target = strong
        for pair in ident.pairs(window_ms, overlap_ms):
            target[pair] += w
    return dict(strong), dict(weak)


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


def _assess(members: list[str], registered: dict[str, int], by_account: dict[str, list[Identifier]],
            window_ms: int, overlap_ms: int) -> dict[str, Any]:
    """A group -> its ring record: the identifiers its members share, the evidence terms and
    the score (the module docstring)."""
    member_set = set(members)
    size = len(members)
    shared: dict[tuple[str, str], tuple[Identifier, set[str]]] = {}
    for a in members:
        for ident in by_account.get(a, ()):
            shared.setdefault((ident.kind, ident.value), (ident, set()))[1].add(a)
    shared = {k: v for k, v in shared.items() if len(v[1]) >= 2}
    covered: dict[str, set[str]] = defaultdict(set)     # evidence term -> members it covers
    farm = 0
    explained = []
    for ident, accs in shared.values():
        if ident.kind in ("device", "ip"):
            linked = {x for pair in ident.pairs(window_ms, overlap_ms) if set(pair) <= member_set for x in pair}
            covered[ident.kind] |= linked
            if ident.kind == "device":
                farm = max(farm, len(linked))
        elif ident.role in EXPLAINED:
            explained.append(f"wallet {_short(ident.value)} " + EXPLAINED[ident.role].format(n=len(accs))
                             + ": not counted as evidence")
        else:
            covered[ident.role or ident.kind] |= accs
    terms = {k: len(v) / size for k, v in covered.items() if v}
    if farm > HOUSEHOLD:
        terms["device farm"] = min(1.0, (farm - HOUSEHOLD) / 4)
    terms["size"] = min(1.0, max(0, size - 3) / 9)
    times = sorted(registered[a] for a in members)
    span = times[-1] - times[0]
    if span <= 6 * HOUR_MS:
        terms["burst"] = 1.0
    logit = BIAS + sum(EVIDENCE_WEIGHT[k] * v for k, v in terms.items())
    score = round(1 / (1 + math.exp(-logit)), 3)
    rows = sorted(({"kind": i.kind, "value": i.value, "accounts": len(accs), "total": i.total, "role": i.role}
                   for i, accs in shared.values()),
                  key=lambda s: (KIND_ORDER.index(s["kind"]), -s["accounts"], str(s["value"])))
    kinds = sorted({s["kind"] for s in rows if s["role"] not in EXPLAINED}, key=KIND_ORDER.index)
    reasons = [f"{size} accounts registered within {_duration(span)} ({iso(times[0])} to {iso(times[-1])})",
               _shared_sentence([r for r in rows if r["role"] not in EXPLAINED]),
               "evidence: " + "; ".join(_term_sentence(k, v, size, farm) for k, v in
                                         sorted(terms.items(), key=lambda kv: -EVIDENCE_WEIGHT[kv[0]] * kv[1])
                                         if v) + f" (score {score})"]
    reasons += explained
    return {"ring_id": ring_id(members), "members": members, "size": size, "score": score, "reasons": reasons,
            "shared": rows, "kinds": kinds, "evidence": {k: round(v, 3) for k, v in sorted(terms.items())},
            "registered_from": iso(times[0]), "registered_to": iso(times[-1]),
            "registration_span_hours": round(span / HOUR_MS, 2)}


def _term_sentence(term: str, share: float, size: int, farm: int) -> str:
    n = round(share * size)
    return {"document": f"{n} of {size} share a KYC document",
            "phone": f"{n} of {size} share a phone number",
            "email": f"{n} of {size} share an e-mail address",
            "cash-out": f"{n} of {size} withdrew to a shared wallet soon after registering (cash-out)",
            "destination": f"{n} of {size} withdrew to a shared wallet",
            "seeding": f"{n} of {size} were funded from a shared wallet soon after registering",
            "source": f"{n} of {size} were funded from a shared wallet",
            "device": f"{n} of {size} used a shared device at the same time",
            "device farm": f"{farm} accounts on one device at once, more than a household",
            "ip": f"{n} of {size} used an IP at the same time",
            "size": f"{size} accounts",
            "burst": "registered within 6 hours"}[term]


def _split(component: list[str], adj: dict[str, set[str]], registered: dict[str, int],
           min_size: int) -> list[list[str]]:
    """A group held together by one account is cut there when the account joins groups that
    registered at different times (an articulation point whose removal leaves two or more parts
    of at least min_size - 1 accounts each, their registration periods not overlapping): an
    account handed over from one ring to the next. The account, and any smaller pieces hanging
    from it, go with the part whose median registration time is closest to its own. Repeated
    until no such account is left. Parts that registered at interleaved times stay one group."""
    out, todo = [], [component]
    while todo:
        part = todo.pop()
        if len(part) < 2 * min_size - 1 or len(part) > 5000:
            out.append(sorted(part))
            continue
        keep = set(part)
        graph = nx.Graph((a, b) for a in part for b in adj[a] if b in keep)
        cut = None
        for v in sorted(nx.articulation_points(graph)):
            pieces = [set(c) for c in nx.connected_components(graph.subgraph(keep - {v}))]
            big = sorted((c for c in pieces if len(c) >= min_size - 1),
                         key=lambda c: min(registered[x] for x in c))
            apart = all(max(registered[x] for x in a) < min(registered[x] for x in b) for a, b in zip(big, big[1:]))
            if len(big) >= 2 and apart:
                cut = v, big, [c for c in pieces if len(c) < min_size - 1]
                break
        if cut is None:
            out.append(sorted(part))
            continue
        v, big, small = cut
        home = min(big, key=lambda c: (abs(statistics.median(registered[x] for x in c) - registered[v]),
                                       -len(c), min(c)))
        for c in big:
            todo.append(sorted(c | {v} | set().union(*small)) if c is home else sorted(c))
    return sorted(out, key=lambda m: m[0])


def find(rows: list[dict[str, Any]], params: dict[str, Any]) -> list[dict[str, Any]]:
    """Shared-identifier rows -> rings (not yet compared with the model), highest score first.
    `params` are bound (DETECTION.bind: checked, defaults filled in)."""
    window_ms = int(float(params["link_days"]) * DAY_MS)
    overlap_ms = int(float(params["overlap_hours"]) * HOUR_MS)
    fresh_ms = int(float(params["fresh_days"]) * DAY_MS)
    min_weight = float(params["min_link_weight"])
    min_size = int(params["min_size"])
    min_score = float(params["min_score"])

    idents = [Identifier(row, window_ms, fresh_ms) for row in rows]
    idents = [i for i in idents if len(i.accounts) >= 2]
    registered: dict[str, int] = {}
    by_account: dict[str, list[Identifier]] = defaultdict(list)
    for ident in idents:
        for a, seen in ident.accounts.items():
            registered[a] = seen["at"]
            by_account[a].append(ident)
    strong_w, weak_w = links(idents, window_ms, overlap_ms)
    edges = [pair for pair, w in strong_w.items() if w >= min_weight - 1e-9]
    linked = {a for pair in edges for a in pair}
    edges += [pair for pair in weak_w if pair[0] in linked and pair[1] in linked]
    adj: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        adj[a].add(b)
        adj[b].add(a)

    out = []
    for component in connected_components(edges):
        if len(component) < min_size:
            continue
        for members in _split(component, adj, registered, min_size):
            if len(members) < min_size:
                continue
            ring = _assess(members, registered, by_account, window_ms, overlap_ms)
            if ring["score"] >= min_score:
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
    referrers and the model groups of the members found."""
    p = DETECTION.bind(params)
    bound = {name: {q.name: p[q.name] for q in store.queries.get(name).params} for name in EVIDENCE}
    with ThreadPoolExecutor(max_workers=len(EVIDENCE)) as pool:
        parts = list(pool.map(lambda name: store.read(name, bound[name], row_limit=None).rows, EVIDENCE))
    rings = find([row for rows in parts for row in rows], p)
    members = sorted({m for r in rings for m in r["members"]})
    if members:
        referrals = store.read("rings_referrals", {"account_ids": members}, row_limit=None).rows
        rings = without_referral_trees(rings, {r["account_id"]: r["referrer"] for r in referrals})
        members = sorted({m for r in rings for m in r["members"]})
    groups = store.read("rings_groups", {"account_ids": members}, row_limit=None).rows if members else []
    annotate(rings, groups)
    return rings


def without_referral_trees(rings: list[dict[str, Any]], referrer: dict[str, str]) -> list[dict[str, Any]]:
    """Rings minus referral trees: groups in which one member referred more than
    REFERRAL_TREE_SHARE of the others (self-referral for the sign-up bonus, which the
    referral_abuse detection reports with its own evidence; a ring is not reported twice)."""
    out = []
    for ring in rings:
        members = set(ring["members"])
        counts: dict[str, int] = defaultdict(int)
        for m in members:
            if referrer.get(m) in members:
                counts[referrer[m]] += 1
        if counts and max(counts.values()) > REFERRAL_TREE_SHARE * (len(members) - 1):
            continue
        out.append(ring)
    return out


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def quality(results: list[dict[str, Any]], truth: dict) -> dict[str, float | int]:
    """Member precision/recall against every truth ring; rings matched (Jaccard >= 0.5),
    and of those the ones the model missed; rings resting on confounder identifiers alone;
    members of look-alike groups (families, companies' staff, device buyers) reported."""
    found = {m for r in results for m in r["members"]}
    expected = [set(r) for r in truth["rings"]]
    truth_members = set().union(*expected) if expected else set()
    q = precision_recall(found, truth_members)
    matched = missed_matched = 0
    for ring in expected:
        best = max(results, key=lambda r: _jaccard(ring, set(r["members"])), default=None)
        if best is not None and _jaccard(ring, set(best["members"])) >= 0.5:
            matched += 1
            missed_matched += best.get("model_relation") == "missed_by_model"
    conf = truth.get("confounders", {})
    benign = set().union(*(set(conf.get(k, [])) for k in ("carrier_ips", "office_ips", "family_devices",
                                                          "cafe_devices", "treasury_wallets")))
    look_alikes = set().union(*(set(conf.get(k, [])) for k in ("families_together", "company_staff",
                                                               "device_buyers")))
    fp_groups = set(conf.get("false_positive_groups", []))
    on_confounders_only = sum(1 for r in results if not [s for s in r["shared"] if s["value"] not in benign])
    # a result holding most of two truth rings merged them (through a hand-over account, a device
    # sold on from one to the other): it counts once here
    merged = sum(1 for r in results if sum(len(set(r["members"]) & ring) >= 0.5 * len(ring) for ring in expected) > 1)
    home = {m: k for k, ring in enumerate(expected) for m in ring}
    handed = [a for a in truth.get("rings_handed_over", []) if a in home]
    placed = sum(1 for a in handed for r in results
                 if a in r["members"] and _jaccard(set(r["members"]), expected[home[a]]) >= 0.5)
    confirms_fp = sum(1 for r in results for g in r.get("model_groups", [])
                      if g["group_id"] in fp_groups and g["jaccard"] >= JACCARD_CONFIRMS)
    return {**q, "rings_expected": len(expected), "rings_found": len(results), "rings_matched": matched,
            "rings_matched_missed_by_model": missed_matched, "rings_on_confounders_only": on_confounders_only,
            "look_alikes_flagged": len((found & look_alikes) - truth_members), "rings_merged": merged,
            "handed_over_placed": f"{placed}/{len(handed)}",
            "false_positive_groups_confirmed": confirms_fp}


def roc_auc(candidates: list[dict[str, Any]], truth: dict) -> float | None:
    """How well the score ranks true rings above other groups: candidates (every group of
    min_size or more, whatever its score: run with min_score=0) are true when they match a
    truth ring (Jaccard >= 0.5). The chance that a random true group outscores a random false
    one (ties count half); None when either side is empty."""
    expected = [set(r) for r in truth["rings"]]
    pos, neg = [], []
    for c in candidates:
        members = set(c["members"])
        (pos if any(_jaccard(members, ring) >= 0.5 for ring in expected) else neg).append(c["score"])
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return round(wins / (len(pos) * len(neg)), 4)


def candidates(store, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every group the detector scores, however low (for roc_auc)."""
    return run(store, {**(params or {}), "min_score": 0})


DETECTION = Detection(name="rings", level="ring",
                      summary="accounts registered in one burst that share devices, IPs, phones, documents or wallets",
                      domain="kyc_fraud", risk_flag="ring-member", query="rings", explain=explain,
                      params=header(*EVIDENCE), runner=run)
