"""The investigator UI over Neo4j, in a real headless Chromium: a real `casegraph serve`
process over the test Neo4j server holds the generated dataset the other browser tests use,
with its detections run into the alert queue. Search, open a ring alert, expand, shortest
path, export GraphML, as on the embedded store."""
from __future__ import annotations

import networkx as nx
import pytest

from casegraph import detections
from casegraph.app import ids
from casegraph.loaders.pipeline import load
from casegraph.state import open_state
from casegraph.users import add_user
from tests.support import (PASSWORD, USERS, allow_downloads, click, cy_call, login, no_console_errors, node_ids, pick,
                           select, start_serve, stop_serve, wait_download, wait_grid, wait_nodes)

pytestmark = pytest.mark.browser


@pytest.fixture
def neo4j_ui(neo4j_db, ui_data, tmp_path):
    """The ui_data files loaded into Neo4j, detections into a fresh state store, the fixture
    users, and `casegraph serve` over them on a free port. Yields (base URL, state store)."""
    _, folder = ui_data
    state_url = f"sqlite:///{tmp_path / 'state.sqlite'}"
    with neo4j_db.open(state=state_url) as store:
        neo4j_db.claim(store, f"ui-{folder.name}",
                       lambda: load(store, open_state(state_url), [folder], rejects_dir=tmp_path / "rej"))
        state = open_state(state_url)
        for name in detections.names():
            detections.save_as_alerts(state, name, {}, detections.run(store, name))
    for name, role in USERS.items():
        add_user(state, name, role, PASSWORD)
    env = {"CASEGRAPH_DB": neo4j_db.uri, "NEO4J_USER": neo4j_db.user, "NEO4J_PASSWORD": neo4j_db.password,
           "CASEGRAPH_GRAPH": "neo4j", "CASEGRAPH_STATE": state_url}
    proc, base = start_serve(env, "--workers", "2")
    try:
        yield base, state
    finally:
        code, output = stop_serve(proc, timeout=30)
    assert code == 0 and "Traceback" not in output, output


def test_search_ring_alert_expand_path_and_graphml_over_neo4j(dash_duo, neo4j_ui):
    base, state = neo4j_ui
    rings = state.list_alerts("rings")
    assert rings, "the rings detection finds the planted rings on Neo4j too"
    alert = rings[0]
    members = sorted(f"Account:{m}" for m in alert["entities"])
    login(dash_duo, "inv", base=base)

    # search finds a ring member
    key = members[0].split(":", 1)[1]
    dash_duo.wait_for_element(f"#{ids.SEARCH_INPUT}").send_keys(key)
    click(dash_duo, f"#{ids.SEARCH_BUTTON}")
    dash_duo.wait_for_text_to_equal(".search-hit", key, timeout=15)

    # the ring alert opens with its members and what links them
    click(dash_duo, f"#{ids.NAV}-alerts")
    pick(dash_duo, ids.ALERTS_DETECTION, "rings")
    dash_duo.wait_for_text_to_equal(f"#{ids.ALERTS_COUNT}", f"{len(rings)} alert(s)", timeout=15)
    wait_grid(dash_duo, ids.ALERTS_TABLE, lambda rows: rows and rows[0]["id"] == str(alert["id"]))
    click(dash_duo, f"#{ids.ALERTS_TABLE} .ag-row[row-index='0'] .ag-cell[col-id=open] a")
    shown = wait_nodes(dash_duo, lambda n: set(members) <= n, timeout=20)
    assert set(cy_call(dash_duo, "cy.nodes('.risk-ring-member').map(n => n.id())")) == set(members)

    # expand one member
    select(dash_duo, members[0])
    click(dash_duo, f"#{ids.EXPLORE_EXPAND}")
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_MESSAGE}", f"expanded {members[0]}", timeout=20)
    wait_nodes(dash_duo, lambda n: len(n) >= len(shown))

    # shortest path between two members
    select(dash_duo, members[0], members[1])
    click(dash_duo, f"#{ids.EXPLORE_PATH}")
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_MESSAGE}", "shortest path:", timeout=20)
    on_path = set(cy_call(dash_duo, "cy.elements('.path').map(e => e.id())"))
    assert {members[0], members[1]} <= on_path

    # GraphML holds exactly the canvas, read back by networkx
    downloads = allow_downloads(dash_duo)
    visible = set(cy_call(dash_duo, "cy.nodes().filter(n => n.visible() && n.data('kind') !== 'More' && "
                                    "n.data('kind') !== 'Compound').map(n => n.id())"))
    click(dash_duo, f"#{ids.EXPLORE_EXPORT_GRAPHML}")
    g = nx.read_graphml(wait_download(downloads, "casegraph.graphml"))
    drawn = {n for n in node_ids(dash_duo) if not n.startswith(("more:", "Compound:"))}   # but pagers and boxes
    assert set(g.nodes) == visible == drawn and visible >= set(members)
    no_console_errors(dash_duo)
