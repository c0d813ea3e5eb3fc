"""Search benchmark (issue 5): latency of `GET /api/v1/subjects?q=` over loopback, per query kind.

A registry of N synthetic subjects is built through the real ingest (`bench/registry_db.py`:
SQLite cached under bench/out/ per size, seed and schema head; PostgreSQL rebuilt in a throwaway
server). Queries are a seeded mix of kinds (`registry_db.SEARCH_KINDS`: exact names, traditional
characters, without region, another legal form, trade names, 1-2 characters, one typo, pinyin
initials, USCCs, legal representatives, unregistered names), shuffled together.

For each backend, in one run:
- in-process `search_subjects` (pinned to the journal position, as the API does), per kind;
- a breakdown of the in-process time by step (candidate providers and ranking), per kind;
- a real `xinyong serve` (uvicorn, one worker, rate limit off), one keep-alive client, each search
  request preceded by a `GET /healthz` (the HTTP floor, measured under the same noise);
- the hit rate: the subject a query was made from among the first five results (for `nonmatch`:
  the share whose best result scores ≥ 0.85, i.e. would be claimed by screening — lower is better).

    python bench/search.py --subjects 20000 --per-kind 100
    python bench/search.py --subjects 1000000 --per-kind 300 --backend sqlite --profile 3
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx

from common import OUT, percentile
from registry_db import (
    KEY,
    SEARCH_KINDS,
    BenchQuery,
    hasher,
    make_queries,
    measured_commit,
    postgres_registry,
    registered,
    sqlite_registry,
)

LIMIT = 20  # the API's default page


def ms(v: float) -> str:
    return f"{v * 1000:.2f}"


def stats(times: list[float]) -> tuple[float, float, float]:
    return statistics.median(times), percentile(times, 90), percentile(times, 99)


# -- in-process ----------------------------------------------------------------------------------


def in_process(
    url: str, queries: list[BenchQuery]
) -> tuple[list[float], list[float], list[list[tuple[str, float]]]]:
    """Seconds per query (wall, CPU) and the (code, score) of the first five results."""
    from xinyong.search import search_subjects
    from xinyong.store import make_engine, reads

    engine = make_engine(url)
    h = hasher()
    times, cpu, found = [], [], []
    with engine.connect() as conn:
        position = reads.journal_seq(conn)
        for q in queries[:50]:  # warm-up
            search_subjects(conn, q.text, limit=LIMIT, known_at=position, hasher=h)
        for q in queries:
            c0, t0 = time.process_time(), time.perf_counter()
            page = search_subjects(conn, q.text, limit=LIMIT, known_at=position, hasher=h)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            found.append([(r.code, r.score) for r in page.results[:5]])
            conn.rollback()  # the API's connection is per request: no long read transaction
    engine.dispose()
    return times, cpu, found


STEPS = ("exact", "containing", "similar", "short", "by_initials", "by_legal_representative",
         "names_of")  # fmt: skip


@contextmanager
def timed_steps(sink: dict[str, float], clock: Callable[[], float]) -> Iterator[None]:
    """Time the candidate providers and the ranking (wrapping the module attributes that
    `search_subjects` calls through; the package is not changed)."""
    from xinyong.search import candidates
    from xinyong.search import subjects as search_mod

    saved: list[tuple[Any, str, Callable[..., Any]]] = []

    def wrap(module: Any, name: str, label: str) -> None:
        fn = getattr(module, name)

        def timed(*a: Any, **k: Any) -> Any:
            t0 = clock()
            try:
                return fn(*a, **k)
            finally:
                sink[label] += clock() - t0

        saved.append((module, name, fn))
        setattr(module, name, timed)

    for step in STEPS:
        wrap(candidates, step, step)
    wrap(search_mod, "_rank", "rank")
    try:
        yield
    finally:
        for module, name, fn in saved:
            setattr(module, name, fn)


def breakdown(
    url: str, queries: list[BenchQuery], clock: Callable[[], float]
) -> dict[str, dict[str, float]]:
    """Mean milliseconds per query in each step, per kind."""
    from xinyong.search import search_subjects
    from xinyong.store import make_engine, reads

    engine = make_engine(url)
    h = hasher()
    per_kind: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    counts: dict[str, int] = defaultdict(int)
    with engine.connect() as conn:
        position = reads.journal_seq(conn)
        for q in queries:
            sink: dict[str, float] = defaultdict(float)
            with timed_steps(sink, clock):
                t0 = clock()
                search_subjects(conn, q.text, limit=LIMIT, known_at=position, hasher=h)
                sink["total"] = clock() - t0
            conn.rollback()
            counts[q.kind] += 1
            for step, seconds in sink.items():
                per_kind[q.kind][step] += seconds
    engine.dispose()
    return {
        kind: {step: v / counts[kind] * 1000 for step, v in steps.items()}
        for kind, steps in per_kind.items()
    }


def profile_kind(url: str, queries: list[BenchQuery], kind: str, path: Path) -> str:
    """cProfile of one kind's in-process queries; the whole report goes to `path`, the top of it
    (by cumulative time, package and driver frames) is returned."""
    from xinyong.search import search_subjects
    from xinyong.store import make_engine, reads

    engine = make_engine(url)
    h = hasher()
    mine = [q for q in queries if q.kind == kind]
    prof = cProfile.Profile()
    with engine.connect() as conn:
        position = reads.journal_seq(conn)
        prof.enable()
        for q in mine:
            search_subjects(conn, q.text, limit=LIMIT, known_at=position, hasher=h)
            conn.rollback()
        prof.disable()
    engine.dispose()
    buf = io.StringIO()
    st = pstats.Stats(prof, stream=buf)
    st.sort_stats("cumulative").print_stats(60)
    path.write_text(buf.getvalue(), encoding="utf-8")
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(12)
    return buf.getvalue()


# -- over HTTP -----------------------------------------------------------------------------------


def serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "XINYONG_RATE_LIMIT": "off", "XINYONG_ID_KEY_FILE": str(KEY)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "xinyong", "serve", "--db", url, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(base + "/healthz", timeout=1).raise_for_status()
            return proc, base
        except httpx.HTTPError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.2)


def server_cpu(pid: int) -> float:
    """CPU seconds the server process has used (user + system; kernel tick accounting, so only
    sums over many requests mean anything)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def over_http(
    base: str, queries: list[BenchQuery], pid: int
) -> tuple[list[float], list[float], list[list[tuple[str, float]]], float, list[float], float]:
    """(search seconds, /healthz seconds, (code, score) of the first five results, search wall
    seconds, server CPU seconds per search, server CPU seconds for all /healthz).
    Each search is preceded by a /healthz on the same keep-alive connection."""
    search_t, health_t, found, search_cpu = [], [], [], []
    health_cpu = 0.0
    with httpx.Client(base_url=base, timeout=60) as client:
        for q in queries[:50]:  # warm-up
            client.get("/healthz")
            client.get("/api/v1/subjects", params={"q": q.text})
        for q in queries:
            c0 = server_cpu(pid)
            t0 = time.perf_counter()
            client.get("/healthz")
            t1 = time.perf_counter()
            c1 = server_cpu(pid)
            resp = client.get("/api/v1/subjects", params={"q": q.text})
            t2 = time.perf_counter()
            c2 = server_cpu(pid)
            health_cpu += c1 - c0
            search_cpu.append(c2 - c1)
            if resp.status_code != 200:
                raise RuntimeError(f"{q.text!r}: {resp.status_code} {resp.text[:200]}")
            health_t.append(t1 - t0)
            search_t.append(t2 - t1)
            found.append([(r["code"], r["score"]) for r in resp.json()["results"][:5]])
    return search_t, health_t, found, sum(search_t), search_cpu, health_cpu


