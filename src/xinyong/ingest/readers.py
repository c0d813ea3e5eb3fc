"""Readers: CSV (UTF-8, UTF-8 with BOM, GB18030) and Excel workbooks, row by row.

Each yields tables (one per sheet) whose header row is found among the first rows — agency
spreadsheets often carry a title row above the header — and rows numbered as a person sees them in
the sheet (1-based), so a quarantine entry can send the clerk to the exact row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from xinyong.ingest.mapping import all_header_keys, header_key

HEADER_SCAN_ROWS = 10


class UnreadableFile(Exception):
    """The file cannot be read at all (as opposed to rows that fail validation)."""


@dataclass(frozen=True, slots=True)
class SheetRow:
    row: int  # 1-based row number in the sheet
    cells: dict[str, str]  # header as written -> cell text


@dataclass
class SheetTable:
    file: str
    sheet: str | None
    headers: list[str]
    header_row: int
    rows: Iterator[SheetRow]
    encoding: str | None = None


def cell_text(value: Any) -> str:
    """Spreadsheet cells as text: Excel date cells become ISO dates, 3.0 becomes "3"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _find_header(rows: list[list[str]]) -> int | None:
    known = all_header_keys()
    best, best_hits = None, 1
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        hits = sum(1 for cell in row if cell and header_key(cell) in known)
        if hits > best_hits:
            best, best_hits = index, hits
    return best


def _table(file: str, sheet: str | None, rows: Iterator[list[str]], enc: str | None) -> SheetTable:
    head: list[list[str]] = []
    for row in rows:
        head.append(row)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    index = _find_header(head)
    if index is None:
        where = f"sheet {sheet!r} of {file}" if sheet else file
        raise UnreadableFile(f"{where}: no header row with known column names in the first rows")
    headers = [h.strip() for h in head[index]]

    def body() -> Iterator[SheetRow]:
        number = index + 1
        for row in [*head[index + 1 :], *(r for r in rows)]:
            number += 1
            cells = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(headers) if h}
            yield SheetRow(number, cells)

    return SheetTable(file, sheet, headers, index + 1, body(), enc)


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as UTF-8, else GB18030 (a GBK superset)."""
    with path.open("rb") as fh:
        sample = fh.read(1 << 20)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        try:
            codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"{path}: neither UTF-8 nor GB18030 text ({exc})") from None
        return "gb18030"
    return "utf-8"


def read_csv(path: Path, encoding: str | None = None) -> Iterator[SheetTable]:
    enc = encoding or detect_encoding(path)
    fh = path.open(encoding=enc, newline="")
    try:
        yield _table(str(path), None, iter(csv.reader(fh)), enc)
    finally:
        fh.close()


def read_workbook(path: Path) -> Iterator[SheetTable]:
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for every malformed file
        raise UnreadableFile(f"{path}: not a readable Excel workbook ({exc})") from None
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        rows = ([cell_text(c) for c in row] for row in sheet.iter_rows())
        try:
            yield _table(str(path), name, rows, None)
        except UnreadableFile:
            if len(book.sheet_names) == 1:
                raise
            continue  # a notes or lookup sheet beside the data sheets


def read_tables(path: Path, encoding: str | None = None) -> Iterator[SheetTable]:
    if not path.exists():
        raise UnreadableFile(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        yield from read_workbook(path)
    elif suffix in (".csv", ".txt"):
        yield from read_csv(path, encoding)
    else:
        raise UnreadableFile(f"{path}: unsupported file type {suffix!r} (use CSV or XLSX)")
