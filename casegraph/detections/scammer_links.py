"""Scammer links: accounts within k hops of a watchlisted entity (an account, a wallet, or
an identifier: device, IP, phone, e-mail, KYC document), each with one shortest path that
explains the link and how much money it carries.

The walk (casegraph/detections/_exposure.py) starts from every watchlisted entity and
goes out level by level through internal transfers, withdrawals, deposits, on-chain
sends and shared identifiers (a hop is one relationship: sharing a device with a listed
account is 2 hops). Exchange hot wallets, identifiers shared by more than `max_shared`
accounts and accounts/wallets with more than `max_degree` money links are never walked
through (the watchlisted entities themselves are exempt from the degree cap).

Listed identifiers (a blocklisted device, IP, phone, e-mail or document) are seeds like
listed accounts and wallets, so an account that used a listed device or IP, or has a listed
phone, e-mail or document, is ONE hop from the list: path [account -USED_DEVICE-> device],
`watchlisted` naming the device and its lists. Every account that used that identifier is
at one hop (each used it itself; none is reached through another), and the walk goes on
from them as from any account: an account sharing some *other* identifier with one of them
is 3 hops away, not 1. The `max_shared` cap keeps its one meaning for listed identifiers
too: an identifier used by more than `max_shared` accounts is a hub and is not walked, so
its users are not linked by it. Exempting listed identifiers from the cap would let one
listed carrier IP or shared office device put thousands of accounts at one hop (score 0.8,
all queued as alerts) and expand all of them at the next level; the listing still shows
where it matters for one account: transfer_risk names it in its reasons (without holding,
over the cap) and the explorer marks the identifier. Raise `max_shared` for a run to follow
a widely used listed identifier.

Vendor labels (casegraph/vendor.py) are listings of a `vendor:<category>` watchlist. By
default the walk starts from every other watchlist's entries and from labels of the
categories that hold a transfer (sanctions, ransomware, scam, stolen funds, darknet market
...): a hop from a gambling site or a mixer is no scammer link. `categories` picks the seeds
instead (a comma list; `watchlist` = every other list's entries). The listed entity's labels
are in `watchlisted` (`categories`, `labels`) and in the first reason.

Watchlisted accounts themselves are not results (they are the list, not a link to it).
Only results scoring at least 0.6 (within 2 hops) go to the alert queue: on the 1M sample 3 hops reach some 21,000 accounts, too many to review one by
one; `detect scammer_links --format json` still lists them all.

Known reach (sample data): with k=3 every mule and nearly every victim is found. The
exception is a victim who paid through its own hop wallet to W2 of an operation that
lists only its first scammer account: victim -WITHDREW-> hop wallet -SENT-> W2 -SENT-> W1
-DEPOSITED-> listed scammer is 4 hops (4 of 299 victims at 100,000 accounts, seed 5);
k=4 finds them.

Per account:
- `hops`: length of the shortest path to the nearest watchlisted entity (1..k).
- `path`: that path as steps from the account to the listed entity, each
  {from, from_label, rel, dir, to, to_label[, usd, n]}; `dir` '->' means the relationship
  points from `from` to `to`; money steps carry the USD total and count of the links of
  that type and direction between the two nodes.
- `watchlisted`: the listed entity the path ends at, its label, lists, sources, reason.
- `direct_exposure_usd`: USD total of every TRANSFERRED / WITHDREW / DEPOSITED link
  directly between the account and any watchlisted entity, in either direction, over the
  links that have a USD value; `direct_exposure` is the whole figure as
  {usd, assets: {asset: amount}} where links without a USD value add their amount per asset.
- `indirect_exposure_usd`: the smallest USD total over the money steps of the path that are
  all in USD (the most that can have flowed along all of it); 0 when there is none.
  `indirect_exposure` is what the reason shows: that step, or when no step is all in USD the
  first money step's amounts per asset (casegraph/detections/_exposure.py path_exposure).
- Money steps and reasons print USD only for USD values; amounts without one are shown per
  asset ("0.4 BTC"), never as USD (casegraph/money.py).
- `exposure`: the account's exposure computed as the `exposure` detection does (a random
  walk with restart from the watchlists over money weighted by amount and direction, and
  shared identifiers by kind; casegraph/detections/exposure.py), but over the neighbourhood
  this walk reached (its rows, no further query) and without the time decay (the walk's rows
  carry no times). Not the exposure detection's figure, which walks the whole graph: that
  takes some 20 s at 1,000,000 accounts, this adds well under a second to scammer_links.
- `score`: by hops (1: 0.8, 2: 0.6, 3: 0.4, 4: 0.3, 5: 0.2) plus, within each hop count, a
  bonus for exposure: 0.19 (0.09 at 4 and 5 hops) times the share of the results at the same
  hop count that are less exposed. Results are ordered by score, so by hops first and by
  exposure within the same hops, and so is the alert queue (casegraph/state.py list_alerts
  orders by score): the most exposed 2-hop account comes right after the least exposed
  1-hop one. Why within hop bands and not exposure alone: hops decide what is queued (within
  2 hops, as before) and the investigator's first question is "how close"; exposure then
  says which of the many equally close accounts to look at first. scammer_links is also
  the victims' detection (outreach), and victims are close: ordered by exposure alone, the
  queue's first 1,750 at 300,000 generated accounts held 766 victims instead of 1,009 within
  2 hops. The price: in the top K (K = unlisted scammers and mules) hop bands with exposure
  inside hold 1.5x the scammers and mules that hops alone did, exposure alone 4x
  (lift@K 252 / 164 / 656 at 100,000 accounts); for that ranking use `detect exposure`. (This replaced a bonus
  of 0.04 per power of ten of USD exposure: on independent laundering data ordering by hops
  alone ranked the unlisted bad accounts at only 3x their base rate, issue 14; the USD
  figures remain as `direct_exposure_usd` and `indirect_exposure_usd`.)
"""
from __future__ import annotations

