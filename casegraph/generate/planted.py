"""Rows of the planted structures (rings, scam operations and their victims, mules,
merchants, payroll, referral abuse, account takeover, model-flagged groups) and the
ground truth they imply. Everything here is O(planted), so plain Python is fine.

Raw rows are tuples (owner account, then the arguments of the matching writer.Fmt
method); they are formatted a chunk at a time and written among their owner's chunk.
"""
from __future__ import annotations

import math

import numpy as np

from . import plan as P
from .names import (C_TRON, D_OWN, D_PLANT, DAY, END, HOT_CHAIN, HOUR, PLANTED_KEY, USDT, W_HOT, W_OWN,
                    W_PLANT, Namer)
from .writer import IP_POOL_NAMES, RAW_FIELDS

HOME, DC, PROXY, CARRIER = (IP_POOL_NAMES.index(x) for x in ("home", "dc", "proxy", "carrier"))
_REASONS = ("investment scam (pig butchering)", "fake trading platform", "romance scam", "impersonation scam",
            "fake job / task scam", "giveaway scam")
_SOURCES = {"internal": ("fraud-team", "scam-prevention"),
            "law-enforcement": ("NCA request", "Europol", "FBI IC3", "EGM Siber"),
            "vendor-intel": ("Chainalysis", "TRM Labs", "Elliptic")}


def wkey(space: int, k: int) -> int:
    return (space << 48) | k


