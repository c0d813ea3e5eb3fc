"""The transparency log: envelopes, Merkle tree nodes, the tree head and signed checkpoints, all
append-only in the database itself; existing journal entries get their envelopes and leaves.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# Rows of these tables are only ever inserted. ledger_head is one row whose size only grows.
APPEND_ONLY = ("ledger_entries", "ledger_nodes", "ledger_checkpoints")


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("seq", Seq, primary_key=True, autoincrement=False),
        sa.Column("salt", sa.LargeBinary(), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        # Added in 0019; created here too because the backfill below runs today's log code,
        # which writes it (0019 adds it only where this migration ran before it existed).
        sa.Column("actor_salt", sa.LargeBinary(), nullable=True),
    )
    op.create_table(
        "ledger_nodes",
        sa.Column("level", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("idx", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
    )
    op.execute("INSERT INTO ledger_head (id, size) VALUES (1, 0)")
    op.create_table(
        "ledger_checkpoints",
        sa.Column("id", Seq, primary_key=True, autoincrement=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.String(length=32), nullable=False),
    )
    op.create_index("ix_ledger_checkpoints_size", "ledger_checkpoints", ["size"])
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_triggers()
    else:
        _postgresql_triggers()
    # Existing entries get envelopes and leaves now, in batches, in this migration's transaction:
    # a registry is never left with a journal the log does not cover.
    from xinyong.ledger.store import backfill

    backfill(op.get_bind())


def _sqlite_triggers() -> None:
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_refuse_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
            )
    op.execute(
        "CREATE TRIGGER ledger_head_refuse_shrink BEFORE UPDATE ON ledger_head "
        "WHEN NEW.size < OLD.size OR NEW.id != OLD.id "
        "BEGIN SELECT RAISE(ABORT, 'ledger_head only grows: UPDATE refused'); END"
    )
    op.execute(
        "CREATE TRIGGER ledger_head_refuse_delete BEFORE DELETE ON ledger_head "
        "BEGIN SELECT RAISE(ABORT, 'ledger_head only grows: DELETE refused'); END"
    )


def _postgresql_triggers() -> None:
    op.execute(
        "CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP; END $$"
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_refuse_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_refuse_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()"
        )
    op.execute(
        "CREATE FUNCTION ledger_head_refuse_shrink() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF TG_OP = 'DELETE' OR NEW.size < OLD.size OR NEW.id <> OLD.id THEN "
        "RAISE EXCEPTION 'ledger_head only grows: % refused', TG_OP; END IF; RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER ledger_head_refuse_shrink BEFORE UPDATE OR DELETE ON ledger_head "
        "FOR EACH ROW EXECUTE FUNCTION ledger_head_refuse_shrink()"
    )
    op.execute(
        "CREATE TRIGGER ledger_head_refuse_truncate BEFORE TRUNCATE ON ledger_head "
        "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()"
    )


def downgrade() -> None:
    raise NotImplementedError("the transparency log is never dropped; restore from a backup")
