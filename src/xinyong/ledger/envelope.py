"""Envelopes: the public face of a journal entry, and the bytes the Merkle tree's leaves hold.

An envelope is the canonical JSON (UTF-8, keys sorted, no whitespace: ``canonical_json``) of::

    {"agency": ..., "digest": ..., "kind": ..., "seq": ..., "subject": ..., "time": ...}

- ``seq``: the journal sequence number (the leaf index is ``seq - 1``);
- ``time``: the journal's ``recorded_at`` (UTC, ISO 8601), as stored;
- ``kind``: the change kind (``record.added``, ``listing.decided``, ...);
- ``agency``: who acted, derived from the journal actor by ``acting_agency`` (an agency code, or
  the class of actor: never a person's name);
- ``subject``: whom the entry is about (``subject_reference``): an organisation's code as it is,
  a natural person's keyed pseudonym, or null when the payload names no subject;
- ``digest``: lower-case hex SHA-256 of the entry's salt (16 random bytes) followed by its
  canonical payload bytes (the journal's ``payload`` text, UTF-8);
- ``actor_digest`` (entries appended since migration 0019): lower-case hex SHA-256 of a context
  string, a second salt (16 random bytes, stored beside the entry and never published) and the
  journal's actor, UTF-8. It binds the exact actor (``operator:alice``, not just the class the
  ``agency`` field shows), so renaming who entered a record is caught by ``xinyong audit``; the
  unpublished salt keeps outsiders from testing guesses of an officer's login.

The salt keeps a digest from being a fingerprint: without it, anyone could confirm a guess of a
non-public payload (a person's record) by hashing it. A public entry's salt is published with its
payload; a non-public entry's never is.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

import orjson

__all__ = [
    "SALT_BYTES",
    "acting_agency",
    "actor_digest",
    "envelope_bytes",
    "payload_digest",
    "person_pseudonym",
    "subject_reference",
]

SALT_BYTES = 16

_USCC_SHAPE = re.compile(r"[0-9A-Z]{18}")
_HMAC_SHAPE = re.compile(r"[0-9a-f]{64}")
_PLAIN_ACTOR = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_PSEUDONYM_CONTEXT = b"xinyong ledger person pseudonym v1\n"
_ACTOR_CONTEXT = b"xinyong ledger actor v1\n"


def payload_digest(salt: bytes, payload: str | bytes) -> str:
    """``sha256(salt ‖ payload bytes)`` in lower-case hex."""
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    return hashlib.sha256(salt + data).hexdigest()


def person_pseudonym(subject_key: str) -> str:
    """A natural person's reference in the log: ``p:`` and 32 hex digits of
    SHA-256(context ‖ subject key).

    A person's subject key is already HMAC-SHA256 of the resident ID under the registry's secret
    ID key (``codes.IdHasher``), so the pseudonym is keyed: nobody without that key can compute it
    from an ID number. Hashing once more keeps the internal join key itself out of the public log,
    and needs no key at append time, so the migration's backfill and ``audit`` can recompute it.
    """
    digest = hashlib.sha256(_PSEUDONYM_CONTEXT + subject_key.encode("utf-8")).hexdigest()
    return "p:" + digest[:32]


def is_person_key(subject_key: str) -> bool:
    return _HMAC_SHAPE.fullmatch(subject_key) is not None


def subject_reference(payload: Mapping[str, Any]) -> str | None:
    """Whom an entry is about, from its payload alone (deterministic, replayable).

    ``subject_key`` (most kinds) or ``code`` (``code.legacy_accepted``): an organisation's code is
    published as it is; a natural person's key (an HMAC, or any key a payload marks
    ``subject_kind: person``) becomes ``person_pseudonym``. Kinds that name their subject only
    through another object (a listing id, a case id) and agency registrations have none.
    """
    key = payload.get("subject_key")
    if not isinstance(key, str) or not key:
        code = payload.get("code")
        if isinstance(code, str) and _USCC_SHAPE.fullmatch(code):
            return code
        return None
    if payload.get("subject_kind") == "person" or is_person_key(key):
        return person_pseudonym(key)
    return key


BARE_ACTORS = frozenset({"registry", "operator", "demo", "system", "migration"})


def acting_agency(actor: str, users: Mapping[str, tuple[str | None, str]] | None = None) -> str:
    """Who acted, as the log shows it: never a person's name.

    - ``apikey:<agency>:<key id>``: the agency the key belongs to;
    - ``user:<name>``: the user's agency at the time of the change (``users`` maps a user name to
      ``(agency, role)``), else the user's role (``subject``, ``auditor``, ...), else ``user``;
    - ``<class>:<anything>`` (``operator:alice``): the class, ``operator``;
    - a bare actor: itself when it is one of the registry's own classes (``registry``,
      ``operator``, ``demo``, ``system``, ``migration``), else ``other`` — a bare name may be a
      person's login.
    """
    head, sep, rest = actor.partition(":")
    if not sep:
        # A bare actor may be a person's login (`--actor zhangsan`): only the registry's own
        # classes are shown as they are.
        return actor if actor in BARE_ACTORS else "other"
    if head == "apikey":
        key_agency = rest.split(":", 1)[0]
        return key_agency if _PLAIN_ACTOR.fullmatch(key_agency) else "apikey"
    if head == "user":
        user_agency, role = (users or {}).get(rest, (None, "user"))
        if user_agency and _PLAIN_ACTOR.fullmatch(user_agency):
            return user_agency
        return role if _PLAIN_ACTOR.fullmatch(role) else "user"
    return head if _PLAIN_ACTOR.fullmatch(head) else "other"


def actor_digest(salt: bytes, actor: str) -> str:
    """The envelope's commitment to the journal's actor (see the module docstring)."""
    return hashlib.sha256(_ACTOR_CONTEXT + salt + actor.encode("utf-8")).hexdigest()


def envelope_bytes(
    seq: int,
    time: str,
    kind: str,
    agency: str,
    subject: str | None,
    digest: str,
    actor: str | None = None,
) -> bytes:
    """The leaf: the envelope's canonical JSON bytes (`actor`: the actor_digest, when given)."""
    fields: dict[str, Any] = {
        "agency": agency,
        "digest": digest,
        "kind": kind,
        "seq": seq,
        "subject": subject,
        "time": time,
    }
    if actor is not None:
        fields["actor_digest"] = actor
    # The project's canonical JSON (``store.journal.canonical_json``), as bytes.
    return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)
