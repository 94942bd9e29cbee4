"""Money-laundering typologies planted among ordinary users, and the decoys that look like them.

Two steps, like the rest of the generator: `choose(planner)` picks the accounts and start times
(after Planner.build, with Planner.take, so no typology account is a victim, mule sender,
customer, payee, ...), `plant(planted, chosen)` writes their rows with the Planted helpers
(planted wallets, transfers, deposits, withdrawals, on-chain sends). Both are O(planted).

Typologies (truth.json "typologies", account ids):
- cycles: money leaves an account and comes back to it within days, 3 or 4 hops, through other
  accounts and through wallets (withdrawal, on-chain send, deposit); each hop keeps 90-99.5%.
- fan_in: 10-25 senders, each an account (75%) or a fresh external wallet, pay one account within
  6-60 hours; half the hubs get amounts just under 10,000 USD (structuring), and every fan adds up
  to more than 13,000 USD. The hub holds the money 4-12 days. Truth: the hub.
- fan_out: one account funded by a fresh wallet pays 10-25 accounts once each within 6-60 hours;
  half with amounts just under 10,000 USD. Truth: the hub.
- scatter_gather: a source pays 3-7 intermediaries (accounts, or its own fresh wallets) that each
  send 85-99% on to one sink within hours; the sink holds 4-12 days. And gather-scatter: 3-7
  sources (at most 3 accounts, the rest fresh wallets) pay a hub that pays 3-6 destinations
  (accounts, or fresh wallets) within a day. Truth: the accounts.
- layering: a chain of 4-6 accounts, funded from a fresh wallet, each sending 88-99% of what it
  got on within 0.5-10 hours (some hops through a wallet), ending in a withdrawal. Truth: the chain.

Decoys (truth.json "confounders"): back_and_forth (two people paying each other back),
payment_circles (three or four friends paying round a circle within days, amounts unrelated),
relays (one account passing one payment on: a single forwarder), collections (10-25 friends
chipping in small amounts to one organiser within two days: a fan-in by count, far under any
reporting threshold in total), busy_newcomers (an account opened 5.5-9 days before the data ends
that 40-80 customers pay from its first day on, most in the first days, amounts of a few to a few
thousand USD: a small business or a trader moving to the exchange; its first three days hold most
of its short history and well over 10,000 USD, but the stream goes on, where a funnel's burst ends).
"""
from __future__ import annotations

import numpy as np

from . import plan as P
from .names import C_TRON, DAY, END, HOUR, USDT

# An ordinary account picked for a typology or a decoy: plan.py's flags stop below this, and
# Planner.take only takes accounts whose flag is NONE, so later draws never pick them again.
TYPOLOGY = 20
THRESHOLD = 10_000.0        # USD reporting threshold the structuring amounts stay just under
KINDS = ("cycles", "fan_in", "fan_out", "scatter_gather", "layering")
DECOYS = ("back_and_forth", "payment_circles", "relays", "collections", "busy_newcomers")
# node-type templates of a cycle (A: account, W: wallet), starting at the origin account
_CYCLES = ("AAA", "AAW", "AWA", "AAAA", "AAWA", "AWWA", "AAWW", "AWAA")


def _count(n: int, per: int) -> int:
    return max(3, round(n / per))


