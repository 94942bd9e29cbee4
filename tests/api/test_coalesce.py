"""Concurrent single checks are decided together (api/coalesce.py) and exactly as one at a
time: same decisions, scores and reasons, fewer database queries than checks."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from casegraph import transfer_checks
from casegraph.api.coalesce import Coalescer
from casegraph.detections import transfer_risk
from casegraph.errors import ParameterError
from tests.api.stores import opened

ACTOR = {"name": "token:t", "role": "service", "disabled": False}


class _Ctx:
    def __init__(self, store, state):
        self._store, self._state = store, state

    def store(self):
        return self._store

    def state(self):
        return self._state


def test_concurrent_checks_are_batched_and_decided_as_alone(api_data, monkeypatch):
    with opened(api_data[0]) as (store, state):
        _check(store, state, monkeypatch)


def _check(store, state, monkeypatch):
    pairs = store.read_cypher("MATCH (s:Account)-[:TRANSFERRED]->(r:Account) RETURN DISTINCT s.account_id AS s, "
                              "r.account_id AS r ORDER BY s, r LIMIT 60", {}, row_limit=60).rows
    checks = [{"sender": p["s"], "recipient_account": p["r"], "amount": 20.0 + i, "asset": "USD"}
              for i, p in enumerate(pairs)]
    checks.append({"sender": "NOBODY", "recipient_wallet": "w", "amount": 1.0, "asset": "USD"})
    alone = [transfer_checks.check(store, state, ACTOR, [c])[0] for c in checks]
    queries = []
    real = transfer_risk.check_many
    monkeypatch.setattr(transfer_risk, "check_many", lambda s, ts, p: queries.append(len(ts)) or real(s, ts, p))
    coalescer = Coalescer(_Ctx(store, state))
    with ThreadPoolExecutor(16) as pool:
        together = list(pool.map(lambda c: coalescer.check(ACTOR, c), checks))
    assert sum(queries) == len(checks) and len(queries) < len(checks)
    for a, b in zip(alone, together):
        if isinstance(a, ParameterError):
            assert isinstance(b, ParameterError) and str(a) == str(b)
        else:
            assert (a["decision"], a["score"], a["reasons"]) == (b["decision"], b["score"], b["reasons"])
