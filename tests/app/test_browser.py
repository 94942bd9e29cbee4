"""The investigator UI in a real headless Chromium (dash[testing]'s dash_duo) over a
generated, loaded dataset with its detections run into the alert queue, logged in through
the login form as one of the fixture users (each role somewhere). Every step waits on
what the server has seen (a message, a count, the page's selection line, the canvas; the
helpers are in tests/support.py), never a fixed time. Every test ends with no SEVERE
message in the browser console."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from dash.testing.wait import until
from PIL import Image

from casegraph.app import ids, styles
from casegraph.app.pages import _explorer
from tests.support import (allow_downloads, busiest_account, click, cy_call, grid_count, hover, login, user_name,
                           no_console_errors, pick, read_csv, select, set_props, tap, text_of, wait_cy, wait_download,
                           wait_grid, wait_nodes)

pytestmark = pytest.mark.browser


def test_search_open_expand(dash_duo, ui_app, ui_data):
    _, folder = ui_data
    account = busiest_account(folder)
    login(dash_duo, "inv", ui_app)
    box = dash_duo.wait_for_element(f"#{ids.SEARCH_INPUT}")
    box.send_keys("no-such-entity-anywhere")
    dash_duo.find_element(f"#{ids.SEARCH_BUTTON}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.SEARCH_RESULTS}", "nothing found", timeout=10)
    dash_duo.clear_input(box)
    box.send_keys(account)
    dash_duo.find_element(f"#{ids.SEARCH_BUTTON}").click()
    dash_duo.wait_for_text_to_equal(".search-hit", account, timeout=10)
    click(dash_duo, ".search-hit")
    assert wait_nodes(dash_duo, lambda n: n == {f"Account:{account}"}) == {f"Account:{account}"}
    assert "/explorer" in dash_duo.driver.current_url

    dash_duo.find_element(f"#{ids.EXPLORE_EXPAND}").click()     # the node opened is the focus: no selection
    grown = wait_nodes(dash_duo, lambda n: len(n) > 1)
    assert f"Account:{account}" in grown and len(grown) > 1
    # everything the page drew is a neighbour the CSVs give this account (or a "+N more" pager)
    linked = {f"Account:{r['to_account']}" for r in read_csv(folder / "transfers.csv") if r["from_account"] == account}
    linked |= {f"Account:{r['from_account']}" for r in read_csv(folder / "transfers.csv") if r["to_account"] == account}
    assert any(n in linked for n in grown)
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_COUNT}", f"{len([n for n in grown if not n.startswith('more:')])} node(s)")
    # the layout ran over the new nodes: no two share a spot
    wait_cy(dash_duo, "new Set(cy.nodes().map(n => Math.round(n.position('x')) + ',' + "
                      "Math.round(n.position('y')))).size", lambda spots: spots == len(grown))
    no_console_errors(dash_duo)


def test_alerts_open_in_explorer_shows_entities_and_reasons(dash_duo, ui_app, ui_data):
    from casegraph import app as ui
    settings, _ = ui_data
    rings = ui.state().list_alerts("rings")
    assert rings, "the generated data plants rings; the rings detection must have found some"
    alert = rings[0]
    login(dash_duo, "le", ui_app)
    dash_duo.wait_for_element(f"#{ids.NAV}-alerts").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.ALERTS_COUNT}", f"{len(ui.state().list_alerts())} alert(s)", timeout=10)

    # filter by detection: only the rings alerts are left
    pick(dash_duo, ids.ALERTS_DETECTION, "rings")
    dash_duo.wait_for_text_to_equal(f"#{ids.ALERTS_COUNT}", f"{len(rings)} alert(s)", timeout=10)
    wait_grid(dash_duo, ids.ALERTS_TABLE, lambda rows: rows and rows[0]["id"] == str(alert["id"]))

    click(dash_duo, f"#{ids.ALERTS_TABLE} .ag-row[row-index='0'] .ag-cell[col-id=open] a")
    expected = {f"Account:{m}" for m in alert["entities"]}
    # the members and what links them: every identifier and wallet the ring result names
    label = {"device": "Device", "ip": "IP", "phone": "Phone", "email": "Email", "document": "Document",
             "withdrawal wallet": "Wallet", "funding wallet": "Wallet"}
    shared = {f"{label[s['kind']]}:{s['value']}" for s in alert["result"]["shared"]}
    shown = wait_nodes(dash_duo, lambda n: expected | shared <= n)
    assert expected | shared <= shown and not {n for n in shown - expected if n.startswith("Account:")}
    # risk colouring: every member carries the ring-member flag from the open alert
    flagged = cy_call(dash_duo, "cy.nodes('.risk-ring-member').map(n => n.id())")
    assert set(flagged) == expected
    reasons = text_of(dash_duo, ".reasons")
    assert f"Alert {alert['id']}" in reasons
    for r in alert["reasons"]:
        assert str(r) in reasons
    # a picture of it is titled with the alert, and its legend names the ring's marks
    downloads = allow_downloads(dash_duo)
    dash_duo.find_element(f"#{ids.EXPLORE_EXPORT_SVG}").click()
    texts = [t.text for t in ET.parse(wait_download(downloads, "casegraph.svg")).getroot()
             .iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0] == text_of(dash_duo, ".reasons h4") and texts[0].startswith(f"Alert {alert['id']}: rings")
    assert {"Account", styles.RISK["ring-member"][0]} <= set(texts)
    no_console_errors(dash_duo)


def test_search_pages_through_many_hits(dash_duo, ui_app, ui_data):
    """A prefix many keys share: the first 20 hits, said to be the first; "more" adds the next 20."""
    from casegraph.app.pages.search import LIMIT
    _, folder = ui_data
    prefix = busiest_account(folder)[:-3]
    login(dash_duo, "inv", ui_app)
    box = dash_duo.wait_for_element(f"#{ids.SEARCH_INPUT}")
    box.send_keys(prefix)
    dash_duo.find_element(f"#{ids.SEARCH_BUTTON}").click()
    dash_duo.wait_for_contains_text(f"#{ids.SEARCH_RESULTS}", f"{LIMIT}+ hits", timeout=10)
    until(lambda: grid_count(dash_duo, ids.SEARCH_GRID) == LIMIT, timeout=10)
    first = wait_grid(dash_duo, ids.SEARCH_GRID, lambda r: len(r) > 0)
    assert all(r["key"].startswith(prefix) for r in first)
    dash_duo.wait_for_element(f"#{ids.SEARCH_MORE}").click()
    dash_duo.wait_for_contains_text(f"#{ids.SEARCH_RESULTS}", f"{2 * LIMIT}+ hits", timeout=10)
    until(lambda: grid_count(dash_duo, ids.SEARCH_GRID) == 2 * LIMIT, timeout=10)
    # the grid filters what it holds: one key typed into the key column's filter leaves its row
    key, kind = first[-1]["key"], first[-1]["kind"]
    dash_duo.find_element(f"#{ids.SEARCH_GRID} .ag-floating-filter[col-id=key] input").send_keys(key)
    rows = wait_grid(dash_duo, ids.SEARCH_GRID, lambda r: [x["key"] for x in r] == [key])
    assert grid_count(dash_duo, ids.SEARCH_GRID) == 1 and rows[0]["kind"] == kind
    no_console_errors(dash_duo)


def test_a_scammer_links_alert_opens_with_its_path_to_the_listing(dash_duo, ui_app, ui_data):
    """The alert's reasons name a path to a watchlisted entity: the explorer draws that path."""
    from casegraph import app as ui
    from casegraph.app.pages._tables import explorer_href
    from casegraph.cases import alert_node_ids
    alert = next(a for a in ui.state().list_alerts("scammer_links") if a["result"].get("hops", 0) >= 2)
    listed = f"{alert['result']['watchlisted']['label']}:{alert['result']['watchlisted']['entity']}"
    login(dash_duo, "inv", ui_app, path=explorer_href(alert_node_ids(alert), alert["id"]))
    wanted = set(alert_node_ids(alert))
    shown = wait_nodes(dash_duo, lambda n: wanted <= n)
    assert f"Account:{alert['entities'][0]}" in shown and listed in shown
    edges = cy_call(dash_duo, "cy.edges().length")
    assert edges >= alert["result"]["hops"]           # the path's steps are drawn, not only its ends
    no_console_errors(dash_duo)


