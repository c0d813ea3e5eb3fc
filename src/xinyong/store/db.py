"""Engines for the two supported databases, configured once per process.

DESIGN.md's measurements say to open connections once per worker (a new SQLite connection costs
10x a lookup) and to run SQLite in WAL mode so that readers never wait for the single writer.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

WRITE_OPTION = "xinyong_write"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def normalise_url(url: str) -> str:
    """Accept `postgresql://` and pick the psycopg 3 driver, which is the one we install."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


# Bulk inserts hand dates straight to the driver; store them as SQLAlchemy's Date type does on
# SQLite ('YYYY-MM-DD'). Registered explicitly: Python 3.12 deprecates the implicit adapter.
sqlite3.register_adapter(dt.date, dt.date.isoformat)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN until the first DML and silently commits
    # around DDL; take control so that a SQLAlchemy transaction is exactly one SQLite transaction.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA cache_size=-65536")
        # Checkpoint every 128 MiB of WAL rather than every 4 MiB: bulk ingest commits 5-20 MiB
        # per chunk, and each checkpoint rewrites the same hot index pages; fewer, larger ones
        # cost less (measured: a third of ingest's time at 4 MiB, 9% less storage time at 128
        # than at 32).
        cursor.execute("PRAGMA wal_autocheckpoint=32768")
        # ...and give the disk back afterwards: a checkpointed WAL is cut to 64 MiB.
        cursor.execute("PRAGMA journal_size_limit=67108864")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A write transaction takes the write lock up front: a deferred BEGIN that reads, then
        # writes, fails with SQLITE_BUSY_SNAPSHOT when another writer committed in between.
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A connection in a write transaction: committed on exit, rolled back on an exception."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            yield conn
