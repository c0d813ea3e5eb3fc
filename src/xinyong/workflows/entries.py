"""Four eyes on data entry: what an officer (or an agency system) enters waits, `pending`, until
a reviewer of the same agency who is not its author approves it (谁录入、谁负责 — and someone else
checks). Rows are parsed and resolved exactly as a file row is, so the rules are the ingest's; a
row that fails goes to quarantine with every reason, as in a file."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from xinyong.accounts import Principal
from xinyong.catalogue import Catalogue
from xinyong.codes import IdHasher, redact_ids
from xinyong.ingest import quarantine as q
from xinyong.ingest.mapping import load_mapping
from xinyong.ingest.resolve import NeedsReview, Resolver
from xinyong.ingest.rows import Draft, SubjectRef, parse_record_row
from xinyong.store.apply import Change, apply_changes
from xinyong.store.changes import ChangeRejected, Payload
from xinyong.store.journal import parse_json
from xinyong.store.projections.agencies import exists as agency_exists
from xinyong.store.projections.records import current_id
from xinyong.store.schema import entries, journal, records
from xinyong.workflows.errors import Forbidden, NotVisible, Refused

ENTRY_KINDS = ("penalty", "licence")
API_FILE = "POST /api/v1/records"


def submit(
    conn: Connection,
    principal: Principal,
    kind: str,
    rows: list[dict[str, Any]],
    *,
    hasher: IdHasher,
    catalogue: Catalogue,
    today: dt.date,
    file_name: str = API_FILE,
) -> list[dict[str, Any]]:
    """Each row becomes a pending entry (its id is the record's id), a duplicate of what the
    registry already holds, or a quarantined row with every reason. One transaction: the
    caller's."""
    if principal.role not in ("officer", "system") or not principal.agency:
        raise Forbidden("only an agency's officer or system enters records")
    if kind not in ENTRY_KINDS:
        raise Refused(f"kind: {kind!r} is not one of {', '.join(ENTRY_KINDS)}")
    agency = principal.agency
    mapping = load_mapping(kind)
    cipher = q.QuarantineCipher(hasher)
    batch = f"entries-{today.isoformat()}-{secrets.token_hex(4)}"
    results: list[dict[str, Any]] = []
    for n, row in enumerate(rows, 1):
        cells_raw = {str(k): "" if v is None else str(v) for k, v in row.items()}
        headers = mapping.resolve(list(cells_raw))
        unknown = [h for h in cells_raw if h not in headers]
        cells = {headers[h]: v for h, v in cells_raw.items() if h in headers}
        parsed = parse_record_row(kind, cells, headers, hasher, today, catalogue)
        reasons = [f"{h}: not a field of {kind} records" for h in unknown]
        if isinstance(parsed, list):
            reasons = parsed + reasons
        if reasons:
            results.append(
                _quarantine(conn, cipher, batch, agency, kind, file_name, n, cells_raw, reasons)
            )
            continue
        assert isinstance(parsed, Draft)
        try:
            # A savepoint per row: a refused change must give back the journal sequence numbers
            # it reserved, or the journal would have a gap.
            with conn.begin_nested():
                result = _submit_one(conn, principal, kind, parsed, n, today, file_name)
        except (ChangeRejected, NeedsReview, Refused) as exc:
            results.append(
                _quarantine(
                    conn, cipher, batch, agency, kind, file_name, n, cells_raw, list(exc.reasons)
                )
            )
            continue
        results.append(result)
    return results


def _quarantine(
    conn: Connection,
    cipher: q.QuarantineCipher,
    batch: str,
    agency: str,
    kind: str,
    file_name: str,
    n: int,
    cells: dict[str, str],
    reasons: list[str],
) -> dict[str, Any]:
    reject = q.Reject(kind, file_name, None, n, cells, reasons)
    q.file_rejects(conn, batch, agency, [reject], cipher)
    entry_id = q.open_id(conn, reject.fingerprint(agency))
    return {"row": n, "status": "quarantined", "id": entry_id, "reasons": reasons}


def _plan(
    conn: Connection, agency: str, kind: str, draft: Draft, origin: dict[str, Any]
) -> tuple[str, list[Change]]:
    resolver = Resolver(conn, agency, kind)
    resolver.prefetch([draft])
    changes: list[Change] = []
    outcome = resolver.plan(draft, origin, changes)
    return outcome, changes


def _submit_one(
    conn: Connection,
    principal: Principal,
    kind: str,
    draft: Draft,
    n: int,
    today: dt.date,
    file_name: str,
) -> dict[str, Any]:
    agency = principal.agency or ""
    origin = {"file": file_name, "row": n}
    outcome, changes = _plan(conn, agency, kind, draft, origin)
    doc_no = str(draft.payload["doc_no"])
    if outcome == "duplicate":
        return {
            "row": n,
            "status": "duplicate",
            "id": current_id(conn, agency, kind, doc_no),
            "reasons": ["the registry already holds this record with this content"],
        }
    record_change = changes[-1]
    correction = record_change.kind == "record.corrected"
    record_id = current_id(conn, agency, kind, doc_no) if correction else None
    subject = draft.subject
    payload = {
        "record_id": record_id,
        "base_seq": _live_seq(conn, record_id) if record_id is not None else None,
        "agency": agency,
        "record_kind": kind,
        "doc_no": doc_no,
        "subject_key": subject.key or None,
        "party_name": subject.name or str(draft.payload.get("party_name") or "?"),
        "correction": correction,
        "draft": {
            "subject": {
                "key": subject.key,
                "kind": subject.kind,
                "code": subject.code,
                "name": subject.name,
                "org_code": subject.org_code,
            },
            "payload": draft.payload,
            "origin": origin,
        },
        "on": today.isoformat(),
        "by": principal.actor,
    }
    (entry,) = apply_changes(conn, [Change("entry.submitted", payload)], actor=principal.actor)
    return {"row": n, "status": "pending", "id": record_id or entry.seq, "reasons": []}


def _live_seq(conn: Connection, record_id: int) -> int | None:
    found = conn.execute(
        select(records.c.recorded_seq).where(
            records.c.record_id == record_id, records.c.superseded_seq.is_(None)
        )
    ).scalar()
    return None if found is None else int(found)


def pending_entry(conn: Connection, record_id: int) -> Any:
    """The entry waiting under a record id (the id `submit` answered)."""
    return conn.execute(
        select(entries)
        .where(entries.c.record_id == record_id)
        .order_by(entries.c.submitted_seq.desc())
    ).first()


def _decidable(conn: Connection, principal: Principal, record_id: int) -> Any:
    row = pending_entry(conn, record_id)
    if row is None or (
        principal.role != "admin"
        and principal.agency != row.agency
        and principal.role not in ("auditor",)
    ):
        raise NotVisible(f"no entry {record_id}")
    if principal.role != "reviewer":
        raise Forbidden("only a reviewer approves or rejects entries")
    if principal.agency != row.agency:
        raise Forbidden(f"entry {record_id} belongs to agency {row.agency}")
    if principal.actor == row.author:
        raise Forbidden(
            f"entry {record_id} was entered by you; another reviewer of {row.agency} must decide it"
        )
    if row.status != "pending":
        raise Refused(f"entry {record_id} is already {row.status}")
    return row


def approve(conn: Connection, principal: Principal, record_id: int) -> dict[str, Any]:
    """Apply the entry: re-planned against the registry as it is now (a subject may have been
    registered since), with the record id promised at submission."""
    row = _decidable(conn, principal, record_id)
    draft_data = parse_json(row.draft)
    s = draft_data["subject"]
    draft = Draft(
        SubjectRef(s["key"], s["kind"], s["code"], s["name"], s.get("org_code")),
        dict(draft_data["payload"]),
    )
    origin = draft_data.get("origin") or {}
    try:
        outcome, changes = _plan(conn, row.agency, row.kind, draft, origin)
    except (ChangeRejected, NeedsReview) as exc:
        raise Refused(*exc.reasons) from None
    if outcome == "duplicate":
        raise Refused("the registry already holds this record with this content; reject the entry")
    record = changes[-1]
    if row.correction != (record.kind == "record.corrected"):
        raise Refused(
            "the registry changed since the entry was made (the record was "
            + ("removed" if row.correction else "added by another entry")
            + "); reject it and enter it again"
        )
    if row.correction:
        submitted = parse_json(
            conn.execute(
                select(journal.c.payload).where(journal.c.seq == row.submitted_seq)
            ).scalar_one()
        )
        base = submitted.get("base_seq")
        if base is not None and _live_seq(conn, row.record_id) != base:
            raise Refused(
                f"record {row.record_id} has changed since this correction was entered (another "
                "correction, an objection's outcome or a repair); reject it and enter it again "
                "against the record as it is now"
            )
    data = _as_dict(record.payload)
    if record.kind == "record.added":
        data["record_id"] = row.record_id
    else:
        data["reason"] = f"correction entered by {row.author}, approved by {principal.actor}"
    prefix: list[Change] = []
    if not agency_exists(conn, row.agency):  # an agency unknown to the registry: first use
        prefix.append(Change("agency.registered", {"code": row.agency, "name": row.agency}))
    done = [Change("entry.approved", {"id": row.id, "by": principal.actor})]
    apply_changes(
        conn,
        [*prefix, *done, *changes[:-1], Change(record.kind, data)],
        actor=principal.actor,
    )
    return {"id": row.record_id, "status": "approved"}


def reject(conn: Connection, principal: Principal, record_id: int, reason: str) -> dict[str, Any]:
    row = _decidable(conn, principal, record_id)
    if not reason.strip():
        raise Refused("reason: a rejection says why")
    reason = redact_ids(reason)
    apply_changes(
        conn,
        [Change("entry.rejected", {"id": row.id, "reason": reason, "by": principal.actor})],
        actor=principal.actor,
    )
    return {"id": row.record_id, "status": "rejected", "reason": reason}


def _as_dict(payload: dict[str, Any] | Payload) -> dict[str, Any]:
    if isinstance(payload, Payload):
        return payload.journal_payload()
    return dict(payload)


def queue(
    conn: Connection,
    principal: Principal,
    status: str = "pending",
    limit: int | None = None,
    after: tuple[int, int] | None = None,
) -> list[Any]:
    """Entries a principal may see, oldest first: a reviewer or officer their agency's,
    admin/auditor all. Pending entries in the order they were submitted, decided ones in the
    order they were decided, so that a page boundary never moves: entries only ever leave the
    pending queue, and only ever join the end of a decided one. `after` is the (sequence, id)
    of the last entry of the previous page (`cursor`; one submission of many rows shares a
    journal entry, so the id breaks the tie)."""
    seq = entries.c.submitted_seq if status == "pending" else entries.c.decided_seq
    query = select(entries).where(entries.c.status == status)
    if principal.role not in ("admin", "auditor"):
        query = query.where(entries.c.agency == (principal.agency or ""))
    if after is not None:
        last_seq, last_id = after
        query = query.where(or_(seq > last_seq, and_(seq == last_seq, entries.c.id > last_id)))
    order = query.order_by(seq, entries.c.id)
    return list(conn.execute(order.limit(limit)).all())


def cursor(row: Any) -> str:
    """The `after` that continues a page ending with this entry."""
    seq = row.submitted_seq if row.status == "pending" else row.decided_seq
    return f"{seq}.{row.id}"


def as_json(row: Any) -> dict[str, Any]:
    draft = parse_json(row.draft)
    payload = draft.get("payload", {})
    return {
        "id": row.record_id,
        "entry": row.id,
        "agency": row.agency,
        "kind": row.kind,
        "doc_no": row.doc_no,
        "party_name": row.party_name,
        "correction": bool(row.correction),
        "status": row.status,
        "author": row.author,
        "submitted_on": row.submitted_at,
        "decided_by": row.decided_by,
        "reason": row.reason,
        "decision_date": payload.get("decision_date"),
        "severity": payload.get("severity"),
        "fields": payload.get("fields", {}),
    }
