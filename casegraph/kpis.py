"""KPIs of the fraud team for a period: resolution rate, time from alert to decision,
second-review (QA) agreement, and alerts and decisions per detection and per downstream
domain. Definitions: docs/cases.md."""
from __future__ import annotations

# The downstream team (domain) each detection's findings go to, declared once.
DOMAINS: dict[str, str] = {
    "referral_abuse": "reward_fraud",
    "rings": "kyc_fraud",             # batch-registered fake identities
    "account_takeover": "ato_scam",
    "scammer_links": "ato_scam",
    "silent_sufferers": "ato_scam",
    "scam_triage": "ato_scam",
    "mules": "ato_scam",
    "transfer_risk": "ato_scam",
    "trace_funds": "ato_scam",
}
DOMAIN_NAMES = ("reward_fraud", "ato_scam", "kyc_fraud")
GROUP_DOMAIN = "kyc_fraud"           # model-team batch-registration groups reviewed as cases

assert set(DOMAINS.values()) <= set(DOMAIN_NAMES)


def domain_of(detection: str | None) -> str | None:
    """The domain of a detection, or None (a case made from a selection)."""
    return DOMAINS.get(detection) if detection else None