def test_saved_query_form_table_graph_and_readonly_cypher(dash_duo, ui_app, ui_data):
    from casegraph.catalogue import catalogue
    _, folder = ui_data
    account = busiest_account(folder)
    q = catalogue().get("find_account")
    login(dash_duo, "ana", ui_app)
    dash_duo.wait_for_element(f"#{ids.NAV}-queries").click()
    dash_duo.wait_for_element(f"#{ids.QUERIES_NAME}")
    pick(dash_duo, ids.QUERIES_NAME, f"{q.name} — {q.title}")
    dash_duo.wait_for_contains_text(f"#{ids.QUERIES_PURPOSE}", q.purpose, timeout=10)
    # the form holds one field per header parameter, defaults filled in (drawn with the purpose)
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
    rows = int(text_of(dash_duo, f"#{ids.QUERIES_NOTE}").split()[0])
    assert rows >= len(links) + 1
    drawn = wait_nodes(dash_duo, lambda n: f"Account:{account}" in n, graph=ids.QUERIES_GRAPH, timeout=20)
    assert {f"Device:{d}" for d in links} <= drawn

    # ad-hoc Cypher: a write clause is refused before it reaches the database
    dash_duo.find_element(f"#{ids.QUERIES_CYPHER}").send_keys("MATCH (a:Account) SET a.status = 'x' RETURN a")
    dash_duo.find_element(f"#{ids.QUERIES_CYPHER_RUN}").click()
    dash_duo.wait_for_contains_text(f"#{ids.QUERIES_MESSAGE}", "refused: queries run read-only", timeout=10)
    # the row limit from the settings cuts a long answer, and the page says so
    limit = ui_app_settings(ui_data).row_limit
    box = dash_duo.find_element(f"#{ids.QUERIES_CYPHER}")
    dash_duo.clear_input(box)
    box.send_keys(f"UNWIND range(1, {limit + 5}) AS i RETURN i")
    dash_duo.find_element(f"#{ids.QUERIES_CYPHER_RUN}").click()
    dash_duo.wait_for_contains_text(f"#{ids.QUERIES_NOTE}", f"{limit} row(s); row limit reached", timeout=20)
    assert text_of(dash_duo, f"#{ids.QUERIES_MESSAGE}") == ""
    no_console_errors(dash_duo)


