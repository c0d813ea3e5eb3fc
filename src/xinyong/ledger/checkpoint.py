"""Checkpoints (c2sp.org/tlog-checkpoint): the signed tree head the log publishes.

The body is the origin, the tree size in decimal and the base64 root hash, one per line, then
optional extension lines. Parsing is strict (no leading zeros, canonical base64, 32-byte root)
because a checkpoint that could be spelled two ways could be signed twice with different bytes,
and witnesses compare checkpoints byte for byte.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from xinyong.ledger.keys import Signer, Verifier
from xinyong.ledger.merkle import HASH_SIZE
from xinyong.ledger.note import NoteError, open_note, sign_note

__all__ = ["Checkpoint", "open_checkpoint", "sign_checkpoint"]

_SIZE = re.compile(r"0|[1-9][0-9]*")
_MAX_SIZE = 2**64 - 1  # what other implementations can parse


def _check_line(line: str, what: str) -> None:
    if not isinstance(line, str) or not line:
        raise NoteError(f"the checkpoint's {what} must be a non-empty line")
    if any(ord(c) < 0x20 or 0xD800 <= ord(c) <= 0xDFFF for c in line):
        raise NoteError(f"the checkpoint's {what} {line!r} holds a newline or control character")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        _check_line(self.origin, "origin")
        if not isinstance(self.size, int) or isinstance(self.size, bool):
            raise NoteError(f"the checkpoint's tree size must be an integer, not {self.size!r}")
        if not 0 <= self.size <= _MAX_SIZE:
            raise NoteError(f"the checkpoint's tree size {self.size} is out of range")
        if not isinstance(self.root_hash, bytes) or len(self.root_hash) != HASH_SIZE:
            raise NoteError(f"the checkpoint's root hash must be {HASH_SIZE} bytes")
        object.__setattr__(self, "extensions", tuple(self.extensions))
        for number, line in enumerate(self.extensions, start=1):
            _check_line(line, f"extension line {number}")

    def body(self) -> str:
        """The note text that gets signed."""
        root = base64.b64encode(self.root_hash).decode("ascii")
        lines = [self.origin, str(self.size), root, *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """Read a checkpoint body. It does not verify anything: use ``open_checkpoint``."""
        if not body.endswith("\n"):
            raise NoteError("malformed checkpoint: the body does not end in a newline")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError(
                f"malformed checkpoint: {len(lines)} lines, but origin, tree size and root hash "
                "are needed"
            )
        origin, size, root, *extensions = lines
        if not _SIZE.fullmatch(size):
            raise NoteError(
                f"malformed checkpoint line 2: the tree size {size!r} is not a decimal number "
                "without leading zeros"
            )
        if len(size) > len(str(_MAX_SIZE)):
            raise NoteError(f"malformed checkpoint line 2: the tree size {size} is out of range")
        try:
            root_hash = base64.b64decode(root, validate=True)
        except (binascii.Error, ValueError):
            root_hash = b""
        if len(root_hash) != HASH_SIZE or base64.b64encode(root_hash).decode("ascii") != root:
            raise NoteError(
                f"malformed checkpoint line 3: the root hash {root!r} is not canonical base64 "
                f"of {HASH_SIZE} bytes"
            )
        return cls(origin, int(size), root_hash, tuple(extensions))


def sign_checkpoint(signer: Signer, checkpoint: Checkpoint) -> str:
    """The signed checkpoint note. The key must be named after the origin (the spec's SHOULD,
    made a must here) so that clients can find the log's key from the checkpoint alone."""
    if signer.name != checkpoint.origin:
        raise ValueError(
            f"the key {signer.verifier.label} is not named after the origin {checkpoint.origin!r}"
        )
    return sign_note(signer, checkpoint.body())


def open_checkpoint(
    note_text: str | bytes,
    verifier: Verifier | Iterable[Verifier],
    *,
    origin: str | None = None,
) -> Checkpoint:
    """The checkpoint, once its signature verifies and its origin is the expected one.

    ``origin`` defaults to the (single) verifier's name: a checkpoint that another log signed
    with the same key must not pass for this log's.
    """
    checkpoint = Checkpoint.parse(open_note(note_text, verifier))
    if origin is None:
        if not isinstance(verifier, Verifier):
            raise ValueError("with several trusted keys, say which origin to expect")
        origin = verifier.name
    if checkpoint.origin != origin:
        raise NoteError(f"the checkpoint is for origin {checkpoint.origin!r}, not {origin!r}")
    return checkpoint
