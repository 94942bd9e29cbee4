"""What the law-enforcement request pages show and take in: queue rows with their deadline
flags, a request's header, its subjects as the graph has them (with explorer links), its
packages, and the register form's fields turned into casegraph.requests.add's arguments.
Pure functions, unit-tested without a browser; notes and history rows are the case page's
(_cases.note_rows, history_rows: the same shapes)."""
from __future__ import annotations

import re
from typing import Any

from casegraph import requests as desk
from casegraph.app.pages._cases import case_href
from casegraph.app.pages._tables import explorer_href
from casegraph.errors import RequestError
from casegraph.times import iso, option_ms

QUEUE_COLUMNS = ["open", "deadline", "flag", "priority", "status", "agency", "country", "reference", "subjects",
                 "assignee", "received"]
SUBJECT_COLUMNS = ["subject", "kind", "in_graph", "open"]
PACKAGE_COLUMNS = ["id", "file", "sha256", "recorded_by", "recorded_at"]
STATUS_OPTIONS = ["open", "all", *desk.STATUSES]     # "open": not yet answered
_SPLIT = re.compile(r"[\s,;]+")


def request_href(request_id: int) -> str:
    return f"/requests?id={int(request_id)}"


def flag(row: dict[str, Any]) -> str:
    return "OVERDUE" if row["overdue"] else ("due soon" if row["due_soon"] else "")


def queue_rows(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """desk.queue's rows (soonest deadline first) as the queue grid shows them: "#N" linking
    to the request (its href in open_href)."""
    return [{"open": f"#{r['id']}", "open_href": request_href(r["id"]), "deadline": iso(r["deadline_at"]), "flag": flag(r),
             "priority": r["priority"], "status": r["status"], "agency": r["agency"], "country": r["country"],
             "reference": r["reference"], "subjects": r["subjects"], "assignee": r["assignee"] or "",
             "received": iso(r["received_at"])} for r in found]


def open_only(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The requests not yet answered (responded, declined or closed)."""
    return [r for r in found if r["status"] not in desk.ANSWERED]


def header_items(req: dict[str, Any]) -> list[tuple[str, str]]:
    deadline = iso(req["deadline_at"]) + (f" ({flag(req)})" if flag(req) else "")
    items = [("status", req["status"]), ("priority", req["priority"]), ("agency", req["agency"]),
             ("country", req["country"]), ("reference", req["reference"]), ("legal basis", req["legal_basis"]),
             ("received", iso(req["received_at"])), ("deadline", deadline),
             ("assignee", req["assignee"] or "-"), ("recorded by", req["created_by"]), ("ask", req["ask"] or "-")]
    if req.get("responded_at"):
        items.append(("responded", iso(req["responded_at"])))
    if req.get("decline_reason"):
        items.append(("declined because", req["decline_reason"]))
    return items


def subject_rows(resolved: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each subject as the graph has it: found ones with an explorer link ("open", its href in
    open_href; a transaction opens its parties), the others marked, never dropped."""
    return [{"subject": s["subject"], "kind": s["label"],
             "in_graph": ("yes" if s["label"] != "transaction" else f"yes: {', '.join(s['node_ids'])}")
             if s["found"] else "not in the graph",
             "open": "open" if s["found"] else "",
             "open_href": explorer_href(s["node_ids"]) if s["found"] else ""} for s in resolved]


def node_ids(resolved: list[dict[str, Any]]) -> list[str]:
    """Every node the subjects stand for, in order, once each."""
    return list(dict.fromkeys(n for s in resolved for n in s["node_ids"]))


def package_rows(req: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": p["id"], "file": p["file"].replace("\\", "/").rsplit("/", 1)[-1], "sha256": p["sha256"],
             "recorded_by": p["recorded_by"], "recorded_at": iso(p["recorded_at"])} for p in req["packages"]]


def case_link(req: dict[str, Any]) -> tuple[str, str]:
    """(text, href) of the request's case, ("", "") when it has none."""
    if req.get("case_id") is None:
        return "", ""
    return f"case #{req['case_id']}", case_href(req["case_id"])


def subjects_of(text: str | None) -> list[str]:
    """The subjects typed into the form: node ids ("Account:A1", "Wallet:0x…") and transaction
    hashes ("tx:<hash>"), separated by new lines, commas, semicolons or spaces."""
    return [s for s in _SPLIT.split(text or "") if s]


FORM_FIELDS = ("agency", "country", "reference", "legal_basis", "received", "deadline", "priority", "subjects",
               "ask")     # the register form's fields, each a component {"type": ids.REQUESTS_FIELD, "name": field}


def new_request(fields: dict[str, Any], now: int) -> dict[str, Any]:
    """The register form's fields (FORM_FIELDS -> value) as desk.add's keyword arguments
    (received empty: now); RequestError or ConfigError naming the field that is wrong."""
    text = {name: fields.get(name) or "" for name in FORM_FIELDS}
    deadline_at = option_ms("deadline", text["deadline"])
    if deadline_at is None:
        raise RequestError("a request needs its response deadline (ISO 8601, e.g. 2026-12-31 or 2026-12-31T17:00)")
    received_at = option_ms("received", text["received"])
    return {"agency": text["agency"], "country": text["country"].strip().upper(), "reference": text["reference"],
            "legal_basis": text["legal_basis"], "received_at": now if received_at is None else received_at,
            "deadline_at": deadline_at, "priority": text["priority"] or "normal",
            "subjects": subjects_of(text["subjects"]), "ask": text["ask"]}