def _run_saved(duo, q, **values) -> None:
    """Pick saved query `q`, fill its form with `values` (by parameter name) and run it (the
    caller waits on what the answer shows)."""
    pick(duo, ids.QUERIES_NAME, f"{q.name} — {q.title}")
    duo.wait_for_contains_text(f"#{ids.QUERIES_PURPOSE}", q.purpose, timeout=10)
    fields = duo.find_elements(f"#{ids.QUERIES_FORM} input")
    assert len(fields) == len(q.params)
    for p, field in zip(q.params, fields):
        if p.name in values:
            duo.clear_input(field)
            field.send_keys(values[p.name])
    duo.find_element(f"#{ids.QUERIES_RUN}").click()


def test_saved_query_results_in_a_grid_and_the_graph_only_when_there_is_one(dash_duo, ui_app, ui_data):
    """A table-only result (sign-ups, with times): grid rows with ISO times, sortable, a CSV
    that holds what the grid shows, no graph box; a result with nodes: the graph drawn."""
    import csv
    import re
    from casegraph import app as ui
    from casegraph.catalogue import catalogue
    from casegraph.times import iso
    _, folder = ui_data
    signups, find = catalogue().get("signups_between"), catalogue().get("find_account")
    expected = ui.store().read("signups_between", {"since": "2020-01-01", "until": "2030-01-01", "country": "",
                                                   "limit": 1000}, row_limit=10000).rows
    assert len(expected) > 100          # more rows than the grid's height shows
    downloads = allow_downloads(dash_duo)
    login(dash_duo, "ana", ui_app, path="/queries")
    dash_duo.wait_for_element(f"#{ids.QUERIES_NAME}")

    _run_saved(dash_duo, signups, since="2020-01-01", until="2030-01-01")
    shown = wait_grid(dash_duo, ids.QUERIES_TABLE, lambda r: len(r) > 0, timeout=20)
    rows = int(text_of(dash_duo, f"#{ids.QUERIES_NOTE}").split()[0])
    assert rows == len(expected)
    first = iso(expected[0]["registered_at"])
    assert shown[0]["account_id"] == expected[0]["account_id"] and shown[0]["registered_at"] == first
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", r["registered_at"]) for r in shown)
    assert len(shown) < rows                            # virtualised: only the rows in view are in the DOM
    assert not dash_duo.find_elements(f"#{ids.QUERIES_GRAPH}")      # a table: no graph box
    assert dash_duo.find_element(f"#{ids.QUERIES_GRAPH_BOX}").size["height"] == 0
    # sortable: the registration header twice sorts newest first
    header = f"#{ids.QUERIES_TABLE} .ag-header-cell[col-id=registered_at] .ag-header-cell-label"
    newest = iso(max(r["registered_at"] for r in expected))
    click(dash_duo, header)
    click(dash_duo, header)
    wait_grid(dash_duo, ids.QUERIES_TABLE, lambda r: r and r[0]["registered_at"] == newest)

    # CSV: every row, as shown (ISO times), in the grid's order
    click(dash_duo, f"#{ids.QUERIES_CSV}")
    path = wait_download(downloads, "signups_between.csv")
    with open(path, encoding="utf-8-sig", newline="") as f:
        exported = list(csv.DictReader(f))
    assert len(exported) == rows and exported[0]["registered_at"] == newest
    assert {r["account_id"] for r in exported} == {r["account_id"] for r in expected}
    assert {r["registered_at"] for r in exported} == {iso(r["registered_at"]) for r in expected}

    # a result with nodes: the graph box holds the canvas, drawn at a real size
    account = busiest_account(folder)
    _run_saved(dash_duo, find, account_id=account)
    drawn = wait_nodes(dash_duo, lambda n: f"Account:{account}" in n, graph=ids.QUERIES_GRAPH, timeout=20)
    assert len(drawn) > 1
    width, height = cy_call(dash_duo, "[cy.width(), cy.height()]", graph=ids.QUERIES_GRAPH)
    assert width > 100 and height > 100
    inside = cy_call(dash_duo, "cy.nodes().filter(n => { const p = n.renderedPosition(); "
                               "return p.x >= 0 && p.y >= 0 && p.x <= cy.width() && p.y <= cy.height(); }).length",
                     graph=ids.QUERIES_GRAPH)
    spots = cy_call(dash_duo, "new Set(cy.nodes().map(n => Math.round(n.renderedPosition('x')) + ',' + "
                              "Math.round(n.renderedPosition('y')))).size", graph=ids.QUERIES_GRAPH)
    assert inside == len(drawn) and spots > 1           # laid out in view, not piled at 0,0
    wait_grid(dash_duo, ids.QUERIES_TABLE, lambda r: any(f"Account:{account}" in v for row in r for v in row.values()))

    # and a table again: the graph box is emptied
    _run_saved(dash_duo, signups, since="2020-01-01", until="2030-01-01")
    wait_grid(dash_duo, ids.QUERIES_TABLE, lambda r: r and "registered_at" in r[0], timeout=20)
    until(lambda: not dash_duo.find_elements(f"#{ids.QUERIES_GRAPH}"), timeout=10)
    # the grid's scripts and styles came from this server: the page works offline
    fetched = dash_duo.driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert any("dash_ag_grid" in u for u in fetched)
    assert [u for u in fetched if not u.startswith(dash_duo.server.url)] == []
    no_console_errors(dash_duo)


