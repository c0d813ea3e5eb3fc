"""Defects: every kind appears, deterministically, and the manifest counts are exact.

A defective run uses the same seed as a clean one, so after removing the duplicated and the
correcting rows the two line up row for row, and each defect is recounted by comparing them: the
checker reads the files back as ingest would (CSV in the manifest's encoding, XLSX with
python-calamine below any title row, JSON Lines with ``json``), finds every defect from what it
sees, and checks that nothing a found defect does not explain has changed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import opencc
import pytest
from python_calamine import CalamineWorkbook
from stdnum.cn import ric, uscc

from xinyong.synth import DEFECT_KINDS, REFERENCE_DATE, GeneratedFile, Manifest
from xinyong.synth.defects import (
    BAD_CATEGORIES,
    CORRECTION_MARK,
    FUTURE_DAYS,
    IDENTIFIER_HEADERS,
    PLACEHOLDER_USCC,
    bad_amount,
    chinese_number,
    full_width,
    reformat_date,
)
from xinyong.synth.formats import yuan_of

Run = tuple[Path, Manifest]
EntryReader = Callable[[Path, GeneratedFile], list[list[object]]]

NAME = {"registry": "企业名称", "licence": "行政相对人名称", "penalty": "行政相对人名称"}
DATES = {  # the decision date first
    "registry": ("成立日期",),
    "licence": ("许可决定日期", "有效期自", "有效期至"),
    "penalty": ("处罚决定日期", "处罚有效期", "公示截止期"),
}
MISSING = {
    "registry": ("企业名称", "成立日期"),
    "licence": ("行政相对人名称", "行政许可决定文书号", "许可决定日期"),
    "penalty": ("行政相对人名称", "行政处罚决定书文号", "处罚决定日期"),
}
DOCUMENT = {"licence": "行政许可决定文书号", "penalty": "行政处罚决定书文号"}
CONTENT = {"licence": "许可内容", "penalty": "处罚内容"}
USCC, ORG_CODE, CATEGORY, FINE = (
    "统一社会信用代码",
    "组织机构代码",
    "行政相对人类别",
    "罚款金额（万元）",
)
CATEGORIES = {"法人及非法人组织", "自然人", "个体工商户"}
INVALID = {
    "bad_check_character",
    "missing_field",
    "bad_amount",
    "bad_party_category",
    "publicity_before_decision",
    "valid_to_before_from",
    "future_decision",
}
AMOUNT = re.compile(r"\d+(\.\d{1,4})?")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_FORMATS = tuple(
    re.compile(pattern)
    for pattern in (
        r"(\d{4})-(\d{2})-(\d{2})",
        r"(\d{4})/(\d{1,2})/(\d{1,2})",
        r"(\d{4})年(\d{1,2})月(\d{1,2})日",
        r"(\d{4})(\d{2})(\d{2})",
    )
)
OPEN_ENDED = "2099-12-31"


def _as_text(cell: object) -> str:
    return cell.isoformat() if isinstance(cell, date) else str(cell)


def _key(row: list[object]) -> tuple[str, ...]:
    return tuple(
        f"date:{cell.isoformat()}" if isinstance(cell, date) else str(cell) for cell in row
    )


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "")


def _is_wide(text: str) -> bool:
    return any("\uff01" <= char <= "\uff5e" for char in text)


def _day(cell: object) -> date:
    """A date cell, or a date in any of the formats the generator writes."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _normal(str(cell))
    for pattern in DATE_FORMATS:
        match = pattern.fullmatch(text)
        if match:
            return date(*map(int, match.groups()))
    raise AssertionError(f"not a date: {cell!r}")


