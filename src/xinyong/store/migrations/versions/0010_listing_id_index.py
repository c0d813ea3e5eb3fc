"""Listings by listing id: derivation's notices and reminders found their listing by a scan
(7.6 ms each at 52,000 listings; half of a first derive run at 1M subjects).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_listings_listing_id", "listings", ["listing_id"])


def downgrade() -> None:
    op.drop_index("ix_listings_listing_id", "listings")
