"""Ingest: files in, rows validated, subjects resolved, changes applied, rejects quarantined.

Rows are taken in chunks; each chunk is one transaction holding its applied changes and its
quarantine rows, so an ingest killed mid-way leaves whole chunks, and running it again finds the
committed rows already there (the natural key makes them duplicates) and carries on.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, update

from xinyong.codes import IdHasher
from xinyong.ingest.mapping import detect_kind, load_mapping
from xinyong.ingest.readers import SheetRow, SheetTable, UnreadableFile, read_tables
from xinyong.ingest.rows import Draft, parse_record_row, parse_registry_row
from xinyong.store.apply import Change, apply_changes
from xinyong.store.changes import ChangeRejected, parse_payload
from xinyong.store.db import writing
from xinyong.store.journal import canonical_json, parse_json
from xinyong.store.projections.agencies import exists as agency_exists
from xinyong.store.schema import ingest_batches, quarantine, records, subject_names, subjects
from xinyong.timeutil import utc_stamp

CHUNK_ROWS = 500
AGENCY_CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")

__all__ = ["IngestSummary", "UnreadableFile", "ingest_files"]


@dataclass
class IngestSummary:
    files: int = 0
    rows: int = 0
    accepted: int = 0
    corrected: int = 0
    duplicates: int = 0
    quarantined: int = 0
    skipped_empty: int = 0
    batch: str = ""
    kinds: dict[str, str] = field(default_factory=dict)  # file -> kind used

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


Progress = Callable[[int], None]


def ingest_files(
    engine: Engine,
    paths: Sequence[Path],
    *,
    source: str,
    actor: str,
    hasher: IdHasher,
    kind: str | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> IngestSummary:
    """Ingest files from one source agency; UnreadableFile when a file cannot be read at all."""
    if not AGENCY_CODE.fullmatch(source):
        raise ValueError(
            f"--source {source!r} is not an agency code: use lower-case letters, digits, "
            "'.', '_' or '-' (for example 'samr' or 'samr.330100')"
        )
    summary = IngestSummary(batch=uuid.uuid4().hex)
    tables = _open_all(paths, kind, encoding)  # fail before writing anything if any is unreadable
    with writing(engine) as conn:
        conn.execute(
            insert(ingest_batches).values(
                id=summary.batch,
                source=source,
                actor=actor,
                started_at=utc_stamp(),
                status="running",
                files=canonical_json([str(p) for p in paths]),
                counts="{}",
            )
        )
        if not agency_exists(conn, source):
            apply_changes(
                conn, [Change("agency.registered", {"code": source, "name": source})], actor=actor
            )
    for table, table_kind in tables:
        summary.kinds[table.file] = table_kind
        _ingest_table(engine, table, table_kind, source, actor, hasher, summary, progress)
    summary.files = len(paths)
    with writing(engine) as conn:
        conn.execute(
            update(ingest_batches)
            .where(ingest_batches.c.id == summary.batch)
            .values(
                finished_at=utc_stamp(),
                status="finished",
                counts=canonical_json(
                    {k: v for k, v in summary.as_dict().items() if isinstance(v, int)}
                ),
            )
        )
    return summary


def _open_all(
    paths: Sequence[Path], kind: str | None, encoding: str | None
) -> list[tuple[SheetTable, str]]:
    if kind is not None:
        load_mapping(kind)  # refuses an unknown kind with the list of known ones
    out = []
    for path in paths:
        for table in read_tables(path, encoding):
            table_kind = kind or detect_kind(table.headers)
            if table_kind is None:
                where = f"{table.file} sheet {table.sheet!r}" if table.sheet else table.file
                raise UnreadableFile(
                    f"{where}: cannot tell the kind from its headers; give --kind "
                    "registry, licence or penalty"
                )
            out.append((table, table_kind))
    return out


def _ingest_table(
    engine: Engine,
    table: SheetTable,
    kind: str,
    source: str,
    actor: str,
    hasher: IdHasher,
    summary: IngestSummary,
    progress: Progress | None,
) -> None:
    headers = load_mapping(kind).resolve(table.headers)
    chunk: list[SheetRow] = []
    for row in table.rows():
        if not any(row.cells.values()):
            summary.skipped_empty += 1
            continue
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            _ingest_chunk(engine, table, kind, headers, chunk, source, actor, hasher, summary)
            if progress:
                progress(len(chunk))
            chunk = []
    if chunk:
        _ingest_chunk(engine, table, kind, headers, chunk, source, actor, hasher, summary)
        if progress:
            progress(len(chunk))


def _ingest_chunk(
    engine: Engine,
    table: SheetTable,
    kind: str,
    headers: dict[str, str],
    chunk: list[SheetRow],
    source: str,
    actor: str,
    hasher: IdHasher,
    summary: IngestSummary,
) -> None:
    """One chunk in one transaction. If the apply path refuses a change the resolver let through
    (it should not, but nothing may be lost if it does), the chunk is redone row by row and the
    refused row is quarantined with the apply path's reasons."""
    before = replace(summary)
    try:
        with writing(engine) as conn:
            _process(conn, table, kind, headers, chunk, source, actor, hasher, summary)
        return
    except ChangeRejected:
        _restore(summary, before)
    for row in chunk:
        before = replace(summary)
        try:
            with writing(engine) as conn:
                _process(conn, table, kind, headers, [row], source, actor, hasher, summary)
        except ChangeRejected as exc:
            _restore(summary, before)
            summary.rows += 1
            with writing(engine) as conn:
                _quarantine(conn, summary, table, row, kind, source, exc.reasons)


