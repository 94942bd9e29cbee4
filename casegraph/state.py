"""The application-state store (SQLite by default, PostgreSQL for several app
instances): load records now; alerts, cases and the audit log join it later.
Never the graph: the graph holds evidence, this holds what people did with it."""
from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa

from casegraph.errors import ConfigError, StoreError

metadata = sa.MetaData()

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


def now_ms() -> int:
    return int(time.time() * 1000)


class StateStore:
    def __init__(self, url: str):
        try:
            self.engine = sa.create_engine(url, future=True)
            if url.startswith("sqlite"):
                sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            metadata.create_all(self.engine)
        except sa.exc.ArgumentError as e:
            raise ConfigError(f"invalid state store URL {url!r}: {e}") from e
        except sa.exc.SQLAlchemyError as e:
            raise StoreError(f"cannot open the state store {url!r}: {e}") from e

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

    def unfinished_loads(self, db: str) -> list[dict[str, Any]]:
        """Loads into `db` that did not complete and were not completed by a later run."""
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(loads.select().where(loads.c.db == db)
                                                  .order_by(loads.c.id)).mappings()]
        latest: dict[tuple[str, str], dict] = {}
        for r in rows:
            latest[(r["file"], r["load_id"])] = r
        return [r for r in latest.values() if r["status"] in ("running", "interrupted", "failed")]


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def open_state(url: str) -> StateStore:
    return StateStore(url)
