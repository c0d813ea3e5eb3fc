"""PostgreSQL: a trigram index on core names, so typo candidates are found by the name without
its region and company form (whole names share 上海市 and 有限公司 with half the registry).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_subject_names_core_key_trgm ON subject_names "
            "USING gin (core_key gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_subject_names_core_key_trgm")
