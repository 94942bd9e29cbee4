"""KPIs of the fraud team for a period: resolution rate, time from alert to decision,
second-review (QA) agreement, and alerts and decisions per detection and per downstream
domain (each detection declares its own: Detection.domain). Definitions: docs/cases.md."""
from __future__ import annotations

import math
import statistics
from typing import Any

import sqlalchemy as sa

from casegraph import detections
from casegraph.times import iso
from casegraph.errors import ConfigError
from casegraph.state import StateStore, alerts, case_reviews, cases

DOMAIN_NAMES = detections.DOMAIN_NAMES
GROUP_DOMAIN = "kyc_fraud"           # model-team batch-registration groups reviewed as cases

assert GROUP_DOMAIN in DOMAIN_NAMES


def domains() -> dict[str, str]:
    """detection -> the downstream team (domain) its findings go to, as each declares it."""
    return {name: detections.get(name).domain for name in detections.names()}


def domain_of(detection: str | None) -> str | None:
    """The domain of a detection, or None (a case made from a selection, a detection gone)."""
    return domains().get(detection) if detection else None


COUNTS = ("alerts", "cases", "confirmed", "false_positive")


def _in(value: int | None, since_ms: int | None, until_ms: int | None) -> bool:
    return value is not None and (since_ms is None or value >= since_ms) and (until_ms is None or value < until_ms)


def percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank percentile (q in 0..100): the smallest value with at least q% of the
    values at or below it; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def compute(state: StateStore, since_ms: int | None = None, until_ms: int | None = None) -> dict[str, Any]:
    """The KPIs for the period [since_ms, until_ms) (None: unbounded). Definitions in docs/cases.md."""
    if since_ms is not None and until_ms is not None and until_ms <= since_ms:
        raise ConfigError("the period is empty: --until must be after --since")
    with state.engine.connect() as conn:
        case_rows = [dict(r) for r in conn.execute(sa.select(cases)).mappings()]
        alert_rows = [dict(r) for r in conn.execute(
            sa.select(alerts.c.id, alerts.c.detection, alerts.c.created_at, alerts.c.case_id)).mappings()]
        review_rows = [dict(r) for r in conn.execute(sa.select(case_reviews.c.at, case_reviews.c.agrees)).mappings()]
    first_alert: dict[int, int] = {}
    for a in alert_rows:
        if a["case_id"] is not None:
            first_alert[a["case_id"]] = min(a["created_at"], first_alert.get(a["case_id"], a["created_at"]))

    created = [c for c in case_rows if _in(c["created_at"], since_ms, until_ms)]
    resolved = [c for c in created if c["decided_at"] is not None and (until_ms is None or c["decided_at"] < until_ms)]
    decided = [c for c in case_rows if _in(c["decided_at"], since_ms, until_ms)]
    hours = [(c["decided_at"] - first_alert.get(c["id"], c["created_at"])) / 3_600_000 for c in decided]
    reviews = [r for r in review_rows if _in(r["at"], since_ms, until_ms)]
    agreeing = sum(bool(r["agrees"]) for r in reviews)

    per_detection = {name: dict.fromkeys(COUNTS, 0) for name in detections.names()}
    per_domain = {name: dict.fromkeys(COUNTS, 0) for name in DOMAIN_NAMES}

    def count(detection: str | None, domain: str | None, what: str) -> None:
        if detection:
            per_detection.setdefault(detection, dict.fromkeys(COUNTS, 0))[what] += 1
        if domain:
            per_domain.setdefault(domain, dict.fromkeys(COUNTS, 0))[what] += 1

    domain = domains()
    for a in alert_rows:
        if _in(a["created_at"], since_ms, until_ms):
            count(a["detection"], domain.get(a["detection"]), "alerts")
    for c in created:
        count(c["detection"], c["domain"], "cases")
    for c in decided:
        count(c["detection"], c["domain"], c["decision"])
    return {
        "since": iso(since_ms) or None, "until": iso(until_ms) or None,
        "cases_created": len(created), "cases_resolved": len(resolved), "cases_decided": len(decided),
        "resolution_rate": len(resolved) / len(created) if created else None,
        "time_to_decision": {"cases": len(hours), "median": statistics.median(hours) if hours else None,
                             "p90": percentile(hours, 90)},
        "second_reviews": len(reviews), "agreeing_reviews": agreeing,
        "qa_agreement": agreeing / len(reviews) if reviews else None,
        "per_detection": per_detection, "per_domain": per_domain,
    }


