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
EXPLORE_UNDO_STACK = "explore-undo-stack"
EXPLORE_FOCUS = "explore-focus"
EXPLORE_ELEMENTS = "explore-elements"   # the element list (the canvas reports back a lossy copy)
EXPLORE_PIN = "explore-pin"
EXPLORE_LAYOUT = "explore-layout"
EXPLORE_LEGEND = "explore-legend"
EXPLORE_TIME = "explore-time"
EXPLORE_TIME_LABEL = "explore-time-label"
EXPLORE_PATH = "explore-path"
EXPLORE_TRACE = "explore-trace"
EXPLORE_TRACE_DIRECTION = "explore-trace-direction"
EXPLORE_COUNT = "explore-count"
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
