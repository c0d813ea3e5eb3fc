"""Forgiving search: core names and pinyin initials on subject names, a bigram side index for
one- and two-character queries, legal representatives indexed, and (SQLite) the trigram index's
vocabulary, so a query with a typo can start from its rarest trigrams.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xinyong.codes.company import core_name, grams, initials

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subject_names") as batch:
        batch.add_column(sa.Column("core_key", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("initials", sa.Text, nullable=False, server_default=""))
    op.create_table(
        "core_grams",
        sa.Column("gram", sa.String(8), primary_key=True),
        sa.Column("core_key", sa.Text, primary_key=True),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name_key FROM subject_names")).all()
    if rows:
        updates = []
        seen: set[str] = set()
        gram_rows = []
        for r in rows:
            core = core_name(r.name_key)
            updates.append({"id": r.id, "core": core, "ini": initials(core)})
            if core not in seen:
                seen.add(core)
                gram_rows += [{"g": g, "c": core} for g in grams(core)]
        conn.execute(
            sa.text("UPDATE subject_names SET core_key = :core, initials = :ini WHERE id = :id"),
            updates,
        )
        if gram_rows:
            conn.execute(
                sa.text("INSERT INTO core_grams (gram, core_key) VALUES (:g, :c)"), gram_rows
            )
    op.create_index("ix_subject_names_core_key", "subject_names", ["core_key"])
    op.create_index("ix_subject_names_initials", "subject_names", ["initials"])
    op.create_index("ix_subjects_legal_representative", "subjects", ["legal_representative"])
    if conn.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE subject_names_fts_vocab USING fts5vocab(subject_names_fts, 'row')"
        )


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        op.execute("DROP TABLE subject_names_fts_vocab")
    op.drop_index("ix_subjects_legal_representative", "subjects")
    op.drop_index("ix_subject_names_initials", "subject_names")
    op.drop_index("ix_subject_names_core_key", "subject_names")
    op.drop_table("core_grams")
    with op.batch_alter_table("subject_names") as batch:
        batch.drop_column("initials")
        batch.drop_column("core_key")
