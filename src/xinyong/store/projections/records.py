"""Credit records, keyed naturally by source agency + record kind + decision document number."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Connection, bindparam, insert, select, update

from xinyong.codes import document_key
from xinyong.store.changes import Payload, RecordCorrected, _RecordState
from xinyong.store.journal import canonical_json
from xinyong.store.projections import agencies, subjects
from xinyong.store.projections.batching import InList, bulk_insert, chunked
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


def _row(record_id: int, seq: int, p: _RecordState) -> dict[str, Any]:
    return {
        "record_id": record_id,
        "source": p.source,
        "kind": p.record_kind,
        "doc_no": p.doc_no,
        "doc_key": document_key(p.doc_no),
        "subject_key": p.subject_key,
        "party_name": p.party_name,
        "decision_date": p.decision_date,
        "in_force_from": p.in_force_from,
        "in_force_to": p.in_force_to,
        "severity": p.severity,
        "severity_rule": p.severity_rule,
        "authority": p.authority,
        "legal_basis": p.legal_basis,
        "fields": canonical_json(p.fields),
        "batch_id": p.origin.batch_id,
        "source_file": p.origin.file,
        "source_sheet": p.origin.sheet,
        "source_row": p.origin.row,
        "recorded_seq": seq,
    }


def project_added(conn: Connection, seq: int, payload: Payload) -> None:
    conn.execute(_INSERT, _row(seq, seq, cast(_RecordState, payload)))


def check_added_many(conn: Connection, payloads: Sequence[Payload]) -> list[list[str]]:
    """`check_added` for a run of additions at once, as if each were checked after the previous
    ones were projected: one query per kind of fact instead of three per record."""
    items = [cast(_RecordState, p) for p in payloads]
    known_agencies = agencies.existing(conn, {p.source for p in items})
    known_subjects = subjects.existing(conn, {p.subject_key for p in items})
    live = live_keys(conn, {(p.source, p.record_kind, document_key(p.doc_no)) for p in items})
    out = []
    for p in items:
        reasons = []
        if p.source not in known_agencies:
            reasons.append(f"source agency {p.source!r} is not registered")
        if p.subject_key not in known_subjects:
            reasons.append(f"subject {p.subject_key!r} is not registered")
        key = (p.source, p.record_kind, document_key(p.doc_no))
        if key in live:
            reasons.append(
                f"a {p.record_kind} record {p.doc_no!r} from {p.source!r} already exists; "
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
    bulk_insert(conn, records, [_row(seq, seq, cast(_RecordState, p)) for seq, p in items])


def project_corrected(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(RecordCorrected, payload)
    record_id = current_id(conn, p.source, p.record_kind, p.doc_no)
    if record_id is None:  # check_corrected guarantees it on live apply; replay follows suit
        raise LookupError(f"no live record {p.doc_no!r} to correct")
    conn.execute(
        update(records)
        .where(records.c.record_id == record_id, records.c.superseded_seq.is_(None))
        .values(superseded_seq=seq)
    )
    conn.execute(_INSERT, _row(record_id, seq, p))