class Checker:
    """Finds the defects of a damaged run by reading it back beside its clean twin."""

    def __init__(self, clean: Run, read: EntryReader) -> None:
        self.clean = clean
        self.read = read
        self.s2t = opencc.OpenCC("s2t")
        registry = read(clean[0], clean[1].files[0])
        self.current_names = {str(row[1]) for row in registry[1:]}
        self.found: Counter[str] = Counter()

    def recount(self, dirty: Run) -> Counter[str]:
        """Every defect of every file of ``dirty``."""
        clean_files = {(e.kind, e.source): e for e in self.clean[1].files}
        for entry in dirty[1].files:
            self.file(self.clean[0], clean_files[(entry.kind, entry.source)], dirty[0], entry)
        return self.found

    def file(
        self, clean_root: Path, clean: GeneratedFile, root: Path, entry: GeneratedFile
    ) -> None:
        header, *clean_rows = self.read(clean_root, clean)
        dirty_header, *dirty_rows = self.read(root, entry)
        assert dirty_header == header, entry.path
        assert len(dirty_rows) == entry.rows, entry.path
        names = [str(h) for h in header]
        document = DOCUMENT.get(entry.kind)
        seen: set[tuple[str, ...]] = set()
        versions: dict[str, tuple[list[object], set[str]]] = {}
        kept = 0
        for row in dirty_rows:
            key = _key(row)
            if key in seen:
                self.found["duplicate_row"] += 1
                continue
            seen.add(key)
            now = dict(zip(names, row, strict=True))
            number = str(now[document]) if document else ""
            if number in versions:
                self._correction(entry.kind, names, versions[number], row)
                continue
            was = dict(zip(names, map(str, clean_rows[kept]), strict=True))
            kept += 1
            found = self.row(entry.kind, was, now)
            self.found.update(found)
            if number:
                versions[number] = (row, found)
        assert kept == len(clean_rows), entry.path

    def _correction(
        self, kind: str, names: list[str], earlier: tuple[list[object], set[str]], row: list[object]
    ) -> None:
        """A row repeating an earlier document number: one content field changed."""
        before, defects = earlier
        assert not defects & INVALID, defects  # only valid rows are corrected
        changed = [
            (name, str(old), str(new))
            for name, old, new in zip(names, before, row, strict=True)
            if _key([old]) != _key([new])
        ]
        assert len(changed) == 1, changed
        name, old, new = changed[0]
        if name == FINE:
            assert kind == "penalty" and yuan_of(new) > yuan_of(old)
        else:
            assert name == CONTENT[kind] and new == old + CORRECTION_MARK
        self.found["correction"] += 1

    def row(self, kind: str, was: dict[str, str], now: dict[str, object]) -> set[str]:
        """The defects of one row, given its clean version."""
        found: set[str] = set()
        text = {h: _as_text(v) for h, v in now.items()}
        name, dates, missing = NAME[kind], DATES[kind], MISSING[kind]
        touched = {name, *dates, *missing}
        if any(isinstance(v, date) for v in now.values()):
            found.add("excel_date_cell")
        if any(not text[h] and was[h] for h in missing):
            found.add("missing_field")

        record = kind != "registry"
        if record and was[USCC] and text[USCC] == PLACEHOLDER_USCC:
            found.add("placeholder_code")
            assert was[CATEGORY] == "法人及非法人组织"
            org = was[USCC][8:17]
            assert text[ORG_CODE] in (org, f"{org[:8]}-{org[8]}")
            for h in IDENTIFIER_HEADERS[1:]:
                if h != ORG_CODE:
                    assert text[h] == ("" if was[h] == was[USCC] else was[h]), h
            touched.update(IDENTIFIER_HEADERS)
        elif record and was[USCC] and not any(text[h] for h in IDENTIFIER_HEADERS):
            found.add("name_only")
            assert text[name] == was[name] and was[name] in self.current_names
            touched.update(IDENTIFIER_HEADERS)
        else:
            code = USCC if was[USCC] else "证件号码"
            touched.add(code)
            checked = _normal(text[code])
            valid = uscc.is_valid if code == USCC else ric.is_valid
            assert valid(was[code])
            if not valid(checked):
                assert checked[:-1] == was[code][:-1]
                found.add("bad_check_character")
            if _is_wide(text[code]):
                found.add("full_width")
            if " " in text[code]:
                found.add("stray_spaces")

        if " " in text[name]:
            found.add("stray_spaces")
        if text[name] and text[name].replace(" ", "") != was[name]:
            assert text[name].replace(" ", "") == self.s2t.convert(was[name])
            found.add("traditional_name")

        if record and text[CATEGORY] not in CATEGORIES:
            assert was[CATEGORY] in CATEGORIES and text[CATEGORY] in BAD_CATEGORIES
            found.add("bad_party_category")
            touched.add(CATEGORY)
        if kind == "penalty" and text[FINE] != was[FINE]:
            assert was[FINE] and not AMOUNT.fullmatch(text[FINE])
            found.add("bad_amount")
            touched.add(FINE)

        found |= self._dates(kind, was, now)
        for h in now:  # nothing else is touched
            if h not in touched:
                assert text[h] == was[h], h
        return found

    def _dates(self, kind: str, was: dict[str, str], now: dict[str, object]) -> set[str]:
        found: set[str] = set()
        cells = {h: now[h] for h in DATES[kind] if _as_text(now[h])}
        texts = [str(v) for v in cells.values() if not isinstance(v, date)]
        if any(not ISO_DATE.fullmatch(_normal(t)) for t in texts):
            found.add("mixed_date_format")
        if any(_is_wide(t) for t in texts):
            found.add("full_width")
        days = {h: _day(v) for h, v in cells.items()}
        decision = DATES[kind][0]
        shift = timedelta(0)
        if kind != "registry" and decision in days and days[decision] > REFERENCE_DATE:
            found.add("future_decision")
            assert FUTURE_DAYS[0] <= (days[decision] - REFERENCE_DATE).days <= FUTURE_DAYS[1]
            shift = days[decision] - date.fromisoformat(was[decision])
        for h, day in days.items():
            if h == "公示截止期" and decision in days and day < days[decision]:
                found.add("publicity_before_decision")
                continue
            if h == "有效期至" and day < days["有效期自"]:
                found.add("valid_to_before_from")
                continue
            expected = date.fromisoformat(was[h])
            assert day == (expected if was[h] == OPEN_ENDED else expected + shift), h
        return found


