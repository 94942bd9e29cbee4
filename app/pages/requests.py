"""The law-enforcement request desk: the queue by deadline with overdue and due-soon flags,
the register form, every active freeze (`/requests`), and one request (`/requests?id=N`):
its fields, its subjects as the graph has them (opened in the explorer), the status
workflow, assignee, notes, a case made from it, evidence packages built from it (each
recorded with its SHA-256), freezes on it, and its history.

Callbacks are thin over casegraph.requests, casegraph.freezes and evidence (which check the
role again) and the row functions of app/pages/_requests.py and _freezes.py. Controls a
role may not use are hidden, not removed: the server refuses them anyway."""
from __future__ import annotations

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from casegraph import app
from casegraph import freezes as freeze_core
from casegraph import requests as desk
from casegraph.app import auth, forms as f, ids, site
from casegraph.app.pages import _cases, _changes, _freezes
from casegraph.app.pages import _evidence as ev_view
from casegraph.app.pages import _requests as v
from casegraph.app.pages._grid import NUMBER, TIME, table
from casegraph.app.pages._tables import explorer_href
from casegraph.errors import CasegraphError
from casegraph.state import now_ms

dash.register_page(__name__, **site.register(__name__))

HIDDEN = {"display": "none"}


def _table(id_: str, columns: list[str], **kw):
    """One of the page's grids, as tall as its rows (a desk's lists are short)."""
    return table(id_, columns, height=None, **kw)


def _shown(visible: bool) -> dict:
    return {} if visible else HIDDEN


def layout(id=None, **_query):  # noqa: A002 - the URL's query parameter is "id"
    return _changes.list_or_one(id, "view_requests", "Requests", "request", ids.REQUESTS_MESSAGE, detail_layout,
                                queue_layout)


# -- the queue and the register -----------------------------------------------------------------

def _field(name: str) -> dict:
    return {"type": ids.REQUESTS_FIELD, "name": name}


def register_form() -> html.Div:
    def text(label: str, name: str, width: str, **kw):
        return f.text(_field(name), label=label, width=width, **kw)
    return html.Div([
        html.H3("Register a request"),
        f.row([
            text("Agency", "agency", "name", placeholder="e.g. NCA"),
            text("Country", "country", "short", placeholder="e.g. GB"),
            text("Reference", "reference", "text16", placeholder="the agency's reference"),
            text("Legal basis", "legal_basis", "text16", placeholder="e.g. POCA s.345"),
            text("Received (UTC)", "received", "when", placeholder="now"),
            text("Deadline (UTC)", "deadline", "when", placeholder="e.g. 2026-12-31T17:00"),
            f.choice(_field("priority"), desk.PRIORITIES, "normal", label="Priority", clearable=False,
                     searchable=False, width="9em"),
        ]),
        f.row([
            f.area(_field("subjects"), label="Subjects", width="42em", rows=4,
                   placeholder="one per line: Account:A100000001, Wallet:0xabc…, tx:<transaction hash>"),
            f.area(_field("ask"), label="What is asked", width="42em", rows=4,
                   placeholder="e.g. KYC and transactions since 2026-01-01"),
        ]),
        f.button("Register request", ids.REQUESTS_REGISTER, kind="primary"),
    ], id=ids.REQUESTS_NEW, style=_shown(auth.may("manage_requests")), className="register")


def queue_layout() -> html.Div:
    return html.Div([
        html.H2("Law-enforcement requests"),
        f.row([
            f.choice(ids.REQUESTS_STATUS, v.STATUS_OPTIONS, "open", label="Status", clearable=False, width="12em"),
            f.checks(ids.REQUESTS_OVERDUE, [("overdue only", "overdue")], mb=6),
        ]),
        html.Div(id=ids.REQUESTS_COUNT, className="muted"),
        html.Div(id=ids.REQUESTS_MESSAGE, className="message"),
        # the queue: "#N" opens the request; an overdue one in red (a class rule, app/assets/casegraph.css)
        _table(ids.REQUESTS_TABLE, v.QUEUE_COLUMNS, links={"open": "open_href"}, narrow=("open",),
               kinds={"deadline": TIME, "received": TIME, "subjects": NUMBER},
               row_classes={"overdue": ("flag", "OVERDUE")}),
        register_form(),
        dcc.Location(id=ids.REQUESTS_GO, refresh="callback-nav"),
        html.H3("Active freezes"),
        _freezes.grid(ids.REQUESTS_FREEZES_ACTIVE),
    ])


