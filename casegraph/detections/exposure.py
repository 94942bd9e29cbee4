"""Exposure: every account ranked by how close it is to known-bad entities, through money
and shared identifiers, with one explaining path each.

What it computes. A random walk with restart (personalised PageRank,
casegraph/graphalgo.py) over accounts, wallets and identifiers, that starts from the
watchlisted entities (listed accounts, wallets, devices, IPs, phones, e-mails, documents:
the `scammer_links_seeds` template) and at each step either follows a link, with a
probability proportional to its weight, or (probability `restart`) jumps back to a listed
entity. An account's `exposure` is the share of the walk's time spent on it: high when many
strong, recent, short routes lead to it from the lists. The edge list comes from three
templates that aggregate in the database (exposure_money: one row per pair, money
relationship type and direction; exposure_identifiers: one row per shared identifier;
exposure_accounts: the account count), and the walk runs in Python with scipy sparse
matrices, so every backend gives the same answer.

Link weights (a link's weight divided by the sum of its node's weights is the step's
probability):
- money (TRANSFERRED, WITHDREW, DEPOSITED, SENT), per pair and relationship type and
  direction: strength = log10(1 + USD total) + log2(1 + number of links), times the time
  decay 0.5 ** (age / half_life_days), where age is how long before the latest money pair in
  the graph the pair's links were made (their mean time). Log scales: a 100,000 USD pair is
  a stronger link than a 100 USD one, but not a thousand times stronger, so one whale does
  not swallow the walk; a pair with many small payments (a mule's inflows) counts too.
  Links without a USD value add to the count only (their amounts are not comparable).
- direction: the walk follows money both ways, with different weights. Following money
  *out of* an entity the walk stands on (DOWNSTREAM = 1.0) reaches who received funds from a
  listed entity: its cash-out accounts, the next layer of a laundering chain, its other
  wallets. Following money *into* it (UPSTREAM = 0.5) reaches who paid a listed entity:
  mules forwarding their takings, earlier layers, but also its victims, who are exposed and
  not bad; hence the lower weight. Both count, because on laundering data the bad accounts
  sit on either side of a listed one. (On the generator 0.3 ranks a few more bad accounts
  first, its victims being many payers of few scammers; 0.5 is kept so that a layering
  chain upstream of a listed account is not half-hidden on data made otherwise.)
- shared identifiers: an account and each identifier it uses are linked with the kind's
  weight (KIND_WEIGHT: device and KYC document strong, phone and e-mail medium, IP weak, as
  in rings), so two accounts sharing a device are two steps apart.

Exclusions: exchange hot wallets (label `exchange:...`) are left out (they link strangers);
identifiers used by more than `max_shared` accounts are left out, listed or not (as in
scammer_links); listed accounts themselves are never results (they are the list); accounts
the walk never reaches (no route from any listed entity) are not ranked. Accounts with many
links (merchants, payroll) are walked through, not cut: their weight is spread over all
their links, so little passes each. Dividing exposure by an account's link weight (to damp
such hubs further) ranked fewer bad accounts on the generator (lift@K 505 with the square
root, 379 with the weight itself, against 682 at 100,000 accounts), so the plain walk stays.

Per result:
- `exposure`: the walk's stationary probability on the account (sums to 1 over all nodes;
  only its order and its ratio to other accounts' mean anything).
- `rank`: 1 = most exposed unlisted account. `score` = 1 - (rank - 1) / N, N the number of
  unlisted accounts in the graph: the share of all unlisted accounts this one is at least as
  exposed as (0.99: in the top 1%). Alerts are queued from 0.99 up (ALERT_MIN_SCORE).
- `path`: the likeliest single route from the account to a listed entity (the walk's steps
  with the largest product of probabilities: Dijkstra over -log(probability)), as steps
  {from, from_label, rel, dir, to, to_label[, usd, n, other]} like scammer_links; `hops`
  its length; `watchlisted` the listed entity it ends at (label, lists, sources, reasons,
  and for a vendor-labelled wallet its `categories` and `labels`: vendor, category, entity,
  confidence).
- `reasons`: the rank and percentile, the path, and the listed entity with its vendor labels
  ("... (on vendor:sanctions; labelled sanctions by ExampleVendor (Example Group, confidence 0.95))").

Measured on the generator (bad = scammers and mules, minus the listed ones; quality()):
lift@K 180-690 on the test datasets (1,500 and 5,000 accounts, K = 4..9), 682 at 100,000
accounts (precision@K 0.61, K = 89), 713 at 300,000 (0.67, K = 282); the same ranking on
both engines. Time: 2-3 s at 100,000 accounts and 7-11 s at 300,000 on two busy cores
(bench/detect_bench.py), nearly all of it the two edge-list queries.

Parameters and what they trade:
- `restart` (0.15): the chance per step of jumping back to the lists. Higher keeps the
  exposure close to the lists (1-2 hops dominate; sharper, misses longer laundering
  chains); lower lets it spread further (finds layered accounts 3-4 steps out, but big
  hubs near the lists collect more).
- `half_life_days` (180): how fast old links fade. Shorter favours recent activity (an
  account that paid a scammer last week over one that did two years ago); longer treats
  history evenly, better for data spanning a short period or slow schemes.
- `max_shared` (25): identifiers with more users are not walked. Higher follows office and
  family identifiers (more reach, more innocents); lower keeps only tight links.
- `top` (1000): how many accounts are returned, best first; 0 returns every account the
  walk reaches (at 1,000,000 accounts that is most of them).
- `weighted` (true): vendor labels (casegraph/vendor.py) are seeds like any listing, but each
  seed's share of the restart is the largest weight of its listings: 1.0 for an entry of any
  other watchlist, the category's weight times the label's confidence for a vendor label
  (sanctions 0.95 restarts 0.95 as often as an internal listing; mixer 0.5, gambling 0.2). So
  an account next to a sanctioned wallet ranks above one next to a gambling site. false: every
  seed alike. Labels of weight 0 (exchange) or confidence 0 are never seeds.
- `categories` (all): only listings of these categories seed the walk (a comma list; `watchlist`
  stands for the entries of every other list): `categories=sanctions` is exposure to
  sanctioned wallets only.
"""
from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix

