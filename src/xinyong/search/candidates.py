"""Candidate name rows for a normalised name fragment: the provider seam between the two engines.

SQLite uses its FTS5 trigram index, PostgreSQL its pg_trgm GIN index; both answer substring
queries of three characters or more from the index. Shorter fragments (华为, 河北) have no trigram,
so they fall back to a capped LIKE scan. Candidates are capped and never ranked by the engine:
DESIGN.md measured bm25 over common fragments at p99 ≈ 1 s; we rank the few we keep ourselves.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, text

from xinyong.store.schema import subject_names

MAX_CANDIDATES = 2000


def _like_pattern(fragment: str) -> str:
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def name_row_ids(conn: Connection, fragment: str, limit: int = MAX_CANDIDATES) -> list[int]:
    """Ids of subject_names rows (any version) whose name_key contains `fragment`."""
    if conn.dialect.name == "sqlite" and len(fragment) >= 3:
        phrase = '"' + fragment.replace('"', '""') + '"'
        rows = conn.execute(
            text("SELECT rowid FROM subject_names_fts WHERE subject_names_fts MATCH :q LIMIT :n"),
            {"q": phrase, "n": limit},
        ).all()
        return [int(r[0]) for r in rows]
    query = (
        select(subject_names.c.id)
        .where(subject_names.c.name_key.like(_like_pattern(fragment), escape="\\"))
        .limit(limit)
    )
    return [int(r[0]) for r in conn.execute(query).all()]
