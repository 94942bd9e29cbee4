"""Query results as an AG Grid (dash-ag-grid): pure functions from a casegraph Result to the
grid's columnDefs and rowData, and the one grid component the pages build from them.

Cells are what an analyst reads, computed here rather than by JavaScript value formatters
(the CSP allows no eval, and a CSV export then holds exactly what the grid shows): times as
ISO 8601 UTC text, graph nodes as Label:key, relationships and paths as arrows between them,
lists joined with ", " and maps as "key: value". Each column gets the filter its values need:
a date filter on time columns, a number filter on numeric ones, text otherwise."""
from __future__ import annotations

from typing import Any

import dash_ag_grid as dag      # at import time: Dash serves a component library's scripts only when
                                # it was imported before the first request

from casegraph.app.pages._tables import explorer_href, time_columns
from casegraph.times import EPOCH_MS_MAX, iso

HEIGHT = "460px"          # a fixed height: AG Grid then renders only the rows in view
MIN_WIDTH = 130          # px per column
ROW_PX = 42               # AG Grid's row height (quartz theme), for fit_height
_CHROME_PX = 2 * 49 + 4   # the header and the filter row, and the borders
CELL_MAX = 500            # characters in one cell (a long list is cut, with "…")

TIME, NUMBER, TEXT = "time", "number", "text"
# column kind -> (AG Grid cellDataType, filter)
_KINDS = {TIME: ("dateTimeString", "agDateColumnFilter"), NUMBER: ("number", "agNumberColumnFilter"),
          TEXT: ("text", "agTextColumnFilter")}


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def node_text(node) -> str:
    """A node as Label:key (its element id), or (Label) when it is no model node with a key."""
    from casegraph.graph import node_element_id
    return node_element_id(node) or f"({':'.join(node.labels)})"


def _rel_text(rel, nodes: dict) -> str:
    start, end = nodes.get(rel.start), nodes.get(rel.end)
    if start is None or end is None:
        return f"[{rel.type}]"
    return f"{node_text(start)} -[{rel.type}]-> {node_text(end)}"


def _path_text(path) -> str:
    parts = [node_text(path.nodes[0])] if path.nodes else []
    for i, rel in enumerate(path.relationships):
        here, there = path.nodes[i], path.nodes[i + 1]
        arrow = f"-[{rel.type}]->" if rel.start == here.id else f"<-[{rel.type}]-"
        parts += [arrow, node_text(there)]
    return " ".join(parts)


def text(value: Any, nodes: dict | None = None, nested: bool = False) -> str:
    """Any result value as readable text: nodes as Label:key, a relationship as
    `Label:key -[TYPE]-> Label:key` (its ends looked up in `nodes`, the Result's nodes by
    backend id), a path as its chain of arrows, lists joined with ", " (a list inside a list
    in brackets), maps as "key: value" pairs, None as ""."""
    from casegraph.store import Node, Path, Relationship
    nodes = nodes or {}
    if value is None:
        return ""
    if isinstance(value, Node):
        return node_text(value)
    if isinstance(value, Relationship):
        return _rel_text(value, nodes)
    if isinstance(value, Path):
        return _path_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(text(v, nodes, True) for v in value)
        return f"[{inner}]" if nested else inner
    if isinstance(value, dict):
        inner = ", ".join(f"{k}: {text(v, nodes, True)}" for k, v in value.items())
        return f"{{{inner}}}" if nested else inner
    return str(value)


def _cut(s: str) -> str:
    return s if len(s) <= CELL_MAX else s[:CELL_MAX - 1] + "…"


def column_kind(name: str, values: list[Any], times: set[str]) -> str:
    """TIME for a time column (named as one, every value epoch ms up to the year 3000), NUMBER
    when every value is a number, else TEXT (blanks are ignored; an all-blank column is TEXT)."""
    present = [v for v in values if v is not None]
    if not present or not all(_is_number(v) for v in present):
        return TEXT
    return TIME if name in times and all(abs(v) <= EPOCH_MS_MAX for v in present) else NUMBER


