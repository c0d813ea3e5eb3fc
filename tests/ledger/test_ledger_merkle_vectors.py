"""Known answers: a tree no other implementation agrees with proves nothing to anyone else.

The values are the RFC 6962 test vectors published by transparency-dev/merkle
(testonly/constants.go and proof/verify_test.go), and the probe files vendored from its testdata/.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from xinyong.ledger.merkle import (
    EMPTY_ROOT,
    MemoryTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    root_at,
    verify_consistency,
    verify_inclusion,
)

PROBES = Path(__file__).resolve().parents[1] / "data" / "merkle-testdata"

LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]

# Root of the first n leaves, n = 0..8 (testonly/constants.go RootHashes).
ROOTS = [
    bytes.fromhex(h)
    for h in (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]

# Every complete subtree of the 8-leaf tree, by level then index (testonly/constants.go
# NodeHashes): exactly the rows a node store holds.
NODE_HASHES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]

# proof/verify_test.go; its leaf numbers are 1-based, these indexes 0-based.
INCLUSION = [
    (0, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (5, 8, ["bc1a0643", "ca854ea1", "d37ee418"]),
    (2, 3, ["fac54203"]),
    (1, 5, ["6e340b9c", "5f083f0a", "bc1a0643"]),
]
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (6, 8, ["0ebc5d34", "ca854ea1", "d37ee418"]),
    (2, 5, ["5f083f0a", "bc1a0643"]),
    (6, 7, ["0ebc5d34", "b08693ec", "d37ee418"]),
]


def full(prefix: str) -> bytes:
    """The vector's node hash starting with ``prefix``: the tables above stay readable, and a
    prefix matching no node of the reference tree fails loudly rather than passing vacuously."""
    matches = {h for level in NODE_HASHES for h in level if h.startswith(prefix)}
    assert len(matches) == 1, prefix
    return bytes.fromhex(matches.pop())


@pytest.fixture(scope="module")
def tree() -> MemoryTree:
    return MemoryTree(LEAVES)


def test_empty_root_is_sha256_of_nothing() -> None:
    assert root([]) == EMPTY_ROOT == ROOTS[0]
    assert root_at(MemoryTree(), 0) == EMPTY_ROOT


@pytest.mark.parametrize("size", range(9))
def test_roots_match_rfc6962(size: int, tree: MemoryTree) -> None:
    assert root(LEAVES[:size]) == ROOTS[size]
    assert root_at(tree, size) == ROOTS[size]


def test_stored_nodes_are_exactly_the_reference_complete_subtrees(tree: MemoryTree) -> None:
    expected = {
        (level, index): bytes.fromhex(h)
        for level, hashes in enumerate(NODE_HASHES)
        for index, h in enumerate(hashes)
    }
    every_key = [(level, index) for level in range(6) for index in range(10)]
    assert tree.subtrees(every_key) == expected  # and nothing else is stored


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_rfc6962(
    index: int, size: int, proof: list[str], tree: MemoryTree
) -> None:
    expected = [full(p) for p in proof]
    assert inclusion_proof(tree, index, size) == expected
    assert verify_inclusion(leaf_hash(LEAVES[index]), index, size, expected, ROOTS[size])


@pytest.mark.parametrize(("size1", "size2", "proof"), CONSISTENCY)
def test_consistency_proofs_match_rfc6962(
    size1: int, size2: int, proof: list[str], tree: MemoryTree
) -> None:
    expected = [full(p) for p in proof]
    assert consistency_proof(tree, size1, size2) == expected
    assert verify_consistency(size1, size2, ROOTS[size1], ROOTS[size2], expected)


# --- the vendored probes -------------------------------------------------------------------------


def _probe_files(kind: str) -> list[Any]:
    files = sorted((PROBES / kind).rglob("*.json"))
    assert files, f"no {kind} probes under {PROBES}"
    return [pytest.param(path, id=str(path.relative_to(PROBES / kind))) for path in files]


def _b64(value: str) -> bytes:
    return base64.b64decode(value, validate=True)


def _load(path: Path) -> dict[str, Any]:
    probe: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if path.name == "happy-path.json":
        assert probe["wantErr"] is False
    return probe


@pytest.mark.parametrize("path", _probe_files("inclusion"))
def test_inclusion_probe(path: Path) -> None:
    probe = _load(path)
    verdict = verify_inclusion(
        _b64(probe["leafHash"]),
        probe["leafIdx"],
        probe["treeSize"],
        [_b64(p) for p in probe["proof"] or []],
        _b64(probe["root"]),
    )
    assert verdict is not probe["wantErr"], probe["desc"]


@pytest.mark.parametrize("path", _probe_files("consistency"))
def test_consistency_probe(path: Path) -> None:
    probe = _load(path)
    # Our rule, stricter than RFC 9162: nothing is consistent "from size 0".
    want = not probe["wantErr"] and probe["size1"] != 0
    verdict = verify_consistency(
        probe["size1"],
        probe["size2"],
        _b64(probe["root1"]),
        _b64(probe["root2"]),
        [_b64(p) for p in probe["proof"] or []],
    )
    assert verdict is want, probe["desc"]
