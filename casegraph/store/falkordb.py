"""FalkorDB backend (embedded or external server) through the native falkordb client."""
from __future__ import annotations

import json
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import falkordb
import redis

from casegraph.cyphertext import blank_literals
from casegraph.errors import ConnectionFailed, ParameterError, QueryError, QueryTimeout, StoreError
from casegraph.model import Model
from casegraph.store.base import Backend
from casegraph.store.result import Node, Path, Relationship, Result

_STATS = ("nodes_created", "nodes_deleted", "relationships_created", "relationships_deleted",
          "properties_set")


def cypher_literal(value: Any) -> str:
    """A parameter value as a Cypher literal for FalkorDB's `CYPHER name=value` header.

    JSON text is a Cypher literal except for map keys (Cypher wants them bare or
    backticked) and \\u escapes (FalkorDB does not decode them). json.dumps runs in
    C, so this is several times faster than the client's per-value Python walk,
    which matters for 5,000-row UNWIND batches."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if "\\u" in text:
        # a control character or a literal backslash-u: use the client's exact quoting
        if "\\u0000" in text and _has_nul(value):
            raise ParameterError("a text parameter contains a NUL character, which FalkorDB cannot take")
        from falkordb.helpers import stringify_param_value
        text = stringify_param_value(value)
        if "\x00" in text:          # FalkorDB reads the header as C text: a NUL would end it
            raise ParameterError("a parameter value holds a NUL character, which FalkorDB cannot take")
        return text
    for key in _keys(value):
        # Inside a JSON string every quote is escaped, so `"key":` only matches a key.
        text = text.replace(f'"{key}":', f"`{key}`:")
    return text


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _keys(value: Any, acc: set[str] | None = None) -> set[str]:
    acc = set() if acc is None else acc
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str) or not k or "`" in k or '"' in k or "\\" in k:
                raise ParameterError(f"parameter map key {k!r} cannot be sent to FalkorDB")
            acc.add(k)
            if isinstance(v, (dict, list)):
                _keys(v, acc)
    elif isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value[:1]) and _homogeneous(value):
            _keys(value[0], acc)
        else:
            for v in value:
                if isinstance(v, (dict, list)):
                    _keys(v, acc)
    return acc


def _homogeneous(rows: list) -> bool:
    """Loader batches are lists of flat dicts with the same keys: check cheaply."""
    first = rows[0]
    keys = first.keys()
    if any(isinstance(v, (dict, list)) for v in first.values()):
        return False
    return all(isinstance(r, dict) and r.keys() == keys for r in rows)


def params_header(params: dict[str, Any]) -> str:
    if not params:
        return ""
    parts = []
    for name, value in params.items():
        if not name.isidentifier():
            raise QueryError(f"parameter name {name!r} is not an identifier")
        parts.append(f"{name}={cypher_literal(value)}")
    return "CYPHER " + " ".join(parts) + " "


def limited(text: str, row_limit: int) -> str:
    """`text` under a LIMIT the database enforces (one row more, to tell that it was cut).
    FalkorDB sends a whole result in one reply: a limit applied after it would come once the
    server had built, and the client received, every row (`UNWIND range(1, 6000000)` took
    2.5 GB). A subquery keeps the statement as written, UNIONs and ORDER BY included."""
    body = text.rstrip().rstrip(";").rstrip()
    if blank_literals(body).lstrip().upper().startswith("CYPHER"):
        raise QueryError("a CYPHER header in the query text is not supported here; give values as parameters")
    return f"CALL {{\n{body}\n}}\nRETURN * LIMIT {int(row_limit) + 1}"


INDEX_WAIT_S = 1800   # longest wait for FalkorDB to fill new indexes over existing data

class FalkorDBBackend(Backend):
    dialect = "falkordb"

    def __init__(self, host: str, port: int, graph: str, password: str | None = None,
                 where: str = "", owns_server: bool = False, server: Callable[[], tuple[str, int, str]] | None = None):
        """`server`, for a server casegraph starts itself: where it runs now (host, port,
        password), restarting it if needed; a lost connection is then re-made to it."""
        self._where = where or f"falkordb://{host}:{port}"
        self._owns_server = owns_server
        self._server = server
        self._graph_name = graph
        self._connect(host, port, password)
        self._has_bulk: bool | None = None
        if not self._db.connection.exists(graph):
            # Read-only queries fail on a graph that does not exist yet; an empty one reads fine.
            self._graph.query("RETURN 1")

    def _connect(self, host: str, port: int, password: str | None) -> None:
        try:
            self._db = falkordb.FalkorDB(host=host, port=port, password=password)
            self._db.connection.ping()
        except redis.AuthenticationError as e:
            raise ConnectionFailed(f"FalkorDB at {self._where} refused the password: check the URI") from e
        except (redis.ConnectionError, redis.TimeoutError, OSError) as e:
            raise ConnectionFailed(f"cannot reach FalkorDB at {self._where} ({e}); start the server "
                                   "or use --db embedded:<dir> for the embedded one") from e
        self._graph = self._db.select_graph(self._graph_name)

    def _reconnect(self) -> bool:
        """After a lost connection to a server casegraph runs: connect to where it runs now
        (`db status` or another process may have restarted it on a new port with a new
        password). False when there is nothing to reconnect to."""
        if self._server is None:
            return False
        self.close()
        self._connect(*self._server())
        return True

    def describe(self) -> str:
        return f"{self._where} graph={self._graph_name}"

    def version(self) -> str:
        for mod in self._db.connection.execute_command("MODULE", "LIST"):
            entry = dict(zip(mod[::2], mod[1::2]))
            name = entry.get(b"name", entry.get("name"))
            if name in (b"graph", "graph"):
                v = int(entry.get(b"ver", entry.get("ver")))
                return f"FalkorDB {v // 10000}.{v // 100 % 100}.{v % 100}"
        return "FalkorDB (unknown version)"

    def check_parse(self, text: str, params: dict[str, Any]) -> None:
        from casegraph.store import parsecheck
        parsecheck.check(params_header(params) + text)

    def run(self, text: str, params: dict[str, Any], *, write: bool,
            timeout_ms: int | None = None, row_limit: int | None = None) -> Result:
        query = params_header(params) + (text if write or row_limit is None else limited(text, row_limit))
        try:
            return self._run(query, write, timeout_ms, row_limit)
        except ConnectionFailed:
            # A read is safe to send again; a write may have been applied, so it fails, and the
            # next statement goes to the server as it runs now.
            if not self._reconnect() or write:
                raise
            return self._run(query, write, timeout_ms, row_limit)

    def _run(self, query: str, write: bool, timeout_ms: int | None, row_limit: int | None) -> Result:
        try:
            if write:
                raw = self._graph.query(query, timeout=timeout_ms)
            else:
                raw = self._graph.ro_query(query, timeout=timeout_ms)
        except redis.ResponseError as e:
            msg = str(e)
            if "timed out" in msg.lower():
                raise QueryTimeout(f"the query ran past its time limit of {timeout_ms} ms and was stopped") from e
            if "read-only" in msg:
                raise QueryError("refused: the query writes, and this call is read-only") from e
            raise QueryError(f"FalkorDB: {msg}") from e
        except (redis.ConnectionError, redis.TimeoutError) as e:
            raise ConnectionFailed(f"lost the connection to FalkorDB at {self._where}: {e}") from e
        except redis.RedisError as e:
            raise StoreError(f"FalkorDB: {e}") from e
        return self._result(raw, row_limit)

    def _result(self, raw, row_limit: int | None) -> Result:
        out = Result()
        out.columns = [h[1] for h in (raw.header or [])]
        rows = raw.result_set or []
        if row_limit is not None and len(rows) > row_limit:
            rows, out.truncated = rows[:row_limit], True
        for values in rows:
            out.rows.append({c: out.collect(self._value(v)) for c, v in zip(out.columns, values)})
        out.stats = {name: int(getattr(raw, name) or 0) for name in _STATS}
        return out

    def _value(self, v: Any) -> Any:
        if isinstance(v, falkordb.Node):
            return Node(str(v.id), tuple(v.labels or ()), dict(v.properties))
        if isinstance(v, falkordb.Edge):
            return Relationship(str(v.id), v.relation, str(_node_id(v.src_node)),
                                str(_node_id(v.dest_node)), dict(v.properties))
        if isinstance(v, falkordb.Path):
            return Path(tuple(self._value(n) for n in v.nodes()), tuple(self._value(e) for e in v.edges()))
        if isinstance(v, list):
            return [self._value(x) for x in v]
        if isinstance(v, dict):
            return {k: self._value(x) for k, x in v.items()}
        return v

    def ensure_schema(self, model: Model) -> list[str]:
        created = self._create_indexes(self._graph, model)
        if created and self._owns_server:
            # The AOF replays queries verbatim, and FalkorDB builds indexes asynchronously
            # while replaying, so MERGEs logged after a CREATE INDEX replay as label scans:
            # a 100k-row load took over 10 minutes to replay after a kill -9. Rewriting the
            # AOF now puts the indexes into its RDB base, which loads them at once (4 s).
            self._rewrite_aof()
        return created

    def bulk_writer(self) -> "BulkWriter | None":
        """GRAPH.BULK, probed once per connection (a FalkorDB without it gets None)."""
        if self._has_bulk is None:
            try:
                info = self._db.connection.execute_command("COMMAND", "INFO", "GRAPH.BULK")
                entry = next(iter(info.values()), None) if isinstance(info, dict) else (info or [None])[0]
                self._has_bulk = bool(entry)
            except redis.RedisError:
                self._has_bulk = False
        return BulkWriter(self) if self._has_bulk else None

    @staticmethod
    def _indexes(graph) -> list[dict[str, Any]]:
        try:
            rows = graph.ro_query("CALL db.indexes() YIELD label, properties, entitytype, status "
                                  "RETURN label, properties, entitytype, status").result_set
        except redis.ResponseError:
            return []   # no graph yet
        return [{"entity": "node" if str(kind).upper() == "NODE" else "relationship", "name": label,
                 "property": prop, "kind": "index", "state": status}
                for label, props, kind, status in rows for prop in props]

    def schema(self) -> list[dict[str, Any]]:
        try:
            return self._indexes(self._graph)
        except (redis.ConnectionError, redis.TimeoutError) as e:
            raise ConnectionFailed(f"lost the connection to FalkorDB at {self._where}: {e}") from e

    def _create_indexes(self, graph, model: Model) -> list[str]:
        """FalkorDB has no uniqueness constraints: every index the model asks for is a range index."""
        existing = {(i["name"], i["property"]) for i in self._indexes(graph)}
        created = []
        for index in model.schema:
            if (index.name, index.property) in existing:
                continue
            pattern = f"(n:`{index.name}`)" if index.entity == "node" else f"()-[n:`{index.name}`]-()"
            try:
                graph.query(f"CREATE INDEX FOR {pattern} ON (n.`{index.property}`)")
                created.append(f"index {index}")
            except redis.ResponseError as e:
                if "already indexed" not in str(e):
                    raise StoreError(f"FalkorDB: could not index {index}: {e}") from e
        if created:
            self._await_indexes(graph)
        return created

    def _await_indexes(self, graph, wait_s: float = INDEX_WAIT_S) -> None:
        """Wait until FalkorDB has filled every index. It fills a new index over existing
        data in the background, taking the graph's write lock in slices. Until it is done,
        queries plan label scans, and concurrent readers queue behind the indexer's lock
        requests: on a fresh 1M-account bulk load, the rings detection's three parallel
        queries took 420 s instead of 12 s. A load is over when the graph is ready to query.
        Past `wait_s` the load still counts (its data is complete); `db status` shows the
        index as under construction."""
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if all(str(i["state"]).upper() == "OPERATIONAL" for i in self._indexes(graph)):
                return
            time.sleep(0.05)

    def _rewrite_aof(self, wait_s: float = 120) -> None:
        """Start an AOF rewrite; if one is running (it may predate our indexes), wait
        for it and start another. Never fatal: it only affects recovery time."""
        conn = self._db.connection
        deadline = time.monotonic() + wait_s
        while True:
            try:
                conn.bgrewriteaof()
                return
            except redis.ResponseError as e:
                if "in progress" not in str(e) or time.monotonic() > deadline:
                    return
            while conn.info("persistence").get("aof_rewrite_in_progress") and time.monotonic() < deadline:
                time.sleep(0.05)

    def close(self) -> None:
        try:
            self._db.connection.close()
        except Exception:  # noqa: BLE001 - closing a dead connection is not an error
            pass


def _node_id(ref: Any) -> Any:
    return ref.id if isinstance(ref, falkordb.Node) else ref


BULK_PREFIX = "casegraph-bulk-tmp:"
AOF_AUTO = "auto-aof-rewrite-percentage"
BUSY_WAIT_S = 120   # how long a bulk command is retried while the server is busy forking


class BulkWriter:
    """Builds a new graph with GRAPH.BULK under a temporary key and renames it onto the
    target only when complete: an interrupted bulk load leaves the target as it was, and
    the next bulk load into the same target deletes the leftover."""

    takes = "graph.bulk"      # what loaders/bulk.py sends it: GRAPH.BULK commands

    def __init__(self, backend: FalkorDBBackend):
        self.backend = backend
        self.conn = backend._db.connection
        self.target = backend._graph_name
        self.tmp = BULK_PREFIX + self.target
        self._begun = False
        self._aof_auto: str | None = None

    @contextmanager
    def _talking(self, what: str) -> Iterator[None]:
        """The server's errors as casegraph's: a lost server at any step of a bulk load (the
        index step and the rename included) is a one-line ConnectionFailed, not a traceback."""
        try:
            yield
        except (redis.ConnectionError, redis.TimeoutError) as e:
            raise ConnectionFailed(f"lost the connection to FalkorDB at {self.backend._where}: {e}") from e
        except redis.RedisError as e:
            raise StoreError(f"FalkorDB bulk load ({what}): {e}") from e

    def target_is_empty(self) -> bool:
        with self._talking("checking the target"):
            if not self.conn.exists(self.target):
                return True
            res = self.conn.execute_command("GRAPH.RO_QUERY", self.target, "MATCH (n) RETURN count(n)")
            return int(res[1][0][0]) == 0

    def begin(self) -> None:
        with self._talking("starting"):
            self._begin()

    def _begin(self) -> None:
        self.conn.delete(self.tmp)   # a leftover of an interrupted bulk load
        self._begun = False
        if self.backend._owns_server:
            # An automatic AOF rewrite forks the server in the middle of the load (the AOF
            # doubles with every command): FalkorDB stalls seconds preparing each fork, and a
            # 1M-account load hung for good after one. Off until commit, which rewrites once.
            # A value of 0 found here is the leftover of a killed bulk load: Redis's default then.
            pct = str(self.conn.config_get(AOF_AUTO).get(AOF_AUTO, "100"))
            self._aof_auto = pct if pct != "0" else "100"
            self.conn.config_set(AOF_AUTO, 0)

    def send(self, node_count: int, edge_count: int, node_tokens: list[bytes], edge_tokens: list[bytes]) -> None:
        args = ["GRAPH.BULK", self.tmp] + ([] if self._begun else ["BEGIN"])
        args += [node_count, edge_count, len(node_tokens), len(edge_tokens), *node_tokens, *edge_tokens]
        deadline = time.monotonic() + BUSY_WAIT_S
        with self._talking("insert"):
            while True:
                try:
                    self.conn.execute_command(*args)
                    break
                except redis.ResponseError as e:
                    # "BUSY preparing to fork": the server is about to fork for an AOF rewrite
                    # (ours after the previous load, or its own as the AOF grows) and refuses
                    # commands meanwhile without running them; the command can simply be resent.
                    if not str(e).startswith("BUSY") or time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        self._begun = True

    def commit(self, model: Model) -> list[str]:
        """Index the new graph, then put it in the target's place (the target must still be empty)."""
        with self._talking("indexing and renaming"):
            return self._commit(model)

    def _commit(self, model: Model) -> list[str]:
        if not self._begun:
            self._restore()
            return []
        created = self.backend._create_indexes(self.backend._db.select_graph(self.tmp), model)
        if not self.target_is_empty():
            self.abort()
            raise StoreError(f"graph {self.target} was written to during the bulk load; load again "
                             "(the files then load through MERGE)")
        self.conn.rename(self.tmp, self.target)
        self.backend._graph.schema.clear()   # label and property ids of the new graph
        self._restore()
        if self.backend._owns_server:
            self.backend._rewrite_aof()      # the AOF holds the bulk commands; its RDB base loads faster
        return created

    def abort(self) -> None:
        try:
            self.conn.delete(self.tmp)
            self._restore()
        except redis.RedisError:
            pass

    def _restore(self) -> None:
        if self._aof_auto is not None:
            self.conn.config_set(AOF_AUTO, self._aof_auto)
            self._aof_auto = None
