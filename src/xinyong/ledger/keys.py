"""Ed25519 signing keys for signed notes (c2sp.org/signed-note), and the log's private key file.

The key file holds one line in the encoding of Go's ``golang.org/x/mod/sumdb/note``::

    PRIVATE+KEY+<name>+<key id, 8 hex digits>+<base64(0x01 ‖ 32-byte Ed25519 seed)>

rather than PEM, because it carries the key name with the key, so a key can never be used under
the wrong name, and because it is what the Go tooling (``note.NewSigner``) and other tlog
implementations read, so the key can be moved to or checked by them without conversion. The
file is created with mode 0600 and never overwritten: a replaced log key would orphan every
checkpoint signed before.

Verifier keys are published as ``<name>+<key id>+<base64(0x01 ‖ 32-byte public key)>``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

__all__ = [
    "ED25519",
    "KeyFormatError",
    "Signer",
    "Verifier",
    "check_key_name",
    "generate_key_file",
    "key_id",
    "load_key_file",
    "load_or_create",
]

ED25519 = 0x01
"""Signature type byte of Ed25519 in signed notes."""

_KEY_ID = re.compile(r"[0-9a-f]{8}")


class KeyFormatError(ValueError):
    """A key string or key file that is not a well-formed Ed25519 note key."""


def _is_space(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) == "Zs"


def check_key_name(name: str) -> str:
    """The spec's rule (non-empty, no Unicode space, no '+'): names sit between '+' separators in
    key strings and between spaces in signature lines, so anything else would not parse back."""
    if not isinstance(name, str) or not name:
        raise KeyFormatError("a key name must be a non-empty string")
    if "+" in name or any(_is_space(c) for c in name):
        raise KeyFormatError(f"key name {name!r} contains a space or '+'")
    if any(ord(c) < 0x20 or 0xD800 <= ord(c) <= 0xDFFF for c in name):
        raise KeyFormatError(f"key name {name!r} contains a control character or a lone surrogate")
    return name


def key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key)[:4], as signed-note recommends and Go computes."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


def _decode_b64(text: str, what: str) -> bytes:
    """Strict and canonical, so that one key has exactly one spelling."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyFormatError(f"{what} is not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise KeyFormatError(f"{what} is not canonical base64")
    return raw


def _typed_key(encoded: str, what: str) -> bytes:
    raw = _decode_b64(encoded, what)
    if not raw or raw[0] != ED25519:
        kind = f"0x{raw[0]:02x}" if raw else "missing"
        raise KeyFormatError(f"{what} has key type {kind}; only Ed25519 (0x01) is supported")
    if len(raw) != 33:
        raise KeyFormatError(f"{what} holds {len(raw) - 1} key bytes, not 32")
    return raw[1:]


def _check_id(name: str, given: str, public_key: bytes) -> bytes:
    if not _KEY_ID.fullmatch(given):
        raise KeyFormatError(f"key id {given!r} is not 8 lower-case hex digits")
    derived = key_id(name, public_key)
    if derived.hex() != given:
        raise KeyFormatError(
            f"key id mismatch: {name}+{given} names a key whose id is {derived.hex()}"
        )
    return derived


@dataclass(frozen=True, slots=True)
class Verifier:
    """A public note key: what clients are configured with to trust a log's checkpoints."""

    name: str
    key_id: bytes
    public_key: bytes

    def __post_init__(self) -> None:
        check_key_name(self.name)
        if len(self.public_key) != 32:
            raise KeyFormatError("an Ed25519 public key is 32 bytes")
        if self.key_id != key_id(self.name, self.public_key):
            raise KeyFormatError(f"key id mismatch for key {self.name}")

    @classmethod
    def from_public_key(cls, name: str, public_key: bytes) -> Verifier:
        return cls(name, key_id(check_key_name(name), public_key), bytes(public_key))

    @classmethod
    def from_string(cls, text: str) -> Verifier:
        """Parse ``<name>+<key id>+<base64(0x01 ‖ key)>``; the id must match the key."""
        parts = text.split("+", 2) if isinstance(text, str) else []
        if len(parts) != 3:
            raise KeyFormatError("a verifier key reads <name>+<key id>+<base64 key>")
        name, given_id, encoded = parts
        check_key_name(name)
        public_key = _typed_key(encoded, f"verifier key {name}")
        return cls(name, _check_id(name, given_id, public_key), public_key)

    def __str__(self) -> str:
        encoded = base64.b64encode(bytes([ED25519]) + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    @property
    def label(self) -> str:
        """``name+id``, how error messages and the Go tools name a key."""
        return f"{self.name}+{self.key_id.hex()}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


class Signer:
    """A private note key. Its repr never shows the key, not even in a traceback's locals."""

    __slots__ = ("_private", "verifier")

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self._private = private_key
        self.verifier = Verifier.from_public_key(name, public)

    @classmethod
    def generate(cls, name: str) -> Signer:
        return cls(check_key_name(name), Ed25519PrivateKey.generate())

    @classmethod
    def from_string(cls, text: str) -> Signer:
        """Parse ``PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ seed)>``, the Go encoding."""
        parts = text.split("+", 4) if isinstance(text, str) else []
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise KeyFormatError("a private key reads PRIVATE+KEY+<name>+<key id>+<base64 key>")
        name, given_id, encoded = parts[2:]
        check_key_name(name)
        seed = _typed_key(encoded, f"private key {name}")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(seed))
        _check_id(name, given_id, signer.verifier.public_key)
        return signer

    def private_key_string(self) -> str:
        """The secret encoding: a named method rather than ``__str__`` so that it is never
        printed or logged by accident."""
        seed = self._private.private_bytes_raw()
        encoded = base64.b64encode(bytes([ED25519]) + seed).decode("ascii")
        return f"PRIVATE+KEY+{self.verifier.label}+{encoded}"

    @property
    def name(self) -> str:
        return self.verifier.name

    @property
    def key_id(self) -> bytes:
        return self.verifier.key_id

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    def __repr__(self) -> str:
        return f"Signer({self.verifier.label})"


def load_key_file(path: Path) -> Signer:
    try:
        return Signer.from_string(path.read_text(encoding="utf-8").strip())
    except (KeyFormatError, UnicodeDecodeError) as exc:
        raise KeyFormatError(f"{path}: {exc}") from exc


def generate_key_file(path: Path, origin: str) -> Signer:
    """Create a new key named ``origin`` at ``path`` (mode 0600); FileExistsError if there is one.

    The key is written to a private temporary file and hard-linked into place, so a crash never
    leaves a half-written key and two processes racing cannot both think they created it.
    """
    signer = Signer.generate(origin)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # the umask can only remove bits; make the mode exact
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(signer.private_key_string() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise FileExistsError(
                f"{path} already exists; a log key is never overwritten"
            ) from None
    finally:
        temporary.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not every platform can open a directory
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    return signer


def load_or_create(path: Path, origin: str) -> Signer:
    """The log's signer: the key at ``path``, created on first use.

    A key file made for another origin is refused rather than used, since checkpoints signed
    under a name that is not the log's origin would not verify for its clients.
    """
    try:
        signer = load_key_file(path)
    except FileNotFoundError:
        try:
            return generate_key_file(path, origin)
        except FileExistsError:  # another process created it first: use theirs
            signer = load_key_file(path)
    if signer.name != origin:
        raise KeyFormatError(f"{path} holds the key of {signer.name!r}, not of {origin!r}")
    return signer
