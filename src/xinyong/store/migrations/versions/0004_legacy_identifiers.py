"""Legacy identifiers: subjects findable by their old organisation code, officer-accepted legacy
USCCs, and a log of every unmasked access to personal data.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("subjects") as batch:
        batch.add_column(sa.Column("org_code", sa.String(9), nullable=True))
    op.execute(
        "UPDATE subjects SET org_code = substr(subject_key, 9, 9) "
        "WHERE kind = 'organisation' AND length(subject_key) = 18"
    )
    op.create_index(
        "ix_subjects_org_code_superseded_seq", "subjects", ["org_code", "superseded_seq"]
    )
    op.create_table(
        "legacy_codes",
        sa.Column("id", Seq, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("recorded_seq", Seq, nullable=False),
        sa.Column("superseded_seq", Seq, nullable=True),
    )
    op.create_index(
        "ix_legacy_codes_code_superseded_seq", "legacy_codes", ["code", "superseded_seq"]
    )
    op.create_table(
        "access_log",
        sa.Column("id", Seq, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("access_log")
    op.drop_index("ix_legacy_codes_code_superseded_seq", "legacy_codes")
    op.drop_table("legacy_codes")
    op.drop_index("ix_subjects_org_code_superseded_seq", "subjects")
    with op.batch_alter_table("subjects") as batch:
        batch.drop_column("org_code")
