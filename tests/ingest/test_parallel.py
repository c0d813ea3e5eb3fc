"""Parse workers read the file themselves and send back only what the writer needs: the outcome
must be exactly that of parsing in the writer's own process, whatever the number of workers."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from sqlalchemy import Engine, select
from tests.factories import make_uscc
from tests.ingest.test_ingest_files import HEADERS

from xinyong.catalogue import load_catalogue
from xinyong.codes import IdHasher
from xinyong.ingest import ingest_files
from xinyong.ingest import pipeline as pipeline_module
from xinyong.ingest.mapping import load_mapping
from xinyong.ingest.parsing import LazyRow, ParseContext, parse_table
from xinyong.ingest.quarantine import QuarantineCipher
from xinyong.ingest.readers import read_tables
from xinyong.store import make_engine, upgrade
from xinyong.store.schema import quarantine, records, subject_names, subjects

CODES = [make_uscc(f"{i:08d}") for i in range(40)]


def _row(i: int) -> list[str]:
    code = CODES[i % len(CODES)]
    if i % 11 == 0:  # a broken check character: quarantined
        code = code[:-1] + ("1" if code[-1] != "1" else "2")
    if i % 13 == 0:  # no code, only the name: resolved against the registry in the writer
        code = ""
    fine = "-1" if i % 17 == 0 else f"{i % 9}.5"
    return [
        f"公司{i % len(CODES)}",
        "法人及非法人组织",
        code,
        "",
        "",
        f"罚〔2024〕{i % 90}号",  # numbers recur: duplicates and corrections within the file
        "罚款",
        fine,
        "2024-03-01",
        "",
        "某局",
        "",
    ]


def _penalties(path: Path, rows: int) -> Path:
    empty = [""] * len(HEADERS)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for i in range(rows):
            writer.writerow(_row(i))
            if i % 23 == 0:
                writer.writerow(empty)
        writer.writerows([empty, empty])  # trailing empty rows
    return path


def _state(engine: Engine, hasher: IdHasher) -> dict[str, Any]:
    cipher = QuarantineCipher(hasher)
    with engine.connect() as conn:
        recs = sorted(
            (r.doc_key, r.subject_key, r.fields, r.source_row, r.superseded_seq is None)
            for r in conn.execute(select(records))
        )
        subs = sorted(
            (r.subject_key, r.name, r.provisional) for r in conn.execute(select(subjects))
        )
        names = sorted((r.subject_key, r.name_key) for r in conn.execute(select(subject_names)))
        held = sorted(
            (r.row, r.reasons, r.status, sorted(cipher.open(r.data).items()))
            for r in conn.execute(select(quarantine))
        )
    return {"records": recs, "subjects": subs, "names": names, "quarantine": held}


def _ingest(engine: Engine, hasher: IdHasher, path: Path, workers: int) -> dict[str, int]:
    summary = ingest_files(
        engine, [path], source="samr", actor="op", hasher=hasher, workers=workers
    )
    counts = summary.counts()
    counts.pop("files")
    return counts


@pytest.mark.parametrize("workers", [1, 2])
def test_workers_reach_the_same_state_as_parsing_in_process(
    engine: Engine,
    hasher: IdHasher,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    workers: int,
) -> None:
    monkeypatch.setattr(pipeline_module, "CHUNK_ROWS", 7)
    path = _penalties(tmp_path / "penalties.csv", 300)
    reference = make_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    upgrade(reference)
    try:
        expected = _ingest(reference, hasher, path, 0)
        expected_state = _state(reference, hasher)
        # Sent again: rows whose subject the first run created now resolve; the rest are
        # duplicates, including the rows the file itself corrected further down.
        expected_again = _ingest(reference, hasher, path, 0)
        expected_again_state = _state(reference, hasher)
    finally:
        reference.dispose()
    assert expected["quarantined"] > 0 and expected["corrected"] > 0
    assert expected["skipped_empty"] == 300 // 23 + 1 + 2
    assert _ingest(engine, hasher, path, workers) == expected
    assert _state(engine, hasher) == expected_state
    assert _ingest(engine, hasher, path, workers) == expected_again
    assert _state(engine, hasher) == expected_again_state


@pytest.mark.parametrize("done", [0, 40, 299])
def test_worker_chunks_equal_in_process_chunks(hasher: IdHasher, tmp_path: Path, done: int) -> None:
    path = _penalties(tmp_path / "penalties.csv", 120)
    table = read_tables(path)[0]
    headers = load_mapping("penalty").resolve(table.headers)
    origin = {"batch_id": "b", "file": path.name, "sheet": None}
    ctx = ParseContext(
        "penalty",
        headers,
        hasher,
        dt.date(2025, 1, 1),
        load_catalogue(),
        frozenset(),
        "samr",
        origin,
    )

    def flat(workers: int) -> list[Any]:
        out = []
        for chunk in parse_table(ctx, table, done, 9, workers):
            rows = [(r.row, r.cells, r.problem) for r in chunk.rows]
            drafts = [
                p if isinstance(p, list) else (p.payload, p.journal_json) for p in chunk.parsed
            ]
            out.append((rows, drafts, chunk.empties))
        return out

    expected = flat(0)
    numbers = [r[0] for c in expected for r in c[0]]
    assert all(n > done for n in numbers) and (numbers or done == 299)
    for workers in (1, 3):
        assert flat(workers) == expected
    lazy = [
        r for c in parse_table(ctx, table, done, 9, 1) for r in c.rows if isinstance(r, LazyRow)
    ]
    assert lazy or done == 299  # validated rows travel as their cell texts alone


def test_a_spreadsheet_is_parsed_by_one_worker_whatever_the_cores(
    engine: Engine, hasher: IdHasher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each worker reads the file itself and calamine holds a whole sheet in memory: a
    spreadsheet gets one worker, so a many-core machine does not hold the sheet many times."""
    csv_path = _penalties(tmp_path / "penalties.csv", 60)
    xlsx_path = tmp_path / "penalties.xlsx"
    with csv_path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    book = xlsxwriter.Workbook(str(xlsx_path))
    sheet = book.add_worksheet("处罚")
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    book.close()
    used: list[int] = []
    real_parse_table = pipeline_module.parse_table

    def spy(ctx: Any, table: Any, done: int, size: int, workers: int) -> Any:
        used.append(workers)
        return real_parse_table(ctx, table, done, size, workers)

    monkeypatch.setattr(pipeline_module, "parse_table", spy)
    monkeypatch.setattr(pipeline_module, "default_workers", lambda: 3)
    monkeypatch.setattr(pipeline_module, "PARALLEL_MIN_BYTES", 0)
    for path in (csv_path, xlsx_path):
        ingest_files(engine, [path], source="samr", actor="op", hasher=hasher, kind="penalty")
    # An operator who asks for workers gets them (knowing the memory it takes).
    ingest_files(
        engine, [xlsx_path], source="samr", actor="op", hasher=hasher, kind="penalty", workers=2
    )
    assert used == [3, 1, 2]
