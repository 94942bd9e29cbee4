"""Component ids, one constant per component, prefixed by page. Callbacks and the
browser tests name components through these, never by literal strings."""

# shell
NAV = "shell-nav"
URL = "shell-url"

# search
SEARCH_INPUT = "search-input"
SEARCH_BUTTON = "search-button"
SEARCH_RESULTS = "search-results"
SEARCH_MESSAGE = "search-message"
SEARCH_MORE = "search-more"             # shows the next page of hits

# alerts
ALERTS_DETECTION = "alerts-detection"
ALERTS_MIN_SCORE = "alerts-min-score"
ALERTS_STATUS = "alerts-status"
ALERTS_TABLE = "alerts-table"
ALERTS_COUNT = "alerts-count"
ALERTS_MESSAGE = "alerts-message"

# explorer
EXPLORE_GRAPH = "explore-graph"
EXPLORE_MESSAGE = "explore-message"
EXPLORE_REASONS = "explore-reasons"
EXPLORE_DETAILS = "explore-details"
EXPLORE_TOOLTIP = "explore-tooltip"
EXPLORE_REL = "explore-rel"
EXPLORE_EXPAND = "explore-expand"
EXPLORE_REMOVE = "explore-remove"
EXPLORE_HIDE = "explore-hide"
EXPLORE_SHOW_ALL = "explore-show-all"
EXPLORE_COLLAPSE = "explore-collapse"
EXPLORE_UNDO = "explore-undo"
EXPLORE_FOCUS = "explore-focus"
EXPLORE_CANVAS = "explore-canvas"       # the canvas state (_explorer.Canvas): elements, undo steps, time window
EXPLORE_PIN = "explore-pin"
EXPLORE_LAYOUT = "explore-layout"
EXPLORE_RELAYOUT = "explore-relayout"
EXPLORE_POSITIONS = "explore-positions"   # where the browser drew each node (app/assets/canvas.js)
EXPLORE_PLACED = "explore-placed"         # how many positions the page holds (tests wait on it)
EXPLORE_LEGEND = "explore-legend"
EXPLORE_TIME = "explore-time"
EXPLORE_TIME_LABEL = "explore-time-label"
EXPLORE_PATH = "explore-path"
EXPLORE_TRACE = "explore-trace"
EXPLORE_TRACE_DIRECTION = "explore-trace-direction"
EXPLORE_COUNT = "explore-count"
EXPLORE_SELECTION = "explore-selection"   # what the server has seen selected (tests wait on it)
EXPLORE_EXPORT_PNG = "explore-export-png"
EXPLORE_EXPORT_SVG = "explore-export-svg"
EXPLORE_EXPORT_JSON = "explore-export-json"
EXPLORE_EXPORT_GRAPHML = "explore-export-graphml"
EXPLORE_EXPORT_CSV = "explore-export-csv"
EXPLORE_DOWNLOAD = "explore-download"
EXPLORE_DOWNLOAD_EDGES = "explore-download-edges"

# saved queries
QUERIES_NAME = "queries-name"
QUERIES_PURPOSE = "queries-purpose"
QUERIES_FORM = "queries-form"
QUERIES_PARAM = "queries-param"          # pattern-matching id type: {"type": QUERIES_PARAM, "name": ...}
QUERIES_RUN = "queries-run"
QUERIES_CYPHER = "queries-cypher"
QUERIES_CYPHER_RUN = "queries-cypher-run"
QUERIES_MESSAGE = "queries-message"
QUERIES_TABLE = "queries-table"
QUERIES_GRAPH = "queries-graph"
QUERIES_NOTE = "queries-note"
QUERIES_OPEN = "queries-open"

# cases / kpis
ALERTS_BULK_ACTION = "alerts-bulk-action"
ALERTS_BULK_ASSIGNEE = "alerts-bulk-assignee"
ALERTS_BULK_REASON = "alerts-bulk-reason"
ALERTS_BULK_APPLY = "alerts-bulk-apply"
ALERTS_OPEN_CASE = "alerts-open-case"
ALERTS_BULK = "alerts-bulk"             # the bulk controls (hidden for roles that may not review)
ALERTS_BULK_MESSAGE = "alerts-bulk-message"
ALERTS_REFRESH = "alerts-refresh"
ALERTS_GO = "alerts-go"                 # a dcc.Location the page navigates with
SEARCH_HITS = "search-hits"             # the ids of the hits shown
SEARCH_NEW_CASE = "search-new-case"
SEARCH_GO = "search-go"
EXPLORE_NEW_CASE = "explore-new-case"
EXPLORE_CASE_PICK = "explore-case-pick"
EXPLORE_CASE_PICK_AREA = "explore-case-pick-area"   # clicks here refresh the case menu
EXPLORE_ADD_TO_CASE = "explore-add-to-case"
EXPLORE_GO = "explore-go"

