"""Agencies: the bodies that send records and answer for them (谁产生、谁负责)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, bindparam, insert, select

from xinyong.store.changes import AgencyRegistered, Payload
from xinyong.store.projections.batching import InList
from xinyong.store.schema import agencies

# Statements are built once: building and cache-keying a SQLAlchemy statement per row costs more
# than executing it.
_EXISTS = select(agencies.c.id).where(
    agencies.c.code == bindparam("code"), agencies.c.superseded_seq.is_(None)
)


def exists(conn: Connection, code: str) -> bool:
    return conn.execute(_EXISTS, {"code": code}).first() is not None


def check_registered(conn: Connection, payload: Payload) -> list[str]:
    p = cast(AgencyRegistered, payload)
    return [f"agency {p.code!r} is already registered"] if exists(conn, p.code) else []


def project_registered(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(AgencyRegistered, payload)
    conn.execute(insert(agencies).values(code=p.code, name=p.name, recorded_seq=seq))


_EXISTING = InList(
    lambda member: select(agencies.c.code).where(
        member(agencies.c.code, "codes"), agencies.c.superseded_seq.is_(None)
    )
)


def existing(conn: Connection, codes: set[str]) -> set[str]:
    if not codes:
        return set()
    return set(conn.execute(_EXISTING.on(conn), {"codes": list(codes)}).scalars())
