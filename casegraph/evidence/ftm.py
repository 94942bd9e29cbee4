"""entities.ftm.jsonl: the package as FollowTheMoney entities (the `followthemoney`
library), one JSON object a line, for Aleph, OpenAleph and other FtM tools.

Mapping (who holds an exchange account is a person or a company we cannot tell, so a
LegalEntity):
- Account  -> LegalEntity (the holder: country, document numbers as idNumber) and a
  UserAccount (the exchange account: owner, username = account id, emails, phones,
  IPs, devices in the description)
- Document -> Identification (holder, number, type)
- Wallet   -> CryptoWallet (publicKey = address, blockchain) and a LegalEntity for its
  unknown holder, so movements to and from it can be Payments
- TRANSFERRED, WITHDREW, DEPOSITED, SENT -> Payment (payer, beneficiary, amount,
  currency, amountUsd, date, transactionNumber)
- LISTED_ON -> Sanction (entity, program = the watchlist, authority, reason, startDate);
  a listed identifier (device, IP, phone, e-mail, document) is no FtM Thing: a Note on the
  exchange accounts in the package that used or have it
- ScamReport, Group -> Note on the entities involved
Masked emails and phones are no valid email or phone values, so they go into
`keywords` (FtM would drop them from `email` / `phone`)."""
from __future__ import annotations

import json
from typing import Any

from followthemoney import model as ftm_model

from casegraph import graph
from casegraph.model import model
from casegraph.times import iso

PREFIX = "casegraph"
MONEY = graph.MONEY
IDENTIFIER_RELS = frozenset(model().identifiers.values())


def _eid(kind: str, key: Any) -> str:
    return f"{PREFIX}-{kind}-{key}"


def _when(ms: Any) -> str | None:
    return iso(int(ms)) if ms is not None and ms != "" else None


class _Entities:
    def __init__(self) -> None:
        self.by_id: dict[str, Any] = {}

    def get(self, schema: str, eid: str):
        if eid not in self.by_id:
            proxy = ftm_model.make_entity(schema)
            proxy.id = eid
            self.by_id[eid] = proxy
        return self.by_id[eid]

    def add(self, eid: str, prop: str, value: Any) -> None:
        if value is not None and value != "":
            self.by_id[eid].add(prop, value)


