"""Predicates over versioned rows: which version was current when.

A row version is visible at journal position `k` when it was recorded at or before `k` and not yet
superseded at `k`. `known_at=None` means "as the registry stands now".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Table, and_, or_


def visible(table: Table, known_at: int | BindParameter[Any] | None = None) -> ColumnElement[bool]:
    if known_at is None:
        return table.c.superseded_seq.is_(None)
    return and_(
        table.c.recorded_seq <= known_at,
        or_(table.c.superseded_seq.is_(None), table.c.superseded_seq > known_at),
    )
