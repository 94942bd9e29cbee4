"""Every page at 1600x1000 in a real Chromium, checked from the DOM: no text input or text area
is narrower than what it holds (its value, else its placeholder, measured in its own font), and
on the explorer, opened on the largest ring alert, no drawn caption overlaps another (cytoscape's
label bounding boxes). A screenshot of each page is kept in the test's temporary folder."""
from __future__ import annotations

import pytest
from dash.testing.wait import until

from casegraph.app import ids
from casegraph.app.pages._tables import explorer_href
from casegraph.cases import alert_node_ids
from tests.support import cy_call, login, wait_nodes

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1600, 1000

# the inputs whose text does not fit: [id or name, text, text px, room px]
NARROW_INPUTS = """
const canvas = document.createElement('canvas');
const g = canvas.getContext('2d');
const out = [];
for (const el of document.querySelectorAll('input, textarea')) {
  const type = (el.getAttribute('type') || 'text').toLowerCase();
  if (!['text', 'number', 'search', 'password', ''].includes(type) && el.tagName !== 'TEXTAREA') continue;
  if (el.closest('.ag-root-wrapper')) continue;                             // the grid sizes its own
  if (!el.offsetParent) continue;                                                          // not shown
  const css = getComputedStyle(el);
  g.font = `${css.fontStyle} ${css.fontWeight} ${css.fontSize} ${css.fontFamily}`;
  const text = el.value || el.getAttribute('placeholder') || '';
  const lines = el.tagName === 'TEXTAREA' ? text.split(/\\n/) : [text];
  const need = Math.max(0, ...lines.map(t => g.measureText(t).width));
  const room = el.clientWidth - parseFloat(css.paddingLeft) - parseFloat(css.paddingRight);
  if (need > room + 1) out.push([el.id || el.name || el.outerHTML.slice(0, 80), text, Math.round(need), room]);
}
return out;
"""

# captions drawn on the canvas that overlap: pairs of node ids
OVERLAPPING_LABELS = """
const shown = cy.nodes(':visible').filter(n => !n.isParent() && n.style('label') &&
  Number(n.style('text-opacity')) > 0 &&
  parseFloat(n.style('font-size')) * cy.zoom() >= parseFloat(n.style('min-zoomed-font-size')));
const boxes = shown.map(n => [n.id(), n.boundingBox({includeNodes: false, includeEdges: false,
                                                      includeLabels: true, includeOverlays: false})]);
const out = [];
for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
  const a = boxes[i][1], b = boxes[j][1];
  if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) out.push([boxes[i][0], boxes[j][0]]);
}
return [shown.length, out];
"""


def _viewport(duo) -> None:
    duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})


def _fits(duo, page: str, shots) -> None:
    duo.driver.save_screenshot(str(shots / f"{page.strip('/').replace('?', '-').replace('=', '') or 'search'}.png"))
    narrow = duo.driver.execute_script(NARROW_INPUTS)
    assert narrow == [], f"{page}: inputs narrower than their text: {narrow}"


def _largest_ring(state) -> dict:
    rings = state.list_alerts("rings", limit=10_000)
    return max(rings, key=lambda a: (len(a["entities"] or ()), -a["id"]))


def test_every_page_fits_its_inputs_and_the_ring_canvas_has_no_overlapping_captions(dash_duo, ui_app, ui_data,
                                                                                       tmp_path):
    from casegraph import app as ui
    from casegraph import cases, requests as desk
    from casegraph.state import now_ms
    state = ui.state()
    ring = _largest_ring(state)
    case_id = cases.case_from_alert(state, ui.store(), cases.operator(), ring["id"])
    le = {"name": "le", "role": "le_response", "disabled": False}
    rid = desk.add(state, le, agency="Europol", country="NL", reference="EP-2026-7", legal_basis="EIO",
                   received_at=now_ms(), deadline_at=now_ms() + 86_400_000,
                   subjects=[f"Account:{a}" for a in ring["entities"][:2]])
    login(dash_duo, "admin", app=ui_app)
    _viewport(dash_duo)
    pages = [("/", ids.SEARCH_INPUT), ("/alerts", ids.ALERTS_COUNT), ("/queries", ids.NAV),
             ("/cases", ids.CASES_COUNT), (f"/cases?id={case_id}", ids.CASES_HEADER), ("/requests", ids.REQUESTS_COUNT),
             (f"/requests?id={rid}", ids.REQUESTS_HEADER), ("/evidence", ids.EVIDENCE_SUBJECT),
             ("/kpis", ids.KPIS_SUMMARY), ("/audit", ids.AUDIT_COUNT)]
    for path, ready in pages:
        dash_duo.driver.get(dash_duo.server_url + path)
        dash_duo.wait_for_element(f"#{ready}", timeout=20)
        until(lambda: dash_duo.driver.execute_script("return document.readyState") == "complete", timeout=10)
        _fits(dash_duo, path, tmp_path)

    # the explorer on the ring: the canvas laid out, its positions reported, captions sorted out
    dash_duo.driver.get(dash_duo.server_url + explorer_href(alert_node_ids(ring), ring["id"]))
    members = {f"Account:{a}" for a in ring["entities"]}
    wait_nodes(dash_duo, lambda n: members <= n)
    dash_duo.wait_for_contains_text(f"#{ids.EXPLORE_PLACED}", "position(s) kept", timeout=30)
    _fits(dash_duo, "/explorer", tmp_path)

    labels = f"(function () {{ {OVERLAPPING_LABELS} }})()"
    found: list = []

    def settled() -> bool:
        found[:] = [cy_call(dash_duo, labels)]
        return bool(found[0] and found[0][0] > 0 and not found[0][1])
    try:
        until(settled, timeout=15)
    except Exception:
        raise AssertionError(f"captions overlap on the ring's canvas (drawn, pairs): {found}") from None
    assert found[0][0] >= min(5, len(members))          # captions are sorted out, not all hidden
