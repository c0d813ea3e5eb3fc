"""A registry with an agency, a subject and one account per role, served in-process with a
movable date: the world every due-process test starts from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.factories import agency, make_uscc, subject

from xinyong.accounts import add_user, issue_token
from xinyong.codes import IdHasher, load_or_create_key
from xinyong.store import apply
from xinyong.store.db import writing
from xinyong.web import create_app

ACME = make_uscc("MA5CJQ4N")


class Day:
    def __init__(self, day: dt.date) -> None:
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


@pytest.fixture
def world(engine: Engine, db_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    apply(
        engine,
        [
            agency("samr", "杭州市市场监督管理局"),
            agency("mohrss", "杭州市人力资源和社会保障局"),
            subject(ACME, "杭州某某科技有限公司", region_code="330106"),
        ],
        actor="test",
    )
    tokens: dict[str, str] = {}
    with writing(engine) as conn:
        for name, role, agency_code, subject_key, email in (
            ("alice", "officer", "samr", None, None),
            ("bob", "reviewer", "samr", None, None),
            ("acme", "subject", None, ACME, "legal@acme.example"),
            ("dave", "auditor", None, None, None),
        ):
            user = add_user(
                conn,
                name,
                role,
                created_by="test",
                agency=agency_code,
                subject_key=subject_key,
                email=email,
            )
            tokens[name] = issue_token(conn, user)
    key_file = tmp_path / "id.key"
    IdHasher(load_or_create_key(key_file))
    app = create_app(db_url, key_file=str(key_file), rate_limit=0)
    today = Day(dt.date(2026, 2, 10))
    app.state.xinyong.today = today
    with TestClient(app) as client:
        yield {
            "client": client,
            "tokens": tokens,
            "today": today,
            "engine": engine,
            "tmp": tmp_path,
        }


def _as(world: dict[str, Any], name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world['tokens'][name]}"}


def as_user(world: dict[str, Any], name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world['tokens'][name]}"}
