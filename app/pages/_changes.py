"""How a page's buttons change something and say so: run a core function as the logged-in
user, show its message or its error, and bump the page's version store so the page
re-renders what the state store has now (the case page and the request page work so)."""
from __future__ import annotations

from typing import Callable

from dash import ctx, no_update

from casegraph import app
from casegraph.app import auth
from casegraph.errors import CasegraphError


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
