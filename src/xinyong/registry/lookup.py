"""Public codes to subject keys.

An 18-digit string can be a USCC, a resident ID, or (about one in 341 resident IDs) both at once,
so a code is read every way it validates; the caller looks each reading up in turn. When it fails,
the reasons given are those of every reading it plausibly had.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from xinyong.codes import (
    CodeError,
    IdHasher,
    looks_like_ric,
    mask_ric,
    normalise_code,
    validate_ric,
    validate_uscc,
)
from xinyong.store.projections.legacy import is_accepted as is_accepted_legacy


@dataclass(frozen=True, slots=True)
class ResolvedCode:
    subject_key: str
    kind: str  # organisation | person
    public_code: str  # the USCC, or the masked resident ID


def resolve_code(raw: str, hasher: IdHasher, conn: Connection | None = None) -> list[ResolvedCode]:
    """Every valid reading of `raw` (organisation first); CodeError lists why it has none.

    With a connection, a code an officer accepted as a legacy code (it fails its check but was
    really issued) reads as that organisation. A resident ID is only ever shown masked.
    """
    readings: list[ResolvedCode] = []
    uscc_error: CodeError | None = None
    ric_error: CodeError | None = None
    try:
        code = validate_uscc(raw)
    except CodeError as exc:
        uscc_error = exc
    if looks_like_ric(normalise_code(raw)):
        try:
            ric = validate_ric(raw)
            readings.append(ResolvedCode(hasher.digest(ric), "person", mask_ric(ric)))
        except CodeError as exc:
            ric_error = exc
    if uscc_error is None:
        public = readings[0].public_code if readings else code
        readings.insert(0, ResolvedCode(code, "organisation", public))
    if readings:
        return readings
    assert uscc_error is not None
    legacy = normalise_code(raw)
    if conn is not None and is_accepted_legacy(conn, legacy):  # only asked of failing codes
        return [ResolvedCode(legacy, "organisation", legacy)]
    if ric_error is None:
        raise uscc_error
    reasons = [f"as a unified social credit code: {r}" for r in uscc_error.reasons]
    reasons += [f"as a resident ID: {r}" for r in ric_error.reasons]
    raise CodeError(raw, reasons, kind="ric")
