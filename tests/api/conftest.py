"""API fixtures: one generated, loaded and detected dataset (1,000 accounts) on the embedded
store for the session, a token per role, and the API over it in-process (`client`,
FastAPI's TestClient: the real app, routes, database and state store, without a socket) and
as a live uvicorn server (`live_api`, `casegraph api` in a subprocess, for schemathesis)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from casegraph import detections, tokens, users
from casegraph.generate import generate
from casegraph.permissions import ROLES
from casegraph.settings import Settings
from casegraph.state import open_state
from casegraph.store import GraphStore, open_backend
from casegraph.loaders.pipeline import load
from tests.support import PASSWORD

ACCOUNTS, SEED = 1000, 7


@pytest.fixture(scope="session")
def api_data(embedded_dir, tmp_path_factory):
    """(settings, folder, {role: token secret}) over a loaded graph with alerts."""
    folder = tmp_path_factory.mktemp("api_data")
    generate(folder, ACCOUNTS, SEED)
    settings = Settings.load(db=f"embedded:{embedded_dir}", graph=f"api_{os.getpid()}",
                             state=f"sqlite:///{folder / 'state.sqlite'}", evidence_dir=str(folder / "evidence"),
                             signing_key=str(folder / "signing.pem"), mask_key="api-test-mask-key")
    store = GraphStore(open_backend(settings), settings)
    state = open_state(settings.state_url())
    assert load(store, state, [folder], rejects_dir=folder / "rej").ok
    for name in detections.names():
        detections.save_as_alerts(state, name, {}, detections.run(store, name))
    secrets = {}
    for role in ROLES:
        secrets[role], _ = tokens.create(state, f"svc-{role}", role, by="tests", rate_per_s=100000)
        users.add_user(state, f"user-{role}", role, PASSWORD)
    yield settings, folder, secrets
    store.backend._graph.delete()
    store.close()
    state.engine.dispose()


@pytest.fixture(scope="session")
def api_app(api_data):
    from casegraph.api import create_api
    return create_api(api_data[0])


@pytest.fixture(scope="session")
def client(api_app):
    with TestClient(api_app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def secrets(api_data):
    return api_data[2]


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def as_role(client, secrets):
    """as_role(role) -> headers of that role's token."""
    return lambda role: auth(secrets[role])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_api(api_data):
    """The base URL of `casegraph api` serving the session's dataset (2 workers)."""
    settings = api_data[0]
    port = _free_port()
    env = {**os.environ, "CASEGRAPH_DB": settings.db, "CASEGRAPH_GRAPH": settings.graph,
           "CASEGRAPH_STATE": settings.state, "CASEGRAPH_EVIDENCE_DIR": settings.evidence_dir,
           "CASEGRAPH_SIGNING_KEY": settings.signing_key, "CASEGRAPH_MASK_KEY": settings.mask_key}
    log = open(api_data[1] / "api.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "casegraph.cli", "api", "--port", str(port), "--workers", "2"],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"casegraph api did not start: {(api_data[1] / 'api.log').read_text()[-2000:]}")
        time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=40)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