class Planted:
    def __init__(self, plan: P.Plan, namer: Namer, rng: np.random.Generator):
        self.p, self.nm, self.rng = plan, namer, rng
        self.raw: dict[str, list[tuple]] = {k: [] for k in RAW_FIELDS}
        self.reports: list[tuple] = []    # (reporter, t, usd, against account | -1, against wallet | -1)
        self.listed: list[tuple] = []     # (watchlist, account | -1, wallet | -1, source, reason, t)
        self.groups: list[tuple] = []     # (members, score, t)
        self.overrides: dict[int, tuple[int, str]] = {}   # account -> (kyc_level, status)
        self.chain_of: dict[int, int] = {}                 # wallet key -> chain
        self.scammer_wallets: list[int] = []
        self.handed_over: list[int] = []  # ring accounts a later ring also used
        self.buyers: list[int] = []       # ordinary accounts that bought a ring's device second hand
        self.treasuries: list[int] = []   # companies' payroll wallets
        self.cafe_devices: list[int] = []
        self.victims: list[int] = []
        self.paid: list[tuple] = []       # (victim, method, target, last payment, total usd)
        self.next = {"wallet": 0, "device": 0, "dc": 0, "proxy": 0, "phone": PLANTED_KEY, "doc": PLANTED_KEY}

    # --- small helpers ---------------------------------------------------------------
    def _n(self, kind: str) -> int:
        v = self.next[kind]
        self.next[kind] += 1
        return v

    def wallet(self, owner: int, chain: int, own_slot: int | None = None) -> int:
        """A new wallet (a planted one, or slot j of the owner's own wallets) with its wallets.csv row."""
        k = wkey(W_OWN, 3 * owner + own_slot) if own_slot is not None else wkey(W_PLANT, self._n("wallet"))
        self.chain_of[k] = chain
        self.raw["wallets"].append((owner, k, chain, ""))
        return k

    def device(self) -> int:
        return wkey(D_PLANT, self._n("device"))

    def t(self, lo: int, hi: int) -> int:
        """A random second in [lo, hi), kept inside the dataset."""
        hi = min(hi, END - 1)
        lo = min(lo, hi - 1)
        return int(self.rng.integers(lo, hi))

    def dep(self, owner, w, acct, usd, t):
        self.raw["deposits"].append((owner, w, self.chain_of[w], acct, round(usd, 2), USDT, t))

    def wd(self, acct, w, usd, t):
        self.raw["withdrawals"].append((acct, acct, w, self.chain_of[w], round(usd, 2), USDT, t))

    def tr(self, frm, to, usd, t):
        self.raw["transfers"].append((frm, frm, to, round(usd, 2), USDT, t))

    def hot(self, chain: int) -> int:
        k = int(self.rng.choice(np.flatnonzero(HOT_CHAIN == chain)))
        self.chain_of[wkey(W_HOT, k)] = chain
        return wkey(W_HOT, k)

    def identity(self, i, devices, ips, phone=True, email=(None, False, 0), doc=None):
        """Identifier rows of a planted account. devices/ips: (key, first, last, count) and
        (pool, key, first, last, count); phone: True (own), a planted key, or None."""
        for d in devices:
            self.raw["account_devices"].append((i, *d))
        for ip in ips:
            self.raw["account_ips"].append((i, *ip))
        country = int(self.nm.countries([i])[0])
        if phone is True:
            self.raw["account_phones"].append((i, i, country))
        elif phone is not None:
            self.raw["account_phones"].append((i, phone[0], phone[1]))
        ekey, disposable, plus = email
        self.raw["account_emails"].append((i, i if ekey is None else ekey, disposable, plus))
        if doc is not None:
            self.raw["account_documents"].append((i, *doc))

    def seen(self, first: int, last: int, actions: int) -> tuple[int, int, int]:
        last = min(END - 1, max(first, last) + int(self.rng.integers(0, 2 * HOUR)))
        return first, last, 1 + actions + int(self.rng.integers(0, 6))

    def build(self) -> "Planted":
        self.rings()
        self.companies()
        self.cafes()
        self.scams()
        self.mules()
        self.merchants()
        self.payrolls()
        self.trees()
        self.atos()
        for g in self.p.fp_groups:
            self.groups.append((g, float(self.rng.uniform(0.6, 0.8)),
                                int(self.p.reg[g[-1]]) + int(self.rng.integers(DAY, 2 * DAY))))
        return self

    # --- batch-registration rings ----------------------------------------------------
    def rings(self):
        """Each ring in one of three styles, as operators work:
        - farm (55%): 1-3 devices and 1-3 data-centre IPs for all, often one wallet funding
          everyone and one or two collecting wallets, sometimes shared phones and KYC documents;
        - carrier (20%): a fresh device per account behind a mobile carrier's IP (shared with
          thousands), funded through exchange hot wallets: only the collecting wallet is shared;
        - multi-device (25%): 2-3 devices each used by a part of the ring, one data-centre IP for
          all, one collecting wallet per device: only the IP joins the parts.
        Accounts are cashed out together after the last one registered. Later, a ring's device may
        be sold to an innocent buyer or reused by a later ring (used only after the first ring's
        last use), and an account of an earlier ring may be handed over to a later one."""
        p, rng = self.p, self.rng
        flagged = rng.random(len(p.rings)) < 0.7
        flagged[0] = flagged[0] or not flagged.any()
        carriers = np.flatnonzero(p.pool_kind == P.CARRIER)
        retired: list[tuple[int, int, list[int]]] = []      # (device, last use, ring members) of earlier rings
        for r in sorted(range(len(p.rings)), key=lambda r: p.rings[r][1]):
            members, b0, b1 = p.rings[r]
            s = len(members)
            style = str(rng.choice(["farm", "carrier", "multi"], p=[0.55, 0.2, 0.25])) if s >= 4 else "farm"
            if style == "carrier" and not len(carriers):
                style = "farm"
            chain = C_TRON if rng.random() < 0.6 else 0
            country = int(self.nm.countries([members[0]])[0])
            phones = docs = []
            funding = None
            if style == "farm":
                devs = [self.device() for _ in range(int(rng.integers(1, min(3, s // 2) + 1)))]
                ips = [self._n("dc") for _ in range(int(rng.integers(1, min(3, s // 2) + 1)))]
                phones = [self._n("phone") for _ in range(int(rng.integers(1, min(3, s // 2) + 1)))] \
                    if rng.random() < 0.5 else []
                docs = [self._n("doc") for _ in range(int(rng.integers(1, min(2, s // 2) + 1)))] \
                    if rng.random() < 0.35 else []
                funding = self.wallet(int(members[0]), chain) if rng.random() < 0.75 else None
                collectors = [self.wallet(int(members[0]), chain) for _ in range(1 if s < 8 else int(rng.integers(1, 3)))]
            elif style == "carrier":
                devs = [self.device() for _ in range(s)]
                ips = [int(rng.choice(carriers))]
                collectors = [self.wallet(int(members[0]), chain)]
            else:
                devs = [self.device() for _ in range(2 if s < 9 else int(rng.integers(2, 4)))]
                ips = [self._n("dc")]
                collectors = [self.wallet(int(members[0]), chain) for _ in devs]
            free = [k for k, (_, last, _) in enumerate(retired) if last < b0 - DAY]
            reused = []
            if free and style == "farm" and rng.random() < 0.3:     # one device, one owner at a time
                reused = [retired.pop(int(rng.choice(free)))[0]]
            off = int(rng.integers(0, 3))
            cash_out = b1 + int(rng.integers(HOUR, 3 * DAY))
            last_use = b1
            for j, i in enumerate(members.tolist()):
                reg = int(p.reg[i])
                acts = []
                for _ in range(int(rng.integers(1, 3))):
                    acts.append(self.t(reg + 600, reg + 2 * DAY))
                    self.dep(i, funding if funding is not None else self.hot(chain), i, rng.uniform(20, 300), acts[-1])
                if style != "farm" or rng.random() < 0.85:          # the point of a ring is to cash out
                    t = max(max(acts), cash_out)
                    for _ in range(int(rng.integers(1, 4))):
                        acts.append(self.t(t + HOUR, t + 5 * DAY))
                        self.wd(i, collectors[j % len(collectors)], rng.uniform(15, 250), acts[-1])
                use = [devs[j % len(devs)]]
                if style == "farm" and len(devs) > 1 and rng.random() < 0.2:
                    use.append(devs[(j + 1) % len(devs)])
                if reused and j % 3 == 0:
                    use.append(reused[0])
                dev_rows = [(d, *self.seen(reg + int(rng.integers(0, 120)), max(acts), len(acts))) for d in use]
                last_use = max([last_use] + [row[2] for row in dev_rows])
                if style == "carrier":
                    ip_rows = [(CARRIER, ips[0], *self.seen(reg + int(rng.integers(0, 60)), max(acts), len(acts)))]
                else:
                    ipk = [ips[(j + off) % len(ips)]] + ([ips[(j + off + 1) % len(ips)]]
                                                         if len(ips) > 1 and rng.random() < 0.15 else [])
                    ip_rows = [(DC, k, *self.seen(reg + int(rng.integers(0, 60)), max(acts), len(acts))) for k in ipk]
                phone = (phones[j % len(phones)], country) if phones and rng.random() < 0.7 else \
                    (True if rng.random() < 0.9 else None)
                if docs and rng.random() < 0.6:
                    doc = (docs[j % len(docs)], 0)
                elif rng.random() < 0.4:
                    doc = (i, 0)
                else:
                    doc = None
                self.identity(i, dev_rows, ip_rows, phone, (None, bool(rng.random() < 0.6), 0), doc)
                self.overrides[i] = (2 if doc else 1, "suspended" if flagged[r] and rng.random() < 0.1 else "active")
            self._hand_over(retired, devs[0], b0, last_use)
            self._resell(devs[-1], last_use)
            retired += [(d, last_use, members.tolist()) for d in devs + reused]
            if flagged[r]:
                k = max(math.ceil(0.8 * s), round(s * rng.uniform(0.8, 1.0)))
                sub = sorted(rng.choice(members, size=k, replace=False).tolist())
                self.groups.append((sub, float(rng.uniform(0.6, 0.99)), b1 + int(rng.integers(DAY, 2 * DAY))))

    def _hand_over(self, retired, device: int, b0: int, b1: int) -> None:
        """Now and then an account of an earlier ring, whose work is done, is handed over to this
        ring's operator, who logs in to it from this ring's device while building the ring."""
        done = [members for _, last, members in retired if last < b0]
        if not done or self.rng.random() >= 0.15:
            return
        acct = int(self.rng.choice(done[int(self.rng.integers(0, len(done)))]))
        first = self.t(max(b0, int(self.p.reg[acct]) + DAY), b1 + HOUR)
        self.raw["account_devices"].append((acct, device, *self.seen(first, first + int(self.rng.integers(HOUR, 3 * DAY)), 2)))
        self.handed_over.append(acct)

    def _resell(self, device: int, last_use: int) -> None:
        """A third of rings sell a device on: an ordinary user starts using it days to weeks after
        the ring's last use (bought second hand), for weeks or months."""
        p, rng = self.p, self.rng
        if rng.random() >= 1 / 3 or last_use > END - 20 * DAY:
            return
        first = self.t(last_use + 3 * DAY, min(END - 5 * DAY, last_use + 60 * DAY))
        cand = np.flatnonzero((p.role == P.BG) & (p.flag == P.NONE) & (p.family < 0) & (p.reg < first))
        cand = cand[self.dormant(cand)]
        if not len(cand):
            return
        buyer = int(rng.choice(cand))
        self.raw["account_devices"].append((buyer, device, *self.seen(first, first + int(rng.integers(7, 150)) * DAY,
                                                                      int(rng.integers(3, 40)))))
        self.buyers.append(buyer)

    def dormant(self, idx) -> np.ndarray:
        """Ordinary accounts with no money activity (Background.active is false): a second-hand
        device or a café login is then never followed by a withdrawal, which would make it an
        account takeover look-alike the takeover confounders (new_device) already cover."""
        return self.nm.uniform(idx, 5) >= P.ACTIVE

    # --- look-alikes of rings: companies' staff, internet cafés -------------------------
    def companies(self):
        """A company's staff (registered together on their first day, behind the office IP) are
        paid every month from the company's treasury wallet: one wallet funding many accounts
        that registered on one day, but every month and for months, like payroll does."""
        p, rng = self.p, self.rng
        for staff, t0 in p.companies:
            treasury = self.wallet(staff[0], C_TRON)
            self.treasuries.append(treasury)
            level = {i: float(np.exp(rng.normal(np.log(2500), 0.4))) for i in staff}
            pay = t0 + int(rng.integers(20, 35)) * DAY
            while pay < END - DAY:
                for i in staff:
                    self.dep(i, treasury, i, level[i] * rng.uniform(0.97, 1.03), pay + int(rng.integers(0, 4 * HOUR)))
                pay += 30 * DAY + int(rng.integers(-2, 3)) * DAY

    def cafes(self):
        """Internet-café computers: 8 to 30 ordinary people each log in from one for an hour or
        so, at different times over months (one after another, never at the same time)."""
        p, rng = self.p, self.rng
        cand = np.flatnonzero((p.role == P.BG) & (p.flag == P.NONE) & (p.reg < END - 30 * DAY))
        cand = cand[self.dormant(cand)]
        for _ in range(max(1, round(p.n / 4000))):
            device = self.device()
            self.cafe_devices.append(device)
            users = rng.choice(cand, size=min(len(cand), int(rng.integers(8, 31))), replace=False)
            start = self.t(0, END - 200 * DAY)
            slots = np.sort(rng.choice(np.arange(start // HOUR, (start + 180 * DAY) // HOUR), size=len(users),
                                       replace=False))
            for i, slot in zip(users.tolist(), slots.tolist()):
                first = max(int(slot) * HOUR, int(p.reg[i]) + 600)
                self.raw["account_devices"].append((i, device, first, first + int(rng.integers(600, 50 * 60)), 1))

    # --- scam operations and their victims ------------------------------------------
    def scams(self):
        p, rng = self.p, self.rng
        for op in p.ops:
            S, chain = op.scammers, op.chain
            w = {"w1": self.wallet(S[0], chain)}
            if op.has_w2:
                w["w2"] = self.wallet(S[0], chain)
            if op.has_wx:
                w["wx"] = self.wallet(S[0], chain)
            op.wallets = w
            self.scammer_wallets += list(w.values())
            shared = self.device()
            for n, i in enumerate(S):
                reg = int(p.reg[i])
                acts = [reg + DAY]
                for _ in range(int(rng.integers(1, 4))):
                    t = self.t(op.start + 3 * DAY, op.end)
                    self.dep(i, w["w1"], i, rng.uniform(1000, 20000), t)       # off-ramping the loot
                    if "wx" in w:
                        acts.append(self.t(t + HOUR, t + 3 * DAY))
                        self.wd(i, w["wx"], rng.uniform(800, 15000), acts[-1])
                devs = [(shared, *self.seen(reg + int(rng.integers(0, 300)), max(acts), len(acts)))]
                if n > 0 and rng.random() < 0.7:
                    devs.append((wkey(D_OWN, 3 * i), *self.seen(reg + int(rng.integers(0, 3 * DAY)), max(acts), 1)))
                ips = [(HOME, i, *self.seen(reg + int(rng.integers(0, 60)), max(acts), len(acts)))]
                self.identity(i, devs, ips, True, (None, False, 0), (i, int(rng.integers(0, 3))))
                self.overrides[i] = (2, "active")
            if "w2" in w:
                for _ in range(int(rng.integers(1, 5))):
                    self.raw["onchain"].append((S[0], w["w2"], w["w1"], chain, round(rng.uniform(2000, 50000), 2),
                                                USDT, self.t(op.start + DAY, op.end + 5 * DAY)))
            for v in op.victims:
                self._victim(op, v)
            reason = str(rng.choice(_REASONS))
            if op.pattern in ("account", "both"):
                self._list("internal", S[0], -1, reason, op)
                if rng.random() < 0.3:
                    self._list("law-enforcement", S[0], -1, reason, op)
            if op.pattern in ("wallet", "both"):
                lists = ["law-enforcement", "vendor-intel"]
                rng.shuffle(lists)
                for name in lists[: 2 if rng.random() < 0.25 else 1]:
                    self._list(name, -1, w["w1"], reason, op)
        self._file_reports()

    def _list(self, name, acct, wallet, reason, op):
        src = str(self.rng.choice(_SOURCES[name]))
        self.listed.append((name, acct, wallet, src, reason, self.t(op.start + 7 * DAY, END - 1)))

    def _victim(self, op, v):
        p, rng = self.p, self.rng
        method = str(rng.choice(["transfer", "direct", "via"], p=[0.35, 0.35, 0.3]))
        if method == "transfer":
            target = int(rng.choice(op.scammers))
        else:
            target = op.wallets["w2"] if "w2" in op.wallets and rng.random() < 0.5 else op.wallets["w1"]
        own = self.wallet(v, op.chain) if method == "via" else None
        times = sorted(self.t(max(op.start, int(p.reg[v]) + 2 * DAY), op.end) for _ in range(int(rng.integers(1, 4))))
        total = 0.0
        for k, t in enumerate(times):
            usd = float(np.exp(rng.normal(6.5, 1.0))) * 1.6 ** k
            total += round(usd, 2)
            if method == "transfer":
                self.tr(v, target, usd, t)
            elif method == "direct":
                self.wd(v, target, usd, t)
            else:
                self.wd(v, own, usd, t)
                self.raw["onchain"].append((v, own, target, op.chain, round(usd * 0.998, 2), USDT,
                                            self.t(t + 600, t + 6 * HOUR)))
        p.last_action[v] = max(p.last_action[v], times[-1])
        self.victims.append(v)
        self.paid.append((v, method, target, times[-1], total))

    def _file_reports(self):
        """About 30% of victims report, at least one; and at least one victim of a listed
        entity stays silent."""
        rng = self.rng
        k = max(1, round(0.3 * len(self.paid)))
        pick = set(rng.choice(len(self.paid), size=k, replace=False).tolist())
        exposed = set(self.silent_sufferers())         # who would be silent if nobody reported
        if exposed and exposed <= {self.paid[j][0] for j in pick}:
            swap_in = [j for j in range(len(self.paid)) if j not in pick and self.paid[j][0] not in exposed]
            swap_out = [j for j in sorted(pick) if self.paid[j][0] in exposed]
            if swap_in and swap_out:
                pick.discard(swap_out[0])
                pick.add(swap_in[0])
        for j in sorted(pick):
            v, method, target, last, total = self.paid[j]
            acct, wallet = (target, -1) if method == "transfer" else (-1, target)
            self.reports.append((v, self.t(last + DAY, last + 20 * DAY), total, acct, wallet))

    # --- mules, and the merchants / payroll accounts that resemble them --------------
    def mules(self):
        p, rng = self.p, self.rng
        for mule in p.mules:
            m, op = mule.account, p.ops[mule.op]
            accts, wallets = op.mule_targets()
            if accts and (not wallets or rng.random() < 0.5):
                to_acct, to_wallet = int(rng.choice(accts)), None
            else:
                to_acct, to_wallet = None, op.wallets[str(rng.choice(wallets))]
            span = int(rng.integers(1, 6)) * DAY
            keep = rng.uniform(0.81, 0.95)
            last = -1
            for s in mule.senders:
                t_in = mule.start + int(rng.integers(0, span))
                usd = round(rng.uniform(100, 2500), 2)
                self.tr(s, m, usd, t_in)
                p.last_action[s] = max(p.last_action[s], t_in)
                t_out = t_in + int(rng.integers(HOUR, 23 * HOUR))
                if to_acct is not None:
                    self.tr(m, to_acct, usd * keep, t_out)
                else:
                    self.wd(m, to_wallet, usd * keep, t_out)
                last = max(last, t_out)
            p.last_action[m] = last

    def merchants(self):
        p, rng = self.p, self.rng
        for m, (customers, sweeps) in p.merchants:
            inflows = []
            for c in customers:
                lo = max(int(p.reg[c]), int(p.reg[m])) + DAY
                for _ in range(int(rng.integers(1, 4))):
                    t = self.t(lo, END - 1)
                    usd = rng.uniform(15, 400)
                    self.tr(c, m, usd, t)
                    inflows.append((t, round(usd, 2)))
                    p.last_action[c] = max(p.last_action[c], t)
            if not sweeps or not inflows:
                continue
            inflows.sort()
            own = self.wallet(m, C_TRON, own_slot=0)
            t, swept = inflows[0][0] + int(rng.integers(30, 45)) * DAY, 0
            while t < END - 1:
                ready = [u for when, u in inflows[swept:] if when <= t - 14 * DAY]   # only funds held 2+ weeks
                if ready:
                    swept += len(ready)
                    self.wd(m, own, sum(ready) * rng.uniform(0.9, 1.0), t)
                    p.last_action[m] = t
                t += int(rng.integers(30, 60)) * DAY

    def payrolls(self):
        p, rng = self.p, self.rng
        for a, payees in p.payrolls:
            chain = C_TRON if rng.random() < 0.5 else 0
            funding = self.hot(chain)
            salary = {e: rng.uniform(300, 3000) for e in payees}
            t = max(int(p.reg[a]) + 10 * DAY, int(p.reg[payees].max()) + DAY) + int(rng.integers(0, 20 * HOUR))
            for _ in range(int(rng.integers(3, 9))):
                if t + 3 * HOUR >= END:
                    break
                self.dep(a, funding, a, sum(salary.values()) * 1.02, t - int(rng.integers(HOUR, 2 * DAY)))
                for e in payees:
                    self.tr(a, e, salary[e], t + int(rng.integers(0, 2 * HOUR)))
                p.last_action[a] = max(p.last_action[a], t + 2 * HOUR)
                t += 30 * DAY + int(rng.integers(-HOUR, HOUR))

    # --- referral abuse --------------------------------------------------------------
    def trees(self):
        p, rng = self.p, self.rng
        for r, refs in p.trees:
            reg_r = int(p.reg[r])
            own = self.wallet(r, C_TRON, own_slot=0)
            acts = [self.t(reg_r + HOUR, reg_r + 3 * DAY)]
            self.dep(r, own, r, rng.uniform(50, 500), acts[0])
            n = len(refs)
            farm = min(2, n // 3)
            dev_slots = [wkey(D_OWN, 3 * r)] + [self.device() for _ in range(farm)]
            ip_slots = [(HOME, r)] + [(PROXY, self._n("proxy")) for _ in range(min(2, n // 3))]
            country = int(self.nm.countries([r])[0])
            sims = [self._n("phone") for _ in range(int(rng.integers(1, 3)))] if rng.random() < 0.5 else []
            plus = rng.random() < 0.5
            for j, e in enumerate(refs):
                reg = int(p.reg[e])
                a = [self.t(reg + HOUR, reg + 2 * DAY)]
                self.dep(e, self.hot(C_TRON), e, rng.uniform(10, 100), a[0])
                if rng.random() < 0.6:                       # the sign-up bonus goes to the referrer
                    a.append(self.t(a[0] + 3 * DAY, a[0] + 20 * DAY))
                    self.wd(e, own, rng.uniform(15, 150), a[-1])
                dev = [(dev_slots[j % (farm + 1)], *self.seen(reg + int(rng.integers(0, 120)), max(a), len(a)))]
                pool, k = ip_slots[int(rng.integers(0, len(ip_slots)))]
                ips = [(pool, k, *self.seen(reg + int(rng.integers(0, 60)), max(a), len(a)))]
                phone = (sims[j % len(sims)], country) if sims and rng.random() < 0.7 else True
                email = (r, False, j + 1) if plus else (None, False, 0)
                doc = (e, 0) if rng.random() < 0.3 else None
                self.identity(e, dev, ips, phone, email, doc)
                self.overrides[e] = (2 if doc else 1, "active")
            acts.append(self.t(max(acts) + DAY, max(acts) + 60 * DAY))
            self.wd(r, own, rng.uniform(100, 800), acts[-1])
            seen = self.seen(reg_r + int(rng.integers(0, 120)), max(acts), 2 * len(acts))
            self.identity(r, [(wkey(D_OWN, 3 * r), *seen)], [(HOME, r, *seen)], True, (None, False, 0), (r, 0))
            self.overrides[r] = (2, "active")

    # --- account takeover ------------------------------------------------------------
    def atos(self):
        p, rng = self.p, self.rng
        for a, T in p.atos:
            reg = int(p.reg[a])
            chain = C_TRON if rng.random() < 0.6 else 0
            own = self.wallet(a, chain, own_slot=0)
            deps, wds = [], []
            for _ in range(int(rng.integers(2, 6))):
                t = self.t(reg + DAY, T - 2 * DAY)
                usd = round(rng.uniform(200, 5000), 2)
                self.dep(a, own if rng.random() < 0.6 else self.hot(chain), a, usd, t)
                deps.append((t, usd))
            first = min(t for t, _ in deps)
            for _ in range(int(rng.integers(1, 3))):
                t = self.t(first + DAY, T - DAY)
                usd = round(sum(u for _, u in deps) * rng.uniform(0.05, 0.15), 2)
                self.wd(a, own, usd, t)
                wds.append((t, usd))
            stable_last = max(T - int(rng.integers(HOUR, 10 * DAY)), max(t for t, _ in deps + wds))
            count = int(rng.integers(20, 300))
            devs = [(wkey(D_OWN, 3 * a), reg + int(rng.integers(0, 120)), stable_last, count)]
            if rng.random() < 0.3:
                devs.append((wkey(D_OWN, 3 * a + 1), reg + int(rng.integers(0, 3 * DAY)), stable_last - DAY,
                             count // 3))
            ips = [(HOME, a, reg + int(rng.integers(0, 60)), stable_last, count)]
            # the takeover: a new device and a new IP at T, then most of the balance to a fresh wallet
            t_w = T + int(rng.integers(HOUR, 12 * HOUR))
            devs.append((self.device(), T, t_w + int(rng.integers(0, HOUR)), int(rng.integers(1, 5))))
            pool = DC if rng.random() < 0.5 else PROXY
            ips.append((pool, self._n("dc" if pool == DC else "proxy"), T + int(rng.integers(0, 60)),
                        t_w + int(rng.integers(0, HOUR)), int(rng.integers(1, 5))))
            balance = sum(u for _, u in deps) - sum(u for _, u in wds)
            self.wd(a, self.wallet(a, chain), balance * rng.uniform(0.85, 0.98), t_w)
            self.identity(a, devs, ips, True, (None, False, 0), (a, int(rng.integers(0, 3))))
            self.overrides[a] = (2, "active")

    # --- ground truth ----------------------------------------------------------------
    def silent_sufferers(self) -> list[int]:
        """The definition, applied to the rows written: paid a listed account, withdrew to a listed
        wallet, or withdrew to a wallet that sent to a listed wallet; and filed no report.
        Background rows never touch scam entities, so the planted rows decide it."""
        listed_acc = {a for _, a, _, _, _, _ in self.listed if a >= 0}
        listed_w = {w for _, _, w, _, _, _ in self.listed if w >= 0}
        feeders = {r[1] for r in self.raw["onchain"] if r[2] in listed_w}
        paid = {r[1] for r in self.raw["transfers"] if r[2] in listed_acc}
        paid |= {r[1] for r in self.raw["withdrawals"] if r[2] in listed_w or r[2] in feeders}
        return sorted(paid - {r[0] for r in self.reports})
