"""Checkpoints: the exact body text, strict parsing, and refusal of anything not signed as given.

Two checkpoints published by the Go checksum database (sum.golang.org), signed by Go's own code,
are opened as known answers; its verifier key is the one built into the go command.
"""

from __future__ import annotations

import base64
import re

import pytest

from xinyong.ledger.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from xinyong.ledger.keys import Signer, Verifier
from xinyong.ledger.merkle import MemoryTree, consistency_proof, root_at, verify_consistency
from xinyong.ledger.note import NoteError, sign_note

ORIGIN = "registry.example/ledger"
SIGNER = Signer.generate(ORIGIN)
ROOT = bytes(range(32))
ROOT_B64 = base64.b64encode(ROOT).decode()

SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_CHECKPOINTS = [
    (
        "go.sum database tree\n31700353\nqINS1GRFhWHwdkUeqLEoP4yEMkTBBzxBkGwGQlVlVcs=\n\n"
        "— sum.golang.org Az3grnmrIUEDFqHzAElIQCPNoRFRAAdFo47fooyWKMHb89k11GJh5zHIfNCOBmwn/C3Y"
        "I8oW9/C8DJ87F61QqspBYwM=\n",
        31700353,
    ),
    (
        "go.sum database tree\n65209736\n5+uGFjx6xBZG8ip1+wi77v+grwbhhukIrxEUS8PXvRo=\n\n"
        "— sum.golang.org Az3grnbssgK7ubgFX36gVETtNv0U23qxyAhAMai2QUfeGa3nB/akvkMdlUErfcZz7l/R"
        "3cVtYspg3dxXABkGZZKdsQ8=\n",
        65209736,
    ),
]


def test_the_body_is_origin_size_and_root_one_per_line() -> None:
    assert Checkpoint(ORIGIN, 1234, ROOT).body() == f"{ORIGIN}\n1234\n{ROOT_B64}\n"
    with_extension = Checkpoint(ORIGIN, 0, ROOT, ("ext one", "ext two"))
    assert with_extension.body() == f"{ORIGIN}\n0\n{ROOT_B64}\next one\next two\n"


def test_the_spec_example_body_parses_and_prints_back() -> None:
    body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    checkpoint = Checkpoint.parse(body)
    assert (checkpoint.origin, checkpoint.size) == ("example.com/behind-the-sofa", 20852163)
    assert checkpoint.body() == body


@pytest.mark.parametrize(("note", "size"), SUMDB_CHECKPOINTS)
def test_go_checksum_database_checkpoints_open(note: str, size: int) -> None:
    checkpoint = open_checkpoint(
        note, Verifier.from_string(SUMDB_VKEY), origin="go.sum database tree"
    )
    assert checkpoint.size == size
    assert checkpoint.body() + "\n" == note[: note.index("—")]


def test_a_signed_checkpoint_round_trips() -> None:
    checkpoint = Checkpoint(ORIGIN, 42, ROOT, ("extension",))
    note = sign_checkpoint(SIGNER, checkpoint)
    assert note.startswith(checkpoint.body() + "\n")
    assert re.fullmatch(rf"— {re.escape(ORIGIN)} [A-Za-z0-9+/]{{91}}=\n", note.split("\n\n")[1])
    assert open_checkpoint(note, SIGNER.verifier) == checkpoint
    assert open_checkpoint(note.encode(), SIGNER.verifier) == checkpoint


def test_checkpoints_of_a_growing_tree_are_provably_consistent() -> None:
    tree = MemoryTree(b"entry %d" % i for i in range(300))
    old = open_checkpoint(
        sign_checkpoint(SIGNER, Checkpoint(ORIGIN, 100, root_at(tree, 100))), SIGNER.verifier
    )
    new = open_checkpoint(
        sign_checkpoint(SIGNER, Checkpoint(ORIGIN, 300, root_at(tree, 300))), SIGNER.verifier
    )
    proof = consistency_proof(tree, old.size, new.size)
    assert verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof)


def test_a_tampered_body_is_refused() -> None:
    note = sign_checkpoint(SIGNER, Checkpoint(ORIGIN, 42, ROOT))
    with pytest.raises(NoteError, match="bad signature"):
        open_checkpoint(note.replace("\n42\n", "\n43\n"), SIGNER.verifier)


