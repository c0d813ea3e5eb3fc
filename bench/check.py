"""Engine benchmark: `GET /api/v1/check` at registry scale, and `xinyong recompute`.

The benchmark database is built by direct inserts into the projection tables (subjects,
subject_names, records, listings, agencies, journal_head), not through the journal: it measures
reads, and 6M rows through the ingest pipeline would take hours. Subjects come from the synthetic
generator (`synth.iter_subjects`: real USCCs with both check characters, names, legal
representatives); records are penalty and licence rows of a small real ingest (synthetic data at
seed 7, 20,000 subjects, through the pipeline, so severities and fields are those ingest writes),
re-addressed to the bench subjects with fresh document numbers; listings are drawn over the
catalogue's lists (decided, derived and removed ones, as the projections write them). Every row
version gets its own journal sequence number and `journal_head.seq` is the last one, so reads pin
as they do on a registry built by ingest. The built database is cached in bench/out by size,
seed and schema; each run works on a copy, because the check log and the derivation write.

In one run: the check called in-process (resolve, pin, subject, `registry.measures.check`) and
over HTTP against a real `xinyong serve` (uvicorn, one worker, rate limit off, check feedback
flushed in the background as configured), with `GET /healthz` as the HTTP floor; then
`xinyong recompute --no-derive` and `xinyong recompute` (derivation first) as subprocesses, with
their peak RSS.

    python bench/check.py                                   # 1,000,000 subjects, 5,000,000 records
    python bench/check.py --subjects 20000 --records 100000 --requests 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import OUT, ROOT, percentile, synth_folder
from lookup import KEY, ingest, serve

CATALOGUE = ROOT / "catalogue"
DAY = dt.date(2026, 9, 30)  # the synthetic data's reference date: "today" for every figure
BUILD_VERSION = 3  # bump when the builder changes what it writes
LISTED_SHARE = 0.03
CHUNK = 50_000

# List code -> (weight, source agency of a decided listing). Lists the registry derives also get
# derived listings (source "registry"), shaped as `xinyong recompute` writes them.
LISTS: dict[str, tuple[float, str]] = {
    "court.dishonest_judgment_debtors": (30, "court"),
    "samr.abnormal_operations": (28, "samr"),
    "samr.abnormal_operations_verified": (3, "samr"),
    "samr.serious_illegal_dishonest": (6, "samr"),
    "tax.major_violations": (8, "sta"),
    "tax.grade_a": (10, "sta"),
    "procurement.serious_violations": (3, "mof"),
    "mohrss.wage_arrears": (4, "mohrss"),
    "mem.work_safety": (4, "mem"),
    "customs.dishonest_enterprises": (2, "customs"),
    "customs.aeo": (2, "customs"),
}
# Lists the registry derives from records, and the record kind and source agency they rest on.
RECORD_DERIVED = {
    "tax.grade_a": ("tax_credit_grade_a", "sta"),
    "customs.aeo": ("customs_aeo", "customs"),
}
EXTRA_AGENCIES = {
    "court": "最高人民法院",
    "mof": "财政部",
    "mohrss": "人力资源社会保障部",
    "customs": "海关总署",
    "registry": "xinyong registry (derived listings)",
}


# ---------------------------------------------------------------------------------------------
# building the database


def _catalogue() -> Any:
    from xinyong.catalogue import load_catalogue

    return load_catalogue(CATALOGUE)


def template_records() -> list[tuple[Any, ...]]:
    """Penalty and licence rows of organisations, as a real ingest of synthetic data wrote them."""
    from xinyong.store import make_engine, upgrade

    path = OUT / f"check-template-20000-{schema_key()}.db"
    if not path.exists():
        tmp = OUT / "check-template-building.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{tmp}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        t0 = time.perf_counter()
        ingest(url, synth_folder(20000))
        print(f"template: ingested 20,000 synthetic subjects in {time.perf_counter() - t0:.0f} s")
        _checkpoint(tmp)
        tmp.rename(path)
    db = sqlite3.connect(path)
    rows = db.execute(
        "SELECT r.source, r.kind, r.doc_no, r.decision_date, r.in_force_from, r.in_force_to, "
        "r.severity, r.severity_rule, r.authority, r.legal_basis, r.fields, r.source_file "
        "FROM records r JOIN subjects s ON s.subject_key = r.subject_key "
        "AND s.superseded_seq IS NULL AND s.kind = 'organisation' "
        "WHERE r.superseded_seq IS NULL AND r.kind IN ('penalty', 'licence') ORDER BY r.id"
    ).fetchall()
    db.close()
    return rows


def _checkpoint(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


_TRAILING_NUMBER = re.compile(r"\d+号$")


def _doc_prefix(doc_no: str) -> tuple[str, str]:
    """Split a document number around its serial: (prefix, suffix) to put a fresh serial in."""
    m = _TRAILING_NUMBER.search(doc_no)
    if m is None:
        return doc_no + "-", ""
    return doc_no[: m.start()], "号"


def schema_key() -> str:
    """A digest of the schema the migrations create now: a cached database built for another
    schema (a new migration, or one edited in place) is built again."""
    import hashlib

    path = OUT / "check-schema.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    _upgrade(path)
    db = sqlite3.connect(path)
    ddl = [r[0] or "" for r in db.execute("SELECT sql FROM sqlite_master ORDER BY type, name")]
    db.close()
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return hashlib.sha256("\n".join(ddl).encode()).hexdigest()[:8]


def db_path(subjects: int, records: int, seed: int) -> Path:
    return OUT / f"check-{subjects}-{records}-{seed}-v{BUILD_VERSION}-{schema_key()}.db"


def build(subjects: int, records: int, seed: int) -> Path:
    """The benchmark database for these sizes: built once, then reused."""
    path = db_path(subjects, records, seed)
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)
    templates = template_records()
    t0 = time.perf_counter()
    _upgrade(tmp)
    _bind_key(tmp)
    counts = _fill(tmp, subjects, records, seed, templates)
    _checkpoint(tmp)
    tmp.rename(path)
    size = path.stat().st_size / 2**30
    print(
        f"built {path.name} in {time.perf_counter() - t0:.0f} s: "
        + ", ".join(f"{n:,} {table}" for table, n in counts.items())
        + f"; {size:.2f} GiB"
    )
    return path


def _upgrade(path: Path) -> None:
    from xinyong.store import make_engine, upgrade

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()


def _bind_key(path: Path) -> None:
    from xinyong.store import make_engine
    from xinyong.store.meta import open_hasher

    engine = make_engine(f"sqlite:///{path}")
    open_hasher(engine, KEY)
    engine.dispose()


def _insert(db: sqlite3.Connection, table: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        db.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]


class _Writer:
    """Buffered inserts into one table, in the table's column order, committed per chunk. A
    column the row leaves out gets its server default (columns added by later migrations)."""

    def __init__(self, db: sqlite3.Connection, table: str) -> None:
        self.db, self.table = db, table
        info = list(db.execute(f"PRAGMA table_info({table})"))
        self.columns = [r[1] for r in info]
        self.defaults = {
            r[1]: db.execute(f"SELECT {r[4]}").fetchone()[0] for r in info if r[4] is not None
        }
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(tuple(row.get(c, self.defaults.get(c)) for c in self.columns))
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        _insert(self.db, self.table, self.rows)
        self.count += len(self.rows)
        self.rows = []
        self.db.commit()


def _fill(
    path: Path, n_subjects: int, n_records: int, seed: int, templates: list[tuple[Any, ...]]
) -> dict[str, int]:
    from xinyong.codes import document_key
    from xinyong.codes.names import normalise_name
    from xinyong.ingest.fields import parse_wan
    from xinyong.ingest.rows import STATUS
    from xinyong.store.journal import canonical_json
    from xinyong.synth.subjects import iter_subjects

    catalogue = _catalogue()
    rng = random.Random(seed)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")  # a failed build is thrown away whole
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-1048576")
    db.execute("BEGIN")
    bulk = ("subjects", "subject_names", "records", "listings")
    indexes = [
        (name, sql)
        for name, sql, table in db.execute(
            "SELECT name, sql, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
        if table in bulk
    ]
    for name, _ in indexes:
        db.execute(f"DROP INDEX {name}")

    seq = 0
    agencies = {t[0] for t in templates} | {src for _, src in LISTS.values()} | set(EXTRA_AGENCIES)
    agency_rows = []
    for code in sorted(agencies):
        seq += 1
        agency_rows.append((seq, code, EXTRA_AGENCIES.get(code, code), seq, None))
    _insert(db, "agencies", agency_rows)

    t0 = time.perf_counter()
    subjects_w, names_w = _Writer(db, "subjects"), _Writer(db, "subject_names")
    codes: list[str] = []
    names: list[str] = []
    for s in iter_subjects(n_subjects, seed):
        seq += 1
        codes.append(s.uscc)
        names.append(s.name)
        subjects_w.add(
            {
                "id": seq,
                "subject_key": s.uscc,
                "kind": "organisation",
                "code": s.uscc,
                "name": s.name,
                "legal_representative": s.legal_rep or None,
                "region_code": s.region.code,
                "industry": s.industry.name,
                "entity_type": s.kind,
                "registered_on": s.established.isoformat(),
                "status": STATUS.get(s.status, "unknown" if s.status else "active"),
                "registered_capital_wan": parse_wan(s.capital),
                "provisional": 0,
                "org_code": s.uscc[8:17],
                "recorded_seq": seq,
            }
        )
        for name, kind in (
            [(s.name, "current")]
            + [(f, "former") for f in s.former_names if f and f != s.name]
            + ([(s.english_name, "english")] if s.english_name else [])
        ):
            names_w.add(
                {
                    "subject_key": s.uscc,
                    "name": name,
                    "name_key": normalise_name(name),
                    "name_type": kind,
                    "recorded_seq": seq,
                }
            )
    subjects_w.flush()
    names_w.flush()
    print(f"  {n_subjects:,} subjects, {names_w.count:,} names: {time.perf_counter() - t0:.0f} s")

    # Records: templates re-addressed to subjects drawn with a long tail (a few subjects hold
    # hundreds of records, most a handful); document numbers get fresh serials.
    t0 = time.perf_counter()
    listed = set(rng.sample(range(n_subjects), max(1, int(n_subjects * LISTED_SHARE))))
    held: dict[int, list[tuple[int, str, str, str, str | None]]] = {}
    prefixes = [_doc_prefix(t[2]) for t in templates]
    records_w = _Writer(db, "records")
    batch = f"bench-{n_subjects}-{n_records}"
    first_record_seq = seq + 1
    for i in range(n_records):
        seq += 1
        k = rng.randrange(len(templates))
        t = templates[k]
        who = min(n_subjects - 1, int(n_subjects * rng.random() ** 1.5))
        prefix, suffix = prefixes[k]
        doc_no = f"{prefix}{i + 1}{suffix}"
        records_w.add(
            {
                "id": seq,
                "record_id": seq,
                "source": t[0],
                "kind": t[1],
                "doc_no": doc_no,
                "doc_key": document_key(doc_no),
                "subject_key": codes[who],
                "party_name": names[who],
                "decision_date": t[3],
                "in_force_from": t[4],
                "in_force_to": t[5],
                "severity": t[6],
                "severity_rule": t[7],
                "authority": t[8],
                "legal_basis": t[9],
                "fields": t[10],
                "batch_id": batch,
                "source_file": t[11],
                "source_row": i + 2,
                "recorded_seq": seq,
            }
        )
        if who in listed:
            held.setdefault(who, []).append((seq, doc_no, t[1], t[0], t[6]))
    records_w.flush()
    # 1% of records corrected later: the first version superseded, a second one current.
    corrected = rng.sample(range(first_record_seq, seq + 1), n_records // 100)
    print(f"  {n_records:,} records: {time.perf_counter() - t0:.0f} s")

    t0 = time.perf_counter()
    listings_w = _Writer(db, "listings")
    codes_by_weight = list(LISTS)
    weights = [LISTS[c][0] for c in codes_by_weight]
    serial = 0
    n_versions = 0
    for who in sorted(listed):
        for _ in range(rng.choices((1, 2, 3), (70, 20, 10))[0]):
            serial += 1
            list_code = rng.choices(codes_by_weight, weights)[0]
            definition = catalogue.list(list_code, DAY)
            source = LISTS[list_code][1]
            start = DAY - dt.timedelta(days=rng.randrange(5 * 365))
            planned_end = (
                start + dt.timedelta(days=definition.max_days - 1) if definition.max_days else None
            )
            penalties = [r for r in held.get(who, []) if r[2] == "penalty"]
            derived = None
            basis: list[dict[str, Any]] = []
            if list_code in RECORD_DERIVED and definition.derives("records") and rng.random() < 0.8:
                # Derived from a record of the list's criteria (an A-grade result, an AEO
                # certificate), which the registry holds: basis by record_id.
                kind, rec_source, doc_no = _derived_record(list_code, start, serial)
                seq += 1
                kind_def = catalogue.record_kind(kind, start)
                days = max(p.max_days for p in kind_def.publicity.values())
                records_w.add(
                    {
                        "id": seq,
                        "record_id": seq,
                        "source": rec_source,
                        "kind": kind,
                        "doc_no": doc_no,
                        "doc_key": document_key(doc_no),
                        "subject_key": codes[who],
                        "party_name": names[who],
                        "decision_date": start.isoformat(),
                        "in_force_from": start.isoformat(),
                        "in_force_to": (start + dt.timedelta(days=days)).isoformat(),
                        "severity": kind_def.default_severity,
                        "authority": definition.authority,
                        "legal_basis": "；".join(kind_def.legal_basis),
                        "fields": canonical_json({"year": str(start.year - 1)}),
                        "batch_id": batch,
                        "source_file": f"{rec_source}-{kind}.csv",
                        "source_row": serial + 1,
                        "recorded_seq": seq,
                    }
                )
                source = "registry"
                derived = f"{kind} record {doc_no} (none) meets the criteria of {list_code}"
                decision_no = f"DERIVED/{list_code}/{rec_source}/{document_key(doc_no)}"
                basis = [{"doc_no": doc_no, "kind": kind, "record_id": seq, "source": rec_source}]
            elif list_code == "samr.abnormal_operations" and rng.random() < 0.5:
                # Derived from a missing annual report: rests on no decision.
                year = start.year - 1
                source = "registry"
                derived = f"no annual_report for {year} filed by {year + 1}-06-30"
                decision_no = f"DERIVED/{list_code}/{codes[who]}/{year}"
            else:  # decided by the authority, as a listing file row brings it in
                decision_no = _listing_doc(source, start, serial)
                if source == "court" and rng.random() < 0.7:
                    basis = [{"doc_no": f"（{start.year - 1}）执{serial}号"}]  # a judgment
                elif penalties and rng.random() < 0.6:
                    basis = [{"doc_no": rng.choice(penalties)[1]}]
            seq += 1
            row = {
                "id": seq,
                "listing_id": seq,
                "source": source,
                "list_code": list_code,
                "decision_no": decision_no,
                "doc_key": document_key(decision_no),
                "subject_key": codes[who],
                "party_name": names[who],
                "authority": definition.authority,
                "legal_basis": "；".join(definition.legal_basis),
                "start_date": start.isoformat(),
                "planned_end": planned_end.isoformat() if planned_end else None,
                "state": "in_force",
                "derived": derived,
                "notified_on": (start - dt.timedelta(days=definition.notice_days)).isoformat()
                if derived
                else None,
                "basis": canonical_json(basis),
                "batch_id": None if derived else batch,
                "source_file": None if derived else f"{source}-listings.csv",
                "source_row": None if derived else serial + 1,
                "recorded_seq": seq,
            }
            last = min(planned_end or DAY, DAY)
            if rng.random() < 0.25 and (last - start).days > 1:  # removed early: two versions
                seq += 1
                ended = dict(row)
                ended.update(
                    id=seq,
                    recorded_seq=seq,
                    state="ended",
                    actual_end=(
                        start + dt.timedelta(days=rng.randrange(1, (last - start).days))
                    ).isoformat(),
                    end_decision_no=f"{decision_no}（移出）",
                    end_doc_key=document_key(f"{decision_no}（移出）"),
                    end_reason=rng.choice(("已履行", "信用修复", "期满前移出")),
                )
                row["superseded_seq"] = seq
                listings_w.add(ended)
                n_versions += 1
            listings_w.add(row)
    records_w.flush()
    listings_w.flush()

    seq_column = _columns(db, "records").index("recorded_seq")
    for old in corrected:  # after the listings, as a later batch of corrections would be
        seq += 1
        row = db.execute("SELECT * FROM records WHERE id = ?", (old,)).fetchone()
        db.execute("UPDATE records SET superseded_seq = ? WHERE id = ?", (seq, old))
        new = list(row)
        new[0] = seq  # id; record_id stays
        new[seq_column] = seq
        _insert(db, "records", [tuple(new)])
    db.execute("UPDATE journal_head SET seq = ? WHERE id = 1", (seq,))
    if db.execute("SELECT changes()").fetchone()[0] == 0:
        db.execute("INSERT INTO journal_head (id, seq) VALUES (1, ?)", (seq,))
    db.commit()
    print(
        f"  {listings_w.count:,} listing rows ({n_versions:,} removals) for {len(listed):,} "
        f"subjects, {len(corrected):,} record corrections: {time.perf_counter() - t0:.0f} s"
    )

    t0 = time.perf_counter()
    for _, sql in indexes:
        db.execute(sql)
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    print(f"  indexes: {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    _log_placeholders(path, seq)
    print(f"  transparency log for {seq:,} placeholder entries: {time.perf_counter() - t0:.0f} s")
    return {
        "subjects": subjects_w.count,
        "names": names_w.count,
        "records": records_w.count + len(corrected),
        "listing rows": listings_w.count,
        "journal seq": seq,
    }


def _log_placeholders(path: Path, seq: int, batch: int = 50_000) -> None:
    """The projections were written directly, with sequence numbers but no journal rows; the
    transparency log must still cover every number, or the first real change (recompute's
    derivation) is refused as out of step. Placeholder envelopes stand for the entries."""
    from xinyong.ledger.store import append_journal
    from xinyong.store import make_engine

    engine = make_engine(f"sqlite:///{path}")
    stamp = "2026-01-01T00:00:00.000000Z"
    for start in range(1, seq + 1, batch):
        rows = [
            (n, stamp, "bench:build", "bench.placeholder", "{}")
            for n in range(start, min(start + batch, seq + 1))
        ]
        with engine.begin() as conn:
            append_journal(conn, rows)
    engine.dispose()


def _derived_record(list_code: str, start: dt.date, serial: int) -> tuple[str, str, str]:
    kind, source = RECORD_DERIVED[list_code]
    if kind == "tax_credit_grade_a":
        return kind, source, f"税信评A〔{start.year}〕{serial}号"
    return kind, source, f"海关AEO认证〔{start.year}〕{serial}号"


def _listing_doc(source: str, start: dt.date, serial: int) -> str:
    if source == "court":
        return f"（{start.year}）执{serial}号"
    return f"{source}列入决〔{start.year}〕{serial}号"


# ---------------------------------------------------------------------------------------------
# measuring


def sample(url: str, n: int, seed: int) -> list[tuple[str, str, str, bool]]:
    """(code, measure, on) for n checks: ~30% listed subjects, the rest not; measures and dates
    (over the three years before DAY) drawn uniformly."""
    from sqlalchemy import select

    from xinyong.store import make_engine
    from xinyong.store.schema import listings, subjects

    rng = random.Random(seed)
    catalogue = _catalogue()
    engine = make_engine(url)
    with engine.connect() as conn:
        listed = sorted(set(conn.execute(select(listings.c.subject_key)).scalars()))
        top = conn.execute(select(subjects.c.id).order_by(subjects.c.id.desc())).scalar() or 0
        picked: list[str] = []
        listed_set = set(listed)
        while len(picked) < n:
            if rng.random() < 0.3:
                picked.append(rng.choice(listed))
                continue
            code = conn.execute(
                select(subjects.c.code).where(subjects.c.id == rng.randint(1, top))
            ).scalar()
            if code is not None and code not in listed_set:
                picked.append(code)
    engine.dispose()
    out = []
    for code in picked:
        on = DAY - dt.timedelta(days=rng.randrange(3 * 365))
        measure = rng.choice([m for m in catalogue.measures.codes() if catalogue.measure(m, on)])
        out.append((code, measure, on.isoformat(), code in listed_set))
    return out


def in_process(url: str, checks: list[tuple[str, str, str, bool]]) -> tuple[list[float], int]:
    """The route's work without HTTP: resolve the code, pin the journal, read the subject, check.
    Returns the timings and how many checks applied."""
    from xinyong.codes import IdHasher, load_or_create_key
    from xinyong.evaluate import Rules
    from xinyong.registry import pin_position, resolve_code
    from xinyong.registry.measures import check
    from xinyong.store import make_engine, reads

    engine = make_engine(url)
    rules = Rules(_catalogue())
    hasher = IdHasher(load_or_create_key(KEY))
    times = []
    applied = 0
    with engine.connect() as conn:
        for code, measure, on, _ in checks:
            t0 = time.perf_counter()
            position = pin_position(conn, None)
            found = None
            for reading in resolve_code(code, hasher, conn):
                found = reads.subject(conn, reading.subject_key, position)
                if found is not None:
                    break
            assert found is not None, code
            answer = check(conn, rules, found, measure, dt.date.fromisoformat(on), position)
            times.append(time.perf_counter() - t0)
            applied += bool(answer["applies"])
    engine.dispose()
    return times, applied


def peak_rss_kib(pid: int) -> int:
    """VmHWM of a live process (KiB): its own peak, unlike the rusage of a forked child, which
    starts from the parent's peak."""
    for row in Path(f"/proc/{pid}/status").read_text().splitlines():
        if row.startswith("VmHWM:"):
            return int(row.split()[1])
    return 0


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(timeout=30)


