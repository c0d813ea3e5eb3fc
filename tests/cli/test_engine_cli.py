"""`xinyong check` and `xinyong recompute` as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.engine.helpers import write_jsonl
from tests.factories import make_uscc
from typer.testing import CliRunner

from xinyong.cli import app
from xinyong.store import make_engine
from xinyong.store.schema import check_log

runner = CliRunner()
CODE = make_uscc("MA5CJQ4N")


@pytest.fixture(autouse=True)
def _key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_ID_KEY_FILE", str(tmp_path / "id.key"))


def test_check_and_recompute_after_a_listing_file(db_url: str, tmp_path: Path) -> None:
    listing = write_jsonl(
        tmp_path / "court.jsonl",
        [
            {
                "subject": CODE,
                "subject_name": "杭州锦泰网络科技有限公司",
                "list": "court.dishonest_judgment_debtors",
                "decision": "(2025)浙0106执1号",
                "authority": "杭州市西湖区人民法院",
                "start": "2025-03-10",
            }
        ],
    )
    ingested = runner.invoke(
        app,
        [
            "ingest",
            str(listing),
            "--source",
            "court",
            "--kind",
            "listing",
            "--db",
            db_url,
            "--json",
        ],
    )
    assert ingested.exit_code == 0, ingested.output
    assert json.loads(ingested.stdout)["accepted"] == 1

    result = runner.invoke(
        app, ["check", CODE, "procurement.bar", "--on", "2025-04-01", "--db", db_url, "--json"]
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["applies"] is True and answer["on"] == "2025-04-01"
    human = runner.invoke(
        app, ["check", CODE, "consumption.flights", "--on", "2025-03-09", "--db", db_url]
    )
    assert human.exit_code == 0 and "does not apply" in human.output
    unknown = runner.invoke(app, ["check", CODE, "no.such", "--db", db_url])
    assert unknown.exit_code == 2 and "not a measure of the catalogue" in unknown.output
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert len(conn.execute(select(check_log)).all()) == 2
    engine.dispose()

    recomputed = runner.invoke(
        app, ["recompute", "--as-of", "2025-04-01", "--db", db_url, "--json"]
    )
    assert recomputed.exit_code == 0, recomputed.output
    summary = json.loads(recomputed.stdout)
    assert summary["subjects_listed"] == 1
    assert summary["by_list"] == {"court.dishonest_judgment_debtors": 1}
    assert summary["derived"]["proposed"] == 0


def test_apikey_add_list_revoke(db_url: str) -> None:
    assert runner.invoke(app, ["init", "--db", db_url]).exit_code == 0
    made = runner.invoke(
        app,
        [
            "apikey",
            "add",
            "--agency",
            "court",
            "--scope",
            "listings:write",
            "--db",
            db_url,
            "--json",
        ],
    )
    assert made.exit_code == 0, made.output
    key = json.loads(made.stdout)
    assert key["key"].startswith(f"xy_{key['key_id']}_") and key["scopes"] == ["listings:write"]
    listed = json.loads(runner.invoke(app, ["apikey", "list", "--db", db_url, "--json"]).stdout)
    assert [k["key_id"] for k in listed] == [key["key_id"]]
    assert key["key"] not in json.dumps(listed)  # the secret is never shown again
    bad = runner.invoke(
        app, ["apikey", "add", "--agency", "court", "--scope", "everything", "--db", db_url]
    )
    assert bad.exit_code == 2 and "unknown scope everything" in bad.output
    assert runner.invoke(app, ["apikey", "revoke", key["key_id"], "--db", db_url]).exit_code == 0
    assert runner.invoke(app, ["apikey", "revoke", key["key_id"], "--db", db_url]).exit_code == 1
