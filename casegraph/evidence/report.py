"""report.html and report.pdf: the package for people. Both render the same sections
(casegraph/evidence/summary.py); the export time and the file hashes are in
manifest.json, so the same data always gives the same report bytes."""
from __future__ import annotations

import html
import io
from typing import Any
from xml.sax.saxutils import escape

SECTIONS = [  # (key, title, columns)
    ("subject", "Subject", ["property", "value"]),
    ("accounts", "Linked accounts", ["account", "relation", "country", "status", "kyc_level", "registered_at", "shared_with_subject"]),
    ("identifiers", "Identifiers", ["kind", "value", "used_by"]),
    ("flows.totals", "Money flows: totals (USD where a movement has a USD value, else per asset)",
     ["party", "movements_in", "usd_in", "in_without_usd", "movements_out", "usd_out", "out_without_usd"]),
    ("flows.top", "Money flows: top counterparties (by USD)", ["counterparty", "direction", "movements", "usd",
                                                               "without_usd"]),
    ("flows.assets", "Money flows: amounts per asset", ["direction", "asset", "amount"]),
    ("listings", "Watchlist listings and scam reports", ["what", "entity", "detail", "at"]),
    ("timeline", "Timeline (UTC)", ["at", "entity", "event"]),
]


def _rows(summary: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value: Any = summary
    for part in key.split("."):
        value = value.get(part, [])
    return value


def _request_rows(meta: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [("Request reference", meta["request_ref"]), ("Requesting agency", meta["agency"]),
            ("Exported by", meta["exported_by"])]
    if meta.get("request"):
        r = meta["request"]
        rows += [("LE request", f"{r['id']} ({r['country']}, {r['legal_basis']})"),
                 ("Request received", r["received_at"]), ("Response deadline", r["deadline"]),
                 ("Request subjects", ", ".join(r["subjects"]) or "-")]
        if meta.get("since") or meta.get("until"):
            rows.append(("Period", f"{meta['since'] or 'the beginning'} to {meta['until'] or 'the export'} "
                                   "(end exclusive)"))
    if meta.get("case"):
        c = meta["case"]
        rows += [("Case", f"{c.get('id')}: {c.get('title') or ''}"), ("Case status", str(c.get("status") or "")),
                 ("Decision", f"{c.get('decision') or '-'} {('(' + c['decision_reason'] + ')') if c.get('decision_reason') else ''}".strip())]
    if meta.get("subject"):
        rows += [("Subject", meta["subject"]), ("Period", f"{meta['since']} to {meta['until']} (end exclusive)")]
    rows += [("Personal data masked", "yes (" + ", ".join(meta["masked_kinds"]) + ")" if meta["masked"] else "no"),
             ("Export time, queries, file hashes", "see manifest.json in this package")]
    return rows


def _notes(meta: dict[str, Any], summary: dict[str, Any]) -> list[str]:
    notes = list(meta.get("notes") or [])
    if summary["timeline_total"] > len(summary["timeline"]):
        notes.append(f"timeline: the first {len(summary['timeline'])} of {summary['timeline_total']} events are "
                     "shown; nodes.csv, edges.csv and transfers.csv hold all of them")
    return notes


def to_html(meta: dict[str, Any], summary: dict[str, Any]) -> bytes:
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>Evidence package: {e(meta['title'])}</title>",
           "<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0 1.5em}"
           "td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px;text-align:left;vertical-align:top}"
           "th{background:#f0f0f0}</style></head><body>",
           f"<h1>Evidence package: {e(meta['title'])}</h1>", "<h2>Request</h2>", "<table>"]
    out += [f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in _request_rows(meta)]
    out.append("</table>")
    notes = _notes(meta, summary)
    if notes:
        out.append("<h2>What was left out</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
    for key, title, cols in SECTIONS:
        rows = _rows(summary, key)
        out.append(f"<h2>{e(title)}</h2>")
        if not rows:
            out.append("<p>none</p>")
            continue
        out.append("<table><tr>" + "".join(f"<th>{e(c)}</th>" for c in cols) + "</tr>")
        out += ["<tr>" + "".join(f"<td>{e(str(r.get(c, '')))}</td>" for c in cols) + "</tr>" for r in rows]
        out.append("</table>")
    out.append("<h2>Queries</h2><ul>")
    out += [f"<li><code>{e(q['query'])}</code> {e(_params(q['params']))}</li>" for q in meta["queries"]]
    out.append("</ul><p>The text of every query and all its parameters are in manifest.json.</p></body></html>\n")
    return "\n".join(out).encode("utf-8")


def _params(params: Any) -> str:
    import json
    text = json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)
    return text if len(text) <= 300 else text[:297] + "..."


def to_pdf(meta: dict[str, Any], summary: dict[str, Any]) -> bytes:
    """The same sections as the HTML, laid out by reportlab (see pdf)."""
    parts: list[tuple] = [("title", f"Evidence package: {meta['title']}"), ("heading", "Request"),
                          ("table", ["", ""], [[k, v] for k, v in _request_rows(meta)])]
    notes = _notes(meta, summary)
    if notes:
        parts += [("heading", "What was left out")] + [("text", "- " + n) for n in notes]
    for key, title, cols in SECTIONS:
        rows = _rows(summary, key)
        parts.append(("heading", title))
        parts.append(("table", cols, [[r.get(c, "") for c in cols] for r in rows]) if rows else ("text", "none"))
    parts.append(("heading", "Queries"))
    parts += [("cell", f"{q['query']} {_params(q['params'])}") for q in meta["queries"]]
    parts.append(("text", "The text of every query and all its parameters are in manifest.json."))
    return pdf(f"Evidence package: {meta['title']}", parts)


def pdf(title: str, parts: list[tuple]) -> bytes:
    """A landscape A4 PDF of `parts`, each ("title", text), ("heading", text), ("text", text),
    ("cell", text: small print) or ("table", header, rows), laid out by reportlab; invariant
    (no creation date or random document id), so the same parts give the same bytes."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=7, leading=8.5)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=1.2 * cm, rightMargin=1.2 * cm,
                            topMargin=1.2 * cm, bottomMargin=1.2 * cm, invariant=1,
                            title=title, author="casegraph", creator="casegraph")
    width = doc.width

    def p(text: Any, style=cell) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    def table(header: list[str], rows: list[list[Any]]) -> Table:
        t = Table([[p(h) for h in header]] + [[p(v) for v in r] for r in rows],
                  colWidths=[width / len(header)] * len(header), repeatRows=1)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return t

    story: list[Any] = []
    for part in parts:
        kind = part[0]
        if kind == "table":
            story += [table(part[1], part[2]), Spacer(1, 6)]
        else:
            story.append(p(part[1], {"title": styles["Title"], "heading": styles["Heading2"],
                                     "text": styles["BodyText"], "cell": cell}[kind]))
    doc.build(story)
    return buf.getvalue()