def test_every_defect_kind_appears_and_is_counted_exactly(
    clean_run: Run, defective_run: Run, entry_rows: EntryReader
) -> None:
    counts = defective_run[1].defect_counts
    assert set(counts) == set(DEFECT_KINDS)
    assert all(counts[kind] > 0 for kind in DEFECT_KINDS), counts
    assert dict(Checker(clean_run, entry_rows).recount(defective_run)) == counts


def test_heavy_damage_still_counts_exactly(
    small_clean_run: Run, heavy_run: Run, entry_rows: EntryReader
) -> None:
    """At 30% per kind most rows carry several defects: none may hide another."""
    counts = heavy_run[1].defect_counts
    assert all(counts[kind] > 0 for kind in DEFECT_KINDS), counts
    assert dict(Checker(small_clean_run, entry_rows).recount(heavy_run)) == counts


def test_no_defects_means_none_of_them(clean_run: Run, entry_rows: EntryReader) -> None:
    found = Checker(clean_run, entry_rows).recount(clean_run)
    assert sum(found.values()) == 0, found
    assert all(count == 0 for count in clean_run[1].defect_counts.values())


def _rows(manifest: Manifest, kind: str | None = None) -> int:
    return sum(e.rows for e in manifest.files if kind is None or e.kind == kind)


def test_defects_are_near_their_rate(defective_run: Run) -> None:
    _, manifest = defective_run
    counts = manifest.defect_counts
    rows = _rows(manifest) - counts["duplicate_row"] - counts["correction"]
    for kind in ("bad_check_character", "full_width", "missing_field", "stray_spaces"):
        assert 0.03 < counts[kind] / rows < 0.07, kind
    records = rows - _rows(manifest, "registry")  # near enough: registry copies are few
    for kind in ("bad_party_category", "future_decision", "correction"):
        assert 0.025 < counts[kind] / records < 0.075, kind
    # Resolution defects only go to otherwise valid organisation rows: rarer, but not rare.
    for kind in ("placeholder_code", "name_only"):
        assert 0.005 < counts[kind] / records < 0.05, kind


def test_defects_are_deterministic(defective_run: Run, defective_run_again: Run) -> None:
    (first, manifest), (second, _) = defective_run, defective_run_again
    for name in [entry.path for entry in manifest.files] + ["manifest.json"]:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_defects_do_not_change_the_clean_content_underneath(
    clean_run: Run, defective_run: Run
) -> None:
    """Same files (by kind and source); the row-by-row check is the recount above."""
    clean, dirty = clean_run[1], defective_run[1]
    assert clean.subjects == dirty.subjects
    for before, after in zip(clean.files, dirty.files, strict=True):
        assert (before.kind, before.source) == (after.kind, after.source)
        assert after.rows >= before.rows


