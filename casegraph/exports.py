"""Explorer exports of the visible elements: Cytoscape JSON, GraphML (networkx, Gephi,
yEd) and CSV (nodes + edges). Pure functions over element lists; PNG and SVG are drawn
by cytoscape in the browser.

Every export holds every visible element (no "+N more" pagers, nothing hidden) with all
its properties. In GraphML and CSV a property becomes a column/attribute of its own
name, except where that name is one of the export's own columns (nodes: id, kind, key,
label, risk; edges: id, source, target, kind, label): a wallet's `label` or an edge's
provenance `source` become `prop_label` / `prop_source`.

Times (the model's `time` properties and the provenance `loaded_at`, stored as UTC epoch ms)
are written as ISO 8601 UTC text in GraphML and CSV (`2024-01-01T00:00:00Z`, as
casegraph.times.iso and the evidence packages write them): GraphML declares them as
strings and spreadsheets, Gephi and yEd show them as dates, not as 13-digit numbers. No
epoch column is kept beside them: casegraph.times.to_epoch_ms reads the text back exactly,
and the Cytoscape JSON, the explorer's own format, keeps every value as stored."""
from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable

import networkx as nx

from casegraph.graph import is_node, visible
from casegraph.model import model
from casegraph.times import iso

NODE_COLUMNS = ["id", "kind", "key", "label", "risk"]
EDGE_COLUMNS = ["id", "source", "target", "kind", "label"]


def _split(elements: list[dict[str, Any]]) -> tuple[list[dict], list[dict]]:
    shown = visible(elements)
    return [e for e in shown if is_node(e)], [e for e in shown if not is_node(e)]


def to_cytoscape_json(elements: list[dict[str, Any]]) -> str:
    """The visible elements as Cytoscape JSON (cytoscape.js `cy.json()` shape, which
    Cytoscape desktop imports as .cyjs): {"data": ..., "elements": {"nodes", "edges"}}."""
    nodes, edges = _split(elements)

    def keep(e):
        out = {"data": e["data"]}
        for k in ("position", "classes"):
            if e.get(k):
                out[k] = e[k]
        return out
    doc = {"format_version": "1.0", "generated_by": "casegraph", "target_cytoscapejs_version": "~3",
           "data": {"name": "casegraph export"},
           "elements": {"nodes": [keep(e) for e in nodes], "edges": [keep(e) for e in edges]}}
    return json.dumps(doc, ensure_ascii=False, indent=1, default=str, sort_keys=True)   # the same bytes on every backend


def _scalar(value: Any) -> Any:
    """A GraphML/CSV-safe value: lists and maps as JSON text, None stays None (dropped)."""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return str(value)


def time_properties(kind: str | None, node: bool) -> set[str]:
    """The names of a node label's or relationship type's time properties (epoch ms), with
    the provenance `loaded_at`."""
    spec = (model().nodes if node else model().relationships).get(kind)
    names = {k for k, t in spec.properties.items() if t == "time"} if spec is not None else set()
    return names | {"loaded_at"}


def iso_times(kind: str | None, node: bool, props: dict[str, Any] | None) -> dict[str, Any]:
    """The properties with every time property (time_properties) as ISO 8601 UTC text; a
    value that is no number (already text) stays as it is."""
    times = time_properties(kind, node)
    return {k: iso(int(v)) if k in times and isinstance(v, (int, float)) and not isinstance(v, bool) else v
            for k, v in (props or {}).items()}


def _prop_name(name: str, reserved: list[str]) -> str:
    return f"prop_{name}" if name in reserved else name


def node_row(e: dict[str, Any]) -> dict[str, Any]:
    """One node as flat attributes: id, kind, key, label, risk (JSON list), then its properties
    (times as ISO 8601 UTC)."""
    d = e["data"]
    row = {"id": d["id"], "kind": d.get("kind"), "key": d.get("key"), "label": d.get("label"),
           "risk": _scalar(list(d.get("risk") or []))}
    props = iso_times(d.get("kind"), True, d.get("props"))
    row.update({_prop_name(k, NODE_COLUMNS): _scalar(v) for k, v in _by_name(props)})
    return row


