"""Pinyin-initials candidates shortest first, from the index: (length(initials), initials).

A two-letter query starts the initials of tens of thousands of names at a million subjects; the
company whose trade name it is has about the shortest of them. With this index each length is
one range scan, so the shortest names come first without reading and sorting every match.
Name keys are derived again too: short forms of long-abolished place names (新汶, 下关) are no
longer taken for regions (they live on as trade names).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

from xinyong.store.name_keys import recompute_name_keys

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_subject_names_initials_length ON subject_names "
        "(length(initials), initials)"
    )
    recompute_name_keys(op.get_bind())


def downgrade() -> None:
    op.execute("DROP INDEX ix_subject_names_initials_length")
