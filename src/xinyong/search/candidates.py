"""Candidate name rows for a normalised name fragment: the provider seam between the two engines.

SQLite uses its FTS5 trigram index, PostgreSQL its pg_trgm GIN index; both answer substring
queries of three characters or more from the index. Shorter fragments (华为, 河北) have no trigram,
so they fall back to a capped LIKE scan (a bigram side index is the planned cure, see
docs/architecture.md). Candidates are capped and never ranked by the engine: DESIGN.md measured
bm25 over common fragments at p99 ≈ 1 s; we rank the few we keep ourselves. Exact matches are
always fetched first, by index, so a cap can never hide the name someone typed in full.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, text

from xinyong.store.schema import subject_names
from xinyong.store.versions import visible

MAX_CANDIDATES = 2000


_FTS = (
    "SELECT f.rowid FROM subject_names_fts AS f JOIN subject_names AS n ON n.id = f.rowid "
    "WHERE subject_names_fts MATCH :q AND "
)
_FTS_NOW = _FTS + "n.superseded_seq IS NULL LIMIT :n"
_FTS_AT = (
    _FTS + "n.recorded_seq <= :k AND (n.superseded_seq IS NULL OR n.superseded_seq > :k) LIMIT :n"
)


def _like_pattern(fragment: str) -> str:
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def name_row_ids(
    conn: Connection, fragment: str, known_at: int | None, limit: int = MAX_CANDIDATES
) -> tuple[list[int], bool]:
    """Ids of subject_names rows visible at `known_at` whose key contains `fragment`, exact
    matches first; and whether the cap cut the list short."""
    exact = [
        int(r[0])
        for r in conn.execute(
            select(subject_names.c.id)
            .where(subject_names.c.name_key == fragment, visible(subject_names, known_at))
            .limit(limit)
        )
    ]
    if conn.dialect.name == "sqlite" and len(fragment) >= 3:
        phrase = '"' + fragment.replace('"', '""') + '"'
        sql = _FTS_NOW if known_at is None else _FTS_AT
        rows = conn.execute(text(sql), {"q": phrase, "n": limit + 1, "k": known_at}).all()
    else:
        rows = conn.execute(
            select(subject_names.c.id)
            .where(
                subject_names.c.name_key.like(_like_pattern(fragment), escape="\\"),
                visible(subject_names, known_at),
            )
            .limit(limit + 1)
        ).all()
    found = [int(r[0]) for r in rows]
    capped = len(found) > limit
    ids = list(dict.fromkeys([*exact, *found[:limit]]))
    return ids, capped
