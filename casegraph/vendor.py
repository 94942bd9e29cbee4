"""Vendor intelligence: address labels from blockchain-analytics vendors (the `vendor_labels`
kind) and what the detections make of them.

A label lists its wallet on the watchlist `vendor:<category>` with the vendor as the
listing's list_source and the category, entity and confidence on the LISTED_ON
(cypher/load/load_vendor_labels.cypher), so every reader of the watchlists sees it. What a
category weighs is decided here, once:

- `weight`: a labelled wallet's share of the exposure walk's restart mass (times the label's
  confidence; an entry of any other watchlist weighs 1.0). 0: never a seed (an exchange's
  wallet is context, not a risk).
- `hold`: a payment to a wallet with a label of this category holds in transfer_risk, and
  the category seeds scammer_links' walk by default and transfer_risk's hop walk; the other
  categories (mixer, gambling, other) only add to a transfer's score.

The categories are the loader's closed list (loaders/canonical.yaml `values`); `table()`
checks that both name the same ones."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable

from casegraph.errors import ModelError, ParameterError

PREFIX = "vendor:"            # a vendor label's watchlist is PREFIX + category
WATCHLIST = "watchlist"       # in a `categories` parameter: entries of every other watchlist
# category: (weight, holds a transfer)
CATEGORIES: dict[str, tuple[float, bool]] = {
    "sanctions": (1.0, True),
    "terrorist_financing": (1.0, True),
    "ransomware": (1.0, True),
    "child_abuse": (1.0, True),
    "scam": (1.0, True),
    "stolen_funds": (0.9, True),
    "darknet_market": (0.8, True),
    "fraud_shop": (0.8, True),
    "mixer": (0.5, False),
    "gambling": (0.2, False),
    "exchange": (0.0, False),
    "other": (0.2, False),
}
SCORE_ONLY = 0.3              # the most a score-only label adds to a transfer's score (x weight x confidence)


@lru_cache(maxsize=1)
def table() -> dict[str, tuple[float, bool]]:
    """CATEGORIES, checked against the loader's closed list of categories."""
    from casegraph.loaders.kinds import kinds
    loaded = set(kinds()["vendor_labels"].values["category"])
    if loaded != set(CATEGORIES):
        raise ModelError(f"vendor categories differ: canonical.yaml has {sorted(loaded ^ set(CATEGORIES))} "
                         "that casegraph/vendor.py CATEGORIES has not, or the other way round")
    return CATEGORIES


def holds(category: str | None) -> bool:
    """A label of this category holds a transfer (None: an entry of another watchlist, which does)."""
    return True if category is None else table()[category][1]


def weight(category: str | None, confidence: float | None = None) -> float:
    """A listing's restart weight: 1.0 for another watchlist's entry, else the category's
    weight times the label's confidence (1.0 when the vendor gave none)."""
    if category is None:
        return 1.0
    return table()[category][0] * (1.0 if confidence is None else float(confidence))


def categories_param(text: str | None, where: str) -> frozenset[str] | None:
    """A `categories` parameter (a comma list of categories and/or `watchlist`) -> the set,
    or None when not given. ParameterError naming the unknown ones."""
    if text is None or not str(text).strip():
        return None
    from casegraph.loaders.kinds import normal_value
    asked = {normal_value(c) for c in str(text).split(",") if c.strip()}
    unknown = sorted(asked - set(table()) - {WATCHLIST})
    if unknown:
        raise ParameterError(f"{where}: categories: unknown {', '.join(unknown)} (known: {WATCHLIST}, "
                             f"{', '.join(table())})")
    return frozenset(asked)


def default_hold() -> frozenset[str]:
    """Every other watchlist and the categories that hold."""
    return frozenset({WATCHLIST, *(c for c, (_, h) in table().items() if h)})


def context_categories() -> list[str]:
    """Categories of weight 0 (exchange): they describe a wallet, they flag nothing."""
    return sorted(c for c, (w, _) in table().items() if w == 0)


def keeps(row: dict[str, Any], categories: Iterable[str] | None) -> bool:
    """Is this listing (a scammer_links_seeds row) a seed? Not a weight-0 label; with
    `categories`, only listings of those categories (`watchlist`: another list's entry)."""
    category = row.get("category")
    if category is not None and weight(category, row.get("confidence")) <= 0:
        return False
    return categories is None or (category or WATCHLIST) in categories


def label_text(label: dict[str, Any], vendor_first: bool = False) -> str:
    """'sanctions by ExampleVendor (Example Group, confidence 0.95)', or with `vendor_first`
    'ExampleVendor: sanctions (Example Group, confidence 0.95)' (the explorer's details)."""
    extra = [x for x in (label.get("entity"),
                         f"confidence {label['confidence']:g}" if label.get("confidence") is not None else None) if x]
    tail = f" ({', '.join(extra)})" if extra else ""
    who = label.get("vendor") or "unknown vendor"
    return f"{who}: {label['category']}{tail}" if vendor_first else f"{label['category']} by {who}{tail}"
