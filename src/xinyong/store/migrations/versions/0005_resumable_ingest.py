"""Resumable ingest: a batch remembers what it read (content key) and how far each file got.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_batches") as batch:
        batch.add_column(sa.Column("content_key", sa.String(64), nullable=True))
    op.create_index(
        "ix_ingest_batches_content_key_status", "ingest_batches", ["content_key", "status"]
    )
    op.create_table(
        "ingest_progress",
        sa.Column("batch_id", sa.String(40), primary_key=True),
        sa.Column("part", sa.String(200), primary_key=True),
        sa.Column("last_row", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ingest_progress")
    op.drop_index("ix_ingest_batches_content_key_status", "ingest_batches")
    with op.batch_alter_table("ingest_batches") as batch:
        batch.drop_column("content_key")
