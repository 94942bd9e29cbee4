"""Shared fixtures: a real embedded FalkorDB server for the whole session, a fresh
graph per test, Neo4j through testcontainers where a Docker engine exists, and the
application-state store on SQLite and on a real PostgreSQL (a fresh database per test)."""
from __future__ import annotations

import itertools
import os
import shutil
from collections import Counter

import pytest

from casegraph.settings import Settings
from casegraph.state import open_state
from casegraph.store import GraphStore, open_backend
from casegraph.store import parsecheck
from casegraph.store.embedded import stop_server
from tests.support import Neo4jServer, SharedNeo4j, neo4j_built
from tests.support import POSTGRES_ENV, PostgresDatabases, PostgresServer, PostgresUnavailable, wait_for_postgres

_graph_ids = itertools.count()


@pytest.fixture(scope="session")
def embedded_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("embedded")
    yield folder
    stop_server(folder)
    stop_server(parsecheck.folder())     # the user-query parse server (casegraph/store/parsecheck.py)


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
                                    + ", ".join(f"{k} x{n}" for k, n in sorted(fills.items(), key=lambda kn: str(kn[0]))))


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
def state(state_url):
    """The application-state store, once on SQLite and once on PostgreSQL (see state_url)."""
    s = open_state(state_url)
    yield s
    s.engine.dispose()


@pytest.fixture
def cli_env(embedded_dir, tmp_path):
    """Environment for CLI runs: the session's embedded server, a graph and state of the test's own."""
    return {"CASEGRAPH_DB": f"embedded:{embedded_dir}", "CASEGRAPH_GRAPH": f"cli_{tmp_path.name}",
            "CASEGRAPH_STATE": f"sqlite:///{tmp_path / 'state.sqlite'}"}


# -- the application-state store on SQLite and PostgreSQL ---------------------------------------

STATE_BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres_databases():
    """PostgreSQL for the state-store tests: the server CASEGRAPH_TEST_POSTGRES names, else a
    private one started from Debian's binaries for the session. Fails (never skips) when
    there is none: PostgreSQL is a state store casegraph supports."""
    url = os.environ.get(POSTGRES_ENV)
    server = None
    try:
        if url:
            wait_for_postgres(url)
        else:
            server = PostgresServer().start()
            url = server.url
        databases = PostgresDatabases(url)
    except PostgresUnavailable as e:
        if server is not None:
            server.stop()
        pytest.fail(f"PostgreSQL: {e}", pytrace=False)
    yield databases
    databases.close()
    if server is not None:
        server.stop()


@pytest.fixture
def postgres_url(postgres_databases):
    """A fresh PostgreSQL database with casegraph's schema, dropped after the test."""
    url = postgres_databases.create()
    yield url
    postgres_databases.drop(url)


@pytest.fixture(params=STATE_BACKENDS)
def state_url(request, tmp_path):
    """A fresh application-state store URL: a SQLite file (where the `settings` fixture puts
    it), then a PostgreSQL database; every test using it runs once on each."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.sqlite'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def sqlite_state(settings):
    """The state store on SQLite only: for what only SQLite files have (the audit head file),
    and for graph tests that merely record their loads in it."""
    s = open_state(settings.state_url())
    yield s
    s.engine.dispose()


@pytest.fixture
def cli_state_env(cli_env, state_url):
    """cli_env with the state store on each backend (CASEGRAPH_STATE = state_url)."""
    return {**cli_env, "CASEGRAPH_STATE": state_url}
