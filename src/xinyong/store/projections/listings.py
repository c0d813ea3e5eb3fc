"""Listings: decisions that put a subject on a list, and what later happens to them.

Every change writes a new row version of the listing (same `listing_id`), so a past answer —
"was X on the list on D, as the registry knew it at k?" — never changes (DESIGN.md invariant 4).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from xinyong.codes import document_key
from xinyong.store.changes import (
    ListingNotified,
    ListingProposed,
    ListingReminded,
    ListingRemoved,
    ListingTookEffect,
    Payload,
    _ListingState,
)
from xinyong.store.journal import canonical_json
from xinyong.store.projections import agencies, subjects
from xinyong.store.schema import listings

_CURRENT_BY_KEY = select(listings).where(
    listings.c.source == bindparam("source"),
    listings.c.list_code == bindparam("list_code"),
    listings.c.doc_key == bindparam("doc_key"),
    listings.c.superseded_seq.is_(None),
)
_CURRENT_BY_ID = select(listings).where(
    listings.c.listing_id == bindparam("listing_id"), listings.c.superseded_seq.is_(None)
)
_INSERT = insert(listings)


def current_by_key(
    conn: Connection, source: str, list_code: str, decision_no: str
) -> Row[Any] | None:
    params = {"source": source, "list_code": list_code, "doc_key": document_key(decision_no)}
    return conn.execute(_CURRENT_BY_KEY, params).first()


def current(conn: Connection, listing_id: int) -> Row[Any] | None:
    return conn.execute(_CURRENT_BY_ID, {"listing_id": listing_id}).first()


def _state_row(listing_id: int, seq: int, p: _ListingState, state: str) -> dict[str, Any]:
    return {
        "listing_id": listing_id,
        "source": p.source,
        "list_code": p.list_code,
        "decision_no": p.decision_no,
        "doc_key": document_key(p.decision_no),
        "subject_key": p.subject_key,
        "party_name": p.party_name,
        "authority": p.authority,
        "legal_basis": p.legal_basis,
        "start_date": p.start,
        "planned_end": p.planned_end,
        "actual_end": None,
        "end_decision_no": None,
        "end_doc_key": None,
        "end_reason": None,
        "state": state,
        "derived": p.derived if isinstance(p, ListingProposed) else None,
        "notified_on": None,
        "reminded_on": None,
        "basis": canonical_json([b.model_dump(mode="json", exclude_none=True) for b in p.basis]),
        "batch_id": p.origin.batch_id,
        "source_file": p.origin.file,
        "source_sheet": p.origin.sheet,
        "source_row": p.origin.row,
        "recorded_seq": seq,
    }


def _common(conn: Connection, p: _ListingState) -> list[str]:
    reasons = []
    if not agencies.exists(conn, p.source):
        reasons.append(f"source agency {p.source!r} is not registered")
    if not subjects.exists(conn, p.subject_key):
        reasons.append(f"subject {p.subject_key!r} is not registered")
    return reasons


def check_new(conn: Connection, payload: Payload) -> list[str]:
    p = cast(_ListingState, payload)
    reasons = _common(conn, p)
    if current_by_key(conn, p.source, p.list_code, p.decision_no) is not None:
        reasons.append(
            f"listing decision {p.decision_no!r} on {p.list_code} from {p.source!r} already "
            "exists; send a correction instead"
        )
    return reasons


def project_decided(conn: Connection, seq: int, payload: Payload) -> None:
    conn.execute(_INSERT, _state_row(seq, seq, cast(_ListingState, payload), "in_force"))


def project_proposed(conn: Connection, seq: int, payload: Payload) -> None:
    conn.execute(_INSERT, _state_row(seq, seq, cast(_ListingState, payload), "proposed"))


def check_corrected(conn: Connection, payload: Payload) -> list[str]:
    p = cast(_ListingState, payload)
    reasons = _common(conn, p)
    if current_by_key(conn, p.source, p.list_code, p.decision_no) is None:
        reasons.append(f"no listing decision {p.decision_no!r} on {p.list_code} to correct")
    return reasons


def project_corrected(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(_ListingState, payload)
    row = current_by_key(conn, p.source, p.list_code, p.decision_no)
    if row is None:
        raise LookupError(f"no live listing {p.decision_no!r} to correct")
    new = _state_row(row.listing_id, seq, p, row.state)
    # A correction restates the decision; what happened to it since (notice, removal) stays.
    for kept in (
        "actual_end",
        "end_decision_no",
        "end_doc_key",
        "end_reason",
        "derived",
        "notified_on",
        "reminded_on",
    ):
        new[kept] = getattr(row, kept)
    _supersede(conn, row, seq, new)


def _supersede(conn: Connection, row: Row[Any], seq: int, new: dict[str, Any]) -> None:
    conn.execute(
        update(listings)
        .where(listings.c.id == row.id, listings.c.superseded_seq.is_(None))
        .values(superseded_seq=seq)
    )
    conn.execute(_INSERT, new)


def _next_version(row: Row[Any], seq: int, **changes: Any) -> dict[str, Any]:
    new = {c.name: getattr(row, c.name) for c in listings.columns if c.name != "id"}
    new.update(changes, recorded_seq=seq, superseded_seq=None)
    return new


def _needs(
    conn: Connection, listing_id: int, states: tuple[str, ...]
) -> tuple[Row[Any] | None, list[str]]:
    row = current(conn, listing_id)
    if row is None:
        return None, [f"no listing {listing_id}"]
    if row.state not in states:
        return row, [f"listing {listing_id} is {row.state}, not {' or '.join(states)}"]
    return row, []


def check_notified(conn: Connection, payload: Payload) -> list[str]:
    return _needs(conn, cast(ListingNotified, payload).listing_id, ("proposed",))[1]


def project_notified(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(ListingNotified, payload)
    row = _live(conn, p.listing_id)
    new = _next_version(
        row,
        seq,
        state="notified",
        notified_on=p.notified_on,
        start_date=p.start,
        planned_end=p.planned_end,
    )
    _supersede(conn, row, seq, new)


def check_took_effect(conn: Connection, payload: Payload) -> list[str]:
    p = cast(ListingTookEffect, payload)
    row, reasons = _needs(conn, p.listing_id, ("notified",))
    if row is not None and not reasons and p.on < row.start_date:
        reasons.append(f"listing {p.listing_id} cannot take effect before {row.start_date}")
    return reasons


def project_took_effect(conn: Connection, seq: int, payload: Payload) -> None:
    row = _live(conn, cast(ListingTookEffect, payload).listing_id)
    _supersede(conn, row, seq, _next_version(row, seq, state="in_force"))


_OF_SUBJECT_ON_LIST = select(listings).where(
    listings.c.subject_key == bindparam("key"),
    listings.c.list_code == bindparam("list_code"),
    listings.c.superseded_seq.is_(None),
)


def of_subject_on_list(conn: Connection, subject_key: str, list_code: str) -> list[Row[Any]]:
    return list(conn.execute(_OF_SUBJECT_ON_LIST, {"key": subject_key, "list_code": list_code}))


def removable(conn: Connection, subject_key: str, list_code: str, day: dt.date) -> list[Row[Any]]:
    """The subject's listings on the list that a removal dated `day` can end: in force on that
    day, or decided or proposed and not yet in force (a removal before the start stops it)."""
    rows = of_subject_on_list(conn, subject_key, list_code)
    out = []
    for r in rows:
        if r.state == "ended" or (r.planned_end is not None and day > r.planned_end):
            continue
        if r.state == "in_force" and day < r.start_date:
            continue
        out.append(r)
    return sorted(out, key=lambda r: (r.start_date, r.listing_id))


def _removal_target(conn: Connection, p: ListingRemoved) -> tuple[Row[Any] | None, list[str]]:
    if p.listing_id is not None:
        row, reasons = _needs(conn, p.listing_id, ("proposed", "notified", "in_force", "ended"))
        if row is not None and not reasons and row.state == "in_force" and p.date < row.start_date:
            reasons.append(
                f"removal on {p.date} is before listing {p.listing_id} started ({row.start_date})"
            )
        return row, reasons
    found = removable(conn, p.subject_key, p.list_code, p.date)
    if not found:
        return None, [f"no listing of {p.subject_key} on {p.list_code} is in force on {p.date}"]
    return found[-1], []


def check_removed(conn: Connection, payload: Payload) -> list[str]:
    return _removal_target(conn, cast(ListingRemoved, payload))[1]


def project_removed(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(ListingRemoved, payload)
    row, reasons = _removal_target(conn, p)
    if row is None:
        raise LookupError("; ".join(reasons))
    new = _next_version(
        row,
        seq,
        state="ended",
        actual_end=p.date,
        end_decision_no=p.decision_no,
        end_doc_key=document_key(p.decision_no),
        end_reason=p.reason,
    )
    _supersede(conn, row, seq, new)


def check_reminded(conn: Connection, payload: Payload) -> list[str]:
    return _needs(conn, cast(ListingReminded, payload).listing_id, ("in_force",))[1]


def project_reminded(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(ListingReminded, payload)
    row = _live(conn, p.listing_id)
    _supersede(conn, row, seq, _next_version(row, seq, reminded_on=p.on))


def _live(conn: Connection, listing_id: int) -> Row[Any]:
    row = current(conn, listing_id)
    if row is None:  # the checks guarantee it on live apply; replay follows the journal
        raise LookupError(f"no live listing {listing_id}")
    return row
