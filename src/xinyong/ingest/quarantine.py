"""Quarantine: rejected rows kept whole, with every reason, until fixed and resubmitted.

A rejected row is kept exactly as the file had it, but encrypted: agency rows carry resident IDs
and invariant 7 keeps those out of the database in the clear. The key is derived from the ID key
file (outside the database), so an operator with the key can show and export rows for the agency
to fix, and a stolen database file shows only reasons (which never quote an ID unmasked).

Each entry has a fingerprint over source, kind, file name, sheet, row and cells, so running the
same file again — after a crash, or by mistake — never files the same row twice.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import Connection, bindparam, insert, select, update

from xinyong.codes import IdHasher
from xinyong.store.journal import canonical_json, parse_json
from xinyong.store.schema import quarantine
from xinyong.timeutil import utc_stamp

ENCRYPTED = "fernet:"


class QuarantineCipher:
    """Encrypts and decrypts quarantined row data with a key derived from the ID key."""

    def __init__(self, hasher: IdHasher) -> None:
        self._fernet = Fernet(base64.urlsafe_b64encode(hasher.derive("quarantine v1")))

    def seal(self, cells: dict[str, str]) -> str:
        return ENCRYPTED + self._fernet.encrypt(canonical_json(cells).encode()).decode("ascii")

    def open(self, stored: str) -> dict[str, str]:
        if not stored.startswith(ENCRYPTED):
            data: dict[str, str] = parse_json(stored)
            return data
        plain = self._fernet.decrypt(stored[len(ENCRYPTED) :].encode()).decode("utf-8")
        return dict(parse_json(plain))


@dataclass(frozen=True, slots=True)
class Reject:
    """A row that could not be used, and why."""

    kind: str
    file: str
    sheet: str | None
    row: int
    cells: dict[str, str]
    reasons: list[str]
    status: str = "open"  # open (fix and resubmit) | review (an officer must decide)

    def fingerprint(self, source: str) -> str:
        basis = canonical_json(
            [source, self.kind, Path(self.file).name, self.sheet, self.row, self.cells]
        )
        return hashlib.sha256(basis.encode()).hexdigest()


WAITING = ("open", "review")
_OPEN_FINGERPRINTS = select(quarantine.c.fingerprint).where(
    quarantine.c.fingerprint.in_(bindparam("fps", expanding=True)),
    quarantine.c.status.in_(WAITING),
)


def file_rejects(
    conn: Connection,
    batch_id: str,
    source: str,
    rejects: Sequence[Reject],
    cipher: QuarantineCipher,
) -> None:
    """Store rejects in the caller's transaction, skipping rows already waiting in quarantine."""
    if not rejects:
        return
    prints = [r.fingerprint(source) for r in rejects]
    waiting = set(conn.execute(_OPEN_FINGERPRINTS, {"fps": list(set(prints))}).scalars())
    now = utc_stamp()
    rows: list[dict[str, Any]] = []
    for reject, fp in zip(rejects, prints, strict=True):
        if fp in waiting:
            continue
        waiting.add(fp)
        rows.append(
            {
                "batch_id": batch_id,
                "source": source,
                "kind": reject.kind,
                "file": reject.file,
                "sheet": reject.sheet,
                "row": reject.row,
                "reasons": canonical_json(reject.reasons),
                "data": cipher.seal(reject.cells),
                "status": reject.status,
                "created_at": now,
                "fingerprint": fp,
            }
        )
    if rows:
        conn.execute(insert(quarantine), rows)


def close(conn: Connection, entry_id: int, record_id: int | None, reason: str) -> bool:
    """Close an open entry, linked to the record that replaced it; False if it was not open."""
    result = conn.execute(
        update(quarantine)
        .where(quarantine.c.id == entry_id, quarantine.c.status.in_(WAITING))
        .values(
            status="closed",
            resolved_record_id=record_id,
            closed_at=utc_stamp(),
            closed_reason=reason,
        )
    )
    return bool(result.rowcount)
