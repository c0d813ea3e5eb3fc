"""`make run` makes one account per role with a random password kept beside the data."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import Engine
from tests.factories import agency, make_uscc, record, subject

from xinyong.accounts import authenticate
from xinyong.store import apply
from xinyong.store.db import writing
from xinyong.synth.accounts import create_demo_accounts


def test_demo_accounts_sign_in_and_are_made_once(engine: Engine, tmp_path: Path) -> None:
    code = make_uscc("MA5CJQ4N")
    apply(
        engine,
        [
            agency("samr.hz"),
            subject(code, "杭州某某科技有限公司"),
            record(code, "罚1", source="samr.hz"),
        ],
        actor="test",
    )
    with writing(engine) as conn:
        made = create_demo_accounts(conn, tmp_path)
    assert [(n, r) for n, r, _ in made] == [
        ("demo-officer", "officer"),
        ("demo-reviewer", "reviewer"),
        ("demo-authority", "authority"),
        ("demo-subject", "subject"),
        ("demo-auditor", "auditor"),
        ("demo-admin", "admin"),
    ]
    kept = tmp_path / "demo-accounts.txt"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert kept.read_text(encoding="utf-8").count("\n") == 6
    with engine.connect() as conn:
        officer = authenticate(conn, "demo-officer", made[0][2])
        subject_user = authenticate(conn, "demo-subject", made[3][2])
        assert authenticate(conn, "demo-officer", made[1][2]) is None
    assert officer is not None and officer.agency == "samr.hz"
    assert subject_user is not None and subject_user.subject_key == code
    with writing(engine) as conn:
        assert create_demo_accounts(conn, tmp_path) == []
