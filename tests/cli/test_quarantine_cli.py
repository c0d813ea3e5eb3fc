"""The quarantine round trip an agency clerk and an officer go through, on the command line:
list the rejects, export them in the original format, fix, ingest again, entries close."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from tests.ingest.test_ingest_files import HEADERS, _rows, _write_csv
from tests.ingest.test_resolution import _file, _registry, _row
from typer.testing import CliRunner

from xinyong.cli import app
from xinyong.store import make_engine

runner = CliRunner()


@pytest.fixture(autouse=True)
def _key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_ID_KEY_FILE", str(tmp_path / "id.key"))


def _json(args: list[str]) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    value: dict[str, object] = json.loads(result.stdout)
    return value


def _export(db_url: str, tmp_path: Path) -> tuple[Path, list[dict[str, str]]]:
    """Export the waiting rows as the clerk receives them; the file and its rows."""
    exported = _json(
        [
            "quarantine",
            "export",
            "--out",
            str(tmp_path / "fix"),
            "--purpose",
            "return rows to the SAMR clerk",
            "--db",
            db_url,
        ]
    )
    [out] = exported["files"]  # type: ignore[misc]
    with open(out, encoding="utf-8-sig", newline="") as fh:
        return Path(out), list(csv.DictReader(fh))


def _rewrite(out: Path, rows: list[dict[str, str]]) -> None:
    """Save the clerk's edits over the exported file."""
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_list_export_fix_resubmit_closes_entries(db_url: str, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "penalties.csv", _rows())
    _json(["ingest", str(path), "--source", "samr", "--db", db_url])
    listed = _json(["quarantine", "list", "--db", db_url])
    assert listed["total"] == 1 and listed["next"] is None
    [entry] = listed["results"]  # type: ignore[misc]
    assert {"id", "file", "sheet", "row", "reasons", "data"} <= entry.keys()
    assert entry["row"] == 5 and entry["data"]["行政相对人名称"] == "坏代码公司"

    refused = runner.invoke(
        app,
        ["quarantine", "export", "--out", str(tmp_path / "fix"), "--purpose", "", "--db", db_url],
    )
    assert refused.exit_code == 2 and "say why" in refused.output
    out, rows = _export(db_url, tmp_path)
    assert len(rows) == 1 and rows[0]["quarantine_id"] == str(entry["id"])
    assert "check character" in rows[0]["quarantine_reasons"]

    from tests.ingest.test_ingest_files import A

    rows[0].update({"统一社会信用代码": A, "罚款金额（万元）": "3", "处罚决定日期": "2024-02-28"})
    _rewrite(out, rows)
    again = _json(["ingest", str(out), "--source", "samr", "--db", db_url])
    assert again["accepted"] == 1 and again["closed"] == 1
    assert _json(["quarantine", "list", "--db", db_url])["total"] == 0
    closed = _json(["quarantine", "show", str(entry["id"]), "--db", db_url])
    assert closed["status"] == "closed" and closed["resolved_record_id"] is not None


def test_a_still_broken_resubmission_updates_its_entry(db_url: str, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "penalties.csv", _rows())
    _json(["ingest", str(path), "--source", "samr", "--db", db_url])
    out, rows = _export(db_url, tmp_path)
    rows[0]["罚款金额（万元）"] = "3"  # fixed one problem, not the others
    _rewrite(out, rows)
    _json(["ingest", str(out), "--source", "samr", "--db", db_url])
    listed = _json(["quarantine", "list", "--db", db_url])
    assert listed["total"] == 1
    [entry] = listed["results"]  # type: ignore[misc]
    assert not any("万元" in r for r in entry["reasons"])
    assert any("check character" in r for r in entry["reasons"])


def test_officer_resolves_an_ambiguous_row(db_url: str, tmp_path: Path) -> None:
    from tests.ingest.test_resolution import B

    engine = make_engine(db_url)
    _registry(engine)
    engine.dispose()
    _json(
        [
            "ingest",
            str(_file(tmp_path, [_row("锦泰贸易有限公司", "", "D3")])),
            "--source",
            "samr",
            "--db",
            db_url,
        ]
    )
    [entry] = _json(["quarantine", "list", "--status", "review", "--db", db_url])["results"]  # type: ignore[misc]
    result = _json(
        [
            "quarantine",
            "resolve",
            str(entry["id"]),
            "--subject",
            B,
            "--actor",
            "officer:wang",
            "--db",
            db_url,
        ]
    )
    assert result["accepted"] == 1 and result["closed"] == 1
    shown = _json(["subject", "show", B, "--as-of", "2024-06-01", "--db", db_url])
    assert [r["doc_no"] for r in shown["records"]] == ["D3"]  # type: ignore[index]


def test_accept_legacy_code_then_the_row_goes_in(db_url: str, tmp_path: Path) -> None:
    legacy = "91350203M0001QAY9B"
    _json(
        [
            "ingest",
            str(_file(tmp_path, [_row("厦门某公司", legacy, "D5")])),
            "--source",
            "samr",
            "--db",
            db_url,
        ]
    )
    [entry] = _json(["quarantine", "list", "--db", db_url])["results"]  # type: ignore[misc]
    result = _json(
        [
            "quarantine",
            "accept-legacy",
            str(entry["id"]),
            "--reason",
            "confirmed with the issuing authority",
            "--db",
            db_url,
        ]
    )
    assert result["accepted"] == 1 and result["closed"] == 1
    assert _json(["subject", "show", legacy, "--db", db_url])["code"] == legacy


def test_resident_ids_are_masked_in_list_and_full_only_with_a_purpose(
    db_url: str, tmp_path: Path
) -> None:
    rows = _rows()
    rows[2][4] = "11010519491231002X"
    rows[2][7] = "-1"  # makes the person's row fail
    _json(["ingest", str(_write_csv(tmp_path / "p.csv", rows)), "--source", "samr", "--db", db_url])
    listed = runner.invoke(app, ["quarantine", "list", "--json", "--db", db_url]).stdout
    assert "11010519491231002X" not in listed and "110105********002X" in listed
    person = next(e for e in json.loads(listed)["results"] if e["row"] == 4)
    denied = runner.invoke(
        app, ["quarantine", "show", str(person["id"]), "--unmasked", "--db", db_url]
    )
    assert denied.exit_code == 2
    full = _json(
        [
            "quarantine",
            "show",
            str(person["id"]),
            "--unmasked",
            "--purpose",
            "agency asked to check the ID",
            "--db",
            db_url,
        ]
    )
    assert full["data"]["证件号码"] == "11010519491231002X"  # type: ignore[index]
    assert HEADERS[0] in full["data"]  # type: ignore[operator]
