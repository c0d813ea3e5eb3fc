"""Identifiers and names: validation, normalisation, masking and keyed hashing.

Everything that decides whether a USCC or resident ID is well formed, how a name is matched, and
how a person's ID is kept out of the database lives here, so that ingest, search and the web layer
all give the same answer and the same reasons.
"""

from xinyong.codes.errors import CodeError, CodeKind
from xinyong.codes.idhash import IdHasher, load_or_create_key
from xinyong.codes.names import display_name, normalise_name
from xinyong.codes.redact import mask_id_like, might_hold_id, redact_ids
from xinyong.codes.ric import looks_like_ric, mask_ric, ric_expected_check, validate_ric
from xinyong.codes.text import document_key, normalise_code
from xinyong.codes.uscc import (
    USCC_ALPHABET,
    looks_like_uscc,
    org_code_expected_check,
    uscc_expected_check,
    validate_uscc,
)

__all__ = [
    "USCC_ALPHABET",
    "CodeError",
    "CodeKind",
    "IdHasher",
    "display_name",
    "document_key",
    "load_or_create_key",
    "looks_like_ric",
    "looks_like_uscc",
    "mask_id_like",
    "mask_ric",
    "might_hold_id",
    "normalise_code",
    "normalise_name",
    "org_code_expected_check",
    "redact_ids",
    "ric_expected_check",
    "uscc_expected_check",
    "validate_ric",
    "validate_uscc",
]
