"""Keyed hashes of resident IDs, and the key file they depend on (DESIGN.md invariant 7).

A plain hash of an 18-digit ID can be reversed by enumerating the few billion plausible IDs in
minutes; a keyed HMAC cannot be without the key, which is why the key lives in a file outside the
database and a database dump alone reveals no ID.

The HMAC is the standard library's ``hmac`` (HMAC-SHA256, via OpenSSL like ``cryptography``'s), so
hashing needs no object set-up per call and no extra dependency at this layer.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pathlib
import re
import secrets

from xinyong.codes.ric import validate_ric

MIN_KEY_BYTES = 32
_HEX_KEY = re.compile(rb"\s*((?:[0-9a-fA-F]{2}){32,})\s*")


class IdHasher:
    """HMAC-SHA256 of validated, normalised resident IDs under one secret key.

    The digest is over the 18 ASCII characters of the normalised ID, so every spelling of the same
    ID (full-width, spaced, lower-case x) hashes the same, and it is returned as lower-case hex.
    """

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"an ID hashing key needs at least {MIN_KEY_BYTES} bytes")
        self._key = bytes(key)

    def digest(self, ric: str) -> str:
        """Raises ``CodeError`` for an invalid ID: a hash of a typo would never match anything."""
        normalised = validate_ric(ric)
        return hmac.new(self._key, normalised.encode("ascii"), hashlib.sha256).hexdigest()

    def derive(self, purpose: str) -> bytes:
        """A 32-byte subkey for another purpose (quarantine encryption, the key fingerprint),
        so that one key file serves them all without any use revealing the others."""
        return hmac.new(self._key, b"xinyong subkey: " + purpose.encode(), hashlib.sha256).digest()

    def __repr__(self) -> str:
        # Never show the key, not even in a traceback's locals.
        return f"{type(self).__name__}(key=<{len(self._key)} bytes>)"


def _parse_key(data: bytes, path: pathlib.Path) -> bytes:
    match = _HEX_KEY.fullmatch(data)
    key = bytes.fromhex(match.group(1).decode("ascii")) if match else data
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(
            f"the ID hashing key in {path} is too short: at least {MIN_KEY_BYTES} bytes "
            f"(or {2 * MIN_KEY_BYTES} hex digits) are needed"
        )
    return key


def load_or_create_key(path: pathlib.Path) -> bytes:
    """Read the ID hashing key, or create it (32 random bytes, mode 0600) if the file is missing.

    A file of 64 or more hex digits (surrounding whitespace allowed) is read as hex, anything else
    as raw bytes; a new key is written as hex so that it can be backed up and copied as text.
    Losing or changing the key makes every stored digest unmatchable, so creation never overwrites:
    the key is written to a private temporary file and hard-linked into place, which fails if a
    concurrent process got there first, in which case its key is used.
    """
    try:
        return _parse_key(path.read_bytes(), path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # the umask can only remove bits; make the mode exact
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(MIN_KEY_BYTES).hex().encode("ascii") + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not every platform can open a directory
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    return _parse_key(path.read_bytes(), path)
