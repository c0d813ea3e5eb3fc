"""``generate``: files, manifest, determinism and the shape of the clean data."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from stdnum.cn import ric, uscc

from xinyong.synth import (
    AGENCIES,
    DEFECT_KINDS,
    LICENCE_HEADERS,
    PENALTY_HEADERS,
    REFERENCE_DATE,
    REGISTRY_HEADERS,
    GeneratedFile,
    Manifest,
    generate,
    iter_subjects,
    registry_row,
)
from xinyong.synth.formats import add_months, add_years
from xinyong.synth.violations import LIGHT_CATEGORIES, SERIOUS_CATEGORIES

Run = tuple[Path, Manifest]
Reader = Callable[[Path], list[list[object]]]
EntryReader = Callable[[Path, GeneratedFile], list[list[object]]]
HEADERS = {"registry": REGISTRY_HEADERS, "licence": LICENCE_HEADERS, "penalty": PENALTY_HEADERS}


def _records(run: Run, kind: str, entry_rows: EntryReader) -> list[tuple[str, dict[str, str]]]:
    root, manifest = run
    found: list[tuple[str, dict[str, str]]] = []
    for entry in manifest.files:
        if entry.kind == kind:
            header, *rows = entry_rows(root, entry)
            found += [
                (entry.source, dict(zip(map(str, header), map(str, row), strict=True)))
                for row in rows
            ]
    return found


def test_files_are_listed_with_their_row_counts(
    clean_run: Run, defective_run: Run, entry_rows: EntryReader
) -> None:
    root, manifest = clean_run
    on_disk = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert on_disk == sorted([entry.path for entry in manifest.files] + ["manifest.json"])
    assert {entry.format for entry in manifest.files} == {"csv", "xlsx"}
    assert [a["code"] for a in manifest.agencies] == [
        "samr",
        "sta",
        "mee",
        "mem",
        "nhc",
        "mohurd",
        "mot",
    ]
    for run_root, run in (clean_run, defective_run):
        on_disk = sorted(str(p.relative_to(run_root)) for p in run_root.rglob("*") if p.is_file())
        assert on_disk == sorted([entry.path for entry in run.files] + ["manifest.json"])
        for entry in run.files:
            header, *rows = entry_rows(run_root, entry)
            assert tuple(header) == HEADERS[entry.kind], entry.path
            assert len(rows) == entry.rows, entry.path
            assert entry.path.endswith(f".{entry.format}")
            if entry.kind != "registry":
                folder = {"licence": "licences", "penalty": "penalties"}[entry.kind]
                assert entry.path == f"{folder}/{entry.source}.{entry.format}"
        sources = {(e.kind, e.source) for e in run.files if e.kind != "registry"}
        assert sources == {(kind, a.code) for kind in ("licence", "penalty") for a in AGENCIES}


@pytest.mark.parametrize("which", ["clean_run", "defective_run"])
def test_manifest_json_round_trips(which: str, request: pytest.FixtureRequest) -> None:
    root, manifest = request.getfixturevalue(which)
    text = (root / "manifest.json").read_text(encoding="utf-8")
    assert text == manifest.to_json()
    assert Manifest.from_json(text) == manifest
    data = json.loads(text)
    assert list(data) == sorted(data)
    assert data["reference_date"] == "2026-09-30"
    assert "国家市场监督管理总局" in text  # not \\u-escaped
    assert all({"encoding", "title_row"} <= set(entry) for entry in data["files"])
    if which == "clean_run":
        assert manifest.defect_counts == dict.fromkeys(DEFECT_KINDS, 0)


def test_same_parameters_give_byte_identical_files(clean_run: Run, clean_run_again: Run) -> None:
    (first, manifest), (second, _) = clean_run, clean_run_again
    for name in [entry.path for entry in manifest.files] + ["manifest.json"]:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_another_seed_gives_other_data(tmp_path: Path, clean_run: Run) -> None:
    root, _ = clean_run
    other = generate(tmp_path, 1500, 8)
    assert (tmp_path / "registry.csv").read_bytes() != (root / "registry.csv").read_bytes()
    assert other.seed == 8


def test_registry_is_the_subject_stream(clean_run: Run, rows_of: Reader) -> None:
    root, manifest = clean_run
    _, *rows = rows_of(root / "registry.csv")
    expected = [registry_row(s) for s in iter_subjects(manifest.subjects, manifest.seed)]
    assert rows == expected


def test_clean_registry_is_valid(clean_run: Run, rows_of: Reader) -> None:
    root, _ = clean_run
    header, *rows = rows_of(root / "registry.csv")
    column = {name: position for position, name in enumerate(header)}
    codes = [str(row[column["统一社会信用代码"]]) for row in rows]
    names = [str(row[column["企业名称"]]) for row in rows]
    assert all(uscc.is_valid(code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names) and all(names)
    for row in rows:
        assert date.fromisoformat(str(row[column["成立日期"]])) <= REFERENCE_DATE
        assert len(str(row[column["行政区划代码"]])) == 6
    types = Counter(str(row[column["市场主体类型"]]) for row in rows)
    assert {"有限责任公司", "个体工商户", "农民专业合作社", "股份有限公司"} <= set(types)
    assert any(type_.endswith("分公司") for type_ in types)


def test_clean_records_are_valid_and_unique(
    clean_run: Run, rows_of: Reader, entry_rows: EntryReader
) -> None:
    registry = {str(row[0]) for row in rows_of(clean_run[0] / "registry.csv")[1:]}
    for kind, document in (("licence", "行政许可决定文书号"), ("penalty", "行政处罚决定书文号")):
        keys: set[tuple[str, str]] = set()
        for source, row in _records(clean_run, kind, entry_rows):
            assert row["行政相对人名称"] and row[document]
            key = (source, row[document])
            assert key not in keys, key
            keys.add(key)
            if row["行政相对人类别"] == "自然人":
                assert row["证件类型"] == "身份证" and ric.is_valid(row["证件号码"])
                assert row["统一社会信用代码"] == ""
            else:
                assert row["统一社会信用代码"] in registry
            authority = row[
                "许可机关统一社会信用代码" if kind == "licence" else "处罚机关统一社会信用代码"
            ]
            assert authority.startswith("11") and uscc.is_valid(authority)
            assert row["数据来源单位统一社会信用代码"] == authority
            assert row["法定代表人证件号码"] == ""


def test_penalties_look_like_real_ones(clean_run: Run, entry_rows: EntryReader) -> None:
    _, manifest = clean_run
    penalties = _records(clean_run, "penalty", entry_rows)
    penalised = {row["统一社会信用代码"] for _, row in penalties if row["统一社会信用代码"]}
    assert 0.10 < len(penalised) / manifest.subjects < 0.20  # most subjects are clean
    per_subject = Counter(
        row["统一社会信用代码"] for _, row in penalties if row["统一社会信用代码"]
    )
    assert max(per_subject.values()) >= 4  # a tail with several
    categories = Counter(row["处罚类别"] for _, row in penalties)
    assert categories.most_common(1)[0][0] == "罚款"
    assert categories["警告"] > 0
    serious = sum(categories[c] for c in SERIOUS_CATEGORIES) / len(penalties)
    assert 0 < serious < 0.06
    persons = sum(1 for _, row in penalties if row["行政相对人类别"] == "自然人")
    assert 0.02 < persons / len(penalties) < 0.09
    assert any(row["行政相对人类别"] == "个体工商户" for _, row in penalties)


def test_penalty_amounts_dates_and_publicity(clean_run: Run, entry_rows: EntryReader) -> None:
    start = add_years(REFERENCE_DATE, -4)
    for source, row in _records(clean_run, "penalty", entry_rows):
        decided = date.fromisoformat(row["处罚决定日期"])
        assert start <= decided <= REFERENCE_DATE
        fine = row["罚款金额（万元）"]
        if fine:
            assert float(fine) > 0 and len(fine.partition(".")[2]) <= 4
            assert not fine.endswith(".") and not (("." in fine) and fine.endswith("0"))
        category = row["处罚类别"]
        small = (
            category == "罚款"
            and float(fine or 0) < 1
            and not row["没收违法所得、没收非法财物的金额（万元）"]
        )
        expected = (
            add_months(decided, 3)
            if category in LIGHT_CATEGORIES or small
            else add_years(decided, 3)
        )
        assert row["公示截止期"] == expected.isoformat()
        assert row["处罚依据"].startswith("《")
        if source == "sta":
            assert "税" in row["处罚依据"] or "发票" in row["处罚依据"]
        assert row["处罚机关"].endswith(("局", "委员会", "分局"))


def test_licences_look_like_real_ones(clean_run: Run, entry_rows: EntryReader) -> None:
    _, manifest = clean_run
    licences = _records(clean_run, "licence", entry_rows)
    holders = {row["统一社会信用代码"] for _, row in licences}
    assert 0.3 < len(holders) / manifest.subjects < 0.5
    statuses = Counter(row["当前状态"] for _, row in licences)
    assert statuses["1"] > statuses["2"]
    for _, row in licences:
        decided = date.fromisoformat(row["许可决定日期"])
        assert decided <= REFERENCE_DATE
        assert row["有效期自"] == row["许可决定日期"]
        assert date.fromisoformat(row["有效期至"]) > decided
        assert row["许可类别"] in {"普通", "特许", "认可", "核准", "登记", "其他"}


def test_progress_is_reported(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    generate(tmp_path, 2100, 3, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1000, 2100), (2000, 2100), (2100, 2100)]


@pytest.mark.parametrize(
    ("subjects", "defects", "message"),
    [(0, 0.0, "at least one"), (10, -0.1, "between 0 and 1"), (10, 1.5, "between 0 and 1")],
)
def test_bad_arguments_are_refused(
    tmp_path: Path, subjects: int, defects: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        generate(tmp_path, subjects, 1, defects)
    assert not any(tmp_path.iterdir())


def test_nothing_reads_the_clock() -> None:
    source = Path(__file__).parents[2] / "src" / "xinyong" / "synth"
    for module in source.glob("*.py"):
        text = module.read_text(encoding="utf-8")
        for call in ("today(", "now(", "time.time(", "random.seed(", "random.random("):
            assert call not in text, (module.name, call)
