"""Initial schema: journal (append-only, enforced by the database), projections, quarantine.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _versioned() -> list[sa.Column[int]]:
    return [
        sa.Column("recorded_seq", Seq, nullable=False),
        sa.Column("superseded_seq", Seq, nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "journal",
        sa.Column("seq", Seq, primary_key=True, autoincrement=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_table(
        "journal_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", Seq, nullable=False),
    )
    op.execute("INSERT INTO journal_head (id, seq) VALUES (1, 0)")
    op.create_table(
        "agencies",
        sa.Column("id", Seq, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        *_versioned(),
    )
    op.create_index("ix_agencies_code_superseded_seq", "agencies", ["code", "superseded_seq"])
    op.create_table(
        "subjects",
        sa.Column("id", Seq, primary_key=True, autoincrement=True),
        sa.Column("subject_key", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("legal_representative", sa.Text, nullable=True),
        sa.Column("region_code", sa.String(6), nullable=True),
        sa.Column("industry", sa.Text, nullable=True),
        sa.Column("entity_type", sa.Text, nullable=True),
        sa.Column("registered_on", sa.Date, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("registered_capital_wan", sa.String(32), nullable=True),
        sa.Column("provisional", sa.Boolean, nullable=False, server_default=sa.text("false")),
        *_versioned(),
    )
    op.create_index(
        "ix_subjects_subject_key_superseded_seq", "subjects", ["subject_key", "superseded_seq"]
    )
    op.create_index("ix_subjects_code_superseded_seq", "subjects", ["code", "superseded_seq"])
    op.create_table(
        "subject_names",
        sa.Column("id", Seq, primary_key=True, autoincrement=True),
        sa.Column("subject_key", sa.String(80), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("name_key", sa.Text, nullable=False),
        sa.Column("name_type", sa.String(16), nullable=False),
        *_versioned(),
    )
    op.create_index(
        "ix_subject_names_subject_key_superseded_seq",
        "subject_names",
        ["subject_key", "superseded_seq"],
    )
    op.create_index("ix_subject_names_name_key", "subject_names", ["name_key"])
    op.create_table(
        "records",
        sa.Column("id", Seq, primary_key=True, autoincrement=True),
        sa.Column("record_id", Seq, nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("doc_no", sa.Text, nullable=False),
        sa.Column("subject_key", sa.String(80), nullable=False),
        sa.Column("party_name", sa.Text, nullable=False),
        sa.Column("decision_date", sa.Date, nullable=False),
        sa.Column("in_force_from", sa.Date, nullable=False),
        sa.Column("in_force_to", sa.Date, nullable=True),
        sa.Column("severity", sa.String(16), nullable=True),
        sa.Column("authority", sa.Text, nullable=True),
        sa.Column("legal_basis", sa.Text, nullable=True),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("batch_id", sa.String(40), nullable=True),
        sa.Column("source_file", sa.Text, nullable=True),
        sa.Column("source_sheet", sa.Text, nullable=True),
        sa.Column("source_row", sa.Integer, nullable=True),
        *_versioned(),
    )
    op.create_index(
        "ix_records_source_kind_doc_no_superseded_seq",
        "records",
        ["source", "kind", "doc_no", "superseded_seq"],
    )
    op.create_index(
        "ix_records_subject_key_superseded_seq", "records", ["subject_key", "superseded_seq"]
    )
    op.create_index("ix_records_record_id", "records", ["record_id"])
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
    op.create_table(
        "ingest_batches",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.String(32), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("files", sa.Text, nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
    )
    op.create_table(
        "quarantine",
        sa.Column("id", Seq, primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.String(40), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=True),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("sheet", sa.Text, nullable=True),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("resolved_record_id", Seq, nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_quarantine_status_id", "quarantine", ["status", "id"])
    op.create_index("ix_quarantine_batch_id", "quarantine", ["batch_id"])

    if op.get_bind().dialect.name == "sqlite":
        _sqlite_extras()
    else:
        _postgresql_extras()


def _sqlite_extras() -> None:
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER journal_refuse_{action.lower()} BEFORE {action} ON journal "
            f"BEGIN SELECT RAISE(ABORT, 'journal is append-only: {action} refused'); END"
        )
    # External-content trigram index over name keys; kept in sync by triggers, as Datasette does.
    op.execute(
        "CREATE VIRTUAL TABLE subject_names_fts USING fts5("
        "name_key, content='subject_names', content_rowid='id', tokenize='trigram')"
    )
    op.execute(
        "CREATE TRIGGER subject_names_fts_insert AFTER INSERT ON subject_names BEGIN "
        "INSERT INTO subject_names_fts(rowid, name_key) VALUES (new.id, new.name_key); END"
    )
    op.execute(
        "CREATE TRIGGER subject_names_fts_delete AFTER DELETE ON subject_names BEGIN "
        "INSERT INTO subject_names_fts(subject_names_fts, rowid, name_key) "
        "VALUES ('delete', old.id, old.name_key); END"
    )
    op.execute(
        "CREATE TRIGGER subject_names_fts_update AFTER UPDATE OF name_key ON subject_names BEGIN "
        "INSERT INTO subject_names_fts(subject_names_fts, rowid, name_key) "
        "VALUES ('delete', old.id, old.name_key); "
        "INSERT INTO subject_names_fts(rowid, name_key) VALUES (new.id, new.name_key); END"
    )


def _postgresql_extras() -> None:
    op.execute(
        "CREATE FUNCTION journal_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'journal is append-only: % refused', TG_OP; END $$"
    )
    op.execute(
        "CREATE TRIGGER journal_refuse_change BEFORE UPDATE OR DELETE ON journal "
        "FOR EACH ROW EXECUTE FUNCTION journal_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER journal_refuse_truncate BEFORE TRUNCATE ON journal "
        "FOR EACH STATEMENT EXECUTE FUNCTION journal_refuse_change()"
    )
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE INDEX ix_subject_names_name_key_trgm ON subject_names "
        "USING gin (name_key gin_trgm_ops)"
    )


def downgrade() -> None:
    raise NotImplementedError("the journal is never dropped; restore from a backup instead")
