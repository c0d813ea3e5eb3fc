"""Ingest: files in, rows validated, subjects resolved, changes applied, rejects quarantined.

Rows are read in chunks; chunks are parsed (in worker processes for large files) while the main
process resolves and writes the chunk before. Each chunk is one transaction holding its applied
changes and its quarantine entries, so an ingest killed at any point leaves whole chunks; running
it again finds the committed rows already there (the natural key makes them duplicates, the
quarantine fingerprint keeps rejects from being filed twice) and ends where an uninterrupted run
would have.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, text, update

from xinyong.catalogue import Catalogue, load_catalogue
from xinyong.codes import IdHasher
from xinyong.ingest import quarantine as q
from xinyong.ingest import xlsx_stream
from xinyong.ingest.annual_rows import KIND as ANNUAL_KIND
from xinyong.ingest.annual_rows import SOURCE as ANNUAL_SOURCE
from xinyong.ingest.listing_plan import ListingPlanner
from xinyong.ingest.mapping import detect_kind, load_mapping
from xinyong.ingest.parsing import (
    LazyRow,
    ParseContext,
    Parsed,
    Row,
    default_workers,
    parse_chunks,
    parse_table,
)
from xinyong.ingest.readers import (
    SPREADSHEET_SUFFIXES,
    SheetRow,
    SheetTable,
    UnreadableFile,
    estimate_rows,
    read_tables,
)
from xinyong.ingest.resolve import NeedsReview, Resolver
from xinyong.ledger.service import sign_after_batch
from xinyong.store.apply import Change, apply_changes
from xinyong.store.changes import ChangeRejected
from xinyong.store.db import writing
from xinyong.store.journal import canonical_json, parse_json
from xinyong.store.projections.agencies import exists as agency_exists
from xinyong.store.projections.legacy import accepted as accepted_legacy_codes
from xinyong.store.projections.records import current_id
from xinyong.store.schema import ingest_batches, ingest_progress
from xinyong.timeutil import today_cst, utc_stamp

# Rows per transaction: a crash loses at most one chunk's work, which a rerun redoes. Each commit
# rewrites every index page the chunk touched, so larger chunks write less: storing the same rows
# ran at 11,200 rows/s in chunks of 1,000 and 15,200 in chunks of 5,000 (docs/benchmarks.md).
CHUNK_ROWS = int(os.environ.get("XINYONG_INGEST_CHUNK_ROWS", "5000"))
# Below this many bytes a worker pool costs more to start than it saves.
PARALLEL_MIN_BYTES = 2_000_000
AGENCY_CODE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
QUARANTINE_ID = q.QUARANTINE_ID

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
    closed: int = 0  # quarantine entries closed by rows that now pass
    resumed: bool = False  # this run carried on an interrupted batch of the same files

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def counts(self) -> dict[str, int]:
        return {
            k: v
            for k, v in self.as_dict().items()
            if isinstance(v, int) and not isinstance(v, bool)
        }


Progress = Callable[[int], None]


@dataclass(frozen=True)
class _Job:
    """Everything about one ingest that every chunk needs."""

    engine: Engine
    source: str
    actor: str
    hasher: IdHasher
    cipher: q.QuarantineCipher
    summary: IngestSummary
    progress: dict[str, int] = field(default_factory=dict)  # part -> last committed row


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
    workers: int | None = None,
    today: dt.date | None = None,
    catalogue: Catalogue | None = None,
    expect: Progress | None = None,
) -> IngestSummary:
    """Ingest files from one source agency; UnreadableFile when a file cannot be read at all
    (then nothing is written), ValueError for a malformed source code or unknown kind.
    `progress` is told of each committed chunk's rows; `expect`, once the files are open, of
    about how many rows they hold (for an ETA; rows already done by a resumed run included)."""
    if not AGENCY_CODE.fullmatch(source):
        raise ValueError(
            f"--source {source!r} is not an agency code: use lower-case letters, digits, "
            "'.', '_' or '-' (for example 'samr' or 'samr.330100')"
        )
    catalogue = catalogue or load_catalogue()
    tables = _open_all(paths, kind, encoding)  # fail before writing anything if any is unreadable
    for _, table_kind in tables:
        _check_kind(catalogue, table_kind)
        if table_kind == ANNUAL_KIND and source != ANNUAL_SOURCE:
            # One record per company and year, whoever passes it on: the reports are the
            # enterprises' own, published on NECIPS, which is also the portal's source.
            raise ValueError(
                f"annual reports are the enterprises' own, published on NECIPS: ingest them "
                f"with --source {ANNUAL_SOURCE} (not {source!r}), so that a report sent twice "
                "or also filed on the portal stays one record"
            )
    if expect:
        estimates = [estimate_rows(table) for table, _ in tables]
        if all(e is not None for e in estimates):
            expect(sum(e or 0 for e in estimates))
    digests = {str(p): file_digest(p) for p in paths}  # read each file's bytes once
    key = content_key(source, kind, list(digests.values()))
    job = _start(engine, source, actor, hasher, [str(p) for p in paths], key)
    summary = job.summary
    day = today or today_cst()
    with job.engine.connect() as conn:
        legacy = accepted_legacy_codes(conn)
    try:
        with _bulk_collection():
            for table, table_kind in tables:
                _ingest_table(
                    job, table, table_kind, digests, day, catalogue, legacy, workers, progress
                )
    finally:
        xlsx_stream.forget()  # the shared strings of a streamed workbook, kept for its sheets
    summary.files = len(paths)
    _finish(job)
    return summary


@contextmanager
def _bulk_collection() -> Iterator[None]:
    """Bulk ingest makes millions of short-lived objects, and at its default thresholds the
    cyclic garbage collector kept walking every long-lived one (SQLAlchemy, pydantic, the
    catalogue): a tenth of the writer's time. For the ingest, what exists is frozen out of its
    rounds and young objects are collected less often (workers forked meanwhile inherit both)."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _ingest_table(
    job: _Job,
    table: SheetTable,
    table_kind: str,
    digests: dict[str, str],
    day: dt.date,
    catalogue: Catalogue,
    legacy: frozenset[str],
    workers: int | None,
    progress: Progress | None,
) -> None:
    """One table of the ingest, chunk by chunk, parsed in worker processes when it is large."""
    summary, engine, hasher, source = job.summary, job.engine, job.hasher, job.source
    summary.kinds[table.file] = table_kind
    size = Path(table.file).stat().st_size
    count = (
        workers if workers is not None else (default_workers() if size >= PARALLEL_MIN_BYTES else 0)
    )
    if workers is None and Path(table.file).suffix.lower() in SPREADSHEET_SUFFIXES:
        # Every parse worker reads the file itself: calamine would hold the sheet once per
        # worker, and a streamed sheet would be parsed whole by each. One worker at most.
        count = min(count, 1)
    headers = load_mapping(table_kind).resolve(table.headers)
    origin = {"batch_id": summary.batch, "file": Path(table.file).name, "sheet": table.sheet}
    ctx = ParseContext(table_kind, headers, hasher, day, catalogue, legacy, source, origin)
    part = f"{digests[table.file]}|{table.sheet or ''}"
    done = job.progress.get(part, 0)
    chunks = parse_table(ctx, table, done, CHUNK_ROWS, count)
    for number, chunk in enumerate(chunks, start=1):
        summary.skipped_empty += chunk.empties  # committed with the chunk's own counts
        if not chunk.rows:  # empty rows after the last chunk
            continue
        _ingest_chunk(job, table, table_kind, chunk.rows, chunk.parsed, part)
        if progress:
            progress(len(chunk.rows))
        if number in _ANALYZE_AFTER or number % 50 == 0:
            _refresh_statistics(engine)


