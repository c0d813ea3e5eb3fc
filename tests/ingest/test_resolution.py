"""Finding a record's subject: by code, by legacy code, by organisation code, by exact name —
and never by a guess: several candidates go to an officer's review queue."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

from sqlalchemy import Engine, select
from tests.factories import agency, make_uscc, subject
from tests.ingest.test_ingest_files import HEADERS

from xinyong.codes import IdHasher
from xinyong.ingest import ingest_files
from xinyong.store import Change, apply
from xinyong.store.reads import subject_records
from xinyong.store.schema import quarantine

A = make_uscc("MA5CJQ4N")
B = make_uscc("77604965", region="440305")
C = make_uscc("12345678", region="110105")


def _row(name: str, code: str, doc: str, org: str = "") -> list[str]:
    return [
        name,
        "法人及非法人组织",
        code,
        "",
        "",
        doc,
        "罚款",
        "2",
        "2024-03-01",
        "",
        "杭州市市场监督管理局",
        "",
        org,
    ]


def _file(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "p.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*HEADERS, "组织机构代码"])
        writer.writerows(rows)
    return path


def _registry(engine: Engine) -> None:
    apply(
        engine,
        [
            agency(),
            subject(A, "杭州锦泰网络科技有限公司"),
            subject(B, "锦泰贸易有限公司"),
            subject(C, "锦泰贸易有限公司"),  # same name, another region: ambiguous by name
        ],
        actor="test",
    )


def test_placeholder_code_is_resolved_by_organisation_code(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    _registry(engine)
    org = f"{A[8:16]}-{A[16]}"
    s = ingest_files(
        engine,
        [_file(tmp_path, [_row("杭州锦泰网络科技有限公司", "00000000000000000X", "D1", org)])],
        source="samr",
        actor="op",
        hasher=hasher,
    )
    assert (s.accepted, s.quarantined) == (1, 0)
    with engine.connect() as conn:
        assert [r.doc_no for r in subject_records(conn, A, dt.date(2024, 6, 1))] == ["D1"]


def test_unique_exact_name_is_enough_and_traditional_script_matches(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    _registry(engine)
    s = ingest_files(
        engine,
        [_file(tmp_path, [_row("杭州錦泰網絡科技有限公司", "", "D2")])],
        source="samr",
        actor="op",
        hasher=hasher,
    )
    assert s.accepted == 1
    with engine.connect() as conn:
        assert [r.doc_no for r in subject_records(conn, A, dt.date(2024, 6, 1))] == ["D2"]


def test_ambiguous_name_goes_to_review_not_to_a_guess(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    _registry(engine)
    s = ingest_files(
        engine,
        [_file(tmp_path, [_row("锦泰贸易有限公司", "", "D3"), _row("无此公司", "", "D4")])],
        source="samr",
        actor="op",
        hasher=hasher,
    )
    assert (s.accepted, s.quarantined) == (0, 2)
    with engine.connect() as conn:
        rows = {r.row: (r.status, json.loads(r.reasons)) for r in conn.execute(select(quarantine))}
        for code in (B, C):
            assert subject_records(conn, code, dt.date(2024, 6, 1)) == []
    status, reasons = rows[2]
    assert status == "review" and B in reasons[0] and C in reasons[0]
    assert "2 subjects match the name '锦泰贸易有限公司'" in reasons[0]
    assert rows[3] == (
        "open",
        ["no subject in the registry matches the name '无此公司' (no code given)"],
    )


def test_an_accepted_legacy_code_passes_validation(
    engine: Engine, hasher: IdHasher, tmp_path: Path
) -> None:
    legacy = "91350203M0001QAY9B"  # a real-world code that fails its check (FACTS.md §7)
    first = ingest_files(
        engine,
        [_file(tmp_path, [_row("厦门某公司", legacy, "D5")])],
        source="samr",
        actor="op",
        hasher=hasher,
    )
    assert first.quarantined == 1
    apply(
        engine,
        [
            Change(
                "code.legacy_accepted",
                {"code": legacy, "reason": "issued by Xiamen AIC in 2015; confirmed by phone"},
            )
        ],
        actor="officer:li",
    )
    again = ingest_files(
        engine,
        [_file(tmp_path, [_row("厦门某公司", legacy, "D5")])],
        source="samr",
        actor="op",
        hasher=hasher,
    )
    assert (again.accepted, again.closed) == (1, 1)  # the waiting entry closes with it
    with engine.connect() as conn:
        assert [r.doc_no for r in subject_records(conn, legacy, dt.date(2024, 6, 1))] == ["D5"]
        statuses = list(conn.execute(select(quarantine.c.status)).scalars())
    assert statuses == ["closed"]
