"""Credit repair (信用修复) as a right: for each negative record or listing the subject sees whether
and from when it can be repaired under the catalogue rule in force, applies with a commitment and
evidence, and the deciding agency grants or refuses with reasons within its deadline. A grant
ends publicity, stops sharing and use, lifts the measures linked to the record and re-evaluates;
the record stays in the registry and the journal, hidden from public views."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from xinyong.accounts import Principal
from xinyong.catalogue import Catalogue
from xinyong.codes import document_key, redact_ids
from xinyong.evaluate import Rules
from xinyong.registry.recompute import refresh_subject
from xinyong.store.apply import Change, apply_changes
from xinyong.store.journal import parse_json
from xinyong.store.schema import listings, records, repairs
from xinyong.workflows import evidence as ev
from xinyong.workflows.deadlines import repair_due
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

# A repeat of the same violation within a year blocks repair of the earlier one (SAMR Order 45:
# early end needs "no repeat penalty for the same type of violation"; local rules use a year).
REPEAT_WINDOW_DAYS = 365
# Lists on which a subject cannot have penalty publicity ended early (SAMR Order 45).
BLOCKING_LISTS = ("samr.abnormal_operations", "samr.serious_illegal_dishonest")


def eligibility(
    conn: Connection, subject_key: str, catalogue: Catalogue, today: dt.date
) -> list[dict[str, Any]]:
    """Per negative record or listing of the subject in force: eligible today or not, the
    earliest date, and every blocker in words."""
    recs = conn.execute(
        select(records).where(
            records.c.subject_key == subject_key,
            records.c.superseded_seq.is_(None),
            records.c.status == "public",
        )
    ).all()
    held = conn.execute(
        select(listings).where(
            listings.c.subject_key == subject_key,
            listings.c.superseded_seq.is_(None),
            listings.c.state.in_(("notified", "in_force")),
            listings.c.actual_end.is_(None),
        )
    ).all()
    pending = {
        (r.target, r.target_id)
        for r in conn.execute(
            select(repairs.c.target, repairs.c.target_id).where(
                repairs.c.subject_key == subject_key, repairs.c.status == "pending"
            )
        )
    }
    on_blocking = sorted({h.list_code for h in held if h.list_code in BLOCKING_LISTS})
    out: list[dict[str, Any]] = []
    for r in recs:
        kind = catalogue.record_kind(r.kind, r.decision_date)
        if kind is None or kind.default_severity == "none":
            continue  # not a fault: a licence, a filing, a grade
        if r.in_force_to is not None and r.in_force_to < today:
            continue  # publicity already over
        blockers: list[str] = []
        severity = r.severity or kind.default_severity
        window = kind.publicity.get(severity)
        earliest = r.decision_date + dt.timedelta(days=window.min_days if window else 0)
        if not kind.repairable:
            blockers.append(f"{kind.name_en} records cannot be repaired under the catalogue rule")
        if earliest > today:
            blockers.append(f"the minimum publicity period ends on {earliest}")
        repeat = _repeat(r, recs)
        if repeat is not None:
            blockers.append(
                f"a repeat violation of the same type ({repeat.doc_no}, {repeat.decision_date}) "
                "within a year"
            )
        if r.kind == "penalty" and on_blocking:
            blockers.append(f"the subject is on {', '.join(on_blocking)}")
        if ("record", r.record_id) in pending:
            blockers.append("a repair application is already pending")
        out.append(_answer("record", r.record_id, r.kind, r.doc_no, earliest, blockers, today))
    for h in held:
        lst = catalogue.list(h.list_code, today)
        if lst is None or lst.kind != "black":
            continue
        blockers = []
        earliest = h.start_date + dt.timedelta(days=lst.repair_after_days or 0)
        if lst.repair == "none":
            blockers.append(f"{lst.name_en} has no repair path: {lst.repair_basis or ''}".strip())
        if earliest > today:
            blockers.append(f"the least time on the list ends on {earliest}")
        if ("listing", h.listing_id) in pending:
            blockers.append("a repair application is already pending")
        out.append(
            _answer("listing", h.listing_id, h.list_code, h.decision_no, earliest, blockers, today)
        )
    return out


def _repeat(r: Any, recs: Sequence[Any]) -> Any:
    violation = parse_json(r.fields).get("violation_type")
    if not violation:
        return None
    for other in recs:
        if other.record_id == r.record_id or other.kind != r.kind:
            continue
        gap = (other.decision_date - r.decision_date).days
        if (
            0 < gap <= REPEAT_WINDOW_DAYS
            and parse_json(other.fields).get("violation_type") == violation
        ):
            return other
    return None


def _answer(
    target: str,
    target_id: int,
    code: str,
    doc_no: str,
    earliest: dt.date,
    blockers: list[str],
    today: dt.date,
) -> dict[str, Any]:
    return {
        target: target_id,
        "target": target,
        "kind": code,
        "doc_no": doc_no,
        "eligible": not blockers,
        "earliest": earliest.isoformat(),
        "blockers": blockers,
    }


def apply(
    conn: Connection,
    principal: Principal,
    target: str,
    target_id: int,
    commitment: bool,
    files: list[ev.EvidenceFile],
    *,
    catalogue: Catalogue,
    today: dt.date,
) -> dict[str, Any]:
    if principal.role != "subject":
        raise Forbidden("only the subject's own account applies for repair")
    t = find(conn, target, target_id)
    if t.subject_key != principal.subject_key:
        raise Forbidden(f"{t.ref} is not about your organisation")
    answers = [
        a for a in eligibility(conn, t.subject_key, catalogue, today) if a.get(t.target) == t.id
    ]
    if not answers:
        raise Refused(f"{t.ref} is not a negative {t.target} in force that repair could end")
    answer = answers[0]
    problems = list(answer["blockers"])
    if not commitment:
        problems.append("commitment: a signed credit commitment (信用承诺书) is required")
    if problems:
        raise Refused(*problems, f"earliest: {answer['earliest']}")
    due = repair_due(catalogue, t.target, t.code, today)
    refs = ev.store(conn, files)
    written = apply_changes(
        conn,
        [
            Change(
                "repair.applied",
                {
                    "target": t.target,
                    "target_id": t.id,
                    "subject_key": t.subject_key,
                    "agency": t.agency,
                    "commitment": True,
                    "evidence": refs,
                    "filed_on": today.isoformat(),
                    "due": due.date.isoformat(),
                    "due_warning": due.warning,
                    "by": principal.actor,
                },
            ),
            notice(
                t.subject_key,
                "repair.received",
                "信用修复申请已受理 Repair application received",
                f"Your application to repair {t.target} {t.doc_no} was received on {today}; "
                f"{t.agency} must decide by {due.date} (working days).",
                today,
                t.ref,
            ),
        ],
        actor=principal.actor,
    )
    return filed_json(written[0].seq, "pending", t, due)


def get(conn: Connection, principal: Principal, repair_id: int) -> dict[str, Any]:
    return as_json(visible_case(conn, principal, repairs, repair_id, "repair application"))


def as_json(row: Any) -> dict[str, Any]:
    return {**case_json(row), "commitment": bool(row.commitment)}


def decide(
    conn: Connection,
    principal: Principal,
    repair_id: int,
    outcome: str,
    reason: str,
    *,
    today: dt.date,
    rules: Rules | None = None,
) -> dict[str, Any]:
    row = visible_case(conn, principal, repairs, repair_id, "repair application")
    t = find(conn, row.target, row.target_id)
    check_decider(principal, t, row.agency, "repair")
    if row.status != "pending":
        raise Refused(f"repair application {repair_id} is already {row.status}")
    if outcome not in ("granted", "refused"):
        raise Refused("outcome: granted or refused")
    if not reason.strip():
        raise Refused("reason: a decision gives its reasons")
    reason = redact_ids(reason)
    gone = t.status != "public" if t.target == "record" else t.row.actual_end is not None
    if outcome == "granted" and gone:
        raise Refused(
            f"{t.ref} is no longer in force ({t.status}); refuse the application with that reason"
        )
    changes = [
        Change(
            "repair.decided",
            {
                "id": row.id,
                "outcome": outcome,
                "reason": reason,
                "on": today.isoformat(),
                "by": principal.actor,
            },
        )
    ]
    if outcome == "granted":
        changes += _granted(conn, t, row.id, today, reason)
    changes.append(
        notice(
            t.subject_key,
            "repair.decided",
            "信用修复决定 Repair decided",
            f"{row.agency} decided your application to repair {t.target} {t.doc_no}: "
            f"{outcome}. {reason}",
            today,
            f"repair:{row.id}",
        )
    )
    apply_changes(conn, changes, actor=principal.actor)
    if outcome == "granted" and rules is not None:
        refresh_subject(conn, rules, t.subject_key, today)  # measures lifted now, not tonight
    return get(conn, principal, repair_id)


def _granted(
    conn: Connection, t: Target, repair_id: int, today: dt.date, reason: str
) -> list[Change]:
    why = f"credit repair {repair_id} granted: {reason}"
    if t.target == "listing":
        return [
            _removal(
                t.subject_key,
                t.code,
                t.id,
                t.agency,
                t.row.authority,
                today,
                why,
                repair_id,
                t.start,
            )
        ]
    changes = [
        Change(
            "record.repaired",
            {
                "source": t.row.source,
                "record_kind": t.row.kind,
                "doc_no": t.row.doc_no,
                "on": today.isoformat(),
                "reason": why,
                "repair_id": repair_id,
            },
        )
    ]
    # Listings that rest on this record alone end with it: their measures are lifted.
    for h in conn.execute(
        select(listings).where(
            listings.c.subject_key == t.subject_key,
            listings.c.superseded_seq.is_(None),
            listings.c.actual_end.is_(None),
            listings.c.state != "ended",
        )
    ):
        basis = parse_json(h.basis)
        if basis and all(_names(b, t) for b in basis):
            changes.append(
                _removal(
                    t.subject_key,
                    h.list_code,
                    h.listing_id,
                    h.source,
                    h.authority,
                    today,
                    why,
                    repair_id,
                    h.start_date,
                )
            )
    return changes


def _names(ref: dict[str, Any], t: Target) -> bool:
    """Whether a listing's basis entry is this record (by id, or by its document number)."""
    if ref.get("record_id") is not None:
        return bool(ref["record_id"] == t.id)
    if ref.get("listing_id") is not None or ref.get("doc_no") is None:
        return False
    return bool(
        document_key(str(ref["doc_no"])) == document_key(t.doc_no)
        and ref.get("source") in (None, t.agency)
    )


def _removal(
    subject_key: str,
    list_code: str,
    listing_id: int,
    source: str,
    authority: str,
    today: dt.date,
    why: str,
    repair_id: int,
    start: dt.date,
) -> Change:
    return Change(
        "listing.removed",
        {
            "subject_key": subject_key,
            "list_code": list_code,
            "listing_id": listing_id,
            "source": source,
            "decision_no": f"REPAIR/{repair_id}",
            "authority": authority,
            "date": max(today, start).isoformat(),
            "reason": why,
        },
    )
