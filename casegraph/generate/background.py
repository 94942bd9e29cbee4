"""Everyone's ordinary activity, one chunk of accounts at a time, vectorised: the
accounts rows, identifiers, own wallets, deposits, withdrawals, transfers and on-chain
sends. Random counterparties come only from ordinary accounts and never from scam
entities, mules, rings or other planted accounts, so no planted pattern arises by chance.
"""
from __future__ import annotations

import numpy as np

from . import names, plan as P
from .names import (BTC, C_BTC, C_ETH, C_TRON, D_FAM, D_OWN, DAY, END, ETH, HOT_CHAIN, HOT_P, HOUR, USDC,
                    USDT, W_EXT, W_HOT, W_OWN, Namer, key)
from .writer import IP_POOL_NAMES, Fmt

_POOL = {name: i for i, name in enumerate(IP_POOL_NAMES)}
_SHARED_POOL = np.array([_POOL["carrier"], _POOL["wifi"], _POOL["office"]])
_STATUS = ("active", "suspended", "closed")


def _cat(parts):
    """Concatenate tuples of column arrays (same columns, any lengths) into column arrays."""
    return [np.concatenate([np.asarray(c) for c in cols]) for cols in zip(*parts)]


class Background:
    def __init__(self, plan: P.Plan, namer: Namer, fmt: Fmt, overrides: dict[int, tuple[int, str]]):
        self.p, self.nm, self.fmt = plan, namer, fmt
        rng = np.random.default_rng([namer.salt & 0xFFFFFFFF, 7])
        self.pool = rng.permutation(np.flatnonzero(np.isin(plan.role, P.MONEY_BG))).astype(np.int32)
        self.n_ext = 3 * max(100, plan.n // 60)
        self.ext_used = np.zeros(self.n_ext, bool)
        ov = sorted(overrides.items())
        self.ov_idx = np.array([i for i, _ in ov], np.int64)
        self.ov_kyc = np.array([k for _, (k, _) in ov], np.int64)
        self.ov_status = [s for _, (_, s) in ov]

    # --- pure per-account attributes (any chunk can ask about any account) -------------
    def active(self, idx):
        return np.isin(self.p.role[idx], P.MONEY_BG) & (self.nm.uniform(idx, 5) < P.ACTIVE)

    def n_wallets(self, idx):
        u = self.nm.uniform(idx, 4)
        return np.where(self.active(idx), np.where(u < 0.2, 0, np.where(u < 0.75, 1, 2)), 0)

    def own_chain(self, wallet_slot_key):
        u = self.nm.uniform(wallet_slot_key, 6)
        return np.where(u < 0.55, C_ETH, np.where(u < 0.85, C_TRON, C_BTC))

    def late_time(self, idx):
        """When a LATE_DEVICE account gets its new device; NEW_WALLET its new wallet."""
        reg = self.p.reg[idx]
        lo = np.where(self.p.flag[idx] == P.NEW_WALLET, 60, 10) * DAY
        return (reg + lo + self.nm.uniform(idx, 8) * (END - DAY - reg - lo)).astype(np.int64)

    # --- the chunk ---------------------------------------------------------------------
    def chunk(self, a: int, b: int, rng: np.random.Generator) -> dict[str, tuple[np.ndarray, list]]:
        """Rows for accounts [a, b): kind -> (owner account per row, rows), owners ascending."""
        out = {"accounts": (np.arange(a, b), self._accounts(a, b))}
        money, last_bg, n_act = self._money(a, b, rng)
        out.update(money)
        out.update(self._identifiers(a, b, rng, last_bg, n_act))
        return out

    def _accounts(self, a, b):
        p, nm = self.p, self.nm
        idx = np.arange(a, b)
        kyc = self.kyc(idx)
        st = np.searchsorted([0.955, 0.97], nm.uniform(idx, 3))
        status = [_STATUS[s] for s in st.tolist()]
        lo, hi = np.searchsorted(self.ov_idx, [a, b])
        for j in range(lo, hi):                      # planted accounts carry their own KYC/status
            kyc[self.ov_idx[j] - a] = self.ov_kyc[j]
            status[self.ov_idx[j] - a] = self.ov_status[j]
        ref = p.referred_by[a:b]
        has = ref >= 0
        ref_ids = [""] * len(idx)
        for j, s in zip(np.flatnonzero(has).tolist(), nm.account_ids(ref[has])):
            ref_ids[j] = s
        countries = [names.COUNTRIES[c] for c in nm.countries(idx).tolist()]
        return list(zip(nm.account_ids(idx), names.times(p.reg[a:b]), countries, map(str, kyc.tolist()), status,
                        nm.referral_codes(idx), ref_ids))

    def kyc(self, idx):
        return np.searchsorted([0.25, 0.40, 0.85], self.nm.uniform(idx, 2), side="right")

    def _when(self, rng, reg, mean_days, min_gap):
        """Activity times after registration: mostly soon after, some much later."""
        t = reg + min_gap + rng.exponential(mean_days * DAY, len(reg)).astype(np.int64)
        late = t >= END
        t[late] = reg[late] + (rng.random(late.sum()) * (END - reg[late])).astype(np.int64)
        return np.minimum(t, END - 1)

    def _usd(self, rng, n, median, sigma):
        return np.clip(np.exp(rng.normal(np.log(median), sigma, n)), 5, 250_000).round(2)

    def _money(self, a, b, rng):
        p = self.p
        idx = np.arange(a, b)
        n = len(idx)
        reg = p.reg[a:b]
        act = self.active(idx) | np.isin(p.flag[a:b], (P.NEW_WALLET, P.LATE_DEVICE))
        nwal = self.n_wallets(idx)
        lvl = rng.lognormal(0, 1.0, n) / 1.65
        tlvl = rng.lognormal(0, 1.4, n) / 2.66
        nd = rng.poisson(0.95 * lvl) * act
        nw = rng.poisson(0.6 * lvl) * act + (p.flag[a:b] == P.LATE_DEVICE)
        nt = rng.poisson(1.1 * tlvl) * act
        no = rng.poisson(0.22, n) * act * (nwal > 0)
        out = {}

        def wallet_for(owner, own_p):
            """Own wallet (slot 0 mostly, 1 sometimes) or an exchange hot wallet."""
            k = len(owner)
            w = nwal[owner - a]
            own = (w > 0) & (rng.random(k) < own_p)
            slot = ((w == 2) & (rng.random(k) < 0.25)).astype(np.int64)
            hot = rng.choice(len(HOT_P), size=k, p=HOT_P)
            wk = np.where(own, key(W_OWN, 3 * owner + slot), key(W_HOT, hot))
            chain = np.where(own, self.own_chain(3 * owner + slot), HOT_CHAIN[hot])
            return wk, chain

        # deposits
        owner = np.repeat(idx, nd)
        t = self._when(rng, reg[owner - a], 40, 600)
        wk, chain = wallet_for(owner, 0.65)
        dep = (owner, wk, chain, owner, self._usd(rng, len(owner), 250, 1.3),
               names.chain_assets(chain, rng.random(len(owner))), t)
        # withdrawals; LATE_DEVICE accounts want to withdraw soon after their new device but
        # wait 7+ days; NEW_WALLET accounts add one withdrawal to a wallet they never used
        owner = np.repeat(idx, nw)
        t = self._when(rng, reg[owner - a], 60, HOUR)
        late = p.flag[owner] == P.LATE_DEVICE
        if late.any():
            T = self.late_time(owner[late])
            first = np.r_[True, owner[late][1:] != owner[late][:-1]]
            t[np.flatnonzero(late)[first]] = T[first] + rng.integers(0, 7 * DAY, int(first.sum()))
            tl = t[late]
            clash = (tl >= T - HOUR) & (tl <= T + 8 * DAY)
            moved = T + 8 * DAY + (rng.random(late.sum()) * 4 * DAY).astype(np.int64)
            r0 = reg[owner[late] - a]
            before = r0 + ((T - HOUR - r0) * rng.random(late.sum())).astype(np.int64)
            tl[clash] = np.where(moved < END, moved, before)[clash]
            t[late] = tl
        wk, chain = wallet_for(owner, 0.7)
        usd = self._usd(rng, len(owner), 300, 1.3)
        nw_idx = idx[p.flag[a:b] == P.NEW_WALLET]
        nw_chain = self.own_chain(3 * nw_idx + 2)
        wdr = _cat([(owner, owner, wk, chain, usd, names.chain_assets(chain, rng.random(len(owner))), t),
                    (nw_idx, nw_idx, key(W_OWN, 3 * nw_idx + 2), nw_chain, self._usd(rng, len(nw_idx), 6000, 0.8),
                     names.chain_assets(nw_chain, rng.random(len(nw_idx))), self.late_time(nw_idx))])
        # internal transfers to ordinary accounts, popularity heavy-tailed
        snd = np.repeat(idx, nt)
        rcv = self.pool[(len(self.pool) * rng.random(len(snd)) ** 2.5).astype(np.int64)].astype(np.int64)
        keep = snd != rcv
        snd, rcv = snd[keep], rcv[keep]
        start = np.minimum(np.maximum(p.reg[snd], p.reg[rcv]) + 60, END - 1)
        t = np.minimum(start + (rng.random(len(snd)) ** 1.5 * (END - 1 - start)).astype(np.int64), END - 1)
        u = rng.random(len(snd))
        asset = np.select([u < 0.7, u < 0.8, u < 0.9], [USDT, USDC, BTC], ETH)
        trf = (snd, snd, rcv, self._usd(rng, len(snd), 120, 1.4), asset, t)
        # on-chain sends between ordinary wallets (own <-> external, own -> another user's own)
        oc = self._onchain(np.repeat(idx, no), nwal, a, rng)
        # own wallets (and NEW_WALLET's fresh one) go to wallets.csv
        has = np.flatnonzero(nwal > 0) + a
        two = np.flatnonzero(nwal == 2) + a
        wk = np.concatenate([3 * has, 3 * two + 1, 3 * nw_idx + 2])
        wowner = wk // 3
        wal = (wowner, key(W_OWN, wk), self.own_chain(wk))

        for kind, cols in (("deposits", dep), ("withdrawals", wdr), ("transfers", trf), ("onchain", oc),
                           ("wallets", wal)):
            if not len(cols[0]):
                out[kind] = (np.zeros(0, np.int64), [])
                continue
            order = np.argsort(cols[0], kind="stable")
            cols = [c[order] for c in cols]
            method = getattr(self.fmt, kind)
            out[kind] = (cols[0], method(*cols[1:]))
        # the latest action each account took itself (for device/IP last_seen) and how many
        last = np.full(n, -1, np.int64)
        cnt = np.zeros(n, np.int64)
        for own_col, t_col in ((wdr[0], wdr[6]), (trf[0], trf[5])):
            np.maximum.at(last, own_col - a, t_col)
            cnt += np.bincount(own_col - a, minlength=n)
        return out, last, cnt + nd

    def _onchain(self, owner, nwal, a, rng):
        p = self.p
        k = len(owner)
        slot = ((nwal[owner - a] == 2) & (rng.random(k) < 0.3)).astype(np.int64)
        mine = key(W_OWN, 3 * owner + slot)
        chain = self.own_chain(3 * owner + slot)
        u = rng.random(k)
        third = self.n_ext // 3
        ext_k = 3 * (third * rng.random(k) ** 2).astype(np.int64) + chain   # external wallet on the same chain
        other = np.zeros(k, np.int64)
        to_user = u >= 0.8
        todo = np.flatnonzero(to_user)
        for _ in range(3):                 # another user's wallet on the same chain, if one is found
            if not len(todo):
                break
            cand = self.pool[rng.integers(0, len(self.pool), len(todo))].astype(np.int64)
            ok = (self.n_wallets(cand) > 0) & (self.own_chain(3 * cand) == chain[todo]) & (cand != owner[todo])
            other[todo[ok]] = cand[ok]
            todo = todo[~ok]
        to_user[todo] = False
        incoming = (u >= 0.5) & (u < 0.8)
        ext = ~to_user
        self.ext_used[ext_k[ext]] = True
        far = np.where(to_user, key(W_OWN, 3 * other), key(W_EXT, ext_k))
        frm = np.where(incoming, far, mine)
        to = np.where(incoming, mine, far)
        t = self._when(rng, p.reg[owner], 50, HOUR)
        return (owner, frm, to, chain, self._usd(rng, k, 400, 1.4), names.chain_assets(chain, rng.random(k)), t)

    def external_wallets(self) -> list:
        k = np.flatnonzero(self.ext_used)
        return self.fmt.wallets(key(W_EXT, k), k % 3)

    # --- identifiers -------------------------------------------------------------------
    def _identifiers(self, a, b, rng, last_bg, n_act):
        p, nm = self.p, self.nm
        idx = np.arange(a, b)
        sel = np.flatnonzero(np.isin(p.role[a:b], P.ID_BG))
        i = idx[sel]
        n = len(i)
        reg = p.reg[i]
        flag = p.flag[i]
        fam = p.family[i]
        shared = p.shared_ip[i]
        late = flag == P.LATE_DEVICE
        T = self.late_time(i)
        acts = n_act[sel]
        # the last time each account was seen at all
        revisit = reg + (rng.random(n) ** 3 * (END - 1 - reg)).astype(np.int64)
        last = np.maximum.reduce([reg + rng.integers(60, 2 * HOUR, n), last_bg[sel], p.last_action[i], revisit])
        last = np.minimum(last, END - 1)
        span_days = (last - reg) // DAY
        main_count = 1 + acts + rng.poisson(span_days / 12)

        def first_soon(k):
            return reg[k] + rng.integers(0, 6 * DAY, len(k))

        def between(first, k):
            return first + (rng.random(len(k)) * (last[k] - first).clip(0)).astype(np.int64)

        # devices: own phone/laptop, the family tablet, a second device, a new device (LATE_DEVICE)
        u = nm.uniform(i, 12)
        own = np.flatnonzero(~((fam >= 0) & (u < 0.4)))
        fk = np.flatnonzero(fam >= 0)
        second = np.flatnonzero(nm.uniform(i, 13) < 0.12)
        lk = np.flatnonzero(late)
        f2 = first_soon(second)
        dev = _cat([
            (i[own], key(D_OWN, 3 * i[own]), reg[own] + rng.integers(0, 120, len(own)), last[own], main_count[own]),
            (i[fk], key(D_FAM, fam[fk]), reg[fk] + rng.integers(0, 300, len(fk)), last[fk], main_count[fk]),
            (i[second], key(D_OWN, 3 * i[second] + 1), f2, between(f2, second),
             1 + rng.poisson(span_days[second] / 40)),
            (i[lk], key(D_OWN, 3 * i[lk] + 2), T[lk], np.maximum(T[lk], last[lk]), 1 + rng.poisson(3, len(lk))),
        ])
        # IPs: home (the family's, for family members), carrier/Wi-Fi/office, mobile, travel (LATE_DEVICE)
        kind = np.where(shared >= 0, p.pool_kind[shared.clip(0)], -1)
        no_home = (shared >= 0) & (kind != P.OFFICE) & (nm.uniform(i, 14) < 0.5)
        home = np.flatnonzero(~no_home)
        home_key = np.where(fam >= 0, p.fam_anchor[fam.clip(0)], i)
        sh = np.flatnonzero(shared >= 0)
        sh_first = np.where(no_home[sh], reg[sh] + rng.integers(0, 60, len(sh)), first_soon(sh))
        mob = np.flatnonzero(nm.uniform(i, 15) < 0.2)
        fm = first_soon(mob)
        travel = lk[nm.uniform(i[lk], 16) < 0.4]
        ip = _cat([
            (i[home], np.full(len(home), _POOL["home"]), home_key[home], reg[home] + rng.integers(0, 60, len(home)),
             last[home], main_count[home]),
            (i[sh], _SHARED_POOL[kind[sh]], shared[sh].astype(np.int64), sh_first,
             np.where(no_home[sh], last[sh], between(sh_first, sh)), 1 + rng.poisson(span_days[sh] / 20)),
            (i[mob], np.full(len(mob), _POOL["mobile"]), i[mob], fm, between(fm, mob),
             1 + rng.poisson(span_days[mob] / 30)),
            (i[travel], np.full(len(travel), _POOL["mobile"]), names.PLANTED_KEY + i[travel],
             T[travel] + rng.integers(0, HOUR, len(travel)), np.maximum(T[travel] + HOUR, last[travel]),
             1 + rng.poisson(2, len(travel))),
        ])
        # phone (~90%, mostly of the account's country), email (~100%), KYC document (kyc >= 2)
        country = nm.countries(i)
        ph = np.flatnonzero(nm.uniform(i, 17) < 0.9)
        other = nm.uniform(i[ph], 18) < 0.08
        ph_country = np.where(other, (nm.hash(i[ph], 19) % np.uint64(len(names.COUNTRIES))).astype(np.int64),
                              country[ph])
        em = np.flatnonzero(nm.uniform(i, 20) < 0.995)
        dk = np.flatnonzero(self.kyc(i) >= 2)
        dtype = np.where(country[dk] == names.COUNTRIES.index("TR"), 1,
                         np.where(nm.uniform(i[dk], 23) < 0.6, 0, 2))
        out = {}
        for kindname, cols in (("account_devices", dev), ("account_ips", ip),
                               ("account_phones", (i[ph], i[ph], ph_country)),
                               ("account_emails", (i[em], i[em])),
                               ("account_documents", (i[dk], i[dk], dtype))):
            if not len(cols[0]):
                out[kindname] = (np.zeros(0, np.int64), [])
                continue
            order = np.argsort(cols[0], kind="stable")
            cols = [c[order] for c in cols]
            method = {"account_devices": self.fmt.devices, "account_ips": self.fmt.ips,
                      "account_phones": self.fmt.phones, "account_emails": self.fmt.emails,
                      "account_documents": self.fmt.documents}[kindname]
            out[kindname] = (cols[0], method(*cols))        # identifier rows: owner = account
        return out