import bisect
from typing import Any

from casegraph import vendor
from casegraph.catalogue import Param
from casegraph.detections import Detection
from casegraph.detections import _exposure as ex
from casegraph.detections import exposure
from casegraph.detections._quality import confounders_hit
from casegraph.money import Money

seed_info = ex.seed_info        # the watchlisted entities, as scammer_links and exposure read them

NAME = "scammer_links"
PARAMS = (
    Param("k", "int", 3, "most hops from a listed entity", lo=1, hi=5),
    Param("max_shared", "int", 25, "identifiers used by more accounts than this are not walked through",
          lo=1, hi=1_000_000),
    Param("max_degree", "int", 200, "accounts and wallets with more money links than this are reached but "
          "not walked through", lo=1, hi=100_000_000),
    Param("categories", "string", None, "only these seeds: a comma list of vendor label categories and/or "
          "`watchlist` (entries of every other list); default: every other list and the categories that hold"),
)
HOP_BASE = {1: 0.8, 2: 0.6, 3: 0.4, 4: 0.3, 5: 0.2}
# the most exposure adds within each hop count: less than the gap to the next closer hop count
BAND = {1: 0.19, 2: 0.19, 3: 0.19, 4: 0.09, 5: 0.09}
# Queued as alerts: within 2 hops (all results are returned)
ALERT_MIN_SCORE = 0.6
DIRECT_RELS = ("TRANSFERRED", "WITHDREW", "DEPOSITED")


