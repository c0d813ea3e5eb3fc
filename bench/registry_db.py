"""A registry-only database for the search and screening benchmarks, built through the real ingest.

The registry file is the one `xinyong generate` writes (`registry.csv`, no defects): the same
`registry_row` of the same `iter_subjects`, written here alone so that a 1,000,000-subject set does
not also have to generate (and store) its licences and penalties. A side file keeps what the
registry file does not say but the queries need (each subject's trade name, 字号).

Only `registry.csv` is ingested (`ingest_files(..., kind="registry")`), so every search column is
filled as in production: `subject_names.core_key` and `initials`, the `core_grams` side index and
the FTS5 trigram index (SQLite) or the pg_trgm indexes (PostgreSQL).

SQLite databases are kept under bench/out/, keyed by size, seed and the alembic head revision (a
new migration rebuilds them). PostgreSQL runs in a throwaway server and is rebuilt every time.
"""

from __future__ import annotations

import csv
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from common import OUT

KEY = OUT / "bench.key"  # the ID-hashing key of every bench database (bench/lookup.py's too)


@dataclass(frozen=True, slots=True)
class Registered:
    """One subject as the queries need it: the registry row's fields and its trade name."""

    code: str
    name: str
    former: tuple[str, ...]
    english: str
    legal_rep: str
    trade: str


def measured_commit() -> str:
    """HEAD, and a warning when the search, screening or storage code differs from it (the work
    tree is shared: what was imported is what was measured)."""
    import subprocess

    from common import ROOT

    def git(*a: str) -> str:
        return subprocess.run(
            ["git", *a], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--short", "--", "src/xinyong/search", "src/xinyong/screen",
                "src/xinyong/store", "src/xinyong/codes", "src/xinyong/web")  # fmt: skip
    return head + (f" (work tree differs: {' '.join(dirty.split())})" if dirty else "")


def registry_files(subjects: int, seed: int = 7) -> tuple[Path, Path]:
    """(registry.csv, trade names), written once per size and seed."""
    from xinyong.synth.generator import REGISTRY_HEADERS, registry_row
    from xinyong.synth.subjects import iter_subjects

    OUT.mkdir(parents=True, exist_ok=True)
    stem = OUT / f"search-registry-{subjects}-{seed}"
    csv_path, trade_path = Path(f"{stem}.csv"), Path(f"{stem}-trade.txt")
    if trade_path.exists():
        return csv_path, trade_path
    t0 = time.perf_counter()
    tmp = Path(f"{trade_path}.tmp")
    with (
        csv_path.open("w", encoding="utf-8", newline="") as fh,
        tmp.open("w", encoding="utf-8") as th,
    ):
        writer = csv.writer(fh)
        writer.writerow(REGISTRY_HEADERS)
        for subject in iter_subjects(subjects, seed):
            writer.writerow(registry_row(subject))
            th.write(subject.trade_name + "\n")
    tmp.rename(trade_path)  # last: its presence says both files are whole
    print(f"generated {csv_path.name}: {subjects:,} subjects in {time.perf_counter() - t0:.0f} s")
    return csv_path, trade_path


def registered(subjects: int, seed: int = 7) -> list[Registered]:
    """Every subject of the registry file, in file order."""
    csv_path, trade_path = registry_files(subjects, seed)
    with (
        csv_path.open(encoding="utf-8", newline="") as fh,
        trade_path.open(encoding="utf-8") as th,
    ):
        rows = csv.reader(fh)
        next(rows)
        return [
            Registered(
                r[0], r[1], tuple(n for n in r[2].split("；") if n), r[3], r[4], t.rstrip("\n")
            )
            for r, t in zip(rows, th, strict=True)
        ]


def hasher():  # type: ignore[no-untyped-def]
    from xinyong.codes import IdHasher, load_or_create_key

    return IdHasher(load_or_create_key(KEY))


def ingest_registry(url: str, csv_path: Path) -> float:
    """Ingest the registry file into the (migrated) database at `url`; returns seconds."""
    from xinyong.ingest import ingest_files
    from xinyong.store import make_engine

    engine = make_engine(url)
    t0 = time.perf_counter()
    s = ingest_files(
        engine, [csv_path], source="samr", actor="bench", hasher=hasher(), kind="registry"
    )
    seconds = time.perf_counter() - t0
    engine.dispose()
    print(
        f"  ingested {csv_path.name}: {s.rows:,} rows, {s.accepted:,} accepted, "
        f"{s.quarantined:,} quarantined in {seconds:.0f} s ({s.rows / seconds:,.0f} rows/s)"
    )
    return seconds


