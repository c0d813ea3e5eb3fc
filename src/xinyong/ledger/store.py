"""The log in the database: envelopes and tree nodes appended beside the journal, and read back.

``append_journal`` is called by the one write path (``store.apply.apply_changes``) with the journal
rows it has just inserted, inside the same transaction: a change that rolls back takes its leaf
with it, and a leaf is never written without its entry. A batch of n entries costs four
statements whatever n is: one head update, one read of at most log2(size) stored nodes, and two
bulk inserts (n envelopes, about 2n nodes).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update

from xinyong.ledger.envelope import (
    SALT_BYTES,
    acting_agency,
    actor_digest,
    envelope_bytes,
    payload_digest,
    subject_reference,
)
from xinyong.ledger.merkle import NodeKey, leaf_hash, nodes_to_store_batch
from xinyong.store.journal import parse_json
from xinyong.store.projections.batching import bulk_insert_values, chunked
from xinyong.store.schema import journal, ledger_entries, ledger_head, ledger_nodes, users

__all__ = ["JournalRow", "LedgerOutOfStep", "SqlTree", "append_journal", "tree_size"]

JournalRow = tuple[int, str, str, str, str]
"""``(seq, recorded_at, actor, kind, payload text)``: a journal row as the apply path inserts it."""

_ENTRY_COLUMNS = ("seq", "salt", "envelope", "actor_salt")
_NODE_COLUMNS = ("level", "idx", "hash")


class LedgerOutOfStep(RuntimeError):
    """The log's size is not the journal's: something wrote one without the other."""


class SqlTree:
    """Stored complete subtrees, read through one connection (a ``merkle.BatchNodeReader``).

    ``size`` is the tree head the reader answers for: proofs for larger sizes are refused before
    anything is read.
    """

    __slots__ = ("_conn", "size")

    def __init__(self, conn: Connection, size: int) -> None:
        self._conn = conn
        self.size = size

    def subtree(self, level: int, index: int) -> bytes:
        found = self.subtrees([(level, index)])
        return found[(level, index)]  # KeyError: not stored

    def subtrees(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        # An OR of primary-key equalities: SQLite answers a row-value IN list with a scan of the
        # whole table, but this with one index search per key (PostgreSQL: a bitmap OR).
        out: dict[NodeKey, bytes] = {}
        for part in chunked(list(keys), 200):
            rows = self._conn.execute(
                select(ledger_nodes.c.level, ledger_nodes.c.idx, ledger_nodes.c.hash).where(
                    or_(
                        *(
                            and_(ledger_nodes.c.level == level, ledger_nodes.c.idx == index)
                            for level, index in part
                        )
                    )
                )
            )
            for level, index, value in rows:
                out[(int(level), int(index))] = bytes(value)
        return out


def tree_size(conn: Connection) -> int:
    return int(conn.execute(select(ledger_head.c.size).where(ledger_head.c.id == 1)).scalar_one())


def _user_agencies(conn: Connection, actors: Iterable[str]) -> dict[str, tuple[str | None, str]]:
    names = sorted({a[5:] for a in actors if a.startswith("user:")})
    if not names:
        return {}
    rows = conn.execute(
        select(users.c.name, users.c.agency, users.c.role).where(users.c.name.in_(names))
    )
    return {str(r.name): (r.agency, str(r.role)) for r in rows}


def build_entries(
    rows: Sequence[JournalRow],
    users_by_name: Mapping[str, tuple[str | None, str]],
    payloads: Sequence[Mapping[str, Any] | None] | None = None,
) -> list[tuple[int, bytes, bytes, bytes]]:
    """``(seq, salt, leaf bytes, actor salt)`` for journal rows; ``payloads`` are the parsed
    payloads where the caller has them (else, or where one is None, the payload text is parsed
    for its subject)."""
    salts = os.urandom(2 * SALT_BYTES * len(rows))
    agencies: dict[str, str] = {}
    out: list[tuple[int, bytes, bytes, bytes]] = []
    for position, (seq, recorded_at, actor, kind, text) in enumerate(rows):
        start = 2 * SALT_BYTES * position
        salt = salts[start : start + SALT_BYTES]
        actor_salt = salts[start + SALT_BYTES : start + 2 * SALT_BYTES]
        agency = agencies.get(actor)
        if agency is None:
            agency = agencies[actor] = acting_agency(actor, users_by_name)
        payload = payloads[position] if payloads is not None else None
        if payload is None:
            payload = parse_json(text)
        leaf = envelope_bytes(
            seq,
            recorded_at,
            kind,
            agency,
            subject_reference(payload),
            payload_digest(salt, text),
            actor_digest(actor_salt, actor),
        )
        out.append((seq, salt, leaf, actor_salt))
    return out


def append_journal(
    conn: Connection,
    rows: Sequence[JournalRow],
    payloads: Sequence[Mapping[str, Any] | None] | None = None,
) -> None:
    """Append the envelopes of journal rows just inserted (consecutive sequence numbers from the
    log's current size + 1), their leaves and every tree node they complete, and move the head."""
    if not rows:
        return
    first = rows[0][0]
    count = len(rows)
    if rows[-1][0] != first + count - 1:
        raise ValueError("journal rows must be consecutive and in order")
    new_size = int(
        conn.execute(
            update(ledger_head)
            .where(ledger_head.c.id == 1)
            .values(size=ledger_head.c.size + count)
            .returning(ledger_head.c.size)
        ).scalar_one()
    )
    if new_size - count != first - 1:
        raise LedgerOutOfStep(
            f"the log has {new_size - count} leaves but the journal appends entry {first}: "
            "the log and the journal are out of step (run `xinyong audit`)"
        )
    entries = build_entries(rows, _user_agencies(conn, {r[2] for r in rows}), payloads)
    hashes = [leaf_hash(leaf) for _, _, leaf, _ in entries]
    nodes = nodes_to_store_batch(first - 1, hashes, SqlTree(conn, first - 1))
    bulk_insert_values(
        conn,
        ledger_entries,
        _ENTRY_COLUMNS,
        [(seq, salt, leaf.decode("utf-8"), actor_salt) for seq, salt, leaf, actor_salt in entries],
    )
    bulk_insert_values(conn, ledger_nodes, _NODE_COLUMNS, nodes)


def backfill(conn: Connection, batch: int = 5000) -> int:
    """Give every journal entry without an envelope one, in order, ``batch`` entries per
    statement group (migration 0014 runs this over existing registries). Returns the count."""
    done = 0
    while True:
        after = tree_size(conn)
        rows = conn.execute(
            select(
                journal.c.seq,
                journal.c.recorded_at,
                journal.c.actor,
                journal.c.kind,
                journal.c.payload,
            )
            .where(journal.c.seq > after)
            .order_by(journal.c.seq)
            .limit(batch)
        ).all()
        if not rows:
            return done
        append_journal(
            conn, [(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in rows]
        )
        done += len(rows)
