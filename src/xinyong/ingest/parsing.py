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
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult, Pool
from typing import Any, cast

from xinyong.catalogue import Catalogue
from xinyong.codes import IdHasher
from xinyong.ingest.mapping import header_key, load_mapping
from xinyong.ingest.readers import SheetRow
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
    if ctx.origin is not None and ctx.kind != "registry":
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


_worker: ParseContext | None = None


def _init_worker(ctx: ParseContext) -> None:
    global _worker
    _worker = ctx


def _parse_in_worker(rows: list[SheetRow]) -> list[Parsed]:
    assert _worker is not None
    return parse_rows(_worker, rows)


def default_workers() -> int:
    """`XINYONG_INGEST_WORKERS`, else one fewer than the cores (the main process writes)."""
    configured = os.environ.get("XINYONG_INGEST_WORKERS")
    if configured is not None:
        return max(0, int(configured))
    return max(1, (os.cpu_count() or 2) - 1)


def parse_chunks(
    ctx: ParseContext, chunks: Iterable[list[SheetRow]], workers: int
) -> Iterator[tuple[list[SheetRow], list[Parsed]]]:
    """Each chunk with its parse results, in order. `workers == 0` parses in this process."""
    if workers <= 0:
        for chunk in chunks:
            yield chunk, parse_rows(ctx, chunk)
        return
    # fork: workers start in milliseconds and inherit the loaded code; they never touch the
    # database connections they inherit and leave with os._exit, so those stay intact.
    pool: Pool = mp.get_context("fork").Pool(workers, _init_worker, (ctx,))
    window: deque[tuple[list[SheetRow], AsyncResult[list[Parsed]]]] = deque()
    try:
        for chunk in chunks:
            window.append((chunk, pool.apply_async(_parse_in_worker, (chunk,))))
            if len(window) > 2 * workers:
                done, result = window.popleft()
                yield done, result.get()
        while window:
            done, result = window.popleft()
            yield done, result.get()
    finally:
        pool.terminate()
        pool.join()