TIME = Path("/usr/bin/time")


def run_timed(argv: list[str]) -> tuple[float, int, str]:
    """Run a command to completion: (seconds, peak RSS KiB, stdout). Peak RSS from GNU time,
    whose own small footprint is what the command's rusage starts from."""
    rss_file = OUT / "check-time.txt"
    wrapped = [str(TIME), "-f", "%M", "-o", str(rss_file), *argv] if TIME.exists() else argv
    t0 = time.perf_counter()
    done = subprocess.run(wrapped, capture_output=True, check=False)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv)}: exit {done.returncode}\n{done.stderr.decode()[-2000:]}"
        )
    rss = int(rss_file.read_text().split()[-1]) if TIME.exists() else 0
    return seconds, rss, done.stdout.decode()


def paired(base: str, paths: list[str]) -> tuple[list[float], list[float]]:
    """Each check right after a `/healthz`, on one keep-alive connection, so that the floor and
    the check see the same moments of a noisy machine."""
    import httpx2 as httpx

    floor, checks = [], []
    with httpx.Client(base_url=base) as client:
        for path in paths[:50]:  # warm-up (these checks are logged too)
            client.get("/healthz")
            client.get(path)
        for path in paths:
            t0 = time.perf_counter()
            client.get("/healthz")
            t1 = time.perf_counter()
            resp = client.get(path)
            t2 = time.perf_counter()
            floor.append(t1 - t0)
            checks.append(t2 - t1)
            if resp.status_code != 200:
                raise RuntimeError(f"{path}: {resp.status_code} {resp.text[:200]}")
    return floor, checks


