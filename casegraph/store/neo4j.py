"""Neo4j backend (5.x / 2025.x, single server, cluster or Aura) through the official driver.
Reads run in read transactions routed to readers; writes in write transactions."""
from __future__ import annotations

from typing import Any

import neo4j
from neo4j import exceptions as nx

from casegraph.errors import ConnectionFailed, QueryError, QueryTimeout, StoreError
from casegraph.model import Model
from casegraph.store.base import Backend
from casegraph.store.result import Node, Path, Relationship, Result

STATISTICS_WAIT_S = 300      # what refresh_statistics waits for index resampling at most

_COUNTERS = ("nodes_created", "nodes_deleted", "relationships_created", "relationships_deleted",
             "properties_set")


class Neo4jBackend(Backend):
    dialect = "neo4j"

    def __init__(self, uri: str, user: str, password: str, database: str | None = None):
        self._uri = uri
        self._database = database or None
        try:
            # deprecation notices are for the templates' authors (tests/test_cypher_lint.py runs
            # Neo4j's linter over them), not a warning on every query a user runs; nor "label
            # does not exist" (UNRECOGNIZED): every label comes from the model, and an empty or
            # partly loaded database simply has none of some yet (a first load reads Rate nodes)
            self._driver = neo4j.GraphDatabase.driver(
                uri, auth=(user, password), notifications_disabled_classifications=["DEPRECATION", "UNRECOGNIZED"])
            self._driver.verify_connectivity()
        except nx.AuthError as e:
            raise ConnectionFailed(f"Neo4j at {uri} refused user {user!r}: set NEO4J_USER and "
                                   "NEO4J_PASSWORD (or put them in the URI)") from e
        except (nx.ServiceUnavailable, nx.DriverError, OSError, ValueError) as e:
            why = " ".join(str(e).split())       # the driver's message spans lines
            raise ConnectionFailed(f"cannot reach Neo4j at {uri} ({why}); is the server running? "
                                   "With Docker: docker compose up -d neo4j") from e

    def describe(self) -> str:
        return f"{self._uri} database={self._database or '(default)'}"

    def version(self) -> str:
        rec = self._driver.execute_query("CALL dbms.components() YIELD name, versions, edition "
                                         "RETURN name, versions[0] AS v, edition",
                                         database_=self._database, routing_=neo4j.RoutingControl.READ)
        r = rec.records[0]
        return f"{r['name']} {r['v']} {r['edition']}"

    def run(self, text: str, params: dict[str, Any], *, write: bool,
            timeout_ms: int | None = None, row_limit: int | None = None) -> Result:
        # The driver keeps each query's parameters in its result summary, inside reference
        # cycles that only Python's full garbage collection frees: a load's batches would pile
        # up until then (memory growing with the file). It gets lists of its own, emptied after.
        sent = {k: list(v) if isinstance(v, list) else v for k, v in params.items()}

        # a managed transaction's time limit is set on its function (tx.run takes no Query)
        @neo4j.unit_of_work(timeout=timeout_ms / 1000 if timeout_ms else None)
        def work(tx):
            res = tx.run(text, sent)
            out = Result(columns=list(res.keys()))
            for i, record in enumerate(res):
                if row_limit is not None and i >= row_limit:
                    out.truncated = True
                    break
                out.rows.append({k: out.collect(_value(v)) for k, v in record.items()})
            counters = res.consume().counters
            out.stats = {name: int(getattr(counters, name)) for name in _COUNTERS}
            return out

        access = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
        try:
            with self._driver.session(database=self._database, default_access_mode=access) as session:
                return session.execute_write(work) if write else session.execute_read(work)
        except nx.ClientError as e:
            code = e.code or ""
            if "TransactionTimedOut" in code or "Timeout" in code:
                raise QueryTimeout(f"the query ran past its time limit of {timeout_ms} ms and was stopped") from e
            if "AccessMode" in code or "ForbiddenDueToTransactionType" in code:
                raise QueryError("refused: the query writes, and this call is read-only") from e
            raise QueryError(f"Neo4j: {e.message}") from e
        except (nx.ServiceUnavailable, nx.SessionExpired) as e:
            raise ConnectionFailed(f"lost the connection to Neo4j at {self._uri}: {e}") from e
        except nx.Neo4jError as e:
            raise StoreError(f"Neo4j: {e.message}") from e
        finally:
            for v in sent.values():
                if isinstance(v, list):
                    v.clear()

    def ensure_schema(self, model: Model) -> list[str]:
        """Node keys as uniqueness constraints (each backed by an index), every other index the
        model asks for as a range index; then waits until they are online."""
        created = []
        for index in model.schema:
            name = f"{index.name.lower()}_{index.property}"
            if index.unique:
                s = (f"CREATE CONSTRAINT `{name}` IF NOT EXISTS FOR (n:`{index.name}`) "
                     f"REQUIRE n.`{index.property}` IS UNIQUE")
            elif index.entity == "node":
                s = f"CREATE INDEX `{name}` IF NOT EXISTS FOR (n:`{index.name}`) ON (n.`{index.property}`)"
            else:
                s = f"CREATE INDEX `{name}` IF NOT EXISTS FOR ()-[n:`{index.name}`]-() ON (n.`{index.property}`)"
            summary = self._driver.execute_query(s, database_=self._database).summary
            if summary.counters.constraints_added or summary.counters.indexes_added:
                created.append(s.split(" IF NOT")[0])
        if created:
            self._driver.execute_query("CALL db.awaitIndexes(300)", database_=self._database)
        return created

    def refresh_statistics(self) -> None:
        """Resample the indexes, wait for it, then clear the plan cache (db.prepareForReplanning,
        an admin procedure). Neo4j resamples an index in the background only once enough of it
        changed and keeps using cached plans until then: after a first load, the transfer MERGE
        was planned against an index sampled empty, as a scan of every transfer for each row
        (a 2,000-row batch: 15 s instead of 0.2 s). A user without the admin role gets the
        background resampling scheduled instead (db.resampleOutdatedIndexes)."""
        try:
            self._driver.execute_query("CALL db.prepareForReplanning($s)", {"s": STATISTICS_WAIT_S},
                                       database_=self._database)
        except nx.ClientError as e:
            if "Forbidden" not in (e.code or "") and "ProcedureNotFound" not in (e.code or ""):
                raise
            self._driver.execute_query("CALL db.resampleOutdatedIndexes()", database_=self._database)

    def schema(self) -> list[dict[str, Any]]:
        rows = self._driver.execute_query(
            "SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, properties, state, owningConstraint "
            "WHERE type <> 'LOOKUP' RETURN *", database_=self._database, routing_=neo4j.RoutingControl.READ).records
        return [{"entity": "node" if r["entityType"] == "NODE" else "relationship", "name": name, "property": prop,
                 "kind": "constraint" if r["owningConstraint"] else "index", "state": r["state"]}
                for r in rows for name in r["labelsOrTypes"] or [] for prop in r["properties"] or []]

    def bulk_writer(self) -> "Neo4jBulkWriter":
        return Neo4jBulkWriter(self)

    def close(self) -> None:
        self._driver.close()


