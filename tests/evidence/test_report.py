"""The report's sections from elements (summary.py), in HTML and PDF (report.py)."""
from __future__ import annotations

import io
from html.parser import HTMLParser

import pypdf

from casegraph.evidence import report, summary

S = "Account:A1"


def _node(kind, key, **props):
    return {"data": {"id": f"{kind}:{key}", "kind": kind, "key": key, "label": key, "props": props}}


def _move(tx, s, t, usd, at):
    return {"data": {"id": f"TRANSFERRED:{tx}", "source": s, "target": t, "kind": "TRANSFERRED",
                     "props": {"tx_id": tx, "amount": usd, "asset": "USDT", "amount_usd": usd, "at": at}}}


ELEMENTS = [
    _node("Account", "A1", registered_at=1704067200000), _node("Account", "A2"), _node("Account", "A3"),
    _node("Device", "d1"),
    {"data": {"id": "USED_DEVICE:a1", "source": S, "target": "Device:d1", "kind": "USED_DEVICE", "props": {}}},
    {"data": {"id": "USED_DEVICE:a3", "source": "Account:A3", "target": "Device:d1", "kind": "USED_DEVICE", "props": {}}},
    _move("T1", "Account:A2", S, 100.0, 1704153600000), _move("T2", "Account:A2", S, 50.0, 1704240000000),
    _move("T3", S, "Account:A3", 30.0, 1704326400000),
]
META = {"title": "Subject Account:A1", "request_ref": "REQ-9", "agency": "FBI", "exported_by": "le1", "subject": S,
        "since": "2024-01-01T00:00:00Z", "until": "2025-01-01T00:00:00Z", "masked": False, "masked_kinds": [],
        "notes": ["IP 1.1.1.1 is used by 900 accounts"], "queries": [{"query": "ui_nodes", "params": {"x": 1}}]}


def test_flows_linked_accounts_and_timeline():
    s = summary.summarise(ELEMENTS, S)
    assert s["flows"]["totals"] == [{"party": S, "movements_in": 2, "usd_in": 150.0, "in_without_usd": "",
                                     "movements_out": 1, "usd_out": 30.0, "out_without_usd": ""}]
    assert s["flows"]["top"][0] == {"counterparty": "Account:A2", "direction": "in", "movements": 2, "usd": 150.0,
                                    "without_usd": ""}
    linked = {a["account"]: a for a in s["accounts"]}
    assert linked["A3"]["shared_with_subject"] == "d1" and "shares identifiers" in linked["A3"]["relation"]
    assert linked["A2"]["shared_with_subject"] == "" and linked["A2"]["relation"] == "TRANSFERRED"
    assert [e["at"][:10] for e in s["timeline"]] == ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]


def test_movements_without_a_usd_value_are_summed_per_asset_not_as_usd():
    btc = {"data": {"id": "TRANSFERRED:T9", "source": S, "target": "Account:A3", "kind": "TRANSFERRED",
                    "props": {"tx_id": "T9", "amount": 0.4, "asset": "BTC", "at": 1704412800000}}}
    s = summary.summarise(ELEMENTS + [btc], S)
    assert s["flows"]["totals"][0]["usd_out"] == 30.0 and s["flows"]["totals"][0]["out_without_usd"] == "0.4 BTC"
    top = {r["counterparty"]: r for r in s["flows"]["top"]}
    assert top["Account:A3"]["usd"] == 30.0 and top["Account:A3"]["without_usd"] == "0.4 BTC"
    texts = []
    parser = HTMLParser()
    parser.handle_data = texts.append
    parser.feed(report.to_html(META, s).decode())
    assert "0.4 BTC" in " ".join(texts)


def test_html_and_pdf_hold_the_request_subject_and_notes():
    s = summary.summarise(ELEMENTS, S)
    texts = []
    parser = HTMLParser()
    parser.handle_data = texts.append
    parser.feed(report.to_html(META, s).decode())
    html_text = " ".join(texts)
    pdf = report.to_pdf(META, s)
    pdf_text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    for text in (html_text, pdf_text):
        assert S in text and "REQ-9" in text and "FBI" in text and "900 accounts" in text and "ui_nodes" in text
    assert report.to_pdf(META, s) == pdf
