"""What analysts run: a saved query from the catalogue, or their own read-only Cypher, as a
user (the permission first), recorded in the audit log before it runs (so refused and
timed-out queries are on record too), under the time and row limits of the settings.
`casegraph query run` / `query cypher` and the Saved queries page both come here."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from casegraph import audit
from casegraph.catalogue import Catalogue, Query, builtin_root
from casegraph.errors import NotFound, QueryError
from casegraph.permissions import require
from casegraph.state import StateStore
from casegraph.store import GraphStore, Result


def for_analysts(catalogue: Catalogue) -> list[Query]:
    """The saved queries meant for analysts: read queries that are either the user's own
    (the queries_dir folder, read-only by rule) or built-in at the top of cypher/. The
    built-in subfolders (api/, cases/, detect/, evidence/, load/, ui/ and the dialect
    folders) hold the templates the API, cases, detections, evidence packages, the loader
    and the UI run as building blocks: not listed, and not run by name over the API."""
    top = Path(builtin_root()).resolve()
    return [q for q in catalogue if q.mode == "read" and (not q.builtin or Path(q.path).resolve().parent == top)]


def for_analyst(catalogue: Catalogue, name: str) -> Query:
    """The saved query `name` of for_analysts (NotFound for any other name)."""
    found = {q.name: q for q in for_analysts(catalogue)}.get(name)
    if found is None:
        raise NotFound(f"no saved query for analysts named {name!r}")
    return found


def run_saved(store: GraphStore, state: StateStore, actor: dict[str, Any], name: str,
              params: dict[str, Any] | None = None, *, timeout_ms: int | None = None,
              row_limit: int | None = None) -> Result:
    """Run the saved read query `name` with `params` (checked against its header)."""
    require(actor, "run_saved_query")
    audit.record(state, actor["name"], "query.run", {"name": name, "params": params or {}})
    if store.queries.get(name).mode != "read":
        raise QueryError(f"query {name} writes; saved queries run read-only")
    return store.read(name, params or {}, timeout_ms=timeout_ms, row_limit=row_limit or store.settings.row_limit)


def run_cypher(store: GraphStore, state: StateStore, actor: dict[str, Any], text: str,
               params: dict[str, Any] | None = None, *, timeout_ms: int | None = None,
               row_limit: int | None = None) -> Result:
    """Run the user's own Cypher read-only (refused before the database if it writes)."""
    require(actor, "run_adhoc_query")
    audit.record(state, actor["name"], "query.cypher", {"text": text, "params": params or {}})
    return store.read_cypher(text, params or {}, timeout_ms=timeout_ms, row_limit=row_limit)