def _value(v: Any) -> Any:
    if isinstance(v, neo4j.graph.Node):
        return Node(v.element_id, tuple(sorted(v.labels)), dict(v.items()))
    if isinstance(v, neo4j.graph.Relationship):
        return Relationship(v.element_id, v.type, v.start_node.element_id, v.end_node.element_id, dict(v.items()))
    if isinstance(v, neo4j.graph.Path):
        return Path(tuple(_value(n) for n in v.nodes), tuple(_value(r) for r in v.relationships))
    if isinstance(v, list):
        return [_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _value(x) for k, x in v.items()}
    if hasattr(v, "iso_format"):  # neo4j temporal values
        return v.iso_format()
    return v


class Neo4jBulkWriter:
    """A first load into an empty Neo4j database without MERGE: the graph loaders/bulk.py built
    (every node and relationship once, with its final properties) goes in as CREATE statements
    over batches of rows: every label's nodes, then the model's constraints and indexes, then
    relationships found by their end nodes' keys. Unlike FalkorDB's temporary graph this is not
    all-or-nothing: an interrupted first load leaves part of the graph (whole batches), and the
    next load, the database no longer being empty, MERGEs the rest into the graph one clean
    load gives (tests/loaders/test_interrupt.py)."""

    takes = "rows"            # what loaders/bulk.py sends it: batches of rows per label / type

    def __init__(self, backend: Neo4jBackend):
        self.backend = backend
        self._model: Model | None = None

    def target_is_empty(self) -> bool:
        return not self.backend.run("MATCH (n) RETURN 1 AS x LIMIT 1", {}, write=False).rows

    def begin(self) -> None:
        from casegraph.model import model
        self._model = model()

    def create(self, kind: str, name: str, ends: tuple[str, str, str, str] | None, rows: list[dict]) -> None:
        """CREATE one batch: a node of label `name` per row, or a relationship of type `name`
        per row between the nodes whose keys the row holds as _src and _dst."""
        if not rows:
            return
        m = self._model
        spec = m.nodes.get(name) if kind == "node" else m.relationships.get(name)
        props = [c for c in rows[0] if not c.startswith("_")]
        if spec is None or set(props) - set(spec.properties) - set(m.provenance) \
                or (ends and not {ends[0], ends[2]} <= set(m.nodes)):
            raise StoreError(f"Neo4j bulk load: {kind} {name} with {props} is not in the model")
        body = "{" + ", ".join(f"`{p}`: r.`{p}`" for p in props) + "}"
        if kind == "node":
            text = f"UNWIND $rows AS r CREATE (:`{name}` {body})"
        else:
            src, src_key, dst, dst_key = ends
            text = (f"UNWIND $rows AS r MATCH (a:`{src}` {{`{src_key}`: r._src}}) "
                    f"MATCH (b:`{dst}` {{`{dst_key}`: r._dst}}) CREATE (a)-[:`{name}` {body}]->(b)")
        self.backend.run(text, {"rows": rows}, write=True)

    def nodes_done(self) -> None:
        """The key constraints (and their indexes) before relationships look their ends up."""
        self.backend.ensure_schema(self._model)

    def commit(self, model: Model) -> list[str]:
        created = self.backend.ensure_schema(model)
        self.backend.refresh_statistics()        # the queries after a first load plan for the loaded graph
        return created

    def abort(self) -> None:
        pass              # whole batches stay; the next load MERGEs the rest
