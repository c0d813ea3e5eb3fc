"""Every defect kind, in every supported format, gives its exact reason (or passes, for the
harmless ones). One table of cases; the same row written as UTF-8 CSV, GB18030 CSV, CSV with a
BOM, XLSX under a title row, and JSON Lines."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from tests.factories import agency, make_uscc, subject
from tests.support.one_row_files import READ_AS, changed, write_as, writers, wrong_check

from xinyong.codes import IdHasher
from xinyong.ingest import ingest_files
from xinyong.store import apply
from xinyong.store.reads import subject_records
from xinyong.store.schema import quarantine

A = make_uscc("MA5CJQ4N")
PERSON = "11010519491231002X"
TODAY = dt.date(2026, 9, 30)
P = [
    "行政相对人名称",
    "行政相对人类别",
    "统一社会信用代码",
    "组织机构代码",
    "证件类型",
    "证件号码",
    "行政处罚决定书文号",
    "处罚类别",
    "罚款金额（万元）",
    "处罚决定日期",
    "公示截止期",
    "处罚机关",
]
GOOD = [
    "杭州锦泰网络科技有限公司",
    "法人及非法人组织",
    A,
    "",
    "",
    "",
    "杭市监罚〔2024〕1号",
    "罚款",
    "2.5",
    "2024-03-01",
    "2027-03-01",
    "杭州市市场监督管理局",
]
BAD = wrong_check(A)


def _with(**changes: str) -> list[str]:
    return changed(P, GOOD, **changes)


# defect kind -> (row, exact reason or None when the row must pass)
CASES: dict[str, tuple[list[str], str | None]] = {
    "bad_check_character": (
        _with(统一社会信用代码=BAD),
        f"统一社会信用代码 (uscc): '{BAD}': check character should be '{A[-1]}', got '{BAD[-1]}'",
    ),
    "bad_person_id": (
        _with(
            行政相对人类别="自然人",
            证件类型="身份证",
            证件号码=PERSON[:-1] + "1",
            统一社会信用代码="",
        ),
        "证件号码 (party_id_no): '110105********0021': check character should be 'X', got '1'",
    ),
    "missing_document_number": (
        _with(行政处罚决定书文号=""),
        "行政处罚决定书文号 (decision_no): is required but empty",
    ),
    "missing_decision_date": (
        _with(处罚决定日期=""),
        "处罚决定日期 (decision_date): is required but empty",
    ),
    "bad_date": (
        _with(处罚决定日期="2024-02-30"),
        "处罚决定日期 (decision_date): '2024-02-30' is not a real calendar date",
    ),
    "future_decision": (
        _with(处罚决定日期="2027-01-05", 公示截止期="2030-01-05"),
        "处罚决定日期 (decision_date): 2027-01-05 is in the future",
    ),
    "publicity_before_decision": (
        _with(公示截止期="2024-01-01"),
        "公示截止期 (publicity_end): 2024-01-01 is before the decision date 2024-03-01",
    ),
    "negative_amount": (
        _with(**{"罚款金额（万元）": "-3"}),
        "罚款金额（万元） (fine_wan): '-3' is negative; amounts are non-negative 万元",
    ),
    "amount_in_words": (
        _with(**{"罚款金额（万元）": "五千元"}),
        "罚款金额（万元） (fine_wan): '五千元' is not a number of 万元",
    ),
    "bad_party_category": (
        _with(行政相对人类别="公司"),
        "行政相对人类别 (party_category): '公司' is not a party category "
        "(法人及非法人组织、法人和非法人组织、法人、非法人组织、其他组织、自然人、个体工商户)",
    ),
    "no_subject_by_name": (
        _with(统一社会信用代码="", 行政相对人名称="无此公司"),
        "no subject in the registry matches the name '无此公司' (no code given)",
    ),
    "full_width_code": (
        _with(
            统一社会信用代码=A.translate(
                str.maketrans(
                    "0123456789ABCDEFGHJKLMNPQRTUWXY",
                    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ",
                )
            )
        ),
        None,
    ),
    "traditional_name": (_with(行政相对人名称="杭州錦泰網絡科技有限公司"), None),
    "mixed_date_formats": (_with(处罚决定日期="2024年3月1日", 公示截止期="2027/3/1"), None),
    "stray_spaces": (_with(统一社会信用代码=f" {A[:9]} {A[9:]} "), None),
    "placeholder_code": (
        _with(统一社会信用代码="00000000000000000X", 组织机构代码=f"{A[8:16]}-{A[16]}"),
        None,
    ),
    "name_only": (_with(统一社会信用代码=""), None),
}


FORMATS = writers("p", P, "处罚", "2024年行政处罚信息公示")


@pytest.mark.parametrize("fmt", READ_AS)
@pytest.mark.parametrize("defect", list(CASES))
def test_defect_gives_its_exact_reason(
    defect: str,
    fmt: str,
    engine: Engine,
    hasher: IdHasher,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    apply(engine, [agency(), subject(A, "杭州锦泰网络科技有限公司")], actor="test")
    row, reason = CASES[defect]
    path = write_as(FORMATS, fmt, tmp_path, row, monkeypatch)
    s = ingest_files(
        engine, [path], source="samr", actor="op", hasher=hasher, kind="penalty", today=TODAY
    )
    with engine.connect() as conn:
        stored = [json.loads(r) for r in conn.execute(select(quarantine.c.reasons)).scalars()]
        records = subject_records(conn, A, dt.date(2024, 6, 1))
    if reason is None:
        assert (s.accepted, s.quarantined, stored) == (1, 0, [])
        assert [r.doc_no for r in records] == ["杭市监罚〔2024〕1号"]
    else:
        assert (s.accepted, s.quarantined) == (0, 1)
        assert stored == [[reason]]
