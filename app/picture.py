"""The explorer's picture exports with a title and a legend: the canvas's own PNG or SVG (as
cytoscape draws it, at print resolution) framed by a header naming the case or alert and the
export, and a legend of what is on it (node kinds, money kinds, risk marks). Pure: bytes and
text in, bytes and text out (Pillow for the PNG, SVG text for the SVG); no Dash."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from casegraph.app import styles
from casegraph.graph import COMPOUND, META, MONEY, RISK_FLAGS, is_bundle, is_node
from casegraph.model import model

NODE, EDGE, RISK = "node", "edge", "risk"


@dataclass(frozen=True)
class Item:
    text: str
    colour: str
    mark: str          # NODE (a dot), EDGE (a line) or RISK (a ring)


def legend(elements: list[dict]) -> list[Item]:
    """The legend of what is on the canvas: its node kinds, money kinds and risk marks, in the
    stylesheet's order."""
    kinds = {e["data"].get("kind") for e in elements}
    flags = {f for e in elements if is_node(e) for f in e["data"].get("risk") or ()}
    money = {e["data"].get("kind") for e in elements if not is_node(e) and e["data"].get("kind") in MONEY}
    other = any(not is_node(e) and e["data"].get("kind") not in MONEY and e["data"].get("kind") != META
                and not is_bundle(e) for e in elements)
    items = [Item(label, colour, NODE) for label, colour, _ in styles.LEGEND if label in kinds]
    items += [Item(noun, styles.EDGE_COLOURS.get(rel, styles.EDGE_DEFAULT), EDGE)
              for rel, noun in model().money.items() if rel in money]
    if other:
        items.append(Item(styles.EDGE_LEGEND[-1][0], styles.EDGE_DEFAULT, EDGE))
    items += [Item(*styles.RISK[f], RISK) for f in RISK_FLAGS if f in flags]
    if COMPOUND in kinds:
        items.append(Item("group box (ring or model group)", "#7b1fa2", RISK))
    return items


def _font(px: int) -> ImageFont.FreeTypeFont:
    import matplotlib
    return ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"), px)


def _rows(items: list[Item], width: int, em: int, measure) -> list[list[tuple[Item, int]]]:
    """Legend items laid out left to right in rows that fit `width` (x offsets per item)."""
    rows: list[list[tuple[Item, int]]] = [[]]
    x = em
    for item in items:
        w = int(2.2 * em + measure(item.text) + 1.5 * em)
        if rows[-1] and x + w > width - em:
            rows.append([])
            x = em
        rows[-1].append((item, x))
        x += w
    return rows if rows[0] else []


def png(image: bytes, title: str, subtitle: str, items: list[Item]) -> bytes:
    """The canvas PNG under a header (title, subtitle) and over a legend, on white."""
    with Image.open(io.BytesIO(image)) as src:
        body = src.convert("RGB")
    width = max(body.width, 1200)
    em = max(18, width // 110)
    big, small = _font(int(em * 1.6)), _font(em)
    draw_probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    rows = _rows(items, width, em, lambda t: draw_probe.textlength(t, font=small))
    header = int(em * 4.2)
    footer = int(len(rows) * em * 2 + em) if rows else 0
    out = Image.new("RGB", (width, header + body.height + footer), "white")
    out.paste(body, ((width - body.width) // 2, header))
    d = ImageDraw.Draw(out)
    d.text((em, int(em * 0.6)), title, fill="#222222", font=big)
    d.text((em, int(em * 2.6)), subtitle, fill="#666666", font=small)
    y = header + body.height + em // 2
    for row in rows:
        for item, x in row:
            cy = y + em // 2 + 2
            if item.mark == NODE:
                d.ellipse((x, cy - em // 2, x + em, cy + em // 2), fill=item.colour)
            elif item.mark == EDGE:
                d.line((x, cy, x + int(1.6 * em), cy), fill=item.colour, width=max(3, em // 5))
            else:
                d.ellipse((x, cy - em // 2, x + em, cy + em // 2), outline=item.colour, width=max(3, em // 5))
            d.text((x + int(2.2 * em), y), item.text, fill="#222222", font=small)
        y += em * 2
    buf = io.BytesIO()
    out.save(buf, "PNG", optimize=True)
    return buf.getvalue()


_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)(?:px)?"[^>]*?\bheight="([\d.]+)(?:px)?"', re.S)


def svg(image: str, title: str, subtitle: str, items: list[Item]) -> str:
    """The canvas SVG nested in a larger SVG with the header and the legend as SVG text."""
    found = _SIZE.search(image)
    w, h = (float(found.group(1)), float(found.group(2))) if found else (1200.0, 800.0)
    width = max(w, 900.0)
    em = 14.0
    rows = _rows(items, int(width), int(em), lambda t: len(t) * em * 0.55)
    header, footer = em * 4.2, (len(rows) * em * 2 + em) if rows else 0
    inner = re.sub(r"^\s*<\?xml[^>]*\?>", "", image).strip()
    inner = re.sub(r"^<svg\b", f'<svg x="{(width - w) / 2:.1f}" y="{header:.1f}"', inner, count=1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{header + h + footer:.0f}" '
             f'viewBox="0 0 {width:.0f} {header + h + footer:.0f}" font-family="DejaVu Sans, sans-serif">',
             f'<rect width="100%" height="100%" fill="#ffffff"/>',
             f'<text x="{em}" y="{em * 1.9:.1f}" font-size="{em * 1.6:.1f}" fill="#222222">{escape(title)}</text>',
             f'<text x="{em}" y="{em * 3.4:.1f}" font-size="{em:.0f}" fill="#666666">{escape(subtitle)}</text>',
             inner]
    y = header + h + em / 2
    for row in rows:
        for item, x in row:
            cy = y + em / 2
            if item.mark == NODE:
                parts.append(f'<circle cx="{x + em / 2:.1f}" cy="{cy:.1f}" r="{em / 2:.1f}" fill="{item.colour}"/>')
            elif item.mark == EDGE:
                parts.append(f'<line x1="{x}" y1="{cy:.1f}" x2="{x + 1.6 * em:.1f}" y2="{cy:.1f}" '
                             f'stroke="{item.colour}" stroke-width="3"/>')
            else:
                parts.append(f'<circle cx="{x + em / 2:.1f}" cy="{cy:.1f}" r="{em / 2 - 1.5:.1f}" fill="none" '
                             f'stroke="{item.colour}" stroke-width="3"/>')
            parts.append(f'<text x="{x + 2.2 * em:.1f}" y="{cy + em * 0.35:.1f}" font-size="{em:.0f}" '
                         f'fill="#222222">{escape(item.text)}</text>')
        y += em * 2
    parts.append("</svg>")
    return "\n".join(parts)
