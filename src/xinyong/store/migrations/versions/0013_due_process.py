"""Due process: officers' entries wait for review, objections, credit repair, notices, user
accounts and web sessions; records gain a status (public, repaired, revoked).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(
            sa.Column("status", sa.String(16), nullable=False, server_default="public")
        )
        batch.add_column(sa.Column("ended_on", sa.Date, nullable=True))
    op.create_table(
        "entries",
        sa.Column("id", Seq, primary_key=True, autoincrement=False),
        sa.Column("record_id", Seq, nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("doc_no", sa.Text(), nullable=False),
        sa.Column("doc_key", sa.Text(), nullable=False),
        sa.Column("subject_key", sa.String(length=80), nullable=True),
        sa.Column("party_name", sa.Text(), nullable=False),
        sa.Column("correction", sa.Boolean(), nullable=False),
        sa.Column("draft", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("submitted_seq", Seq, nullable=False),
        sa.Column("submitted_at", sa.String(length=32), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_seq", Seq, nullable=True),
        sa.Column("decided_at", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_entries_agency_status", "entries", ["agency", "status"])
    op.create_index("ix_entries_record_id", "entries", ["record_id"])
    op.create_table(
        "objections",
        sa.Column("id", Seq, primary_key=True, autoincrement=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("target_id", Seq, nullable=False),
        sa.Column("subject_key", sa.String(length=80), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.String(length=200), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("due_warning", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("escalated_on", sa.Date(), nullable=True),
        sa.Column("outcome_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_seq", Seq, nullable=True),
    )
    op.create_index("ix_objections_agency_status", "objections", ["agency", "status"])
    op.create_index("ix_objections_subject_key", "objections", ["subject_key"])
    op.create_index(
        "ix_objections_target_target_id_status", "objections", ["target", "target_id", "status"]
    )
    op.create_table(
        "repairs",
        sa.Column("id", Seq, primary_key=True, autoincrement=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("target_id", Seq, nullable=False),
        sa.Column("subject_key", sa.String(length=80), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("commitment", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.String(length=200), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("due_warning", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("escalated_on", sa.Date(), nullable=True),
        sa.Column("outcome_reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_seq", Seq, nullable=True),
    )
    op.create_index("ix_repairs_agency_status", "repairs", ["agency", "status"])
    op.create_index("ix_repairs_subject_key", "repairs", ["subject_key"])
    op.create_index(
        "ix_repairs_target_target_id_status", "repairs", ["target", "target_id", "status"]
    )
    op.create_table(
        "notices",
        sa.Column("id", Seq, primary_key=True, autoincrement=False),
        sa.Column("subject_key", sa.String(length=80), nullable=False),
        sa.Column("topic", sa.String(length=48), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=True),
        sa.Column("sent_at", sa.String(length=32), nullable=False),
    )
    op.create_index("ix_notices_subject_key", "notices", ["subject_key"])
    op.create_table(
        "evidence_files",
        sa.Column("sha256", sa.String(length=64), primary_key=True),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.String(length=32), nullable=False),
    )
    op.create_table(
        "notice_mail",
        sa.Column("notice_id", Seq, primary_key=True, autoincrement=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.String(length=32), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_table(
        "users",
        sa.Column("id", Seq, primary_key=True),
        sa.Column("name", sa.String(length=120), nullable=False, unique=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=True),
        sa.Column("subject_key", sa.String(length=80), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
    )
    op.create_table(
        "user_tokens",
        sa.Column("id", Seq, primary_key=True),
        sa.Column("token_id", sa.String(length=16), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", Seq, nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("revoked_at", sa.String(length=32), nullable=True),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), primary_key=True),
        sa.Column("user_id", Seq, nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.Column("revoked_at", sa.String(length=32), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("web_sessions")
    op.drop_table("user_tokens")
    op.drop_table("users")
    op.drop_table("notice_mail")
    op.drop_table("evidence_files")
    op.drop_table("notices")
    op.drop_table("repairs")
    op.drop_table("objections")
    op.drop_table("entries")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("ended_on")
        batch.drop_column("status")
