"""The application-state store (SQLite by default, PostgreSQL for several app
instances): load records, alerts, users, cases (elements, notes, history, remediation
actions, second reviews) and the audit log. Never the graph: the graph holds evidence,
this holds what people did with it. What differs between the databases (schema setup,
the audit log's triggers, locks) is declared once, per database, in `_DIALECTS`."""
from __future__ import annotations

import fcntl
import hashlib
import os
import time
from typing import Any

import sqlalchemy as sa

from casegraph.errors import ConfigError, StoreError
from casegraph.settings import Settings

metadata = sa.MetaData()


def _notes_table(name: str, owner: str, owner_table: str) -> sa.Table:
    """Notes on a workflow's items (cases, law-enforcement requests): who wrote what, when."""
    return sa.Table(
        name, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(owner, sa.Integer, sa.ForeignKey(f"{owner_table}.id"), nullable=False, index=True),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )


def append_note(conn, notes: sa.Table, owners: sa.Table, owner_id: int, author: str, at: int, text: str) -> None:
    """A note on a case or a request (a table from _notes_table), and its owner's updated_at."""
    owner_column = next(c.name for c in notes.c if c.foreign_keys)
    conn.execute(notes.insert().values(**{owner_column: owner_id}, author=author, at=at, text=text))
    conn.execute(owners.update().where(owners.c.id == owner_id).values(updated_at=at))


def _history_table(name: str, owner: str, owner_table: str) -> sa.Table:
    """The status moves of a workflow's items: who moved it, when, from and to what, and why."""
    return sa.Table(
        name, metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(owner, sa.Integer, sa.ForeignKey(f"{owner_table}.id"), nullable=False, index=True),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("from_status", sa.String(16)),             # None for the creation
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )


