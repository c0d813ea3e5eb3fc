"""Bulk screening: rows in order, clear matches claimed, ambiguity reported not guessed, bad
rows answered with a reason, lists and measures in force; JSON, file upload and the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import xlsxwriter
from fastapi.testclient import TestClient
from python_calamine import CalamineWorkbook
from sqlalchemy import Engine
from tests.factories import listing
from tests.web.conftest import ACME, OTHER
from typer.testing import CliRunner

from xinyong.cli import app as cli_app
from xinyong.store import apply

COURT = "court.dishonest_judgment_debtors"
ROWS = [
    {"name": "臺灣積體電路製造股份有限公司"},  # traditional, without its bracketed short name
    {"name": "", "code": OTHER},
    {"name": "完全不存在的公司名称有限责任公司"},
    {"name": "", "code": "91330106MA5CJQ4N5K"},  # wrong check character
    {"name": "", "code": ""},
    {"name": "锦泰网络科技有限公司", "legal_representative": ""},  # region missing → OTHER
]


def _list(engine: Engine) -> None:
    apply(
        engine,
        [
            listing(
                OTHER,
                "(2025)粤0305执1号",
                party_name="深圳市锦泰网络科技有限公司",
                authority="深圳市南山区人民法院",
            )
        ],
        actor="test",
    )


def test_screen_json_rows_in_order_with_reasons(client: TestClient, seeded: Engine) -> None:
    _list(seeded)
    body = client.post("/api/v1/screen", json={"rows": ROWS, "on": "2025-06-01"}).json()
    results = body["results"]
    assert [r["row"] for r in results] == [1, 2, 3, 4, 5, 6] and body["total"] == 6
    assert results[0]["matched_code"] == ACME and results[0]["confidence"] >= 0.85
    assert results[1]["matched_code"] == OTHER and results[1]["explanation"] == "code:exact"
    assert results[1]["lists"] == [COURT] and "procurement.bar" in results[1]["measures"]
    assert results[1]["report"] == f"/subjects/{OTHER}/report"
    assert results[2]["matched_code"] is None and "no subject" in results[2]["explanation"]
    assert results[3]["error"].startswith("code: ") and "check character" in results[3]["error"]
    assert results[4]["error"] == "name: the row has neither a name nor a code"
    assert results[5]["matched_code"] == OTHER
    assert "without_region_or_form" in results[5]["explanation"]
    assert "subject_key" not in results[0]


def test_screen_csv_upload_returns_the_file_with_columns(
    client: TestClient, seeded: Engine
) -> None:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["序号", "企业名称", "统一社会信用代码"])
    w.writerow(["1", "台湾积体电路制造股份有限公司", ""])
    w.writerow(["2", "", OTHER])
    w.writerow(["3", '=HYPERLINK("x")', ""])
    answer = client.post(
        "/api/v1/screen/file",
        files={"file": ("供应商.csv", buf.getvalue().encode("utf-8-sig"), "text/csv")},
    )
    assert answer.status_code == 200, answer.text
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "企业名称", "统一社会信用代码"] and "matched_code" in rows[0]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert rows[1][rows[0].index("matched_code")] == ACME
    assert rows[3][1].startswith("'=")  # a formula stays inert in the result file
    bad = client.post("/api/v1/screen/file", files={"file": ("x.txt", b"hello", "text/plain")})
    assert bad.status_code == 422


def test_screen_cli_xlsx_round_trip(db_url: str, seeded: Engine, tmp_path: Path) -> None:
    source = tmp_path / "in.xlsx"
    book = xlsxwriter.Workbook(str(source))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["name", "code", "legal_representative"])
    sheet.write_row(1, 0, ["深圳市锦泰网络科技有限公司", "", ""])
    sheet.write_row(2, 0, ["", "not-a-code", ""])
    book.close()
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(
        cli_app,
        ["screen", str(source), "-o", str(out), "--db", db_url, "--json"],
        env={"XINYONG_ID_KEY_FILE": str(tmp_path / "id.key")},
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["rows"], summary["matched"], summary["errors"]) == (2, 1, 1)
    sheet_rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    header = list(sheet_rows[0])
    assert sheet_rows[1][header.index("matched_code")] == OTHER
    assert "code" in str(sheet_rows[2][header.index("error")])


def test_a_resident_id_given_as_code_is_echoed_masked(client: TestClient) -> None:
    person = "11010519491231002X"
    body = client.post("/api/v1/screen", json={"rows": [{"code": person}]}).text
    assert person not in body and "110105********002X" in body


def test_parallel_screening_answers_exactly_as_one_process(
    db_url: str, seeded: Engine, tmp_path: Path
) -> None:
    """A long list is screened by worker processes in chunks; the file that comes back is the
    same, row for row and in order, as screening it in one process."""
    names = ["深圳市锦泰网络科技有限公司", "台积电", "锦泰网络", "无此公司有限公司", ""]
    codes = ["", OTHER, "", "not-a-code", ACME]
    source = tmp_path / "many.csv"
    with source.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["name", "code"])
        for i in range(1_200):
            writer.writerow([names[i % 5], codes[(i // 5) % 5]])
    env = {"XINYONG_ID_KEY_FILE": str(tmp_path / "id.key")}
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out-{workers}.csv"
        result = CliRunner().invoke(
            cli_app,
            ["screen", str(source), "-o", str(out), "--db", db_url, "--workers", workers, "--json"],
            env=env,
        )
        assert result.exit_code == 0, result.output
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]
    rows = list(csv.DictReader(io.StringIO(outputs[0].lstrip("\ufeff"))))
    blank = sum(1 for i in range(1_200) if not names[i % 5] and not codes[(i // 5) % 5])
    assert len(rows) == 1_200 - blank  # a row with neither name nor code is not a counterparty
    assert sum(1 for r in rows if r["matched_code"] == OTHER) > 200
