"""Builders for engine tests: listing files in JSON Lines, as an authority's system sends them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from xinyong.catalogue import load_catalogue
from xinyong.codes import IdHasher
from xinyong.evaluate import Rules
from xinyong.ingest import IngestSummary, ingest_files
from xinyong.registry.measures import check, subject_evaluation
from xinyong.store import reads

CATALOGUE = load_catalogue()
RULES = Rules(CATALOGUE)


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


def ingest_listings(
    engine: Engine,
    hasher: IdHasher,
    path: Path,
    source: str = "court",
    today: dt.date | None = None,
) -> IngestSummary:
    return ingest_files(
        engine,
        [path],
        source=source,
        actor="test",
        hasher=hasher,
        kind="listing",
        catalogue=CATALOGUE,
        today=today or dt.date(2026, 11, 27),
    )


def check_on(
    engine: Engine, code: str, measure: str, on: str, known_at: int | None = None
) -> dict[str, Any]:
    with engine.connect() as conn:
        position = known_at if known_at is not None else reads.journal_seq(conn)
        found = reads.subject(conn, code, position)
        assert found is not None
        return check(conn, RULES, found, measure, dt.date.fromisoformat(on), position)


def lists_on(engine: Engine, code: str, on: str, known_at: int | None = None) -> list[str]:
    with engine.connect() as conn:
        ev = subject_evaluation(conn, RULES, code, dt.date.fromisoformat(on), known_at)
    return sorted(lst.list_code for lst, _ in ev.listings)


def seq(engine: Engine) -> int:
    with engine.connect() as conn:
        return reads.journal_seq(conn)
