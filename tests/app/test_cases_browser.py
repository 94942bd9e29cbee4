"""Cases, evidence and KPIs in a real headless Chromium, each role logged in through the
login form: an investigator turns an alert into a case, adds an entity and a note and
decides it, works the alert queue in bulk and makes cases from search hits and an explorer
selection, and gives a second review; le_response exports an evidence package that
verifies and parses; an analyst may read a case but the server refuses every change; the
KPIs page shows the numbers casegraph.kpis computes. The state store is checked after each, and the browser console
must stay free of errors."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from dash.testing.wait import until

from casegraph.app import ids
from casegraph.app.pages import _cases
from tests.support import (allow_downloads, busiest_account, click, grid_rows, login, no_console_errors, pick,
                           read_csv, read_text, run_cli, select, set_props, tap, text_of, wait_download, wait_grid,
                           wait_nodes, wait_selection)

pytestmark = pytest.mark.browser

NOTE = "same passport photo on every account"


def case_nodes(duo, predicate, timeout=15) -> set[str]:
    """The case page's canvas node ids once `predicate(ids)` holds."""
    return wait_nodes(duo, predicate, timeout, graph=ids.CASES_GRAPH)


def shown_ids(duo) -> list[int]:
    """The alert ids the queue's grid shows."""
    return [int(r["id"]) for r in grid_rows(duo, ids.ALERTS_TABLE) or []]


# the input of the filter row's box under column arguments[1] of the grid arguments[0]
FILTER_BOX = """const root = document.getElementById(arguments[0]);
const head = root && root.querySelector('.ag-header-cell[col-id="' + arguments[1] + '"]');
if (!head) return null;
return root.querySelector('.ag-floating-filter[aria-colindex="' + head.getAttribute('aria-colindex') + '"] input');"""


def filter_box(duo, grid_id: str, column: str):
    """The filter row's input under `column` (once the grid has drawn its header)."""
    until(lambda: duo.driver.execute_script(FILTER_BOX, grid_id, column) is not None, timeout=10)
    return duo.driver.execute_script(FILTER_BOX, grid_id, column)


def tick(duo, alert_ids: list[int]) -> None:
    """Tick the rows of these alerts (their selection boxes) and wait until the page says the
    server has seen exactly that many ticked: what the next bulk button sends as the selection."""
    ticked = ("const root = document.getElementById(arguments[0]);"
              "const out = [];"
              "root.querySelectorAll('.ag-cell[col-id=id]').forEach(td => {"
              "  const row = td.closest('.ag-row');"
              "  const i = row.getAttribute('row-index');"
              "  const box = root.querySelector('.ag-row[row-index=\"' + i + '\"] .ag-selection-checkbox input');"
              "  if (!box) return;"
              "  if (arguments[1].includes(+td.textContent) && !box.checked) box.click();"
              "  if (box.checked) out.push(+td.textContent);"
              "});"
              "return out;")
    until(lambda: sorted(duo.driver.execute_script(ticked, ids.ALERTS_TABLE, alert_ids)) == sorted(alert_ids),
          timeout=10)
    duo.wait_for_text_to_equal(f"#{ids.ALERTS_SELECTED}", f"{len(alert_ids)} alert(s) selected", timeout=10)


def moves(duo) -> list[str]:
    """The status moves the case page offers (read in one go: they are re-drawn with the case)."""
    return duo.driver.execute_script("return [...document.querySelectorAll(arguments[0])].map(b => b.textContent)",
                                     f"#{ids.CASES_MOVES} button")


def free_alert(state, detection="rings") -> dict:
    """An open alert of `detection` no case holds yet (the last, so other tests keep the first)."""
    found = [a for a in state.list_alerts(detection) if a.get("case_id") is None]
    assert found, f"the generated data should give open {detection} alerts"
    return found[-1]


def busiest_detection(state, skip=("rings",)) -> str:
    """The detection with the most open alerts (rings alerts are few: the explorer test needs one)."""
    counts: dict[str, int] = {}
    for a in state.list_alerts():
        if a["detection"] not in skip:
            counts[a["detection"]] = counts.get(a["detection"], 0) + 1
    return max(counts, key=counts.get)


