"""Note keys: the verifier string other tools read, and the private key file a log must not lose.

Known answers are from golang.org/x/mod/sumdb/note (note_test.go) and the C2SP signed-note spec.
"""

from __future__ import annotations

import base64
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from xinyong.ledger.keys import (
    KeyFormatError,
    Signer,
    Verifier,
    generate_key_file,
    key_id,
    load_key_file,
    load_or_create,
)

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"


@pytest.fixture
def exact_umask() -> Iterator[None]:
    """A umask of 0 would let a careless ``open`` make the key world-readable."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.parametrize("text", [PETER_VKEY, ENOCH_VKEY, SPEC_VKEY])
def test_verifier_strings_round_trip_and_their_ids_derive_from_name_and_key(text: str) -> None:
    verifier = Verifier.from_string(text)
    name, given_id, _ = text.split("+", 2)
    assert (verifier.name, verifier.key_id.hex()) == (name, given_id)
    assert key_id(name, verifier.public_key).hex() == given_id
    assert len(verifier.public_key) == 32
    assert str(verifier) == text
    assert verifier.label == f"{name}+{given_id}"


def test_every_mangling_of_a_verifier_string_is_refused() -> None:
    # The same exhaustive check as Go's TestNewVerifier: every proper substring, every
    # character bumped by one.
    for start in range(len(PETER_VKEY) + 1):
        for end in range(start + 1, len(PETER_VKEY) + 1):
            if (start, end) != (0, len(PETER_VKEY)):
                with pytest.raises(KeyFormatError):
                    Verifier.from_string(PETER_VKEY[start:end])
    for position, char in enumerate(PETER_VKEY):
        with pytest.raises(KeyFormatError):
            Verifier.from_string(
                PETER_VKEY[:position] + chr(ord(char) + 1) + PETER_VKEY[position + 1 :]
            )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # Go's own cases: a longer key and an unknown type byte, each with a matching id.
        (
            "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
            "not canonical base64",
        ),
        ("PeterNeumann+c74f20a3+" + base64.b64encode(bytes(34)).decode(), "key type 0x00"),
        ("PeterNeumann+c74f20a3+" + base64.b64encode(b"\1" + bytes(33)).decode(), "33 key bytes"),
        ("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key type 0x65"),
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key id mismatch"),
        ("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 lower-case hex"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "space or '+'"),
        ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "non-empty"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW=", "base64"),
        ("PeterNeumann+c74f20a3", "<name>+<key id>+<base64 key>"),
    ],
)
def test_bad_verifier_strings_say_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(KeyFormatError, match=re.escape(reason)):
        Verifier.from_string(text)


def test_a_go_private_key_gives_the_go_verifier() -> None:
    signer = Signer.from_string(PETER_SKEY)
    assert str(signer.verifier) == PETER_VKEY
    assert signer.private_key_string() == PETER_SKEY
    assert "AYEK" not in repr(signer)  # the secret never shows
    assert repr(signer) == "Signer(PeterNeumann+c74f20a3)"


def test_every_mangling_of_a_private_key_is_refused() -> None:
    # Go's TestNewSigner, as exhaustive.
    for start in range(len(PETER_SKEY) + 1):
        for end in range(start + 1, len(PETER_SKEY) + 1):
            if (start, end) != (0, len(PETER_SKEY)):
                with pytest.raises(KeyFormatError):
                    Signer.from_string(PETER_SKEY[start:end])
    for position, char in enumerate(PETER_SKEY):
        with pytest.raises(KeyFormatError):
            Signer.from_string(
                PETER_SKEY[:position] + chr(ord(char) + 1) + PETER_SKEY[position + 1 :]
            )


def test_signatures_verify_only_for_their_message_and_key() -> None:
    signer, other = Signer.generate("log.example/a"), Signer.generate("log.example/a")
    signature = signer.sign(b"hi")
    assert signer.verifier.verify(b"hi", signature)
    assert not signer.verifier.verify(b"hj", signature)
    assert not signer.verifier.verify(b"hi", bytes([signature[0] ^ 1]) + signature[1:])
    assert not signer.verifier.verify(b"hi", signature[:-1])
    assert not other.verifier.verify(b"hi", signature)
    assert signer.key_id != other.key_id  # same name, different key: different id


def test_a_verifier_cannot_be_built_with_a_wrong_id() -> None:
    verifier = Verifier.from_string(PETER_VKEY)
    with pytest.raises(KeyFormatError, match="key id mismatch"):
        Verifier("PeterNeumann", b"\0\0\0\0", verifier.public_key)
    with pytest.raises(KeyFormatError, match="space or"):
        Signer.generate("log example")


# --- the key file --------------------------------------------------------------------------------


@pytest.mark.usefixtures("exact_umask")
def test_a_new_key_file_is_private_and_in_the_go_encoding(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "ledger.key"
    signer = generate_key_file(path, "registry.example/ledger")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="ascii") == signer.private_key_string() + "\n"
    assert path.read_text(encoding="ascii").startswith(
        f"PRIVATE+KEY+registry.example/ledger+{signer.key_id.hex()}+"
    )
    assert sorted(p.name for p in path.parent.iterdir()) == ["ledger.key"]  # no temporary left
    assert load_key_file(path).verifier == signer.verifier


def test_a_key_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "ledger.key"
    generate_key_file(path, "registry.example/ledger")
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="never overwritten"):
        generate_key_file(path, "registry.example/ledger")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.key"]


def test_load_or_create_makes_the_key_once_and_reuses_it(tmp_path: Path) -> None:
    path = tmp_path / "ledger.key"
    first = load_or_create(path, "registry.example/ledger")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_or_create(path, "registry.example/ledger")
    assert again.verifier == first.verifier
    assert again.sign(b"x") == first.sign(b"x")  # Ed25519 is deterministic: same private key


def test_load_or_create_reads_a_key_made_by_go(tmp_path: Path) -> None:
    path = tmp_path / "peter.key"
    path.write_text(PETER_SKEY + "\n", encoding="ascii")
    assert str(load_or_create(path, "PeterNeumann").verifier) == PETER_VKEY


def test_a_key_file_for_another_origin_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.key"
    load_or_create(path, "registry.example/ledger")
    with pytest.raises(KeyFormatError, match=re.escape("not of 'registry.example/other'")):
        load_or_create(path, "registry.example/other")


def test_a_damaged_key_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "ledger.key"
    path.write_text(PETER_SKEY[:-3] + "\n", encoding="ascii")
    with pytest.raises(KeyFormatError, match=re.escape(str(path))):
        load_or_create(path, "PeterNeumann")
