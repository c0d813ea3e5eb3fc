"""The log from the command line: `init` makes the key, `ledger public-key|checkpoint|prove`,
`audit`, `ledger verify` against a real HTTP server; and migration 0014 backfilling a journal."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from alembic import command
from sqlalchemy import Engine, inspect, select, text
from tests.factories import agency, record, subject
from tests.ledger.conftest import ACME, Registry, drop_append_only
from typer.testing import CliRunner

from xinyong.cli import app
from xinyong.ledger import Verifier, open_checkpoint, root
from xinyong.ledger.audit import audit
from xinyong.ledger.service import root_of
from xinyong.ledger.store import tree_size
from xinyong.store import apply, make_engine
from xinyong.store.migrate import _config, current_revision, head_revision
from xinyong.store.replay import replay
from xinyong.store.schema import ledger_entries
from xinyong.web import create_app

runner = CliRunner()


def test_init_makes_the_key_once_and_the_commands_use_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XINYONG_ID_KEY_FILE", str(tmp_path / "id.key"))
    monkeypatch.delenv("XINYONG_LEDGER_KEY", raising=False)
    monkeypatch.setenv("XINYONG_LEDGER_ORIGIN", "registry.test/log")
    url = f"sqlite:///{tmp_path}/x.db"
    first = json.loads(runner.invoke(app, ["init", "--db", url, "--json"]).stdout)
    assert first["ledger_key"]["path"] == f"{tmp_path}/x.db.ledger-key"
    assert (tmp_path / "x.db.ledger-key").stat().st_mode & 0o777 == 0o600
    again = json.loads(runner.invoke(app, ["init", "--db", url, "--json"]).stdout)
    assert again["ledger_key"] == first["ledger_key"]
    printed = runner.invoke(app, ["ledger", "public-key", "--db", url]).stdout.strip()
    verifier = Verifier.from_string(printed)
    assert printed == first["ledger_key"]["verifier"] and verifier.name == "registry.test/log"

    engine = make_engine(url)
    apply(
        engine,
        [agency(), subject(ACME, "杭州锦泰网络科技有限公司"), record(ACME, "X-1")],
        actor="t",
    )
    engine.dispose()
    signed = runner.invoke(app, ["ledger", "checkpoint", "--db", url])
    assert signed.exit_code == 0, signed.output
    assert open_checkpoint(signed.stdout, verifier).size == 3
    proved = runner.invoke(app, ["ledger", "prove", "3", "--db", url, "--json"])
    assert proved.exit_code == 0, proved.output
    assert json.loads(proved.stdout)["included"] and json.loads(proved.stdout)["payload_checked"]
    audited = runner.invoke(app, ["audit", "--db", url, "--json"])
    assert audited.exit_code == 0, audited.output
    assert json.loads(audited.stdout)["ok"] and json.loads(audited.stdout)["checkpoints"] == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(registry: Registry) -> Iterator[str]:
    """The site on a real socket: uvicorn in a thread."""
    port = _free_port()
    application = create_app(registry.url, key_file=str(registry.id_key), rate_limit=0)
    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_verify_over_real_http(registry: Registry, served: str, tmp_path: Path) -> None:
    key = tmp_path / "registry.pub"
    key.write_text(f"{registry.signer.verifier}\n")
    state = tmp_path / "seen.json"
    args = ["ledger", "verify", "--url", served, "--public-key", str(key), "--state", str(state)]
    ok = runner.invoke(app, [*args, "--json"])
    assert ok.exit_code == 0, ok.output
    assert (
        json.loads(ok.stdout)["public_checked"] == 4 and json.loads(state.read_text())["size"] == 8
    )
    by_string = runner.invoke(
        app,
        ["ledger", "prove", "4", "--url", served, "--public-key", str(registry.signer.verifier)],
    )
    assert by_string.exit_code == 0 and "included" in by_string.output

    drop_append_only(registry.engine, "journal")
    with registry.engine.begin() as conn:
        if registry.engine.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER IF EXISTS journal_refuse_change ON journal"))
        conn.execute(
            text("UPDATE journal SET payload = REPLACE(payload, '2.5', '0.5') WHERE seq = 4")
        )
    failed = runner.invoke(app, args)
    assert failed.exit_code == 1
    assert "index 3 (journal entry 4)" in " ".join(failed.output.split())


def _empty_database(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/old.db"
        return
    server = request.getfixturevalue("pg_server")
    name = f"m_{uuid.uuid4().hex[:12]}"
    server.create_database(name)
    yield server.url(name)
    server.drop_database(name)


def _upgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as conn:
        config = _config()
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


@pytest.fixture
def old(registry: Registry, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database on the registry's backend, to be brought to an older revision."""
    urls = _empty_database(registry.engine.dialect.name, request, tmp_path)
    engine = make_engine(next(urls))
    yield engine
    engine.dispose()
    next(urls, None)


def test_migration_backfills_an_existing_journal(registry: Registry, old: Engine) -> None:
    _upgrade(old, "0013")  # a registry as it stood before the log existed
    replay(registry.engine, old)
    assert current_revision(old) == "0013"
    _upgrade(old, "head")
    assert current_revision(old) == head_revision()
    with old.connect() as conn:
        assert tree_size(conn) == 8
        leaves = [
            r.envelope.encode()
            for r in conn.execute(ledger_entries.select().order_by(ledger_entries.c.seq))
        ]
    assert [json.loads(leaf)["seq"] for leaf in leaves] == list(range(1, 9))
    report = audit(old)
    assert report.ok, [str(f) for f in report.findings]
    with old.connect() as conn:
        assert root_of(conn, 8) == root(leaves)


def test_a_registry_with_a_log_gains_the_actor_digest_on_upgrade(old: Engine) -> None:
    _upgrade(old, "0018")  # a registry whose log predates 0019: envelopes without actors
    with old.begin() as conn:
        # as 0014 created it before 0019 existed (today's 0014 adds the column for the backfill)
        conn.execute(text("ALTER TABLE ledger_entries DROP COLUMN actor_salt"))
    with old.connect() as conn:
        assert "actor_salt" not in {c["name"] for c in inspect(conn).get_columns("ledger_entries")}
    _upgrade(old, "head")
    apply(old, [agency(), subject(ACME, "杭州锦泰网络科技有限公司")], actor="operator:alice")
    with old.connect() as conn:
        rows = conn.execute(select(ledger_entries.c.envelope, ledger_entries.c.actor_salt)).all()
    assert len(rows) == 2 and all(
        "actor_digest" in json.loads(e) and s is not None for e, s in rows
    )
    assert audit(old).ok
