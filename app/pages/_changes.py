"""What the list-or-one pages (cases, requests) share: opening a list or one item, and how a
page's buttons change something and say so: run a core function as the logged-in
user, show its message or its error, and bump the page's version store so the page
re-renders what the state store has now (the case page and the request page work so)."""
from __future__ import annotations

from typing import Any, Callable

from dash import ctx, no_update

from casegraph import app
from casegraph.app import auth, forms as f
from casegraph.errors import CasegraphError


def list_or_one(raw_id: Any, action: str, title: str, noun: str, message_id: str, one: Callable, many: Callable):
    """A page that lists items or shows one (`?id=N`): the role check, a bad id as a message
    naming it, else `one(id)` or `many()`."""
    from dash import html
    from casegraph.app.pages._cases import case_id_of
    try:
        auth.require(action)
    except CasegraphError as e:
        return html.Div([html.H2(title), html.Div(str(e), className="message", id=message_id)])
    item_id = case_id_of(raw_id)
    if raw_id is not None and item_id is None:
        return html.Div([html.H2(title), html.Div(f"not a {noun} id: {raw_id!r}", className="message", id=message_id)])
    return one(item_id) if item_id else many()


def work_rows(reason_id: str, reason_hint: str, moves_id: str, assign_to_id: str, assign_id: str,
              note_text_id: str, note_add_id: str) -> list:
    """The rows a case and a request are worked with: the status moves (buttons filled by the
    page) with the reason they take, assign to a user, add a note."""
    from dash import html
    return [
        f.row([f.text(reason_id, placeholder=reason_hint, width="wide", label="Status"),
               html.Div(id=moves_id, className="toolbar")]),
        f.row([f.text(assign_to_id, placeholder="user name", width="name"), f.button("Assign", assign_id)]),
        f.row([f.area(note_text_id, placeholder="a note", width="36em", rows=2), f.button("Add note", note_add_id)]),
    ]


def strip(text: str | None) -> str:
    return (text or "").strip()


def changed(do: Callable, version: int | None, action: str) -> tuple:
    """Run `do(state, user)` as the logged-in user (who needs `action`; the core checks the
    role again and refuses what the workflow does not allow): its message and the next
    version, or the error and no re-render. A button that (re)appeared is not a click."""
    if not (ctx.triggered and ctx.triggered[0].get("value")):
        return no_update, no_update
    try:
        said = do(app.state(), auth.require(action))
    except CasegraphError as e:
        return str(e), no_update
    return said, (version or 0) + 1
