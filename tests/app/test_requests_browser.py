"""The law-enforcement request desk in a real headless Chromium: an le_response user registers a
request with two subjects, opens them in the explorer, exports a package from the request (its
manifest names the request, the request records it with its SHA-256), records a freeze (the
explorer and search then mark the account frozen), marks the request responded, and the KPIs
page shows the time to respond; an investigator sees the request but the server refuses their
freeze; an admin's is recorded, and search marks the account frozen."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from dash.testing.wait import until

from casegraph.app import ids
from tests.support import (allow_downloads, click, login, no_console_errors, pick, read_text, set_props,
                           text_of, wait_cy, wait_grid, wait_nodes)

pytestmark = pytest.mark.browser


def _truth(folder: Path) -> dict:
    return json.loads((folder / "truth.json").read_text())


def _form_field(name: str) -> str:
    """The CSS selector of the register form's field `name` (a pattern-matching id, which Dash
    writes as its JSON with sorted keys)."""
    return "[id='" + json.dumps({"name": name, "type": ids.REQUESTS_FIELD}, separators=(",", ":")) + "']"


def _type(duo, component_id: str, text: str) -> None:
    from selenium.webdriver.common.keys import Keys
    field = duo.find_element(component_id if component_id.startswith("[") else f"#{component_id}")
    field.send_keys(Keys.CONTROL, "a")      # React inputs ignore clear(): select what is there, type over it
    field.send_keys(Keys.BACKSPACE)
    field.send_keys(text)


def _desk():
    from casegraph import app as ui
    from casegraph import requests as desk
    return ui.state(), desk


def _request_id(duo) -> int:
    """The open request's id, once the page shows it (the URL says /requests?id=N)."""
    try:
        until(lambda: "/requests?id=" in duo.driver.current_url, timeout=15)
    except Exception:
        raise AssertionError(f"no request opened: {read_text(duo, '#' + ids.REQUESTS_MESSAGE)!r}") from None
    return int(duo.driver.current_url.rsplit("=", 1)[1])


def _message(duo, text: str, timeout=20) -> None:
    duo.wait_for_contains_text(f"#{ids.REQUESTS_MESSAGE}", text, timeout=timeout)


