"""Small settings kept in the database itself, and the check that the ID key belongs to it.

The resident-ID HMAC key lives outside the database, so nothing stops someone from starting the
registry with the wrong key file (another working directory, a lost backup). Every person would
then silently become unfindable and re-appear under a second key. The database therefore keeps a
fingerprint of its key and refuses any other.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from sqlalchemy import Connection, Engine, insert, select

from xinyong.codes import IdHasher, load_or_create_key
from xinyong.store.db import writing
from xinyong.store.schema import registry_meta

KEY_FINGERPRINT = "id_key_fingerprint"


class KeyMismatch(RuntimeError):
    """The ID key file is not the one this database's resident-ID hashes were made with."""


def get(conn: Connection, key: str) -> str | None:
    value = conn.execute(select(registry_meta.c.value).where(registry_meta.c.key == key)).scalar()
    return None if value is None else str(value)


def put(conn: Connection, key: str, value: str) -> None:
    conn.execute(registry_meta.delete().where(registry_meta.c.key == key))
    conn.execute(insert(registry_meta).values(key=key, value=value))


def fingerprint(key: bytes) -> str:
    """A one-way fingerprint of the key: safe to store beside the hashes it made."""
    return hmac.new(key, b"xinyong id key fingerprint v1", hashlib.sha256).hexdigest()[:32]


def key_fingerprint(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return get(conn, KEY_FINGERPRINT)


def bind_key(engine: Engine, key: bytes, key_path: str) -> None:
    """Record the key's fingerprint on first use; refuse a different key afterwards."""
    expected = fingerprint(key)
    with writing(engine) as conn:
        stored = get(conn, KEY_FINGERPRINT)
        if stored is None:
            put(conn, KEY_FINGERPRINT, expected)
        elif stored != expected:
            raise KeyMismatch(
                f"the ID key in {key_path} is not the key this database was built with; "
                "point XINYONG_ID_KEY_FILE at the right key file"
            )


def open_hasher(engine: Engine, key_path: Path) -> IdHasher:
    """The resident-ID hasher for this database: the key file is created only for a database
    that has never had one, and must match the database's fingerprint otherwise."""
    if not key_path.exists() and key_fingerprint(engine) is not None:
        raise KeyMismatch(
            f"no ID key at {key_path}, but this database was built with one; "
            "point XINYONG_ID_KEY_FILE at it (a new key would orphan every person)"
        )
    key = load_or_create_key(key_path)
    bind_key(engine, key, str(key_path))
    return IdHasher(key)