def test_file_variants_only_with_defects(
    clean_run: Run, defective_run: Run, entry_rows: EntryReader
) -> None:
    for entry in clean_run[1].files:
        assert (entry.encoding, entry.title_row) == ("utf-8", False), entry
        assert entry.format in ("csv", "xlsx")
    root, manifest = defective_run
    variants = {(e.source, e.format, e.encoding) for e in manifest.files if e.kind == "penalty"}
    assert variants >= {
        ("samr", "csv", "utf-8-sig"),
        ("sta", "csv", "gb18030"),
        ("mem", "jsonl", "utf-8"),
    }
    for entry in manifest.files:
        raw = (root / entry.path).read_bytes()
        if entry.encoding == "utf-8-sig":
            assert raw.startswith(b"\xef\xbb\xbf")
        elif entry.encoding == "gb18030":
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
            assert "行政处罚决定书文号" in raw.decode("gb18030")
        elif entry.format != "xlsx":
            assert not raw.startswith(b"\xef\xbb\xbf")
            raw.decode("utf-8")
        if entry.format == "jsonl":
            assert entry.path == f"penalties/{entry.source}.jsonl" and entry.kind == "penalty"
            assert len(raw.splitlines()) == entry.rows and raw.endswith(b"\n")
        assert entry.title_row == (entry.format == "xlsx")


def test_spreadsheets_carry_a_title_row(defective_run: Run) -> None:
    root, manifest = defective_run
    titled = [entry for entry in manifest.files if entry.title_row]
    assert {e.path for e in titled} == {"penalties/mee.xlsx", "licences/mot.xlsx"}
    for entry in titled:
        first, header = (
            CalamineWorkbook.from_path(str(root / entry.path)).get_sheet_by_index(0).to_python()[:2]
        )
        what = "行政处罚" if entry.kind == "penalty" else "行政许可"
        agency = next(a["name"] for a in manifest.agencies if a["code"] == entry.source)
        assert first[0] == f"{REFERENCE_DATE.year}年{what}信息公示（{agency}）"
        assert not any(first[1:])
        assert header[0] == "行政相对人名称"


def test_old_manifests_still_read() -> None:
    text = (
        '{"agencies": [], "defect_counts": {}, "defects": 0.0, "reference_date": "2026-09-30",'
        ' "seed": 1, "subjects": 1, "files": [{"path": "registry.csv", "kind": "registry",'
        ' "format": "csv", "source": "samr", "rows": 1}]}'
    )
    entry = Manifest.from_json(text).files[0]
    assert (entry.encoding, entry.title_row, entry.rows) == ("utf-8", False, 1)


def test_value_transformations() -> None:
    assert full_width("9133-01") == "９１３３－０１"
    assert unicodedata.normalize("NFKC", full_width("2023-05-01")) == "2023-05-01"
    assert reformat_date("2023-05-01", 0) == "2023/5/1"
    assert reformat_date("2023-05-01", 1) == "2023年5月1日"
    assert reformat_date("2023-05-01", 2) == "20230501"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "零"),
        (15, "十五"),
        (110, "一百一十"),
        (1050, "一千零五十"),
        (5000, "五千"),
        (12000, "一万二千"),
        (100500, "十万零五百"),
        (1002000, "一百万零二千"),
        (10200000, "一千零二十万"),
        (300000000, "三亿"),
        (100000001, "一亿零一"),
    ],
)
def test_chinese_numbers(value: int, words: str) -> None:
    assert chinese_number(value) == words


def test_bad_amounts_are_never_decimals() -> None:
    assert bad_amount("0.5", 0) == "-0.5"
    assert bad_amount("0.5", 1) == "五千元"
    assert bad_amount("2.5", 2) == "2,5万"
    assert bad_amount("2", 2) == "20,000元"
    for fine in ("0.001", "0.5", "3", "12.345", "100"):
        for style in range(3):
            assert not AMOUNT.fullmatch(bad_amount(fine, style))