def choose(pl: P.Planner) -> dict[str, list]:
    """Accounts and start times of every planted typology and decoy (flagged TYPOLOGY)."""
    p, rng, n = pl.p, pl.rng, pl.n
    out: dict[str, list] = {k: [] for k in KINDS + DECOYS}

    def take(k: int, t0: int) -> list[int] | None:
        got = pl.take(k, 0, p.first_at(t0 - 3 * DAY))
        if len(got) < k:
            return None
        p.flag[got] = TYPOLOGY
        return got.tolist()

    def start() -> int:
        return int(rng.integers(60 * DAY, END - 20 * DAY))

    def plant(kind: str, count: int, size) -> None:
        for _ in range(3 * count):
            if len(out[kind]) >= count:
                break
            t0 = start()
            spec = size()
            got = take(spec[0], t0)
            if got is not None:
                out[kind].append([got, t0, *spec[1:]])

    def cycle():
        shape = str(rng.choice(_CYCLES))
        return shape.count("A"), shape

    def fan_in():
        """(hub + sender accounts, how many senders are fresh external wallets): 10..25 senders,
        each an account (75%) or a wallet."""
        k = int(rng.integers(10, 26))
        wallets = int(rng.binomial(k, 0.25))
        return 1 + k - wallets, wallets

    def scatter():
        """(accounts, pattern, node kinds): scatter-gather: source, sink, then each intermediary an
        account or a wallet; gather-scatter: hub, sources (each an account or a wallet, at most 3
        accounts: with 5 account senders the hub would be a mule), then destinations. The two
        patterns take turns, so that every dataset has both."""
        if len(out["scatter_gather"]) % 2 == 0:
            mids = ["A" if rng.random() < 0.7 else "W" for _ in range(int(rng.integers(3, 8)))]
            return 2 + mids.count("A"), "scatter-gather", mids
        k_in = int(rng.integers(3, 8))
        n_acc = min(3, int(rng.binomial(k_in, 0.4)))
        ins = ["A"] * n_acc + ["W"] * (k_in - n_acc)
        outs = ["A" if rng.random() < 0.75 else "W" for _ in range(int(rng.integers(3, 7)))]
        return 1 + n_acc + outs.count("A"), "gather-scatter", (ins, outs)

    def newcomers():
        """[[account, customers...], its first day]: an account opened 5.5-9 days before the end,
        customers from accounts at least a month old; only the newcomer is flagged (its customers
        are ordinary people, free to be anything else)."""
        got = pl.take(1, p.first_at(END - 9 * DAY), p.first_at(END - 11 * DAY // 2))
        if not len(got):
            return None
        a = int(got[0])
        customers = pl.take(int(rng.integers(40, 81)), 0, p.first_at(END - 30 * DAY)).tolist()
        if len(customers) < 40:
            return None
        p.flag[a] = TYPOLOGY
        return [[a, *customers], int(p.reg[a]) + int(rng.integers(HOUR, 12 * HOUR))]

    per = 4000
    plant("cycles", _count(n, per), cycle)
    plant("fan_in", _count(n, per), fan_in)
    plant("fan_out", _count(n, per), lambda: (int(rng.integers(11, 27)),))      # hub + 10..25 recipients
    plant("scatter_gather", _count(n, per), scatter)
    plant("layering", _count(n, per), lambda: (int(rng.integers(4, 7)),))
    plant("back_and_forth", _count(n, 500), lambda: (2,))
    plant("payment_circles", _count(n, 1500), lambda: (int(rng.integers(3, 5)),))
    plant("relays", _count(n, 500), lambda: (3,))
    plant("collections", _count(n, 2000), lambda: (int(rng.integers(11, 27)),))    # organiser + 10..25 friends
    for _ in range(3 * _count(n, 2000)):            # last: the draws above stay as they were
        if len(out["busy_newcomers"]) >= _count(n, 2000):
            break
        newcomer = newcomers()
        if newcomer is not None:
            out["busy_newcomers"].append(newcomer)
    return out


def plant(pd, chosen: dict[str, list]) -> None:
    """Write the rows of every chosen typology and decoy through the Planted helpers `pd`."""
    _Writer(pd).run(chosen)


def truth(chosen: dict[str, list], ids) -> tuple[dict, dict]:
    """({typology: account ids}, {decoy: account ids}) for truth.json; `ids` names and sorts."""
    typ = {k: ids(_members(k, chosen[k])) for k in KINDS}
    dec = {k: ids(a for accts, *_ in chosen[k] for a in accts) for k in DECOYS}
    return typ, dec


def _members(kind: str, records: list) -> list[int]:
    """The accounts a typology's truth lists: the hubs of fan-in and fan-out (their counterparties
    are ordinary people paying or being paid), every account of the other structures."""
    if kind in ("fan_in", "fan_out"):
        return [rec[0][0] for rec in records]
    return [a for rec in records for a in rec[0]]


class _Writer:
    def __init__(self, pd):
        self.pd, self.p, self.rng = pd, pd.p, pd.rng

    def run(self, chosen):
        for kind in KINDS + DECOYS:
            for rec in chosen[kind]:
                getattr(self, kind)(rec)

    # --- helpers ---------------------------------------------------------------------
    def usd(self, median: float, lo: float = 20.0, hi: float = 60_000.0) -> float:
        return float(np.clip(np.exp(self.rng.normal(np.log(median), 0.6)), lo, hi))

    def acted(self, a: int, t: int) -> None:
        self.p.last_action[a] = max(self.p.last_action[a], t)

    def chain(self) -> int:
        return C_TRON if self.rng.random() < 0.6 else 0

    def fund(self, a: int, usd: float, t: int) -> None:
        """A deposit from an exchange hot wallet shortly before `t` (money bought elsewhere)."""
        self.pd.dep(a, self.pd.hot(self.chain()), a, usd * self.rng.uniform(1.0, 1.1),
                    t - int(self.rng.integers(HOUR, 2 * DAY)))

    def hop(self, frm, to, usd: float, t: int, owner: int) -> None:
        """One money movement between nodes ("A", account) / ("W", wallet)."""
        (fk, f), (tk, x) = frm, to
        pd = self.pd
        if fk == "A" and tk == "A":
            pd.tr(f, x, usd, t)
        elif fk == "A":
            pd.wd(f, x, usd, t)
        elif tk == "A":
            pd.dep(owner, f, x, usd, t)
        else:
            pd.raw["onchain"].append((owner, f, x, pd.chain_of[f], round(usd, 2), USDT, t))
        if fk == "A":
            self.acted(f, t)

    def structured(self) -> float:
        return float(self.rng.uniform(0.9, 0.999) * THRESHOLD)

    def pieces(self, k: int) -> list[float]:
        """k amounts of a fan: half the time all just under the threshold (structuring), else
        ordinary-looking amounts; together always well over the threshold (a sum worth hiding)."""
        if self.rng.random() < 0.5:
            return [self.structured() for _ in range(k)]
        got = [self.usd(1500, 100, 8000) for _ in range(k)]
        short = 1.3 * THRESHOLD / sum(got)
        return [min(v * short, 0.89 * THRESHOLD) if short > 1 else v for v in got]

    # --- typologies ------------------------------------------------------------------
    def cycles(self, rec):
        accts, t0, shape = rec
        rng, chain = self.rng, self.chain()
        nodes, it, owner = [], iter(accts), accts[0]
        for c in shape:
            if c == "A":
                owner = next(it)
                nodes.append(("A", owner))
            else:
                nodes.append(("W", self.pd.wallet(owner, chain)))
        nodes.append(nodes[0])
        usd, t = self.usd(3000, 300), t0
        self.fund(accts[0], usd, t)
        for a, b in zip(nodes, nodes[1:]):
            self.hop(a, b, usd, t, owner=b[1] if b[0] == "A" else a[1] if a[0] == "A" else accts[0])
            t += int(rng.integers(HOUR, 36 * HOUR))
            usd *= rng.uniform(0.9, 0.995)

    def fan_in(self, rec):
        (hub, *accounts), t0, n_wallets = rec
        rng, chain = self.rng, self.chain()
        span = int(rng.integers(6 * HOUR, 60 * HOUR))
        senders = accounts + [None] * n_wallets
        total, last = 0.0, t0
        for s, usd in zip(senders, self.pieces(len(senders))):
            t = t0 + int(rng.integers(0, span))
            if s is not None:
                self.fund(s, usd, t)
                self.pd.tr(s, hub, usd, t)
                self.acted(s, t)
            else:                                   # on-chain smurfing: a fresh external wallet deposits
                self.pd.dep(hub, self.pd.wallet(hub, chain), hub, usd, t)
            total, last = total + usd, max(last, t)
        t = last + int(rng.integers(4 * DAY, 12 * DAY))
        self.pd.wd(hub, self.pd.wallet(hub, chain), total * rng.uniform(0.9, 0.99), t)
        self.acted(hub, t)

    def fan_out(self, rec):
        (hub, *recipients), t0 = rec
        rng, chain = self.rng, self.chain()
        span = int(rng.integers(6 * HOUR, 60 * HOUR))
        pays = self.pieces(len(recipients))
        self.pd.dep(hub, self.pd.wallet(hub, chain), hub, sum(pays) * rng.uniform(1.0, 1.04),
                    t0 - int(rng.integers(HOUR, 12 * HOUR)))
        last = t0
        for r, usd in zip(recipients, pays):
            t = t0 + int(rng.integers(0, span))
            self.pd.tr(hub, r, usd, t)
            last = max(last, t)
        self.acted(hub, last)

    def scatter_gather(self, rec):
        accts, t0, pattern, kinds = rec
        rng, chain = self.rng, self.chain()
        if pattern == "scatter-gather":             # source -> intermediaries -> sink
            src, sink, it = accts[0], accts[1], iter(accts[2:])
            nodes = [("A", next(it)) if k == "A" else ("W", self.pd.wallet(src, chain)) for k in kinds]
            amounts = [self.usd(2000, 200) for _ in nodes]
            self.fund(src, sum(amounts), t0)
            last = t0
            for node, usd in zip(nodes, amounts):
                t1 = t0 + int(rng.integers(0, 12 * HOUR))
                t2 = t1 + int(rng.integers(HOUR, 20 * HOUR))
                self.hop(("A", src), node, usd, t1, owner=src)
                self.hop(node, ("A", sink), usd * rng.uniform(0.85, 0.99), t2, owner=sink)
                last = max(last, t2)
            t = last + int(rng.integers(4 * DAY, 12 * DAY))      # the sink holds: not a mule
            self.pd.wd(sink, self.pd.wallet(sink, chain), sum(amounts) * rng.uniform(0.8, 0.95), t)
            self.acted(sink, t)
            return
        ins, outs = kinds                           # gather-scatter: sources -> hub -> destinations
        hub, it = accts[0], iter(accts[1:])
        total, last = 0.0, t0
        for k in ins:
            usd = self.usd(1500, 200)
            t = t0 + int(rng.integers(0, 20 * HOUR))
            if k == "A":
                s = next(it)
                self.fund(s, usd, t)
                self.pd.tr(s, hub, usd, t)
                self.acted(s, t)
            else:
                self.pd.dep(hub, self.pd.wallet(hub, chain), hub, usd, t)
            total, last = total + usd, max(last, t)
        shares = rng.dirichlet(np.full(len(outs), 4.0)) * total * rng.uniform(0.85, 0.98)
        for k, usd in zip(outs, shares.tolist()):
            t = last + int(rng.integers(HOUR, 20 * HOUR))
            if k == "A":
                self.pd.tr(hub, next(it), usd, t)
            else:
                self.pd.wd(hub, self.pd.wallet(hub, chain), usd, t)
            self.acted(hub, t)

    def layering(self, rec):
        accts, t0 = rec
        rng, chain = self.rng, self.chain()
        usd = self.usd(5000, 800)
        prev = ("W", self.pd.wallet(accts[0], chain))          # placement: a fresh wallet deposits
        t = t0
        for a in accts:
            cur = ("A", a)
            if prev[0] == "A" and rng.random() < 0.35:        # through a wallet of the previous account
                w = ("W", self.pd.wallet(prev[1], chain))
                self.hop(prev, w, usd, t, owner=prev[1])
                t += int(rng.integers(HOUR // 2, 6 * HOUR))
                usd *= rng.uniform(0.97, 0.999)              # network fee
                prev = w
            self.hop(prev, cur, usd, t, owner=a)
            t += int(rng.integers(HOUR // 2, 10 * HOUR))
            usd *= rng.uniform(0.88, 0.99)
            prev = cur
        self.hop(prev, ("W", self.pd.wallet(prev[1], chain)), usd, t, owner=prev[1])

    # --- decoys ----------------------------------------------------------------------
    def back_and_forth(self, rec):
        (a, b), t0 = rec
        rng = self.rng
        t = t0
        for _ in range(int(rng.integers(1, 4))):
            usd = self.usd(150, 10, 3000)
            self.pd.tr(a, b, usd, t)
            t += int(rng.integers(HOUR, 10 * DAY))
            self.pd.tr(b, a, usd * rng.uniform(0.3, 1.05), t)      # paid back, in part or in full
            self.acted(a, t)
            self.acted(b, t)
            t += int(rng.integers(2 * DAY, 40 * DAY))
            if t >= END - DAY:
                break

    def payment_circles(self, rec):
        accts, t0 = rec
        rng = self.rng
        usd, t = self.usd(60, 10, 500), t0
        for a, b in zip(accts, accts[1:] + accts[:1]):
            self.pd.tr(a, b, usd, t)
            self.acted(a, t)
            t += int(rng.integers(HOUR, 48 * HOUR))
            usd *= rng.uniform(0.15, 0.45) if rng.random() < 0.5 else rng.uniform(1.6, 4.0)   # unrelated amounts

    def collections(self, rec):
        (organiser, *friends), t0 = rec
        rng = self.rng
        span = int(rng.integers(2 * HOUR, 48 * HOUR))
        share = self.usd(40, 5, 150)
        last = t0
        for fr in friends:
            t = t0 + int(rng.integers(0, span))
            self.pd.tr(fr, organiser, share * rng.uniform(0.8, 1.2), t)     # a gift, a shared trip, a pot
            self.acted(fr, t)
            last = max(last, t)
        self.acted(organiser, last)

    def busy_newcomers(self, rec):
        (a, *customers), t0 = rec
        rng = self.rng
        for c in customers:
            for _ in range(1 + int(rng.random() < 0.2)):          # some come back
                t = t0 + int(rng.random() ** 1.5 * (END - 1 - t0))  # regulars switch over first
                self.pd.tr(c, a, self.usd(400, 5, 5000), t)
                self.acted(c, t)

    def relays(self, rec):
        (s, r, d), t0 = rec
        rng = self.rng
        usd = self.usd(400, 20, 5000)
        self.pd.tr(s, r, usd, t0)
        t = t0 + int(rng.integers(HOUR // 2, 12 * HOUR))
        self.pd.tr(r, d, usd * rng.uniform(0.9, 1.0), t)           # paying a friend's share on
        self.acted(s, t0)
        self.acted(r, t)
