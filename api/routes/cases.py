"""Cases: open one from an alert, a model group or a list of entities; list and read them;
move them along the workflow; notes and remediation actions, and the remediation CSV for
downstream systems (casegraph/cases.py: the same rules as the UI and the CLI)."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from pydantic import BaseModel, Field, field_validator, model_validator

from casegraph import cases, explore
from casegraph.errors import QueryError

from casegraph.api import errors as err
from casegraph.api import idempotency, paging
from casegraph.api.fields import ident, text
from casegraph.api.security import needs

PLAIN = r"^[^\x00]*$"       # PostgreSQL text holds no NUL: refused here (422), not by the database (500)
router = APIRouter(tags=["cases"], responses=err.COMMON)
ID_MAX = 2**31 - 1
CaseId = Path(ge=1, le=ID_MAX)
Status = Literal[cases.STATUSES]
Reason = Field(min_length=1, pattern=PLAIN, max_length=2000)
CSV = {200: {"content": {"text/csv": {}}, "description": "One row per remediation action: "
             + ", ".join(cases.ACTIONS_CSV_COLUMNS)}}


class NewCase(BaseModel):
    """Exactly one of: `alert_id` (the alert's entities and what links them; the alert goes into
    the case), `group_id` (a model-team group, its members and their links), or `entities`
    (explorer node ids such as `Account:A100000001`, `Wallet:0xabc`, with the relationships
    among them, all read from the graph now; `title` names the case)."""
    alert_id: int | None = Field(default=None, ge=1, le=ID_MAX)
    group_id: str | None = Field(default=None, min_length=1, pattern=PLAIN, max_length=128)
    entities: list[Annotated[str, Field(min_length=1, max_length=512, pattern=PLAIN)]] | None = Field(
        default=None, min_length=1, max_length=explore.SELECTION_MAX)
    title: str | None = Field(default=None, min_length=1, pattern=PLAIN, max_length=500)

    @field_validator("entities")
    @classmethod
    def _node_ids(cls, ids):
        for nid in ids or ():
            try:
                explore.parse_node_id(nid)
            except QueryError as e:
                raise ValueError(str(e)) from None
        return ids

    @model_validator(mode="after")
    def _one_source(self):
        given = [k for k in ("alert_id", "group_id", "entities") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of alert_id, group_id and entities")
        if self.title is not None and self.entities is None:
            raise ValueError("title goes with entities (a case from an alert or a group is titled after it)")
        return self


class Summary(BaseModel):
    """A case as the list shows it."""
    id: int
    title: str
    status: Status
    assignee: str | None
    source: str = Field(description="alert:<id>, group:<id>, explorer, selection, ...")
    detection: str | None
    domain: str | None
    created_by: str
    created_at: int = Field(description="epoch ms")
    updated_at: int = Field(description="epoch ms")
    decision: Literal[cases.DECISIONS] | None
    decision_reason: str | None
    decided_by: str | None
    decided_at: int | None


class Listed(Summary):
    elements: int = Field(description="how many graph elements the case holds")
    alerts: int = Field(description="how many alerts are in the case")


class Cases(paging.Page):
    cases: list[Listed] = Field(description="newest first")


class Note(BaseModel):
    author: str
    at: int
    text: str


class Move(BaseModel):
    actor: str
    at: int
    from_status: Status | None
    to_status: Status
    reason: str


class Action(BaseModel):
    id: int
    action: str
    target: str
    note: str
    requested_by: str
    requested_at: int


class Review(BaseModel):
    reviewer: str
    at: int
    verdict: str
    decision: str
    decided_by: str
    agrees: bool
    reason: str


class Removed(BaseModel):
    element_id: str
    removed_by: str
    removed_at: int


class Case(Summary):
    """Everything about a case (docs/cases.md)."""
    alert_ids: list[int]
    elements: list[dict[str, Any]] = Field(description="the graph snapshot, as cytoscape elements")
    provenance: dict[str, dict[str, Any]] = Field(description="per element id: the query and parameters "
                                                              "that brought it in, who added it and when")
    removed: list[Removed]
    notes: list[Note]
    history: list[Move]
    actions: list[Action]
    reviews: list[Review]


class StatusChange(BaseModel):
    status: Status = Field(description="confirmed and false_positive are decisions: they need decide_case")
    reason: str = Reason


class NewNote(BaseModel):
    text: str = Field(min_length=1, pattern=PLAIN, max_length=10_000)


class NewAction(BaseModel):
    action: Literal[cases.REMEDIATION]
    target: str = Field(min_length=1, pattern=PLAIN, max_length=512,
                        description="a node of the case, e.g. Account:A100000001")
    note: str = Field(default="", pattern=PLAIN, max_length=2000)


def _case(state, case_id: int) -> dict[str, Any]:
    return Case.model_validate(cases.get_case(state, case_id)).model_dump(mode="json")


@router.post("/cases", response_model=Case, status_code=201, responses={**err.NOT_FOUND, **err.CONFLICT})
def create_case(body: NewCase, request: Request, actor: dict = Depends(needs("change_case")),
                idempotency_key: str | None = Header(default=None, alias=idempotency.HEADER, max_length=255)):
    """Open a case from an alert, a model group or entities. With an `Idempotency-Key`, a retry
    returns the case the first request opened and opens no other. An alert already in a case
    is a conflict (409); an unknown alert or group is 404."""
    ctx = request.app.state.ctx

    def make():
        if body.alert_id is not None:
            case_id = cases.case_from_alert(ctx.state(), ctx.store(), actor, body.alert_id)
        elif body.group_id is not None:
            case_id = cases.case_from_group(ctx.state(), ctx.store(), actor, body.group_id)
        else:
            case_id = cases.add_selection(ctx.state(), ctx.store(), actor, None, body.entities, body.title)["case_id"]
        return 201, _case(ctx.state(), case_id)
    return idempotency.once(ctx.state(), actor["token"], idempotency_key,
                            lambda: idempotency.fingerprint("POST", request.url.path, body.model_dump()), make)


@router.get("/cases", response_model=Cases)
def list_cases(request: Request, actor: dict = Depends(needs("view_cases")),
               status: Status | None = Query(default=None, description="default: every status"),
               assignee: str | None = Query(default=None, min_length=1, pattern=PLAIN, max_length=128),
               offset: int = paging.Offset, limit: int = paging.Limit):
    """Case summaries, newest first, a page at a time (`total` counts every match)."""
    state = request.app.state.ctx.state()
    return {"cases": cases.list_cases(state, status, assignee, limit=limit, offset=offset),
            "total": cases.count_cases(state, status, assignee), "offset": offset, "limit": limit}


def _csv(text: str, name: str) -> Response:
    return Response(text, media_type="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


# before /cases/{case_id}: that path would take "remediation.csv" as a case id
@router.get("/cases/remediation.csv", response_class=Response, responses={**CSV, **err.NOT_FOUND})
def remediation_csv(request: Request, actor: dict = Depends(needs("view_cases")),
                    case_id: list[Annotated[int, Field(ge=1, le=ID_MAX)]] = Query(
                        default=[], max_length=1000,
                        description="these cases only (repeat the parameter); default: every case")):
    """The remediation actions of every case (or of the cases named), oldest first, as CSV."""
    state = request.app.state.ctx.state()
    cases.check_cases(state, case_id)
    return _csv(cases.actions_csv(state, case_id or None), "remediation.csv")


@router.get("/cases/{case_id}", response_model=Case, responses=err.NOT_FOUND)
def get_case(request: Request, case_id: int = CaseId, actor: dict = Depends(needs("view_cases"))):
    """A case: its graph snapshot with provenance, notes, status history, decision, remediation
    actions and second reviews."""
    return _case(request.app.state.ctx.state(), case_id)


@router.get("/cases/{case_id}/remediation.csv", response_class=Response, responses={**CSV, **err.NOT_FOUND})
def case_remediation_csv(request: Request, case_id: int = CaseId, actor: dict = Depends(needs("view_cases"))):
    """The case's remediation actions, oldest first, as CSV."""
    state = request.app.state.ctx.state()
    cases.check_cases(state, [case_id])
    return _csv(cases.actions_csv(state, [case_id]), f"case-{case_id}-remediation.csv")


