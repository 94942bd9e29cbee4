"""casegraph/palette.py: one colour (and shape) for every model label and money movement,
used alike by the explorer's stylesheet and the evidence package's drawing."""
from __future__ import annotations

import re

from casegraph import palette
from casegraph.app import styles
from casegraph.model import model


def test_every_model_label_and_money_type_has_a_colour():
    assert set(palette.NODES) == set(model().nodes)
    assert list(palette.MONEY) == list(model().money)
    colours = [c for c, _ in palette.NODES.values()] + list(palette.MONEY.values()) + [palette.EDGE_DEFAULT]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colours), colours


def test_the_explorer_and_the_evidence_drawing_use_the_same_colours():
    rules = {r["selector"]: r["style"] for r in styles.stylesheet()}
    for label, (colour, shape) in palette.NODES.items():
        assert (rules[f"node.{label}"]["background-color"], rules[f"node.{label}"]["shape"]) == (colour, shape)
    for rel, colour in palette.MONEY.items():
        assert rules[f"edge.{rel}"]["line-color"] == colour
    assert palette.node_colour("Phone") == palette.NODES["Phone"][0]
    assert palette.node_colour("Nope") == palette.NODE_FALLBACK[0]
    assert palette.edge_colour("USED_IP") == palette.EDGE_DEFAULT
    assert model().money == {"TRANSFERRED": "transfer", "WITHDREW": "withdrawal", "DEPOSITED": "deposit",
                             "SENT": "on-chain send"}
