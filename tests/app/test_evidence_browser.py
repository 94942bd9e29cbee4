"""The Evidence page in a real headless Chromium: le_response exports a masked package about
an account of the generated data that verifies, holds the subject and its movements and no
raw email, and is in the audit log with its SHA-256; an investigator sees no Evidence page
and the server refuses the page's callback posted with their own session (and their
explorer's case menu lists a case made after the page opened)."""
from __future__ import annotations

import csv
import hashlib
import json
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
from dash.testing.wait import until

from casegraph.app import auth, ids
from tests.support import allow_downloads, body, callback_key, login, no_console_errors, read_csv, text_of

pytestmark = pytest.mark.browser

NAV_EVIDENCE = f"{ids.NAV}-evidence"


def victim_and_period(folder: Path) -> tuple[str, str, str, int]:
    """A reported victim of the generated data with its transfers' days: (account, since,
    until (exclusive), number of its transfers in that period)."""
    truth = json.loads((folder / "truth.json").read_text())
    rows = read_csv(folder / "transfers.csv")
    for account in truth["reported_victims"]:
        days = sorted(r["at"][:10] for r in rows if account in (r["from_account"], r["to_account"]))
        if days:
            end = (date.fromisoformat(days[-1]) + timedelta(days=1)).isoformat()
            return account, days[0], end, len(days)
    raise AssertionError("the generated data should give a reported victim with transfers")


def exports_by(actor: str) -> list[dict]:
    from casegraph import app as ui
    from casegraph import audit
    return audit.entries(ui.state(), actor=actor, action="evidence.export")


def test_le_response_exports_a_masked_subject_package(dash_duo, ui_app, ui_data):
    from casegraph import evidence
    _, folder = ui_data
    account, since, end, moves = victim_and_period(folder)
    login(dash_duo, "le", app=ui_app)
    dash_duo.wait_for_element(f"#{NAV_EVIDENCE}").click()
    dash_duo.wait_for_element(f"#{ids.EVIDENCE_SUBJECT}").send_keys(account)
    dash_duo.find_element(f"#{ids.EVIDENCE_SINCE}").send_keys(since)
    dash_duo.find_element(f"#{ids.EVIDENCE_UNTIL}").send_keys(end)
    # bad input is a message, never a traceback, and builds nothing
    dash_duo.find_element(f"#{ids.EVIDENCE_BUILD}").click()
    dash_duo.wait_for_contains_text(f"#{ids.EVIDENCE_MESSAGE}", "request reference", timeout=15)
    dash_duo.find_element(f"#{ids.EVIDENCE_REF}").send_keys("REQ-2026-0077")
    dash_duo.find_element(f"#{ids.EVIDENCE_AGENCY}").send_keys("Example Police Cyber Unit")
    dash_duo.find_element(f"#{ids.EVIDENCE_MASK} input").click()
    until(lambda: dash_duo.find_element(f"#{ids.EVIDENCE_MASK} input").is_selected(), timeout=10)
    assert not exports_by("le") or all(e["details"]["subject"] != f"Account:{account}" for e in exports_by("le"))

    downloads = allow_downloads(dash_duo)
    dash_duo.find_element(f"#{ids.EVIDENCE_BUILD}").click()
    dash_duo.wait_for_element(f"#{ids.EVIDENCE_RESULT} .sha256", timeout=120)
    shown = text_of(dash_duo, f"#{ids.EVIDENCE_RESULT} .sha256")
    assert text_of(dash_duo, f"#{ids.EVIDENCE_MESSAGE}") == ""
    until(lambda: [p for p in downloads.glob("*.zip") if p.stat().st_size > 0], timeout=30)
    package = next(downloads.glob("*.zip"))
    until(lambda: hashlib.sha256(package.read_bytes()).hexdigest() == shown, timeout=10)
    assert evidence.verify(package) == []

    with zipfile.ZipFile(package) as z:
        files = {name: z.read(name) for name in z.namelist()}
    manifest = json.loads(files["manifest.json"])
    assert (manifest["subject"], manifest["exported_by"], manifest["masked"]) == (f"Account:{account}", "le", True)
    # the page lists every file with the manifest's hash
    listed = text_of(dash_duo, f"#{ids.EVIDENCE_RESULT}")
    assert all(f["name"] in listed and f["sha256"] in listed for f in manifest["files"])
    nodes = list(csv.DictReader(files["nodes.csv"].decode().splitlines()))
    transfers = list(csv.DictReader(files["transfers.csv"].decode().splitlines()))
    subject = f"Account:{account}"
    assert subject in {r["id"] for r in nodes}
    theirs = [t for t in transfers if t["kind"] == "TRANSFERRED" and subject in (t["from"], t["to"])]
    assert len(theirs) == moves
    # masked: no email of the graph in any file (the subject's own included)
    emails = {r["email"] for r in read_csv(folder / "account_emails.csv")}
    own = {r["email"] for r in read_csv(folder / "account_emails.csv") if r["account_id"] == account}
    assert own and any(r["id"].startswith("Email:") for r in nodes)
    leaked = {(name, e) for name, data in files.items() for e in emails if e.encode() in data}
    assert leaked == set()

    # the audit log holds the export by le with the package's hash
    found = [e for e in exports_by("le") if e["details"]["sha256"] == shown]
    assert len(found) == 1 and found[0]["details"]["subject"] == subject and found[0]["details"]["masked"]
    no_console_errors(dash_duo)


