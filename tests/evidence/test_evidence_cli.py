"""`casegraph export case|subject` and `casegraph verify` as a user runs them."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

from casegraph import audit
from tests.support import run_cli as run


def _env(ev):
    settings = ev[0]
    return {"CASEGRAPH_DB": settings.db, "CASEGRAPH_GRAPH": settings.graph, "CASEGRAPH_STATE": settings.state,
            "CASEGRAPH_MASK_KEY": settings.mask_key, "NEO4J_USER": settings.neo4j_user,
            "NEO4J_PASSWORD": settings.neo4j_password}


def test_export_subject_then_verify_passes_then_names_a_changed_file(ev, tmp_path):
    truth, env = ev[3], _env(ev)
    proc = run("export", "subject", "--account", truth["scammers"][0], "--since", "2024-01-01", "--until", "2026-01-01",
               "--request-ref", "CLI-1", "--agency", "NCA", "--out", str(tmp_path / "out"), env=env)
    path = Path(proc.stdout.split("wrote ", 1)[1].splitlines()[0])
    digest = proc.stdout.split("sha256 ", 1)[1].split()[0]
    assert path.is_file() and Path(str(path) + ".sha256").read_text().startswith(digest)
    assert any(e["details"]["sha256"] == digest for e in audit.entries(ev[2], action="evidence.export"))
    ok = run("verify", str(path), env=env)
    assert ok.stdout.startswith("OK: ") and path.name in ok.stdout and len(ok.stdout.strip().splitlines()) == 1
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tampered, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "transfers.csv":
                data = data.replace(b",", b";", 1)
            zout.writestr(info.filename, data)
    bad = run("verify", str(tampered), env=env, check=False)
    assert bad.returncode == 1
    lines = bad.stdout.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("transfers.csv: SHA-256 differs"), lines
    assert lines[0].startswith("tampered.zip: its SHA-256") and "audit log recorded" in lines[0]
    # a recipient elsewhere: the public key handed over, no audit log
    keys = tmp_path / "keys.pem"
    run("keys", "public", "--out", str(keys), env=env)
    elsewhere = {k: v for k, v in env.items() if k not in ("CASEGRAPH_STATE", "CASEGRAPH_SIGNING_KEY")}
    ok = run("verify", str(path), "--public-key", str(keys), "--no-audit", env=elsewhere)
    assert ok.stdout.startswith("OK: ")
    bad = run("verify", str(tampered), "--public-key", str(keys), "--no-audit", env=elsewhere, check=False)
    assert bad.returncode == 1 and bad.stdout.strip().splitlines() == [
        line for line in bad.stdout.strip().splitlines() if line.startswith("transfers.csv: SHA-256 differs")]


def test_export_case_masked(ev, ev_case, tmp_path):
    proc = run("export", "case", str(ev_case), "--request-ref", "CLI-2", "--agency", "FBI", "--mask",
               "--out", str(tmp_path), env=_env(ev))
    path = proc.stdout.split("wrote ", 1)[1].splitlines()[0]
    with zipfile.ZipFile(path) as zf:
        m = json.loads(zf.read("manifest.json"))
    assert m["case_id"] == ev_case and m["masked"] is True and m["exported_by"].startswith("cli:")


def test_bad_input_is_one_line(ev, tmp_path):
    env = _env(ev)
    both = run("export", "subject", "--account", "A1", "--wallet", "0x1", "--since", "2024-01-01", "--until",
               "2025-01-01", "--request-ref", "R", "--agency", "A", "--out", str(tmp_path), env=env, check=False)
    assert both.returncode == 1 and "exactly one of --account" in both.stderr and "Traceback" not in both.stderr
    when = run("export", "subject", "--account", "A1", "--since", "last week", "--until", "2025-01-01",
               "--request-ref", "R", "--agency", "A", "--out", str(tmp_path), env=env, check=False)
    assert when.returncode == 1 and "--since 'last week' is not a date" in when.stderr
    assert not list(tmp_path.iterdir())
