"""One data row under a header, written in every format agencies send: UTF-8 CSV, GB18030 CSV,
CSV with a BOM, XLSX with a title row above the header, and JSON Lines. Defect tables write the
same row each way and expect the same reason from each — XLSX twice: loaded whole by calamine,
and streamed by openpyxl as a sheet too large to load is (`READ_AS`)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import xlsxwriter

Writer = Callable[[Path, list[str]], Path]
FORMAT_NAMES = ("csv", "csv-gb18030", "csv-bom", "xlsx", "jsonl")
# Ways of reading a file: each format as written, and an XLSX streamed row by row.
READ_AS = (*FORMAT_NAMES, "xlsx-streamed")


def wrong_check(code: str) -> str:
    """`code` with another last character: a check character that fails."""
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def changed(headers: Sequence[str], row: Sequence[str], **changes: str) -> list[str]:
    """`row` with the cells under the named headers replaced."""
    out = list(row)
    for header, value in changes.items():
        out[list(headers).index(header)] = value
    return out


def write_as(
    formats: dict[str, Writer],
    way: str,
    folder: Path,
    row: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """Write `row` for reading `way` (one of READ_AS)."""
    if way == "xlsx-streamed":
        monkeypatch.setenv("XINYONG_XLSX_STREAM_MIB", "0")  # every XLSX streams
        way = "xlsx"
    return formats[way](folder, row)


def writers(stem: str, headers: Sequence[str], sheet: str, title: str) -> dict[str, Writer]:
    """Format name → a function writing `headers` and one row as `folder/<stem>.<ext>`."""

    def csv_in(encoding: str) -> Writer:
        def write(folder: Path, row: list[str]) -> Path:
            path = folder / f"{stem}-{encoding}.csv"
            with path.open("w", encoding=encoding, newline="") as fh:
                out = csv.writer(fh)
                out.writerow(headers)
                out.writerow(row)
            return path

        return write

    def xlsx(folder: Path, row: list[str]) -> Path:
        path = folder / f"{stem}.xlsx"
        book = xlsxwriter.Workbook(str(path))
        page = book.add_worksheet(sheet)
        page.write_row(0, 0, [title])
        page.write_row(1, 0, list(headers))
        page.write_row(2, 0, row)
        book.close()
        return path

    def jsonl(folder: Path, row: list[str]) -> Path:
        path = folder / f"{stem}.jsonl"
        line = json.dumps(dict(zip(headers, row, strict=True)), ensure_ascii=False)
        path.write_text(line + "\n", encoding="utf-8")
        return path

    made = {
        "csv": csv_in("utf-8"),
        "csv-gb18030": csv_in("gb18030"),
        "csv-bom": csv_in("utf-8-sig"),
        "xlsx": xlsx,
        "jsonl": jsonl,
    }
    assert tuple(made) == FORMAT_NAMES
    return made