def test_an_investigator_may_not_export(dash_duo, ui_app, ui_data):
    from casegraph import app as ui
    from casegraph import cases
    _, folder = ui_data
    account, since, end, _ = victim_and_period(folder)
    login(dash_duo, "inv", app=ui_app, path="/explorer")
    assert not dash_duo.find_elements(f"#{NAV_EVIDENCE}")
    # (the explorer's case menu picks up a case made after the page opened when clicked open)
    dash_duo.wait_for_element(f"#{ids.EXPLORE_CASE_PICK}")
    made = cases.create_case(ui.state(), cases.operator(), "made after the explorer opened", [],
                             {"query": "test", "params": {}})
    dash_duo.find_element(f"#{ids.EXPLORE_CASE_PICK_AREA}").click()
    until(lambda: f"#{made} made after" in dash_duo.find_element("body").text, timeout=10)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/evidence")
    dash_duo.wait_for_contains_text(f"#{ids.SHELL_DENIED}", "may not export_evidence", timeout=10)
    assert not dash_duo.find_elements(f"#{ids.EVIDENCE_BUILD}")

    # the page's callback, posted with the investigator's own browser session, is refused
    key = callback_key(ui_app, ids.EVIDENCE_DOWNLOAD)
    payload = body(ui_app, key, {ids.EVIDENCE_BUILD: 1, ids.EVIDENCE_KIND: "Account", ids.EVIDENCE_SUBJECT: account,
                                 ids.EVIDENCE_SINCE: since, ids.EVIDENCE_UNTIL: end, ids.EVIDENCE_REF: "REQ-1",
                                 ids.EVIDENCE_AGENCY: "Example Police", ids.EVIDENCE_MASK: []},
                   (f"{ids.EVIDENCE_BUILD}.n_clicks",))
    cookies = {c["name"]: c["value"] for c in dash_duo.driver.get_cookies()}
    r = requests.post(f"{dash_duo.server_url}/_dash-update-component", json=payload, cookies=cookies, timeout=30,
                      headers={auth.CSRF_HEADER: cookies[auth.CSRF_COOKIE], "Origin": dash_duo.server_url})
    assert r.status_code == 403 and "role 'investigator' may not export_evidence" in r.json()["error"], r.text
    assert exports_by("inv") == []
    no_console_errors(dash_duo)
