"""Lookup benchmark: latency of GET /api/v1/subjects/{code} over loopback, SQLite and PostgreSQL.

A real `xinyong serve` (uvicorn, one worker) answers requests from a keep-alive client in this
process, one at a time, for codes drawn at random (seeded) from the ingested subjects. In the same
run: the same reads called in-process without HTTP (the storage cost alone) and `GET /healthz`
(the HTTP floor), so the figures can be read as ratios on a noisy machine.

    python bench/lookup.py --subjects 20000 --subjects 200000 --requests 3000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx

from common import ROOT, database, manifest, summary_ms, synth_folder

KEY = ROOT / "bench" / "out" / "bench.key"


def ingest(url: str, folder: Path) -> None:
    from xinyong.codes import IdHasher, load_or_create_key
    from xinyong.ingest import ingest_files
    from xinyong.store import make_engine

    engine = make_engine(url)
    hasher = IdHasher(load_or_create_key(KEY))
    for f in sorted(manifest(folder)["files"], key=lambda f: f["kind"] != "registry"):  # type: ignore[arg-type,index]
        ingest_files(
            engine,
            [folder / f["path"]],
            source=f["source"],
            actor="bench",
            hasher=hasher,
            kind=f["kind"],
        )
    engine.dispose()


def codes(url: str, n: int, seed: int) -> list[str]:
    from sqlalchemy import select

    from xinyong.store import make_engine
    from xinyong.store.schema import subjects

    engine = make_engine(url)
    with engine.connect() as conn:
        everyone = list(
            conn.execute(
                select(subjects.c.code).where(
                    subjects.c.kind == "organisation", subjects.c.superseded_seq.is_(None)
                )
            ).scalars()
        )
    engine.dispose()
    rng = random.Random(seed)
    return [rng.choice(everyone) for _ in range(n)]


def in_process(url: str, sample: list[str]) -> list[float]:
    from xinyong.codes import validate_uscc
    from xinyong.registry import read_subject_file
    from xinyong.store import make_engine

    engine = make_engine(url)
    times = []
    day = dt.date(2026, 9, 30)
    with engine.connect() as conn:
        for code in sample:
            t0 = time.perf_counter()
            read_subject_file(conn, validate_uscc(code), day)
            times.append(time.perf_counter() - t0)
    engine.dispose()
    return times


def serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "XINYONG_RATE_LIMIT": "0", "XINYONG_ID_KEY_FILE": str(KEY)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "xinyong", "serve", "--db", url, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(base + "/healthz", timeout=1).raise_for_status()
            return proc, base
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.1)


def over_http(base: str, paths: list[str]) -> list[float]:
    times = []
    with httpx.Client(base_url=base) as client:
        for path in paths[:50]:  # warm-up
            client.get(path)
        for path in paths:
            t0 = time.perf_counter()
            resp = client.get(path)
            times.append(time.perf_counter() - t0)
            if resp.status_code != 200:
                raise RuntimeError(f"{path}: {resp.status_code} {resp.text[:200]}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, action="append")
    parser.add_argument("--backend", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    for size in args.subjects or [20000]:
        folder = synth_folder(size)
        print(f"\n## {size:,} subjects")
        for backend in args.backend or ["sqlite", "postgresql"]:
            with database(backend, f"lookup_{size}") as url:
                t0 = time.perf_counter()
                ingest(url, folder)
                print(f"{backend}: ingested in {time.perf_counter() - t0:.0f} s")
                sample = codes(url, args.requests, seed=size)
                print(f"  in-process read_subject_file : {summary_ms(in_process(url, sample))}")
                proc, base = serve(url)
                try:
                    health = over_http(base, ["/healthz"] * args.requests)
                    lookups = over_http(
                        base, [f"/api/v1/subjects/{c}?as_of=2026-09-30" for c in sample]
                    )
                finally:
                    proc.terminate()
                    proc.wait(timeout=10)
                print(f"  GET /healthz (HTTP floor)    : {summary_ms(health)}")
                print(f"  GET /api/v1/subjects/{{code}} : {summary_ms(lookups)}")


if __name__ == "__main__":
    main()
