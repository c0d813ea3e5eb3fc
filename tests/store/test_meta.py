"""The database knows its ID key: a different or missing key file is refused, never replaced."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from xinyong.store.meta import KeyMismatch, open_hasher


def test_wrong_or_missing_key_file_is_refused(engine: Engine, tmp_path: Path) -> None:
    first = tmp_path / "a" / "id.key"
    hasher = open_hasher(engine, first)
    assert open_hasher(engine, first).digest("11010519491231002X") == hasher.digest(
        "11010519491231002X"
    )
    other = tmp_path / "b" / "other.key"
    other.parent.mkdir()
    other.write_text("ab" * 32, encoding="ascii")
    with pytest.raises(KeyMismatch, match="not the key this database was built with"):
        open_hasher(engine, other)
    missing = tmp_path / "c" / "id.key"
    with pytest.raises(KeyMismatch, match="no ID key at"):
        open_hasher(engine, missing)
    assert not missing.exists()  # refused, not silently created
