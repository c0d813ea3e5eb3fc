"""USCC validation: known codes, normalisation, precise reasons, and single-error detection."""

from __future__ import annotations

import pickle
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from xinyong.codes import (
    USCC_ALPHABET,
    CodeError,
    looks_like_uscc,
    normalise_code,
    org_code_expected_check,
    uscc_expected_check,
    validate_uscc,
)

KNOWN_VALID = [
    "91350200776049653A",
    "913502000728319549",
    "91350500798359476R",
    "91440101MA5CJQ4N59",
    "9135021359498494XQ",
    "91350213678251743X",
]


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def reference_check(code17: str) -> str:
    """FACTS.md §7 written out independently of stdnum, to cross-check it."""
    weights = [pow(3, i, 31) for i in range(17)]
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code17, weights, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


@st.composite
def valid_usccs(draw: st.DrawFn) -> str:
    head = draw(st.text(alphabet=USCC_ALPHABET, min_size=2, max_size=2))
    division = draw(st.text(alphabet=string.digits, min_size=6, max_size=6))
    org8 = draw(st.text(alphabet=USCC_ALPHABET, min_size=8, max_size=8))
    code17 = head + division + org8 + org_code_expected_check(org8)
    return code17 + uscc_expected_check(code17)


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_codes_pass(code: str) -> None:
    assert validate_uscc(code) == code
    assert uscc_expected_check(code[:17]) == code[17]
    assert uscc_expected_check(code) == code[17]
    assert org_code_expected_check(code[8:16]) == code[16]
    assert looks_like_uscc(code)


@pytest.mark.parametrize("code", KNOWN_VALID)
@pytest.mark.parametrize(
    "spell",
    [
        str.lower,
        lambda c: f"  {c[:2]} {c[2:8]} {c[8:17]} {c[17]} ",
        lambda c: f"{c[:8]}-{c[8:]}",
        lambda c: f"{c[:2]}‐{c[2:8]}‑{c[8:12]}–{c[12:16]}—{c[16:]}",
        lambda c: f"{c[:8]}－{c[8:]}",
        full_width,
        lambda c: full_width(c.lower()),
        lambda c: f"{c[:8]}\u3000{c[8:]}\u00a0",
        lambda c: f"\ufeff{c[:9]}\u200b{c[9:]}",
    ],
)
def test_spellings_normalise_and_pass(code: str, spell: object) -> None:
    assert callable(spell)
    assert validate_uscc(spell(code)) == code


def test_bad_check_character_gives_exactly_one_reason() -> None:
    with pytest.raises(CodeError) as caught:
        validate_uscc("91350200776049653B")
    assert caught.value.reasons == ["check character should be 'A', got 'B'"]
    assert caught.value.code == "91350200776049653B"
    assert caught.value.kind == "uscc"


def test_the_whitelisted_legacy_code_fails_its_check() -> None:
    with pytest.raises(CodeError) as caught:
        validate_uscc("91350203M0001QAY9B")
    assert caught.value.reasons == ["check character should be '9', got 'B'"]


def test_length() -> None:
    with pytest.raises(CodeError) as caught:
        validate_uscc("9135020077604965A")
    assert caught.value.reasons == ["length should be 18 characters, got 17"]
    with pytest.raises(CodeError) as caught:
        validate_uscc("")
    assert caught.value.reasons == ["length should be 18 characters, got 0"]


def test_excluded_letter_is_named_with_its_position() -> None:
    with pytest.raises(CodeError) as caught:
        validate_uscc("91350200776O49653A")
    assert caught.value.reasons == [
        "character 'O' at position 12 is not allowed (the letters I, O, S, V and Z are never used)"
    ]


def test_division_code_must_be_digits() -> None:
    code17 = "9135A200776049653"
    code = code17 + reference_check(code17)
    with pytest.raises(CodeError) as caught:
        validate_uscc(code)
    assert caught.value.reasons == [
        "positions 3-8 should be a 6-digit administrative division code, got '35A200'"
    ]


def test_inner_organisation_code_check() -> None:
    code17 = "91350200776049693"  # org code 77604969, whose check character is 6, not 3
    code = code17 + reference_check(code17)
    with pytest.raises(CodeError) as caught:
        validate_uscc(code)
    assert caught.value.reasons == [
        "organisation code check character (position 17) should be '6', got '3'"
    ]
    assert validate_uscc(code, check_org_code=False) == code


