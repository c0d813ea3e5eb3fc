"""Ingest history: what each batch read, from whom, and what became of its rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from xinyong.store.journal import parse_json
from xinyong.store.schema import ingest_batches, quarantine


@dataclass(frozen=True)
class Batch:
    id: str
    source: str
    actor: str
    started_at: str
    finished_at: str | None
    status: str  # running (or interrupted) | finished
    files: list[str]
    counts: dict[str, int]
    waiting: int  # of its rows, how many still wait in quarantine or review

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "actor": self.actor,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "status": self.status,
            "files": self.files,
            "counts": self.counts,
            "waiting_in_quarantine": self.waiting,
        }


def _batch(row: Any, waiting: int) -> Batch:
    return Batch(
        row.id,
        row.source,
        row.actor,
        row.started_at,
        row.finished_at,
        row.status,
        parse_json(row.files),
        parse_json(row.counts),
        waiting,
    )


def _waiting(conn: Connection, ids: list[str]) -> dict[str, int]:
    if not ids:
        return {}
    rows = conn.execute(
        select(quarantine.c.batch_id, func.count())
        .where(quarantine.c.batch_id.in_(ids), quarantine.c.status.in_(("open", "review")))
        .group_by(quarantine.c.batch_id)
    )
    return {r[0]: int(r[1]) for r in rows}


def get_batch(conn: Connection, batch_id: str) -> Batch | None:
    row = conn.execute(select(ingest_batches).where(ingest_batches.c.id == batch_id)).first()
    if row is None:
        return None
    return _batch(row, _waiting(conn, [batch_id]).get(batch_id, 0))


def recent_batches(
    conn: Connection, limit: int = 50, offset: int = 0, source: str | None = None
) -> tuple[list[Batch], int]:
    """Newest first, and how many there are in all."""
    conds = [ingest_batches.c.source == source] if source else []
    total = conn.execute(select(func.count()).select_from(ingest_batches).where(*conds))
    rows = conn.execute(
        select(ingest_batches)
        .where(*conds)
        .order_by(ingest_batches.c.started_at.desc(), ingest_batches.c.id)
        .limit(limit)
        .offset(offset)
    ).all()
    waiting = _waiting(conn, [r.id for r in rows])
    return [_batch(r, waiting.get(r.id, 0)) for r in rows], int(total.scalar_one())
