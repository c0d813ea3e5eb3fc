"""Annual reports (企业年度报告): a subject files the previous year's report between 1 January
and 30 June (企业信息公示暂行条例 Art. 8); the report is a record of the catalogue's
`annual_report` kind, so a missing one feeds the abnormal-operations derivation, which serves
notice before a listing takes effect. Filing late is allowed (it is how a company gets off that
list) and marked late."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from xinyong.accounts import Principal
from xinyong.ingest.annual_rows import (
    FIELDS,
    FIRST_YEAR,
    KIND,
    SOURCE,
    SOURCE_NAME,
    due_date,
    report_fields,
)
from xinyong.store.apply import Change, apply_changes
from xinyong.store.projections.agencies import exists as agency_exists
from xinyong.store.projections.records import current_id
from xinyong.store.schema import subjects
from xinyong.workflows.errors import Forbidden, NotVisible, Refused
from xinyong.workflows.notices import notice

__all__ = ["FIELDS", "FIRST_YEAR", "KIND", "SOURCE", "SOURCE_NAME", "due_date", "file"]


def file(
    conn: Connection,
    principal: Principal,
    year: int,
    report: dict[str, Any],
    *,
    today: dt.date,
) -> dict[str, Any]:
    if principal.role != "subject" or not principal.subject_key:
        raise Forbidden("only the subject's own account files its annual report")
    subject = conn.execute(
        select(subjects).where(
            subjects.c.subject_key == principal.subject_key, subjects.c.superseded_seq.is_(None)
        )
    ).first()
    if subject is None:
        raise NotVisible("your organisation is not in the registry")
    problems = [f"{k}: not part of an annual report" for k in report if k not in FIELDS]
    if year < FIRST_YEAR:
        problems.append(
            f"year: annual reports exist from {FIRST_YEAR} "
            "(企业信息公示暂行条例, in force 2014-10-01)"
        )
    if year >= today.year:
        problems.append(f"year: the {year} report can be filed from {year + 1}-01-01")
    if subject.registered_on is not None and year < subject.registered_on.year:
        problems.append(f"year: the organisation was registered on {subject.registered_on}")
    if subject.kind != "organisation":
        problems.append("annual reports are filed by organisations")
    # Checked and written exactly as a report sent in a file is (ingest.annual_rows): no
    # resident ID kept anywhere, counts and amounts as numbers or 企业选择不公示.
    fields = report_fields(report, lambda name, message: problems.append(f"{name}: {message}"))
    if problems:
        raise Refused(*problems)
    late = today > due_date(year)
    fields.update(year=str(year), late="yes" if late else "no")
    doc_no = f"ANNUAL/{subject.code}/{year}"
    payload = {
        "source": SOURCE,
        "record_kind": KIND,
        "doc_no": doc_no,
        "subject_key": subject.subject_key,
        "party_name": subject.name,
        "decision_date": today.isoformat(),
        "in_force_from": today.isoformat(),
        "severity": "none",
        "fields": fields,
        "origin": {"file": "annual report portal"},
    }
    changes: list[Change] = []
    if not agency_exists(conn, SOURCE):
        changes.append(Change("agency.registered", {"code": SOURCE, "name": SOURCE_NAME}))
    existing = current_id(conn, SOURCE, KIND, doc_no)
    if existing is None:
        changes.append(Change("record.added", payload))
    else:
        changes.append(Change("record.corrected", {**payload, "reason": "amended by the subject"}))
    when = "late, after the 30 June deadline" if late else "on time"
    changes.append(
        notice(
            subject.subject_key,
            "annual_report.filed",
            f"{year} 年度报告已公示 Annual report filed",
            f"Your {year} annual report was filed on {today} ({when}).",
            today,
            f"annual:{year}",
        )
    )
    written = apply_changes(conn, changes, actor=principal.actor)
    record_id = existing or next(e.seq for e in written if e.kind == "record.added")
    return {
        "id": record_id,
        "year": year,
        "filed_on": today.isoformat(),
        "late": late,
        "status": "filed" if existing is None else "amended",
    }
