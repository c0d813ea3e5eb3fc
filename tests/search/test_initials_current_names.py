"""Initials candidates are current names, shortest first, straight from the index: a subject
amended many times (each amendment writes its names again) cannot crowd the company asked for
out of the candidates, and a longer name never displaces a shorter one."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from tests.factories import agency, make_uscc, subject

from xinyong.search import candidates, search_subjects
from xinyong.store import Change, apply
from xinyong.store.schema import subject_names

HUAWEI = make_uscc("MA70HWA0", region="440307")
BUSY = make_uscc("MA71HWB1", region="440305")


def test_superseded_names_do_not_crowd_out_the_current_one(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    changes = [
        agency(),
        subject(HUAWEI, "深圳市华为技术有限公司"),
        subject(BUSY, "深圳市华旺有限公司"),
    ]
    for n in range(7):  # 华旺 renamed again and again: every amendment stores its names anew
        changes.append(
            Change(
                "subject.amended",
                {
                    "subject_key": BUSY,
                    "subject_kind": "organisation",
                    "code": BUSY,
                    "names": [{"name": f"深圳市华旺{n}有限公司", "type": "current"}],
                    "reason": "registry update",
                },
            )
        )
    apply(engine, changes, actor="test")
    monkeypatch.setattr(candidates, "MAX_CANDIDATES", 2)  # as 2,000 are at a million subjects
    with engine.connect() as conn:
        hits = search_subjects(conn, "hw", limit=5).results
    assert HUAWEI in [h.code for h in hits]


def test_shorter_initials_come_first_whatever_their_alphabetical_place(engine: Engine) -> None:
    names = ["华为技术有限公司", "华旺安达数字电子有限公司", "华微安新安全设备有限公司"]  # hwjs…
    apply(
        engine,
        [agency(), *(subject(make_uscc(f"MA7{i}HWC{i}"), n) for i, n in enumerate(names))],
        actor="test",
    )
    with engine.connect() as conn:
        ids = candidates._initials_prefix(conn, "hw", None, keep=1)
        names_found = [
            conn.execute(select(subject_names.c.name).where(subject_names.c.id == i)).scalar_one()
            for i in ids
        ]
    assert names_found == ["华为技术有限公司"]


def test_two_letters_never_scan_every_name(engine: Engine) -> None:
    """ "yl" occurs inside the English form "companylimited" (names are keyed without spaces),
    but a two-letter query is initials, never a region or form word to look for inside names:
    no LIKE scan of the whole name index."""
    apply(engine, [agency(), subject(HUAWEI, "深圳市华为技术有限公司")], actor="test")
    statements: list[str] = []

    def record(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        with engine.connect() as conn:
            candidates.short(conn, "yl", None)
            candidates.short(conn, "公司", None)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    likes = [s for s in statements if " LIKE " in s.upper()]
    assert len(likes) == 1  # the one for 公司, which sits in the company form of most names
