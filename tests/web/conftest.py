from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.factories import agency, make_uscc, record, subject

from xinyong.codes import IdHasher, load_or_create_key, mask_ric
from xinyong.store import Change, apply
from xinyong.web import create_app

ACME = make_uscc("MA5CJQ4N")
OTHER = make_uscc("77604965", region="440305")


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    apply(
        engine,
        [
            agency(),
            subject(ACME, "台湾积体电路制造股份有限公司(台积电)", region_code="330106"),
            subject(OTHER, "深圳市锦泰网络科技有限公司", region_code="440305"),
            record(
                ACME,
                "杭市监罚〔2024〕1号",
                decision="2024-03-01",
                until="2027-03-01",
                penalty_category="罚款",
                fine_wan="2.5",
            ),
            record(ACME, "杭市监罚〔2020〕9号", decision="2020-03-01", until="2020-06-01"),
        ],
        actor="test",
    )
    return engine


PERSON_ID = "11010519491231002X"


@pytest.fixture
def client(seeded: Engine, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    key_file = tmp_path / "id.key"
    hasher = IdHasher(load_or_create_key(key_file))
    apply(
        seeded,
        [
            Change(
                "subject.registered",
                {
                    "subject_key": hasher.digest(PERSON_ID),
                    "subject_kind": "person",
                    "code": mask_ric(PERSON_ID),
                    "names": [{"name": "张三", "type": "current"}],
                    "status": "unknown",
                },
            ),
        ],
        actor="test",
    )
    app = create_app(db_url, key_file=str(key_file), rate_limit=0)
    with TestClient(app) as c:
        yield c