def test_a_tampered_signature_is_refused() -> None:
    note = sign_checkpoint(SIGNER, Checkpoint(ORIGIN, 42, ROOT))
    body, line = note.split("\n\n")
    name, encoded = line[2:-1].split(" ")
    blob = bytearray(base64.b64decode(encoded))
    blob[-1] ^= 1
    forged = f"{body}\n\n— {name} {base64.b64encode(bytes(blob)).decode()}\n"
    with pytest.raises(NoteError, match="bad signature"):
        open_checkpoint(forged, SIGNER.verifier)


def test_the_wrong_key_is_refused() -> None:
    other_log = Signer.generate("registry.example/other")
    note = sign_checkpoint(other_log, Checkpoint("registry.example/other", 42, ROOT))
    with pytest.raises(NoteError, match="unknown key"):
        open_checkpoint(note, SIGNER.verifier)


def test_a_same_named_key_with_another_id_is_refused() -> None:
    impostor = Signer.generate(ORIGIN)
    note = sign_checkpoint(impostor, Checkpoint(ORIGIN, 42, ROOT))
    with pytest.raises(NoteError, match="key id mismatch"):
        open_checkpoint(note, SIGNER.verifier)


def test_another_origin_signed_with_the_right_key_is_refused() -> None:
    note = sign_note(SIGNER, Checkpoint("registry.example/other", 42, ROOT).body())
    with pytest.raises(NoteError, match=re.escape("for origin 'registry.example/other'")):
        open_checkpoint(note, SIGNER.verifier)
    with pytest.raises(ValueError, match="not named after the origin"):
        sign_checkpoint(SIGNER, Checkpoint("registry.example/other", 42, ROOT))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (f"{ORIGIN}\n042\n{ROOT_B64}\n", "line 2"),
        (f"{ORIGIN}\n-1\n{ROOT_B64}\n", "line 2"),
        (f"{ORIGIN}\n+1\n{ROOT_B64}\n", "line 2"),
        (f"{ORIGIN}\n１２\n{ROOT_B64}\n", "line 2"),  # full-width digits, which int() accepts
        (f"{ORIGIN}\n1_000\n{ROOT_B64}\n", "line 2"),
        (f"{ORIGIN}\n{2**64}\n{ROOT_B64}\n", "out of range"),
        (f"{ORIGIN}\n{'9' * 5000}\n{ROOT_B64}\n", "out of range"),
        (f"{ORIGIN}\n1\n{base64.b64encode(ROOT[:31]).decode()}\n", "line 3"),
        (f"{ORIGIN}\n1\n{ROOT_B64.rstrip('=')}\n", "line 3"),
        (f"{ORIGIN}\n1\n{ROOT_B64[:-2]}9=\n", "line 3"),  # non-canonical trailing bits
        (f"{ORIGIN}\n1\n", "2 lines"),
        (f"{ORIGIN}\n1\n{ROOT_B64}\n\nextension\n", "extension line 1 must be a non-empty"),
        (f"\n1\n{ROOT_B64}\n", "origin must be a non-empty line"),
    ],
)
def test_malformed_bodies_are_refused_naming_the_line(body: str, reason: str) -> None:
    with pytest.raises(NoteError, match=re.escape(reason)):
        open_checkpoint(sign_note(SIGNER, body), SIGNER.verifier)


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"origin": "two\nlines"}, "control character"),
        ({"origin": ""}, "non-empty"),
        ({"size": -1}, "out of range"),
        ({"size": True}, "integer"),
        ({"root_hash": ROOT[:31]}, "32 bytes"),
        ({"extensions": ("",)}, "extension line 1"),
    ],
)
def test_impossible_checkpoints_cannot_be_made(kwargs: dict[str, object], reason: str) -> None:
    fields: dict[str, object] = {"origin": ORIGIN, "size": 1, "root_hash": ROOT, **kwargs}
    with pytest.raises(NoteError, match=re.escape(reason)):
        Checkpoint(**fields)  # type: ignore[arg-type]
