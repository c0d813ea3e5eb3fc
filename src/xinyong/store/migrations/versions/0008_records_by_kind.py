"""Records by kind and subject: derivation finds its candidates without scanning every record.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_records_kind_subject_key", "records", ["kind", "subject_key"])


def downgrade() -> None:
    op.drop_index("ix_records_kind_subject_key", "records")
