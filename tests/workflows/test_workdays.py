"""Working-day deadlines, checked against dates a person can verify in the State Council notices.

Spring Festival 2026 (国办发明电〔2025〕7号, 2025-11-04): off Sun 15 Feb – Mon 23 Feb (9 days);
Sat 14 Feb and Sat 28 Feb are working days.
National Day + Mid-Autumn 2025 (国办发明电〔2024〕12号): off Wed 1 Oct – Wed 8 Oct (8 days);
Sun 28 Sep and Sat 11 Oct are working days.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.workflows.workdays import (
    DATA_FILE,
    CalendarDataError,
    Deadline,
    WorkCalendar,
)

D = dt.date
CAL = WorkCalendar.load()
FIRST, LAST = CAL.coverage


def deadline(start: dt.date, n: int) -> dt.date:
    result = CAL.add_working_days(start, n)
    assert result.covered and result.warning is None
    return result.date


def test_default_calendar_is_loaded_once_and_covers_2004_to_2026() -> None:
    assert WorkCalendar.load() is WorkCalendar.load()
    assert CAL.coverage == (2004, 2026)


# Spring Festival 2026 -------------------------------------------------------------------------


def test_spring_festival_2026_days() -> None:
    assert CAL.is_working_day(D(2026, 2, 13))  # Friday before
    assert CAL.is_working_day(D(2026, 2, 14))  # Saturday, 调休 working day
    for day in range(15, 24):  # Sunday 15 – Monday 23 February off, nine days
        assert not CAL.is_working_day(D(2026, 2, day)), day
        assert CAL.holiday(D(2026, 2, day)) == "春节"
    assert CAL.is_working_day(D(2026, 2, 24))  # Tuesday, back to work
    assert CAL.is_working_day(D(2026, 2, 28))  # Saturday, 调休 working day
    assert not CAL.is_working_day(D(2026, 3, 1))  # an ordinary Sunday


def test_five_working_days_across_spring_festival_2026() -> None:
    # Received Thu 12 Feb: Fri 13, Sat 14 (调休), Tue 24, Wed 25, Thu 26.
    assert deadline(D(2026, 2, 12), 5) == D(2026, 2, 26)
    # Received Fri 13 Feb: Sat 14 (调休), Tue 24, Wed 25, Thu 26, Fri 27.
    assert deadline(D(2026, 2, 13), 5) == D(2026, 2, 27)
    # Received Sat 14 Feb, itself a working day that does not count: Tue 24 … Sat 28 (调休).
    assert deadline(D(2026, 2, 14), 5) == D(2026, 2, 28)


def test_received_the_day_before_a_make_up_saturday() -> None:
    assert deadline(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert deadline(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert deadline(D(2026, 2, 13), 6) == D(2026, 2, 28)
    assert deadline(D(2026, 2, 13), 7) == D(2026, 3, 2)


def test_received_during_the_holiday_counts_from_the_first_day_back() -> None:
    assert deadline(D(2026, 2, 17), 1) == D(2026, 2, 24)
    assert deadline(D(2026, 2, 17), 5) == D(2026, 2, 28)


def test_working_days_between_across_spring_festival_2026() -> None:
    assert CAL.working_days_between(D(2026, 2, 13), D(2026, 2, 27)) == 5
    assert CAL.working_days_between(D(2026, 2, 14), D(2026, 2, 23)) == 0
    assert CAL.working_days_between(D(2026, 2, 27), D(2026, 2, 13)) == -5
    assert CAL.working_days_between(D(2026, 2, 13), D(2026, 2, 13)) == 0


# National Day and Mid-Autumn 2025 ---------------------------------------------------------------


def test_national_day_2025_eight_days_with_make_up_weekends() -> None:
    assert CAL.is_working_day(D(2025, 9, 28))  # Sunday, 调休 working day
    assert [CAL.is_working_day(D(2025, 10, day)) for day in range(1, 9)] == [False] * 8
    assert CAL.holiday(D(2025, 10, 6)) == "中秋"
    assert CAL.holiday(D(2025, 10, 1)) == "国庆节"
    assert CAL.is_working_day(D(2025, 10, 9))
    assert CAL.is_working_day(D(2025, 10, 11))  # Saturday, 调休 working day
    assert not CAL.is_working_day(D(2025, 10, 12))


def test_ten_working_days_across_national_day_2025() -> None:
    # Received Fri 26 Sep: Sun 28 (调休), Mon 29, Tue 30, Thu 9 Oct, Fri 10, Sat 11 (调休),
    # Mon 13, Tue 14, Wed 15, Thu 16.
    expected = [
        D(2025, 9, 28),
        D(2025, 9, 29),
        D(2025, 9, 30),
        D(2025, 10, 9),
        D(2025, 10, 10),
        D(2025, 10, 11),
        D(2025, 10, 13),
        D(2025, 10, 14),
        D(2025, 10, 15),
        D(2025, 10, 16),
    ]
    assert [deadline(D(2025, 9, 26), n) for n in range(1, 11)] == expected
    assert CAL.working_days_between(D(2025, 9, 30), D(2025, 10, 8)) == 0


def test_an_ordinary_friday_receipt_is_due_monday() -> None:
    assert deadline(D(2025, 3, 7), 1) == D(2025, 3, 10)


# Coverage ------------------------------------------------------------------------------------


def test_a_year_not_covered_is_counted_monday_to_friday_with_a_warning() -> None:
    result = CAL.add_working_days(D(2026, 12, 30), 3)
    # Thu 31 Dec 2026, then 2027: Fri 1 Jan (New Year's Day in reality, unknown here), Mon 4 Jan.
    assert result.date == D(2027, 1, 4)
    assert result.covered is False
    assert result.warning == (
        "the holiday calendar covers 2004–2026; 2027 dates were counted as Monday–Friday only"
        " — update src/xinyong/workflows/data/cn_workdays.json (scripts/update_holidays.py)"
    )
    assert not CAL.covers(D(2027, 1, 1))


def test_a_deadline_crossing_several_uncovered_years_names_them() -> None:
    result = CAL.add_working_days(D(2026, 12, 31), 600)
    assert not result.covered
    assert result.warning is not None and "2027–2029 dates" in result.warning


def test_start_day_outside_coverage_does_not_matter_when_the_count_is_inside() -> None:
    # 31 Dec 2003 is not covered, but the count starts the next day, in 2004.
    assert CAL.add_working_days(D(2003, 12, 31), 1) == Deadline(D(2004, 1, 2), covered=True)


def test_rejects_datetimes_and_non_positive_counts() -> None:
    with pytest.raises(TypeError, match="China Standard Time"):
        CAL.is_working_day(dt.datetime(2026, 2, 14, 9, 0, tzinfo=dt.UTC))
    with pytest.raises(ValueError, match="n=0"):
        CAL.add_working_days(D(2026, 2, 13), 0)


def test_deadline_is_frozen() -> None:
    result = CAL.add_working_days(D(2026, 2, 13), 1)
    with pytest.raises(AttributeError):
        result.date = D(2026, 2, 15)  # type: ignore[misc]


# The data file itself ---------------------------------------------------------------------------


def _rewrite(tmp_path: Path, edit: dict[str, object]) -> Path:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    data.update(edit)
    path = tmp_path / "cal.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_gap_in_the_years_is_refused(tmp_path: Path) -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    del data["years"]["2015"]
    with pytest.raises(CalendarDataError, match="contiguous"):
        WorkCalendar.load(_rewrite(tmp_path, {"years": data["years"]}))


def test_a_weekday_listed_as_working_weekend_is_refused(tmp_path: Path) -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    data["years"]["2026"]["working_weekends"]["2026-02-13"] = "春节"
    with pytest.raises(CalendarDataError, match="2026-02-13"):
        WorkCalendar.load(_rewrite(tmp_path, {"years": data["years"]}))


def test_a_date_filed_under_the_wrong_year_is_refused(tmp_path: Path) -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    data["years"]["2025"]["holidays"]["2026-03-03"] = "春节"
    with pytest.raises(CalendarDataError, match="filed under 2025"):
        WorkCalendar.load(_rewrite(tmp_path, {"years": data["years"]}))


def test_the_data_file_matches_the_library_for_every_covered_year() -> None:
    chinese_calendar = pytest.importorskip(
        "chinese_calendar",
        reason="the chinese-calendar dev dependency is not installed; the committed data file "
        "cannot be cross-checked (pip install -e '.[dev]')",
    )
    constants = chinese_calendar.constants
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    for year in range(FIRST, LAST + 1):
        recorded = data["years"][str(year)]
        library_off = {
            d.isoformat(): constants.Holiday(name).chinese
            for d, name in constants.holidays.items()
            if d.year == year
        }
        library_on = {
            d.isoformat(): constants.Holiday(name).chinese
            for d, name in constants.workdays.items()
            if d.year == year
        }
        assert recorded["holidays"] == library_off, year
        assert recorded["working_weekends"] == library_on, year
    day = D(FIRST, 1, 1)
    while day.year <= LAST:
        assert CAL.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_the_data_file_is_exactly_what_the_script_writes() -> None:
    pytest.importorskip(
        "chinese_calendar", reason="the chinese-calendar dev dependency is not installed"
    )
    from importlib.metadata import version

    from scripts.update_holidays import build, render

    recorded = json.loads(DATA_FILE.read_text(encoding="utf-8"))["source"]["version"]
    if version("chinese-calendar") != recorded:
        pytest.skip(
            f"chinese-calendar {version('chinese-calendar')} is installed but the data file came "
            f"from {recorded}: run scripts/update_holidays.py and review the diff"
        )
    assert DATA_FILE.read_text(encoding="utf-8") == render(build())


# Properties ------------------------------------------------------------------------------------

covered_days = st.dates(min_value=D(FIRST, 1, 1), max_value=D(LAST, 12, 31))
any_days = st.dates(min_value=D(FIRST - 2, 1, 1), max_value=D(LAST + 2, 12, 31))
counts = st.integers(min_value=1, max_value=120)


@settings(max_examples=300)
@given(start=covered_days, n=counts)
def test_the_deadline_is_a_working_day_after_start(start: dt.date, n: int) -> None:
    result = CAL.add_working_days(start, n)
    assert result.date > start
    assert CAL.is_working_day(result.date)
    assert (result.warning is None) == result.covered


@settings(max_examples=300)
@given(start=any_days, n=counts)
def test_working_days_between_inverts_add_working_days(start: dt.date, n: int) -> None:
    end = CAL.add_working_days(start, n).date
    assert CAL.working_days_between(start, end) == n
    assert CAL.working_days_between(end, start) == -n
    # Every day before the deadline still has working days left to run.
    assert CAL.working_days_between(start, end - dt.timedelta(days=1)) == n - 1


@settings(max_examples=200)
@given(start=any_days, n=counts, extra=st.integers(min_value=1, max_value=30))
def test_deadlines_are_strictly_monotonic_in_n(start: dt.date, n: int, extra: int) -> None:
    assert CAL.add_working_days(start, n).date < CAL.add_working_days(start, n + extra).date


@settings(max_examples=200)
@given(start=covered_days, n=counts)
def test_coverage_is_lost_exactly_when_the_walk_leaves_the_covered_years(
    start: dt.date, n: int
) -> None:
    result = CAL.add_working_days(start, n)
    assert result.covered == (result.date.year <= LAST)
