"""The team's KPIs and the law-enforcement desk's for a period (casegraph/kpis.py, as
`casegraph kpis` shows them)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from casegraph import kpis

from casegraph.api import errors as err
from casegraph.api.fields import PLAIN
from casegraph.api.security import needs

router = APIRouter(tags=["KPIs"], responses=err.COMMON)
WHEN = "ISO 8601 date or time (UTC), or epoch ms"


class Counts(BaseModel):
    alerts: int
    cases: int
    confirmed: int
    false_positive: int


class TimeToDecision(BaseModel):
    cases: int = Field(description="cases decided in the period")
    median: float | None = Field(description="hours from the first alert (else the case's creation) to the decision")
    p90: float | None


class Kpis(BaseModel):
    """Definitions in docs/cases.md."""
    since: str | None
    until: str | None
    cases_created: int
    cases_resolved: int = Field(description="cases created in the period and decided before its end")
    cases_decided: int
    resolution_rate: float | None = Field(description="cases_resolved / cases_created (null: no case created)")
    time_to_decision: TimeToDecision
    second_reviews: int
    agreeing_reviews: int
    qa_agreement: float | None = Field(description="agreeing_reviews / second_reviews (null: no review)")
    per_detection: dict[str, Counts]
    per_domain: dict[str, Counts]


SINCE = Query(default=None, max_length=64, pattern=PLAIN, description=f"{WHEN}; inclusive")
UNTIL = Query(default=None, max_length=64, pattern=PLAIN,
              description=f"{WHEN}; exclusive (a date alone includes that whole day)")


class DeskCounts(BaseModel):
    received: int
    responded: int
    overdue: int


class TimeToRespond(BaseModel):
    requests: int = Field(description="requests responded in the period")
    median: float | None = Field(description="hours from receipt to response")
    p90: float | None


class DeskKpis(DeskCounts):
    """Definitions in docs/le-desk.md: received and responded in the period; overdue: received in
    the period, past the deadline and not answered now."""
    since: str | None
    until: str | None
    time_to_respond: TimeToRespond
    per_agency: dict[str, DeskCounts]
    per_country: dict[str, DeskCounts]


@router.get("/kpis/requests", response_model=DeskKpis)
def get_desk_kpis(request: Request, actor: dict = Depends(needs("view_requests")),
                  since: str | None = SINCE, until: str | None = UNTIL):
    """The law-enforcement desk's KPIs for [since, until) (either may be left out: unbounded)."""
    ctx = request.app.state.ctx
    return kpis.desk(ctx.state(), *kpis.period(since, until, ("since", "until"), digits_are_ms=True))


@router.get("/kpis", response_model=Kpis)
def get_kpis(request: Request, actor: dict = Depends(needs("view_kpis")),
             since: str | None = SINCE, until: str | None = UNTIL):
    """Resolution rate, time to decision, QA agreement and counts per detection and domain
    for [since, until) (either may be left out: unbounded)."""
    ctx = request.app.state.ctx
    return kpis.view(ctx.state(), actor, *kpis.period(since, until, ("since", "until"), digits_are_ms=True))
