"""Users: unique names, argon2 hashes, disabled users never log in, rehash on new parameters."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from casegraph.errors import UserError
from casegraph.state import users
from casegraph.users import add_user, authenticate, disable_user, get_user, list_users

PW = "correct horse battery"


def _stored_hash(state, name):
    with state.engine.connect() as conn:
        return conn.execute(sa.select(users.c.password_hash).where(users.c.name == name)).scalar_one()


def test_add_list_and_authenticate(state):
    added = add_user(state, "alice", "investigator", PW)
    assert added["name"] == "alice" and added["role"] == "investigator" and not added["disabled"]
    assert "password_hash" not in added
    add_user(state, "bob", "analyst", PW + "2")
    assert [(u["name"], u["role"]) for u in list_users(state)] == [("alice", "investigator"), ("bob", "analyst")]
    assert all("password_hash" not in u for u in list_users(state))
    stored = _stored_hash(state, "alice")
    assert stored.startswith("$argon2id$") and PW not in stored
    assert authenticate(state, "alice", PW)["name"] == "alice"
    assert authenticate(state, "alice", PW + "2") is None
    assert authenticate(state, "bob", PW) is None
    assert authenticate(state, "nobody", PW) is None


def test_names_are_unique_and_mistakes_are_clear(state):
    add_user(state, "alice", "admin", PW)
    with pytest.raises(UserError, match="a user named 'alice' already exists"):
        add_user(state, "alice", "analyst", PW)
    with pytest.raises(UserError, match="unknown role 'boss'; roles: investigator, le_response, analyst, admin"):
        add_user(state, "carol", "boss", PW)
    with pytest.raises(UserError, match="at least 8 characters"):
        add_user(state, "carol", "analyst", "short")
    with pytest.raises(UserError, match="user name ''"):
        add_user(state, "", "analyst", PW)
    with pytest.raises(UserError, match="no user named 'ghost'"):
        disable_user(state, "ghost")
    assert [u["name"] for u in list_users(state)] == ["alice"]


def test_disabled_users_never_authenticate(state):
    add_user(state, "alice", "investigator", PW)
    done = disable_user(state, "alice")
    assert done["disabled"] and done["disabled_at"]
    assert authenticate(state, "alice", PW) is None
    assert disable_user(state, "alice")["disabled"]          # twice is fine
    assert list_users(state, include_disabled=False) == []
    assert get_user(state, "alice")["disabled"]


def test_rehash_when_the_hasher_parameters_change(state):
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    add_user(state, "alice", "analyst", PW, hasher=weak)
    before = _stored_hash(state, "alice")
    assert "m=1024,t=1,p=1" in before
    assert authenticate(state, "alice", PW, hasher=weak) is not None
    assert _stored_hash(state, "alice") == before               # same parameters: left alone
    strong = PasswordHasher()
    assert authenticate(state, "alice", "wrong password", hasher=strong) is None
    assert _stored_hash(state, "alice") == before               # a failed login never rehashes
    assert authenticate(state, "alice", PW, hasher=strong) is not None
    after = _stored_hash(state, "alice")
    assert after != before and not strong.check_needs_rehash(after)
    assert authenticate(state, "alice", PW, hasher=strong) is not None
