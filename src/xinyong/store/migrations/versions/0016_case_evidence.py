"""Which case cites which evidence file (`case_evidence`), filled from the cases already filed,
so that a download is an index lookup.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    table = op.create_table(
        "case_evidence",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("case_id", Seq, primary_key=True, autoincrement=False),
        sa.Column("name", sa.Text, nullable=False),
    )
    bind = op.get_bind()
    rows = []
    for name in ("objections", "repairs"):
        case = sa.table(name, sa.column("id"), sa.column("evidence"))
        for case_id, evidence in bind.execute(sa.select(case.c.id, case.c.evidence)):
            named = {e["sha256"]: e["name"] for e in json.loads(evidence)}
            rows += [{"sha256": s, "case_id": case_id, "name": n} for s, n in named.items()]
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_table("case_evidence")
