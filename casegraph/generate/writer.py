"""The canonical CSV files: their columns (exactly loaders/canonical.yaml), the open
writers, and the formatting of column arrays into rows of strings. The identifier tables
(devices, ips, phones, emails, documents) are not written: the sample's identifiers have
nothing of their own beyond their links (docs/sample-data.md)."""
from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

from . import names
from .names import Namer

COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts": ("account_id", "registered_at", "country", "kyc_level", "status", "referral_code", "referred_by"),
    "wallets": ("address", "chain", "label"),
    "account_devices": ("account_id", "device_id", "first_seen", "last_seen", "count"),
    "account_ips": ("account_id", "ip", "first_seen", "last_seen", "count"),
    "account_phones": ("account_id", "phone"),
    "account_emails": ("account_id", "email"),
    "account_documents": ("account_id", "doc_id", "doc_type"),
    "transfers": ("tx_id", "from_account", "to_account", "amount", "asset", "at", "amount_usd"),
    "deposits": ("tx_id", "address", "account_id", "amount", "asset", "at", "amount_usd", "tx_hash", "chain"),
    "withdrawals": ("tx_id", "account_id", "address", "amount", "asset", "at", "amount_usd", "tx_hash", "chain"),
    "onchain": ("tx_hash", "from_address", "to_address", "amount", "asset", "at", "amount_usd", "chain"),
    "scam_reports": ("report_id", "reporter_id", "reported_at", "amount", "amount_usd", "asset", "status",
                     "against_account", "against_address"),
    "watchlists": ("watchlist", "account_id", "address", "device_id", "ip", "phone", "email", "doc_id",
                   "list_source", "reason", "listed_at"),
    "groups": ("group_id", "account_id", "model", "score", "flagged_at"),
}
IP_POOL_NAMES = tuple(names.IP_POOLS)      # ip rows carry a pool number: an index into this


