"""Credit records, keyed naturally by source agency + record kind + decision document number."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Connection, bindparam, insert, select, update

from xinyong.codes import document_key
from xinyong.store.changes import (
    Payload,
    RecordAdded,
    RecordCorrected,
    RecordRepaired,
    RecordRevoked,
    _RecordEnd,
    _RecordState,
)
from xinyong.store.journal import canonical_json
from xinyong.store.projections import agencies, subjects
from xinyong.store.projections.batching import InList, bulk_insert_values, chunked
from xinyong.store.schema import records

_CURRENT_ID = select(records.c.record_id).where(
    records.c.source == bindparam("source"),
    records.c.kind == bindparam("kind"),
    records.c.doc_key == bindparam("doc_key"),
    records.c.superseded_seq.is_(None),
)
_INSERT = insert(records)
_LIVE_DOCS = InList(
    lambda member: select(records.c.doc_key).where(
        records.c.source == bindparam("source"),
        records.c.kind == bindparam("kind"),
        member(records.c.doc_key, "docs"),
        records.c.superseded_seq.is_(None),
    )
)


def current_id(conn: Connection, source: str, kind: str, doc_no: str) -> int | None:
    """The stable record_id of the live record under this natural key, if any."""
    params = {"source": source, "kind": kind, "doc_key": document_key(doc_no)}
    row = conn.execute(_CURRENT_ID, params).first()
    return None if row is None else int(row[0])


def _common_checks(conn: Connection, p: _RecordState) -> list[str]:
    reasons = []
    if not agencies.exists(conn, p.source):
        reasons.append(f"source agency {p.source!r} is not registered")
    if not subjects.exists(conn, p.subject_key):
        reasons.append(f"subject {p.subject_key!r} is not registered")
    return reasons


def check_added(conn: Connection, payload: Payload) -> list[str]:
    p = cast(_RecordState, payload)
    reasons = _common_checks(conn, p)
    if current_id(conn, p.source, p.record_kind, p.doc_no) is not None:
        reasons.append(
            f"a {p.record_kind} record {p.doc_no!r} from {p.source!r} already exists; "
            "send a correction instead"
        )
    return reasons


def check_corrected(conn: Connection, payload: Payload) -> list[str]:
    p = cast(RecordCorrected, payload)
    reasons = _common_checks(conn, p)
    if current_id(conn, p.source, p.record_kind, p.doc_no) is None:
        reasons.append(f"no {p.record_kind} record {p.doc_no!r} from {p.source!r} to correct")
    return reasons


# A record change's projection row, less `record_id` and `recorded_seq` (which only the apply path
# knows), in the table's column order. Ingest workers make it beside the journal JSON for the
# changes they validate (`prepared`), so that the single writer only stores it.
PREPARED_COLUMNS = (
    "source",
    "kind",
    "doc_no",
    "doc_key",
    "subject_key",
    "party_name",
    "decision_date",
    "in_force_from",
    "in_force_to",
    "severity",
    "severity_rule",
    "authority",
    "legal_basis",
    "fields",
    "batch_id",
    "source_file",
    "source_sheet",
    "source_row",
)
_ROW_COLUMNS = ("record_id", *PREPARED_COLUMNS, "recorded_seq")
Prepared = tuple[Any, ...]


def prepared_row(p: _RecordState) -> Prepared:
    """The projection row of a validated record change (see PREPARED_COLUMNS)."""
    return (
        p.source,
        p.record_kind,
        p.doc_no,
        document_key(p.doc_no),
        p.subject_key,
        p.party_name,
        p.decision_date,
        p.in_force_from,
        p.in_force_to,
        p.severity,
        p.severity_rule,
        p.authority,
        p.legal_basis,
        canonical_json(p.fields),
        p.origin.batch_id,
        p.origin.file,
        p.origin.sheet,
        p.origin.row,
    )


def _row(record_id: int, seq: int, p: _RecordState) -> dict[str, Any]:
    return dict(zip(_ROW_COLUMNS, (record_id, *prepared_row(p), seq), strict=True))


def project_added(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(RecordAdded, payload)
    conn.execute(_INSERT, _row(p.record_id or seq, seq, p))


def check_added_many(conn: Connection, payloads: Sequence[Payload]) -> list[list[str]]:
    """`check_added` for a run of additions at once, as if each were checked after the previous
    ones were projected: one query per kind of fact instead of three per record."""
    items = [cast(_RecordState, p) for p in payloads]
    return _check_added(
        conn,
        [(p.source, p.record_kind, p.doc_no, document_key(p.doc_no), p.subject_key) for p in items],
    )


def check_added_prepared(conn: Connection, rows: Sequence[Prepared]) -> list[list[str]]:
    """`check_added_many` for additions given as their prepared rows."""
    return _check_added(conn, [row[:5] for row in rows])


def _check_added(
    conn: Connection, items: Sequence[tuple[str, str, str, str, str]]
) -> list[list[str]]:
    """Items: source, record kind, document number, its key, subject key."""
    known_agencies = agencies.existing(conn, {item[0] for item in items})
    known_subjects = subjects.existing(conn, {item[4] for item in items})
    live = live_keys(conn, {(item[0], item[1], item[3]) for item in items})
    out = []
    for source, kind, doc_no, doc_key, subject_key in items:
        reasons = []
        if source not in known_agencies:
            reasons.append(f"source agency {source!r} is not registered")
        if subject_key not in known_subjects:
            reasons.append(f"subject {subject_key!r} is not registered")
        key = (source, kind, doc_key)
        if key in live:
            reasons.append(
                f"a {kind} record {doc_no!r} from {source!r} already exists; "
                "send a correction instead"
            )
        live.add(key)
        out.append(reasons)
    return out


def live_keys(conn: Connection, keys: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """Which natural keys have a live record."""
    found: set[tuple[str, str, str]] = set()
    by_group: dict[tuple[str, str], list[str]] = {}
    for source, kind, doc_no in keys:
        by_group.setdefault((source, kind), []).append(doc_no)
    for (source, kind), docs in by_group.items():
        for part in chunked(docs):
            rows = conn.execute(
                _LIVE_DOCS.on(conn), {"source": source, "kind": kind, "docs": part}
            ).scalars()
            found.update((source, kind, doc) for doc in rows)
    return found


def project_added_many(conn: Connection, items: Sequence[tuple[int, Payload]]) -> None:
    rows = [
        (cast(RecordAdded, p).record_id or seq, *prepared_row(cast(_RecordState, p)), seq)
        for seq, p in items
    ]
    bulk_insert_values(conn, records, _ROW_COLUMNS, rows)


def project_added_prepared(conn: Connection, items: Sequence[tuple[int, Prepared]]) -> None:
    """Additions given as their prepared rows: the record id is the adding entry's sequence."""
    bulk_insert_values(conn, records, _ROW_COLUMNS, [(seq, *row, seq) for seq, row in items])


