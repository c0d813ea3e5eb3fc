"""Ingest benchmark: rows/s and peak memory, SQLite and PostgreSQL, against a bare baseline.

Two workloads:
- `--subjects N`: a whole synthetic data set (registry, licences, penalties; CSV and XLSX);
- `--penalty-rows N`: one agency's penalty file of N rows, as CSV and as XLSX.

Each ingest runs in a child process so that its peak RSS is its own. The baseline, in the same
run, is a bare `executemany` of the same CSV rows into one SQLite table: no validation, journal or
projections — the distance between the two is the overhead the pipeline adds.

    python bench/ingest.py --subjects 20000 --subjects 200000
    python bench/ingest.py --penalty-rows 1000000
    python bench/ingest.py --penalty-rows 100000 --backend sqlite --format csv

Data and scratch databases go to bench/out, or to XINYONG_BENCH_OUT when set (so that several
checkouts can share one generated file).
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from common import OUT, database, manifest, synth_folder


def child_file(url: str, file: Path) -> None:
    """Ingest one penalty file; print rate and peak RSS as JSON."""
    from xinyong.codes import IdHasher
    from xinyong.ingest import ingest_files
    from xinyong.store import make_engine

    engine = make_engine(url)
    hasher = IdHasher(b"bench-key-bench-key-bench-key-bench-key")
    started = time.perf_counter()
    s = ingest_files(engine, [file], source="samr", actor="bench", hasher=hasher, kind="penalty")
    elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Parse workers read the file themselves (an XLSX sheet is loaded whole there): their peak
    # counts too. RUSAGE_CHILDREN gives the largest of the finished workers.
    worker_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # CPU time per row, writer and parse workers apart: on two cores their sum bounds the rate
    # (two cores give 2 s of CPU a second), whatever the overlap between them.
    own, workers = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    print(
        json.dumps(
            {
                "rows": s.rows,
                "seconds": elapsed,
                "writer_cpu_us_per_row": (own.ru_utime + own.ru_stime) * 1e6 / max(1, s.rows),
                "worker_cpu_us_per_row": (workers.ru_utime + workers.ru_stime)
                * 1e6
                / max(1, s.rows),
                "rows_per_s": s.rows / elapsed,
                "peak_rss_mib": peak_kib / 1024,
                "worker_peak_rss_mib": worker_kib / 1024,
                "accepted": s.accepted,
                "quarantined": s.quarantined,
                "by_format": {},
            }
        )
    )


def _load_csv(conn: sqlite3.Connection, path: Path, table: str) -> int:
    """The floor: a CSV's rows into one plain table with executemany, 5,000 at a time."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        conn.execute(f"CREATE TABLE {table} ({', '.join(f'c{i}' for i in range(len(header)))})")
        insert = f"INSERT INTO {table} VALUES ({', '.join('?' for _ in header)})"  # noqa: S608
        rows = 0
        batch: list[list[str]] = []
        for row in reader:
            batch.append(row)
            if len(batch) == 5000:
                conn.executemany(insert, batch)
                rows += len(batch)
                batch = []
        conn.executemany(insert, batch)
        return rows + len(batch)