def period(since: str | None, until: str | None, names: tuple[str, str] = ("--since", "--until"),
           digits_are_ms: bool = False) -> tuple[int | None, int | None]:
    """--since/--until text -> [since_ms, until_ms): ISO 8601 dates or times (UTC); a date
    alone as --until means up to the end of that day. `names` name them in errors;
    digits_are_ms: a number is epoch ms (the API), not seconds or ms by size."""
    from datetime import timedelta

    from casegraph.times import option_ms as parse

    since_ms, until_ms = parse(names[0], since, digits_are_ms), parse(names[1], until, digits_are_ms)
    if until_ms is not None and len(until.strip()) == 10:          # YYYY-MM-DD: the whole day
        until_ms += int(timedelta(days=1).total_seconds() * 1000)
    return since_ms, until_ms


def view(state: StateStore, actor: dict[str, Any], since_ms: int | None = None,
         until_ms: int | None = None) -> dict[str, Any]:
    """The KPIs for the period as `actor` sees them (they need view_kpis); the viewing is audited."""
    from casegraph import audit
    from casegraph.permissions import require
    require(actor, "view_kpis")
    found = compute(state, since_ms, until_ms)
    audit.record(state, actor["name"], "kpis.view", {"since": since_ms, "until": until_ms})
    return found


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _hours(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1f} h"


def headline(found: dict[str, Any]) -> list[tuple[str, str]]:
    """The headline numbers of `compute` as (label, text), as `casegraph kpis` and the KPIs page show them."""
    ttd = found["time_to_decision"]
    return [("period", f"{found['since'] or 'start'} .. {found['until'] or 'now'}"),
            ("resolution rate", f"{_pct(found['resolution_rate'])} "
                                f"({found['cases_resolved']} of {found['cases_created']} cases)"),
            ("time to decision, median", _hours(ttd["median"])),
            ("time to decision, p90", f"{_hours(ttd['p90'])} ({ttd['cases']} decisions)"),
            ("QA agreement", f"{_pct(found['qa_agreement'])} "
                             f"({found['agreeing_reviews']} of {found['second_reviews']} reviews)")]


def count_rows(per: dict[str, dict[str, int]], first: str, counts: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """per_detection or per_domain (or the desk's per_agency, per_country with DESK_COUNTS) as
    table rows: the name under `first`, then the counts."""
    names = COUNTS if counts is None else counts
    return [{first: name, **{c: (found or {}).get(c, 0) for c in names}} for name, found in sorted(per.items())]


# ---- the law-enforcement request desk (casegraph/requests.py; definitions: docs/le-desk.md) ----

DESK_COUNTS = ("received", "responded", "overdue")


def desk(state: StateStore, since_ms: int | None = None, until_ms: int | None = None, *,
         now: int | None = None) -> dict[str, Any]:
    """The request desk's KPIs for [since_ms, until_ms): requests received (received_at in the
    period) and responded (responded_at in it), the median and p90 hours from receipt to
    response of those responded, and the requests overdue now (received in the period, past
    their deadline, not responded, declined or closed); each also per agency and per country."""
    from casegraph.requests import flags
    from casegraph.state import le_requests, now_ms
    if since_ms is not None and until_ms is not None and until_ms <= since_ms:
        raise ConfigError("the period is empty: --until must be after --since")
    at = now if now is not None else now_ms()
    with state.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(
            le_requests.c.agency, le_requests.c.country, le_requests.c.status, le_requests.c.received_at,
            le_requests.c.responded_at, le_requests.c.deadline_at)).mappings()]
    per: dict[str, dict[str, dict[str, int]]] = {"per_agency": {}, "per_country": {}}
    hours: list[float] = []
    totals = dict.fromkeys(DESK_COUNTS, 0)
    for r in rows:
        got = {"received": _in(r["received_at"], since_ms, until_ms),
               "responded": _in(r["responded_at"], since_ms, until_ms)}
        got["overdue"] = got["received"] and flags(r, at)["overdue"]
        if got["responded"]:
            hours.append((r["responded_at"] - r["received_at"]) / 3_600_000)
        for name in DESK_COUNTS:
            if got[name]:
                totals[name] += 1
                for scope, key in (("per_agency", "agency"), ("per_country", "country")):
                    per[scope].setdefault(r[key], dict.fromkeys(DESK_COUNTS, 0))[name] += 1
    return {"since": iso(since_ms) or None, "until": iso(until_ms) or None, **totals,
            "time_to_respond": {"requests": len(hours), "median": statistics.median(hours) if hours else None,
                                "p90": percentile(hours, 90)}, **per}


def desk_headline(found: dict[str, Any]) -> list[tuple[str, str]]:
    """The desk's headline numbers as (label, text), as `casegraph kpis` shows them."""
    ttr = found["time_to_respond"]
    return [("LE requests received", str(found["received"])), ("LE requests responded", str(found["responded"])),
            ("time to respond, median", _hours(ttr["median"])),
            ("time to respond, p90", f"{_hours(ttr['p90'])} ({ttr['requests']} responses)"),
            ("LE requests overdue now", str(found["overdue"]))]
