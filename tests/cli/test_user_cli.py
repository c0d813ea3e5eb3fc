"""`xinyong user add|role|disable|password` as an operator runs them: the shapes the issue
names, the token working on the API, refusals with their reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.factories import agency, make_uscc, subject
from typer.testing import CliRunner

from xinyong.accounts import authenticate
from xinyong.cli import app
from xinyong.store import apply
from xinyong.web import create_app

runner = CliRunner()
ACME = make_uscc("MA5CJQ4N")


@pytest.fixture(autouse=True)
def _key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_ID_KEY_FILE", str(tmp_path / "id.key"))


def _run(*args: str, password: str | None = None) -> tuple[int, str]:
    env = {"XINYONG_PASSWORD": password} if password else {}
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


def test_add_with_a_token_prints_user_and_token_and_the_token_works(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    apply(engine, [agency("samr"), subject(ACME, "杭州某某科技有限公司")], actor="test")
    code, out = _run("user", "add", "alice", "--role", "officer", "--agency", "samr",
                     "--token", "--db", db_url)  # fmt: skip
    assert code == 0, out
    answer = json.loads(out)
    assert (answer["user"], answer["role"]) == ("alice", "officer")
    code, out = _run("user", "add", "acme", "--role", "subject", "--subject", ACME,
                     "--token", "--db", db_url)  # fmt: skip
    subject_token = json.loads(out)["token"]
    app_ = create_app(db_url, key_file=str(tmp_path / "id.key"), rate_limit=0)
    with TestClient(app_) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {answer['token']}"})
        assert me.json() == {"name": "alice", "role": "officer", "agency": "samr", "subject": None,
                             "via": "token"}  # fmt: skip
        acme = client.get("/api/v1/me", headers={"Authorization": f"Bearer {subject_token}"}).json()
        assert (acme["role"], acme["subject"]) == ("subject", ACME)

        code, out = _run("user", "role", "alice", "--role", "reviewer", "--json", "--db", db_url)
        assert code == 0 and json.loads(out)["role"] == "reviewer"
        code, out = _run("user", "disable", "alice", "--db", db_url)
        assert code == 0, out
        refused = client.get("/api/v1/me", headers={"Authorization": f"Bearer {answer['token']}"})
        assert refused.status_code == 401


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--role", "officer"], "the role officer acts for an agency: give --agency"),
        (["--role", "subject"], "a subject account is bound to its code: give --subject"),
        (["--role", "emperor"], "unknown role 'emperor'"),
    ],
)
def test_refused_accounts_say_why(db_url: str, args: list[str], reason: str) -> None:
    code, out = _run("user", "add", "bob", *args, "--db", db_url)
    assert code == 2
    assert reason in " ".join(out.split())


def test_a_password_is_set_and_reset(db_url: str, engine: Engine) -> None:
    first, second = "first long password", "second long password"
    code, out = _run("user", "add", "carol", "--role", "auditor", "--password", "--db", db_url,
                     password=first)  # fmt: skip
    assert code == 0, out
    code, out = _run("user", "password", "carol", "--db", db_url, password=second)
    assert code == 0, out
    with engine.connect() as conn:
        assert authenticate(conn, "carol", first) is None
        assert authenticate(conn, "carol", second) is not None
    code, out = _run("user", "password", "carol", "--db", db_url, password="short")
    assert code == 2 and "at least 10 characters" in out
