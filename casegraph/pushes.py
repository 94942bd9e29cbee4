"""Graph data other systems push over the API (watchlist entries, model groups) rather than
load from files: written through the load templates, so pushed data looks exactly like
loaded data (provenance `api:<actor>`, a load record in the state store)."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from casegraph.state import StateStore, now_ms


def write(store, state: StateStore, actor: dict[str, Any], kind: str, payload: Any,
          by_template: dict[str, list[dict[str, Any]]], at: int) -> str:
    """Run each load template over its rows under one load record of `kind`; returns the
    load id (the record says failed, with why, when a write fails)."""
    body = json.dumps(payload, sort_keys=True, default=str)
    load_id = hashlib.sha256(f"{actor['name']}:{at}:{body}".encode()).hexdigest()[:16]
    source = f"api:{actor['name']}"
    count = sum(len(rows) for rows in by_template.values())
    record = state.start_load(load_id=load_id, file=source, kind=kind,
                              sha256=hashlib.sha256(body.encode()).hexdigest(), db=store.backend.describe())
    try:
        for template, rows in by_template.items():
            store.write(template, {"rows": rows, "source": source, "load_id": load_id, "loaded_at": at})
    except BaseException as e:
        state.update_load(record, status="failed", finished_at=now_ms(), rows_read=count, message=str(e)[:500])
        raise
    state.update_load(record, status="complete", finished_at=now_ms(), rows_read=count, rows_written=count)
    return load_id
