"""Suspicious-transaction report drafts (casegraph/evidence/goaml.py): the XML against the
goAML element structure (required elements, their order, the declared code lists), one
transaction per money movement of the case, masking, the workflow and permission rules,
the audit entry, the PDF, and `casegraph report str`.

The draft reads the case from the state store, not the graph, so it runs on the embedded
evidence dataset only."""
from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pypdf
import pytest

from casegraph import audit, cases, explore
from casegraph.errors import CaseError, EvidenceError, PermissionDenied
from casegraph.evidence import goaml, mask, tables
from casegraph.model import model
from casegraph.times import iso
from tests.evidence.conftest import LE, ring_member
from tests.support import run_cli

NOW = 1_760_000_000_000


def _case(loaded, confirm: bool) -> int:
    """A planted ring, what links its accounts, and one member's neighbours (money movements,
    identifiers); moved to in_review and, with `confirm`, confirmed."""
    loaded.claim()
    keys, member = ring_member(loaded)
    ring = [f"Account:{a}" for a in keys]
    nodes, _ = explore.nodes(loaded.store, ring)
    case_id = cases.create_case(loaded.state, cases.operator(), "STR ring", nodes
                                + explore.links_between(loaded.store, ring), {"query": "ui_links_between",
                                                                              "params": {"keys": keys}})
    page, _ = explore.expand(loaded.store, f"Account:{member}", limit=100)
    cases.add_elements(loaded.state, cases.operator(), case_id, page,
                       {"query": "ui_expand", "params": {"label": "Account", "key": member, "limit": 100}})
    cases.set_status(loaded.state, cases.operator(), case_id, "in_review", "looking at it")
    if confirm:
        cases.set_status(loaded.state, cases.operator(), case_id, "confirmed", "mule ring paying out victims")
        cases.record_action(loaded.state, cases.operator(), case_id, "freeze", f"Account:{member}", "STR")
    return case_id


@pytest.fixture(scope="module")
def confirmed(ev_embedded):
    return _case(ev_embedded, confirm=True)


@pytest.fixture(scope="module")
def draft(ev_embedded, confirmed):
    return goaml.str_draft(ev_embedded.state, ev_embedded.store, LE, confirmed, entity_id="4711",
                           institution="Example Exchange", now=NOW)


def _in_order(parent: ET.Element, order: tuple[str, ...]) -> list[str]:
    tags = [c.tag for c in parent]
    assert set(tags) <= set(order), set(tags) - set(order)
    assert [order.index(t) for t in tags] == sorted(order.index(t) for t in tags), tags
    return tags


def test_xml_follows_the_goaml_report_structure_and_code_lists(draft):
    root = ET.fromstring(draft[0])
    assert root.tag == "report"
    tags = _in_order(root, goaml.REPORT_ORDER)
    for required in ("rentity_id", "submission_code", "report_code", "submission_date", "currency_code_local",
                     "reporting_person", "reason", "transaction", "report_indicators"):
        assert required in tags, required
    assert root.findtext("rentity_id") == "4711"
    assert root.findtext("submission_code") in goaml.SUBMISSION_CODES
    assert root.findtext("report_code") == "STR" and "STR" in goaml.REPORT_CODES
    assert root.findtext("submission_date") == "2025-10-09T08:53:20"
    assert root.findtext("currency_code_local") == goaml.CURRENCY_CODE_LOCAL
    assert "freeze on Account:" in root.findtext("action")
    codes = [i.text for i in root.find("report_indicators")]
    assert codes and set(codes) <= set(goaml.INDICATOR_CODES) and "CG_CONFIRMED" in codes
    _in_order(root.find("reporting_person"), goaml.PERSON_ORDER)
    for t in root.findall("transaction"):
        ttags = _in_order(t, goaml.TRANSACTION_ORDER)
        assert {"transactionnumber", "date_transaction", "transmode_code", "amount_local"} <= set(ttags)
        assert t.findtext("transmode_code") in goaml.TRANSMODE_CODES.values()
        assert sum(tag in ttags for tag in ("t_from_my_client", "t_from")) == 1
        assert sum(tag in ttags for tag in ("t_to_my_client", "t_to")) == 1
        for side, order in (("from", goaml.FROM_ORDER), ("to", goaml.TO_ORDER)):
            party = t.find(f"t_{side}_my_client") if t.find(f"t_{side}_my_client") is not None else t.find(f"t_{side}")
            ptags = _in_order(party, order)
            assert ptags[0] == f"{side}_funds_code" and f"{side}_account" in ptags
            assert party.findtext(f"{side}_funds_code") in goaml.FUNDS_CODES.values()
            account = party.find(f"{side}_account")
            _in_order(account, goaml.ACCOUNT_ORDER)
            for person in account.iter("t_person"):
                _in_order(person, goaml.PERSON_ORDER)
                assert person.findtext("first_name") == "" and person.findtext("last_name") == ""


