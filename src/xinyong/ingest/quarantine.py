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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import Connection, func, insert, select, update

from xinyong.codes import IdHasher, mask_id_like
from xinyong.store.journal import canonical_json, parse_json
from xinyong.store.projections.batching import InList, chunked
from xinyong.store.schema import access_log, quarantine
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
_OPEN_FINGERPRINTS = InList(
    lambda member: select(quarantine.c.fingerprint).where(
        member(quarantine.c.fingerprint, "fps"), quarantine.c.status.in_(WAITING)
    )
)


def open_id(conn: Connection, fingerprint: str) -> int | None:
    """The waiting entry holding a row with this fingerprint (see `Reject.fingerprint`)."""
    found = conn.execute(
        select(quarantine.c.id).where(
            quarantine.c.fingerprint == fingerprint, quarantine.c.status.in_(WAITING)
        )
    ).scalar()
    return None if found is None else int(found)


# Columns an export adds so that a fixed row finds its way back; never part of the row itself.
QUARANTINE_ID = "quarantine_id"
QUARANTINE_REASONS = "quarantine_reasons"
EXPORT_COLUMNS = (QUARANTINE_ID, QUARANTINE_REASONS)


def own_cells(cells: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in cells.items() if k not in EXPORT_COLUMNS}


def file_rejects(
    conn: Connection,
    batch_id: str,
    source: str,
    rejects: Sequence[Reject],
    cipher: QuarantineCipher,
) -> None:
    """Store rejects in the caller's transaction. A row that came back from an export (it
    carries its quarantine_id) updates its own entry; a row already waiting is not filed twice."""
    fresh: list[Reject] = []
    for reject in rejects:
        entry_id = reject.cells.get(QUARANTINE_ID, "").strip()
        if entry_id.isdigit() and _refile(conn, int(entry_id), batch_id, source, reject, cipher):
            continue
        fresh.append(replace(reject, cells=own_cells(reject.cells)))
    rejects = fresh
    if not rejects:
        return
    prints = [r.fingerprint(source) for r in rejects]
    waiting = set(conn.execute(_OPEN_FINGERPRINTS.on(conn), {"fps": list(set(prints))}).scalars())
    now = utc_stamp()
    rows: list[dict[str, Any]] = []
    for reject, fp in zip(rejects, prints, strict=True):
        if fp in waiting:
            # The same row again: its entry stays, but says why it fails *now* (after a
            # catalogue change, say, the reasons may differ).
            conn.execute(
                update(quarantine)
                .where(quarantine.c.fingerprint == fp, quarantine.c.status.in_(WAITING))
                .values(reasons=canonical_json(reject.reasons), status=reject.status)
            )
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


def _refile(
    conn: Connection,
    entry_id: int,
    batch_id: str,
    source: str,
    reject: Reject,
    cipher: QuarantineCipher,
) -> bool:
    """Update the waiting entry this row came back for — only one of the same source and kind,
    so a wrong or edited id cannot overwrite another agency's rows."""
    result = conn.execute(
        update(quarantine)
        .where(
            quarantine.c.id == entry_id,
            quarantine.c.status.in_(WAITING),
            quarantine.c.source == source,
            quarantine.c.kind == reject.kind,
        )
        .values(
            batch_id=batch_id,
            reasons=canonical_json(reject.reasons),
            data=cipher.seal(own_cells(reject.cells)),
            status=reject.status,
        )
    )
    return bool(result.rowcount)


@dataclass(frozen=True)
class Entry:
    """A quarantine entry as officers see it: data decrypted, and resident IDs masked unless the
    reader asked for the raw row with a stated purpose."""

    id: int
    batch: str
    source: str
    kind: str | None
    file: str
    sheet: str | None
    row: int
    reasons: list[str]
    data: dict[str, str]
    status: str
    created_at: str
    resolved_record_id: int | None
    closed_at: str | None
    closed_reason: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "reasons": self.reasons,
            "data": self.data,
            "status": self.status,
            "source": self.source,
            "kind": self.kind,
            "batch": self.batch,
            "created_at": self.created_at,
            "resolved_record_id": self.resolved_record_id,
            "closed_at": self.closed_at,
            "closed_reason": self.closed_reason,
        }


def _entry(row: Any, cipher: QuarantineCipher, unmasked: bool) -> Entry:
    data = cipher.open(row.data)
    reasons = [mask_id_like(r) for r in parse_json(row.reasons)]
    if not unmasked:
        # Mask anything ID-shaped, valid or not: a mistyped ID is still someone's ID.
        data = {k: mask_id_like(v) for k, v in data.items()}
    return Entry(
        id=row.id,
        batch=row.batch_id,
        source=row.source,
        kind=row.kind,
        file=row.file,
        sheet=row.sheet,
        row=row.row,
        reasons=reasons,
        data=data,
        status=row.status,
        created_at=row.created_at,
        resolved_record_id=row.resolved_record_id,
        closed_at=row.closed_at,
        closed_reason=row.closed_reason,
    )


