"""Credit records, keyed naturally by source agency + record kind + decision document number."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, bindparam, insert, select, update

from xinyong.store.changes import Payload, RecordCorrected, _RecordState
from xinyong.store.journal import canonical_json
from xinyong.store.projections import agencies, subjects
from xinyong.store.schema import records

_CURRENT_ID = select(records.c.record_id).where(
    records.c.source == bindparam("source"),
    records.c.kind == bindparam("kind"),
    records.c.doc_no == bindparam("doc_no"),
    records.c.superseded_seq.is_(None),
)
_INSERT = insert(records)


def current_id(conn: Connection, source: str, kind: str, doc_no: str) -> int | None:
    """The stable record_id of the live record under this natural key, if any."""
    row = conn.execute(_CURRENT_ID, {"source": source, "kind": kind, "doc_no": doc_no}).first()
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
        "subject_key": p.subject_key,
        "party_name": p.party_name,
        "decision_date": p.decision_date,
        "in_force_from": p.in_force_from,
        "in_force_to": p.in_force_to,
        "severity": p.severity,
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