def test_every_reason_is_collected() -> None:
    with pytest.raises(CodeError) as caught:
        validate_uscc("91S5A2007760I9693")
    assert caught.value.reasons == [
        "length should be 18 characters, got 17",
        "character 'S' at position 3 is not allowed (the letters I, O, S, V and Z are never used)",
        "character 'I' at position 13 is not allowed (the letters I, O, S, V and Z are never used)",
        "positions 3-8 should be a 6-digit administrative division code, got 'S5A200'",
    ]
    # Both check characters wrong: both named.
    with pytest.raises(CodeError) as caught:
        validate_uscc("91350200776049693A")
    assert caught.value.reasons == [
        "organisation code check character (position 17) should be '6', got '3'",
        "check character should be 'E', got 'A'",
    ]


def test_no_check_character_reason_when_characters_are_wrong() -> None:
    with pytest.raises(CodeError) as caught:
        validate_uscc("91350200776049653*")
    assert caught.value.reasons == [
        "character '*' at position 18 is not allowed "
        "(only digits and the letters ABCDEFGHJKLMNPQRTUWXY are used)"
    ]


def test_a_pasted_paragraph_gets_a_bounded_list_of_reasons() -> None:
    with pytest.raises(CodeError) as caught:
        validate_uscc("厦门市某某贸易有限公司" * 20)
    assert len(caught.value.reasons) == 13
    assert caught.value.reasons[-2] == "and 210 more characters that are not allowed"


def test_letters_are_allowed_in_the_first_two_positions() -> None:
    # stdnum.cn.uscc.validate rejects these (it wants positions 1-8 to be digits); the standard
    # has registration authorities A, N and Y.
    for head in ("N2", "Y1", "A1"):
        code17 = head + "350200" + "MA5CJQ4N" + org_code_expected_check("MA5CJQ4N")
        code = code17 + uscc_expected_check(code17)
        assert validate_uscc(code) == code
        assert not stdnum_uscc.is_valid(code)


def test_expected_check_refuses_what_has_no_check_character() -> None:
    with pytest.raises(CodeError) as caught:
        uscc_expected_check("9135020077604965")
    assert caught.value.reasons == ["length should be 17 or 18 characters, got 16"]
    with pytest.raises(CodeError):
        uscc_expected_check("9135020077604965O")


def test_error_message_never_repeats_the_input_and_survives_pickling() -> None:
    with pytest.raises(CodeError) as caught:
        validate_uscc("91350200776049653B")
    assert "91350200776049653B" not in str(caught.value)
    assert "91350200776049653B" not in repr(caught.value)
    copy = pickle.loads(pickle.dumps(caught.value))  # noqa: S301 - our own object
    assert (copy.code, copy.reasons, copy.kind) == (
        caught.value.code,
        caught.value.reasons,
        caught.value.kind,
    )
    assert isinstance(caught.value, ValueError)


def test_looks_like_uscc_routes_by_shape_only() -> None:
    assert looks_like_uscc("91350200776049653B")  # wrong check character, right shape
    assert looks_like_uscc("9135 0200 7760 4965 3a")
    assert not looks_like_uscc("9135A200776049653A")
    assert not looks_like_uscc("91350200776O49653A")
    assert not looks_like_uscc("厦门国际银行")


@given(valid_usccs())
def test_stdnum_matches_the_standard(code: str) -> None:
    assert stdnum_uscc.calc_check_digit(code[:17]) == reference_check(code[:17])
    assert validate_uscc(code) == code
    assert validate_uscc(full_width(code.lower())) == code


@settings(max_examples=400)
@given(valid_usccs(), st.integers(min_value=0, max_value=17), st.sampled_from(USCC_ALPHABET))
def test_any_single_character_change_is_detected(code: str, position: int, new: str) -> None:
    if code[position] == new:
        new = USCC_ALPHABET[(USCC_ALPHABET.index(new) + 1) % len(USCC_ALPHABET)]
    changed = code[:position] + new + code[position + 1 :]
    with pytest.raises(CodeError) as caught:
        validate_uscc(changed)
    # The outer check alone catches every single substitution (31 is prime).
    assert any(r.startswith("check character should be") for r in caught.value.reasons)
    with pytest.raises(CodeError):
        validate_uscc(changed, check_org_code=False)


@given(st.text())
def test_normalise_code_is_idempotent(raw: str) -> None:
    once = normalise_code(raw)
    assert normalise_code(once) == once
