"""Transparency-log benchmark: append rate, the log's share of a bulk ingest, proof latency.

Three measurements, each on SQLite and PostgreSQL (a throwaway server, see bench/common.py):

- `--append N`: N leaves appended through `ledger.store.append_journal` (what `apply_changes`
  calls) in batches of `--batch` (default 1,000: the ingest's chunk), into a fresh database, with
  payloads the size of a penalty record's. Prints leaves/s.
- `--ingest N`: an N-row penalty CSV ingested with `ingest_files` (bench/ingest.py's workload), with
  the time spent inside `append_journal` counted by a wrapper; prints the log's share of the
  ingest's wall time. `--profile` runs it under cProfile instead and prints the cumulative share.
- `--proofs N`: a log of N leaves, then `--requests` random inclusion proofs (index < N, size N)
  and consistency proofs (random first size, second N), each a fresh read through the
  service functions the endpoints call; prints median and p99 latency.

    python bench/ledger.py --append 200000 --ingest 100000 --proofs 1000000
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import time
from pathlib import Path

from common import OUT, database

PAYLOAD = (
    '{"decision_date":"2024-03-01","doc_no":"杭市监罚〔2024〕%d号","fields":{"fine_wan":"2.5",'
    '"penalty_category":"罚款","penalty_content":"罚款人民币贰万伍仟元整，没收违法所得。",'
    '"violation_type":"未按规定公示年度报告"},"in_force_from":"2024-03-01",'
    '"in_force_to":"2027-03-01","origin":{"batch_id":"0f1e2d3c4b5a69788796a5b4c3d2e1f0",'
    '"file":"penalties.csv","row":%d},"party_name":"杭州锦泰网络科技有限公司",'
    '"record_kind":"penalty","severity":"general","source":"samr",'
    '"subject_key":"91330106MA5CJQ4N0X"}'
)


def _rows(first: int, count: int) -> list[tuple[int, str, str, str, str]]:
    return [
        (seq, "2026-11-27T00:00:00Z", "operator:bench", "record.added", PAYLOAD % (seq, seq))
        for seq in range(first, first + count)
    ]


def fill(url: str, leaves: int, batch: int) -> float:
    """Append `leaves` leaves in batches; returns seconds spent."""
    from xinyong.ledger.store import append_journal
    from xinyong.store import make_engine
    from xinyong.store.db import writing

    engine = make_engine(url)
    elapsed = 0.0
    try:
        done = 0
        while done < leaves:
            count = min(batch, leaves - done)
            rows = _rows(done + 1, count)
            started = time.perf_counter()
            with writing(engine) as conn:
                append_journal(conn, rows)
            elapsed += time.perf_counter() - started
            done += count
    finally:
        engine.dispose()
    return elapsed


def append_run(backend: str, leaves: int, batch: int) -> None:
    with database(backend, f"ledger_append_{leaves}") as url:
        seconds = fill(url, leaves, batch)
    print(
        f"append     {backend:<10} {leaves:,} leaves in batches of {batch:,}: {seconds:.1f} s = "
        f"{leaves / seconds:,.0f} leaves/s"
    )


def ingest_run(backend: str, rows: int, profile: bool) -> None:
    import xinyong.ledger.store as ledger_store
    from bigfile import write_csv
    from xinyong.codes import IdHasher
    from xinyong.ingest import ingest_files
    from xinyong.store import make_engine

    csv_file = write_csv(OUT / f"penalties-{rows}.csv", rows)
    spent = [0.0]
    original = ledger_store.append_journal

    def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    ledger_store.append_journal = timed  # type: ignore[assignment]
    with database(backend, f"ledger_ingest_{rows}") as url:
        engine = make_engine(url)
        hasher = IdHasher(b"bench-key-bench-key-bench-key-bench-key")
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        summary = ingest_files(
            engine, [csv_file], source="samr", actor="bench", hasher=hasher, kind="penalty"
        )
        if profiler:
            profiler.disable()
        total = time.perf_counter() - started
        engine.dispose()
    ledger_store.append_journal = original  # type: ignore[assignment]
    print(
        f"ingest     {backend:<10} {summary.rows:,} rows in {total:.1f} s = "
        f"{summary.rows / total:,.0f} rows/s; in the log: {spent[0]:.2f} s = "
        f"{spent[0] / total:.1%} of the ingest"
    )
    if profiler:
        stats = pstats.Stats(profiler)
        cumulative = {
            f"{func[0].rsplit('/', 1)[-1]}:{func[2]}": value[3]
            for func, value in stats.stats.items()  # type: ignore[attr-defined]
        }
        whole = max(cumulative.values())
        share = cumulative.get("store.py:append_journal", 0.0)
        print(
            f"profile    {backend:<10} append_journal cumulative {share:.2f} s of "
            f"{whole:.2f} s profiled = {share / whole:.1%}"
        )
        stats.sort_stats("cumulative").print_stats(r"ledger|merkle", 12)


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(ordered) * 1e3:.3f} ms, p99 {p99 * 1e3:.3f} ms"


def proofs_run(backend: str, leaves: int, requests: int, batch: int) -> None:
    from xinyong.ledger import service
    from xinyong.ledger.merkle import verify_inclusion
    from xinyong.store import make_engine

    with database(backend, f"ledger_proofs_{leaves}") as url:
        t0 = time.perf_counter()
        fill(url, leaves, batch)
        built = time.perf_counter() - t0
        print(f"proofs     {backend:<10} log of {leaves:,} leaves built in {built:.0f} s")
        engine = make_engine(url)
        rng = random.Random(7)
        inclusion: list[float] = []
        consistency: list[float] = []
        with engine.connect() as conn:
            root = service.root_of(conn, leaves)
            for _ in range(requests):
                index = rng.randrange(leaves)
                started = time.perf_counter()
                answer = service.inclusion(conn, index, leaves)
                inclusion.append(time.perf_counter() - started)
                first = rng.randrange(1, leaves)
                started = time.perf_counter()
                service.consistency(conn, first, leaves)
                consistency.append(time.perf_counter() - started)
            import base64

            proof = [base64.b64decode(h) for h in answer["proof"]]
            leaf = base64.b64decode(answer["leaf_hash"])
            assert verify_inclusion(leaf, index, leaves, proof, root)
        engine.dispose()
    print(f"proofs     {backend:<10} inclusion at {leaves:,}: {_percentiles(inclusion)}")
    print(f"proofs     {backend:<10} consistency at {leaves:,}: {_percentiles(consistency)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--append", type=int)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--ingest", type=int)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--proofs", type=int)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    backends = args.backend or ["sqlite", "postgresql"]
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    for backend in backends:
        if args.append:
            append_run(backend, args.append, args.batch)
        if args.ingest:
            ingest_run(backend, args.ingest, args.profile)
        if args.proofs:
            proofs_run(backend, args.proofs, args.requests, max(args.batch, 10000))
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    Path(OUT).mkdir(parents=True, exist_ok=True)
    main()
