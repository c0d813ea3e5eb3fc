"""The log binds who acted: `ledger_entries.actor_salt`, the salt of the envelope's new
`actor_digest` (SHA-256 of the salt and the journal's actor). Entries already in the log keep
their envelopes (a leaf never changes); only entries appended from now on carry the digest. (A
registry upgraded from before the log, 0013 or older, gets the column from 0014, and its whole
journal is backfilled with the digest.)

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A registry upgraded from before the log got the column from 0014 (its backfill writes it).
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("ledger_entries")}
    if "actor_salt" not in columns:
        op.add_column("ledger_entries", sa.Column("actor_salt", sa.LargeBinary, nullable=True))


def downgrade() -> None:
    # Dropping the salts would leave every envelope's actor_digest unverifiable for good.
    raise NotImplementedError("the log's actor salts are never dropped; restore from a backup")
