"""One large single-agency penalty file (CSV and XLSX) for the consolidation benchmark.

Rows come from the synthetic generator's own record maker, cycling over a pool of subjects, so
they look like the rest of the synthetic data (names, codes, amounts, statutes) at any size.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import xlsxwriter

from xinyong.synth import PENALTY_HEADERS, iter_subjects
from xinyong.synth.records import RecordMaker


def penalty_rows(count: int, seed: int = 3, pool: int = 50_000) -> Iterator[list[str]]:
    subjects = list(iter_subjects(pool, seed))
    maker = RecordMaker(seed)
    seen: set[str] = set()
    doc = PENALTY_HEADERS.index("行政处罚决定书文号")
    made = 0
    while made < count:
        for subject in subjects:
            row = maker._subject_penalty(subject, [])
            if row.row[doc] in seen:  # the natural key must be unique within one agency's file
                continue
            seen.add(row.row[doc])
            yield row.row
            made += 1
            if made == count:
                return


def write_csv(path: Path, count: int) -> Path:
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(PENALTY_HEADERS)
            writer.writerows(penalty_rows(count))
        tmp.rename(path)
    return path


def write_xlsx(
    path: Path, count: int, shared_strings: bool = False, distinct: bool = False
) -> Path:
    """The penalty file as XLSX. By default with inline strings (xlsxwriter's constant-memory
    mode, which writes a million rows in little memory); with ``shared_strings`` as Excel and WPS
    save a workbook: every text once in xl/sharedStrings.xml (xlsxwriter then holds the whole
    sheet while writing). ``distinct`` numbers each row's 违法事实, so the table holds a text per
    row (the worst case for a reader that keeps it)."""
    facts = PENALTY_HEADERS.index("违法事实") if distinct else -1
    if not path.exists():
        tmp = path.with_name(path.stem + ".tmp.xlsx")
        book = xlsxwriter.Workbook(str(tmp), {"constant_memory": not shared_strings})
        book.set_properties({"created": dt.datetime(2026, 1, 1)})  # noqa: DTZ001
        sheet = book.add_worksheet("行政处罚")
        sheet.write_row(0, 0, PENALTY_HEADERS)
        for i, row in enumerate(penalty_rows(count), start=1):
            if facts >= 0:
                row = [*row[:facts], f"{row[facts]}（第{i}号）", *row[facts + 1 :]]
            sheet.write_row(i, 0, row)
        book.close()
        tmp.rename(path)
    return path
