"""Cases: the list (by status, assignee, mine) and one case (`/cases?id=N`): its graph
snapshot with each element's provenance, notes, assignee, the status workflow (only the
moves allowed from here, each with a reason), remediation actions and their CSV, the
second review, history, and for roles that may, the evidence package.

Callbacks are thin over casegraph.cases (which checks the actor's role again) and the
row functions in app/pages/_cases.py. Controls a role may not use are hidden, not
removed: a hidden button is no protection, the server refuses (a browser test shows it)."""
from __future__ import annotations


import dash
import dash_cytoscape as cyto
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from casegraph import app
from casegraph.app import auth, forms as f, ids, site, styles
from casegraph.app.canvas import watch_positions
from casegraph.app.legend import legend
from casegraph.app.pages import _cases as v
from casegraph.app.pages import _changes, _freezes
from casegraph.app.pages import _evidence as ev_view
from casegraph.app.pages import _explorer as x
from casegraph.app.pages._canvas import selection_text
from casegraph.app.pages._grid import TIME, table
from casegraph import cases as core
from casegraph import freezes, graph
from casegraph.errors import CasegraphError

dash.register_page(__name__, **site.register(__name__))

STATUS_OPTIONS = ["all", *core.STATUSES]
HIDDEN = {"display": "none"}


def _table(id_: str, columns: list[str], **kw):
    """One of the case's grids, as tall as its rows; "at" is a time (sorted and filtered as one)."""
    return table(id_, columns, height=None, kinds={"at": TIME}, **kw)


def _pairs(items: list[tuple[str, str]], class_name: str = "props") -> html.Table:
    return html.Table([html.Tr([html.Th(k), html.Td(val)]) for k, val in items], className=class_name)


def layout(id=None, **_query):  # noqa: A002 - the URL's query parameter is "id"
    return _changes.list_or_one(id, "view_cases", "Cases", "case", ids.CASES_MESSAGE, detail_layout, list_layout)


# -- the list ---------------------------------------------------------------------------------

LIST_COLUMNS = ["open", "title", "status", "assignee", "source", "detection", "created_at", "updated_at"]


def list_layout() -> html.Div:
    return html.Div([
        html.H2("Cases"),
        f.row([
            f.choice(ids.CASES_STATUS, STATUS_OPTIONS, "all", label="Status", clearable=False, width="12em"),
            f.text(ids.CASES_ASSIGNEE, label="Assignee", placeholder="anyone", debounce=True, width="name"),
            f.checks(ids.CASES_MINE, ["mine"], mb=6),
        ]),
        html.Div(id=ids.CASES_COUNT, className="muted"),
        html.Div(id=ids.CASES_MESSAGE, className="message"),
        table(ids.CASES_TABLE, LIST_COLUMNS, links={"open": "open_href"},
              kinds={"created_at": TIME, "updated_at": TIME}, narrow=("open",), wrap=("title",)),
    ])


@callback(Output(ids.CASES_TABLE, "rowData"), Output(ids.CASES_COUNT, "children"),
          Output(ids.CASES_MESSAGE, "children", allow_duplicate=True),
          Input(ids.CASES_STATUS, "value"), Input(ids.CASES_ASSIGNEE, "value"), Input(ids.CASES_MINE, "value"),
          prevent_initial_call="initial_duplicate")
def list_cases(status, assignee, mine):
    try:
        user = auth.require("view_cases")
        who = user["name"] if mine else ((assignee or "").strip() or None)
        found = core.list_cases(app.state(), status=None if status in (None, "all") else status, assignee=who)
    except CasegraphError as e:
        return [], "", str(e)
    return v.case_rows(found), f"{len(found)} case(s)", ""


# -- one case ---------------------------------------------------------------------------------

_button = f.button


def _shown(visible: bool) -> dict:
    return {} if visible else HIDDEN


