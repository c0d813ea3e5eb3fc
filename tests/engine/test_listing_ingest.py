"""Listing-decision files: due process checked on every row, reasons exact, reruns idempotent,
changes become corrections, and CSV with Chinese headers works like JSON Lines."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from tests.engine.helpers import ingest_listings, lists_on, write_jsonl
from tests.factories import agency, make_uscc, subject

from xinyong.codes import IdHasher
from xinyong.ingest.quarantine import Filter, QuarantineCipher, list_entries
from xinyong.store import apply
from xinyong.store.schema import listings

CODE = make_uscc("MA5CJQ4N")
COURT = "court.dishonest_judgment_debtors"


@pytest.fixture
def registry(engine: Engine) -> Engine:
    apply(engine, [agency(), subject(CODE, "杭州锦泰网络科技有限公司")], actor="test")
    return engine


def _row(**overrides: str) -> dict[str, str]:
    row = {
        "subject": CODE,
        "subject_name": "杭州锦泰网络科技有限公司",
        "list": COURT,
        "decision": "(2025)浙0106执1号",
        "authority": "杭州市西湖区人民法院",
        "start": "2025-03-10",
    }
    row.update(overrides)
    return {k: v for k, v in row.items() if v != "-"}


def _reasons(engine: Engine, hasher: IdHasher) -> list[list[str]]:
    with engine.connect() as conn:
        entries, _ = list_entries(conn, QuarantineCipher(hasher), Filter(), limit=100)
    return [e.reasons for e in sorted(entries, key=lambda e: e.row)]


def test_every_due_process_gap_is_quarantined_with_its_reason(
    registry: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            _row(authority="-"),
            _row(list="court.everyone_we_dislike", decision="(2025)浙0106执2号"),
            _row(end="2031-01-01", decision="(2025)浙0106执3号"),
            _row(end="2025-01-01", decision="(2025)浙0106执4号"),
            _row(action="remove", date="2025-05-01", decision="(2025)浙0106执恢5号"),
            _row(action="suspend", decision="(2025)浙0106执6号"),
            _row(start="-", decision="(2025)浙0106执7号"),
        ],
    )
    summary = ingest_listings(registry, hasher, path)
    assert (summary.rows, summary.accepted, summary.quarantined) == (7, 0, 7)
    reasons = _reasons(registry, hasher)
    assert reasons[0] == [
        "authority: is required but empty: every listing decision names its authority"
    ]
    assert reasons[1][0].startswith(
        "list (list_code): 'court.everyone_we_dislike' is not a list of the catalogue (known: "
    )
    assert reasons[2] == [
        "end: 2031-01-01 would keep the listing in force 2124 days from 2025-03-10; list "
        f"{COURT} allows at most 1825 days (max_days 730 + extension_days 1095)"
    ]
    assert reasons[3] == ["end: 2025-01-01 is before the start 2025-03-10"]
    assert reasons[4] == [f"date: no listing of {CODE} on {COURT} is in force on 2025-05-01"]
    assert reasons[5] == ["action: 'suspend' is not decide or remove"]
    assert reasons[6] == ["start: is required but empty"]
    with registry.connect() as conn:
        assert conn.execute(select(listings)).first() is None


def test_same_file_twice_adds_nothing_and_a_changed_row_is_a_correction(
    registry: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "l.jsonl", [_row()])
    assert ingest_listings(registry, hasher, path).accepted == 1
    again = ingest_listings(registry, hasher, path)
    assert (again.accepted, again.duplicates) == (0, 1)
    moved = write_jsonl(tmp_path / "l2.jsonl", [_row(start="2025-03-12")])
    fixed = ingest_listings(registry, hasher, moved)
    assert fixed.corrected == 1
    assert lists_on(registry, CODE, "2025-03-11") == []
    assert lists_on(registry, CODE, "2025-03-12") == [COURT]
    with registry.connect() as conn:
        versions = conn.execute(select(listings.c.superseded_seq)).scalars().all()
    assert len(versions) == 2 and versions.count(None) == 1


def test_decision_and_removal_in_one_file_and_csv_with_chinese_headers(
    registry: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    path = tmp_path / "court.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "统一社会信用代码",
                "被执行人名称",
                "名单",
                "决定文书号",
                "决定机关",
                "列入日期",
                "操作",
                "移出日期",
            ]
        )
        w.writerow(
            [
                CODE,
                "杭州锦泰网络科技有限公司",
                COURT,
                "(2025)浙0106执1号",
                "杭州市西湖区人民法院",
                "2025年3月10日",
                "列入",
                "",
            ]
        )
        w.writerow(
            [
                CODE,
                "杭州锦泰网络科技有限公司",
                COURT,
                "(2025)浙0106执恢1号",
                "杭州市西湖区人民法院",
                "",
                "移出",
                "2025/6/1",
            ]
        )
    summary = ingest_listings(registry, hasher, path)
    assert (summary.accepted, summary.quarantined) == (2, 0), summary
    assert lists_on(registry, CODE, "2025-05-31") == [COURT]
    assert lists_on(registry, CODE, "2025-06-01") == []


def test_a_listing_of_an_unknown_valid_code_creates_a_provisional_subject(
    registry: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    other = make_uscc("77604965", region="440305")
    path = write_jsonl(tmp_path / "l.jsonl", [_row(subject=other, subject_name="深圳某公司")])
    assert ingest_listings(registry, hasher, path).accepted == 1
    assert lists_on(registry, other, "2025-04-01") == [COURT]
