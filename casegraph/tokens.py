"""API tokens for service accounts: other systems (the withdrawal service, the model team's
pipeline, ticketing) call the HTTP API (casegraph/api) with `Authorization: Bearer <token>`.

A token has a name, one role of docs/roles.md (the same matrix as users), a rate limit and an
optional expiry. The secret is 32 random bytes, shown once when created and stored only as its
SHA-256: a random 256-bit secret cannot be guessed or brute-forced from its hash, so the slow
password hash users get (argon2id) would only cost every API call milliseconds for nothing.
Tokens are revoked, never deleted (the audit log names them). `casegraph token create/list/
revoke` manage them."""
from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

import sqlalchemy as sa

from casegraph.errors import AuthError, UserError
from casegraph.permissions import ROLES
from casegraph.state import StateStore, api_tokens, now_ms

PREFIX = "cgt_"          # recognisable in a leaked config or a secret scanner
DEFAULT_RATE = 200.0     # requests per second per token (a batch counts once)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")
DAY_MS = 86_400_000
_PUBLIC = [c for c in api_tokens.c if c.name != "secret_sha256"]


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def actor_name(name: str) -> str:
    """How a token acts in the audit log and in cases: `token:<name>`."""
    return f"token:{name}"


def create(state: StateStore, name: str, role: str, *, by: str, expires_days: float | None = None,
           rate_per_s: float = DEFAULT_RATE) -> tuple[str, dict[str, Any]]:
    """A new token -> (the secret, shown once; the token's row without it)."""
    if not _NAME.match(name or ""):
        raise UserError(f"token name {name!r}: use 1-128 letters, digits, '.', '_', '@' or '-', "
                        "starting with a letter or digit")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if expires_days is not None and expires_days <= 0:
        raise UserError("--expires must be a positive number of days")
    if rate_per_s <= 0:
        raise UserError("--rate must be a positive number of requests per second")
    secret = PREFIX + secrets.token_urlsafe(32)
    at = now_ms()
    try:
        with state.engine.begin() as conn:
            conn.execute(api_tokens.insert().values(
                name=name, role=role, secret_sha256=digest(secret), rate_per_s=float(rate_per_s),
                created_by=by, created_at=at,
                expires_at=None if expires_days is None else at + int(expires_days * DAY_MS)))
    except sa.exc.IntegrityError as e:
        raise UserError(f"a token named {name!r} already exists (revoked tokens keep their name)") from e
    return secret, get(state, name)


def get(state: StateStore, name: str) -> dict[str, Any] | None:
    with state.engine.connect() as conn:
        row = conn.execute(sa.select(*_PUBLIC).where(api_tokens.c.name == name)).mappings().first()
    return dict(row) if row is not None else None


def list_tokens(state: StateStore) -> list[dict[str, Any]]:
    with state.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(*_PUBLIC).order_by(api_tokens.c.name)).mappings()]


def revoke(state: StateStore, name: str, *, by: str) -> dict[str, Any]:
    """Revoke a token: every later call with it is refused. Revoking twice is not an error."""
    with state.engine.begin() as conn:
        done = conn.execute(api_tokens.update().where(api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None))
                            .values(revoked_at=now_ms(), revoked_by=by))
    found = get(state, name)
    if found is None:
        raise UserError(f"no token named {name!r}")
    if done.rowcount == 0 and found["revoked_at"] is None:    # pragma: no cover - raced with a create
        raise UserError(f"token {name!r} could not be revoked; try again")
    return found


def status(row: dict[str, Any], at_ms: int | None = None) -> str:
    """active, expired or revoked."""
    if row.get("revoked_at") is not None:
        return "revoked"
    if row.get("expires_at") is not None and (at_ms or now_ms()) >= row["expires_at"]:
        return "expired"
    return "active"


def by_digest(state: StateStore) -> dict[str, dict[str, Any]]:
    """Every token by the SHA-256 of its secret (the API caches this for a second)."""
    with state.engine.connect() as conn:
        return {r["secret_sha256"]: dict(r) for r in conn.execute(sa.select(api_tokens)).mappings()}


def find(state: StateStore, secret_sha256: str) -> dict[str, Any] | None:
    """One token by the SHA-256 of its secret, or None."""
    with state.engine.connect() as conn:
        row = conn.execute(sa.select(api_tokens).where(api_tokens.c.secret_sha256 == secret_sha256)).mappings().first()
    return dict(row) if row is not None else None


def check(known: dict[str, dict[str, Any]], presented: str, at_ms: int | None = None) -> dict[str, Any]:
    """The actor for a presented secret (as permissions.require expects it: name, role,
    disabled), or AuthError saying why not (never echoing the secret)."""
    row = known.get(digest(presented or ""))
    if row is None:
        raise AuthError("unknown API token")
    why = status(row, at_ms)
    if why != "active":
        raise AuthError(f"API token {row['name']!r} is {why}")
    return {"name": actor_name(row["name"]), "role": row["role"], "disabled": False, "token": row["name"],
            "rate_per_s": row["rate_per_s"]}
