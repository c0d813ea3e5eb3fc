"""Agencies: the bodies that send records and answer for them (谁产生、谁负责)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, insert, select

from xinyong.store.changes import AgencyRegistered, Payload
from xinyong.store.schema import agencies


def exists(conn: Connection, code: str) -> bool:
    query = select(agencies.c.id).where(
        agencies.c.code == code, agencies.c.superseded_seq.is_(None)
    )
    return conn.execute(query).first() is not None


def check_registered(conn: Connection, payload: Payload) -> list[str]:
    p = cast(AgencyRegistered, payload)
    return [f"agency {p.code!r} is already registered"] if exists(conn, p.code) else []


def project_registered(conn: Connection, seq: int, payload: Payload) -> None:
    p = cast(AgencyRegistered, payload)
    conn.execute(insert(agencies).values(code=p.code, name=p.name, recorded_seq=seq))