def cell(value: Any, kind: str, nodes: dict | None = None) -> Any:
    """One value as the grid holds it: ISO text in a TIME column, the number in a NUMBER
    column, readable text otherwise (None stays None: an empty cell)."""
    if value is None:
        return None
    if kind == TIME:
        return iso(int(value))
    if kind == NUMBER:
        return value
    return _cut(text(value, nodes))


def column_def(name: str, kind: str) -> dict:
    """The AG Grid column for result column `name`: sortable, with the filter of its kind,
    the full text on hover (a long cell is cut at the column's width)."""
    data_type, flt = _KINDS[kind]
    out = {"field": name, "headerName": name, "cellDataType": data_type, "filter": flt}
    if kind == TEXT:
        out["tooltipField"] = name
    return out


def grid_data(res) -> tuple[list[dict], list[dict]]:
    """A Result -> (columnDefs, rowData): one column per result column, in order; rows keyed
    by column name (fields are taken whole: the grid is told not to read dots as paths)."""
    times = time_columns(list(res.columns))
    kinds = {c: column_kind(c, [r.get(c) for r in res.rows], times) for c in res.columns}
    rows = [{c: cell(r.get(c), kinds[c], res.nodes) for c in res.columns} for r in res.rows]
    return [column_def(c, kinds[c]) for c in res.columns], rows


def link_column(field: str, href_field: str, class_name: str = "") -> dict:
    """A text column whose cells link to the row's `href_field` inside the app (the GridLink
    renderer of app/assets/grid.js: a dcc.Link, so the page opens without reloading the app)."""
    return {**column_def(field, TEXT), "cellRenderer": "GridLink",
            "cellRendererParams": {"hrefField": href_field, "className": class_name}}


def hit_columns() -> list[dict]:
    """Search hits' columns: the kind as a tag, the key linking to the explorer, label, detail,
    and "frozen" as a tag on an account or wallet with an active freeze order."""
    kind = {**column_def("kind", TEXT), "cellRenderer": "GridTag", "maxWidth": 160}
    state = {**column_def("state", TEXT), "cellRenderer": "GridTag", "maxWidth": 120}
    return [kind, link_column("key", "href", "search-hit"), column_def("label", TEXT), column_def("detail", TEXT),
            state]


def hit_rows(hits: list[dict], frozen: set[str] = frozenset()) -> list[dict]:
    """Search hits -> rows: kind, key, label (when it says more than the key), detail, the
    explorer link of each, and state "frozen" for those in `frozen`."""
    return [{"kind": h["kind"], "key": h["key"],
             "label": h["label"] if h.get("label") and h["label"] != h["key"] else "",
             "detail": h.get("detail") or "", "href": explorer_href([h["id"]]),
             "state": "frozen" if h["id"] in frozen else ""} for h in hits]


def fit_height(rows: int) -> str:
    """The grid's height for `rows` rows: no taller than they need (a page of search hits),
    at most HEIGHT (beyond it the grid scrolls and draws only the rows in view)."""
    return f"{min(int(HEIGHT.removesuffix('px')), _CHROME_PX + ROW_PX * max(rows, 1))}px"


