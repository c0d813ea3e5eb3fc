"""`--kind annual_report`: enterprise annual reports sent as files.

Every defect gives its exact reason in every format; a good report becomes the same record the
portal files (document ANNUAL/<code>/<year>, year and late in its fields), sent twice adds
nothing, changed is a correction; and a report that arrives by file keeps its subject off the
abnormal-operations list exactly as one filed on the portal does.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from tests.engine.helpers import CATALOGUE
from tests.factories import agency, make_uscc, subject
from tests.support.one_row_files import READ_AS, changed, write_as, writers, wrong_check

from xinyong.codes import IdHasher
from xinyong.ingest import ingest_files
from xinyong.ingest.mapping import detect_kind
from xinyong.ingest.pipeline import IngestSummary
from xinyong.registry.derive import run_derivation
from xinyong.store import apply
from xinyong.store.schema import listings, quarantine, records

A = make_uscc("MA5CJQ4N")
LATE = make_uscc("77604965", region="440305")
PERSON = "11010519491231002X"
TODAY = dt.date(2025, 9, 30)
H = [
    "企业名称",
    "统一社会信用代码",
    "报告年度",
    "公示日期",
    "企业通信地址",
    "邮政编码",
    "企业电子邮箱",
    "从业人数",
    "资产总额（万元）",
    "营业总收入（万元）",
    "纳税总额（万元）",
]
GOOD = [
    "杭州锦泰网络科技有限公司",
    A,
    "2024",
    "2025-04-10",
    "杭州市西湖区文三路90号",
    "310012",
    "office@jintai.example.cn",
    "35",
    "1,250.5",
    "企业选择不公示",
    "12.3",
]
BAD = wrong_check(A)


def _with(**changes: str) -> list[str]:
    return changed(H, GOOD, **changes)


CASES: dict[str, tuple[list[str], str | None]] = {
    "good": (GOOD, None),
    "year_with_suffix": (_with(报告年度="2024年度"), None),
    "late_filing_is_kept": (_with(公示日期="2025年8月1日"), None),
    "bad_check_character": (
        _with(统一社会信用代码=BAD),
        f"统一社会信用代码 (uscc): '{BAD}': check character should be {A[-1]!r}, got {BAD[-1]!r}",
    ),
    "no_code": (_with(统一社会信用代码=""), "统一社会信用代码 (uscc): is required but empty"),
    "person": (
        _with(统一社会信用代码=PERSON),
        "统一社会信用代码 (uscc): annual reports are filed by organisations, not natural persons",
    ),
    "year_not_a_year": (
        _with(报告年度="去年"),
        "报告年度 (report_year): '去年' is not a year (use 2024 or 2024年度)",
    ),
    "year_before_reports": (
        _with(报告年度="2012"),
        "报告年度 (report_year): 2012: annual reports exist from 2013 "
        "(企业信息公示暂行条例, in force 2014-10-01)",
    ),
    "year_not_over": (
        _with(报告年度="2025"),
        "报告年度 (report_year): 2025: the 2025 report can be filed from 2026-01-01",
    ),
    "filed_in_the_year_itself": (
        _with(公示日期="2024-12-31"),
        "公示日期 (filed_on): 2024-12-31 is before the 2024 report could be filed (2025-01-01)",
    ),
    "filed_in_the_future": (
        _with(公示日期="2025-10-01"),
        "公示日期 (filed_on): 2025-10-01 is in the future",
    ),
    "no_filing_date": (_with(公示日期=""), "公示日期 (filed_on): is required but empty"),
    "bad_postal_code": (
        _with(邮政编码="3100"),
        "邮政编码 (postal_code): '3100' is not a 6-digit postal code",
    ),
    "bad_email": (
        _with(企业电子邮箱="office at jintai"),
        "企业电子邮箱 (email): 'office at jintai' is not an e-mail address",
    ),
    "bad_employees": (
        _with(从业人数="about 30"),
        "从业人数 (employees): 'about 30' is not a number of people (or 企业选择不公示)",
    ),
    "negative_assets": (
        _with(**{"资产总额（万元）": "-5"}),
        "资产总额（万元） (total_assets_wan): '-5' is negative; amounts are non-negative 万元 "
        "(or 企业选择不公示)",
    ),
}


FORMATS = writers("annual", H, "年报", "2024年度企业年度报告公示信息")


def _ingest(
    engine: Engine, hasher: IdHasher, path: Path, kind: str | None = "annual_report"
) -> IngestSummary:
    return ingest_files(
        engine, [path], source="necips", actor="op", hasher=hasher, kind=kind, today=TODAY
    )


@pytest.mark.parametrize("fmt", READ_AS)
@pytest.mark.parametrize("case", list(CASES))
def test_each_annual_report_defect_gives_its_exact_reason(
    case: str,
    fmt: str,
    engine: Engine,
    hasher: IdHasher,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    apply(engine, [agency(), subject(A, "杭州锦泰网络科技有限公司")], actor="test")
    row, reason = CASES[case]
    s = _ingest(engine, hasher, write_as(FORMATS, fmt, tmp_path, row, monkeypatch))
    with engine.connect() as conn:
        stored = [json.loads(r) for r in conn.execute(select(quarantine.c.reasons)).scalars()]
        kept = conn.execute(
            select(records.c.doc_no, records.c.fields).where(records.c.kind == "annual_report")
        ).all()
    if reason is None:
        assert (s.accepted, s.quarantined, stored) == (1, 0, [])
        assert [doc for doc, _ in kept] == [f"ANNUAL/{A}/2024"]
    else:
        assert (s.accepted, s.quarantined, kept) == (0, 1, [])
        assert stored == [[reason]]


def test_a_report_is_stored_as_the_portal_stores_it_and_sent_twice_adds_nothing(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    apply(engine, [agency(), subject(A, "杭州锦泰网络科技有限公司")], actor="test")
    path = FORMATS["csv"](tmp_path, _with(公示日期="2025-07-02"))
    first = _ingest(engine, hasher, path, kind=None)  # detected from its headers
    assert (first.accepted, first.kinds) == (1, {str(path): "annual_report"})
    again = _ingest(engine, hasher, path)
    assert (again.accepted, again.duplicates) == (0, 1)
    with engine.connect() as conn:
        row = conn.execute(select(records).where(records.c.kind == "annual_report")).one()
    fields = json.loads(row.fields)
    assert (row.source, row.doc_no, row.severity, row.decision_date) == (
        "necips",
        f"ANNUAL/{A}/2024",
        "none",
        dt.date(2025, 7, 2),
    )
    assert fields == {
        "year": "2024",
        "late": "yes",  # after 30 June 2025
        "address": "杭州市西湖区文三路90号",
        "postal_code": "310012",
        "email": "office@jintai.example.cn",
        "employees": "35",
        "total_assets_wan": "1250.5",
        "total_revenue_wan": "企业选择不公示",
        "total_tax_wan": "12.3",
    }
    changed = FORMATS["csv"](tmp_path, _with(公示日期="2025-07-02", 从业人数="36"))
    third = _ingest(engine, hasher, changed)
    assert (third.corrected, third.accepted) == (1, 0)


def test_annual_report_headers_are_told_from_registry_and_penalty_files() -> None:
    assert detect_kind(H) == "annual_report"
    assert detect_kind(["企业名称", "统一社会信用代码", "成立日期"]) == "registry"
    # A registry export with some year column is still a registry file, not a report.
    assert detect_kind(["企业名称", "统一社会信用代码", "成立日期", "年度"]) == "registry"


def test_a_report_sent_by_file_keeps_its_subject_off_the_abnormal_operations_list(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    apply(
        engine,
        [
            agency(),
            subject(A, "杭州锦泰网络科技有限公司", registered_on="2020-05-01"),
            subject(LATE, "深圳市华腾电子有限公司", registered_on="2021-08-01"),
        ],
        actor="test",
    )
    s = _ingest(engine, hasher, FORMATS["csv"](tmp_path, GOOD))
    assert s.accepted == 1
    derived = run_derivation(engine, CATALOGUE, dt.date(2025, 7, 1), actor="test").as_dict()
    assert derived["proposed"] == 1
    with engine.connect() as conn:
        listed = (
            conn.execute(select(listings.c.subject_key).where(listings.c.superseded_seq.is_(None)))
            .scalars()
            .all()
        )
    assert listed == [LATE]