from casegraph import vendor
from casegraph.catalogue import Param
from casegraph.detections import Detection
from casegraph.detections import _exposure as ex
from casegraph.graphalgo import likeliest_paths, random_walk_with_restart
from casegraph.money import Money

NAME = "exposure"
PARAMS = (
    Param("restart", "float", 0.15, "chance per step of jumping back to the lists: higher stays closer to them",
          lo=0.01, hi=0.9),
    Param("half_life_days", "float", 180.0, "a money link this many days older than the latest weighs half",
          lo=0, lo_open=True, hi=36_500),
    Param("max_shared", "int", 25, "identifiers used by more accounts than this are not walked through",
          lo=1, hi=1_000_000),
    Param("top", "int", 1000, "how many accounts to return, most exposed first (0: every account reached)",
          lo=0, hi=100_000_000),
    Param("categories", "string", None, "only these seeds: a comma list of vendor label categories and/or "
          "`watchlist` (entries of every other list); default all"),
    Param("weighted", "bool", True, "restart at each seed in proportion to its category's weight times the "
          "label's confidence (other lists 1.0); false: every seed alike"),
)
EXCHANGE_PREFIX = "exchange:"
DOWNSTREAM = 1.0        # following money out of the node the walk is on (to who received it)
UPSTREAM = 0.5          # following money into it (to who paid it): victims pay scammers too
# strength of the link between an account and an identifier it uses, by the identifier's label
KIND_WEIGHT = {"Device": 2.0, "Document": 2.0, "Phone": 1.2, "Email": 1.2, "IP": 0.6}
IDENTIFIER_REL = {"Device": "USED_DEVICE", "IP": "USED_IP", "Phone": "HAS_PHONE", "Email": "HAS_EMAIL",
                  "Document": "HAS_DOCUMENT"}
# labels of each money relationship's (src, dst)
MONEY_ENDS = {"TRANSFERRED": ("Account", "Account"), "WITHDREW": ("Account", "Wallet"),
              "DEPOSITED": ("Wallet", "Account"), "SENT": ("Wallet", "Wallet")}
ALERT_MIN_SCORE = 0.99  # the top 1% of unlisted accounts
DAY_MS = 86_400_000
TEMPLATES = ("exposure_money", "exposure_identifiers", "exposure_accounts", "scammer_links_seeds")


