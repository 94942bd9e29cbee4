"""Incremental layout in a real headless Chromium (issue 16): an expand keeps every node that
was drawn where it was and places only the new ones; a canvas saved to a case reopens, on the
case page and in the explorer, with every node where it was left. Each step waits on what
the page says it holds (the positions line, a message, the selection line, the nodes drawn),
never a fixed time."""
from __future__ import annotations

import math

import pytest

from casegraph.app import ids
from tests.support import click, cy_call, login, no_console_errors, read_text, select, wait_cy, wait_nodes

pytestmark = pytest.mark.browser

# where every graph node is drawn (a group box's place follows its members)
POSITIONS = ("Object.fromEntries(cy.nodes().filter(n => n.data('kind') !== 'Compound')"
             ".map(n => [n.id(), [n.position('x'), n.position('y')]]))")


def wait_positions_kept(duo, n: int, where: str = ids.EXPLORE_PLACED, timeout=15) -> None:
    """Wait until the page's positions store holds `n` nodes (the canvas has reported them)."""
    from dash.testing.wait import until
    try:
        until(lambda: read_text(duo, f"#{where}") == f"{n} position(s) kept", timeout=timeout)
    except Exception:
        raise AssertionError(f"the page says {read_text(duo, f'#{where}')!r}, not {n} position(s) kept") from None


def same_places(now: dict, before: dict) -> list[str]:
    """The nodes of `before` that moved by more than 1 px (or are gone) in `now`."""
    return [k for k, p in before.items() if k not in now or math.dist(now[k], p) > 1.0]


def ring_alert_and_member_to_expand(ui):
    """A rings alert, the nodes it opens with, and a member whose expand brings new nodes."""
    from casegraph import explore
    from casegraph.cases import alert_node_ids
    for alert in ui.state().list_alerts("rings", status=None):
        opens = set(alert_node_ids(alert))
        for m in alert["entities"]:
            near = {e["data"]["id"] for e in explore.expand(ui.store(), f"Account:{m}")[0] if "source" not in e["data"]}
            if near - opens - {f"Account:{m}"}:
                return alert, f"Account:{m}"
    raise AssertionError("no rings alert has a member with neighbours outside the alert")


def test_an_expand_keeps_drawn_nodes_in_place_and_a_case_reopens_as_it_was_left(dash_duo, ui_app):
    from casegraph import app as ui
    from casegraph.app.pages._tables import explorer_href
    from casegraph.cases import alert_node_ids
    alert, member = ring_alert_and_member_to_expand(ui)
    login(dash_duo, "inv", ui_app, path=explorer_href(alert_node_ids(alert), alert["id"]))
    members = {f"Account:{m}" for m in alert["entities"]}
    shown = wait_nodes(dash_duo, lambda n: members <= n)
    wait_positions_kept(dash_duo, len(shown))         # the canvas reports every node, its group box too
    shown = {n for n in shown if not n.startswith("Compound:")}
    before = cy_call(dash_duo, POSITIONS)
    assert len({(round(x), round(y)) for x, y in before.values()}) == len(before)      # fcose spread them out

    select(dash_duo, member)
    dash_duo.find_element(f"#{ids.EXPLORE_EXPAND}").click()
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_MESSAGE}", f"expanded {member}:", timeout=15)
    grown = {n for n in wait_nodes(dash_duo, lambda n: len(n) > len(shown) + 1) if not n.startswith("Compound:")}
    after = cy_call(dash_duo, POSITIONS)
    assert same_places(after, before) == []                   # nothing that was drawn moved
    new = grown - shown
    assert new
    for n in new:                                             # the new ones have places of their own
        assert min(math.dist(after[n], p) for k, p in after.items() if k != n) > 30, n
    wait_positions_kept(dash_duo, len(grown) + 1)        # and the box's

    # the whole canvas into a new case: the case page draws every node where it was
    keep = sorted(n for n in grown if not n.startswith("more:"))
    drawn = {k: after[k] for k in keep}
    select(dash_duo, *keep)
    dash_duo.find_element(f"#{ids.EXPLORE_NEW_CASE}").click()
    wait_nodes(dash_duo, lambda n: n == set(keep), graph=ids.CASES_GRAPH)
    wait_cy(dash_duo, POSITIONS, lambda now: same_places(now, drawn) == [], graph=ids.CASES_GRAPH)

    # and the explorer opens the case as it was left
    click(dash_duo, f"#{ids.CASES_EXPLORER}")
    wait_nodes(dash_duo, lambda n: n - {x for x in n if x.startswith("Compound:")} == set(keep))
    assert same_places(cy_call(dash_duo, POSITIONS), drawn) == []
    no_console_errors(dash_duo)


