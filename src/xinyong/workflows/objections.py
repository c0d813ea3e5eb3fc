"""Objections (异议): a subject disputes a record or listing; the supplying agency answers within
a deadline in working days; upheld means corrected or revoked through the apply path."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from xinyong.accounts import Principal
from xinyong.catalogue import Catalogue
from xinyong.codes import redact_ids
from xinyong.evaluate import Rules
from xinyong.registry.recompute import refresh_subject
from xinyong.store.apply import Change, apply_changes
from xinyong.store.schema import objections
from xinyong.workflows import evidence as ev
from xinyong.workflows.corrections import corrected_payload
from xinyong.workflows.deadlines import objection_due
from xinyong.workflows.errors import Forbidden, Refused
from xinyong.workflows.notices import notice
from xinyong.workflows.targets import (
    Target,
    case_json,
    check_decider,
    filed_json,
    find,
    visible_case,
)


def file(
    conn: Connection,
    principal: Principal,
    target: str,
    target_id: int,
    statement: str,
    files: list[ev.EvidenceFile],
    *,
    catalogue: Catalogue,
    today: dt.date,
) -> dict[str, Any]:
    if principal.role != "subject":
        raise Forbidden("only the subject's own account files an objection")
    t = find(conn, target, target_id)
    if t.subject_key != principal.subject_key:
        raise Forbidden(f"{t.ref} is not about your organisation")
    if t.target == "record" and t.status != "public":
        raise Refused(f"{t.ref} is {t.status}; there is nothing public to object to")
    if t.target == "listing" and t.status == "ended":
        raise Refused(f"{t.ref} has ended")
    if not statement.strip():
        raise Refused("statement: say what is wrong")
    waiting = _open_case(conn, t)
    if waiting is not None:
        raise Refused(f"objection {waiting} on this {t.target} is still open; wait for its answer")
    due = objection_due(catalogue, t.target, t.code, today)
    refs = ev.store(conn, files)
    filed = {
        "target": t.target,
        "target_id": t.id,
        "subject_key": t.subject_key,
        "agency": t.agency,
        "statement": redact_ids(statement.strip()),
        "evidence": refs,
        "filed_on": today.isoformat(),
        "due": due.date.isoformat(),
        "due_warning": due.warning,
        "by": principal.actor,
    }
    body = (
        f"Your objection to {t.target} {t.doc_no} was received on {today}. {t.agency} must answer "
        f"by {due.date} (working days). The {t.target} is shown as under objection until then."
    )
    written = apply_changes(
        conn,
        [
            Change("objection.filed", filed),
            notice(
                t.subject_key,
                "objection.received",
                "异议已受理 Objection received",
                body,
                today,
                t.ref,
            ),
        ],
        actor=principal.actor,
    )
    return filed_json(written[0].seq, "open", t, due)


def get(conn: Connection, principal: Principal, objection_id: int) -> dict[str, Any]:
    return as_json(visible_case(conn, principal, objections, objection_id, "objection"))


def as_json(row: Any) -> dict[str, Any]:
    return {**case_json(row), "statement": row.statement}


def decide(
    conn: Connection,
    principal: Principal,
    objection_id: int,
    outcome: str,
    reason: str,
    correction: dict[str, Any] | None,
    *,
    catalogue: Catalogue,
    today: dt.date,
    rules: Rules | None = None,
) -> dict[str, Any]:
    row = visible_case(conn, principal, objections, objection_id, "objection")
    t = find(conn, row.target, row.target_id)
    check_decider(principal, t, row.agency, "objection")
    if row.status != "open":
        raise Refused(f"objection {objection_id} is already {row.status}")
    if outcome not in ("upheld", "rejected"):
        raise Refused("outcome: upheld or rejected")
    if not reason.strip():
        raise Refused("reason: a decision gives its reasons")
    reason = redact_ids(reason)
    if outcome == "upheld" and not _still_there(t):
        raise Refused(
            f"{t.ref} is {t.status} already: nothing left to correct or remove; reject the "
            "objection with that reason"
        )
    changes = [
        Change(
            "objection.decided",
            {
                "id": row.id,
                "outcome": outcome,
                "reason": reason,
                "on": today.isoformat(),
                "by": principal.actor,
            },
        )
    ]
    why = f"objection {row.id} upheld: {reason}"
    if outcome == "upheld":
        changes += _remedy(t, correction, catalogue, today, why, row.id)
    elif correction:
        raise Refused("correction: only an upheld objection corrects the record")
    body = f"{row.agency} decided your objection to {t.target} {t.doc_no}: {outcome}. {reason}"
    changes.append(
        notice(
            t.subject_key,
            "objection.answered",
            "异议处理结果 Objection answered",
            body,
            today,
            f"objection:{row.id}",
        )
    )
    apply_changes(conn, changes, actor=principal.actor)
    if outcome == "upheld" and rules is not None:
        refresh_subject(conn, rules, t.subject_key, today)
    return get(conn, principal, objection_id)


def _remedy(
    t: Target,
    correction: dict[str, Any] | None,
    catalogue: Catalogue,
    today: dt.date,
    why: str,
    objection_id: int,
) -> list[Change]:
    if t.target == "record":
        if correction:
            return [
                Change("record.corrected", corrected_payload(t.row, correction, catalogue, why))
            ]
        return [
            Change(
                "record.revoked",
                {
                    "source": t.row.source,
                    "record_kind": t.row.kind,
                    "doc_no": t.row.doc_no,
                    "on": today.isoformat(),
                    "reason": why,
                    "objection_id": objection_id,
                },
            )
        ]
    if correction:
        raise Refused("correction: a listing is not corrected through an objection; it is removed")
    return [
        Change(
            "listing.removed",
            {
                "subject_key": t.subject_key,
                "list_code": t.code,
                "listing_id": t.id,
                "source": t.agency,
                "decision_no": f"OBJECTION/{t.id}",
                "authority": t.row.authority,
                "date": max(today, t.start).isoformat(),
                "reason": why,
            },
        )
    ]


def _open_case(conn: Connection, t: Target) -> int | None:
    found = conn.execute(
        select(objections.c.id).where(
            objections.c.target == t.target,
            objections.c.target_id == t.id,
            objections.c.status == "open",
        )
    ).scalar()
    return None if found is None else int(found)


def _still_there(t: Target) -> bool:
    """Whether the record is still published, or the listing not yet ended."""
    if t.target == "record":
        return t.status == "public"
    return t.status != "ended" and t.row.actual_end is None
