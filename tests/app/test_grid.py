"""The results grid's pure functions (app/pages/_grid.py): a Result -> AG Grid columnDefs and
rowData, without a browser or a database."""
from __future__ import annotations

import pytest

from casegraph.app.pages import _grid as g
from casegraph.store import Node, Path, Relationship, Result

A1 = Node("1", ("Account",), {"account_id": "A1"})
A2 = Node("2", ("Account",), {"account_id": "A2"})
D1 = Node("3", ("Device",), {"device_id": "D1"})
USED = Relationship("r1", "USED_DEVICE", "1", "3", {})
USED2 = Relationship("r2", "USED_DEVICE", "2", "3", {})


def test_times_become_iso_text_with_a_date_filter_numbers_stay_numbers():
    res = Result(columns=["registered_at", "first_withdrawal_at", "users", "at", "flag", "signup_span_hours"],
                 rows=[{"registered_at": 1704067200000, "first_withdrawal_at": 1704153600000.0, "users": 3,
                        "at": None, "flag": True, "signup_span_hours": 1.5},
                       {"registered_at": 1704067201500, "first_withdrawal_at": None, "users": 10,
                        "at": None, "flag": False, "signup_span_hours": 0}])
    columns, rows = g.grid_data(res)
    assert rows[0] == {"registered_at": "2024-01-01T00:00:00Z", "first_withdrawal_at": "2024-01-02T00:00:00Z",
                       "users": 3, "at": None, "flag": "true", "signup_span_hours": 1.5}
    assert rows[1]["registered_at"] == "2024-01-01T00:00:01.500000Z" and rows[1]["first_withdrawal_at"] is None
    kinds = {c["field"]: (c["cellDataType"], c["filter"]) for c in columns}
    assert kinds == {"registered_at": ("dateTimeString", "agDateColumnFilter"),
                     "first_withdrawal_at": ("dateTimeString", "agDateColumnFilter"),
                     "users": ("number", "agNumberColumnFilter"),
                     "signup_span_hours": ("number", "agNumberColumnFilter"),
                     "at": ("text", "agTextColumnFilter"),            # all blank: nothing to filter by date
                     "flag": ("text", "agTextColumnFilter")}
    assert [c["field"] for c in columns] == res.columns                # the result's order
    assert [c["headerName"] for c in columns] == res.columns


def test_a_time_column_with_text_or_an_impossible_time_is_not_a_date_column():
    res = Result(columns=["x_at", "y_at"], rows=[{"x_at": "soon", "y_at": 10 ** 20}, {"x_at": 5, "y_at": 1}])
    columns, rows = g.grid_data(res)
    assert [c["cellDataType"] for c in columns] == ["text", "number"]
    assert rows == [{"x_at": "soon", "y_at": 10 ** 20}, {"x_at": "5", "y_at": 1}]   # text column: all text


def test_graph_values_read_as_label_key_and_arrows():
    path = Path((A1, D1, A2), (USED, USED2))
    res = Result(columns=["a", "r", "p", "dangling", "unkeyed"],
                 rows=[{"a": A1, "r": USED, "p": path,
                        "dangling": Relationship("r9", "TRANSFERRED", "1", "99", {}),
                        "unkeyed": Node("8", ("Thing", "Other"), {})}],
                 nodes={"1": A1, "2": A2, "3": D1})
    columns, rows = g.grid_data(res)
    assert rows == [{"a": "Account:A1", "r": "Account:A1 -[USED_DEVICE]-> Device:D1",
                     "p": "Account:A1 -[USED_DEVICE]-> Device:D1 <-[USED_DEVICE]- Account:A2",
                     "dangling": "[TRANSFERRED]", "unkeyed": "(Thing:Other)"}]
    assert all(c["cellDataType"] == "text" and c["tooltipField"] == c["field"] for c in columns)


def test_lists_and_maps_read_as_text_not_json():
    res = Result(columns=["xs", "m", "nested", "empty"],
                 rows=[{"xs": [A1, "b", 3, None], "m": {"devices": 2, "ips": ["1.1.1.1", "2.2.2.2"]},
                        "nested": [[1, 2], {"k": True}], "empty": []}])
    _, rows = g.grid_data(res)
    assert rows == [{"xs": "Account:A1, b, 3, ", "m": "devices: 2, ips: [1.1.1.1, 2.2.2.2]",
                     "nested": "[1, 2], {k: true}", "empty": ""}]
    assert "[" not in rows[0]["xs"] and "{" not in rows[0]["m"].split(",")[0]


def test_a_long_cell_is_cut():
    res = Result(columns=["xs"], rows=[{"xs": list(range(1000))}])
    _, rows = g.grid_data(res)
    assert len(rows[0]["xs"]) == g.CELL_MAX and rows[0]["xs"].endswith("…") and rows[0]["xs"].startswith("0, 1, 2")


def test_dotted_columns_are_fields_not_paths():
    res = Result(columns=["a.account_id", "count(*)"], rows=[{"a.account_id": "A1", "count(*)": 2}])
    columns, rows = g.grid_data(res)
    assert [c["field"] for c in columns] == ["a.account_id", "count(*)"] and rows == [res.rows[0]]
    assert g.grid_options()["suppressFieldDotNotation"] is True


