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
from tests.support.people import add_people, app_on

from xinyong.store import apply

ACME = make_uscc("MA5CJQ4N")


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
    tokens = add_people(
        engine,
        [
            ("alice", "officer", "samr", None, None),
            ("bob", "reviewer", "samr", None, None),
            ("acme", "subject", None, ACME, "legal@acme.example"),
            ("dave", "auditor", None, None, None),
        ],
    )
    app, today = app_on(db_url, tmp_path, dt.date(2026, 2, 10))
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
