"""Journal entries and their canonical bytes.

The payload is stored as canonical JSON (UTF-8, keys sorted, no insignificant whitespace) so that
the same change always has the same bytes: the transparency log hashes them, and replaying the
journal elsewhere must produce identical projections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson


def canonical_json(value: Any) -> str:
    """Canonical JSON text. Floats are refused upstream: amounts travel as decimal strings."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


def parse_json(text: str) -> Any:
    return orjson.loads(text)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One applied change, exactly as stored."""

    seq: int
    recorded_at: str
    actor: str
    kind: str
    payload: dict[str, Any]

    @property
    def payload_json(self) -> str:
        return canonical_json(self.payload)
