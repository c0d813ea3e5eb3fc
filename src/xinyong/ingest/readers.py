"""Readers: CSV (UTF-8, UTF-8 with BOM, GB18030) and Excel workbooks, row by row.

Each yields tables (one per sheet) whose header row is found among the first rows — agency
spreadsheets often carry a title row above the header — and rows numbered as a person sees them in
the sheet (1-based), so a quarantine entry can send the clerk to the exact row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
import json
import os
import re
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from xinyong.ingest import xlsx_stream
from xinyong.ingest.mapping import all_header_keys, header_key

HEADER_SCAN_ROWS = 10
_UNDECODABLE = re.compile("[\udc80-\udcff]")
csv.field_size_limit(16 * 1024 * 1024)  # long 违法事实 texts exceed the default 128 KiB

# Spreadsheets python-calamine reads; it loads a whole sheet into memory (it cannot stream).
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
# An XLSX that unpacks to more than this (its largest sheet's XML plus its shared strings) is read
# row by row (`xlsx_stream`: bounded memory, about a third of calamine's speed) instead of
# loaded whole by calamine, which needs ~2.3 bytes of memory per byte of sheet XML (3.3 GiB for
# the 1.4 GB sheet of a million penalty rows). 256 MiB is ~180,000 penalty rows and ~600 MiB of
# memory, inside the 1 GiB an ingest may use; `XINYONG_XLSX_STREAM_MIB` moves the line (0:
# stream every XLSX). XLS (at most 65,536 rows) and ODS stay with calamine.
STREAM_SHEET_MIB = 256
STREAMABLE_SUFFIXES = (".xlsx", ".xlsm")


class UnreadableFile(Exception):
    """The file cannot be read at all (as opposed to rows that fail validation)."""


@dataclass(frozen=True, slots=True)
class SheetRow:
    row: int  # 1-based row number in the sheet (line number in JSON Lines)
    cells: dict[str, str]  # header as written -> cell text
    problem: str | None = None  # set when the row cannot even be split into cells


@dataclass
class SheetTable:
    """One table of a file: where its header is, and a fresh row iterator on demand.

    Probing (finding the header) and reading are separate so that every file of an ingest can be
    checked before anything is written, without holding files open in between.
    """

    file: str
    sheet: str | None
    headers: list[str]
    header_row: int  # 1-based; 0 for JSON Lines, whose every line names its fields
    encoding: str | None = None
    format: str = "csv"  # csv | xlsx | jsonl: how an export writes rows back
    streamed: bool = False  # an XLSX read row by row (`streams`), decided once when probed

    def _cells(self, cells: list[str]) -> dict[str, str]:
        row = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(self.headers)}
        for i in range(len(self.headers), len(cells)):  # cells beyond the header row
            if cells[i].strip():
                row[f"column {i + 1}"] = cells[i].strip()
        return row

    def rows(self) -> Iterator[SheetRow]:
        if self.format == "jsonl":
            yield from _jsonl_rows(Path(self.file), self.encoding)
            return
        raw = _raw_rows(Path(self.file), self.sheet, self.encoding, self.streamed)
        try:
            number = 0
            for cells in raw:
                number += 1
                if number <= self.header_row:
                    continue
                if _UNDECODABLE.search("".join(cells)):  # one search a row: this is the hot loop
                    # Bytes the file's encoding cannot read, deep in a file whose start was fine:
                    # the row is kept (bad bytes as U+FFFD) and quarantined; the file goes on.
                    clean = [_UNDECODABLE.sub("\ufffd", c) for c in cells]
                    problem = f"row {number} has bytes that are not valid {self.encoding} text"
                    yield SheetRow(number, self._cells(clean), problem)
                    continue
                yield SheetRow(number, self._cells(cells))
        finally:
            raw.close()


def unique_headers(headers: list[str]) -> list[str]:
    """Headers as keys that lose nothing: an empty header becomes `column N`, a repeated one
    `NAME #2`, so every cell of a row survives into quarantine verbatim."""
    seen: dict[str, int] = {}
    out = []
    for index, header in enumerate(headers, start=1):
        name = header.strip() or f"column {index}"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return out


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


def _raw_rows(
    path: Path, sheet: str | None, encoding: str | None, streamed: bool = False
) -> Generator[list[str]]:
    if sheet is None:
        # surrogateescape: an undecodable byte becomes a marker in its cell instead of an
        # exception that would abandon the rest of the file mid-ingest.
        with path.open(encoding=encoding, errors="surrogateescape", newline="") as fh:
            yield from csv.reader(fh)
        return
    yield from _workbook_rows(path, sheet, streamed)


def _workbook_rows(path: Path, sheet: str, streamed: bool) -> Iterator[list[str]]:
    """A sheet's rows as both readers give them alike: from row 1 and column A (blank rows and
    leading blank columns in place), without trailing empty cells, and without the empty rows
    after the last non-empty one (formatted blank rows that calamine does not see)."""
    blank = 0
    for cells in _streamed_rows(path, sheet) if streamed else _loaded_rows(path, sheet):
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            blank += 1
            continue
        for _ in range(blank):
            yield []
        blank = 0
        yield cells


def _loaded_rows(path: Path, sheet: str) -> Iterator[list[str]]:
    book = CalamineWorkbook.from_path(str(path))
    try:
        loaded = book.get_sheet_by_name(sheet)
        # calamine's rows begin at row 1 but at the first used column: put them back in place
        left = [""] * loaded.start[1] if loaded.start else []
        for row in loaded.iter_rows():
            yield [*left, *(cell_text(c) for c in row)]
    finally:
        book.close()


def _streamed_rows(path: Path, sheet: str) -> Iterator[list[str]]:
    try:
        for row in xlsx_stream.sheet_rows(str(path), sheet):
            yield [cell_text(c) for c in row]
    except (OSError, ValueError, KeyError, SyntaxError, zipfile.BadZipFile) as exc:
        raise UnreadableFile(f"{path}: sheet {sheet!r} cannot be read ({exc})") from None


def streams(path: Path) -> bool:
    """Whether this workbook is read row by row (`xlsx_stream`) rather than loaded whole."""
    if path.suffix.lower() not in STREAMABLE_SUFFIXES:
        return False
    try:
        size = xlsx_stream.unpacked_bytes(str(path))
    except Exception:  # not a package openpyxl reads: calamine will say what is wrong with it
        return False
    limit = int(os.environ.get("XINYONG_XLSX_STREAM_MIB", STREAM_SHEET_MIB)) * 1024 * 1024
    return size > limit


def estimate_rows(table: SheetTable) -> int | None:
    """Rows below the header, counted cheaply for a progress bar's ETA: the file's lines (CSV,
    JSON Lines; a quoted cell with a line break counts twice), the last row an XLSX sheet's
    <dimension> records. None when unknown (XLS, ODS: only loading the sheet would tell)."""
    path = Path(table.file)
    try:
        if table.sheet is None:
            lines, last = 0, b""
            with path.open("rb") as fh:
                while block := fh.read(1 << 20):
                    lines += block.count(b"\n")
                    last = block
            lines += 1 if last and not last.endswith(b"\n") else 0
            return max(0, lines - table.header_row)
        if path.suffix.lower() not in STREAMABLE_SUFFIXES:
            return None
        height = xlsx_stream.recorded_rows(str(path), table.sheet)
    except Exception:
        return None
    return height - table.header_row if height and height > table.header_row else None


def _probe(
    path: Path, sheet: str | None, encoding: str | None, streamed: bool = False
) -> SheetTable:
    raw = _raw_rows(path, sheet, encoding, streamed)
    try:
        head = list(itertools.islice(raw, HEADER_SCAN_ROWS))
    finally:
        raw.close()
    index = _find_header(head)
    if index is None:
        where = f"sheet {sheet!r} of {path}" if sheet else str(path)
        raise UnreadableFile(f"{where}: no header row with known column names in the first rows")
    fmt = "csv" if sheet is None else "xlsx"
    headers = unique_headers(head[index])
    return SheetTable(str(path), sheet, headers, index + 1, encoding, fmt, streamed)


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as UTF-8, else GB18030 (a GBK superset)."""
    with path.open("rb") as fh:
        sample = fh.read(1 << 20)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    # Neither reads every byte: take the one that reads the most; rows with unreadable bytes
    # are quarantined one by one rather than the whole file refused.
    errors = {
        enc: codecs.getincrementaldecoder(enc)(errors="replace").decode(sample).count("\ufffd")
        for enc in ("utf-8", "gb18030")
    }
    best = min(errors, key=lambda enc: errors[enc])
    if errors[best] > max(16, len(sample) // 100):
        raise UnreadableFile(f"{path}: neither UTF-8 nor GB18030 text ({errors[best]} bad bytes)")
    return best


def read_csv(path: Path, encoding: str | None = None) -> list[SheetTable]:
    enc = encoding or detect_encoding(path)
    try:
        return [_probe(path, None, enc)]
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnreadableFile(f"{path}: cannot be read as {enc} text ({exc})") from None


def read_workbook(path: Path) -> list[SheetTable]:
    streamed = streams(path)
    try:
        if streamed:  # calamine would load the shared strings just to name the sheets
            names = xlsx_stream.sheet_names(str(path))
        else:
            book = CalamineWorkbook.from_path(str(path))
            names = list(book.sheet_names)
            book.close()
    except Exception as exc:  # either reader raises its own error types for a malformed file
        raise UnreadableFile(f"{path}: not a readable Excel workbook ({exc})") from None
    tables = []
    for name in names:
        try:
            tables.append(_probe(path, name, None, streamed))
        except UnreadableFile:
            if len(names) == 1:
                raise
            # a notes or lookup sheet beside the data sheets
    if not tables:
        raise UnreadableFile(f"{path}: no sheet has a header row with known column names")
    return tables


def read_tables(path: Path, encoding: str | None = None) -> list[SheetTable]:
    """Probe a file: its tables and their headers. Raises UnreadableFile if it cannot be read."""
    if not path.exists():
        raise UnreadableFile(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        return read_workbook(path)
    if suffix in (".csv", ".txt"):
        return read_csv(path, encoding)
    if suffix in (".jsonl", ".ndjson"):
        return read_jsonl(path, encoding)
    raise UnreadableFile(
        f"{path}: unsupported file type {suffix!r} (use CSV, XLSX/XLS or JSON Lines)"
    )


def _jsonl_cells(obj: dict[str, Any]) -> dict[str, str]:
    return {
        str(k): (
            ""
            if v is None
            else cell_text(v)
            if not isinstance(v, (dict, list))
            else json.dumps(v, ensure_ascii=False)
        )
        for k, v in obj.items()
    }


def _jsonl_rows(path: Path, encoding: str | None) -> Iterator[SheetRow]:
    """Each line one object; a line that is not one is still a row, kept with its problem."""
    with path.open(encoding=encoding or "utf-8-sig") as fh:
        for number, line in enumerate(fh, start=1):
            text = line.strip()
            if not text:
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield SheetRow(number, {"line": text}, f"line {number} is not JSON ({exc.msg})")
                continue
            if not isinstance(obj, dict):
                yield SheetRow(number, {"line": text}, f"line {number} is not a JSON object")
                continue
            yield SheetRow(number, _jsonl_cells(obj))


def read_jsonl(path: Path, encoding: str | None = None) -> list[SheetTable]:
    """JSON Lines: the fields are the union of the keys of the first objects."""
    enc = encoding or detect_encoding(path)
    keys: dict[str, None] = {}
    try:
        for row in itertools.islice(_jsonl_rows(path, enc), HEADER_SCAN_ROWS):
            if row.problem is None:
                keys.update(dict.fromkeys(row.cells))
    except (UnicodeDecodeError, LookupError) as exc:
        raise UnreadableFile(f"{path}: cannot be read as {enc} text ({exc})") from None
    known = all_header_keys()
    if not any(header_key(k) in known for k in keys):
        raise UnreadableFile(f"{path}: no known field names in the first objects")
    return [SheetTable(str(path), None, list(keys), 0, enc, "jsonl")]
