"""Resident identity card number (公民身份号码, GB 11643-1999), 18 characters.

``stdnum.cn.ric`` supplies the check-character arithmetic and the calendar test of the birth date.
Its ``validate`` is not used as the judge because it also requires the 6-digit address code to be
in stdnum's table of county codes *and* to have existed in the person's birth year. The address
code is that of the county where the person's household was registered when the number was issued,
which can be a county created long after the birth, and new counties appear after any table is
published; so that test rejects genuine IDs, and a registry must not quarantine real people for
it. The address code is therefore only required to be six digits. (stdnum also stops at the first
problem, while xinyong reports every reason.)

Birth dates must be real calendar dates, not before 1850 and not after today in China Standard
Time. That test is monotone in time, so an ID accepted once is accepted on every later day and a
replay of old input never starts failing.
"""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric as _stdnum_ric
from stdnum.exceptions import ValidationError

from xinyong.codes.errors import CodeError
from xinyong.codes.text import normalise_code

RIC_LENGTH = 18
EARLIEST_BIRTH_YEAR = 1850
_CST = dt.timezone(dt.timedelta(hours=8), "CST")  # China has had no daylight saving since 1991
_DIGITS = frozenset("0123456789")
_CHECK_CHARACTERS = frozenset("0123456789X")
_MASK = "*" * 8
_MAX_CHARACTER_REASONS = 10


def today_in_china() -> dt.date:
    return dt.datetime.now(_CST).date()


def _date_reason(digits8: str, today: dt.date) -> str | None:
    try:
        born = _stdnum_ric.get_birth_date("000000" + digits8 + "0000")
    except (ValidationError, ValueError):
        return f"birth date {digits8} is not a real date"
    if born.year < EARLIEST_BIRTH_YEAR:
        return f"birth date {digits8} is before {EARLIEST_BIRTH_YEAR}, which is not plausible"
    if born > today:
        return f"birth date {digits8} is in the future"
    return None


def _character_reasons(code: str) -> list[str]:
    bad: list[tuple[int, str, str]] = []
    for position, char in enumerate(code, start=1):
        if position < RIC_LENGTH and char not in _DIGITS:
            bad.append((position, char, "positions 1-17 are digits"))
        elif position == RIC_LENGTH and char not in _CHECK_CHARACTERS:
            bad.append((position, char, "the check character is a digit or X"))
    reasons = [
        f"character {char!r} at position {position} is not allowed ({why})"
        for position, char, why in bad[:_MAX_CHARACTER_REASONS]
    ]
    if len(bad) > _MAX_CHARACTER_REASONS:
        more = len(bad) - _MAX_CHARACTER_REASONS
        reasons.append(f"and {more} more characters that are not allowed")
    return reasons


def _check_character(digits17: str) -> str:
    # stdnum's arithmetic expects the check character in place and ignores it.
    return str(_stdnum_ric.calc_check_digit(digits17 + "0"))


def ric_expected_check(code17: str) -> str:
    """The check character for the first 17 digits (an 18-character ID's last one is ignored)."""
    code = normalise_code(code17)
    reasons: list[str] = []
    if len(code) not in (RIC_LENGTH - 1, RIC_LENGTH):
        reasons.append(f"length should be 17 or 18 characters, got {len(code)}")
    reasons.extend(_character_reasons(code[: RIC_LENGTH - 1]))
    if reasons:
        raise CodeError(code17, reasons, kind="ric")
    return _check_character(code[: RIC_LENGTH - 1])


def validate_ric(raw: str, *, today: dt.date | None = None) -> str:
    """Return the normalised 18-character ID, or raise ``CodeError`` with every reason.

    15-digit IDs (issued before 1999) are rejected rather than converted: the conversion has to
    guess the century, and the registry keys people only by the 18-character number. ``today``
    exists for tests; it defaults to the current date in China.
    """
    code = normalise_code(raw)
    reasons: list[str] = []
    if len(code) != RIC_LENGTH:
        reason = f"length should be {RIC_LENGTH} characters, got {len(code)}"
        if len(code) == 15 and all(c in _DIGITS for c in code):
            reason += " (15-digit legacy IDs are not accepted; only 18-character IDs are)"
        reasons.append(reason)
    charset_reasons = _character_reasons(code)
    reasons.extend(charset_reasons)
    # In an ID of the wrong length the birth date's position is unknown, so it is not judged.
    date_digits = code[6:14]
    if len(code) == RIC_LENGTH and all(c in _DIGITS for c in date_digits):
        date_reason = _date_reason(date_digits, today or today_in_china())
        if date_reason is not None:
            reasons.append(date_reason)
    if len(code) == RIC_LENGTH and not charset_reasons:
        expected = _check_character(code[:17])
        if code[17] != expected:
            reasons.append(f"check character should be {expected!r}, got {code[17]!r}")
    if reasons:
        raise CodeError(raw, reasons, kind="ric")
    return code


def looks_like_ric(raw: str) -> bool:
    """A cheap shape test for routing a search query; it does not check the check character.

    17 digits, then a digit or X, with a plausible birth date. Many resident IDs also look like a
    USCC (see ``looks_like_uscc``); when both match, let validation decide.
    """
    code = normalise_code(raw)
    return (
        len(code) == RIC_LENGTH
        and all(c in _DIGITS for c in code[:17])
        and code[17] in _CHECK_CHARACTERS
        and _date_reason(code[6:14], today_in_china()) is None
    )


def mask_ric(ric: str) -> str:
    """The public form of a resident ID: the first six and last four characters, 8 '*' between.

    This is what every public output shows (DESIGN.md invariant 7). The check character is not
    verified, so that IDs an officer accepted as legacy can still be shown; only the length is,
    because masking anything else would either leak or mislead.
    """
    code = normalise_code(ric)
    if len(code) != RIC_LENGTH:
        raise CodeError(
            ric, [f"length should be {RIC_LENGTH} characters, got {len(code)}"], kind="ric"
        )
    return code[:6] + _MASK + code[-4:]
