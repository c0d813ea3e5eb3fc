"""Derived listings: no annual report by 30 June → the abnormal operations list, after notice;
three years there → the serious list, with the reminder 60 days before; deriving twice adds
nothing; a year the registry holds no reports for lists nobody."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from tests.engine.helpers import CATALOGUE, check_on, lists_on
from tests.factories import agency, make_uscc, record, subject

from xinyong.registry.derive import run_derivation
from xinyong.registry.recompute import recompute
from xinyong.store import Change, apply
from xinyong.store.schema import journal, listings

FILER = make_uscc("MA5CJQ4N")
LATE = make_uscc("77604965", region="440305")
YOUNG = make_uscc("5A6B7C8D")
ABNORMAL = "samr.abnormal_operations"
SERIOUS = "samr.serious_illegal_dishonest"


def _report(code: str, year: int, filed: str) -> Change:
    change = record(code, f"年报-{year}-{code}", kind="annual_report", decision=filed, until=None)
    change.payload["fields"] = {"year": str(year)}
    return change


@pytest.fixture
def registry(engine: Engine) -> Engine:
    apply(
        engine,
        [
            agency(),
            subject(FILER, "杭州锦泰网络科技有限公司", registered_on="2020-05-01"),
            subject(LATE, "深圳市华腾电子有限公司", registered_on="2021-08-01"),
            subject(YOUNG, "杭州新开科技有限公司", registered_on="2025-02-01"),
            _report(FILER, 2024, "2025-04-10"),
        ],
        actor="test",
    )
    return engine


def _derive(engine: Engine, on: str) -> dict[str, int]:
    return run_derivation(engine, CATALOGUE, dt.date.fromisoformat(on), actor="test").as_dict()


def _states(engine: Engine, code: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(listings.c.list_code, listings.c.state, listings.c.start_date)
                .where(listings.c.subject_key == code, listings.c.superseded_seq.is_(None))
                .order_by(listings.c.list_code)
            )
        ]


def test_missing_annual_report_is_proposed_notified_then_in_force_after_notice(
    registry: Engine,
) -> None:
    notice = CATALOGUE.list(ABNORMAL, dt.date(2025, 7, 1))
    assert notice is not None and notice.notice_days == 10
    assert _derive(registry, "2025-06-30")["proposed"] == 0  # the deadline has not passed
    first = _derive(registry, "2025-07-01")
    assert (first["proposed"], first["notified"], first["took_effect"]) == (1, 1, 0)
    assert _states(registry, LATE) == [(ABNORMAL, "notified", dt.date(2025, 7, 11))]
    assert _states(registry, FILER) == [] and _states(registry, YOUNG) == []
    # Notified is not in force: the subject may still file, or object.
    assert lists_on(registry, LATE, "2025-07-11") == []
    again = _derive(registry, "2025-07-05")
    assert (again["proposed"], again["took_effect"]) == (0, 0)
    later = _derive(registry, "2025-07-11")
    assert (later["proposed"], later["took_effect"]) == (0, 1)
    assert lists_on(registry, LATE, "2025-07-10") == []
    assert lists_on(registry, LATE, "2025-07-11") == [ABNORMAL]
    with registry.connect() as conn:
        kinds = (
            conn.execute(
                select(journal.c.kind)
                .where(journal.c.kind.like("listing.%"))
                .order_by(journal.c.seq)
            )
            .scalars()
            .all()
        )
    assert kinds == ["listing.proposed", "listing.notified", "listing.took_effect"]


def test_no_reports_loaded_for_a_year_lists_nobody(engine: Engine) -> None:
    apply(
        engine,
        [agency(), subject(LATE, "深圳市华腾电子有限公司", registered_on="2021-08-01")],
        actor="test",
    )
    assert _derive(engine, "2025-07-01")["proposed"] == 0


def test_only_enterprises_are_listed_for_a_missing_report(registry: Engine) -> None:
    # The duty of 企业信息公示暂行条例 binds enterprises (USCC 91…): a cooperative (93), an
    # individual business (92) and a public institution (12) without a report are not listed.
    others = {
        make_uscc("8C9D0E1F", prefix="93"): "杭州西湖龙井茶叶专业合作社",
        make_uscc("7B8C9D0E", prefix="92"): "杭州市西湖区老王面馆",
        make_uscc("6A7B8C9D", prefix="12"): "杭州市西湖区人民医院",
    }
    apply(
        registry,
        [subject(code, name, registered_on="2019-03-01") for code, name in others.items()],
        actor="test",
    )
    assert _derive(registry, "2025-07-01")["proposed"] == 1
    assert _states(registry, LATE) == [(ABNORMAL, "notified", dt.date(2025, 7, 11))]
    for code in others:
        assert _states(registry, code) == []


def test_three_years_on_the_abnormal_list_escalate_with_a_reminder_first(engine: Engine) -> None:
    apply(
        engine,
        [
            agency(),
            subject(LATE, "深圳市华腾电子有限公司", registered_on="2019-08-01"),
            Change(
                "listing.decided",
                {
                    "source": "samr",
                    "list_code": ABNORMAL,
                    "decision_no": "深市监异〔2022〕88号",
                    "subject_key": LATE,
                    "party_name": "深圳市华腾电子有限公司",
                    "authority": "深圳市市场监督管理局",
                    "start": "2022-07-11",
                    # the list's own term: 1,095 days, ending the day before escalation
                    "planned_end": "2025-07-10",
                },
            ),
        ],
        actor="test",
    )
    due = dt.date(2022, 7, 11) + dt.timedelta(days=1095)
    assert _derive(engine, (due - dt.timedelta(days=61)).isoformat())["reminded"] == 0
    assert _derive(engine, (due - dt.timedelta(days=60)).isoformat())["reminded"] == 1
    assert _derive(engine, (due - dt.timedelta(days=30)).isoformat())["reminded"] == 0
    escalated = _derive(engine, due.isoformat())
    assert (escalated["proposed"], escalated["notified"]) == (1, 1)
    start = due + dt.timedelta(days=10)
    _derive(engine, start.isoformat())
    assert lists_on(engine, LATE, (due - dt.timedelta(days=1)).isoformat()) == [ABNORMAL]
    assert lists_on(engine, LATE, start.isoformat()) == [SERIOUS]
    barred = check_on(engine, LATE, "procurement.bar", start.isoformat())
    assert barred["applies"] is True
    assert {c["list"]["code"] for c in barred["because"]} >= {SERIOUS}


def test_recompute_materialises_states_and_counts(registry: Engine) -> None:
    _derive(registry, "2025-07-01")
    _derive(registry, "2025-07-11")
    summary = recompute(registry, CATALOGUE, dt.date(2025, 8, 1))
    assert summary.subjects_listed == 1 and summary.by_list == {ABNORMAL: 1}
    with registry.connect() as conn:
        from xinyong.store.schema import subject_state

        rows = conn.execute(select(subject_state)).all()
        assert [r.subject_key for r in rows] == [LATE]
        assert conn.execute(select(func.count()).select_from(subject_state)).scalar_one() == 1
    empty = recompute(registry, CATALOGUE, dt.date(2025, 7, 1))
    assert empty.subjects_listed == 0


def test_a_lists_own_instrument_attaches_measures_without_a_memorandum(engine: Engine) -> None:
    apply(
        engine,
        [
            agency(),
            subject(LATE, "深圳市华腾电子有限公司"),
            Change(
                "listing.decided",
                {
                    "source": "samr",
                    "list_code": SERIOUS,
                    "decision_no": "深市监严〔2025〕3号",
                    "subject_key": LATE,
                    "party_name": "深圳市华腾电子有限公司",
                    "authority": "深圳市市场监督管理局",
                    "start": "2025-05-01",
                    "planned_end": "2028-04-30",
                },
            ),
        ],
        actor="test",
    )
    answer = check_on(engine, LATE, "approval.no_notify_commit", "2025-05-01")
    assert answer["applies"] is True
    chain = answer["because"][0]
    assert chain["memorandum"]["code"] == SERIOUS  # the list's own instrument
    assert any("第44号" in basis for basis in chain["memorandum"]["legal_basis"])
    assert check_on(engine, LATE, "approval.no_notify_commit", "2025-04-30")["applies"] is False
