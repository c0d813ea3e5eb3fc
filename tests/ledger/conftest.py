"""A small registry on each backend with the log's key, and an in-process site to verify."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from tests.factories import agency, make_uscc, record, subject

from xinyong.codes import IdHasher, load_or_create_key, mask_ric
from xinyong.ledger import Signer, load_or_create
from xinyong.ledger.service import ledger_origin
from xinyong.ledger.verify import VerificationFailed
from xinyong.store import Change, apply
from xinyong.web import create_app

ACME = make_uscc("MA5CJQ4N")
OTHER = make_uscc("77604965", region="440305")
PERSON_ID = "11010519491231002X"
FINED = "杭市监罚〔2024〕1号"
REPAIRED = "杭市监罚〔2021〕5号"


@dataclass
class Registry:
    engine: Engine
    url: str
    signer: Signer
    hasher: IdHasher
    id_key: Path

    @property
    def person_key(self) -> str:
        return self.hasher.digest(PERSON_ID)


@pytest.fixture
def registry(
    engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Registry:
    """Two organisations with records (one fined, one repaired), a natural person with a record:
    public, repaired and personal entries side by side."""
    id_key = tmp_path / "id.key"
    monkeypatch.setenv("XINYONG_ID_KEY_FILE", str(id_key))
    monkeypatch.setenv("XINYONG_LEDGER_KEY", str(tmp_path / "ledger.key"))
    monkeypatch.delenv("XINYONG_LEDGER_ORIGIN", raising=False)
    hasher = IdHasher(load_or_create_key(id_key))
    signer = load_or_create(tmp_path / "ledger.key", ledger_origin())
    person = hasher.digest(PERSON_ID)
    apply(
        engine,
        [
            agency(),
            subject(ACME, "杭州锦泰网络科技有限公司"),
            subject(OTHER, "深圳市锦泰网络科技有限公司"),
            record(ACME, FINED, penalty_category="罚款", fine_wan="2.5"),
            record(OTHER, REPAIRED, decision="2021-03-01"),
            Change(
                "subject.registered",
                {
                    "subject_key": person,
                    "subject_kind": "person",
                    "code": mask_ric(PERSON_ID),
                    "names": [{"name": "张三", "type": "current"}],
                    "status": "unknown",
                },
            ),
            record(person, "杭市监罚〔2024〕7号", fine_wan="0.1"),
        ],
        actor="operator:alice",
    )
    apply(
        engine,
        [
            Change(
                "record.repaired",
                {
                    "source": "samr",
                    "record_kind": "penalty",
                    "doc_no": REPAIRED,
                    "on": "2024-06-01",
                    "reason": "credit repair granted",
                    "repair_id": 1,
                },
            )
        ],
        actor="apikey:samr:k1",
    )
    return Registry(engine, db_url, signer, hasher, id_key)


@pytest.fixture
def site(registry: Registry) -> Iterator[TestClient]:
    app = create_app(registry.url, key_file=str(registry.id_key), rate_limit=0)
    with TestClient(app) as client:  # the lifespan signs a checkpoint at start
        yield client


def getter(client: TestClient):  # type: ignore[no-untyped-def]
    """The verifier's HTTP, answered in-process."""

    def get(url: str) -> bytes:
        answer = client.get(url.removeprefix("http://testserver"))
        if answer.status_code != 200:
            raise VerificationFailed(f"GET {url}: HTTP {answer.status_code}: {answer.text}")
        return answer.content

    return get


def drop_append_only(engine: Engine, *tables: str) -> None:
    """What an insider with database rights does first."""
    with engine.begin() as conn:
        for table in tables:
            if engine.dialect.name == "sqlite":
                for action in ("update", "delete"):
                    conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_refuse_{action}"))
                conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_refuse_shrink"))
            else:
                for name in ("change", "truncate", "shrink"):
                    conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_refuse_{name} ON {table}"))