def edge_row(e: dict[str, Any]) -> dict[str, Any]:
    """One edge as flat attributes: id, source, target, kind, label, then its properties
    (times as ISO 8601 UTC)."""
    d = e["data"]
    row = {"id": d["id"], "source": d["source"], "target": d["target"], "kind": d.get("kind"),
           "label": d.get("label")}
    props = iso_times(d.get("kind"), False, d.get("props"))
    row.update({_prop_name(k, EDGE_COLUMNS): _scalar(v) for k, v in _by_name(props)})
    return row


def _by_name(props: dict[str, Any] | None) -> list[tuple[str, Any]]:
    """Properties in name order: each backend returns them in its own order (FalkorDB as they
    were set, Neo4j as it stores them), and GraphML declares its attributes in the order it
    first meets them, so the same graph must not give another file on another backend."""
    return sorted((props or {}).items())


def _one_type_per_column(rows: list[dict[str, Any]]) -> None:
    """GraphML declares one type per attribute: ints mixed with floats become floats, any
    other mix becomes text (in place)."""
    types: dict[str, set[type]] = {}
    for r in rows:
        for k, v in r.items():
            if v is not None:
                types.setdefault(k, set()).add(type(v))
    for k, ts in types.items():
        if len(ts) < 2:
            continue
        cast = float if ts == {int, float} else str
        for r in rows:
            if r.get(k) is not None:
                r[k] = cast(r[k])


def to_graph(elements: list[dict[str, Any]]) -> nx.MultiDiGraph:
    """The visible elements as a networkx MultiDiGraph (edge keys are element ids)."""
    nodes, edges = _split(elements)
    nrows, erows = [node_row(e) for e in nodes], [edge_row(e) for e in edges]
    _one_type_per_column(nrows)
    _one_type_per_column(erows)
    g = nx.MultiDiGraph(name="casegraph export")
    for r in nrows:
        g.add_node(r["id"], **{k: v for k, v in r.items() if k != "id" and v is not None})
    for r in erows:
        if r["source"] in g and r["target"] in g:
            g.add_edge(r["source"], r["target"], key=r["id"],
                       **{k: v for k, v in r.items() if k not in ("id", "source", "target") and v is not None})
    return g


def to_graphml(elements: list[dict[str, Any]]) -> bytes:
    """The visible elements as GraphML (UTF-8) with every property as an attribute."""
    buf = io.BytesIO()
    nx.write_graphml(to_graph(elements), buf, encoding="utf-8")
    return buf.getvalue()


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_CELLS = ("text cells that begin with =, +, -, @, a tab or a carriage return start with an added "
             "' so that spreadsheets show them as text instead of running them as formulas (OWASP, CSV "
             "injection); numbers are written as they are")


def cell(value: Any) -> Any:
    """A value as a spreadsheet-safe CSV cell (CSV_CELLS): None as empty, text that a
    spreadsheet would run as a formula prefixed with '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(rows: Iterable[dict[str, Any]], columns: list[str], **options: Any) -> str:
    """Rows as CSV text with a header, every cell through `cell`. Lines end in CRLF (RFC 4180):
    Python's writer quotes a field holding a character of the line terminator, so a value with
    a bare carriage return stays in its row only when the terminator has one."""
    buf = io.StringIO()
    options.setdefault("lineterminator", "\r\n")
    w = csv.DictWriter(buf, fieldnames=columns, **options)
    w.writeheader()
    for r in rows:
        w.writerow({k: cell(v) for k, v in r.items()})
    return buf.getvalue()


def _csv(rows: list[dict[str, Any]], first: list[str]) -> str:
    extra = sorted({k for r in rows for k in r} - set(first))
    return write_csv(rows, first + extra)


def to_csv(elements: list[dict[str, Any]]) -> tuple[str, str]:
    """(nodes.csv, edges.csv) of the visible elements, one column per property."""
    nodes, edges = _split(elements)
    return _csv([node_row(e) for e in nodes], NODE_COLUMNS), _csv([edge_row(e) for e in edges], EDGE_COLUMNS)
