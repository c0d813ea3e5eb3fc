"""Signed notes, checked against Go's golang.org/x/mod/sumdb/note (note_test.go) byte for byte.

Ed25519 is deterministic, so signing Go's text with Go's test key must give Go's note exactly;
and the signatures below verify only because their authors' keys made them, so they cannot have
been copied wrongly and still pass.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.ledger.keys import Signer, Verifier
from xinyong.ledger.note import EM_DASH, NoteError, open_note, parse_note, sign_note

PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6"
    "KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33"
    "WWd1RvMc+QQ=\n"
)
# The example of an earlier revision of c2sp.org/signed-note, as quoted by several
# implementations' tests.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n"
    "— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuw"
    "HjG1Yu72IneyaQM=\n"
)

PETER = Verifier.from_string(PETER_VKEY)
ENOCH = Verifier.from_string(ENOCH_VKEY)


def test_signing_reproduces_gos_note_byte_for_byte() -> None:
    assert sign_note(Signer.from_string(PETER_SKEY), TEXT) == TEXT + "\n" + PETER_SIG
    assert PETER_SIG.startswith("\u2014 ") and EM_DASH == "\u2014"


def test_gos_notes_open() -> None:
    assert open_note(TEXT + "\n" + PETER_SIG, PETER) == TEXT
    assert open_note((TEXT + "\n" + PETER_SIG).encode(), PETER) == TEXT
    both = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert open_note(both, PETER) == open_note(both, ENOCH) == open_note(both, [PETER, ENOCH])
    assert open_note(SPEC_NOTE, Verifier.from_string(SPEC_VKEY)) == "This is an example message.\n"


def test_parse_note_lists_signatures_without_verifying() -> None:
    text, signatures = parse_note(TEXT + "\n" + PETER_SIG + ENOCH_SIG)
    assert text == TEXT
    assert [s.label for s in signatures] == ["PeterNeumann+c74f20a3", "EnochRoot+af0cfe78"]
    assert [len(s.signature) for s in signatures] == [64, 64]


@pytest.mark.parametrize(
    "note",
    [
        # Go's badMsgs.
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        TEXT
        + "\n"
        + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvq"
        "fqdngotpRZb6KE6RyyBwJnAM=",
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        # And ours.
        TEXT + "\n" + PETER_SIG.replace("—", "-"),
        TEXT + "\n" + PETER_SIG.replace("AM=", "AN="),  # non-canonical base64
        TEXT + "\n" + "— PeterNeumann AAAA\n",  # too short for a key id and a signature
        TEXT + "\n" + PETER_SIG * 101,
        TEXT + "\r\n" + PETER_SIG,
    ],
)
def test_malformed_notes_are_refused(note: str) -> None:
    with pytest.raises(NoteError, match=r"malformed|control character|at most 100"):
        open_note(note, PETER)


def test_invalid_utf8_is_refused() -> None:
    with pytest.raises(NoteError, match="not valid UTF-8"):
        open_note(b"\xff" + (TEXT + "\n" + PETER_SIG).encode(), PETER)


def test_a_tampered_text_is_refused() -> None:
    note = (TEXT + "\n" + PETER_SIG).replace("cryptography", "cryptographY")
    with pytest.raises(NoteError, match=re.escape("bad signature by PeterNeumann+c74f20a3")):
        open_note(note, PETER)


def test_a_tampered_signature_is_refused() -> None:
    # Go's own case: four characters inserted in the middle keep the key id and break the rest.
    note = TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(NoteError, match="bad signature"):
        open_note(note, PETER)


def test_a_note_signed_by_another_key_is_refused_naming_the_keys() -> None:
    with pytest.raises(NoteError, match=re.escape("unknown key: the note is signed only by Enoch")):
        open_note(TEXT + "\n" + ENOCH_SIG, PETER)


def test_a_key_id_mismatch_is_refused() -> None:
    impostor = Signer.generate("PeterNeumann")  # same name, another key: another id
    with pytest.raises(NoteError, match="key id mismatch"):
        open_note(sign_note(impostor, TEXT), PETER)


def test_a_failing_signature_by_a_trusted_key_refuses_the_whole_note() -> None:
    bad_enoch = ENOCH_SIG[:40] + "ABCD" + ENOCH_SIG[40:]
    with pytest.raises(NoteError, match="bad signature by EnochRoot"):
        open_note(TEXT + "\n" + PETER_SIG + bad_enoch, [PETER, ENOCH])
    # ...but an unknown key's signature is not even looked at.
    assert open_note(TEXT + "\n" + PETER_SIG + bad_enoch, PETER) == TEXT


def test_two_different_trusted_keys_under_one_label_are_refused() -> None:
    lookalike = Verifier(PETER.name, PETER.key_id, PETER.public_key)
    assert open_note(TEXT + "\n" + PETER_SIG, [PETER, lookalike]) == TEXT  # equal keys are fine
    with pytest.raises(ValueError, match="no trusted keys"):
        open_note(TEXT + "\n" + PETER_SIG, [])


@pytest.mark.parametrize("text", ["", "no newline", "tab\there\n", "nul\x00\n"])
def test_unsignable_texts_are_refused(text: str) -> None:
    with pytest.raises(NoteError):
        sign_note(Signer.from_string(PETER_SKEY), text)


SIGNER = Signer.generate("registry.example/ledger")
note_text = st.lists(
    st.text(st.characters(min_codepoint=0x20, exclude_categories=["Cs"]), max_size=30), min_size=1
).map(lambda lines: "".join(line + "\n" for line in lines))


@given(text=note_text)
def test_any_text_round_trips(text: str) -> None:
    # Blank lines, em dashes and lines that look like signatures included: the split is at the
    # last blank line, and the signature block never holds one.
    assert open_note(sign_note(SIGNER, text), SIGNER.verifier) == text
