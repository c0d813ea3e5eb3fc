"""RFC 6962 / RFC 9162 Merkle trees: hashes, proof checks, and proofs built from stored nodes.

A log that keeps every leaf but recomputes subtrees on each request pays O(n) per proof; one that
keeps only the latest root cannot answer for older tree heads at all. So the storage scheme is
*complete subtrees*: node ``(level, index)`` is the hash of leaves
``[index * 2**level, (index + 1) * 2**level)``, level 0 being the leaf hashes. Such a node never
changes once its last leaf exists, so rows are only ever inserted (about two per leaf in all),
and every tree size's root and proofs are folds of at most 2·log2(n) stored nodes,
which is what lets one store answer for every checkpoint ever signed.

Callers that talk to a database get the keys first (``inclusion_keys``, ``consistency_keys``,
``root_keys``, ``append_keys``) so that one query can fetch them all; a reader that offers
``subtrees`` is handed all keys of a request in one call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol, runtime_checkable

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "BatchNodeReader",
    "MemoryTree",
    "Node",
    "NodeKey",
    "NodeReader",
    "append_keys",
    "consistency_keys",
    "consistency_proof",
    "inclusion_keys",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "nodes_to_store",
    "nodes_to_store_batch",
    "root",
    "root_at",
    "root_keys",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeKey = tuple[int, int]
"""``(level, index)`` of a complete subtree."""


Node = tuple[int, int, bytes]
"""``(level, index, hash)`` of a complete subtree to store: binds straight into an INSERT."""


@runtime_checkable
class NodeReader(Protocol):
    """Where proofs read complete-subtree hashes from.

    ``subtree`` raises ``LookupError`` (``KeyError`` will do) for a node that is not stored, which
    the proof functions report as a request beyond the tree. A reader should also have an integer
    ``size`` attribute (the number of leaves stored, or of the tree head it serves): sizes beyond
    it are then refused before anything is read. Without it, a request beyond the tree is caught
    only when it needs a node that is not stored, which an inclusion proof for the last leaf of
    a too-large size does not.
    """

    def subtree(self, level: int, index: int) -> bytes: ...


@runtime_checkable
class BatchNodeReader(NodeReader, Protocol):
    """A reader that fetches many nodes at once (one ``WHERE (level, index) IN (...)`` query).

    ``subtrees`` returns the nodes it has and leaves missing ones out of the mapping.
    """

    def subtrees(self, keys: Sequence[NodeKey]) -> Mapping[NodeKey, bytes]: ...


# --- hashing -------------------------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    """The 0x00 prefix keeps a leaf from ever hashing like an interior node (second preimages)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """RFC 6962's split: the largest power of two strictly below ``size`` (``size`` >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def _hashes_root(hashes: Sequence[bytes]) -> bytes:
    # The RFC's recursive definition, kept literal so that it can serve as the reference the
    # stored-node code is tested against.
    if len(hashes) == 1:
        return hashes[0]
    k = _split(len(hashes))
    return node_hash(_hashes_root(hashes[:k]), _hashes_root(hashes[k:]))


def root(leaves: Sequence[bytes]) -> bytes:
    """Root over raw leaf data (not leaf hashes); the empty tree's root is SHA-256 of nothing."""
    if not leaves:
        return EMPTY_ROOT
    return _hashes_root([leaf_hash(data) for data in leaves])


# --- verification --------------------------------------------------------------------------------


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _as_bytes(value: object) -> bytes | None:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return None