@callback(Output(ids.REQUESTS_TABLE, "rowData"), Output(ids.REQUESTS_COUNT, "children"),
          Output(ids.REQUESTS_FREEZES_ACTIVE, "rowData"), Output(ids.REQUESTS_MESSAGE, "children", allow_duplicate=True),
          Input(ids.REQUESTS_STATUS, "value"), Input(ids.REQUESTS_OVERDUE, "value"),
          prevent_initial_call="initial_duplicate")
def show_queue(status, overdue):
    try:
        auth.require("view_requests")
        state = app.state()
        found = desk.queue(state, status=None if status in (None, "all", "open") else status, overdue=bool(overdue))
        active = freeze_core.list_freezes(state, active_only=True)
    except CasegraphError as e:
        return [], "", [], str(e)
    if status == "open":
        found = v.open_only(found)
    late = sum(r["overdue"] for r in found)
    return (v.queue_rows(found), f"{len(found)} request(s), {late} overdue", _freezes.rows(active), "")


@callback(Output(ids.REQUESTS_MESSAGE, "children", allow_duplicate=True), Output(ids.REQUESTS_GO, "href"),
          Input(ids.REQUESTS_REGISTER, "n_clicks"), State(_field(ALL), "value"), prevent_initial_call=True)
def register(_n, values):
    """Record the request and open it."""
    fields = {spec["id"]["name"]: value for spec, value in zip(ctx.states_list[0], values)}
    try:
        user = auth.require("manage_requests")
        request_id = desk.add(app.state(), user, **v.new_request(fields, now=now_ms()))
    except CasegraphError as e:
        return str(e), no_update
    return f"request {request_id} registered", v.request_href(request_id)


# -- one request ---------------------------------------------------------------------------

_button = f.button


def detail_layout(request_id: int) -> html.Div:
    manage = auth.may("manage_requests")
    return html.Div([
        dcc.Store(id=ids.REQUESTS_ID, data=request_id), dcc.Store(id=ids.REQUESTS_VERSION, data=0),
        html.Div(id=ids.REQUESTS_HEADER),
        html.Div(id=ids.REQUESTS_MESSAGE, className="message"),
        html.H3("Subjects"),
        html.Div([dcc.Link("open the subjects in the explorer", id=ids.REQUESTS_EXPLORER, href="/explorer"),
                  dcc.Link("", id=ids.REQUESTS_CASE_LINK, href="/cases"),
                  _button("Make a case from this request", ids.REQUESTS_CASE,
                          "A case of the subjects and what links them")], className="toolbar"),
        _table(ids.REQUESTS_SUBJECT_ROWS, v.SUBJECT_COLUMNS, links={"open": "open_href"}),
        html.Div([
            html.H3("Work the request"),
            *_changes.work_rows(ids.REQUESTS_REASON, "reason (declining needs one)", ids.REQUESTS_MOVES,
                                ids.REQUESTS_ASSIGN_TO, ids.REQUESTS_ASSIGN, ids.REQUESTS_NOTE_TEXT,
                                ids.REQUESTS_NOTE_ADD),
        ], id=ids.REQUESTS_CHANGE, style=_shown(manage)),
        html.Div([
            html.H3("Evidence package"),
            f.row([
                f.text(ids.REQUESTS_EVIDENCE_SINCE, placeholder="since (optional)", width="when"),
                f.text(ids.REQUESTS_EVIDENCE_UNTIL, placeholder="until (optional)", width="when"),
                f.checks(ids.REQUESTS_EVIDENCE_MASK, [("mask personal data", "mask")], mb=6),
                _button("Build package from this request", ids.REQUESTS_EVIDENCE_BUILD,
                        "The request's case, or else its subjects; recorded on the request with its SHA-256"),
            ]),
            html.Div(id=ids.REQUESTS_EVIDENCE_RESULT, className="muted"),
            dcc.Download(id=ids.REQUESTS_EVIDENCE_DOWNLOAD),
        ], id=ids.REQUESTS_EVIDENCE, style=_shown(manage and auth.may("export_evidence"))),
        html.H3("Packages sent"), _table(ids.REQUESTS_PACKAGES, v.PACKAGE_COLUMNS),
        _freezes.panel(_freezes.REQUEST, auth.may("record_freeze")), _freezes.grid(_freezes.REQUEST.table),
        html.H3("Notes"), _table(ids.REQUESTS_NOTES, ["at", "author", "text"], wrap=("text",)),
        html.H3("History"), _table(ids.REQUESTS_HISTORY, ["at", "actor", "move", "reason"], wrap=("reason",)),
    ], className="case request")


