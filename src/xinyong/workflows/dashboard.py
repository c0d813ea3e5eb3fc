"""What the auditor watches: cases past their deadline, who entered and decided what, and how
often each agency's records turn out wrong (objections upheld)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, case, func, select

from xinyong.store.schema import entries, objections, repairs


def dashboard(conn: Connection, today: dt.date) -> dict[str, Any]:
    overdue: list[dict[str, Any]] = []
    for name, table, open_status in (
        ("objection", objections, "open"),
        ("repair", repairs, "pending"),
    ):
        for r in conn.execute(
            select(table)
            .where(table.c.status == open_status, table.c.due < today)
            .order_by(table.c.due)
        ):
            overdue.append(
                {
                    "case": name,
                    "id": r.id,
                    "agency": r.agency,
                    "target": r.target,
                    r.target: r.target_id,
                    "filed_on": r.filed_on.isoformat(),
                    "due": r.due.isoformat(),
                    "days_late": (today - r.due).days,
                    "escalated_on": r.escalated_on.isoformat() if r.escalated_on else None,
                }
            )
    activity = [
        {
            "actor": r.author,
            "agency": r.agency,
            "entered": int(r.entered),
            "pending": int(r.pending),
            "approved": int(r.approved),
            "rejected": int(r.rejected),
        }
        for r in conn.execute(
            select(
                entries.c.author,
                entries.c.agency,
                func.count().label("entered"),
                func.sum(case((entries.c.status == "pending", 1), else_=0)).label("pending"),
                func.sum(case((entries.c.status == "approved", 1), else_=0)).label("approved"),
                func.sum(case((entries.c.status == "rejected", 1), else_=0)).label("rejected"),
            )
            .group_by(entries.c.author, entries.c.agency)
            .order_by(entries.c.agency, entries.c.author)
        )
    ]
    reviewers = [
        {"actor": r.decided_by, "agency": r.agency, "decided": int(r.decided)}
        for r in conn.execute(
            select(entries.c.decided_by, entries.c.agency, func.count().label("decided"))
            .where(entries.c.decided_by.is_not(None))
            .group_by(entries.c.decided_by, entries.c.agency)
            .order_by(entries.c.agency, entries.c.decided_by)
        )
    ]
    upheld = [
        {
            "agency": r.agency,
            "objections": int(r.total),
            "upheld": int(r.upheld),
            "rejected": int(r.rejected),
            "open": int(r.open),
        }
        for r in conn.execute(
            select(
                objections.c.agency,
                func.count().label("total"),
                func.sum(case((objections.c.status == "upheld", 1), else_=0)).label("upheld"),
                func.sum(case((objections.c.status == "rejected", 1), else_=0)).label("rejected"),
                func.sum(case((objections.c.status == "open", 1), else_=0)).label("open"),
            )
            .group_by(objections.c.agency)
            .order_by(objections.c.agency)
        )
    ]
    return {
        "as_of": today.isoformat(),
        "overdue": overdue,
        "officers": activity,
        "reviewers": reviewers,
        "objections_by_agency": upheld,
    }
