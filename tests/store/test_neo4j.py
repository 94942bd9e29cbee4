"""Neo4j specifics on the real test server: the neo4j:// routing scheme (what a cluster or
Aura needs) works against the single server, reads go out as READ transactions and cannot
write, credentials are checked, and the whole CLI runs over bolt://."""
from __future__ import annotations

import json

import neo4j
import pytest

from casegraph import detections
from casegraph.errors import ConnectionFailed, QueryError
from casegraph.settings import Settings
from casegraph.store import open_store
from tests.support import run_cli, write_csv


def test_routing_uri_reads_as_read_and_writes_as_write(neo4j_db):
    settings = Settings.load(db=neo4j_db.uri.replace("bolt://", "neo4j://"), neo4j_user=neo4j_db.user,
                             neo4j_password=neo4j_db.password, graph="neo4j")
    with open_store(settings) as store:
        neo4j_db.claim(store)
        assert isinstance(store.backend._driver, neo4j.Neo4jDriver)     # the routing driver
        store.write("load_accounts", {"rows": [{"account_id": "R1", "registered_at": 1, "country": "GB",
                                                "kyc_level": 1, "status": "active", "referral_code": None}],
                                      "source": "t", "load_id": "l", "loaded_at": 1})
        assert store.read("find_account", {"account_id": "R1"}).first()["a"].properties["country"] == "GB"
        # a read transaction routed to a reader cannot write, whatever the text says
        with pytest.raises(QueryError, match="read-only"):
            store.backend.run("CREATE (:Account {account_id: 'R2'})", {}, write=False)
        assert store.counts()["nodes"]["Account"] == 1


def test_wrong_credentials_are_a_one_line_error(neo4j_db):
    with pytest.raises(ConnectionFailed, match="refused user 'neo4j'"):
        open_store(Settings.load(db=neo4j_db.uri, neo4j_user="neo4j", neo4j_password="wrong", graph="neo4j"))


def test_the_cli_loads_detects_and_reports_over_bolt(neo4j_db, tmp_path):
    with neo4j_db.open() as store:
        neo4j_db.claim(store)
    env = {"CASEGRAPH_DB": neo4j_db.uri, "NEO4J_USER": neo4j_db.user, "NEO4J_PASSWORD": neo4j_db.password,
           "CASEGRAPH_GRAPH": "neo4j", "CASEGRAPH_STATE": f"sqlite:///{tmp_path / 'state.sqlite'}"}
    d = tmp_path / "in"
    t = "2024-01-01T10:00:00Z"
    write_csv(d / "accounts.csv", ["account_id", "registered_at"], [[f"A{i}", t] for i in range(4)])
    write_csv(d / "account_devices.csv", ["account_id", "device_id"], [[f"A{i}", "D1"] for i in range(4)])
    run_cli("load", str(d), "--rejects", str(tmp_path / "rej"), env=env)
    status = json.loads(run_cli("db", "status", "--format", "json", env=env).stdout)
    assert status["version"].startswith("Neo4j Kernel 5.") and status["nodes"]["Account"] == 4
    assert {i["kind"] for i in status["schema"]} == {"constraint", "index"}
    again = run_cli("load", str(d), "--rejects", str(tmp_path / "rej"), "--format", "json", env=env)
    assert [f["nodes_created"] for f in json.loads(again.stdout)["files"]] == [0, 0]          # idempotent
    found = json.loads(run_cli("query", "run", "find_account", "--param", "account_id=A1", "--format", "json",
                               env=env).stdout)
    assert len(found) == 1 and "D1" in json.dumps(found)          # A1 and its one device
    results = json.loads(run_cli("detect", "--all", "--format", "json", env=env).stdout)
    assert isinstance(results, list)
    audited = json.loads(run_cli("audit", "list", "--action", "detect", "--format", "json", env=env).stdout)
    assert sorted(e["details"]["detection"] for e in audited) == detections.names()
    bad = run_cli("load", str(d), env={**env, "NEO4J_PASSWORD": "wrong"}, check=False)
    assert bad.returncode == 1 and "refused user" in bad.stderr and "Traceback" not in bad.stderr
