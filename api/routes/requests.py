"""The law-enforcement request desk (casegraph/requests.py, docs/le-desk.md): record requests,
the queue by deadline, read one, its subjects as the graph has them, move it, assign it, notes,
the evidence packages sent in answer, and a case made from it."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from pydantic import BaseModel, Field, field_validator, model_validator

from casegraph import requests as desk
from casegraph.errors import RequestError

from casegraph.api import errors as err
from casegraph.api import idempotency, paging
from casegraph.api.fields import ident, text
from casegraph.api.routes.cases import Note
from casegraph.api.security import needs

router = APIRouter(tags=["requests"], responses=err.COMMON)
ID_MAX = 2**31 - 1
EPOCH_MS_MAX = 32503680000000            # year 3000
RequestId = Path(ge=1, le=ID_MAX)
Status = Literal[desk.STATUSES]
Priority = Literal[desk.PRIORITIES]
Subject = Annotated[str, ident(512)]
SUBJECTS_MAX = 500


class NewRequest(BaseModel):
    """An incoming request. Subjects: `Account:<id>`, `Wallet:<address>`, an identifier
    (`Phone:...`, `Email:...`, `Device:...`, `IP:...`, `Document:...`) or `tx:<hash>`."""
    agency: str = text(256, blank=False)
    country: str = text(64, blank=False)
    reference: str = text(256, blank=False, description="the agency's request reference")
    legal_basis: str = text(1000, blank=False)
    received_at: int = Field(ge=0, le=EPOCH_MS_MAX, description="epoch ms")
    deadline_at: int = Field(ge=0, le=EPOCH_MS_MAX, description="epoch ms; after received_at")
    priority: Priority = "normal"
    subjects: list[Subject] = Field(default=[], max_length=SUBJECTS_MAX)
    ask: str = text(10_000, min_length=0, default="", description="what the agency asks for")
    assignee: str | None = ident(128, default=None)

    @field_validator("subjects")
    @classmethod
    def _subjects(cls, subjects):
        for s in subjects:
            try:
                desk.parse_subject(s)
            except RequestError as e:
                raise ValueError(str(e)) from None
        return subjects

    @model_validator(mode="after")
    def _times(self):
        if self.deadline_at <= self.received_at:
            raise ValueError("deadline_at must be after received_at")
        return self


class Summary(BaseModel):
    """A request as the queue shows it."""
    id: int
    agency: str
    country: str
    reference: str
    legal_basis: str
    received_at: int = Field(description="epoch ms")
    deadline_at: int = Field(description="epoch ms")
    priority: Priority
    ask: str
    status: Status
    assignee: str | None
    decline_reason: str | None
    responded_at: int | None = Field(description="epoch ms")
    case_id: int | None = Field(description="the case made from the request")
    created_by: str
    created_at: int
    updated_at: int
    overdue: bool = Field(description="past the deadline and not responded, declined or closed")
    due_soon: bool = Field(description=f"not answered and due within {desk.DUE_SOON_MS // 3_600_000} h")


class Listed(Summary):
    subjects: int = Field(description="how many subjects the request names")


class Requests(paging.Page):
    requests: list[Listed] = Field(description="soonest deadline first")


class Move(BaseModel):
    actor: str
    at: int
    from_status: Status | None
    to_status: Status
    reason: str


class Package(BaseModel):
    id: int
    file: str
    sha256: str
    evidence_job_id: int | None
    recorded_by: str
    recorded_at: int


class LERequest(Summary):
    """Everything about a request."""
    subjects: list[str]
    notes: list[Note]
    history: list[Move]
    packages: list[Package]


class ResolvedSubject(BaseModel):
    subject: str
    label: str = Field(description="a model label, or `transaction`")
    key: str
    found: bool = Field(description="whether the graph has it (unknown subjects are listed, never dropped)")
    node_ids: list[str] = Field(description="the node, or a transaction's parties")


class StatusChange(BaseModel):
    status: Status
    reason: str = text(2000, min_length=0, default="", description="needed to decline")


class Assignee(BaseModel):
    assignee: str | None = Field(default=None, max_length=128, pattern=r"^[^\x00-\x1f\x7f-\x9f]*$",
                                 description="an enabled user's name; null or empty for nobody")


class NewNote(BaseModel):
    text: str = text(10_000, blank=False)


class NewPackage(BaseModel):
    """A package sent in answer: its `file` and `sha256`, or a finished `evidence_job_id`."""
    file: str | None = text(1000, blank=False, default=None)
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{64}$")
    evidence_job_id: int | None = Field(default=None, ge=1, le=ID_MAX)

    @model_validator(mode="after")
    def _one(self):
        if (self.evidence_job_id is None) == (self.file is None or self.sha256 is None):
            raise ValueError("give file and sha256, or evidence_job_id")
        return self


class NewCase(BaseModel):
    case_id: int


def _one(state, request_id: int) -> dict[str, Any]:
    return LERequest.model_validate(desk.get(state, request_id)).model_dump(mode="json")


@router.post("/requests", response_model=LERequest, status_code=201, responses=err.CONFLICT)
def add_request(body: NewRequest, request: Request, actor: dict = Depends(needs("manage_requests")),
                idempotency_key: str | None = Header(default=None, alias=idempotency.HEADER, max_length=255)):
    """Record an incoming request (status received). With an `Idempotency-Key`, a retry returns
    the request the first call recorded."""
    state = request.app.state.ctx.state()

    def make():
        return 201, _one(state, desk.add(state, actor, **body.model_dump()))
    return idempotency.once_for(request, actor, idempotency_key, body.model_dump(), make)


@router.get("/requests", response_model=Requests)
def list_requests(request: Request, actor: dict = Depends(needs("view_requests")),
                  status: Status | None = Query(default=None, description="default: every status"),
                  overdue: bool = Query(default=False, description="only the overdue ones"),
                  assignee: str | None = Query(default=None, min_length=1, max_length=128,
                                               pattern=r"^[^\x00-\x1f\x7f-\x9f]*$"),
                  offset: int = paging.Offset, limit: int = paging.Limit):
    """The queue: requests by deadline, soonest first, with overdue and due_soon flags."""
    rows = desk.queue(request.app.state.ctx.state(), status=status, overdue=overdue, assignee=assignee)
    return {"requests": rows[offset:offset + limit], "total": len(rows), "offset": offset, "limit": limit}


@router.get("/requests/{request_id}", response_model=LERequest, responses=err.NOT_FOUND)
def get_request(request: Request, request_id: int = RequestId, actor: dict = Depends(needs("view_requests"))):
    """A request with its subjects, notes, status history and packages."""
    return _one(request.app.state.ctx.state(), request_id)


@router.get("/requests/{request_id}/subjects", response_model=list[ResolvedSubject], responses=err.NOT_FOUND)
def request_subjects(request: Request, request_id: int = RequestId, actor: dict = Depends(needs("view_requests"))):
    """The request's subjects as the graph has them now; unknown ones with found false."""
    ctx = request.app.state.ctx
    return desk.resolve(ctx.store(), desk.get(ctx.state(), request_id)["subjects"])


