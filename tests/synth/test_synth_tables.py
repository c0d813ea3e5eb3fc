"""The reference tables: regions against stdnum's location data, industries, catalogues."""

from __future__ import annotations

import random
from collections import Counter

from stdnum import numdb
from stdnum.cn import uscc

from xinyong.synth.agencies import AGENCIES, Bureaus, bureau_name
from xinyong.synth.industries import INDUSTRIES, company_industries, shop_industries
from xinyong.synth.licence_kinds import LICENCE_KINDS
from xinyong.synth.regions import PROVINCES, REGIONS, region_table
from xinyong.synth.violations import SERIOUS_CATEGORIES, VIOLATIONS


def _current_name(info: str) -> tuple[str, bool]:
    """The last name in a numdb county entry and whether it is still in use."""
    last = info.split(",")[-1]
    if not last.startswith("["):
        return last, True
    span, name = last[1:].split("]")
    return name, span.endswith("-")


def test_thirty_one_provinces_with_census_populations() -> None:
    assert len(PROVINCES) == 31
    assert len({province.code for province in PROVINCES}) == 31
    # The 2020 census total for the 31 divisions, less the 2 million serving military.
    assert sum(province.population for province in PROVINCES) == 1_409_778_724


def test_every_region_is_a_current_county_level_division() -> None:
    locations = numdb.get("cn/loc")
    assert len({region.code for region in REGIONS}) == len(REGIONS)
    for province in PROVINCES:
        assert sum(1 for region in REGIONS if region.province == province) >= 3
    for region in REGIONS:
        assert region.code.startswith(region.province.code)
        info = {
            key: value for _, props in locations.info(region.code) for key, value in props.items()
        }
        assert info["province"] == region.province.name
        name, current = _current_name(info["county"])
        assert name == (region.county or region.city), region
        assert current, region


def test_regions_are_drawn_by_population() -> None:
    rng = random.Random(3)
    table = region_table()
    drawn = Counter(table.pick(rng).province.short for _ in range(20000))
    assert drawn["广东"] > drawn["山东"] > drawn["甘肃"] > drawn["西藏"]
    assert 0.07 < drawn["广东"] / 20000 < 0.11


def test_industries_are_the_gbt_4754_sections_weighted_by_commerce() -> None:
    assert [industry.letter for industry in INDUSTRIES] == list("ABCDEFGHIJKLMNOPQRST")
    rng = random.Random(4)
    drawn = Counter(company_industries().pick(rng).letter for _ in range(10000))
    assert drawn.most_common(2)[0][0] == "F"
    assert drawn.most_common(2)[1][0] == "L"
    assert all(industry.shop_words for industry in shop_industries().items)


def test_bureaus_have_stable_valid_codes() -> None:
    region = next(region for region in REGIONS if region.code == "330106")
    assert bureau_name("samr", region, False) == "杭州市市场监督管理局"
    assert bureau_name("samr", region, True) == "杭州市西湖区市场监督管理局"
    assert bureau_name("mee", region, True) == "杭州市生态环境局西湖分局"
    assert bureau_name("sta", region, True) == "国家税务总局杭州市西湖区税务局"
    first, second = Bureaus(), Bureaus()
    for agency in AGENCIES:
        for county in (False, True):
            bureau = first.get(agency.code, region, county)
            assert bureau.uscc == second.get(agency.code, region, county).uscc
            assert bureau.uscc.startswith("11")
            assert uscc.is_valid(bureau.uscc)


def test_catalogues_cover_every_agency() -> None:
    for agency in AGENCIES:
        assert any(kind.agency == agency.code for kind in LICENCE_KINDS), agency
        assert any(violation.agency == agency.code for violation in VIOLATIONS), agency
    assert {v.agency for v in VIOLATIONS if v.persons} >= {"samr", "sta", "mot", "nhc", "mem"}
    for violation in VIOLATIONS:
        assert violation.basis.startswith("《"), violation
        low, high = violation.fine
        assert 0 < low <= high
    assert any(violation.categories & SERIOUS_CATEGORIES for violation in VIOLATIONS)
