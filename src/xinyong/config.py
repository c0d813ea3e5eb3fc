"""Where the database and the identifier key live.

Both come from the environment or flags, never from the repository: the HMAC key for resident IDs
must sit outside the database (DESIGN.md invariant 7) so that a stolen database file does not let
anyone test guesses of ID numbers against it.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB_URL = "sqlite:///xinyong.db"
DEFAULT_KEY_FILE = "xinyong.key"


def db_url(explicit: str | None = None) -> str:
    """`--db` wins, then `XINYONG_DB`, then the embedded SQLite file in the working directory."""
    return explicit or os.environ.get("XINYONG_DB") or DEFAULT_DB_URL


def id_key_path(explicit: str | None = None) -> Path:
    """The resident-ID HMAC key file: `XINYONG_ID_KEY_FILE`, else `xinyong.key` here."""
    return Path(explicit or os.environ.get("XINYONG_ID_KEY_FILE") or DEFAULT_KEY_FILE)
