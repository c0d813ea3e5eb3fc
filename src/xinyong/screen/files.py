"""Screening files: CSV (UTF-8, BOM or GB18030) or XLSX in, the same format out, rows in order.

Input columns are found by their headers, in Chinese or English: the name (名称, 企业名称, 公司名称,
name, company), the code (统一社会信用代码, code, uscc) and the legal representative (法定代表人,
legal_representative). The output repeats the input columns and adds the screening columns.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import xlsxwriter
from python_calamine import CalamineWorkbook

from xinyong.ingest.export import escape_formula
from xinyong.ingest.readers import cell_text, detect_encoding
from xinyong.screen.match import ScreenInput, ScreenResult

HEADERS = {
    "name": (
        "name",
        "company",
        "company_name",
        "名称",
        "企业名称",
        "公司名称",
        "主体名称",
        "单位名称",
        "供应商名称",
        "客户名称",
        "行政相对人名称",
    ),
    "code": ("code", "uscc", "统一社会信用代码", "信用代码", "社会信用代码"),
    "legal_representative": (
        "legal_representative",
        "legal representative",
        "法定代表人",
        "法人代表",
        "法人",
    ),
}
OUTPUT_COLUMNS = (
    "matched_code",
    "matched_name",
    "confidence",
    "explanation",
    "candidates",
    "lists",
    "measures",
    "report",
    "error",
)


class ScreenFileError(ValueError):
    pass


def _key(header: str) -> str:
    return header.strip().lower().replace(" ", "_").lstrip("\ufeff")


_BY_HEADER = {_key(alias): field for field, aliases in HEADERS.items() for alias in aliases}


def _rows(path: Path) -> list[list[str]]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xls", ".xlsm"):
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        return [[cell_text(c) for c in row] for row in sheet.to_python()]
    if suffix == ".csv":
        encoding = detect_encoding(path)
        with path.open(encoding=encoding, errors="replace", newline="") as fh:
            return [list(r) for r in csv.reader(fh)]
    raise ScreenFileError(f"{path.name}: screen CSV or XLSX files, not {suffix or 'this file'}")


def read_screen_file(path: Path) -> tuple[list[str], list[list[str]], list[ScreenInput]]:
    """(header, raw rows, inputs). The header is the first of the first ten rows naming a name
    or code column; a file with none is refused with the columns it should have."""
    rows = _rows(path)
    for index, row in enumerate(rows[:10]):
        fields = {i: _BY_HEADER[_key(h)] for i, h in enumerate(row) if _key(h) in _BY_HEADER}
        if "name" in fields.values() or "code" in fields.values():
            data = [r for r in rows[index + 1 :] if any(c.strip() for c in r)]
            inputs = []
            for number, r in enumerate(data, start=1):
                values = {f: (r[i] if i < len(r) else "") for i, f in fields.items()}
                inputs.append(ScreenInput(number, **values))
            return row, data, inputs
    raise ScreenFileError(
        f"{path.name}: no header row with a name or code column (for example 企业名称, "
        "统一社会信用代码, 法定代表人 — or name, code, legal_representative)"
    )


def output_cells(result: ScreenResult) -> list[Any]:
    return [
        result.matched_code or "",
        result.matched_name or "",
        result.confidence,
        result.explanation,
        "; ".join(f"{c['code']} {c['name']} ({c['score']:.2f})" for c in result.candidates),
        "; ".join(result.lists),
        "; ".join(result.measures),
        result.report or "",
        result.error or "",
    ]


def write_screen_file(
    path: Path, header: list[str], raw: list[list[str]], results: Iterable[ScreenResult]
) -> int:
    """Write the input rows with the screening columns, in input order; returns rows written."""
    out_header = [*header, *OUTPUT_COLUMNS]
    lines = (
        [*r, *[""] * (len(header) - len(r))][: len(header)] + output_cells(res)
        for r, res in zip(raw, results, strict=True)
    )
    if path.suffix.lower() == ".xlsx":
        book = xlsxwriter.Workbook(
            str(path), {"strings_to_formulas": False, "strings_to_urls": False}
        )
        sheet = book.add_worksheet("screening")
        sheet.write_row(0, 0, out_header)
        count = 0
        for count, line in enumerate(lines, start=1):
            sheet.write_row(count, 0, line)
        book.close()
        return count
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        return _write_csv(fh, out_header, lines)


def csv_bytes(header: list[str], raw: list[list[str]], results: Iterable[ScreenResult]) -> bytes:
    buf = io.StringIO()
    lines = (
        [*r, *[""] * (len(header) - len(r))][: len(header)] + output_cells(res)
        for r, res in zip(raw, results, strict=True)
    )
    _write_csv(buf, [*header, *OUTPUT_COLUMNS], lines)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _write_csv(fh: Any, header: list[str], lines: Iterator[list[Any]]) -> int:
    writer = csv.writer(fh)
    writer.writerow(header)
    count = 0
    for line in lines:
        writer.writerow([escape_formula(str(c)) for c in line])
        count += 1
    return count