def ui_app_settings(ui_data):
    return ui_data[0]


def hot_wallet_neighbours(folder) -> tuple[str, set[str]]:
    """The exchange hot wallet with the most neighbours, and those neighbours' node ids
    (from the deposit, withdrawal, on-chain, watchlist and scam-report files)."""
    hot = [r["address"] for r in read_csv(folder / "wallets.csv") if r["label"].startswith("exchange:")]
    near: dict[str, set[str]] = {h: set() for h in hot}
    for name in ("deposits", "withdrawals"):
        for r in read_csv(folder / f"{name}.csv"):
            if r["address"] in near:
                near[r["address"]].add(f"Account:{r['account_id']}")
    for r in read_csv(folder / "onchain.csv"):
        for a, b in ((r["from_address"], r["to_address"]), (r["to_address"], r["from_address"])):
            if a in near:
                near[a].add(f"Wallet:{b}")
    for r in read_csv(folder / "watchlists.csv"):
        if r["address"] in near:
            near[r["address"]].add(f"Watchlist:{r['watchlist']}")
    for r in read_csv(folder / "scam_reports.csv"):
        if r["against_address"] in near:
            near[r["against_address"]].add(f"ScamReport:{r['report_id']}")
    best = max(hot, key=lambda h: len(near[h]))
    return best, near[best]


VISIBLE = "cy.nodes().filter(n => n.visible() && n.data('kind') !== 'More').map(n => n.id())"
PAGE = 25   # explore.expand's default page


