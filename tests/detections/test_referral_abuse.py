"""Referral-abuse detection scored against the generator's ground truth, on the embedded store and on Neo4j."""
from __future__ import annotations

from casegraph.detections import referral_abuse as ra
from tests.support import timed_run


def test_referral_abuse_matches_truth(loaded):
    store, truth, _ = loaded
    results, seconds = timed_run(store, "referral_abuse")
    q = ra.quality(results, truth)
    assert q["expected"], "the dataset must plant referral abuse"
    print(f"\nreferral_abuse: {q}, query+explain {seconds:.2f}s")
    assert q["precision"] >= 0.85 and q["recall"] >= 0.85
    # influencers' big trees share nothing: not abuse
    assert q["confounders_flagged"] == 0
    influencers = set(truth["confounders"]["influencers"])
    assert not {r["referrer"] for r in results} & influencers
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    for r in results:
        assert r["ring_id"] == "RA-" + r["referrer"] and r["referrer"] in r["members"]
        assert r["members"] == sorted(r["members"]) and 0 < r["score"] <= 1 and r["reasons"] and all(r["reasons"])
        assert set(r["evidence_referees"]) <= set(r["members"])


def test_identifier_cap_drops_shared_identifiers(loaded):
    store, _, _ = loaded
    default, _ = timed_run(store, "referral_abuse")
    capped, _ = timed_run(store, "referral_abuse", {"max_identifier_accounts": 1})
    assert {r["ring_id"] for r in capped} <= {r["ring_id"] for r in default}
    for r in capped:     # only mailbox and money evidence survive a cap of one account
        assert set(r["evidence_kinds"]) <= {"Mailbox", "Wallet"}


def _tree(referrer, referees):
    return {"referrer": referrer, "kind": "tree", "identifier": None, "users": referees, "sharers": len(referees)}


def _ev(referrer, kind, identifier, users, sharers=None):
    return {"referrer": referrer, "kind": kind, "identifier": identifier, "users": users,
            "sharers": sharers if sharers is not None else len(users)}


def test_explain_on_hand_written_rows():
    rows = [
        # R1: referrer shares its device with E1, E2 shares a mailbox with E1, E4 shares nothing
        _tree("R1", ["E1", "E2", "E3", "E4"]),
        _ev("R1", "Device", "dev1", ["R1", "E1"]),
        _ev("R1", "Mailbox", "bob@mail.com", ["E1", "E2"]),
        _ev("R1", "Wallet", "T123", ["R1", "E3"]),
        # INF: a big tree, one evidence row pairing one referee with the influencer only
        _tree("INF", [f"F{k}" for k in range(40)]),
        _ev("INF", "IP", "1.2.3.4", ["INF", "F1"]),
        # evidence for a tree without a tree row (too small) is ignored
        _ev("R9", "Device", "dev9", ["R9", "E9"]),
    ]
    out = ra.explain(rows)
    assert [r["ring_id"] for r in out] == ["RA-R1"]
    r1 = out[0]
    assert r1["members"] == ["E1", "E2", "E3", "E4", "R1"]
    assert r1["evidence_referees"] == ["E1", "E2", "E3"] and r1["referees_with_evidence"] == 3
    assert r1["reasons"][0] == ("3 of the 4 referees of R1 share device, plus-addressed mailbox, "
                                "referrer's wallet (withdrawals went home) with the referrer or each other")
    assert "device dev1 shared by referrer R1, E1 (2 account(s) use it in all)" in r1["reasons"]
    assert any(s.startswith("1 referee(s) withdrew to T123") for s in r1["reasons"])
    assert 0 < r1["score"] <= 1 and r1["referrer_shares"]
    assert r1["counts"] == {"members": 5, "referees": 4, "referees_with_evidence": 3, "shared_identifiers": 1,
                            "shared_mailboxes": 1, "wallets_paid_home": 1}


def test_quality_member_level():
    truth = {"referral_abuse": ["R1", "E1", "E2"], "confounders": {"influencers": ["INF"]}}
    q = ra.quality([{"members": ["R1", "E1", "X"]}, {"members": ["INF", "F1"]}], truth)
    assert q["found"] == 5 and q["expected"] == 3 and q["confounders_flagged"] == 1
    assert q["precision"] == 0.4 and q["recall"] == 0.6667
