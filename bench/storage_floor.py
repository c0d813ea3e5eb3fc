"""The storage floor: what storing an ingest's output alone costs SQLite.

An ingest writes far more than the file it reads: the journal entry and the `records` row (each
about 1 KB for a penalty), the transparency log's envelope and tree nodes, and for every new
subject its row, its names (with the FTS5 trigram index behind them) and its name bigrams. This
script takes a database an ingest produced, makes an empty one with the same schema, and inserts
the very same rows again, table by table, in as many transactions as the ingest committed, with
the registry's own connection settings. Only the inserts and commits are timed (reading the
source rows is not). The rate it reports is the most any pipeline with this schema could reach on
this machine; the pipeline's own rate divided by it is the share of time spent outside storage.

    python bench/storage_floor.py bench/out/file_100000_csv.db --rows 100000 --chunk 5000
    python bench/storage_floor.py bench/out/file_1000000_csv.db --rows 1000000 --variants

`--variants` stores the same rows in ways the schema could store less or differently, one after
another: without the copy of a record's fields in `records.fields` (they are in the journal), that
and the journal payloads zlib-compressed, chunks of 20,000 rows, 8 KiB pages. Each is what the
floor would be with that change, before any code is written for it.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Rows = list[Any]
Transform = Callable[[str, Sequence[str], Rows], Rows]

# Tables the ingest fills, in the order the apply path writes them within a chunk.
TABLES = (
    "subjects",
    "subject_names",
    "core_grams",
    "records",
    "journal",
    "ledger_entries",
    "ledger_nodes",
)


def copy_schema(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    rows = source.execute(
        "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY rowid"
    ).fetchall()
    shadow = {name for _, name, _ in rows if name.startswith("subject_names_fts_")}
    for kind, name, sql in rows:
        if kind == "table" and name not in shadow and not name.startswith("sqlite_"):
            target.execute(sql)
    for kind, _, sql in rows:
        if kind in ("index", "trigger"):
            target.execute(sql)


def floor(
    db: Path,
    rows: int,
    chunk: int,
    checkpoint_pages: int = 32768,
    transform: Transform | None = None,
    page_size: int | None = None,
) -> dict[str, float]:
    """Re-insert `db`'s ingest tables into a fresh database in ceil(rows / chunk) transactions;
    returns rows/s and seconds per table and for commits. `transform` may change each batch of a
    table's rows before it is stored (a variant of what the schema keeps)."""
    target_path = db.with_name(db.stem + "-floor.db")
    for suffix in ("", "-wal", "-shm"):
        Path(str(target_path) + suffix).unlink(missing_ok=True)
    source = sqlite3.connect(db)
    target = sqlite3.connect(target_path, isolation_level=None)
    if page_size:
        target.execute(f"PRAGMA page_size={page_size}")
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "cache_size=-65536",
        f"wal_autocheckpoint={checkpoint_pages}",
    ):
        target.execute("PRAGMA " + pragma)
    copy_schema(source, target)
    parts = max(1, -(-rows // chunk))
    # One cursor per table, read in storage order; each transaction takes its share of each.
    cursors = {}
    for table in TABLES:
        count = source.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
        cols = [r[1] for r in source.execute(f"PRAGMA table_info({table})")]
        names = ", ".join(cols)
        cursor = source.cursor()
        cursor.execute(f"SELECT {names} FROM {table}")  # noqa: S608
        insert = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in cols)})"  # noqa: S608
        cursors[table] = (count, cursor, insert, cols)
    seconds = dict.fromkeys(TABLES, 0.0)
    seconds["commit"] = 0.0
    for part in range(parts):
        target.execute("BEGIN")
        for table in TABLES:
            count, cursor, insert, cols = cursors[table]
            share = count * (part + 1) // parts - count * part // parts
            batch = cursor.fetchmany(share)
            if transform:
                batch = transform(table, cols, batch)
            began = time.perf_counter()
            target.executemany(insert, batch)
            seconds[table] += time.perf_counter() - began
        began = time.perf_counter()
        target.execute("COMMIT")
        seconds["commit"] += time.perf_counter() - began
    total = sum(seconds.values())
    target.close()
    source.close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(target_path) + suffix).unlink(missing_ok=True)
    return {"rows_per_s": rows / total, "seconds": total, **seconds}


def _without_fields(table: str, cols: Sequence[str], batch: Rows) -> Rows:
    if table != "records":
        return batch
    at = list(cols).index("fields")
    return [(*r[:at], "", *r[at + 1 :]) for r in batch]


def _compressed_journal(table: str, cols: Sequence[str], batch: Rows) -> Rows:
    if table != "journal":
        return batch
    at = list(cols).index("payload")
    return [(*r[:at], zlib.compress(r[at].encode(), 1), *r[at + 1 :]) for r in batch]


def _both(table: str, cols: Sequence[str], batch: Rows) -> Rows:
    return _compressed_journal(table, cols, _without_fields(table, cols, batch))


def variants(db: Path, rows: int, chunk: int) -> None:
    """The floor as stored, then with each change the schema could make (module docstring)."""
    runs: list[tuple[str, dict[str, Any]]] = [
        ("as stored", {}),
        ("records.fields empty", {"transform": _without_fields}),
        ("that + journal zlib-compressed", {"transform": _both}),
        ("chunks of 20,000", {"chunk": 20_000}),
        ("8 KiB pages", {"page_size": 8192}),
    ]
    base = None
    for label, options in runs:
        result = floor(db, rows, options.pop("chunk", chunk), **options)
        base = base or result["rows_per_s"]
        print(f"{label:<32} {describe(result)}; {result['rows_per_s'] / base:.2f}× as stored")


def describe(result: dict[str, float]) -> str:
    parts = ", ".join(
        f"{name} {result[name]:.1f}" for name in (*TABLES, "commit") if name in result
    )
    return (
        f"{result['rows_per_s']:,.0f} rows/s ({result['seconds']:.1f} s storing; seconds by "
        f"table: {parts})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db", type=Path)
    parser.add_argument("--rows", type=int, required=True, help="data rows the ingest read")
    parser.add_argument("--chunk", type=int, action="append", help="rows per transaction")
    parser.add_argument("--variants", action="store_true", help="also ways to store less")
    args = parser.parse_args()
    if args.variants:
        variants(args.db, args.rows, (args.chunk or [5000])[0])
        return
    for chunk in args.chunk or [5000]:
        print(f"chunks of {chunk:,}: {describe(floor(args.db, args.rows, chunk))}")


if __name__ == "__main__":
    main()
