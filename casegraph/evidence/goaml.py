"""Suspicious-transaction report drafts in the goAML XML structure (issue 17): from a
confirmed case, `<report>` XML that a financial intelligence unit's goAML portal takes,
and a readable PDF of the same content; masked like evidence packages; audited.

What the structure is based on (no copy of the UNODC XSD is in this repository):
- UNODC goAML report schema as FIUs publish it in their goAML XML reporting guides
  (`report` -> rentity_id, rentity_branch?, submission_code, report_code, entity_reference?,
  fiu_ref_number?, submission_date, currency_code_local, reporting_person, location?,
  reason, action?, transaction*, report_indicators; a transaction's sequence and the
  t_from_my_client / t_from, t_to_my_client / t_to choice; t_account, t_person and its
  phones / identification sub-types, each element in schema order).
- The header fields a goAML-oriented vendor API validates as obligatory (rentity_id,
  submission_code E|M, currency_code_local, submission_date, report_code STR|SAR|...,
  report_indicators): docs.didit.me, management-api/regulatory-reports.

This is a draft: the analyst reviews it in the FIU's portal and fills in what casegraph
does not hold (names, contact types, the reporting person, the local currency amounts
of movements without a USD value); those elements are written empty and listed in
`TO_FILL` and the PDF. The code lists below are casegraph's own values: every FIU
publishes its own lookup values, and a deployment maps these onto them (docs/le-desk.md).
"""
from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from typing import Any

from casegraph import audit, cases, graph, permissions
from casegraph.errors import CaseError, EvidenceError
from casegraph.evidence import mask, report, tables
from casegraph.model import model
from casegraph.state import now_ms

# ---- code lists (the values a local FIU maps onto its own lookup tables) --------------------
SUBMISSION_CODES = {"E": "electronic submission", "M": "manual submission"}
REPORT_CODES = {"STR": "suspicious transaction report", "SAR": "suspicious activity report"}
TRANSMODE_CODES = {  # per money-movement relationship type (model.yaml)
    "TRANSFERRED": "VA_INTERNAL",    # between two accounts of the reporting exchange
    "WITHDREW": "VA_WITHDRAWAL",     # from an exchange account to an external wallet
    "DEPOSITED": "VA_DEPOSIT",       # from an external wallet to an exchange account
    "SENT": "VA_ONCHAIN",            # between two external wallets, seen on chain
}
FUNDS_CODES = {"Account": "VA_EXCHANGE_ACCOUNT", "Wallet": "VA_WALLET"}
INDICATOR_CODES = {
    "CG_CONFIRMED": "confirmed as suspicious by a casegraph case decision",
    "CG_VIRTUAL_ASSETS": "virtual assets moved to or from wallets outside the exchange",
    "CG_DETECTION": "first raised by an automatic detection (the case's source is an alert)",
}
CURRENCY_CODE_LOCAL = "USD"   # amount_local is the movement's USD value, as the graph holds it

# ---- element order (goAML schema sequences; tests check the XML against these) -------------
REPORT_ORDER = ("rentity_id", "rentity_branch", "submission_code", "report_code", "entity_reference",
                "fiu_ref_number", "submission_date", "currency_code_local", "reporting_person", "location",
                "reason", "action", "transaction", "report_indicators")
TRANSACTION_ORDER = ("transactionnumber", "internal_ref_number", "transaction_location", "transaction_description",
                     "date_transaction", "late_deposit", "date_posting", "value_date", "transmode_code",
                     "transmode_comment", "amount_local", "involved_parties", "t_from_my_client", "t_from",
                     "t_to_my_client", "t_to", "goods_services", "comments")
FROM_ORDER = ("from_funds_code", "from_funds_comment", "from_foreign_currency", "t_conductor", "from_account",
              "from_person", "from_entity", "from_country")
TO_ORDER = ("to_funds_code", "to_funds_comment", "to_foreign_currency", "to_account", "to_person", "to_entity",
            "to_country")
