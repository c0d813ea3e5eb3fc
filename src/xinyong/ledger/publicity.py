"""Which journal entries are public: shown with their salt and payload beside their envelope.

Every entry's envelope is public (it is a leaf of the log). Whether its payload is shown is decided
when it is asked for, from the registry's current state, so that an entry stops being published
the moment its record is repaired. The rule, per kind (docs/ledger.md keeps the same table):

- ``agency.registered``, ``code.legacy_accepted``: public.
- ``subject.registered``, ``subject.amended``: public for organisations; never for natural persons.
- ``record.added``, ``record.corrected``: public while the record is about an organisation and its
  current status is ``public`` (not ``repaired``, not ``revoked``).
- ``listing.decided``, ``.corrected``, ``.removed``, ``.took_effect``, ``.reminded``: public for
  an organisation's listing unless it ended by credit repair (a removal numbered ``REPAIR/…``);
  ``listing.proposed`` and ``listing.notified`` only once the listing took effect (its state is
  ``in_force`` or ``ended``): a proposal is not a decision, and the notice period comes first.
- ``record.repaired``, ``record.revoked`` (they describe a record whose publicity ended),
  ``entry.*`` (pending entries are not public; an approved one is published by its
  ``record.added``), ``objection.*`` (statements are private), ``repair.*``, ``case.escalated``
  and ``notice.sent`` (a subject's own case file): never.
- Any kind not listed here (a new one): not public until this rule names it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select

from xinyong.ledger.envelope import is_person_key
from xinyong.store.projections.batching import InList, chunked
from xinyong.store.projections.listings import current_by_key as listing_by_key
from xinyong.store.projections.records import current_id as record_by_key
from xinyong.store.schema import listings, records

__all__ = ["ALWAYS_PUBLIC", "NEVER_PUBLIC", "withheld"]

ALWAYS_PUBLIC = frozenset({"agency.registered", "code.legacy_accepted"})
NEVER_PUBLIC: Mapping[str, str] = {
    "record.repaired": "it ends a record's publicity (credit repair)",
    "record.revoked": "it withdraws a record (objection upheld)",
    "entry.submitted": "an entry waiting for review is not public",
    "entry.approved": "review step; the record is published by its own record entry",
    "entry.rejected": "review step of an entry that was never published",
    "objection.filed": "an objection's statement is private",
    "objection.decided": "part of a subject's objection case",
    "repair.applied": "part of a subject's credit repair case",
    "repair.decided": "part of a subject's credit repair case",
    "case.escalated": "part of a subject's objection or repair case",
    "notice.sent": "a notice to the subject",
}
_SUBJECT = frozenset({"subject.registered", "subject.amended"})
_RECORD = frozenset({"record.added", "record.corrected"})
_LISTING = frozenset(
    {
        "listing.decided",
        "listing.corrected",
        "listing.proposed",
        "listing.notified",
        "listing.took_effect",
        "listing.removed",
        "listing.reminded",
    }
)
_PERSON = "it concerns a natural person"

_RECORD_STATUS = InList(
    lambda member: select(records.c.record_id, records.c.status, records.c.subject_key).where(
        member(records.c.record_id, "ids"), records.c.superseded_seq.is_(None)
    )
)
_LISTING_STATE = InList(
    lambda member: select(
        listings.c.listing_id,
        listings.c.subject_key,
        listings.c.state,
        listings.c.end_decision_no,
        listings.c.start_date,
        listings.c.actual_end,
    ).where(member(listings.c.listing_id, "ids"), listings.c.superseded_seq.is_(None))
)


def _person(payload: Mapping[str, Any]) -> bool:
    key = payload.get("subject_key")
    return payload.get("subject_kind") == "person" or (isinstance(key, str) and is_person_key(key))


def withheld(
    conn: Connection, entries: Sequence[tuple[int, str, Mapping[str, Any]]]
) -> dict[int, str]:
    """Why each non-public entry is withheld, by sequence number; public entries are absent.
    ``entries`` are ``(seq, kind, payload)``. A few indexed queries per call, whatever its size."""
    out: dict[int, str] = {}
    record_of: dict[int, int] = {}
    listing_of: dict[int, int] = {}
    for seq, kind, payload in entries:
        if kind in ALWAYS_PUBLIC:
            continue
        if kind in NEVER_PUBLIC:
            out[seq] = NEVER_PUBLIC[kind]
        elif kind in _SUBJECT or kind in _RECORD or kind in _LISTING:
            if _person(payload):
                out[seq] = _PERSON
            elif kind == "record.added":
                record_of[seq] = int(payload.get("record_id") or seq)
            elif kind == "record.corrected":
                found = record_by_key(
                    conn, payload["source"], payload["record_kind"], payload["doc_no"]
                )
                if found is None:
                    out[seq] = "its record is no longer in the registry"
                else:
                    record_of[seq] = found
            elif kind in ("listing.decided", "listing.proposed"):
                listing_of[seq] = seq
            elif kind == "listing.corrected":
                row = listing_by_key(
                    conn, payload["source"], payload["list_code"], payload["decision_no"]
                )
                if row is None:
                    out[seq] = "its listing is no longer in the registry"
                else:
                    listing_of[seq] = int(row.listing_id)
            elif kind in _LISTING and payload.get("listing_id") is not None:
                listing_of[seq] = int(payload["listing_id"])
        else:
            out[seq] = f"the publicity rule does not cover {kind!r} entries"
    out.update(_records_withheld(conn, record_of))
    out.update(_listings_withheld(conn, listing_of, {seq: kind for seq, kind, _ in entries}))
    return out


def _records_withheld(conn: Connection, record_of: Mapping[int, int]) -> dict[int, str]:
    status: dict[int, str] = {}
    for part in chunked(sorted(set(record_of.values()))):
        for row in conn.execute(_RECORD_STATUS.on(conn), {"ids": part}):
            # A record corrected onto a natural person takes its earlier entries with it.
            person = is_person_key(str(row.subject_key))
            status[int(row.record_id)] = "person" if person else str(row.status or "public")
    out: dict[int, str] = {}
    for seq, record_id in record_of.items():
        current = status.get(record_id)
        if current is None:
            out[seq] = "its record is no longer in the registry"
        elif current == "person":
            out[seq] = _PERSON
        elif current != "public":
            out[seq] = f"its record is {current}"
    return out


def _listings_withheld(
    conn: Connection, listing_of: Mapping[int, int], kinds: Mapping[int, str]
) -> dict[int, str]:
    rows: dict[int, Any] = {}
    for part in chunked(sorted(set(listing_of.values()))):
        for row in conn.execute(_LISTING_STATE.on(conn), {"ids": part}):
            rows[int(row.listing_id)] = row
    out: dict[int, str] = {}
    for seq, listing_id in listing_of.items():
        found = rows.get(listing_id)
        if found is None:
            out[seq] = "its listing is no longer in the registry"
        elif is_person_key(str(found.subject_key)):
            out[seq] = _PERSON
        elif (found.end_decision_no or "").startswith("REPAIR/"):
            out[seq] = "its listing ended by credit repair"
        elif (found.end_decision_no or "").startswith("OBJECTION/"):
            out[seq] = "its listing was withdrawn: an objection to it was upheld"
        elif not _took_effect(found):
            out[seq] = "a proposed listing is not public unless it takes effect"
    return out


def _took_effect(row: Any) -> bool:
    """Whether the listing was ever in force: a proposal stopped in its notice period, or a
    listing ended on or before its first day, never was."""
    if row.state in ("proposed", "notified"):
        return False
    return row.actual_end is None or row.actual_end > row.start_date
