"""chart.anx: the package's graph as an i2 Analyst's Notebook chart (ANX XML, written by the
`anxwritter` library), the format many law-enforcement analysts open first.

Mapping (the same nodes and relationships as nodes.csv and edges.csv):
- every node -> an entity: identity its node id ("Account:A1"), label its key, entity type
  its label with an i2 icon (ICONS), attributes its model properties (times ISO 8601 UTC)
- every relationship -> a link from source to target (arrow on the target) labelled with
  its type, attributes its model properties; a money movement also carries its time as the
  link's date and time (UTC), so it sits on ANB's timeline
- a relationship from a node to itself (a wallet sending to itself), which ANB cannot draw,
  -> a card on that entity: summary "<TYPE> <relationship id> to itself", its time, and its
  attributes as text
Provenance (source file, load id, load time) is left to nodes.csv and edges.csv. A masked
package's elements are masked before they get here, so the chart holds the same pseudonyms
as every other file. The file is UTF-16 with a byte-order mark, as ANB reads it, and the
same elements always give the same bytes (the chart's creation date is fixed, like the
ZIP entries' times; manifest.json holds the export time)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from anxwritter import ANXChart, ANXValidationError

from casegraph import exports, graph
from casegraph.errors import EvidenceError
from casegraph.model import model

NAME = "chart.anx"
CREATED = "1980-01-01T00:00:00"     # as the ZIP entries' times (package.ZIP_TIME)
# i2 Analyst's Notebook standard icon keys per node label; a label not here gets ANB's icon
# for its type name
ICONS = {"Account": "person", "Wallet": "cash", "Device": "computer", "IP": "network", "Phone": "phone",
         "Email": "email", "Document": "national identifier", "ScamReport": "document", "Watchlist": "reddot",
         "Group": "group"}
CASTS = {"string": str, "int": int, "float": float, "bool": bool, "time": str}


def _attributes(kind: str, node: bool, props: dict[str, Any] | None) -> dict[str, Any]:
    """The model properties of one element, in model order, each as its model type (an
    attribute class has one type in ANB), times as ISO 8601 UTC text."""
    spec = (model().nodes if node else model().relationships).get(kind)
    if spec is None:
        return {}
    shown = exports.iso_times(kind, node, props)
    return {name: CASTS[type_](shown[name]) for name, type_ in spec.properties.items()
            if shown.get(name) not in (None, "")}


def _when(ms: Any) -> tuple[str | None, str | None]:
    """(date, time) of epoch ms as ANB takes them, UTC, to the second (ANB keeps no finer
    time; the `at` attribute holds the exact one); (None, None) for no time."""
    if ms is None or ms == "" or isinstance(ms, bool):
        return None, None
    at = datetime.fromtimestamp(int(ms) / 1000, tz=timezone.utc)
    return at.strftime("%Y-%m-%d"), at.strftime("%H:%M:%S")


def chart(elements: list[dict[str, Any]], title: str) -> ANXChart:
    """The elements as an ANXChart: nodes and then relationships, each sorted by id."""
    nodes = sorted((e["data"] for e in elements if graph.is_node(e)), key=lambda d: d["id"])
    edges = sorted((e["data"] for e in elements if not graph.is_node(e)), key=lambda d: d["id"])
    out = ANXChart(settings={"summary": {"title": title, "created": CREATED}})
    for kind in sorted({d["kind"] for d in nodes}):
        out.add_entity_type(name=kind, icon_file=ICONS.get(kind))
    for d in nodes:
        out.add_icon(id=d["id"], type=d["kind"], label=str(d["key"]),
                     attributes=_attributes(d["kind"], True, d.get("props")))
    ids = {d["id"] for d in nodes}
    for d in edges:
        if d["source"] not in ids or d["target"] not in ids:
            continue
        date, time = _when((d.get("props") or {}).get("at")) if d["kind"] in graph.MONEY else (None, None)
        attributes = _attributes(d["kind"], False, d.get("props"))
        if d["source"] == d["target"]:
            out.add_card(entity_id=d["source"], summary=f"{d['kind']} {d['id']} to itself", date=date, time=time,
                         description=", ".join(f"{k}={v}" for k, v in attributes.items()))
            continue
        out.add_link(from_id=d["source"], to_id=d["target"], type=d["kind"], label=d["kind"], arrow="->",
                     date=date, time=time, attributes=attributes)
    return out


def anx_bytes(elements: list[dict[str, Any]], title: str) -> bytes:
    """chart.anx: the ANX XML in UTF-16 with a byte-order mark, what ANB opens. EvidenceError
    when anxwritter refuses the chart."""
    try:
        return b"".join(chart(elements, title).iter_anx_bytes())
    except ANXValidationError as e:
        raise EvidenceError(f"cannot write {NAME}: {e}") from e
