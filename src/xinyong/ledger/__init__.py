"""The transparency log's pure parts: RFC 6962 Merkle trees and C2SP signed checkpoints.

Nothing here touches the database. Storage and endpoints call in through ``merkle.NodeReader``
and the ``*_keys`` helpers, so the same code runs against ``MemoryTree`` in tests and against
stored nodes in production.
"""

from xinyong.ledger.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from xinyong.ledger.keys import (
    KeyFormatError,
    Signer,
    Verifier,
    generate_key_file,
    load_key_file,
    load_or_create,
)
from xinyong.ledger.merkle import (
    EMPTY_ROOT,
    MemoryTree,
    NodeReader,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    root_at,
    verify_consistency,
    verify_inclusion,
)
from xinyong.ledger.note import NoteError, open_note, sign_note

__all__ = [
    "EMPTY_ROOT",
    "Checkpoint",
    "KeyFormatError",
    "MemoryTree",
    "NodeReader",
    "NoteError",
    "Signer",
    "Verifier",
    "consistency_proof",
    "generate_key_file",
    "inclusion_proof",
    "leaf_hash",
    "load_key_file",
    "load_or_create",
    "node_hash",
    "open_checkpoint",
    "open_note",
    "root",
    "root_at",
    "sign_checkpoint",
    "sign_note",
    "verify_consistency",
    "verify_inclusion",
]
