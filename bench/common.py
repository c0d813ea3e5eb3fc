"""Shared benchmark plumbing: synthetic data on disk, databases on both engines, statistics."""

from __future__ import annotations

import json
import os
import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.support.pgserver

# Generated data and scratch databases; XINYONG_BENCH_OUT lets several checkouts share one copy.
OUT = Path(os.environ.get("XINYONG_BENCH_OUT") or ROOT / "bench" / "out")


def synth_folder(subjects: int, seed: int = 7, defects: float = 0.0) -> Path:
    """Generate (once, then reuse) a synthetic data set of this size."""
    from xinyong.synth import generate

    folder = OUT / f"synth-{subjects}-{seed}-{defects}"
    if not (folder / "manifest.json").exists():
        generate(folder, subjects, seed, defects)
    return folder


def manifest(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return data


@contextmanager
def database(backend: str, name: str) -> Iterator[str]:
    """A fresh, migrated database URL on `backend` (sqlite | postgresql)."""
    from xinyong.store import make_engine, upgrade

    if backend == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    from tests.support.pgserver import start_pgserver

    server = start_pgserver()
    try:
        server.create_database(name)
        url = server.url(name)
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        server.stop()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values: list[float]) -> str:
    return (
        f"median {statistics.median(values) * 1000:.2f} ms, "
        f"p99 {percentile(values, 99) * 1000:.2f} ms (n={len(values)})"
    )
