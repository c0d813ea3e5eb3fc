"""The schema comes from migrations, and the migrations match the code's table definitions."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from xinyong.store import upgrade
from xinyong.store.migrate import current_revision, head_revision
from xinyong.store.schema import metadata


def test_migrated_schema_matches_metadata(engine: Engine) -> None:
    with engine.connect() as conn, warnings.catch_warnings():
        # Reflection cannot read the expression index; it is checked by the search tests.
        warnings.filterwarnings("ignore", message=".*expression-based index ix_subject_names_ini")
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    # FTS5 shadow tables, the trigram index and the initials-by-length expression index are
    # created by hand in their migrations on purpose.
    meaningful = [
        d
        for d in diff
        if "fts" not in repr(d) and "trgm" not in repr(d) and "initials_length" not in repr(d)
    ]
    assert meaningful == []


def test_init_is_idempotent(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    assert upgrade(engine) == (head_revision(), head_revision())
