"""The command line end to end, as a user runs it: generate -> load -> db status,
with counts checked against what the files say, computed independently with pandas."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.support import run_cli as run


def expected_counts(d: Path) -> dict:
    """Distinct nodes and relationships the canonical files describe."""
    f = {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in d.glob("*.csv")}

    def ids(*cols):
        out = set()
        for stem, col in cols:
            out |= set(v for v in f[stem][col] if v)
        return out

    def pairs(stem, a, b):
        df = f[stem][(f[stem][a] != "") & (f[stem][b] != "")]
        return len(set(zip(df[a], df[b])))
    accounts = ids(("accounts", "account_id"), ("accounts", "referred_by"), ("account_devices", "account_id"),
                   ("account_ips", "account_id"), ("account_phones", "account_id"), ("account_emails", "account_id"),
                   ("account_documents", "account_id"), ("transfers", "from_account"), ("transfers", "to_account"),
                   ("deposits", "account_id"), ("withdrawals", "account_id"), ("scam_reports", "reporter_id"),
                   ("scam_reports", "against_account"), ("watchlists", "account_id"), ("groups", "account_id"))
    wallets = ids(("wallets", "address"), ("deposits", "address"), ("withdrawals", "address"),
                  ("onchain", "from_address"), ("onchain", "to_address"), ("scam_reports", "against_address"),
                  ("watchlists", "address"))
    return {
        "nodes": {"Account": len(accounts), "Device": len(ids(("account_devices", "device_id"))),
                  "IP": len(ids(("account_ips", "ip"))), "Phone": len(ids(("account_phones", "phone"))),
                  "Email": len(ids(("account_emails", "email"))), "Document": len(ids(("account_documents", "doc_id"))),
                  "Wallet": len(wallets), "ScamReport": len(ids(("scam_reports", "report_id"))),
                  "Watchlist": len(ids(("watchlists", "watchlist"))), "Group": len(ids(("groups", "group_id")))},
        "relationships": {
            "USED_DEVICE": pairs("account_devices", "account_id", "device_id"),
            "USED_IP": pairs("account_ips", "account_id", "ip"),
            "HAS_PHONE": pairs("account_phones", "account_id", "phone"),
            "HAS_EMAIL": pairs("account_emails", "account_id", "email"),
            "HAS_DOCUMENT": pairs("account_documents", "account_id", "doc_id"),
            "REFERRED": pairs("accounts", "referred_by", "account_id"),
            "TRANSFERRED": len(ids(("transfers", "tx_id"))), "WITHDREW": len(ids(("withdrawals", "tx_id"))),
            "DEPOSITED": len(ids(("deposits", "tx_id"))),
            "SENT": len(set(zip(f["onchain"]["tx_hash"], f["onchain"]["from_address"], f["onchain"]["to_address"]))),
            "FILED": len(ids(("scam_reports", "report_id"))),
            "AGAINST": pairs("scam_reports", "report_id", "against_account") + pairs("scam_reports", "report_id", "against_address"),
            "LISTED_ON": pairs("watchlists", "account_id", "watchlist") + pairs("watchlists", "address", "watchlist"),
            "IN_GROUP": pairs("groups", "account_id", "group_id")}}


def _present(counts: dict) -> dict:
    """Counts without the labels and types the sample leaves empty (Rate: the sample gives every
    amount_usd; the identifier tables it does not write)."""
    return {k: {name: n for name, n in v.items() if n} for k, v in counts.items()}


def test_generate_load_status_and_reload(tmp_path, cli_env):
    data = tmp_path / "d"
    run("generate", "--accounts", "3000", "--seed", "7", "--out", str(data))
    assert json.loads((data / "truth.json").read_text())["rings"]
    load1 = json.loads(run("load", str(data), "--format", "json", "--rejects", str(tmp_path / "rej"),
                           env=cli_env).stdout)["files"]
    assert {r["status"] for r in load1} == {"complete"} and sum(r["rejected"] for r in load1) == 0
    status = json.loads(run("db", "status", "--format", "json", env=cli_env).stdout)
    assert status["version"].startswith("FalkorDB 4.")
    expected = expected_counts(data)
    assert _present({"nodes": status["nodes"], "relationships": status["relationships"]}) == _present(expected)
    load2 = json.loads(run("load", str(data), "--format", "json", env=cli_env).stdout)["files"]
    assert sum(r["nodes_created"] + r["relationships_created"] for r in load2) == 0
    again = json.loads(run("db", "status", "--format", "json", env=cli_env).stdout)
    assert _present({"nodes": again["nodes"], "relationships": again["relationships"]}) == _present(expected)
    assert again["unfinished_loads"] == []
    audited = json.loads(run("audit", "list", "--action", "load", "--format", "json", env=cli_env).stdout)
    assert [e["details"]["files"] for e in audited] == [
        [{k: r[k] for k in ("file", "kind", "status", "rows", "loaded", "rejected")} for r in load]
        for load in (load1, load2)]
    assert {(e["details"]["db"], e["details"]["graph"], e["details"]["strict"], e["details"]["mapping"])
            for e in audited} == {(cli_env["CASEGRAPH_DB"], cli_env["CASEGRAPH_GRAPH"], False, None)}


def test_malformed_csv_row_reported_rejected_and_strict(tmp_path, cli_env):
    d = tmp_path / "in"
    d.mkdir()
    (d / "accounts.csv").write_text("account_id,registered_at,country\nA1,2024-01-01T00:00:00Z,GB\n"
                                    "A2,2024-13-45,DE\nA3,2024-01-02T00:00:00Z,FR\n")
    strict = run("load", str(d), "--strict", "--rejects", str(tmp_path / "rej"), env=cli_env, check=False)
    assert strict.returncode == 1
    assert "accounts.csv line 3, field registered_at: '2024-13-45' is not a valid time" in strict.stderr
    assert "--strict: nothing was written" in strict.stderr and "Traceback" not in strict.stderr
    status = json.loads(run("db", "status", "--format", "json", env=cli_env).stdout)
    assert status["nodes"]["Account"] == 0
    lenient = run("load", str(d), "--rejects", str(tmp_path / "rej"), env=cli_env)
    assert "accounts.csv line 3, field registered_at" in lenient.stderr
    rejects = list((tmp_path / "rej").glob("accounts.csv.*.rejects.csv"))
    assert len(rejects) == 1
    rej = pd.read_csv(rejects[0], dtype=str)
    assert rej[["line", "field", "account_id"]].values.tolist() == [["3", "field registered_at", "A2"]]
    status = json.loads(run("db", "status", "--format", "json", env=cli_env).stdout)
    assert status["nodes"]["Account"] == 2


@pytest.mark.parametrize("args, message", [
    (["load", "no-such-dir"], "no-such-dir: no such file or folder"),
    (["load", ".", "--mapping", "missing.yaml"], "cannot read mapping file missing.yaml"),
    (["db", "status", "--db", "bolt://127.0.0.1:1"], "cannot reach Neo4j at bolt://127.0.0.1:1"),
    (["db", "status", "--db", "mysql://x"], "unknown database URI 'mysql://x'"),
    (["query", "run", "no_such_query"], "no query named 'no_such_query'"),
    (["query", "run", "find_account", "--param", "limit=ten", "--param", "account_id=A1"],
     "query find_account: parameter limit must be a whole number, got 'ten'"),
    (["detect", "scammer_links", "--param", "k=9", "--no-alerts"],
     "detection scammer_links: parameter k must be between 1 and 5, got '9'"),
    (["generate", "--accounts", "10", "--out", "x"], "accounts"),
])
def test_user_mistakes_are_one_line_errors(args, message, cli_env, tmp_path):
    proc = run(*args, env=cli_env, check=False)
    assert proc.returncode != 0 and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_user_cypher_write_is_refused_and_timeout_is_clear(cli_env):
    proc = run("query", "cypher", "MATCH (a:Account) DETACH DELETE a", env=cli_env, check=False)
    assert proc.returncode == 1 and "refused: queries run read-only" in proc.stderr
    slow = "UNWIND range(1, 100000) AS x UNWIND range(1, 1000) AS y WITH x, y WHERE (x * y) % 7 = 3 RETURN count(x)"
    proc = run("query", "cypher", slow, "--timeout-ms", "50", env=cli_env, check=False)
    assert proc.returncode == 1 and "time limit of 50 ms" in proc.stderr


def test_query_output_formats(cli_env):
    rows = json.loads(run("query", "cypher", "UNWIND range(1, 3) AS x RETURN x, x * 2 AS y", "--format", "json",
                          env=cli_env).stdout)
    assert rows == [{"x": 1, "y": 2}, {"x": 2, "y": 4}, {"x": 3, "y": 6}]
    csv_out = run("query", "cypher", "UNWIND range(1, 2) AS x RETURN x", "--format", "csv", env=cli_env).stdout
    assert csv_out.splitlines() == ["x", "1", "2"]
    cut = run("query", "cypher", "UNWIND range(1, 50) AS x RETURN x", "--row-limit", "5", "--format", "json",
              env=cli_env)
    assert len(json.loads(cut.stdout)) == 5 and "row limit reached" in cut.stderr


def test_db_stop_stops_the_embedded_server_and_status_restarts_it(tmp_path):
    env = {"CASEGRAPH_DB": f"embedded:{tmp_path / 'db'}", "CASEGRAPH_STATE": f"sqlite:///{tmp_path / 's.sqlite'}"}
    run("db", "status", env=env)
    pid = int((tmp_path / "db" / "server.pid").read_text())
    assert run("db", "stop", env=env).stdout.strip() == "stopped"
    assert not (tmp_path / "db" / "server.json").exists()
    assert "no embedded server was running" in run("db", "stop", env=env).stdout
    run("db", "status", env=env)  # starts it again
    assert int((tmp_path / "db" / "server.pid").read_text()) != pid
    assert run("db", "stop", env=env).stdout.strip() == "stopped"
    other = run("db", "stop", "--db", "bolt://127.0.0.1:1", env=env, check=False)
    assert other.returncode == 1 and "is not an embedded store" in other.stderr


def test_demo_generates_loads_and_fills_the_alert_queue(tmp_path):
    env = {"CASEGRAPH_DB": f"embedded:{tmp_path / 'db'}", "CASEGRAPH_STATE": f"sqlite:///{tmp_path / 's.sqlite'}"}
    try:
        out = run("demo", "--accounts", "1000", "--seed", "3", "--data", str(tmp_path / "sample"), "--no-serve",
                  env=env).stdout
        truth = json.loads((tmp_path / "sample" / "truth.json").read_text())
        assert f"detection silent_sufferers: {len(truth['silent_sufferers'])} result(s)" in out
        queue = json.loads(run("alerts", "list", "--detection", "silent_sufferers", "--format", "json", env=env).stdout)
        assert {a["entity_key"] for a in queue} == set(truth["silent_sufferers"])
        _demo_left_an_audit_trail(env, out, len(queue))
        found = json.loads(run("detect", "silent_sufferers", "--format", "json", "--no-alerts", env=env).stdout)
        assert {r["account_id"] for r in found} == set(truth["silent_sufferers"])
        assert all(set(r) >= {"account_id", "score", "reasons"} for r in found)
        bad = run("detect", env=env, check=False)
        assert bad.returncode == 1 and "name one detection or use --all" in bad.stderr
        _every_detection_answers_in_the_documented_shape(env, truth)
    finally:
        run("db", "stop", env=env)


def _demo_left_an_audit_trail(env, out, sufferers_queued):
    """demo's load and each of its detections are in the audit log, by the CLI's actor, as
    `load` and `detect` record them."""
    from casegraph import detections
    from casegraph.cases import operator
    log = json.loads(run("audit", "list", "--format", "json", env=env).stdout)
    assert {e["actor"] for e in log if e["action"] in ("load", "detect")} == {operator()["name"]}
    [loaded] = [e["details"] for e in log if e["action"] == "load"]
    assert loaded["strict"] is False and loaded["mapping"] is None and loaded["db"] == env["CASEGRAPH_DB"]
    assert {f["file"] for f in loaded["files"]} >= {"accounts.csv", "transfers.csv", "watchlists.csv"}
    assert all(f["status"] == "complete" and f["loaded"] > 0 for f in loaded["files"])
    detected = [e["details"] for e in log if e["action"] == "detect"]
    assert [d["detection"] for d in detected] == detections.names()
    assert all(set(d) == {"detection", "params", "results", "alerts_new", "alerts_updated"} and d["params"] == {}
               for d in detected)
    sufferers = next(d for d in detected if d["detection"] == "silent_sufferers")
    assert (sufferers["alerts_new"], sufferers["alerts_updated"]) == (sufferers_queued, 0)
    assert f"detection silent_sufferers: {sufferers['results']} result(s); alerts: {sufferers_queued} new, 0 updated" in out
    assert run("audit", "verify", env=env).stdout.startswith("audit log intact")


def _every_detection_answers_in_the_documented_shape(env, truth):
    """DESIGN.md: ring detections give ring_id, members, score, reasons; account-level ones
    account_id, score, reasons; the checks that need an input take it as --param."""
    every = json.loads(run("detect", "--all", "--no-alerts", "--format", "json", env=env).stdout)
    by = {}
    for r in every:
        by.setdefault(r["detection"], []).append(r)
    assert {"rings", "scammer_links", "silent_sufferers", "scam_triage", "mules", "referral_abuse",
            "account_takeover"} <= set(by)
    for name in ("rings", "referral_abuse"):
        assert all(set(r) >= {"ring_id", "members", "score", "reasons"} for r in by[name]), name
    for name in ("scammer_links", "silent_sufferers", "mules", "account_takeover"):
        assert all(set(r) >= {"account_id", "score", "reasons"} for r in by[name]), name
    assert all(set(r) >= {"report_id", "suspect", "verdict", "freeze", "score", "reasons"} for r in by["scam_triage"])
    victim = truth["silent_sufferers"][0]
    trace = json.loads(run("detect", "trace_funds", "--param", f"account_id={victim}", "--no-alerts",
                           "--format", "json", env=env).stdout)
    assert trace and all(set(r) >= {"entity", "hops", "path", "score", "reasons"} for r in trace)
    [check] = json.loads(run("detect", "transfer_risk", "--param", f"sender={victim}", "--param",
                             f"recipient_account={truth['scammers'][0]}", "--param", "amount_usd=250",
                             "--no-alerts", "--format", "json", env=env).stdout)
    assert check["account_id"] == victim and check["decision"] in ("hold", "allow") and check["reasons"]
    bad = run("detect", "transfer_risk", "--param", "sender=X", "--param", "recipient_wallet=0xabc", "--param",
              "amount_usd=lots", env=env, check=False)
    assert bad.returncode == 1 and "amount_usd" in bad.stderr and "Traceback" not in bad.stderr


def test_user_query_folder_write_refused_and_nothing_touched(tmp_path, cli_env):
    folder = tmp_path / "queries"
    folder.mkdir()
    head = "// title: T\n// purpose: P\n// example: :params {}\n"
    (folder / "count_accounts.cypher").write_text(head + "// mode: read\nMATCH (a:Account) RETURN count(a) AS n")
    (folder / "wipe.cypher").write_text(head + "// mode: write\nMATCH (a:Account) DETACH DELETE a")
    env = {**cli_env, "CASEGRAPH_QUERIES": str(folder)}
    d = tmp_path / "in"
    d.mkdir()
    (d / "accounts.csv").write_text("account_id,registered_at\nA1,2024-01-01T00:00:00Z\n")
    run("load", str(d), "--rejects", str(tmp_path / "rej"), env=env)
    listed = json.loads(run("query", "list", "--format", "json", env=env).stdout)
    assert {"count_accounts", "wipe"} <= {q["name"] for q in listed}
    refused = run("query", "run", "wipe", env=env, check=False)
    assert refused.returncode == 1 and "user queries are read-only" in refused.stderr
    assert json.loads(run("query", "run", "count_accounts", "--format", "json", env=env).stdout) == [{"n": 1}]
    (folder / "sneaky.cypher").write_text(head + "// mode: read\nMATCH (a:Account) DETACH DELETE a")
    sneaky = run("query", "run", "sneaky", env=env, check=False)
    assert sneaky.returncode == 1 and "declared read but contains DETACH, DELETE" in sneaky.stderr
    assert json.loads(run("query", "cypher", "MATCH (a:Account) RETURN count(a) AS n", "--format", "json",
                          env=env).stdout) == [{"n": 1}]


def test_a_user_file_named_like_a_built_in_changes_nothing(tmp_path, cli_env):
    """Issue 12.3: a user's falkordb/load_accounts.cypher became the loader's write query."""
    folder = tmp_path / "queries"
    (folder / "falkordb").mkdir(parents=True)
    head = "// title: T\n// purpose: P\n// example: :params {}\n"
    wipe = head + "// param rows: list — rows\n// mode: write\nMATCH (w:Wallet) DETACH DELETE w"
    (folder / "load_accounts.cypher").write_text(wipe)
    (folder / "falkordb" / "load_accounts.cypher").write_text(wipe)
    (folder / "falkordb" / "find_account.cypher").write_text(head + "// mode: read\nMATCH (a:Account) RETURN a")
    env = {**cli_env, "CASEGRAPH_QUERIES": str(folder)}
    d = tmp_path / "in"
    d.mkdir()
    (d / "accounts.csv").write_text("account_id,registered_at\nA1,2024-01-01T00:00:00Z\nA2,2024-01-02T00:00:00Z\n")
    (d / "wallets.csv").write_text("address,chain\n0xw1,ETH\n")
    run("load", str(d), "--rejects", str(tmp_path / "rej"), env=env)
    (d / "accounts.csv").write_text("account_id,registered_at\nA3,2024-01-03T00:00:00Z\n")
    run("load", str(d), "--rejects", str(tmp_path / "rej"), env=env)          # a MERGE load: the templates run
    counted = json.loads(run("query", "cypher", "MATCH (n) RETURN labels(n)[0] AS l, count(n) AS n ORDER BY l",
                             "--format", "json", env=env).stdout)
    assert counted == [{"l": "Account", "n": 3}, {"l": "Wallet", "n": 1}]
    listed = {q["name"]: q for q in json.loads(run("query", "list", "--format", "json", env=env).stdout)}
    assert listed["load_accounts"]["origin"] == "built-in" and listed["find_account"]["origin"] == "built-in"
    refusals = [q["title"] for q in listed.values() if q["mode"] == "unusable"]
    assert len(refusals) == 3 and all("never replaces a built-in" in r for r in refusals), refusals
    found = json.loads(run("query", "run", "find_account", "--param", "account_id=A1", "--format", "json",
                           env=env).stdout)
    assert len(found) == 1
