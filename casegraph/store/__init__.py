"""The graph store: the one API the rest of casegraph uses to reach the graph.

    store = open_store(Settings.load(db="embedded:./casegraph-data"))
    store.read("find_account", {"account_id": "A000000001"})   # named query, read-only
    store.write("load_accounts", {"rows": [...], ...})         # named query, write

Every call says whether it reads or writes, and the query's header must agree."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

from casegraph.catalogue import Catalogue, catalogue
from casegraph.cyphertext import check_user_cypher
from casegraph.errors import ConfigError, ParameterError, QueryError
from casegraph.model import model
from casegraph.settings import Settings
from casegraph.store.base import Backend
from casegraph.store.result import Node, Path, Relationship, Result, json_safe, plain

__all__ = ["GraphStore", "open_store", "Result", "Node", "Relationship", "Path", "json_safe", "plain"]


class GraphStore:
    def __init__(self, backend: Backend, settings: Settings, queries: Catalogue | None = None):
        self.backend = backend
        self.settings = settings
        self.queries = queries or catalogue(settings.queries_dir)

    @property
    def dialect(self) -> str:
        return self.backend.dialect

    def read(self, name: str, params: dict[str, Any] | None = None, *,
             timeout_ms: int | None = None, row_limit: int | None = None) -> Result:
        """Run a read query from the catalogue, read-only on the server."""
        q = self.queries.get(name)
        if q.mode != "read":
            raise QueryError(f"query {name} writes; use write() for it")
        with _sendable():
            return self.backend.run(q.text_for(self.dialect), q.bind(params or {}), write=False,
                                    timeout_ms=_limit("time limit (ms)", timeout_ms) or self.settings.query_timeout_ms,
                                    row_limit=_limit("row limit", row_limit))

    def write(self, name: str, params: dict[str, Any] | None = None) -> Result:
        """Run a write query from the catalogue (no time limit: loads must finish)."""
        q = self.queries.get(name)
        if q.mode != "write":
            raise QueryError(f"query {name} is declared read; use read() for it")
        with _sendable():
            return self.backend.run(q.text_for(self.dialect), q.bind(params or {}), write=True)

    def read_cypher(self, text: str, params: dict[str, Any] | None = None, *,
                    timeout_ms: int | None = None, row_limit: int | None = None) -> Result:
        """Run user-supplied Cypher: refused before it reaches the database if it
        writes, then run read-only with the time and row limits."""
        check_user_cypher(text, self.settings.query_max_chars)
        with _sendable():
            self.backend.check_parse(text, params or {})
            return self.backend.run(text, params or {}, write=False,
                                    timeout_ms=_limit("time limit (ms)", timeout_ms) or self.settings.query_timeout_ms,
                                    row_limit=_limit("row limit", row_limit) or self.settings.row_limit)

    def with_timeout(self, timeout_ms: int) -> "GraphStore":
        """The same connection with another default time limit for reads (built-in batch
        jobs such as detections get a longer one than user queries)."""
        from dataclasses import replace
        return GraphStore(self.backend, replace(self.settings, query_timeout_ms=timeout_ms), self.queries)

    def ensure_schema(self) -> list[str]:
        return self.backend.ensure_schema(model())

    def refresh_statistics(self) -> None:
        self.backend.refresh_statistics()

    def counts(self) -> dict[str, dict[str, int]]:
        """Nodes per label and relationships per type (labels and types from the model)."""
        m = model()
        nodes = {label: self._count(f"MATCH (n:`{label}`) RETURN count(n) AS n") for label in m.nodes}
        rels = {t: self._count(f"MATCH ()-[r:`{t}`]->() RETURN count(r) AS n") for t in m.relationships}
        return {"nodes": nodes, "relationships": rels}

    def _count(self, text: str) -> int:
        res = self.backend.run(text, {}, write=False, timeout_ms=self.settings.query_timeout_ms)
        return int(res.rows[0]["n"]) if res.rows else 0

    def schema(self) -> list[dict[str, Any]]:
        """Every index the model asks for, with what the database has for it: kind
        (constraint | index) and state, or "missing"."""
        have = {(i["entity"], i["name"], i["property"]): i for i in self.backend.schema()}
        out = []
        for index in model().schema:
            found = have.get((index.entity, index.name, index.property))
            out.append({"entity": index.entity, "name": index.name, "property": index.property,
                        "unique": index.unique, "kind": found["kind"] if found else "missing",
                        "state": found["state"] if found else ""})
        return out

    def health(self, timeout_ms: int = 5000) -> dict[str, str]:
        """The backend and its version once the server answers a trivial read (for health
        checks: no graph scan); raises when it does not."""
        self.backend.run("RETURN 1 AS ok", {}, write=False, timeout_ms=timeout_ms)
        return {"backend": self.dialect, "version": self.backend.version()}

    def status(self) -> dict[str, Any]:
        return {"backend": self.backend.describe(), "version": self.backend.version(), **self.counts(),
                "schema": self.schema()}

    def close(self) -> None:
        self.backend.close()

    def __enter__(self) -> "GraphStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@contextmanager
def _sendable():
    """Text that is not valid Unicode (an unpaired surrogate, which JSON can carry) cannot be
    sent to any database: bad input, said so, not a database error."""
    try:
        yield
    except UnicodeEncodeError as e:
        raise ParameterError("a text parameter or the query is not valid Unicode (an unpaired surrogate)") from e


def _limit(what: str, value: int | None) -> int | None:
    """A caller's time or row limit: None (the default applies) or a whole number >= 1."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise QueryError(f"the {what} must be a whole number of at least 1, not {value!r}")
    return value


def embedded_dir(uri: str) -> str | None:
    """The data folder of an embedded: URI, else None."""
    return (uri[len("embedded:"):] or "./casegraph-data") if uri.startswith("embedded:") else None


def open_backend(settings: Settings) -> Backend:
    """The backend the settings' URI names; connection problems are ConnectionFailed."""
    uri = settings.db
    folder = embedded_dir(uri)
    if folder is not None:
        from casegraph.store.embedded import ensure_server
        from casegraph.store.falkordb import FalkorDBBackend
        def running() -> tuple[str, int, str]:
            now = ensure_server(folder)
            return now.host, now.port, now.password
        host, port, password = running()
        return FalkorDBBackend(host, port, settings.graph, password, where=uri, owns_server=True, server=running)
    parts = urlsplit(uri)
    if parts.scheme in ("falkordb", "falkordbs", "redis"):
        from casegraph.store.falkordb import FalkorDBBackend
        graph = parts.path.strip("/") or settings.graph
        return FalkorDBBackend(parts.hostname or "127.0.0.1", parts.port or 6379, graph,
                               unquote(parts.password) if parts.password else None,
                               where=f"falkordb://{parts.hostname}:{parts.port or 6379}")
    if parts.scheme in ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"):
        from casegraph.store.neo4j import Neo4jBackend
        user = unquote(parts.username) if parts.username else settings.neo4j_user
        password = unquote(parts.password) if parts.password else settings.neo4j_password
        clean = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        database = parts.path.strip("/") or (settings.graph if settings.graph != "casegraph" else None)
        return Neo4jBackend(clean, user, password, database)
    raise ConfigError(f"unknown database URI {uri!r}: use embedded:<dir>, falkordb://host:port, "
                      "bolt://host:port, neo4j://host:port or neo4j+s://host")


def open_store(settings: Settings | None = None) -> GraphStore:
    settings = settings or Settings.load()
    return GraphStore(open_backend(settings), settings)
