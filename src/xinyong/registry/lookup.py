"""Public codes to subject keys.

An 18-digit string can be either a USCC or a resident ID, so a code is tried as both and, when it
fails, the reasons given are those of every reading it plausibly had.
"""

from __future__ import annotations

from dataclasses import dataclass

from xinyong.codes import (
    CodeError,
    IdHasher,
    looks_like_ric,
    mask_ric,
    normalise_code,
    validate_ric,
    validate_uscc,
)


@dataclass(frozen=True, slots=True)
class ResolvedCode:
    subject_key: str
    kind: str  # organisation | person
    public_code: str  # the USCC, or the masked resident ID


def resolve_code(raw: str, hasher: IdHasher) -> ResolvedCode:
    """Validate `raw` as a USCC, else as a resident ID; CodeError lists why it is neither."""
    try:
        code = validate_uscc(raw)
        return ResolvedCode(code, "organisation", code)
    except CodeError as uscc_error:
        if not looks_like_ric(normalise_code(raw)):
            raise
        try:
            ric = validate_ric(raw)
        except CodeError as ric_error:
            reasons = [f"as a unified social credit code: {r}" for r in uscc_error.reasons]
            reasons += [f"as a resident ID: {r}" for r in ric_error.reasons]
            raise CodeError(raw, reasons) from None
        return ResolvedCode(hasher.digest(ric), "person", mask_ric(ric))
