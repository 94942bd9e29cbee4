"""Picture exports with a title and a legend (app/picture.py): the canvas's PNG and SVG framed,
read back with Pillow and an XML parser."""
from __future__ import annotations

import io
from xml.etree import ElementTree

from PIL import Image

from casegraph.app import picture, styles

ELEMENTS = [
    {"data": {"id": "Account:A1", "kind": "Account", "risk": ["ring-member"]}},
    {"data": {"id": "Wallet:0xw", "kind": "Wallet", "risk": []}},
    {"data": {"id": "WITHDREW:W1", "source": "Account:A1", "target": "Wallet:0xw", "kind": "WITHDREW"}},
    {"data": {"id": "USED_DEVICE:x", "source": "Account:A1", "target": "Device:D1", "kind": "USED_DEVICE"}},
]


def test_the_legend_names_what_is_on_the_canvas_only():
    items = picture.legend(ELEMENTS)
    assert [(i.text, i.mark) for i in items] == [
        ("Account", "node"), ("Wallet", "node"), ("withdrawal", "edge"), ("other link", "edge"),
        (styles.RISK["ring-member"][0], "risk")]
    assert picture.legend([]) == []


def test_the_png_gets_a_header_and_a_legend_and_keeps_the_canvas():
    canvas = Image.new("RGB", (3000, 2000), "#4e79a7")
    buf = io.BytesIO()
    canvas.save(buf, "PNG")
    out = Image.open(io.BytesIO(picture.png(buf.getvalue(), "Alert 33: rings", "exported by inv",
                                            picture.legend(ELEMENTS))))
    assert out.width == 3000 and out.height > 2000 + 100
    header = out.crop((0, 0, 1200, 60)).convert("L")
    assert min(header.getpixel((x, y)) for x in range(header.width) for y in range(header.height)) < 80  # the title
    middle = out.getpixel((1500, out.height // 2))
    assert middle == (0x4e, 0x79, 0xa7)                       # the canvas itself, unscaled
    footer = out.crop((0, out.height - 40, 3000, out.height)).convert("RGB")
    seen = {footer.getpixel((x, y)) for x in range(0, footer.width, 2) for y in range(footer.height)}
    assert (0x4e, 0x79, 0xa7) in seen                         # the Account dot of the legend


def test_the_svg_nests_the_canvas_under_a_title_with_the_legend():
    inner = ('<?xml version="1.0" encoding="UTF-8"?><svg xmlns="http://www.w3.org/2000/svg" width="800" '
             'height="600" viewBox="0 0 800 600"><circle cx="10" cy="10" r="5"/></svg>')
    text = picture.svg(inner, "Case 7: <ring> & co", "exported by le", picture.legend(ELEMENTS))
    root = ElementTree.fromstring(text)
    ns = "{http://www.w3.org/2000/svg}"
    assert float(root.get("height")) > 600 and float(root.get("width")) >= 900
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert texts[0] == "Case 7: <ring> & co" and "withdrawal" in texts and "Account" in texts
    (nested,) = [e for e in root if e.tag == f"{ns}svg"]
    assert float(nested.get("y")) > 0 and nested.find(f"{ns}circle") is not None
