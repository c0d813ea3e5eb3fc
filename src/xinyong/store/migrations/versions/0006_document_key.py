"""Records are keyed by their document number's matching form: 〔2024〕, [2024] and full-width
digits are one decision, so one decision sent in two styles is one record.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xinyong.codes import document_key

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("doc_key", sa.Text, nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, doc_no FROM records")).all()
    if rows:
        conn.execute(
            sa.text("UPDATE records SET doc_key = :key WHERE id = :id"),
            [{"key": document_key(r.doc_no), "id": r.id} for r in rows],
        )
    op.drop_index("ix_records_source_kind_doc_no_superseded_seq", "records")
    op.create_index(
        "ix_records_source_kind_doc_key_superseded_seq",
        "records",
        ["source", "kind", "doc_key", "superseded_seq"],
    )


def downgrade() -> None:
    op.drop_index("ix_records_source_kind_doc_key_superseded_seq", "records")
    op.create_index(
        "ix_records_source_kind_doc_no_superseded_seq",
        "records",
        ["source", "kind", "doc_no", "superseded_seq"],
    )
    with op.batch_alter_table("records") as batch:
        batch.drop_column("doc_key")