ACCOUNT_ORDER = ("institution_name", "institution_code", "swift", "non_bank_institution", "branch", "account",
                 "currency_code", "account_name", "iban", "client_number", "personal_account_type", "t_entity",
                 "signatory", "opened", "closed", "balance", "date_balance", "status_code", "beneficiary",
                 "beneficiary_comment", "comments")
PERSON_ORDER = ("gender", "title", "first_name", "middle_name", "prefix", "last_name", "birthdate", "birth_place",
                "mothers_name", "alias", "ssn", "passport_number", "passport_country", "id_number", "nationality1",
                "nationality2", "nationality3", "residence", "phones", "addresses", "email", "occupation",
                "employer_name", "employer_address_id", "employer_phone_id", "identification", "deceased",
                "date_deceased", "tax_number", "tax_reg_number", "source_of_wealth", "comments")
TO_FILL = ("rentity_id (when not given)", "reporting_person: first_name, last_name",
           "account holders (signatory/t_person): first_name, last_name",
           "phones: tph_contact_type, tph_communication_type", "identification: type",
           "external wallets: institution_name, from_country / to_country",
           "amount_local of movements without a USD value")
IDENTIFIERS = {"HAS_PHONE": "phones", "HAS_EMAIL": "email", "HAS_DOCUMENT": "identification"}


def str_draft(state, store, actor: dict[str, Any], case_id: int, *, masked: bool = False,
              entity_id: str | None = None, entity_branch: str | None = None, institution: str | None = None,
              report_code: str = "STR", submission_code: str = "E", settings=None,
              now: int | None = None) -> tuple[bytes, bytes]:
    """(XML, PDF) of a goAML report draft from confirmed case `case_id`. Needs export_evidence;
    recorded in the audit log as report.str_draft with the XML's SHA-256."""
    permissions.require(actor, "export_evidence")
    if report_code not in REPORT_CODES:
        raise EvidenceError(f"unknown report code {report_code!r}; codes: {', '.join(REPORT_CODES)}")
    if submission_code not in SUBMISSION_CODES:
        raise EvidenceError(f"unknown submission code {submission_code!r}; codes: {', '.join(SUBMISSION_CODES)}")
    case = cases.get_case(state, int(case_id))
    if case.get("decision") != "confirmed":
        raise CaseError(f"case {case['id']} is {case['status']} (decision: {case.get('decision') or 'none'}): "
                        "a suspicious-transaction report is drafted only from a confirmed case")
    elements = case["elements"]
    if masked:
        m = mask.Masker(mask.mask_key(settings or store.settings), elements)
        elements = mask.mask_elements(m, elements)
        case = m.value({k: v for k, v in case.items() if k != "elements"})
    draft = _Draft(case, elements, institution or "")
    at = now if now is not None else now_ms()
    xml = draft.xml(entity_id or "", entity_branch, submission_code, report_code, at, actor["name"])
    pdf = draft.pdf(entity_id, report_code, at, masked)
    audit.record(state, actor["name"], "report.str_draft", {
        "case_id": case["id"], "masked": bool(masked), "transactions": len(draft.moves),
        "sha256": hashlib.sha256(xml).hexdigest()})
    return xml, pdf


