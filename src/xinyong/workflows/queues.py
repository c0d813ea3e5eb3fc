"""What waits for whom: the reads behind the portal, the console, the review queue and the
notices list. Here, not in the web layer, so that pages and API answer from the same queries and
the web layer writes no SQL (docs/architecture.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, func, select

from xinyong.accounts import Principal
from xinyong.store.schema import entries, notices, objections, repairs

OPEN = {"objections": (objections, "open"), "repairs": (repairs, "pending")}


def subject_cases(conn: Connection, subject_key: str, name: str) -> list[Any]:
    """A subject's objections or repair applications (`name`), newest first."""
    table, _ = OPEN[name]
    return list(
        conn.execute(
            select(table).where(table.c.subject_key == subject_key).order_by(table.c.id.desc())
        ).all()
    )


def subject_notices(conn: Connection, subject_key: str) -> list[Any]:
    """A subject's notices, newest first."""
    return list(
        conn.execute(
            select(notices)
            .where(notices.c.subject_key == subject_key)
            .order_by(notices.c.id.desc())
        ).all()
    )


def agency_cases(conn: Connection, agency: str, name: str, limit: int) -> list[Any]:
    """Objections or repair applications an agency must answer, nearest deadline first."""
    table, status = OPEN[name]
    return list(
        conn.execute(
            select(table)
            .where(table.c.agency == agency, table.c.status == status)
            .order_by(table.c.due, table.c.id)
            .limit(limit)
        ).all()
    )


def agency_case_count(conn: Connection, agency: str, name: str) -> int:
    table, status = OPEN[name]
    return _count(conn, table, table.c.agency == agency, table.c.status == status)


def authored_entries(
    conn: Connection, principal: Principal, status: str, limit: int, newest_first: bool
) -> list[Any]:
    """An officer's own entries in a status (pending ones oldest first: they wait longest)."""
    order = entries.c.submitted_seq
    return list(
        conn.execute(
            select(entries)
            .where(*_authored(principal, status))
            .order_by(order.desc() if newest_first else order)
            .limit(limit)
        ).all()
    )


def authored_entry_count(conn: Connection, principal: Principal, status: str) -> int:
    return _count(conn, entries, *_authored(principal, status))


def entry_count(conn: Connection, principal: Principal, status: str) -> int:
    """How many entries in a status `entries.queue` would list for this principal."""
    if principal.role in ("admin", "auditor"):
        return _count(conn, entries, entries.c.status == status)
    return _count(
        conn, entries, entries.c.status == status, entries.c.agency == (principal.agency or "")
    )


def _authored(principal: Principal, status: str) -> tuple[Any, ...]:
    return (
        entries.c.agency == (principal.agency or ""),
        entries.c.author == principal.actor,
        entries.c.status == status,
    )


def _count(conn: Connection, table: Table, *where: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())