def detail_layout(case_id: int) -> html.Div:
    change = auth.may("change_case")
    return html.Div([
        dcc.Store(id=ids.CASES_ID, data=case_id), dcc.Store(id=ids.CASES_VERSION, data=0),
        dcc.Store(id=ids.CASES_POSITIONS, data={}),
        html.Div(id=ids.CASES_HEADER),
        html.Div(id=ids.CASES_MESSAGE, className="message"),
        html.Div([
            html.Div([
                html.Div([
                    dcc.Link("open in the explorer", id=ids.CASES_EXPLORER, href="/explorer"),
                    html.Span(id=ids.CASES_SELECTION, className="muted"),
                    html.Span(id=ids.CASES_PLACED, className="muted"),
                    html.Div([
                        _button("Save layout", ids.CASES_SAVE_LAYOUT,
                                "Keep where the nodes are drawn: the case reopens as it is now"),
                        _button("Remove selected", ids.CASES_REMOVE, "Take the selected nodes out of the case"),
                        f.text(ids.CASES_ADD_ID, placeholder="Account:A1 or Wallet:0x…", width="16em"),
                        _button("Add node", ids.CASES_ADD, "Add a node by its id"),
                    ], className="toolbar", style=_shown(change)),
                ], className="toolbar"),
                # drawn where the case's nodes were saved (preset); new ones placed around them
                cyto.Cytoscape(id=ids.CASES_GRAPH, elements=[], stylesheet=styles.stylesheet(),
                               layout={"name": "grid"}, boxSelectionEnabled=True, autoRefreshLayout=False,
                               minZoom=0.05, maxZoom=2, style={"width": "100%", "height": "55vh"}),
                html.Div(legend(), className="legend"),
            ], className="explore-main"),
            html.Div([html.H4("Provenance"), html.Div("tap a node or an edge", id=ids.CASES_PROVENANCE)],
                     className="explore-side"),
        ], className="explore"),
        html.Div([
            html.H3("Work the case"),
            *_changes.work_rows(ids.CASES_REASON, "reason (every status change needs one)", ids.CASES_MOVES,
                                ids.CASES_ASSIGN_TO, ids.CASES_ASSIGN, ids.CASES_NOTE_TEXT, ids.CASES_NOTE_ADD),
            f.row([
                f.choice(ids.CASES_ACTION, core.REMEDIATION, placeholder="remediation", width="12em"),
                f.choice(ids.CASES_ACTION_TARGET, placeholder="on which entity", width="22em"),
                f.text(ids.CASES_ACTION_NOTE, placeholder="note (optional)", width="reason"),
                _button("Record action", ids.CASES_ACTION_ADD),
            ]),
        ], id=ids.CASES_CHANGE, style=_shown(change)),
        html.Div([
            html.H3("Second review (QA)", title="By someone other than the decider"),
            f.row([
                f.choice(ids.CASES_REVIEW_VERDICT, v.DECIDED, placeholder="verdict", width="12em"),
                f.text(ids.CASES_REVIEW_REASON, placeholder="reason", width="wide"),
                _button("Submit review", ids.CASES_REVIEW_SUBMIT),
            ]),
        ], id=ids.CASES_REVIEW, style=HIDDEN),
        html.H3("Notes"), _table(ids.CASES_NOTES, ["at", "author", "text"], wrap=("text",)),
        html.H3("Remediation"),
        html.Div([_button("Download actions CSV", ids.CASES_ACTIONS_CSV)], className="toolbar"),
        _table(ids.CASES_ACTIONS, ["action", "target", "requested_by", "at", "note"], wrap=("note",)),
        dcc.Download(id=ids.CASES_ACTIONS_DOWNLOAD),
        _freezes.panel(_freezes.CASE, auth.may("record_freeze")), _freezes.grid(_freezes.CASE.table),
        html.H3("Reviews"), _table(ids.CASES_REVIEWS, ["at", "reviewer", "verdict", "agrees", "reason"], wrap=("reason",)),
        html.H3("History"), _table(ids.CASES_HISTORY, ["at", "actor", "move", "reason"], wrap=("reason",)),
        evidence_panel() if auth.may("export_evidence") else html.Div(),
    ], className="case")


def evidence_panel() -> html.Div:
    return html.Div([
        html.H3("Evidence package"),
        f.row([
            f.text(ids.CASES_EVIDENCE_REF, placeholder="request reference", width="name"),
            f.text(ids.CASES_EVIDENCE_AGENCY, placeholder="requesting agency", width="name"),
            f.checks(ids.CASES_EVIDENCE_MASK, [("mask personal data", "mask")], mb=6),
            _button("Build package", ids.CASES_EVIDENCE_BUILD),
            _button("Draft STR (goAML)", ids.CASES_STR_BUILD,
                    "A suspicious-transaction report draft of this confirmed case: goAML XML and a PDF"),
        ]),
        html.Div(id=ids.CASES_EVIDENCE_RESULT, className="muted"),
        dcc.Download(id=ids.CASES_EVIDENCE_DOWNLOAD), dcc.Download(id=ids.CASES_STR_XML),
        dcc.Download(id=ids.CASES_STR_PDF),
    ], id=ids.CASES_EVIDENCE)