def run(store, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Fetch the edge lists and the seeds (side by side), walk, explain the top accounts."""
    p = DETECTION.bind(params)
    ranked, _ = compute(store, p, None if p["top"] == 0 else p["top"])
    return ranked


def compute(store, p: dict[str, Any], explain_top: int | None) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """The first `explain_top` unlisted accounts ranked and explained (all when None, none
    when 0), and {account_id: exposure} of every unlisted account reached (what scammer_links
    orders by). `p`: bound parameters (DETECTION.bind)."""
    categories = vendor.categories_param(p["categories"], f"detection {NAME}")
    bound = {"exposure_money": {"exchange_prefix": EXCHANGE_PREFIX},
             "exposure_identifiers": {"max_shared": p["max_shared"]},
             "exposure_accounts": {}, "scammer_links_seeds": {}}
    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = dict(zip(TEMPLATES, pool.map(lambda q: store.read(q, bound[q], row_limit=None).rows, TEMPLATES)))
    seeds = ex.seed_info(parts["scammer_links_seeds"], categories)
    accounts = int(parts["exposure_accounts"][0]["accounts"]) if parts["exposure_accounts"] else 0
    money = parse_money([r["row"] for r in parts["exposure_money"]])
    g = build(money, parts["exposure_identifiers"], seeds, p["half_life_days"])
    return rank(g, seeds, accounts, p["restart"], explain_top, weighted=p["weighted"])


def from_walk_rows(rows: list[dict[str, Any]], seeds: dict[ex.Node, dict[str, Any]],
                   restart: float = 0.15) -> dict[str, float]:
    """{account_id: exposure} from the rows of scammer_links' breadth-first walk
    (scammer_links_expand, every level): the same random walk and weights as `compute`, over
    the neighbourhood that walk reached, without the time decay (those rows carry no times).
    No further query: scammer_links orders by it without paying for the whole graph's walk."""
    money: dict[tuple[str, str, str], tuple] = {}
    users: dict[ex.Node, set[str]] = {}
    for r in rows:
        if r["dst"] is None:
            continue
        if r["rel"] in MONEY_ENDS:
            src, dst = (r["src"], r["dst"]) if r["outgoing"] else (r["dst"], r["src"])
            money[(r["rel"], src, dst)] = (int(r["n"] or 0), round(float(r["usd"] or 0.0), 2))
        elif r["src_label"] == "Account":
            users.setdefault((r["dst_label"], r["dst"]), set()).add(r["src"])
        else:
            users.setdefault((r["src_label"], r["src"]), set()).add(r["dst"])
    frame = [(rel, src, dst, n, usd, float("nan"), "") for (rel, src, dst), (n, usd) in sorted(money.items())]
    # an identifier seen from one account only (a hub the walk did not expand) links nobody
    idents = [{"label": label, "key": key, "users": sorted(us)} for (label, key), us in users.items()
              if len(us) >= 2 or (label, key) in seeds]
    g = build(frame, idents, seeds, 1.0)
    return rank(g, seeds, 0, restart, 0)[1]


MONEY_COLUMNS = ["rel", "src", "dst", "n", "usd", "at", "other"]


def parse_money(rows: list[str]) -> pd.DataFrame:
    """The money template's tab-separated rows -> a frame of MONEY_COLUMNS (parsed in C:
    pandas' CSV reader): usd to the cent and at to the second (the engines sum in different
    orders; rounding makes the walk's input, and so its answer, the same on each), at NaN
    when no link has a time, other the 'asset:amount;...' text of links without a USD value."""
    if not rows:
        return pd.DataFrame({c: [] for c in MONEY_COLUMNS})
    m = pd.read_csv(io.StringIO("\n".join(rows)), sep="\t", header=None, names=MONEY_COLUMNS,
                    quoting=csv.QUOTE_NONE, dtype={"rel": str, "src": str, "dst": str, "other": str},
                    keep_default_na=False, na_values={"at": [""]})
    m["n"] = m["n"].astype(float).astype(np.int64)
    m["usd"] = m["usd"].astype(float).round(2)
    m["at"] = (m["at"].astype(float) / 1000).round() * 1000
    return m


def other_assets(other: Any) -> tuple[tuple[str, float], ...]:
    """'BTC:0.4;ETH:1.5;' (or pairs already) -> (('BTC', 0.4), ('ETH', 1.5))."""
    if not isinstance(other, str):
        return tuple(other or ())
    return tuple((a, float(x)) for a, x in (o.rsplit(":", 1) for o in other.split(";") if o))


def strength(usd, n, at, latest, half_life_days: float):
    """A money pair's link weight before direction: log-scaled amount and count, halved per
    half-life of age before `latest` (no decay without a time). Scalars or numpy arrays."""
    s = np.log10(1.0 + np.maximum(usd, 0.0)) + np.log2(1.0 + np.asarray(n, dtype=float))
    if latest is None:
        return s
    age = np.maximum(latest - np.asarray(at, dtype=float), 0.0)
    return s * np.where(np.isnan(age), 1.0, 0.5 ** (np.nan_to_num(age) / (half_life_days * DAY_MS)))


class Graph:
    """The walk's graph. Nodes are numbered accounts first, then wallets, then identifiers
    (each group in key order, so the numbering, and with it every sum, does not depend on
    the order rows came in); links are parallel arrays u -> v with weight w, made from money
    row `ref` (>= 0) or identifier link -1 - ref."""

    def __init__(self, accounts: pd.Index, wallets: pd.Index, others: list[ex.Node], money: pd.DataFrame,
                 links: list[tuple[int, int, str, str]]) -> None:
        self.accounts, self.wallets, self.others = accounts, wallets, others
        self.other_index = {n: i for i, n in enumerate(others)}
        self.money = money
        self.links = links                     # (account index, identifier index, label, key)
        self.u = self.v = self.w = self.ref = np.zeros(0)
        self._columns: dict[str, np.ndarray] | None = None

    @property
    def size(self) -> int:
        return len(self.accounts) + len(self.wallets) + len(self.others)

    def index(self, node: ex.Node) -> int:
        label, key = node
        if label == "Account":
            return int(self.accounts.get_loc(key))
        if label == "Wallet":
            return len(self.accounts) + int(self.wallets.get_loc(key))
        return len(self.accounts) + len(self.wallets) + self.other_index[node]

    def node(self, i: int) -> ex.Node:
        na, nw = len(self.accounts), len(self.wallets)
        if i < na:
            return ("Account", self.accounts[i])
        if i < na + nw:
            return ("Wallet", self.wallets[i - na])
        return self.others[i - na - nw]

    def columns(self) -> dict[str, np.ndarray]:
        """The money frame's columns as arrays (read a row at a time when explaining paths)."""
        if self._columns is None:
            self._columns = {c: self.money[c].to_numpy() for c in MONEY_COLUMNS}
        return self._columns

    def matrix(self):
        return coo_matrix((self.w, (self.u, self.v)), shape=(self.size, self.size)).tocsr()


def build(money: pd.DataFrame | list[tuple], identifiers: list[dict[str, Any]], seeds: dict[ex.Node, Any],
          half_life_days: float) -> Graph:
    """The weighted graph from the money pairs (parse_money's frame, or tuples of
    MONEY_COLUMNS), the shared identifiers and the seeds (a listed entity with no link is still
    a node: the walk restarts from it)."""
    m = money if isinstance(money, pd.DataFrame) else pd.DataFrame(list(money), columns=MONEY_COLUMNS)
    m = m.sort_values(["rel", "src", "dst"], kind="stable").reset_index(drop=True)
    m["at"] = m["at"].astype(float)
    src_acc = m["rel"].isin(["TRANSFERRED", "WITHDREW"]).to_numpy()
    dst_acc = m["rel"].isin(["TRANSFERRED", "DEPOSITED"]).to_numpy()
    src, dst = m["src"].to_numpy(dtype=object), m["dst"].to_numpy(dtype=object)
    idents = sorted(((r["label"], r["key"], sorted(set(r["users"]))) for r in identifiers
                     if r["label"] in KIND_WEIGHT), key=lambda t: (t[0], t[1]))
    users = [u for _, _, us in idents for u in us]
    # one hashing pass per label: codes in key order (sort=True), so numbering is deterministic
    acc_keys = [src[src_acc], dst[dst_acc], np.array(users + [k for label, k in seeds if label == "Account"],
                                                     dtype=object)]
    acc_codes, accounts = pd.factorize(np.concatenate(acc_keys), sort=True)
    wal_codes, wallets = pd.factorize(np.concatenate([src[~src_acc], dst[~dst_acc], np.array(
        [k for label, k in seeds if label == "Wallet"], dtype=object)]), sort=True)
    accounts, wallets = pd.Index(accounts, dtype=object), pd.Index(wallets, dtype=object)
    others = sorted({(label, key) for label, key, _ in idents}
                    | {s for s in seeds if s[0] not in ("Account", "Wallet")})
    na = len(accounts)
    a = np.empty(len(m), dtype=np.int64)
    b = np.empty(len(m), dtype=np.int64)
    n_sa, n_da, n_sw = int(src_acc.sum()), int(dst_acc.sum()), int((~src_acc).sum())
    a[src_acc], b[dst_acc] = acc_codes[:n_sa], acc_codes[n_sa:n_sa + n_da]
    a[~src_acc], b[~dst_acc] = na + wal_codes[:n_sw], na + wal_codes[n_sw:n_sw + int((~dst_acc).sum())]
    user_code = dict(zip(users, acc_codes[n_sa + n_da:n_sa + n_da + len(users)].tolist()))
    times = m["at"].to_numpy()
    latest = float(np.nanmax(times)) if len(times) and not np.isnan(times).all() else None
    s = strength(m["usd"].to_numpy(dtype=float), m["n"].to_numpy(), times, latest, half_life_days)
    g = Graph(accounts, wallets, others, m, [])
    base = na + len(wallets)
    li, lu, lw = [], [], []
    for label, key, us in idents:
        i = base + g.other_index[(label, key)]
        for user in us:
            g.links.append((user_code[user], i, label, key))
            li.append(i)
            lu.append(g.links[-1][0])
            lw.append(KIND_WEIGHT[label])
    li, lu, lw = np.array(li, dtype=np.int64), np.array(lu, dtype=np.int64), np.array(lw, dtype=float)
    refs = np.arange(len(m), dtype=np.int64)
    lrefs = -1 - np.arange(len(li), dtype=np.int64)
    # money: forward along the flow (downstream), back against it (upstream); identifiers both ways
    g.u = np.concatenate([a, b, lu, li])
    g.v = np.concatenate([b, a, li, lu])
    g.w = np.concatenate([DOWNSTREAM * s, UPSTREAM * s, lw, lw])
    g.ref = np.concatenate([refs, refs, lrefs, lrefs])
    return g


def rank(g: Graph, seeds: dict[ex.Node, dict[str, Any]], accounts: int, restart: float,
         explain_top: int | None = None, weighted: bool = True) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Walk, then rank the unlisted accounts reached; explain the first `explain_top` (all
    when None, none when 0). Returns (results, {account_id: exposure} of every ranked account).
    `weighted`: each seed's share of the restart is its weight (seed_info), else all alike."""
    if not seeds or not g.size:
        return [], {}
    w = g.matrix()
    ordered = sorted(seeds, key=g.index)
    seed_idx = np.array([g.index(s) for s in ordered], dtype=np.int64)
    mass = np.array([seeds[s].get("weight", 1.0) for s in ordered]) if weighted else None
    x = random_walk_with_restart(w, seed_idx, restart, seed_weights=mass)
    na = len(g.accounts)
    xa = x[:na].copy()
    xa[seed_idx[seed_idx < na]] = 0.0                       # listed accounts are not results
    reached = np.flatnonzero(xa > 0)
    vals = xa[reached]
    # rounded to 12 significant digits, so float noise cannot reorder ties between engines;
    # ties go to the smaller account id (the index is in key order)
    digits = 11 - np.floor(np.log10(vals))
    vals = np.round(vals * 10.0 ** digits) / 10.0 ** digits
    order = np.lexsort((reached, -vals))
    reached, vals = reached[order], vals[order]
    keys = g.accounts[reached].tolist()
    exposure = dict(zip(keys, vals.tolist()))
    listed_accounts = sum(1 for s in seeds if s[0] == "Account")
    universe = max(accounts - listed_accounts, len(keys), 1)
    n = len(keys) if explain_top is None else min(explain_top, len(keys))
    if n == 0:
        return [], exposure
    pred, _ = likeliest_paths(w, seed_idx)
    steps_of = _paths(g, pred, reached[:n].tolist())
    out = []
    for r in range(n):
        steps = steps_of[int(reached[r])]
        end = (steps[-1]["to_label"], steps[-1]["to"])
        out.append(result(keys[r], float(vals[r]), r + 1, universe, steps, end, seeds[end]))
    return out, exposure


def _paths(g: Graph, pred: np.ndarray, targets: list[int]) -> dict[int, list[dict]]:
    """Each target's path back to its seed as steps (target first), each step the strongest
    relationship behind that step of the walk."""
    chains = {}
    need: set[tuple[int, int]] = set()
    for t in targets:
        chain = [t]
        while pred[chain[-1]] >= 0:
            chain.append(int(pred[chain[-1]]))
        chains[t] = chain
        # the walk went seed -> ... -> target, so each step of the path (a -> b) is the walk's b -> a
        need.update((b, a) for a, b in zip(chain, chain[1:]))
    best = _strongest(g, need)
    return {t: [_step(g, a, b, best[(b, a)]) for a, b in zip(chain, chain[1:])] for t, chain in chains.items()}


def _strongest(g: Graph, pairs: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """(u, v) -> the link (index into g's arrays) with the largest weight from u to v."""
    if not pairs:
        return {}
    n = max(g.size, 1)
    keys = g.u * n + g.v
    want = np.array(sorted(a * n + b for a, b in pairs), dtype=np.int64)
    best: dict[tuple[int, int], int] = {}
    for j in np.flatnonzero(np.isin(keys, want)).tolist():
        k = (int(g.u[j]), int(g.v[j]))
        if k not in best or g.w[j] > g.w[best[k]]:
            best[k] = j
    return best


def _step(g: Graph, a: int, b: int, link: int) -> dict[str, Any]:
    """One path step from node a to node b, in scammer_links' step format."""
    (fl, fk), (tl, tk) = g.node(a), g.node(b)
    ref = int(g.ref[link])
    if ref < 0:
        account, _, label, _ = g.links[-1 - ref]
        return {"from": fk, "from_label": fl, "rel": IDENTIFIER_REL[label], "dir": "->" if a == account else "<-",
                "to": tk, "to_label": tl}
    col = g.columns()
    rel, src = col["rel"][ref], col["src"][ref]
    # the money link points from src to dst: the step follows it when it starts at src
    outgoing = (fl, fk) == (MONEY_ENDS[rel][0], src)
    step = {"from": fk, "from_label": fl, "rel": rel, "dir": "->" if outgoing else "<-",
            "to": tk, "to_label": tl, "usd": float(col["usd"][ref]), "n": int(col["n"][ref])}
    other = other_assets(col["other"][ref])
    if other:
        step["other"] = Money().add_assets(other).as_dict()["assets"]
    return step


def result(account_id: str, exposure: float, rank_: int, universe: int, steps: list[dict[str, Any]],
           end: ex.Node, info: dict[str, Any]) -> dict[str, Any]:
    """One ranked account with its score, path and the listed entity the path ends at."""
    score = round(1.0 - (rank_ - 1) / universe, 4)
    listed = ex.listed_text(end, info)
    hops = len(steps)
    reasons = [f"exposure rank {rank_:,} of {universe:,} unlisted accounts (more exposed than "
               f"{100 * (1 - rank_ / universe):.2f}% of them)",
               f"likeliest route: {hops} step{'s' if hops != 1 else ''} to {listed}",
               f"path: {ex.path_text(steps)}"]
    return {"account_id": account_id, "score": score, "exposure": exposure, "rank": rank_, "hops": hops,
            "path": steps, "reasons": reasons, "watchlisted": ex.watchlisted(end, info)}


def explain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The templates alone explain nothing: results come from the walk (run)."""
    return []


def bad_accounts(truth: dict[str, Any]) -> set[str]:
    """What the generator's truth calls bad: scam operators and mules (victims, silent
    sufferers and taken-over accounts are harmed, not bad), minus the listed accounts."""
    return (set(truth["scammers"]) | set(truth["mules"])) - set(truth.get("listed_accounts", ()))


def quality(results: list[dict[str, Any]], truth: dict[str, Any]) -> dict[str, Any]:
    """lift@K: the share of bad accounts in the top K over their share among all unlisted
    accounts, K = the number of unlisted bad accounts (`expected`); precision and recall at K
    (equal by construction when K results are returned); `found`: results returned."""
    bad = bad_accounts(truth)
    k = len(bad)
    universe = truth["params"]["accounts"] - len(set(truth.get("listed_accounts", ())))
    hits = len({r["account_id"] for r in results[:k]} & bad)
    base = k / universe if universe else 0.0
    precision = hits / k if k else 0.0
    return {"found": len(results), "expected": k, "k": k, "hits": hits, "precision": round(precision, 4),
            "recall": round(hits / k, 4) if k else 1.0, "lift": round(precision / base, 2) if base else 0.0}


DETECTION = Detection(
    name=NAME, level="account",
    summary="every account ranked by its proximity to watchlisted entities through money (by amount, direction "
            "and time) and shared identifiers (random walk with restart), with one explaining path",
    domain="ato_scam", risk_flag=None, query="exposure_money", explain=explain, params=PARAMS,
    runner=run, alert_min_score=ALERT_MIN_SCORE)
