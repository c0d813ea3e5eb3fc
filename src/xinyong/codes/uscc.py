"""Unified Social Credit Code (统一社会信用代码, GB 32100-2015).

``stdnum.cn.uscc`` supplies the check-character arithmetic, but its ``validate`` is not used as the
judge, for two reasons found by reading it (python-stdnum 2.2):

* it requires positions 1-8 to be digits, whereas the standard allows letters of the code
  alphabet in positions 1 and 2 (registration authorities ``A``, ``N`` and ``Y`` exist: see
  ``shared/domain/FACTS.md`` §7), so it would reject legitimate codes such as those of rural
  collective economic organisations (``N2…``);
* it does not check the inner GB 11714 organisation-code check character (position 17), and it
  stops at the first problem, while xinyong must report every reason at once.

So the checks below are written out, and ``stdnum.cn.uscc.calc_check_digit`` computes the outer
check character (the two are cross-checked in the tests).

**The inner check (position 17).** It is enforced by default: a code whose organisation code has a
wrong check character is reported with its own reason, distinct from the outer check character,
so that an officer can see which one failed. Some codes issued in the transition from the old
organisation codes fail only this inner check; a caller that has decided to accept such a legacy
code deliberately (an officer's journaled decision, see FACTS.md §7) passes
``check_org_code=False``, which keeps every other check.
"""

from __future__ import annotations

from stdnum.cn import uscc as _stdnum_uscc

from xinyong.codes.errors import CodeError
from xinyong.codes.text import normalise_code

USCC_LENGTH = 18
#: The 31 characters of the code; the letters I, O, S, V and Z are never used.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ALPHABET_SET = frozenset(USCC_ALPHABET)
_EXCLUDED_LETTERS = frozenset("IOSVZ")
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_DIGITS = frozenset("0123456789")
# An API caller can paste a paragraph into a code field; beyond this many bad characters the
# reasons summarise instead of listing one line per character.
_MAX_CHARACTER_REASONS = 10


def _character_reasons(code: str) -> list[str]:
    reasons: list[str] = []
    bad = [(i, c) for i, c in enumerate(code, start=1) if c not in _ALPHABET_SET]
    for position, char in bad[:_MAX_CHARACTER_REASONS]:
        if char in _EXCLUDED_LETTERS:
            why = "the letters I, O, S, V and Z are never used"
        else:
            why = f"only digits and the letters {USCC_ALPHABET[10:]} are used"
        reasons.append(f"character {char!r} at position {position} is not allowed ({why})")
    if len(bad) > _MAX_CHARACTER_REASONS:
        more = len(bad) - _MAX_CHARACTER_REASONS
        reasons.append(f"and {more} more characters that are not allowed")
    return reasons


def org_code_expected_check(org8: str) -> str:
    """The GB 11714 check character for the 8-character body of an organisation code.

    Separate from the outer check because a code can pass one and fail the other, and officers
    need to know which (legacy codes). Values run over the full 0-9, A-Z alphabet (A = 10 …
    Z = 35) even though a USCC never contains I, O, S, V or Z.
    """
    if len(org8) != len(_ORG_CODE_WEIGHTS) or not all(c.isascii() and c.isalnum() for c in org8):
        raise ValueError("an organisation code body is 8 characters from 0-9 and A-Z")
    total = sum(int(c, 36) * w for c, w in zip(org8.upper(), _ORG_CODE_WEIGHTS, strict=True))
    value = 11 - total % 11
    if value == 10:
        return "X"
    if value == 11:
        return "0"
    return str(value)


def uscc_expected_check(code17: str) -> str:
    """The outer check character (position 18) for the first 17 characters of a code.

    Accepts 17 characters, or a full 18-character code whose last character is ignored, so that a
    form can say what the check character should have been. Raises ``CodeError`` when the
    characters are not from the code alphabet, because no check character exists for them.
    """
    code = normalise_code(code17)
    reasons: list[str] = []
    if len(code) not in (USCC_LENGTH - 1, USCC_LENGTH):
        reasons.append(f"length should be 17 or 18 characters, got {len(code)}")
    reasons.extend(_character_reasons(code[: USCC_LENGTH - 1]))
    if reasons:
        raise CodeError(code17, reasons, kind="uscc")
    return str(_stdnum_uscc.calc_check_digit(code[: USCC_LENGTH - 1]))


def validate_uscc(raw: str, *, check_org_code: bool = True) -> str:
    """Return the normalised 18-character code, or raise ``CodeError`` with every reason.

    Check characters are only computed when the length and all characters are right: a check
    character computed over the wrong characters would name a "correction" that is nonsense.
    See the module docstring for ``check_org_code``.
    """
    code = normalise_code(raw)
    reasons: list[str] = []
    if len(code) != USCC_LENGTH:
        reasons.append(f"length should be {USCC_LENGTH} characters, got {len(code)}")
    charset_reasons = _character_reasons(code)
    reasons.extend(charset_reasons)
    division = code[2:8]
    if len(code) >= 8 and not all(c in _DIGITS for c in division):
        reasons.append(
            f"positions 3-8 should be a 6-digit administrative division code, got {division!r}"
        )
    if len(code) == USCC_LENGTH and not charset_reasons:
        if check_org_code:
            expected_org = org_code_expected_check(code[8:16])
            if code[16] != expected_org:
                reasons.append(
                    "organisation code check character (position 17) should be "
                    f"{expected_org!r}, got {code[16]!r}"
                )
        expected = str(_stdnum_uscc.calc_check_digit(code[:17]))
        if code[17] != expected:
            reasons.append(f"check character should be {expected!r}, got {code[17]!r}")
    if reasons:
        raise CodeError(raw, reasons, kind="uscc")
    return code


def looks_like_uscc(raw: str) -> bool:
    """A cheap shape test for routing a search query; it does not check either check character.

    An 18-digit resident ID also has this shape (digits are code characters), so a router should
    try ``looks_like_ric`` as well and, when both match, let validation decide.
    """
    code = normalise_code(raw)
    return (
        len(code) == USCC_LENGTH
        and all(c in _ALPHABET_SET for c in code)
        and all(c in _DIGITS for c in code[2:8])
    )
