"""Answer deadlines in working days, per catalogue entry, counted on the Chinese calendar."""

from __future__ import annotations

import datetime as dt
from functools import cache

from sqlalchemy import Connection, select

from xinyong.catalogue import Catalogue
from xinyong.store.apply import Change, apply_changes
from xinyong.store.schema import notices, objections, records, repairs, users
from xinyong.workflows.notices import notice
from xinyong.workflows.workdays import Deadline, WorkCalendar

# Modelling choices where the catalogue entry sets none (docs/due-process.md): an agency answers
# an objection within 10 working days, a repair application within 10 working days (Jiangxi's
# published practice, shared/domain/FACTS.md §4b), both counted from the day after filing.
OBJECTION_DAYS = 10
REPAIR_DAYS = 10


@cache
def calendar() -> WorkCalendar:
    return WorkCalendar.load()


def objection_due(
    catalogue: Catalogue, target: str, kind_or_list: str, filed_on: dt.date
) -> Deadline:
    days = _days(catalogue, target, kind_or_list, filed_on, "objection_days") or OBJECTION_DAYS
    return calendar().add_working_days(filed_on, days)


def repair_due(catalogue: Catalogue, target: str, kind_or_list: str, filed_on: dt.date) -> Deadline:
    days = _days(catalogue, target, kind_or_list, filed_on, "repair_days") or REPAIR_DAYS
    return calendar().add_working_days(filed_on, days)


def _days(catalogue: Catalogue, target: str, code: str, on: dt.date, attr: str) -> int | None:
    entry = catalogue.record_kind(code, on) if target == "record" else catalogue.list(code, on)
    value = getattr(entry, attr, None) if entry is not None else None
    return int(value) if value is not None else None


def escalate(conn: Connection, today: dt.date, actor: str) -> dict[str, int]:
    """Raise every objection and repair application past its deadline to the auditor (once),
    telling the subject; remind subject accounts whose annual report is due within 30 days."""
    changes: list[Change] = []
    counts = {"objections": 0, "repairs": 0, "reminders": 0}
    for case, table, open_status in (
        ("objection", objections, "open"),
        ("repair", repairs, "pending"),
    ):
        overdue = conn.execute(
            select(table).where(
                table.c.status == open_status, table.c.due < today, table.c.escalated_on.is_(None)
            )
        ).all()
        for row in overdue:
            changes.append(
                Change("case.escalated", {"case": case, "id": row.id, "on": today.isoformat()})
            )
            changes.append(
                notice(
                    row.subject_key,
                    f"{case}.overdue",
                    "处理期限已过 Deadline passed",
                    f"{row.agency} did not answer your {case} {row.id} by {row.due}; it has been "
                    "escalated and is shown to the registry's auditors.",
                    today,
                    f"{case}:{row.id}",
                )
            )
        counts["objections" if case == "objection" else "repairs"] = len(overdue)
    reminders = _report_reminders(conn, today)
    counts["reminders"] = len(reminders)
    changes += reminders
    if changes:
        apply_changes(conn, changes, actor=actor)
    return counts


def _report_reminders(conn: Connection, today: dt.date) -> list[Change]:
    due = dt.date(today.year, 6, 30)
    if not (0 <= (due - today).days <= 30):
        return []
    year = today.year - 1
    ref = f"annual:{year}"
    accounts = conn.execute(
        select(users.c.subject_key)
        .where(users.c.role == "subject", users.c.disabled.is_(False))
        .distinct()
    ).scalars()
    out = []
    for key in accounts:
        if key is None:
            continue
        filed = conn.execute(
            select(records.c.id).where(
                records.c.subject_key == key,
                records.c.kind == "annual_report",
                records.c.superseded_seq.is_(None),
                records.c.doc_no.like(f"ANNUAL/%/{year}"),
            )
        ).first()
        told = conn.execute(
            select(notices.c.id).where(
                notices.c.subject_key == key,
                notices.c.ref == ref,
                notices.c.topic == "annual_report.due",
            )
        ).first()
        if filed is None and told is None:
            out.append(
                notice(
                    key,
                    "annual_report.due",
                    f"{year} 年度报告即将到期 Annual report due",
                    f"Your {year} annual report is due by {due}. Without it the organisation is "
                    "proposed for the abnormal operations list, with notice first.",
                    today,
                    ref,
                )
            )
    return out
