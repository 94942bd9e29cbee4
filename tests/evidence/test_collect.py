"""What goes into a package: a case's snapshot with provenance; a subject's identifiers,
linked accounts (supernodes skipped, capped), movements in the period, listings."""
from __future__ import annotations

import pytest

from casegraph import cases
from casegraph.errors import QueryError
from casegraph.evidence import collect
from casegraph.times import to_epoch_ms

IDENTIFIER_RELS = {"USED_DEVICE", "USED_IP", "HAS_PHONE", "HAS_EMAIL", "HAS_DOCUMENT"}


def _edges(found):
    return [e["data"] for e in found.elements if "source" in e["data"]]


def _node_ids(found):
    return {e["data"]["id"] for e in found.elements if "source" not in e["data"]}


def test_a_ring_member_brings_its_identifiers_and_the_accounts_sharing_them(ev, period):
    _, store, _, truth, _ = ev
    ring = truth["rings"][0]
    subject = f"Account:{ring[0]}"
    found = collect.from_subject(store, subject, *period)
    assert subject in _node_ids(found) and found.subject == subject
    own = {d["target"] for d in _edges(found) if d["source"] == subject and d["kind"] in IDENTIFIER_RELS}
    assert own, "the subject's identifiers are in the package"
    sharers = {d["source"] for d in _edges(found) if d["target"] in own and d["source"] != subject}
    assert sharers & {f"Account:{a}" for a in ring[1:]}, "ring members share identifiers with the subject"
    names = [q["query"] for q in found.queries]
    assert names[:2] == ["ui_nodes", "evidence_account_identifiers"] and "evidence_identifier_accounts" in names
    for q in found.queries:
        assert "MATCH" in q["text"] and q["params"], q["query"]
    assert found.queries[1]["params"] == {"key": ring[0]}


def test_movements_are_those_of_the_period_only(ev):
    _, store, _, truth, _ = ev
    subject = f"Account:{truth['scammers'][0]}"
    everything = collect.from_subject(store, subject, 0, to_epoch_ms("2100-01-01"))
    times = sorted(d["props"]["at"] for d in _edges(everything) if d["kind"] in collect.graph.MONEY)
    assert len(times) >= 2, "the planted scammer was paid"
    cut = times[len(times) // 2]
    later = collect.from_subject(store, subject, cut, to_epoch_ms("2100-01-01"))
    moves = [d for d in _edges(later) if d["kind"] in collect.graph.MONEY]
    assert moves and all(d["props"]["at"] >= cut for d in moves)
    assert len(moves) == sum(t >= cut for t in times)
    assert all(subject in (d["source"], d["target"]) for d in moves)
    kinds = {d["kind"] for d in _edges(everything)}
    assert "LISTED_ON" in kinds or "AGAINST" in kinds, "the scammer's listing or report is in"


def test_supernode_identifiers_are_not_followed(ev, period, monkeypatch):
    _, store, _, truth, _ = ev
    subject = f"Account:{truth['rings'][0][0]}"
    monkeypatch.setattr(collect, "SUPERNODE_SHARERS", 1)
    found = collect.from_subject(store, subject, *period)
    assert any("too common to link accounts" in n for n in found.notes)
    assert "evidence_identifier_accounts" not in [q["query"] for q in found.queries]
    own = {d["target"] for d in _edges(found) if d["source"] == subject and d["kind"] in IDENTIFIER_RELS}
    assert not [d for d in _edges(found) if d["target"] in own and d["source"] != subject]


def test_linked_accounts_are_capped_and_the_manifest_says_so(ev, period, monkeypatch):
    _, store, _, truth, _ = ev
    subject = f"Account:{truth['rings'][0][0]}"
    monkeypatch.setattr(collect, "MAX_LINKED", 1)
    found = collect.from_subject(store, subject, *period)
    assert found.capped and any("linked accounts" in n for n in found.notes)
    own = {d["target"] for d in _edges(found) if d["source"] == subject and d["kind"] in IDENTIFIER_RELS}
    assert len({d["source"] for d in _edges(found) if d["target"] in own and d["source"] != subject}) == 1


def test_a_case_brings_its_snapshot_and_each_provenance_with_the_template_text(ev, ev_case):
    _, store, state, truth, _ = ev
    case = cases.get_case(state, ev_case)
    found = collect.from_case(state, store, ev_case)
    snapshot = {e["data"]["id"] for e in case["elements"] if e["data"].get("kind") != "More"}
    assert {e["data"]["id"] for e in found.elements} == snapshot
    assert found.case["id"] == ev_case and found.subject is None
    by_name = {q["query"]: q for q in found.queries}
    assert set(by_name) == {"ui_links_between", "ui_expand"}
    assert by_name["ui_links_between"]["params"] == {"keys": truth["rings"][0]}
    assert by_name["ui_links_between"]["text"] == store.queries.get("ui_links_between").text_for(store.dialect)
    assert sum(len(q["elements"]) for q in found.queries) == len(snapshot)
    assert all(a["by"] == cases.operator()["name"] for q in found.queries for a in q["added"])


@pytest.mark.parametrize("subject", ["Account:no-such-account", "Email:x@example.org", "A100000001"])
def test_bad_subjects_are_refused(ev, period, subject):
    with pytest.raises(QueryError):
        collect.from_subject(ev[1], subject, *period)


def test_an_empty_period_is_refused(ev):
    with pytest.raises(QueryError, match="period is empty"):
        collect.from_subject(ev[1], f"Account:{ev[3]['scammers'][0]}", 5, 5)


def test_a_wallet_brings_its_movements_both_ways(ev, period):
    _, store, _, _, folder = ev
    import csv
    with open(folder / "data" / "onchain.csv", newline="") as f:
        sends = list(csv.DictReader(f))
    counts: dict[str, int] = {}
    for r in sends:
        for a in (r["from_address"], r["to_address"]):
            counts[a] = counts.get(a, 0) + 1
    address = min(counts, key=lambda a: (-counts[a], a))
    subject = f"Wallet:{address}"
    found = collect.from_subject(store, subject, 0, to_epoch_ms("2100-01-01"))
    moves = [d for d in _edges(found) if d["kind"] in collect.graph.MONEY]
    assert moves and all(subject in (d["source"], d["target"]) for d in moves)
    assert sum(d["kind"] == "SENT" for d in moves) == counts[address]
    assert "evidence_wallet_movements" in [q["query"] for q in found.queries]
    assert "evidence_account_identifiers" not in [q["query"] for q in found.queries]
