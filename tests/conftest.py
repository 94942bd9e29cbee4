"""Shared fixtures: a real embedded FalkorDB server for the whole session, a fresh
graph per test, and Neo4j through testcontainers where a Docker engine exists."""
from __future__ import annotations

import itertools
import os
import shutil

import pytest

from casegraph.settings import Settings
from casegraph.state import open_state
from casegraph.store import GraphStore, open_backend
from casegraph.store.embedded import stop_server

_graph_ids = itertools.count()


@pytest.fixture(scope="session")
def embedded_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("embedded")
    yield folder
    stop_server(folder)


def _docker_reason() -> str | None:
    """None when a Docker engine answers, else why Neo4j tests are skipped."""
    if not shutil.which("docker") and not os.path.exists("/var/run/docker.sock"):
        return "Neo4j conformance tests need Docker (testcontainers); no docker client or socket here"
    try:
        import docker
        docker.from_env().ping()
    except Exception as e:  # noqa: BLE001 - any failure means no engine
        return f"Neo4j conformance tests need a Docker engine (testcontainers); none reachable: {e.__class__.__name__}"
    return None


@pytest.fixture(scope="session")
def neo4j_uri():
    reason = _docker_reason()
    if reason:
        pytest.skip(reason)
    from testcontainers.neo4j import Neo4jContainer
    with Neo4jContainer("neo4j:5-community", password="casegraph-test") as c:
        yield c.get_connection_url(), "neo4j", "casegraph-test"


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


@pytest.fixture(params=["embedded", "neo4j"])
def any_store(request, embedded_dir, tmp_path):
    """The same test against every backend: embedded always, Neo4j when Docker exists."""
    if request.param == "embedded":
        settings = _embedded_settings(embedded_dir, state=f"sqlite:///{tmp_path / 'state.sqlite'}")
    else:
        uri, user, password = request.getfixturevalue("neo4j_uri")
        settings = Settings.load(db=uri, neo4j_user=user, neo4j_password=password, graph="neo4j",
                                 state=f"sqlite:///{tmp_path / 'state.sqlite'}")
    s = GraphStore(open_backend(settings), settings)
    if s.dialect == "neo4j":
        _drop(s)  # one shared database: start empty (embedded tests get a graph of their own)
    yield s
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
