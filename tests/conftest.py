"""Shared fixtures: every storage and API test runs on SQLite and on a real PostgreSQL server.

The PostgreSQL server is started once per test process from Debian's binaries
(`tests/support/pgserver.py`); each test gets a fresh database cloned from a migrated template,
and each SQLite test a fresh copy of a migrated file, so tests never see each other's data.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.support.pgserver import PgServer, find_pg_bindir, start_pgserver
from xinyong.codes import IdHasher
from xinyong.store import make_engine, upgrade

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    if find_pg_bindir() is None and not os.environ.get("CI"):
        pytest.skip("PostgreSQL binaries not found (install Debian's postgresql); CI requires them")
    server = start_pgserver()
    template = "xinyong_template"
    server.create_database(template)
    engine = make_engine(server.url(template))
    upgrade(engine)
    engine.dispose()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def _fresh_db(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "xinyong.db"
        shutil.copy(template, target)
        yield f"sqlite:///{target}"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = f"t_{uuid.uuid4().hex[:12]}"
    server.create_database(name, template="xinyong_template")
    yield server.url(name)
    server.drop_database(name)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated, empty database URL on each backend."""
    yield from _fresh_db(request.param, request, tmp_path)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def hasher() -> IdHasher:
    return IdHasher(b"test-key-for-resident-id-hmac-32bytes!!")
