"""Parsing chunks of rows, in worker processes when the file is large enough to repay them.

Parsing and validating a row (identifier checks, dates, name normalisation, HMAC of resident IDs)
costs several times what storing it does, and it needs nothing from the database, so it is the
part that scales across cores: workers parse chunks while the main process resolves and writes the
chunk before. At most a few chunks are in flight, so memory stays flat whatever the file size.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import pickle
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, cast

from xinyong.catalogue import Catalogue
from xinyong.codes import IdHasher
from xinyong.ingest.annual_rows import parse_annual_report_row
from xinyong.ingest.export import unescape_formula
from xinyong.ingest.listing_rows import parse_listing_row
from xinyong.ingest.mapping import header_key, load_mapping
from xinyong.ingest.quarantine import QUARANTINE_ID
from xinyong.ingest.readers import SheetRow, SheetTable
from xinyong.ingest.rows import Draft, parse_record_row, parse_registry_row
from xinyong.store.changes import ChangeRejected, RecordAdded, parse_payload
from xinyong.store.journal import canonical_json
from xinyong.store.projections.records import prepared_row

Parsed = Draft | list[str]


@dataclass(frozen=True)
class ParseContext:
    kind: str
    headers: dict[str, str]  # header as written -> canonical field
    hasher: IdHasher
    today: dt.date
    catalogue: Catalogue | None = None  # record kinds: severity rules and publicity windows
    legacy: frozenset[str] = frozenset()  # failing USCCs an officer accepted as issued
    source: str = ""  # the sending agency, for changes validated here
    origin: dict[str, Any] | None = None  # batch_id, file, sheet (the row is added per row)


def parse_rows(ctx: ParseContext, rows: list[SheetRow]) -> list[Parsed]:
    out: list[Parsed] = []
    by_header = load_mapping(ctx.kind).by_header
    resolved: dict[str, str | None] = dict(ctx.headers)
    for row in rows:
        if row.problem is not None:
            out.append([row.problem])
            continue
        cells: dict[str, str] = {}
        for header, value in row.cells.items():
            # JSON Lines objects may name fields the first lines did not; map those too.
            if header not in resolved:
                resolved[header] = by_header.get(header_key(header))
            name = resolved[header]
            if name is not None and name not in cells:
                cells[name] = value
        if ctx.kind == "registry":
            out.append(parse_registry_row(cells, ctx.headers, ctx.legacy))
        elif ctx.kind == "annual_report":
            out.append(
                parse_annual_report_row(cells, ctx.headers, ctx.hasher, ctx.today, ctx.legacy)
            )
        elif ctx.kind == "listing":
            out.append(
                parse_listing_row(
                    cells, ctx.headers, ctx.hasher, ctx.today, ctx.catalogue, ctx.legacy
                )
            )
        else:
            out.append(
                parse_record_row(
                    ctx.kind,
                    cells,
                    ctx.headers,
                    ctx.hasher,
                    ctx.today,
                    ctx.catalogue,
                    ctx.legacy,
                )
            )
    if ctx.origin is not None and ctx.kind not in ("registry", "listing"):
        for row, draft in zip(rows, out, strict=True):
            if isinstance(draft, Draft) and draft.subject.resolved:
                prevalidate(ctx, row, draft)
    return out


def prevalidate(ctx: ParseContext, row: SheetRow, draft: Draft) -> None:
    """Validate the record.added change this row will most likely become, and make its journal
    form and projection row, here in the worker: the writer uses them unchanged when the row is
    new, without validating the payload again. A row that fails keeps no change and is
    validated (and refused) again in the writer, with reasons."""
    assert ctx.origin is not None
    payload = {**draft.payload, "source": ctx.source, "origin": {**ctx.origin, "row": row.row}}
    try:
        typed = parse_payload("record.added", payload)
    except ChangeRejected:
        return
    draft.journal_json = canonical_json(typed.journal_payload())
    draft.prepared = prepared_row(cast(RecordAdded, typed))
    draft.validated = {"source": payload["source"], "origin": payload["origin"]}


def default_workers() -> int:
    """`XINYONG_INGEST_WORKERS`, else one fewer than the cores (the main process writes)."""
    configured = os.environ.get("XINYONG_INGEST_WORKERS")
    if configured is not None:
        return max(0, int(configured))
    return max(1, (os.cpu_count() or 2) - 1)


def parse_chunks(
    ctx: ParseContext, chunks: Iterable[list[SheetRow]]
) -> Iterator[tuple[list[SheetRow], list[Parsed]]]:
    """Each chunk with its parse results, in order, parsed in this process."""
    for chunk in chunks:
        yield chunk, parse_rows(ctx, chunk)


class LazyRow:
    """A row as the writer receives it from a parse worker when the worker validated its change:
    the cell texts in header order, made into the header -> text mapping only if the writer
    asks (it needs them only for a row it quarantines after all)."""

    __slots__ = ("_cells", "_headers", "_values", "row")
    problem = None

    def __init__(self, row: int, values: list[str], headers: list[str]) -> None:
        self.row = row
        self._values = values
        self._headers = headers
        self._cells: dict[str, str] | None = None

    @property
    def cells(self) -> dict[str, str]:
        if self._cells is None:
            self._cells = dict(zip(self._headers, self._values, strict=True))
        return self._cells


Row = SheetRow | LazyRow


@dataclass
class ParsedChunk:
    """Rows of one transaction with their parse results, and the empty rows passed over before
    them: counted when the chunk commits, so a resumed run never counts them twice."""

    rows: list[Row]
    parsed: list[Parsed]
    empties: int = 0


class Chunk(list[SheetRow]):
    """Non-empty rows of one transaction, and the empty rows passed over before them."""

    empties: int = 0


def read_chunks(table: SheetTable, done: int, size: int) -> Iterator[Chunk]:
    """Non-empty rows in chunks of `size`, after row `done` (committed by an interrupted run).
    Trailing empty rows come as a last, empty chunk."""
    chunk = Chunk()
    for row in table.rows():
        if row.row <= done:
            continue
        if row.cells.get(QUARANTINE_ID):  # a row back from an export: undo its CSV escaping
            row = SheetRow(
                row.row, {k: unescape_formula(v) for k, v in row.cells.items()}, row.problem
            )
        if not any(row.cells.values()):
            chunk.empties += 1
            continue
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = Chunk()
    yield chunk


def parse_table(
    ctx: ParseContext, table: SheetTable, done: int, size: int, workers: int
) -> Iterator[ParsedChunk]:
    """A table's chunks with their parse results, in order; the last one may hold no rows
    (only trailing empty rows). With `workers`, each worker process reads the file itself and
    parses every workers-th chunk, so rows never travel to a worker and back: only parse
    results come back, and a row's cells only where the writer may need them."""
    if workers <= 0:
        for chunk in read_chunks(table, done, size):
            yield ParsedChunk(list(chunk), parse_rows(ctx, chunk), chunk.empties)
        return
    ctx_fork = mp.get_context("fork")
    pipes = []
    procs = []
    try:
        for index in range(workers):
            receive, send = ctx_fork.Pipe(duplex=False)
            # fork: workers start in milliseconds and inherit the loaded code and the context;
            # they never touch the database connections they inherit.
            proc = ctx_fork.Process(
                target=_worker_main,
                args=(ctx, table, done, size, index, workers, send),
                daemon=True,
            )
            proc.start()
            send.close()
            pipes.append(receive)
            procs.append(proc)
        number = 0
        while True:
            message = _receive(pipes[number % workers])
            if message[0] == "end":
                if message[1] is not None:
                    yield ParsedChunk([], [], message[1])
                return
            _, empties, rows, parsed = message
            yield ParsedChunk(_rows(rows, table.headers), parsed, empties)
            number += 1
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
            proc.join()
        for pipe in pipes:
            pipe.close()