def _time(ms: Any) -> str:
    """goAML dateTime: ISO 8601 to the second, UTC (the schema's type carries no zone)."""
    return datetime.fromtimestamp(int(ms) / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") if ms is not None else ""


def _add(parent: ET.Element, name: str, text: Any = None) -> ET.Element:
    el = ET.SubElement(parent, name)
    if text is not None:
        el.text = str(text)
    return el


def _fields(parent: ET.Element, pairs: list[tuple[str, Any]]) -> None:
    for name, text in pairs:
        _add(parent, name, text)


class _Draft:
    """The case's money movements and parties, read once, written as XML and as PDF."""

    def __init__(self, case: dict[str, Any], elements: list[dict[str, Any]], institution: str):
        self.case, self.institution = case, institution
        self.nodes = {e["data"]["id"]: e["data"] for e in elements if graph.is_node(e)}
        self.moves = tables.transfers(elements)
        self.ids: dict[str, dict[str, list[str]]] = {}      # account node id -> identifier kind -> keys
        for e in elements:
            d = e["data"]
            if not graph.is_node(e) and d.get("kind") in IDENTIFIERS and d["target"] in self.nodes:
                self.ids.setdefault(d["source"], {}).setdefault(IDENTIFIERS[d["kind"]], []).append(
                    self.nodes[d["target"]]["key"])

    def _key(self, node_id: str) -> str:
        return graph.split_node_id(node_id)[1]

    def _props(self, node_id: str) -> dict[str, Any]:
        return (self.nodes.get(node_id) or {}).get("props") or {}

    def reason(self) -> str:
        c = self.case
        return (f"Draft from casegraph case {c['id']} ({c.get('title') or 'untitled'}), confirmed by "
                f"{c.get('decided_by')}: {c.get('decision_reason') or ''}. {len(self.moves)} money movement(s) "
                "among the case's accounts and wallets. Account holders are referenced by their exchange "
                "account id; casegraph holds no names, so the name fields are empty for the analyst to fill "
                "from KYC records.")

    def action(self) -> str | None:
        done = [f"{a['action']} on {a['target']} (requested by {a['requested_by']})" for a in self.case["actions"]]
        return "; ".join(done) or None

    def indicators(self) -> list[str]:
        out = ["CG_CONFIRMED"]
        if any(graph.split_node_id(n)[0] == "Wallet" for m in self.moves for n in (m["from"], m["to"])):
            out.append("CG_VIRTUAL_ASSETS")
        if str(self.case.get("source") or "").startswith("alert:"):
            out.append("CG_DETECTION")
        return out

    # ---- XML ----------------------------------------------------------------------------

    def xml(self, entity_id: str, branch: str | None, submission_code: str, report_code: str, at: int,
            actor_name: str) -> bytes:
        root = ET.Element("report")
        _add(root, "rentity_id", entity_id)
        if branch:
            _add(root, "rentity_branch", branch)
        _fields(root, [("submission_code", submission_code), ("report_code", report_code),
                       ("entity_reference", f"casegraph-case-{self.case['id']}"), ("submission_date", _time(at)),
                       ("currency_code_local", CURRENCY_CODE_LOCAL)])
        _fields(_add(root, "reporting_person"), [("first_name", None), ("last_name", None),
                                                 ("comments", f"drafted by casegraph user {actor_name}")])
        _add(root, "reason", self.reason())
        if self.action():
            _add(root, "action", self.action())
        for move in self.moves:
            self._transaction(_add(root, "transaction"), move)
        indicators = _add(root, "report_indicators")
        for code in self.indicators():
            _add(indicators, "indicator", code)
        ET.indent(root)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"

    def _transaction(self, t: ET.Element, m: dict[str, Any]) -> None:
        what = model().money[m["kind"]]
        _fields(t, [("transactionnumber", m["tx_id"] or m["tx_hash"]), ("internal_ref_number", m["tx_id"] or None),
                    ("transaction_description", f"{what} of {m['amount']} {m['asset']}"),
                    ("date_transaction", _time(m["at_ms"])), ("transmode_code", TRANSMODE_CODES[m["kind"]]),
                    ("amount_local", f"{float(m['amount_usd']):.2f}" if m["amount_usd"] is not None else None)])
        self._side(t, "from", m["from"])
        self._side(t, "to", m["to"])
        notes = [f"{m['amount']} {m['asset']}"] + ([f"on-chain hash {m['tx_hash']}"] if m["tx_hash"] else []) + \
            ([f"USD value at the rate of {m['usd_rate_day']}"] if m["usd_rate_day"] else [])
        _add(t, "comments", "; ".join(notes))

    def _side(self, t: ET.Element, side: str, node_id: str) -> None:
        kind = graph.split_node_id(node_id)[0]
        mine = kind == "Account"
        el = _add(t, f"t_{side}_my_client" if mine else f"t_{side}")
        _add(el, f"{side}_funds_code", FUNDS_CODES.get(kind, ""))
        self._account(_add(el, f"{side}_account"), node_id, mine)
        _add(el, f"{side}_country", self._props(node_id).get("country") if mine else None)

    def _account(self, a: ET.Element, node_id: str, mine: bool) -> None:
        p, key = self._props(node_id), self._key(node_id)
        if not mine:
            _fields(a, [("institution_name", None), ("non_bank_institution", "true"), ("account", key),
                        ("comments", f"external wallet on {p.get('chain') or 'an unknown chain'}"
                                     + (f", labelled {p['label']}" if p.get("label") else ""))])
            return
        _fields(a, [("institution_name", self.institution or None), ("non_bank_institution", "true"),
                    ("account", key), ("client_number", key)])
        signatory = _add(a, "signatory")
        _add(signatory, "is_primary", "true")
        self._person(_add(signatory, "t_person"), node_id)
        _fields(a, [("opened", _time(p.get("registered_at")) or None),
                    ("comments", f"exchange account {key}; status {p.get('status') or 'unknown'}; "
                                 f"KYC level {p.get('kyc_level') if p.get('kyc_level') is not None else 'unknown'}")])

    def _person(self, person: ET.Element, node_id: str) -> None:
        ids, p = self.ids.get(node_id, {}), self._props(node_id)
        _fields(person, [("first_name", None), ("last_name", None), ("residence", p.get("country"))])
        if ids.get("phones"):
            phones = _add(person, "phones")
            for number in sorted(ids["phones"]):
                _fields(_add(phones, "phone"), [("tph_contact_type", None), ("tph_communication_type", None),
                                                ("tph_number", number)])
        for address in sorted(ids.get("email", []))[:1]:      # t_person holds one email
            _add(person, "email", address)
        for number in sorted(ids.get("identification", [])):
            _fields(_add(person, "identification"), [("type", None), ("number", number)])
        _add(person, "comments", f"holder of exchange account {self._key(node_id)}; names to be filled in "
                                 "from KYC records")

    # ---- PDF ----------------------------------------------------------------------------

    def pdf(self, entity_id: str | None, report_code: str, at: int, masked: bool) -> bytes:
        c = self.case
        header = [["Case", f"{c['id']}: {c.get('title') or ''}"], ["Decision", f"confirmed by {c.get('decided_by')}: "
                                                                              f"{c.get('decision_reason') or ''}"],
                  ["Report code", f"{report_code} ({REPORT_CODES[report_code]})"],
                  ["Reporting entity id", entity_id or "(to fill in)"], ["Drafted at (UTC)", _time(at)],
                  ["Transactions", str(len(self.moves))],
                  ["Personal data masked", "yes (" + ", ".join(mask.MASKED) + ")" if masked else "no"],
                  ["Indicators", ", ".join(self.indicators())], ["Action taken", self.action() or "none recorded"]]
        moves = [[m["tx_id"] or m["tx_hash"], _time(m["at_ms"]), TRANSMODE_CODES[m["kind"]], m["from"], m["to"],
                  m["amount"], m["asset"], "" if m["amount_usd"] is None else f"{float(m['amount_usd']):.2f}"]
                 for m in self.moves]
        holders = sorted({n for m in self.moves for n in (m["from"], m["to"]) if graph.split_node_id(n)[0] == "Account"})
        people = [[self._key(n), self._props(n).get("country") or "", self._props(n).get("kyc_level", ""),
                   _time(self._props(n).get("registered_at")),
                   ", ".join(sorted(v for vs in self.ids.get(n, {}).values() for v in vs))] for n in holders]
        parts: list[tuple] = [
            ("title", f"Suspicious-transaction report draft (goAML): case {c['id']}"),
            ("table", ["", ""], header), ("heading", "Reason"), ("text", self.reason()),
            ("heading", f"Transactions ({len(self.moves)})"),
            ("table", ["number", "date (UTC)", "mode", "from", "to", "amount", "asset", "USD"], moves) if moves
            else ("text", "none"),
            ("heading", "Account holders (KYC fields in the graph)"),
            ("table", ["account", "country", "KYC level", "registered", "phones, e-mails, documents"], people)
            if people else ("text", "none"),
            ("heading", "For the analyst to fill in before submission"),
            *[("text", "- " + f) for f in TO_FILL]]
        return report.pdf(f"STR draft: case {c['id']}", parts)
