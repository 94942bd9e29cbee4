"""Settings, declared once. Each has a name, a default, an environment variable
and a help text; the CLI options, docs/settings.md and the tests read this list."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from typing import Any

from casegraph.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    envvar: str
    help: str
    type: type = str


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "embedded:./casegraph-data", "CASEGRAPH_DB",
            "Graph database URI: embedded:<dir> (FalkorDB started by casegraph), "
            "falkordb://host:port, bolt://, neo4j:// or neo4j+s://host:port."),
    Setting("graph", "casegraph", "CASEGRAPH_GRAPH",
            "Graph name inside FalkorDB, or database name on Neo4j (empty = the server's default)."),
    Setting("state", "", "CASEGRAPH_STATE",
            "Application-state store URL (SQLAlchemy): sqlite:///<file>, or postgresql+psycopg://user@host/db "
            "for several app instances. Empty: a SQLite file inside the embedded data dir, or "
            "./casegraph-state.sqlite for other backends."),
    Setting("neo4j_user", "neo4j", "NEO4J_USER", "Neo4j user name (unless given in the URI)."),
    Setting("neo4j_password", "", "NEO4J_PASSWORD", "Neo4j password (unless given in the URI)."),
    Setting("queries_dir", "", "CASEGRAPH_QUERIES",
            "Folder of the user's own .cypher files, added to the built-in catalogue."),
    Setting("query_timeout_ms", 30000, "CASEGRAPH_QUERY_TIMEOUT_MS",
            "Time limit for a read query, in milliseconds.", int),
    Setting("detection_timeout_ms", 600000, "CASEGRAPH_DETECTION_TIMEOUT_MS",
            "Time limit for each query of a built-in detection (batch jobs over the whole graph), in milliseconds.", int),
    Setting("row_limit", 10000, "CASEGRAPH_ROW_LIMIT",
            "Most rows a user-run query returns; the user is told when it was cut.", int),
    Setting("query_max_chars", 100000, "CASEGRAPH_QUERY_MAX_CHARS",
            "Longest user-supplied Cypher text, in characters; longer queries are refused before they run.", int),
    Setting("request_max_mb", 8, "CASEGRAPH_REQUEST_MAX_MB",
            "Largest HTTP request body the web app accepts, in MB (larger: 413 without reading it).", int),
    Setting("batch_size", 5000, "CASEGRAPH_BATCH_SIZE",
            "Rows per UNWIND batch when loading.", int),
    Setting("bulk_max_mb", 1024, "CASEGRAPH_BULK_MAX_MB",
            "Largest input (MB of files) a first load into an empty graph builds in memory with GRAPH.BULK "
            "(it needs about 4x that in RAM); larger loads stream through MERGE in constant memory. 0: never bulk.", int),
    Setting("secret_key", "", "CASEGRAPH_SECRET_KEY",
            "Key that signs UI session cookies. Empty: a random key generated once and kept in a "
            "file next to a SQLite state store, or in a PostgreSQL state store itself, so every app "
            "instance on that state shares it.", ),
    Setting("session_minutes", 480, "CASEGRAPH_SESSION_MINUTES",
            "A UI session ends after this many minutes without a request; the user logs in again.", int),
    Setting("mask_key", "", "CASEGRAPH_MASK_KEY",
            "Key for the stable pseudonyms of masked evidence packages. Empty: a random key generated "
            "once and kept like the secret_key's (the same value gets the same pseudonym).", ),
    Setting("signing_key", "", "CASEGRAPH_SIGNING_KEY",
            "Ed25519 private key (PEM file) that signs evidence manifests; keep it "
            "outside the state store (a mounted secret when several app instances share one). Empty: "
            "casegraph-signing.pem beside a SQLite state file (else the working folder), created once.", ),
    Setting("audit_head", "", "CASEGRAPH_AUDIT_HEAD",
            "File that keeps the audit log's newest entry (id, hash, signed) outside the state store, so "
            "removing the newest entries is noticed. Empty: beside a SQLite state file; set it for a "
            "PostgreSQL state store (shared storage every app instance reaches)."),
    Setting("evidence_dir", "", "CASEGRAPH_EVIDENCE_DIR",
            "Folder the UI writes evidence packages to. Empty: an evidence folder beside a SQLite "
            "state file, else casegraph-evidence in the system's temp folder."),
    Setting("workers", 2, "CASEGRAPH_WORKERS",
            "Web server worker processes of `casegraph serve` and `demo` (gunicorn); each opens its own "
            "graph and state connections.", int),
    Setting("threads", 4, "CASEGRAPH_THREADS",
            "Threads per web server worker: requests one worker serves at once.", int),
)


def _setting(name: str) -> Setting:
    for s in SETTINGS:
        if s.name == name:
            return s
    raise KeyError(name)


@dataclass(frozen=True)
class Settings:
    db: str = _setting("db").default
    graph: str = _setting("graph").default
    state: str = _setting("state").default
    neo4j_user: str = _setting("neo4j_user").default
    neo4j_password: str = field(default=_setting("neo4j_password").default, repr=False)
    queries_dir: str = _setting("queries_dir").default
    query_timeout_ms: int = _setting("query_timeout_ms").default
    detection_timeout_ms: int = _setting("detection_timeout_ms").default
    row_limit: int = _setting("row_limit").default
    query_max_chars: int = _setting("query_max_chars").default
    request_max_mb: int = _setting("request_max_mb").default
    batch_size: int = _setting("batch_size").default
    bulk_max_mb: int = _setting("bulk_max_mb").default
    secret_key: str = field(default=_setting("secret_key").default, repr=False)
    session_minutes: int = _setting("session_minutes").default
    mask_key: str = field(default=_setting("mask_key").default, repr=False)
    signing_key: str = _setting("signing_key").default
    audit_head: str = _setting("audit_head").default
    evidence_dir: str = _setting("evidence_dir").default
    workers: int = _setting("workers").default
    threads: int = _setting("threads").default

    @classmethod
    def load(cls, **overrides: Any) -> "Settings":
        """Defaults, then environment variables, then explicit overrides (None = not given)."""
        values: dict[str, Any] = {}
        for s in SETTINGS:
            raw = overrides.get(s.name)
            if raw is None:
                raw = os.environ.get(s.envvar, s.default)
            try:
                values[s.name] = s.type(raw)
            except (TypeError, ValueError):
                raise ConfigError(f"setting {s.name} ({s.envvar}) must be {s.type.__name__}, got {raw!r}") from None
        return cls(**values)

    def state_url(self) -> str:
        """The application-state store URL, defaulting next to the embedded data."""
        if self.state:
            return self.state
        if self.db.startswith("embedded:"):
            folder = os.path.abspath(self.db[len("embedded:"):] or "casegraph-data")
            os.makedirs(folder, exist_ok=True)
            return "sqlite:///" + os.path.join(folder, "state.sqlite")
        return "sqlite:///" + os.path.abspath("casegraph-state.sqlite")

    def state_dir(self) -> str | None:
        """The folder of a SQLite state file (where generated keys and UI exports are kept
        beside it), or None when the state store is not a SQLite file."""
        from sqlalchemy.engine import make_url
        url = make_url(self.state_url())
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            return os.path.dirname(os.path.abspath(url.database))
        return None

    def generated_key(self, file_name: str, what: str) -> str:
        """A random key kept in `file_name` next to the state (the working folder when the
        state is not a SQLite file), created once with mode 0600; every process and app
        instance reading the same place gets the same key. (casegraph.state.shared_key keeps
        it in the database instead when the state store is a server.)"""
        import secrets
        import time
        path = os.path.join(self.state_dir() or os.getcwd(), file_name)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            for _ in range(50):                  # another process may be writing it right now
                with open(path, encoding="ascii") as f:
                    key = f.read().strip()
                if key:
                    return key
                time.sleep(0.02)
            raise ConfigError(f"the {what} file {path} is empty; delete it to generate a new key") from None
        except OSError as e:
            raise ConfigError(f"cannot create the {what} file {path}: {e.strerror}") from e
        key = secrets.token_urlsafe(48)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key + "\n")
        return key


assert {f.name for f in fields(Settings)} == {s.name for s in SETTINGS}