def test_explorer_pages_a_supernode_undoes_hides_and_exports(dash_duo, ui_app, ui_data):
    import json

    import networkx as nx
    _, folder = ui_data
    wallet, near = hot_wallet_neighbours(folder)
    start = f"Wallet:{wallet}"
    assert len(near) > 2 * PAGE, "the busiest hot wallet should need more than two pages"
    login(dash_duo, "adm", ui_app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/explorer?ids={start}")
    assert wait_nodes(dash_duo, lambda n: n == {start}) == {start}

    # details: every property with its provenance, and the relationship kinds to expand by
    tap(dash_duo, start)
    dash_duo.wait_for_element(f"#{ids.EXPLORE_DETAILS} table")
    details = text_of(dash_duo, f"#{ids.EXPLORE_DETAILS}")
    for prop in ("address", "chain", "label", "source", "load_id", "loaded_at"):
        assert prop in details
    assert wallet in details

    dash_duo.find_element(f"#{ids.EXPLORE_EXPAND}").click()     # the tapped node is the focus
    first = wait_nodes(dash_duo, lambda n: len(n) > 1)
    pagers = [n for n in first if n.startswith("more:")]
    assert len(pagers) == 1 and len(first) == 1 + PAGE + 1
    assert first - {start} - set(pagers) <= near
    assert cy_call(dash_duo, "cy.getElementById(arguments[1]).data('label')", pagers[0]) == \
        f"+{len(near) - PAGE} more"
    # an edge's details: its properties and provenance, straight from the element (the node's
    # details hold "loaded_at" too: wait for the edge's own heading)
    edge_id = cy_call(dash_duo, "cy.edges().filter(e => e.data('kind') !== 'More' && !e.data('bundle'))[0].id()")
    edge = cy_call(dash_duo, "cy.getElementById(arguments[1]).data()", edge_id)
    tap(dash_duo, edge_id)
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_DETAILS}", f"{edge['kind']}: {edge['source']} -> {edge['target']}",
                                    timeout=10)
    assert edge_id.split(":", 1)[0] == edge["kind"] and "loaded_at" in text_of(dash_duo, f"#{ids.EXPLORE_DETAILS}")
    # hovering shows a tooltip
    hover(dash_duo, start)
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_TOOLTIP}", f"Wallet {wallet}", timeout=10)

    # the pager fetches the next page
    tap(dash_duo, pagers[0])
    second = wait_nodes(dash_duo, lambda n: len(n) > len(first))
    assert first - set(pagers) <= second and len(second - {start} - {n for n in second if n.startswith("more:")}) == 2 * PAGE

    # undo goes back one step
    dash_duo.find_element(f"#{ids.EXPLORE_UNDO}").click()
    assert wait_nodes(dash_duo, lambda n: n == first) == first

    # hide one neighbour, then show all again
    victim = sorted(first - {start} - set(pagers))[0]
    select(dash_duo, victim)
    dash_duo.find_element(f"#{ids.EXPLORE_HIDE}").click()
    wait_cy(dash_duo, VISIBLE, lambda shown: victim not in shown)
    dash_duo.find_element(f"#{ids.EXPLORE_SHOW_ALL}").click()
    wait_cy(dash_duo, VISIBLE, lambda shown: victim in shown)
    # ... and remove it (the redrawn canvas may or may not keep the selection: select it again)
    select(dash_duo, victim)
    dash_duo.find_element(f"#{ids.EXPLORE_REMOVE}").click()
    wait_nodes(dash_duo, lambda n: victim not in n)
    shown = set(cy_call(dash_duo, VISIBLE))
    # every relationship shown: drawn one by one, or inside a drawn bundle of movements
    edges = cy_call(dash_duo, "cy.edges().filter(e => e.data('kind') !== 'More' && !e.data('bundle') && "
                              "(e.visible() || (e.hasClass('bundled') && !e.hasClass('hidden') && "
                              "!e.hasClass('time-hidden')))).length")
    lines = cy_call(dash_duo, "cy.edges(':visible').filter(e => e.data('kind') !== 'More').length")
    drawn = f", drawn as {lines} line(s)" if lines < edges else ""
    # the canvas shows what the server holds
    dash_duo.wait_for_text_to_equal(f"#{ids.EXPLORE_COUNT}", f"{len(shown)} node(s), {edges} edge(s) shown{drawn}",
                                    timeout=10)

    # exports hold exactly what is on the canvas, read back by independent readers
    downloads = allow_downloads(dash_duo)
    dash_duo.find_element(f"#{ids.EXPLORE_EXPORT_JSON}").click()
    cyjs = json.loads(wait_download(downloads, "casegraph.cyjs").read_text())
    assert {n["data"]["id"] for n in cyjs["elements"]["nodes"]} == shown
    assert len(cyjs["elements"]["edges"]) == edges
    dash_duo.find_element(f"#{ids.EXPLORE_EXPORT_GRAPHML}").click()
    g = nx.read_graphml(wait_download(downloads, "casegraph.graphml"))
    assert set(g.nodes) == shown and g.number_of_edges() == edges
    dash_duo.find_element(f"#{ids.EXPLORE_EXPORT_CSV}").click()
    assert {r["id"] for r in read_csv(wait_download(downloads, "casegraph-nodes.csv"))} == shown
    assert len(read_csv(wait_download(downloads, "casegraph-edges.csv"))) == edges
    # images are drawn in the browser by cytoscape, and framed on the server by a title band
    # above and a legend below
    dash_duo.find_element(f"#{ids.EXPLORE_EXPORT_PNG}").click()
    png = wait_download(downloads, "casegraph.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")   # the IHDR chunk
    assert max(width, height) >= 3000, (width, height)          # print resolution, not the screen's
    drawn = cy_call(dash_duo, CANVAS_PNG_SIZE, _explorer.image_options("png"))
    assert width >= drawn[0] and height > drawn[1], (width, height, drawn)
    with Image.open(io.BytesIO(png)) as picture:
        band = picture.convert("L").crop((0, 0, picture.width, int(height - drawn[1]) // 2))
        assert sum(band.histogram()[:100]) > 100                   # the title's letters, dark on white
    dash_duo.find_element(f"#{ids.EXPLORE_EXPORT_SVG}").click()
    svg = ET.parse(wait_download(downloads, "casegraph.svg")).getroot()
    assert svg.tag.endswith("svg")
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0] == "casegraph explorer"                      # opened from neither an alert nor a case
    assert texts[1].startswith("exported ") and f"by {user_name('adm')} · {len(shown)} node(s), {edges} edge(s)" in texts[1]
    assert {"Wallet", "Account"} <= set(texts)                   # the legend of what is shown
    assert "picture export failed" not in text_of(dash_duo, f"#{ids.EXPLORE_MESSAGE}")
    no_console_errors(dash_duo)


# the size of the PNG cytoscape draws of the whole canvas with these options (from its IHDR chunk)
CANVAS_PNG_SIZE = ("(() => { const b = atob(cy.png(Object.assign({}, arguments[1], {output: 'base64'})).slice(0, 44));"
                   "return [16, 20].map(o => ((b.charCodeAt(o) << 24) | (b.charCodeAt(o + 1) << 16)"
                   " | (b.charCodeAt(o + 2) << 8) | b.charCodeAt(o + 3)) >>> 0); })()")


# the movements shown, drawn one by one or inside a bundle (a bundle has no time of its own)
MONEY_AT = ("cy.edges().filter(e => e.data('at') != null && e.data('kind') !== 'More' && !e.data('bundle') && "
            "!e.hasClass('hidden') && !e.hasClass('time-hidden'))"
            ".map(e => [e.id(), e.data('at')])")


def test_explorer_kind_time_window_path_and_trace(dash_duo, ui_app, ui_data):
    from casegraph import app as ui
    from casegraph import detections
    _, folder = ui_data
    account = busiest_account(folder)
    start = f"Account:{account}"
    transfers = read_csv(folder / "transfers.csv")
    partners = {f"Account:{r['to_account']}" for r in transfers if r["from_account"] == account} \
        | {f"Account:{r['from_account']}" for r in transfers if r["to_account"] == account}
    login(dash_duo, "inv", ui_app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/explorer?ids={start}")
    wait_nodes(dash_duo, lambda n: n == {start})

    # expand by one kind: the menu counts distinct neighbours per relationship type
    tap(dash_duo, start)
    dash_duo.wait_for_element(f"#{ids.EXPLORE_DETAILS} table")
    pick(dash_duo, ids.EXPLORE_REL, f"TRANSFERRED ({len(partners)})")
    dash_duo.find_element(f"#{ids.EXPLORE_EXPAND}").click()     # the tapped node is the focus
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_MESSAGE}", f"expanded {start} by TRANSFERRED", timeout=10)
    shown = wait_nodes(dash_duo, lambda n: len(n) > 1)
    assert shown - {start} - {n for n in shown if n.startswith("more:")} <= partners
    assert set(cy_call(dash_duo, "cy.edges().map(e => e.data('kind'))")) <= {"TRANSFERRED", "More"}

    # time window over money movements: only the later half stays visible
    moves = dict(cy_call(dash_duo, MONEY_AT))
    ats = sorted(moves.values())
    assert len(ats) >= 2
    cut = ats[len(ats) // 2]
    assert ats[0] < cut     # so the window really hides something
    set_props(dash_duo, ids.EXPLORE_TIME, {"value": [cut, ats[-1]]})
    wait_cy(dash_duo, MONEY_AT, lambda now: dict(now) == {k: v for k, v in moves.items() if v >= cut})
    set_props(dash_duo, ids.EXPLORE_TIME, {"value": [ats[0], ats[-1]]})
    wait_cy(dash_duo, MONEY_AT, lambda now: dict(now) == moves)

    # shortest path between two partners runs through the account (or something shorter)
    a, b = sorted(shown & partners)[:2]
    select(dash_duo, a, b)
    dash_duo.find_element(f"#{ids.EXPLORE_PATH}").click()
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_MESSAGE}", "shortest path:", timeout=10)
    hops = int(text_of(dash_duo, f"#{ids.EXPLORE_MESSAGE}").split(":")[1].split()[0])
    assert 1 <= hops <= 2
    wait_cy(dash_duo, "cy.elements('.path').map(e => e.id())", lambda on_path: {a, b} <= set(on_path))

    # trace funds forward from the account: what the trace_funds detection reaches is drawn
    expected = detections.run(ui.store(), "trace_funds", {"account_id": account})
    assert expected, "the account with the most transfers sends money somewhere"
    select(dash_duo, start)
    dash_duo.find_element(f"#{ids.EXPLORE_TRACE}").click()
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_MESSAGE}", f"{len(expected)} entities reached", timeout=20)
    best = {("Account:" if r["kind"] == "account" else "Wallet:") + r["entity"] for r in expected[:25]}
    wait_nodes(dash_duo, lambda n: best <= n)
    no_console_errors(dash_duo)


