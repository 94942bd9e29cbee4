"""Rows that repeat a key within one load. A repeat with the same values (or one that only
fills in fields the first row left empty) is the same element, loaded once, as MERGE does.
A repeat that gives a field a different non-empty value is a conflict: two transfers with
one tx_id are two different events, and folding the second into the first would lose one
without a word. Conflicts are rejected row by row (or, with `on_conflict: keep`, kept as an
event of their own under a generated id) and counted in the load's summary.

Kinds with combine rules (account_devices, account_ips: first_seen min, last_seen max) are
observations of use, not events: repeating them is how they are built, never a conflict.
Kinds whose rows are all key (account_phones, account_emails) cannot conflict and are not
tracked. Memory: about 100 bytes per distinct key of the kinds that are tracked (a 64-bit
hash of the key, 4-byte hashes of each field, where it was first seen): 10 million transfers
in one load hold about 1 GB. Conflicts with what earlier loads wrote are not checked here."""
from __future__ import annotations

import struct
from typing import Any

from casegraph.loaders.kinds import Kind

_HEAD = struct.Struct("<HQ")       # file index, position of the first row with the key


def _h(v: Any) -> int:
    if v is None:
        return 0
    if isinstance(v, dict):
        v = tuple(sorted(v.items())) if v else None
        if v is None:
            return 0
    return (hash(v) & 0xFFFFFFFF) or 1


class Conflicts:
    """The keys one kind's rows have given so far in this load, across its files."""

    def __init__(self, kind: Kind, kept: bool = False):
        self.kind = kind
        self.fields = [] if kind.combine else [c.name for c in kind.columns if c.name not in kind.key]
        if self.fields and kept:
            self.fields.append("extra")
        self._sig = struct.Struct(f"<{len(self.fields)}I")
        self._seen: dict[int, bytes] = {}
        self._files: list[str] = []

    def _file(self, name: str) -> int:
        if name not in self._files:
            self._files.append(name)
        return self._files.index(name)

    def check(self, row: dict[str, Any], file: str, position: int) -> str | None:
        """None when the row is new or agrees with the earlier row of its key; else what differs."""
        if not self.fields:
            return None
        key = hash(tuple(row.get(k) for k in self.kind.key))
        sig = [_h(row.get(f)) for f in self.fields]
        prev = self._seen.get(key)
        if prev is None:
            self._seen[key] = _HEAD.pack(self._file(file), position) + self._sig.pack(*sig)
            return None
        where, first = _HEAD.unpack_from(prev)
        old = self._sig.unpack_from(prev, _HEAD.size)
        differ = [f for f, a, b in zip(self.fields, old, sig) if a and b and a != b]
        if differ:
            names = ", ".join("kept columns" if f == "extra" else f for f in differ)
            ident = ", ".join(f"{k} {row.get(k)!r}" for k in self.kind.key if row.get(k) is not None)
            return (f"repeats {ident} of {self._files[where]} {_word(self._files[where])} {first} with a "
                    f"different {names}")
        if any(not a and b for a, b in zip(old, sig)):     # fills in fields: later comparisons see them
            merged = [a or b for a, b in zip(old, sig)]
            self._seen[key] = prev[:_HEAD.size] + self._sig.pack(*merged)
        return None


def _word(file: str) -> str:
    return "row" if file.lower().endswith((".parquet", ".pq")) else "line"