def export_name(name: str | None) -> str:
    """The CSV file name for a saved query's results (the ad-hoc editor's: cypher.csv)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in (name or "cypher"))
    return f"{safe or 'cypher'}.csv"


def grid_options() -> dict:
    """AG Grid options every results grid shares: text in cells can be selected and copied
    (in DOM order, so a copied range reads as shown), dotted result columns ("a.account_id")
    are field names, not paths."""
    return {"enableCellTextSelection": True, "ensureDomOrder": True, "suppressFieldDotNotation": True,
            "animateRows": False, "tooltipShowDelay": 300}


def results_grid(grid_id: str, height: str | None = HEIGHT, options: dict | None = None, **props):
    """The dash-ag-grid component for query results: sortable, filterable columns with a
    filter row, virtualised rows in a fixed height (None: as tall as its rows, for short
    tables), CSV export through its exportDataAsCsv prop; `options` add to grid_options()."""
    props = {"columnDefs": [], "rowData": [], **props}
    options = {**grid_options(), **(options or {})}
    if height is None:
        options["domLayout"] = "autoHeight"
    return dag.AgGrid(id=grid_id,
                      defaultColDef={"sortable": True, "filter": True, "floatingFilter": True, "resizable": True},
                      # the columns share the grid's width, refitted when a new result brings new
                      # columns; past MIN_WIDTH each, the grid scrolls sideways
                      dashGridOptions=options, columnSize="responsiveSizeToFit",
                      columnSizeOptions={"defaultMinWidth": MIN_WIDTH},
                      csvExportParams={"fileName": export_name(None)},
                      style={"height": height, "width": "100%"} if height else {"width": "100%"},
                      className="results-grid", **props)


# -- the app's other tables: plain rows of named columns -------------------------------------------

NARROW = {"minWidth": 80, "maxWidth": 110}                   # an id, a score, a short link
WRAP = {"wrapText": True, "autoHeight": True, "minWidth": 260}  # long text, whole, over several lines


def table_columns(columns: list[str], links: dict[str, str] | None = None, kinds: dict[str, str] | None = None,
                  narrow: tuple[str, ...] = (), wrap: tuple[str, ...] = ()) -> list[dict]:
    """Column definitions for rows the app computed itself: one per name, in order, TEXT unless
    `kinds` says TIME or NUMBER; a column in `links` ({column: href field}) links each cell to
    the row's href field (a GridLink, opened inside the app); `narrow` columns stay narrow,
    `wrap` columns show their whole text over several lines (the row grows)."""
    links, kinds = links or {}, kinds or {}
    out = []
    for c in columns:
        col = link_column(c, links[c]) if c in links else column_def(c, kinds.get(c, TEXT))
        out.append({**col, **(NARROW if c in narrow else {}), **(WRAP if c in wrap else {})})
    return out


def row_class_rules(rules: dict[str, tuple[str, str]]) -> dict[str, str]:
    """{css class: (field, value)} -> AG Grid rowClassRules: the class on rows whose `field`
    equals `value`. dash-ag-grid reads each rule with its own expression parser (no eval, which
    the CSP forbids); the values are quoted here, so they must be plain words."""
    out = {}
    for name, (field, value) in rules.items():
        if not (field.isidentifier() and value.replace(" ", "").isalnum()):
            raise ValueError(f"row class rule {name!r}: field {field!r} and value {value!r} must be plain words")
        out[name] = f"params.data && params.data.{field} === '{value}'"
    return out


def table(grid_id: str, columns: list[str], rows: list[dict] | None = None, *, links: dict[str, str] | None = None,
          kinds: dict[str, str] | None = None, narrow: tuple[str, ...] = (), wrap: tuple[str, ...] = (),
          height: str | None = HEIGHT, select: bool = False, row_classes: dict[str, tuple[str, str]] | None = None,
          **props):
    """One of the app's tables as an AG Grid: `columns` by name over `rows` (or rows a callback
    sends as rowData), every column sortable with a filter row and copyable text; `links`,
    `kinds`, `narrow` and `wrap` as table_columns takes them; `height` None for a short table as tall as its rows;
    `select` adds a checkbox column (the grid's selectedRows then holds the ticked rows, and the
    header box ticks the rows the filters leave); `row_classes` as row_class_rules takes them."""
    # every column drawn, also those scrolled out of view sideways: these tables are narrow
    # enough, and a find-in-page or a copy then sees every cell of a row
    options: dict[str, Any] = {"suppressColumnVirtualisation": True}
    if select:
        options["rowSelection"] = {"mode": "multiRow", "selectAll": "filtered"}
        options["selectionColumnDef"] = {"width": 48, "minWidth": 48, "maxWidth": 48, "suppressSizeToFit": True}
    if row_classes:
        options["rowClassRules"] = row_class_rules(row_classes)
    return results_grid(grid_id, height=height, options=options,
                        columnDefs=table_columns(columns, links, kinds, narrow, wrap),
                        rowData=rows or [], **props)
