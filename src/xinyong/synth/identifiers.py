"""Identifiers that real validators accept: USCC, GB 11714 organisation codes, resident IDs.

The check characters come from ``python-stdnum`` (the same library ingest validates with), except
the GB 11714 inner check, which stdnum does not offer; it is computed here from the standard's
weights (FACTS §7) so that every generated USCC also carries a consistent organisation code.
"""

from __future__ import annotations

import random
from datetime import date

from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc
from stdnum.iso7064 import mod_11_10

# GB 32100 drops I, O, S, V and Z; organisation codes issued inside USCCs use the same 31 symbols.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_DIGITS = "0123456789"


def org_code_check(body: str) -> str:
    """The GB 11714 check character of an 8-character organisation code body.

    Values run over the full 0-9, A-Z alphabet (A = 10 ... Z = 35); C9 = 11 - (sum mod 11),
    with 10 written ``X`` and 11 written ``0``.
    """
    if len(body) != 8:
        raise ValueError("an organisation code body has 8 characters")
    total = sum(
        int(char, 36) * weight for char, weight in zip(body, _ORG_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    if check == 10:
        return "X"
    if check == 11:
        return "0"
    return str(check)


def org_code_body(rng: random.Random, established: date) -> str:
    """Eight characters of a body identifier.

    Codes issued before the 2015 unification kept the old, all-digit organisation code; codes
    issued since by market regulators mostly start ``MA`` and use the wider alphabet.
    """
    if established.year < 2016:
        return "".join(rng.choice(_DIGITS) for _ in range(8))
    return "MA" + "".join(rng.choice(USCC_ALPHABET) for _ in range(6))


def make_uscc(prefix: str, region_code: str, body: str) -> str:
    """A Unified Social Credit Code from its parts, with both check characters."""
    first17 = prefix + region_code + body + org_code_check(body)
    return first17 + str(stdnum_uscc.calc_check_digit(first17))


def make_ric(region_code: str, born: date, sequence: int) -> str:
    """An 18-digit resident ID; an odd sequence means a man, an even one a woman."""
    first17 = f"{region_code}{born:%Y%m%d}{sequence:03d}"
    # stdnum's helper expects a full-length number and ignores its last character.
    return first17 + str(stdnum_ric.calc_check_digit(first17 + "0"))


def make_registration_number(rng: random.Random, region_code: str) -> str:
    """A legacy 15-digit business registration number (工商注册号), ISO 7064 MOD 11,10 checked.

    Registries still show these for companies registered before the codes were unified.
    """
    first14 = region_code + "0" + "".join(rng.choice(_DIGITS) for _ in range(7))
    return first14 + str(mod_11_10.calc_check_digit(first14))


def ric_valid_years(region_code: str, first: int, last: int) -> tuple[int, ...]:
    """Birth years in [first, last] for which stdnum accepts this address code.

    stdnum checks that the county existed in the birth year, and many districts were created in
    the 1980s or later, so a person's birth year has to fit the code the generator gives them.
    """
    years: list[int] = []
    for year in range(first, last + 1):
        try:
            stdnum_ric.get_birth_place(f"{region_code}{year}0101" + "0000")
        except ValueError:  # stdnum's ValidationError subclasses ValueError
            continue
        years.append(year)
    return tuple(years)