def _as_hashes(proof: object) -> list[bytes] | None:
    """Proof elements as bytes, or None if any is not a hash: a verifier must not raise."""
    if isinstance(proof, str | bytes | bytearray | memoryview) or not isinstance(proof, Iterable):
        return None
    hashes: list[bytes] = []
    for element in proof:
        value = _as_bytes(element)
        if value is None or len(value) != HASH_SIZE:
            return None
        hashes.append(value)
    return hashes


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2. False, never an exception, for any malformed input: a verifier is fed
    whatever a remote party sent, and "not proven" is the only honest answer to garbage."""
    leaf, expected = _as_bytes(leaf_hash), _as_bytes(root)
    hashes = _as_hashes(proof)
    if leaf is None or expected is None or hashes is None or len(leaf) != HASH_SIZE:
        return False
    if not (_is_count(index) and _is_count(size)) or index >= size:
        return False
    fn, sn, computed = index, size - 1, leaf
    for sibling in hashes:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            computed = node_hash(sibling, computed)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            computed = node_hash(computed, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and computed == expected


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2, except that a proof from size 0 is refused: the empty tree is a prefix
    of every tree, so such a "proof" would vouch for nothing, and accepting one lets a client
    believe it checked a log it never checked.

    Equal sizes need an empty proof and equal roots (the roots are compared as given).
    """
    first, second = _as_bytes(root1), _as_bytes(root2)
    hashes = _as_hashes(proof)
    if first is None or second is None or hashes is None:
        return False
    if not (_is_count(size1) and _is_count(size2)) or size1 == 0 or size1 > size2:
        return False
    if size1 == size2:
        return not hashes and first == second
    if not hashes:
        return False
    if size1 & (size1 - 1) == 0:
        # The old tree is a complete subtree of the new one, so the proof leaves out its root.
        hashes = [first, *hashes]
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    old = new = hashes[0]
    for sibling in hashes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            old, new = node_hash(sibling, old), node_hash(sibling, new)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            new = node_hash(new, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and old == first and new == second


# --- which stored nodes a request needs ----------------------------------------------------------

_Range = tuple[int, int]  # (first leaf, number of leaves)


def _range_keys(start: int, count: int) -> list[NodeKey]:
    """The complete subtrees that make up the RFC 6962 subtree over ``[start, start + count)``,
    largest first. Its hash is their right fold: h(c1, h(c2, ... ck)). Callers only ask for
    ranges that start on a multiple of their largest complete part, as every RFC subtree does."""
    keys: list[NodeKey] = []
    while count:
        level = count.bit_length() - 1
        keys.append((level, start >> level))
        start += 1 << level
        count -= 1 << level
    return keys


def _check_count(name: str, value: int) -> None:
    if not _is_count(value):
        raise ValueError(f"{name} must be a non-negative integer, not {value!r}")


def _inclusion_ranges(index: int, size: int) -> list[_Range]:
    _check_count("index", index)
    _check_count("size", size)
    if index >= size:
        raise ValueError(f"leaf index {index} is not in a tree of {size} leaves")
    ranges: list[_Range] = []
    start, m, n = 0, index, size
    while n > 1:  # RFC 9162 §2.1.3.1 PATH(m, D[n]), top down
        k = _split(n)
        if m < k:
            ranges.append((start + k, n - k))
            n = k
        else:
            ranges.append((start, k))
            start, m, n = start + k, m - k, n - k
    ranges.reverse()  # the proof lists siblings from the leaf up
    return ranges


def _consistency_ranges(size1: int, size2: int) -> list[_Range]:
    _check_count("size1", size1)
    _check_count("size2", size2)
    if size1 == 0:
        raise ValueError(
            "no consistency proof from size 0: the empty tree is a prefix of every tree, "
            "so such a proof would prove nothing"
        )
    if size1 > size2:
        raise ValueError(f"no consistency proof from size {size1} to the smaller size {size2}")
    ranges: list[_Range] = []
    start, m, n, whole = 0, size1, size2, True
    while m != n:  # RFC 9162 §2.1.4.1 SUBPROOF(m, D[n], b), top down
        k = _split(n)
        if m <= k:
            ranges.append((start + k, n - k))
            n = k
        else:
            ranges.append((start, k))
            start, m, n, whole = start + k, m - k, n - k, False
    if not whole:
        ranges.append((start, n))
    ranges.reverse()
    return ranges


def _flatten(ranges: Sequence[_Range]) -> list[NodeKey]:
    return list(dict.fromkeys(key for start, count in ranges for key in _range_keys(start, count)))


def inclusion_keys(index: int, size: int) -> list[NodeKey]:
    """The stored nodes ``inclusion_proof`` reads, for fetching them in one query.
    At most 2·log2(size) keys."""
    return _flatten(_inclusion_ranges(index, size))


def consistency_keys(size1: int, size2: int) -> list[NodeKey]:
    """The stored nodes ``consistency_proof`` reads. At most 2·log2(size2) keys."""
    return _flatten(_consistency_ranges(size1, size2))


def root_keys(size: int) -> list[NodeKey]:
    """The stored nodes ``root_at`` folds: one per set bit of ``size``."""
    _check_count("size", size)
    return _range_keys(0, size)


def append_keys(size_before: int, count: int = 1) -> list[NodeKey]:
    """The stored nodes needed to append ``count`` leaves to a tree of ``size_before`` leaves:
    the left siblings that the new leaves complete, at most one per level."""
    _check_count("size_before", size_before)
    _check_count("count", count)
    end = size_before + count
    return [
        (level, (size_before >> level) - 1)
        for level in range(size_before.bit_length())
        if size_before >> level & 1 and ((size_before >> level) + 1) << level <= end
    ]


# --- reading and assembling ----------------------------------------------------------------------


def _check_within(reader: NodeReader, size: int) -> None:
    stored = getattr(reader, "size", None)
    if isinstance(stored, int) and size > stored:
        raise ValueError(f"size {size} is beyond the tree, which has {stored} leaves")


def _read(reader: NodeReader, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
    if not keys:
        return {}
    found: dict[NodeKey, bytes] = {}
    if isinstance(reader, BatchNodeReader):
        found.update(reader.subtrees(keys))
    else:
        for level, index in keys:
            try:
                found[(level, index)] = reader.subtree(level, index)
            except LookupError:
                break
    for level, index in keys:
        if (level, index) not in found:
            first = index << level
            raise ValueError(
                f"the tree has no complete subtree at level {level}, index {index} "
                f"(leaves {first}..{first + (1 << level) - 1}): the requested size is beyond "
                "the stored tree, or the store lost a node"
            )
    return found


def _fold(keys: Sequence[NodeKey], nodes: Mapping[NodeKey, bytes]) -> bytes:
    acc = nodes[keys[-1]]
    for key in reversed(keys[:-1]):
        acc = node_hash(nodes[key], acc)
    return acc


def _assemble(reader: NodeReader, ranges: Sequence[_Range]) -> list[bytes]:
    parts = [_range_keys(start, count) for start, count in ranges]
    nodes = _read(reader, list(dict.fromkeys(key for keys in parts for key in keys)))
    return [_fold(keys, nodes) for keys in parts]


def inclusion_proof(reader: NodeReader, index: int, size: int) -> list[bytes]:
    """Audit path for leaf ``index`` (0-based) in the tree of the first ``size`` leaves."""
    ranges = _inclusion_ranges(index, size)
    _check_within(reader, size)
    return _assemble(reader, ranges)


def consistency_proof(reader: NodeReader, size1: int, size2: int) -> list[bytes]:
    """Proof that the tree of ``size2`` leaves extends the tree of ``size1`` leaves."""
    ranges = _consistency_ranges(size1, size2)
    _check_within(reader, size2)
    return _assemble(reader, ranges)


def root_at(reader: NodeReader, size: int) -> bytes:
    """Root of the first ``size`` leaves, folded from at most log2(size) + 1 stored nodes."""
    keys = root_keys(size)
    if not keys:
        return EMPTY_ROOT
    _check_within(reader, size)
    return _fold(keys, _read(reader, keys))


# --- appending -----------------------------------------------------------------------------------


def nodes_to_store_batch(
    size_before: int, new_leaf_hashes: Sequence[bytes], reader: NodeReader
) -> list[Node]:
    """Every complete-subtree node created by appending ``new_leaf_hashes`` as leaves
    ``size_before``, ``size_before + 1``, … — leaf nodes included, in creation order.

    The stored nodes it needs (``append_keys(size_before, len(new_leaf_hashes))``) are read in one
    call; nodes created earlier in the same batch are taken from memory, so a batch appended in
    one transaction never needs to read its own uncommitted rows.
    """
    _check_count("size_before", size_before)
    for position, new in enumerate(new_leaf_hashes):
        if not isinstance(new, bytes) or len(new) != HASH_SIZE:
            raise ValueError(
                f"leaf hash {position} of the batch is not {HASH_SIZE} bytes: pass leaf_hash(data)"
            )
    stored = getattr(reader, "size", None)
    if isinstance(stored, int) and size_before != stored:
        raise ValueError(f"cannot append as leaf {size_before}: the tree has {stored} leaves")
    pending = _read(reader, append_keys(size_before, len(new_leaf_hashes)))
    created: list[Node] = []
    for offset, new in enumerate(new_leaf_hashes):
        level, index, acc = 0, size_before + offset, new
        created.append((level, index, acc))
        while index & 1:  # a right child completes its parent
            acc = node_hash(pending.pop((level, index - 1)), acc)
            level, index = level + 1, index >> 1
            created.append((level, index, acc))
        pending[(level, index)] = acc  # a left child waits for its sibling
    return created


def nodes_to_store(size_before: int, new_leaf_hash: bytes, reader: NodeReader) -> list[Node]:
    """The nodes created by appending one leaf as number ``size_before``: the leaf itself and
    one parent per subtree it completes (1 + trailing one-bits of ``size_before`` rows)."""
    return nodes_to_store_batch(size_before, [new_leaf_hash], reader)


class MemoryTree:
    """An in-memory node store: the reference reader for tests and small tools.

    It keeps exactly the rows a database appender would, so code tested against it behaves the
    same against the database.
    """

    __slots__ = ("_nodes", "_size")

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self._nodes: dict[NodeKey, bytes] = {}
        self._size = 0
        self.extend(leaves)

    @property
    def size(self) -> int:
        return self._size

    def append(self, data: bytes) -> int:
        """Append raw leaf data; returns the new leaf's index."""
        return self.append_hash(leaf_hash(data))

    def append_hash(self, new_leaf_hash: bytes) -> int:
        return self._store(nodes_to_store(self._size, new_leaf_hash, self), 1)

    def extend(self, leaves: Iterable[bytes]) -> None:
        hashes = [leaf_hash(data) for data in leaves]
        if hashes:
            self._store(nodes_to_store_batch(self._size, hashes, self), len(hashes))

    def _store(self, nodes: Iterable[Node], count: int) -> int:
        first = self._size
        for level, index, value in nodes:
            self._nodes[(level, index)] = value
        self._size += count
        return first

    def subtree(self, level: int, index: int) -> bytes:
        return self._nodes[(level, index)]

    def subtrees(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        return {key: self._nodes[key] for key in keys if key in self._nodes}

    def root(self) -> bytes:
        return root_at(self, self._size)

    def __len__(self) -> int:
        return self._size

    def __repr__(self) -> str:
        return f"MemoryTree(size={self._size})"
