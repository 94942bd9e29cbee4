"""docker-compose.yml and the Dockerfile, checked without a Docker engine: every service has
a health check (casegraph's asks /healthz), casegraph starts once Neo4j and PostgreSQL are
healthy, no password is written in the file, the environment casegraph gets names its own
settings, and each database and the evidence packages have a volume."""
from __future__ import annotations

import re

import pytest
import yaml

from casegraph.settings import SETTINGS
from tests.support import REPO

SECRET = re.compile(r"PASSWORD|SECRET|AUTH|KEY", re.I)
LIBPQ = {"PGPASSWORD"}            # read by the PostgreSQL driver itself, not a casegraph setting


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))


def env(service: dict) -> dict[str, str]:
    found = service.get("environment") or {}
    if isinstance(found, list):
        found = dict(item.split("=", 1) for item in found)
    return {k: str(v) for k, v in found.items()}


def test_every_service_has_a_health_check_and_casegraph_waits_for_healthy_databases(compose):
    services = compose["services"]
    assert set(services) == {"neo4j", "postgres", "casegraph", "api"}
    for name, service in services.items():
        check = service.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), name
    assert "http://127.0.0.1:8050/healthz" in " ".join(services["casegraph"]["healthcheck"]["test"])
    assert services["casegraph"]["depends_on"] == {"neo4j": {"condition": "service_healthy"},
                                                   "postgres": {"condition": "service_healthy"}}
    assert services["casegraph"]["build"]["dockerfile"] == "Dockerfile"
    # the API: the same image, once the main job has loaded, with its own health check
    assert services["api"]["image"] == services["casegraph"]["image"]
    assert services["api"]["depends_on"] == {"casegraph": {"condition": "service_healthy"}}
    assert "http://127.0.0.1:8060/api/v1/health" in " ".join(services["api"]["healthcheck"]["test"])
    assert services["api"]["command"][:2] == ["casegraph", "api"]
    assert services["api"]["environment"]["CASEGRAPH_STATE"] == services["casegraph"]["environment"]["CASEGRAPH_STATE"]


def test_no_password_is_written_in_the_file(compose):
    for name, service in compose["services"].items():
        for key, value in env(service).items():
            if SECRET.search(key):
                refs = re.findall(r"\$\{(\w+)(:\?[^}]*)?\}", value)
                # only what the environment gives, and compose refuses to start without it
                assert refs and all(required for _, required in refs), (name, key, value)
                assert re.sub(r"\$\{[^}]*\}", "", value) in ("", "neo4j/"), (name, key, value)
        # a health check reads secrets inside the container ($$VAR), never a value compose put in
        assert not re.search(r"(?<!\$)\$\{", " ".join(service["healthcheck"]["test"])), name
    text = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    assert not re.search(r"(PASSWORD|SECRET)\w*:-", text), "a default value for a secret"
    assert "casegraph-dev" not in text


def test_casegraph_gets_its_own_settings_and_the_databases_the_file_starts(compose):
    settings = {s.envvar for s in SETTINGS}
    given = env(compose["services"]["casegraph"])
    assert {k for k in given if k not in settings} <= LIBPQ, given
    assert given["CASEGRAPH_DB"] == "bolt://neo4j:7687"
    state = given["CASEGRAPH_STATE"]
    assert state.startswith("postgresql+psycopg://") and "@postgres:5432/" in state
    assert ":" not in state.split("://", 1)[1].split("@", 1)[0], "no password in the URL"
    pg, neo = env(compose["services"]["postgres"]), env(compose["services"]["neo4j"])
    assert given["PGPASSWORD"] == pg["POSTGRES_PASSWORD"]
    assert state.endswith(f"/{pg['POSTGRES_DB']}") and f"//{pg['POSTGRES_USER']}@" in state
    assert given["NEO4J_PASSWORD"] in neo["NEO4J_AUTH"]


def test_each_database_and_the_evidence_packages_have_a_volume(compose):
    declared = set(compose["volumes"])

    def mounts(service: str) -> dict[str, str]:
        out = {}
        for spec in compose["services"][service].get("volumes") or []:
            source, target = spec.split(":")[:2]
            assert source in declared, (service, spec)            # named volumes, nothing from the host
            out[target] = source
        return out
    assert "/data" in mounts("neo4j") and "/var/lib/postgresql/data" in mounts("postgres")
    evidence = env(compose["services"]["casegraph"])["CASEGRAPH_EVIDENCE_DIR"]
    assert evidence in mounts("casegraph")
    assert len({*mounts("neo4j").values(), *mounts("postgres").values(), mounts("casegraph")[evidence]}) == 3


def test_the_image_has_the_postgresql_driver_and_a_writable_evidence_folder(compose):
    docker = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r'pip install "?/tmp/casegraph-src\[postgres\]', docker)
    evidence = env(compose["services"]["casegraph"])["CASEGRAPH_EVIDENCE_DIR"]
    assert f"mkdir -p {evidence}" in docker and "chown -R casegraph:casegraph /data" in docker
    assert re.search(r"^USER 10001", docker, re.M)
