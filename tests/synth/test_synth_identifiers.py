"""Identifiers and value formats the generator writes."""

from __future__ import annotations

import random
from datetime import date

import pytest
from stdnum.cn import ric, uscc
from stdnum.iso7064 import mod_11_10

from xinyong.synth.formats import add_months, add_years, wan
from xinyong.synth.identifiers import (
    make_registration_number,
    make_ric,
    make_uscc,
    org_code_body,
    org_code_check,
    ric_valid_years,
)

# Real codes that pass both checks (FACTS §7).
KNOWN_USCCS = (
    "91350200776049653A",
    "913502000728319549",
    "91350500798359476R",
    "91440101MA5CJQ4N59",
    "9135021359498494XQ",
    "91350213678251743X",
)


@pytest.mark.parametrize("code", KNOWN_USCCS)
def test_org_code_check_matches_real_codes(code: str) -> None:
    assert org_code_check(code[8:16]) == code[16]
    assert make_uscc(code[:2], code[2:8], code[8:16]) == code


def test_org_code_check_maps_ten_and_eleven() -> None:
    checks = {org_code_check(f"{n:08d}") for n in range(0, 4000, 7)}
    assert "X" in checks
    assert "0" in checks
    with pytest.raises(ValueError, match="8 characters"):
        org_code_check("1234567")


def test_generated_usccs_validate() -> None:
    rng = random.Random(1)
    for established in (date(2010, 1, 1), date(2020, 1, 1)):
        for _ in range(500):
            body = org_code_body(rng, established)
            assert len(body) == 8
            code = make_uscc("91", "330106", body)
            assert uscc.is_valid(code), code
    assert org_code_body(rng, date(2020, 1, 1)).startswith("MA")
    assert org_code_body(rng, date(2010, 1, 1)).isdigit()


def test_resident_id_matches_the_standard_example() -> None:
    assert make_ric("110105", date(1949, 12, 31), 2) == "11010519491231002X"


def test_resident_id_years_follow_the_location_table() -> None:
    years = ric_valid_years("330106", 1950, 2004)  # 西湖区 exists from 1983
    assert years[0] == 1983
    assert ric_valid_years("110101", 1950, 1952) == (1950, 1951, 1952)
    for year in years[:5]:
        assert ric.is_valid(make_ric("330106", date(year, 6, 1), 17))


def test_registration_numbers_carry_their_check_digit() -> None:
    rng = random.Random(2)
    for _ in range(100):
        number = make_registration_number(rng, "440305")
        assert len(number) == 15
        assert mod_11_10.is_valid(number)


@pytest.mark.parametrize(
    ("yuan", "text"),
    [(5000, "0.5"), (20000, "2"), (103500, "10.35"), (50, "0.005"), (1, "0.0001"), (0, "0")],
)
def test_wan_writes_up_to_four_decimals(yuan: int, text: str) -> None:
    assert wan(yuan) == text


def test_wan_refuses_negative_amounts() -> None:
    with pytest.raises(ValueError, match="negative"):
        wan(-1)


def test_month_arithmetic_clamps_to_month_end() -> None:
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 15), 3) == date(2023, 4, 15)
    assert add_months(date(2023, 12, 31), -4) == date(2023, 8, 31)
    assert add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)
