"""Streaming writers for the formats agencies publish in: CSV, XLSX and JSON Lines.

Rows go straight to disk (``csv`` for CSV, xlsxwriter's constant-memory mode for XLSX, one
``json.dumps`` per line for JSON Lines), so memory stays flat however many subjects are generated.
Workbooks carry a fixed creation time, the only thing that would otherwise make two runs with the
same seed differ byte for byte. CSV files may be written in another encoding than UTF-8 (GB18030,
or UTF-8 with a BOM, as Excel on Chinese Windows saves them), and a workbook may carry a title row
above its header, as hand-made publicity sheets often do.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Literal, Protocol

import xlsxwriter

from xinyong.synth.subjects import REFERENCE_DATE

Cell = str | date
FileFormat = Literal["csv", "xlsx", "jsonl"]

# A fixed "created" stamp (xlsxwriter writes it as UTC): the reference date at midnight, so
# workbooks are reproducible.
WORKBOOK_CREATED = datetime(
    REFERENCE_DATE.year, REFERENCE_DATE.month, REFERENCE_DATE.day, tzinfo=UTC
)


class Sink(Protocol):
    """Where the rows of one file go."""

    def write(self, row: list[Cell]) -> None: ...

    def close(self) -> None: ...


def _text(cell: Cell) -> str:
    return cell if isinstance(cell, str) else cell.isoformat()


class CsvSink:
    """Comma-separated, CRLF line ends as RFC 4180 and Excel expect; UTF-8 (no BOM) by default."""

    def __init__(self, path: Path, headers: tuple[str, ...], encoding: str = "utf-8") -> None:
        self._file: IO[str] = path.open("w", encoding=encoding, newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(headers)

    def write(self, row: list[Cell]) -> None:
        """Write one row; date cells (only XLSX has them) are written in ISO form."""
        self._writer.writerow([cell if isinstance(cell, str) else cell.isoformat() for cell in row])

    def close(self) -> None:
        """Flush and close the file."""
        self._file.close()


class XlsxSink:
    """One worksheet, every value a text cell unless it is a date.

    The header is in the first row, or in the second below a ``title`` in A1 (not merged:
    xlsxwriter's constant-memory mode cannot merge cells).
    """

    def __init__(
        self, path: Path, headers: tuple[str, ...], sheet: str, title: str | None = None
    ) -> None:
        self._book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self._book.set_properties({"created": WORKBOOK_CREATED})
        self._sheet = self._book.add_worksheet(sheet)
        self._date = self._book.add_format({"num_format": "yyyy-mm-dd"})
        self._sheet.set_column(0, len(headers) - 1, 18)
        first = 0
        if title is not None:
            self._sheet.write_string(0, 0, title, self._book.add_format({"bold": True}))
            first = 1
        for column, header in enumerate(headers):
            self._sheet.write_string(first, column, header)
        self._row = first + 1

    def write(self, row: list[Cell]) -> None:
        """Write one row below the last."""
        sheet, index = self._sheet, self._row
        for column, cell in enumerate(row):
            if isinstance(cell, str):
                if cell:
                    sheet.write_string(index, column, cell)
            else:
                sheet.write_datetime(index, column, cell, self._date)
        self._row += 1

    def close(self) -> None:
        """Finish the workbook (xlsxwriter assembles the zip here)."""
        self._book.close()


class JsonlSink:
    """JSON Lines: one object per row, keyed by the headers in their order, every value a string.

    UTF-8, Chinese left readable, ``\\n`` line ends, no header line (the keys are the header).
    """

    def __init__(self, path: Path, headers: tuple[str, ...]) -> None:
        self._file: IO[str] = path.open("w", encoding="utf-8", newline="\n")
        self._headers = headers

    def write(self, row: list[Cell]) -> None:
        """Write one row as one line."""
        record = {header: _text(cell) for header, cell in zip(self._headers, row, strict=True)}
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")

    def close(self) -> None:
        """Flush and close the file."""
        self._file.close()


def open_sink(
    path: Path,
    headers: tuple[str, ...],
    fmt: FileFormat,
    sheet: str,
    encoding: str = "utf-8",
    title: str | None = None,
) -> Sink:
    """A sink of the given format at ``path``; ``encoding`` is for CSV, ``title`` for XLSX."""
    if fmt == "csv":
        return CsvSink(path, headers, encoding)
    if fmt == "jsonl":
        return JsonlSink(path, headers)
    return XlsxSink(path, headers, sheet, title)
