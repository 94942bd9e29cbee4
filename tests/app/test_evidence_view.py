"""The Evidence page's pure parts (app/pages/_evidence.py): subject and period as the CLI
reads them, where packages go, and a built package's files, hashes and limits."""
from __future__ import annotations

import hashlib
import json
import zipfile

import pytest

from casegraph.app.pages import _evidence as v
from casegraph.errors import CasegraphError
from casegraph.settings import Settings
from casegraph.times import to_epoch_ms


def test_subject_from_kind_and_text_or_a_node_id():
    assert v.subject_id("Account", " A100000010 ") == "Account:A100000010"
    assert v.subject_id("Wallet", "0xabc") == "Wallet:0xabc"
    assert v.subject_id("Account", "Wallet:0xabc") == "Wallet:0xabc"          # the typed kind wins
    assert v.subject_id("Wallet", "Account: A1") == "Account:A1"
    for kind, text in (("Account", ""), ("Account", "  "), ("Wallet", "Account:"), ("Device", "d1"), (None, "A1")):
        with pytest.raises(CasegraphError):
            v.subject_id(kind, text)


def test_prefill_from_the_url():
    assert v.prefill("Account:A1") == ("Account", "A1")
    assert v.prefill("Wallet:0xabc") == ("Wallet", "0xabc")
    assert v.prefill(None) == ("Account", "")
    assert v.prefill("Device:d1") == ("Account", "Device:d1")       # shown as typed; building says what is wrong


def test_period_is_read_like_the_cli():
    assert v.period("2024-01-01", "2025-01-01T12:00:00Z") == (to_epoch_ms("2024-01-01"),
                                                               to_epoch_ms("2025-01-01T12:00:00+00:00"))
    assert v.period(" 2024-01-01 ", "2024-01-02")[1] - v.period("2024-01-01", "2024-01-02")[0] == 86_400_000
    with pytest.raises(CasegraphError, match="until '31/01/2024' is not a date"):
        v.period("2024-01-01", "31/01/2024")
    with pytest.raises(CasegraphError, match="since date"):
        v.period("", "2024-01-02")


def test_export_dir_as_set_else_beside_a_sqlite_state_else_temp(tmp_path):
    assert v.export_dir(Settings.load(state=f"sqlite:///{tmp_path / 'state.sqlite'}")) == tmp_path / "evidence"
    assert v.export_dir(Settings.load(state="sqlite:///:memory:")).name == "casegraph-evidence"
    # a SQLAlchemy URL naming the driver is still a SQLite file beside which things are kept
    assert v.export_dir(Settings.load(state=f"sqlite+pysqlite:///{tmp_path / 's.db'}")) == tmp_path / "evidence"
    # a server state store (app instances sharing a volume): the folder CASEGRAPH_EVIDENCE_DIR names
    assert v.export_dir(Settings.load(state="postgresql+psycopg://db/casegraph")).name == "casegraph-evidence"
    assert v.export_dir(Settings.load(state="postgresql+psycopg://db/casegraph",
                                      evidence_dir=str(tmp_path / "ev"))) == tmp_path / "ev"


def _package(path, notes=(), capped=False):
    files = {"nodes.csv": b"id\nAccount:A1\n", "report.html": b"<p>x</p>"}
    manifest = {"files": [{"name": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)}
                          for n, d in sorted(files.items())],
                "notes": list(notes), "capped": capped, "counts": {"nodes": 1, "edges": 0}}
    with zipfile.ZipFile(path, "w") as z:
        for n, d in files.items():
            z.writestr(n, d)
        z.writestr("manifest.json", json.dumps(manifest))
    return manifest


def test_files_hashes_and_limits_from_the_manifest(tmp_path):
    m = _package(tmp_path / "p.zip", notes=["at most 50 linked accounts"], capped=True)
    assert v.manifest_of(tmp_path / "p.zip") == m
    assert v.file_rows(m) == [{"file": "nodes.csv", "size": 14, "sha256": hashlib.sha256(b"id\nAccount:A1\n").hexdigest()},
                              {"file": "report.html", "size": 8, "sha256": hashlib.sha256(b"<p>x</p>").hexdigest()}]
    assert v.limits(m) == ["at most 50 linked accounts"]
    assert v.limits({"capped": True}) and v.limits({"capped": False, "notes": []}) == []


def test_result_shows_the_hash_files_and_limits(tmp_path):
    _package(tmp_path / "p.zip", notes=["at most 5000 movements"])
    text = json.dumps(v.result({"path": str(tmp_path / "p.zip"), "sha256": "ab" * 32}), default=lambda c: c.to_plotly_json())
    assert "ab" * 32 in text and "nodes.csv" in text and "report.html" in text and "at most 5000 movements" in text
    assert hashlib.sha256(b"<p>x</p>").hexdigest() in text
    _package(tmp_path / "q.zip")
    text = json.dumps(v.result({"path": str(tmp_path / "q.zip"), "sha256": "cd" * 32}), default=lambda c: c.to_plotly_json())
    assert "no limits applied" in text
