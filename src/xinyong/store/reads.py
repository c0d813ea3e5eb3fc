"""Versioned reads: every read names its valid time (`as_of`) and may name a transaction time.

`known_at` is a journal sequence number: "what the registry said right after entry k". Valid time
filters records by their period in force, inclusive at both ends (DESIGN.md invariant 4).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    BindParameter,
    Connection,
    Date,
    Row,
    and_,
    bindparam,
    func,
    or_,
    select,
)

from xinyong.store.journal import parse_json
from xinyong.store.schema import journal_head, objections, records, subject_names, subjects
from xinyong.store.versions import visible


@dataclass(frozen=True, slots=True)
class NameView:
    name: str
    type: str


@dataclass(frozen=True, slots=True)
class RecordView:
    record_id: int
    source: str
    kind: str
    doc_no: str
    party_name: str
    decision_date: dt.date
    in_force_from: dt.date
    in_force_to: dt.date | None
    severity: str | None
    severity_rule: str | None
    authority: str | None
    legal_basis: str | None
    fields: dict[str, Any]
    origin: dict[str, Any]
    recorded_seq: int
    status: str = "public"  # public | repaired | revoked
    ended_on: dt.date | None = None
    under_objection: bool = False  # an objection is open: every public view says so


@dataclass(frozen=True, slots=True)
class SubjectView:
    subject_key: str
    kind: str
    code: str
    name: str
    names: list[NameView]
    legal_representative: str | None
    region_code: str | None
    industry: str | None
    entity_type: str | None
    registered_on: dt.date | None
    status: str
    registered_capital_wan: str | None
    provisional: bool
    registration_no: str | None
    recorded_seq: int


# The point reads behind every subject page and lookup are built once, for both "now" and "as
# known at :k": building and cache-keying a statement per request costs more than running it.
_K: BindParameter[int] = bindparam("k", type_=BigInteger())
_HEAD = select(journal_head.c.seq).where(journal_head.c.id == 1)
_SUBJECT = {
    at: select(subjects).where(subjects.c.subject_key == bindparam("key"), visible(subjects, at))
    for at in (None, _K)
}
_NAMES = {
    at: select(subject_names.c.name, subject_names.c.name_type)
    .where(subject_names.c.subject_key == bindparam("key"), visible(subject_names, at))
    .order_by(subject_names.c.id)
    for at in (None, _K)
}


def journal_seq(conn: Connection) -> int:
    """The newest journal sequence number (0 for an empty registry)."""
    return int(conn.execute(_HEAD).scalar_one())


def subject(conn: Connection, subject_key: str, known_at: int | None = None) -> SubjectView | None:
    at = None if known_at is None else _K
    params = {"key": subject_key, "k": known_at}
    row = conn.execute(_SUBJECT[at], params).first()
    if row is None:
        return None
    name_rows = conn.execute(_NAMES[at], params).all()
    return _subject_view(row, [NameView(n.name, n.name_type) for n in name_rows])


def _subject_view(row: Row[Any], names: list[NameView]) -> SubjectView:
    return SubjectView(
        subject_key=row.subject_key,
        kind=row.kind,
        code=row.code,
        name=row.name,
        names=names,
        legal_representative=row.legal_representative,
        region_code=row.region_code,
        industry=row.industry,
        entity_type=row.entity_type,
        registered_on=row.registered_on,
        status=row.status,
        registered_capital_wan=row.registered_capital_wan,
        registration_no=row.registration_no,
        provisional=bool(row.provisional),
        recorded_seq=row.recorded_seq,
    )


def in_force(as_of: dt.date | BindParameter[Any]) -> Any:
    return and_(
        records.c.in_force_from <= as_of,
        or_(records.c.in_force_to.is_(None), records.c.in_force_to >= as_of),
    )


def subject_records(
    conn: Connection,
    subject_key: str,
    as_of: dt.date,
    known_at: int | None = None,
    include_ended: bool = False,
) -> list[RecordView]:
    """Records about the subject in force on `as_of`, as known at `known_at`, newest first."""
    at = None if known_at is None else _K
    params = {"key": subject_key, "k": known_at, "as_of": as_of}
    rows = [r for r in conn.execute(_RECORDS[at], params).all() if include_ended or _public(r)]
    if known_at is not None and not include_ended and rows:
        # A record repaired (or revoked) since is hidden from the past too: `known_at` must not
        # be a way to read what publicity has ended for.
        ended = _ended_now(conn, [r.record_id for r in rows])
        rows = [r for r in rows if r.record_id not in ended]
    disputed = records_under_objection(conn, [r.record_id for r in rows])
    return [record_view(r, r.record_id in disputed) for r in rows]


def _ended_now(conn: Connection, ids: list[int]) -> set[int]:
    found = conn.execute(
        select(records.c.record_id).where(
            records.c.record_id.in_(sorted(set(ids))),
            records.c.superseded_seq.is_(None),
            records.c.status != "public",
        )
    ).scalars()
    return {int(i) for i in found}


def _public(r: Row[Any]) -> bool:
    # Repaired records are hidden from public views (publicity ended); revoked ones were wrong.
    return (getattr(r, "status", None) or "public") == "public"


def records_under_objection(conn: Connection, ids: list[int]) -> set[int]:
    return _open_objections(conn, "record", ids)


def listings_under_objection(conn: Connection, ids: list[int]) -> set[int]:
    return _open_objections(conn, "listing", ids)


def _open_objections(conn: Connection, target: str, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    found = conn.execute(
        select(objections.c.target_id).where(
            objections.c.target == target,
            objections.c.status == "open",
            objections.c.target_id.in_(sorted(set(ids))),
        )
    ).scalars()
    return {int(i) for i in found}


_RECORDS = {
    at: select(records)
    .where(
        records.c.subject_key == bindparam("key"),
        visible(records, at),
        in_force(bindparam("as_of", type_=Date())),
    )
    .order_by(records.c.decision_date.desc(), records.c.record_id.desc())
    for at in (None, _K)
}


def record_view(r: Row[Any], under_objection: bool = False) -> RecordView:
    return RecordView(
        record_id=r.record_id,
        source=r.source,
        kind=r.kind,
        doc_no=r.doc_no,
        party_name=r.party_name,
        decision_date=r.decision_date,
        in_force_from=r.in_force_from,
        in_force_to=r.in_force_to,
        severity=r.severity,
        severity_rule=r.severity_rule,
        authority=r.authority,
        legal_basis=r.legal_basis,
        fields=parse_json(r.fields),
        origin={
            "batch": r.batch_id,
            "file": r.source_file,
            "sheet": r.source_sheet,
            "row": r.source_row,
        },
        recorded_seq=r.recorded_seq,
        status=getattr(r, "status", None) or "public",
        ended_on=getattr(r, "ended_on", None),
        under_objection=under_objection,
    )


def count_subjects(conn: Connection) -> int:
    query = select(func.count()).select_from(subjects).where(subjects.c.superseded_seq.is_(None))
    return int(conn.execute(query).scalar_one())


def example_subject(conn: Connection, as_of: dt.date) -> tuple[str, str] | None:
    """(code, name) of an organisation with a penalty in force on `as_of`, for demo hints."""
    row = conn.execute(
        select(subjects.c.code, subjects.c.name)
        .join(records, records.c.subject_key == subjects.c.subject_key)
        .where(
            subjects.c.kind == "organisation",
            subjects.c.superseded_seq.is_(None),
            records.c.superseded_seq.is_(None),
            records.c.kind == "penalty",
            in_force(as_of),
        )
        .order_by(records.c.record_id)
        .limit(1)
    ).first()
    return None if row is None else (row.code, row.name)
