"""Core names and initials again, now that renamed divisions are region names.

python-stdnum's division list writes a renamed division as all its names with their years
("[-1980]旅大市,[1981-]大连市"); the region reader took that whole text as one name, so 大连市,
襄阳市 and several hundred others were never taken off a name's front, and their companies' core
names and pinyin initials kept the region (大连万达集团 instead of 万达集团): searches by the
short name or its initials missed them. Every stored name's core and initials are recomputed —
by migration 0018, once for both (`store.name_keys`).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27
"""

from __future__ import annotations

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The recompute now runs once, in 0018 (after this one's region reading was refined): a
    registry upgraded across both does not derive a million names' keys twice."""


def downgrade() -> None:
    """Nothing to undo: the keys are derived from the names, and the old ones were wrong."""
