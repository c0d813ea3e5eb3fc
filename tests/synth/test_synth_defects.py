"""Defects: every kind appears at a 5% rate, deterministically, and the manifest counts are exact.

The defective run uses the same seed as the clean one, so after removing the duplicated rows the
two line up row for row, and each defect can be recounted by comparing them.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import opencc
from stdnum.cn import ric, uscc

from xinyong.synth import DEFECT_KINDS, Manifest
from xinyong.synth.defects import full_width, reformat_date

Run = tuple[Path, Manifest]
Reader = Callable[[Path], list[list[object]]]

NAME = {"registry": "企业名称", "licence": "行政相对人名称", "penalty": "行政相对人名称"}
DATES = {
    "registry": ("成立日期",),
    "licence": ("许可决定日期", "有效期自", "有效期至"),
    "penalty": ("处罚决定日期", "处罚有效期", "公示截止期"),
}
MISSING = {
    "registry": ("企业名称", "成立日期"),
    "licence": ("行政相对人名称", "行政许可决定文书号", "许可决定日期"),
    "penalty": ("行政相对人名称", "行政处罚决定书文号", "处罚决定日期"),
}


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


def _recount(clean: Run, dirty: Run, rows_of: Reader) -> Counter[str]:
    """Each defect kind as found by comparing the defective files with the clean ones."""
    s2t = opencc.OpenCC("s2t")
    found: Counter[str] = Counter()
    for entry in dirty[1].files:
        header, *clean_rows = rows_of(clean[0] / entry.path)
        _, *dirty_rows = rows_of(dirty[0] / entry.path)
        seen: set[tuple[str, ...]] = set()
        kept: list[list[object]] = []
        for row in dirty_rows:
            key = _key(row)
            if key in seen:
                found["duplicate_row"] += 1
                continue
            seen.add(key)
            kept.append(row)
        assert len(kept) == len(clean_rows), entry.path
        col = {name: position for position, name in enumerate(header)}
        name, dates, missing = NAME[entry.kind], DATES[entry.kind], MISSING[entry.kind]
        for before, after in zip(clean_rows, kept, strict=True):
            was = {h: str(before[col[h]]) for h in header}
            now = {h: after[col[h]] for h in header}
            if any(isinstance(now[h], date) for h in header):
                found["excel_date_cell"] += 1
            text = {h: _as_text(now[h]) for h in header}
            code = "统一社会信用代码" if was["统一社会信用代码"] else "证件号码"
            if any(not text[h] and was[h] for h in missing):
                found["missing_field"] += 1
            if _is_wide(text[code]) or any(_is_wide(text[h]) for h in dates):
                found["full_width"] += 1
            if " " in text[name] or " " in text[code]:
                found["stray_spaces"] += 1
            if text[name] and text[name].replace(" ", "") != was[name]:
                assert text[name].replace(" ", "") == s2t.convert(was[name])
                found["traditional_name"] += 1
            if any(text[h] and _normal(text[h]) != was[h] for h in dates):
                found["mixed_date_format"] += 1
            checked = _normal(text[code])
            valid = uscc.is_valid if code == "统一社会信用代码" else ric.is_valid
            assert valid(was[code])
            if not valid(checked):
                assert checked[:-1] == was[code][:-1]
                found["bad_check_character"] += 1
            for h in header:  # nothing else is touched
                if h not in {name, code, *dates, *missing}:
                    assert text[h] == was[h], (entry.path, h)
    return found


def test_every_defect_kind_appears_and_is_counted_exactly(
    clean_run: Run, defective_run: Run, rows_of: Reader
) -> None:
    counts = defective_run[1].defect_counts
    assert set(counts) == set(DEFECT_KINDS)
    assert all(counts[kind] > 0 for kind in DEFECT_KINDS), counts
    assert dict(_recount(clean_run, defective_run, rows_of)) == counts


def test_defects_are_near_their_rate(defective_run: Run) -> None:
    _, manifest = defective_run
    rows = sum(entry.rows for entry in manifest.files) - manifest.defect_counts["duplicate_row"]
    for kind in ("bad_check_character", "full_width", "missing_field", "stray_spaces"):
        assert 0.03 < manifest.defect_counts[kind] / rows < 0.07, kind


def test_defects_are_deterministic(defective_run: Run, defective_run_again: Run) -> None:
    (first, manifest), (second, _) = defective_run, defective_run_again
    for name in [entry.path for entry in manifest.files] + ["manifest.json"]:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_defects_do_not_change_the_clean_content_underneath(
    clean_run: Run, defective_run: Run
) -> None:
    clean, dirty = clean_run[1], defective_run[1]
    assert clean.subjects == dirty.subjects
    for before, after in zip(clean.files, dirty.files, strict=True):
        assert before.path == after.path
        assert after.rows >= before.rows


def test_value_transformations() -> None:
    assert full_width("9133-01") == "９１３３－０１"
    assert unicodedata.normalize("NFKC", full_width("2023-05-01")) == "2023-05-01"
    assert reformat_date("2023-05-01", 0) == "2023/5/1"
    assert reformat_date("2023-05-01", 1) == "2023年5月1日"
    assert reformat_date("2023-05-01", 2) == "20230501"