def run(store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Seeds from the watchlists, the walk, then one explained result per account reached."""
    p = DETECTION.bind(params)
    k, max_shared, max_degree = p["k"], p["max_shared"], p["max_degree"]
    asked = vendor.categories_param(p["categories"], f"detection {NAME}")
    seeds = seed_info(store.read("scammer_links_seeds", {}, row_limit=None).rows,
                      vendor.default_hold() if asked is None else asked)
    if not seeds:
        return []
    direct: dict[str, Money] = {}

    walked: list[dict[str, Any]] = []      # every level's rows: the neighbourhood exposure walks

    def collect(rows):
        nonlocal first_done
        walked.extend(rows)
        if first_done:
            return
        first_done = True                   # the first level's rows give the direct exposure
        for r in rows:
            if r["dst_label"] == "Account" and r["rel"] in DIRECT_RELS:
                m = direct.setdefault(r["dst"], Money())
                other = r.get("other") or ()
                if int(r["n"] or 0) > len(other):        # some of these links have a USD value
                    m.add(float(r["usd"] or 0.0))
                m.add_assets(other)

    first_done = False
    seen = ex.walk(store, list(seeds), k, max_shared=max_shared, max_degree=max_degree,
                   exempt=[key for _, key in seeds], last_targets="accounts", on_rows=collect)
    return explain_walk(seen, seeds, direct, exposure.from_walk_rows(walked, seeds))


def explain_walk(seen: dict[ex.Node, ex.Visit], seeds: dict[ex.Node, dict[str, Any]],
                 direct: dict[str, Money], risk: dict[str, float] | None = None) -> list[dict[str, Any]]:
    """Walk result -> one result per account reached (not the listed ones), scored by hops
    and, within each hop count, by exposure (`risk`: account -> exposure), best first."""
    out = []
    for node, visit in seen.items():
        if node[0] != "Account" or visit.hops == 0 or node in seeds:
            continue
        steps = ex.path_to_source(seen, node)
        end = (steps[-1]["to_label"], steps[-1]["to"])
        info = seeds[end]
        out.append(result(node[1], steps, end, info, direct.get(node[1], Money())))
    return order(out, risk or {})


def order(results: list[dict[str, Any]], risk: dict[str, float]) -> list[dict[str, Any]]:
    """Set each result's `exposure` (0 when the exposure walk did not reach it) and its score:
    its hop base plus BAND[hops] x the share of the results at the same hop count that are
    less exposed; sorted best first (score, exposure, then account id)."""
    bands: dict[int, list[float]] = {}
    for r in results:
        r["exposure"] = float(risk.get(r["account_id"], 0.0))
        bands.setdefault(r["hops"], []).append(r["exposure"])
    for values in bands.values():
        values.sort()
    for r in results:
        values = bands[r["hops"]]
        below = bisect.bisect_left(values, r["exposure"]) / len(values)
        r["score"] = round(HOP_BASE.get(r["hops"], 0.1) + BAND.get(r["hops"], 0.0) * below, 4)
        if r["exposure"] > 0:
            r["reasons"].append(f"exposure {r['exposure']:.3g}: more exposed than {100 * below:.0f}% of the "
                                f"accounts {r['hops']} hop{'s' if r['hops'] != 1 else ''} away (casegraph detect "
                                "exposure)")
    results.sort(key=lambda r: (-r["score"], -r["exposure"], r["account_id"]))
    return results


def result(account_id: str, steps: list[dict[str, Any]], end: ex.Node, info: dict[str, Any],
           direct: Money | float) -> dict[str, Any]:
    """One explained result from its path and the listed entity it ends at."""
    hops = len(steps)
    indirect = ex.bottleneck(steps)
    along = ex.path_exposure(steps)
    direct = direct if isinstance(direct, Money) else Money().add(direct)
    direct_usd = round(direct.usd, 2)
    listed = ex.listed_text(end, info)
    reasons = [f"{hops} hop{'s' if hops != 1 else ''} from {listed}",
               f"path: {ex.path_text(steps)}"]
    if direct:
        reasons.append(f"moved {direct.text()} directly to or from watchlisted entities")
    if along:
        all_usd = all(not s.get("other") for s in steps if "usd" in s)
        note = "its smallest money step" if all_usd else "a bound: some money steps have no USD value"
        reasons.append(f"up to {along.text()} along the path ({note})")
    return {"account_id": account_id, "score": HOP_BASE.get(hops, 0.1), "reasons": reasons, "hops": hops, "path": steps,
            "watchlisted": ex.watchlisted(end, info),
            "direct_exposure_usd": direct_usd, "indirect_exposure_usd": indirect,
            "direct_exposure": direct.as_dict(), "indirect_exposure": along.as_dict()}


def explain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The seeds template alone explains nothing: results come from the walk (run)."""
    return []


def quality(results: list[dict[str, Any]], truth: dict[str, Any]) -> dict[str, Any]:
    """Recall of victims + mules (all should be found), precision against scammers +
    victims + mules (informational: ordinary neighbours of victims are found too), and
    how many merchants, payroll accounts and influencers were found."""
    found = {r["account_id"] for r in results}
    expected = set(truth["victims"]) | set(truth["mules"])
    bad = set(truth["scammers"]) | expected
    return {"found": len(found), "expected": len(expected),
            "precision": round(len(found & bad) / len(found), 4) if found else 0.0,
            "recall": round(len(found & expected) / len(expected), 4) if expected else 1.0,
            "confounders_flagged": confounders_hit(found, truth, "merchants", "payroll", "influencers")}


DETECTION = Detection(
    name=NAME, level="account",
    summary="accounts within k hops of a watchlisted account, wallet or identifier, with the path and money "
            "exposure",
    domain="ato_scam", risk_flag=None, query="scammer_links_seeds", explain=explain, params=PARAMS,
    runner=run, alert_min_score=ALERT_MIN_SCORE)