def test_one_transaction_per_money_movement_with_amounts_dates_and_parties(ev_embedded, confirmed, draft):
    moves = tables.transfers(cases.get_case(ev_embedded.state, confirmed)["elements"])
    kinds = {m["kind"] for m in moves}
    assert "TRANSFERRED" in kinds or "WITHDREW" in kinds or "DEPOSITED" in kinds
    transactions = ET.fromstring(draft[0]).findall("transaction")
    assert len(transactions) == len(moves) > 0
    for t, m in zip(transactions, moves):
        assert t.findtext("transactionnumber") == (m["tx_id"] or m["tx_hash"])
        assert t.findtext("transmode_code") == goaml.TRANSMODE_CODES[m["kind"]]
        assert t.findtext("date_transaction") == iso(m["at_ms"])[:19]      # ISO 8601, to the second, UTC
        if m["amount_usd"] is not None:
            assert float(t.findtext("amount_local")) == pytest.approx(m["amount_usd"], abs=0.005)
        assert f"{m['amount']} {m['asset']}" in t.findtext("comments")
        for side in ("from", "to"):
            kind, key = m[side].split(":", 1)
            party = t.find(f"t_{side}_my_client" if kind == "Account" else f"t_{side}")
            assert party is not None, (side, m)
            assert party.findtext(f"{side}_account/account") == key
            assert party.findtext(f"{side}_funds_code") == goaml.FUNDS_CODES[kind]


def test_account_holders_carry_the_kyc_fields_of_the_graph(ev_embedded, confirmed, draft):
    elements = cases.get_case(ev_embedded.state, confirmed)["elements"]
    accounts = {e["data"]["key"]: e["data"]["props"] for e in elements if e["data"].get("kind") == "Account"}
    seen = 0
    for account in ET.fromstring(draft[0]).iter("from_account"):
        props = accounts.get(account.findtext("account"))
        if props is None or account.find("signatory") is None:
            continue
        seen += 1
        assert account.findtext("institution_name") == "Example Exchange"
        assert account.findtext("signatory/t_person/residence") == (props.get("country") or "")
        assert f"KYC level {props.get('kyc_level')}" in account.findtext("comments")
    assert seen > 0


def test_masked_draft_holds_pseudonyms_not_the_identifiers_evidence_masking_hides(ev_embedded, confirmed, draft):
    elements = cases.get_case(ev_embedded.state, confirmed)["elements"]
    masker = mask.Masker(mask.mask_key(ev_embedded.settings), elements)
    assert masker.map, "the case holds e-mails, phones or documents"
    raw = [v for v in masker.map if v in draft[0].decode()]
    assert raw, "unmasked, the draft names the account holders' identifiers"
    xml, pdf = goaml.str_draft(ev_embedded.state, ev_embedded.store, LE, confirmed, masked=True, now=NOW)
    text = xml.decode() + " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert not [v for v in masker.map if v in text]
    assert any(masker.map[v] in xml.decode() for v in raw)


def test_pdf_names_the_case_and_the_transaction_count(confirmed, draft):
    xml, pdf = draft
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    n = len(ET.fromstring(xml).findall("transaction"))
    assert f"case {confirmed}" in text and f"Transactions ({n})" in text and "fill in" in text


def test_draft_is_audited_with_the_xml_digest(ev_embedded, confirmed, draft):
    entries = [e for e in audit.entries(ev_embedded.state, action="report.str_draft")
               if e["details"]["sha256"] == hashlib.sha256(draft[0]).hexdigest()]
    assert len(entries) == 1 and entries[0]["actor"] == LE["name"]
    d = entries[0]["details"]
    assert d["case_id"] == confirmed and d["masked"] is False
    assert d["transactions"] == len(ET.fromstring(draft[0]).findall("transaction"))


def test_only_a_confirmed_case_and_only_with_export_evidence(ev_embedded, confirmed):
    unconfirmed = _case(ev_embedded, confirm=False)
    with pytest.raises(CaseError, match="only from a confirmed case"):
        goaml.str_draft(ev_embedded.state, ev_embedded.store, LE, unconfirmed)
    investigator = {"name": "inv1", "role": "investigator", "disabled": False}
    with pytest.raises(PermissionDenied):
        goaml.str_draft(ev_embedded.state, ev_embedded.store, investigator, confirmed)
    with pytest.raises(EvidenceError, match="unknown report code"):
        goaml.str_draft(ev_embedded.state, ev_embedded.store, LE, confirmed, report_code="XYZ")


def test_every_money_movement_type_has_a_transmode_code():
    assert set(goaml.TRANSMODE_CODES) == set(model().money)


def test_cli_writes_xml_and_pdf_and_prints_their_digests(ev_embedded, confirmed, tmp_path):
    s = ev_embedded.settings
    env = {"CASEGRAPH_DB": s.db, "CASEGRAPH_GRAPH": s.graph, "CASEGRAPH_STATE": s.state,
           "CASEGRAPH_MASK_KEY": s.mask_key}
    proc = run_cli("report", "str", str(confirmed), "--out", str(tmp_path), "--masked", "--entity-id", "99", env=env)
    for suffix in ("xml", "pdf"):
        path = tmp_path / f"str-case-{confirmed}.{suffix}"
        assert f"wrote {path}\nsha256 {hashlib.sha256(path.read_bytes()).hexdigest()}" in proc.stdout
    assert ET.fromstring((tmp_path / f"str-case-{confirmed}.xml").read_bytes()).findtext("rentity_id") == "99"
    bad = run_cli("report", "str", "999999", "--out", str(tmp_path), env=env, check=False)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "999999" in bad.stderr
    assert not Path(tmp_path / "str-case-999999.xml").exists()
