"""Core names and initials again, now that renamed divisions are region names.

python-stdnum's division list writes a renamed division as all its names with their years
("[-1980]旅大市,[1981-]大连市"); the region reader took that whole text as one name, so 大连市,
襄阳市 and several hundred others were never taken off a name's front, and their companies' core
names and pinyin initials kept the region (大连万达集团 instead of 万达集团): searches by the
short name or its initials missed them. Every stored name's core and initials are recomputed;
only changed rows are written, and the bigram side index gains the new cores.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xinyong.codes.company import core_name, grams, initials

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BATCH = 20_000


def upgrade() -> None:
    conn = op.get_bind()
    after = 0
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT id, name_key, core_key, initials FROM subject_names "
                "WHERE id > :after ORDER BY id LIMIT :n"
            ),
            {"after": after, "n": BATCH},
        ).all()
        if not rows:
            return
        after = rows[-1].id
        updates = []
        cores: set[str] = set()
        for r in rows:
            core = core_name(r.name_key)
            letters = initials(core)
            if (core, letters) != (r.core_key, r.initials):
                updates.append({"id": r.id, "core": core, "ini": letters})
                cores.add(core)
        if updates:
            conn.execute(
                sa.text(
                    "UPDATE subject_names SET core_key = :core, initials = :ini WHERE id = :id"
                ),
                updates,
            )
            gram_rows = [{"g": g, "c": c} for c in sorted(cores) for g in grams(c)]
            conn.execute(
                sa.text(
                    "INSERT INTO core_grams (gram, core_key) VALUES (:g, :c) "
                    "ON CONFLICT (gram, core_key) DO NOTHING"
                ),
                gram_rows,
            )


def downgrade() -> None:
    """Nothing to undo: the keys are derived from the names, and the old ones were wrong."""
