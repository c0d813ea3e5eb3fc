"""Ingest benchmark: rows/s and peak memory, SQLite and PostgreSQL, against a bare baseline.

Each ingest runs in a child process so that its peak RSS is its own. The baseline, in the same
run, is a bare `executemany` of the same CSV rows into one SQLite table: no validation, journal or
projections — the distance between the two is the overhead the pipeline adds.

    python bench/ingest.py --subjects 20000 --subjects 200000
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
        with (folder / f["path"]).open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            table = f"t_{f['kind']}_{f['source']}"
            cols = ", ".join(f"c{i}" for i in range(len(header)))
            conn.execute(f"CREATE TABLE {table} ({cols})")
            marks = ", ".join("?" for _ in header)
            batch = []
            for row in reader:
                batch.append(row)
                if len(batch) == 5000:
                    conn.executemany(f"INSERT INTO {table} VALUES ({marks})", batch)  # noqa: S608
                    rows += len(batch)
                    batch = []
            conn.executemany(f"INSERT INTO {table} VALUES ({marks})", batch)  # noqa: S608
            rows += len(batch)
            conn.commit()
    elapsed = time.perf_counter() - started
    conn.close()
    return rows / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, action="append")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--child", nargs=2, metavar=("URL", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    sizes = args.subjects or [20000]
    backends = args.backend or ["sqlite", "postgresql"]
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
