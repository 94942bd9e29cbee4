"""The audit page's pure parts (app/pages/audit.py): the filter's time, table rows and the
hash chain's status line, over casegraph.audit's answers. Dash skips _ files, so these
import without an app."""
from __future__ import annotations

from typing import Any

from casegraph import audit
from casegraph.times import iso, option_ms


def since_ms(text: str | None) -> int | None:
    """An ISO 8601 date or time (UTC) typed in the filter, as epoch ms; blank = None."""
    return option_ms("since", text)


def rows_of(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Entries as table rows, in the order given (time in ISO 8601 UTC, details as canonical JSON)."""
    return [{"id": e["id"], "at": iso(e["at"]), "actor": e["actor"], "action": e["action"],
             "details": audit.canonical(e["details"])} for e in entries]


def chain_text(found: audit.ChainCheck, cases_differ: list[str] | tuple = ()) -> tuple[str, bool]:
    """One line on the hash chain (and the signed head kept outside the database) and on the
    cases checked against it (casegraph.cases.check_against_audit), and whether all is intact."""
    if found.broken_at is not None:
        return (f"hash chain BROKEN at entry {found.broken_at} (of {found.entries:,}): the log was changed there",
                False)
    if found.head:      # newest entries removed: the chain alone cannot tell
        return f"hash chain intact but {found.head}", False
    if cases_differ:
        more = f" (and {len(cases_differ) - 1} more)" if len(cases_differ) > 1 else ""
        return f"hash chain intact, but cases differ from it: {cases_differ[0]}{more}", False
    return f"hash chain intact: {found.entries:,} entries; cases agree with it", True


def count_text(total: int, shown: int) -> str:
    """"1,234 entries, newest 100 shown"."""
    return f"{total:,} entr{'y' if total == 1 else 'ies'}" + (f", newest {shown:,} shown" if total > shown else "")
