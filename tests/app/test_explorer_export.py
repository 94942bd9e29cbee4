"""The explorer's picture exports (app/pages/_explorer_export.py): the title from the alert or
case the explorer was opened from, the data URIs the canvas sends, the framed files."""
from __future__ import annotations

import base64
import io
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
from dash import dcc, html
from PIL import Image

from casegraph.app.pages import _explorer_export as ee
from casegraph.errors import CasegraphError
from casegraph.times import to_epoch_ms

ELEMENTS = [
    {"data": {"id": "Account:A1", "kind": "Account", "risk": ["ring-member"]}},
    {"data": {"id": "Wallet:0xw", "kind": "Wallet", "risk": []}},
    {"data": {"id": "Account:A9", "kind": "Account", "risk": []}, "classes": "hidden"},
    {"data": {"id": "WITHDREW:W1", "source": "Account:A1", "target": "Wallet:0xw", "kind": "WITHDREW", "at": 1}},
]
NOW = to_epoch_ms("2026-03-04T05:06:07Z")
SVG = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><rect width="10" height="10"/></svg>'


def test_the_title_is_the_alerts_or_cases_heading_else_the_default():
    alert = html.Div([html.H4("Alert 7: rings (score 0.900, open)"), html.Ul([html.Li("x")])])
    case = html.Div(html.H4(dcc.Link("Case 3: mule ring", href="/cases?case=3")))
    assert ee.title_of(alert) == "Alert 7: rings (score 0.900, open)"
    assert ee.title_of(case) == "Case 3: mule ring"
    assert ee.title_of(None) == ee.title_of(html.Div("there is no alert 9")) == ee.DEFAULT_TITLE


def test_data_uris_decode_from_base64_and_percent_encoding():
    assert ee.decode("data:image/png;base64," + base64.b64encode(b"\x89PNG").decode()) == b"\x89PNG"
    assert ee.decode("data:image/svg+xml;charset=utf-8," + quote(SVG)) == SVG.encode()
    with pytest.raises(CasegraphError, match="data URI"):
        ee.decode("<svg/>")


def test_the_files_carry_title_subtitle_and_the_legend_of_what_is_shown():
    name, svg = ee.picture_file("data:image/svg+xml;charset=utf-8," + quote(SVG), "svg", ELEMENTS, "Case 3: x", "inv", NOW)
    texts = [t.text for t in ElementTree.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]
    assert name == "casegraph.svg" and texts[0] == "Case 3: x"
    assert texts[1] == "exported 2026-03-04T05:06:07Z by inv · 2 node(s), 1 edge(s)"     # the hidden node is not counted
    assert {"Account", "Wallet", "withdrawal"} <= set(texts[2:])

    buf = io.BytesIO()
    Image.new("RGB", (3000, 1000), "#4e79a7").save(buf, "PNG")
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    name, png = ee.picture_file(uri, "png", ELEMENTS, None, None, NOW)
    with Image.open(io.BytesIO(png)) as out:
        assert name == "casegraph.png" and out.width == 3000 and out.height > 1000
    assert ee.subtitle([], None, NOW) == "exported 2026-03-04T05:06:07Z · 0 node(s), 0 edge(s)"
