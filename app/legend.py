"""The canvas legend, shared by the explorer and the case page: node colours (and shapes, on
hover) per model label, edge colours per kind of money movement (width grows with the USD
amount on a log scale), and the risk borders."""
from __future__ import annotations

from dash import html

from casegraph.app import styles


def legend() -> list:
    items = [html.Span([html.Span(className="swatch", style={"backgroundColor": colour}), f" {label}"],
                       className="legend-item", title=shape) for label, colour, shape in styles.LEGEND]
    items += [html.Span([html.Span(className="swatch line", style={"backgroundColor": colour}), f" {text}"],
                        className="legend-item", title="edge; thicker for more USD")
              for text, colour in styles.EDGE_LEGEND]
    items += [html.Span([html.Span(className="swatch ring", style={"borderColor": colour}), f" {text}"],
                        className="legend-item") for text, colour in styles.RISK_LEGEND]
    return items
