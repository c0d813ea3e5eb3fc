"""Rebuild projections from the journal, and compare projections between two databases.

This is the proof behind invariant 1: if replaying every journal entry into an empty database gives
tables equal to the live ones, nothing reached the projections except through the journal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from xinyong.store.apply import project_entry
from xinyong.store.journal import JournalEntry, parse_json
from xinyong.store.schema import PROJECTIONS, journal, journal_head

# Surrogate row ids may legitimately differ between two databases; every other column must match.
_IGNORED = {"id"}


def iter_journal(conn: Connection, batch: int = 5000) -> Iterator[JournalEntry]:
    after = 0
    while True:
        rows = conn.execute(
            select(journal).where(journal.c.seq > after).order_by(journal.c.seq).limit(batch)
        ).all()
        if not rows:
            return
        for r in rows:
            yield JournalEntry(r.seq, r.recorded_at, r.actor, r.kind, parse_json(r.payload))
        after = rows[-1].seq


def replay(source: Engine, target: Engine) -> int:
    """Copy the journal of `source` into the empty, migrated `target` and project every entry."""
    count = 0
    with source.connect() as src, target.begin() as dst:
        for entry in iter_journal(src):
            dst.execute(
                insert(journal).values(
                    seq=entry.seq,
                    recorded_at=entry.recorded_at,
                    actor=entry.actor,
                    kind=entry.kind,
                    payload=entry.payload_json,
                )
            )
            project_entry(dst, entry)
            count = entry.seq
        dst.execute(update(journal_head).where(journal_head.c.id == 1).values(seq=count))
    return count


def snapshot(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every projection row, without surrogate ids, in a stable order, for comparison."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table in PROJECTIONS:
        cols = [c for c in table.columns if c.name not in _IGNORED]
        rows = conn.execute(select(*cols)).all()
        out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out
