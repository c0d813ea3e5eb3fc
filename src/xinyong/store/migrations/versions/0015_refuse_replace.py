"""SQLite: the append-only tables refuse `INSERT OR REPLACE` too.

SQLite's REPLACE deletes the conflicting row without firing DELETE triggers, so a row of the
journal or the log could be rewritten without dropping a trigger. A BEFORE INSERT trigger that
refuses a key already present closes that door (PostgreSQL's `ON CONFLICT DO UPDATE` is an
UPDATE, which its triggers already refuse). The heads are written once, at migration, and only
updated after that.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# table: the condition under which an INSERT would replace an existing row
GUARDED = {
    "journal": "EXISTS (SELECT 1 FROM journal WHERE seq = NEW.seq)",
    "ledger_entries": "EXISTS (SELECT 1 FROM ledger_entries WHERE seq = NEW.seq)",
    "ledger_nodes": (
        "EXISTS (SELECT 1 FROM ledger_nodes WHERE level = NEW.level AND idx = NEW.idx)"
    ),
    "ledger_head": "EXISTS (SELECT 1 FROM ledger_head)",
    "journal_head": "EXISTS (SELECT 1 FROM journal_head)",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, condition in GUARDED.items():
        op.execute(
            f"CREATE TRIGGER {table}_refuse_replace BEFORE INSERT ON {table} WHEN {condition} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: a row with this key exists'); "
            "END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in GUARDED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_refuse_replace")
