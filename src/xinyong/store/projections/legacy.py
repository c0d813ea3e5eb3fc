"""Legacy codes an officer accepted: USCCs that fail the check but were really issued."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, bindparam, insert, select

from xinyong.store.changes import LegacyCodeAccepted, Payload
from xinyong.store.schema import legacy_codes

_EXISTS = select(legacy_codes.c.id).where(
    legacy_codes.c.code == bindparam("code"), legacy_codes.c.superseded_seq.is_(None)
)


def accepted(conn: Connection) -> frozenset[str]:
    """Every accepted legacy code (a small set: loaded once per ingest)."""
    query = select(legacy_codes.c.code).where(legacy_codes.c.superseded_seq.is_(None))
    return frozenset(conn.execute(query).scalars())


def is_accepted(conn: Connection, code: str) -> bool:
    return conn.execute(_EXISTS, {"code": code}).first() is not None


def check_accepted(conn: Connection, payload: Payload) -> list[str]:
    p = cast(LegacyCodeAccepted, payload)
    if conn.execute(_EXISTS, {"code": p.code}).first() is not None:
        return [f"legacy code {p.code} is already accepted"]
    return []


def project_accepted(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(LegacyCodeAccepted, payload)
    conn.execute(insert(legacy_codes).values(code=p.code, reason=p.reason, recorded_seq=seq))
