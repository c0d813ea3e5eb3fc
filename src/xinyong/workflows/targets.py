"""What objections and repairs are about: a record or a listing, found by its stable id, with who
supplied it and who entered it (neither may decide a case against their own entry)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, Table, select

from xinyong.accounts import Principal
from xinyong.store.journal import parse_json
from xinyong.store.schema import entries, journal, listings, records
from xinyong.workflows.errors import Forbidden, NotVisible

TargetKind = Literal["record", "listing"]


@dataclass(frozen=True)
class Target:
    target: TargetKind
    id: int
    subject_key: str
    agency: str  # the supplying (record) or deciding (listing) agency
    code: str  # record kind or list code
    doc_no: str
    status: str  # record: public | repaired | revoked; listing: proposed | notified | ...
    start: dt.date
    row: Any
    authors: frozenset[str]  # journal actors who entered it

    @property
    def ref(self) -> str:
        return f"{self.target}:{self.id}"


def find(conn: Connection, target: str, target_id: int) -> Target:
    if target == "record":
        row = conn.execute(
            select(records).where(
                records.c.record_id == target_id, records.c.superseded_seq.is_(None)
            )
        ).first()
        if row is None:
            raise NotVisible(f"no record {target_id}")
        return Target(
            "record",
            target_id,
            row.subject_key,
            row.source,
            row.kind,
            row.doc_no,
            row.status,
            row.decision_date,
            row,
            _authors(conn, "record", target_id, row.recorded_seq),
        )
    if target == "listing":
        row = conn.execute(
            select(listings).where(
                listings.c.listing_id == target_id, listings.c.superseded_seq.is_(None)
            )
        ).first()
        if row is None:
            raise NotVisible(f"no listing {target_id}")
        return Target(
            "listing",
            target_id,
            row.subject_key,
            row.source,
            row.list_code,
            row.decision_no,
            row.state,
            row.start_date,
            row,
            _authors(conn, "listing", target_id, row.recorded_seq),
        )
    raise NotVisible(f"unknown target {target!r}")


def _authors(conn: Connection, target: str, target_id: int, seq: int) -> frozenset[str]:
    """Who entered this: the officers whose entries (and corrections) put a record there; for
    a record that came another way (an operator's file) or a listing, the actor of the journal
    entry that first wrote it. The reviewer who approved an entry did not enter it."""
    found: set[str] = set()
    if target == "record":
        found.update(
            conn.execute(select(entries.c.author).where(entries.c.record_id == target_id)).scalars()
        )
        if found:
            return frozenset(found)
        seq = target_id  # a record's id is the sequence of the entry that added it
    actor = conn.execute(select(journal.c.actor).where(journal.c.seq == seq)).scalar()
    if actor:
        found.add(str(actor))
    return frozenset(found)


def visible_to(principal: Principal, subject_key: str, agency: str) -> bool:
    """Whether a principal may see a case about this subject and agency."""
    if principal.role in ("admin", "auditor"):
        return True
    if principal.role == "subject":
        return principal.subject_key == subject_key
    if principal.role in ("officer", "reviewer", "authority", "system"):
        return principal.agency == agency
    return False


def check_decider(principal: Principal, t: Target, agency: str, case: str) -> None:
    """Who may answer a case about `t`: a reviewer of the agency it is for (for a listing also
    its authority), never whoever entered the record or listing (four eyes)."""
    allowed = ("reviewer",) if t.target == "record" else ("reviewer", "authority")
    if principal.role not in allowed:
        raise Forbidden(f"only a {' or '.join(allowed)} of {agency} decides this {case}")
    if principal.agency != agency:
        raise Forbidden(f"this {case} is for {agency} to decide")
    if principal.actor in t.authors:
        raise Forbidden(f"you entered {t.ref}; another reviewer of {agency} must decide")


def visible_case(
    conn: Connection, principal: Principal, table: Table, case_id: int, what: str
) -> Any:
    """An objection or repair row the principal may see; 404 (not told apart) otherwise."""
    row = conn.execute(select(table).where(table.c.id == case_id)).first()
    if row is None or not visible_to(principal, row.subject_key, row.agency):
        raise NotVisible(f"no {what} {case_id}")
    return row


def case_json(row: Any) -> dict[str, Any]:
    """What objections and repair applications share in their JSON form."""
    return {
        "id": row.id,
        "target": row.target,
        row.target: row.target_id,
        "status": row.status,
        "evidence": parse_json(row.evidence),
        "agency": row.agency,
        "filed_on": row.filed_on.isoformat(),
        "due": row.due.isoformat(),
        "due_warning": row.due_warning,
        "escalated_on": row.escalated_on.isoformat() if row.escalated_on else None,
        "outcome_reason": row.outcome_reason,
        "decided_on": row.decided_on.isoformat() if row.decided_on else None,
        "decided_by": row.decided_by,
    }


def filed_json(case_id: int, status: str, t: Target, due: Any) -> dict[str, Any]:
    """The answer to filing a case: its id, status and deadline."""
    return {
        "id": case_id,
        "status": status,
        "due": due.date.isoformat(),
        "due_warning": due.warning,
        "target": t.target,
        t.target: t.id,
    }
