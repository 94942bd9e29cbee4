"""Detections: named Cypher templates from cypher/detect/ plus the little Python that
turns their rows into explained results. Account-level results are
{account_id, score, reasons, ...}; ring-level results {ring_id, members, score, reasons, ...}.

Each detection is a module here exposing DETECTION (see silent_sufferers.py), which says
everything the rest of casegraph needs to know about it: its level, summary, downstream
domain (the KPIs), risk flag (the explorer), parameters (checking, the docs) and whether
it checks one input. The registry validates every DETECTION when it loads them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from casegraph.catalogue import Param, bind, catalogue, check_param
from casegraph.errors import DetectionError, QueryError
from casegraph.store import GraphStore

LEVELS = ("account", "ring", "report")
# The downstream teams (domains) findings go to: reward (referral) fraud; account takeover
# and scams; KYC fraud (batch-registered fake identities). casegraph.kpis counts per domain.
DOMAIN_NAMES = ("reward_fraud", "ato_scam", "kyc_fraud")


def header(*queries: str) -> tuple[Param, ...]:
    """The parameters the headers of built-in catalogue queries declare, in order."""
    return tuple(p for q in queries for p in catalogue().get(q).params)


@dataclass(frozen=True)
class Detection:
    """Everything casegraph knows about one detection, declared once in its module: the
    KPIs read `domain`, the explorer `risk_flag`, the docs and `--param` checking `params`.
    Give the fields by keyword."""
    name: str
    level: str                     # "account", "ring", or "report" (one result per scam report)
    summary: str
    domain: str                    # the downstream team its findings go to (DOMAIN_NAMES)
    risk_flag: str | None          # the flag its open alerts put on their accounts (graph.RISK_FLAGS)
    query: str                     # the catalogue query that finds the evidence
    explain: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
    # What `--param` takes. None: the header of `query` (a single-query detection). A runner
    # declares its own here, or passes on the headers of the templates it runs (header()).
    params: tuple[Param, ...] | None = None
    # Detections that need more than one query (a walk level by level, a check per input)
    # give run(store, params) -> results instead; `query` then names the first template.
    # A runner gets the user's values as given and checks them with DETECTION.bind first.
    runner: Callable[[GraphStore, dict[str, Any]], list[dict[str, Any]]] | None = None
    # A check of one input (a pending transfer, a trace's start) rather than a sweep of the
    # graph: without its parameters it returns [] (so `detect --all` passes it by).
    needs_input: bool = False
    # Accounts of rings an investigator confirmed (a case store decision) are left out of the
    # results (exclude_confirmed): silent_sufferers' fake accounts paying their operator.
    skip_confirmed_rings: bool = False
    # Transfers from a sender account under an active freeze (casegraph/freezes.py, a case
    # store record) are held: transfer_risk.
    holds_frozen_senders: bool = False
    # Results scoring below this are returned but not queued as alerts (a sweep like
    # scammer_links reaches thousands of accounts 3 hops out; the queue gets the close ones).
    alert_min_score: float = 0.0

    def __post_init__(self) -> None:
        if self.params is None:
            object.__setattr__(self, "params", header(self.query))

    def bind(self, given: dict[str, Any] | None) -> dict[str, Any]:
        """The user's values (strings from `--param k=v`, or Python values) checked against
        `params` and coerced, defaults filled in: one ParameterError per mistake. An empty
        value (`--param k=`) means the default."""
        cleaned = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in (given or {}).items()}
        return bind(self.params, cleaned, f"detection {self.name}")


def validate(d: Detection) -> None:
    """A DETECTION must describe itself fully: a known level and domain, a risk flag the
    explorer draws (or None), and parameters of catalogue types with distinct names."""
    from casegraph.graph import RISK_FLAGS
    where = f"detection {d.name}"
    if d.level not in LEVELS:
        raise DetectionError(f"{where}: level {d.level!r} is not one of {', '.join(LEVELS)}")
    if d.domain not in DOMAIN_NAMES:
        raise DetectionError(f"{where}: domain {d.domain!r} is not one of {', '.join(DOMAIN_NAMES)}")
    if d.risk_flag is not None and d.risk_flag not in RISK_FLAGS:
        raise DetectionError(f"{where}: risk flag {d.risk_flag!r} is not one of {', '.join(RISK_FLAGS)} (or None)")
    for p in d.params:
        if not isinstance(p, Param):
            raise DetectionError(f"{where}: parameter {p!r} is not a catalogue Param")
        try:
            check_param(p, where)       # a type in PARAM_TYPES, sensible bounds, a default that passes them
        except QueryError as e:
            raise DetectionError(str(e)) from None
    names = [p.name for p in d.params]
    if len(set(names)) != len(names):
        raise DetectionError(f"{where}: parameter names repeat: {', '.join(sorted(names))}")


_MODULES: dict[str, Any] = {}


def _modules() -> dict[str, Any]:
    """name -> module. One module per detection, each exposing DETECTION (and, where the
    generator's truth can score it, quality(results, truth)): a new module is found by itself,
    and checked (validate) before anything uses it."""
    if not _MODULES:
        import importlib
        import pkgutil
        found: dict[str, Any] = {}
        for info in pkgutil.iter_modules(__path__):
            if info.name.startswith("_"):
                continue    # helpers shared by detections are not detections
            module = importlib.import_module(f"{__name__}.{info.name}")
            d = getattr(module, "DETECTION", None)
            if d is not None:
                validate(d)
                if d.name in found:
                    raise DetectionError(f"two detections named {d.name}: {found[d.name].__name__} and {module.__name__}")
                found[d.name] = module
        _MODULES.update(found)
    return _MODULES


def get(name: str) -> Detection:
    try:
        return _modules()[name].DETECTION
    except KeyError:
        raise QueryError(f"no detection named {name!r}; there are {', '.join(names())}") from None


def module(name: str) -> Any:
    """The module behind a detection (its docstring documents it; quality() scores it)."""
    get(name)
    return _modules()[name]


def names() -> list[str]:
    return sorted(_modules())


def run(store: GraphStore, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run one detection; every result says why (reasons). Its queries run under the
    detection time limit (a batch job over the whole graph), not the user-query one."""
    d = get(name)
    if d.runner is not None:
        return d.runner(store.with_timeout(store.settings.detection_timeout_ms), dict(params or {}))
    values = d.bind(params)
    store = store.with_timeout(store.settings.detection_timeout_ms)
    return d.explain(store.read(d.query, values, row_limit=None).rows)


def exclude_confirmed(state, name: str, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Results minus accounts of confirmed rings, for detections that ask for it (the case
    store knows the verdicts; the graph does not)."""
    if state is None or not get(name).skip_confirmed_rings or not results:
        return results
    from casegraph.cases import confirmed_ring_members
    confirmed = confirmed_ring_members(state)
    return [r for r in results if r.get("account_id") not in confirmed]


def with_state(state, name: str, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Results as the case store's records change them: confirmed rings left out
    (exclude_confirmed), transfers from frozen senders held (casegraph/freezes.py)."""
    results = exclude_confirmed(state, name, results)
    if state is None or not get(name).holds_frozen_senders or not results:
        return results
    from casegraph.freezes import hold
    return hold(state, results)


@dataclass(frozen=True)
class Outcome:
    """One detection run into the alert queue."""
    name: str
    results: list[dict[str, Any]]
    new: int                       # alerts created
    updated: int                   # open alerts refreshed
    queued: int                    # results scoring at least alert_min_score (the rest: below)
    below: int                     # results scoring below it: returned, not queued

    @property
    def reviewed(self) -> int:
        """Queued results whose alert was already reviewed (closed), so left as it is."""
        return self.queued - self.new - self.updated


def queue(store: GraphStore, state, actor: str, names: Iterable[str], params: dict[str, Any] | None = None,
          on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Run detections one after another, store their results in the alert queue and record
    one `detect` audit entry per detection (by `actor`). `on_done` hears of each as it ends."""
    from casegraph import audit
    params = dict(params or {})
    out = []
    for name in names:
        results = with_state(state, name, run(store, name, params))
        new, updated = save_as_alerts(state, name, params, results)
        audit.record(state, actor, "detect", {"detection": name, "params": params, "results": len(results),
                                              "alerts_new": new, "alerts_updated": updated})
        below = sum(r["score"] < get(name).alert_min_score for r in results)
        outcome = Outcome(name, results, new, updated, len(results) - below, below)
        if on_done is not None:
            on_done(outcome)
        out.append(outcome)
    return out


def save_as_alerts(state, name: str, params: dict[str, Any], results: list[dict[str, Any]]) -> tuple[int, int]:
    """Store results scoring at least the detection's alert_min_score in the alert queue;
    returns (new, updated)."""
    d = get(name)
    queued = [r for r in results if r["score"] >= d.alert_min_score]
    return state.save_alerts(name, params, [(entity_key(d, r), entities(d, r), r) for r in queued])


def entities(detection: Detection, result: dict[str, Any]) -> list[str]:
    """The accounts and wallets an alert is about."""
    if detection.level == "ring":
        return list(result["members"])
    if detection.level == "report":
        return [result["suspect"]]
    return [result.get("account_id") or result.get("entity") or result.get("address")]


def entity_key(detection: Detection, result: dict[str, Any]) -> str:
    """What an alert is about: a ring's sorted members, a scam report, or one account or wallet."""
    if detection.level == "ring":
        return ",".join(sorted(result["members"]))
    if detection.level == "report":
        return result["report_id"]
    return entities(detection, result)[0]
