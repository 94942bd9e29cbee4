"""casegraph/store/result.py: values made strict-JSON safe (the API answers with them)."""
from __future__ import annotations

import json
import math
from datetime import date

from casegraph.store import Node, Relationship, json_safe


def test_graph_elements_nan_and_other_types_become_strict_json():
    node = Node(id="1", labels=("Account",), properties={"account_id": "A1", "score": math.nan})
    rel = Relationship(id="2", type="TRANSFERRED", start="1", end="3", properties={"amount": math.inf})
    got = json_safe({"n": node, "r": [rel], "t": (1, 2.5), "d": date(2026, 1, 31), 7: None})
    json.dumps(got, allow_nan=False)
    assert got == {"n": {"id": "1", "labels": ["Account"], "properties": {"account_id": "A1", "score": None}},
                   "r": [{"id": "2", "type": "TRANSFERRED", "start": "1", "end": "3", "properties": {"amount": None}}],
                   "t": [1, 2.5], "d": "2026-01-31", "7": None}
