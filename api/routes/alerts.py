"""The alert queue: list with filters a page at a time, read one, change its status or
assignee (casegraph/state.py, cases.bulk_alerts: the same rules as the UI and the CLI)."""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field, model_validator

from casegraph import cases
from casegraph.errors import AlertTaken, CaseNotFound

from casegraph.api import errors as err
from casegraph.api import paging
from casegraph.api.security import needs

PLAIN = r"^[^\x00]*$"       # PostgreSQL text holds no NUL: refused here (422), not by the database (500)
router = APIRouter(tags=["alerts"], responses=err.COMMON)
EPOCH_MS_MAX = 32503680000000            # year 3000
AlertId = Path(ge=1, le=2**31 - 1)
Status = Literal["open", "in_case", "closed", "dismissed"]
StatusFilter = Literal["open", "in_case", "closed", "dismissed", "all"]
# the status asked for -> the queue action that gets there (cases.ALERT_ACTIONS)
TO_ACTION = {"open": "reopen", "closed": "close", "dismissed": "dismiss"}


class Alert(BaseModel):
    """One alert: what a detection found, and what people made of it."""
    id: int
    detection: str
    entity_key: str = Field(description="the account, or a ring's sorted members")
    status: Status
    score: float
    entities: list[str]
    node_ids: list[str] = Field(description="the entities as explorer node ids (Account:..., Wallet:...), "
                                            "as POST /cases with `entities` takes them")
    reasons: list[Any]
    result: dict[str, Any]
    params: dict[str, Any]
    created_at: int = Field(description="epoch ms")
    updated_at: int = Field(description="epoch ms")
    assignee: str | None
    case_id: int | None = Field(description="the case the alert was taken into")
    closed_reason: str | None


class Alerts(paging.Page):
    alerts: list[Alert] = Field(description="highest score first, then oldest")


class AlertChange(BaseModel):
    """A new status (closing or dismissing needs a reason; alerts in a case are left to the
    case), a new assignee (an enabled user), or both."""
    status: Literal["open", "closed", "dismissed"] | None = None
    reason: str | None = Field(default=None, pattern=PLAIN, max_length=2000)
    assignee: str | None = Field(default=None, min_length=1, pattern=PLAIN, max_length=128)

    @model_validator(mode="after")
    def _something(self):
        if self.status is None and self.assignee is None:
            raise ValueError("give a status, an assignee or both")
        if self.status in ("closed", "dismissed") and not (self.reason or "").strip():
            raise ValueError(f"moving an alert to {self.status} needs a reason")
        return self


def _alert(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "node_ids": cases.alert_node_ids(row)}


@router.get("/alerts", response_model=Alerts)
def list_alerts(request: Request, actor: dict = Depends(needs("view_alerts")),
                detection: str | None = Query(default=None, min_length=1, pattern=PLAIN, max_length=64),
                status: StatusFilter = Query(default="open", description="`all` for every status"),
                min_score: float = Query(default=0.0, ge=0, le=1e9),
                assignee: str | None = Query(default=None, min_length=1, pattern=PLAIN, max_length=128),
                created_since: int | None = Query(default=None, ge=0, le=EPOCH_MS_MAX,
                                                  description="epoch ms, inclusive"),
                created_until: int | None = Query(default=None, ge=0, le=EPOCH_MS_MAX,
                                                  description="epoch ms, exclusive"),
                offset: int = paging.Offset, limit: int = paging.Limit):
    """The alert queue, filtered, a page at a time (`total` counts every match)."""
    state = request.app.state.ctx.state()
    filters = {"detection": detection, "status": None if status == "all" else status, "min_score": min_score,
               "assignee": assignee, "created_since": created_since, "created_until": created_until}
    rows = state.list_alerts(**filters, limit=limit, offset=offset)
    return {"alerts": [_alert(r) for r in rows], "total": state.count_alerts(**filters),
            "offset": offset, "limit": limit}


def _one(state, alert_id: int) -> dict[str, Any]:
    row = state.get_alert(alert_id)
    if row is None:
        raise CaseNotFound(f"there is no alert {alert_id}")
    return _alert(row)


@router.get("/alerts/{alert_id}", response_model=Alert, responses=err.NOT_FOUND)
def get_alert(request: Request, alert_id: int = AlertId, actor: dict = Depends(needs("view_alerts"))):
    """One alert with its entities, reasons, score and detection result."""
    return _one(request.app.state.ctx.state(), alert_id)


@router.patch("/alerts/{alert_id}", response_model=Alert, responses={**err.NOT_FOUND, **err.CONFLICT})
def change_alert(change: AlertChange, request: Request, alert_id: int = AlertId,
                 actor: dict = Depends(needs("review_alerts"))):
    """Close, dismiss or reopen an alert and/or assign it. An alert in a case keeps its status:
    asking to change it is a conflict (409)."""
    state = request.app.state.ctx.state()
    if change.status is not None:
        current = _one(state, alert_id)
        if current["case_id"] is not None:
            raise AlertTaken(f"alert {alert_id} is in case {current['case_id']}: the case decides it")
        cases.bulk_alerts(state, actor, [alert_id], TO_ACTION[change.status], reason=change.reason or "")
    if change.assignee is not None:
        cases.bulk_alerts(state, actor, [alert_id], "assign", assignee=change.assignee)
    return _one(state, alert_id)