@callback(Output(ids.REQUESTS_HEADER, "children"), Output(ids.REQUESTS_SUBJECT_ROWS, "rowData"),
          Output(ids.REQUESTS_EXPLORER, "href"), Output(ids.REQUESTS_MOVES, "children"),
          Output(ids.REQUESTS_CASE_LINK, "children"), Output(ids.REQUESTS_CASE_LINK, "href"),
          Output(ids.REQUESTS_CASE, "style"), Output(ids.REQUESTS_PACKAGES, "rowData"),
          Output(ids.REQUESTS_FREEZE_TARGET, "data"), Output(ids.REQUESTS_FREEZE_PICK, "data"),
          Output(ids.REQUESTS_FREEZES, "rowData"), Output(ids.REQUESTS_NOTES, "rowData"),
          Output(ids.REQUESTS_HISTORY, "rowData"), Output(ids.REQUESTS_MESSAGE, "children", allow_duplicate=True),
          Input(ids.REQUESTS_VERSION, "data"), State(ids.REQUESTS_ID, "data"),
          prevent_initial_call="initial_duplicate")
def render(_version, request_id):
    """The request as the state store and the graph have it now (after every change)."""
    try:
        auth.require("view_requests")
        state = app.state()
        req = desk.get(state, request_id)
        resolved = desk.resolve(app.store(), req["subjects"])
        found = freeze_core.list_freezes(state, request_id=request_id)
    except CasegraphError as e:
        return (html.H2(f"Request {request_id}"),) + (no_update,) * 12 + (str(e),)
    nodes = v.node_ids(resolved)
    moves = [_button(f"-> {to}", {"type": ids.REQUESTS_MOVE, "to": to}, className=f"move move-{to}")
             for to in desk.MOVES.get(req["status"], ())]
    head = [html.H2(f"LE request {req['id']}: {req['agency']} {req['reference']}"),
            html.Table([html.Tr([html.Th(k), html.Td(text)]) for k, text in v.header_items(req)],
                       className="props case-header")]
    case_text, case_href = v.case_link(req)
    make_case = _shown(req["case_id"] is None and auth.may("change_case"))
    return (head, v.subject_rows(resolved), explorer_href(nodes) if nodes else "/explorer", moves, case_text, case_href or "/cases", make_case,
            v.package_rows(req), _freezes.target_options(nodes), _freezes.lift_options(found),
            _freezes.rows(found), _cases.note_rows(req), _cases.history_rows(req), no_update)


CHANGED = [Output(ids.REQUESTS_MESSAGE, "children", allow_duplicate=True),
           Output(ids.REQUESTS_VERSION, "data", allow_duplicate=True)]


@callback(*CHANGED, Output(ids.REQUESTS_REASON, "value"), Input({"type": ids.REQUESTS_MOVE, "to": ALL}, "n_clicks"),
          State(ids.REQUESTS_ID, "data"), State(ids.REQUESTS_VERSION, "data"), State(ids.REQUESTS_REASON, "value"),
          prevent_initial_call=True)
def move(_clicks, request_id, version, reason):
    to = (ctx.triggered_id or {}).get("to")

    def do(state, user):
        desk.set_status(state, user, request_id, to, _changes.strip(reason) or None)
        return f"request {request_id} is now {to}"
    said, version = _changes.changed(do, version, "manage_requests")
    return said, version, no_update if version is no_update else ""


@callback(*CHANGED, Input(ids.REQUESTS_ASSIGN, "n_clicks"), State(ids.REQUESTS_ID, "data"),
          State(ids.REQUESTS_VERSION, "data"), State(ids.REQUESTS_ASSIGN_TO, "value"), prevent_initial_call=True)
