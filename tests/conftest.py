"""Shared fixtures: a real embedded FalkorDB server for the whole session, a fresh
graph per test, and Neo4j through testcontainers where a Docker engine exists."""
from __future__ import annotations

import itertools
import os
import shutil
from collections import Counter

import pytest

from casegraph.settings import Settings
from casegraph.state import open_state
from casegraph.store import GraphStore, open_backend
from casegraph.store.embedded import stop_server
from tests.support import Neo4jServer, SharedNeo4j, neo4j_built

_graph_ids = itertools.count()


@pytest.fixture(scope="session")
def embedded_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("embedded")
    yield folder
    stop_server(folder)


def _docker_reason() -> str | None:
    """None when a Docker engine answers, else why testcontainers cannot run Neo4j here."""
    if not shutil.which("docker") and not os.path.exists("/var/run/docker.sock"):
        return "no docker client or socket"
    try:
        import docker
        docker.from_env().ping()
    except Exception as e:  # noqa: BLE001 - any failure means no engine
        return f"no Docker engine reachable ({e.__class__.__name__})"
    return None


NEO4J_SEEN: dict[str, str] = {}      # what the run tested on, for the summary line
NEO4J_SHARED: list[SharedNeo4j] = []  # and how often it loaded each dataset


@pytest.fixture(scope="session")
def neo4j_uri(tmp_path_factory):
    """(uri, user, password) of a real Neo4j 5 server for the whole run: CASEGRAPH_TEST_NEO4J
    (bolt://user:password@host:port, or NEO4J_USER / NEO4J_PASSWORD) if set; else the server
    `scripts/setup --test` built from Maven Central (scripts/neo4j/), started here on loopback;
    else testcontainers where a Docker engine answers. Fails, never skips, when none can run:
    a run without Neo4j must not pass as if Neo4j were tested."""
    given = os.environ.get("CASEGRAPH_TEST_NEO4J")
    if given:
        from urllib.parse import urlsplit
        parts = urlsplit(given)
        user = parts.username or os.environ.get("NEO4J_USER", "neo4j")
        password = parts.password or os.environ.get("NEO4J_PASSWORD", "")
        uri = f"{parts.scheme}://{parts.hostname}:{parts.port or 7687}"
        NEO4J_SEEN["uri"] = uri
        yield uri, user, password
        return
    if neo4j_built():
        server = Neo4jServer(tmp_path_factory.mktemp("neo4j"))
        NEO4J_SEEN.update(uri=server.uri, version=f"Neo4j Community {server.version}")
        try:
            yield server.uri, server.user, server.password
        finally:
            server.stop()
        return
    reason = _docker_reason()
    if reason:
        pytest.fail("the Neo4j tests need a Neo4j server: run the test command, `bash scripts/test`, which "
                    f"builds one from Maven Central (or set CASEGRAPH_TEST_NEO4J=bolt://...); {reason}",
                    pytrace=False)
    from testcontainers.neo4j import Neo4jContainer
    with Neo4jContainer("neo4j:5-community", password="casegraph-test") as c:
        NEO4J_SEEN.update(uri=c.get_connection_url(), version="neo4j:5-community (testcontainers)")
        yield c.get_connection_url(), "neo4j", "casegraph-test"


def pytest_terminal_summary(terminalreporter):
    if NEO4J_SEEN:
        terminalreporter.write_line(f"Neo4j tested: {NEO4J_SEEN.get('version', 'the server given')} at "
                                    f"{NEO4J_SEEN['uri']}")
    fills = sum((db.fills for db in NEO4J_SHARED), Counter())
    if fills:
        terminalreporter.write_line("Neo4j datasets loaded: "
                                    + ", ".join(f"{k} x{n}" for k, n in sorted(fills.items())))


def _embedded_settings(folder, **kw) -> Settings:
    return Settings.load(db=f"embedded:{folder}", graph=f"t{os.getpid()}_{next(_graph_ids)}", **kw)


@pytest.fixture
def settings(embedded_dir, tmp_path) -> Settings:
    """Settings for a fresh graph on the shared embedded server."""
    return _embedded_settings(embedded_dir, state=f"sqlite:///{tmp_path / 'state.sqlite'}")


@pytest.fixture
def store(settings):
    s = GraphStore(open_backend(settings), settings)
    yield s
    _drop(s)
    s.close()


def _drop(s: GraphStore) -> None:
    if s.dialect == "falkordb":
        try:
            s.backend._graph.delete()
        except Exception:  # noqa: BLE001 - the graph may never have been created
            pass
    else:
        s.backend.run("MATCH (n) DETACH DELETE n", {}, write=True)


@pytest.fixture(scope="session")
def neo4j_db(neo4j_uri) -> SharedNeo4j:
    """The test Neo4j server's one database, shared (see SharedNeo4j)."""
    db = SharedNeo4j(*neo4j_uri)
    NEO4J_SHARED.append(db)
    return db


@pytest.fixture(params=["embedded", "neo4j"])
def any_store(request, embedded_dir, tmp_path):
    """The same test against every backend: a fresh graph on the embedded store, and the
    Neo4j database wiped for this test."""
    if request.param == "embedded":
        settings = _embedded_settings(embedded_dir, state=f"sqlite:///{tmp_path / 'state.sqlite'}")
        s = GraphStore(open_backend(settings), settings)
    else:
        db = request.getfixturevalue("neo4j_db")
        s = db.open(state=f"sqlite:///{tmp_path / 'state.sqlite'}")
        db.claim(s)
    yield s
    if s.dialect == "falkordb":
        _drop(s)
    s.close()


@pytest.fixture
def state(settings):
    return open_state(settings.state_url())


@pytest.fixture
def cli_env(embedded_dir, tmp_path):
    """Environment for CLI runs: the session's embedded server, a graph and state of the test's own."""
    return {"CASEGRAPH_DB": f"embedded:{embedded_dir}", "CASEGRAPH_GRAPH": f"cli_{tmp_path.name}",
            "CASEGRAPH_STATE": f"sqlite:///{tmp_path / 'state.sqlite'}"}