def operator_case(ui) -> int:
    """A case opened through the core by the local operator (not through the UI)."""
    from casegraph import cases
    alert = free_alert(ui.state(), busiest_detection(ui.state()))
    return cases.case_from_alert(ui.state(), ui.store(), cases.operator(), alert["id"])


def test_investigator_turns_an_alert_into_a_case_and_decides_it(dash_duo, ui_app, ui_data):
    from casegraph import app as ui
    from casegraph import audit, cases
    _, folder = ui_data
    alert = free_alert(ui.state())
    members = {f"Account:{m}" for m in alert["entities"]}
    outsider = next(f"Account:{r['account_id']}" for r in read_csv(folder / "accounts.csv")
                    if f"Account:{r['account_id']}" not in members)
    login(dash_duo, "inv", app=ui_app, path="/alerts")

    # the alert queue: filter to the alert's detection, tick the alert, open a case from it
    dash_duo.wait_for_contains_text(f"#{ids.ALERTS_COUNT}", "alert(s)", timeout=10)
    pick(dash_duo, ids.ALERTS_DETECTION, "rings")
    dash_duo.wait_for_text_to_equal(f"#{ids.ALERTS_COUNT}", f"{len(ui.state().list_alerts('rings'))} alert(s)",
                                    timeout=10)
    filter_box(dash_duo, ids.ALERTS_TABLE, "id").send_keys(str(alert["id"]))
    until(lambda: shown_ids(dash_duo) == [alert["id"]], timeout=10)
    tick(dash_duo, [alert["id"]])
    dash_duo.find_element(f"#{ids.ALERTS_OPEN_CASE}").click()

    # the case page opens on its own, with the alert's entities and what links them
    until(lambda: "/cases?id=" in dash_duo.driver.current_url, timeout=15)
    case_id = int(dash_duo.driver.current_url.rsplit("=", 1)[1])
    dash_duo.wait_for_contains_text(f"#{ids.CASES_HEADER}", f"Case {case_id}", timeout=15)
    shown = case_nodes(dash_duo, lambda n: members <= n)
    assert not {n for n in shown - members if n.startswith("Account:")}
    assert cases.get_case(ui.state(), case_id)["alert_ids"] == [alert["id"]]
    assert ui.state().get_alert(alert["id"])["status"] == "in_case"

    # tapping a member shows how it came into the case
    tap(dash_duo, sorted(members)[0], graph=ids.CASES_GRAPH)
    dash_duo.wait_for_contains_text(f"#{ids.CASES_PROVENANCE}", sorted(members)[0], timeout=10)
    assert "ui_nodes" in text_of(dash_duo, f"#{ids.CASES_PROVENANCE}")

    # add an entity by its id, then a note
    dash_duo.find_element(f"#{ids.CASES_ADD_ID}").send_keys(outsider)
    dash_duo.find_element(f"#{ids.CASES_ADD}").click()
    dash_duo.wait_for_contains_text(f"#{ids.CASES_MESSAGE}", f"added {outsider}", timeout=10)
    case_nodes(dash_duo, lambda n: outsider in n)
    dash_duo.find_element(f"#{ids.CASES_NOTE_TEXT}").send_keys(NOTE)
    dash_duo.find_element(f"#{ids.CASES_NOTE_ADD}").click()
    wait_grid(dash_duo, ids.CASES_NOTES, lambda rows: [(r["author"], r["text"]) for r in rows] == [("inv", NOTE)])

    # the workflow: only the allowed next moves are offered; each needs a reason
    until(lambda: moves(dash_duo) == ["-> in_review"], timeout=10)
    click(dash_duo, ".move-in_review")
    dash_duo.wait_for_contains_text(f"#{ids.CASES_MESSAGE}", "needs a reason", timeout=10)
    dash_duo.find_element(f"#{ids.CASES_REASON}").send_keys("ring members share documents")
    click(dash_duo, ".move-in_review")
    dash_duo.wait_for_contains_text(f"#{ids.CASES_MESSAGE}", "is now in_review", timeout=10)
    until(lambda: moves(dash_duo) == ["-> confirmed", "-> false_positive", "-> open"], timeout=10)
    # a move done clears the reason, so the next move needs its own
    until(lambda: dash_duo.find_element(f"#{ids.CASES_REASON}").get_attribute("value") == "", timeout=10)
    dash_duo.find_element(f"#{ids.CASES_REASON}").send_keys("confirmed: one passport, five accounts")
    click(dash_duo, ".move-confirmed")
    dash_duo.wait_for_contains_text(f"#{ids.CASES_HEADER}", "confirmed by inv", timeout=10)
    until(lambda: moves(dash_duo) == ["-> closed"], timeout=10)
    wait_grid(dash_duo, ids.CASES_HISTORY, lambda rows: {("inv", "open -> in_review", "ring members share documents"),
                                                          ("inv", "in_review -> confirmed",
                                                           "confirmed: one passport, five accounts")}
              <= {(r["actor"], r["move"], r["reason"]) for r in rows})

    # a remediation action on a member, and the action list for downstream systems
    member = sorted(members)[0]
    downloads = allow_downloads(dash_duo)
    pick(dash_duo, ids.CASES_ACTION, "freeze")
    pick(dash_duo, ids.CASES_ACTION_TARGET, member)
    dash_duo.find_element(f"#{ids.CASES_ACTION_ADD}").click()
    wait_grid(dash_duo, ids.CASES_ACTIONS,
              lambda rows: [(r["action"], r["target"], r["requested_by"]) for r in rows] == [("freeze", member, "inv")])
    dash_duo.find_element(f"#{ids.CASES_ACTIONS_CSV}").click()
    rows = read_csv(wait_download(downloads, f"case-{case_id}-actions.csv"))
    assert [(r["case_id"], r["action"], f"{r['target_kind']}:{r['target_key']}", r["requested_by"]) for r in rows] \
        == [(str(case_id), "freeze", member, "inv")]

    # the state store agrees: history, decision, the added entity with its provenance, the note
    case = cases.get_case(ui.state(), case_id)
    assert case["status"] == "confirmed" and case["decision"] == "confirmed" and case["decided_by"] == "inv"
    assert [(h["from_status"], h["to_status"], h["actor"]) for h in case["history"]][1:] == \
        [("open", "in_review", "inv"), ("in_review", "confirmed", "inv")]
    assert case["history"][2]["reason"] == "confirmed: one passport, five accounts"
    assert outsider in {e["data"]["id"] for e in case["elements"]}
    assert case["provenance"][outsider]["query"] == "ui_nodes" and case["provenance"][outsider]["added_by"] == "inv"
    assert all(case["provenance"][m]["added_by"] == "inv" for m in members)
    # every relationship the case holds joins two of its entities (none points at a node it lacks)
    held = set(_cases.node_ids(case["elements"]))
    edges = [e["data"] for e in case["elements"] if "source" in e["data"]]
    assert edges and all(d["source"] in held and d["target"] in held for d in edges)
    assert [(n["author"], n["text"]) for n in case["notes"]] == [("inv", NOTE)]
    logged = [e["action"] for e in audit.entries(ui.state(), actor="inv") if e["action"].startswith("case.")]
    assert {"case.create", "case.add", "case.note", "case.status"} <= set(logged)
    no_console_errors(dash_duo)


