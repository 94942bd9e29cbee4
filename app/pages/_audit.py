"""The audit page's pure parts (app/pages/audit.py): the filter's time, table rows, the
hash chain's status and the filter menus. Dash skips _ files, so these import without an app."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from casegraph import audit
from casegraph.times import iso
from casegraph.state import audit_log


def since_ms(text: str | None) -> int | None:
    """An ISO 8601 date or time (UTC) typed in the filter, as epoch ms; blank = None."""
    from casegraph.times import option_ms
    return option_ms("since", text)


def rows_of(entries: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The newest `limit` entries, newest first, as table rows (time in ISO 8601 UTC)."""
    return [{"id": e["id"], "at": iso(e["at"]), "actor": e["actor"], "action": e["action"],
             "details": audit.canonical(e["details"])} for e in reversed(entries[-limit:])]


def chain_status(state) -> tuple[str, bool]:
    """One line on the hash chain (and the head kept outside the database), and whether it is intact."""
    broken = audit.verify_chain(state)
    with state.engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one()
    if broken is not None:
        return f"hash chain BROKEN at entry {broken} (of {total:,}): the log was changed there", False
    head = audit.check_head(state)     # newest entries removed: the chain alone cannot tell
    if head:
        return f"hash chain intact but {head}", False
    return f"hash chain intact: {total:,} entries", True


def known(state, column: str) -> list[str]:
    """The distinct actors or actions in the log, for the filter menus."""
    col = audit_log.c[column]
    with state.engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.select(col).distinct().order_by(col))]