class Out:
    """One csv.writer per canonical kind; counts the rows written."""

    def __init__(self, out_dir: str | os.PathLike):
        self.dir = Path(out_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.files, self.writers = {}, {}
        self.counts = dict.fromkeys(COLUMNS, 0)
        for kind, cols in COLUMNS.items():
            fh = open(self.dir / f"{kind}.csv", "w", encoding="utf-8", newline="", buffering=1 << 20)
            self.files[kind] = fh
            self.writers[kind] = csv.writer(fh, lineterminator="\n")
            self.writers[kind].writerow(cols)

    def write(self, kind: str, rows) -> None:
        self.writers[kind].writerows(rows)
        self.counts[kind] += len(rows)

    def close(self) -> None:
        for fh in self.files.values():
            fh.close()


def _a(x, dtype=np.int64) -> np.ndarray:
    return np.asarray(x, dtype=dtype)


class Fmt:
    """Turns column arrays into row tuples of strings. Owns the tx-id counter and the
    random stream for tx hashes, so planted and background rows never share an id."""

    def __init__(self, namer: Namer, rng: np.random.Generator):
        self.nm, self.rng, self.tx = namer, rng, 0

    def _tx_ids(self, n: int) -> list[str]:
        ids = self.nm.tx_ids(np.arange(self.tx, self.tx + n))
        self.tx += n
        return ids

    def _links(self, acct, ids, first, last, count):
        return list(zip(self.nm.account_ids(acct), ids, names.times(first), names.times(last),
                        map(str, _a(count).tolist())))

    def devices(self, acct, keys, first, last, count):
        return self._links(acct, self.nm.device_ids(_a(keys, np.uint64)), first, last, count)

    def ips(self, acct, pool, keys, first, last, count):
        pool, keys = _a(pool), _a(keys)
        ips = [""] * len(keys)
        for p, name in enumerate(IP_POOL_NAMES):
            sel = np.flatnonzero(pool == p)
            for i, ip in zip(sel.tolist(), self.nm.ips(name, keys[sel])):
                ips[i] = ip
        return self._links(acct, ips, first, last, count)

    def phones(self, acct, keys, country):
        return list(zip(self.nm.account_ids(acct), self.nm.phones(keys, country)))

    def emails(self, acct, keys, disposable=None, plus=None):
        return list(zip(self.nm.account_ids(acct), self.nm.emails(keys, disposable, plus)))

    def documents(self, acct, keys, doc_type):
        return list(zip(self.nm.account_ids(acct), self.nm.documents(keys, doc_type),
                        [names.DOC_TYPES[t] for t in _a(doc_type).tolist()]))

    def wallets(self, keys, chain, labels=None):
        chain = _a(chain)
        labels = labels if labels is not None else [""] * len(chain)
        return list(zip(self.nm.addresses(_a(keys, np.uint64), chain), [names.CHAINS[c] for c in chain.tolist()],
                        labels))

    def transfers(self, frm, to, usd, asset, t):
        amt, amt_usd = names.amounts(usd, asset, t)
        return list(zip(self._tx_ids(len(amt)), self.nm.account_ids(frm), self.nm.account_ids(to), amt,
                        [names.ASSETS[a] for a in _a(asset).tolist()], names.times(t), amt_usd))

    def deposits(self, wkeys, chain, acct, usd, asset, t):
        amt, amt_usd = names.amounts(usd, asset, t)
        chain = _a(chain)
        return list(zip(self._tx_ids(len(amt)), self.nm.addresses(_a(wkeys, np.uint64), chain),
                        self.nm.account_ids(acct), amt, [names.ASSETS[a] for a in _a(asset).tolist()],
                        names.times(t), amt_usd, names.tx_hashes(self.rng, len(amt)),
                        [names.CHAINS[c] for c in chain.tolist()]))

    def withdrawals(self, acct, wkeys, chain, usd, asset, t):
        amt, amt_usd = names.amounts(usd, asset, t)
        chain = _a(chain)
        return list(zip(self._tx_ids(len(amt)), self.nm.account_ids(acct),
                        self.nm.addresses(_a(wkeys, np.uint64), chain), amt,
                        [names.ASSETS[a] for a in _a(asset).tolist()], names.times(t), amt_usd,
                        names.tx_hashes(self.rng, len(amt)), [names.CHAINS[c] for c in chain.tolist()]))

    def onchain(self, fkeys, tkeys, chain, usd, asset, t):
        amt, amt_usd = names.amounts(usd, asset, t)
        chain = _a(chain)
        return list(zip(names.tx_hashes(self.rng, len(amt)), self.nm.addresses(_a(fkeys, np.uint64), chain),
                        self.nm.addresses(_a(tkeys, np.uint64), chain), amt,
                        [names.ASSETS[a] for a in _a(asset).tolist()], names.times(t), amt_usd,
                        [names.CHAINS[c] for c in chain.tolist()]))


# Raw planted rows are tuples: the owning account (which chunk the row is written with),
# then the arguments of the matching Fmt method, in order (identifier rows leave out the
# account: it is the owner).
RAW_FIELDS = {
    "account_devices": 5, "account_ips": 6, "account_phones": 3, "account_emails": 4,
    "account_documents": 3, "wallets": 3, "transfers": 5, "deposits": 6, "withdrawals": 6, "onchain": 6,
}


def format_raw(fmt: Fmt, kind: str, raw: list[tuple]) -> tuple[np.ndarray, list[tuple]]:
    """Raw planted rows -> (owner per row, formatted rows)."""
    if not raw:
        return np.zeros(0, np.int64), []
    owner = np.array([r[0] for r in raw], np.int64)
    cols = list(zip(*[r[1:] for r in raw]))
    method = {"account_devices": fmt.devices, "account_ips": fmt.ips, "account_phones": fmt.phones,
              "account_emails": fmt.emails, "account_documents": fmt.documents, "wallets": fmt.wallets,
              "transfers": fmt.transfers, "deposits": fmt.deposits, "withdrawals": fmt.withdrawals,
              "onchain": fmt.onchain}[kind]
    if kind == "wallets":
        return owner, method(np.array(cols[0], np.int64), cols[1], list(cols[2]))
    cols = [np.array(c) for c in cols]
    if kind.startswith("account_"):          # identifier rows: the owner is the account
        cols.insert(0, owner)
    return owner, method(*cols)
