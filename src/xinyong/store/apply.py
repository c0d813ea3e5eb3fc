"""The one write path (DESIGN.md invariant 1).

Every change to credit data goes through `apply_changes`: each change is validated (shape, then
preconditions against the projections as they stand after the changes before it), given the next
gapless journal sequence number, and projected, all in the caller's single transaction. If any
change is refused the exception unwinds that transaction, so journal and projections are left
exactly as they were.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, update

from xinyong.store.changes import ChangeRejected, Payload, parse_payload
from xinyong.store.db import writing
from xinyong.store.journal import JournalEntry, canonical_json, parse_json
from xinyong.store.projections import HANDLERS
from xinyong.store.projections.batching import bulk_insert
from xinyong.store.schema import journal, journal_head
from xinyong.timeutil import utc_stamp


@dataclass(frozen=True, slots=True)
class Change:
    """A request to change credit data: a kind from `changes.PAYLOAD_TYPES` and its payload."""

    kind: str
    payload: dict[str, Any] | Payload
    # The payload's canonical journal JSON, when whoever validated it already made it (an
    # ingest worker): it must equal `canonical_json(payload.journal_payload())`.
    journal_json: str | None = None

    @classmethod
    def of(cls, payload: Payload, journal_json: str | None = None) -> Change:
        return cls(payload.kind, payload, journal_json)


def _typed(change: Change) -> Payload:
    if isinstance(change.payload, Payload):
        if change.payload.kind != change.kind:
            raise ChangeRejected(change.kind, [f"payload is a {change.payload.kind} change"])
        return change.payload
    return parse_payload(change.kind, change.payload)


def allocate_seqs(conn: Connection, count: int) -> int:
    """Reserve `count` sequence numbers; returns the first. Rolls back with the transaction."""
    result = conn.execute(
        update(journal_head)
        .where(journal_head.c.id == 1)
        .values(seq=journal_head.c.seq + count)
        .returning(journal_head.c.seq)
    )
    last = int(result.scalar_one())
    return last - count + 1


def apply_changes(
    conn: Connection,
    changes: Sequence[Change],
    *,
    actor: str,
    at: str | None = None,
    entries: bool = True,
) -> list[JournalEntry]:
    """Apply changes inside the caller's transaction; raise ChangeRejected on the first refusal.
    Returns the journal entries written (none when `entries` is false: bulk ingest does not
    need them back, and decoding a million payloads again is not free)."""
    if not actor.strip():
        raise ValueError("every change needs an accountable actor")
    if not changes:
        return []
    typed = [_typed(c) for c in changes]  # shape errors first: no sequence number is spent
    recorded_at = at or utc_stamp()
    first = allocate_seqs(conn, len(typed))
    for start, run in _runs(typed):
        _check_and_project(conn, first + start, run)
    texts = [
        c.journal_json or canonical_json(p.journal_payload())
        for p, c in zip(typed, changes, strict=True)
    ]
    rows = [
        {
            "seq": first + i,
            "recorded_at": recorded_at,
            "actor": actor,
            "kind": p.kind,
            "payload": text,
        }
        for i, (p, text) in enumerate(zip(typed, texts, strict=True))
    ]
    bulk_insert(conn, journal, rows)
    if not entries:
        return []
    return [
        JournalEntry(first + i, recorded_at, actor, p.kind, parse_json(text))
        for i, (p, text) in enumerate(zip(typed, texts, strict=True))
    ]


def _runs(typed: list[Payload]) -> Iterator[tuple[int, list[Payload]]]:
    """Consecutive changes of one kind, with the offset of the first."""
    start = 0
    while start < len(typed):
        end = start
        while end < len(typed) and typed[end].kind == typed[start].kind:
            end += 1
        yield start, typed[start:end]
        start = end


def _check_and_project(conn: Connection, first_seq: int, run: list[Payload]) -> None:
    """Check then project each change in order, so later changes see earlier ones; a run of one
    kind goes through the handler's batch form when it has one (same result, fewer statements)."""
    handler = HANDLERS[run[0].kind]
    if handler.check_many is not None and handler.project_many is not None and len(run) > 1:
        for payload, reasons in zip(run, handler.check_many(conn, run), strict=True):
            if reasons:
                raise ChangeRejected(payload.kind, reasons)
        handler.project_many(conn, [(first_seq + i, p) for i, p in enumerate(run)])
        return
    for i, payload in enumerate(run):
        reasons = handler.check(conn, payload)
        if reasons:
            raise ChangeRejected(payload.kind, reasons)
        handler.project(conn, first_seq + i, payload)


def apply(engine: Engine, changes: Iterable[Change], *, actor: str) -> list[JournalEntry]:
    """Apply changes in a transaction of their own: all of them, or none."""
    batch = list(changes)
    with writing(engine) as conn:
        return apply_changes(conn, batch, actor=actor)


def project_entry(conn: Connection, entry: JournalEntry) -> None:
    """Replay one stored entry onto projections (no checks: the journal is the truth)."""
    payload = parse_payload(entry.kind, entry.payload)
    HANDLERS[entry.kind].project(conn, entry.seq, payload)
