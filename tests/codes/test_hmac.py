"""Keyed hashing of resident IDs and the key file."""

from __future__ import annotations

import hashlib
import hmac
import os
import pathlib
import stat

import pytest

from xinyong.codes import CodeError, IdHasher, load_or_create_key

RIC = "11010519491231002X"
KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))


def test_same_id_and_key_give_the_same_digest() -> None:
    hasher = IdHasher(KEY_A)
    digest = hasher.digest(RIC)
    assert digest == IdHasher(KEY_A).digest(RIC)
    assert digest == hasher.digest("110105 19491231 002x")  # every spelling, one digest
    assert digest == hmac.new(KEY_A, RIC.encode(), hashlib.sha256).hexdigest()
    assert len(digest) == 64
    assert digest == digest.lower()


def test_different_keys_give_different_digests() -> None:
    assert IdHasher(KEY_A).digest(RIC) != IdHasher(KEY_B).digest(RIC)


def test_digest_never_contains_the_id() -> None:
    digest = IdHasher(KEY_A).digest(RIC)
    assert RIC not in digest
    assert RIC.lower() not in digest
    assert RIC[6:14] not in digest


def test_short_keys_and_invalid_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        IdHasher(b"x" * 31)
    with pytest.raises(CodeError):
        IdHasher(KEY_A).digest("110105194912310023")


def test_repr_does_not_show_the_key() -> None:
    assert KEY_A.hex() not in repr(IdHasher(KEY_A))
    assert repr(KEY_A) not in repr(IdHasher(KEY_A))


def test_key_file_is_created_private_and_reused(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "secrets" / "deeper" / "id.key"
    old_umask = os.umask(0)  # even a permissive umask must not widen the mode
    try:
        key = load_or_create_key(path)
    finally:
        os.umask(old_umask)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(path) == key
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    other = load_or_create_key(tmp_path / "other.key")
    assert other != key


def test_key_file_may_hold_hex_or_raw_bytes(tmp_path: pathlib.Path) -> None:
    hex_path = tmp_path / "hex.key"
    hex_path.write_text(KEY_B.hex().upper() + "\n")
    assert load_or_create_key(hex_path) == KEY_B
    raw_path = tmp_path / "raw.key"
    raw = bytes(range(200, 240))
    raw_path.write_bytes(raw)
    assert load_or_create_key(raw_path) == raw
    short_path = tmp_path / "short.key"
    short_path.write_bytes(b"0123456789abcdef")
    with pytest.raises(ValueError, match="too short"):
        load_or_create_key(short_path)