def sqlite_registry(subjects: int, seed: int = 7) -> str:
    """URL of the cached SQLite registry of this size and seed at the current schema head."""
    from xinyong.store import make_engine, upgrade
    from xinyong.store.migrate import head_revision

    csv_path, _ = registry_files(subjects, seed)
    stem = OUT / f"search-{subjects}-{seed}-{head_revision()}"
    db, done = Path(f"{stem}.db"), Path(f"{stem}.done")
    url = f"sqlite:///{db}"
    if done.exists():
        print(f"sqlite registry: {db.name} (cached; built in {done.read_text().strip()})")
        return url
    for extra in ("", "-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    print(f"sqlite registry: building {db.name}")
    seconds = ingest_registry(url, csv_path)
    done.write_text(f"{seconds:.0f} s\n")
    return url


@contextmanager
def postgres_registry(subjects: int, seed: int = 7) -> Iterator[str]:
    """A throwaway PostgreSQL server holding the registry of this size and seed (rebuilt)."""
    from common import ROOT

    sys.path.insert(0, str(ROOT))
    from tests.support.pgserver import start_pgserver

    from xinyong.store import make_engine, upgrade

    csv_path, _ = registry_files(subjects, seed)
    server = start_pgserver()
    try:
        server.create_database("search")
        url = server.url("search")
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        print("postgresql registry: building in a throwaway server")
        ingest_registry(url, csv_path)
        vacuum(server)
        yield url
    finally:
        server.stop()


def vacuum(server) -> None:  # type: ignore[no-untyped-def]
    """VACUUM ANALYZE after the build, as an operator would after a bulk load (autovacuum would,
    later): the figures then do not depend on when autovacuum happened to run."""
    import psycopg

    t0 = time.perf_counter()
    with psycopg.connect(server.conninfo("search"), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"  VACUUM ANALYZE: {time.perf_counter() - t0:.0f} s")


# -- queries ---------------------------------------------------------------------------------------

# Each kind: what a person types, made from one registered subject (None where it does not apply).
# The variant makers are bench/match_quality.py's (OpenCC s2t, region words, forms, typos).
SEARCH_KINDS: tuple[str, ...] = (
    "exact",  # the registered name
    "traditional",  # OpenCC s2t of it
    "no_region",  # the leading (or bracketed) place name removed
    "other_form",  # the legal form dropped or swapped (有限公司 / 有限责任公司 / 股份有限公司)
    "short",  # the trade name alone (字号, 2-4 characters)
    "chars_1_2",  # one or two characters of the trade name
    "typo1",  # one wrong character
    "initials",  # pinyin initials of the trade name
    "uscc",  # the code
    "legal_rep",  # the legal representative's name
    "nonmatch",  # a plausible name that is not registered
)
NONMATCH_WORDS = ("科技", "贸易", "咨询服务", "文化传媒", "建筑工程", "餐饮管理", "物流", "电子")
NONMATCH_FORMS = ("有限公司", "有限责任公司", "股份有限公司")


@dataclass(frozen=True, slots=True)
class BenchQuery:
    kind: str
    text: str
    expected: str | None  # the code of the subject it was made from; None for nonmatch


def variant(kind: str, s: Registered, rng: random.Random) -> str | None:
    import match_quality as mq

    if kind == "exact":
        return s.name
    if kind == "traditional":
        return mq.traditional(s.name)
    if kind == "no_region":
        return mq.region(s.name, keep=s.trade)
    if kind == "other_form":
        return mq.suffix(s.name, "", rng)
    if kind == "short":
        return s.trade if 2 <= len(s.trade) <= 4 and s.trade != s.name else None
    if kind == "chars_1_2":
        if not s.trade:
            return None
        n = rng.choice((1, 2)) if len(s.trade) >= 2 else 1
        start = rng.randrange(len(s.trade) - n + 1)
        return s.trade[start : start + n]
    if kind == "typo1":
        return mq.typo(s.name, 1, rng)
    if kind == "initials":
        return mq.initials(s.trade) if len(s.trade) >= 2 else None
    if kind == "uscc":
        return s.code
    if kind == "legal_rep":
        return s.legal_rep or None
    raise ValueError(kind)


def nonmatch(rng: random.Random, taken: set[str]) -> str:
    """A plausible company name that is not registered: city, two pool characters, a trade."""
    import match_quality as mq

    cities = mq.REAL_CITIES.split()
    pool = mq.typo_pool()
    while True:
        name = (
            rng.choice(cities)
            + "市"
            + "".join(rng.choice(pool) for _ in range(2))
            + rng.choice(NONMATCH_WORDS)
            + rng.choice(NONMATCH_FORMS)
        )
        if name not in taken:
            return name


def make_queries(
    everyone: list[Registered], kinds: tuple[str, ...], per_kind: int, seed: int
) -> list[BenchQuery]:
    """`per_kind` queries of each kind, from subjects drawn at random (seeded), shuffled."""

    rng = random.Random(f"search-bench-{seed}")
    taken = {s.name for s in everyone} if "nonmatch" in kinds else set()
    out: list[BenchQuery] = []
    for kind in kinds:
        made = 0
        while made < per_kind:
            if kind == "nonmatch":
                out.append(BenchQuery(kind, nonmatch(rng, taken), None))
                made += 1
                continue
            s = everyone[rng.randrange(len(everyone))]
            text = variant(kind, s, rng)
            if text:
                out.append(BenchQuery(kind, text, s.code))
                made += 1
    rng.shuffle(out)
    return out


def main() -> None:
    """`python bench/registry_db.py --serve postgresql 1000000 -- CMD ...`: build the registry
    (PostgreSQL: in a throwaway server kept up while the commands run), then run each command
    (separated by `--`) with `{url}` replaced by the database URL."""
    import shlex
    import subprocess

    args = sys.argv[1:]
    if len(args) < 3 or args[0] != "--serve":
        raise SystemExit(main.__doc__)
    backend, size = args[1], int(args[2])
    commands: list[list[str]] = []
    for word in args[3:]:
        if word == "--":
            commands.append([])
        else:
            commands[-1].append(word)

    def run(url: str) -> None:
        for cmd in commands:
            cmd = [w.replace("{url}", url) for w in cmd]
            print(f"$ {shlex.join(cmd)}", flush=True)
            subprocess.run(cmd, check=True)

    if backend == "sqlite":
        run(sqlite_registry(size))
    else:
        with postgres_registry(size) as url:
            run(url)


if __name__ == "__main__":
    main()
