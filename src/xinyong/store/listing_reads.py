"""Point reads of listings and the records they rest on, as known at a journal position."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, BindParameter, Connection, Row, bindparam, select

from xinyong.evaluate.facts import Listing, Record
from xinyong.store.journal import parse_json
from xinyong.store.projections.batching import InList, chunked
from xinyong.store.schema import listings, records
from xinyong.store.versions import visible

_K: BindParameter[int] = bindparam("k", type_=BigInteger())
_BY_SUBJECT = {
    at: select(listings)
    .where(listings.c.subject_key == bindparam("key"), visible(listings, at))
    .order_by(listings.c.start_date, listings.c.listing_id)
    for at in (None, _K)
}


def _records_by_id(at: BindParameter[int] | None) -> InList:
    return InList(
        lambda member: select(records).where(
            member(records.c.record_id, "ids"), visible(records, at)
        )
    )


_RECORDS_BY_ID = {at: _records_by_id(at) for at in (None, _K)}


def listing_fact(r: Row[Any]) -> Listing:
    return Listing(
        listing_id=r.listing_id,
        source=r.source,
        list_code=r.list_code,
        decision_no=r.decision_no,
        subject_key=r.subject_key,
        party_name=r.party_name,
        authority=r.authority,
        legal_basis=r.legal_basis,
        start=r.start_date,
        planned_end=r.planned_end,
        actual_end=r.actual_end,
        state=r.state,
        basis=tuple(parse_json(r.basis)),
        end_decision_no=r.end_decision_no,
        end_reason=r.end_reason,
        derived=r.derived,
        notified_on=r.notified_on,
        reminded_on=r.reminded_on,
        origin={
            "batch": r.batch_id,
            "file": r.source_file,
            "sheet": r.source_sheet,
            "row": r.source_row,
        },
        recorded_seq=r.recorded_seq,
    )


def record_fact(r: Row[Any]) -> Record:
    return Record(
        record_id=r.record_id,
        source=r.source,
        kind=r.kind,
        doc_no=r.doc_no,
        subject_key=r.subject_key,
        decision_date=r.decision_date,
        in_force_from=r.in_force_from,
        in_force_to=r.in_force_to,
        severity=r.severity,
        fields=parse_json(r.fields),
        origin={
            "batch": r.batch_id,
            "file": r.source_file,
            "sheet": r.source_sheet,
            "row": r.source_row,
        },
    )


def subject_listings(
    conn: Connection, subject_key: str, known_at: int | None = None
) -> list[Listing]:
    """Every listing of the subject (all states), as the registry knew them at `known_at`."""
    at = None if known_at is None else _K
    rows = conn.execute(_BY_SUBJECT[at], {"key": subject_key, "k": known_at}).all()
    return [listing_fact(r) for r in rows]


def records_by_id(
    conn: Connection, ids: Iterable[int], known_at: int | None = None
) -> dict[int, Record]:
    at = None if known_at is None else _K
    out: dict[int, Record] = {}
    for part in chunked(sorted(set(ids))):
        stmt = _RECORDS_BY_ID[at].on(conn)
        for r in conn.execute(stmt, {"ids": part, "k": known_at}):
            out[r.record_id] = record_fact(r)
    return out
