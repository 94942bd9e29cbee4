"""The canonical file kinds, read from canonical.yaml: their columns, types and
the write queries each valid row goes through."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from casegraph.catalogue import catalogue
from casegraph.errors import ModelError

COLUMN_TYPES = {"string", "int", "float", "time", "bool"}
DATA_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet",
                 ".jsonl": "jsonl", ".ndjson": "jsonl"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool


@dataclass(frozen=True)
class Write:
    query: str
    when: str | None = None


@dataclass(frozen=True)
class Kind:
    name: str
    order: int
    columns: tuple[Column, ...]
    writes: tuple[Write, ...]
    require_one: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    combine: dict[str, str] = field(default_factory=dict)
    id: str | None = None          # the field that is the row's own id (tx_id ...): `id:` in a mapping
    extras: str | None = None      # the write query that sets kept columns (`keep:` in a mapping)
    extras_on: str | None = None   # the label or relationship type that query sets them on
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)    # column -> its closed list
    range: dict[str, tuple[float, float]] = field(default_factory=dict)  # column -> (lowest, highest)

    def merge(self, old: dict, new: dict) -> dict:
        """Two rows with the same key, as one: later non-empty values win, except
        where `combine` says min or max."""
        out = dict(old)
        for name, value in new.items():
            if value is None:
                continue
            rule, prev = self.combine.get(name), out.get(name)
            if isinstance(value, dict) and isinstance(prev, dict):
                out[name] = {**prev, **value}      # kept columns: later values fill in, never erase
            elif prev is None or rule is None:
                out[name] = value
            elif rule == "min":
                out[name] = min(prev, value)
            else:
                out[name] = max(prev, value)
        return out

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def check(self, row: dict) -> tuple[str, str] | None:
        """A typed row against `values` and `range`: None when it passes, else (column,
        message). A listed column's text is normalised in the row (lower case, spaces and
        hyphens as _), so an export's "Darknet Market" is darknet_market."""
        for name, allowed in self.values.items():
            v = row.get(name)
            if v is None:
                continue
            norm = normal_value(v)
            if norm not in allowed:
                return name, f"{v!r} is not one of {', '.join(allowed)} (map other values with `map:` in a mapping)"
            row[name] = norm
        for name, (lo, hi) in self.range.items():
            v = row.get(name)
            if v is not None and not lo <= v <= hi:
                return name, f"{v!r} is outside {lo:g}..{hi:g}"
        return None


def normal_value(v) -> str:
    """A value of a closed list as compared: lower case, runs of spaces and hyphens as _."""
    return re.sub(r"[\s-]+", "_", str(v).strip().lower())


def parse_kinds(doc: dict) -> dict[str, Kind]:
    kinds = {}
    for name, spec in doc["kinds"].items():
        cols = []
        for col, typ in spec["columns"].items():
            required = typ.endswith("!")
            typ = typ.rstrip("!")
            if typ not in COLUMN_TYPES:
                raise ModelError(f"canonical kind {name}: column {col} has unknown type {typ}")
            cols.append(Column(col, typ, required))
        writes = tuple(Write(w["query"], w.get("when")) for w in spec["writes"])
        extras = spec.get("extras") or {}
        kind = Kind(name, int(spec.get("order", 50)), tuple(cols), writes, tuple(spec.get("require_one", ())),
                    tuple(spec.get("key", ())), dict(spec.get("combine") or {}), spec.get("id"),
                    extras.get("query"), extras.get("target"))
        for col, allowed in (spec.get("values") or {}).items():
            if not kind.column(col) or not isinstance(allowed, list) or not allowed:
                raise ModelError(f"canonical kind {name}: values needs a known column and a list, not {col}")
            kind.values[col] = tuple(normal_value(a) for a in allowed)
        for col, bounds in (spec.get("range") or {}).items():
            c = kind.column(col)
            if not c or c.type not in ("int", "float") or not isinstance(bounds, list) or len(bounds) != 2:
                raise ModelError(f"canonical kind {name}: range needs a number column and [lowest, highest], not {col}")
            kind.range[col] = (float(bounds[0]), float(bounds[1]))
        if kind.id and kind.id not in kind.key:
            raise ModelError(f"canonical kind {name}: its id {kind.id} must be part of its key")
        for col in (*kind.key, *kind.combine):
            if not kind.column(col):
                raise ModelError(f"canonical kind {name}: key/combine names unknown column {col}")
        if set(kind.combine.values()) - {"min", "max"}:
            raise ModelError(f"canonical kind {name}: combine rules are min or max")
        if not kind.key:
            raise ModelError(f"canonical kind {name}: needs a key")
        for w in writes:
            if w.when and not kind.column(w.when):
                raise ModelError(f"canonical kind {name}: write {w.query} depends on unknown column {w.when}")
        kinds[name] = kind
    return kinds


@lru_cache(maxsize=1)
def kinds() -> dict[str, Kind]:
    """The canonical kinds; every write they name must be a write query in the catalogue."""
    text = resources.files("casegraph.loaders").joinpath("canonical.yaml").read_text(encoding="utf-8")
    found = parse_kinds(yaml.safe_load(text))
    cat = catalogue()
    for kind in found.values():
        for q in [w.query for w in kind.writes] + ([kind.extras] if kind.extras else []):
            if cat.get(q).mode != "write":
                raise ModelError(f"canonical kind {kind.name}: {q} is not a write query")
    return found


def file_format(path: Path) -> str | None:
    """csv, parquet or jsonl from the suffix (a trailing .gz is allowed for csv/jsonl)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return DATA_SUFFIXES.get(suffixes[-1]) if suffixes else None


def kind_of(path: Path) -> Kind | None:
    """The canonical kind a file's name announces: accounts.csv, accounts_2024-01.parquet,
    accounts.part3.jsonl ... (the longest kind name that starts the stem wins)."""
    stem = path.name.split(".")[0].lower()
    best = None
    for name, kind in kinds().items():
        if stem == name or re.match(rf"^{re.escape(name)}[-_.\d]", stem):
            if best is None or len(name) > len(best.name):
                best = kind
    return best