def assign(_n, request_id, version, name):
    def do(state, user):
        desk.assign(state, user, request_id, _changes.strip(name) or None)
        return f"assigned to {_changes.strip(name) or 'nobody'}"
    return _changes.changed(do, version, "manage_requests")


@callback(*CHANGED, Output(ids.REQUESTS_NOTE_TEXT, "value"), Input(ids.REQUESTS_NOTE_ADD, "n_clicks"),
          State(ids.REQUESTS_ID, "data"), State(ids.REQUESTS_VERSION, "data"), State(ids.REQUESTS_NOTE_TEXT, "value"),
          prevent_initial_call=True)
def note(_n, request_id, version, text):
    def do(state, user):
        desk.add_note(state, user, request_id, _changes.strip(text))
        return "note added"
    said, version = _changes.changed(do, version, "manage_requests")
    return said, version, no_update if version is no_update else ""


@callback(*CHANGED, Input(ids.REQUESTS_CASE, "n_clicks"), State(ids.REQUESTS_ID, "data"),
          State(ids.REQUESTS_VERSION, "data"), prevent_initial_call=True)
def make_case(_n, request_id, version):
    def do(state, user):
        case_id = desk.case_from_request(state, app.store(), user, request_id)
        return f"case {case_id} made from request {request_id}"
    return _changes.changed(do, version, "change_case")


@callback(*CHANGED, Input(ids.REQUESTS_FREEZE_RECORD, "n_clicks"), State(ids.REQUESTS_ID, "data"),
          State(ids.REQUESTS_VERSION, "data"), State(ids.REQUESTS_FREEZE_TARGET, "value"),
          State(ids.REQUESTS_FREEZE_AMOUNT, "value"), State(ids.REQUESTS_FREEZE_ASSET, "value"),
          State(ids.REQUESTS_FREEZE_UNTIL, "value"), State(ids.REQUESTS_FREEZE_REASON, "value"),
          prevent_initial_call=True)
def record_freeze(_n, request_id, version, target, amount, asset, until, reason):
    return _changes.changed(lambda state, user: _freezes.record(state, user, target, amount, asset, until, reason,
                                                                request_id=request_id), version, "view_requests")


@callback(*CHANGED, Input(ids.REQUESTS_FREEZE_LIFT, "n_clicks"), State(ids.REQUESTS_VERSION, "data"),
          State(ids.REQUESTS_FREEZE_PICK, "value"), State(ids.REQUESTS_FREEZE_LIFT_REASON, "value"),
          prevent_initial_call=True)
def lift_freeze(_n, version, freeze_id, reason):
    return _changes.changed(lambda state, user: _freezes.lift(state, user, freeze_id, reason), version,
                            "view_requests")


@callback(Output(ids.REQUESTS_EVIDENCE_DOWNLOAD, "data"), Output(ids.REQUESTS_EVIDENCE_RESULT, "children"),
          Output(ids.REQUESTS_VERSION, "data", allow_duplicate=True),
          Input(ids.REQUESTS_EVIDENCE_BUILD, "n_clicks"), State(ids.REQUESTS_ID, "data"),
          State(ids.REQUESTS_VERSION, "data"), State(ids.REQUESTS_EVIDENCE_SINCE, "value"),
          State(ids.REQUESTS_EVIDENCE_UNTIL, "value"), State(ids.REQUESTS_EVIDENCE_MASK, "value"),
          prevent_initial_call=True)
def evidence(_n, request_id, version, since, until, mask):
    """Build the package, send it, and record it on the request (the packages table re-renders)."""
    from casegraph import evidence as ev
    from casegraph.times import option_ms
    try:
        user = auth.require("export_evidence")
        built = ev.build_request_package(app.state(), app.store(), user, request_id,
                                         out_dir=ev_view.export_dir(app.settings()), mask=bool(mask),
                                         since_ms=option_ms("since", since), until_ms=option_ms("until", until),
                                         settings=app.settings())
    except CasegraphError as e:
        return no_update, html.Span(str(e), className="message"), no_update
    return (*ev_view.sent(built), (version or 0) + 1)
