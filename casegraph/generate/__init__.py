"""Synthetic sample data with planted ground truth.

`generate(out_dir, accounts, seed)` writes one CSV per canonical kind plus truth.json:
batch-registration rings, scam operations with reported and silent victims, mules,
referral abuse, account takeovers and money-laundering typologies (typologies.py), hidden
among ordinary users and confounders built to look like them (carrier IPs, family devices,
exchange hot wallets, influencers, merchants, payroll, new phones, new wallets, two-party
repayments, payment circles, relays).

Deterministic: the same (accounts, seed) gives byte-identical files. Streaming: the
accounts are written in chunks; memory holds compact per-account arrays and the
planted structures only.
"""
from __future__ import annotations

import json
import operator
import os
from pathlib import Path
from typing import Callable

import numpy as np

from casegraph.errors import GenerateError

from . import names, plan as P, typologies
from .background import Background
from .names import D_FAM, HOT_CHAIN, HOT_WALLETS, W_HOT, Namer, key
from .planted import Planted
from .writer import COLUMNS, Fmt, Out, format_raw

__all__ = ["generate", "MIN_ACCOUNTS", "MAX_ACCOUNTS"]

MIN_ACCOUNTS, MAX_ACCOUNTS = 1000, 5_000_000
CHUNK = 20_000
_STATUS = ("open", "investigating", "closed")


def generate(out_dir: str | os.PathLike, accounts: int, seed: int,
             progress: Callable[[int], None] | None = None) -> dict:
    """Write the canonical CSV files and truth.json into out_dir; return a summary {file_name: row_count, ...}."""
    accounts = operator.index(accounts)
    seed = operator.index(seed)
    if not MIN_ACCOUNTS <= accounts <= MAX_ACCOUNTS:
        raise GenerateError(f"accounts must be between {MIN_ACCOUNTS:,} and {MAX_ACCOUNTS:,} "
                         f"(planted patterns need at least {MIN_ACCOUNTS:,} accounts to hide in); got {accounts:,}")
    s = seed % 2 ** 64                                   # any int, including negatives, seeds the streams
    namer = Namer(s)
    planner = P.Planner(accounts, np.random.default_rng([s, 1]))
    plan = planner.build()
    chosen = typologies.choose(planner)             # money-laundering typologies and their decoys
    fmt = Fmt(namer, np.random.default_rng([s, 2]))
    planted = Planted(plan, namer, np.random.default_rng([s, 3])).build()
    typologies.plant(planted, chosen)
    lazy = _Lazy(planted)
    bg = Background(plan, namer, fmt, planted.overrides)
    out = Out(out_dir)
    try:
        out.write("wallets", fmt.wallets(key(W_HOT, np.arange(len(HOT_WALLETS))), HOT_CHAIN,
                                         [h[0] for h in HOT_WALLETS]))
        for c, a in enumerate(range(0, accounts, CHUNK)):
            b = min(accounts, a + CHUNK)
            rows = bg.chunk(a, b, np.random.default_rng([s, 100, c]))
            extra = lazy.chunk(fmt, a, b)
            for kind in COLUMNS:
                if kind in rows or kind in extra:
                    out.write(kind, _merge(rows.get(kind), extra.get(kind)))
            if progress is not None:
                progress(b - a)
        out.write("wallets", bg.external_wallets())
        pr = np.random.default_rng([s, 4])
        out.write("scam_reports", _reports(planted, namer, pr))
        out.write("watchlists", _watchlists(planted, namer))
        out.write("groups", _groups(planted, namer))
    finally:
        out.close()
    truth = _truth(plan, planted, namer, accounts, seed)
    _ids = lambda idx: sorted(namer.account_ids(np.array(sorted(set(idx)), np.int64)))  # noqa: E731
    truth["typologies"], decoys = typologies.truth(chosen, _ids)
    truth["confounders"].update(decoys)
    with open(Path(out_dir) / "truth.json", "w", encoding="utf-8", newline="\n") as fh:
        json.dump(truth, fh, indent=1)
        fh.write("\n")
    return {f"{kind}.csv": n for kind, n in out.counts.items()}


class _Lazy:
    """Planted rows kept raw (compact) and sorted by owner; formatted a chunk at a time."""

    def __init__(self, planted: Planted):
        self.raw = {}
        for kind, rows in planted.raw.items():
            rows = sorted(rows, key=lambda r: r[0])
            self.raw[kind] = (np.array([r[0] for r in rows], np.int64), rows)

    def chunk(self, fmt: Fmt, a: int, b: int) -> dict[str, tuple]:
        out = {}
        for kind, (owner, rows) in self.raw.items():
            lo, hi = np.searchsorted(owner, [a, b]).tolist()
            if hi > lo:
                out[kind] = format_raw(fmt, kind, rows[lo:hi])
        return out


def _merge(bg: tuple | None, extra: tuple | None) -> list:
    """Background and planted rows of one chunk, ordered by owning account, so a row's
    position says nothing about whether it was planted."""
    if extra is None:
        return bg[1]
    if bg is None or not bg[1]:
        keys, rows = extra
    else:
        keys, rows = np.concatenate([bg[0], extra[0]]), bg[1] + extra[1]
    return [rows[j] for j in np.argsort(keys, kind="stable").tolist()]