# -- report --------------------------------------------------------------------------------------


def hit_rate(qs: list[BenchQuery], found: list[list[tuple[str, float]]]) -> str:
    if not qs:
        return "—"
    if qs[0].expected is None:
        claimed = sum(1 for f in found if f and f[0][1] >= 0.85)
        return f"{claimed / len(qs):.0%} ≥0.85"
    hits = sum(1 for q, f in zip(qs, found, strict=True) if q.expected in {c for c, _ in f})
    return f"{hits / len(qs):.0%}"


def run_backend(
    backend: str, url: str, queries: list[BenchQuery], args: argparse.Namespace, size: int
) -> None:
    print(f"\n### {backend}, {size:,} subjects, {len(queries):,} queries")
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    ip_times, ip_cpu, ip_found = in_process(url, queries)
    # SQLite works in this process: its CPU time is steady under noise. PostgreSQL works in the
    # server: only wall time sees it.
    clock = time.process_time if backend == "sqlite" else time.perf_counter
    steps = breakdown(url, queries, clock)
    proc, base = serve(url)
    try:
        http_times, health, http_found, wall, srv_cpu, health_cpu = over_http(
            base, queries, proc.pid
        )
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    by_kind: dict[str, list[int]] = defaultdict(list)
    for i, q in enumerate(queries):
        by_kind[q.kind].append(i)
    h50 = statistics.median(health)
    print(
        f"\nGET /healthz floor: median {ms(h50)} ms, p99 {ms(percentile(health, 99))} ms; "
        f"searches: {len(queries) / wall:.0f} req/s (one client, sequential); "
        f"server CPU per request: /healthz {health_cpu / len(queries) * 1000:.2f} ms, "
        f"search {sum(srv_cpu) / len(queries) * 1000:.2f} ms "
        f"(≈ {len(queries) / max(sum(srv_cpu), 1e-9):.0f} searches per CPU-second)\n"
    )
    print(
        "| kind | n | HTTP p50 / p90 / p99 ms | p50 ÷ floor | server CPU ms/req "
        "| in-process p50 / p99 ms | in-process CPU p50 / p99 ms | hit@5 (HTTP / in-process) |"
    )
    print("| --- " * 8 + "|")
    rows = [(k, by_kind[k]) for k in SEARCH_KINDS if k in by_kind] + [
        ("all", list(range(len(queries))))
    ]
    for kind, idx in rows:
        ht = [http_times[i] for i in idx]
        it = [ip_times[i] for i in idx]
        qs = [queries[i] for i in idx]
        p50, p90, p99 = stats(ht)
        i50, _, i99 = stats(it)
        c50, _, c99 = stats([ip_cpu[i] for i in idx])
        scpu = sum(srv_cpu[i] for i in idx) / len(idx)
        rate = "—"
        if kind != "all":
            rate = (
                f"{hit_rate(qs, [http_found[i] for i in idx])} / "
                f"{hit_rate(qs, [ip_found[i] for i in idx])}"
            )
        bold = "**" if kind == "all" else ""
        print(
            f"| {bold}{kind}{bold} | {len(idx)} | {bold}{ms(p50)} / {ms(p90)} / {ms(p99)}{bold} "
            f"| {p50 / h50:.1f}× | {ms(scpu)} | {ms(i50)} / {ms(i99)} | {ms(c50)} / {ms(c99)} "
            f"| {rate} |"
        )
    what = "CPU" if backend == "sqlite" else "wall"
    print(
        f"\nIn-process breakdown, mean {what} ms per query by step (wrapping the package's "
        "functions):\n"
    )
    cols = ["total", "rank", *STEPS]
    print("| kind | " + " | ".join(cols) + " |")
    print("| --- " * (len(cols) + 1) + "|")
    for kind in SEARCH_KINDS:
        if kind in steps:
            s = steps[kind]
            print(f"| {kind} | " + " | ".join(f"{s.get(c, 0):.2f}" for c in cols) + " |")
    if args.profile:
        slow = sorted(
            (k for k in by_kind), key=lambda k: -percentile([ip_cpu[i] for i in by_kind[k]], 99)
        )[: args.profile]
        for kind in slow:
            path = OUT / f"search-profile-{backend}-{size}-{kind}.txt"
            top = profile_kind(url, queries, kind, path)
            print(f"\n#### cProfile, {kind} (full report by cumulative time: {path})\n")
            print("\n".join(line for line in top.splitlines() if line.strip())[:4000])
    slowest = sorted(range(len(queries)), key=lambda i: -ip_cpu[i])[:12]
    print("\nSlowest in-process queries (CPU ms, wall ms):")
    for i in slowest:
        print(f"  {ms(ip_cpu[i])} {ms(ip_times[i])}  {queries[i].kind:<12} {queries[i].text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--kind", action="append", choices=SEARCH_KINDS, help="only these kinds")
    parser.add_argument("--profile", type=int, default=0, help="cProfile the N slowest kinds")
    parser.add_argument("--url", help="an already built registry (see registry_db.py --serve)")
    args = parser.parse_args()
    commit = measured_commit()
    print(f"## search: {args.subjects:,} subjects (seed {args.seed}), commit {commit}")
    everyone = registered(args.subjects, args.seed)
    kinds = tuple(args.kind) if args.kind else SEARCH_KINDS
    queries = make_queries(everyone, kinds, args.per_kind, args.seed)
    del everyone
    if args.url:
        backend = "sqlite" if args.url.startswith("sqlite") else "postgresql"
        run_backend(backend, args.url, queries, args, args.subjects)
        return
    for backend in args.backend or ["sqlite", "postgresql"]:
        if backend == "sqlite":
            url = sqlite_registry(args.subjects, args.seed)
            db = Path(url.removeprefix("sqlite:///"))
            with db.open("rb") as fh:  # OS cache warm, as on a server that has been running
                while fh.read(1 << 24):
                    pass
            run_backend(backend, url, queries, args, args.subjects)
        else:
            with postgres_registry(args.subjects, args.seed) as url:
                run_backend(backend, url, queries, args, args.subjects)


if __name__ == "__main__":
    main()
