"""Screening on every core: a long list is cut into chunks that worker processes screen against
the same database at one journal position, and the results come back in input order.

Why processes: matching a name is CPU work in Python (normalising, RapidFuzz scoring, the
evaluation of a matched subject's lists), so threads would share one core. Each worker opens its
own engine, catalogue and ID key once; a chunk costs one pickle each way.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from xinyong.codes import IdHasher
from xinyong.evaluate import Rules
from xinyong.screen.match import ScreenInput, ScreenResult, screen_rows

CHUNK = 250
# Below this many rows starting workers costs more than it saves.
PARALLEL_FROM = 1_000


@dataclass(frozen=True)
class Setup:
    db_url: str
    key_file: str
    catalogue: str | None
    on: dt.date
    known_at: int


@dataclass
class _Worker:
    engine: Engine
    hasher: IdHasher
    rules: Rules
    setup: Setup


_worker: list[_Worker] = []  # this process's, once initialised


def _init(setup: Setup) -> None:
    from xinyong.catalogue import load_catalogue
    from xinyong.store import make_engine
    from xinyong.store.meta import open_hasher

    engine = make_engine(setup.db_url)
    hasher = open_hasher(engine, Path(setup.key_file))
    _worker.append(_Worker(engine, hasher, Rules(load_catalogue(setup.catalogue)), setup))


def _screen(chunk: Sequence[ScreenInput]) -> list[ScreenResult]:
    w = _worker[0]
    with w.engine.connect() as conn:
        return list(screen_rows(conn, w.rules, chunk, w.setup.on, w.hasher, w.setup.known_at))


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def screen_in_parallel(
    setup: Setup, inputs: Sequence[ScreenInput], workers: int
) -> Iterator[ScreenResult]:
    """Results in input order, chunk by chunk as they finish in order."""
    chunks = [inputs[i : i + CHUNK] for i in range(0, len(inputs), CHUNK)]
    # fork would copy the parent's open database connections into the workers; spawn does not.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, context, initializer=_init, initargs=(setup,)) as pool:
        for results in pool.map(_screen, chunks):
            yield from results
