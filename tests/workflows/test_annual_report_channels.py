"""One annual report, two ways in: the subject files it on the portal, or NECIPS sends it in a
file. Both check and write it the same way, so the same report by both ways is one record (not a
correction), and neither keeps a resident ID anywhere."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.workflows.conftest import ACME, as_user

from xinyong.codes import IdHasher
from xinyong.ingest import ingest_files
from xinyong.store.schema import journal, records

ID = "11010519491231002X"
REPORT = {
    "address": "杭州市西湖区文三路1号",
    "postal_code": "310012",
    "email": f"{ID}@qq.com",  # a sole shareholder's ID as the mailbox name
    "employees": "35",
    "total_assets_wan": "1,250.50",
    "total_revenue_wan": "企业选择不公示",
}
HEADERS = {
    "address": "企业通信地址",
    "postal_code": "邮政编码",
    "email": "企业电子邮箱",
    "employees": "从业人数",
    "total_assets_wan": "资产总额（万元）",
    "total_revenue_wan": "营业总收入（万元）",
}


def _file(folder: Path, filed_on: str, report: dict[str, str]) -> Path:
    path = folder / "necips-2025.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["企业名称", "统一社会信用代码", "报告年度", "公示日期", *HEADERS.values()])
        writer.writerow(["杭州某某科技有限公司", ACME, "2025", filed_on, *report.values()])
    return path


def _live(world: dict[str, Any]) -> list[Any]:
    with world["engine"].connect() as conn:
        return list(
            conn.execute(
                select(records).where(
                    records.c.kind == "annual_report", records.c.superseded_seq.is_(None)
                )
            )
        )


def test_the_same_report_by_portal_then_file_is_one_record_with_no_resident_id(
    world: dict[str, Any],
) -> None:
    world["today"].day = dt.date(2026, 3, 1)
    filed = world["client"].post(
        "/api/v1/annual-reports",
        json={"year": 2025, "report": REPORT},
        headers=as_user(world, "acme"),
    )
    assert filed.status_code == 201, filed.text
    s = ingest_files(
        world["engine"],
        [_file(world["tmp"], "2026-03-01", REPORT)],
        source="necips",
        actor="op",
        hasher=IdHasher(b"k" * 32),
        today=dt.date(2026, 3, 2),
    )
    assert (s.accepted, s.corrected, s.duplicates) == (0, 0, 1)
    (live,) = _live(world)
    fields = json.loads(live.fields)
    assert fields["email"] == "110105********002X@qq.com"
    assert (fields["total_assets_wan"], fields["total_revenue_wan"]) == ("1250.5", "企业选择不公示")
    with world["engine"].connect() as conn:
        written = " ".join(conn.execute(select(journal.c.payload)).scalars())
    assert ID not in written


def test_an_id_shaped_number_is_refused_where_a_count_or_amount_belongs(
    world: dict[str, Any],
) -> None:
    world["today"].day = dt.date(2026, 3, 1)
    refused = world["client"].post(
        "/api/v1/annual-reports",
        json={"year": 2025, "report": {**REPORT, "employees": "110105199003071001"}},
        headers=as_user(world, "acme"),
    )
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        "employees: looks like a resident ID number, not a number the report states"
    ]
    s = ingest_files(
        world["engine"],
        [_file(world["tmp"], "2026-03-01", {**REPORT, "total_assets_wan": "110105199003071001"})],
        source="necips",
        actor="op",
        hasher=IdHasher(b"k" * 32),
        today=dt.date(2026, 3, 2),
    )
    assert (s.accepted, s.quarantined) == (0, 1)
    assert _live(world) == []


def test_annual_reports_come_in_under_necips_only(world: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="ingest them with --source necips"):
        ingest_files(
            world["engine"],
            [_file(world["tmp"], "2026-03-01", REPORT)],
            source="samr",
            actor="op",
            hasher=IdHasher(b"k" * 32),
        )
    assert _live(world) == []


def test_a_resident_id_typed_as_the_postal_code_is_not_echoed(world: dict[str, Any]) -> None:
    world["today"].day = dt.date(2026, 3, 1)
    refused = world["client"].post(
        "/api/v1/annual-reports",
        json={"year": 2025, "report": {**REPORT, "postal_code": ID}},
        headers=as_user(world, "acme"),
    )
    assert refused.status_code == 422
    assert ID not in refused.text
    assert refused.json()["errors"] == [
        "postal_code: '110105********002X' is not a 6-digit postal code"
    ]
