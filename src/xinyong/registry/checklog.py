"""Feedback from point-of-decision checks: who asked about whom, and what was answered.

Checks sit on agencies' approval paths, so a check must never wait on a registry write (an
ingest may hold the write lock for a chunk). Answers are buffered in memory and written in
batches by the server's background flush (and at shutdown); at most one flush interval of
feedback is lost if the process dies — the answers themselves were already given.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from sqlalchemy import Engine, insert

from xinyong.store.db import writing
from xinyong.store.schema import check_log


@dataclass(frozen=True, slots=True)
class Feedback:
    checked_at: str
    asked_by: str
    subject_key: str
    measure_code: str
    on_date: dt.date
    applies: bool
    journal_seq: int


class CheckLog:
    def __init__(self, engine: Engine, max_pending: int = 10_000) -> None:
        self.engine = engine
        self.max_pending = max_pending
        self._pending: list[Feedback] = []
        self._lock = threading.Lock()

    def add(self, feedback: Feedback) -> None:
        with self._lock:
            self._pending.append(feedback)
            full = len(self._pending) >= self.max_pending
        if full:
            self.flush()

    def flush(self) -> int:
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        try:
            with writing(self.engine) as conn:
                conn.execute(insert(check_log), [vars_of(f) for f in batch])
        except Exception:
            with self._lock:  # keep them for the next flush rather than lose them
                self._pending[:0] = batch
            raise
        return len(batch)


def vars_of(f: Feedback) -> dict[str, object]:
    return {
        "checked_at": f.checked_at,
        "asked_by": f.asked_by,
        "subject_key": f.subject_key,
        "measure_code": f.measure_code,
        "on_date": f.on_date,
        "applies": f.applies,
        "journal_seq": f.journal_seq,
    }
