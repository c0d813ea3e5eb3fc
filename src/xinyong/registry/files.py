"""A subject's file: who it is, its names, and its records in force on a date, as known then."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection

from xinyong.store import reads
from xinyong.store.reads import RecordView, SubjectView


@dataclass(frozen=True, slots=True)
class SubjectFile:
    subject: SubjectView
    records: list[RecordView]
    as_of: dt.date
    known_at: int  # the journal position this answer reflects


def read_subject_file(
    conn: Connection, subject_key: str, as_of: dt.date, known_at: int | None = None
) -> SubjectFile | None:
    position = reads.journal_seq(conn) if known_at is None else known_at
    subject = reads.subject(conn, subject_key, known_at)
    if subject is None:
        return None
    return SubjectFile(
        subject, reads.subject_records(conn, subject_key, as_of, known_at), as_of, position
    )
