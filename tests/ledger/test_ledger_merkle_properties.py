"""Every proof the log hands out verifies, no tampered one does, and each costs O(log n) reads.

Exhaustive for trees up to 64 leaves (every index/size and size1/size2 pair), sampled by
Hypothesis up to 5,000. One tree serves every size, as a log's node store serves every
checkpoint it ever signed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.ledger.merkle import (
    MemoryTree,
    NodeKey,
    append_keys,
    consistency_keys,
    consistency_proof,
    inclusion_keys,
    inclusion_proof,
    leaf_hash,
    nodes_to_store,
    nodes_to_store_batch,
    root,
    root_at,
    root_keys,
    verify_consistency,
    verify_inclusion,
)

SMALL = 64
LARGE = 5000


def data(i: int) -> bytes:
    return b"leaf %d" % i


LEAVES = [data(i) for i in range(LARGE)]
SMALL_TREE = MemoryTree(LEAVES[:SMALL])
LARGE_TREE = MemoryTree(LEAVES)
LEAF_HASHES = [leaf_hash(d) for d in LEAVES]


def flipped(proof: Sequence[bytes], element: int, bit: int) -> list[bytes]:
    changed = bytearray(proof[element])
    bit %= 8 * len(changed)
    changed[bit // 8] ^= 1 << (bit % 8)
    return [*proof[:element], bytes(changed), *proof[element + 1 :]]


def log_bound(size: int) -> int:
    """2·log2(n) + 2: the whole point of storing complete subtrees."""
    return 2 * math.ceil(math.log2(max(size, 2))) + 2


class CountingReader:
    """Counts single-node reads: what a database without batching would pay in queries."""

    def __init__(self, tree: MemoryTree) -> None:
        self.tree = tree
        self.reads = 0

    def subtree(self, level: int, index: int) -> bytes:
        self.reads += 1
        return self.tree.subtree(level, index)


class BatchCountingReader(CountingReader):
    def __init__(self, tree: MemoryTree) -> None:
        super().__init__(tree)
        self.calls = 0

    def subtrees(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]:
        self.calls += 1
        self.reads += len(keys)
        return self.tree.subtrees(keys)


# --- the property, checked by both the exhaustive and the sampled tests --------------------------


def check_inclusion(tree: MemoryTree, index: int, size: int, bit: int) -> None:
    tree_root = root_at(tree, size)
    proof = inclusion_proof(tree, index, size)
    assert verify_inclusion(LEAF_HASHES[index], index, size, proof, tree_root)
    for element in range(len(proof)):
        bad = flipped(proof, element, (bit + 37 * element) % 256)
        assert not verify_inclusion(LEAF_HASHES[index], index, size, bad, tree_root)
    wrong_leaf = flipped([LEAF_HASHES[index]], 0, bit)[0]
    assert not verify_inclusion(wrong_leaf, index, size, proof, tree_root)
    assert not verify_inclusion(
        LEAF_HASHES[index], index, size, proof, flipped([tree_root], 0, bit)[0]
    )


def check_consistency(tree: MemoryTree, size1: int, size2: int, bit: int) -> None:
    root1, root2 = root_at(tree, size1), root_at(tree, size2)
    proof = consistency_proof(tree, size1, size2)
    assert verify_consistency(size1, size2, root1, root2, proof)
    for element in range(len(proof)):
        bad = flipped(proof, element, (bit + 37 * element) % 256)
        assert not verify_consistency(size1, size2, root1, root2, bad)
    if size1 != size2:
        assert not verify_consistency(size1, size2, flipped([root1], 0, bit)[0], root2, proof)
        assert not verify_consistency(size1, size2, root1, flipped([root2], 0, bit)[0], proof)


@pytest.mark.parametrize("size", range(1, SMALL + 1))
def test_every_inclusion_proof_up_to_64_leaves(size: int) -> None:
    for index in range(size):
        check_inclusion(SMALL_TREE, index, size, bit=index + size)


@pytest.mark.parametrize("size2", range(1, SMALL + 1))
def test_every_consistency_proof_up_to_64_leaves(size2: int) -> None:
    for size1 in range(1, size2 + 1):
        check_consistency(SMALL_TREE, size1, size2, bit=size1 * size2)


@pytest.mark.parametrize("size", range(1, 21))
def test_a_proof_vouches_for_its_own_position_only(size: int) -> None:
    # Not for its own size only: the same path can fit several sizes (0 of 3 and 0 of 4), which
    # is harmless because the root is what a checkpoint binds to its size.
    for index in range(size):
        proof = inclusion_proof(SMALL_TREE, index, size)
        tree_root = root_at(SMALL_TREE, size)
        for other in range(SMALL + 1):
            if other != index:
                assert not verify_inclusion(LEAF_HASHES[index], other, size, proof, tree_root)


sizes = st.integers(min_value=1, max_value=LARGE)
bits = st.integers(min_value=0, max_value=255)


@settings(max_examples=300, deadline=None)
@given(size=sizes, data=st.data(), bit=bits)
def test_sampled_inclusion_proofs(size: int, data: st.DataObject, bit: int) -> None:
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    check_inclusion(LARGE_TREE, index, size, bit)


@settings(max_examples=300, deadline=None)
@given(size2=sizes, data=st.data(), bit=bits)
def test_sampled_consistency_proofs(size2: int, data: st.DataObject, bit: int) -> None:
    size1 = data.draw(st.integers(min_value=1, max_value=size2), label="size1")
    check_consistency(LARGE_TREE, size1, size2, bit)


@settings(max_examples=100, deadline=None)
@given(size=st.integers(min_value=0, max_value=LARGE))
def test_stored_root_equals_the_rfc_definition(size: int) -> None:
    assert root_at(LARGE_TREE, size) == root(LEAVES[:size])


# --- cost ----------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(size=sizes, data=st.data())
def test_proofs_read_logarithmically_many_nodes(size: int, data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    size1 = data.draw(st.integers(min_value=1, max_value=size), label="size1")

    reader = CountingReader(LARGE_TREE)
    assert inclusion_proof(reader, index, size) == inclusion_proof(LARGE_TREE, index, size)
    assert reader.reads == len(inclusion_keys(index, size)) <= log_bound(size)

    reader = CountingReader(LARGE_TREE)
    assert consistency_proof(reader, size1, size) == consistency_proof(LARGE_TREE, size1, size)
    assert reader.reads == len(consistency_keys(size1, size)) <= log_bound(size)

    reader = CountingReader(LARGE_TREE)
    root_at(reader, size)
    assert reader.reads == len(root_keys(size)) == size.bit_count() <= math.log2(size) + 1


@pytest.mark.parametrize(("index", "size1", "size"), [(0, 1, 1), (0, 1, 64), (4095, 1000, 4097)])
def test_a_batch_reader_is_asked_once_per_request(index: int, size1: int, size: int) -> None:
    for compute in (
        lambda r: inclusion_proof(r, index, size),
        lambda r: consistency_proof(r, size1, size),
        lambda r: root_at(r, size),
        lambda r: nodes_to_store(size, leaf_hash(b"new"), r),
    ):
        reader = BatchCountingReader(LARGE_TREE if size > 64 else SMALL_TREE)
        compute(reader)
        assert reader.calls <= 1
        assert reader.reads <= log_bound(size)


# --- appending -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size_before", [*range(70), 1023, 1024, 4095])
def test_an_append_stores_the_leaf_and_each_subtree_it_completes(size_before: int) -> None:
    reader = CountingReader(LARGE_TREE)
    nodes = nodes_to_store(size_before, LEAF_HASHES[size_before], reader)
    completed = (size_before ^ (size_before + 1)).bit_length() - 1  # trailing one-bits
    assert [(level, index) for level, index, _ in nodes] == [
        (level, size_before >> level) for level in range(completed + 1)
    ]
    assert [LARGE_TREE.subtree(level, index) for level, index, _ in nodes] == [
        value for _, _, value in nodes
    ]
    assert reader.reads == completed == len(append_keys(size_before))


@settings(max_examples=50, deadline=None)
@given(cuts=st.lists(st.integers(min_value=0, max_value=300), max_size=8))
def test_batches_store_the_same_rows_as_single_appends(cuts: list[int]) -> None:
    """However a database appender groups leaves into transactions, the rows are the same."""
    store: dict[NodeKey, bytes] = {}

    class DictReader:
        def subtree(self, level: int, index: int) -> bytes:
            return store[(level, index)]

    bounds = [0, *sorted(cuts), 300]
    for start, end in itertools.pairwise(bounds):
        batch = nodes_to_store_batch(start, LEAF_HASHES[start:end], DictReader())
        for level, index, value in batch:
            assert (level, index) not in store  # rows are only ever inserted
            store[(level, index)] = value
    reference = MemoryTree(LEAVES[:300])
    assert store == reference.subtrees(list(store))
    assert len(store) == 2 * 300 - (300).bit_count()  # n leaves + n - popcount(n) parents


# --- impossible requests -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (lambda t: inclusion_proof(t, 8, 8), "leaf index 8 is not in a tree of 8 leaves"),
        (lambda t: inclusion_proof(t, -1, 8), "index must be a non-negative integer"),
        (lambda t: inclusion_proof(t, 0, 0), "leaf index 0 is not in a tree of 0 leaves"),
        (lambda t: inclusion_proof(t, 3, 9), "size 9 is beyond the tree, which has 8 leaves"),
        (lambda t: consistency_proof(t, 0, 4), "no consistency proof from size 0"),
        (lambda t: consistency_proof(t, 0, 0), "no consistency proof from size 0"),
        (lambda t: consistency_proof(t, 5, 4), "from size 5 to the smaller size 4"),
        (lambda t: consistency_proof(t, 2, 9), "size 9 is beyond the tree"),
        (lambda t: root_at(t, 9), "size 9 is beyond the tree"),
        (lambda t: root_at(t, -1), "size must be a non-negative integer"),
        (lambda t: nodes_to_store(7, leaf_hash(b""), t), "cannot append as leaf 7"),
        (lambda t: nodes_to_store(8, b"short", t), "leaf hash 0 of the batch is not 32 bytes"),
    ],
)
def test_impossible_requests_say_why(request_: object, message: str) -> None:
    tree = MemoryTree(LEAVES[:8])
    with pytest.raises(ValueError, match=message):
        request_(tree)  # type: ignore[operator]


@pytest.mark.parametrize(
    "request_",
    [
        lambda r: root_at(r, 9),
        lambda r: consistency_proof(r, 3, 12),
        lambda r: inclusion_proof(r, 0, 9),
    ],
)
def test_a_reader_without_a_size_reports_missing_nodes(request_: object) -> None:
    with pytest.raises(ValueError, match="beyond the stored tree"):
        request_(CountingReader(MemoryTree(LEAVES[:8])))  # type: ignore[operator]
    with pytest.raises(ValueError, match="beyond the stored tree"):
        request_(BatchCountingReader(MemoryTree(LEAVES[:8])))  # type: ignore[operator]


# --- verifiers never raise -----------------------------------------------------------------------

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=4),
    st.binary(max_size=40),
    st.lists(st.binary(min_size=31, max_size=33), max_size=3),
    st.lists(st.one_of(st.none(), st.text(max_size=2), st.integers()), max_size=3),
)


@settings(max_examples=300, deadline=None)
@given(a=junk, b=junk, c=junk, d=junk, e=junk)
def test_verifiers_answer_false_to_garbage(
    a: object, b: object, c: object, d: object, e: object
) -> None:
    assert verify_inclusion(a, b, c, d, e) is False  # type: ignore[arg-type]
    assert verify_consistency(a, b, c, d, e) is False  # type: ignore[arg-type]