@callback(Output(ids.CASES_HEADER, "children"), Output(ids.CASES_GRAPH, "elements"),
          Output(ids.CASES_EXPLORER, "href"), Output(ids.CASES_MOVES, "children"),
          Output(ids.CASES_NOTES, "rowData"), Output(ids.CASES_HISTORY, "rowData"),
          Output(ids.CASES_ACTIONS, "rowData"), Output(ids.CASES_REVIEWS, "rowData"), Output(ids.CASES_ACTION_TARGET, "data"),
          Output(ids.CASES_REVIEW, "style"), Output(ids.CASES_FREEZE_TARGET, "data"),
          Output(ids.CASES_FREEZE_PICK, "data"), Output(ids.CASES_FREEZES, "rowData"),
          Output(ids.CASES_MESSAGE, "children", allow_duplicate=True), Output(ids.CASES_GRAPH, "layout"),
          Input(ids.CASES_VERSION, "data"), State(ids.CASES_ID, "data"), State(ids.CASES_POSITIONS, "data"),
          prevent_initial_call="initial_duplicate")
def render(version, case_id, positions):
    """The case as the state store has it now (after every change), drawn where it was saved
    or is drawn now."""
    try:
        auth.require("view_cases")
        case = core.get_case(app.state(), case_id)
        frozen = freezes.list_freezes(app.state(), case_id=case_id)
        elements, graph_layout = v.drawn(case, positions, version)
        # drawn as the explorer draws: risk borders read from the graph now, movements bundled
        elements = graph.bundle(x.GraphReader(app.store(), app.state()).with_risk(elements))
    except CasegraphError as e:
        return (html.H2(f"Case {case_id}"),) + (no_update,) * 12 + (str(e), no_update)
    moves = [_button(f"-> {to}", {"type": ids.CASES_MOVE, "to": to}, className=f"move move-{to}")
             for to in core.MOVES.get(case["status"], ())]
    head = [html.H2(f"Case {case['id']}: {case['title']}"), _pairs(v.header_items(case), "props case-header")]
    review = {} if v.reviewable(case) and auth.may("decide_case") else HIDDEN
    return (head, elements, v.explorer_link(case), moves, v.note_rows(case), v.history_rows(case),
            v.action_rows(case), v.review_rows(case), v.target_options(case), review,
            _freezes.target_options(v.node_ids(elements)), _freezes.lift_options(frozen), _freezes.rows(frozen),
            no_update, graph_layout)


# Every change to the case says what it did and bumps the version, which re-renders the case.
CHANGED = [Output(ids.CASES_MESSAGE, "children", allow_duplicate=True),
           Output(ids.CASES_VERSION, "data", allow_duplicate=True)]


def changed(do, version: int | None, action: str = "change_case") -> tuple:
    return _changes.changed(do, version, action)


@callback(*CHANGED, Output(ids.CASES_REASON, "value"), Input({"type": ids.CASES_MOVE, "to": ALL}, "n_clicks"),
          State(ids.CASES_ID, "data"), State(ids.CASES_VERSION, "data"), State(ids.CASES_REASON, "value"),
          prevent_initial_call=True)
def move(_clicks, case_id, version, reason):
    """A status move (only the moves allowed from here are buttons), with its reason."""
    to = (ctx.triggered_id or {}).get("to")

    def do(state, user):
        core.set_status(state, user, case_id, to, _changes.strip(reason))
        return f"case {case_id} is now {to}"
    said, version = changed(do, version, v.move_action(to))
    return said, version, no_update if version is no_update else ""


@callback(*CHANGED, Input(ids.CASES_REVIEW_SUBMIT, "n_clicks"), State(ids.CASES_ID, "data"),
          State(ids.CASES_VERSION, "data"), State(ids.CASES_REVIEW_VERDICT, "value"),
          State(ids.CASES_REVIEW_REASON, "value"), prevent_initial_call=True)
def review(_n, case_id, version, verdict, reason):
    def do(state, user):
        core.second_review(state, user, case_id, verdict or "", _changes.strip(reason))
        return "second review recorded"
    return changed(do, version, "decide_case")


@callback(*CHANGED, Output(ids.CASES_NOTE_TEXT, "value"), Input(ids.CASES_NOTE_ADD, "n_clicks"),
          State(ids.CASES_ID, "data"), State(ids.CASES_VERSION, "data"), State(ids.CASES_NOTE_TEXT, "value"),
          prevent_initial_call=True)
