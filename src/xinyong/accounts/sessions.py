"""Web sessions and CSRF tokens.

The session cookie carries a random session id signed with a key derived from the registry's ID
key (never stored in the repository or the database); the row in `web_sessions` decides whether it
is still valid, so logout and expiry are enforced by the server, not by the browser. Forms carry a
CSRF token bound to the session (or, for anonymous forms, to a random cookie): a form posted from
another site cannot know it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets

from itsdangerous import BadSignature, Signer
from sqlalchemy import Connection, insert, select, update

from xinyong.accounts.digest import secret_digest
from xinyong.accounts.roles import Principal
from xinyong.accounts.users import principal_of, user_by_id
from xinyong.store.schema import web_sessions
from xinyong.timeutil import utc_stamp

SESSION_COOKIE = "xy_session"
ANON_COOKIE = "xy_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def session_hours() -> float:
    return float(os.environ.get("XINYONG_SESSION_HOURS", "8"))


class SessionKeys:
    """The signing key for cookies and the CSRF key, both derived from one secret."""

    def __init__(self, secret: bytes) -> None:
        self._signer = Signer(secret, salt="xinyong-session")
        self._csrf = hashlib.sha256(b"xinyong csrf v1" + secret).digest()

    def sign(self, value: str) -> str:
        return self._signer.sign(value).decode("ascii")

    def unsign(self, cookie: str) -> str | None:
        try:
            return self._signer.unsign(cookie).decode("ascii")
        except BadSignature:
            return None

    def csrf_token(self, binding: str) -> str:
        return hmac.new(self._csrf, binding.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, binding: str, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(self.csrf_token(binding), presented or "")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _stored(session_id: str) -> str:
    return secret_digest(session_id)


def start_session(conn: Connection, user_id: int, hours: float | None = None) -> str:
    """A new session id for a user who just proved who they are."""
    session_id = secrets.token_urlsafe(32)
    expires = _now() + dt.timedelta(hours=session_hours() if hours is None else hours)
    conn.execute(
        insert(web_sessions).values(
            id=_stored(session_id),
            user_id=user_id,
            created_at=utc_stamp(),
            expires_at=_stamp(expires),
        )
    )
    return session_id


def session_principal(conn: Connection, session_id: str) -> Principal | None:
    """The principal of a live session: not expired, not ended, the account not disabled."""
    row = conn.execute(select(web_sessions).where(web_sessions.c.id == _stored(session_id))).first()
    if row is None or row.revoked_at is not None or row.expires_at <= _stamp(_now()):
        return None
    user = user_by_id(conn, int(row.user_id))
    if user is None or user.disabled:
        return None
    return principal_of(user, "session")


def end_session(conn: Connection, session_id: str) -> None:
    conn.execute(
        update(web_sessions)
        .where(web_sessions.c.id == _stored(session_id), web_sessions.c.revoked_at.is_(None))
        .values(revoked_at=utc_stamp())
    )
