"""A subject's file: who it is, its names, and its records in force on a date, as known then."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from xinyong.registry.lookup import ResolvedCode
from xinyong.store import reads
from xinyong.store.reads import RecordView, SubjectView


class BeyondJournal(ValueError):
    """`known_at` names a journal position the registry has not reached: no stable answer yet."""


@dataclass(frozen=True, slots=True)
class SubjectFile:
    subject: SubjectView
    records: list[RecordView]
    as_of: dt.date
    known_at: int  # the journal position this answer reflects


def pin_position(conn: Connection, known_at: int | None) -> int:
    """The journal position to answer at: `known_at`, or the head now.

    Every read of one answer then uses this one position, so a subject and its records can never
    come from two different states even when writers commit between the statements.
    """
    head = reads.journal_seq(conn)
    if known_at is None:
        return head
    if known_at > head:
        raise BeyondJournal(f"known_at {known_at} is beyond the journal's newest entry {head}")
    return known_at


def read_subject_file(
    conn: Connection,
    candidates: str | Sequence[ResolvedCode],
    as_of: dt.date,
    known_at: int | None = None,
) -> SubjectFile | None:
    position = pin_position(conn, known_at)
    keys = [candidates] if isinstance(candidates, str) else [c.subject_key for c in candidates]
    for key in keys:
        subject = reads.subject(conn, key, position)
        if subject is not None:
            return SubjectFile(
                subject, reads.subject_records(conn, key, as_of, position), as_of, position
            )
    return None
