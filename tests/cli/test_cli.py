"""The command line as an operator uses it: JSON shapes, exit codes, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.ingest.test_ingest_files import A, _rows, _write_csv
from tests.support.one_row_files import wrong_check
from typer.testing import CliRunner

from xinyong.cli import app
from xinyong.store.migrate import head_revision

runner = CliRunner()


@pytest.fixture(autouse=True)
def _key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_ID_KEY_FILE", str(tmp_path / "id.key"))


def test_ingest_json_summary_then_subject_show(db_url: str, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "p.csv", _rows())
    result = runner.invoke(app, ["ingest", str(path), "--source", "samr", "--db", db_url, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert set(summary) >= {
        "files",
        "rows",
        "accepted",
        "corrected",
        "duplicates",
        "quarantined",
        "skipped_empty",
        "batch",
    }
    assert (
        summary["accepted"] + summary["corrected"] + summary["duplicates"] + summary["quarantined"]
        == summary["rows"]
        == 4
    )
    shown = runner.invoke(
        app, ["subject", "show", A.lower(), "--as-of", "2024-06-01", "--db", db_url, "--json"]
    )
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.stdout)
    assert body["code"] == A and [r["doc_no"] for r in body["records"]] == ["杭市监罚〔2024〕1号"]


def test_unreadable_file_exits_2_with_a_message_and_writes_nothing(
    db_url: str, tmp_path: Path
) -> None:
    junk = tmp_path / "notes.csv"
    junk.write_text("hello,world\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(junk), "--source", "samr", "--db", db_url])
    assert result.exit_code == 2
    assert "no header row with known column names" in result.output
    missing = runner.invoke(
        app, ["ingest", str(tmp_path / "nope.csv"), "--source", "samr", "--db", db_url]
    )
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_subject_show_explains_a_malformed_code(db_url: str) -> None:
    bad = wrong_check(A)
    result = runner.invoke(app, ["subject", "show", bad, "--db", db_url])
    assert result.exit_code == 2
    assert f"check character should be '{A[-1]}'" in result.output


def test_commands_refuse_an_uninitialised_database(tmp_path: Path) -> None:
    result = runner.invoke(app, ["subject", "show", A, "--db", f"sqlite:///{tmp_path}/new.db"])
    assert result.exit_code == 1 and "xinyong init" in result.output


def test_init_twice_is_harmless(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/x.db"
    first = runner.invoke(app, ["init", "--db", url, "--json"])
    second = runner.invoke(app, ["init", "--db", url, "--json"])
    assert json.loads(first.stdout)["before"] is None
    assert (
        json.loads(second.stdout)["before"] == json.loads(second.stdout)["after"] == head_revision()
    )
