"""Subjects and their names. Amending a subject writes new row versions; old ones stay readable."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, bindparam, insert, select, update

from xinyong.codes import normalise_name
from xinyong.store.changes import Payload, SubjectAmended, SubjectRegistered, _SubjectState
from xinyong.store.schema import subject_names, subjects

_EXISTS = select(subjects.c.id).where(
    subjects.c.subject_key == bindparam("key"), subjects.c.superseded_seq.is_(None)
)
_INSERT_SUBJECT = insert(subjects)
_INSERT_NAMES = insert(subject_names)


def exists(conn: Connection, subject_key: str) -> bool:
    return conn.execute(_EXISTS, {"key": subject_key}).first() is not None


def check_registered(conn: Connection, payload: Payload) -> list[str]:
    p = cast(SubjectRegistered, payload)
    return [f"subject {p.code} is already registered"] if exists(conn, p.subject_key) else []


def check_amended(conn: Connection, payload: Payload) -> list[str]:
    p = cast(SubjectAmended, payload)
    return [] if exists(conn, p.subject_key) else [f"subject {p.code} is not registered"]


def _insert_state(conn: Connection, seq: int, p: _SubjectState) -> None:
    conn.execute(
        _INSERT_SUBJECT,
        {
            "subject_key": p.subject_key,
            "kind": p.subject_kind,
            "code": p.code,
            "name": p.current_name,
            "legal_representative": p.legal_representative,
            "region_code": p.region_code,
            "industry": p.industry,
            "entity_type": p.entity_type,
            "registered_on": p.registered_on,
            "status": p.status,
            "registered_capital_wan": p.registered_capital_wan,
            "provisional": p.provisional,
            "recorded_seq": seq,
        },
    )
    conn.execute(
        _INSERT_NAMES,
        [
            {
                "subject_key": p.subject_key,
                "name": n.name,
                "name_key": normalise_name(n.name),
                "name_type": n.type,
                "recorded_seq": seq,
            }
            for n in p.names
        ],
    )


def project_registered(conn: Connection, seq: int, payload: Payload) -> None:
    _insert_state(conn, seq, cast(SubjectRegistered, payload))


def project_amended(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(SubjectAmended, payload)
    for table in (subjects, subject_names):
        conn.execute(
            update(table)
            .where(table.c.subject_key == p.subject_key, table.c.superseded_seq.is_(None))
            .values(superseded_seq=seq)
        )
    _insert_state(conn, seq, p)
