"""PostgreSQL: a GiST trigram index on name keys, so the last-resort typo search ("nearest names
by trigram distance") walks the index nearest-first and stops at its limit, instead of the GIN
index handing back every name that shares 有限公司 (1.4 s for an unregistered name at 1M).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_subject_names_name_key_trgm_gist ON subject_names "
            "USING gist (name_key gist_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_subject_names_name_key_trgm_gist")
