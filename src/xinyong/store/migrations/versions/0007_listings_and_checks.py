"""Listings get their natural key, basis, derivation and origin; point-of-decision checks are
logged; `recompute` materialises subject states.

The listings table had no rows before this revision (nothing wrote it), so it is recreated.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _versioned() -> list[sa.Column[int]]:
    return [
        sa.Column("recorded_seq", Seq, nullable=False),
        sa.Column("superseded_seq", Seq, nullable=True),
    ]


def upgrade() -> None:
    op.drop_index("ix_listings_subject_key_superseded_seq", "listings")
    op.drop_index("ix_listings_list_code_superseded_seq", "listings")
    op.drop_table("listings")
    op.create_table(
        "listings",
        sa.Column("id", Seq, primary_key=True, autoincrement=True),
        sa.Column("listing_id", Seq, nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("list_code", sa.String(96), nullable=False),
        sa.Column("decision_no", sa.Text, nullable=False),
        sa.Column("doc_key", sa.Text, nullable=False),
        sa.Column("subject_key", sa.String(80), nullable=False),
        sa.Column("party_name", sa.Text, nullable=False),
        sa.Column("authority", sa.Text, nullable=False),
        sa.Column("legal_basis", sa.Text, nullable=True),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("planned_end", sa.Date, nullable=True),
        sa.Column("actual_end", sa.Date, nullable=True),
        sa.Column("end_decision_no", sa.Text, nullable=True),
        sa.Column("end_doc_key", sa.Text, nullable=True),
        sa.Column("end_reason", sa.Text, nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("derived", sa.Text, nullable=True),
        sa.Column("notified_on", sa.Date, nullable=True),
        sa.Column("reminded_on", sa.Date, nullable=True),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("batch_id", sa.String(40), nullable=True),
        sa.Column("source_file", sa.Text, nullable=True),
        sa.Column("source_sheet", sa.Text, nullable=True),
        sa.Column("source_row", sa.Integer, nullable=True),
        *_versioned(),
    )
    op.create_index(
        "ix_listings_subject_key_superseded_seq", "listings", ["subject_key", "superseded_seq"]
    )
    op.create_index(
        "ix_listings_list_code_superseded_seq", "listings", ["list_code", "superseded_seq"]
    )
    op.create_index(
        "ix_listings_source_list_code_doc_key_superseded_seq",
        "listings",
        ["source", "list_code", "doc_key", "superseded_seq"],
    )
    op.create_table(
        "check_log",
        sa.Column("id", Seq, primary_key=True, autoincrement=True),
        sa.Column("checked_at", sa.String(32), nullable=False),
        sa.Column("asked_by", sa.String(200), nullable=False),
        sa.Column("subject_key", sa.String(80), nullable=False),
        sa.Column("measure_code", sa.String(96), nullable=False),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("applies", sa.Boolean, nullable=False),
        sa.Column("journal_seq", Seq, nullable=False),
    )
    op.create_index("ix_check_log_subject_key", "check_log", ["subject_key"])
    op.create_table(
        "api_keys",
        sa.Column("id", Seq, primary_key=True, autoincrement=True),
        sa.Column("key_id", sa.String(16), nullable=False, unique=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("agency", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("revoked_at", sa.String(32), nullable=True),
    )
    op.create_table(
        "subject_state",
        sa.Column("subject_key", sa.String(80), primary_key=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("lists", sa.Text, nullable=False),
        sa.Column("measures", sa.Text, nullable=False),
        sa.Column("suspended", sa.Text, nullable=False),
        sa.Column("flags", sa.Text, nullable=False),
        sa.Column("journal_seq", Seq, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("subject_state")
    op.drop_table("api_keys")
    op.drop_index("ix_check_log_subject_key", "check_log")
    op.drop_table("check_log")
    op.drop_index("ix_listings_source_list_code_doc_key_superseded_seq", "listings")
    op.drop_index("ix_listings_subject_key_superseded_seq", "listings")
    op.drop_index("ix_listings_list_code_superseded_seq", "listings")
    op.drop_table("listings")
    op.create_table(
        "listings",
        sa.Column("id", Seq, primary_key=True, autoincrement=True),
        sa.Column("listing_id", Seq, nullable=False),
        sa.Column("subject_key", sa.String(80), nullable=False),
        sa.Column("list_code", sa.String(96), nullable=False),
        sa.Column("decision_no", sa.Text, nullable=False),
        sa.Column("authority", sa.Text, nullable=False),
        sa.Column("legal_basis", sa.Text, nullable=True),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("planned_end", sa.Date, nullable=True),
        sa.Column("actual_end", sa.Date, nullable=True),
        sa.Column("end_reason", sa.Text, nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        *_versioned(),
    )
    op.create_index(
        "ix_listings_subject_key_superseded_seq", "listings", ["subject_key", "superseded_seq"]
    )
    op.create_index(
        "ix_listings_list_code_superseded_seq", "listings", ["list_code", "superseded_seq"]
    )