def note(_n, case_id, version, text):
    def do(state, user):
        core.add_note(state, user, case_id, _changes.strip(text))
        return "note added"
    said, version = changed(do, version)
    return said, version, no_update if version is no_update else ""


@callback(*CHANGED, Input(ids.CASES_ASSIGN, "n_clicks"), State(ids.CASES_ID, "data"),
          State(ids.CASES_VERSION, "data"), State(ids.CASES_ASSIGN_TO, "value"), prevent_initial_call=True)
def assign(_n, case_id, version, name):
    def do(state, user):
        core.assign(state, user, case_id, _changes.strip(name))
        return f"assigned to {_changes.strip(name)}"
    return changed(do, version)


@callback(*CHANGED, Input(ids.CASES_REMOVE, "n_clicks"), Input(ids.CASES_ADD, "n_clicks"),
          State(ids.CASES_ID, "data"), State(ids.CASES_VERSION, "data"), State(ids.CASES_GRAPH, "selectedNodeData"),
          State(ids.CASES_ADD_ID, "value"), prevent_initial_call=True)
def entities(_remove, _add, case_id, version, selected, add_id):
    """Take the selected nodes out of the case, or add nodes by id with what links them."""
    if ctx.triggered_id == ids.CASES_ADD:
        return changed(lambda state, user: add_nodes(state, user, case_id, _changes.strip(add_id)), version)
    return changed(lambda state, user: remove_nodes(state, user, case_id, selected), version)


@callback(*CHANGED, Input(ids.CASES_SAVE_LAYOUT, "n_clicks"), State(ids.CASES_ID, "data"),
          State(ids.CASES_VERSION, "data"), State(ids.CASES_POSITIONS, "data"), prevent_initial_call=True)
def save_layout(_n, case_id, version, positions):
    """Keep where the nodes are drawn now."""
    def do(state, user):
        saved = core.save_positions(state, user, case_id, positions or {})
        return f"layout saved: {len(saved)} node position(s)"
    return changed(do, version)


watch_positions(ids.CASES_GRAPH, ids.CASES_POSITIONS, ids.CASES_PLACED)


@callback(*CHANGED, Input(ids.CASES_ACTION_ADD, "n_clicks"), State(ids.CASES_ID, "data"),
          State(ids.CASES_VERSION, "data"), State(ids.CASES_ACTION, "value"), State(ids.CASES_ACTION_TARGET, "value"),
          State(ids.CASES_ACTION_NOTE, "value"), prevent_initial_call=True)
def remediate(_n, case_id, version, action, target, action_note):
    def do(state, user):
        if not action or not target:
            return "pick a remediation and the entity it applies to"
        core.record_action(state, user, case_id, action, target, _changes.strip(action_note))
        return f"{action} on {target} recorded"
    return changed(do, version)


@callback(*CHANGED, Input(ids.CASES_FREEZE_RECORD, "n_clicks"), State(ids.CASES_ID, "data"),
          State(ids.CASES_VERSION, "data"), State(ids.CASES_FREEZE_TARGET, "value"),
          State(ids.CASES_FREEZE_AMOUNT, "value"), State(ids.CASES_FREEZE_ASSET, "value"),
          State(ids.CASES_FREEZE_UNTIL, "value"), State(ids.CASES_FREEZE_REASON, "value"), prevent_initial_call=True)
def record_freeze(_n, case_id, version, target, amount, asset, until, reason):
    """A freeze on an account or wallet of the case (the core refuses roles without record_freeze)."""
    return changed(lambda state, user: _freezes.record(state, user, target, amount, asset, until, reason,
                                                       case_id=case_id), version, "view_cases")


@callback(*CHANGED, Input(ids.CASES_FREEZE_LIFT, "n_clicks"), State(ids.CASES_VERSION, "data"),
          State(ids.CASES_FREEZE_PICK, "value"), State(ids.CASES_FREEZE_LIFT_REASON, "value"), prevent_initial_call=True)
def lift_freeze(_n, version, freeze_id, reason):
    return changed(lambda state, user: _freezes.lift(state, user, freeze_id, reason), version, "view_cases")


def remove_nodes(state, user: dict, case_id: int, selected: list[dict] | None) -> str:
    chosen = [d["id"] for d in selected or []]
    if not chosen:
        return "select nodes on the graph first"
    core.remove_elements(state, user, case_id, chosen)
    return f"removed {', '.join(chosen)}"


