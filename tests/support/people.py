"""A registry's people for tests: accounts of each role, and an app whose date the test moves.

The portal, due-process browser and workflow tests all start from the same few accounts (an
officer and a reviewer of one agency, a subject's own account, an auditor, …) served by an app
on a movable date; this is that start, written once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import Engine

from xinyong.accounts import add_user, issue_token
from xinyong.codes import IdHasher, load_or_create_key
from xinyong.store.db import writing
from xinyong.web import create_app

# name, role, agency, subject key (None or the subject the account speaks for), e-mail
Person = tuple[str, str, str | None, str | None, str | None]


class Day:
    """The app's clock: `day` is what `today()` answers, set by the test as it moves on."""

    def __init__(self, day: dt.date) -> None:
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


def add_people(
    engine: Engine, people: Iterable[Person], passwords: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Create the accounts; returns each one's bearer token."""
    tokens: dict[str, str] = {}
    with writing(engine) as conn:
        for name, role, agency, subject_key, email in people:
            user = add_user(
                conn,
                name,
                role,
                created_by="test",
                agency=agency,
                subject_key=subject_key,
                email=email,
                password=(passwords or {}).get(name),
            )
            tokens[name] = issue_token(conn, user)
    return tokens


def app_on(db_url: str, folder: Path, today: dt.date) -> tuple[FastAPI, Day]:
    """The web app over `db_url` (its ID key in `folder`, rate limits off), dated `today`."""
    key_file = folder / "id.key"
    IdHasher(load_or_create_key(key_file))
    app = create_app(db_url, key_file=str(key_file), rate_limit=0)
    day = Day(today)
    app.state.xinyong.today = day
    return app, day
