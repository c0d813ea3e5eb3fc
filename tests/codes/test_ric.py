"""Resident ID validation and masking."""

from __future__ import annotations

import datetime as dt
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric

from xinyong.codes import (
    CodeError,
    looks_like_ric,
    looks_like_uscc,
    mask_ric,
    ric_expected_check,
    validate_ric,
)

STANDARD_EXAMPLE = "11010519491231002X"  # GB 11643-1999's own example
CHECK_CHARACTERS = "0123456789X"


def reference_check(digits17: str) -> str:
    """FACTS.md §7 written out independently of stdnum."""
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    return "10X98765432"[sum(int(c) * w for c, w in zip(digits17, weights, strict=True)) % 11]


@st.composite
def valid_rics(draw: st.DrawFn) -> str:
    address = draw(st.text(alphabet=string.digits, min_size=6, max_size=6))
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)))
    sequence = draw(st.text(alphabet=string.digits, min_size=3, max_size=3))
    digits17 = address + born.strftime("%Y%m%d") + sequence
    return digits17 + ric_expected_check(digits17)


def test_the_standard_example() -> None:
    assert validate_ric(STANDARD_EXAMPLE) == STANDARD_EXAMPLE
    assert validate_ric("11010519491231002x") == STANDARD_EXAMPLE
    assert validate_ric("１１０１０５ １９４９１２３１ ００２ｘ") == STANDARD_EXAMPLE
    assert validate_ric("110105-19491231-002X") == STANDARD_EXAMPLE
    assert ric_expected_check("11010519491231002") == "X"
    assert ric_expected_check(STANDARD_EXAMPLE) == "X"


def test_bad_check_character() -> None:
    with pytest.raises(CodeError) as caught:
        validate_ric("110105194912310023")
    assert caught.value.reasons == ["check character should be 'X', got '3'"]
    assert caught.value.kind == "ric"


def test_birth_date_must_be_real() -> None:
    digits17 = "11010519491331002"
    with pytest.raises(CodeError) as caught:
        validate_ric(digits17 + reference_check(digits17))
    assert caught.value.reasons == ["birth date 19491331 is not a real date"]


def test_birth_date_must_be_plausible() -> None:
    for date, reason in [
        ("18491231", "birth date 18491231 is before 1850, which is not plausible"),
        ("00000101", "birth date 00000101 is not a real date"),
        ("20300101", "birth date 20300101 is in the future"),
    ]:
        digits17 = "110105" + date + "002"
        with pytest.raises(CodeError) as caught:
            validate_ric(digits17 + reference_check(digits17), today=dt.date(2025, 1, 1))
        assert caught.value.reasons == [reason]
    digits17 = "11010520250101002"
    assert validate_ric(digits17 + reference_check(digits17), today=dt.date(2025, 1, 1))


def test_legacy_15_digit_ids_are_rejected_with_a_reason() -> None:
    with pytest.raises(CodeError) as caught:
        validate_ric("110105491231002")
    assert caught.value.reasons == [
        "length should be 18 characters, got 15 "
        "(15-digit legacy IDs are not accepted; only 18-character IDs are)"
    ]


def test_characters_and_every_reason() -> None:
    with pytest.raises(CodeError) as caught:
        validate_ric("1101O519491231002Y")
    assert caught.value.reasons == [
        "character 'O' at position 5 is not allowed (positions 1-17 are digits)",
        "character 'Y' at position 18 is not allowed (the check character is a digit or X)",
    ]
    with pytest.raises(CodeError) as caught:
        validate_ric("11010519491331002X")
    assert caught.value.reasons == [
        "birth date 19491331 is not a real date",
        "check character should be '1', got 'X'",
    ]


def test_address_codes_are_not_checked_against_a_table() -> None:
    # 110112 (Tongzhou, Beijing) exists only since 1997, but a person born in 1950 who lives
    # there holds exactly such an ID; stdnum's birth-place test rejects it.
    digits17 = "11011219500101001"
    ric = digits17 + reference_check(digits17)
    assert validate_ric(ric) == ric
    assert not stdnum_ric.is_valid(ric)


def test_mask() -> None:
    assert mask_ric(STANDARD_EXAMPLE) == "110105********002X"
    assert mask_ric("11010519491231002x") == "110105********002X"
    with pytest.raises(CodeError) as caught:
        mask_ric("110105491231002")
    assert caught.value.reasons == ["length should be 18 characters, got 15"]


def test_message_does_not_repeat_the_id() -> None:
    with pytest.raises(CodeError) as caught:
        validate_ric("110105194912310023")
    assert "110105194912310023" not in str(caught.value)
    assert "110105194912310023" not in repr(caught.value)


def test_looks_like_ric() -> None:
    assert looks_like_ric(STANDARD_EXAMPLE)
    assert looks_like_ric("110105194912310023")  # wrong check character, right shape
    assert looks_like_ric("110105 19491231 002x")
    assert not looks_like_ric("11010519491331002X")  # no such date
    assert not looks_like_ric("91440101MA5CJQ4N59")
    assert not looks_like_ric("110105491231002")
    assert looks_like_uscc("110105194912310021")  # both shapes can match; validation decides


@given(valid_rics())
def test_valid_ids_pass_and_agree_with_the_standard(ric: str) -> None:
    assert ric[17] == reference_check(ric[:17])
    assert validate_ric(ric) == ric
    assert validate_ric(ric.lower()) == ric
    assert looks_like_ric(ric)


@settings(max_examples=400)
@given(valid_rics(), st.integers(min_value=0, max_value=17), st.sampled_from(CHECK_CHARACTERS))
def test_any_single_character_change_is_detected(ric: str, position: int, new: str) -> None:
    allowed = CHECK_CHARACTERS if position == 17 else string.digits
    if new not in allowed or new == ric[position]:
        new = next(c for c in allowed if c != ric[position])
    changed = ric[:position] + new + ric[position + 1 :]
    with pytest.raises(CodeError):
        validate_ric(changed)


@given(valid_rics())
def test_masking_never_leaks_the_hidden_digits(ric: str) -> None:
    masked = mask_ric(ric)
    assert masked[6:14] == "********"
    assert masked == ric[:6] + "*" * 8 + ric[-4:]
    assert len(masked) == 18
    assert ric[6:14] not in masked