def _restore(summary: IngestSummary, before: IngestSummary) -> None:
    for name in ("rows", "accepted", "corrected", "duplicates", "quarantined"):
        setattr(summary, name, getattr(before, name))


def _process(
    conn: Connection,
    table: SheetTable,
    kind: str,
    headers: dict[str, str],
    chunk: list[SheetRow],
    source: str,
    actor: str,
    hasher: IdHasher,
    summary: IngestSummary,
) -> None:
    resolver = _Resolver(conn, source, kind)
    changes: list[Change] = []
    for row in chunk:
        summary.rows += 1
        cells = {headers[h]: v for h, v in row.cells.items() if h in headers}
        if kind == "registry":
            draft = parse_registry_row(cells, headers)
        else:
            draft = parse_record_row(kind, cells, headers, hasher)
        if isinstance(draft, list):
            _quarantine(conn, summary, table, row, kind, source, draft)
            continue
        origin = {
            "batch_id": summary.batch,
            "file": Path(table.file).name,
            "sheet": table.sheet,
            "row": row.row,
        }
        try:
            outcome = resolver.plan(draft, origin, changes)
        except ChangeRejected as exc:  # a payload the apply path would refuse: keep the row
            _quarantine(conn, summary, table, row, kind, source, exc.reasons)
            continue
        if outcome == "accepted":
            summary.accepted += 1
        elif outcome == "corrected":
            summary.corrected += 1
        else:
            summary.duplicates += 1
    apply_changes(conn, changes, actor=actor)


def _quarantine(
    conn: Connection,
    summary: IngestSummary,
    table: SheetTable,
    row: SheetRow,
    kind: str,
    source: str,
    reasons: list[str],
) -> None:
    summary.quarantined += 1
    conn.execute(
        insert(quarantine).values(
            batch_id=summary.batch,
            source=source,
            kind=kind,
            file=table.file,
            sheet=table.sheet,
            row=row.row,
            reasons=canonical_json(reasons),
            data=canonical_json(row.cells),
            status="open",
            created_at=utc_stamp(),
        )
    )


# Built once: per-row statement construction would cost more than the queries themselves.
_SUBJECT = select(subjects).where(
    subjects.c.subject_key == bindparam("key"), subjects.c.superseded_seq.is_(None)
)
_NAMES = (
    select(subject_names.c.name, subject_names.c.name_type)
    .where(
        subject_names.c.subject_key == bindparam("key"), subject_names.c.superseded_seq.is_(None)
    )
    .order_by(subject_names.c.id)
)
_RECORD = select(records).where(
    records.c.source == bindparam("source"),
    records.c.kind == bindparam("kind"),
    records.c.doc_no == bindparam("doc_no"),
    records.c.superseded_seq.is_(None),
)


