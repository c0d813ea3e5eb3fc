"""The throwaway-server helper is what every database test stands on, so prove it end to end."""

from __future__ import annotations

import os

import psycopg
import pytest

from tests.support.pgserver import find_pg_bindir, start_pgserver


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def test_throwaway_server_serves_pg_trgm_and_cleans_up() -> None:
    if find_pg_bindir() is None:
        message = (
            "no PostgreSQL server binaries (initdb/pg_ctl) found; install Debian's "
            "postgresql package or set XINYONG_PG_BINDIR"
        )
        # CI installs PostgreSQL itself, so a missing server there is a broken setup,
        # not an environment to tolerate: skipping would hide every database test.
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)

    server = start_pgserver()
    try:
        assert server.datadir.is_dir()
        server.create_database("xinyong_template")
        server.create_database("xinyong_copy", template="xinyong_template")
        assert server.url("xinyong_copy") == (
            f"postgresql+psycopg://xinyong@127.0.0.1:{server.port}/xinyong_copy"
        )

        with psycopg.connect(server.conninfo("xinyong_copy")) as conn:
            version = conn.execute("select version()").fetchone()
            assert version is not None
            assert str(version[0]).startswith("PostgreSQL ")

            row = conn.execute(
                "select similarity(%s, %s), similarity(%s, %s)",
                ("信用中国", "信用中国", "信用中国", "完全无关"),
            ).fetchone()
            assert row is not None
            assert row[0] == pytest.approx(1.0)
            assert row[1] < row[0]

        server.drop_database("xinyong_copy")
    finally:
        server.stop()

    assert not server.datadir.exists()
    assert not server.basedir.exists()
