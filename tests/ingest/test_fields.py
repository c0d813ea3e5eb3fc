"""Date and amount parsing: every written form agencies use, and precise refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.ingest.fields import FieldError, parse_date, parse_wan

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_every_written_form_of_a_date_parses_back(day: dt.date) -> None:
    forms = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d"),
        f"{day.isoformat()} 00:00:00",
        str((day - dt.date(1899, 12, 30)).days),  # Excel serial
        day.isoformat().translate(FULL_WIDTH),
    ]
    for form in forms:
        assert parse_date(form) == day, form


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2023-02-30", "'2023-02-30' is not a real calendar date"),
        ("next week", "'next week' is not a date"),
        ("", "is empty"),
    ],
)
def test_bad_dates_say_why(raw: str, message: str) -> None:
    with pytest.raises(FieldError, match=message):
        parse_date(raw)


@given(st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False))
def test_amounts_round_trip_as_canonical_decimals(value: object) -> None:
    from decimal import Decimal

    text = parse_wan(str(value))
    assert text is not None and Decimal(text) == value
    assert parse_wan(text) == text  # canonical form is stable


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-1", "is negative"),
        ("abc", "is not a number"),
        ("NaN", "is not a number"),
    ],
)
def test_bad_amounts_say_why(raw: str, message: str) -> None:
    with pytest.raises(FieldError, match=message):
        parse_wan(raw)
