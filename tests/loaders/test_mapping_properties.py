"""Issue 13, property-based: generated CSV exports (random column names, delimiters, repeated
ids with equal or different values, bad cells, filtered rows, kept columns) loaded through a
generated mapping. Whatever the rows, the graph read back holds exactly the accepted rows, every
other row is in the rejects file with its line and field (or counted as filtered), and the
summary's counts add up. The expected outcome is computed here, row by row, from how each row
was generated, not by the loader's code."""
from __future__ import annotations

import csv
import itertools
from dataclasses import replace

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from casegraph.loaders.mapping import load_mapping
from casegraph.loaders.pipeline import load
from casegraph.store import GraphStore, open_backend

PROPS = hsettings(max_examples=40, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
FIELDS = ["tx", "src", "dst", "amount", "asset", "at", "channel", "flag"]
NAMES = ["TxnID", "from", "to", "Amount", "Currency", "epoch", "Channel", "keep?", "x_1", "Sender Id", "recv",
         "value", "ccy", "ts", "chan", "ok"]
_graphs = itertools.count()

row = st.fixed_dictionaries({
    "tx": st.sampled_from(["T1", "T2", "T3", "T4", "T5", "T6"]),
    "src": st.sampled_from(["a", "b", "c", ""]),
    "dst": st.sampled_from(["a", "b", "c"]),
    "amount": st.sampled_from(["1", "2.5", "10", "0.001", "1e3", "x", "", "1,5"]),
    "asset": st.sampled_from(["BTC", "ETH", "USDT"]),
    "at": st.sampled_from(["1700000000", "1700003600", "1700007200", "soon", "-"]),
    "channel": st.sampled_from(["app", "web", ""]),
    "flag": st.sampled_from(["yes", "yes", "yes", "no"]),
})


def _expected(rows: list[dict], keep: bool):
    """What a load must do with each row: (accepted elements by id, {line: field word}, filtered lines)."""
    accepted: dict[str, dict] = {}
    bad: dict[int, str] = {}
    filtered = []
    for line, r in enumerate(rows, start=2):
        if r["flag"] != "yes":
            filtered.append(line)
            continue
        wrong = [f for f in ("src", "amount", "at") if not _valid(f, r[f])]
        if wrong:
            bad[line] = {"src": "field from_account", "amount": "field amount", "at": "field at"}[wrong[0]]
            continue
        value = {"from": r["src"], "to": r["dst"], "amount": float(r["amount"]), "asset": r["asset"],
                 "at": int(r["at"]) * 1000, "channel": (r["channel"] or None) if keep else None}
        first = accepted.get(r["tx"])
        if first is None:
            accepted[r["tx"]] = value
        elif any(first[k] is not None and value[k] is not None and first[k] != value[k] for k in value):
            bad[line] = "(key) tx_id"
        elif first["channel"] is None:
            first["channel"] = value["channel"]
    return accepted, bad, filtered


def _valid(field: str, cell: str) -> bool:
    if field == "src":
        return cell != ""
    if field == "amount":
        try:
            float(cell)
            return True
        except ValueError:
            return False
    return cell.isdigit()


@PROPS
@given(rows=st.lists(row, min_size=1, max_size=25), names=st.permutations(NAMES),
       delimiter=st.sampled_from([",", ";", "|", "\t"]), keep=st.booleans(), bulk=st.booleans())
def test_every_row_is_loaded_rejected_or_filtered_and_the_counts_add_up(settings, sqlite_state, tmp_path_factory,
                                                                        rows, names, delimiter, keep, bulk):
    folder = tmp_path_factory.mktemp("props")
    col = dict(zip(FIELDS, names))
    with open(folder / "ledger.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow([col[f] for f in FIELDS])
        w.writerows([[r[f] for f in FIELDS] for r in rows])
    q = {f: col[f].replace("'", "''") for f in FIELDS}
    (folder / "m.yaml").write_text(f"""files:
  - match: ledger.csv
    kind: transfers
    columns:
      tx_id: '{q["tx"]}'
      from_account: '{q["src"]}'
      to_account: '{q["dst"]}'
      amount: '{q["amount"]}'
      asset: '{q["asset"]}'
      at: {{column: '{q["at"]}', format: epoch_s}}
    where: [{{column: '{q["flag"]}', equals: yes}}]
""" + (f"    keep: [{{column: '{q['channel']}', as: channel}}]\n" if keep else ""), encoding="utf-8")
    s = replace(settings, graph=f"{settings.graph}_props{next(_graphs)}")
    store = GraphStore(open_backend(s), s)
    try:
        report = load(store, sqlite_state, [folder / "ledger.csv"], mapping=load_mapping(folder / "m.yaml"),
                      rejects_dir=folder / "rej", bulk=bulk)
        accepted, bad, filtered = _expected(rows, keep)
        f, = report.files
        assert f.rows_read == len(rows)
        assert f.rows_written + f.rows_rejected + f.rows_filtered + f.rows_conflicting == f.rows_read
        assert f.rows_filtered == len(filtered)
        assert f.rows_rejected + f.rows_conflicting == len(bad)
        got = store.read_cypher(
            "MATCH (a:Account)-[r:TRANSFERRED]->(b:Account) RETURN r.tx_id AS tx, a.account_id AS from, "
            "b.account_id AS to, r.amount AS amount, r.asset AS asset, r.at AS at, r.channel AS channel").rows
        assert {g.pop("tx"): g for g in got} == accepted
        rejected = {}
        if f.rejects_file:
            with open(f.rejects_file, newline="", encoding="utf-8") as fh:
                for r in csv.DictReader(fh):
                    rejected[int(r["line"])] = r["field"]
        assert set(rejected) == set(bad)
        for line, field in bad.items():
            assert field in rejected[line], (line, field, rejected[line])
    finally:
        try:
            store.backend._graph.delete()
        except Exception:  # noqa: BLE001 - nothing was written, so there is no graph to delete
            pass
        store.close()
