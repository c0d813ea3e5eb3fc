"""Streaming writers for the two formats agencies publish in.

Rows go straight to disk (``csv`` for CSV, xlsxwriter's constant-memory mode for XLSX), so memory
stays flat however many subjects are generated. Workbooks carry a fixed creation time, the only
thing that would otherwise make two runs with the same seed differ byte for byte.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Literal, Protocol

import xlsxwriter

from xinyong.synth.subjects import REFERENCE_DATE

Cell = str | date
FileFormat = Literal["csv", "xlsx"]

# A fixed "created" stamp (xlsxwriter writes it as UTC): the reference date at midnight, so
# workbooks are reproducible.
WORKBOOK_CREATED = datetime(
    REFERENCE_DATE.year, REFERENCE_DATE.month, REFERENCE_DATE.day, tzinfo=UTC
)


class Sink(Protocol):
    """Where the rows of one file go."""

    def write(self, row: list[Cell]) -> None: ...

    def close(self) -> None: ...


class CsvSink:
    """UTF-8 (no BOM), comma-separated, CRLF line ends as RFC 4180 and Excel expect."""

    def __init__(self, path: Path, headers: tuple[str, ...]) -> None:
        self._file: IO[str] = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(headers)

    def write(self, row: list[Cell]) -> None:
        """Write one row; date cells (only XLSX has them) are written in ISO form."""
        self._writer.writerow([cell if isinstance(cell, str) else cell.isoformat() for cell in row])

    def close(self) -> None:
        """Flush and close the file."""
        self._file.close()


class XlsxSink:
    """One worksheet, header in the first row, every value a text cell unless it is a date."""

    def __init__(self, path: Path, headers: tuple[str, ...], sheet: str) -> None:
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
        for column, header in enumerate(headers):
            self._sheet.write_string(0, column, header)
        self._row = 1

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


def open_sink(path: Path, headers: tuple[str, ...], fmt: FileFormat, sheet: str) -> Sink:
    """A sink of the given format at ``path``."""
    if fmt == "csv":
        return CsvSink(path, headers)
    return XlsxSink(path, headers, sheet)
