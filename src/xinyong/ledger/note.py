"""Signed notes (c2sp.org/signed-note): a text, a blank line, then one line per signature.

A note's text means nothing until a trusted key's signature over it verifies, so ``open_note``
only ever hands back text it has verified, and every refusal says which rule was broken. The
format is the Go sumdb's byte for byte, so notes signed here open with Go's ``note.Open`` and
with other tlog tooling.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass

from xinyong.ledger.keys import KeyFormatError, Signer, Verifier, check_key_name

__all__ = [
    "EM_DASH",
    "MAX_SIGNATURES",
    "NoteError",
    "NoteSignature",
    "open_note",
    "parse_note",
    "sign_note",
]

EM_DASH = "\u2014"
MAX_SIGNATURES = 100
"""Go's limit; the spec asks verifiers to accept at least 16."""


class NoteError(ValueError):
    """A note that is malformed, unsigned by a trusted key, or carries a bad signature."""


@dataclass(frozen=True, slots=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes

    @property
    def label(self) -> str:
        return f"{self.name}+{self.key_id.hex()}"


def _check_characters(text: str, what: str) -> None:
    for position, char in enumerate(text):
        code = ord(char)
        if (code < 0x20 and char != "\n") or 0xD800 <= code <= 0xDFFF:
            raise NoteError(
                f"{what} has a control character or lone surrogate (U+{code:04X}) "
                f"at position {position}; notes allow only newlines below U+0020"
            )


def sign_note(signer: Signer, text: str) -> str:
    """The note text followed by the blank line and ``signer``'s signature line."""
    if not isinstance(text, str) or not text.endswith("\n"):
        raise NoteError("a note's text must be a non-empty string ending in a newline")
    _check_characters(text, "the note text")
    blob = signer.key_id + signer.sign(text.encode("utf-8"))
    return f"{text}\n{EM_DASH} {signer.name} {base64.b64encode(blob).decode('ascii')}\n"


def _parse_signature_line(number: int, line: str) -> NoteSignature:
    prefix = EM_DASH + " "
    if not line.startswith(prefix):
        raise NoteError(
            f"malformed signature line {number}: it must start with an em dash (U+2014) and "
            f"a space, not {line[:2]!r}"
        )
    name, space, encoded = line[len(prefix) :].partition(" ")
    if not space:
        raise NoteError(f"malformed signature line {number}: no space after the key name")
    try:
        check_key_name(name)
    except KeyFormatError as exc:
        raise NoteError(f"malformed signature line {number}: {exc}") from None
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        blob = b""
    if len(blob) < 5 or base64.b64encode(blob).decode("ascii") != encoded:
        raise NoteError(
            f"malformed signature line {number}: the signature of {name} is not canonical "
            "base64 of a 4-byte key id and a signature"
        )
    return NoteSignature(name, blob[:4], blob[4:])


def parse_note(note: str | bytes) -> tuple[str, list[NoteSignature]]:
    """Text and signatures, checked for syntax only: verifying is ``open_note``'s job."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NoteError(f"the note is not valid UTF-8 (byte {exc.start})") from None
    if not isinstance(note, str):
        raise NoteError("a note is text")
    _check_characters(note, "the note")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("malformed note: no blank line separates the text from the signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block:
        raise NoteError("malformed note: it has no signature lines")
    if not block.endswith("\n"):
        raise NoteError("malformed note: the last signature line does not end in a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"the note has {len(lines)} signatures; at most {MAX_SIGNATURES} are read")
    return text, [_parse_signature_line(n, line) for n, line in enumerate(lines, start=1)]


def _trusted(verifiers: Verifier | Iterable[Verifier]) -> dict[tuple[str, bytes], Verifier]:
    trusted: dict[tuple[str, bytes], Verifier] = {}
    for verifier in [verifiers] if isinstance(verifiers, Verifier) else verifiers:
        key = (verifier.name, verifier.key_id)
        if trusted.setdefault(key, verifier) != verifier:
            raise ValueError(f"two different trusted keys are both named {verifier.label}")
    if not trusted:
        raise ValueError("no trusted keys to open the note with")
    return trusted


def _why_unverified(
    signatures: list[NoteSignature], trusted: dict[tuple[str, bytes], Verifier]
) -> str:
    expected = ", ".join(v.label for v in trusted.values())
    for signature in signatures:
        for verifier in trusted.values():
            if signature.name == verifier.name:
                return (
                    f"unknown key {signature.label}: key id mismatch, the trusted key named "
                    f"{signature.name} is {verifier.label}"
                )
    signers = ", ".join(s.label for s in signatures)
    return f"unknown key: the note is signed only by {signers}, and the trusted key is {expected}"


def open_note(note: str | bytes, verifiers: Verifier | Iterable[Verifier]) -> str:
    """The note's text, once a signature by a trusted key has verified.

    Signatures by keys not in ``verifiers`` are skipped, as the spec requires (they may be
    witnesses' cosignatures or a rotated key). A trusted key's signature that fails refuses
    the whole note: it means the text was altered after signing.
    """
    text, signatures = parse_note(note)
    trusted = _trusted(verifiers)
    message = text.encode("utf-8")
    verified = False
    for signature in signatures:
        verifier = trusted.get((signature.name, signature.key_id))
        if verifier is None:
            continue
        if not verifier.verify(message, signature.signature):
            raise NoteError(
                f"bad signature by {verifier.label}: the text was altered after signing, or "
                "this is not the key's signature"
            )
        verified = True
    if not verified:
        raise NoteError(_why_unverified(signatures, trusted))
    return text