def test_investigator_works_the_queue_and_makes_cases_from_search_and_explorer(dash_duo, ui_app, ui_data):
    from casegraph import app as ui
    from casegraph import cases
    _, folder = ui_data
    state = ui.state()
    detection = busiest_detection(state)
    open_alerts = len(state.list_alerts(detection))
    assert open_alerts >= 2
    login(dash_duo, "inv", app=ui_app, path="/alerts")

    # bulk: dismiss two alerts with a reason, then find them under "dismissed" and reopen them
    dash_duo.wait_for_contains_text(f"#{ids.ALERTS_COUNT}", "alert(s)", timeout=10)
    pick(dash_duo, ids.ALERTS_DETECTION, detection)
    dash_duo.wait_for_text_to_equal(f"#{ids.ALERTS_COUNT}", f"{open_alerts} alert(s)", timeout=10)

    picked = shown_ids(dash_duo)[:2]
    tick(dash_duo, picked)
    pick(dash_duo, ids.ALERTS_BULK_ACTION, "dismiss")
    dash_duo.find_element(f"#{ids.ALERTS_BULK_REASON}").send_keys("known test accounts")
    dash_duo.find_element(f"#{ids.ALERTS_BULK_APPLY}").click()
    dash_duo.wait_for_contains_text(f"#{ids.ALERTS_BULK_MESSAGE}", "dismiss: 2 alert(s) changed", timeout=10)
    dash_duo.wait_for_text_to_equal(f"#{ids.ALERTS_COUNT}", f"{open_alerts - 2} alert(s)", timeout=10)
    until(lambda: read_text(dash_duo, f"#{ids.ALERTS_SELECTED}") == "", timeout=10)     # the ticks went with them
    for a in picked:
        row = state.get_alert(a)
        assert (row["status"], row["closed_reason"]) == ("dismissed", "known test accounts")
    pick(dash_duo, ids.ALERTS_STATUS, "dismissed")
    dismissed = len(state.list_alerts(detection, "dismissed"))
    dash_duo.wait_for_text_to_equal(f"#{ids.ALERTS_COUNT}", f"{dismissed} alert(s)", timeout=10)
    until(lambda: set(shown_ids(dash_duo)) >= set(picked), timeout=10)
    tick(dash_duo, picked)
    pick(dash_duo, ids.ALERTS_BULK_ACTION, "reopen")
    dash_duo.find_element(f"#{ids.ALERTS_BULK_APPLY}").click()
    dash_duo.wait_for_contains_text(f"#{ids.ALERTS_BULK_MESSAGE}", "reopen: 2 alert(s) changed", timeout=10)
    assert [state.get_alert(a)["status"] for a in picked] == ["open", "open"]

    # search: a case from the hits, with the template that found them as provenance
    account = busiest_account(folder)
    dash_duo.wait_for_page(f"{dash_duo.server.url}/")
    dash_duo.wait_for_element(f"#{ids.SEARCH_INPUT}").send_keys(account)
    dash_duo.find_element(f"#{ids.SEARCH_BUTTON}").click()
    dash_duo.wait_for_text_to_equal(".search-hit", account, timeout=10)
    dash_duo.find_element(f"#{ids.SEARCH_NEW_CASE}").click()     # the hits shown came with the results
    until(lambda: "/cases?id=" in dash_duo.driver.current_url, timeout=15)
    searched = int(dash_duo.driver.current_url.rsplit("=", 1)[1])
    dash_duo.wait_for_contains_text(f"#{ids.CASES_HEADER}", f"Search: {account}", timeout=15)
    assert case_nodes(dash_duo, lambda n: f"Account:{account}" in n)
    case = cases.get_case(state, searched)
    assert case["source"] == "search"
    assert case["provenance"][f"Account:{account}"]["query"] == "ui_search_exact"
    assert case["provenance"][f"Account:{account}"]["params"] == {"text": account}

    # explorer: the selection (an account, a neighbour and the edges between them) into that case
    start = f"Account:{account}"
    dash_duo.wait_for_page(f"{dash_duo.server.url}/explorer?ids={start}")
    wait_nodes(dash_duo, lambda n: n == {start})
    select(dash_duo, start)
    dash_duo.find_element(f"#{ids.EXPLORE_EXPAND}").click()
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_MESSAGE}", f"expanded {start}:", timeout=10)
    grown = wait_nodes(dash_duo, lambda n: len(n) > 2)
    neighbour = sorted(n for n in grown if n.startswith("Account:") and n != start)[0]
    select(dash_duo, start, neighbour)
    pick(dash_duo, ids.EXPLORE_CASE_PICK, f"#{searched} Search: {account} (open)")
    wait_selection(dash_duo, start, neighbour)      # picking a case leaves the selection as it was
    dash_duo.find_element(f"#{ids.EXPLORE_ADD_TO_CASE}").click()
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_MESSAGE}", f"to case #{searched}", timeout=10)
    case = cases.get_case(state, searched)
    edges = [e for e in case["elements"] if "source" in e["data"]]
    assert neighbour in {e["data"]["id"] for e in case["elements"]} and edges
    assert all({e["data"]["source"], e["data"]["target"]} == {start, neighbour} for e in edges)
    # read again from the graph (only the ids came from the browser), each element with its query
    read = case["provenance"][neighbour]
    assert (read["query"], read["added_by"]) == ("ui_nodes", "inv")
    assert sorted(read["params"]["keys"]["Account"]) == sorted([start.split(":", 1)[1], neighbour.split(":", 1)[1]])
    assert {case["provenance"][e["data"]["id"]]["query"] for e in edges} == {"ui_selection_links"}
    # ... or into a new case, which opens
    wait_selection(dash_duo, start, neighbour)
    dash_duo.find_element(f"#{ids.EXPLORE_NEW_CASE}").click()
    until(lambda: "/cases?id=" in dash_duo.driver.current_url, timeout=15)
    made = int(dash_duo.driver.current_url.rsplit("=", 1)[1])
    assert made != searched
    assert case_nodes(dash_duo, lambda n: n == {start, neighbour}) == {start, neighbour}
    assert cases.get_case(state, made)["source"] == "explorer"
    # removing an entity keeps it on record as removed (and its edges go with it)
    select(dash_duo, neighbour, graph=ids.CASES_GRAPH)
    dash_duo.find_element(f"#{ids.CASES_REMOVE}").click()
    dash_duo.wait_for_contains_text(f"#{ids.CASES_MESSAGE}", f"removed {neighbour}", timeout=10)
    assert case_nodes(dash_duo, lambda n: n == {start}) == {start}
    case = cases.get_case(state, made)
    assert _cases.node_ids(case["elements"]) == [start] and not [e for e in case["elements"] if "source" in e["data"]]
    assert neighbour in {r["element_id"] for r in case["removed"] if r["removed_by"] == "inv"}

    # a model-team group found by its id is reviewed as a case of the group and its members
    with open(folder / "groups.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    group = rows[0]["group_id"]
    members = {f"Account:{r['account_id']}" for r in rows if r["group_id"] == group}
    dash_duo.wait_for_page(f"{dash_duo.server.url}/")
    dash_duo.wait_for_element(f"#{ids.SEARCH_INPUT}").send_keys(group)
    dash_duo.find_element(f"#{ids.SEARCH_BUTTON}").click()
    dash_duo.wait_for_text_to_equal(".search-hit", group, timeout=10)
    dash_duo.find_element(f"#{ids.SEARCH_NEW_CASE}").click()
    until(lambda: "/cases?id=" in dash_duo.driver.current_url and
          int(dash_duo.driver.current_url.rsplit("=", 1)[1]) not in (searched, made), timeout=15)
    reviewed = cases.get_case(state, int(dash_duo.driver.current_url.rsplit("=", 1)[1]))
    assert reviewed["source"] == f"group:{group}"
    assert members | {f"Group:{group}"} <= set(_cases.node_ids(reviewed["elements"]))
    assert case_nodes(dash_duo, lambda n: f"Group:{group}" in n)
    no_console_errors(dash_duo)


def parse_package(path: Path) -> dict[str, object]:
    """Every file of an evidence package read by a reader of its format."""
    import networkx as nx
    import xml.etree.ElementTree as ET
    out: dict[str, object] = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            data = z.read(name)
            if name.endswith(".json"):
                out[name] = json.loads(data)
            elif name.endswith((".jsonl", ".ftm.json", ".ijson")):
                out[name] = [json.loads(line) for line in data.decode().splitlines() if line.strip()]
            elif name.endswith(".csv"):
                out[name] = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
            elif name.endswith(".graphml"):
                out[name] = nx.read_graphml(io.BytesIO(data))
            elif name.endswith(".svg"):
                out[name] = ET.fromstring(data)
            elif name.endswith(".anx"):                       # i2 chart: UTF-16 XML with a byte-order mark
                out[name] = ET.fromstring(data.decode("utf-16"))
            elif name.endswith(".png"):
                from PIL import Image
                Image.open(io.BytesIO(data)).verify()         # raises on a damaged image
                out[name] = data
            elif name.endswith(".pdf"):
                from pypdf import PdfReader
                out[name] = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
            elif name.endswith(".sig"):
                out[name] = json.loads(data)                  # checked with the public key below
            elif name.endswith(".html"):
                from html.parser import HTMLParser

                class Text(HTMLParser):
                    def __init__(self):
                        super().__init__()
                        self.parts: list[str] = []

                    def handle_data(self, text):
                        self.parts.append(text)
                page = Text()
                page.feed(data.decode("utf-8"))
                out[name] = " ".join(page.parts)
            else:
                raise AssertionError(f"no independent reader for {name}: add one")
    return out


def test_le_response_exports_an_evidence_package_that_verifies(dash_duo, ui_app, ui_data):
    from casegraph import app as ui
    from casegraph import audit, evidence
    case_id = operator_case(ui)
    login(dash_duo, "le", app=ui_app, path=f"/cases?id={case_id}")
    dash_duo.wait_for_contains_text(f"#{ids.CASES_HEADER}", f"Case {case_id}", timeout=15)
    # le_response reads the case but gets no change controls
    assert not dash_duo.find_element(f"#{ids.CASES_CHANGE}").is_displayed()

    downloads = allow_downloads(dash_duo)
    dash_duo.find_element(f"#{ids.CASES_EVIDENCE_REF}").send_keys("REQ-2026-0042")
    dash_duo.find_element(f"#{ids.CASES_EVIDENCE_AGENCY}").send_keys("Example Police Cyber Unit")
    dash_duo.find_element(f"#{ids.CASES_EVIDENCE_BUILD}").click()
    dash_duo.wait_for_element(f"#{ids.CASES_EVIDENCE_RESULT} .sha256", timeout=120)
    shown = text_of(dash_duo, f"#{ids.CASES_EVIDENCE_RESULT} .sha256")
    until(lambda: [p for p in downloads.glob("*.zip") if p.stat().st_size > 0], timeout=30)
    package = next(downloads.glob("*.zip"))
    until(lambda: hashlib.sha256(package.read_bytes()).hexdigest() == shown, timeout=10)

    assert evidence.verify(package) == []
    files = parse_package(package)
    manifest = files["manifest.json"]
    assert (manifest["request_ref"], manifest["agency"], manifest["case_id"], manifest["exported_by"]) == \
        ("REQ-2026-0042", "Example Police Cyber Unit", case_id, "le")
    assert "REQ-2026-0042" in files["report.html"] and "REQ-2026-0042" in files["report.pdf"]
    # the package holds the case's snapshot: every node of the case is in nodes.csv and the GraphML
    from casegraph import cases
    snapshot = set(_cases.node_ids(cases.get_case(ui.state(), case_id)["elements"]))
    assert snapshot <= {r["id"] for r in files["nodes.csv"]} and snapshot <= set(files["graph.graphml"].nodes)
    # the manifest is signed: checked here with the deployment's public key and `cryptography`
    import base64
    from casegraph import signing
    with zipfile.ZipFile(package) as z:
        raw_manifest = z.read("manifest.json")
    sig = files["manifest.sig"]
    signing.public_keys(ui_data[0])[sig["key_id"]].verify(base64.b64decode(sig["signature"]), raw_manifest)
    # `casegraph verify` (the deployment's keys and audit log) passes on the download, then
    # names the file after one byte of it changed
    settings = ui_data[0]
    env = {"CASEGRAPH_DB": settings.db, "CASEGRAPH_GRAPH": settings.graph, "CASEGRAPH_STATE": settings.state}
    assert run_cli("verify", str(package), env=env).returncode == 0
    tampered = package.with_name("tampered.zip")
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "nodes.csv":
                data = data[:-2] + bytes([data[-2] ^ 1]) + data[-1:]
            dst.writestr(info, data)
    proc = run_cli("verify", str(tampered), env=env, check=False)
    assert proc.returncode == 1 and "nodes.csv" in proc.stdout + proc.stderr
    assert [line.split(":")[0] for line in evidence.verify(tampered)] == ["nodes.csv"]

    # the audit log holds the export with the package's hash, by the le user
    exports = [e for e in audit.entries(ui.state(), actor="le") if e["action"] == "evidence.export"]
    assert exports and shown in json.dumps(exports[-1]["details"])
    no_console_errors(dash_duo)


def test_le_response_drafts_an_str_from_a_confirmed_case(dash_duo, ui_app, ui_data):
    from xml.etree import ElementTree
    from casegraph import app as ui
    from casegraph import audit, cases
    case_id = operator_case(ui)
    login(dash_duo, "le", app=ui_app, path=f"/cases?id={case_id}")
    dash_duo.wait_for_contains_text(f"#{ids.CASES_HEADER}", f"Case {case_id}", timeout=15)
    downloads = allow_downloads(dash_duo)
    click(dash_duo, f"#{ids.CASES_STR_BUILD}")
    dash_duo.wait_for_contains_text(f"#{ids.CASES_EVIDENCE_RESULT}", "only from a confirmed case", timeout=15)
    for to in ("in_review", "confirmed"):
        cases.set_status(ui.state(), cases.operator(), case_id, to, "one operator behind the ring")
    click(dash_duo, f"#{ids.CASES_STR_BUILD}")
    dash_duo.wait_for_element(f"#{ids.CASES_EVIDENCE_RESULT} .sha256", timeout=30)
    shown = text_of(dash_duo, f"#{ids.CASES_EVIDENCE_RESULT} .sha256")
    xml = wait_download(downloads, f"str-case-{case_id}.xml", timeout=15)
    pdf = wait_download(downloads, f"str-case-{case_id}.pdf", timeout=15)
    until(lambda: hashlib.sha256(xml.read_bytes()).hexdigest() == shown, timeout=10)
    assert ElementTree.fromstring(xml.read_bytes()).findtext("entity_reference") == f"casegraph-case-{case_id}"
    assert pdf.read_bytes().startswith(b"%PDF")
    drafts = audit.entries(ui.state(), actor="le", action="report.str_draft")
    assert drafts[-1]["details"]["sha256"] == shown and drafts[-1]["details"]["case_id"] == case_id
    no_console_errors(dash_duo)


def test_analyst_reads_a_case_but_the_server_refuses_changes(dash_duo, ui_app, ui_data):
    from casegraph import app as ui
    from casegraph import audit, cases
    case_id = operator_case(ui)
    before = cases.get_case(ui.state(), case_id)
    login(dash_duo, "ana", app=ui_app, path=f"/cases?id={case_id}")
    dash_duo.wait_for_contains_text(f"#{ids.CASES_HEADER}", f"Case {case_id}", timeout=15)
    case_nodes(dash_duo, lambda n: len(n) > 0)
    change = dash_duo.find_element(f"#{ids.CASES_CHANGE}")
    assert not change.is_displayed()
    assert not dash_duo.find_element(f"#{ids.CASES_REMOVE}").is_displayed()
    assert not dash_duo.find_elements(f"#{ids.CASES_EVIDENCE}")

    # the hidden controls still reach the server (a hidden button is no protection): it refuses
    first = sorted(_cases.node_ids(before["elements"]))[0]
    select(dash_duo, first, graph=ids.CASES_GRAPH)
    attempts = [({ids.CASES_NOTE_TEXT: {"value": "an analyst's note"}}, ids.CASES_NOTE_ADD),
                ({ids.CASES_REASON: {"value": "let me in"}}, {"type": ids.CASES_MOVE, "to": "in_review"}),
                ({}, ids.CASES_REMOVE), ({ids.CASES_ASSIGN_TO: {"value": "ana"}}, ids.CASES_ASSIGN)]
    for fields, button in attempts:
        set_props(dash_duo, ids.CASES_MESSAGE, {"children": ""})
        for field, props in fields.items():
            set_props(dash_duo, field, props)
        set_props(dash_duo, button, {"n_clicks": 1})
        dash_duo.wait_for_contains_text(f"#{ids.CASES_MESSAGE}", "role 'analyst' may not change_case", timeout=10)

    after = cases.get_case(ui.state(), case_id)
    for key in ("status", "notes", "history", "elements", "updated_at", "actions"):
        assert after[key] == before[key], key
    assert not [e for e in audit.entries(ui.state(), actor="ana") if e["action"].startswith("case.")]
    no_console_errors(dash_duo)


def test_second_review_the_case_list_and_the_kpis_page(dash_duo, ui_app, ui_data):
    from casegraph import app as ui
    from casegraph import cases, freezes, kpis
    # a case the operator decided, so an investigator can give the second review
    case_id = operator_case(ui)
    op = cases.operator()
    cases.set_status(ui.state(), op, case_id, "in_review", "look")
    cases.set_status(ui.state(), op, case_id, "false_positive", "shared office IP, not a ring")
    # a freeze on the case, recorded through the core: the case page's freeze grid lists it
    target = next(n for n in _cases.node_ids(cases.get_case(ui.state(), case_id)["elements"])
                  if n.startswith(("Account:", "Wallet:")))
    freeze_id = freezes.record(ui.state(), op, target, 250, "usdt", case_id=case_id, reason="order 7")
    login(dash_duo, "inv", app=ui_app, path=f"/cases?id={case_id}")
    dash_duo.wait_for_contains_text(f"#{ids.CASES_HEADER}", "false_positive by cli:", timeout=15)
    wait_grid(dash_duo, ids.CASES_FREEZES, lambda rows: [(r["id"], r["target"], r["amount"], r["asset"], r["state"],
                                                          r["on"], r["reason"]) for r in rows]
              == [(str(freeze_id), target, "250", "USDT", "active", f"case {case_id}", "order 7")])
    until(lambda: dash_duo.find_element(f"#{ids.CASES_REVIEW}").is_displayed(), timeout=10)
    pick(dash_duo, ids.CASES_REVIEW_VERDICT, "confirmed")
    dash_duo.find_element(f"#{ids.CASES_REVIEW_REASON}").send_keys("the IP is a residential line")
    dash_duo.find_element(f"#{ids.CASES_REVIEW_SUBMIT}").click()
    wait_grid(dash_duo, ids.CASES_REVIEWS, lambda rows: [(r["reviewer"], r["verdict"], r["agrees"], r["reason"])
                                                         for r in rows]
              == [("inv", "confirmed", "no", "the IP is a residential line")])
    assert [(r["reviewer"], r["verdict"], r["agrees"]) for r in cases.get_case(ui.state(), case_id)["reviews"]] \
        == [("inv", "confirmed", False)]

    # the list, filtered by status, links to the case
    dash_duo.wait_for_page(f"{dash_duo.server.url}/cases")
    pick(dash_duo, ids.CASES_STATUS, "false_positive")
    expected = [c["id"] for c in cases.list_cases(ui.state(), status="false_positive")]
    dash_duo.wait_for_text_to_equal(f"#{ids.CASES_COUNT}", f"{len(expected)} case(s)", timeout=10)
    # every row shown is false_positive (the count alone may equal the unfiltered list's)
    shown = wait_grid(dash_duo, ids.CASES_TABLE, lambda rows: {r["status"] for r in rows} == {"false_positive"})
    assert f"#{case_id}" in [r["open"] for r in shown]
    # its "open" cell links to the case, opened inside the app
    click(dash_duo, f"#{ids.CASES_TABLE} .ag-cell[col-id=open] a[href='/cases?id={case_id}']")
    dash_duo.wait_for_contains_text(f"#{ids.CASES_HEADER}", f"Case {case_id}:", timeout=10)

    # the KPIs page shows what casegraph.kpis computes, QA agreement included
    expected = kpis.compute(ui.state())
    dash_duo.wait_for_page(f"{dash_duo.server.url}/kpis")
    dash_duo.wait_for_contains_text(f"#{ids.KPIS_SUMMARY}", "resolution rate", timeout=15)
    text = text_of(dash_duo, f"#{ids.KPIS_SUMMARY}")
    summary = dict(kpis.headline(expected))
    for label, value in summary.items():
        assert f"{label} {value}" in text
    assert not any(summary[k].startswith("n/a") for k in ("resolution rate", "QA agreement", "time to decision, median"))
    wait_grid(dash_duo, ids.KPIS_DETECTIONS,
              lambda rows: sorted(r["detection"] for r in rows) == sorted(expected["per_detection"]))
    # a period typed into the date field: from tomorrow on, nothing was decided yet
    from datetime import date, timedelta
    from selenium.webdriver.common.keys import Keys
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    later = dict(kpis.headline(kpis.compute(ui.state(), *kpis.period(tomorrow, None))))
    assert later["resolution rate"] != summary["resolution rate"]
    dash_duo.find_element(f"#{ids.KPIS_SINCE}").send_keys(tomorrow, Keys.TAB)
    dash_duo.wait_for_contains_text(f"#{ids.KPIS_SUMMARY}", f"period {later['period']}", timeout=10)
    text = text_of(dash_duo, f"#{ids.KPIS_SUMMARY}")
    for label, value in later.items():
        assert f"{label} {value}" in text
    no_console_errors(dash_duo)
