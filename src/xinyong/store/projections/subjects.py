"""Subjects and their names. Amending a subject writes new row versions; old ones stay readable."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from xinyong.codes import normalise_name
from xinyong.codes.company import core_name, grams, initials
from xinyong.store.changes import Payload, SubjectAmended, SubjectRegistered, _SubjectState
from xinyong.store.projections.batching import InList, bulk_insert, chunked
from xinyong.store.schema import core_grams, subject_names, subjects

_EXISTS = select(subjects.c.id).where(
    subjects.c.subject_key == bindparam("key"), subjects.c.superseded_seq.is_(None)
)
_INSERT_SUBJECT = insert(subjects)
_INSERT_NAMES = insert(subject_names)


def exists(conn: Connection, subject_key: str) -> bool:
    return conn.execute(_EXISTS, {"key": subject_key}).first() is not None


_EXISTING = InList(
    lambda member: select(subjects.c.subject_key).where(
        member(subjects.c.subject_key, "keys"), subjects.c.superseded_seq.is_(None)
    )
)


def existing(conn: Connection, keys: set[str]) -> set[str]:
    """Which of these subject keys are registered (one query per 500 keys)."""
    found: set[str] = set()
    for part in chunked(keys):
        found.update(conn.execute(_EXISTING.on(conn), {"keys": part}).scalars())
    return found


def check_registered_many(conn: Connection, payloads: Sequence[Payload]) -> list[list[str]]:
    items = [cast(SubjectRegistered, p) for p in payloads]
    known = existing(conn, {p.subject_key for p in items})
    out = []
    for p in items:
        out.append([f"subject {p.code} is already registered"] if p.subject_key in known else [])
        known.add(p.subject_key)
    return out


def project_registered_many(conn: Connection, items: Sequence[tuple[int, Payload]]) -> None:
    states = [(seq, cast(SubjectRegistered, p)) for seq, p in items]
    bulk_insert(conn, subjects, [_subject_row(seq, p) for seq, p in states])
    names = [row for seq, p in states for row in _name_rows(seq, p)]
    bulk_insert(conn, subject_names, names)
    add_grams(conn, names)


def check_registered(conn: Connection, payload: Payload) -> list[str]:
    p = cast(SubjectRegistered, payload)
    return [f"subject {p.code} is already registered"] if exists(conn, p.subject_key) else []


def check_amended(conn: Connection, payload: Payload) -> list[str]:
    p = cast(SubjectAmended, payload)
    return [] if exists(conn, p.subject_key) else [f"subject {p.code} is not registered"]


def _subject_row(seq: int, p: _SubjectState) -> dict[str, Any]:
    return {
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
        "org_code": org_code(p),
        "registration_no": p.registration_no,
        "recorded_seq": seq,
    }


def org_code(p: _SubjectState) -> str | None:
    """The GB 11714 organisation code inside an organisation's USCC (positions 9-17)."""
    if p.subject_kind == "organisation" and len(p.subject_key) == 18:
        return p.subject_key[8:17]
    return None


def _name_rows(seq: int, p: _SubjectState) -> list[dict[str, Any]]:
    rows = []
    for n in p.names:
        key = normalise_name(n.name)
        core = core_name(key)
        rows.append(
            {
                "subject_key": p.subject_key,
                "name": n.name,
                "name_key": key,
                "name_type": n.type,
                "core_key": core,
                "initials": initials(core),
                "recorded_seq": seq,
            }
        )
    return rows


def add_grams(conn: Connection, name_rows: Sequence[dict[str, Any]]) -> None:
    """Keep the bigram side index covering every core name stored."""
    cores = {r["core_key"] for r in name_rows}
    if not cores:
        return
    rows = [{"gram": g, "core_key": c} for c in sorted(cores) for g in grams(c)]
    stmt = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(core_grams)
    conn.execute(stmt.on_conflict_do_nothing(), rows)


def _insert_state(conn: Connection, seq: int, p: _SubjectState) -> None:
    conn.execute(_INSERT_SUBJECT, _subject_row(seq, p))
    names = _name_rows(seq, p)
    conn.execute(_INSERT_NAMES, names)
    add_grams(conn, names)


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
