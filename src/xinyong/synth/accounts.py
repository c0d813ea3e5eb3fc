"""Accounts for the demo registry, so that `make run` shows every role's pages at once.

Passwords are random, made on the machine and written next to the generated data (mode 0600),
never kept in the repository."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import Connection, func, select

from xinyong.accounts import add_user, find_user
from xinyong.store.schema import records, subjects


def create_demo_accounts(conn: Connection, folder: Path) -> list[tuple[str, str, str]]:
    """(name, role, password) of the accounts made; none when they exist already."""
    if find_user(conn, "demo-officer") is not None:
        return []
    busiest = conn.execute(
        select(records.c.source)
        .where(records.c.kind == "penalty", records.c.superseded_seq.is_(None))
        .group_by(records.c.source)
        .order_by(func.count().desc())
        .limit(1)
    ).scalar()
    subject_key = conn.execute(
        select(subjects.c.subject_key)
        .join(records, records.c.subject_key == subjects.c.subject_key)
        .where(
            subjects.c.kind == "organisation",
            subjects.c.superseded_seq.is_(None),
            records.c.superseded_seq.is_(None),
            records.c.kind == "penalty",
        )
        .order_by(records.c.record_id)
        .limit(1)
    ).scalar()
    agency = busiest or "samr"
    made: list[tuple[str, str, str]] = []
    for name, role, agency_code, key in (
        ("demo-officer", "officer", agency, None),
        ("demo-reviewer", "reviewer", agency, None),
        ("demo-authority", "authority", agency, None),
        ("demo-subject", "subject", None, subject_key),
        ("demo-auditor", "auditor", None, None),
        ("demo-admin", "admin", None, None),
    ):
        if role == "subject" and key is None:
            continue
        password = secrets.token_urlsafe(9)
        add_user(
            conn,
            name,
            role,
            created_by="demo",
            agency=agency_code,
            subject_key=key,
            password=password,
        )
        made.append((name, role, password))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "demo-accounts.txt"
    text = "".join(f"{n}\t{r}\t{p}\n" for n, r, p in made)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    return made
