"""FollowTheMoney entities: every line a valid entity, the mapping of accounts, wallets,
documents, movements and listings, and masked identifiers kept as keywords."""
from __future__ import annotations

import json

from followthemoney import model as ftm_model

from casegraph.evidence import ftm


def _node(kind, key, **props):
    return {"data": {"id": f"{kind}:{key}", "kind": kind, "key": key, "label": key, "props": props}}


def _edge(kind, s, t, eid=None, **props):
    return {"data": {"id": eid or f"{kind}:{s}->{t}", "source": s, "target": t, "kind": kind, "props": props}}


ELEMENTS = [
    _node("Account", "A1", account_id="A1", country="DE", registered_at=1704067200000, status="active"),
    _node("Email", "a@example.org", email="a@example.org"),
    _node("Phone", "+4915527105634", phone="+4915527105634"),
    _node("Document", "P123", doc_id="P123", doc_type="passport"),
    _node("IP", "10.1.2.3", ip="10.1.2.3"),
    _node("Wallet", "0xabc", address="0xabc", chain="ETH"),
    _node("Watchlist", "internal", name="internal"),
    _edge("HAS_EMAIL", "Account:A1", "Email:a@example.org"),
    _edge("HAS_PHONE", "Account:A1", "Phone:+4915527105634"),
    _edge("HAS_DOCUMENT", "Account:A1", "Document:P123"),
    _edge("USED_IP", "Account:A1", "IP:10.1.2.3"),
    _edge("WITHDREW", "Account:A1", "Wallet:0xabc", "WITHDREW:T1", tx_id="T1", amount=2.0, asset="ETH",
          at=1704067200000, tx_hash="0xh", amount_usd=4000.0),
    _edge("LISTED_ON", "Wallet:0xabc", "Watchlist:internal", list_source="fraud-team", reason="scam",
          listed_at=1704067200000),
]


def _by_schema(lines):
    out = {}
    for line in lines:
        p = ftm_model.get_proxy(json.loads(line))
        out.setdefault(p.schema.name, []).append(p)
    return out


def test_every_line_is_a_valid_entity_and_the_mapping_holds():
    lines = ftm.ftm_jsonl(ELEMENTS).decode().splitlines()
    found = _by_schema(lines)
    ua = found["UserAccount"][0]
    assert ua.get("username") == ["A1"] and ua.get("email") == ["a@example.org"]
    assert ua.get("phone") == ["+4915527105634"] and ua.get("ipAddress") == ["10.1.2.3"]
    holder = next(p for p in found["LegalEntity"] if p.id == ua.get("owner")[0])
    assert holder.get("country") == ["de"] and holder.get("idNumber") == ["P123"]
    assert found["Identification"][0].get("holder") == [holder.id]
    pay = found["Payment"][0]
    assert pay.get("payer") == [holder.id] and pay.get("transactionNumber") == ["T1"]
    assert pay.get("currency") == ["ETH"] and pay.get("date")[0].startswith("2024-01-01")
    wallet = found["CryptoWallet"][0]
    assert wallet.get("publicKey") == ["0xabc"] and pay.get("beneficiary") == wallet.get("holder")
    sanction = found["Sanction"][0]
    assert sanction.get("entity") == [wallet.id] and sanction.get("program") == ["internal"]
    assert [json.loads(x)["id"] for x in lines] == sorted(json.loads(x)["id"] for x in lines)


def test_masked_identifiers_are_keywords():
    masked = [_node("Account", "A1", account_id="A1"), _node("Email", "Email-1a2b", email="Email-1a2b"),
              _edge("HAS_EMAIL", "Account:A1", "Email:Email-1a2b")]
    ua = _by_schema(ftm.ftm_jsonl(masked, masked=True).decode().splitlines())["UserAccount"][0]
    assert ua.get("keywords") == ["Email-1a2b"] and ua.get("email") == []


def test_a_listed_identifier_is_a_note_on_the_accounts_that_used_it():
    """A device on a watchlist (issue 13.7) is no Sanction target (a wallet id was made up for
    it); it becomes a Note on the exchange accounts that used it."""
    elements = [_node("Account", "A1", account_id="A1"), _node("Device", "D1", device_id="D1"),
                _node("Watchlist", "blocklist", name="blocklist"),
                _edge("USED_DEVICE", "Account:A1", "Device:D1"),
                _edge("LISTED_ON", "Device:D1", "Watchlist:blocklist", list_source="fraud-team",
                      reason="emulator farm", listed_at=1704067200000)]
    found = _by_schema(ftm.ftm_jsonl(elements).decode().splitlines())
    assert "Sanction" not in found and "CryptoWallet" not in found
    (note,) = found["Note"]
    assert note.get("entity") == [found["UserAccount"][0].id]
    assert note.get("description") == ["Device D1 is listed on watchlist blocklist by fraud-team since "
                                       "2024-01-01T00:00:00Z: emulator farm"]
