"""Deliberate damage of the kinds real agency files carry, for testing ingest and quarantine.

Each kind hits roughly ``rate`` of the rows, independently, from a random stream of its own, so
the clean content underneath is the same at every rate: a test can generate the same seed at 0
and at 0.05 and compare row by row. Kinds never mask each other (a blanked field is never also
converted), so every count in the manifest is what a checker finds:

- ``bad_check_character``: the last character of the USCC (or resident ID) replaced — invalid;
- ``full_width``: the code and/or the dates in full-width characters — valid after NFKC;
- ``traditional_name``: the name in traditional characters (OpenCC s2t) — the same subject;
- ``mixed_date_format``: dates as 2023/5/1, 2023年5月1日 or 20230501 — valid;
- ``duplicate_row``: an exact copy of one of the previous rows of the same file;
- ``missing_field``: the name, the document number or the decision date left empty;
- ``stray_spaces``: spaces around or inside the name and/or the code;
- ``excel_date_cell`` (XLSX only): the decision date as a real Excel date cell, not text. Sheets
  typed by hand mostly hold real dates, so this kind is ten times as frequent as the others
  (capped at every row).

Counts exclude duplicates: a duplicated row repeats its original's defects but is counted once,
as ``duplicate_row``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import opencc

from xinyong.synth.identifiers import USCC_ALPHABET
from xinyong.synth.writers import Cell

DEFECT_KINDS: tuple[str, ...] = (
    "bad_check_character",
    "full_width",
    "traditional_name",
    "mixed_date_format",
    "duplicate_row",
    "missing_field",
    "stray_spaces",
    "excel_date_cell",
)
EXCEL_DATE_FACTOR = 10
_RIC_ALPHABET = "0123456789X"


@dataclass(frozen=True, slots=True)
class Layout:
    """Which columns of a file the defects touch."""

    name: int
    code: int  # 统一社会信用代码
    person_code: int | None  # 证件号码, used where the USCC is empty (natural persons)
    decision_date: int
    dates: tuple[int, ...]  # every date column, the decision date included
    missing: tuple[int, ...]  # columns ``missing_field`` may blank


def layout_for(
    headers: tuple[str, ...], name: str, decision_date: str, dates: tuple[str, ...], *missing: str
) -> Layout:
    """A layout from column names, so it cannot drift from the headers."""
    index = {header: position for position, header in enumerate(headers)}
    return Layout(
        name=index[name],
        code=index["统一社会信用代码"],
        person_code=index.get("证件号码"),
        decision_date=index[decision_date],
        dates=tuple(index[column] for column in dates),
        missing=tuple(index[column] for column in missing),
    )


def full_width(text: str) -> str:
    """ASCII letters, digits and punctuation as their full-width forms (NFKC undoes it)."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def reformat_date(iso: str, style: int) -> str:
    """2023-05-01 as 2023/5/1 (style 0), 2023年5月1日 (1) or 20230501 (2)."""
    day = date.fromisoformat(iso)
    if style == 0:
        return f"{day.year}/{day.month}/{day.day}"
    if style == 1:
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day:%Y%m%d}"


class Defects:
    """Damages rows at a fixed rate and keeps count of what it did."""

    def __init__(self, seed: int, rate: float) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("the defect rate is a share of rows, between 0 and 1")
        self.rate = rate
        self.rng = random.Random(f"xinyong-defects-{seed}")
        self.counts: dict[str, int] = dict.fromkeys(DEFECT_KINDS, 0)
        self._s2t = opencc.OpenCC("s2t") if rate > 0 else None

    def damage(self, row: list[str], layout: Layout, xlsx: bool) -> list[Cell]:
        """A copy of ``row`` with this row's share of defects applied."""
        if self.rate <= 0:
            return list(row)
        rng, rate, cells = self.rng, self.rate, list(row)
        bad, mixed, wide, traditional, spaces, missing = (rng.random() < rate for _ in range(6))
        code = (
            layout.code if cells[layout.code] or layout.person_code is None else layout.person_code
        )
        blank = rng.choice(layout.missing) if missing else None
        dates = [column for column in layout.dates if column != blank and cells[column]]

        if bad:
            alphabet = USCC_ALPHABET if code == layout.code else _RIC_ALPHABET
            last = cells[code][-1]
            cells[code] = cells[code][:-1] + rng.choice(alphabet.replace(last, ""))
            self.counts["bad_check_character"] += 1
        if mixed and dates:
            style = rng.randrange(3)
            for column in dates:
                cells[column] = reformat_date(cells[column], style)
            self.counts["mixed_date_format"] += 1
        wide_dates = False
        if wide:
            target = rng.randrange(3) if dates else 0  # code, dates, or both
            if target != 1:
                cells[code] = full_width(cells[code])
            if target != 0:
                wide_dates = True
                for column in dates:
                    cells[column] = full_width(cells[column])
            self.counts["full_width"] += 1
        if traditional and blank != layout.name and self._s2t is not None:
            converted: str = self._s2t.convert(cells[layout.name])
            if converted != cells[layout.name]:
                cells[layout.name] = converted
                self.counts["traditional_name"] += 1
        if spaces:
            target = rng.randrange(3) if blank != layout.name else 1  # name, code, or both
            if target != 1:
                cells[layout.name] = _spaced(rng, cells[layout.name])
            if target != 0:
                cells[code] = _spaced(rng, cells[code])
            self.counts["stray_spaces"] += 1
        if blank is not None:
            cells[blank] = ""
            self.counts["missing_field"] += 1

        out: list[Cell] = list(cells)
        if xlsx and rng.random() < min(1.0, EXCEL_DATE_FACTOR * rate):
            column = layout.decision_date
            if column != blank and not (mixed and dates) and not wide_dates:
                out[column] = date.fromisoformat(cells[column])
                self.counts["excel_date_cell"] += 1
        return out

    def duplicate(self) -> bool:
        """Whether to repeat an earlier row after this one (and count it)."""
        if self.rate <= 0 or self.rng.random() >= self.rate:
            return False
        self.counts["duplicate_row"] += 1
        return True


def _spaced(rng: random.Random, text: str) -> str:
    """``text`` with a space (or two) before, after or inside it."""
    where = rng.randrange(4)
    if where == 0 or len(text) < 2:
        return " " + text
    if where == 1:
        return text + "  "
    cut = rng.randrange(1, len(text))
    return text[:cut] + (" " if where == 2 else "  ") + text[cut:]
