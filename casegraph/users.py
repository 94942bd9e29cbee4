"""Users of casegraph and their roles. Passwords are stored only as argon2id hashes
(argon2-cffi), rehashed on login when the hasher's parameters have changed."""
from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from casegraph.errors import UserError
from casegraph.permissions import ROLES
from casegraph.state import StateStore, now_ms, users

MIN_PASSWORD = 8
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")
_HASHER = PasswordHasher()
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("casegraph-no-such-user")
_PUBLIC = [c for c in users.c if c.name != "password_hash"]


def add_user(state: StateStore, name: str, role: str, password: str,
             hasher: PasswordHasher | None = None) -> dict[str, Any]:
    """Create an enabled user; names are unique. Returns the user (without its hash)."""
    if not _NAME.match(name or ""):
        raise UserError(f"user name {name!r}: use 1-128 letters, digits, '.', '_', '@' or '-', "
                        "starting with a letter or digit")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if len(password or "") < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    digest = (hasher or _HASHER).hash(password)
    try:
        with state.engine.begin() as conn:
            conn.execute(users.insert().values(name=name, role=role, password_hash=digest, disabled=False,
                                               created_at=now_ms()))
    except sa.exc.IntegrityError as e:
        raise UserError(f"a user named {name!r} already exists") from e
    return get_user(state, name)


def get_user(state: StateStore, name: str) -> dict[str, Any] | None:
    """One user by name (without the password hash), or None."""
    with state.engine.connect() as conn:
        row = conn.execute(sa.select(*_PUBLIC).where(users.c.name == name)).mappings().first()
    return dict(row) if row is not None else None


def list_users(state: StateStore, include_disabled: bool = True) -> list[dict[str, Any]]:
    """Every user by name, without password hashes."""
    q = sa.select(*_PUBLIC).order_by(users.c.name)
    if not include_disabled:
        q = q.where(users.c.disabled.is_(False))
    with state.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def disable_user(state: StateStore, name: str) -> dict[str, Any]:
    """Disable a user: they can no longer log in. Disabling twice is not an error."""
    with state.engine.begin() as conn:
        done = conn.execute(users.update().where(users.c.name == name, users.c.disabled.is_(False))
                            .values(disabled=True, disabled_at=now_ms()))
        if done.rowcount == 0 and conn.execute(sa.select(users.c.id).where(users.c.name == name)).first() is None:
            raise UserError(f"no user named {name!r}")
    return get_user(state, name)


def authenticate(state: StateStore, name: str, password: str,
                 hasher: PasswordHasher | None = None) -> dict[str, Any] | None:
    """The user when the name and password match an enabled user, else None."""
    hasher = hasher or _HASHER
    with state.engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.name == name)).mappings().first()
    try:
        hasher.verify(row["password_hash"] if row is not None else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row["disabled"]:
        return None
    if hasher.check_needs_rehash(row["password_hash"]):
        with state.engine.begin() as conn:
            conn.execute(users.update().where(users.c.id == row["id"])
                         .values(password_hash=hasher.hash(password)))
    return {k: v for k, v in row.items() if k != "password_hash"}