# PostgreSQL plans the chunk lookups from table statistics, which autovacuum only refreshes now
# and then: a registry that grows from empty inside one ingest would be scanned whole for every
# chunk (measured: 160 ms a lookup at 30,000 rows). So refresh them as the tables grow.
_ANALYZE_AFTER = {1, 3, 10, 25}


def _refresh_statistics(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        conn.execute(text("ANALYZE records, subjects, subject_names"))
        conn.commit()


def _check_kind(catalogue: Catalogue, kind: str) -> None:
    if kind not in ("registry", "listing") and kind not in catalogue.record_kinds:
        raise ValueError(f"the catalogue in {catalogue.folder} has no record kind {kind!r}")


def _start(
    engine: Engine,
    source: str,
    actor: str,
    hasher: IdHasher,
    files: list[str],
    content_key: str | None = None,
) -> _Job:
    """Open a batch (and register a first-time source agency, journaled). An interrupted batch
    with the same content key is resumed: its counts carry on and read rows are skipped."""
    cipher = q.QuarantineCipher(hasher)
    if content_key is not None:
        resumed = _resumable(engine, content_key)
        if resumed is not None:
            summary, progress = resumed
            return _Job(engine, source, actor, hasher, cipher, summary, progress)
    summary = IngestSummary(batch=uuid.uuid4().hex)
    with writing(engine) as conn:
        conn.execute(
            insert(ingest_batches).values(
                id=summary.batch,
                source=source,
                actor=actor,
                started_at=utc_stamp(),
                status="running",
                files=canonical_json(files),
                counts="{}",
                content_key=content_key,
            )
        )
        if not agency_exists(conn, source):
            register = Change("agency.registered", {"code": source, "name": source})
            apply_changes(conn, [register], actor=actor)
    return _Job(engine, source, actor, hasher, cipher, summary)


def _resumable(engine: Engine, content_key: str) -> tuple[IngestSummary, dict[str, int]] | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(ingest_batches)
            .where(
                ingest_batches.c.content_key == content_key, ingest_batches.c.status == "running"
            )
            .order_by(ingest_batches.c.started_at.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        progress = {
            r.part: r.last_row
            for r in conn.execute(
                select(ingest_progress).where(ingest_progress.c.batch_id == row.id)
            )
        }
    summary = IngestSummary(batch=row.id)
    for name, value in parse_json(row.counts).items():
        if hasattr(summary, name) and isinstance(value, int):
            setattr(summary, name, value)
    summary.resumed = True
    return summary, progress


def content_key(source: str, kind: str | None, file_digests: Sequence[str]) -> str:
    """What a batch read: the source, the kind asked for, and every file's bytes."""
    digest = hashlib.sha256(f"{source}\0{kind or ''}".encode())
    for file_digest_hex in file_digests:
        digest.update(b"\0" + file_digest_hex.encode())
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _finish(job: _Job) -> None:
    with writing(job.engine) as conn:
        conn.execute(
            update(ingest_batches)
            .where(ingest_batches.c.id == job.summary.batch)
            .values(
                finished_at=utc_stamp(),
                status="finished",
                counts=canonical_json(job.summary.counts()),
            )
        )
    sign_after_batch(job.engine)  # a signed tree head covering the batch (docs/ledger.md)


def reprocess(
    engine: Engine,
    entries: Sequence[q.Entry],
    *,
    actor: str,
    hasher: IdHasher,
    overrides: dict[str, str] | None = None,
    catalogue: Catalogue | None = None,
    today: dt.date | None = None,
) -> IngestSummary:
    """Run quarantined rows through the pipeline again (after a fix, a legacy code accepted, an
    officer's choice of subject). Rows that pass close their entry, linked to the record; rows
    that still fail update their entry's reasons. `overrides` sets canonical fields (such as
    `uscc`) on every row, as an officer's decision."""
    catalogue = catalogue or load_catalogue()
    by_group: dict[tuple[str, str | None, str, str | None], list[q.Entry]] = {}
    for entry in entries:
        if entry.kind is None:
            raise ValueError(f"quarantine entry {entry.id} has no kind; ingest its file again")
        _check_kind(catalogue, entry.kind)
        by_group.setdefault((entry.source, entry.kind, entry.file, entry.sheet), []).append(entry)
    summary = IngestSummary(batch="")
    day = today or today_cst()
    for (source, kind, file, sheet), group in by_group.items():
        assert kind is not None
        job = _start(engine, source, actor, hasher, [file])
        with engine.connect() as conn:
            legacy = accepted_legacy_codes(conn)
        mapping = load_mapping(kind)
        rows = []
        for entry in group:
            cells = dict(entry.data)
            for field_name, value in (overrides or {}).items():
                header = next(
                    (h for h in cells if mapping.resolve([h]).get(h) == field_name),
                    mapping.fields[field_name][0],
                )
                cells[header] = value
            cells[QUARANTINE_ID] = str(entry.id)
            rows.append(SheetRow(entry.row, cells))
        headers = mapping.resolve(sorted({h for r in rows for h in r.cells}))
        table = SheetTable(file, sheet, list(headers), 0)
        ctx = ParseContext(kind, headers, hasher, day, catalogue, legacy)
        for chunk, parsed in parse_chunks(ctx, [rows]):
            _ingest_chunk(job, table, kind, list(chunk), parsed)
        _finish(job)
        for counter, count in job.summary.counts().items():
            setattr(summary, counter, getattr(summary, counter) + count)
        summary.batch = job.summary.batch
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
                    "registry, licence, penalty, listing or annual_report"
                )
            out.append((table, table_kind))
    return out


def _ingest_chunk(
    job: _Job,
    table: SheetTable,
    kind: str,
    chunk: Sequence[Row],
    parsed: list[Parsed],
    part: str | None = None,
) -> None:
    """One chunk in one transaction, which also records how far the batch got (so a rerun after
    a crash resumes after it). If the apply path refuses a change the resolver let through (it
    should not, but nothing may be lost if it does), the chunk is redone row by row and the
    refused row is quarantined with the apply path's reasons."""
    before = replace(job.summary)
    try:
        with writing(job.engine) as conn:
            _process(conn, job, table, kind, chunk, parsed)
            _checkpoint(conn, job, part, chunk[-1].row)
        return
    except ChangeRejected:
        _restore(job.summary, before)
    for row, one in zip(chunk, parsed, strict=True):
        before = replace(job.summary)
        try:
            with writing(job.engine) as conn:
                _process(conn, job, table, kind, [row], [one])
                _checkpoint(conn, job, part, row.row)
        except ChangeRejected as exc:
            _restore(job.summary, before)
            job.summary.rows += 1
            job.summary.quarantined += 1
            with writing(job.engine) as conn:
                reject = q.Reject(kind, table.file, table.sheet, row.row, row.cells, exc.reasons)
                q.file_rejects(conn, job.summary.batch, job.source, [reject], job.cipher)
                _checkpoint(conn, job, part, row.row)


def _checkpoint(conn: Connection, job: _Job, part: str | None, last_row: int) -> None:
    """Progress and counts, in the chunk's own transaction: they commit or vanish with it."""
    conn.execute(
        update(ingest_batches)
        .where(ingest_batches.c.id == job.summary.batch)
        .values(counts=canonical_json(job.summary.counts()))
    )
    if part is None:
        return
    done = conn.execute(
        update(ingest_progress)
        .where(ingest_progress.c.batch_id == job.summary.batch, ingest_progress.c.part == part)
        .values(last_row=last_row)
    )
    if not done.rowcount:
        conn.execute(
            insert(ingest_progress).values(batch_id=job.summary.batch, part=part, last_row=last_row)
        )


def _restore(summary: IngestSummary, before: IngestSummary) -> None:
    for name, value in before.counts().items():
        setattr(summary, name, value)


def _process(
    conn: Connection,
    job: _Job,
    table: SheetTable,
    kind: str,
    chunk: Sequence[Row],
    parsed: list[Parsed],
) -> None:
    summary = job.summary
    resolver = (ListingPlanner if kind == "listing" else Resolver)(conn, job.source, kind)
    # Rows that pass may be rows quarantined earlier and sent again unchanged: remember them
    # only when this source has anything waiting (a cheap question, asked once per chunk).
    watch = q.has_waiting(conn, job.source, kind)
    passed: list[tuple[q.Reject, str | None]] = []
    resolver.prefetch([p for p in parsed if not isinstance(p, list)])
    changes: list[Change] = []
    rejects: list[q.Reject] = []
    # quarantine id, document number and row of the row that fixed it
    to_close: list[tuple[int, str | None, int]] = []
    file_name = Path(table.file).name
    for row, draft in zip(chunk, parsed, strict=True):
        summary.rows += 1
        if isinstance(draft, list):
            rejects.append(q.Reject(kind, table.file, table.sheet, row.row, row.cells, draft))
            continue
        origin = {
            "batch_id": summary.batch,
            "file": file_name,
            "sheet": table.sheet,
            "row": row.row,
        }
        try:
            outcome = resolver.plan(draft, origin, changes)
        except ChangeRejected as exc:  # a payload the apply path would refuse: keep the row
            rejects.append(q.Reject(kind, table.file, table.sheet, row.row, row.cells, exc.reasons))
            continue
        except NeedsReview as exc:  # several subjects could be meant: an officer chooses
            rejects.append(
                q.Reject(kind, table.file, table.sheet, row.row, row.cells, exc.reasons, "review")
            )
            continue
        counter = _COUNTER[outcome]
        setattr(summary, counter, getattr(summary, counter) + 1)
        fixed = _quarantine_id(row)
        if fixed is not None:
            to_close.append((fixed, draft.payload.get("doc_no"), row.row))
        elif watch:
            passed.append(
                (
                    q.Reject(kind, table.file, table.sheet, row.row, row.cells, []),
                    draft.payload.get("doc_no"),
                )
            )
    summary.quarantined += len(rejects)
    q.file_rejects(conn, summary.batch, job.source, rejects, job.cipher)
    # Subjects a chunk creates go first, so that records form long runs of one kind that the apply
    # path checks and stores in a few statements; a stable sort keeps every other order intact.
    changes.sort(key=lambda c: _APPLY_ORDER.get(c.kind, 3))
    apply_changes(conn, changes, actor=job.actor, entries=False)
    if passed:
        summary.closed += q.close_passed(
            conn,
            job.source,
            passed,
            lambda doc: current_id(conn, job.source, kind, doc),
        )
    for entry_id, doc_no, row_number in to_close:
        record_id = current_id(conn, job.source, kind, doc_no) if doc_no else None
        reason = f"fixed and resubmitted ({file_name} row {row_number})"
        if q.close(conn, entry_id, job.source, kind, record_id, reason):
            summary.closed += 1


_APPLY_ORDER = {"agency.registered": 0, "subject.registered": 1, "subject.amended": 2}
_COUNTER = {"accepted": "accepted", "corrected": "corrected", "duplicate": "duplicates"}


def _quarantine_id(row: Row) -> int | None:
    """The quarantine entry an exported, fixed row came from (the export's id column)."""
    if isinstance(row, LazyRow):  # workers send rows with an id column value whole
        return None
    raw = row.cells.get(QUARANTINE_ID, "").strip()
    return int(raw) if raw.isdigit() else None