def baseline_file(file: Path) -> float:
    """Bare executemany of the file's CSV rows into one SQLite table."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "baseline-file.db"
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    rows = _load_csv(conn, file, "t")
    conn.commit()
    elapsed = time.perf_counter() - started
    conn.close()
    return rows / elapsed


def penalty_file_run(count: int, backends: list[str], formats: list[str]) -> None:
    from bigfile import write_csv, write_xlsx

    OUT.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    csv_file = write_csv(OUT / f"penalties-{count}.csv", count)
    files = [csv_file] if "csv" in formats else []
    if "xlsx" in formats:
        files.append(write_xlsx(OUT / f"penalties-{count}.xlsx", count))
    sizes = ", ".join(f"{f.suffix[1:].upper()} {f.stat().st_size / 2**20:.0f} MiB" for f in files)
    print(
        f"\n## one agency's penalty file, {count:,} rows "
        f"({sizes}; ready in {time.perf_counter() - t0:.0f} s)"
    )
    base = baseline_file(csv_file)
    print(f"baseline   bare executemany of the CSV rows into SQLite: {base:,.0f} rows/s")
    for backend in backends:
        for file in files:
            with database(backend, f"file_{count}_{file.suffix[1:]}") as url:
                out = subprocess.run(
                    [sys.executable, __file__, "--child-file", url, str(file)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                r = json.loads(out.strip().splitlines()[-1])
                print(
                    f"{backend:<10} {file.suffix[1:]:<4} {r['rows']:,} rows in "
                    f"{r['seconds']:.1f} s = {r['rows_per_s']:,.0f} rows/s "
                    f"({r['rows_per_s'] / base:.1%} of baseline), peak RSS "
                    f"{r['peak_rss_mib']:.0f} MiB (parse worker "
                    f"{r['worker_peak_rss_mib']:.0f} MiB); accepted {r['accepted']:,}, "
                    f"quarantined {r['quarantined']:,}"
                )
                cpu = r["writer_cpu_us_per_row"] + r["worker_cpu_us_per_row"]
                print(
                    f"{'':<10} CPU per row: writer {r['writer_cpu_us_per_row']:.0f} µs + parse "
                    f"workers {r['worker_cpu_us_per_row']:.0f} µs = {cpu:.0f} µs; two cores "
                    f"allow at most {2e6 / cpu:,.0f} rows/s at this cost"
                )
                if backend == "sqlite" and file.suffix == ".csv":
                    # The same output stored again, alone: the most this schema allows here.
                    from storage_floor import describe, floor
                    from xinyong.ingest.pipeline import CHUNK_ROWS

                    db = Path(url.removeprefix("sqlite:///"))
                    f = floor(db, r["rows"], CHUNK_ROWS)
                    print(
                        f"{'':<10} storage floor (its output re-inserted alone, chunks of "
                        f"{CHUNK_ROWS:,}): {describe(f)}; the pipeline ran at "
                        f"{r['rows_per_s'] / f['rows_per_s']:.0%} of it"
                    )


def child(url: str, folder: Path) -> None:
    """Ingest every file of a synthetic set (registry first); print rate and peak RSS as JSON."""
    from xinyong.codes import IdHasher
    from xinyong.ingest import ingest_files
    from xinyong.store import make_engine

    engine = make_engine(url)
    hasher = IdHasher(b"bench-key-bench-key-bench-key-bench-key")
    files = sorted(manifest(folder)["files"], key=lambda f: f["kind"] != "registry")  # type: ignore[arg-type,index]
    rows = 0
    started = time.perf_counter()
    per_kind: dict[str, list[float]] = {}
    for f in files:
        t0 = time.perf_counter()
        s = ingest_files(
            engine,
            [folder / f["path"]],
            source=f["source"],
            actor="bench",
            hasher=hasher,
            kind=f["kind"],
        )
        rows += s.rows
        spent = time.perf_counter() - t0
        stat = per_kind.setdefault(f"{f['kind']}.{f['format']}", [0.0, 0.0])
        stat[0] += s.rows
        stat[1] += spent
    elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": elapsed,
                "rows_per_s": rows / elapsed,
                "peak_rss_mib": peak_kib / 1024,
                "by_format": {k: v[0] / v[1] for k, v in per_kind.items() if v[1] > 0},
            }
        )
    )


def baseline(folder: Path) -> float:
    """Bare executemany of every CSV record row into SQLite: the floor for any ingest."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "baseline.db"
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    rows = 0
    started = time.perf_counter()
    for f in manifest(folder)["files"]:  # type: ignore[attr-defined]
        if f["format"] != "csv":
            continue
        rows += _load_csv(conn, folder / f["path"], f"t_{f['kind']}_{f['source']}")
        conn.commit()
    elapsed = time.perf_counter() - started
    conn.close()
    return rows / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, action="append")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--penalty-rows", type=int, action="append")
    parser.add_argument(
        "--format",
        action="append",
        choices=["csv", "xlsx"],
        help="penalty file formats to ingest (default: both)",
    )
    parser.add_argument("--child", nargs=2, metavar=("URL", "FOLDER"), help=argparse.SUPPRESS)
    parser.add_argument("--child-file", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    if args.child_file:
        child_file(args.child_file[0], Path(args.child_file[1]))
        return
    backends = args.backend or ["sqlite", "postgresql"]
    for count in args.penalty_rows or []:
        penalty_file_run(count, backends, args.format or ["csv", "xlsx"])
    sizes = args.subjects or ([] if args.penalty_rows else [20000])
    for size in sizes:
        t0 = time.perf_counter()
        folder = synth_folder(size)
        m = manifest(folder)
        total = sum(int(f["rows"]) for f in m["files"])  # type: ignore[attr-defined]
        print(
            f"\n## {size:,} subjects: {total:,} rows in {len(m['files'])} files "  # type: ignore[arg-type]
            f"(generated in {time.perf_counter() - t0:.1f} s)"
        )
        base = baseline(folder)
        print(f"baseline  bare executemany into SQLite (CSV rows only): {base:,.0f} rows/s")
        for backend in backends:
            with database(backend, f"ingest_{size}") as url:
                out = subprocess.run(
                    [sys.executable, __file__, "--child", url, str(folder)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                r = json.loads(out.strip().splitlines()[-1])
                formats = ", ".join(f"{k} {v:,.0f}/s" for k, v in sorted(r["by_format"].items()))
                print(
                    f"{backend:<10} {r['rows']:,} rows in {r['seconds']:.1f} s = "
                    f"{r['rows_per_s']:,.0f} rows/s ({r['rows_per_s'] / base:.1%} of baseline), "
                    f"peak RSS {r['peak_rss_mib']:.0f} MiB; {formats}"
                )


if __name__ == "__main__":
    main()
