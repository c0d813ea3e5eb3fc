"""Helpers for checking and projecting runs of changes in a few statements."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, insert

T = TypeVar("T")

# Well under SQLite's bound-parameter limit, and small enough for PostgreSQL's planner.
IN_CHUNK = 500


def chunked(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    part: list[T] = []
    for value in values:
        part.append(value)
        if len(part) == size:
            yield part
            part = []
    if part:
        yield part


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in one DBAPI executemany, skipping SQLAlchemy's per-row parameter
    processing (a third of bulk ingest's time). Rows must all have the same keys, with values
    the driver takes as they are (see `db.py` for how SQLite is taught dates)."""
    if not rows:
        return
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=keys)
    params: list[Any]
    if compiled.positional:
        order = list(compiled.positiontup or [])
        get = operator.itemgetter(*order)
        params = [get(r) for r in rows] if len(order) > 1 else [(r[order[0]],) for r in rows]
    else:
        params = rows
    conn.exec_driver_sql(str(compiled), params)
