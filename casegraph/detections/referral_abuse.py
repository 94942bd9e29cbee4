"""Referral abuse: one person farming sign-up bonuses with accounts they refer.

The template (cypher/detect/referral_abuse.cypher) returns, per referral tree, one 'tree'
row (the referrer's referees) and one row per piece of evidence inside the tree: an
identifier (device, IP, phone, e-mail, document) used by two or more of its members but by
at most `max_identifier_accounts` accounts overall, a mailbox several members' plus-addresses
resolve to, or a wallet of the referrer's that referees withdrew to.

A tree is judged abusive when at least MIN_EVIDENCE_REFEREES referees carry evidence. The
whole tree is then reported (the referrer and every referee): the farmer's accounts do not
all leave a trace (a referee on the referrer's home IP with its own phone shares something,
one on a proxy IP alone may share nothing), and `evidence_referees` says which ones do.
Influencers' trees are big but their referees share nothing, so they are never judged abusive.

Exclusions: influencers and ordinary referrers (referees sharing nothing with each other
or the referrer), identifiers used by more than `max_identifier_accounts` accounts
(carriers, offices, public Wi-Fi), and trees with fewer than MIN_EVIDENCE_REFEREES referees
carrying evidence. Rings whose members one of them referred are reported here, not by
`rings`.

Parameters, and what each trades: `min_referees` lower finds small farms but judges pairs of
friends; `max_identifier_accounts` higher counts busier shared IPs and devices as evidence
(more farms behind proxies found, more households and offices judged).
"""
from __future__ import annotations

from typing import Any

from casegraph.detections import Detection
from casegraph.detections._quality import confounders_hit, precision_recall

MIN_EVIDENCE_REFEREES = 2     # one referee sharing something could be a household; two is a pattern
KIND = {"Device": "device", "IP": "IP", "Phone": "phone", "Email": "e-mail", "Document": "document",
        "Mailbox": "plus-addressed mailbox", "Wallet": "referrer's wallet (withdrawals went home)"}


def _assess(referrer: str, referees: list[str], evidence: list[dict[str, Any]]) -> dict[str, Any] | None:
    tree = set(referees) | {referrer}
    members_with: dict[str, set[str]] = {}          # account -> kinds of evidence it carries
    reasons = []
    counts = {"shared_identifiers": 0, "shared_mailboxes": 0, "wallets_paid_home": 0}
    for ev in sorted(evidence, key=lambda e: (e["kind"], str(e["identifier"]))):
        users = sorted(set(ev["users"]) & tree, key=lambda u: (u != referrer, u))   # referrer first
        if len(users) < 2:
            continue
        for u in users:
            members_with.setdefault(u, set()).add(ev["kind"])
        who = ", ".join(("referrer " + u) if u == referrer else u for u in users)
        counts["wallets_paid_home" if ev["kind"] == "Wallet" else
               "shared_mailboxes" if ev["kind"] == "Mailbox" else "shared_identifiers"] += 1
        if ev["kind"] == "Wallet":
            reasons.append(f"{len(users) - 1} referee(s) withdrew to {ev['identifier']}, a wallet the referrer "
                           f"uses: {who}")
        elif ev["kind"] == "Mailbox":
            reasons.append(f"plus-addresses of one mailbox {ev['identifier']} used by {who}")
        else:
            reasons.append(f"{KIND.get(ev['kind'], ev['kind'])} {ev['identifier']} shared by {who}"
                           f" ({ev['sharers']} account(s) use it in all)")
    evidence_referees = sorted(m for m in members_with if m != referrer)
    if len(evidence_referees) < MIN_EVIDENCE_REFEREES:
        return None
    kinds = sorted({k for ks in members_with.values() for k in ks})
    share = len(evidence_referees) / len(referees)
    reasons.insert(0, f"{len(evidence_referees)} of the {len(referees)} referees of {referrer} share "
                      f"{', '.join(KIND.get(k, k) for k in kinds)} with the referrer or each other")
    score = round(min(1.0, 0.4 + 0.4 * share + 0.05 * len(kinds) + (0.1 if referrer in members_with else 0.0)), 3)
    return {"ring_id": f"RA-{referrer}", "members": sorted(tree), "referrer": referrer, "score": score,
            "reasons": reasons, "evidence_referees": evidence_referees,
            "referees": len(referees), "referees_with_evidence": len(evidence_referees),
            "referrer_shares": referrer in members_with, "evidence_kinds": kinds,
            "counts": {"members": len(tree), "referees": len(referees),
                       "referees_with_evidence": len(evidence_referees), **counts}}


def explain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tree and evidence rows -> one result per abusive tree, highest score first."""
    trees: dict[str, list[str]] = {}
    evidence: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if r["kind"] == "tree":
            trees[r["referrer"]] = sorted(set(r["users"] or []))
        else:
            evidence.setdefault(r["referrer"], []).append(r)
    out = [a for a in (_assess(ref, refs, evidence.get(ref, [])) for ref, refs in trees.items()) if a]
    out.sort(key=lambda r: (-r["score"], -r["referees"], r["ring_id"]))
    return out


def quality(results: list[dict[str, Any]], truth: dict[str, Any]) -> dict[str, Any]:
    """Member-level precision/recall against truth["referral_abuse"]; confounders_flagged counts
    influencers reported (as referrer or member)."""
    found = {m for r in results for m in r["members"]}
    return {**precision_recall(found, truth.get("referral_abuse", [])),
            "confounders_flagged": confounders_hit(found, truth, "influencers")}


DETECTION = Detection(name="referral_abuse", level="ring",
                      summary="referral trees whose referees share devices, IPs, phones, mailboxes or wallets "
                              "with the referrer or each other",
                      domain="reward_fraud", risk_flag=None, query="referral_abuse", explain=explain)
