"""The one write path (DESIGN.md invariant 1).

Every change to credit data goes through `apply_changes`: each change is validated (shape, then
preconditions against the projections as they stand after the changes before it), given the next
gapless journal sequence number, and projected, all in the caller's single transaction. If any
change is refused the exception unwinds that transaction, so journal and projections are left
exactly as they were.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, update

import xinyong.ledger.store as ledger_store
from xinyong.store.changes import ChangeRejected, Payload, parse_payload
from xinyong.store.db import writing
from xinyong.store.journal import JournalEntry, canonical_json, parse_json
from xinyong.store.projections import HANDLERS
from xinyong.store.projections.batching import bulk_insert_values
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
    # Its projection row too, made from the same validated model (for kinds whose handler takes
    # prepared rows): with both, the apply path neither validates the payload again nor builds
    # the row. Only code that validated exactly this payload with its model may set them.
    prepared: Any = None

    @classmethod
    def of(cls, payload: Payload, journal_json: str | None = None) -> Change:
        return cls(payload.kind, payload, journal_json)


def _typed(change: Change) -> Payload | None:
    """The validated payload; None for a prepared change (validated where it was prepared)."""
    if change.prepared is not None:
        handler = HANDLERS.get(change.kind)
        if handler is None or handler.check_prepared is None or handler.project_prepared is None:
            raise ValueError(f"{change.kind} changes cannot be applied prepared")
        if not change.journal_json:
            raise ValueError(f"a prepared {change.kind} change needs its journal JSON")
        return None
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


_JOURNAL_COLUMNS = ("seq", "recorded_at", "actor", "kind", "payload")


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
    for start, end in _runs(changes):
        _check_and_project(conn, first + start, changes[start:end], typed[start:end])
    journaled = [_journal_form(c, p) for p, c in zip(typed, changes, strict=True)]
    texts = [text for text, _ in journaled]
    rows = [
        (first + i, recorded_at, actor, c.kind, text)
        for i, (c, text) in enumerate(zip(changes, texts, strict=True))
    ]
    bulk_insert_values(conn, journal, _JOURNAL_COLUMNS, rows)
    # their leaves, in this same transaction (from the payloads at hand: no JSON parsed again)
    ledger_store.append_journal(conn, rows, [payload for _, payload in journaled])
    if not entries:
        return []
    return [
        JournalEntry(first + i, recorded_at, actor, c.kind, parse_json(text))
        for i, (c, text) in enumerate(zip(changes, texts, strict=True))
    ]


def _journal_form(change: Change, typed: Payload | None) -> tuple[str, Mapping[str, Any] | None]:
    """The journal text, and the payload it encodes when that is at hand (the ledger reads the
    subject from it): a prepared change's payload is the one its journal JSON was made from."""
    if change.journal_json:
        payload = change.payload if change.prepared is not None else None
        return change.journal_json, payload if isinstance(payload, dict) else None
    assert typed is not None  # a prepared change always has its journal JSON
    journal_payload = typed.journal_payload()
    return canonical_json(journal_payload), journal_payload


def _runs(changes: Sequence[Change]) -> Iterator[tuple[int, int]]:
    """Consecutive changes of one kind, prepared or not: their start and end offsets."""
    start = 0
    while start < len(changes):
        kind, prepared = changes[start].kind, changes[start].prepared is None
        end = start + 1
        while (
            end < len(changes)
            and changes[end].kind == kind
            and (changes[end].prepared is None) == prepared
        ):
            end += 1
        yield start, end
        start = end


def _check_and_project(
    conn: Connection, first_seq: int, changes: Sequence[Change], typed: Sequence[Payload | None]
) -> None:
    """Check then project each change in order, so later changes see earlier ones; a run of one
    kind goes through the handler's batch form when it has one (same result, fewer statements)."""
    handler = HANDLERS[changes[0].kind]
    if changes[0].prepared is not None:
        assert handler.check_prepared is not None
        assert handler.project_prepared is not None
        rows = [c.prepared for c in changes]
        for change, reasons in zip(changes, handler.check_prepared(conn, rows), strict=True):
            if reasons:
                raise ChangeRejected(change.kind, reasons)
        handler.project_prepared(conn, [(first_seq + i, row) for i, row in enumerate(rows)])
        return
    run = [p for p in typed if p is not None]
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
