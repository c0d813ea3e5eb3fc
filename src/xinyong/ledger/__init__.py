"""The transparency log's pure parts: RFC 6962 Merkle trees and C2SP signed checkpoints.

Nothing here touches the database; storage and endpoints call in through ``merkle.NodeReader``
and the ``*_keys`` helpers, so the same code runs against ``MemoryTree`` in tests.
"""