def account_with_money_and_identifiers(ui) -> tuple[str, set[str], set[str]]:
    """A rings member with both kinds of neighbours: (its id, money neighbours, identifiers)."""
    from casegraph import explore
    for alert in ui.state().list_alerts("rings", status=None):
        for m in alert["entities"]:
            node = f"Account:{m}"
            money, ident = ({e["data"]["id"] for e in explore.expand(ui.store(), node, rel=kind)[0]
                             if "source" not in e["data"]} - {node} for kind in ("money", "identifiers"))
            if money and ident and not any(n.startswith("more:") for n in money | ident):
                return node, money, ident
    raise AssertionError("no rings member has both money neighbours and shared identifiers")


def context_click(duo, node_id: str, item: str) -> None:
    """Right-click the node where the canvas draws it (in the window's coordinates) and click
    the menu item `item` in the menu cytoscape-context-menus draws, as an investigator does."""
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
    box = duo.find_element(f"#{ids.EXPLORE_GRAPH}")
    duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    x, y = duo.driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); const p = cy.$id(arguments[1]).renderedPosition();"
        "return [Math.round(r.left + p.x), Math.round(r.top + p.y)];", box, node_id)
    right = ActionBuilder(duo.driver)
    right.pointer_action.move_to_location(x, y)
    right.pointer_action.context_click()
    right.perform()
    click(duo, f".cy-context-menus-cxt-menuitem#{item}")


def test_the_node_menu_expands_by_kind_and_adds_the_node_to_a_picked_case(dash_duo, ui_app):
    """Right-click a node: "Expand: money movements" brings only its money counterparties,
    "Expand: shared identifiers" its devices, IPs, ...; "Add to the case picked above" puts it
    into the case chosen in the case menu (read back from the state store)."""
    from casegraph import app as ui
    from casegraph import cases
    from tests.support import pick
    node, money, ident = account_with_money_and_identifiers(ui)
    made = cases.create_case(ui.state(), cases.operator(), "menu target", [], {"query": "test", "params": {}})
    login(dash_duo, "inv", ui_app, path=f"/explorer?ids={node}")
    wait_nodes(dash_duo, lambda n: n == {node})
    wait_positions_kept(dash_duo, 1)

    context_click(dash_duo, node, "expand-money")
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_MESSAGE}", f"expanded {node} by money movements", timeout=15)
    assert wait_nodes(dash_duo, lambda n: n == {node} | money) == {node} | money
    wait_positions_kept(dash_duo, 1 + len(money))
    context_click(dash_duo, node, "expand-identifiers")
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_MESSAGE}", f"expanded {node} by shared identifiers", timeout=15)
    wait_nodes(dash_duo, lambda n: n == {node} | money | ident)

    pick(dash_duo, ids.EXPLORE_CASE_PICK, f"#{made} menu target (open)")
    context_click(dash_duo, node, "add-to-case")
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_MESSAGE}", f"to case #{made}", timeout=15)
    assert node in {e["data"]["id"] for e in cases.get_case(ui.state(), made)["elements"]}
    no_console_errors(dash_duo)
