"""The investigator UI in a real headless Chromium (dash[testing]'s dash_duo) over a
generated, loaded dataset with its detections run into the alert queue. Every test
ends with no SEVERE message in the browser console."""
from __future__ import annotations

import csv
from collections import Counter

import pytest
from dash.testing.wait import until

from app import ids

pytestmark = pytest.mark.browser

# The cytoscape.js instance behind a dash-cytoscape component (cytoscape keeps it on its container).
CY = """const root = document.getElementById(arguments[0]);
if (!root) return null;
const el = [root, ...root.querySelectorAll('*')].find(x => x._cyreg && x._cyreg.cy);
return el ? el._cyreg.cy : null;"""


def cy_call(duo, expression: str, *args):
    """Evaluate `expression` with `cy` bound to the explorer's cytoscape instance."""
    return duo.driver.execute_script(
        f"const cy = (function(){{ {CY} }}).apply(null, [arguments[0]]);"
        f"if (!cy) return null; return {expression};", ids.EXPLORE_GRAPH, *args)


def node_ids(duo) -> set[str] | None:
    found = cy_call(duo, "cy.nodes().map(n => n.id())")
    return None if found is None else set(found)


def wait_nodes(duo, predicate, timeout=15):
    try:
        until(lambda: (n := node_ids(duo)) is not None and predicate(n), timeout=timeout)
    except Exception:
        shown = duo.driver.find_elements("css selector", f"#{ids.EXPLORE_MESSAGE}")
        raise AssertionError(f"nodes {node_ids(duo)}; page says {shown[0].text if shown else None!r}; "
                             f"console {duo.get_logs()}") from None
    return node_ids(duo)


def no_console_errors(duo):
    severe = [e for e in duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert severe == [], severe


def read_csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def busiest_account(folder) -> str:
    """The account with the most transfers (so expanding it has plenty to show)."""
    rows = read_csv(folder / "transfers.csv")
    counts = Counter(r["from_account"] for r in rows) + Counter(r["to_account"] for r in rows)
    return counts.most_common(1)[0][0]


def test_search_open_expand(dash_duo, ui_app, ui_data):
    _, folder = ui_data
    account = busiest_account(folder)
    dash_duo.start_server(ui_app)
    dash_duo.wait_for_element(f"#{ids.SEARCH_INPUT}").send_keys(account)
    dash_duo.find_element(f"#{ids.SEARCH_BUTTON}").click()
    dash_duo.wait_for_text_to_equal(".search-hit", account, timeout=10)
    dash_duo.find_element(".search-hit").click()
    assert wait_nodes(dash_duo, lambda n: n == {f"Account:{account}"}) == {f"Account:{account}"}
    assert "/explorer" in dash_duo.driver.current_url

    dash_duo.find_element(f"#{ids.EXPLORE_EXPAND}").click()
    grown = wait_nodes(dash_duo, lambda n: len(n) > 1)
    assert f"Account:{account}" in grown and len(grown) > 1
    # everything the page drew is a neighbour the CSVs give this account (or a "+N more" pager)
    linked = {f"Account:{r['to_account']}" for r in read_csv(folder / "transfers.csv") if r["from_account"] == account}
    linked |= {f"Account:{r['from_account']}" for r in read_csv(folder / "transfers.csv") if r["to_account"] == account}
    assert any(n in linked for n in grown)
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_COUNT}", f"{len([n for n in grown if not n.startswith('more:')])} node(s)")
    no_console_errors(dash_duo)


