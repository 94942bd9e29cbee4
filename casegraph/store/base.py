"""What every graph-database backend provides. Only backends import a database client."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from casegraph.model import Model
from casegraph.store.result import Result


class Backend(ABC):
    """A connection to one graph. `dialect` picks query overrides in cypher/<dialect>/."""

    dialect: str = ""

    @abstractmethod
    def run(self, text: str, params: dict[str, Any], *, write: bool,
            timeout_ms: int | None = None, row_limit: int | None = None) -> Result:
        """Run one statement. Reads run read-only on the server; `row_limit` cuts
        the result (and sets Result.truncated) without fetching everything."""

    def check_parse(self, text: str, params: dict[str, Any]) -> None:
        """Refuse (QueryError) user-supplied Cypher whose parse this engine cannot bound by the
        query's time limit, before it reaches the graph. Nothing to do where it can."""

    @abstractmethod
    def ensure_schema(self, model: Model) -> list[str]:
        """Create missing indexes/constraints on every key property; return what was created."""

    def refresh_statistics(self) -> None:
        """Bring the query planner's statistics up to date with the data and drop plans made
        from older ones. Loads call it before and after they write: a planner that still
        believes a relationship type is empty picks a scan over every relationship per row
        (Neo4j did, for MERGE, after a first load). Nothing to do where plans do not depend
        on sampled statistics."""

    @abstractmethod
    def schema(self) -> list[dict[str, Any]]:
        """The indexes and constraints in the database: entity ("node" | "relationship"), name
        (label or type), property, kind ("constraint" | "index"), state (e.g. ONLINE)."""

    @abstractmethod
    def version(self) -> str:
        """The server's product and version, e.g. 'FalkorDB 4.16.3'."""

    @abstractmethod
    def describe(self) -> str:
        """Where this backend points, without secrets (for status and evidence manifests)."""

    def bulk_writer(self):
        """A writer that builds a new graph in bulk for a first load into an empty graph
        (see loaders/bulk.py), or None when this backend has none: loads then MERGE."""
        return None

    def close(self) -> None:
        """Release connections."""
