"""graph.png and graph.svg: readable by Pillow and an XML parser, labels as text, the
same elements always the same bytes."""
from __future__ import annotations

import io
from xml.etree import ElementTree

from PIL import Image

from casegraph.evidence import render

ELEMENTS = [
    {"data": {"id": f"Account:A{i}", "kind": "Account", "key": f"A{i}", "label": f"A{i}", "props": {}}} for i in range(5)
] + [{"data": {"id": f"TRANSFERRED:T{i}", "source": f"Account:A{i}", "target": f"Account:A{i + 1}",
               "kind": "TRANSFERRED", "props": {}}} for i in range(4)]


def test_png_and_svg_are_readable_and_deterministic():
    png, svg = render.render(ELEMENTS, "Case 1", subject="Account:A0")
    with Image.open(io.BytesIO(png)) as img:
        assert img.format == "PNG" and min(img.size) > 200
    root = ElementTree.fromstring(svg)
    texts = "".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert all(f"A{i}" in texts for i in range(5)) and "Case 1" in texts
    assert render.render(ELEMENTS, "Case 1", subject="Account:A0") == (png, svg)


def test_an_empty_graph_still_draws():
    png, svg = render.render([], "nothing")
    assert png.startswith(b"\x89PNG") and b"no elements" in svg
