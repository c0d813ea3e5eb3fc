"""The journal is append-only, gapless, canonical, and the only way into the projections."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DatabaseError
from tests.conftest import _fresh_db
from tests.factories import agency, make_uscc, record, subject

from xinyong.store import Change, ChangeRejected, apply, make_engine
from xinyong.store.reads import journal_seq, subject_records
from xinyong.store.replay import replay, snapshot
from xinyong.store.schema import journal

A = make_uscc("MA5CJQ4N")
B = make_uscc("77604965")


def _state(engine: Engine) -> tuple[object, ...]:
    with engine.connect() as conn:
        rows = conn.execute(select(journal).order_by(journal.c.seq)).all()
        return (tuple(tuple(r) for r in rows), journal_seq(conn), snapshot(conn))


def _seed(engine: Engine) -> None:
    apply(
        engine,
        [agency(), subject(A, "杭州锦泰网络科技有限公司"), record(A, "杭市监罚〔2024〕1号")],
        actor="test",
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE journal SET actor = 'mallory' WHERE seq = 1",
        "DELETE FROM journal WHERE seq = 1",
        "DELETE FROM journal",
    ],
)
def test_database_refuses_update_and_delete_on_journal(engine: Engine, statement: str) -> None:
    _seed(engine)
    before = _state(engine)
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    assert _state(engine) == before


def test_rejected_change_leaves_journal_and_projections_untouched(engine: Engine) -> None:
    _seed(engine)
    before = _state(engine)
    batch = [
        subject(B, "宁波恒盛贸易有限公司"),
        record(B, "X-1"),
        record("91000000000000000X", "X-2"),
    ]
    with pytest.raises(ChangeRejected) as caught:
        apply(engine, batch, actor="test")
    assert caught.value.reasons == ["subject '91000000000000000X' is not registered"]
    assert _state(engine) == before


def test_malformed_payload_lists_every_reason_and_writes_nothing(engine: Engine) -> None:
    _seed(engine)
    before = _state(engine)
    bad = Change(
        "record.added",
        {
            "source": "samr",
            "record_kind": "penalty",
            "doc_no": "",
            "subject_key": A,
            "decision_date": "2024-02-30",
        },
    )
    with pytest.raises(ChangeRejected) as caught:
        apply(engine, [bad], actor="test")
    reasons = " | ".join(caught.value.reasons)
    for field in ("doc_no", "party_name", "decision_date", "in_force_from"):
        assert field in reasons
    assert _state(engine) == before


def test_sequence_stays_gapless_after_a_refusal(engine: Engine) -> None:
    _seed(engine)
    with pytest.raises(ChangeRejected):
        apply(engine, [record(A, "杭市监罚〔2024〕1号")], actor="test")  # duplicate natural key
    entries = apply(engine, [record(A, "杭市监罚〔2024〕2号")], actor="test")
    with engine.connect() as conn:
        seqs = [r[0] for r in conn.execute(select(journal.c.seq).order_by(journal.c.seq))]
    assert entries[0].seq == 4
    assert seqs == [1, 2, 3, 4]


def test_payload_is_canonical_json(engine: Engine) -> None:
    _seed(engine)
    with engine.connect() as conn:
        stored = conn.execute(select(journal.c.payload).where(journal.c.seq == 2)).scalar_one()
        stamp = conn.execute(select(journal.c.recorded_at).where(journal.c.seq == 2)).scalar_one()
    assert "杭州锦泰网络科技有限公司" in stored  # UTF-8, not \u escapes
    assert ": " not in stored and ", " not in stored
    assert stored == json.dumps(
        json.loads(stored), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    assert stamp.endswith("Z") and dt.datetime.fromisoformat(stamp).tzinfo is not None


def test_correction_keeps_the_earlier_version_readable_at_known_at(engine: Engine) -> None:
    _seed(engine)
    [entry] = apply(
        engine,
        [record(A, "杭市监罚〔2024〕1号", corrected="amount mistyped", fine_wan="5")],
        actor="test",
    )
    k = entry.seq
    day = dt.date(2024, 6, 1)
    with engine.connect() as conn:
        before = subject_records(conn, A, day, known_at=k - 1)
        after = subject_records(conn, A, day, known_at=k)
        now = subject_records(conn, A, day)
    assert [r.fields for r in before] == [{}]
    assert [r.fields for r in after] == [{"fine_wan": "5"}]
    assert now == after
    assert before[0].record_id == after[0].record_id  # the same record, a new version


def test_in_force_is_inclusive_at_both_ends(engine: Engine) -> None:
    apply(
        engine,
        [
            agency(),
            subject(A, "某公司"),
            record(A, "D1", decision="2024-01-10", until="2024-02-10"),
        ],
        actor="test",
    )
    with engine.connect() as conn:

        def docs(day: dt.date) -> list[str]:
            return [r.doc_no for r in subject_records(conn, A, day)]

        assert docs(dt.date(2024, 1, 9)) == []
        assert docs(dt.date(2024, 1, 10)) == ["D1"]
        assert docs(dt.date(2024, 2, 10)) == ["D1"]
        assert docs(dt.date(2024, 2, 11)) == []


@pytest.mark.parametrize("target_backend", ["same", "sqlite"])
def test_replaying_the_journal_rebuilds_identical_projections(
    engine: Engine,
    db_url: str,
    target_backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    _seed(engine)
    apply(
        engine,
        [
            subject(B, "宁波恒盛贸易有限公司", region_code="330203"),
            record(B, "甬税罚〔2023〕7号", kind="penalty", source="samr", fine_wan="0.5"),
            record(A, "杭市监罚〔2024〕1号", corrected="wrong fine", fine_wan="2"),
            Change(
                "subject.amended",
                {
                    "subject_key": B,
                    "subject_kind": "organisation",
                    "code": B,
                    "names": [
                        {"name": "宁波恒盛国际贸易有限公司", "type": "current"},
                        {"name": "宁波恒盛贸易有限公司", "type": "former"},
                    ],
                    "reason": "renamed",
                },
            ),
        ],
        actor="test",
    )
    backend = (
        "sqlite" if target_backend == "sqlite" or db_url.startswith("sqlite") else "postgresql"
    )
    (tmp_path / "target").mkdir()
    target_db = _fresh_db(backend, request, tmp_path / "target")
    target_url = next(target_db)
    target = make_engine(target_url)
    last = replay(engine, target)
    with engine.connect() as live, target.connect() as rebuilt:
        assert snapshot(rebuilt) == snapshot(live)
        assert journal_seq(rebuilt) == journal_seq(live) == last
        count = rebuilt.execute(select(func.count()).select_from(journal)).scalar_one()
        stored = rebuilt.execute(select(journal).order_by(journal.c.seq)).all()
        original = live.execute(select(journal).order_by(journal.c.seq)).all()
    assert count == last and [tuple(r) for r in stored] == [tuple(r) for r in original]
    target.dispose()
    next(target_db, None)  # run the fixture's clean-up: a PostgreSQL target is dropped