def entities(elements: list[dict[str, Any]], masked: bool = False) -> list[dict[str, Any]]:
    """The elements as FtM entity dicts, sorted by id."""
    out = _Entities()
    nodes = {e["data"]["id"]: e["data"] for e in elements if graph.is_node(e)}
    holder: dict[str, str] = {}     # node id -> LegalEntity id of the party behind it
    for nid, d in sorted(nodes.items()):
        kind, key, p = d["kind"], d["key"], d.get("props") or {}
        if kind == "Account":
            le, ua = _eid("holder", key), _eid("account", key)
            out.get("LegalEntity", le)
            out.add(le, "name", f"Holder of exchange account {key}")
            out.add(le, "country", p.get("country"))
            out.get("UserAccount", ua)
            out.add(ua, "name", f"Exchange account {key}")
            out.add(ua, "username", key)
            out.add(ua, "service", "crypto exchange account")
            out.add(ua, "owner", le)
            out.add(ua, "createdAt", _when(p.get("registered_at")))
            status = ", ".join(f"{k} {p[k]}" for k in ("status", "kyc_level", "referral_code") if p.get(k) not in (None, ""))
            out.add(ua, "description", status)
            holder[nid] = le
        elif kind == "Wallet":
            cw, le = _eid("wallet", key), _eid("wallet-holder", key)
            out.get("CryptoWallet", cw)
            out.add(cw, "name", f"Wallet {key}")
            out.add(cw, "publicKey", key)
            out.add(cw, "blockchain", p.get("chain"))
            out.add(cw, "description", p.get("label"))
            out.add(cw, "holder", le)
            out.get("LegalEntity", le)
            out.add(le, "name", f"Holder of wallet {p.get('label') or key}")
            holder[nid] = le
        elif kind == "Document":
            doc = _eid("document", key)
            out.get("Identification", doc)
            out.add(doc, "number", key)
            out.add(doc, "type", p.get("doc_type"))
    devices: dict[str, list[str]] = {}
    users: dict[str, set[str]] = {}     # identifier node id -> the accounts in the package using it
    for e in elements:
        d = e["data"]
        if not graph.is_node(e) and d["kind"] in IDENTIFIER_RELS and d["source"] in nodes:
            users.setdefault(d["target"], set()).add(nodes[d["source"]]["key"])
    for e in sorted((e for e in elements if not graph.is_node(e)), key=lambda e: e["data"]["id"]):
        d = e["data"]
        rel, src, dst, p = d["kind"], nodes.get(d["source"]), nodes.get(d["target"]), d.get("props") or {}
        if src is None or dst is None:
            continue
        if rel in ("HAS_EMAIL", "HAS_PHONE", "USED_IP"):
            prop = {"HAS_EMAIL": "email", "HAS_PHONE": "phone", "USED_IP": "ipAddress"}[rel]
            out.add(_eid("account", src["key"]), "keywords" if masked and prop != "ipAddress" else prop, dst["key"])
        elif rel == "USED_DEVICE":
            devices.setdefault(_eid("account", src["key"]), []).append(dst["key"])
        elif rel == "HAS_DOCUMENT":
            out.add(_eid("holder", src["key"]), "idNumber", dst["key"])
            out.add(_eid("document", dst["key"]), "holder", _eid("holder", src["key"]))
        elif rel in MONEY:
            pay = _eid("payment", d["id"])
            out.get("Payment", pay)
            out.add(pay, "payer", holder.get(d["source"]))
            out.add(pay, "beneficiary", holder.get(d["target"]))
            out.add(pay, "amount", p.get("amount"))
            out.add(pay, "currency", p.get("asset"))
            out.add(pay, "amountUsd", p.get("amount_usd"))
            out.add(pay, "date", _when(p.get("at")))
            out.add(pay, "transactionNumber", p.get("tx_id") or p.get("tx_hash"))
            out.add(pay, "description", f"{rel} {d['source']} -> {d['target']} at {_when(p.get('at'))}"
                    + (f", tx hash {p['tx_hash']}" if p.get("tx_hash") else ""))
        elif rel == "LISTED_ON" and src["kind"] not in ("Account", "Wallet"):
            # an identifier is no FtM Thing (a Sanction needs one): a Note on the exchange
            # accounts in the package that used or have it
            note = _eid("listing", f"{src['kind'].lower()}-{src['key']}-{dst['key']}")
            out.get("Note", note)
            out.add(note, "name", f"{src['kind']} {src['key']} on watchlist {dst['key']}")
            out.add(note, "description", f"{src['kind']} {src['key']} is listed on watchlist {dst['key']}"
                    + (f" by {p['list_source']}" if p.get("list_source") else "")
                    + (f" since {_when(p.get('listed_at'))}" if p.get("listed_at") is not None else "")
                    + (f": {p['reason']}" if p.get("reason") else ""))
            for account in sorted(users.get(d["source"], ())):
                out.add(note, "entity", _eid("account", account))
        elif rel == "LISTED_ON":
            listing = _eid("listing", f"{src['key']}-{dst['key']}")
            out.get("Sanction", listing)
            out.add(listing, "entity", _eid("holder" if src["kind"] == "Account" else "wallet", src["key"]))
            out.add(listing, "program", dst["key"])
            out.add(listing, "authority", p.get("list_source"))
            out.add(listing, "reason", p.get("reason"))
            out.add(listing, "startDate", _when(p.get("listed_at")))
        elif rel in ("FILED", "AGAINST", "IN_GROUP"):
            note_node = dst if rel in ("FILED", "IN_GROUP") else src
            party = src if rel in ("FILED", "IN_GROUP") else dst
            note = _eid("scam-report" if note_node["kind"] == "ScamReport" else "group", note_node["key"])
            out.get("Note", note)
            out.add(note, "name", f"{note_node['kind']} {note_node['key']}")
            out.add(note, "entity", _eid("holder" if party["kind"] == "Account" else "wallet", party["key"]))
            out.add(note, "description", _note_text(note_node, rel, party))
    for ua, ids in devices.items():
        out.add(ua, "notes", "devices used: " + ", ".join(sorted(ids)))
    return [out.by_id[k].to_dict() for k in sorted(out.by_id)]


def _note_text(node: dict[str, Any], rel: str, party: dict[str, Any]) -> str:
    p = node.get("props") or {}
    if node["kind"] == "ScamReport":
        what = {"FILED": "filed by", "AGAINST": "against"}[rel]
        return (f"scam report {node['key']} {what} {party['kind']} {party['key']}; reported "
                f"{_when(p.get('reported_at'))}, {p.get('amount')} {p.get('asset') or ''}, status {p.get('status')}")
    return (f"flagged group {node['key']} (model {p.get('model')}, score {p.get('score')}, flagged "
            f"{_when(p.get('flagged_at'))}) includes account {party['key']}")


def ftm_jsonl(elements: list[dict[str, Any]], masked: bool = False) -> bytes:
    """entities.ftm.jsonl: one entity a line, sorted by id, keys sorted."""
    return "".join(json.dumps(e, sort_keys=True, ensure_ascii=False) + "\n"
                   for e in entities(elements, masked)).encode("utf-8")
