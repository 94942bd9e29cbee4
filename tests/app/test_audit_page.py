"""app/pages/_audit.py: the audit page's rows, filter time, count and hash-chain line, over
casegraph.audit's answers from a real SQLite state store."""
from __future__ import annotations

import pytest

from casegraph import audit
from casegraph.app.pages import _audit as page
from casegraph.errors import ConfigError
from casegraph.state import open_state


def test_audit_page_rows_since_count_and_chain_line(tmp_path):
    state = open_state(f"sqlite:///{tmp_path / 'state.sqlite'}")
    for i in range(5):
        audit.record(state, f"u{i}", "login", {"n": i})
    rows = page.rows_of(audit.entries(state, limit=3, newest_first=True))
    assert [r["id"] for r in rows] == [5, 4, 3] and rows[0]["details"] == '{"n":4}'
    assert rows[0]["at"].endswith("Z")
    assert page.since_ms("2026-01-31") == 1769817600000 and page.since_ms(" ") is None
    with pytest.raises(ConfigError, match="not a date"):
        page.since_ms("last tuesday")
    assert page.count_text(5, 3) == "5 entries, newest 3 shown" and page.count_text(1, 1) == "1 entry"
    assert page.chain_text(audit.check(state)) == ("hash chain intact: 5 entries; cases agree with it", True)
    text, intact = page.chain_text(audit.check(state), ["case 3: its status history differs", "case 4: x"])
    assert not intact and text == ("hash chain intact, but cases differ from it: case 3: its status history "
                                   "differs (and 1 more)")
    with state.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        conn.exec_driver_sql("UPDATE audit_log SET actor = 'someone' WHERE id = 2")
    text, intact = page.chain_text(audit.check(state))
    assert not intact and text.startswith("hash chain BROKEN at entry 2 (of 5)")
