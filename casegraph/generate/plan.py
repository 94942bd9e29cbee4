"""Who is who, and when: registration times, roles, shared identifier pools and the
planted structures. Per-account state lives in a few compact numpy arrays (about 30
bytes an account); planted structures are small lists. Account index order is
registration order, so "registered between a and b" is a contiguous index range.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .names import DAY, DAYS, END, HOUR

# roles (exclusive; the planted writer owns the identifiers of RING, SCAMMER, REF_ABUSE, ATO)
BG, RING, SCAMMER, MULE, REF_ABUSE, ATO, INFLUENCER, MERCHANT, PAYROLL = range(9)
ID_BG = (BG, MULE, INFLUENCER, MERCHANT, PAYROLL)      # identifiers written by the background
MONEY_BG = (BG, INFLUENCER, PAYROLL)                   # random money activity, random counterparty
# secondary flags of ordinary accounts (exclusive)
NONE, VICTIM, MULE_SENDER, LATE_DEVICE, NEW_WALLET, CUSTOMER, PAYEE, INF_REFEREE, FP_GROUP, STAFF = range(10)
ACTIVE = 0.55           # share of ordinary accounts with money activity (Background.active)
# shared-IP pool kinds
CARRIER, WIFI, OFFICE = range(3)


@dataclass
class ScamOp:
    scammers: list[int]
    pattern: str            # which entity is listed: "account" (first scammer), "wallet" (W1), "both"
    has_w2: bool            # a second collection wallet that consolidates into W1
    has_wx: bool            # a cash-out wallet the scammer accounts withdraw to
    chain: int
    start: int
    end: int
    victims: list[int] = field(default_factory=list)
    wallets: dict[str, int] = field(default_factory=dict)   # "w1"/"w2"/"wx" -> wallet key (set when planted)

    def mule_targets(self) -> tuple[list[int], list[str]]:
        """Accounts and wallet roles a mule may pay without itself matching the silent-sufferer
        definition: nothing listed, and no wallet that sends to a listed wallet."""
        accounts = self.scammers if self.pattern == "wallet" else self.scammers[1:]
        wallets = ["wx"] if self.has_wx else []
        if self.pattern == "account":
            wallets += ["w1"] + (["w2"] if self.has_w2 else [])
        return accounts, wallets


@dataclass
class Mule:
    account: int
    senders: list[int]
    start: int
    op: int


@dataclass
class Plan:
    n: int
    reg: np.ndarray           # int64 seconds since 2024-01-01, ascending
    role: np.ndarray          # int8
    flag: np.ndarray          # int8
    shared_ip: np.ndarray     # int32 pool index or -1
    family: np.ndarray        # int32 family index or -1
    referred_by: np.ndarray   # int32 referrer index or -1
    last_action: np.ndarray   # int64 latest planted action the account itself took, or -1
    pool_kind: np.ndarray = None
    fam_anchor: np.ndarray = None
    rings: list = field(default_factory=list)          # (members array, burst start, burst end)
    ops: list = field(default_factory=list)
    mules: list = field(default_factory=list)
    merchants: list = field(default_factory=list)      # (account, customers, sweeps)
    payrolls: list = field(default_factory=list)       # (account, payees)
    influencers: list = field(default_factory=list)    # (account, referees)
    trees: list = field(default_factory=list)          # (referrer, referees)
    atos: list = field(default_factory=list)           # (account, takeover time)
    fp_groups: list = field(default_factory=list)      # lists of ordinary accounts
    companies: list = field(default_factory=list)      # (staff, first day): staff onboarded on one day

    def first_at(self, t) -> int:
        """The first index registered at or after time t."""
        return int(np.searchsorted(self.reg, t, side="left"))


_WEEKDAY = np.array([0.95, 0.93, 0.95, 1.0, 1.05, 1.18, 1.12])   # 2024-01-01 was a Monday
_HOUR = np.array([2, 1.5, 1.2, 1, 1, 1.3, 2, 3, 4, 4.5, 5, 5.5, 6, 6, 6, 6.5, 7, 8, 9, 9.5, 9, 7.5, 5, 3])


def _day_weights() -> np.ndarray:
    d = np.arange(DAYS)
    w = (1 + 1.2 * d / DAYS) * _WEEKDAY[d % 7]
    # sign-up waves around the March 2024 high, the November 2024 rally and the May 2025 high
    w *= 1 + 0.8 * np.exp(-((d - 73) / 12) ** 2) + 1.0 * np.exp(-((d - 330) / 20) ** 2) \
        + 0.5 * np.exp(-((d - 505) / 10) ** 2)
    return w / w.sum()


def registration_times(rng: np.random.Generator, n: int) -> np.ndarray:
    day = rng.choice(DAYS, size=n, p=_day_weights())
    hour = rng.choice(24, size=n, p=_HOUR / _HOUR.sum())
    return day * DAY + hour * HOUR + rng.integers(0, HOUR, size=n)


def _ring_sizes(rng, n: int) -> list[int]:
    cap = min(60, max(8, n // 100))
    target = max(12, round(0.005 * n))
    sizes = []
    while sum(sizes) < target or len(sizes) < 3:
        sizes.append(int(min(cap, 4 + np.floor(rng.pareto(1.1) * 5))))
    return sizes


def _bursts(rng, sizes: list[int]) -> list[np.ndarray]:
    """Registration times of each ring. Most register in one sitting (30 min to 6 h, seconds to
    minutes apart); a fifth over one to three days; a fifth slowly, a few accounts a day over 3 to 21
    days, as an operator does who knows that sign-up bursts are watched."""
    out = []
    days = np.arange(DAYS - 45)
    w = _day_weights()[: DAYS - 45]
    for s in sizes:
        start = int(rng.choice(days, p=w / w.sum())) * DAY + int(rng.integers(0, DAY))
        tempo = rng.random()
        if tempo < 0.6:
            window = float(np.exp(rng.uniform(np.log(30 * 60), np.log(6 * HOUR - 60))))
            mean_gap = min(window / (s - 1), 15 * 60.0)
            gaps = np.clip(rng.exponential(mean_gap, s - 1), 2, 40 * 60)
            offs = np.concatenate([[0.0], np.cumsum(gaps)])
            if offs[-1] > window:
                offs *= window / offs[-1]
        else:
            window = rng.uniform(8 * HOUR, 3 * DAY) if tempo < 0.8 else rng.uniform(3 * DAY, 21 * DAY)
            offs = np.sort(np.concatenate([[0.0, window], rng.uniform(0, window, s - 2)]))
        out.append(start + offs.astype(np.int64))
    return out


class Planner:
    """Builds a Plan; selection draws random indices and keeps those still unassigned."""

    def __init__(self, n: int, rng: np.random.Generator):
        self.n, self.rng = n, rng

    def build(self) -> Plan:
        rng, n = self.rng, self.n
        sizes = _ring_sizes(rng, n)
        bursts = _bursts(rng, sizes)
        m = sum(sizes)
        reg = np.concatenate([registration_times(rng, n - m)] + bursts)
        label = np.concatenate([np.full(n - m, -1, np.int32)] + [np.full(s, r, np.int32) for r, s in enumerate(sizes)])
        order = np.argsort(reg, kind="stable")
        reg, label = reg[order], label[order]
        del order
        p = Plan(n, reg, np.zeros(n, np.int8), np.zeros(n, np.int8), np.full(n, -1, np.int32),
                 np.full(n, -1, np.int32), np.full(n, -1, np.int32), np.full(n, -1, np.int64))
        self.p = p
        ring_idx = np.flatnonzero(label >= 0)
        grouped = ring_idx[np.argsort(label[ring_idx], kind="stable")]   # bursts may overlap in time
        for members in np.split(grouped, np.cumsum(sizes)[:-1]):
            p.rings.append((members, int(reg[members[0]]), int(reg[members[-1]])))
        del label
        p.role[ring_idx] = RING
        self._roles()
        self._families()
        self._companies()
        self._shared_ips()
        self._flags()
        self._referrals()
        return p

    # --- selection -------------------------------------------------------------------
    def take(self, count: int, lo: int = 0, hi: int | None = None, ok=None) -> np.ndarray:
        """Up to `count` distinct unassigned ordinary accounts in index range [lo, hi)."""
        p, rng = self.p, self.rng
        hi = self.n if hi is None else hi
        if count <= 0 or hi <= lo:
            return np.zeros(0, np.int64)
        chosen: list[int] = []
        seen: set[int] = set()
        for _ in range(12):
            draw = rng.integers(lo, hi, size=max(16, 3 * (count - len(chosen))))
            good = (p.role[draw] == BG) & (p.flag[draw] == NONE)
            if ok is not None:
                good &= ok(draw)
            for i in draw[good].tolist():
                if i not in seen:
                    seen.add(i)
                    chosen.append(i)
            if len(chosen) >= count:
                return np.array(chosen[:count], np.int64)
        pool = np.arange(lo, hi)
        good = (p.role[pool] == BG) & (p.flag[pool] == NONE)
        if ok is not None:
            good &= ok(pool)
        rest = np.setdiff1d(pool[good], np.array(chosen, np.int64))
        extra = rng.permutation(rest)[: count - len(chosen)]
        return np.concatenate([np.array(chosen, np.int64), extra]).astype(np.int64)

    def _one(self, role: int, lo: int, hi: int, ok=None) -> int | None:
        got = self.take(1, lo, hi, ok)
        if not len(got):
            return None
        self.p.role[got[0]] = role
        return int(got[0])

    # --- roles -----------------------------------------------------------------------
    def _roles(self):
        p, rng, n = self.p, self.rng, self.n
        for make, made, target in ((self._scam_op, p.ops, max(3, round(n * 0.0004))),
                                   (self._mule, p.mules, max(3, round(n * 0.0005))),
                                   (self._tree, p.trees, max(3, round(n * 0.003 / 10.5)))):
            for _ in range(5 * target):          # a draw can fail (no room in time); try again
                if len(made) >= target:
                    break
                make()
            if make == self._scam_op and all(op.pattern != "wallet" and len(op.scammers) == 1 for op in p.ops):
                p.ops[-1].pattern = "wallet"     # some scammers must stay off every list
        for _ in range(max(3, round(n * 0.001))):
            a = self._one(ATO, 0, p.first_at(END - 70 * DAY))
            if a is not None:
                lo = int(p.reg[a]) + 60 * DAY
                p.atos.append((a, int(rng.integers(lo, END - 2 * DAY))))
        for role, count, target in ((INFLUENCER, max(1, round(n / 40000)), p.influencers),
                                    (MERCHANT, max(2, round(n / 5000)), p.merchants),
                                    (PAYROLL, max(2, round(n / 10000)), p.payrolls)):
            for _ in range(count):
                a = self._one(role, 0, p.first_at(END - 150 * DAY))
                if a is not None:
                    target.append([a, None])

    def _scam_op(self):
        p, rng = self.p, self.rng
        start = int(rng.integers(70 * DAY, END - 40 * DAY))
        end = min(start + int(rng.integers(20, 150)) * DAY, END - 5 * DAY)
        k = int(rng.choice([1, 2, 3], p=[0.45, 0.35, 0.2]))
        picked = self.take(k, p.first_at(start - 240 * DAY), p.first_at(start - 5 * DAY))
        if not len(picked):
            return
        p.role[picked] = SCAMMER
        wallets = int(rng.choice([1, 2, 3], p=[0.35, 0.4, 0.25]))
        w2 = wallets == 3 or (wallets == 2 and rng.random() < 0.5)
        wx = wallets == 3 or (wallets == 2 and not w2)
        pattern = str(rng.choice(["account", "wallet", "both"], p=[0.4, 0.35, 0.25]))
        chain = 1 if rng.random() < 0.6 else 0   # TRON, else Ethereum
        p.ops.append(ScamOp(sorted(picked.tolist()), pattern, bool(w2), bool(wx), chain, start, end))

    def _mule(self):
        p, rng = self.p, self.rng
        a = self._one(MULE, 0, p.first_at(END - 25 * DAY))
        if a is None:
            return
        start = int(rng.integers(int(p.reg[a]) + 3 * DAY, END - 12 * DAY))
        ops = [o for o, op in enumerate(p.ops) if any(op.mule_targets())
               and p.reg[op.scammers[-1]] < start]
        if not ops:
            p.role[a] = BG
            return
        p.mules.append(Mule(a, [], start, int(rng.choice(ops))))

    def _tree(self):
        """A referral-abuse tree: referees over days to weeks, at least 3 hours apart."""
        p, rng = self.p, self.rng
        r = self._one(REF_ABUSE, 0, p.first_at(END - 60 * DAY))
        if r is None:
            return
        lo = p.first_at(p.reg[r] + DAY)
        hi = p.first_at(p.reg[r] + int(rng.integers(5, 46)) * DAY)
        cand = np.sort(self.take(int(rng.integers(4, 16)) * 2, lo, hi))
        keep, last = [], -10 ** 12
        for i in cand.tolist():
            if p.reg[i] - last >= 3 * HOUR:
                keep.append(i)
                last = int(p.reg[i])
        keep = keep[: int(rng.integers(4, 16))]
        if len(keep) < 4:
            p.role[r] = BG
            return
        p.role[keep] = REF_ABUSE
        p.referred_by[keep] = r
        p.trees.append((r, keep))

    # --- shared identifiers ----------------------------------------------------------
    def together(self, s: int, span: int, hi: int | None = None) -> np.ndarray | None:
        """`s` consecutive ordinary accounts, re-timed to register within `span` seconds of the
        first: people who sign up together (a family one evening, a company's staff on their first
        day). Index order is registration order, so the run stays in order and in place."""
        p, rng, n = self.p, self.rng, self.n
        hi = min(n, hi or n) - s - 1
        for _ in range(40 if hi > 0 else 0):
            j = int(rng.integers(0, hi))
            run = np.arange(j, j + s)
            if not ((p.role[run] == BG) & (p.flag[run] == NONE) & (p.family[run] < 0)
                    & (p.shared_ip[run] < 0)).all():
                continue
            offs = np.sort(rng.integers(60, span, s - 1))
            p.reg[j + 1:j + s] = np.minimum(p.reg[j] + offs, p.reg[j + s] - 1)
            return run
        return None

    def _families(self):
        """Families share a device and a home IP. Most members joined weeks or months apart; a
        third of families signed up together on one evening (within 3 hours), 2 to 5 of them."""
        p, rng, n = self.p, self.rng, self.n
        cand = rng.permutation(np.flatnonzero(p.role == BG))[: int(0.03 * n)]
        sizes = rng.choice([2, 3, 4], size=len(cand) // 2 + 1, p=[0.55, 0.3, 0.15])
        anchors, pos = [], 0
        for s in sizes.tolist():
            if rng.random() < 1 / 3:
                run = self.together(int(rng.choice([2, 3, 4, 5], p=[0.35, 0.3, 0.2, 0.15])), 3 * HOUR)
                if run is not None:
                    p.family[run] = len(anchors)
                    anchors.append(int(run[0]))
                continue
            group = np.sort(cand[pos:pos + s])
            pos += s
            if len(group) < 2:
                break
            group = group[p.family[group] < 0]
            keep = [int(group[0])] if len(group) else []
            for i in group[1:].tolist():
                if p.reg[i] - p.reg[keep[-1]] >= 14 * DAY:
                    keep.append(i)
            if len(keep) >= 2:
                p.family[keep] = len(anchors)
                anchors.append(keep[0])
        p.fam_anchor = np.array(anchors, np.int64)

    def _shared_ips(self):
        """Carrier (CGNAT) and public Wi-Fi IPs with hundreds to thousands of users; offices with 10-50."""
        p, rng, n = self.p, self.rng, self.n
        cand = rng.permutation(np.flatnonzero((p.role == BG) & (p.family < 0) & (p.flag != STAFF)))
        users = int(0.25 * n)
        lo_size = min(150, max(40, users // 3))
        kinds, sizes, total = [], [], 0
        while total < users:
            wifi = rng.random() < 0.2
            s = int(rng.integers(100, 600)) if wifi else int(lo_size * (1 + rng.pareto(1.3)))
            s = min(s, 20000, users - total)
            if users - total - s < lo_size:      # no tiny leftover pool
                s = users - total
            kinds.append(WIFI if wifi else CARRIER)
            sizes.append(s)
            total += s
        for _ in range(max(1, int(0.005 * n) // 30)):
            kinds.append(OFFICE)
            sizes.append(int(rng.integers(10, 51)))
        pos = 0
        for k, s in enumerate(sizes):
            p.shared_ip[cand[pos:pos + s]] = k
            pos += s
        for staff, _ in p.companies:                # each company's office IP
            p.shared_ip[staff] = len(kinds)
            kinds.append(OFFICE)
        p.pool_kind = np.array(kinds, np.int8)

    def _companies(self):
        """Companies onboarding staff: 8 to 25 people register on one working day from the office's
        IP (an office pool of their own) and are paid monthly from one treasury wallet (planted); those
        onboarded in the last months of the data are paid only once or twice."""
        p, rng, n = self.p, self.rng, self.n
        hi = p.first_at(END - 40 * DAY)           # some are paid once or twice before the data ends
        for _ in range(max(1, round(n / 6000))):
            run = self.together(int(rng.integers(8, 26)), 8 * HOUR, hi)
            if run is None:
                continue
            p.flag[run] = STAFF
            p.companies.append((run.tolist(), int(p.reg[run[0]])))

    # --- secondary flags -------------------------------------------------------------
    def _flags(self):
        p, rng, n = self.p, self.rng, self.n
        for op in p.ops:
            cap = min(150, max(6, n // 200))
            nv = int(min(cap, 2 + np.floor(rng.pareto(1.5) * 5)))
            op.victims = sorted(self.take(nv, 0, p.first_at(op.start - 3 * DAY)).tolist())
            p.flag[op.victims] = VICTIM
        for mule in p.mules:
            s = self.take(int(rng.integers(5, 21)), 0, p.first_at(mule.start - 2 * DAY))
            mule.senders = sorted(s.tolist())
            p.flag[s] = MULE_SENDER
        for merchant in p.merchants:
            cap = min(200, max(20, n // 50))
            c = self.take(int(min(cap, 20 + np.floor(rng.pareto(1.2) * 20))), 0, p.first_at(END - 30 * DAY))
            p.flag[c] = CUSTOMER
            merchant[1] = (sorted(c.tolist()), bool(rng.random() < 0.6))
        for payroll in p.payrolls:
            c = self.take(int(rng.integers(10, min(50, max(10, n // 100)) + 1)), 0,
                          p.first_at(p.reg[payroll[0]] + 30 * DAY))
            p.flag[c] = PAYEE
            payroll[1] = sorted(c.tolist())
        lone = lambda idx: (p.shared_ip[idx] < 0) & (p.family[idx] < 0)  # noqa: E731 - shares nothing
        for inf in p.influencers:
            a = inf[0]
            count = int(min(min(300, max(30, n // 200)), 30 + np.floor(rng.pareto(1.2) * 30)))
            lo = p.first_at(p.reg[a] + DAY)
            camp = p.first_at(p.reg[a] + int(rng.integers(2, 100)) * DAY)   # a campaign: a wave of sign-ups
            wave = self.take(count // 2, camp, p.first_at(p.reg[camp] + 2 * DAY) if camp < n else n, lone)
            p.flag[wave] = INF_REFEREE
            rest = self.take(count - len(wave), lo, n, lone)
            refs = np.concatenate([wave, rest])
            p.flag[refs] = INF_REFEREE
            p.referred_by[refs] = a
            inf[1] = sorted(refs.tolist())
        p.flag[self.take(max(3, round(0.003 * n)), 0, p.first_at(END - 45 * DAY))] = LATE_DEVICE
        p.flag[self.take(max(3, round(0.002 * n)), 0, p.first_at(END - 75 * DAY))] = NEW_WALLET
        for _ in range(max(1, round(0.05 * len(p.rings)))):     # ordinary sign-ups close in time
            start = int(rng.integers(0, n - 60))
            g = self.take(int(rng.integers(4, 11)), start, start + 60)
            if len(g) >= 4:
                p.flag[g] = FP_GROUP
                p.fp_groups.append(sorted(g.tolist()))

    def _referrals(self):
        """Ordinary 0-2 referrals among ordinary users who share no device, IP or phone."""
        p, rng, n = self.p, self.rng, self.n
        e = np.flatnonzero((p.role == BG) & (p.referred_by < 0) & (rng.random(n) < 0.08))
        e = e[e > 0]
        r = (rng.random(len(e)) * e).astype(np.int64)
        ok = (p.role[r] == BG) & (p.reg[r] < p.reg[e]) & (p.flag[r] != INF_REFEREE)
        ok &= (p.shared_ip[e] < 0) | (p.shared_ip[e] != p.shared_ip[r])
        ok &= (p.family[e] < 0) | (p.family[e] != p.family[r])
        e, r = e[ok], r[ok]
        order = np.argsort(r, kind="stable")
        e, r = e[order], r[order]
        first = np.searchsorted(r, r, side="left")
        keep = (np.arange(len(r)) - first) < 2            # at most two referees per referrer
        p.referred_by[e[keep]] = r[keep]
