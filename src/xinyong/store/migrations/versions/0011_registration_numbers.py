"""Subjects keep their legacy registration number (工商注册号), so searches by it find them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subjects") as batch:
        batch.add_column(sa.Column("registration_no", sa.String(16), nullable=True))
    op.create_index("ix_subjects_registration_no", "subjects", ["registration_no"])


def downgrade() -> None:
    op.drop_index("ix_subjects_registration_no", "subjects")
    with op.batch_alter_table("subjects") as batch:
        batch.drop_column("registration_no")