class _Resolver:
    """Decides per row: new (accepted), same as stored (duplicate) or changed (corrected)."""

    def __init__(self, conn: Connection, source: str, kind: str) -> None:
        self.conn = conn
        self.source = source
        self.kind = kind
        self.pending_subjects: dict[str, dict[str, Any]] = {}
        self.pending_records: dict[str, dict[str, Any]] = {}

    def _stored_subject(self, key: str) -> dict[str, Any] | None:
        if key in self.pending_subjects:
            return self.pending_subjects[key]
        row = self.conn.execute(
            select(subjects).where(
                subjects.c.subject_key == key, subjects.c.superseded_seq.is_(None)
            )
        ).first()
        if row is None:
            return None
        names = self.conn.execute(
            select(subject_names.c.name, subject_names.c.name_type)
            .where(subject_names.c.subject_key == key, subject_names.c.superseded_seq.is_(None))
            .order_by(subject_names.c.id)
        ).all()
        return {
            "subject_key": row.subject_key,
            "subject_kind": row.kind,
            "code": row.code,
            "names": [{"name": n.name, "type": n.name_type} for n in names],
            "legal_representative": row.legal_representative,
            "region_code": row.region_code,
            "industry": row.industry,
            "entity_type": row.entity_type,
            "registered_on": row.registered_on.isoformat() if row.registered_on else None,
            "status": row.status,
            "registered_capital_wan": row.registered_capital_wan,
            "provisional": bool(row.provisional),
        }

    def plan(self, draft: Draft, origin: dict[str, Any], changes: list[Change]) -> str:
        """Append this row's changes, each already validated as the apply path will validate
        it (ChangeRejected names every reason), and say what the row amounts to."""
        planned: list[Change] = []
        pending = (dict(self.pending_subjects), dict(self.pending_records))
        try:
            if self.kind == "registry":
                outcome = self._plan_subject(draft, origin, planned)
            else:
                outcome = self._plan_record(draft, origin, planned)
            typed = [Change.of(parse_payload(c.kind, c.payload)) for c in planned]  # type: ignore[arg-type]
        except ChangeRejected:
            self.pending_subjects, self.pending_records = pending
            raise
        changes.extend(typed)
        return outcome

    def _plan_subject(self, draft: Draft, origin: dict[str, Any], changes: list[Change]) -> str:
        new = draft.payload
        stored = self._stored_subject(draft.subject.key)
        if stored is None:
            changes.append(Change("subject.registered", new))
            self.pending_subjects[draft.subject.key] = new
            return "accepted"
        if _same(stored, new):
            return "duplicate"
        # A changed current name is kept as a former name: searches by the old name still find it.
        # A provisional subject's name is only how some record spelled it, so it is kept as an
        # alternative name instead: the registry never said it was ever the official name.
        old_current = next(n["name"] for n in stored["names"] if n["type"] == "current")
        names = list(new["names"])
        if old_current != draft.subject.name and all(n["name"] != old_current for n in names):
            kept = "alternative" if stored["provisional"] else "former"
            names.append({"name": old_current, "type": kept})
        amended = {**new, "names": names}
        if _same(stored, amended):
            return "duplicate"
        where = f"{origin['file']} row {origin['row']}"
        changes.append(
            Change("subject.amended", {**amended, "reason": f"registry update ({where})"})
        )
        self.pending_subjects[draft.subject.key] = amended
        return "corrected"

    def _ensure_subject(self, draft: Draft, changes: list[Change]) -> None:
        ref = draft.subject
        if self._stored_subject(ref.key) is not None:
            return
        # A valid code the registry has not seen yet: create the subject, marked provisional for
        # organisations until the registry file confirms it. Persons have no registry to wait for.
        payload = {
            "subject_key": ref.key,
            "subject_kind": ref.kind,
            "code": ref.code,
            "names": [{"name": ref.name, "type": "current"}],
            "status": "active" if ref.kind == "organisation" else "unknown",
            "provisional": ref.kind == "organisation",
        }
        changes.append(Change("subject.registered", payload))
        self.pending_subjects[ref.key] = payload

    def _plan_record(self, draft: Draft, origin: dict[str, Any], changes: list[Change]) -> str:
        doc_no = draft.payload["doc_no"]
        content = {**draft.payload, "source": self.source}
        stored = self.pending_records.get(doc_no) or self._stored_record(doc_no)
        if stored is not None and _same(stored, content):
            return "duplicate"
        self._ensure_subject(draft, changes)
        payload = {**content, "origin": origin}
        if stored is None:
            changes.append(Change("record.added", payload))
            self.pending_records[doc_no] = content
            return "accepted"
        where = f"{origin['file']} row {origin['row']}"
        changes.append(
            Change("record.corrected", {**payload, "reason": f"resubmitted with changes ({where})"})
        )
        self.pending_records[doc_no] = content
        return "corrected"

    def _stored_record(self, doc_no: str) -> dict[str, Any] | None:
        row = self.conn.execute(
            _RECORD, {"source": self.source, "kind": self.kind, "doc_no": doc_no}
        ).first()
        if row is None:
            return None
        return {
            "source": row.source,
            "record_kind": row.kind,
            "doc_no": row.doc_no,
            "subject_key": row.subject_key,
            "party_name": row.party_name,
            "decision_date": row.decision_date.isoformat(),
            "in_force_from": row.in_force_from.isoformat(),
            "in_force_to": row.in_force_to.isoformat() if row.in_force_to else None,
            "authority": row.authority,
            "legal_basis": row.legal_basis,
            "fields": parse_json(row.fields),
        }


def _same(stored: dict[str, Any], new: dict[str, Any]) -> bool:
    """Equal in every stated field; a None in the draft and a missing key are the same thing."""
    keys = set(stored) | set(new)
    ignore = {"origin", "reason", "severity"}
    return all(stored.get(k) == new.get(k) for k in keys - ignore)
