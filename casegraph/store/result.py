"""One result shape for every backend: rows plus the graph elements in them."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from casegraph.errors import QueryError


@dataclass(frozen=True)
class Node:
    id: str
    labels: tuple[str, ...]
    properties: dict[str, Any]

    @property
    def label(self) -> str:
        return self.labels[0] if self.labels else ""


@dataclass(frozen=True)
class Relationship:
    id: str
    type: str
    start: str
    end: str
    properties: dict[str, Any]


@dataclass(frozen=True)
class Path:
    nodes: tuple[Node, ...]
    relationships: tuple[Relationship, ...]


@dataclass
class Result:
    """Rows as dicts (graph values as Node/Relationship/Path), and every node and
    relationship that appears anywhere in them, by id."""
    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    nodes: dict[str, Node] = field(default_factory=dict)
    relationships: dict[str, Relationship] = field(default_factory=dict)
    truncated: bool = False
    stats: dict[str, int] = field(default_factory=dict)

    def first(self) -> dict[str, Any] | None:
        return self.rows[0] if self.rows else None

    def single_value(self) -> Any:
        if len(self.rows) != 1 or len(self.columns) != 1:
            raise QueryError(f"expected one row with one column, got {len(self.rows)} row(s) "
                             f"and columns {self.columns}")
        return self.rows[0][self.columns[0]]

    def column(self, name: str) -> list[Any]:
        return [r[name] for r in self.rows]

    def collect(self, value: Any) -> Any:
        """Register the graph elements inside `value` and return it unchanged."""
        if isinstance(value, Node):
            self.nodes.setdefault(value.id, value)
        elif isinstance(value, Relationship):
            self.relationships.setdefault(value.id, value)
        elif isinstance(value, Path):
            for n in value.nodes:
                self.nodes.setdefault(n.id, n)
            for r in value.relationships:
                self.relationships.setdefault(r.id, r)
        elif isinstance(value, list):
            for v in value:
                self.collect(v)
        elif isinstance(value, dict):
            for v in value.values():
                self.collect(v)
        return value


def plain(value: Any) -> Any:
    """A value made JSON-friendly: graph elements become dicts."""
    if isinstance(value, Node):
        return {"id": value.id, "labels": list(value.labels), "properties": value.properties}
    if isinstance(value, Relationship):
        return {"id": value.id, "type": value.type, "start": value.start, "end": value.end,
                "properties": value.properties}
    if isinstance(value, Path):
        return {"nodes": [plain(n) for n in value.nodes],
                "relationships": [plain(r) for r in value.relationships]}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def json_safe(value: Any) -> Any:
    """plain(value) as strict JSON takes it: NaN and infinities become None, and values of
    other types (a driver's dates and times, points) their text."""
    value = plain(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    return str(value)
