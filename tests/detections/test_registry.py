"""The registry: every detection describes itself once (DETECTION) and the registry checks
that description when it loads; parameters are checked in one place (catalogue.coerce);
queue() runs detections into the alert queue with an audit entry each."""
from __future__ import annotations

import pytest

from casegraph import audit, detections
from casegraph.catalogue import PARAM_TYPES, Param, catalogue
from casegraph.detections import rings
from casegraph.errors import DetectionError, ParameterError
from casegraph.graph import RISK_FLAGS
from tests.support import add_detection


def test_every_detection_describes_itself():
    assert detections.names(), "the registry found no detection"
    for name in detections.names():
        d = detections.get(name)
        assert d.name == name and d.summary
        assert d.domain in detections.DOMAIN_NAMES, name
        assert d.risk_flag is None or d.risk_flag in RISK_FLAGS, name
        assert all(isinstance(p, Param) and p.type in PARAM_TYPES and p.help for p in d.params), name
        detections.validate(d)


def test_a_single_query_detection_takes_its_template_header_and_nothing_else():
    plain = [n for n in detections.names() if detections.get(n).runner is None]
    assert plain
    for name in plain:
        d = detections.get(name)
        assert d.params == catalogue().get(d.query).params, name
    # rings runs three templates and takes exactly their headers, bounds included
    assert detections.get("rings").params == tuple(p for q in rings.EVIDENCE for p in catalogue().get(q).params)


@pytest.mark.parametrize("fields, message", [
    ({"domain": "'fraud'"}, "detection zz_bad: domain 'fraud' is not one of reward_fraud, ato_scam, kyc_fraud"),
    ({"risk_flag": "'suspicious'"}, "detection zz_bad: risk flag 'suspicious' is not one of reported-victim"),
    ({"level": "'wallet'"}, "detection zz_bad: level 'wallet' is not one of account, ring, report"),
    ({"params": "(Param('k', 'decimal', 1, 'hops'),)"}, "parameter k has unknown type 'decimal'"),
    ({"params": "(Param('k', 'int', 9, 'hops', lo=1, hi=5),)"}, "parameter k must be between 1 and 5, got 9 (its own default)"),
    ({"params": "(Param('k', 'string', 'x', 'hops', lo=1),)"}, "parameter k is string; only int and float take bounds"),
    ({"params": "(Param('k', 'int', 1, 'a'), Param('k', 'int', 2, 'b'))"}, "parameter names repeat: k, k"),
    ({"params": "('k',)"}, "parameter 'k' is not a catalogue Param"),
])
def test_the_registry_refuses_a_detection_that_describes_itself_badly(fields, message, monkeypatch, tmp_path):
    add_detection(monkeypatch, tmp_path, "zz_bad", **fields)
    with pytest.raises(DetectionError) as e:
        detections.names()
    assert message in str(e.value)


def test_an_added_detection_module_is_found_and_checked(monkeypatch, tmp_path):
    add_detection(monkeypatch, tmp_path, "zz_added", domain="'reward_fraud'", risk_flag="'mule'")
    assert "zz_added" in detections.names() and detections.get("zz_added").domain == "reward_fraud"
    assert [p.name for p in detections.get("zz_added").params] == ["account_id", "limit"]   # find_account's header


def _bad_values(p: Param) -> list:
    """Values just outside a parameter's bounds or choices, and one that is not of its type."""
    out = []
    if p.choices:
        out.append("sideways")
    if p.lo is not None:
        out.append(p.lo if p.lo_open else p.lo - 1)
    if p.hi is not None:
        out.append(p.hi + 1)
    if out and p.type in ("int", "float"):
        out.append("lots")
    return out


BOUNDED = [(n, p, v) for n in detections.names() for p in detections.get(n).params for v in _bad_values(p)]


@pytest.mark.parametrize("name, param, value", BOUNDED, ids=[f"{n}-{p.name}={v}" for n, p, v in BOUNDED])
def test_out_of_range_parameters_are_one_clear_message(name, param, value):
    d = detections.get(name)
    what = {"int": "a whole number", "float": "a number"}.get(param.type) if value == "lots" else param.allowed
    expected = f"detection {name}: parameter {param.name} must be "
    with pytest.raises(ParameterError) as e:
        d.bind({param.name: str(value)})
    assert str(e.value).startswith(expected) and what in str(e.value) and repr(str(value)) in str(e.value)
    assert "\n" not in str(e.value)
    if d.runner is not None:   # a runner checks before it touches the store (there is none here)
        with pytest.raises(ParameterError) as again:
            d.runner(None, {param.name: str(value)})
        assert str(again.value) == str(e.value)


def test_every_runner_has_bounded_parameters():
    runners = [n for n in detections.names() if detections.get(n).runner is not None]
    assert {"rings", "scammer_links", "trace_funds", "transfer_risk", "scam_triage"} <= set(runners)
    for name in runners:
        assert name == "scam_triage" or any(n == name for n, _, _ in BOUNDED), f"{name} declares no bounds"


def test_empty_values_mean_the_default_and_unknown_names_are_refused():
    d = detections.get("trace_funds")
    assert d.bind({"account_id": " A1 ", "direction": "", "max_hops": " "}) == {
        "account_id": "A1", "address": None, "direction": "forward", "max_hops": 4, "since": None, "until": None,
        "min_amount_usd": 0.0, "max_paths": 500, "max_fanout": 100}
    with pytest.raises(ParameterError, match=r"detection trace_funds: unknown parameter\(s\) hops; it takes account_id,"):
        d.bind({"hops": ""})


def test_queue_stores_alerts_and_audits_each_detection(store, state, monkeypatch, tmp_path):
    # a detection over the real store (find_account finds nothing in the empty graph; its
    # explain gives two fixed results, one below the alert threshold)
    add_detection(monkeypatch, tmp_path, "zz_queued", alert_min_score="0.5", explain=(
        "lambda rows: [{'account_id': 'A1', 'score': 0.9, 'reasons': ['x']},"
        " {'account_id': 'A2', 'score': 0.1, 'reasons': ['y']}]"))
    heard = []
    [first] = detections.queue(store, state, "cli:tester", ["zz_queued"], {"account_id": "A1"}, heard.append)
    assert heard == [first]
    assert (first.name, len(first.results), first.new, first.updated, first.queued, first.below,
            first.reviewed) == ("zz_queued", 2, 1, 0, 1, 1, 0)
    [again] = detections.queue(store, state, "cli:tester", ["zz_queued"], {"account_id": "A1"})
    assert (again.new, again.updated, again.reviewed) == (0, 1, 0)
    assert [a["entity_key"] for a in state.list_alerts("zz_queued", None)] == ["A1"]
    entries = audit.entries(state, action="detect")
    assert [(e["actor"], e["details"]) for e in entries] == [
        ("cli:tester", {"detection": "zz_queued", "params": {"account_id": "A1"}, "results": 2,
                        "alerts_new": 1, "alerts_updated": 0}),
        ("cli:tester", {"detection": "zz_queued", "params": {"account_id": "A1"}, "results": 2,
                        "alerts_new": 0, "alerts_updated": 1})]
    with pytest.raises(ParameterError, match="detection zz_queued: parameter limit must be a whole number"):
        detections.queue(store, state, "cli:tester", ["zz_queued"], {"account_id": "A1", "limit": "ten"})
    assert len(audit.entries(state, action="detect")) == 2     # a refused run is not recorded