def _receive(pipe: Connection) -> tuple[Any, ...]:
    try:
        # From a process this one forked, over a pipe only the two of them hold.
        message: tuple[Any, ...] = pickle.loads(pipe.recv_bytes())  # noqa: S301
    except EOFError:
        raise RuntimeError("an ingest parse worker ended without an answer") from None
    if message[0] == "error":
        raise message[1]
    return message


def _rows(rows: list[Any], headers: list[str]) -> list[Row]:
    return [LazyRow(r[0], r[1], headers) if isinstance(r, tuple) else r for r in rows]


def _worker_main(
    ctx: ParseContext,
    table: SheetTable,
    done: int,
    size: int,
    index: int,
    workers: int,
    pipe: Connection,
) -> None:
    """Read the whole table, parse this worker's share of its chunks, send the results in order;
    a sender thread keeps parsing going while the writer is busy."""
    outbox: queue.Queue[bytes | None] = queue.Queue(maxsize=2)

    def send() -> None:
        while (data := outbox.get()) is not None:
            pipe.send_bytes(data)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        trailing = None  # the empty rows after the last chunk, when that chunk was full
        for number, chunk in enumerate(read_chunks(table, done, size)):
            if not chunk:
                trailing = chunk.empties
                break
            if number % workers != index:
                continue
            parsed = parse_rows(ctx, chunk)
            rows = [
                _slim(row, draft, table.headers) for row, draft in zip(chunk, parsed, strict=True)
            ]
            message = ("chunk", chunk.empties, rows, parsed)
            outbox.put(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))
        outbox.put(pickle.dumps(("end", trailing), pickle.HIGHEST_PROTOCOL))
    except BaseException as exc:  # the writer raises it: nothing is lost silently
        try:
            data = pickle.dumps(("error", exc), pickle.HIGHEST_PROTOCOL)
        except Exception:
            data = pickle.dumps(("error", RuntimeError(repr(exc))), pickle.HIGHEST_PROTOCOL)
        outbox.put(data)
    outbox.put(None)
    sender.join()
    pipe.close()


def _slim(row: SheetRow, draft: Parsed, headers: list[str]) -> SheetRow | tuple[int, list[str]]:
    """A row whose change the worker validated goes back as its cell texts alone (the writer
    makes them a mapping again only if it must quarantine the row after all)."""
    if (
        isinstance(draft, Draft)
        and draft.prepared is not None
        and row.problem is None
        and not row.cells.get(QUARANTINE_ID)
        and list(row.cells) == headers
    ):
        return (row.row, list(row.cells.values()))
    return row
