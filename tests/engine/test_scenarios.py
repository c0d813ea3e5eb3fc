"""Scenarios on the real catalogue: a listing decision puts measures in force from its start
date, not the day before; a removal ends them from its date; past answers stay as they were; a
blacklisting suspends a redlisted subject's incentives."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from tests.engine.helpers import check_on, ingest_listings, lists_on, seq, write_jsonl
from tests.factories import agency, make_uscc, subject

from xinyong.codes import IdHasher
from xinyong.store import apply
from xinyong.store.schema import journal

DEBTOR = make_uscc("MA5CJQ4N")
TAXPAYER = make_uscc("77604965", region="440305")
COURT_LIST = "court.dishonest_judgment_debtors"


@pytest.fixture
def registry(engine: Engine) -> Engine:
    apply(
        engine,
        [
            agency(),
            subject(DEBTOR, "杭州锦泰网络科技有限公司", legal_representative="王建国"),
            subject(TAXPAYER, "深圳市华腾电子有限公司", legal_representative="李秀英"),
        ],
        actor="test",
    )
    return engine


def _court_listing(path: Path, code: str = DEBTOR, start: str = "2025-03-10") -> Path:
    return write_jsonl(
        path,
        [
            {
                "subject": code,
                "subject_name": "杭州锦泰网络科技有限公司",
                "list": COURT_LIST,
                "decision": "(2025)浙0106执1234号",
                "authority": "杭州市西湖区人民法院",
                "start": start,
                "records": "(2024)浙0106民初567号",
            }
        ],
    )


def _court_removal(path: Path, date: str = "2025-09-01") -> Path:
    return write_jsonl(
        path,
        [
            {
                "subject": DEBTOR,
                "subject_name": "杭州锦泰网络科技有限公司",
                "list": COURT_LIST,
                "decision": "(2025)浙0106执恢88号",
                "authority": "杭州市西湖区人民法院",
                "action": "remove",
                "date": date,
                "reason": "履行完毕",
            }
        ],
    )


def test_court_listing_bars_procurement_and_flights_from_its_start_not_the_day_before(
    registry: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    summary = ingest_listings(registry, hasher, _court_listing(tmp_path / "court.jsonl"))
    assert (summary.rows, summary.accepted, summary.quarantined) == (1, 1, 0)

    before = check_on(registry, DEBTOR, "procurement.bar", "2025-03-09")
    assert before["applies"] is False and before["because"] == []
    barred = check_on(registry, DEBTOR, "procurement.bar", "2025-03-10")
    assert barred["applies"] is True
    chain = barred["because"][0]
    assert chain["list"]["code"] == COURT_LIST
    assert chain["listing"]["decision"] == "(2025)浙0106执1234号"
    assert chain["listing"]["authority"] == "杭州市西湖区人民法院"
    assert chain["memorandum"]["code"]  # measure ← memorandum ← list ← listing
    assert chain["records"] == [{"doc_no": "(2024)浙0106民初567号"}]
    assert chain["listing"]["removal"]  # how to get off the list

    flights = check_on(registry, DEBTOR, "consumption.flights", "2025-03-10")
    assert flights["applies"] is True
    roles = {t["role"]: t for t in flights["targets"]}
    assert roles["legal_representative"]["name"] == "王建国"
    assert roles["subject"]["code"] == DEBTOR
    # The planned end comes from the list's maximum term: 730 days from the start.
    assert check_on(registry, DEBTOR, "procurement.bar", "2027-03-09")["applies"] is True
    assert check_on(registry, DEBTOR, "procurement.bar", "2027-03-10")["applies"] is False


def test_removal_ends_measures_from_its_date_and_past_answers_never_change(
    registry: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    ingest_listings(registry, hasher, _court_listing(tmp_path / "court.jsonl"))
    before_removal = seq(registry)
    asked_then = check_on(registry, DEBTOR, "procurement.bar", "2025-10-01")
    assert asked_then["applies"] is True

    summary = ingest_listings(registry, hasher, _court_removal(tmp_path / "removal.jsonl"))
    assert (summary.accepted, summary.quarantined) == (1, 0)
    assert check_on(registry, DEBTOR, "procurement.bar", "2025-08-31")["applies"] is True
    assert check_on(registry, DEBTOR, "procurement.bar", "2025-09-01")["applies"] is False
    assert check_on(registry, DEBTOR, "consumption.flights", "2025-10-01")["applies"] is False
    # Earlier dates answer as before; and the registry as known before the removal still says
    # what it said then.
    assert check_on(registry, DEBTOR, "procurement.bar", "2025-05-01")["applies"] is True
    replayed = check_on(registry, DEBTOR, "procurement.bar", "2025-10-01", known_at=before_removal)
    assert replayed["applies"] is asked_then["applies"] is True
    assert lists_on(registry, DEBTOR, "2025-10-01", known_at=before_removal) == [COURT_LIST]
    assert lists_on(registry, DEBTOR, "2025-10-01") == []
    # Both decisions are in the journal, with the accountable actor.
    with registry.connect() as conn:
        kinds = conn.execute(select(journal.c.kind).order_by(journal.c.seq)).scalars().all()
    assert kinds[-2:] == ["listing.decided", "listing.removed"]

    again = ingest_listings(registry, hasher, _court_removal(tmp_path / "removal.jsonl"))
    assert (again.duplicates, again.accepted) == (1, 0)


def test_a_grade_taxpayer_loses_incentives_while_blacklisted(
    registry: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    grade_a = write_jsonl(
        tmp_path / "tax.jsonl",
        [
            {
                "subject": TAXPAYER,
                "subject_name": "深圳市华腾电子有限公司",
                "list": "tax.grade_a",
                "decision": "深税信A〔2025〕001号",
                "authority": "国家税务总局深圳市税务局",
                "start": "2025-04-01",
                "end": "2026-03-31",
            }
        ],
    )
    assert ingest_listings(registry, hasher, grade_a, source="tax").accepted == 1
    assert check_on(registry, TAXPAYER, "incentive.green_channel", "2025-05-01")["applies"] is True

    court = write_jsonl(
        tmp_path / "court.jsonl",
        [
            {
                "subject": TAXPAYER,
                "subject_name": "深圳市华腾电子有限公司",
                "list": COURT_LIST,
                "decision": "(2025)粤0305执999号",
                "authority": "深圳市南山区人民法院",
                "start": "2025-06-01",
            },
        ],
    )
    assert ingest_listings(registry, hasher, court).accepted == 1
    assert check_on(registry, TAXPAYER, "incentive.green_channel", "2025-05-31")["applies"] is True
    suspended = check_on(registry, TAXPAYER, "incentive.green_channel", "2025-06-01")
    assert suspended["applies"] is False
    assert suspended["because"], "the redlisting is still there, and says so"
    assert [s["list"] for s in suspended["suspended_by"]] == [COURT_LIST]
    removal = write_jsonl(
        tmp_path / "removal.jsonl",
        [
            {
                "subject": TAXPAYER,
                "list": COURT_LIST,
                "decision": "(2025)粤0305执恢7号",
                "authority": "深圳市南山区人民法院",
                "action": "remove",
                "date": "2025-08-15",
                "subject_name": "深圳市华腾电子有限公司",
            }
        ],
    )
    assert ingest_listings(registry, hasher, removal).accepted == 1
    assert check_on(registry, TAXPAYER, "incentive.green_channel", "2025-08-15")["applies"] is True