def test_le_response_works_a_request_from_register_to_response(dash_duo, ui_app, ui_data):
    from casegraph import freezes
    _, folder = ui_data
    truth = _truth(folder)
    scammer, victim = truth["scammers"][0], truth["victims"][0]
    subjects = [f"Account:{scammer}", f"Account:{victim}"]
    login(dash_duo, "le", app=ui_app, path="/requests")

    # register: a bad deadline is a message naming the field, nothing is recorded
    dash_duo.wait_for_element(f"#{ids.REQUESTS_REGISTER}")
    state, desk = _desk()
    before = len(desk.queue(state))
    for name, text in (("agency", "National Crime Agency"), ("country", "gb"), ("reference", "NCA-2026-1187"),
                       ("legal_basis", "POCA s.345"), ("deadline", "next friday"), ("subjects", "\n".join(subjects)),
                       ("ask", "KYC and transactions")):
        _type(dash_duo, _form_field(name), text)
    click(dash_duo, f"#{ids.REQUESTS_REGISTER}")
    _message(dash_duo, "deadline 'next friday' is not a date")
    assert len(desk.queue(state)) == before
    _type(dash_duo, _form_field("deadline"), "2099-12-31T17:00")
    click(dash_duo, f"#{ids.REQUESTS_REGISTER}")
    rid = _request_id(dash_duo)
    dash_duo.wait_for_contains_text(f"#{ids.REQUESTS_HEADER}", f"LE request {rid}: National Crime Agency", timeout=15)
    req = desk.get(state, rid)
    assert (req["subjects"], req["country"], req["status"], req["created_by"]) == (subjects, "GB", "received", "le")
    dash_duo.wait_for_contains_text(f"#{ids.REQUESTS_SUBJECT_ROWS}", f"Account:{victim}", timeout=10)

    # open the subjects in the explorer, and come back
    href = dash_duo.find_element(f"#{ids.REQUESTS_EXPLORER}").get_attribute("href")
    click(dash_duo, f"#{ids.REQUESTS_EXPLORER}")
    wait_nodes(dash_duo, lambda n: set(subjects) <= n)
    dash_duo.driver.get(f"{dash_duo.server_url}/requests?id={rid}")
    dash_duo.wait_for_contains_text(f"#{ids.REQUESTS_HEADER}", f"LE request {rid}", timeout=15)
    assert "/explorer?ids=" in href

    # a package from the request: sent, recorded with its SHA-256, its manifest names the request
    downloads = allow_downloads(dash_duo)
    click(dash_duo, f"#{ids.REQUESTS_EVIDENCE_BUILD}")
    dash_duo.wait_for_contains_text(f"#{ids.REQUESTS_EVIDENCE_RESULT}", "SHA-256", timeout=60)
    (package,) = desk.get(state, rid)["packages"]
    assert package["sha256"] in text_of(dash_duo, f"#{ids.REQUESTS_EVIDENCE_RESULT}")
    dash_duo.wait_for_contains_text(f"#{ids.REQUESTS_PACKAGES}", package["sha256"], timeout=10)
    with zipfile.ZipFile(package["file"]) as z:
        manifest = json.loads(z.read("manifest.json"))
    assert manifest["request"]["id"] == rid and manifest["request_ref"] == "NCA-2026-1187"
    until(lambda: (downloads / Path(package["file"]).name).exists(), timeout=15)

    # a freeze on the scammer's account
    pick(dash_duo, ids.REQUESTS_FREEZE_TARGET, f"Account:{scammer}")
    _type(dash_duo, ids.REQUESTS_FREEZE_AMOUNT, "2500")
    _type(dash_duo, ids.REQUESTS_FREEZE_ASSET, "usdt")
    _type(dash_duo, ids.REQUESTS_FREEZE_REASON, "court order 44/2026")
    click(dash_duo, f"#{ids.REQUESTS_FREEZE_RECORD}")
    _message(dash_duo, f"recorded on Account:{scammer}")
    (frozen,) = freezes.active(state, f"Account:{scammer}")
    assert (frozen["amount"], frozen["asset"], frozen["request_id"], frozen["frozen_by"]) == (2500, "USDT", rid, "le")
    dash_duo.wait_for_contains_text(f"#{ids.REQUESTS_FREEZES}", "court order 44/2026", timeout=10)

    # respond: received -> in_progress -> responded
    click(dash_duo, f"#{ids.REQUESTS_MOVES} .move-in_progress")
    _message(dash_duo, "is now in_progress")
    click(dash_duo, f"#{ids.REQUESTS_MOVES} .move-responded")
    _message(dash_duo, "is now responded")
    assert desk.get(state, rid)["status"] == "responded"

    # the explorer marks the frozen account
    dash_duo.driver.get(f"{dash_duo.server_url}/explorer?ids=Account:{scammer}")
    wait_nodes(dash_duo, lambda n: f"Account:{scammer}" in n)
    wait_cy(dash_duo, "cy.getElementById(arguments[1]).hasClass('risk-frozen')", bool, f"Account:{scammer}")

    # the KPIs page shows the time to respond
    dash_duo.driver.get(f"{dash_duo.server_url}/kpis")
    dash_duo.wait_for_contains_text(f"#{ids.KPIS_DESK_SUMMARY}", "time to respond, median", timeout=15)
    until(lambda: "n/a" not in (read_text(dash_duo, f"#{ids.KPIS_DESK_SUMMARY}") or "n/a").split("p90")[0],
          timeout=10)
    dash_duo.wait_for_contains_text(f"#{ids.KPIS_DESK_AGENCIES}", "National Crime Agency", timeout=10)
    no_console_errors(dash_duo)


def _a_request(subject: str) -> int:
    from casegraph.state import now_ms
    state, desk = _desk()
    return desk.add(state, {"name": "le", "role": "le_response", "disabled": False}, agency="FBI", country="US",
                    reference="FBI-77", legal_basis="18 U.S.C. 2703(d)", received_at=now_ms(),
                    deadline_at=now_ms() + 86_400_000, subjects=[subject])


