"""Errors as JSON with a stable code and a message, never an HTML page or a traceback:
{"error": {"code": ..., "message": ...}}. The codes are part of the API (docs/api.md)."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from casegraph import errors as e

log = logging.getLogger("casegraph.api")

# exception class -> (HTTP status, code); the first match in this order wins
BY_CLASS: tuple[tuple[type[Exception], int, str], ...] = (
    (e.PermissionDenied, 403, "forbidden"),
    (e.AuthError, 401, "unauthorized"),
    (e.NotFound, 404, "not_found"),
    (e.Conflict, 409, "conflict"),
    (e.QueryTimeout, 504, "timeout"),
    (e.ParameterError, 422, "invalid"),
    (e.QueryError, 422, "invalid"),             # the database refused what was asked (bad input)
    (e.ConnectionFailed, 503, "unavailable"),
    (e.StoreError, 503, "unavailable"),
    (e.CasegraphError, 422, "invalid"),
)
BY_STATUS = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
             406: "not_acceptable", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
             422: "invalid", 429: "rate_limited", 503: "unavailable", 504: "timeout"}


class ErrorBody(BaseModel):
    code: str
    message: str


class Error(BaseModel):
    """Every error answer."""
    error: ErrorBody


def body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def respond(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body(code, message), status_code=status, headers=headers)


def classify(exc: Exception) -> tuple[int, str]:
    for cls, status, code in BY_CLASS:
        if isinstance(exc, cls):
            return status, code
    return 500, "internal"


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:10]:
        where = ".".join(str(x) for x in err.get("loc", ()) if x != "body") or "body"
        parts.append(f"{where}: {err.get('msg')}")
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
    @app.exception_handler(e.CasegraphError)
    async def _casegraph(_request: Request, exc: e.CasegraphError):
        status, code = classify(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return respond(status, code, str(exc), headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError):
        return respond(422, "invalid_request", _validation_message(exc))

    @app.exception_handler(HTTPException)
    async def _http(_request: Request, exc: HTTPException):
        code = BY_STATUS.get(exc.status_code, f"http_{exc.status_code}")
        return respond(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception):
        log.exception("unhandled error in %s %s", request.method, request.url.path)
        return respond(500, "internal", "internal error; the server log has the details")


# documented on every operation (schemathesis checks that answers match the document)
COMMON = {status: {"model": Error, "description": desc} for status, desc in (
    (401, "No, unknown, expired or revoked API token"),
    (403, "The token's role may not do this (docs/roles.md)"),
    (422, "The request is not valid"),
    (429, "Rate limit of the token reached (see Retry-After)"),
    (500, "Internal error"),
    (503, "The graph or state database is unavailable"),
)}
NOT_FOUND = {404: {"model": Error, "description": "No such object"}}
CONFLICT = {409: {"model": Error, "description": "Conflicts with the current state or an idempotency key"}}
TIMEOUT = {504: {"model": Error, "description": "The query ran past its time limit"}}