def count_rows(path: Path, table: str) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608
    finally:
        db.close()


def stats(values: list[float]) -> dict[str, float]:
    return {
        "p50": statistics.median(values) * 1000,
        "p90": percentile(values, 90) * 1000,
        "p99": percentile(values, 99) * 1000,
        "rps": len(values) / sum(values),
    }


def round_p99(values: list[float], rounds: int = 5) -> tuple[float, list[float]]:
    """p99 of each of `rounds` consecutive slices (ms), and their median: one burst of noise from
    another process on the machine moves one round, not the figure."""
    size = max(1, len(values) // rounds)
    per = [percentile(values[i : i + size], 99) * 1000 for i in range(0, size * rounds, size)]
    return statistics.median(per), per


def line(label: str, values: list[float]) -> str:
    s = stats(values)
    return (
        f"{label:<34}: p50 {s['p50']:.2f} ms, p90 {s['p90']:.2f} ms, p99 {s['p99']:.2f} ms, "
        f"{s['rps']:,.0f} req/s (n={len(values)})"
    )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _copy(src: Path, dst: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, dst)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=5_000_000)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-recompute", action="store_true", help="skip the recompute runs")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    os.environ["XINYONG_CATALOGUE"] = str(CATALOGUE)  # for the server and the CLI
    os.environ["XINYONG_ID_KEY_FILE"] = str(KEY)

    print(f"## check: {args.subjects:,} subjects, {args.records:,} records (seed {args.seed})")
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print(f"commit {commit or '?'}; load average at start {_load()}")
    cached = db_path(args.subjects, args.records, args.seed)
    reused = cached.exists()
    source = build(args.subjects, args.records, args.seed)
    if reused:
        print(f"database: cached {source.name} ({source.stat().st_size / 2**30:.2f} GiB)")
    if args.build_only:
        return
    work = OUT / f"check-work-{args.subjects}-{args.records}.db"
    t0 = time.perf_counter()
    _copy(source, work)
    print(f"working copy in {time.perf_counter() - t0:.0f} s")
    try:
        measure(args, work)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(work) + suffix).unlink(missing_ok=True)


