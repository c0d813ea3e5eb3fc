"""Quarantine entries get a fingerprint (a rerun never files the same row twice) and a closing;
records say which catalogue rule set their severity.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Which catalogue rule set a record's severity: the explanation chain needs it.
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("severity_rule", sa.Text, nullable=True))
    with op.batch_alter_table("quarantine") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(64), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.String(32), nullable=True))
        batch.add_column(sa.Column("closed_reason", sa.Text, nullable=True))
    op.create_index("ix_quarantine_fingerprint_status", "quarantine", ["fingerprint", "status"])


def downgrade() -> None:
    op.drop_index("ix_quarantine_fingerprint_status", "quarantine")
    with op.batch_alter_table("quarantine") as batch:
        batch.drop_column("closed_reason")
        batch.drop_column("closed_at")
        batch.drop_column("fingerprint")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("severity_rule")