@router.post("/requests/{request_id}/status", response_model=LERequest, responses=err.NOT_FOUND)
def set_status(change: StatusChange, request: Request, request_id: int = RequestId,
               actor: dict = Depends(needs("manage_requests"))):
    """Move the request: received -> in_progress -> responded | declined (with a reason) -> closed;
    a move the desk does not allow is refused (422), naming the allowed ones."""
    state = request.app.state.ctx.state()
    desk.set_status(state, actor, request_id, change.status, change.reason)
    return _one(state, request_id)


@router.post("/requests/{request_id}/assignee", response_model=LERequest, responses=err.NOT_FOUND)
def assign(body: Assignee, request: Request, request_id: int = RequestId,
           actor: dict = Depends(needs("manage_requests"))):
    """Give the request to a user, or to nobody."""
    state = request.app.state.ctx.state()
    desk.assign(state, actor, request_id, body.assignee)
    return _one(state, request_id)


@router.post("/requests/{request_id}/notes", response_model=LERequest, status_code=201, responses=err.NOT_FOUND)
def add_note(note: NewNote, request: Request, request_id: int = RequestId,
             actor: dict = Depends(needs("manage_requests"))):
    """Append a note."""
    state = request.app.state.ctx.state()
    desk.add_note(state, actor, request_id, note.text)
    return _one(state, request_id)


@router.post("/requests/{request_id}/packages", response_model=LERequest, status_code=201,
             responses={**err.NOT_FOUND, **err.CONFLICT})
def add_package(body: NewPackage, request: Request, request_id: int = RequestId,
                actor: dict = Depends(needs("manage_requests")),
                idempotency_key: str | None = Header(default=None, alias=idempotency.HEADER, max_length=255)):
    """Record a package sent in answer (one of several: partial responses) by file and SHA-256,
    or a finished evidence package request (`POST /evidence`) by its id; `Idempotency-Key`."""
    state = request.app.state.ctx.state()

    def make():
        if body.evidence_job_id is not None:
            desk.record_job_package(state, actor, request_id, body.evidence_job_id)
        else:
            desk.record_package(state, actor, request_id, body.file, body.sha256)
        return 201, _one(state, request_id)
    return idempotency.once_for(request, actor, idempotency_key, body.model_dump(), make)


@router.post("/requests/{request_id}/case", response_model=NewCase, status_code=201,
             responses={**err.NOT_FOUND, **err.CONFLICT})
def case_from_request(request: Request, request_id: int = RequestId, actor: dict = Depends(needs("change_case")),
                      idempotency_key: str | None = Header(default=None, alias=idempotency.HEADER, max_length=255)):
    """Open a case with the request's subjects the graph has and what links them (the others are
    noted in the case); needs view_requests too. `Idempotency-Key`."""
    ctx = request.app.state.ctx

    def make():
        return 201, {"case_id": desk.case_from_request(ctx.state(), ctx.store(), actor, request_id)}
    return idempotency.once_for(request, actor, idempotency_key, {"request_id": request_id}, make)