STR_FORMATS = {"xml": ("application/xml", "xml"), "pdf": ("application/pdf", "pdf")}


class StrDraft(BaseModel):
    """What a suspicious-transaction report draft (docs/le-desk.md) is drafted with."""
    format: Literal["xml", "pdf"] = Field(default="xml", description="the goAML XML, or the readable PDF")
    masked: bool = Field(default=False, description="replace e-mails, phones and document ids by pseudonyms")
    entity_id: str | None = ident(128, default=None, description="the reporting entity's FIU id (rentity_id)")
    institution: str | None = text(256, blank=False, default=None, description="the exchange's name")
    report_code: Literal["STR", "SAR"] = "STR"


@router.post("/cases/{case_id}/str-draft", response_class=Response, responses={
    200: {"content": {"application/xml": {}, "application/pdf": {}},
          "description": "The draft: goAML XML, or its readable PDF"}, **err.NOT_FOUND})
def str_draft(body: StrDraft, request: Request, case_id: int = CaseId,
              actor: dict = Depends(needs("export_evidence"))):
    """A suspicious-transaction report draft in the goAML XML structure (or its PDF) from a
    confirmed case (422 otherwise); recorded in the audit log as report.str_draft."""
    from casegraph.evidence import goaml
    ctx = request.app.state.ctx
    xml, pdf = goaml.str_draft(ctx.state(), ctx.store(), actor, case_id, masked=body.masked, entity_id=body.entity_id,
                               institution=body.institution, report_code=body.report_code)
    media, ext = STR_FORMATS[body.format]
    return Response(xml if body.format == "xml" else pdf, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="str-case-{case_id}.{ext}"'})


@router.post("/cases/{case_id}/status", response_model=Case, responses=err.NOT_FOUND)
def set_status(change: StatusChange, request: Request, case_id: int = CaseId,
               actor: dict = Depends(needs("change_case"))):
    """Move the case along the workflow (docs/cases.md) with a reason. Confirming or dismissing
    as a false positive is a decision and needs decide_case (403 otherwise); a move the
    workflow does not allow is refused (422), naming the allowed ones."""
    state = request.app.state.ctx.state()
    cases.set_status(state, actor, case_id, change.status, change.reason)
    return _case(state, case_id)


@router.post("/cases/{case_id}/notes", response_model=Case, status_code=201, responses=err.NOT_FOUND)
def add_note(note: NewNote, request: Request, case_id: int = CaseId, actor: dict = Depends(needs("change_case"))):
    """Append a note to the case."""
    state = request.app.state.ctx.state()
    cases.add_note(state, actor, case_id, note.text)
    return _case(state, case_id)


@router.post("/cases/{case_id}/actions", response_model=Action, status_code=201, responses=err.NOT_FOUND)
def record_action(new: NewAction, request: Request, case_id: int = CaseId,
                  actor: dict = Depends(needs("change_case"))):
    """Record a remediation action on a node of the case (422 when the target is not in it)."""
    state = request.app.state.ctx.state()
    action_id = cases.record_action(state, actor, case_id, new.action, new.target, new.note)
    return next(a for a in cases.get_case(state, case_id)["actions"] if a["id"] == action_id)