def project_corrected(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(RecordCorrected, payload)
    record_id = current_id(conn, p.source, p.record_kind, p.doc_no)
    if record_id is None:  # check_corrected guarantees it on live apply; replay follows suit
        raise LookupError(f"no live record {p.doc_no!r} to correct")
    live = conn.execute(
        select(records.c.status, records.c.ended_on).where(
            records.c.record_id == record_id, records.c.superseded_seq.is_(None)
        )
    ).one()
    conn.execute(
        update(records)
        .where(records.c.record_id == record_id, records.c.superseded_seq.is_(None))
        .values(superseded_seq=seq)
    )
    # A correction changes what the record says, not whether it is published: a repaired or
    # revoked record stays so (a re-sent file must not bring a repaired record back to view).
    conn.execute(
        _INSERT, {**_row(record_id, seq, p), "status": live.status, "ended_on": live.ended_on}
    )


def check_ended(conn: Connection, payload: Payload) -> list[str]:
    p = cast(_RecordEnd, payload)
    if current_id(conn, p.source, p.record_kind, p.doc_no) is None:
        return [f"no {p.record_kind} record {p.doc_no!r} from {p.source!r}"]
    row = conn.execute(
        select(records.c.status).where(
            records.c.source == p.source,
            records.c.kind == p.record_kind,
            records.c.doc_key == document_key(p.doc_no),
            records.c.superseded_seq.is_(None),
        )
    ).first()
    if row is not None and row.status != "public":
        return [f"the record is already {row.status}"]
    return []


def _project_ended(conn: Connection, seq: int, p: _RecordEnd, status: str) -> None:
    """A new version of the live row with its status and end date: the old one stays, so that
    `known_at` reads show the record as it was published before."""
    live = conn.execute(
        select(records).where(
            records.c.source == p.source,
            records.c.kind == p.record_kind,
            records.c.doc_key == document_key(p.doc_no),
            records.c.superseded_seq.is_(None),
        )
    ).first()
    if live is None:  # check_ended guarantees it on live apply; replay follows suit
        raise LookupError(f"no live record {p.doc_no!r} to end")
    conn.execute(update(records).where(records.c.id == live.id).values(superseded_seq=seq))
    row = {k: v for k, v in live._mapping.items() if k != "id"}
    row.update(status=status, ended_on=p.on, recorded_seq=seq, superseded_seq=None)
    conn.execute(_INSERT, row)


def project_repaired(conn: Connection, seq: int, payload: Payload) -> None:
    _project_ended(conn, seq, cast(RecordRepaired, payload), "repaired")


def project_revoked(conn: Connection, seq: int, payload: Payload) -> None:
    _project_ended(conn, seq, cast(RecordRevoked, payload), "revoked")
