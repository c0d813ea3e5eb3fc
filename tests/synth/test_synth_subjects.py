"""Subjects: valid unique codes, unique composed names, shared trade names, realistic mix."""

from __future__ import annotations

from collections import Counter

import pytest
from stdnum.cn import uscc

from xinyong.synth import REFERENCE_DATE, Subject, iter_subjects
from xinyong.synth.subjects import SHOP

N = 2000


@pytest.fixture(scope="module")
def subjects() -> list[Subject]:
    return list(iter_subjects(N, 11))


def test_codes_are_valid_and_unique(subjects: list[Subject]) -> None:
    codes = [subject.uscc for subject in subjects]
    assert len(set(codes)) == N
    assert all(uscc.is_valid(code) for code in codes)
    prefixes = Counter(code[:2] for code in codes)
    assert prefixes["91"] > prefixes["92"] > prefixes["93"] > 0
    assert prefixes["51"] + prefixes["52"] + prefixes["12"] > 0
    for subject in subjects:
        assert subject.uscc[2:8] == subject.region.code
        assert (subject.uscc[:2] == "92") == (subject.kind == SHOP)


def test_names_are_unique_including_former_names(subjects: list[Subject]) -> None:
    names = [subject.name for subject in subjects]
    former = [name for subject in subjects for name in subject.former_names]
    assert len(set(names)) == N
    assert len(set(names + former)) == N + len(former)
    assert 0.05 < sum(1 for s in subjects if s.former_names) / N < 0.12
    assert all(len(subject.former_names) <= 2 for subject in subjects)


def test_a_fifth_of_trade_names_are_shared(subjects: list[Subject]) -> None:
    uses = Counter(subject.trade_name for subject in subjects if subject.trade_name)
    shared = sum(1 for count in uses.values() if count >= 2)
    assert shared / len(uses) >= 0.2
    # Shared across places or lines of business, never as the same name.
    holders = [s for s in subjects if s.trade_name == uses.most_common(1)[0][0]]
    assert len({s.name for s in holders}) == len(holders)


def test_names_are_composed_from_their_parts(subjects: list[Subject]) -> None:
    companies = [s for s in subjects if s.kind == "有限责任公司"]
    assert all(s.name.endswith(("有限公司", "有限责任公司")) for s in companies)
    assert all(s.trade_name in s.name for s in companies)
    assert any("（" in s.name and "）" in s.name for s in companies)
    shops = [s for s in subjects if s.kind == SHOP]
    assert all(s.name.startswith(s.region.full_name) for s in shops)
    branches = [s for s in subjects if s.kind.endswith("分公司")]
    assert branches
    assert all(s.name.endswith("分公司") and s.capital == "" for s in branches)


def test_dates_statuses_and_english_names(subjects: list[Subject]) -> None:
    assert max(subject.established for subject in subjects) <= REFERENCE_DATE
    statuses = Counter(subject.status for subject in subjects)
    assert statuses.most_common(1)[0][0] == "存续"
    assert set(statuses) == {"存续", "在业", "吊销", "注销"}
    english = [s.english_name for s in subjects if s.english_name]
    assert 0 < len(english) < N * 0.1
    assert all(name.endswith("Co., Ltd.") for name in english)


def test_same_seed_same_subjects() -> None:
    assert list(iter_subjects(200, 5)) == list(iter_subjects(200, 5))
    assert list(iter_subjects(200, 5)) != list(iter_subjects(200, 6))
