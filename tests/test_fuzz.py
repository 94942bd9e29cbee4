"""Fuzzing (hypothesis, bounded in examples and time) of what users hand casegraph: their own
Cypher, the files they load and the mappings they write. Whatever comes in, the answer is a
result or a casegraph error (a clear message), never another exception, never past its time
limit, and never memory beyond a stated bound (issue 12)."""
from __future__ import annotations

import csv
import io
import itertools
import os
import time
from dataclasses import replace

import psutil
import pytest
import yaml
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from casegraph.errors import CasegraphError
from casegraph.loaders.mapping import ENTRY_KEYS, load_mapping
from casegraph.loaders.pipeline import load
from casegraph.store import GraphStore, open_backend, parsecheck

MEMORY_MB = 300            # the test process grows by less than this over a whole fuzz run
QUERY_SECONDS = 1.0        # the time limit given to each fuzzed query
FUZZ = hsettings(max_examples=150, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

TOKENS = ["MATCH", "OPTIONAL MATCH", "RETURN", "WITH", "WHERE", "UNWIND", "AS", "ORDER BY", "LIMIT", "SKIP",
          "UNION", "ALL", "DISTINCT", "CALL", "db.labels()", "YIELD", "CASE", "WHEN", "THEN", "END", "SET",
          "DELETE", "CREATE", "MERGE", "(", ")", "[", "]", "{", "}", "-(", "-", "->", "<-", ":", ",", ".", "*",
          "=", "<>", "<", "+", "/", "%", "^", "|", "..", "Account", "Wallet", "TRANSFERRED", "n", "m", "r", "x",
          "1", "0", "-1", "1e400", "9223372036854775808", "'a'", '"b"', "'", '"', "`", "`set`", "$p", "$missing",
          "null", "true", "count(*)", "range(1, 100)", "range(1, 1000000000)", "size(", "toString(", "/*", "*/",
          "//", "\n", "\\", "\u00e9", "\x00"]
cypher_texts = st.one_of(
    st.lists(st.sampled_from(TOKENS), min_size=1, max_size=40).map(" ".join),
    st.text(max_size=200),
)


def _rss_mb() -> float:
    return psutil.Process(os.getpid()).memory_info().rss / 2**20


@pytest.fixture(scope="module")
def baseline_rss():
    return _rss_mb()


@FUZZ
@given(text=cypher_texts)
def test_user_cypher_answers_or_refuses_in_time(store, baseline_rss, text):
    started = time.monotonic()
    try:
        store.read_cypher(text, {"p": 1}, timeout_ms=int(QUERY_SECONDS * 1000), row_limit=100)
    except CasegraphError:
        pass
    # the query's own limit, the parse server's limit tried twice, and a restart
    assert time.monotonic() - started < QUERY_SECONDS + 2 * parsecheck.PARSE_LIMIT_S + 5, text
    assert _rss_mb() - baseline_rss < MEMORY_MB


ACCOUNT_COLUMNS = ["account_id", "registered_at", "country", "kyc_level", "status", "referral_code", "referred_by"]
cells = st.one_of(st.text(max_size=12), st.integers(), st.sampled_from(
    ["", " ", "1e400", "-1e400", "nan", "9223372036854775808", "-9223372036854775809", "=1+1", "@x", "+1", "-5",
     "2024-01-01T00:00:00Z", "2024-02-30T00:00:00Z", "1704067200000", "1.0", "A1", "A1 ", '"', "\n", "\r", ",",
     "\u00e9", "x" * 2000]))
rows = st.lists(st.lists(cells, min_size=0, max_size=9), max_size=12)
_graphs = itertools.count()


def _csv_text(header: list[str], body: list[list], well_formed: bool) -> str:
    if well_formed:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([header, *body])
        return buf.getvalue()
    return "\n".join(",".join(str(c) for c in r) for r in [header, *body]) + "\n"


@FUZZ
@given(body=rows, well_formed=st.booleans(), bulk=st.booleans())
def test_a_load_of_any_rows_accounts_for_every_row(settings, state, tmp_path_factory, baseline_rss, body,
                                                    well_formed, bulk):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "accounts.csv").write_text(_csv_text(ACCOUNT_COLUMNS, body, well_formed), encoding="utf-8")
    s = replace(settings, graph=f"{settings.graph}_fuzz{next(_graphs)}")
    store = GraphStore(open_backend(s), s)
    try:
        try:
            report = load(store, state, [folder], rejects_dir=folder / "rej", bulk=bulk)
        except CasegraphError:
            assert store.counts()["nodes"]["Account"] == 0 or not bulk    # a refused bulk load wrote nothing
            return
        for f in report.files:
            # nothing lost silently: every row read was written, rejected (with a reason) or filtered
            assert f.rows_read == f.rows_written + f.rows_rejected + f.rows_filtered + f.rows_conflicting, f
            assert len(f.errors) >= min(f.rows_rejected, 1)
        written = sum(f.rows_written for f in report.files)
        assert (store.counts()["nodes"]["Account"] > 0) == (written > 0)
    finally:
        store.backend._graph.delete()
        store.close()
    assert _rss_mb() - baseline_rss < MEMORY_MB


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=10))
yaml_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.sampled_from(sorted(ENTRY_KEYS)), st.text(max_size=6)),
                                                 inner, max_size=5)), max_leaves=20)
entries = st.dictionaries(st.sampled_from(sorted(ENTRY_KEYS)), st.one_of(
    yaml_values, st.sampled_from(["accounts", "transfers", "*.csv", "utf-8", "klingon", ",", "||", "x"])), max_size=8)


@FUZZ
@given(doc=st.one_of(st.fixed_dictionaries({"files": st.lists(entries, max_size=3)}), yaml_values),
       raw=st.one_of(st.none(), st.text(max_size=300)))
def test_any_mapping_is_accepted_or_one_clear_error(tmp_path_factory, doc, raw):
    folder = tmp_path_factory.mktemp("mapping")
    path = folder / "m.yaml"
    path.write_text(raw if raw is not None else yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    (folder / "x.csv").write_text("a,b\n1,2\n")
    try:
        mapping = load_mapping(path)
        for plan in mapping.plans_for(folder / "x.csv"):
            plan.check_columns()
    except CasegraphError as e:
        assert "\n" not in str(e).strip() or len(str(e)) < 2000
