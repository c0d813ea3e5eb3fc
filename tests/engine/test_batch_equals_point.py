"""The batch path (`recompute`: one SQL scan, per-list measure sets) and the point path
(`evaluate`: one subject, explanation chains) must agree for every subject and every date, on
random catalogues and random listing histories."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.factories import agency, make_uscc, subject

from xinyong.catalogue.load import Catalogue, Versions
from xinyong.catalogue.model import Criteria, ListDef, MeasureDef, MemorandumDef
from xinyong.evaluate import Rules
from xinyong.registry.measures import subject_evaluation
from xinyong.registry.recompute import State, batch_states, state_of
from xinyong.store import Change, apply, make_engine
from xinyong.store.changes import ChangeRejected

EPOCH = dt.date(2024, 1, 1)
DAYS = 120
SUBJECTS = [make_uscc(f"{i:08d}") for i in range(1, 5)]
LISTS = ["l.a", "l.b", "l.c", "l.d"]
MEASURES = ["m.p1", "m.p2", "m.p3", "m.i1", "m.i2"]
DECISIONS = ["D1", "D2", "D3"]


def _day(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=n)


@st.composite
def catalogues(draw: st.DrawFn) -> Catalogue:
    lists = {
        code: [
            ListDef(
                code=code,
                name=code,
                name_en=code,
                kind=draw(st.sampled_from(["black", "red", "watch"])),
                authority="authority",
                legal_basis=("basis",),
                criteria=Criteria(record_kinds=("penalty",)),
                max_days=730,
                removal="removal",
                # some lists carry measures themselves, without a memorandum
                measures=tuple(draw(st.lists(st.sampled_from(MEASURES), max_size=2, unique=True))),
            )
        ]
        for code in LISTS
    }
    measures = {
        code: [
            MeasureDef(
                code=code,
                name=code,
                name_en=code,
                kind="incentive" if code.startswith("m.i") else "punishment",
                category="c",
                agency=draw(st.sampled_from(["agency-1", "agency-2", "agency-3"])),
                targets=("subject",),
                legal_basis=("basis",),
            )
        ]
        for code in MEASURES
    }
    memoranda: dict[str, list[MemorandumDef]] = {}
    for i in range(draw(st.integers(1, 3))):
        code = f"memo.m{i}"
        versions = []
        starts = sorted(set(draw(st.lists(st.integers(0, DAYS), min_size=1, max_size=2))))
        for n, start in enumerate(starts):
            versions.append(
                MemorandumDef(
                    code=code,
                    name=code,
                    signatories=("s",),
                    lists=tuple(draw(st.lists(st.sampled_from(LISTS), min_size=1, unique=True))),
                    measures=tuple(
                        draw(st.lists(st.sampled_from(MEASURES), min_size=1, unique=True))
                    ),
                    legal_basis=("basis",),
                    effective_from=None if n == 0 else _day(start),
                )
            )
        memoranda[code] = versions
    return Catalogue(
        Path("."),
        Versions({}),
        Versions(lists),
        Versions(measures),
        Versions(memoranda),
    )


@st.composite
def histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for i in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, DAYS))
        length = draw(st.one_of(st.none(), st.integers(0, DAYS)))
        removed = draw(st.one_of(st.none(), st.integers(0, DAYS)))
        out.append(
            {
                "subject": draw(st.sampled_from(SUBJECTS)),
                "list": draw(st.sampled_from(LISTS)),
                "decision": f"L{i}",
                "start": start,
                "end": None if length is None else start + length,
                "removed": None if removed is None else start + removed,
                "basis": draw(st.lists(st.sampled_from(DECISIONS), max_size=2, unique=True)),
            }
        )
    return out


def _changes(history: list[dict[str, Any]]) -> tuple[list[Change], list[Change]]:
    decided, removed = [], []
    for h in history:
        decided.append(
            Change(
                "listing.decided",
                {
                    "source": "samr",
                    "list_code": h["list"],
                    "decision_no": h["decision"],
                    "subject_key": h["subject"],
                    "party_name": "某公司",
                    "authority": "authority",
                    "start": _day(h["start"]).isoformat(),
                    "planned_end": _day(h["end"]).isoformat() if h["end"] is not None else None,
                    "basis": [{"doc_no": d} for d in h["basis"]],
                },
            )
        )
        if h["removed"] is not None:
            removed.append(
                Change(
                    "listing.removed",
                    {
                        "subject_key": h["subject"],
                        "list_code": h["list"],
                        "source": "samr",
                        "decision_no": f"R-{h['decision']}",
                        "authority": "authority",
                        "date": _day(h["removed"]).isoformat(),
                        "reason": "removed",
                    },
                )
            )
    return decided, removed


EMPTY = State((), (), (), (), (("agencies", 0), ("lists", 0), ("measures", 0)))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    catalogue=catalogues(),
    history=histories(),
    days=st.lists(st.integers(-5, 2 * DAYS + 5), min_size=1, max_size=6),
)
def test_batch_equals_point_for_every_subject_and_date(
    sqlite_template: Path,
    tmp_path_factory: Any,
    catalogue: Catalogue,
    history: list[dict[str, Any]],
    days: list[int],
) -> None:
    path = tmp_path_factory.mktemp("prop") / "x.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        apply(engine, [agency(), *(subject(c, f"公司{c[-4:]}") for c in SUBJECTS)], actor="t")
        decided, removed = _changes(history)
        if decided:
            apply(engine, decided, actor="t")
        for change in removed:  # a removal may find nothing in force: then it is refused
            with contextlib.suppress(ChangeRejected):
                apply(engine, [change], actor="t")
        rules = Rules(catalogue)
        with engine.connect() as conn:
            for n in days:
                on = _day(n)
                batch = dict(batch_states(conn, rules, on))
                for code in SUBJECTS:
                    point = state_of(subject_evaluation(conn, rules, code, on))
                    assert batch.get(code, EMPTY) == point, (code, on)
    finally:
        engine.dispose()
