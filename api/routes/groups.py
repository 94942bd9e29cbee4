"""Model groups: the model team's system pushes the batch-registration groups its model
flagged (casegraph/groups.py); they are found by search and reviewed as cases like loaded ones."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from casegraph import groups
from casegraph.times import EPOCH_MS_MAX

from casegraph.api import errors as err
from casegraph.api.fields import ID, ident, text
from casegraph.api.security import needs

router = APIRouter(tags=["model groups"], responses=err.COMMON)
GroupId = ident(256, description="the model's id of the group")


class NewGroup(BaseModel):
    """One flagged group. Pushing a group_id again adds members and updates model, score and
    flagged_at; it never removes members."""
    group_id: str = GroupId
    model: str = text(256, description="the model (and version) that flagged it")
    score: float = Field(ge=0, le=1, allow_inf_nan=False)
    members: list[Annotated[str, ident(512)]] = Field(min_length=1, max_length=groups.MEMBERS_MAX,
                               description="the member accounts' ids (an unknown id is created as an account, "
                                           "as a file load does)")
    flagged_at: int | None = Field(default=None, ge=0, le=EPOCH_MS_MAX, description="epoch ms; default now")


class Pushed(BaseModel):
    load_id: str
    group_id: str
    members: int = Field(description="distinct members in the push")


class Group(BaseModel):
    group_id: str
    model: str | None
    score: float | None
    flagged_at: int | None
    source: str | None = Field(description="where it came from: a file, or api:<token> for a push")
    loaded_at: int | None
    members: list[str]


@router.post("/groups", response_model=Pushed)
def push_group(body: NewGroup, request: Request, actor: dict = Depends(needs("push_groups"))):
    """Push one flagged group; search finds it at once and it can be opened as a case."""
    ctx = request.app.state.ctx
    return groups.push(ctx.store(), ctx.state(), actor, body.model_dump())


@router.get("/groups/{group_id}", response_model=Group, responses=err.NOT_FOUND)
def get_group(request: Request, group_id: str = Path(min_length=1, max_length=256, pattern=ID),
              actor: dict = Depends(needs("view_graph"))):
    """One group with its member accounts."""
    ctx = request.app.state.ctx
    return groups.get(ctx.store(), actor, group_id)