def measure(args: argparse.Namespace, work: Path) -> None:
    url = f"sqlite:///{work}"

    checks = sample(url, args.requests, seed=args.seed)
    on_lists = sum(c[3] for c in checks)
    print(
        f"checks: {len(checks):,} over {len({c[0] for c in checks}):,} subjects, "
        f"{on_lists:,} of them about listed subjects"
    )

    in_process(url, checks[:50])  # warm the caches
    times, applied = in_process(url, checks)
    print(line("in-process check (no HTTP)", times) + f"; {applied:,} applied")
    for flag, label in ((True, "  listed subjects"), (False, "  unlisted subjects")):
        print(line(label, [t for t, c in zip(times, checks, strict=True) if c[3] is flag]))

    before = count_rows(work, "check_log")
    proc, base = serve(url)
    try:
        paths = [f"/api/v1/check?subject={c}&measure={m}&on={d}" for c, m, d, _ in checks]
        health, answered = paired(base, paths)
        time.sleep(2.5)  # the background flush runs every second
        logged_live = count_rows(work, "check_log") - before
        rss_kib = peak_rss_kib(proc.pid)
    finally:
        stop(proc)
    logged = count_rows(work, "check_log") - before
    warmup = min(50, len(paths))
    print(line("GET /healthz (HTTP floor)", health))
    print(line("GET /api/v1/check", answered))
    for flag, label in ((True, "  listed subjects"), (False, "  unlisted subjects")):
        print(line(label, [t for t, c in zip(answered, checks, strict=True) if c[3] is flag]))
    h, c = stats(health), stats(answered)
    print(
        f"{'check / floor':<34}: p50 {c['p50'] / h['p50']:.2f}x, p99 {c['p99'] / h['p99']:.2f}x; "
        f"check minus floor p50 {c['p50'] - h['p50']:.2f} ms"
    )
    (h_rounds, h_per), (c_rounds, c_per) = round_p99(health), round_p99(answered)
    print(
        f"{'p99 by round (median of 5)':<34}: floor {h_rounds:.2f} ms, check {c_rounds:.2f} ms "
        f"(rounds: floor {' '.join(f'{x:.2f}' for x in h_per)}; "
        f"check {' '.join(f'{x:.2f}' for x in c_per)})"
    )
    print(
        f"check_log rows: {logged_live:,} while serving, {logged:,} after shutdown "
        f"(expected {len(paths) + warmup:,} = {len(paths):,} + {warmup} warm-up)"
    )
    print(f"server peak RSS: {rss_kib / 1024:.0f} MiB; load average {_load()}")
    print(
        f"goal p99 <= 5 ms: check p99 {c['p99']:.2f} ms, median round {c_rounds:.2f} ms "
        f"({'met' if c_rounds <= 5 else 'missed'}; the floor's own p99 is {h['p99']:.2f} ms, "
        f"median round {h_rounds:.2f} ms)"
    )

    if args.no_recompute:
        return
    base_argv = [sys.executable, "-m", "xinyong", "recompute", "--as-of", DAY.isoformat()]
    base_argv += ["--db", url, "--catalogue", str(CATALOGUE), "--actor", "bench", "--json"]
    for label, option in (
        ("recompute --no-derive", "--no-derive"),
        ("recompute --derive (first run)", "--derive"),
        ("recompute --derive (second run)", "--derive"),
    ):
        seconds, rss, out = run_timed([*base_argv, option])
        summary = json.loads(out)
        print(
            f"{label:<34}: {seconds:.1f} s, peak RSS {rss / 1024:.0f} MiB; "
            f"{summary['subjects_listed']:,} subjects listed on {summary['as_of']}, "
            f"derived {summary.get('derived')}"
        )
    print(f"load average at end {_load()}")


if __name__ == "__main__":
    main()