def test_alerts_open_in_explorer_shows_entities_and_reasons(dash_duo, ui_app, ui_data):
    import app as ui
    settings, _ = ui_data
    rings = ui.state().list_alerts("rings")
    assert rings, "the generated data plants rings; the rings detection must have found some"
    alert = rings[0]
    dash_duo.start_server(ui_app)
    dash_duo.wait_for_element(f"#{ids.NAV}-alerts").click()
    dash_duo.wait_for_contains_text(f"#{ids.ALERTS_COUNT}", "alert(s)", timeout=10)
    total = int(dash_duo.find_element(f"#{ids.ALERTS_COUNT}").text.split()[0])
    assert total == len(ui.state().list_alerts())

    # filter by detection: only the rings alerts are left
    dash_duo.select_dcc_dropdown(f"#{ids.ALERTS_DETECTION}", value="rings")
    dash_duo.wait_for_text_to_equal(f"#{ids.ALERTS_COUNT}", f"{len(rings)} alert(s)", timeout=10)
    first_row = dash_duo.find_element(f"#{ids.ALERTS_TABLE} td[data-dash-column=id]")
    assert first_row.text == str(alert["id"])

    dash_duo.find_element(f"#{ids.ALERTS_TABLE} td[data-dash-column=open] a").click()
    expected = {f"Account:{m}" for m in alert["entities"]}
    assert wait_nodes(dash_duo, lambda n: n == expected) == expected
    reasons = dash_duo.wait_for_element(".reasons").text
    assert f"Alert {alert['id']}" in reasons
    for r in alert["reasons"]:
        assert str(r) in reasons
    no_console_errors(dash_duo)


def test_saved_query_form_table_graph_and_readonly_cypher(dash_duo, ui_app, ui_data):
    from casegraph.catalogue import catalogue
    _, folder = ui_data
    account = busiest_account(folder)
    q = catalogue().get("find_account")
    dash_duo.start_server(ui_app)
    dash_duo.wait_for_element(f"#{ids.NAV}-queries").click()
    dash_duo.wait_for_element(f"#{ids.QUERIES_NAME}")
    dash_duo.select_dcc_dropdown(f"#{ids.QUERIES_NAME}", value=f"{q.name} — {q.title}")
    dash_duo.wait_for_contains_text(f"#{ids.QUERIES_PURPOSE}", q.purpose, timeout=10)
    # the form holds one field per header parameter, defaults filled in
    fields = dash_duo.find_elements(f"#{ids.QUERIES_FORM} input")
    assert len(fields) == len(q.params)
    limit = next(p for p in q.params if p.name == "limit")
    assert fields[1].get_attribute("value") == str(limit.default)

    # a required parameter left blank: the page says so (no traceback)
    dash_duo.find_element(f"#{ids.QUERIES_RUN}").click()
    dash_duo.wait_for_contains_text(f"#{ids.QUERIES_MESSAGE}", "parameter account_id (string) is required", timeout=10)

    fields[0].send_keys(account)
    dash_duo.find_element(f"#{ids.QUERIES_RUN}").click()
    links = {r["device_id"] for r in read_csv(folder / "account_devices.csv") if r["account_id"] == account}
    dash_duo.wait_for_contains_text(f"#{ids.QUERIES_NOTE}", "row(s)", timeout=10)
    rows = int(dash_duo.find_element(f"#{ids.QUERIES_NOTE}").text.split()[0])
    assert rows >= len(links) + 1
    drawn = set(dash_duo.driver.execute_script(
        CY.replace("return el ? el._cyreg.cy : null;", "return el._cyreg.cy.nodes().map(n => n.id());"),
        ids.QUERIES_GRAPH))
    assert f"Account:{account}" in drawn and {f"Device:{d}" for d in links} <= drawn

    # ad-hoc Cypher: a write clause is refused before it reaches the database
    dash_duo.find_element(f"#{ids.QUERIES_CYPHER}").send_keys("MATCH (a:Account) SET a.status = 'x' RETURN a")
    dash_duo.find_element(f"#{ids.QUERIES_CYPHER_RUN}").click()
    dash_duo.wait_for_contains_text(f"#{ids.QUERIES_MESSAGE}", "refused: queries run read-only", timeout=10)
    no_console_errors(dash_duo)
