"""Detections: named Cypher templates from cypher/detect/ plus the little Python that
turns their rows into explained results. Account-level results are
{account_id, score, reasons, ...}; ring-level results {ring_id, members, score, reasons, ...}.

Each detection is a module here exposing DETECTION (see silent_sufferers.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from casegraph.errors import QueryError
from casegraph.store import GraphStore


@dataclass(frozen=True)
class Detection:
    name: str
    level: str                     # "account", "ring", or "report" (one result per scam report)
    query: str                     # the catalogue query that finds the evidence
    explain: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
    summary: str
    # Detections that need more than one query (a walk level by level, a check per input)
    # give run(store, params) -> results instead; `query` then names the first template.
    runner: Callable[[GraphStore, dict[str, Any]], list[dict[str, Any]]] | None = None
    # A check of one input (a pending transfer, a trace's start) rather than a sweep of the
    # graph: without its parameters it returns [] (so `detect --all` passes it by).
    needs_input: bool = False
    # Results scoring below this are returned but not queued as alerts (a sweep like
    # scammer_links reaches thousands of accounts 3 hops out; the queue gets the close ones).
    alert_min_score: float = 0.0


_MODULES: dict[str, Any] = {}


def _modules() -> dict[str, Any]:
    """name -> module. One module per detection, each exposing DETECTION (and, where the
    generator's truth can score it, quality(results, truth)): a new module is found by itself."""
    if not _MODULES:
        import importlib
        import pkgutil
        for info in pkgutil.iter_modules(__path__):
            if info.name.startswith("_"):
                continue    # helpers shared by detections are not detections
            module = importlib.import_module(f"{__name__}.{info.name}")
            d = getattr(module, "DETECTION", None)
            if d is not None:
                _MODULES[d.name] = module
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


def run(store: GraphStore, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run one detection; every result says why (reasons). Its queries run under the
    detection time limit (a batch job over the whole graph), not the user-query one."""
    d = get(name)
    store = store.with_timeout(store.settings.detection_timeout_ms)
    if d.runner is not None:
        return d.runner(store, dict(params or {}))
    res = store.read(d.query, params or {}, row_limit=None)
    return d.explain(res.rows)


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


def names() -> list[str]:
    return sorted(_modules())
