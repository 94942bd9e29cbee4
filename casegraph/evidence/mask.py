"""Masking personal data for cross-agency sharing: emails, phones and identity documents
become stable pseudonyms ("Email-3f9a1c2b04") = HMAC-SHA256(mask key, label + value),
so the same value gets the same pseudonym in every file and in every package made with
the same key, and the graph stays readable. Account ids, wallet addresses, IPs and
devices stay as they are (docs/evidence.md says why)."""
from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from casegraph.model import model
from casegraph.state import shared_key

MASKED = ("Email", "Phone", "Document")
DIGITS = 10                     # hex digits of a pseudonym
KEY_FILE = "evidence-mask.key"  # next to the state store when settings.mask_key is empty


def mask_key(settings) -> bytes:
    """settings.mask_key, or a random key generated once and kept next to the state store
    (state.shared_key: a file of mode 0600 beside SQLite, a row in PostgreSQL; shared by
    every process on that state)."""
    if settings.mask_key:
        return settings.mask_key.encode("utf-8")
    return shared_key(settings, KEY_FILE, "mask key").encode("utf-8")


def pseudonym(key: bytes, label: str, value: Any) -> str:
    """The pseudonym of `value` of kind `label` ("Email", "Phone", "Document")."""
    digest = hmac.new(key, f"{label}:{value}".encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{label}-{digest[:DIGITS]}"


class Masker:
    """Replaces every raw email, phone and document id found in the elements, in any
    string (ids, labels, properties, query parameters) by its pseudonym."""

    def __init__(self, key: bytes, elements: list[dict[str, Any]]):
        self.key = key
        self.map: dict[str, str] = {}
        for e in elements:
            d = e["data"]
            if d.get("kind") in MASKED and "source" not in d:
                raw = str(d.get("key") if d.get("key") is not None else
                          d.get("props", {}).get(model().nodes[d["kind"]].key))
                self.map[raw] = pseudonym(key, d["kind"], raw)
        # longest first, so a value that contains another is replaced whole
        self._pattern = re.compile("|".join(re.escape(v) for v in sorted(self.map, key=len, reverse=True))) \
            if self.map else None

    @property
    def kinds(self) -> list[str]:
        return list(MASKED)

    def text(self, value: str) -> str:
        if self._pattern is None:
            return value
        return self._pattern.sub(lambda m: self.map[m.group(0)], value)

    def value(self, value: Any) -> Any:
        """Any JSON-like value with every masked string replaced (keys of maps too)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.value(v) for v in value)
        if isinstance(value, dict):
            return {self.value(k) if isinstance(k, str) else k: self.value(v) for k, v in value.items()}
        return value


def mask_elements(masker: Masker, elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The elements with masked values replaced everywhere (ids, keys, labels, properties).
    A masked node's label is its pseudonym: the explorer's label is a shortened key, which
    the exact-value replacement would not catch."""
    out = masker.value(elements)
    for e in out:
        d = e["data"]
        if d.get("kind") in MASKED and "source" not in d:
            d["label"] = d["key"]
    return out
