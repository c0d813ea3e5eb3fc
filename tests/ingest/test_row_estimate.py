"""`xinyong ingest` shows an ETA: before reading, it estimates the rows each table holds, cheaply
(lines of a CSV or JSON Lines file, the recorded dimension of an XLSX sheet)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import xlsxwriter
from sqlalchemy import Engine

from xinyong.codes import IdHasher
from xinyong.ingest import ingest_files
from xinyong.ingest.readers import estimate_rows, read_tables

HEADERS = ["行政相对人名称", "统一社会信用代码", "行政处罚决定书文号", "处罚决定日期"]
ROW = ["杭州锦泰网络科技有限公司", "", "杭市监罚〔2024〕1号", "2024-03-01"]


def _csv(path: Path, rows: int, title: bool, final_newline: bool = True) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        if title:
            out.writerow(["2024年行政处罚信息公示"])
        out.writerow(HEADERS)
        for _ in range(rows):
            out.writerow(ROW)
    if not final_newline:
        path.write_bytes(path.read_bytes().rstrip(b"\n"))
    return path


def _xlsx(path: Path, rows: int) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("处罚")
    sheet.write(0, 0, "2024年行政处罚信息公示")
    sheet.write_row(1, 0, HEADERS)
    for i in range(rows):
        sheet.write_row(2 + i, 0, ROW)
    book.close()
    return path


@pytest.mark.parametrize("rows", [0, 1, 37])
@pytest.mark.parametrize("title", [False, True])
def test_a_csv_is_estimated_by_its_lines_below_the_header(
    tmp_path: Path, rows: int, title: bool
) -> None:
    for final_newline in (True, False):
        path = _csv(tmp_path / f"p{final_newline}.csv", rows, title, final_newline)
        (table,) = read_tables(path)
        assert estimate_rows(table) == rows


@pytest.mark.parametrize("streamed", [False, True])
def test_an_xlsx_is_estimated_by_its_sheet_dimension(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: bool
) -> None:
    monkeypatch.setenv("XINYONG_XLSX_STREAM_MIB", "0" if streamed else "256")
    (table,) = read_tables(_xlsx(tmp_path / "p.xlsx", 25))
    assert estimate_rows(table) == 25


def test_json_lines_are_estimated_by_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    line = json.dumps(dict(zip(HEADERS, ROW, strict=True)), ensure_ascii=False)
    path.write_text((line + "\n") * 12, encoding="utf-8")
    (table,) = read_tables(path)
    assert estimate_rows(table) == 12


def test_an_ingest_announces_its_estimate_before_the_first_row(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    events: list[tuple[str, int]] = []
    ingest_files(
        engine,
        [_csv(tmp_path / "a.csv", 7, True), _xlsx(tmp_path / "b.xlsx", 5)],
        source="samr",
        actor="op",
        hasher=hasher,
        kind="penalty",
        expect=lambda total: events.append(("expect", total)),
        progress=lambda n: events.append(("rows", n)),
    )
    assert events[0] == ("expect", 12)
    assert sum(n for what, n in events if what == "rows") == 12
