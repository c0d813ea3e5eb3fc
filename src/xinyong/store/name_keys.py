"""Stored name keys derived again from the names, after the code that derives them changed.

`subject_names.core_key` and `.initials` and the bigram side index are functions of each name
(`codes.company`); when those functions improve, a migration calls this so that stored keys and
the keys of new queries agree. Only changed rows are written; bigrams of new cores are added
(stale ones only cost a candidate look-up, never a wrong answer).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Connection

from xinyong.codes.company import core_name, grams, initials

BATCH = 20_000


def recompute_name_keys(conn: Connection) -> int:
    """Returns how many names got new keys."""
    after = 0
    changed = 0
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT id, name_key, core_key, initials FROM subject_names "
                "WHERE id > :after ORDER BY id LIMIT :n"
            ),
            {"after": after, "n": BATCH},
        ).all()
        if not rows:
            return changed
        after = rows[-1].id
        updates = []
        cores: set[str] = set()
        for r in rows:
            core = core_name(r.name_key)
            letters = initials(core)
            if (core, letters) != (r.core_key, r.initials):
                updates.append({"id": r.id, "core": core, "ini": letters})
                cores.add(core)
        if not updates:
            continue
        changed += len(updates)
        conn.execute(
            sa.text("UPDATE subject_names SET core_key = :core, initials = :ini WHERE id = :id"),
            updates,
        )
        conn.execute(
            sa.text(
                "INSERT INTO core_grams (gram, core_key) VALUES (:g, :c) "
                "ON CONFLICT (gram, core_key) DO NOTHING"
            ),
            [{"g": g, "c": c} for c in sorted(cores) for g in grams(c)],
        )
