"""API keys for agency systems: made once, shown once, stored hashed, scoped, revocable.

A key reads `xy_<key id>_<secret>`: the key id is public (it names the key in logs and in the
journal's actor, `apikey:<agency>:<key id>`), the secret is 32 random bytes.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from xinyong.accounts.digest import secret_digest
from xinyong.store.journal import canonical_json, parse_json
from xinyong.store.schema import api_keys
from xinyong.timeutil import utc_stamp

SCOPES = ("listings:write", "records:write")


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    agency: str
    name: str
    scopes: tuple[str, ...]

    @property
    def actor(self) -> str:
        return f"apikey:{self.agency}:{self.key_id}"


def create_key(
    conn: Connection, agency: str, name: str, scopes: list[str], created_by: str
) -> tuple[str, ApiKey]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValueError(
            f"unknown scope {', '.join(unknown) or '(none given)'}; known: {', '.join(SCOPES)}"
        )
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    conn.execute(
        insert(api_keys).values(
            key_id=key_id,
            key_hash=secret_digest(secret),
            agency=agency,
            name=name,
            scopes=canonical_json(sorted(set(scopes))),
            created_at=utc_stamp(),
            created_by=created_by,
        )
    )
    return f"xy_{key_id}_{secret}", ApiKey(key_id, agency, name, tuple(sorted(set(scopes))))


def verify(conn: Connection, presented: str) -> ApiKey | None:
    """The key a request presented, if it is one the registry issued and has not revoked."""
    parts = presented.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "xy":
        return None
    row = conn.execute(
        select(api_keys).where(api_keys.c.key_id == parts[1], api_keys.c.revoked_at.is_(None))
    ).first()
    if row is None or not hmac.compare_digest(row.key_hash, secret_digest(parts[2])):
        return None
    return ApiKey(row.key_id, row.agency, row.name, tuple(parse_json(row.scopes)))


def revoke(conn: Connection, key_id: str) -> bool:
    done = conn.execute(
        update(api_keys)
        .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=utc_stamp())
    )
    return bool(done.rowcount)
