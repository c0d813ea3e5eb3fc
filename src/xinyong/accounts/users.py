"""Accounts: made by an operator (`xinyong user add`), passwords hashed with argon2id, optional
bearer tokens for API clients. Accounts are not credit data, so they are not journaled; who made
or changed one is kept on the row and in the access log."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, insert, select, update

from xinyong.accounts.digest import secret_digest
from xinyong.accounts.roles import AGENCY_ROLES, USER_ROLES, Principal, Role
from xinyong.store.schema import access_log, user_tokens, users, web_sessions
from xinyong.timeutil import utc_stamp

_HASHER = PasswordHasher()
# A hash to verify against when the name is unknown, so a wrong name costs as long as a wrong
# password and timing does not tell which accounts exist.
_DUMMY = _HASHER.hash("not a password of anyone")
MIN_PASSWORD = 10


class AccountError(ValueError):
    """A refused account operation, with the reason in words."""


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: Role
    agency: str | None
    subject_key: str | None
    email: str | None
    disabled: bool


def _user(row: Any) -> User:
    return User(
        int(row.id), row.name, row.role, row.agency, row.subject_key, row.email, bool(row.disabled)
    )


def find_user(conn: Connection, name: str) -> User | None:
    row = conn.execute(select(users).where(users.c.name == name)).first()
    return None if row is None else _user(row)


def user_by_id(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return None if row is None else _user(row)


def _check_binding(role: str, agency: str | None, subject_key: str | None) -> None:
    if role not in USER_ROLES:
        raise AccountError(f"unknown role {role!r}; roles: {', '.join(USER_ROLES)}")
    if role in AGENCY_ROLES and not agency:
        raise AccountError(f"an account with the role {role} acts for an agency: give --agency")
    if role == "subject" and not subject_key:
        raise AccountError("a subject account is bound to its code: give --subject")
    if role != "subject" and subject_key:
        raise AccountError("only a subject account is bound to a subject")


def _log(conn: Connection, actor: str, action: str, detail: str) -> None:
    conn.execute(
        insert(access_log).values(
            at=utc_stamp(),
            actor=actor,
            action=action,
            purpose="account administration",
            detail=detail,
        )
    )


def add_user(
    conn: Connection,
    name: str,
    role: str,
    *,
    created_by: str,
    agency: str | None = None,
    subject_key: str | None = None,
    email: str | None = None,
    password: str | None = None,
) -> User:
    name = name.strip()
    if not name or len(name) > 120:
        raise AccountError("a user name is 1 to 120 characters")
    _check_binding(role, agency, subject_key)
    if find_user(conn, name) is not None:
        raise AccountError(f"user {name!r} already exists")
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    conn.execute(
        insert(users).values(
            name=name,
            role=role,
            agency=agency,
            subject_key=subject_key,
            email=email,
            password_hash=_HASHER.hash(password) if password else None,
            disabled=False,
            created_at=utc_stamp(),
            created_by=created_by,
        )
    )
    _log(conn, created_by, "user.add", f"{name} as {role}")
    found = find_user(conn, name)
    assert found is not None
    return found


def set_role(
    conn: Connection,
    name: str,
    role: str,
    *,
    by: str,
    agency: str | None = None,
    subject_key: str | None = None,
) -> User:
    user = find_user(conn, name)
    if user is None:
        raise AccountError(f"no user {name!r}")
    new_agency = (agency if agency is not None else user.agency) if role in AGENCY_ROLES else None
    new_subject = (subject_key or user.subject_key) if role == "subject" else None
    _check_binding(role, new_agency, new_subject)
    conn.execute(
        update(users)
        .where(users.c.id == user.id)
        .values(role=role, agency=new_agency, subject_key=new_subject)
    )
    _log(conn, by, "user.role", f"{name}: {user.role} -> {role}")
    found = find_user(conn, name)
    assert found is not None
    return found


def disable_user(conn: Connection, name: str, *, by: str) -> User:
    user = find_user(conn, name)
    if user is None:
        raise AccountError(f"no user {name!r}")
    conn.execute(update(users).where(users.c.id == user.id).values(disabled=True))
    conn.execute(
        update(user_tokens)
        .where(user_tokens.c.user_id == user.id, user_tokens.c.revoked_at.is_(None))
        .values(revoked_at=utc_stamp())
    )
    _log(conn, by, "user.disable", name)
    return User(user.id, user.name, user.role, user.agency, user.subject_key, user.email, True)


def set_password(conn: Connection, name: str, password: str, *, by: str) -> None:
    user = find_user(conn, name)
    if user is None:
        raise AccountError(f"no user {name!r}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    conn.execute(
        update(users).where(users.c.id == user.id).values(password_hash=_HASHER.hash(password))
    )
    conn.execute(
        update(web_sessions)
        .where(web_sessions.c.user_id == user.id, web_sessions.c.revoked_at.is_(None))
        .values(revoked_at=utc_stamp())
    )
    _log(conn, by, "user.password", name)


def authenticate(conn: Connection, name: str, password: str) -> User | None:
    """The user if the password is theirs and the account is enabled."""
    row = conn.execute(select(users).where(users.c.name == name)).first()
    stored = row.password_hash if row is not None and row.password_hash else _DUMMY
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.password_hash or row.disabled:
        return None
    if _HASHER.check_needs_rehash(stored):
        conn.execute(
            update(users).where(users.c.id == row.id).values(password_hash=_HASHER.hash(password))
        )
    return _user(row)


def principal_of(user: User, via: str) -> Principal:
    return Principal(
        role=user.role,
        name=user.name,
        agency=user.agency,
        subject_key=user.subject_key,
        user_id=user.id,
        via=via,  # type: ignore[arg-type]
        email=user.email,
    )


TOKEN_PREFIX = "xyu"  # noqa: S105 (a public prefix, not a secret)


def issue_token(conn: Connection, user: User) -> str:
    """A bearer token for the user's API client: shown once, stored hashed."""
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    conn.execute(
        insert(user_tokens).values(
            token_id=token_id,
            token_hash=secret_digest(secret),
            user_id=user.id,
            created_at=utc_stamp(),
        )
    )
    return f"{TOKEN_PREFIX}_{token_id}_{secret}"


def principal_for_token(conn: Connection, presented: str) -> Principal | None:
    parts = presented.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    row = conn.execute(
        select(user_tokens.c.token_hash, users)
        .join(users, users.c.id == user_tokens.c.user_id)
        .where(user_tokens.c.token_id == parts[1], user_tokens.c.revoked_at.is_(None))
    ).first()
    if (
        row is None
        or row.disabled
        or not hmac.compare_digest(row.token_hash, secret_digest(parts[2]))
    ):
        return None
    return principal_of(_user(row), "token")
