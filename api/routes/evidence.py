"""Evidence packages for law-enforcement requests, built asynchronously
(casegraph/evidence_jobs.py): ask (202, a job queued), poll the job, download the ZIP when it
is done. Packages are the ones `casegraph export case|subject` and the UI build, in the same
folder, recorded in the audit log as exported by the requesting token."""
from __future__ import annotations

import base64
from typing import Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field, model_validator

from casegraph import evidence_jobs
from casegraph.times import option_ms

from casegraph.api import errors as err
from casegraph.api.fields import ident, text
from casegraph.api import idempotency
from casegraph.api.security import needs

router = APIRouter(tags=["evidence"], responses=err.COMMON)
JobId = Path(ge=1, le=2**31 - 1)
WHEN = "ISO 8601 date or time (UTC), or epoch ms"


class NewPackage(BaseModel):
    """A package of a case (case_id), of a subject, an account or a wallet, in [since, until),
    or answering a law-enforcement request of the desk (request_id: its case, or else its
    subjects; the whole history unless since/until; recorded on the request, which gives the
    reference and agency)."""
    case_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    request_id: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                   description="a desk request (GET /requests); needs manage_requests too")
    account: str | None = ident(512, default=None)
    wallet: str | None = ident(512, default=None)
    since: str | None = text(64, default=None, description=f"{WHEN}; inclusive (subjects)")
    until: str | None = text(64, default=None, description=f"{WHEN}; exclusive (subjects)")
    request_ref: str | None = text(256, blank=False, default=None,
                                   description="the request's reference, as the agency gave it (not with request_id)")
    agency: str | None = text(256, blank=False, default=None,
                              description="the requesting agency (not with request_id)")
    masked: bool = Field(default=False, description="replace e-mails, phones and document ids by stable pseudonyms")

    @model_validator(mode="after")
    def _one_subject(self):
        if self.request_id is not None:
            if any(x is not None for x in (self.case_id, self.account, self.wallet, self.request_ref, self.agency)):
                raise ValueError("a desk request's package takes its subjects, reference and agency from the "
                                 "request: give request_id alone (with since, until, masked)")
            return self
        if sum(x is not None for x in (self.case_id, self.account, self.wallet)) != 1:
            raise ValueError("give exactly one of case_id, account, wallet and request_id")
        if self.request_ref is None or self.agency is None:
            raise ValueError("a package needs request_ref and agency (or request_id)")
        if self.case_id is not None and (self.since or self.until):
            raise ValueError("a case package takes the case as it stands: no since or until")
        if self.case_id is None and not (self.since and self.until):
            raise ValueError("a subject package needs since and until")
        return self


class Job(BaseModel):
    id: int
    state: Literal["queued", "running", "done", "failed"]
    requested_by: str
    what: dict[str, Any] = Field(description="the request as queued (a subject's period in epoch ms)")
    file: str | None = Field(description="the package's file name, once done")
    sha256: str | None = Field(description="the package's SHA-256, once done")
    error: str | None = Field(description="why it failed")
    requested_at: int
    started_at: int | None
    finished_at: int | None


@router.post("/evidence", response_model=Job, status_code=202, responses={**err.NOT_FOUND, **err.CONFLICT})
def request_package(body: NewPackage, request: Request, actor: dict = Depends(needs("export_evidence")),
                    idempotency_key: str | None = Header(default=None, alias=idempotency.HEADER, max_length=255)):
    """Queue a package (a case must exist: 404); poll GET /evidence/{id} until it is done."""
    ctx = request.app.state.ctx
    what = body.model_dump(exclude={"since", "until"})
    what.update(since_ms=option_ms("since", body.since, digits_are_ms=True),
                until_ms=option_ms("until", body.until, digits_are_ms=True))

    def make():
        job = evidence_jobs.request(ctx.state(), actor, what)
        if ctx.evidence is not None:
            ctx.evidence.wake()
        return 202, Job.model_validate(job).model_dump(mode="json")
    return idempotency.once(ctx.state(), actor["token"], idempotency_key,
                            lambda: idempotency.fingerprint("POST", request.url.path, body.model_dump()), make)


@router.get("/evidence/{job_id}", response_model=Job, responses=err.NOT_FOUND)
def get_package(request: Request, job_id: int = JobId, actor: dict = Depends(needs("export_evidence"))):
    """The request's state; file and sha256 once done, error when failed."""
    ctx = request.app.state.ctx
    return evidence_jobs.get(ctx.state(), actor, job_id)


@router.get("/evidence/{job_id}/download", response_class=FileResponse,
            responses={200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
                             "description": "The package",
                             "headers": {name: {"schema": {"type": "string"}, "description": what} for name, what in (
                                 ("X-Checksum-SHA256", "the package's SHA-256, hex"),
                                 ("Digest", "sha-256=<the SHA-256, base64> (RFC 3230)"),
                                 ("ETag", "the SHA-256, hex, quoted"))}},
                       **err.NOT_FOUND, **err.CONFLICT})
def download_package(request: Request, job_id: int = Path(ge=1, le=2**31 - 1),
                     actor: dict = Depends(needs("export_evidence"))):
    """The package's ZIP (409 while it is not done)."""
    ctx = request.app.state.ctx
    path, sha256 = evidence_jobs.package(ctx.state(), actor, job_id)
    digest = base64.b64encode(bytes.fromhex(sha256)).decode("ascii")
    return FileResponse(path, media_type="application/zip", filename=path.name, headers={
        "X-Checksum-SHA256": sha256, "Digest": f"sha-256={digest}", "ETag": f'"{sha256}"'})
