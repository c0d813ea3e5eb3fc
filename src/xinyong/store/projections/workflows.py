"""Due-process cases: officers' entries under review, objections, repairs and notices.

Each table holds the current state of a case; every step that moved it is a journal entry, so
replay rebuilds the rows exactly. Who may take a step (role, agency, not the author) is decided in
`workflows/` before a change is made; here only the case's own state is checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, select, update

from xinyong.codes import document_key
from xinyong.store.changes import (
    CaseEscalated,
    EntryApproved,
    EntryRejected,
    EntrySubmitted,
    NoticeSent,
    ObjectionDecided,
    ObjectionFiled,
    Payload,
    RepairApplied,
    RepairDecided,
)
from xinyong.store.journal import canonical_json
from xinyong.store.schema import case_evidence, entries, notices, objections, repairs

Check = Callable[[Connection, Payload], list[str]]
Project = Callable[[Connection, int, Payload], None]


def _status(conn: Connection, table: Table, case_id: int) -> str | None:
    row = conn.execute(select(table.c.status).where(table.c.id == case_id)).first()
    return None if row is None else str(row.status)


def check_submitted(conn: Connection, payload: Payload) -> list[str]:
    p = cast(EntrySubmitted, payload)
    waiting = conn.execute(
        select(entries.c.id).where(
            entries.c.agency == p.agency,
            entries.c.kind == p.record_kind,
            entries.c.doc_key == document_key(p.doc_no),
            entries.c.status == "pending",
        )
    ).first()
    if waiting is not None:
        return [
            f"{p.record_kind} {p.doc_no!r} already waits for review as entry {waiting.id}; "
            "a reviewer must decide it first"
        ]
    return []


def project_submitted(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(EntrySubmitted, payload)
    record_id = p.record_id or seq
    conn.execute(
        insert(entries).values(
            id=record_id if not p.correction else seq,
            record_id=record_id,
            agency=p.agency,
            kind=p.record_kind,
            doc_no=p.doc_no,
            doc_key=document_key(p.doc_no),
            subject_key=p.subject_key,
            party_name=p.party_name,
            correction=p.correction,
            draft=canonical_json(p.draft),
            status="pending",
            author=p.by,
            submitted_seq=seq,
            submitted_at=p.on.isoformat(),
        )
    )


def _check_pending(conn: Connection, entry_id: int) -> list[str]:
    status = _status(conn, entries, entry_id)
    if status is None:
        return [f"no entry {entry_id}"]
    if status != "pending":
        return [f"entry {entry_id} is already {status}"]
    return []


def check_entry_decided(conn: Connection, payload: Payload) -> list[str]:
    return _check_pending(conn, cast(EntryApproved, payload).id)


def project_approved(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(EntryApproved, payload)
    conn.execute(
        update(entries)
        .where(entries.c.id == p.id)
        .values(status="approved", decided_by=p.by, decided_seq=seq)
    )


def project_rejected(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(EntryRejected, payload)
    conn.execute(
        update(entries)
        .where(entries.c.id == p.id)
        .values(status="rejected", decided_by=p.by, decided_seq=seq, reason=p.reason)
    )


def _case_values(p: ObjectionFiled | RepairApplied) -> dict[str, Any]:
    return {
        "target": p.target,
        "target_id": p.target_id,
        "subject_key": p.subject_key,
        "agency": p.agency,
        "evidence": canonical_json([e.model_dump(mode="json") for e in p.evidence]),
        "filed_by": p.by,
        "filed_on": p.filed_on,
        "due": p.due,
        "due_warning": p.due_warning,
    }


def _no_open_case(table: Table, open_status: str, what: str) -> Check:
    def check(conn: Connection, payload: Payload) -> list[str]:
        p = cast(ObjectionFiled, payload)
        row = conn.execute(
            select(table.c.id).where(
                table.c.target == p.target,
                table.c.target_id == p.target_id,
                table.c.status == open_status,
            )
        ).first()
        if row is not None:
            return [f"{what} {row.id} on this {p.target} is still {open_status}"]
        return []

    return check


def project_objection(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(ObjectionFiled, payload)
    conn.execute(
        insert(objections).values(id=seq, statement=p.statement, status="open", **_case_values(p))
    )
    _cite(conn, seq, p)


def project_repair(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(RepairApplied, payload)
    conn.execute(
        insert(repairs).values(id=seq, commitment=p.commitment, status="pending", **_case_values(p))
    )
    _cite(conn, seq, p)


def _cite(conn: Connection, case_id: int, p: ObjectionFiled | RepairApplied) -> None:
    named = {e.sha256: e.name for e in p.evidence}  # one row per file, even if sent twice
    if named:
        conn.execute(
            insert(case_evidence),
            [{"sha256": sha, "case_id": case_id, "name": name} for sha, name in named.items()],
        )


def _check_open(table: Table, open_status: str, what: str) -> Check:
    def check(conn: Connection, payload: Payload) -> list[str]:
        case_id = cast(ObjectionDecided, payload).id
        status = _status(conn, table, case_id)
        if status is None:
            return [f"no {what} {case_id}"]
        if status != open_status:
            return [f"{what} {case_id} is already {status}"]
        return []

    return check


def _project_decided(table: Table) -> Project:
    def project(conn: Connection, seq: int, payload: Payload) -> None:
        p = cast(ObjectionDecided | RepairDecided, payload)
        conn.execute(
            update(table)
            .where(table.c.id == p.id)
            .values(
                status=p.outcome,
                outcome_reason=p.reason,
                decided_by=p.by,
                decided_on=p.on,
                decided_seq=seq,
            )
        )

    return project


def check_escalated(conn: Connection, payload: Payload) -> list[str]:
    p = cast(CaseEscalated, payload)
    table, open_status = (objections, "open") if p.case == "objection" else (repairs, "pending")
    return _check_open(table, open_status, p.case)(conn, payload)


def project_escalated(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(CaseEscalated, payload)
    table = objections if p.case == "objection" else repairs
    conn.execute(update(table).where(table.c.id == p.id).values(escalated_on=p.on))


def check_notice(conn: Connection, payload: Payload) -> list[str]:
    return []


def project_notice(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(NoticeSent, payload)
    conn.execute(
        insert(notices).values(
            id=seq,
            subject_key=p.subject_key,
            topic=p.topic,
            title=p.title,
            body=p.body,
            ref=p.ref,
            sent_at=p.on.isoformat(),
        )
    )


FUNCTIONS: dict[str, tuple[Check, Project]] = {
    "entry.submitted": (check_submitted, project_submitted),
    "entry.approved": (check_entry_decided, project_approved),
    "entry.rejected": (check_entry_decided, project_rejected),
    "objection.filed": (_no_open_case(objections, "open", "objection"), project_objection),
    "objection.decided": (
        _check_open(objections, "open", "objection"),
        _project_decided(objections),
    ),
    "repair.applied": (_no_open_case(repairs, "pending", "repair application"), project_repair),
    "repair.decided": (
        _check_open(repairs, "pending", "repair application"),
        _project_decided(repairs),
    ),
    "case.escalated": (check_escalated, project_escalated),
    "notice.sent": (check_notice, project_notice),
}
