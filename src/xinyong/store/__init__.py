"""Storage: the append-only journal, versioned projections, and the one apply path.

Public face: `make_engine`, `upgrade` (schema), `apply` / `apply_changes` (writes), `reads`
(versioned reads), `replay` (rebuild and compare).
"""

from xinyong.store.apply import Change, apply, apply_changes
from xinyong.store.changes import ChangeRejected
from xinyong.store.db import is_sqlite, make_engine
from xinyong.store.migrate import upgrade

__all__ = [
    "Change",
    "ChangeRejected",
    "apply",
    "apply_changes",
    "is_sqlite",
    "make_engine",
    "upgrade",
]