def add_nodes(state, user: dict, case_id: int, text: str) -> str:
    """Add nodes by id (comma-separated) with what links them to the case (cases.add_entities)."""
    wanted = [t.strip() for t in text.split(",") if t.strip()]
    if not wanted:
        return "type a node id, e.g. Account:A100000001"
    return v.entities_message(core.add_entities(state, app.store(), user, case_id, wanted))


@callback(Output(ids.CASES_SELECTION, "children"), Input(ids.CASES_GRAPH, "selectedNodeData"))
def show_selection(selected):
    return selection_text(selected)


@callback(Output(ids.CASES_PROVENANCE, "children"),
          Input(ids.CASES_GRAPH, "tapNodeData"), Input(ids.CASES_GRAPH, "tapEdgeData"),
          State(ids.CASES_ID, "data"), prevent_initial_call=True)
def provenance(node, edge, case_id):
    d = edge if ctx.triggered and "Edge" in ctx.triggered[0]["prop_id"] else node
    if not d:
        return no_update
    try:
        auth.require("view_cases")
        case = core.get_case(app.state(), case_id)
    except CasegraphError as e:
        return html.P(str(e), className="message")
    return [html.H5(d["id"]), _pairs(v.provenance_rows(case, d["id"]))]


@callback(Output(ids.CASES_ACTIONS_DOWNLOAD, "data"), Output(ids.CASES_MESSAGE, "children", allow_duplicate=True),
          Input(ids.CASES_ACTIONS_CSV, "n_clicks"), State(ids.CASES_ID, "data"), prevent_initial_call=True)
def actions_csv(_n, case_id):
    if case_id is None:
        return no_update, "open a case first: its remediation actions are what is exported"
    try:
        auth.require("view_cases")
        text = core.actions_csv(app.state(), [case_id])
    except CasegraphError as e:
        return no_update, str(e)
    return dcc.send_string(text, f"case-{case_id}-actions.csv"), ""


@callback(Output(ids.CASES_EVIDENCE_DOWNLOAD, "data"), Output(ids.CASES_EVIDENCE_RESULT, "children"),
          Input(ids.CASES_EVIDENCE_BUILD, "n_clicks"), State(ids.CASES_ID, "data"),
          State(ids.CASES_EVIDENCE_REF, "value"), State(ids.CASES_EVIDENCE_AGENCY, "value"),
          State(ids.CASES_EVIDENCE_MASK, "value"), prevent_initial_call=True)
def evidence(_n, case_id, ref, agency, mask):
    """Build the package into a fresh folder and send it; the SHA-256 shown is the one the
    audit log records."""
    from casegraph import evidence as ev
    try:
        user = auth.require("export_evidence")
        built = ev.build_case_package(app.state(), app.store(), user, case_id, request_ref=(ref or "").strip(),
                                      agency=(agency or "").strip(),
                                      out_dir=ev_view.export_dir(app.settings()), mask=bool(mask),
                                      settings=app.settings())
    except CasegraphError as e:
        return no_update, html.Span(str(e), className="message")
    return ev_view.sent(built)


@callback(Output(ids.CASES_STR_XML, "data"), Output(ids.CASES_STR_PDF, "data"),
          Output(ids.CASES_EVIDENCE_RESULT, "children", allow_duplicate=True),
          Input(ids.CASES_STR_BUILD, "n_clicks"), State(ids.CASES_ID, "data"), State(ids.CASES_EVIDENCE_MASK, "value"),
          prevent_initial_call=True)
def str_draft(_n, case_id, mask):
    """The case's STR draft (casegraph/evidence/goaml.py): the XML and the PDF download; the
    XML's SHA-256 is the one the audit log records."""
    import hashlib
    from casegraph.evidence import goaml
    try:
        user = auth.require("export_evidence")
        xml, pdf = goaml.str_draft(app.state(), app.store(), user, case_id, masked=bool(mask), settings=app.settings())
    except CasegraphError as e:
        return no_update, no_update, html.Span(str(e), className="message")
    return (dcc.send_bytes(xml, f"str-case-{case_id}.xml"), dcc.send_bytes(pdf, f"str-case-{case_id}.pdf"),
            html.Div(["STR draft: ", html.Code(f"str-case-{case_id}.xml"), " SHA-256 ",
                      html.Code(hashlib.sha256(xml).hexdigest(), className="sha256"),
                      " and its PDF; fill in what the PDF lists before submitting it"]))