loads = sa.Table(
    "loads", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("load_id", sa.String(32), nullable=False, index=True),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("db", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # running, complete, failed, interrupted, rejected
    sa.Column("started_at", sa.BigInteger, nullable=False),
    sa.Column("finished_at", sa.BigInteger),
    sa.Column("rows_read", sa.BigInteger, default=0),
    sa.Column("rows_written", sa.BigInteger, default=0),
    sa.Column("rows_rejected", sa.BigInteger, default=0),
    sa.Column("rows_filtered", sa.BigInteger, default=0),
    sa.Column("rejects_file", sa.Text),
    sa.Column("message", sa.Text),
)


alerts = sa.Table(
    "alerts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("detection", sa.String(64), nullable=False),
    sa.Column("entity_key", sa.Text, nullable=False),   # account id, or a ring's sorted members
    sa.Column("status", sa.String(16), nullable=False, default="open"),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("entities", sa.JSON, nullable=False),
    sa.Column("reasons", sa.JSON, nullable=False),
    sa.Column("result", sa.JSON, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.Column("assignee", sa.String(128)),
    sa.Column("case_id", sa.Integer, index=True),       # set when the alert was turned into a case
    sa.Column("closed_reason", sa.Text),
    sa.Index("alerts_open_entity", "detection", "entity_key", "status"),
)

# Cases (casegraph/cases.py): what investigators made of alerts, groups and selections.
cases = sa.Table(
    "cases", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("assignee", sa.String(128), index=True),
    sa.Column("source", sa.Text, nullable=False),        # selection, alert:<id>, group:<id>, search
    sa.Column("detection", sa.String(64)),
    sa.Column("domain", sa.String(32)),
    sa.Column("created_by", sa.String(128), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False, index=True),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.Column("decision", sa.String(16)),                # confirmed | false_positive
    sa.Column("decision_reason", sa.Text),
    sa.Column("decided_by", sa.String(128)),
    sa.Column("decided_at", sa.BigInteger, index=True),
)

# One row per element brought into a case: its snapshot and provenance. Removal keeps the row.
case_elements = sa.Table(
    "case_elements", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("element_id", sa.Text, nullable=False),
    sa.Column("element", sa.JSON, nullable=False),       # the cytoscape element as it was added
    sa.Column("query", sa.Text, nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("added_by", sa.String(128), nullable=False),
    sa.Column("added_at", sa.BigInteger, nullable=False),
    sa.Column("removed_by", sa.String(128)),
    sa.Column("removed_at", sa.BigInteger),
)

# Where each node of a case was drawn when the case was last saved from a canvas: view state,
# not evidence, so kept apart from case_elements (whose insertions the audit log digests).
case_layouts = sa.Table(
    "case_layouts", metadata,
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), primary_key=True),
    sa.Column("positions", sa.JSON, nullable=False),     # {node id: {"x": float, "y": float}}
    sa.Column("saved_by", sa.String(128), nullable=False),
    sa.Column("saved_at", sa.BigInteger, nullable=False),
)

case_notes = _notes_table("case_notes", "case_id", "cases")

case_history = _history_table("case_history", "case_id", "cases")

case_actions = sa.Table(
    "case_actions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("target", sa.Text, nullable=False),        # a node id of the case, "<Label>:<key>"
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("requested_by", sa.String(128), nullable=False),
    sa.Column("requested_at", sa.BigInteger, nullable=False),
)

# Second reviews (QA) of decided cases.
case_reviews = sa.Table(
    "case_reviews", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("reviewer", sa.String(128), nullable=False),
    sa.Column("at", sa.BigInteger, nullable=False, index=True),
    sa.Column("verdict", sa.String(16), nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),  # the decision reviewed
    sa.Column("decided_by", sa.String(128), nullable=False),
    sa.Column("agrees", sa.Boolean, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)


# The law-enforcement request desk (casegraph/requests.py): requests, the subjects they name
# (as asked: "Account:<id>", "Wallet:<address>", an identifier, "tx:<hash>"), notes, status
# history and the evidence packages sent in answer (partial responses, each with its SHA-256).
le_requests = sa.Table(
    "le_requests", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("agency", sa.Text, nullable=False, index=True),
    sa.Column("country", sa.String(64), nullable=False, index=True),
    sa.Column("reference", sa.Text, nullable=False),
    sa.Column("legal_basis", sa.Text, nullable=False),
    sa.Column("received_at", sa.BigInteger, nullable=False, index=True),
    sa.Column("deadline_at", sa.BigInteger, nullable=False, index=True),
    sa.Column("priority", sa.String(16), nullable=False),
    sa.Column("ask", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("assignee", sa.String(128), index=True),
    sa.Column("decline_reason", sa.Text),
    sa.Column("responded_at", sa.BigInteger),
    sa.Column("case_id", sa.Integer),                    # the case made from the request
    sa.Column("created_by", sa.String(128), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)

le_request_subjects = sa.Table(
    "le_request_subjects", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("request_id", sa.Integer, sa.ForeignKey("le_requests.id"), nullable=False, index=True),
    sa.Column("subject", sa.Text, nullable=False),
)

le_request_notes = _notes_table("le_request_notes", "request_id", "le_requests")

le_request_history = _history_table("le_request_history", "request_id", "le_requests")

le_request_packages = sa.Table(
    "le_request_packages", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("request_id", sa.Integer, sa.ForeignKey("le_requests.id"), nullable=False, index=True),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("evidence_job_id", sa.Integer),
    sa.Column("recorded_by", sa.String(128), nullable=False),
    sa.Column("recorded_at", sa.BigInteger, nullable=False),
)

# Freeze orders (casegraph/freezes.py) on accounts or wallets; lifting keeps the row.
freezes = sa.Table(
    "freezes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("target", sa.Text, nullable=False, index=True),   # "Account:<id>" or "Wallet:<address>"
    sa.Column("amount", sa.Float, nullable=False),
    sa.Column("asset", sa.String(32), nullable=False),
    sa.Column("request_id", sa.Integer),
    sa.Column("case_id", sa.Integer),
    sa.Column("until_at", sa.BigInteger),                # None: until lifted
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("frozen_by", sa.String(128), nullable=False),
    sa.Column("frozen_at", sa.BigInteger, nullable=False),
    sa.Column("lifted_by", sa.String(128)),
    sa.Column("lifted_at", sa.BigInteger),
    sa.Column("lift_reason", sa.Text),
)


users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(128), nullable=False, unique=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("disabled_at", sa.BigInteger),
)

# Login attempts (casegraph/logins.py): a row is taken, under a lock, before a password is
# checked ("pending"), and then marked "ok" or "failed"; what is counted is what was checked.
login_attempts = sa.Table(
    "login_attempts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(128), nullable=False, index=True),
    sa.Column("address", sa.String(64), nullable=False, index=True),
    sa.Column("at", sa.BigInteger, nullable=False, index=True),
    sa.Column("outcome", sa.String(16), nullable=False),
)

# UI sessions (casegraph/logins.py): the signed session cookie names one of these by the
# SHA-256 of its random id; logging out ends the row, so a copied cookie stops working too.
ui_sessions = sa.Table(
    "ui_sessions", metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(128), nullable=False, index=True),
    sa.Column("started_at", sa.BigInteger, nullable=False),
    sa.Column("ended_at", sa.BigInteger),
)

# Keys generated once and shared by every process on this state (the UI's session key, the
# evidence mask key) when the state store is a server database: Settings.generated_key keeps
# them in files beside a SQLite state file instead.
keys = sa.Table(
    "keys", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)

# API tokens of service accounts (casegraph/tokens.py): only the SHA-256 of the secret is kept.
api_tokens = sa.Table(
    "api_tokens", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(128), nullable=False, unique=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("secret_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("rate_per_s", sa.Float, nullable=False),
    sa.Column("created_by", sa.String(128), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger),
    sa.Column("revoked_at", sa.BigInteger),
    sa.Column("revoked_by", sa.String(128)),
)

# Idempotency keys of the API's creating POSTs (casegraph/api/idempotency.py): the first
# answer, kept for a retried request with the same key, token and body.
api_idempotency = sa.Table(
    "api_idempotency", metadata,
    sa.Column("token", sa.String(128), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("request_sha256", sa.String(64), nullable=False),
    sa.Column("status", sa.Integer),                     # None while the first request runs
    sa.Column("body", sa.Text),
    sa.Column("created_at", sa.BigInteger, nullable=False, index=True),
)

# Evidence packages asked for over the API (casegraph/evidence_jobs.py), built by a worker
# thread in an API process: a worker claims a queued job with UPDATE ... WHERE state =
# 'queued', so with several processes each job is built once.
evidence_jobs = sa.Table(
    "evidence_jobs", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("requested_by", sa.String(128), nullable=False),   # the actor's name (token:<name>)
    sa.Column("role", sa.String(32), nullable=False),            # the actor's role when asked
    sa.Column("what", sa.JSON, nullable=False),                  # the request: a case or a subject and period
    sa.Column("state", sa.String(16), nullable=False, index=True),   # queued, running, done, failed
    sa.Column("worker", sa.String(128)),                         # host:pid of the process building it
    sa.Column("file", sa.Text),
    sa.Column("sha256", sa.String(64)),
    sa.Column("error", sa.Text),
    sa.Column("requested_at", sa.BigInteger, nullable=False),
    sa.Column("started_at", sa.BigInteger),
    sa.Column("finished_at", sa.BigInteger),
)

# Append-only and hash-chained (casegraph/audit.py): id is assigned by the writer as the
# previous id + 1, so two concurrent writers collide on the key instead of forking the chain.
audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.BigInteger, nullable=False, index=True),
    sa.Column("actor", sa.String(128), nullable=False, index=True),
    sa.Column("action", sa.String(64), nullable=False, index=True),
    sa.Column("details", sa.Text, nullable=False),  # canonical JSON, hashed as stored
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# The audit log is append-only on the database too: UPDATE and DELETE (and, on PostgreSQL,
# TRUNCATE) are refused by triggers the schema setup creates. Someone with raw access can drop
# them; the hash chain (casegraph/audit.py) still shows what they then changed.
APPEND_ONLY = "the audit log is append-only"

_SQLITE_AUDIT_TRIGGERS = (
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END",
)
# SQLSTATE 23000 (integrity_constraint_violation): a refused change is an IntegrityError on
# both databases.
_PG_AUDIT_FUNCTION = (
    "CREATE OR REPLACE FUNCTION casegraph_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = '23000'; END $$")
_PG_AUDIT_TRIGGERS = {
    "audit_log_no_update": "BEFORE UPDATE ON audit_log FOR EACH ROW",
    "audit_log_no_delete": "BEFORE DELETE ON audit_log FOR EACH ROW",
    "audit_log_no_truncate": "BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT",
}


def _lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_xact_lock from a name."""
    return int.from_bytes(hashlib.sha256(f"casegraph:{name}".encode()).digest()[:8], "big", signed=True)


# Taking SQLite's write lock at the start of a transaction: a write statement that matches no
# row. (BEGIN IMMEDIATE would do, but only as a transaction's first statement.)
_SQLITE_WRITE_LOCK = "DELETE FROM keys WHERE 0"


class _Dialect:
    """What differs between the databases the state store runs on, chosen once when it opens.
    Other SQLAlchemy databases get this base: no triggers and no locks, the hash chain only."""

    engine_options: dict[str, Any] = {}

    def on_connect(self, engine: sa.engine.Engine) -> None:
        """Per-connection settings."""

    def lock_schema(self, conn: sa.engine.Connection) -> None:
        """Until this transaction ends, other processes' schema setup waits (several app
        instances starting at once: one creates the tables, the others find them)."""

    def guard_audit_log(self, conn: sa.engine.Connection) -> None:
        """Create the triggers that refuse changes to the audit log (idempotent)."""

    def serialize(self, conn: sa.engine.Connection, name: str) -> None:
        """Until this transaction ends, every other transaction that serializes on `name`
        (audit appends, one detection's alerts) waits for it."""

    def for_update(self, conn: sa.engine.Connection, query):
        """`query`, a SELECT of rows this transaction is about to change, with those rows
        held until it ends: another transaction reading them to change them waits, then
        reads what this one wrote."""
        return query


class _SQLite(_Dialect):
    """SQLite allows one writer per file; a writer that finds the file locked sleeps in
    SQLite's busy handler (1, 2, 5 ... 100 ms at a time) until it gets its turn, which under a
    steady stream of small writes from several processes (the API's workers holding
    transfers and appending calls) left checks waiting 300 ms. So transactions that
    serialize also queue on an OS file lock beside the database (`<file>.write-lock`): the
    kernel wakes the next writer the moment the lock is free. Released when the transaction
    ends (commit or rollback)."""

    def on_connect(self, engine: sa.engine.Engine) -> None:
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        path = engine.url.database
        self.lock_path = f"{path}.write-lock" if path and path != ":memory:" else None
        sa.event.listen(engine, "commit", _release_file_lock)
        sa.event.listen(engine, "rollback", _release_file_lock)
        # a connection going back to the pool never keeps the lock, whatever ended its work
        sa.event.listen(engine, "checkin", lambda _dbapi, record: _release_fd(record.info))

    def _queue(self, conn: sa.engine.Connection) -> None:
        if self.lock_path is None or "write_lock_fd" in conn.info:
            return
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        conn.info["write_lock_fd"] = fd

    def guard_audit_log(self, conn: sa.engine.Connection) -> None:
        for ddl in _SQLITE_AUDIT_TRIGGERS:
            conn.exec_driver_sql(ddl)

    def serialize(self, conn: sa.engine.Connection, name: str) -> None:
        # one writer per database file: take its write lock (waiting up to busy_timeout)
        # before the transaction reads what it is about to build on
        self._queue(conn)
        conn.exec_driver_sql(_SQLITE_WRITE_LOCK)

    def for_update(self, conn: sa.engine.Connection, query):
        conn.exec_driver_sql(_SQLITE_WRITE_LOCK)
        return query


class _PostgreSQL(_Dialect):
    # a server restart (or an idle connection a proxy dropped) must not fail the next request
    engine_options = {"pool_pre_ping": True}

    def guard_audit_log(self, conn: sa.engine.Connection) -> None:
        have = set(conn.execute(sa.text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass)"), {"t": "audit_log"}).scalars())
        if have >= set(_PG_AUDIT_TRIGGERS):
            return
        conn.exec_driver_sql(_PG_AUDIT_FUNCTION)
        for name, when in _PG_AUDIT_TRIGGERS.items():
            if name not in have:
                conn.exec_driver_sql(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION casegraph_audit_append_only()")

    def lock_schema(self, conn: sa.engine.Connection) -> None:
        self.serialize(conn, "schema")

    def serialize(self, conn: sa.engine.Connection, name: str) -> None:
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_lock_key(name))))

    def for_update(self, conn: sa.engine.Connection, query):
        return query.with_for_update()


_DIALECTS: dict[str, _Dialect] = {"sqlite": _SQLite(), "postgresql": _PostgreSQL()}


def now_ms() -> int:
    return int(time.time() * 1000)


def safe_url(url: str) -> str:
    """A state store URL as it may be shown: without its password."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


class StateStore:
    def __init__(self, url: str):
        backend = ""
        try:
            backend = sa.engine.make_url(url).get_backend_name()
            self.dialect = _DIALECTS.get(backend, _Dialect())
            self.engine = sa.create_engine(url, **self.dialect.engine_options)
            self.dialect.on_connect(self.engine)
            with self.engine.begin() as conn:        # one transaction: all of it, or none of it
                self.dialect.lock_schema(conn)
                metadata.create_all(conn)
                _add_missing_columns(conn)
                self.dialect.guard_audit_log(conn)
        except ImportError as e:            # the URL names a driver that is not installed
            hint = " (pip install 'casegraph[postgres]')" if backend == "postgresql" else ""
            raise ConfigError(f"state store {safe_url(url)}: its database driver is not installed: "
                              f"{e.name or e}{hint}") from e
        except sa.exc.ArgumentError as e:
            raise ConfigError(f"invalid state store URL {safe_url(url)!r}: {e}") from e
        except sa.exc.SQLAlchemyError as e:
            raise StoreError(f"cannot open the state store {safe_url(url)}: {_first_line(e)}") from e

    def ping(self) -> str:
        """The database's name when it answers a query (for health checks); raises otherwise."""
        with self.engine.connect() as conn:
            conn.execute(sa.select(1))
        return self.engine.dialect.name

    def shared_key(self, name: str, new_value: str) -> str:
        """The key kept under `name`; the first caller stores `new_value` (when two processes
        race, both get the one stored first)."""
        def stored():
            with self.engine.connect() as conn:
                return conn.execute(sa.select(keys.c.value).where(keys.c.name == name)).scalar()
        found = stored()
        if found is None:
            try:
                with self.engine.begin() as conn:
                    conn.execute(keys.insert().values(name=name, value=new_value, created_at=now_ms()))
            except sa.exc.IntegrityError:
                pass
            found = stored()
        return found

    def start_load(self, **values: Any) -> int:
        with self.engine.begin() as conn:
            return conn.execute(loads.insert().values(status="running", started_at=now_ms(), **values)
                                ).inserted_primary_key[0]

    def update_load(self, row_id: int, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(loads.update().where(loads.c.id == row_id).values(**values))

    def recent_loads(self, limit: int = 20) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(loads.select().order_by(loads.c.id.desc()).limit(limit)).mappings()
            return [dict(r) for r in rows]

    def save_alerts(self, detection: str, params: dict[str, Any],
                    found: list[tuple[str, list[str], dict[str, Any]]]) -> tuple[int, int]:
        """Store results as alerts: an open alert on the same entity is updated, not
        duplicated, and an entity whose latest alert was already reviewed (dismissed,
        closed, or taken into a case) is not raised again: a re-run sweep must not refill
        the queue with what people have decided. (A ring that gains or loses members has a
        new key, so it comes back.) `found` holds (entity_key, entities, result).
        Returns (new, updated)."""
        new = updated = 0
        at = now_ms()
        with self.engine.begin() as conn:
            self.dialect.serialize(conn, f"alerts:{detection}")   # two runs at once: one alert per entity
            keys = sorted({key for key, _, _ in found})
            latest: dict[str, tuple[int, str]] = {}
            for start in range(0, len(keys), 500):      # only the keys at hand (the queue may be large)
                latest.update({key: (row_id, status) for key, row_id, status in conn.execute(
                    sa.select(alerts.c.entity_key, alerts.c.id, alerts.c.status)
                    .where(alerts.c.detection == detection, alerts.c.entity_key.in_(keys[start:start + 500]))
                    .order_by(alerts.c.id)).all()})
            for key, entities, result in found:
                values = {"score": float(result["score"]), "params": params, "entities": entities,
                          "reasons": result["reasons"], "result": result, "updated_at": at}
                row_id, status = latest.get(key, (None, None))
                if status == "open":
                    conn.execute(alerts.update().where(alerts.c.id == row_id).values(**values))
                    updated += 1
                elif status is None:
                    conn.execute(alerts.insert().values(detection=detection, entity_key=key, status="open",
                                                        created_at=at, **values))
                    new += 1
        return new, updated

    def list_alerts(self, detection: str | None = None, status: str | None = "open",
                    min_score: float = 0.0, limit: int = 1000, *, assignee: str | None = None,
                    created_since: int | None = None, created_until: int | None = None,
                    offset: int = 0) -> list[dict[str, Any]]:
        """Alerts, highest score first (then oldest): `status` None is every status; created
        times are epoch ms, `created_since` inclusive, `created_until` exclusive."""
        where = _alert_filters(detection, status, min_score, assignee, created_since, created_until)
        q = sa.select(alerts).where(*where).order_by(alerts.c.score.desc(), alerts.c.id).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def count_alerts(self, detection: str | None = None, status: str | None = "open", min_score: float = 0.0, *,
                     assignee: str | None = None, created_since: int | None = None,
                     created_until: int | None = None) -> int:
        """How many alerts list_alerts would return with the same filters and no limit."""
        where = _alert_filters(detection, status, min_score, assignee, created_since, created_until)
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(alerts).where(*where)).scalar_one()

    def latest_alert_ids(self, detection: str, entity_keys: list[str]) -> dict[str, int]:
        """The id of the newest alert of `detection` on each of `entity_keys` (open or
        reviewed); keys without an alert are left out."""
        out: dict[str, int] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(entity_keys), 500):
                for key, row_id in conn.execute(sa.select(alerts.c.entity_key, alerts.c.id).where(
                        alerts.c.detection == detection, alerts.c.entity_key.in_(entity_keys[start:start + 500]))
                        .order_by(alerts.c.id)):
                    out[key] = row_id
        return out

    def get_alert(self, alert_id: int) -> dict[str, Any] | None:
        """One alert by id, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(alerts).where(alerts.c.id == alert_id)).mappings().first()
        return dict(row) if row is not None else None

    def unfinished_loads(self, db: str) -> list[dict[str, Any]]:
        """Loads into `db` that did not complete and were not completed by a later run."""
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(loads.select().where(loads.c.db == db)
                                                  .order_by(loads.c.id)).mappings()]
        latest: dict[tuple[str, str], dict] = {}
        for r in rows:
            latest[(r["file"], r["load_id"])] = r
        return [r for r in latest.values() if r["status"] in ("running", "interrupted", "failed")]


def _alert_filters(detection, status, min_score, assignee, created_since, created_until) -> list:
    where = [alerts.c.score >= min_score]
    for column, value in ((alerts.c.detection, detection), (alerts.c.status, status), (alerts.c.assignee, assignee)):
        if value:
            where.append(column == value)
    if created_since is not None:
        where.append(alerts.c.created_at >= created_since)
    if created_until is not None:
        where.append(alerts.c.created_at < created_until)
    return where


def _add_missing_columns(conn: sa.engine.Connection) -> None:
    """Columns added to a table since a state file was made (create_all only creates
    missing tables): ALTER TABLE ADD COLUMN each, nullable, so older files keep working."""
    inspector = sa.inspect(conn)
    for table in metadata.sorted_tables:
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for col in table.columns:
            if col.name not in have:
                kind = col.type.compile(dialect=conn.dialect)
                conn.exec_driver_sql(f'ALTER TABLE "{table.name}" ADD COLUMN "{col.name}" {kind}')
                for index in table.indexes:
                    if col in index.columns.values():
                        index.create(conn, checkfirst=True)


def _first_line(e: Exception) -> str:
    """A database error's own message, without SQLAlchemy's statement dump and links."""
    text = str(getattr(e, "orig", None) or e).strip()
    return text.splitlines()[0] if text else e.__class__.__name__


def _release_file_lock(conn: sa.engine.Connection) -> None:
    _release_fd(conn.info)


def _release_fd(info: dict) -> None:
    fd = info.pop("write_lock_fd", None)
    if fd is not None:
        os.close(fd)            # closing the descriptor releases its flock


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def open_state(url: str) -> StateStore:
    return StateStore(url)


def for_update(conn: sa.engine.Connection, query):
    """`query` (a SELECT of rows the transaction on `conn` is about to change) with those
    rows held until the transaction ends, as the connection's database does it (see
    _Dialect.for_update): read-check-write steps of two app instances then run one after
    the other instead of both passing the check."""
    return _DIALECTS.get(conn.dialect.name, _Dialect()).for_update(conn, query)


def shared_key(settings: Settings, file_name: str, what: str) -> str:
    """A random key generated once for every process on the settings' state store: in the
    file `file_name` beside a SQLite state file (Settings.generated_key), else in the state
    database's `keys` table, so app instances on other machines share it too. A key file
    left in the working folder by an earlier version is taken over as the first value."""
    if settings.state_dir() is not None:
        return settings.generated_key(file_name, what)
    import os
    import secrets
    old = os.path.join(os.getcwd(), file_name)
    try:
        with open(old, encoding="ascii") as f:
            first = f.read().strip() or secrets.token_urlsafe(48)
    except OSError:
        first = secrets.token_urlsafe(48)
    store = open_state(settings.state_url())
    try:
        return store.shared_key(file_name, first)
    finally:
        store.engine.dispose()
