"""Rate limits per client on public endpoints: 429 with Retry-After, set as requests/period."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from xinyong.web import create_app
from xinyong.web.ratelimit import parse_limit


def test_parse_limit_forms() -> None:
    assert parse_limit("120/minute") == (120, 60)
    assert parse_limit("10/second") == (10, 1)
    assert parse_limit("5000/hour") == (5000, 3600)
    assert parse_limit("600") == (600, 60)
    assert parse_limit("off") == (0, 60) == parse_limit(0)
    with pytest.raises(ValueError, match="write requests/period"):
        parse_limit("lots")


def test_over_the_limit_is_a_429_with_retry_after(
    seeded: Engine, db_url: str, tmp_path: Path
) -> None:
    app = create_app(db_url, key_file=str(tmp_path / "id.key"), rate_limit="3/minute")
    with TestClient(app) as client:
        answers = [client.get("/api/v1/subjects", params={"q": "公司"}) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        refused = answers[-1]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["content-type"].startswith("application/problem+json")
        page = client.get("/catalogue")  # pages answer the same limit with an HTML page
        assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")
        assert client.get("/healthz").status_code == 200  # health is never limited


def test_a_malformed_setting_stops_the_server(db_url: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="XINYONG_RATE_LIMIT"):
        create_app(db_url, key_file=str(tmp_path / "id.key"), rate_limit="fast")


def test_reconciliation_429_keeps_cors(seeded: Engine, db_url: str, tmp_path: Path) -> None:
    app = create_app(db_url, key_file=str(tmp_path / "id.key"), rate_limit="1/minute")
    with TestClient(app) as client:
        assert client.get("/api/v1/reconcile").status_code == 200
        refused = client.get("/api/v1/reconcile")
        assert refused.status_code == 429
        assert refused.headers["access-control-allow-origin"] == "*"
