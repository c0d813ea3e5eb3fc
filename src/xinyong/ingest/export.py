"""Quarantine export: the rejected rows back in the format they came in, with their reasons.

The agency fixes the rows in the file it knows and sends it back unchanged otherwise; the
`quarantine_id` column routes each fixed row to its entry (closed when the row now passes,
updated when it still fails) and `quarantine_reasons` is ignored on the way in.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

from xinyong.ingest.quarantine import QUARANTINE_ID, QUARANTINE_REASONS, Entry


def _columns(entries: Sequence[Entry]) -> list[str]:
    seen: dict[str, None] = {}
    for entry in entries:
        seen.update(dict.fromkeys(entry.data))
    return [*seen, QUARANTINE_ID, QUARANTINE_REASONS]


def _values(entry: Entry, columns: list[str]) -> list[str]:
    extra = {QUARANTINE_ID: str(entry.id), QUARANTINE_REASONS: "；".join(entry.reasons)}
    return [extra.get(c, entry.data.get(c, "")) for c in columns]


# A CSV opened in Excel runs a cell beginning with one of these as a formula; a leading
# apostrophe keeps it text, and ingest drops the apostrophe again on rows that come back.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def unescape_formula(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value


def _target(out: Path, stem: str, suffix: str) -> Path:
    """A name in `out` no earlier export file of this run took: files from two folders, or
    x.xls beside x.xlsx, must not overwrite each other."""
    target = out / f"{stem}.quarantine{suffix}"
    number = 2
    while target.exists():
        target = out / f"{stem}.quarantine-{number}{suffix}"
        number += 1
    return target


def export_entries(entries: Sequence[Entry], out: Path) -> list[Path]:
    """Write one file per original file into `out` (never overwriting); returns them."""
    out.mkdir(parents=True, exist_ok=True)
    by_file: dict[str, list[Entry]] = {}
    for entry in entries:
        by_file.setdefault(entry.file, []).append(entry)
    written = []
    for original, group in sorted(by_file.items()):
        source = Path(original)
        suffix = source.suffix.lower()
        if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
            target = _target(out, source.stem, ".xlsx")
            _write_xlsx(target, group)
        elif suffix in (".jsonl", ".ndjson"):
            target = _target(out, source.stem, ".jsonl")
            _write_jsonl(target, group)
        else:
            target = _target(out, source.stem, ".csv")
            _write_csv(target, group)
        written.append(target)
    return written


def _write_csv(target: Path, entries: Sequence[Entry]) -> None:
    columns = _columns(entries)
    # UTF-8 with a BOM: Excel on a clerk's desk opens it with the Chinese intact.
    with target.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for entry in sorted(entries, key=lambda e: e.row):
            writer.writerow([escape_formula(v) for v in _values(entry, columns)])


def _write_jsonl(target: Path, entries: Sequence[Entry]) -> None:
    with target.open("w", encoding="utf-8") as fh:
        for entry in sorted(entries, key=lambda e: e.row):
            obj = {
                **entry.data,
                QUARANTINE_ID: str(entry.id),
                QUARANTINE_REASONS: "；".join(entry.reasons),
            }
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _write_xlsx(target: Path, entries: Sequence[Entry]) -> None:
    # Cells are written as text, never as formulas or links: a row is data, and "=cmd|..." in
    # an agency file must not become a live formula on a clerk's desk.
    options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    book = xlsxwriter.Workbook(str(target), options)
    try:
        sheets: dict[str, list[Entry]] = {}
        for entry in entries:
            sheets.setdefault(entry.sheet or "Sheet1", []).append(entry)
        for name, group in sheets.items():
            sheet = book.add_worksheet(name[:31])
            columns = _columns(group)
            sheet.write_row(0, 0, columns)
            for i, entry in enumerate(sorted(group, key=lambda e: e.row), start=1):
                sheet.write_row(i, 0, _values(entry, columns))
    finally:
        book.close()