def test_grid_copies_and_exports():
    opts = g.grid_options()
    assert opts["enableCellTextSelection"] is True and opts["ensureDomOrder"] is True
    assert g.export_name("find_account") == "find_account.csv"
    assert g.export_name(None) == "cypher.csv" and g.export_name("../x y") == "___x_y.csv"
    grid = g.results_grid("some-grid")
    assert grid.style["height"] == g.HEIGHT                           # fixed height: rows are virtualised
    assert grid.defaultColDef["sortable"] and grid.defaultColDef["filter"] and grid.defaultColDef["floatingFilter"]
    assert grid.csvExportParams == {"fileName": "cypher.csv"} and grid.rowData == []


def test_an_empty_result_is_an_empty_grid():
    assert g.grid_data(Result(columns=["n"], rows=[])) == ([g.column_def("n", g.TEXT)], [])


def test_search_hits_as_rows_linking_to_the_explorer():
    from casegraph.app.pages._tables import explorer_href
    hits = [{"id": "Account:A1", "kind": "Account", "key": "A1", "label": "A1", "detail": "registered_at 2024"},
            {"id": "Wallet:0xab/c", "kind": "Wallet", "key": "0xab/c", "label": "hot wallet"}]
    assert g.hit_rows(hits, frozen={"Wallet:0xab/c"}) == [
        {"kind": "Account", "key": "A1", "label": "", "detail": "registered_at 2024", "href": explorer_href(["Account:A1"]),
         "state": ""},
        {"kind": "Wallet", "key": "0xab/c", "label": "hot wallet", "detail": "", "href": explorer_href(["Wallet:0xab/c"]),
         "state": "frozen"}]
    columns = {c["field"]: c for c in g.hit_columns()}
    assert list(columns) == ["kind", "key", "label", "detail", "state"]  # the link is no column of its own
    assert columns["state"]["cellRenderer"] == "GridTag"                 # "frozen" as the tag search shows
    assert columns["key"]["cellRenderer"] == "GridLink"
    assert columns["key"]["cellRendererParams"] == {"hrefField": "href", "className": "search-hit"}
    assert columns["kind"]["cellRenderer"] == "GridTag"


def test_renderers_named_by_columns_are_defined_in_the_assets():
    from pathlib import Path
    import casegraph.app
    script = (Path(casegraph.app.__file__).parent / "assets" / "grid.js").read_text()
    for column in g.hit_columns():
        if "cellRenderer" in column:
            assert f"renderers.{column['cellRenderer']} = function" in script


def test_a_grid_is_as_tall_as_its_rows_up_to_its_height():
    assert g.fit_height(1) == f"{g._CHROME_PX + g.ROW_PX}px" == g.fit_height(0)
    assert g.fit_height(3) == f"{g._CHROME_PX + 3 * g.ROW_PX}px"
    assert g.fit_height(10_000) == g.HEIGHT


def test_a_table_of_plain_rows_links_columns_and_types_them():
    grid = g.table("t-grid", ["id", "open", "score", "at", "note"], [{"id": 1, "open": "open", "open_href": "/x"}],
                   links={"open": "open_href"}, kinds={"id": g.NUMBER, "score": g.NUMBER, "at": g.TIME})
    columns = {c["field"]: c for c in grid.columnDefs}
    assert list(columns) == ["id", "open", "score", "at", "note"]         # the link's href is no column
    assert columns["open"]["cellRenderer"] == "GridLink"
    assert columns["open"]["cellRendererParams"]["hrefField"] == "open_href"
    assert [columns[c]["filter"] for c in ("id", "score", "at", "note")] == [
        "agNumberColumnFilter", "agNumberColumnFilter", "agDateColumnFilter", "agTextColumnFilter"]
    assert grid.rowData == [{"id": 1, "open": "open", "open_href": "/x"}] and grid.style["height"] == g.HEIGHT
    assert "rowSelection" not in grid.dashGridOptions and "rowClassRules" not in grid.dashGridOptions
    assert grid.dashGridOptions["enableCellTextSelection"] is True                 # copyable, like the results
    assert grid.dashGridOptions["suppressColumnVirtualisation"] is True          # every cell of a row drawn


def test_a_short_table_is_as_tall_as_its_rows_and_a_selectable_one_ticks_rows():
    short = g.table("s-grid", ["a"], height=None)
    assert short.dashGridOptions["domLayout"] == "autoHeight" and "height" not in short.style
    picked = g.table("p-grid", ["a"], select=True, selectedRows=[])
    assert picked.dashGridOptions["rowSelection"] == {"mode": "multiRow", "selectAll": "filtered"}
    assert picked.selectedRows == [] and "domLayout" not in picked.dashGridOptions
    assert picked.dashGridOptions["selectionColumnDef"]["maxWidth"] < g.MIN_WIDTH   # the boxes' column stays narrow


def test_narrow_columns_stay_narrow_and_wrapped_ones_show_their_whole_text():
    columns = {c["field"]: c for c in g.table_columns(["id", "reasons", "x"], narrow=("id",), wrap=("reasons",))}
    assert columns["id"]["maxWidth"] <= g.MIN_WIDTH and "wrapText" not in columns["id"]
    assert columns["reasons"]["wrapText"] is True and columns["reasons"]["autoHeight"] is True
    assert columns["x"] == g.column_def("x", g.TEXT)


def test_row_class_rules_are_plain_comparisons():
    grid = g.table("q-grid", ["flag"], row_classes={"overdue": ("flag", "OVERDUE")})
    assert grid.dashGridOptions["rowClassRules"] == {"overdue": "params.data && params.data.flag === 'OVERDUE'"}
    for bad in (("flag", "x' || true || '"), ("flag.x", "OVERDUE"), ("flag", "a;b")):
        with pytest.raises(ValueError, match="plain words"):
            g.row_class_rules({"bad": bad})
