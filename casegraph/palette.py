"""How each kind of node and each money movement is drawn, declared once: the explorer's
stylesheet and legend (app/styles.py) and the evidence package's graph.png and graph.svg
(casegraph/evidence/render.py) take their colours from here, so an investigator and the
agency reading a package see the same picture. Every model label and money type has an
entry (tests/test_palette.py)."""
from __future__ import annotations

# model label -> (colour, cytoscape shape)
NODES: dict[str, tuple[str, str]] = {
    "Account": ("#4e79a7", "ellipse"),
    "Wallet": ("#f28e2b", "diamond"),
    "Device": ("#76b7b2", "round-rectangle"),
    "IP": ("#59a14f", "round-triangle"),
    "Phone": ("#edc948", "round-tag"),
    "Email": ("#b07aa1", "round-rectangle"),
    "Document": ("#9c755f", "rectangle"),
    "ScamReport": ("#e15759", "octagon"),
    "Watchlist": ("#000000", "star"),
    "Group": ("#bab0ac", "hexagon"),
    "Rate": ("#d4d4d4", "tag"),
}
NODE_FALLBACK = ("#999999", "ellipse")

# money-movement type -> colour; every other relationship is drawn in EDGE_DEFAULT
MONEY: dict[str, str] = {
    "TRANSFERRED": "#4e79a7", "WITHDREW": "#f28e2b", "DEPOSITED": "#59a14f", "SENT": "#e15759",
}
EDGE_DEFAULT = "#b5b5b5"


def node_colour(label: str) -> str:
    return NODES.get(label, NODE_FALLBACK)[0]


def edge_colour(rel_type: str) -> str:
    return MONEY.get(rel_type, EDGE_DEFAULT)