TIMELINE_COUNTS = ("(() => { const g = document.querySelector('#' + arguments[1] + ' .js-plotly-plot');"
                   "return g && g.data && g.data[0] ? g.data[0].y.reduce((a, b) => a + b, 0) : null; })()")


def _plotly_time(ms: int) -> str:
    """A time as plotly reports a date axis's range ("2026-01-01 10:00:00.123")."""
    from datetime import datetime, timezone
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def _label_ms(label: str) -> list[int]:
    """The window the time label names ("<ISO> and <ISO>"), in epoch ms."""
    from casegraph.times import to_epoch_ms
    return [to_epoch_ms(t) for t in label.split(" and ")]


def test_explorer_timeline_brushes_the_window_and_plays_through(dash_duo, ui_app, ui_data):
    from casegraph.times import iso
    _, folder = ui_data
    account = busiest_account(folder)
    start = f"Account:{account}"
    login(dash_duo, "inv", ui_app)
    dash_duo.wait_for_page(f"{dash_duo.server_url}/explorer?ids={start}")
    wait_nodes(dash_duo, lambda n: n == {start})
    select(dash_duo, start)
    dash_duo.find_element(f"#{ids.EXPLORE_EXPAND}").click()
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_MESSAGE}", f"expanded {start}", timeout=10)
    wait_nodes(dash_duo, lambda n: len(n) > 1)
    moves = dict(wait_cy(dash_duo, MONEY_AT, lambda m: len(m) >= 2))
    ats = sorted(moves.values())
    whole = f"{iso(ats[0])} and {iso(ats[-1])}"
    dash_duo.wait_for_text_to_equal(f"#{ids.EXPLORE_TIME_LABEL}", whole, timeout=10)
    # the histogram under the canvas counts every money movement on it (drawn by the server's figure)
    until(lambda: cy_call(dash_duo, TIMELINE_COUNTS, ids.EXPLORE_TIMELINE) == len(moves), timeout=10)

    # brushing the later half narrows the canvas: movements before it are hidden
    cut = ats[len(ats) // 2]
    assert ats[0] < cut
    set_props(dash_duo, ids.EXPLORE_TIMELINE, {"selectedData": {"range": {"x": [_plotly_time(cut), _plotly_time(ats[-1])]}}})
    dash_duo.wait_for_text_to_equal(f"#{ids.EXPLORE_TIME_LABEL}", f"{iso(cut)} and {iso(ats[-1])}", timeout=10)
    early = {k for k, v in moves.items() if v < cut}
    wait_cy(dash_duo, "cy.edges('.time-hidden').map(e => e.id())", lambda hidden: set(hidden) == early)
    wait_cy(dash_duo, MONEY_AT, lambda now: dict(now) == {k: v for k, v in moves.items() if v >= cut})
    # the histogram still shows the whole period (with the window shaded)
    assert cy_call(dash_duo, TIMELINE_COUNTS, ids.EXPLORE_TIMELINE) == len(moves)

    # clearing the brush (a double click) shows the whole period again
    set_props(dash_duo, ids.EXPLORE_TIMELINE, {"selectedData": None})
    dash_duo.wait_for_text_to_equal(f"#{ids.EXPLORE_TIME_LABEL}", whole, timeout=10)
    wait_cy(dash_duo, "cy.edges('.time-hidden').length", lambda n: n == 0)

    # Play steps the window one bar at a time; Stop stops it
    dash_duo.find_element(f"#{ids.EXPLORE_PLAY}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.EXPLORE_PLAY}", "Stop", timeout=10)
    until(lambda: text_of(dash_duo, f"#{ids.EXPLORE_TIME_LABEL}") != whole, timeout=10)
    first = text_of(dash_duo, f"#{ids.EXPLORE_TIME_LABEL}")
    assert first.startswith(iso(ats[0]))                         # the first bar starts at the first movement
    until(lambda: text_of(dash_duo, f"#{ids.EXPLORE_TIME_LABEL}") not in (whole, first), timeout=10)
    later = text_of(dash_duo, f"#{ids.EXPLORE_TIME_LABEL}")
    assert _label_ms(later)[0] > _label_ms(first)[0]             # the window moved on
    dash_duo.find_element(f"#{ids.EXPLORE_PLAY}").click()
    dash_duo.wait_for_text_to_equal(f"#{ids.EXPLORE_PLAY}", "Play", timeout=10)
    # what is shown is the window the label names: no movement outside it is visible
    lo, hi = _label_ms(text_of(dash_duo, f"#{ids.EXPLORE_TIME_LABEL}"))
    wait_cy(dash_duo, MONEY_AT, lambda now: {k for k, _ in now} == {k for k, v in moves.items() if lo <= v <= hi})
    no_console_errors(dash_duo)


def test_a_thousand_nodes_stay_interactive(dash_duo, ui_app, ui_data):
    """Every account on the canvas: laid out on the server (preset), and an expand, a
    hide and an undo each come back within a few seconds."""
    import time
    _, folder = ui_data
    accounts = [f"Account:{r['account_id']}" for r in read_csv(folder / "accounts.csv")]
    assert len(accounts) == 1000
    login(dash_duo, "ana", ui_app)
    t0 = time.monotonic()
    dash_duo.wait_for_page(f"{dash_duo.server_url}/explorer?ids={','.join(accounts)}", timeout=30)
    assert wait_nodes(dash_duo, lambda n: len(n) == 1000, timeout=30) == set(accounts)
    opened = time.monotonic() - t0
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_LAYOUT}", "preset", timeout=5)
    spots = cy_call(dash_duo, "new Set(cy.nodes().map(n => Math.round(n.position('x')) + ',' + Math.round(n.position('y')))).size")
    assert spots > 900    # laid out, not piled up

    timings = {}
    hub = busiest_account(folder)
    select(dash_duo, f"Account:{hub}")
    t0 = time.monotonic()
    dash_duo.find_element(f"#{ids.EXPLORE_EXPAND}").click()
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_MESSAGE}", f"expanded Account:{hub}:", timeout=20)
    grown = wait_nodes(dash_duo, lambda n: len(n) > 1000, timeout=20)
    timings["expand"] = time.monotonic() - t0
    select(dash_duo, f"Account:{hub}")
    t0 = time.monotonic()
    dash_duo.find_element(f"#{ids.EXPLORE_HIDE}").click()
    wait_cy(dash_duo, VISIBLE, lambda shown: f"Account:{hub}" not in shown, timeout=20)
    timings["hide"] = time.monotonic() - t0
    t0 = time.monotonic()
    dash_duo.find_element(f"#{ids.EXPLORE_UNDO}").click()
    wait_cy(dash_duo, VISIBLE, lambda shown: f"Account:{hub}" in shown, timeout=20)
    # the node keeps its style classes through hide and undo
    assert "Account" in cy_call(dash_duo, "cy.getElementById(arguments[1]).classes()", f"Account:{hub}")
    timings["undo"] = time.monotonic() - t0
    print(f"1000 nodes: opened in {opened:.1f}s; " + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))
    assert all(v < 5 for v in timings.values()), timings
    assert len(grown) > 1000
    no_console_errors(dash_duo)