CASES_STATUS = "cases-status"
CASES_ASSIGNEE = "cases-assignee"
CASES_MINE = "cases-mine"
CASES_TABLE = "cases-table"
CASES_COUNT = "cases-count"
CASES_ID = "cases-id"                   # the open case's id (a store)
CASES_VERSION = "cases-version"         # bumped after every change: the detail re-renders
CASES_HEADER = "cases-header"
CASES_MESSAGE = "cases-message"
CASES_GRAPH = "cases-graph"
CASES_POSITIONS = "cases-positions"       # where the browser drew each node (app/assets/canvas.js)
CASES_PLACED = "cases-placed"
CASES_SAVE_LAYOUT = "cases-save-layout"
CASES_SELECTION = "cases-selection"       # what the server has seen selected (tests wait on it)
CASES_PROVENANCE = "cases-provenance"
CASES_EXPLORER = "cases-explorer"
CASES_REMOVE = "cases-remove"
CASES_ADD_ID = "cases-add-id"
CASES_ADD = "cases-add"
CASES_NOTE_TEXT = "cases-note-text"
CASES_NOTE_ADD = "cases-note-add"
CASES_NOTES = "cases-notes"
CASES_ASSIGN_TO = "cases-assign-to"
CASES_ASSIGN = "cases-assign"
CASES_REASON = "cases-reason"
CASES_MOVES = "cases-moves"
CASES_MOVE = "cases-move"               # pattern-matching id type: {"type": CASES_MOVE, "to": status}
CASES_CHANGE = "cases-change"           # the change controls (hidden for roles without change_case)
CASES_ACTION = "cases-action"
CASES_ACTION_TARGET = "cases-action-target"
CASES_ACTION_NOTE = "cases-action-note"
CASES_ACTION_ADD = "cases-action-add"
CASES_ACTIONS = "cases-actions"
CASES_ACTIONS_CSV = "cases-actions-csv"
CASES_ACTIONS_DOWNLOAD = "cases-actions-download"
CASES_REVIEW = "cases-review"           # the second-review form
CASES_REVIEW_VERDICT = "cases-review-verdict"
CASES_REVIEW_REASON = "cases-review-reason"
CASES_REVIEW_SUBMIT = "cases-review-submit"
CASES_REVIEWS = "cases-reviews"
CASES_HISTORY = "cases-history"
CASES_EVIDENCE = "cases-evidence"       # the evidence panel (only for roles that export)
CASES_EVIDENCE_REF = "cases-evidence-ref"
CASES_EVIDENCE_AGENCY = "cases-evidence-agency"
CASES_EVIDENCE_MASK = "cases-evidence-mask"
CASES_EVIDENCE_BUILD = "cases-evidence-build"
CASES_EVIDENCE_RESULT = "cases-evidence-result"
CASES_EVIDENCE_DOWNLOAD = "cases-evidence-download"

KPIS_SINCE = "kpis-since"
KPIS_UNTIL = "kpis-until"
KPIS_SUMMARY = "kpis-summary"
KPIS_DETECTIONS = "kpis-detections"
KPIS_DOMAINS = "kpis-domains"
KPIS_MESSAGE = "kpis-message"

# auth / audit
SHELL_USER = "shell-user"               # the logged-in user's name and role in the nav
SHELL_LOGOUT = "shell-logout"           # the logout button (a POST form with the CSRF token)
SHELL_DENIED = "shell-denied"           # "not allowed" in place of a page the role may not see
LOGIN_FORM = "login-form"               # the login page is plain HTML served by Flask (app/auth.py)
LOGIN_NAME = "login-name"
LOGIN_PASSWORD = "login-password"
LOGIN_SUBMIT = "login-submit"
LOGIN_ERROR = "login-error"
LOGIN_NOTE = "login-note"
AUDIT_SINCE = "audit-since"
AUDIT_ACTOR = "audit-actor"
AUDIT_ACTION = "audit-action"
AUDIT_LIMIT = "audit-limit"
AUDIT_CHAIN = "audit-chain"
AUDIT_COUNT = "audit-count"
AUDIT_MESSAGE = "audit-message"
AUDIT_TABLE = "audit-table"
AUDIT_FORMAT = "audit-format"
AUDIT_EXPORT = "audit-export"
AUDIT_DOWNLOAD = "audit-download"

# evidence
EVIDENCE_KIND = "evidence-kind"             # Account or Wallet (ignored when the subject says "Account:..." itself)
EVIDENCE_SUBJECT = "evidence-subject"
EVIDENCE_SINCE = "evidence-since"
EVIDENCE_UNTIL = "evidence-until"
EVIDENCE_REF = "evidence-ref"
EVIDENCE_AGENCY = "evidence-agency"
EVIDENCE_MASK = "evidence-mask"
EVIDENCE_BUILD = "evidence-build"
EVIDENCE_MESSAGE = "evidence-message"
EVIDENCE_RESULT = "evidence-result"         # the package's SHA-256, files and limits
EVIDENCE_DOWNLOAD = "evidence-download"
