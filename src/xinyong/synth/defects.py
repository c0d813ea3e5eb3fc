"""Deliberate damage of the kinds real agency files carry, for testing ingest and quarantine.

Each kind hits roughly ``rate`` of the rows it can apply to, independently, from random streams
of its own, so the clean content underneath is the same at every rate: a test can generate the
same seed at 0 and at 0.05 and compare row by row. Kinds never mask each other (a blanked field is
never also converted, a placeholder code never also given a bad check character), so every count
in the manifest is what a checker finds:

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

Record rows (licences and penalties; the registry has none of these fields) also get:

- ``bad_amount`` (penalties with a fine): 罚款金额（万元） negative (``-0.5``), in words
  (``五千元``) or with a comma (``2,5万``, ``20,000元``) — invalid;
- ``bad_party_category``: 行政相对人类别 outside 法人及非法人组织 / 自然人 / 个体工商户
  (``公司``, ``企业法人``, ``其它``, …) — invalid;
- ``publicity_before_decision`` (penalties): 公示截止期 1 to 90 days before 处罚决定日期 — invalid;
- ``valid_to_before_from`` (licences): 有效期至 1 to 365 days before 有效期自 — invalid;
- ``future_decision``: every date of the record moved by the same number of days, so that the
  decision date falls one to two years after ``REFERENCE_DATE`` (far enough to be in the future
  still for an ingest that judges by the real today, run a while later) and the other dates
  keep their order — invalid;
- ``correction``: after a valid row, a copy of one of the file's last valid rows (same decision
  document number) with one content field changed — the fine, or 处罚内容 / 许可内容 with
  ``（更正）`` appended — valid, a new version of that record. A row is corrected at most once,
  and a later ``duplicate_row`` may copy the new version but never the old one, so the
  correction stays the record's last word;
- ``placeholder_code`` (organisations, 法人及非法人组织): the USCC written ``00000000000000000X``
  and 组织机构代码 the real organisation code (USCC positions 9–17, as ``12345678X`` or
  ``12345678-X``); any other column holding the USCC (税务登记号, 社会组织登记证号) emptied —
  a legacy identifier only, valid, resolved by organisation code;
- ``name_only`` (organisations and individual businesses, where the row carries the subject's
  current name): all six identifier columns empty, the exact current name given — valid when
  the name is unambiguous (generated names are unique).

``placeholder_code`` and ``name_only`` are only given to rows with no invalid defect and whose
code (and, for ``name_only``, name) no other defect touches, so that each such row exercises
subject resolution and nothing else; a ``correction`` only copies a row with no invalid defect.

Counts exclude duplicates and corrections: a duplicated row repeats its original's defects but is
counted once, as ``duplicate_row``; a correction repeats its original's defects (but the changed
field) and is counted once, as ``correction``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import opencc

from xinyong.synth.formats import wan, yuan_of
from xinyong.synth.identifiers import USCC_ALPHABET
from xinyong.synth.records import OPEN_ENDED
from xinyong.synth.subjects import INDIVIDUAL_BUSINESS, ORGANISATION, REFERENCE_DATE
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
    "bad_amount",
    "bad_party_category",
    "publicity_before_decision",
    "valid_to_before_from",
    "future_decision",
    "correction",
    "placeholder_code",
    "name_only",
)
EXCEL_DATE_FACTOR = 10
PLACEHOLDER_USCC = "00000000000000000X"
BAD_CATEGORIES: tuple[str, ...] = ("公司", "企业法人", "其它", "企业", "单位")
CORRECTION_MARK = "（更正）"
IDENTIFIER_HEADERS: tuple[str, ...] = (
    "统一社会信用代码", "工商注册号", "组织机构代码", "税务登记号", "事业单位证书号",
    "社会组织登记证号",
)  # fmt: skip
FUTURE_DAYS = (366, 730)  # a year or two after the reference date: still future if run later
OPEN_ENDED_ISO = OPEN_ENDED.isoformat()  # a licence without end keeps it when dates move
_RIC_ALPHABET = "0123456789X"
_CN_DIGITS = "零一二三四五六七八九"
_CN_UNITS = ("", "十", "百", "千")


@dataclass(frozen=True, slots=True)
class Layout:
    """Which columns of a file the defects touch (``None`` where the file has no such column)."""

    name: int
    code: int  # 统一社会信用代码
    person_code: int | None  # 证件号码, used where the USCC is empty (natural persons)
    decision_date: int
    dates: tuple[int, ...]  # every date column, the decision date included
    missing: tuple[int, ...]  # columns ``missing_field`` may blank
    category: int | None = None  # 行政相对人类别
    document: int | None = None  # the decision document number, the record's key
    content: int | None = None  # 处罚内容 / 许可内容
    fine: int | None = None  # 罚款金额（万元）
    publicity_end: int | None = None  # 公示截止期
    valid_from: int | None = None  # 有效期自
    valid_to: int | None = None  # 有效期至
    org_code: int | None = None  # 组织机构代码
    identifiers: tuple[int, ...] = ()  # every identifier column, the USCC included


def layout_for(
    headers: tuple[str, ...], name: str, decision_date: str, dates: tuple[str, ...], *missing: str
) -> Layout:
    """A layout from column names, so it cannot drift from the headers."""
    index = {header: position for position, header in enumerate(headers)}

    def first(*names: str) -> int | None:
        return next((index[n] for n in names if n in index), None)

    return Layout(
        name=index[name],
        code=index["统一社会信用代码"],
        person_code=index.get("证件号码"),
        decision_date=index[decision_date],
        dates=tuple(index[column] for column in dates),
        missing=tuple(index[column] for column in missing),
        category=index.get("行政相对人类别"),
        document=first("行政处罚决定书文号", "行政许可决定文书号"),
        content=first("处罚内容", "许可内容"),
        fine=index.get("罚款金额（万元）"),
        publicity_end=index.get("公示截止期"),
        valid_from=index.get("有效期自"),
        valid_to=index.get("有效期至"),
        org_code=index.get("组织机构代码"),
        identifiers=tuple(index[h] for h in IDENTIFIER_HEADERS if h in index),
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


def chinese_number(value: int) -> str:
    """A whole number in Chinese numerals: 5000 -> 五千, 12050 -> 一万二千零五十, 15 -> 十五."""
    if not 0 <= value < 10**12:
        raise ValueError("only 0 to 10^12 - 1")
    if value == 0:
        return _CN_DIGITS[0]
    out, zero = "", False
    for unit, section in (
        ("亿", value // 10**8),
        ("万", value // 10**4 % 10**4),
        ("", value % 10**4),
    ):
        if section == 0:
            zero = bool(out)
            continue
        if out and (zero or section < 1000):
            out += _CN_DIGITS[0]
        out += _section(section) + unit
        zero = section % 10 == 0  # 一百万零二千: the zeros at the end of a section are read
    return out[1:] if out.startswith("一十") else out


def _section(value: int) -> str:
    """1 to 9999 in Chinese numerals, zeros inside written once: 1050 -> 一千零五十."""
    out, zero = "", False
    for power in (3, 2, 1, 0):
        digit = value // 10**power % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += _CN_DIGITS[0]
            zero = False
        out += _CN_DIGITS[digit] + _CN_UNITS[power]
    return out


def bad_amount(fine: str, style: int) -> str:
    """An amount in 万元 spoiled: negative (0), in words (1), or with a comma (2)."""
    if style == 0:
        return "-" + fine
    yuan = yuan_of(fine)
    if style == 1:
        return chinese_number(yuan) + "元"
    if "." in fine:
        return fine.replace(".", ",") + "万"
    return f"{yuan:,}元"


def _shift(iso: str, days: int) -> str:
    return (date.fromisoformat(iso) + timedelta(days=days)).isoformat()


class Defects:
    """Damages rows at a fixed rate and keeps count of what it did.

    Two random streams: the original one (the first eight kinds, in the order they were added)
    and one for the later kinds, so adding kinds did not move the earlier kinds' defects.
    """

    def __init__(self, seed: int, rate: float) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("the defect rate is a share of rows, between 0 and 1")
        self.rate = rate
        self.rng = random.Random(f"xinyong-defects-{seed}")
        self.more = random.Random(f"xinyong-defects-records-{seed}")
        self.counts: dict[str, int] = dict.fromkeys(DEFECT_KINDS, 0)
        self._s2t = opencc.OpenCC("s2t") if rate > 0 else None

    def damage(
        self, row: list[str], layout: Layout, xlsx: bool, current_name: str | None = None
    ) -> tuple[list[Cell], bool]:
        """A copy of ``row`` with this row's share of defects applied, and whether it is valid.

        ``current_name`` is the subject's current name where the row is about a registered
        subject (``name_only`` needs the row to carry it).
        """
        if self.rate <= 0:
            return list(row), True
        rng, rate, cells = self.rng, self.rate, list(row)
        bad, mixed, wide, traditional, spaces, missing = (rng.random() < rate for _ in range(6))
        code = (
            layout.code if cells[layout.code] or layout.person_code is None else layout.person_code
        )
        blank = rng.choice(layout.missing) if missing else None
        dates = [column for column in layout.dates if column != blank and cells[column]]
        invalid = bad or missing
        if layout.document is not None:
            invalid = self._record_values(cells, layout, blank) or invalid
            self._identity(cells, layout, invalid, current_name, bad, wide, traditional, spaces)

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
        return out, not invalid

    def _record_values(self, cells: list[str], layout: Layout, blank: int | None) -> bool:
        """The invalid values of record rows (on the ISO dates, before any reformatting)."""
        more, rate = self.more, self.rate
        amount, category, publicity, valid_to, future = (more.random() < rate for _ in range(5))
        dated = blank != layout.decision_date
        invalid = False
        if future and dated:
            decided = date.fromisoformat(cells[layout.decision_date])
            days = (REFERENCE_DATE - decided).days + more.randint(*FUTURE_DAYS)
            for column in layout.dates:
                if cells[column] and cells[column] != OPEN_ENDED_ISO:
                    cells[column] = _shift(cells[column], days)
            self.counts["future_decision"] += 1
            invalid = True
        if publicity and dated and layout.publicity_end is not None:
            before = -more.randint(1, 90)
            cells[layout.publicity_end] = _shift(cells[layout.decision_date], before)
            self.counts["publicity_before_decision"] += 1
            invalid = True
        if valid_to and layout.valid_from is not None and layout.valid_to is not None:
            cells[layout.valid_to] = _shift(cells[layout.valid_from], -more.randint(1, 365))
            self.counts["valid_to_before_from"] += 1
            invalid = True
        if amount and layout.fine is not None and cells[layout.fine]:
            cells[layout.fine] = bad_amount(cells[layout.fine], more.randrange(3))
            self.counts["bad_amount"] += 1
            invalid = True
        if category and layout.category is not None:
            cells[layout.category] = more.choice(BAD_CATEGORIES)
            self.counts["bad_party_category"] += 1
            invalid = True
        return invalid

    def _identity(
        self,
        cells: list[str],
        layout: Layout,
        invalid: bool,
        current_name: str | None,
        *touched: bool,
    ) -> None:
        """``placeholder_code`` or ``name_only``, on valid rows whose code nothing else touches.

        ``touched`` are the draws of ``bad_check_character``, ``full_width``,
        ``traditional_name`` and ``stray_spaces`` for this row.
        """
        more, rate = self.more, self.rate
        placeholder, name_only = more.random() < rate, more.random() < rate
        hyphen = more.random() < 0.5
        bad, wide, traditional, spaces = touched
        uscc = cells[layout.code]
        if invalid or bad or wide or spaces or not uscc or layout.category is None:
            return
        category = cells[layout.category]
        if placeholder and category == ORGANISATION and layout.org_code is not None:
            for column in layout.identifiers:
                if cells[column] == uscc:
                    cells[column] = ""
            org_code = uscc[8:17]
            cells[layout.org_code] = f"{org_code[:8]}-{org_code[8]}" if hyphen else org_code
            cells[layout.code] = PLACEHOLDER_USCC
            self.counts["placeholder_code"] += 1
        elif (
            name_only
            and not traditional
            and category in (ORGANISATION, INDIVIDUAL_BUSINESS)
            and cells[layout.name] == current_name
        ):
            for column in layout.identifiers:
                cells[column] = ""
            self.counts["name_only"] += 1

    def duplicate(self) -> bool:
        """Whether to repeat an earlier row after this one (and count it)."""
        if self.rate <= 0 or self.rng.random() >= self.rate:
            return False
        self.counts["duplicate_row"] += 1
        return True

    def correction(self, layout: Layout) -> float | None:
        """Whether to correct a recent valid row after this one: where among them, in [0, 1).

        Draws for every record row, so the stream does not depend on which rows qualify; the
        caller picks the row and ``corrected`` makes (and counts) its new version.
        """
        if self.rate <= 0 or layout.document is None:
            return None
        hit, pick = self.more.random() < self.rate, self.more.random()
        return pick if hit else None

    def corrected(self, row: list[Cell], layout: Layout) -> list[Cell]:
        """A new version of ``row``: the fine raised (where there is one) or the content amended."""
        self.counts["correction"] += 1
        cells = list(row)
        fine = cells[layout.fine] if layout.fine is not None else ""
        if isinstance(fine, str) and fine and layout.fine is not None:
            cells[layout.fine] = wan(yuan_of(fine) + self.more.choice((500, 1000, 2000, 5000)))
        elif layout.content is not None:
            cells[layout.content] = f"{cells[layout.content]}{CORRECTION_MARK}"
        return cells


def _spaced(rng: random.Random, text: str) -> str:
    """``text`` with a space (or two) before, after or inside it."""
    where = rng.randrange(4)
    if where == 0 or len(text) < 2:
        return " " + text
    if where == 1:
        return text + "  "
    cut = rng.randrange(1, len(text))
    return text[:cut] + (" " if where == 2 else "  ") + text[cut:]