@dataclass(frozen=True)
class Filter:
    status: str = "waiting"  # waiting (open + review) | open | review | closed | all
    source: str | None = None
    batch: str | None = None
    ids: tuple[int, ...] = ()

    def where(self) -> list[Any]:
        conds: list[Any] = []
        if self.status == "waiting":
            conds.append(quarantine.c.status.in_(WAITING))
        elif self.status != "all":
            conds.append(quarantine.c.status == self.status)
        if self.source:
            conds.append(quarantine.c.source == self.source)
        if self.batch:
            conds.append(quarantine.c.batch_id == self.batch)
        if self.ids:
            conds.append(quarantine.c.id.in_(self.ids))
        return conds


def list_entries(
    conn: Connection,
    cipher: QuarantineCipher,
    flt: Filter,
    *,
    limit: int | None = 50,
    after: int = 0,
    unmasked: bool = False,
) -> tuple[list[Entry], int]:
    """Entries in id order after id `after`, and how many match in all."""
    conds = flt.where()
    total = conn.execute(select(func.count()).select_from(quarantine).where(*conds)).scalar_one()
    query = select(quarantine).where(*conds, quarantine.c.id > after).order_by(quarantine.c.id)
    if limit is not None:
        query = query.limit(limit)
    entries = [_entry(r, cipher, unmasked) for r in conn.execute(query)]
    return entries, int(total)


def log_access(conn: Connection, actor: str, action: str, purpose: str, detail: Any) -> None:
    """Record an unmasked view of personal data (DESIGN.md invariant 7)."""
    if len(purpose.strip()) < 5:
        raise ValueError("say why the unmasked data is needed (--purpose, at least 5 characters)")
    conn.execute(
        insert(access_log).values(
            at=utc_stamp(),
            actor=actor,
            action=action,
            purpose=purpose.strip(),
            detail=canonical_json(detail),
        )
    )


def has_waiting(conn: Connection, source: str, kind: str) -> bool:
    query = select(quarantine.c.id).where(
        quarantine.c.source == source,
        quarantine.c.kind == kind,
        quarantine.c.status.in_(WAITING),
    )
    return conn.execute(query.limit(1)).first() is not None


def close_passed(
    conn: Connection,
    source: str,
    passed: Sequence[tuple[Reject, str | None]],
    record_of: Callable[[str], int | None],
) -> int:
    """Close waiting entries for rows that now pass as they are (the original file sent again
    after a legacy code was accepted or the registry caught up): same fingerprint, same row.
    One query finds which of the chunk's rows have an entry waiting — almost always none — so a
    file sent while its agency has rows in quarantine does not pay a statement per row."""
    prints = {reject.fingerprint(source): (reject, doc) for reject, doc in passed}
    waiting: set[str] = set()
    for part in chunked(list(prints)):
        waiting.update(
            str(f)
            for f in conn.execute(
                select(quarantine.c.fingerprint).where(
                    quarantine.c.fingerprint.in_(part), quarantine.c.status.in_(WAITING)
                )
            ).scalars()
        )
    closed = 0
    for fingerprint in sorted(waiting):
        reject, doc = prints[fingerprint]
        record_id = record_of(doc) if doc else None
        result = conn.execute(
            update(quarantine)
            .where(
                quarantine.c.fingerprint == fingerprint,
                quarantine.c.status.in_(WAITING),
            )
            .values(
                status="closed",
                resolved_record_id=record_id,
                closed_at=utc_stamp(),
                closed_reason=f"passed when sent again ({Path(reject.file).name} row {reject.row})",
            )
        )
        closed += result.rowcount
    return closed


def close(
    conn: Connection, entry_id: int, source: str, kind: str, record_id: int | None, reason: str
) -> bool:
    """Close a waiting entry of this source and kind, linked to the record that replaced it;
    False if there is none (an id from another agency's export closes nothing)."""
    result = conn.execute(
        update(quarantine)
        .where(
            quarantine.c.id == entry_id,
            quarantine.c.status.in_(WAITING),
            quarantine.c.source == source,
            quarantine.c.kind == kind,
        )
        .values(
            status="closed",
            resolved_record_id=record_id,
            closed_at=utc_stamp(),
            closed_reason=reason,
        )
    )
    return bool(result.rowcount)
