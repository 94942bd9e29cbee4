"""Sums of money that never call a non-USD amount "USD".

A movement's USD value (amount_usd) is either mapped from the file or computed at load
from a rates table (loaders/rates.py); some movements have none. A `Money` sum adds the
USD values where they exist and, for movements without one, the amounts per asset:
"1,200.00 USD + 1,250 USDT + 0.4 BTC". Assets are grouped case-insensitively and shown
upper-cased. Detections, the explorer, evidence packages and KPIs format figures with it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

NO_ASSET = "?"     # an amount whose asset is not known


def asset_of(asset: Any) -> str:
    """An asset symbol as sums group it: trimmed, upper case; NO_ASSET when empty."""
    s = str(asset).strip().upper() if asset is not None else ""
    return s or NO_ASSET


def number(value: Any) -> float | None:
    """A stored amount as a float; None for a missing, non-numeric, boolean or non-finite value
    (used wherever amounts are summed or shown: here and in casegraph/graph.py)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


@dataclass
class Money:
    """A sum: `usd` over the parts that have a USD value, `assets` (asset -> amount) over the
    parts that have none."""
    usd: float = 0.0
    assets: dict[str, float] = field(default_factory=dict)
    usd_parts: int = 0           # how many parts had a USD value

    def add(self, amount_usd: Any = None, amount: Any = None, asset: Any = None) -> "Money":
        """One movement: its USD value when it has one, else its amount in its asset."""
        usd = number(amount_usd)
        if usd is not None:
            self.usd += usd
            self.usd_parts += 1
            return self
        amt = number(amount)
        if amt is not None:
            key = asset_of(asset)
            self.assets[key] = self.assets.get(key, 0.0) + amt
        return self

    def add_assets(self, pairs: Iterable[Any]) -> "Money":
        """Amounts without a USD value as [asset, amount] pairs (what the queries collect)."""
        for pair in pairs or ():
            if pair is not None:
                self.add(None, pair[1], pair[0])
        return self

    def __iadd__(self, other: "Money") -> "Money":
        self.usd += other.usd
        self.usd_parts += other.usd_parts
        for k, v in other.assets.items():
            self.assets[k] = self.assets.get(k, 0.0) + v
        return self

    def __add__(self, other: "Money") -> "Money":
        out = Money(self.usd, dict(self.assets), self.usd_parts)
        out += other
        return out

    @property
    def usd_only(self) -> bool:
        """Every part had a USD value (the sum is a plain USD figure)."""
        return not self.assets

    def __bool__(self) -> bool:
        return bool(self.usd) or any(self.assets.values())

    def text(self) -> str:
        """"1,200.00 USD + 1,250 USDT + 0.4 BTC"; "0.00 USD" when nothing moved."""
        parts = [f"{self.usd:,.2f} USD"] if self.usd or self.usd_parts or not self.assets else []
        parts += [f"{amount_text(v)} {k}" for k, v in sorted(self.assets.items())]
        return " + ".join(parts)

    __str__ = text

    def as_dict(self) -> dict[str, Any]:
        """For machine-readable output: {"usd": ..., "assets": {asset: amount}}."""
        return {"usd": round(self.usd, 2), "assets": {k: _round(v) for k, v in sorted(self.assets.items())}}


def _round(x: float) -> float:
    return float(f"{x:.8g}") if x else 0.0


def amount_text(x: float) -> str:
    """An amount in an asset: thousands separated, up to 8 decimals, no trailing zeros."""
    s = f"{x:,.8f}".rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def movement_text(amount_usd: Any, amount: Any, asset: Any) -> str:
    """One movement: "1,200.00 USD" with a USD value, "0.02 BTC" without one."""
    return Money().add(amount_usd, amount, asset).text()


def total(rows: Iterable[dict[str, Any]], usd: str = "amount_usd", amount: str = "amount",
          asset: str = "asset") -> Money:
    """The Money sum of rows holding a USD value, an amount and an asset."""
    m = Money()
    for r in rows:
        m.add(r.get(usd), r.get(amount), r.get(asset))
    return m