def _address(planted: Planted, namer: Namer, wallets) -> list[str]:
    wallets = list(wallets)
    return namer.addresses(np.array(wallets, np.uint64), [planted.chain_of[w] for w in wallets])


def _reports(planted: Planted, namer: Namer, rng) -> list[tuple]:
    reps = sorted(planted.reports, key=lambda r: (r[1], r[0]))
    rows = []
    for k, (reporter, t, usd, acct, wallet) in enumerate(reps):
        against_acct = namer.account_ids([acct])[0] if acct >= 0 else ""
        against_w = _address(planted, namer, [wallet])[0] if wallet >= 0 else ""
        status = _STATUS[int(rng.choice(3, p=[0.6, 0.25, 0.15]))]
        rows.append((f"SR{1_000_001 + k}", namer.account_ids([reporter])[0], names.times([t])[0],
                     f"{usd:.2f}", f"{usd:.2f}", "USDT", status, against_acct, against_w))
    return rows


def _watchlists(planted: Planted, namer: Namer) -> list[tuple]:
    rows = []
    for name, acct, wallet, src, reason, t in sorted(planted.listed, key=lambda r: (r[5], r[0])):
        rows.append((name, namer.account_ids([acct])[0] if acct >= 0 else "",
                     _address(planted, namer, [wallet])[0] if wallet >= 0 else "", "", "", "", "", "",
                     src, reason, names.times([t])[0]))
    return rows


def _groups(planted: Planted, namer: Namer) -> list[tuple]:
    rows = []
    for k, (members, score, t) in enumerate(sorted(planted.groups, key=lambda g: (g[2], g[0]))):
        for acct in namer.account_ids(members):
            rows.append((f"G{200_001 + k}", acct, "batchreg-v3", f"{score:.3f}", names.times([t])[0]))
    return rows


def _truth(plan: P.Plan, planted: Planted, namer: Namer, n: int, seed: int) -> dict:
    ids = lambda idx: sorted(namer.account_ids(np.array(sorted(set(idx)), np.int64)))  # noqa: E731
    kinds = plan.pool_kind
    shared = lambda which: np.flatnonzero(np.isin(kinds, which))  # noqa: E731
    fp = {tuple(g) for g in plan.fp_groups}
    fam_reg = [plan.reg[plan.family == f] for f in range(len(plan.fam_anchor))]
    together = np.array([f for f, r in enumerate(fam_reg) if len(r) and r.max() - r.min() <= 6 * 3600], np.int64)
    fp_ids = [f"G{200_001 + k}" for k, g in enumerate(sorted(planted.groups, key=lambda g: (g[2], g[0])))
              if tuple(g[0]) in fp]
    return {
        "rings": sorted(ids(m.tolist()) for m, _, _ in plan.rings),
        "scammers": ids(i for op in plan.ops for i in op.scammers),
        "scammer_wallets": sorted(_address(planted, namer, planted.scammer_wallets)),
        "listed_accounts": ids(acct for _, acct, _, _, _, _ in planted.listed if acct >= 0),
        "silent_sufferers": ids(planted.silent_sufferers()),
        "reported_victims": ids(r[0] for r in planted.reports),
        "mules": ids(m.account for m in plan.mules),
        "referral_abuse": ids([r for r, _ in plan.trees] + [e for _, refs in plan.trees for e in refs]),
        "ato": ids(a for a, _ in plan.atos),
        "rings_handed_over": ids(planted.handed_over),
        "victims": ids(planted.victims),
        "confounders": {
            "carrier_ips": sorted(namer.ips("carrier", shared(P.CARRIER)) + namer.ips("wifi", shared(P.WIFI))),
            "office_ips": sorted(namer.ips("office", shared(P.OFFICE))),
            "family_devices": sorted(namer.device_ids(key(D_FAM, np.arange(len(plan.fam_anchor))))),
            "families_together": sorted(ids(np.flatnonzero(np.isin(plan.family, together)).tolist()))
            if len(together) else [],
            "device_buyers": ids(planted.buyers),
            "cafe_devices": sorted(namer.device_ids(np.array(planted.cafe_devices, np.uint64))),
            "company_staff": ids(i for staff, _ in plan.companies for i in staff),
            "treasury_wallets": sorted(_address(planted, namer, planted.treasuries)),
            "exchange_wallets": sorted(set(namer.addresses(key(W_HOT, np.arange(len(HOT_WALLETS))), HOT_CHAIN))),
            "influencers": ids(a for a, _ in plan.influencers),
            "merchants": ids(a for a, _ in plan.merchants),
            "payroll": ids(a for a, _ in plan.payrolls),
            "new_device": ids(np.flatnonzero(plan.flag == P.LATE_DEVICE).tolist()),
            "new_wallet": ids(np.flatnonzero(plan.flag == P.NEW_WALLET).tolist()),
            "false_positive_groups": sorted(fp_ids),
        },
        "params": {"accounts": n, "seed": seed},
    }