def test_an_investigator_cannot_record_a_freeze(dash_duo, ui_app, ui_data):
    from casegraph import audit, freezes
    _, folder = ui_data
    target = f"Account:{_truth(folder)['mules'][0]}"
    rid = _a_request(target)
    state, _ = _desk()
    login(dash_duo, "investigator", app=ui_app, path=f"/requests?id={rid}")
    dash_duo.wait_for_contains_text(f"#{ids.REQUESTS_HEADER}", f"LE request {rid}", timeout=15)
    assert not dash_duo.find_element(f"#{ids.REQUESTS_FREEZE}").is_displayed()
    assert not dash_duo.find_element(f"#{ids.REQUESTS_CHANGE}").is_displayed()
    # the hidden controls still reach the server (a hidden button is no protection): it refuses
    set_props(dash_duo, ids.REQUESTS_FREEZE_TARGET, {"value": target})
    set_props(dash_duo, ids.REQUESTS_FREEZE_AMOUNT, {"value": 10})
    set_props(dash_duo, ids.REQUESTS_FREEZE_ASSET, {"value": "BTC"})
    set_props(dash_duo, ids.REQUESTS_FREEZE_RECORD, {"n_clicks": 1})
    _message(dash_duo, "role 'investigator' may not record_freeze")
    assert freezes.active(state, target) == []
    assert not audit.entries(state, actor="inv", action="freeze.record")

    no_console_errors(dash_duo)


def test_an_admin_records_a_freeze_and_search_marks_it(dash_duo, ui_app, ui_data):
    from casegraph import freezes
    _, folder = ui_data
    account = _truth(folder)["mules"][1]
    target = f"Account:{account}"
    rid = _a_request(target)
    state, _ = _desk()
    login(dash_duo, "admin", app=ui_app, path=f"/requests?id={rid}")
    dash_duo.wait_for_contains_text(f"#{ids.REQUESTS_HEADER}", f"LE request {rid}", timeout=15)
    pick(dash_duo, ids.REQUESTS_FREEZE_TARGET, target)
    _type(dash_duo, ids.REQUESTS_FREEZE_AMOUNT, "0.5")
    _type(dash_duo, ids.REQUESTS_FREEZE_ASSET, "BTC")
    click(dash_duo, f"#{ids.REQUESTS_FREEZE_RECORD}")
    _message(dash_duo, f"recorded on {target}")
    (frozen,) = freezes.active(state, target)
    assert (frozen["frozen_by"], frozen["amount"], frozen["asset"]) == ("adm", 0.5, "BTC")
    # the search page marks it frozen
    dash_duo.driver.get(f"{dash_duo.server_url}/")
    dash_duo.wait_for_element(f"#{ids.SEARCH_INPUT}").send_keys(account + "\n")
    dash_duo.wait_for_contains_text(f"#{ids.SEARCH_RESULTS}", "frozen", timeout=15)
    no_console_errors(dash_duo)


# the "open" cells of a grid's rows that carry the class arguments[1], and their text colour
ROWS_WITH_CLASS = """const root = document.getElementById(arguments[0]);
return [...root.querySelectorAll('.ag-row.' + arguments[1] + ' .ag-cell[col-id=open]')]
  .map(c => [c.textContent, getComputedStyle(c).color]);"""


def test_the_queue_marks_an_overdue_request_and_opens_it(dash_duo, ui_app, ui_data):
    from casegraph.state import now_ms
    state, desk = _desk()
    day = 86_400_000
    late = desk.add(state, {"name": "le", "role": "le_response", "disabled": False}, agency="Europol", country="NL",
                    reference="EP-LATE-1", legal_basis="Art. 26", received_at=now_ms() - 3 * day,
                    deadline_at=now_ms() - day, subjects=["Account:A100000001"])
    on_time = _a_request("Account:A100000001")
    login(dash_duo, "le", app=ui_app, path="/requests")
    rows = wait_grid(dash_duo, ids.REQUESTS_TABLE,
                     lambda rows: {f"#{late}", f"#{on_time}"} <= {r["open"] for r in rows}, timeout=15)
    flags = {r["open"]: r["flag"] for r in rows}
    assert flags[f"#{late}"] == "OVERDUE" and flags[f"#{on_time}"] != "OVERDUE"
    # the overdue row carries the class the stylesheet colours red (a row class rule, which
    # dash-ag-grid reads without eval: the CSP would refuse it and the console say so)
    marked = dash_duo.driver.execute_script(ROWS_WITH_CLASS, ids.REQUESTS_TABLE, "overdue")
    assert marked == [[f"#{late}", "rgb(183, 28, 28)"]], marked
    click(dash_duo, f"#{ids.REQUESTS_TABLE} .ag-row.overdue .ag-cell[col-id=open] a")
    assert _request_id(dash_duo) == late
    dash_duo.wait_for_contains_text(f"#{ids.REQUESTS_HEADER}", f"LE request {late}: Europol EP-LATE-1", timeout=15)
    no_console_errors(dash_duo)
